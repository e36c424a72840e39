"""Formats people read, in one place: durations as m:ss, shares and rates as percentages,
times to the second, counts as whole numbers.

``display_columns`` gives every table the same treatment from its column names, so a new
table needs nothing to look right; the CSV download keeps the raw values (seconds,
fractions) a spreadsheet can compute with.
"""
from __future__ import annotations

import math

import pandas as pd
import streamlit as st

TIME_FORMAT = "YYYY-MM-DD HH:mm:ss"
DURATION_SUFFIX = "_s"          # a column of seconds: duration_s, mean_duration_s, ...
SHARE_WORDS = ("share", "rate")  # a column of fractions in [0, 1]


def format_duration(seconds: float) -> str:
    """'m:ss' ('h:mm:ss' from an hour on; '—' when unknown), rounded to the second."""
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return "—"
    total = int(round(float(seconds)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_percent(value: float | None, digits: int = 1) -> str:
    """'12.3%' ('—' when unknown)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value * 100:.{digits}f}%"


def time_column(label: str) -> st.column_config.Column:
    return st.column_config.DatetimeColumn(label, format=TIME_FORMAT)


def duration_column(label: str) -> st.column_config.Column:
    """Seconds shown as an h:mm:ss clock (the column must be a timedelta, see
    ``display_frame``); it still sorts by length."""
    return st.column_config.NumberColumn(label, format="compact")


def is_duration(column: str) -> bool:
    return column == "duration_s" or column.endswith("duration_s")


def is_share(column: str) -> bool:
    return any(word in column for word in SHARE_WORDS)


def display_frame(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` for the screen: columns of seconds as whole-second timedeltas."""
    durations = [c for c in table.columns if is_duration(str(c)) and pd.api.types.is_numeric_dtype(table[c])]
    if not durations:
        return table
    return table.assign(**{c: pd.to_timedelta(table[c].round(), unit="s") for c in durations})


def display_columns(table: pd.DataFrame) -> dict:
    """Column configs from the column names: times to the second, durations as a clock,
    shares and rates as percentages, names without underscores."""
    config = {}
    for column in table.columns:
        name = str(column)
        label = name.removesuffix(DURATION_SUFFIX) if is_duration(name) else name
        label = label.replace("_", " ")
        series = table[column]
        if isinstance(series.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(series):
            config[column] = time_column(label)
        elif is_duration(name) and pd.api.types.is_numeric_dtype(series):
            config[column] = duration_column(label)
        elif is_share(name) and pd.api.types.is_float_dtype(series):
            config[column] = st.column_config.NumberColumn(label, format="percent")
        elif label != name:
            config[column] = st.column_config.Column(label)
    return config
