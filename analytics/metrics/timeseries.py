"""Activity over time: turns, utterances, sessions and missed utterances per time bin.

The bin is chosen from the range (5 minutes up to a week), so any range works; the
reference dashboard's fixed 5-minute bins break beyond 24 hours.
"""
from __future__ import annotations

import pandas as pd

from lexlens.analytics.schema import empty_frame

# (largest span, bin) pairs, smallest first
BIN_CHOICES = [
    (pd.Timedelta(hours=6), "5min"),
    (pd.Timedelta(days=2), "1h"),
    (pd.Timedelta(days=92), "1D"),
    (pd.Timedelta(days=731), "7D"),
]
BIN_LABELS = {"5min": "5 minutes", "1h": "hour", "1D": "day", "7D": "week", "30D": "30 days"}
ACTIVITY_COLUMNS = ["bin_start", "turns", "utterances", "active_sessions", "sessions_started",
                    "missed", "fallback_rate"]


DEFINITIONS = {  # the user-facing text of each metric here: README, dashboard and --help use it
    "Activity over time": (
        "Turns, utterances and sessions per time bin, in the chosen time zone. The bin follows "
        "the range (5 minutes up to 6 hours, hourly up to 2 days, daily up to 3 months, weekly "
        "up to 2 years, then 30 days), so any range works. *Active sessions* counts a session "
        "once per bin it has a turn in; *sessions started* counts it once, in its first bin."),
}


def choose_bin(start: pd.Timestamp, end: pd.Timestamp) -> str:
    """A pandas frequency giving a readable number of bins for [start, end]."""
    span = end - start
    for limit, freq in BIN_CHOICES:
        if span <= limit:
            return freq
    return "30D"


def local_times(turns: pd.DataFrame, tz: str) -> pd.Series:
    """Turn times in time zone ``tz``."""
    return turns["time"].dt.tz_convert(tz)


def compute_activity_over_time(turns: pd.DataFrame, freq: str | None = None,
                               tz: str = "UTC") -> pd.DataFrame:
    """ACTIVITY_COLUMNS per bin (bins without traffic included as zeros).

    active_sessions counts each session once per bin it has a turn in;
    sessions_started counts it once, in the bin of its first turn.
    """
    if turns.empty:
        return empty_frame(ACTIVITY_COLUMNS, "float64")
    times = local_times(turns, tz)
    freq = freq or choose_bin(times.min(), times.max())
    if freq.endswith(("min", "h")):
        # floor in UTC: a local floor fails on the hour that repeats when DST ends
        bins = turns["time"].dt.floor(freq).dt.tz_convert(tz)
    else:
        bins = floor_days(times, freq)
    frame = turns.assign(bin_start=bins)
    grouped = frame.groupby("bin_start")
    activity = pd.DataFrame({
        "turns": grouped.size(),
        "utterances": grouped["is_utterance"].sum(),
        "active_sessions": grouped["session_key"].nunique(),
        "missed": grouped["missed"].sum(),
    })
    first_bins = frame.groupby("session_key")["bin_start"].min()
    activity["sessions_started"] = first_bins.value_counts().reindex(activity.index, fill_value=0)
    full_range = pd.date_range(activity.index.min(), activity.index.max(), freq=freq)
    activity = activity.reindex(full_range, fill_value=0).rename_axis("bin_start").reset_index()
    activity["fallback_rate"] = (activity["missed"] / activity["utterances"].where(
        activity["utterances"] > 0)).fillna(0.0)
    return activity[ACTIVITY_COLUMNS]


def floor_days(times: pd.Series, freq: str) -> pd.Series:
    """Floor to local midnight, then to the multi-day bin counted from the first day."""
    days = times.dt.normalize()
    step = pd.Timedelta(freq)
    if step == pd.Timedelta(days=1):
        return days
    first = days.min()
    return first + ((days - first) // step) * step
