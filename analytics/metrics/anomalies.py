"""Unusual hours: traffic or fallback rate far from what the same hour of the week usually holds.

For each hour of the range, the baseline is the same hour in the previous weeks present in the
data (168, 336, ... hours earlier; at most 8 of them, within the last year of the data): its median, and its spread as the median absolute deviation
(MAD, scaled by 1.4826 to match a standard deviation on normal data). The hour is unusual when
its robust score ``(value - median) / spread`` is beyond +-3.5 (Iglewicz and Hoaglin's cut-off
for the modified z-score), with at least 3 earlier weeks to compare. The spread has a floor, so a
baseline that never varied does not flag every small change: for traffic the square root of the
median (Poisson noise) and at least 2 utterances; for the fallback rate 2 percentage points, and the
rate is judged only in hours with at least 20 utterances.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from lexlens.analytics.metrics.timeseries import compute_activity_over_time

WEEK_HOURS = 168
MIN_WEEKS = 3
MAX_WEEKS = 8  # the baseline: at most the 8 weeks before
LOOKBACK = pd.Timedelta(weeks=52)  # hours judged: within the last year of the data
CUTOFF = 3.5
MAD_SCALE = 1.4826
MIN_RATE_UTTERANCES = 20
RATE_FLOOR = 0.02
TRAFFIC_FLOOR = 2.0
ANOMALY_COLUMNS = ["bin_start", "metric", "value", "usual", "spread", "weeks", "score", "anomalous"]
METRICS = {"utterances": "traffic", "fallback_rate": "fallback rate"}

DEFINITIONS = {"Unusual hours": (
    "Each hour's traffic (utterances) and fallback rate are held against the same hour of the week "
    "in the previous weeks present in the data (168, 336, ... hours earlier; at least 3 and at most 8 of "
    "them, also from before the chosen dates; hours within the last year of the data): "
    "their median is the usual value and their median absolute deviation (x 1.4826) the spread. "
    "An hour is unusual when (value - median) / spread is beyond +-3.5. The spread is at least the "
    "square root of the median and 2 utterances for traffic, and 2 percentage points for the "
    "fallback rate, which is judged only in hours with 20 utterances or more.")}


def compute_hourly(turns: pd.DataFrame, tz: str = "UTC", until=None) -> pd.DataFrame:
    """Utterances, missed and fallback_rate per hour (hours without traffic as zeros), up to the
    last hour that ended by ``until`` when given: a silent last hour is data too."""
    hourly = compute_activity_over_time(turns, "1h", tz)[["bin_start", "utterances", "missed", "fallback_rate"]]
    if until is None or hourly.empty:
        return hourly
    last = pd.Timestamp(until).tz_convert("UTC").floor("1h") - pd.Timedelta(hours=1)
    hours = pd.date_range(hourly["bin_start"].min(), max(last.tz_convert(tz), hourly["bin_start"].max()), freq="1h")
    return hourly.set_index("bin_start").reindex(hours, fill_value=0).rename_axis("bin_start").reset_index()


def earlier_weeks(values: np.ndarray, weeks: int) -> np.ndarray:
    """A (hours x weeks) array: column k holds each hour's value k+1 weeks earlier (NaN before the data)."""
    shifted = np.full((len(values), weeks), np.nan)
    for k in range(1, weeks + 1):
        lag = k * WEEK_HOURS
        if lag < len(values):
            shifted[lag:, k - 1] = values[:-lag]
    return shifted


def score_metric(hourly: pd.DataFrame, column: str) -> pd.DataFrame:
    """ANOMALY_COLUMNS for one metric, every hour that has MIN_WEEKS earlier weeks."""
    values = hourly[column].to_numpy(dtype=float)
    judged = np.ones(len(values), dtype=bool)
    if column == "fallback_rate":  # a rate from a handful of utterances says nothing
        enough = hourly["utterances"].to_numpy() >= MIN_RATE_UTTERANCES
        values = np.where(enough, values, np.nan)
        judged = enough
    weeks = min(max(len(values) // WEEK_HOURS, 0), MAX_WEEKS)
    history = earlier_weeks(values, weeks) if weeks else np.full((len(values), 0), np.nan)
    count = (~np.isnan(history)).sum(axis=1)
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: no baseline
            usual = np.nanmedian(history, axis=1) if weeks else np.full(len(values), np.nan)
            mad = np.nanmedian(np.abs(history - usual[:, None]), axis=1) if weeks else np.full(len(values), np.nan)
    floor = np.maximum(np.sqrt(np.maximum(usual, 0)), TRAFFIC_FLOOR) if column == "utterances" else RATE_FLOOR
    spread = np.maximum(mad * MAD_SCALE, floor)
    score = (values - usual) / spread
    keep = judged & (count >= MIN_WEEKS) & ~np.isnan(values)
    return pd.DataFrame({"bin_start": hourly["bin_start"].array[keep], "metric": METRICS[column],
                         "value": values[keep], "usual": usual[keep], "spread": spread[keep],
                         "weeks": count[keep], "score": score[keep],
                         "anomalous": np.abs(score[keep]) > CUTOFF})


def compute_anomalies(turns: pd.DataFrame, tz: str = "UTC", until=None) -> pd.DataFrame:
    """ANOMALY_COLUMNS for every hour that could be judged, traffic then fallback rate by time
    (hours up to ``until``, when given, count even without a turn)."""
    if not turns.empty:  # a range of centuries would be millions of hours: the last year is enough
        end = turns["time"].max() if until is None else max(turns["time"].max(), pd.Timestamp(until))
        turns = turns[(turns["time"] >= end - LOOKBACK).to_numpy()]
    if turns.empty:
        return score_metric(pd.DataFrame({"bin_start": pd.DatetimeIndex([], tz=tz), "utterances": [],
                                          "fallback_rate": []}), "utterances")
    hourly = compute_hourly(turns, tz, until)
    table = pd.concat([score_metric(hourly, column) for column in METRICS], ignore_index=True)
    return table.sort_values(["bin_start", "metric"], kind="stable").reset_index(drop=True)


def within_window(anomalies: pd.DataFrame, since=None, until=None) -> pd.DataFrame:
    """The judged hours inside ``[since, until)`` (their baseline may come from before ``since``)."""
    keep = pd.Series(True, index=anomalies.index)
    if since is not None:
        keep &= anomalies["bin_start"] >= pd.Timestamp(since)
    if until is not None:
        keep &= anomalies["bin_start"] < pd.Timestamp(until)
    return anomalies[keep.to_numpy()].reset_index(drop=True)


def unusual_hours(anomalies: pd.DataFrame) -> pd.DataFrame:
    """Only the unusual hours, most unusual first."""
    flagged = anomalies[anomalies["anomalous"]]
    return flagged.reindex(flagged["score"].abs().sort_values(ascending=False).index).reset_index(drop=True)


def sessions_in_hours(turns: pd.DataFrame, hours: pd.Series, tz: str = "UTC") -> pd.DataFrame:
    """The sessions with a turn in any of ``hours``: session_id, bot_name, hour, turns, missed."""
    columns = ["session_id", "bot_name", "hour", "turns", "missed"]
    if turns.empty or hours.empty:
        return pd.DataFrame({name: [] for name in columns})
    hour = turns["time"].dt.floor("1h").dt.tz_convert(tz)
    chosen = turns[hour.isin(set(hours))].assign(hour=hour)
    table = chosen.groupby(["session_key", "hour"], observed=True).agg(
        session_id=("session_id", "first"), bot_name=("bot_name", "first"), turns=("turn", "size"),
        missed=("missed", "sum")).reset_index()
    table["bot_name"] = table["bot_name"].astype(str)
    return table.sort_values(["hour", "missed", "turns"], ascending=[True, False, False])[columns].reset_index(drop=True)


def latest_complete_hour(anomalies: pd.DataFrame, coverage_end: pd.Timestamp) -> pd.DataFrame:
    """The rows (traffic and fallback rate) of the last hour that ended by ``coverage_end``."""
    if anomalies.empty:
        return anomalies
    ends = anomalies["bin_start"] + pd.Timedelta(hours=1)
    done = anomalies[ends <= coverage_end]
    if done.empty:
        return done
    return done[done["bin_start"] == done["bin_start"].max()].reset_index(drop=True)
