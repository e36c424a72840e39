"""The Overview's *Unusual hours*: the hours whose traffic or fallback rate is far from the same
hour of the week (``analytics.metrics.anomalies``), and the sessions active in them."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from lexlens.analytics.metrics.anomalies import DEFINITIONS, MIN_WEEKS, sessions_in_hours
from lexlens.dashboard.data import View, derive
from lexlens.dashboard.definitions import explain
from lexlens.dashboard.formats import HOUR_FORMAT
from lexlens.dashboard.tables import show_table


ALL_HOURS = "all"  # the picker's option for the sessions of every unusual hour at once
KEPT_PICK = "unusual_hour_kept"


def readable(unusual: pd.DataFrame, tz: str) -> pd.DataFrame:
    """hour, metric, value, usual, score, weeks: rates as percentages, one decimal."""
    rate = unusual["metric"] == "fallback rate"
    shown = pd.DataFrame({
        "hour": unusual["bin_start"].dt.tz_convert(tz).dt.strftime(HOUR_FORMAT),
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
        hours, picked = pick_hour(unusual, view.tz)
        sessions = derive(view, "unusual_sessions", lambda: sessions_in_hours(view.turns, hours, view.tz), picked)
        sessions = sessions.assign(hour=sessions["hour"].dt.strftime(HOUR_FORMAT))
        show_table(sessions, "unusual_hour_sessions", session_column="session_id",
                   caption="Sessions with a turn in " + ("an unusual hour" if picked == ALL_HOURS else picked))
    explain("Unusual hours", extra=DEFINITIONS)


def pick_hour(unusual: pd.DataFrame, tz: str) -> tuple[pd.Series, str]:
    """The analyst's choice of whose sessions to list: one unusual hour (the most unusual by
    default) or all of them; the hours chosen and the choice. In two months of a mid-size bot
    (a million records) 16,911 sessions fell in the 112 unusual hours: a table of them all took
    about 0.3 s of the landing page to draw, and an hour at a time is what one reads anyway."""
    hours = unusual["bin_start"].drop_duplicates()  # an hour unusual for two metrics, once
    labels = hours.dt.tz_convert(tz).dt.strftime(HOUR_FORMAT).tolist()
    options = [*labels, ALL_HOURS]
    kept = st.session_state.get(KEPT_PICK)  # the widget's own state goes when a transcript is opened
    picked = st.selectbox("Sessions active in", options, index=options.index(kept) if kept in options else 0,
                          key="unusual_hour",
                          format_func=lambda label: f"all {len(labels):,} unusual hours" if label == ALL_HOURS else label,
                          help="An unusual hour of the table above (the most unusual first), or all of them.")
    st.session_state[KEPT_PICK] = picked  # Back from a transcript finds the hour it came from
    if picked == ALL_HOURS:
        return hours, ALL_HOURS
    index = labels.index(picked) if picked in labels else 0
    return hours.iloc[[index]], labels[index]
