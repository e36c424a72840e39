"""Pulling from a real moto server over HTTP: windows, pagination, cache reuse, errors."""
from __future__ import annotations

import gzip
import json
import time

import pytest

pytest.register_assert_rewrite("moto_server")  # before the import below: keeps its asserts rewritten

from lexlens.analytics.cli import main
from lexlens.analytics.ingest.loading import load_logs
from lexlens.analytics.sources.cloudwatch import list_log_groups, make_logs_client, pull_log_groups, write_pull
from lexlens.analytics.sources.cloudwatch.pull import OPEN_GRACE_MS, PAGE_LIMIT
from lexlens.analytics.timewindow import plan_slices
from moto_server import HOUR_MS, free_port, iso_ms, lex_event, put_events, unique_group



def read_events(path):
    raw = path.read_bytes()
    text = gzip.decompress(raw) if path.name.endswith(".gz") else raw
    return [json.loads(line) for line in text.splitlines()]


def count_calls(client, operation="FilterLogEvents"):
    """Record the parameters of every ``operation`` request the client sends."""
    calls = []
    client.meta.events.register(f"provide-client-params.logs.{operation}",
                                lambda params, **_: calls.append(dict(params)))
    return calls


def test_single_slice_paginates_and_matches_ground_truth(aws_env, lex_group, tmp_path):
    client = make_logs_client()
    calls = count_calls(client)
    since, until = lex_group.now - 50 * HOUR_MS, lex_group.now
    hours = next(h for h in (720, 1000, 1440, 2000) if len(plan_slices(since, until, h * HOUR_MS)) == 1)
    result = pull_log_groups(client, [lex_group.name], since, until, tmp_path, slice_hours=hours, max_workers=1)
    truth = lex_group.in_window(since, until)
    assert len(truth) > PAGE_LIMIT
    assert len(calls) >= 2 and "nextToken" in calls[-1]        # more than one page of one slice
    out = tmp_path / "out.jsonl"
    assert write_pull(result, out) == len(truth) and result.ok
    events = read_events(out)
    # Streams were put out of order; the output is one time-ordered list with unique ids.
    assert [(e["timestamp"], e["message"]) for e in events] == truth
    assert len({e["eventId"] for e in events}) == len(events)
    assert {e["logStreamName"] for e in events} == set(lex_group.streams)


def test_concurrent_slices_give_the_same_file_as_one_slice(aws_env, lex_group, tmp_path):
    since, until = lex_group.now - 50 * HOUR_MS, lex_group.now - 2 * HOUR_MS
    outputs = []
    for hours, workers in ((72, 1), (1, 6)):
        cache = tmp_path / f"cache-{hours}"
        result = pull_log_groups(make_logs_client(), [lex_group.name], since, until, cache,
                                 slice_hours=hours, max_workers=workers)
        assert result.ok and result.slices_fetched == len(plan_slices(since, until, hours * HOUR_MS))
        outputs.append(tmp_path / f"out-{hours}.jsonl")
        write_pull(result, outputs[-1])
    assert outputs[0].read_bytes() == outputs[1].read_bytes()
    assert len(outputs[0].read_bytes().splitlines()) == len(lex_group.in_window(since, until))


def test_window_that_cuts_sessions_keeps_exactly_the_events_inside(aws_env, lex_group, tmp_path):
    # Boundaries off the slice grid, inside sessions: edge slices are clipped to the window.
    since, until = lex_group.now - 30 * HOUR_MS + 1234, lex_group.now - 10 * HOUR_MS - 777
    in_window = {e["message"] for e in lex_group.events if since <= e["timestamp"] < until}
    cut = {json.loads(e["message"])["sessionId"] for e in lex_group.events
           if e.get("bot_id") and (e["timestamp"] < since or e["timestamp"] >= until)}
    assert any(json.loads(message)["sessionId"] in cut for message in in_window if message.startswith("{\"t"))
    out = tmp_path / "window.jsonl.gz"
    assert main(["pull", "--log-group", lex_group.name, "--since", iso_ms(since), "--until", iso_ms(until),
                 "--cache-dir", str(tmp_path / "c"), "--slice-hours", "4", "--out", str(out)]) == 0
    events = read_events(out)
    assert sorted((e["timestamp"], e["message"]) for e in events) == lex_group.in_window(since, until)
    # The file source reads the file back: one turn per Lex event, the noise rejected.
    data = load_logs([out])
    lex = [e for e in lex_group.in_window(since, until) if '"messageVersion"' in e[1]]
    assert len(data.turns) == len(lex)
    assert data.report.rejected == len(events) - len(lex)


def test_overlapping_window_fetches_only_missing_slices_and_refetches_now(aws_env, lex_group, tmp_path):
    now = lex_group.now
    client = make_logs_client()
    calls = count_calls(client)
    first = pull_log_groups(client, [lex_group.name], now - 30 * HOUR_MS, now - 12 * HOUR_MS, tmp_path)
    fetched_first = {call["startTime"] for call in calls}
    assert first.slices_fetched == len(fetched_first) and first.slices_cached == 0
    calls.clear()
    second = pull_log_groups(client, [lex_group.name], now - 36 * HOUR_MS, None, tmp_path)
    refetched = {call["startTime"] for call in calls}
    grid = plan_slices(now - 36 * HOUR_MS, second.until, 6 * HOUR_MS)
    assert refetched == {start for start, _ in grid} - fetched_first
    assert second.slices_cached == len(fetched_first)
    calls.clear()
    third = pull_log_groups(client, [lex_group.name], now - 36 * HOUR_MS, None, tmp_path)
    refetched = {call["startTime"] for call in calls}
    # Only the slice(s) reaching "now" come again; everything older is served from the cache.
    open_slices = {start for start, end in grid if end > third.until - OPEN_GRACE_MS - 60_000}
    assert grid[-1][0] in refetched and refetched <= open_slices
    assert third.events == second.events
    out = tmp_path / "all.jsonl"
    write_pull(third, out)
    assert len(read_events(out)) == len(lex_group.in_window(third.since, third.until))


def test_bot_and_locale_filters_are_pushed_down_and_applied(aws_env, lex_group, tmp_path):
    client = make_logs_client()
    calls = count_calls(client)
    since, until = lex_group.now - 50 * HOUR_MS, lex_group.now
    result = pull_log_groups(client, [lex_group.name], since, until, tmp_path,
                             bot_ids=["BOTBBBBBBB"], locales=["de_DE"])
    # a bot may be named by id or name (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/
    # FilterAndPatternSyntax.html: || inside a JSON metric filter)
    assert {call["filterPattern"] for call in calls} == {
        '{ ($.bot.id = "BOTBBBBBBB" || $.bot.name = "BOTBBBBBBB") && ($.bot.localeId = "de_DE") }'}
    out = tmp_path / "bot.jsonl"
    write_pull(result, out)
    # moto ignores JSON patterns; the local filter gives CloudWatch's answer anyway.
    expected = lex_group.in_window(since, until, bot_id="BOTBBBBBBB", locale="de_DE")
    assert 0 < len(expected) < len(lex_group.in_window(since, until)) / 3
    assert [(e["timestamp"], e["message"]) for e in read_events(out)] == expected
    # Filtered and unfiltered pulls never share cached slices.
    unfiltered = pull_log_groups(client, [lex_group.name], since, until, tmp_path)
    assert unfiltered.slices_cached == 0


def test_several_groups_merge_into_one_time_ordered_file(aws_env, logs_client, tmp_path):
    now = int(time.time() * 1000)
    names = [unique_group(), unique_group()]
    for offset, name in enumerate(names):
        put_events(logs_client, name, "s", [lex_event(now - HOUR_MS * 3 + i * 2000 + offset * 1000,
                                                      f"{name}-{i}", 0) for i in range(50)])
    out = tmp_path / "two.jsonl"
    assert main(["pull", "--log-group", names[0], "--log-group", names[1], "--log-group", names[0],
                 "--since", "5h", "--cache-dir", str(tmp_path), "--out", str(out)]) == 0
    stamps = [e["timestamp"] for e in read_events(out)]
    assert len(stamps) == 100 and stamps == sorted(stamps)


def test_empty_group_and_empty_window(aws_env, logs_client, tmp_path):
    name = unique_group()
    logs_client.create_log_group(logGroupName=name)
    out = tmp_path / "empty.jsonl.gz"
    assert main(["pull", "--log-group", name, "--since", "2h", "--cache-dir", str(tmp_path),
                 "--out", str(out)]) == 0
    assert read_events(out) == []
    assert main(["pull", "--log-group", name, "--since", "1h", "--until", "2h",
                 "--cache-dir", str(tmp_path)]) == 2


def test_list_log_groups_by_prefix(aws_env, logs_client):
    prefix = unique_group("/aws/lex/list")
    for suffix in ("b", "a", "c"):
        logs_client.create_log_group(logGroupName=f"{prefix}/{suffix}")
    assert list_log_groups(make_logs_client(), prefix) == [f"{prefix}/a", f"{prefix}/b", f"{prefix}/c"]
    assert list_log_groups(make_logs_client(), prefix + "/zzz") == []


def one_sentence(capsys):
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("lexlens: ") and err.endswith(".")
    assert "testing" not in err  # the fake secret never shows
    return err


def test_unknown_log_group_exits_2_with_one_sentence(aws_env, capsys, tmp_path):
    code = main(["pull", "--log-group", "/aws/lex/does-not-exist", "--since", "1d", "--cache-dir", str(tmp_path)])
    assert code == 2
    assert "log group '/aws/lex/does-not-exist' does not exist in region us-east-1" in one_sentence(capsys)


def test_unreachable_endpoint_exits_2(aws_env, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    dead = f"http://127.0.0.1:{free_port()}"
    code = main(["pull", "--log-group", "/aws/lex/x", "--endpoint-url", dead, "--cache-dir", str(tmp_path)])
    assert code == 2
    assert f"Cannot reach the CloudWatch Logs endpoint {dead}" in one_sentence(capsys)


def test_endpoint_option_overrides_the_environment(aws_env, monkeypatch, lex_group, tmp_path):
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", f"http://127.0.0.1:{free_port()}")
    assert main(["pull", "--log-group", lex_group.name, "--since", "3h", "--endpoint-url", aws_env,
                 "--cache-dir", str(tmp_path)]) == 0


def test_missing_credentials_and_unknown_profile_exit_2(aws_env, capsys, monkeypatch, tmp_path):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key)
    assert main(["pull", "--log-group", "/aws/lex/x", "--cache-dir", str(tmp_path)]) == 2
    assert "No AWS credentials were found" in one_sentence(capsys)
    assert main(["pull", "--log-group", "/aws/lex/x", "--profile", "nobody", "--cache-dir", str(tmp_path)]) == 2
    assert "The AWS profile 'nobody' is not in your AWS config" in one_sentence(capsys)
