"""Server responses: records whose ``responseReason`` is present and is not ``UtteranceResponse``.

Lex logs a record per response: ``UtteranceResponse`` answers user input; ``StartTimeout``,
``StillWaitingResponse``, ``FulfillmentInitiated``, ``FulfillmentStartedResponse``,
``FulfillmentUpdateResponse`` and ``FulfillmentCompletedResponse`` are responses the server
generated (https://docs.aws.amazon.com/lexv2/latest/dg/conversation-logs-cw.html; fulfillment
updates: https://docs.aws.amazon.com/lexv2/latest/dg/streaming-progress.html). They count in
``records`` and ``server_responses`` and in no user-turn figure.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from lexlens.analytics.filters import Filters, apply_filters
from lexlens.analytics.ingest.loading import load_logs
from lexlens.analytics.metrics import outcomes
from lexlens.analytics.privacy.redact import RedactionRules, redact_log_data
from lexlens.analytics.report.build import ReportOptions, build_report
from lexlens.dashboard.transcripts import build_transcript
from lex_records import load, record, server_response

SERVER_REASONS = ["StartTimeout", "StillWaitingResponse", "FulfillmentInitiated", "FulfillmentStartedResponse",
                  "FulfillmentUpdateResponse", "FulfillmentCompletedResponse"]
# every user-turn figure of the report: a server response must change none of them
USER_TURN_KEYS = ["utterances", "sessions", "conversations", "missed_utterances", "fallback_rate", "time_range",
                  "intents", "modality", "sentiment", "vader_sentiment", "session_duration_s",
                  "turns_per_session", "top_utterances", "top_missed_utterances", "top_sessions", "top_paths",
                  "intent_outcomes", "conversation_outcomes", "slot_outcomes", "confusion_pairs", "clusters"]


def user_turns() -> list[dict]:
    """A small conversation: a missed utterance, then an order being fulfilled."""
    return [record("s1", 0, "blah blah", missed=True, message="Sorry?"),
            record("s1", 5, "where is my order", intent="OrderStatus", state="InProgress",
                   action="ElicitSlot", slot="OrderId", confidence=0.9, message="Which order?",
                   request="r-user"),
            record("s2", 9, "hello", intent="Greeting", state="Fulfilled", action="Close",
                   reason="UtteranceResponse")]


def report_values(records: list[dict]) -> dict:
    return build_report(load(records), ReportOptions(top=10)).values()


@pytest.mark.parametrize("reason", SERVER_REASONS)
def test_a_server_response_counts_as_a_record_and_in_no_user_turn_figure(reason):
    turns = user_turns()
    # it repeats the user's inputTranscript and shares the user turn's sessionId and requestId
    extra = server_response(turns[1], 6, reason, message="Still looking for your order...")
    alone, with_response = report_values(turns), report_values(turns + [extra])
    assert (alone["records"], alone["server_responses"]) == (3, 0)
    assert (with_response["records"], with_response["server_responses"]) == (4, 1)
    assert with_response["duplicates"] == 0
    for key in USER_TURN_KEYS:
        assert with_response[key] == alone[key], key


@pytest.mark.parametrize("value, is_server", [
    ("UtteranceResponse", False), (None, False), ("StartTimeout", True), ("FutureReason", True), ("", True),
    (5, True)])
def test_what_a_server_response_is(value, is_server):
    """Present and not ``UtteranceResponse``: a server response (a null is no value at all)."""
    rec = record("s1", 0, "hi", intent="Greeting")
    rec["responseReason"] = value
    data = load([rec])
    assert (len(data.turns), len(data.server_responses)) == ((0, 1) if is_server else (1, 0))
    assert data.report.accepted == 1


def test_empty_load_has_an_empty_server_response_table():
    data = load([])
    assert data.server_responses.empty and list(data.server_responses.columns)[0] == "response"
    assert report_values([])["server_responses"] == 0


@pytest.mark.parametrize("loaded, duplicates", [
    ("user turn and its server response", 0),
    ("the same server response twice", 1),
    ("two updates of one request at different times", 0),
])
def test_duplicates_of_server_responses(loaded, duplicates):
    user = record("s1", 0, "order status", intent="OrderStatus", state="FulfillmentInProgress",
                  action="None", request="r1")
    update = server_response(user, 10, "FulfillmentUpdateResponse", message="still working")
    records = {"user turn and its server response": [user, update],
               "the same server response twice": [user, update, update],
               "two updates of one request at different times": [
                   user, update, server_response(user, 20, "FulfillmentUpdateResponse")]}[loaded]
    data = load(records)
    assert data.report.duplicates == duplicates
    assert len(data.turns) == 1 and len(data.server_responses) == len(records) - 1 - duplicates
    assert data.report.accepted == len(records) - duplicates


def outcome_of(records: list[dict]) -> tuple[str, str]:
    found = outcomes.compute_outcomes(load(records))
    return (str(found.attempts["outcome"].iloc[0]), str(found.conversations["outcome"].iloc[0]))


@pytest.mark.parametrize("state, action, after, expected", [
    # a fulfillment that completes after the user's turn (fulfillment updates) succeeds
    ("FulfillmentInProgress", "None", [("FulfillmentStartedResponse", "FulfillmentInProgress"),
                                       ("FulfillmentUpdateResponse", "FulfillmentInProgress"),
                                       ("FulfillmentCompletedResponse", "Fulfilled")], "Success"),
    ("FulfillmentInProgress", "None", [("FulfillmentCompletedResponse", "Failed")], "Failed"),
    # still running when the logs end: neither success nor failure
    ("FulfillmentInProgress", "None", [("FulfillmentUpdateResponse", "FulfillmentInProgress")], "Dropped"),
    ("FulfillmentInProgress", "None", [], "Dropped"),
    # the bot waits for the user to continue; the user never does
    ("Waiting", "None", [("StillWaitingResponse", "Waiting")], "Dropped"),
    # dialog action None is not Close: ReadyForFulfillment with it is not yet a success
    ("ReadyForFulfillment", "None", [], "Dropped"),
    ("ReadyForFulfillment", "Close", [], "Success"),
    ("Fulfilled", "None", [], "Success"),
])
def test_outcome_rules_for_generative_era_states(state, action, after, expected):
    user = record("s1", 0, "track my parcel", intent="TrackParcel", state=state, action=action, request="r1")
    responses = [server_response(user, 5 + i, reason, state=reached) for i, (reason, reached) in enumerate(after)]
    attempt, _ = outcome_of([user] + responses)
    assert attempt == expected


def test_a_server_response_of_another_intent_or_after_the_next_turn_settles_nothing():
    user = record("s1", 0, "track my parcel", intent="TrackParcel", state="FulfillmentInProgress",
                  action="None")
    other = server_response(user, 5, "FulfillmentCompletedResponse", state="Fulfilled")
    other["sessionState"]["intent"]["name"] = "SomethingElse"
    assert outcome_of([user, other])[0] == "Dropped"
    later_turn = record("s1", 8, "hello?", intent="TrackParcel", state="FulfillmentInProgress", action="None")
    late = server_response(user, 9, "FulfillmentCompletedResponse", state="Fulfilled")
    found = outcomes.compute_outcomes(load([user, later_turn, late]))
    assert list(found.attempts["outcome"].astype(str)) == ["Success"]  # settles the later turn only
    assert list(found.attempts["turns"]) == [2]


def test_barge_in_and_end_conversation_are_ordinary_turns():
    """``bargeIn`` (speech: the user spoke over the prompt) and an ``EndConversation`` next step
    change no rule: the intent's state on the turn decides."""
    barged = record("s1", 0, "yes", intent="Confirm", state="Fulfilled", action="Close", mode="Speech",
                    extra={"bargeIn": True})
    ended = record("s2", 0, "bye", intent="Goodbye", state="ReadyForFulfillment", action="Close",
                   extra={"dialogEventLogs": [{"nextStep": {"dialogAction": {"type": "EndConversation"}},
                                               "dialogStepLabel": "Intent/Goodbye/StartIntent"}]})
    data = load([barged, ended])
    assert len(data.turns) == 2 and data.server_responses.empty
    assert list(outcomes.compute_outcomes(data).attempts["outcome"].astype(str)) == ["Success", "Success"]


def test_filters_apply_to_server_responses():
    user = record("s1", 0, "status", intent="OrderStatus", state="FulfillmentInProgress", action="None")
    other_bot = record("s9", 0, "status", intent="OrderStatus")
    other_bot["bot"]["id"] = "OTHER"
    data = load([user, server_response(user, 5, "FulfillmentUpdateResponse"),
                 server_response(user, 3600, "FulfillmentCompletedResponse", state="Fulfilled"),
                 other_bot, server_response(other_bot, 5, "StartTimeout")])
    assert len(data.server_responses) == 3
    by_bot = apply_filters(data, Filters(bot_ids=("BOT1",)))
    assert list(by_bot.server_responses["response_reason"].astype(str)) == [
        "FulfillmentUpdateResponse", "FulfillmentCompletedResponse"]
    early = apply_filters(data, Filters(until=pd.Timestamp("2024-05-06T09:30Z")))
    assert sorted(early.server_responses["response_reason"].astype(str)) == [
        "FulfillmentUpdateResponse", "StartTimeout"]


def test_a_session_of_server_responses_only_gets_its_own_session_key():
    user = record("s1", 0, "status", intent="OrderStatus")
    lonely = server_response(record("s2", 0, "x", intent="OrderStatus"), 1, "StartTimeout")
    data = load([user, server_response(user, 2, "StillWaitingResponse"), lonely])
    keys = dict(zip(data.server_responses["session_id"], data.server_responses["session_key"]))
    assert keys["s1"] == data.turns["session_key"].iloc[0] and keys["s2"] != keys["s1"]


def test_transcript_shows_server_responses_as_the_bot_speaking_in_time_order():
    user = record("s1", 0, "where is my order", intent="OrderStatus", state="FulfillmentInProgress",
                  action="None", message="Let me check.")
    data = load([user, server_response(user, 4, "FulfillmentUpdateResponse", message="Still checking..."),
                 server_response(user, 8, "FulfillmentCompletedResponse", state="Fulfilled",
                                 message="It ships tomorrow."),
                 record("s1", 30, "thanks", intent="Thanks", state="Fulfilled", action="Close")])
    transcript = build_transcript(data, int(data.turns["session_key"].iloc[0]), "UTC")
    assert list(transcript["utterance"]) == ["where is my order", "", "", "thanks"]
    assert list(transcript["server_response"]) == ["", "FulfillmentUpdateResponse",
                                                   "FulfillmentCompletedResponse", ""]
    assert list(transcript["bot_messages"])[1:3] == ["Still checking...", "It ships tomorrow."]
    assert not transcript["missed"].any()


def test_redaction_masks_server_responses_too():
    user = record("s1", 0, "mail me at jane@example.com", intent="Contact")
    data = load([user, server_response(user, 3, "FulfillmentUpdateResponse",
                                       message="Sending to jane@example.com")])
    masked = redact_log_data(data, RedactionRules())
    row = masked.server_responses.iloc[0]
    assert "jane@example.com" not in row["transcript"] + row["bot_messages"]
    assert "<email:" in row["bot_messages"]


def test_cli_report_json_key_and_csv_table(tmp_path):
    user = record("s1", 0, "=cmd|' /C calc'!A0", intent="OrderStatus", state="FulfillmentInProgress",
                  action="None")
    path = tmp_path / "logs.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [
        user, server_response(user, 4, "FulfillmentUpdateResponse", message="=HYPERLINK(\"x\")")]) + "\n")
    out = subprocess.run([sys.executable, "-m", "lexlens", "report", str(path), "--json",
                          "--csv-dir", str(tmp_path / "csv")], capture_output=True, text=True, check=True)
    values = json.loads(out.stdout)
    assert (values["records"], values["server_responses"], values["utterances"]) == (2, 1, 1)
    table = (tmp_path / "csv" / "server_responses.csv").read_text(encoding="utf-8")
    assert "FulfillmentUpdateResponse" in table and "'=HYPERLINK" in table and "'=cmd" in table
    text = subprocess.run([sys.executable, "-m", "lexlens", "report", str(path)],
                          capture_output=True, text=True, check=True).stdout
    assert "server responses 1" in text


@pytest.mark.parametrize("unit_bytes", [0, 700])
def test_native_and_python_paths_agree_on_a_file_of_server_responses(tmp_path, unit_bytes):
    from native_compare import assert_native_matches_python
    lines = []
    for session in range(12):
        user = record(f"s{session}", session * 60, f"order {session}", intent="OrderStatus",
                      state="FulfillmentInProgress", action="None", reason="UtteranceResponse")
        lines += [user, server_response(user, session * 60 + 2, SERVER_REASONS[session % 6], message="wait"),
                  record(f"s{session}", session * 60 + 30, "thanks", intent="Thanks", state="Fulfilled",
                         action="Close")]
    lines.append(lines[1])  # a server response loaded twice
    path = tmp_path / "gen.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    python = assert_native_matches_python(path, unit_sizes=(unit_bytes,) if unit_bytes else (), workers=2)
    assert (len(python.turns), len(python.server_responses), python.report.duplicates) == (24, 12, 1)
    assert load_logs([path], native=True).server_responses["session_key"].tolist() == \
        python.server_responses["session_key"].tolist()


def test_an_input_of_server_responses_only_is_one_sentence_not_a_traceback(tmp_path):
    user = record("s1", 0, "status", intent="OrderStatus", state="FulfillmentInProgress", action="None")
    path = tmp_path / "responses.jsonl"
    path.write_text("\n".join(json.dumps(server_response(user, i, "FulfillmentUpdateResponse"))
                              for i in range(3)) + "\n")
    result = subprocess.run([sys.executable, "-m", "lexlens", "report", str(path)], capture_output=True, text=True)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "no user turns in the input: every record in it (3) is a server response" in result.stderr


def test_exclusions_apply_to_server_responses():
    """Test traffic kept out (issue 14's --exclude-*) leaves its server responses out too."""
    user = record("s1", 0, "status", intent="OrderStatus", state="FulfillmentInProgress", action="None")
    tester = record("s2", 0, "status", intent="OrderStatus", alias="TestBotAlias", version="9")
    data = load([user, server_response(user, 5, "FulfillmentUpdateResponse"),
                 tester, server_response(tester, 5, "StartTimeout")])
    kept = apply_filters(data, Filters(exclude_versions=("9",)))
    assert list(kept.turns["session_id"].astype(str)) == ["s1"]
    assert list(kept.server_responses["response_reason"].astype(str)) == ["FulfillmentUpdateResponse"]
