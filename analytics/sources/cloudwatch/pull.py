"""Pulling a window of CloudWatch Logs groups into the local cache, slice by slice, several
slices at once; ``write_pull`` writes the window's events to one file.

Errors a person can fix (no credentials, access denied, unknown group, unreachable
endpoint) raise ``LexlensError`` (exit code 2); a slice that still fails after its
retries is returned in ``PullResult.failed_slices`` while the other slices are cached.
API: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from lexlens.analytics.errors import LexlensError
from lexlens.analytics.sources.cloudwatch import cache as cwcache
from lexlens.analytics.sources.cloudwatch.client import MAX_WORKERS, resolve_namespace
from lexlens.analytics.sources.cloudwatch.errors import error_code, explain_error, is_fatal
from lexlens.analytics.sources.cloudwatch.pattern import match_message, plan_filter_pattern
from lexlens.analytics.timewindow import (check_slice_count, format_ms, now_ms, parse_window,
                                          plan_slices)

SLICE_HOURS = 6
SLICE_ATTEMPTS = 3  # on top of botocore's own per-request retries
OPEN_GRACE_MS = 10 * 60 * 1000  # CloudWatch ingestion lag: a slice this close to now may still grow
PAGE_LIMIT = 10_000  # FilterLogEvents maximum
# CloudWatch rejects events more than 2 hours in the future, so a pull never asks past that:
# https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html
FUTURE_MS = 2 * 3_600_000
MAX_SLICES = 20_000  # per log group and pull: 13 years of the default 6-hour slices


@dataclass(frozen=True)
class SliceFailure:
    """A slice that still failed after its retries."""

    log_group: str
    start: int
    end: int
    error: str

    def __str__(self) -> str:
        return f"slice {format_ms(self.start)}–{format_ms(self.end)} of {self.log_group} failed: {self.error}"


@dataclass
class PullProgress:
    """Running totals passed to the progress callback (events/bytes fetched from CloudWatch)."""

    events: int = 0
    bytes: int = 0
    slices_done: int = 0
    slices_total: int = 0
    slices_cached: int = 0


@dataclass
class PullResult:
    """What a pull left in the cache for the window ``[since, until)``.

    ``groups`` holds, per log group, the cached slice files in time order; ``files`` is
    them all. ``events`` counts the events in those slices (whole slices, so it may include
    a few outside the window); ``fetched_events`` those fetched from CloudWatch this time.
    """

    since: int
    until: int
    groups: dict[str, list[Path]] = field(default_factory=dict)
    events: int = 0
    fetched_events: int = 0
    slices_fetched: int = 0
    slices_cached: int = 0
    failed_slices: list[SliceFailure] = field(default_factory=list)

    @property
    def files(self) -> list[Path]:
        return [path for paths in self.groups.values() for path in paths]

    @property
    def ok(self) -> bool:
        return not self.failed_slices


def fetch_slice_events(client, log_group: str, start: int, end: int, filter_pattern: str,
                       on_page: Callable[[int, int], None]) -> list[dict]:
    """All events of ``[start, end)`` through FilterLogEvents, following nextToken."""
    params = {"logGroupName": log_group, "startTime": start, "endTime": end - 1, "limit": PAGE_LIMIT}
    if filter_pattern:
        params["filterPattern"] = filter_pattern
    events: list[dict] = []
    for page in client.get_paginator("filter_log_events").paginate(**params):
        batch = page.get("events", [])
        events.extend(batch)
        on_page(len(batch), sum(len(event.get("message", "")) for event in batch))
    return events


class _Tracker:
    """Thread-safe progress totals, forwarded to the caller's callback."""

    def __init__(self, callback, total: int, cached: int):
        self.lock = threading.Lock()
        self.state = PullProgress(slices_total=total, slices_cached=cached, slices_done=cached)
        self.callback = callback
        self.notify()

    def add(self, events: int = 0, size: int = 0, slices: int = 0) -> None:
        with self.lock:
            self.state.events += events
            self.state.bytes += size
            self.state.slices_done += slices
        self.notify()

    def notify(self) -> None:
        if self.callback:
            with self.lock:  # one caller at a time: a progress bar is not thread-safe
                self.callback(PullProgress(**self.state.__dict__))


def pull_slice(client, folder: Path, job: tuple, filter_pattern: str, bot_ids, locales,
               tracker: _Tracker, attempts: int, retry_delay: float) -> dict:
    """Fetch one slice (retrying transient failures) and store it; returns its manifest."""
    log_group, start, end = job
    for attempt in range(1, attempts + 1):
        counted = [0, 0]

        def on_page(events: int, size: int) -> None:
            counted[0] += events
            counted[1] += size
            tracker.add(events, size)

        fetched_at = now_ms()
        try:
            events = fetch_slice_events(client, log_group, start, end, filter_pattern, on_page)
        except Exception as error:  # noqa: BLE001 - classified below
            tracker.add(-counted[0], -counted[1])
            if is_fatal(error) or attempt == attempts:
                raise
            time.sleep(retry_delay * 2 ** (attempt - 1))
            continue
        if bot_ids or locales:
            events = [event for event in events if match_message(event.get("message", ""), bot_ids, locales)]
        lines, _ = cwcache.encode_event_lines(events, start, end)
        complete = end <= fetched_at - OPEN_GRACE_MS
        return cwcache.write_slice(folder, start, end, lines, complete, fetched_at)
    raise AssertionError("unreachable")


def pull_log_groups(client, groups: Sequence[str], since, until, cache_dir, progress=None, *,
                    bot_ids: Sequence[str] = (), locales: Sequence[str] = (),
                    slice_hours: float = SLICE_HOURS, max_workers: int = MAX_WORKERS,
                    refresh: bool = False, slice_attempts: int = SLICE_ATTEMPTS,
                    retry_delay: float = 1.0) -> PullResult:
    """Bring the window ``[since, until)`` of each log group into the cache.

    ``since``/``until``: datetime, epoch ms or option text (``7d``, ISO 8601); None means 7 days
    ago / now.
    Only slices missing from the cache, or reaching "now", are fetched (all with ``refresh``),
    ``max_workers`` at a time. ``progress(PullProgress)`` is called as pages arrive.
    """
    since_ms, until_ms = parse_window(since, until)
    until_ms = min(until_ms, now_ms() + FUTURE_MS)
    if since_ms >= until_ms:
        raise LexlensError(f"The window starts at {format_ms(since_ms)}, in the future: CloudWatch holds "
                           "no events yet for it.", exit_code=2)
    slice_ms = max(60_000, int(slice_hours * 3_600_000))
    check_slice_count(since_ms, until_ms, slice_ms, MAX_SLICES)
    pattern = plan_filter_pattern(bot_ids, locales)
    bot_ids, locales = tuple(bot_ids), tuple(locales)
    result = PullResult(since_ms, until_ms)
    folders, jobs = {}, []
    for group in dict.fromkeys(groups):  # keeps order, drops repeats
        folders[group] = folder = cwcache.open_namespace(cache_dir, resolve_namespace(client, group, pattern))
        cwcache.remove_stale_temps(folder)
        result.groups[group] = []
        for start, end in plan_slices(since_ms, until_ms, slice_ms):
            info = None if refresh else cwcache.read_manifest(folder, start, end)
            if info and info["complete"]:
                result.slices_cached += 1
                result.events += info["events"]
            else:
                jobs.append((group, start, end))
    tracker = _Tracker(progress, result.slices_cached + len(jobs), result.slices_cached)
    pending = set(jobs)
    stored = _run_jobs(client, folders, jobs, pattern, bot_ids, locales, tracker, slice_attempts, retry_delay,
                       max_workers, result)
    for group, folder in folders.items():
        for start, end in plan_slices(since_ms, until_ms, slice_ms):
            if (group, start, end) in stored or (group, start, end) not in pending:
                result.groups[group].append(cwcache.slice_paths(folder, start, end)[0])
    return result


def _run_jobs(client, folders, jobs, pattern, bot_ids, locales, tracker, attempts, retry_delay,
              max_workers, result: PullResult) -> set:
    stored = set()
    executor = ThreadPoolExecutor(max_workers=max(1, max_workers), thread_name_prefix="lexlens-pull")
    try:
        futures = {executor.submit(pull_slice, client, folders[job[0]], job, pattern, bot_ids, locales,
                                   tracker, attempts, retry_delay): job for job in jobs}
        for future in as_completed(futures):
            job = futures[future]
            try:
                info = future.result()
            except Exception as error:  # noqa: BLE001
                if is_fatal(error):
                    raise explain_error(error, client, job[0]) from None
                reason = error_code(error) or type(error).__name__
                result.failed_slices.append(SliceFailure(*job, reason))
            else:
                stored.add(job)
                result.slices_fetched += 1
                result.events += info["events"]
                result.fetched_events += info["events"]
            tracker.add(slices=1)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
    result.failed_slices.sort(key=lambda failure: (failure.log_group, failure.start))
    return stored


def write_pull(result: PullResult, out) -> int:
    """Write the pulled window's events to ``out`` (gzip if .gz): sorted by time, unique eventIds."""
    return cwcache.write_window(list(result.groups.values()), result.since, result.until, Path(out))
