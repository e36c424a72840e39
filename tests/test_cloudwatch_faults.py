"""Faults: a pull killed with SIGKILL then rerun, throttled slices, denied access."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.register_assert_rewrite("moto_server")  # before the import below: keeps its asserts rewritten

from botocore.stub import Stubber  # noqa: E402

import lexlens.analytics.sources.cloudwatch as cloudwatch  # noqa: E402
from lexlens.analytics.sources.cloudwatch import pull  # noqa: E402
from lexlens.analytics.cli import main  # noqa: E402
from lexlens.analytics.errors import LexlensError  # noqa: E402
from lexlens.analytics.sources.cloudwatch import cache as cwcache  # noqa: E402
from lexlens.analytics.timewindow import format_ms, now_ms, plan_slices  # noqa: E402
from moto_server import HOUR_MS, aws_environment, iso_ms  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def cached_slices(cache: Path) -> int:
    return len([path for path in cache.glob("v1/*/*-*.json")])


def start_fetch(moto_server, group, since, until, cache, out=None):
    command = [sys.executable, "-m", "lexlens", "fetch", "--log-group", group, "--since", iso_ms(since),
               "--until", iso_ms(until), "--cache-dir", str(cache), "--slice-hours", "1", "--workers", "2"]
    command += ["--out", str(out)] if out else []
    return subprocess.Popen(command, cwd=ROOT, env=aws_environment(moto_server),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def kill_when(process, ready, timeout=60.0) -> bool:
    """SIGKILL ``process`` as soon as ``ready()``; False if it finished first."""
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        if ready():
            process.send_signal(signal.SIGKILL)
            process.wait()
            return True
        time.sleep(0.002)
    process.wait()
    return False


def test_pull_killed_at_several_moments_then_rerun_counts_every_event_once(moto_server, lex_group, tmp_path):
    since, until = lex_group.now - 49 * HOUR_MS, lex_group.now - 2 * HOUR_MS   # every slice complete
    total = len(plan_slices(since, until, HOUR_MS))
    cache = tmp_path / "cache"
    moments = [
        lambda: cached_slices(cache) >= 1,                               # right after the first slice
        lambda: any(cache.glob("v1/*/.*.tmp")),                         # while a file is being written
        lambda: cached_slices(cache) >= total // 2,                      # half-way
    ]
    killed = 0
    for ready in moments:
        killed += kill_when(start_fetch(moto_server, lex_group.name, since, until, cache), ready)
    assert killed >= 2, "the pull finished before it could be killed"
    assert 0 < cached_slices(cache) < total
    out = tmp_path / "out.jsonl"
    final = start_fetch(moto_server, lex_group.name, since, until, cache, out)
    _, err = final.communicate(timeout=120)
    assert final.returncode == 0, err.decode()
    fetched = int(err.decode().split(" fetched")[0].rsplit("(", 1)[1])
    assert 0 < fetched < total                       # the rerun only fetched what was missing
    events = [json.loads(line) for line in out.read_bytes().splitlines()]
    assert len({event["eventId"] for event in events}) == len(events)          # no duplicates
    assert sorted((e["timestamp"], e["message"]) for e in events) == lex_group.in_window(since, until)  # no loss


GROUP = "/aws/lex/stubbed"


@pytest.fixture
def stubbed(aws_env):
    client = cloudwatch.make_logs_client(region="us-east-1", endpoint_url="http://127.0.0.1:9")
    with Stubber(client) as stubber:
        yield client, stubber


def grid_window(slices=3):
    start = now_ms() - 3 * 24 * HOUR_MS
    start -= start % (6 * HOUR_MS)
    return start, start + slices * 6 * HOUR_MS


def expect_describe(stubber, account="111122223333"):
    arn = f"arn:aws:logs:us-east-1:{account}:log-group:{GROUP}:*"
    stubber.add_response("describe_log_groups", {"logGroups": [{"logGroupName": GROUP, "arn": arn}]},
                         {"logGroupNamePrefix": GROUP})


def expect_slice(stubber, start, error=None):
    params = {"logGroupName": GROUP, "startTime": start, "endTime": start + 6 * HOUR_MS - 1, "limit": 10_000}
    if error:
        stubber.add_client_error("filter_log_events", error, http_status_code=400, expected_params=params)
        return
    message = json.dumps({"bot": {"id": "A", "localeId": "en_US"}, "sessionId": str(start)})
    events = [{"timestamp": start + 5, "message": message, "logStreamName": "s", "ingestionTime": start + 6,
               "eventId": f"e{start}"}]
    stubber.add_response("filter_log_events", {"events": events, "searchedLogStreams": []}, params)


def test_throttled_slice_is_retried_then_named_and_the_others_kept(stubbed, tmp_path):
    client, stubber = stubbed
    since, until = grid_window()
    (s1, _), (s2, e2), (s3, _) = plan_slices(since, until, 6 * HOUR_MS)
    expect_describe(stubber)
    expect_slice(stubber, s1)
    expect_slice(stubber, s2, "ThrottlingException")     # first try
    expect_slice(stubber, s2, "ThrottlingException")     # the retry
    expect_slice(stubber, s3)
    result = cloudwatch.pull_log_groups(client, [GROUP], since, until, tmp_path, max_workers=1,
                                        slice_attempts=2, retry_delay=0)
    stubber.assert_no_pending_responses()
    assert [str(failure) for failure in result.failed_slices] == [
        f"slice {format_ms(s2)}–{format_ms(e2)} of {GROUP} failed: ThrottlingException"]
    assert result.slices_fetched == 2 and len(result.files) == 2
    # A rerun fetches only the failed slice; a single throttle is absorbed by the retry.
    expect_describe(stubber)
    expect_slice(stubber, s2, "ThrottlingException")
    expect_slice(stubber, s2)
    again = cloudwatch.pull_log_groups(client, [GROUP], since, until, tmp_path, max_workers=1,
                                       slice_attempts=2, retry_delay=0)
    stubber.assert_no_pending_responses()
    assert again.ok and again.slices_cached == 2 and again.slices_fetched == 1
    out = tmp_path / "out.jsonl"
    assert cloudwatch.write_pull(again, out) == 3


def test_fetch_command_exits_1_naming_the_failed_slice(stubbed, monkeypatch, capsys, tmp_path):
    client, stubber = stubbed
    since, until = grid_window(slices=2)
    (s1, _), (s2, e2) = plan_slices(since, until, 6 * HOUR_MS)
    expect_describe(stubber)
    expect_slice(stubber, s1, "ServiceUnavailableException")
    for _ in range(cloudwatch.SLICE_ATTEMPTS - 1):
        expect_slice(stubber, s1, "ServiceUnavailableException")
    expect_slice(stubber, s2)
    monkeypatch.setattr(cloudwatch, "make_logs_client", lambda *args, **kwargs: client)
    monkeypatch.setattr(pull.time, "sleep", lambda seconds: None)
    out = tmp_path / "out.jsonl"
    code = main(["fetch", "--log-group", GROUP, "--since", iso_ms(since), "--until", iso_ms(until),
                 "--workers", "1", "--cache-dir", str(tmp_path), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1 and not out.exists()
    assert f"slice {format_ms(s1)}–{format_ms(s1 + 6 * HOUR_MS)} of {GROUP} failed: ServiceUnavailableException" in err
    folder = next(tmp_path.glob("v1/*"))
    assert cwcache.read_manifest(folder, s2, e2) is not None and cwcache.read_manifest(folder, s1, s2) is None


def test_access_denied_stops_at_once_with_one_sentence(stubbed, tmp_path):
    client, stubber = stubbed
    since, until = grid_window(slices=1)
    stubber.add_client_error("describe_log_groups", "AccessDeniedException", http_status_code=400)
    expect_slice(stubber, since, "AccessDeniedException")
    with pytest.raises(LexlensError) as caught:
        cloudwatch.pull_log_groups(client, [GROUP], since, until, tmp_path, retry_delay=0)
    assert caught.value.exit_code == 2
    assert str(caught.value) == (f"Access denied to log group '{GROUP}' in region us-east-1 "
                                 "(AccessDeniedException): the role needs logs:FilterLogEvents and "
                                 "logs:DescribeLogGroups.")
    stubber.assert_no_pending_responses()    # denied is fatal: no retries
