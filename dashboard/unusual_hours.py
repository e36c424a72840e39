"""The Overview's *Unusual hours*: the hours whose traffic or fallback rate is far from the same
hour of the week (``analytics.metrics.anomalies``), and the sessions active in them."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from lexlens.analytics.metrics.anomalies import DEFINITIONS, MIN_WEEKS, sessions_in_hours
from lexlens.dashboard.data import View, derive
from lexlens.dashboard.definitions import explain
from lexlens.dashboard.tables import show_table


def readable(unusual: pd.DataFrame, tz: str) -> pd.DataFrame:
    """hour, metric, value, usual, score, weeks: rates as percentages, one decimal."""
    rate = unusual["metric"] == "fallback rate"
    shown = pd.DataFrame({
        "hour": unusual["bin_start"].dt.tz_convert(tz).dt.strftime("%Y-%m-%d %a %H:00"),
        "metric": unusual["metric"],
        "value": unusual["value"].where(~rate, unusual["value"] * 100).round(1),
        "usual": unusual["usual"].where(~rate, unusual["usual"] * 100).round(1),
        "score": unusual["score"].round(1), "weeks compared": unusual["weeks"].astype(int)})
    shown.loc[rate.to_numpy(), "metric"] = "fallback rate (%)"
    return shown


def render_unusual_hours(view: View, anomalies: pd.DataFrame, unusual: pd.DataFrame) -> None:
    st.subheader("Unusual hours")
    if anomalies.empty:
        st.caption(f"No hour can be judged yet: each needs the same hour in at least {MIN_WEEKS} earlier weeks "
                   "of the data. Widen the date range.")
    elif unusual.empty:
        st.caption(f"None of the {anomalies['bin_start'].nunique():,} hours judged is unusual.")
    else:
        st.caption(f"{len(unusual):,} unusual of the {anomalies['bin_start'].nunique():,} hours judged, shaded "
                   "on the chart above; most unusual first.")
        show_table(readable(unusual, view.tz), "unusual_hours")
        sessions = derive(view, "unusual_sessions", lambda: sessions_in_hours(view.turns, unusual["bin_start"], view.tz))
        sessions = sessions.assign(hour=sessions["hour"].dt.strftime("%Y-%m-%d %H:00"))
        show_table(sessions, "unusual_hour_sessions", session_column="session_id",
                   caption="Sessions with a turn in an unusual hour")
    explain("Unusual hours", extra=DEFINITIONS)
