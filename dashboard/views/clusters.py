"""Missed-utterance clusters: size, examples, trend, suggested intent; CSV and Lex Test
Workbench exports; a cluster can be sent to the writer (issue 6)."""
import pandas as pd
import streamlit as st

from analytics import clusters
from analytics.csvsafe import FORMULA_STARTS, to_safe_csv
from dashboard import charts
from dashboard.data import current_view, derive
from dashboard.definitions import explain
from dashboard.tables import show_table

view = current_view()
st.title("Missed-utterance clusters")
if view.turns.empty:
    st.info("No turns match the filters. Widen the date range or clear a filter in the sidebar.")
    st.stop()
left, right = st.columns(2)
low = left.slider("Low-confidence threshold", 0.0, 1.0, clusters.LOW_CONFIDENCE, 0.05, key="cl_low")
similarity = right.slider("Similarity threshold", 0.1, 0.95, clusters.SIMILARITY, 0.05, key="cl_sim")
members = derive(view, "cluster_members", lambda: clusters.cluster_utterances(view.data, low, similarity),
                 low, similarity)
summary = derive(view, "cluster_summary", lambda: clusters.summarise_clusters(members), low, similarity)
if summary.empty:
    st.info("No missed or low-confidence utterances in the filtered range.")
    st.stop()
table = summary.assign(examples=summary["examples"].map(" | ".join))
charts.show_chart(charts.bars(table.head(20), "label", "turns", "Largest clusters (named by their most "
                              "frequent utterance)", "Cluster", "Turns"), "clusters")
show_table(table, "clusters")
explain("Utterance clusters", "Suggested intent", extra=clusters.DEFINITIONS)

trend = derive(view, "cluster_trend", lambda: clusters.compute_cluster_trend(members), low, similarity)
top = summary.head(5)
wide = trend[trend["cluster"].isin(top["cluster"])].pivot_table(index="week", columns="cluster",
                                                                values="turns", fill_value=0).reset_index()
names = {c: f"#{c} {label[:40]}" for c, label in zip(top["cluster"], top["label"])}
charts.show_chart(charts.time_lines(wide, "week", {c: names[c] for c in top["cluster"] if c in wide},
                                    "Weekly turns of the five largest clusters", "Week (UTC, from Monday)",
                                    "Turns per week"), "cluster_trend")
explain("Trend", extra=clusters.DEFINITIONS)

st.subheader("Export a Lex Test Workbench test set")
chosen = st.multiselect("Clusters", summary["cluster"].tolist(), default=summary["cluster"].head(10).tolist(),
                        format_func=lambda c: f"#{c} {summary.set_index('cluster').loc[c, 'label']}",
                        key="testset_clusters")
testset = clusters.build_testset(members, summary, chosen=chosen)
risky = testset["Input"].astype(str).str.startswith(FORMULA_STARTS)
testset = testset[~risky].assign(**{"Line #": lambda t: range(1, len(t) + 1)})
st.caption(f"{len(testset):,} utterances; clusters without a suggested intent are left out"
           + (f"; {int(risky.sum())} starting like a spreadsheet formula are left out" if risky.any() else ""))
st.dataframe(testset, hide_index=True, height=240)
st.download_button("Download test set CSV", to_safe_csv(testset), "lexlens-testset.csv", "text/csv",
                   key="download_testset", on_click="ignore")
explain("Test Workbench export", extra=clusters.DEFINITIONS)

if st.session_state["settings"].allow_writes:
    st.subheader("Send a cluster to the writer")
    cluster = st.selectbox("Cluster", summary["cluster"].tolist(), key="writer_cluster",
                           format_func=lambda c: f"#{c} {summary.set_index('cluster').loc[c, 'label']}")
    if st.button("Send its utterances to the writer panel", key="send_cluster"):
        st.session_state["writer_candidates"] = clusters.list_cluster_utterances(members, cluster)
        st.switch_page("views/missed.py")
