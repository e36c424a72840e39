"""Overview: KPI tiles with changes, activity over time, unusual hours, modality, sentiment."""
from dataclasses import replace

import streamlit as st

from lexlens.analytics.metrics.breakdowns import compute_modality
from lexlens.analytics.metrics.sentiment import compute_sentiment_summary
from lexlens.analytics.metrics.anomalies import compute_anomalies, unusual_hours, within_window
from lexlens.analytics.metrics.timeseries import BIN_LABELS, choose_bin, compute_activity_over_time
from lexlens.dashboard import charts
from lexlens.dashboard.data import current_view, derive, filter_stamped
from lexlens.dashboard.definitions import explain
from lexlens.dashboard.kpis import render_kpis
from lexlens.dashboard.sentiment_chart import sentiment_figure
from lexlens.dashboard.unusual_hours import render_unusual_hours

view = current_view()
st.title("Overview")
if view.turns.empty:
    st.info("No turns match the filters. Widen the date range or clear a filter in the sidebar.")
    st.stop()
render_kpis(view)
explain("Record", "Session", "Conversation", "Fallback rate", "Session duration", "Mean turns",
        "Previous period")

times = view.turns["time"].dt.tz_convert(view.tz)
freq = choose_bin(times.min(), times.max())
activity = derive(view, "activity", lambda: compute_activity_over_time(view.turns, freq, view.tz))
unit = BIN_LABELS.get(freq, freq)
# the baseline may come from weeks before the chosen dates: the data under every other filter
baseline = replace(view.filters, since=None, until=None)
anomalies = derive(view, "anomalies", lambda: within_window(
    compute_anomalies(filter_stamped(view.stamp, baseline, view.full).turns, view.tz, view.filters.until),
    view.filters.since, view.filters.until))
unusual = unusual_hours(anomalies)
activity_chart = charts.time_lines(
    activity, "bin_start", {"utterances": "Messages (utterances)", "active_sessions": "Active sessions",
                            "sessions_started": "Sessions started"},
    f"Messages and sessions per {unit}", f"Time ({view.tz})", f"Count per {unit}",
    # sessions are short: per hour or day, those active and those started are nearly equal, and
    # the started line hid the active one; a wide line under a dotted one shows both
    lines={"active_sessions": {"width": 5}, "sessions_started": {"dash": "dot", "width": 2}})
charts.show_chart(charts.mark_hours(activity_chart, unusual["bin_start"]), "activity")
explain("Activity over time", "Utterance", "Times")
render_unusual_hours(view, anomalies, unusual)

left, right = st.columns(2)
with left:
    modality = derive(view, "modality", lambda: compute_modality(view.turns))
    charts.show_chart(charts.bars(modality, "input_mode", "turns", "Modality: turns per input mode",
                                  "Input mode", "Turns", horizontal=False), "modality")
    explain("Modality")
with right:
    summary = derive(view, "sentiment", lambda: compute_sentiment_summary(view.turns))
    charts.show_chart(sentiment_figure(summary), "sentiment")
    explain("Sentiment")
