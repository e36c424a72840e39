"""Intents: top intents, intent x hour heatmap, the conversation flow and the top paths."""
from functools import cache

import streamlit as st

from lexlens.analytics.metrics.heatmaps import compute_intent_heatmap
from lexlens.analytics.metrics.intents import top_intents
from lexlens.analytics.metrics.paths import (compute_path_steps, compute_returning_transitions, compute_step_flow,
                                           fold_flow, top_paths)
from lexlens.dashboard import charts
from lexlens.dashboard.data import current_view, derive
from lexlens.dashboard.definitions import explain
from lexlens.dashboard.flow_chart import flow_figure
from lexlens.dashboard.safe import plain_text
from lexlens.dashboard.sidebar import distinct_pairs
from lexlens.dashboard.tables import show_table

view = current_view()
st.title("Intents")
if view.turns.empty:
    st.info("No turns match the filters. Widen the date range or clear a filter in the sidebar.")
    st.stop()
intents = derive(view, "top_intents", lambda: top_intents(view.turns))
left, right = st.columns(2)  # the table's five columns fit without a scroll (at 3:2 "missed" was cut off)
with left:
    charts.show_chart(charts.bars(intents.head(20), "intent", "turns", "Top intents by turns",
                                  "Intent", "Turns"), "top_intents")
with right:
    show_table(intents, "intents")
explain("Top intents")

heat = derive(view, "intent_heatmap", lambda: compute_intent_heatmap(view.turns, view.tz))
charts.show_chart(charts.heatmap(heat.head(25), f"Turns per intent and hour of day ({view.tz})",
                                 "Hour of day", "Intent", "Turns"), "intent_heatmap")
explain("Intent heatmap", "Times")

st.subheader("Conversation flow")
bots = view.turns.groupby("bot_id", observed=True).size().sort_values(ascending=False)
# from the distinct pairs: zipping every row's id and name took 3 s a visit at a million records
pairs = distinct_pairs(view.turns, "bot_id", "bot_name")
names = dict(zip(pairs["bot_id"], pairs["bot_name"]))
left, middle, right = st.columns(3)
bot = left.selectbox("Bot", [str(b) for b in bots.index], key="flow_bot",
                     format_func=lambda b: plain_text(f"{names.get(b, b)} ({b})")) if len(bots) > 1 else str(bots.index[0])
depth = middle.slider("Steps shown", 2, 8, 3, key="flow_depth")
links = right.slider("Links shown (the rest folded into Other)", 6, 60, 15, key="flow_links")


@cache
def bot_turns():
    """The chosen bot's turns, cut only when a figure of them is computed (not on a visit that
    finds them all computed)."""
    return view.turns if len(bots) == 1 else view.turns[(view.turns["bot_id"] == bot).to_numpy()]


@cache
def bot_steps():
    """The chosen bot's path steps, once for the three figures below that need them."""
    return compute_path_steps(bot_turns())


flow = derive(view, "step_flow", lambda: compute_step_flow(bot_turns(), depth, steps=bot_steps()), bot, depth)
charts.show_chart(flow_figure(fold_flow(flow, links), depth), "flow")
st.caption(f"{plain_text(names.get(bot, bot))}: each column is a step of the sessions' paths; links are as wide "
           "as the sessions taking them. Less travelled intents are folded into Other; sessions "
           f"longer than {depth} steps go to '{'More steps'}'.")
paths = derive(view, "top_paths", lambda: top_paths(bot_turns(), None, steps=bot_steps()), bot)
show_table(paths.head(500), "top_paths", caption="whole paths, most frequent first",
           column_config={"path": st.column_config.TextColumn("path", width="large")})
returning = derive(view, "returning_transitions", lambda: compute_returning_transitions(bot_turns(), steps=bot_steps()),
                   bot)
show_table(returning.assign(transition=returning["source"] + " → " + returning["target"])
           .drop(columns=["source", "target"]), "returning_transitions",
           caption="moves back into an intent the session had already visited",
           column_config={"transition": st.column_config.TextColumn("from → to", width="large")})
explain("Intent paths", "Conversation flow", "Returning transitions")
