"""Conversations: session duration and turns distributions, top sessions, session heatmap."""
import streamlit as st

from lexlens.analytics.metrics.heatmaps import compute_session_heatmap
from lexlens.analytics.metrics.sessions import compute_duration_stats, compute_turns_per_session, top_sessions
from lexlens.dashboard import charts
from lexlens.dashboard.data import current_view, derive
from lexlens.dashboard.definitions import explain
from lexlens.dashboard.formats import format_duration
from lexlens.dashboard.kpis import view_sessions
from lexlens.dashboard.tables import show_table

view = current_view()
st.title("Conversations")
if view.turns.empty:
    st.info("No turns match the filters. Widen the date range or clear a filter in the sidebar.")
    st.stop()
sessions = view_sessions(view)
durations = compute_duration_stats(sessions)
turn_stats = compute_turns_per_session(sessions)
tiles = st.columns(3) + st.columns(3)
for tile, (label, value) in zip(tiles, [
        ("Median duration", format_duration(durations["median"])), ("Mean duration", format_duration(durations["mean"])),
        ("90th percentile duration", format_duration(durations["p90"])), ("Median turns", f"{turn_stats['median']:,.0f}"),
        ("Mean turns", f"{turn_stats['mean']:,.2f}"), ("Most turns", f"{turn_stats['max']:,}")]):
    tile.metric(label, value, border=True, help="m:ss (h:mm:ss from an hour on)" if "duration" in label else None)

left, right = st.columns(2)
with left:
    charts.show_chart(charts.duration_histogram(sessions["duration_s"], "Session duration", "Sessions"),
                      "durations")
    explain("Session duration")
with right:
    charts.show_chart(charts.clipped_histogram(sessions["turns"], "Turns per session", "Turns (records)",
                                               "Sessions"), "turns")
    explain("Turns per session")

st.subheader("Top sessions")
top = top_sessions(sessions, 50)[["session_id", "bot_name", "alias_name", "locale", "start", "end",
                                   "duration_s", "turns", "utterances", "missed", "conversations"]]
top = top.assign(start=top["start"].dt.tz_convert(view.tz), end=top["end"].dt.tz_convert(view.tz))
show_table(top, "top_sessions", session_column="session_id",
           caption="the 50 sessions with the most turns")
explain("Top sessions")

heat = derive(view, "session_heatmap", lambda: compute_session_heatmap(view.turns, view.tz))
charts.show_chart(charts.heatmap(heat, f"Active sessions by weekday and hour ({view.tz})",
                                 "Hour of day", "Weekday", "Sessions"), "session_heatmap")
explain("Session heatmap", "Times")
