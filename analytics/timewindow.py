"""Time windows for pulling logs: ``--since``/``--until`` parsing and slicing.

Times are epoch milliseconds (CloudWatch's unit) internally. A window is
half-open, ``[since, until)``. ``parse_time`` accepts ISO 8601 (``2026-11-20``,
``2026-11-20T06:00Z``, ``2026-11-20T06:00:00+02:00``; naive means UTC), ``now``,
or a relative age such as ``30m``, ``36h``, ``7d``, ``2w`` (that long before now).

Every time must fall between Amazon Lex V2's launch and 2200 (``check_time``): no Lex V2
log predates the launch, and an unbounded window (``--since 100000000d``) would plan
millions of CloudWatch calls or overflow the time types. The CLI, the dashboard's
CloudWatch panel and the pull all parse windows here, so the rule holds everywhere.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

from lexlens.analytics.errors import LexlensError

DEFAULT_SINCE = "7d"
# Lex V2's console and APIs were announced on 2021-01-21; botocore first shipped them the next
# day (botocore 1.19.59, "api-change: lexv2-models, lexv2-runtime", 2021-01-22).
EARLIEST = "2021-01-21"
EARLIEST_MS = 1_611_187_200_000  # 2021-01-21T00:00Z
LATEST = "2200-01-01"
LATEST_MS = 7_258_118_400_000  # 2200-01-01T00:00Z, past the last time a record may carry
_RELATIVE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def now_ms() -> int:
    """The current time in epoch milliseconds."""
    return int(datetime.now(timezone.utc).timestamp() * 1000)


def to_ms(moment: datetime) -> int:
    """Epoch milliseconds of ``moment`` (a naive datetime is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1000)


def format_ms(ms: int) -> str:
    """``2026-11-20T06:00Z`` (seconds shown only when not zero)."""
    moment = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    pattern = "%Y-%m-%dT%H:%MZ" if moment.second == 0 and moment.microsecond == 0 else "%Y-%m-%dT%H:%M:%SZ"
    return moment.strftime(pattern)


def parse_time(value: str | datetime | int | None, now: int | None = None,
               name: str = "time") -> int | None:
    """Epoch ms for a ``--since``/``--until`` value; None stays None. ``name`` is the option
    the value came from, for the message of a LexlensError.

    Accepts a datetime, epoch ms, ISO 8601 text, ``now`` or a relative age (``36h``), from
    Lex V2's launch up to 2200 (``check_time``).
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return check_time(to_ms(value), name, value.isoformat())
    if isinstance(value, (int, float)):
        return check_time(int(value), name, str(value))
    text = str(value).strip()
    now = now_ms() if now is None else now
    if text.lower() == "now":
        return now
    relative = _RELATIVE.match(text)
    if relative:
        seconds = float(relative.group(1)) * _UNIT_SECONDS[relative.group(2).lower()]
        ms = now - seconds * 1000  # a float: an age of 1e300 days must not overflow here
        return check_time(int(ms) if ms > EARLIEST_MS else EARLIEST_MS - 1, name, text)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        return check_time(to_ms(moment), name, text)
    except (ValueError, OverflowError):
        raise LexlensError(
            f"Cannot read the {name} {text!r}: use ISO 8601 (2026-11-20T06:00Z) or an age such as 7d or 36h."
        ) from None


def check_time(ms: int, name: str, text: str) -> int:
    """``ms``, or a LexlensError when it falls outside [Lex V2's launch, 2200)."""
    text = text if len(text) <= 40 else text[:37] + "..."
    if ms < EARLIEST_MS:
        raise LexlensError(f"The {name} {text!r} is before Amazon Lex V2 existed: Lex V2 logs start "
                           f"on {EARLIEST}, so give a time from then on.", exit_code=2)
    if ms >= LATEST_MS:
        raise LexlensError(f"The {name} {text!r} is past {LATEST}, the last time lexlens handles.",
                           exit_code=2)
    return ms


def parse_window(since, until, now: int | None = None) -> tuple[int, int]:
    """``(since_ms, until_ms)`` from option values; since defaults to 7 days ago, until to now."""
    now = now_ms() if now is None else now
    start = parse_time(since if since not in (None, "") else DEFAULT_SINCE, now, "--since time")
    end = parse_time(until, now, "--until time") if until not in (None, "") else now
    if start >= end:
        raise LexlensError(f"The time window is empty: --since {format_ms(start)} is not before "
                           f"--until {format_ms(end)}.")
    return start, end


def check_slice_count(since: int, until: int, slice_ms: int, limit: int) -> None:
    """LexlensError when the window needs more than ``limit`` slices of ``slice_ms``."""
    count = -(-(until - (since - since % slice_ms)) // slice_ms)
    if count > limit:
        raise LexlensError(
            f"The window {format_ms(since)} .. {format_ms(until)} needs {count:,} slices of "
            f"{slice_ms / 3_600_000:g} h, more than the {limit:,} lexlens plans at once: pass a larger "
            "--slice-hours or a shorter window.", exit_code=2)


def plan_slices(since: int, until: int, slice_ms: int) -> list[tuple[int, int]]:
    """The grid slices ``[start, end)`` (aligned to multiples of ``slice_ms``) covering the window.

    Aligning to a fixed grid (not to ``since``) lets overlapping windows share cached slices.
    """
    if since >= until:
        return []
    first = since - since % slice_ms
    return [(start, start + slice_ms) for start in range(first, until, slice_ms)]
