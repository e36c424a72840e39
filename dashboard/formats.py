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

from lexlens.analytics.report.as_text import format_duration, plural  # noqa: F401  (one definition for CLI and app)

TIME_FORMAT = "YYYY-MM-DD HH:mm:ss"
# an hour named alike wherever it is shown (a chart's hover, a picker, a table), with its own
# minutes: hours are UTC hours, which start at :30 or :45 in zones such as Asia/Kolkata
HOUR_FORMAT = "%Y-%m-%d %a %H:%M"
DURATION_SUFFIX = "_s"          # a column of seconds: duration_s, mean_duration_s, ...
SHARE_WORDS = ("share", "rate")  # a column of fractions in [0, 1]


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


def format_kpi(value, kind: str) -> str:
    """A KPI as people read it: counts whole with separators, rates as percentages, other
    numbers to two decimals; '—' when there is none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if kind == "count":
        return f"{int(round(value)):,}"
    if kind == "rate":
        return format_percent(value)
    return f"{value:,.2f}"


def format_change(delta, kind: str) -> str:
    """B - A: counts signed whole, rates in percentage points, numbers to two decimals."""
    if delta is None or (isinstance(delta, float) and math.isnan(delta)):
        return "—"
    if kind == "count":
        return f"{int(round(delta)):+,}"
    if kind == "rate":
        return f"{delta * 100:+.1f} pp"
    return f"{delta:+,.2f}"


def readable_comparison(table: pd.DataFrame, labels: dict) -> pd.DataFrame:
    """``analytics.metrics.compare.compare_kpis``'s table for people: named KPIs, values in their
    kind's format, the change, the relative change and the p-value of rates."""
    rows = []
    for row in table.itertuples(index=False):
        label, kind = labels.get(row.kpi, (row.kpi.replace("_", " "), "number"))
        p_value = None if pd.isna(row.p_value) else float(row.p_value)
        rows.append((label, format_kpi(row.a, kind), format_kpi(row.b, kind), format_change(row.delta, kind),
                     "—" if row.relative_delta is None or pd.isna(row.relative_delta)
                     else f"{row.relative_delta * 100:+.1f}%",
                     "—" if p_value is None else f"{p_value:.3f}",
                     "—" if p_value is None else ("yes" if p_value < 0.05 else "no")))
    return pd.DataFrame(rows, columns=["KPI", "A", "B", "change (B − A)", "relative change", "p-value",
                                       "significant at 5%"])
