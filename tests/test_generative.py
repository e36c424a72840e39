"""Generative answers: QnAIntent turns, Bedrock agent turns, assisted NLU, and the generator's
HelpDeskBot that shows them.

Attribute names as the Lex V2 developer guide spells them:
https://docs.aws.amazon.com/lexv2/latest/dg/built-in-intent-qna.html (QnAIntent; no-answer:
https://docs.aws.amazon.com/lexv2/latest/dg/built-in-intent-qna-multi.html),
https://docs.aws.amazon.com/lexv2/latest/dg/bedrock-agent-intent-sample.html (Bedrock agent),
https://docs.aws.amazon.com/lexv2/latest/dg/conversation-logs-cw.html (interpretationSource).
"""
from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timezone

import pytest

from lexlens.analytics.metrics import assisted_nlu, generative, outcomes
from lexlens.analytics.metrics.conversations import compute_conversations
from lexlens.analytics.report.build import ReportOptions, build_report
from lexlens.analytics.simulator.generate import generate_records
from lex_records import load, record

QNA = {"x-amz-lex:qnA-search-response": "You can return items within 30 days.",
       "x-amz-lex:qnA-search-response-source": "s3://kb/returns.pdf"}
# The attributes of the guide's AMAZON.BedrockAgentIntent sample (bedrock-agent-intent-sample.html)
DOC_AGENT = {
    "x-amz-lex:bedrock-agent-search-response": "Your order #12345 is currently being processed and will ship "
                                               "within 2-3 business days. You will receive a tracking number "
                                               "via email once it ships.",
    "x-amz-lex:bedrock-knowledge-base-search-response-source": json.dumps([{
        "title": "Order Processing Guide", "uri": "s3://knowledge-base/orders/processing.pdf",
        "excerpt": "Standard orders typically ship within 2-3 business days..."}]),
    "x-amz-lex:bedrock-agent-action-group-invocation-input": json.dumps({
        "actionGroupName": "OrderLookup", "function": "getOrderStatus",
        "parameters": {"orderId": "12345", "customerId": "67890"}}),
    "x-amz-lex:bedrock-agent-knowledge-base-lookup-input": json.dumps({
        "knowledgeBaseId": "KB123456", "query": "order status processing time", "numberOfResults": 3}),
}


def marked(records: list[dict]):
    data = load(records)
    return data, generative.mark_generative_turns(data, compute_conversations(data.turns, idle_timeout_s=300).keys)


def summary(records: list[dict]) -> dict:
    data, found = marked(records)
    return generative.compute_generative_summary(found, data)


def qna(session, seconds, text, state="Fulfilled", attributes=QNA, **options):
    return record(session, seconds, text, intent="FAQ", state=state, action="ElicitIntent",
                  attributes=dict(attributes), **options)


def test_the_guides_bedrock_agent_sample():
    """bedrock-agent-intent-sample.html: one agent turn, its source, its action group."""
    turn = record("user-session-123", 0, "where is my order", intent="BedrockAgentIntent", state="Fulfilled",
                  action="ElicitIntent", attributes=DOC_AGENT, message=DOC_AGENT[
                      "x-amz-lex:bedrock-agent-search-response"])
    data, found = marked([turn])
    assert generative.compute_generative_summary(found, data)["bedrock_agent_turns"] == 1
    assert generative.count_sources(data, found).to_dict("records") == [
        {"kind": "Bedrock agent", "source": "s3://knowledge-base/orders/processing.pdf", "turns": 1}]
    assert generative.count_action_groups(data, found).to_dict("records") == [
        {"action_group": "OrderLookup", "function": "getOrderStatus", "turns": 1}]
    assert generative.compute_agent_conversations(found) == {"conversations": 1, "turns": 1,
                                                             "turns_per_conversation": 1.0}


@pytest.mark.parametrize("records, expected", [
    ([], (0, 0, 0)),
    ([qna("s1", 0, "return policy?")], (1, 1, 0)),
    # the QnAIntent's failure step (no answer): unanswered, recognised by its intent
    ([qna("s1", 0, "return policy?"), qna("s2", 0, "price match?", state="Failed", attributes={})], (2, 1, 1)),
    # an empty answer text is no answer
    ([qna("s1", 0, "hours?", attributes={**QNA, "x-amz-lex:qnA-search-response": " "})], (1, 0, 1)),
    # a fall back to FallbackIntent after a QnA attempt is no answer either
    ([qna("s1", 0, "return policy?"), qna("s2", 0, "gift wrap?", missed=True)], (2, 1, 1)),
    # session attributes outlive their turn: a later turn on another intent is not a QnA turn
    ([qna("s1", 0, "return policy?"), record("s1", 5, "check my balance", intent="CheckBalance",
                                             attributes=QNA)], (1, 1, 0)),
    # no QnA attribute anywhere: an intent named like one is not shown to be a QnAIntent
    ([record("s1", 0, "return policy?", intent="QnAIntent", state="Failed")], (0, 0, 0)),
])
def test_qna_turns_answered_and_unanswered(records, expected):
    found = summary(records)
    assert (found["qna_turns"], found["qna_answered"], found["qna_unanswered"]) == expected


def test_qna_attributes_in_the_request_attributes_count_too():
    turn = qna("s1", 0, "return policy?", attributes={})
    turn["requestAttributes"] = dict(QNA)
    assert summary([turn])["qna_answered"] == 1


def test_unanswered_questions_are_grouped_by_spelling_and_never_across_bots():
    other_bot = qna("s9", 0, "can i pay in installments", state="Failed", attributes={})
    other_answered = qna("s10", 0, "return policy?")
    other_bot["bot"]["id"] = other_answered["bot"]["id"] = "OTHER"
    records = [qna("s0", 0, "anything"), other_answered] + [
        qna(f"s{i}", 0, text, state="Failed", attributes={})
        for i, text in enumerate(["Can I pay in installments?", "can i pay in installments",
                                  "Can I pay in installments?", "do you price match"], start=1)] + [other_bot]
    data, found = marked(records)
    table = generative.top_unanswered_questions(found)
    assert table[["bot_id", "label", "questions"]].values.tolist() == [
        ["BOT1", "Can I pay in installments?", 3], ["OTHER", "can i pay in installments", 1],
        ["BOT1", "do you price match", 1]]
    assert generative.top_unanswered_questions(found.head(0)).empty


@pytest.mark.parametrize("value, expected", [
    ("s3://kb/returns.pdf", ["s3://kb/returns.pdf"]),
    (json.dumps([{"title": "A", "uri": "s3://a"}, {"title": "B"}]), ["s3://a", "B"]),
    ("[not json", ["[not json"]),
    ("", []),
    (json.dumps([{}, "s3://plain"]), ["s3://plain"]),
])
def test_cited_sources(value, expected):
    assert generative.cited_sources(value) == expected


def test_an_unreadable_action_group_invocation_is_counted_as_such():
    turn = record("s1", 0, "refund", intent="Agent", state="Fulfilled", action="ElicitIntent",
                  attributes={"x-amz-lex:bedrock-agent-action-group-invocation-input": "{broken"})
    data, found = marked([turn])
    assert generative.count_action_groups(data, found)["action_group"].tolist() == ["(unreadable)"]


def test_assisted_nlu_share_per_intent_and_the_outcomes_of_its_attempts():
    def turn(session, source, state):
        rec = record(session, 0, "track it", intent="TrackOrder", state=state, action="Close", confidence=0.9)
        rec["interpretations"][0]["interpretationSource"] = source
        return rec
    data = load([turn("s1", "Bedrock", "Fulfilled"), turn("s2", "Bedrock", "Failed"), turn("s3", "Lex", "Fulfilled"),
                 record("s4", 0, "no source", intent="TrackOrder", state="Fulfilled", action="Close")])
    assert assisted_nlu.compute_bedrock_share_by_intent(data.turns).to_dict("records") == [
        {"intent": "TrackOrder", "turns": 3, "bedrock_turns": 2, "bedrock_share": 2 / 3}]
    compared = assisted_nlu.compare_outcomes_by_source(outcomes.compute_outcomes(data), data.turns)
    assert compared[["source", "Success", "Failed", "attempts"]].values.tolist() == [
        ["Lex", 1, 0, 1], ["Bedrock", 1, 1, 2]]
    assert build_report(data, ReportOptions()).values()["generative"]["bedrock_interpretations"] == 2
    assert assisted_nlu.compute_bedrock_share_by_intent(load([]).turns).empty


END = datetime(2026, 11, 20, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def generative_records():
    return list(generate_records(300, days=10, seed=3, end=END, generative=True))


def test_the_generator_shows_every_generative_feature(generative_records):
    reasons = Counter(r.get("responseReason") for r in generative_records)
    assert {"UtteranceResponse", "StartTimeout", "StillWaitingResponse", "FulfillmentInitiated",
            "FulfillmentStartedResponse", "FulfillmentUpdateResponse", "FulfillmentCompletedResponse"} <= set(reasons)
    values = build_report(load(generative_records), ReportOptions()).values()
    found = values["generative"]
    assert found["qna_answered"] > 0 and found["qna_unanswered"] > 0
    assert found["bedrock_agent_turns"] > 0 and found["bedrock_interpretations"] > 0
    assert values["server_responses"] == sum(n for reason, n in reasons.items()
                                             if reason not in (None, "UtteranceResponse"))
    states = {(r["sessionState"].get("intent") or {}).get("state") for r in generative_records}
    assert {"Waiting", "FulfillmentInProgress"} <= states


def test_without_generative_the_generator_has_no_generative_era_records():
    records = list(generate_records(300, days=10, seed=3, end=END))
    assert not any("responseReason" in r for r in records)
    assert all(r["bot"]["name"] != "HelpDeskBot" for r in records)
