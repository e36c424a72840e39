"""pytest fixtures: a real moto server over HTTP for CloudWatch Logs tests.

Fixtures (import this module from a conftest, or list it in ``pytest_plugins``):

- ``moto_server`` (session): starts ``moto_server -H 127.0.0.1 -p PORT`` on a free loopback
  port, waits until it answers, yields its URL, kills it at teardown.
- ``aws_env`` (function): fake credentials, region us-east-1 and ``AWS_ENDPOINT_URL_CLOUDWATCH_LOGS``
  pointing at the server, with the user's real AWS config files hidden.
- ``logs_client`` (function): a boto3 ``logs`` client built from that environment.

Helpers: ``put_events(client, group, stream, events)`` (batches, sorts, creates the
group/stream); ``make_lex_record(...)`` and ``lex_event(...)`` build their records with
tests/lex_records.py, the one builder.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

from lex_records import iso_ms, record  # noqa: F401 - iso_ms is re-exported for the CloudWatch tests

import pytest

FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
    "AWS_CONFIG_FILE": "/nonexistent/aws-config", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
    "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "3",
}
# botocore's service-specific endpoint variable is named after the service id "CloudWatch Logs".
ENDPOINT_ENV = "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS"
UNSET_ENV = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_LOGS", ENDPOINT_ENV,
             "AWS_RETRY_MODE", "LEXLENS_CACHE_DIR")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _moto_command(port: int) -> list[str]:
    script = Path(sys.executable).with_name("moto_server")
    if script.exists():
        return [str(script), "-H", "127.0.0.1", "-p", str(port)]
    return [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]


@pytest.fixture(scope="session")
def moto_server():
    """URL of a moto server running in a subprocess for the whole session."""
    port = free_port()
    process = subprocess.Popen(_moto_command(port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("moto_server did not start")
            time.sleep(0.1)
    yield url
    process.kill()
    process.wait(timeout=10)


def aws_environment(endpoint: str) -> dict[str, str]:
    """Environment for a child process talking to moto (parent env minus real AWS settings)."""
    env = {key: value for key, value in os.environ.items() if key not in UNSET_ENV}
    env.update(FAKE_ENV, **{ENDPOINT_ENV: endpoint})
    return env


@pytest.fixture
def aws_env(moto_server, monkeypatch):
    """Fake credentials and AWS_ENDPOINT_URL_CLOUDWATCH_LOGS=<moto> in this process; yields the URL."""
    for key in UNSET_ENV:
        monkeypatch.delenv(key, raising=False)
    for key, value in {**FAKE_ENV, ENDPOINT_ENV: moto_server}.items():
        monkeypatch.setenv(key, value)
    yield moto_server


@pytest.fixture
def logs_client(aws_env):
    import boto3

    return boto3.client("logs")


def unique_group(prefix: str = "/aws/lex/test") -> str:
    """A fresh log group name, so tests sharing the server never see each other's events."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def put_events(client, group: str, stream: str, events: list[dict]) -> None:
    """PutLogEvents in valid batches (chronological, <= 10,000 events, < 1 MB)."""
    try:
        client.create_log_group(logGroupName=group)
    except client.exceptions.ResourceAlreadyExistsException:
        pass
    try:
        client.create_log_stream(logGroupName=group, logStreamName=stream)
    except client.exceptions.ResourceAlreadyExistsException:
        pass
    batch, size = [], 0
    for event in sorted(events, key=lambda e: e["timestamp"]):
        event_size = len(event["message"].encode()) + 26
        if batch and (len(batch) == 10_000 or size + event_size > 1_000_000):
            client.put_log_events(logGroupName=group, logStreamName=stream, logEvents=batch)
            batch, size = [], 0
        batch.append({"timestamp": event["timestamp"], "message": event["message"]})
        size += event_size
    if batch:
        client.put_log_events(logGroupName=group, logStreamName=stream, logEvents=batch)


def make_lex_record(ms: int, session_id: str, request_id: str, transcript: str = "hello",
                    intent: str = "MakeAppointment", bot_id: str = "BOTAAAAAAA", locale: str = "en_US",
                    missed: bool = False) -> dict:
    """A fulfilled (or missed) Lex V2 turn at ``ms``, built by tests/lex_records.record."""
    return record(session_id, at_ms=ms, request=request_id, text=transcript,
                  intent="FallbackIntent" if missed else intent, state="Fulfilled", action="Close",
                  missed=missed, conv=session_id, confidence=0.91, bot_id=bot_id, bot_name="TestBot",
                  locale=locale)


def lex_event(ms: int, session_id: str, turn: int, **fields) -> dict:
    """A CloudWatch event (timestamp + message) holding one Lex record."""
    request_id = f"{session_id}-t{turn}"
    return {"timestamp": ms, "message": json.dumps(make_lex_record(ms, session_id, request_id, **fields))}


# ---- a shared, realistic log group ------------------------------------------------------

HOUR_MS = 3_600_000


class LexGroup:
    """A log group on the moto server and the ground truth of what was put into it."""

    def __init__(self, name: str, now: int, events: list[dict], streams: list[str]):
        self.name, self.now, self.events, self.streams = name, now, events, streams

    def in_window(self, since: int, until: int, bot_id: str | None = None, locale: str | None = None):
        """Ground truth: (timestamp, message) of the events in ``[since, until)``, sorted."""
        chosen = [e for e in self.events if since <= e["timestamp"] < until
                  and (bot_id is None or e.get("bot_id") == bot_id)
                  and (locale is None or e.get("locale") == locale)]
        return sorted((e["timestamp"], e["message"]) for e in chosen)


def build_lex_group(client, name: str, now: int, sessions: int = 2_400, turns: int = 5,
                    non_lex: int = 150, seed: int = 11) -> LexGroup:
    """``sessions`` x ``turns`` Lex events over the 48 h before ``now - 1 h`` in 3 streams, plus noise.

    A session's turns are spread over the streams, so each stream alone is time-ordered
    but the group is out of order stream by stream; two bots and two locales.
    """
    import random

    rng = random.Random(seed)
    streams = [f"aws/lex/stream-{index}" for index in range(3)]
    per_stream: dict[str, list[dict]] = {stream: [] for stream in streams}
    events = []
    first, last = now - 49 * HOUR_MS, now - 1 * HOUR_MS - turns * 60_000
    for number in range(sessions):
        start = rng.randrange(first, last)
        bot_id, locale = rng.choice(["BOTAAAAAAA", "BOTBBBBBBB"]), rng.choice(["en_US", "de_DE"])
        for turn in range(turns):
            ms = start + turn * 45_000 + rng.randrange(0, 5_000)
            event = lex_event(ms, f"sess-{number}", turn, bot_id=bot_id, locale=locale,
                              missed=rng.random() < 0.1)
            event.update(bot_id=bot_id, locale=locale)
            per_stream[streams[(number + turn) % 3]].append(event)
            events.append(event)
    noise = ["START RequestId: 1f2e Version: $LATEST", "not json {", '{"level": "INFO", "msg": "warm-up"}']
    for number in range(non_lex):
        event = {"timestamp": rng.randrange(first, last), "message": noise[number % 3]}
        per_stream[streams[number % 3]].append(event)
        events.append(event)
    for stream in reversed(streams):
        put_events(client, name, stream, per_stream[stream])
    return LexGroup(name, now, events, streams)


@pytest.fixture(scope="session")
def lex_group(moto_server) -> LexGroup:
    """12,000 Lex events + 150 non-Lex lines in 3 streams, created once per session."""
    import boto3

    client = boto3.client("logs", endpoint_url=moto_server, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    now = int(time.time() * 1000)
    return build_lex_group(client, unique_group("/aws/lex/shared"), now)
