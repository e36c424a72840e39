"""Heatmaps in a chosen time zone, summed correctly over any range.

Sessions heatmap: for each (weekday, hour) cell, the number of distinct sessions
active in that hour, summed over every date in the range (a session counts once per
hour it is active; two Mondays add up instead of overlapping).
Intent heatmap: turns per intent and hour of day.
"""
from __future__ import annotations

import pandas as pd
from lexlens.analytics.schema import text_values

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
HOURS = list(range(24))


DEFINITIONS = {  # the user-facing text of each metric here: README, dashboard and --help use it
    "Session heatmap": (
        "For each weekday x hour cell (local time in the chosen zone), the number of distinct "
        "sessions active in that hour, summed over every date in the range: a session counts "
        "once per hour it is active, and two Mondays add up instead of overlapping."),
    "Intent heatmap": "Turns per intent and hour of day, in the chosen time zone.",
}


def compute_session_heatmap(turns: pd.DataFrame, tz: str = "UTC") -> pd.DataFrame:
    """7 x 24 counts: index WEEKDAYS, columns hours 0..23 (local time in ``tz``)."""
    if turns.empty:
        return pd.DataFrame(0, index=pd.Index(WEEKDAYS, name="weekday"),
                            columns=pd.Index(HOURS, name="hour"))
    # wall-clock hours: flooring naive local time never meets DST's repeated hour
    wall_hour = turns["time"].dt.tz_convert(tz).dt.tz_localize(None).dt.floor("1h")
    active = pd.DataFrame({"session_key": turns["session_key"], "hour_start": wall_hour})
    hours = active.drop_duplicates()["hour_start"].dt
    table = pd.crosstab(hours.day_of_week, hours.hour)
    table = table.reindex(index=range(7), columns=HOURS, fill_value=0)
    table.index = pd.Index(WEEKDAYS, name="weekday")
    table.columns = pd.Index(HOURS, name="hour")
    return table


def compute_intent_heatmap(turns: pd.DataFrame, tz: str = "UTC") -> pd.DataFrame:
    """Intents x 24 turn counts (local hour in ``tz``); intents ordered by total turns."""
    with_intent = turns[turns["intent"] != ""]
    if with_intent.empty:
        return pd.DataFrame(0, index=pd.Index([], name="intent"), columns=pd.Index(HOURS, name="hour"))
    hours = with_intent["time"].dt.tz_convert(tz).dt.hour
    # a column "n" counts several turns per row (metrics.finalize's turns per quarter)
    weights = dict(values=with_intent["n"].to_numpy(), aggfunc="sum") if "n" in with_intent else {}
    table = pd.crosstab(text_values(with_intent["intent"]).to_numpy(), hours.to_numpy(), **weights)
    table = table.fillna(0).astype("int64")
    table = table.reindex(columns=HOURS, fill_value=0)
    table = table.loc[table.sum(axis=1).sort_values(ascending=False, kind="stable").index]
    table.index.name, table.columns.name = "intent", "hour"
    return table
