"""Intents: top intents, intent x hour heatmap, the intent-path Sankey and the top paths."""
import streamlit as st

from analytics.heatmaps import compute_intent_heatmap
from analytics.intents import top_intents
from analytics.paths import build_intent_graph, compute_path_edges, top_paths
from dashboard import charts
from dashboard.data import current_view, derive
from dashboard.definitions import explain
from dashboard.sankey import sankey_figure
from dashboard.tables import show_table

view = current_view()
st.title("Intents")
if view.turns.empty:
    st.info("No turns match the filters. Widen the date range or clear a filter in the sidebar.")
    st.stop()
intents = derive(view, "top_intents", lambda: top_intents(view.turns))
left, right = st.columns([3, 2])
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

st.subheader("Intent paths")
edges = derive(view, "path_edges", lambda: compute_path_edges(build_intent_graph(view.turns)))
left, right = st.columns([3, 2])
with left:
    links = st.slider("Links shown", 5, max(5, min(200, len(edges))), min(60, max(5, len(edges))),
                      key="sankey_links") if len(edges) > 5 else len(edges)
    charts.show_chart(sankey_figure(edges, links), "sankey")
    st.markdown(":blue[■] forward transition  ·  :red[■] returning (back to an intent the session "
                "already visited)  ·  START and END mark the first and last step of each session")
with right:
    paths = derive(view, "top_paths", lambda: top_paths(view.turns, None))
    show_table(paths.head(500), "top_paths", caption="whole paths, most frequent first")
explain("Intent paths")
