"""Missed-utterance clusters of one bot and locale: size, examples, trend, suggested intent;
a Lex Test Workbench test set whose expected intents the analyst picks; a cluster can be sent
to the writer (issue 6)."""
import streamlit as st

from lexlens.analytics.metrics import clusters
from lexlens.analytics.report import testset as testsets
from lexlens.analytics.schema import distinct_texts
from lexlens.dashboard import charts
from lexlens.dashboard.data import current_view, derive
from lexlens.dashboard.definitions import explain
from lexlens.dashboard.formats import format_percent, plural
from lexlens.dashboard.safe import plain_frame, plain_text
from lexlens.dashboard.tables import show_table

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

pairs = summary.groupby(["bot_id", "bot_name", "locale"], as_index=False)["turns"].sum() \
    .sort_values("turns", ascending=False, kind="stable")
labels = [plain_text(f"{row.bot_name} · {row.locale}") for row in pairs.itertuples()]
choice = st.selectbox("Bot · locale (clusters never mix them)", range(len(labels)), format_func=labels.__getitem__,
                      key="cluster_pair") if len(labels) > 1 else 0
bot_id, bot_name, locale = pairs.iloc[choice][["bot_id", "bot_name", "locale"]]
part = summary[(summary["bot_id"] == bot_id) & (summary["locale"] == locale)].reset_index(drop=True)
table = part.assign(examples=part["examples"].map(" | ".join)).drop(columns=["bot_id", "bot_name", "locale"])
charts.show_chart(charts.bars(table.head(20), "label", "turns", "Largest clusters (named by their most "
                              "frequent utterance)", "Cluster", "Turns"), "clusters")
show_table(table, "clusters", column_config={"label": st.column_config.TextColumn("label", pinned=True)})
explain("Utterance clusters", "Suggested intent")

trend = derive(view, "cluster_trend", lambda: clusters.compute_cluster_trend(members), low, similarity)
top = part.head(5)
wide = trend[trend["cluster"].isin(top["cluster"])].pivot_table(index="week", columns="cluster",
                                                                values="turns", fill_value=0).reset_index()
names = {c: f"#{c} {label}" for c, label in zip(top["cluster"], top["label"])}
charts.show_chart(charts.time_lines(wide, "week", {c: names[c] for c in top["cluster"] if c in wide},
                                    "Weekly turns of the five largest clusters", "Week (UTC, from Monday)",
                                    "Turns per week", legend_below=True), "cluster_trend")
explain("Trend")

st.subheader("Lex Test Workbench test set")
st.caption(plain_text(f"For {bot_name} · {locale}: tick the clusters to test and pick the intent each should "
                      "reach. A suggested intent is the default only from a "
                      f"{format_percent(clusters.SUGGESTION_MIN_SHARE, 0)} share on."))
full = view.full.turns
bot_intents = [intent for intent in distinct_texts(full.loc[((full["bot_id"] == bot_id) & (full["locale"] == locale))
                                                            .to_numpy(), "intent"]) if intent]
defaults = clusters.default_intents(part)
picks = part[["cluster", "label", "turns", "suggested_intent", "suggested_share"]].assign(
    include=part["cluster"].isin(list(defaults)), expected=part["cluster"].map(defaults))
picks = picks[["include", "cluster", "label", "turns", "suggested_intent", "suggested_share", "expected"]]
edited = st.data_editor(plain_frame(picks), hide_index=True, key=f"testset_{bot_id}_{locale}", height=300,
                        disabled=["cluster", "label", "turns", "suggested_intent", "suggested_share"],
                        column_config={
                            "include": st.column_config.CheckboxColumn("test it"),
                            "label": st.column_config.TextColumn("cluster", pinned=True),
                            "suggested_intent": "suggested intent",
                            "suggested_share": st.column_config.NumberColumn("its share", format="percent"),
                            "expected": st.column_config.SelectboxColumn("expected intent", options=bot_intents)})
intents = {int(row.cluster): row.expected for row in edited.itertuples()
           if row.include and isinstance(row.expected, str) and row.expected}
testset = testsets.build_testset(members, part, intents)
left_out = testsets.count_formula_like(members, part, intents)
st.caption(f"{plural(len(testset), 'utterance')} from {plural(len(intents), 'cluster')}; a cluster needs to be "
           "ticked and given an expected intent"
           + (f"; {plural(left_out, 'utterance')} starting like a spreadsheet formula left out (see How is "
              "this computed?)" if left_out else ""))
st.dataframe(plain_frame(testset), hide_index=True, height=240,
             column_config={"Input": st.column_config.TextColumn("Input", width="large")})
st.download_button("Download test set CSV", testsets.render_testset_csv(testset),
                   f"lex_test_set_{bot_id}_{locale}.csv", "text/csv", key="download_testset",
                   on_click="ignore", disabled=testset.empty)
explain("Test Workbench export")

if st.session_state["settings"].allow_writes:
    st.subheader("Send a cluster to the writer")
    cluster = st.selectbox("Cluster", part["cluster"].tolist(), key="writer_cluster",
                           format_func=lambda c: plain_text(f"#{c} {part.set_index('cluster').loc[c, 'label']}"))
    if st.button("Send its utterances to the writer panel", key="send_cluster"):
        st.session_state["writer_candidates"] = clusters.list_cluster_utterances(members, cluster)
        st.switch_page("views/missed.py")
