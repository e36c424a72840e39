"""Outcomes & funnels: Lex-style intent, conversation and slot outcomes, containment,
drop-off, and the per-intent funnel (issue 6)."""
import plotly.graph_objects as go
import streamlit as st

from lexlens.analytics.metrics import funnels, outcomes as outcome_defs
from lexlens.analytics.metrics.outcomes import compute_containment, compute_conversation_outcomes, \
    compute_intent_outcomes, top_dropoffs
from lexlens.dashboard import charts
from lexlens.dashboard.data import current_view, derive
from lexlens.dashboard.definitions import explain
from lexlens.dashboard.formats import format_percent
from lexlens.dashboard.outcome_settings import view_outcomes
from lexlens.dashboard.safe import escape_plotly_series
from lexlens.dashboard.tables import show_table

COLOURS = {"Success": "#2ca02c", "Failed": "#d62728", "Switched": "#ff7f0e", "Dropped": "#9e9e9e"}

view = current_view()
st.title("Outcomes & funnels")
if view.turns.empty:
    st.info("No turns match the filters. Widen the date range or clear a filter in the sidebar.")
    st.stop()
idle, escalation = view.outcome.idle_timeout_s, view.outcome.escalation
result = view_outcomes(view)
conversations = compute_conversation_outcomes(result)
containment = compute_containment(result)
total = max(sum(conversations.values()), 1)
tiles = st.columns(4)
for tile, name in zip(tiles, ["Success", "Failed", "Dropped"]):
    tile.metric(f"{name} conversations", f"{conversations[name]:,}", format_percent(conversations[name] / total),
                delta_color="off", delta_arrow="off", border=True)
rate = containment["containment_rate"]
tiles[3].metric("Containment rate", format_percent(rate), border=True,
                help="Declare escalation markers under Outcome settings in the sidebar to compute it.")
explain("Conversation outcome", "Containment rate", "Inactivity threshold")

intent_table = derive(view, "intent_outcomes", lambda: compute_intent_outcomes(result), idle, escalation)
top = intent_table.head(20)
fig = go.Figure([go.Bar(y=escape_plotly_series(top["intent"]), x=top[name], name=name, orientation="h",
                        marker_color=COLOURS[name], hovertemplate="%{y}<br>" + name + ": %{x:,} attempts<extra></extra>")
                 for name in outcome_defs.INTENT_OUTCOMES])
fig.update_layout(barmode="stack", legend={"traceorder": "normal"})
fig.update_yaxes(autorange="reversed", type="category", automargin=True)
fig.update_xaxes(**charts.count_axis(top[list(outcome_defs.INTENT_OUTCOMES)].sum(axis=1)))
charts.show_chart(charts.layout(fig, "Intent outcomes (attempts)", "Intent attempts", "Intent",
                                height=max(320, 26 * len(top) + 140)), "intent_outcomes")
show_table(intent_table, "intent_outcomes")
explain("Intent outcome")

st.subheader("Slot outcomes")
runs = derive(view, "slot_runs", lambda: funnels.build_slot_runs(result), idle, escalation)
show_table(funnels.compute_slot_outcomes(runs), "slot_outcomes")
explain(*funnels.DEFINITIONS.keys())

st.subheader("Drop-off")
show_table(top_dropoffs(result, 50), "dropoffs", caption="where dropped conversations stopped")
explain("Drop-off")

st.subheader("Per-intent funnel")
funnel = derive(view, "funnel", lambda: funnels.compute_funnel(result, runs), idle, escalation)
if funnel.empty:
    st.info("No intent attempts in the filtered turns.")
else:
    names = list(dict.fromkeys(funnel["intent"].astype(str)))
    intent = st.selectbox("Intent", names, key="funnel_intent")
    steps = funnel[funnel["intent"].astype(str) == intent].sort_values("order")
    # a bar per step: the attempts that passed it (the last, Fulfilled, is the successes); the
    # attempts that reached a step are the bar before it
    figure = go.Figure(go.Funnel(y=escape_plotly_series(steps["step"]), x=steps["passed"],
                                 texttemplate="%{value:,}<br>%{percentInitial:.0%}",  # 95,093, not 95.093k
                                 hovertemplate="%{y}<br>passed: %{x:,} attempts<extra></extra>"))
    charts.show_chart(charts.layout(figure, "Funnel of the chosen intent", "Attempts", "Step"), "funnel")
    show_table(steps, "funnel")
