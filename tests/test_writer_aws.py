"""lexlens.analytics.writer against a real lexv2-models client wrapped in botocore's Stubber."""
from __future__ import annotations

import copy
import json
import os
import stat
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from lexlens.analytics.monitor.ledger import default_ledger_path
from test_writer_fixtures import (  # noqa: F401  (fake_aws_env is an autouse fixture)
    BOT,
    LOCALE,
    RICH,
    T0,
    fake_aws_env,
    intent,
    queue_describe,
    queue_list_intents,
    queue_plan,
    stubbed,
)

from lexlens.analytics import writer
from lexlens.analytics.errors import LexlensError

BOOK = intent("BOOKHOTEL1", "BookHotel", ["book a hotel", "I need a room"])
CANCEL = intent("CANCELBOOK", "CancelBooking", ["Cancel my  Booking"])
FALLBACK = intent("FALLBACK01", "FallbackIntent", parent="AMAZON.FallbackIntent")


def test_dry_run_reads_only():
    client, stubber = stubbed()
    queue_plan(stubber, [BOOK, CANCEL, FALLBACK], BOOK)
    plan = writer.plan_utterances(client, BOT, LOCALE, "BookHotel",
                                  ["reserve a room", "CANCEL MY BOOKING", "book a hotel"])
    # Nothing but the queued reads happened: an UpdateIntent would have raised in the Stubber.
    stubber.assert_no_pending_responses()
    assert [(r.action, r.reason) for r in plan.rows] == [
        ("add", "new"),
        ("skip", "already a sample utterance of intent CancelBooking"),
        ("skip", "already a sample utterance of this intent BookHotel"),
    ]
    assert plan.additions == ("reserve a room",)
    assert plan.intent_count == 3 and not plan.refused


def test_plan_with_no_candidates():
    client, stubber = stubbed()
    queue_plan(stubber, [BOOK, CANCEL], BOOK)
    plan = writer.plan_utterances(client, BOT, LOCALE, "BookHotel", [])
    stubber.assert_no_pending_responses()
    assert plan.rows == [] and plan.additions == () and not plan.refused


def test_target_found_by_id():
    client, stubber = stubbed()
    queue_plan(stubber, [CANCEL, BOOK], BOOK)
    plan = writer.plan_utterances(client, BOT, LOCALE, "BOOKHOTEL1", ["reserve a room"])
    assert plan.target.name == "BookHotel"


def test_list_intents_follows_every_page():
    others = [intent(f"INTENT{n:04d}", f"Intent{n}", [f"phrase {n}"]) for n in range(5)]
    client, stubber = stubbed()
    queue_plan(stubber, [BOOK] + others, BOOK, page_size=2)  # 3 pages: 2 + 2 + 2
    plan = writer.plan_utterances(client, BOT, LOCALE, "BookHotel", ["PHRASE 4", "phrase 5"])
    stubber.assert_no_pending_responses()
    assert plan.intent_count == 6
    # "phrase 4" belongs to an intent listed on the last page only.
    assert [(r.action, r.reason) for r in plan.rows] == [
        ("skip", "already a sample utterance of intent Intent4"), ("add", "new")]


def test_slot_references_are_checked_against_list_slots():
    client, stubber = stubbed()
    queue_plan(stubber, [BOOK], BOOK, slots=["Nights", "City"])
    plan = writer.plan_utterances(client, BOT, LOCALE, "BookHotel",
                                  ["a room in {City}", "a {Suite} please"])
    stubber.assert_no_pending_responses()
    assert [r.action for r in plan.rows] == ["add", "refuse"]
    assert "{Suite} names no slot" in plan.rows[1].reason


@pytest.mark.parametrize("target", [
    FALLBACK,
    intent("KENDRA0001", "SearchDocs", parent="AMAZON.KendraSearchIntent"),
    intent("QNAINTENT1", "Answers", parent="AMAZON.QnAIntent"),
])
def test_refused_target_reads_no_more_and_refuses_all(target):
    client, stubber = stubbed()
    queue_plan(stubber, [BOOK, target], target, others=False)
    plan = writer.plan_utterances(client, BOT, LOCALE, target["intentName"], ["hello", "hi"])
    stubber.assert_no_pending_responses()
    assert plan.refused and plan.target_refusal
    assert [r.action for r in plan.rows] == ["refuse", "refuse"]
    with pytest.raises(LexlensError) as raised:
        writer.apply_plan(client, plan)  # no call queued: any call would fail the Stubber
    assert raised.value.exit_code == 1


def test_list_intent_choices_marks_what_can_take_utterances():
    client, stubber = stubbed()
    qna = intent("QNAINTENT1", "Answers", parent="AMAZON.QnAIntent")
    stop = intent("STOPINTENT", "Stop", parent="AMAZON.StopIntent")
    queue_list_intents(stubber, [FALLBACK, BOOK, qna, stop], page_size=3)
    choices = writer.list_intent_choices(client, BOT, LOCALE)
    stubber.assert_no_pending_responses()
    assert [(c["name"], c["writable"]) for c in choices] == [
        ("Answers", True), ("BookHotel", True), ("FallbackIntent", False), ("Stop", False)]
    assert "fallback intent" in choices[2]["note"] and choices[1]["note"] == ""


def test_unknown_intent_is_one_sentence_with_a_suggestion():
    client, stubber = stubbed()
    stubber.add_response("list_intents", {"intentSummaries": [
        {"intentId": "BOOKHOTEL1", "intentName": "BookHotel"}]})
    with pytest.raises(LexlensError) as raised:
        writer.plan_utterances(client, BOT, LOCALE, "BookHotl", ["hi"])
    message = str(raised.value)
    assert "'BookHotl'" in message and "did you mean 'BookHotel'" in message
    assert raised.value.exit_code == 2 and message.count(". ") == 0


@pytest.mark.parametrize("code, words", [
    ("ResourceNotFoundException", "has no bot BOTID00001 with a DRAFT locale en_US"),
    ("AccessDeniedException", "Access denied to lex:ListIntents on bot BOTID00001"),
    ("ThrottlingException", "Lex refused ListIntents (ThrottlingException): slow down."),
])
def test_aws_errors_become_one_sentence(code, words):
    client, stubber = stubbed()
    stubber.add_client_error("list_intents", code, "slow down.\nsecond line")
    with pytest.raises(LexlensError) as raised:
        writer.plan_utterances(client, BOT, LOCALE, "BookHotel", ["hi"])
    assert words in str(raised.value) and ".." not in str(raised.value)
    assert "\n" not in str(raised.value) and raised.value.exit_code == 2


def plan_for(stubber, client, definition, candidates, others=()):
    queue_plan(stubber, [definition, *others], definition)
    return writer.plan_utterances(client, BOT, LOCALE, definition["intentName"], candidates)


def test_apply_sends_back_every_field_unchanged():
    client, stubber = stubbed()
    plan = plan_for(stubber, client, RICH, ["two large pizzas", "i want a pizza"])
    assert plan.additions == ("two large pizzas",)
    queue_describe(stubber, RICH)
    # Written out by hand from RICH: every field UpdateIntent takes, plus the new utterance.
    expected = {
        "intentId": "ORDERPIZZA", "intentName": "OrderPizza",
        "description": RICH["description"],
        "sampleUtterances": [{"utterance": "I want a pizza"}, {"utterance": "order a {Size} pizza"},
                             {"utterance": "two large pizzas"}],
        "dialogCodeHook": RICH["dialogCodeHook"],
        "fulfillmentCodeHook": RICH["fulfillmentCodeHook"],
        "slotPriorities": RICH["slotPriorities"],
        "intentConfirmationSetting": RICH["intentConfirmationSetting"],
        "intentClosingSetting": RICH["intentClosingSetting"],
        "inputContexts": RICH["inputContexts"],
        "outputContexts": RICH["outputContexts"],
        "initialResponseSetting": RICH["initialResponseSetting"],
        "botId": BOT, "botVersion": "DRAFT", "localeId": LOCALE,
    }
    # The fixture really is rich: nothing but the two timestamps is left out of the request.
    assert set(RICH) - set(expected) == {"creationDateTime", "lastUpdatedDateTime"}
    updated = {k: v for k, v in copy.deepcopy(expected).items()}
    updated.update(creationDateTime=RICH["creationDateTime"],
                   lastUpdatedDateTime=T0 + timedelta(seconds=5))
    stubber.add_response("update_intent", updated, expected)
    result = writer.apply_plan(client, plan)
    stubber.assert_no_pending_responses()
    assert result.written and result.added == ("two large pizzas",)
    assert result.last_updated == T0 + timedelta(seconds=5)
    assert result.dropped_fields == ()


def test_concurrent_edit_aborts_without_writing():
    client, stubber = stubbed()
    plan = plan_for(stubber, client, BOOK, ["reserve a room"], others=[CANCEL])
    edited = copy.deepcopy(BOOK)
    edited["lastUpdatedDateTime"] = T0 + timedelta(minutes=3)
    edited["sampleUtterances"].append({"utterance": "someone else's edit"})
    queue_describe(stubber, edited)  # no update_intent queued: a write would fail the Stubber
    with pytest.raises(LexlensError) as raised:
        writer.apply_plan(client, plan)
    stubber.assert_no_pending_responses()
    assert raised.value.exit_code == 2
    assert "changed in Lex after the plan was made" in str(raised.value)
    assert "nothing was written" in str(raised.value)


def test_concurrent_edit_detected_by_timestamp_alone():
    client, stubber = stubbed()
    plan = plan_for(stubber, client, BOOK, ["reserve a room"])
    touched = copy.deepcopy(BOOK)
    touched["lastUpdatedDateTime"] = T0 + timedelta(seconds=1)
    queue_describe(stubber, touched)
    with pytest.raises(LexlensError, match="changed in Lex after the plan was made"):
        writer.apply_plan(client, plan)
    stubber.assert_no_pending_responses()


def test_apply_with_nothing_to_add_makes_no_call():
    client, stubber = stubbed()
    plan = plan_for(stubber, client, BOOK, ["Book a hotel"])
    result = writer.apply_plan(client, plan)
    stubber.assert_no_pending_responses()
    assert not result.written and result.added == ()


def test_apply_with_a_refused_row_writes_nothing():
    client, stubber = stubbed()
    plan = plan_for(stubber, client, BOOK, ["reserve a room", "x" * 600])
    with pytest.raises(LexlensError) as raised:
        writer.apply_plan(client, plan)
    stubber.assert_no_pending_responses()
    assert raised.value.exit_code == 1


def test_update_fields_come_from_the_service_model():
    client, _ = stubbed()
    fields = writer.update_intent_fields(client)
    shape = client.meta.service_model.operation_model("UpdateIntent").input_shape
    assert fields == tuple(shape.members)  # new members of a newer botocore are carried too
    assert {"intentId", "intentName", "sampleUtterances", "slotPriorities", "botVersion"} <= set(fields)
    assert "lastUpdatedDateTime" not in fields


def test_build_update_request_carries_fields_unknown_to_lexlens():
    definition = {"intentId": "I", "intentName": "N", "futureSetting": {"on": True},
                  "sampleUtterances": [{"utterance": "a"}], "lastUpdatedDateTime": T0}
    fields = ("intentId", "intentName", "futureSetting", "sampleUtterances", "botVersion")
    request = writer.build_update_request(definition, fields, ["b"], BOT, LOCALE)
    assert request == {"intentId": "I", "intentName": "N", "futureSetting": {"on": True},
                       "sampleUtterances": [{"utterance": "a"}, {"utterance": "b"}],
                       "botId": BOT, "botVersion": "DRAFT", "localeId": LOCALE}
    assert definition["sampleUtterances"] == [{"utterance": "a"}]  # not mutated


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def queue_build(stubber, statuses, reasons=()):
    locale_key = {"botId": BOT, "botVersion": "DRAFT", "localeId": LOCALE}
    stubber.add_response("build_bot_locale", {**locale_key, "botLocaleStatus": "Building"}, locale_key)
    for status in statuses:
        response = {**locale_key, "botLocaleStatus": status}
        if status == "Failed":
            response["failureReasons"] = list(reasons)
        stubber.add_response("describe_bot_locale", response, locale_key)


@pytest.mark.parametrize("statuses, final, ok, sleeps", [
    (["Built"], "Built", True, 0),
    (["Building", "Building", "Built"], "Built", True, 2),
    (["Building", "ReadyExpressTesting"], "ReadyExpressTesting", True, 1),
    (["Building", "Failed"], "Failed", False, 1),
])
def test_build_polls_until_done(statuses, final, ok, sleeps):
    client, stubber = stubbed()
    queue_build(stubber, statuses, reasons=["Slot type X is missing.", "Intent Y is invalid."])
    clock = FakeClock()
    result = writer.build_locale(client, BOT, LOCALE, timeout_s=600, poll_s=5,
                                 sleep=clock.sleep, clock=clock)
    stubber.assert_no_pending_responses()
    assert (result.status, result.ok, len(clock.sleeps)) == (final, ok, sleeps)
    assert result.elapsed_s == 5 * sleeps
    if final == "Failed":
        assert result.failure_reasons == ("Slot type X is missing.", "Intent Y is invalid.")


def test_build_times_out():
    client, stubber = stubbed()
    queue_build(stubber, ["Building"] * 3)
    clock = FakeClock()
    result = writer.build_locale(client, BOT, LOCALE, timeout_s=20, poll_s=10,
                                 sleep=clock.sleep, clock=clock)
    stubber.assert_no_pending_responses()
    assert result.timed_out and not result.ok and result.status == "Building"


def test_build_conflict_is_one_sentence():
    client, stubber = stubbed()
    stubber.add_client_error("build_bot_locale", "ConflictException", "A build is in progress.")
    with pytest.raises(LexlensError, match=r"Lex refused BuildBotLocale \(ConflictException\)"):
        writer.build_locale(client, BOT, LOCALE)


def test_caller_identity_and_its_failure():
    sts, stubber = stubbed("sts")
    stubber.add_response("get_caller_identity", {"UserId": "AIDA1", "Account": "123456789012",
                                                 "Arn": "arn:aws:iam::123456789012:user/ana"})
    stubber.add_client_error("get_caller_identity", "AccessDenied", "no")
    assert writer.fetch_caller_identity(sts) == {
        "account": "123456789012", "arn": "arn:aws:iam::123456789012:user/ana", "user_id": "AIDA1"}
    assert writer.fetch_caller_identity(sts) is None


def test_audit_lines_append_and_stay_private(tmp_path):
    path = tmp_path / "deep" / "audit.jsonl"
    for utterances in (["reserve a room"], ["bell\x07", "日本"]):
        writer.write_audit_line(path, bot_id=BOT, locale_id=LOCALE, intent_id="BOOKHOTEL1",
                                intent_name="BookHotel", utterances=utterances,
                                caller={"arn": "arn:aws:iam::1:user/ana"}, region="us-east-1", now=T0)
    lines = path.read_text(encoding="ascii").splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["utterances_added"] for r in records] == [["reserve a room"], ["bell\x07", "日本"]]
    assert records[0]["time"] == "2024-05-01T12:00:00+00:00"
    assert records[0]["caller"] == {"arn": "arn:aws:iam::1:user/ana"}
    assert {"bot_id", "locale_id", "intent_id", "intent_name", "bot_version"} <= set(records[0])
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


@pytest.mark.parametrize("platform, env, parts", [
    ("linux", {"XDG_DATA_HOME": "/xdg"}, ("/xdg",)),
    ("linux", {}, ("/home/ana", ".local", "share")),
    ("darwin", {}, ("/home/ana", "Library", "Application Support")),
    ("win32", {"LOCALAPPDATA": "/appdata"}, ("/appdata",)),
])
@pytest.mark.parametrize("default_path, file_name", [
    (lambda: writer.default_audit_path(), "audit.jsonl"),
    (lambda: default_ledger_path(), "publish-ledger.jsonl"),  # lexlens publish's ledger: data, not cache
], ids=["audit", "publish ledger"])
def test_default_data_paths_follow_the_platform(monkeypatch, platform, env, parts, default_path, file_name):
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.delenv("LOCALAPPDATA", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("HOME", "/home/ana")
    monkeypatch.setattr(sys, "platform", platform)
    assert default_path() == Path(*parts, "lexlens", file_name)


@pytest.mark.parametrize("env, explicit, expected", [
    ({}, None, "https://models-v2-lex.us-east-1.amazonaws.com"),
    ({"AWS_ENDPOINT_URL_LEX_MODELS_V2": "http://localhost:4566"}, None, "http://localhost:4566"),
    ({"AWS_ENDPOINT_URL": "http://localhost:5000"}, None, "http://localhost:5000"),
    ({"AWS_ENDPOINT_URL_LEX_MODELS_V2": "http://localhost:4566"}, "http://x:1", "http://x:1"),
])
def test_make_client_honours_standard_endpoint_configuration(monkeypatch, env, explicit, expected):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    client = writer.make_client(region="us-east-1", endpoint_url=explicit)
    assert client.meta.endpoint_url == expected


def test_make_client_unknown_profile_is_one_sentence():
    with pytest.raises(LexlensError, match="profile 'nobody' is not configured"):
        writer.make_client(profile="nobody")
