"""Time windows for pulling logs: ``--since``/``--until`` parsing and slicing.

Times are epoch milliseconds (CloudWatch's unit) internally. A window is
half-open, ``[since, until)``. ``parse_time`` accepts ISO 8601 (``2026-11-20``,
``2026-11-20T06:00Z``, ``2026-11-20T06:00:00+02:00``; naive means UTC), ``now``,
or a relative age such as ``30m``, ``36h``, ``7d``, ``2w`` (that long before now).
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

from analytics.errors import LexlensError

DEFAULT_SINCE = "7d"
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


def parse_time(value: str | datetime | int | None, now: int | None = None) -> int | None:
    """Epoch ms for a ``--since``/``--until`` value; None stays None.

    Accepts a datetime, epoch ms, ISO 8601 text, ``now`` or a relative age (``36h``).
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return to_ms(value)
    if isinstance(value, (int, float)):
        return int(value)
    text = str(value).strip()
    now = now_ms() if now is None else now
    if text.lower() == "now":
        return now
    relative = _RELATIVE.match(text)
    if relative:
        seconds = float(relative.group(1)) * _UNIT_SECONDS[relative.group(2).lower()]
        return now - int(seconds * 1000)
    try:
        return to_ms(datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00")))
    except ValueError:
        raise LexlensError(
            f"Cannot read the time {text!r}: use ISO 8601 (2026-11-20T06:00Z) or an age such as 7d or 36h."
        ) from None


def parse_window(since, until, now: int | None = None) -> tuple[int, int]:
    """``(since_ms, until_ms)`` from option values; since defaults to 7 days ago, until to now."""
    now = now_ms() if now is None else now
    start = parse_time(since if since not in (None, "") else DEFAULT_SINCE, now)
    end = parse_time(until, now) if until not in (None, "") else now
    if start >= end:
        raise LexlensError(f"The time window is empty: --since {format_ms(start)} is not before "
                           f"--until {format_ms(end)}.")
    return start, end


def plan_slices(since: int, until: int, slice_ms: int) -> list[tuple[int, int]]:
    """The grid slices ``[start, end)`` (aligned to multiples of ``slice_ms``) covering the window.

    Aligning to a fixed grid (not to ``since``) lets overlapping windows share cached slices.
    """
    if since >= until:
        return []
    first = since - since % slice_ms
    return [(start, start + slice_ms) for start in range(first, until, slice_ms)]
