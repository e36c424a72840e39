"""NLU health: confidence per intent, near misses, intent confusion, switched intents (issue 6)."""
import streamlit as st

from lexlens.analytics.metrics import nlu
from lexlens.dashboard import charts
from lexlens.dashboard.data import current_view, derive
from lexlens.dashboard.definitions import explain
from lexlens.dashboard.outcome_settings import view_outcomes
from lexlens.dashboard.tables import show_table

view = current_view()
st.title("NLU health")
if view.turns.empty:
    st.info("No turns match the filters. Widen the date range or clear a filter in the sidebar.")
    st.stop()

st.subheader("Confidence per intent")
histogram = derive(view, "confidence_histogram", lambda: nlu.compute_confidence_histogram(view.data))
if histogram.empty:
    st.info("No turn in the filtered range carries an nluConfidence.")
else:
    matrix = histogram.assign(bin=histogram["low"].map(lambda low: f"{low:.1f}")) \
        .pivot_table(index="intent", columns="bin", values="turns", aggfunc="sum", fill_value=0, observed=True)
    matrix = matrix.loc[matrix.sum(axis=1).sort_values(ascending=False).index]
    charts.show_chart(charts.heatmap(matrix, "Turns per intent and nluConfidence bin",
                                     "nluConfidence (bin start)", "Intent", "Turns"), "confidence")
    show_table(derive(view, "confidence", lambda: nlu.compute_confidence_distribution(view.data)),
               "confidence_per_intent", column_config={
                   name: st.column_config.NumberColumn(name, format="%.2f")
                   for name in ("mean", "p10", "p25", "median", "p75", "p90", "min")})
explain("Confidence distribution")

st.subheader("Near misses")
left, right = st.columns(2)
threshold = left.slider("Confidence below", 0.0, 1.0, nlu.NEAR_MISS_CONFIDENCE, 0.05, key="nm_conf")
margin = right.slider("…or margin to the runner-up below", 0.0, 0.5, nlu.NEAR_MISS_MARGIN, 0.01, key="nm_margin")
misses = derive(view, "near_misses", lambda: nlu.top_near_misses(view.data, threshold, margin), threshold, margin)
shown = misses.head(2000)[["transcript", "intent", "nlu_confidence", "runner_up_intent", "runner_up_confidence",
                           "margin", "reason", "time", "session_id"]]
shown = shown.assign(time=shown["time"].dt.tz_convert(view.tz))
show_table(shown, "near_misses", session_column="session_id", caption="smallest margin first, at most 2,000",
           column_config={"transcript": st.column_config.TextColumn("utterance", width="medium", pinned=True),
                          "nlu_confidence": st.column_config.NumberColumn("confidence", format="%.2f"),
                          "runner_up_confidence": st.column_config.NumberColumn("runner-up confidence",
                                                                                format="%.2f"),
                          "margin": st.column_config.NumberColumn("margin", format="%.2f")})
explain("Near miss")

st.subheader("Intent confusion")
pairs = derive(view, "confusion", lambda: nlu.compute_confusion_pairs(view.data))
if not pairs.empty:
    top = pairs.head(15).assign(pair=lambda t: t["intent_a"].astype(str) + " ↔ " + t["intent_b"].astype(str))
    # the bars are the measure the pairs are ranked by (the smaller direction), so they shorten down
    charts.show_chart(charts.bars(top, "pair", "mutual", "Intent pairs most often each other's runner-up",
                                  "Intent pair", "Turns each way (the fewer of A→B and B→A)"), "confusion")
show_table(pairs, "confusion_pairs",
           column_config={"mean_margin": st.column_config.NumberColumn("mean margin", format="%.2f")})
explain("Intent confusion")

st.subheader("Switched intents")
idle, escalation = view.outcome.idle_timeout_s, view.outcome.escalation
result = view_outcomes(view)
switches = derive(view, "switches", lambda: nlu.compute_switch_matrix(result.attempts), idle, escalation)
if switches.empty:
    st.info("No intent was switched in the filtered range.")
else:
    charts.show_chart(charts.heatmap(switches, "Switched intent attempts: from (rows) to (columns)",
                                     "Switched to", "Switched from", "Attempts"), "switch_matrix")
explain("Switched-intent matrix")
