"""Generative answers: QnAIntent questions, Bedrock agent turns, assisted NLU (issue 15)."""
import streamlit as st

from lexlens.analytics.metrics import assisted_nlu, generative, outcomes
from lexlens.analytics.metrics.timeseries import choose_bin
from lexlens.dashboard import charts
from lexlens.dashboard.data import current_view, derive
from lexlens.dashboard.definitions import explain
from lexlens.dashboard.formats import plural
from lexlens.dashboard.outcome_settings import view_conversations, view_outcomes
from lexlens.dashboard.tables import show_table

DEFINITIONS = {**generative.DEFINITIONS, **assisted_nlu.DEFINITIONS,
               "Intent outcome": outcomes.DEFINITIONS["Intent outcome"]}

view = current_view()
st.title("Generative answers")
if view.turns.empty:
    st.info("No turns match the filters. Widen the date range or clear a filter in the sidebar.")
    st.stop()

marked = derive(view, "generative_turns",
                lambda: generative.mark_generative_turns(view.data, view_conversations(view).keys))
summary = generative.compute_generative_summary(marked, view.data)
tiles = st.columns(5)
for column, (key, label) in zip(tiles, [("qna_turns", "QnA questions"), ("qna_answered", "Answered"),
                                        ("qna_unanswered", "Unanswered"),
                                        ("bedrock_agent_turns", "Bedrock agent turns"),
                                        ("bedrock_interpretations", "Bedrock interpretations")]):
    column.metric(label, f"{summary[key]:,}")
explain("QnA turn", "Bedrock agent turn", "Assisted NLU", extra=DEFINITIONS)

st.subheader("Questions to generative answers")
if not summary["qna_turns"]:
    st.info("No QnAIntent turn in the filtered range: no turn carries Lex's QnA attributes "
            "(x-amz-lex:qnA-search-response), and no intent of such a turn was found.")
else:
    freq = "1h" if choose_bin(view.turns["time"].min(), view.turns["time"].max()).endswith(("min", "h")) else "1D"
    over_time = derive(view, "qna_over_time", lambda: generative.compute_qna_over_time(marked, freq, view.tz), freq)
    charts.show_chart(charts.time_lines(over_time, "bin_start", {"answered": "Answered", "unanswered": "Unanswered"},
                                        "QnA questions, answered and not", f"Time ({view.tz})", "Questions"),
                      "qna_over_time")
    st.markdown("**Top unanswered questions**")
    unanswered = derive(view, "qna_unanswered", lambda: generative.top_unanswered_questions(marked))
    show_table(unanswered, "qna_unanswered", caption="grouped by spelling similarity, most asked first",
               column_config={"label": st.column_config.TextColumn("question", width="large", pinned=True)})
    explain("QnA turn", "Unanswered questions", extra=DEFINITIONS)
    if st.session_state["settings"].allow_writes:
        from lexlens.dashboard.writer_panel import render_writer_panel

        render_writer_panel(view, derive(view, "qna_unanswered_utterances",
                                         lambda: generative.unanswered_utterances(marked)),
                            noun="unanswered questions")
    else:
        st.caption("Adding unanswered questions to an intent as sample utterances is off. Start the "
                   "dashboard with `lexlens serve --allow-writes` to enable the writer panel.")

st.subheader("Knowledge-base sources cited")
sources = derive(view, "generative_sources", lambda: generative.count_sources(view.data, marked))
if sources.empty:
    st.info("No answered QnA or Bedrock agent turn cites a source in the filtered range.")
else:
    charts.show_chart(charts.bars(sources.head(20).assign(label=sources["kind"] + ": " + sources["source"]),
                                  "label", "turns", "Sources cited (top 20)", "Source", "Turns"), "sources")
    show_table(sources, "generative_sources")
explain("Knowledge-base sources", extra=DEFINITIONS)

st.subheader("Bedrock agent")
agent = generative.compute_agent_conversations(marked)
if not agent["turns"]:
    st.info("No AMAZON.BedrockAgentIntent turn in the filtered range (no x-amz-lex:bedrock-agent-* attribute).")
else:
    left, middle, right = st.columns(3)
    left.metric("Agent conversations", f"{agent['conversations']:,}")
    middle.metric("Agent turns", f"{agent['turns']:,}")
    right.metric("Turns per agent conversation", f"{agent['turns_per_conversation']:.2f}")
    actions = derive(view, "agent_actions", lambda: generative.count_action_groups(view.data, marked))
    if actions.empty:
        st.caption("No action-group invocation is logged for these turns.")
    else:
        show_table(actions, "agent_action_groups", caption="action-group invocations, where logged")
explain("Bedrock agent turn", extra=DEFINITIONS)

st.subheader("Assisted NLU")
by_intent = derive(view, "bedrock_by_intent", lambda: assisted_nlu.compute_bedrock_share_by_intent(view.turns))
if by_intent.empty or not by_intent["bedrock_turns"].any():
    st.info("No turn in the filtered range has a top interpretation resolved by Bedrock "
            "(interpretationSource: Bedrock).")
else:
    shown = by_intent[by_intent["bedrock_turns"] > 0]
    charts.show_chart(charts.bars(shown, "intent", "bedrock_share", "Share of turns resolved by Bedrock, per intent",
                                  "Intent", "Share of the intent's turns", percent=True), "bedrock_share")
    daily = derive(view, "bedrock_over_time", lambda: assisted_nlu.compute_bedrock_share_over_time(view.turns, view.tz))
    charts.show_chart(charts.time_lines(daily, "day", {"bedrock_share": "Resolved by Bedrock"},
                                        "Share of turns resolved by Bedrock, per day", f"Day ({view.tz})",
                                        "Share of turns", percent=True), "bedrock_over_time")
    compared = derive(view, "bedrock_outcomes", lambda: assisted_nlu.compare_outcomes_by_source(
        view_outcomes(view), view.turns), view.outcome.idle_timeout_s, view.outcome.escalation)
    st.markdown(f"**How those intents ended** ({plural(int(compared['attempts'].sum()), 'intent attempt')})")
    show_table(compared, "assisted_nlu_outcomes",
               column_config={"success_rate": st.column_config.NumberColumn("success rate", format="percent")})
    show_table(by_intent, "assisted_nlu_by_intent",
               column_config={"bedrock_share": st.column_config.NumberColumn("Bedrock share", format="percent")})
explain("Assisted NLU", "Intent outcome", extra=DEFINITIONS)
