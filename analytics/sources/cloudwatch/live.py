"""Live refresh of a pulled window (issue 14): fetch only the events newer than the last pull
and merge them into a new window file, so the dashboard re-slices without pulling again.

The next fetch starts ``OPEN_GRACE_MS`` (10 minutes) before the previous pull's end: CloudWatch
Logs may ingest an event minutes after its time stamp, and an event fetched twice is kept once
(by eventId, as every window is written).
"""
from __future__ import annotations

import gzip
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence

import msgspec

from lexlens.analytics.sources.cloudwatch import cache as cwcache
from lexlens.analytics.sources.cloudwatch.pattern import match_message, plan_filter_pattern
from lexlens.analytics.sources.cloudwatch.pull import FUTURE_MS, OPEN_GRACE_MS, fetch_slice_events
from lexlens.analytics.timewindow import now_ms


@dataclass(frozen=True)
class LiveWindow:
    """A pulled window file and what a live refresh needs to extend it."""

    path: str
    since_ms: int
    until_ms: int
    events: int = 0
    newest_ms: int | None = None  # time stamp of the newest event
    newest_ingestion_ms: int | None = None  # when CloudWatch Logs received it
    fetched: int = 0  # events fetched by the last refresh


def describe_newest(path: Path) -> tuple[int, int | None, int | None]:
    """(events, newest time stamp, its ingestion time) of a window file (written in time order)."""
    count, newest = 0, None
    with gzip.open(path, "rb") as handle:
        for line in handle:
            if line.strip():
                count, newest = count + 1, line
    if newest is None:
        return 0, None, None
    event = msgspec.json.decode(newest)
    return count, int(event["timestamp"]), int(event.get("ingestionTime") or event["timestamp"])


def start_live(path: str, since_ms: int, until_ms: int) -> LiveWindow:
    """The live state of a window just pulled."""
    events, newest, ingested = describe_newest(Path(path))
    return LiveWindow(path, since_ms, until_ms, events, newest, ingested)


def pull_newer(client, groups: Sequence[str], window: LiveWindow, cache_dir: Path, *,
               bot_ids: Sequence[str] = (), locales: Sequence[str] = ()) -> LiveWindow:
    """Fetch ``[previous end - 10 minutes, now)`` of each group (FilterLogEvents) and write the
    window with them as a new file (the previous one is removed); the new LiveWindow."""
    start = max(window.since_ms, window.until_ms - OPEN_GRACE_MS)
    end = max(now_ms(), window.until_ms)
    end = min(end, now_ms() + FUTURE_MS)
    pattern = plan_filter_pattern(bot_ids, locales)
    events = [event for group in dict.fromkeys(groups)
              for event in fetch_slice_events(client, group, start, end, pattern, lambda *_: None)]
    if bot_ids or locales:
        events = [event for event in events if match_message(event.get("message", ""), bot_ids, locales)]
    lines, _ = cwcache.encode_event_lines(events, start, end)
    increment = cwcache.new_window_path(cache_dir)
    with gzip.open(increment, "wb", compresslevel=1) as handle:
        handle.writelines(line + b"\n" for line in lines)
    out = cwcache.new_window_path(cache_dir)
    try:
        count = cwcache.write_window([[Path(window.path)], [increment]], window.since_ms, end, out)
    finally:
        increment.unlink(missing_ok=True)
    if count == window.events:  # nothing new: keep the file the page already loaded
        out.unlink(missing_ok=True)
        return replace(window, until_ms=end, fetched=len(lines))
    if Path(window.path).parent == out.parent:
        Path(window.path).unlink(missing_ok=True)
    newest = max(lines, key=lambda line: msgspec.json.decode(line)["timestamp"], default=None)
    updated = replace(window, path=str(out), until_ms=end, events=count, fetched=len(lines))
    if newest is not None:
        event = msgspec.json.decode(newest)
        if window.newest_ms is None or event["timestamp"] >= window.newest_ms:
            updated = replace(updated, newest_ms=int(event["timestamp"]),
                              newest_ingestion_ms=int(event.get("ingestionTime") or event["timestamp"]))
    return updated
