"""Missed utterances: trend, rate, per previous intent, top-N table, history, writer panel."""
import streamlit as st

from lexlens.analytics.metrics.timeseries import BIN_LABELS, choose_bin, compute_activity_over_time
from lexlens.analytics.metrics.totals import compute_totals
from lexlens.analytics.metrics.utterances import message_history, missed_by_previous_intent, top_utterances
from lexlens.dashboard import charts
from lexlens.dashboard.data import current_view, derive
from lexlens.dashboard.definitions import explain
from lexlens.dashboard.formats import format_percent
from lexlens.dashboard.kpis import view_sessions
from lexlens.dashboard.tables import show_table

HISTORY_ROWS = 2000

view = current_view()
st.title("Missed utterances")
if view.turns.empty:
    st.info("No turns match the filters. Widen the date range or clear a filter in the sidebar.")
    st.stop()
totals = derive(view, "totals", lambda: compute_totals(view.turns, view_sessions(view)))
tiles = st.columns(3)
tiles[0].metric("Missed utterances", f"{totals['missed_utterances']:,}", border=True)
tiles[1].metric("Utterances", f"{totals['utterances']:,}", border=True)
tiles[2].metric("Fallback rate", format_percent(totals["fallback_rate"], 2), border=True)

times = view.turns["time"].dt.tz_convert(view.tz)
freq = choose_bin(times.min(), times.max())
activity = derive(view, "activity", lambda: compute_activity_over_time(view.turns, freq, view.tz))
unit = BIN_LABELS.get(freq, freq)
left, right = st.columns(2)
with left:
    charts.show_chart(charts.time_lines(activity, "bin_start", {"missed": "Missed utterances"},
                                        f"Missed utterances per {unit}", f"Time ({view.tz})",
                                        f"Missed utterances per {unit}"), "missed_trend")
with right:
    charts.show_chart(charts.time_lines(activity, "bin_start", {"fallback_rate": "Fallback rate"},
                                        f"Fallback rate per {unit}", f"Time ({view.tz})",
                                        "Missed utterances / utterances (%)", percent=True), "fallback_rate")
explain("Missed utterance", "Fallback rate", "Activity over time")

by_intent = derive(view, "missed_by_intent", lambda: missed_by_previous_intent(view.turns))
charts.show_chart(charts.bars(by_intent.head(20), "previous_intent", "missed",
                              "Missed utterances by the intent just before", "Previous intent",
                              "Missed utterances"), "missed_by_intent")
explain("Missed by previous intent")

st.subheader("Top missed utterances")
top_n = st.slider("How many", 10, 500, 50, step=10, key="missed_top_n")
top = derive(view, "top_missed", lambda: top_utterances(view.turns, top_n, missed_only=True), top_n)
show_table(top, "missed_utterances", column_config={
    "utterance": st.column_config.TextColumn("utterance", width="large", pinned=True),
    "obfuscated": st.column_config.CheckboxColumn("obfuscated by Lex", help="Lex replaced what the user "
                                                   "said by the slot's name (slot obfuscation)")})
explain("Top utterances", "Obfuscated utterances")

st.subheader("History")
history = derive(view, "missed_history", lambda: message_history(view.turns, missed_only=True,
                                                                   limit=HISTORY_ROWS))
history = history.assign(time=history["time"].dt.tz_convert(view.tz)).drop(columns=["turn", "session_key"])
history = history[["time", "transcript", "intent", "intent_state", "input_mode", "session_id", "missed"]]
show_table(history, "missed_history", session_column="session_id",
           column_config={"transcript": st.column_config.TextColumn("utterance", width="large", pinned=True),
                          "missed": None},
           caption=f"newest first, at most {HISTORY_ROWS:,}")
explain("Message history", "Times")

if st.session_state["settings"].allow_writes:
    from lexlens.dashboard.writer_panel import render_writer_panel

    render_writer_panel(view, derive(view, "all_missed", lambda: top_utterances(
        view.turns, None, missed_only=True)))
else:
    st.caption("Adding missed utterances to a bot is off. Start the dashboard with "
               "`lexlens serve --allow-writes` to enable the writer panel.")
