"""Pure parts of the CloudWatch source: time windows, filter patterns, the slice cache."""
from __future__ import annotations

import gzip
import io
import json
import os
from datetime import datetime, timezone

import pytest

from lexlens.analytics.errors import LexlensError
from lexlens.analytics.sources.cloudwatch import cache as cwcache
from lexlens.analytics.sources.cloudwatch import match_message, plan_filter_pattern
from lexlens.analytics.cli.cloudwatch_options import make_progress_bar
from lexlens.analytics.timewindow import format_ms, parse_time, parse_window, plan_slices
from lex_records import cloudwatch_event

NOW = int(datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc).timestamp() * 1000)
H = 3_600_000


@pytest.mark.parametrize("text, expected", [
    (None, None),
    ("", None),
    ("now", NOW),
    ("36h", NOW - 36 * H),
    ("7d", NOW - 7 * 24 * H),
    ("2w", NOW - 14 * 24 * H),
    ("30m", NOW - 30 * 60_000),
    ("1.5h", NOW - int(1.5 * H)),
    ("2026-11-20", NOW - 12 * H),                      # a date is midnight UTC
    ("2026-11-20T06:00Z", NOW - 6 * H),
    ("2026-11-20T06:00:00+02:00", NOW - 8 * H),        # offsets respected
    ("2026-11-20T06:00:00", NOW - 6 * H),              # naive means UTC
    (datetime(2026, 11, 20, 11, tzinfo=timezone.utc), NOW - H),
    (NOW - 5, NOW - 5),
])
def test_parse_time(text, expected):
    assert parse_time(text, now=NOW) == expected


@pytest.mark.parametrize("text", ["yesterday", "7x", "2026-13-01", "-3d"])
def test_parse_time_rejects_with_one_sentence(text):
    with pytest.raises(LexlensError, match="Cannot read the time"):
        parse_time(text, now=NOW)


def test_parse_window_defaults_and_empty():
    assert parse_window(None, None, now=NOW) == (NOW - 7 * 24 * H, NOW)
    with pytest.raises(LexlensError, match="empty"):
        parse_window("1h", "2h", now=NOW)


@pytest.mark.parametrize("since, until, size, expected", [
    (0, 0, 6 * H, []),                                             # empty window
    (NOW, NOW - 1, 6 * H, []),
    (NOW, NOW + 1, 6 * H, [(NOW, NOW + 6 * H)]),                   # aligned start
    (NOW - H, NOW + H, 6 * H, [(NOW - 6 * H, NOW), (NOW, NOW + 6 * H)]),  # straddles a boundary
    (NOW + H, NOW + 2 * H, 6 * H, [(NOW, NOW + 6 * H)]),           # inside one slice
    (NOW, NOW + 3 * H, H, [(NOW, NOW + H), (NOW + H, NOW + 2 * H), (NOW + 2 * H, NOW + 3 * H)]),
])
def test_plan_slices_follow_a_fixed_grid(since, until, size, expected):
    assert plan_slices(since, until, size) == expected


def test_format_ms():
    assert format_ms(NOW) == "2026-11-20T12:00Z"
    assert format_ms(NOW + 1500) == "2026-11-20T12:00:01Z"


@pytest.mark.parametrize("bots, locales, expected", [
    ((), (), ""),
    (("ABC",), (), '{ ($.bot.id = "ABC" || $.bot.name = "ABC") }'),  # a bot by id or by name
    (("ABC",), ("en_US",), '{ ($.bot.id = "ABC" || $.bot.name = "ABC") && ($.bot.localeId = "en_US") }'),
    (("B", "A"), ("en_US",), '{ ($.bot.id = "A" || $.bot.name = "A" || $.bot.id = "B" || $.bot.name = "B") '
                             '&& ($.bot.localeId = "en_US") }'),
    (('x" || 1=1',), ("en_US",), '{ ($.bot.localeId = "en_US") }'),
])
def test_plan_filter_pattern(bots, locales, expected):
    # A value needing escapes is not pushed down (the local filter still applies).
    assert plan_filter_pattern(bots, locales) == expected


BOT_A_EN = json.dumps({"bot": {"id": "A", "name": "Banker", "localeId": "en_US"}})


@pytest.mark.parametrize("message, bots, locales, expected", [
    (BOT_A_EN, (), (), True),
    ("not json", (), (), True),            # no filter: everything passes
    (BOT_A_EN, ("A",), (), True),
    (BOT_A_EN, ("B",), (), False),
    (BOT_A_EN, ("Banker",), ("en_US",), True),  # by name
    (BOT_A_EN, ("A",), ("de_DE",), False),
    (BOT_A_EN, ("A", "B"), ("en_US",), True),
    ("not json", ("A",), (), False),       # like CloudWatch: JSON patterns skip non-JSON lines
    ("[1, 2]", ("A",), (), False),
    ('{"bot": "A"}', ("A",), (), False),
])
def test_match_message(message, bots, locales, expected):
    assert match_message(message, bots, locales) is expected


def event(ms, eid, message="m", stream="s"):
    return cloudwatch_event(message, ms, event_id=eid, stream=stream)


def test_encode_event_lines_sorts_dedupes_and_keeps_slice_range():
    events = [event(15, "c"), event(10, "a"), event(15, "b"), event(10, "a"), event(20, "out"), event(9, "out2")]
    lines, size = cwcache.encode_event_lines(events, 10, 20)
    decoded = [json.loads(line) for line in lines]
    assert [(e["timestamp"], e["eventId"]) for e in decoded] == [(10, "a"), (15, "b"), (15, "c")]
    assert set(decoded[0]) == {"timestamp", "message", "logStreamName", "ingestionTime", "eventId"}
    assert size == sum(map(len, lines))
    assert cwcache.encode_event_lines([], 0, 10) == ([], 0)


def test_slice_is_cached_only_when_data_and_manifest_belong_together(tmp_path):
    lines, _ = cwcache.encode_event_lines([event(1, "a"), event(2, "b")], 0, 10)
    info = cwcache.write_slice(tmp_path, 0, 10, lines, complete=True, fetched_at=99)
    assert cwcache.read_manifest(tmp_path, 0, 10) == info and info["events"] == 2
    data, manifest = cwcache.slice_paths(tmp_path, 0, 10)
    # A run killed after renaming new data but before its manifest: the old manifest no
    # longer matches (size and CRC-32 differ), so the slice counts as missing and is fetched again.
    cwcache._write_atomic(data, gzip.compress(b""))
    assert cwcache.read_manifest(tmp_path, 0, 10) is None
    # Killed before any manifest: missing.
    cwcache.write_slice(tmp_path, 10, 20, lines[:1], complete=True, fetched_at=99)
    cwcache.slice_paths(tmp_path, 10, 20)[1].unlink()
    assert cwcache.read_manifest(tmp_path, 10, 20) is None
    # Manifest without data, or garbage manifest: missing.
    cwcache.write_slice(tmp_path, 20, 30, [], complete=True, fetched_at=99)
    cwcache.slice_paths(tmp_path, 20, 30)[0].unlink()
    assert cwcache.read_manifest(tmp_path, 20, 30) is None
    manifest.write_text("{not json")
    assert cwcache.read_manifest(tmp_path, 0, 10) is None


def test_stale_temporary_files_are_removed_but_young_ones_kept(tmp_path):
    old, young = tmp_path / ".0-10.jsonl.gz.1.ab.tmp", tmp_path / ".0-10.json.2.cd.tmp"
    old.write_bytes(b"x")
    young.write_bytes(b"y")
    os.utime(old, (0, 0))
    cwcache.remove_stale_temps(tmp_path)
    assert not old.exists() and young.exists()


def test_window_merges_groups_by_time_drops_repeats_and_clips(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    for folder, events in ((a, [event(1, "x"), event(5, "y")]), (b, [event(3, "z"), event(5, "y")])):
        cwcache.write_slice(folder, 0, 10, cwcache.encode_event_lines(events, 0, 10)[0], True, 0)
    cwcache.write_slice(a, 10, 20, cwcache.encode_event_lines([event(12, "w")], 10, 20)[0], True, 0)
    groups = [[cwcache.slice_paths(a, 0, 10)[0], cwcache.slice_paths(a, 10, 20)[0]],
              [cwcache.slice_paths(b, 0, 10)[0]]]
    ids = [json.loads(line)["eventId"] for line in cwcache.iter_window_events(groups, 2, 20)]
    assert ids == ["z", "y", "w"]      # x before the window; y once although in both groups
    out = tmp_path / "out.jsonl.gz"
    assert cwcache.write_window(groups, 0, 100, out) == 4
    assert len(gzip.decompress(out.read_bytes()).splitlines()) == 4
    assert cwcache.write_window([], 0, 100, tmp_path / "empty.jsonl") == 0
    assert (tmp_path / "empty.jsonl").read_bytes() == b""
    assert not list(tmp_path.glob(".*.tmp"))


def test_namespaces_separate_accounts_endpoints_and_filters(tmp_path):
    base = cwcache.Namespace("/aws/lex/x", "us-east-1", "https://logs.us-east-1.amazonaws.com", "111")
    variants = [base, cwcache.Namespace(*list(base.__dict__.values())[:3], "222"),
                cwcache.Namespace("/aws/lex/x", "eu-west-1", "https://logs.eu-west-1.amazonaws.com", "111"),
                cwcache.Namespace(*list(base.__dict__.values())[:4], '{ ($.bot.id = "A") }')]
    assert len({variant.folder(tmp_path) for variant in variants}) == len(variants)
    assert base.folder(tmp_path) == cwcache.Namespace(**base.__dict__).folder(tmp_path)


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_only_on_a_terminal():
    assert make_progress_bar(io.StringIO()) is None
    stream = FakeTTY()
    bar = make_progress_bar(stream)
    from lexlens.analytics.sources.cloudwatch import PullProgress

    bar(PullProgress(events=48210, bytes=71_300_000, slices_done=12, slices_total=12, slices_cached=2))
    bar.close()
    assert "12/12 slices (2 cached) · 48,210 events · 71.3 MB" in stream.getvalue()
