"""KPI tiles: the headline values, each with its change against the previous period."""
from __future__ import annotations

from typing import Optional

import pandas as pd
import streamlit as st

from lexlens.analytics.metrics.sessions import compute_duration_stats, compute_sessions, compute_turns_per_session
from lexlens.analytics.metrics.totals import compute_totals
from lexlens.dashboard.data import View, derive, previous_period
from lexlens.dashboard.engine_label import show_computed_by
from lexlens.dashboard.formats import format_duration
from lexlens.dashboard.outcome_settings import view_conversations

# key, label, kind ("count", "rate", "seconds", "number"), lower is better
KPIS = [
    ("records", "Records", "count", False),
    ("sessions", "Sessions", "count", False),
    ("conversations", "Conversations", "count", False),
    ("fallback_rate", "Fallback rate", "rate", True),
    ("median_duration_s", "Median duration", "seconds", False),  # first: robust to sessions left open
    ("mean_duration_s", "Mean duration", "seconds", False),
    ("mean_turns", "Mean turns", "number", False),
]


def compute_kpis(turns: pd.DataFrame, sessions: pd.DataFrame, server_responses: int = 0) -> dict:
    """The headline values from the analytics functions; Records counts the user turns and
    the ``server_responses`` (as the report's ``records`` does), every other value user turns."""
    totals = compute_totals(turns, sessions)
    durations = compute_duration_stats(sessions)
    return {"records": totals["records"] + server_responses, "sessions": totals["sessions"],
            "conversations": totals["conversations"], "fallback_rate": totals["fallback_rate"],
            "median_duration_s": durations["median"], "mean_duration_s": durations["mean"],
            "mean_turns": compute_turns_per_session(sessions)["mean"]}


def view_sessions(view: View) -> pd.DataFrame:
    """The sessions of the view, each with its conversations under the outcome settings."""
    return derive(view, "sessions", lambda: compute_sessions(view.turns, conversations=view_conversations(view)))


def view_kpis(view: View) -> dict:
    return derive(view, "kpis", lambda: compute_kpis(view.turns, view_sessions(view),
                                                     len(view.data.server_responses)))


def format_value(value: float, kind: str) -> str:
    if kind == "count":
        return f"{int(value):,}"
    if kind == "rate":
        return f"{value:.2%}"
    if kind == "seconds":
        return format_duration(value)
    return f"{value:,.2f}"


def format_delta(now: float, before: float, kind: str) -> Optional[str]:
    """The change from ``before`` to ``now`` as text (None when there was nothing before)."""
    if kind == "rate":
        return f"{(now - before) * 100:+.2f} pp"
    change = now - before
    relative = f" ({change / before:+.1%})" if before else ""
    if kind == "count":
        return f"{int(change):+,}{relative}"
    if kind == "seconds":
        return ("-" if change < 0 else "+") + format_duration(abs(change)) + relative
    return f"{change:+,.2f}{relative}"


def render_kpis(view: View) -> dict:
    """The metric tiles (durations in m:ss); returns the values shown."""
    values = view_kpis(view)
    earlier = previous_period(view)
    before = view_kpis(earlier) if earlier is not None and not earlier.turns.empty else None
    columns = st.columns(4) + st.columns(4)  # two rows: six-digit counts fit
    for column, (key, label, kind, lower_better) in zip(columns, KPIS):
        delta = format_delta(values[key], before[key], kind) if before else None
        column.metric(label, format_value(values[key], kind), delta=delta,
                      delta_color="inverse" if lower_better else "normal", border=True)
    show_computed_by()
    if before is None:
        st.caption("Pick a date range in the sidebar to compare with the period of the same "
                   "length just before it.")
    else:
        st.caption(f"Changes compare with {earlier.filters.since:%Y-%m-%d %H:%M} – "
                   f"{earlier.filters.until:%Y-%m-%d %H:%M} ({view.tz}), the period of the same "
                   "length just before.")
    return values
