"""``lexlens publish`` against moto's CloudWatch over HTTP: what CloudWatch holds afterwards equals
the local counts, a second run sends nothing, and runs killed with SIGKILL at any moment end with
every value in CloudWatch exactly once."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytest.register_assert_rewrite("moto_server")  # before the import below: keeps its asserts rewritten

from lex_records import T0, record  # noqa: E402
from moto_server import FAKE_ENV, UNSET_ENV, free_port  # noqa: E402

pytest_plugins = ["moto_server"]

ROOT = Path(__file__).resolve().parents[1]
ENDPOINTS = ("AWS_ENDPOINT_URL_CLOUDWATCH", "AWS_ENDPOINT_URL_STS")
OWN_METRICS = ("Sessions", "Conversations", "ConversationsFailed", "ConversationsDropped")


def live_records(now: datetime, bots: list[str], sessions: int, seed: int, minutes_back=(150, 12)) -> list[dict]:
    """Sessions of 1 to 4 turns between ``minutes_back`` minutes ago; each bot has its own alias names."""
    rng = random.Random(seed)
    records = []
    earliest, latest = (now - timedelta(minutes=m) for m in minutes_back)
    for number in range(sessions):
        bot = rng.choice(bots)
        start = earliest + (latest - earliest) * rng.random()
        alias, version = rng.choice([(f"prod-{bot}", "3"), (f"beta-{bot}", "DRAFT")])
        for turn in range(rng.randint(1, 4)):
            when = start + timedelta(seconds=40 * turn)
            kind = rng.random()
            fields = ({"missed": True} if kind < 0.15 else {"text": ""} if kind < 0.2 else
                      {"intent": rng.choice(["CheckBalance", "Transfer"]), "state": "Fulfilled", "action": "Close"}
                      if kind < 0.6 else {"intent": "Transfer", "action": "ElicitSlot", "slot": "Amount"})
            rec = record(f"{bot}-s{number}", (when - T0).total_seconds(), alias=alias, version=version, **fields)
            rec["bot"]["id"] = bot
            records.append(rec)
    return records


def local_counts(records: list[dict]) -> Counter:
    """What CloudWatch must hold, counted from the records themselves:
    {(bot, metric, dimensions): value} for CountMessages, MissedUtterance (whole and per
    alias, version and intent) and Sessions."""
    counts: Counter = Counter()
    sessions = set()
    for rec in records:
        bot = rec["bot"]["id"]
        intent = (rec["sessionState"].get("intent") or {}).get("name") or (
            rec["interpretations"][0]["intent"]["name"] if rec["interpretations"] else "") or "(none)"
        dims = (("BotAliasName", rec["bot"]["aliasName"]), ("BotVersion", rec["bot"]["version"]), ("Intent", intent))
        for metric, counted in (("CountMessages", rec["inputTranscript"] != ""), ("MissedUtterance", rec["missedUtterance"])):
            if counted:
                counts[(bot, metric, ())] += 1
                counts[(bot, metric, dims)] += 1
        sessions.add((bot, rec["sessionId"]))
    for bot, _ in sessions:
        counts[(bot, "Sessions", ())] += 1
    return counts


def report_outcomes(path: Path, bot: str) -> dict:
    """Conversations and their outcomes as ``lexlens report`` counts them for one bot."""
    result = subprocess.run([sys.executable, "-m", "lexlens", "report", str(path), "--json", "--bot-id", bot],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    values = json.loads(result.stdout)
    return {"Conversations": values["conversations"], "ConversationsFailed": values["conversation_outcomes"]["Failed"],
            "ConversationsDropped": values["conversation_outcomes"]["Dropped"]}


@pytest.fixture
def cw_env(moto_server, monkeypatch):
    """Fake credentials; CloudWatch and STS at the moto server; the environment for child processes."""
    for key in UNSET_ENV:
        monkeypatch.delenv(key, raising=False)
    env = {**FAKE_ENV, **{name: moto_server for name in ENDPOINTS}}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return {**{k: v for k, v in os.environ.items() if k not in UNSET_ENV}, **env}


@pytest.fixture
def bots():
    """Bot ids of this test alone (moto's server is shared by the session)."""
    tag = uuid.uuid4().hex[:6].upper()
    return [f"BOT{tag}A", f"BOT{tag}B"]


def cloudwatch(endpoint: str | None = None):
    import boto3

    return boto3.client("cloudwatch", **({"endpoint_url": endpoint} if endpoint else {}))


def read_sum(client, bot: str, metric: str, dimensions=()) -> float:
    """Sum of a metric over the last day, read back with GetMetricData (one bin)."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    result = client.get_metric_data(
        MetricDataQueries=[{"Id": "q", "MetricStat": {"Metric": {
            "Namespace": f"Lex/Activity/{bot}/en_US", "MetricName": metric,
            "Dimensions": [{"Name": n, "Value": v} for n, v in dimensions]}, "Period": 90_000, "Stat": "Sum"}}],
        StartTime=now - timedelta(days=1), EndTime=now + timedelta(hours=1))["MetricDataResults"][0]
    return sum(result["Values"])


def read_back(client, bots: list[str], expected: Counter) -> Counter:
    """Every value of ``expected``'s keys as CloudWatch holds it. moto's server matches a query
    without dimensions against every dimension set of the metric (CloudWatch matches only the
    metric without dimensions), so the whole-bot value is that sum minus the per-dimension ones."""
    got: Counter = Counter()
    for bot, metric, dims in expected:
        if dims:
            got[(bot, metric, dims)] = read_sum(client, bot, metric, dims)
    for bot, metric, dims in expected:
        if not dims:
            split = sum(v for (b, m, d), v in got.items() if b == bot and m == metric and d)
            got[(bot, metric, ())] = read_sum(client, bot, metric) - split
    return got


def expected_values(path: Path, records: list[dict], bots: list[str]) -> Counter:
    expected = local_counts(records)
    for bot in bots:
        for metric, value in report_outcomes(path, bot).items():
            expected[(bot, metric, ())] = value
    return expected


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def write_logs(tmp_path: Path, records: list[dict]) -> Path:
    path = tmp_path / "logs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def publish(env: dict, *args, endpoint: str | None = None, wait=True):
    environment = dict(env)
    if endpoint:
        environment.update({name: endpoint for name in ENDPOINTS})
    command = [sys.executable, "-m", "lexlens", "publish", *map(str, args)]
    if not wait:
        return subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
    return subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300)


def test_publish_sends_the_local_counts_once(cw_env, bots, tmp_path):
    now = datetime.now(timezone.utc)
    records = live_records(now, bots, sessions=400, seed=3)
    logs, ledger = write_logs(tmp_path, records), tmp_path / "ledger.jsonl"
    client = cloudwatch()

    dry = publish(cw_env, logs, "--period", "60", "--ledger", ledger, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would send" in dry.stdout and f"Lex/Activity/{bots[0]}/en_US  CountMessages" in dry.stdout
    assert client.list_metrics(Namespace=f"Lex/Activity/{bots[0]}/en_US")["Metrics"] == []  # a dry run sends nothing

    first = publish(cw_env, logs, "--period", "60", "--ledger", ledger, "--until", iso(now))
    assert first.returncode == 0, first.stderr
    assert "sent " in first.stdout and "PutMetricData call" in first.stdout
    expected = expected_values(logs, records, bots)
    assert read_back(client, bots, expected) == expected

    names = {(m["MetricName"], tuple(sorted(d["Name"] for d in m["Dimensions"])))
             for m in client.list_metrics(Namespace=f"Lex/Activity/{bots[0]}/en_US")["Metrics"]}
    assert names == {("CountMessages", ()), ("MissedUtterance", ()), *((m, ()) for m in OWN_METRICS),
                     ("CountMessages", ("BotAliasName", "BotVersion", "Intent")),
                     ("MissedUtterance", ("BotAliasName", "BotVersion", "Intent"))}

    again = publish(cw_env, logs, "--period", "60", "--ledger", ledger)
    assert again.returncode == 0 and "nothing to send" in again.stdout and "already sent before" in again.stdout
    assert read_back(client, bots, expected) == expected
    refused = publish(cw_env, logs, "--period", "300", "--ledger", ledger)
    assert refused.returncode == 2 and "was published with --period 60" in refused.stderr


def test_periods_older_than_two_weeks_are_skipped(cw_env, bots, tmp_path):
    now = datetime.now(timezone.utc)
    records = live_records(now, bots, sessions=20, seed=4, minutes_back=(20 * 1440, 19 * 1440))
    result = publish(cw_env, write_logs(tmp_path, records), "--period", "3600", "--ledger", tmp_path / "l.jsonl")
    assert result.returncode == 0, result.stderr
    assert "older than two weeks skipped" in result.stdout and "nothing to send" in result.stdout
    assert cloudwatch().list_metrics(Namespace=f"Lex/Activity/{bots[0]}/en_US")["Metrics"] == []


def test_create_alarms(cw_env, bots, tmp_path):
    records = live_records(datetime.now(timezone.utc), bots, sessions=30, seed=5)
    args = [write_logs(tmp_path, records), "--ledger", tmp_path / "l.jsonl", "--create-alarms",
            "--alarm-action", "arn:aws:sns:us-east-1:123456789012:lex-alerts"]
    for _ in range(2):  # PutMetricAlarm replaces an alarm of the same name
        result = publish(cw_env, *args)
        assert result.returncode == 0, result.stderr
    alarms = {a["AlarmName"]: a for a in cloudwatch().describe_alarms(AlarmNamePrefix=f"lexlens Lex/Activity/{bots[0]}")
              ["MetricAlarms"]}
    namespace = f"Lex/Activity/{bots[0]}/en_US"
    assert set(alarms) == {f"lexlens {namespace} {name}" for name in
                           ("missed-utterance rate", "traffic drop", "traffic anomaly")}
    rate = alarms[f"lexlens {namespace} missed-utterance rate"]
    assert [m.get("Expression") for m in rate["Metrics"]] == [None, None, "100 * missed / messages"]
    assert alarms[f"lexlens {namespace} traffic drop"]["TreatMissingData"] == "breaching"
    anomaly = alarms[f"lexlens {namespace} traffic anomaly"]
    assert anomaly["ThresholdMetricId"] == "ad1" and anomaly["AlarmActions"] == ["arn:aws:sns:us-east-1:123456789012:lex-alerts"]


# --- SIGKILL ------------------------------------------------------------------------------------

class KillingProxy:
    """An HTTP proxy to moto that SIGKILLs the publisher at the n-th PutMetricData call: ``before``
    it reaches CloudWatch, or ``after`` CloudWatch accepted it but before the answer comes back."""

    def __init__(self, upstream: str, nth: int, when: str):
        self.upstream, self.nth, self.when, self.seen, self.victim = upstream, nth, when, 0, None
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if "PutMetricData" in (self.headers.get("X-Amz-Target") or ""):
                    proxy.seen += 1
                    if proxy.seen == proxy.nth and proxy.when == "before":
                        proxy.kill()
                        return
                request = urllib.request.Request(proxy.upstream + self.path, data=body, method="POST",
                                                 headers={k: v for k, v in self.headers.items() if k.lower() != "host"})
                try:
                    with urllib.request.urlopen(request, timeout=60) as response:
                        status, headers, answer = response.status, response.headers, response.read()
                except urllib.error.HTTPError as error:
                    status, headers, answer = error.code, error.headers, error.read()
                if proxy.seen == proxy.nth and proxy.when == "after" and "PutMetricData" in (
                        self.headers.get("X-Amz-Target") or ""):
                    proxy.kill()
                    return
                self.send_response(status)
                for key, value in headers.items():
                    if key.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def kill(self):
        os.kill(self.victim.pid, signal.SIGKILL)
        self.victim.wait(timeout=30)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def kill_data(cw_env, bots, tmp_path):
    """Four namespaces of recent traffic (published in about ten PutMetricData calls)."""
    bots = bots + [bots[0][:-1] + "C", bots[0][:-1] + "D"]
    now = datetime.now(timezone.utc)
    records = live_records(now, bots, sessions=600, seed=9)
    logs = write_logs(tmp_path, records)
    return [logs, "--period", "60", "--until", iso(now)], records, bots, expected_values(logs, records, bots)


def calls_in(stdout: str) -> int:
    return int(stdout.split(" PutMetricData call")[0].rsplit(" in ", 1)[1].replace(",", ""))


@pytest.mark.parametrize("nth,when", [(1, "before"), (1, "after"), (4, "before"), (4, "after")])
def test_killed_at_a_call_then_run_again_sends_each_value_once(cw_env, moto_server, kill_data, tmp_path, nth, when):
    args, records, bots, expected = kill_data
    ledger = tmp_path / "ledger.jsonl"
    proxy = KillingProxy(moto_server, nth, when)
    try:  # both runs through the proxy: the ledger keeps each endpoint's record apart
        proxy.victim = publish(cw_env, *args, "--ledger", ledger, endpoint=proxy.url, wait=False)
        proxy.victim.wait(timeout=300)
        assert proxy.victim.returncode == -signal.SIGKILL
        proxy.nth = 0
        rerun = publish(cw_env, *args, "--ledger", ledger, endpoint=proxy.url)
        assert rerun.returncode == 0, rerun.stderr
        assert "nothing to send" in publish(cw_env, *args, "--ledger", ledger, endpoint=proxy.url).stdout
    finally:
        proxy.close()
    if when == "after":  # CloudWatch had taken the call: the read-back finds it and it is not sent again
        assert "1 found in CloudWatch, 0 not" in rerun.stdout
    else:
        assert "0 found in CloudWatch, 1 not (sent again below)" in rerun.stdout
    assert read_back(cloudwatch(), bots, expected) == expected


def test_killed_at_random_moments_ends_with_each_value_once(cw_env, kill_data, tmp_path):
    args, records, bots, expected = kill_data
    ledger, rng, kills = tmp_path / "ledger.jsonl", random.Random(14), 0
    while True:
        process = publish(cw_env, *args, "--ledger", ledger, wait=False)
        try:
            process.wait(timeout=rng.uniform(1.0, 2.0 + kills / 2))  # a run takes about 3 s
            break  # finished before its kill
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait()
            kills += 1
        assert kills < 40
    assert process.returncode == 0, process.stderr.read()
    assert read_back(cloudwatch(), bots, expected) == expected
    print(f"{kills} kills before a run completed")
