"""The sample-log generator, the ``lexlens sample`` command and the bundled sample logs (issue 2)."""
from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lexlens.analytics.errors import LexlensError
from lexlens.analytics.ingest.loading import load_records
from lexlens.analytics.simulator.generate import generate_records

END = datetime(2026, 11, 20, tzinfo=timezone.utc)
END_MS = int(END.timestamp() * 1000)
ISO_MS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def _ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


@pytest.fixture(scope="module")
def records_300() -> list[dict]:
    return list(generate_records(300, days=30, seed=11, end=END))


@pytest.fixture(scope="module")
def sessions_300(records_300) -> dict[str, list[dict]]:
    sessions = defaultdict(list)
    for record in records_300:
        sessions[record["sessionId"]].append(record)
    return sessions


# --- determinism, counts, time range -----------------------------------------------------------

def test_same_seed_same_records_other_seed_other_records():
    first = list(generate_records(40, seed=5, end=END))
    assert first == list(generate_records(40, seed=5, end=END))
    assert first != list(generate_records(40, seed=6, end=END))


@pytest.mark.parametrize("sessions, days", [(1, 1), (7, 2), (120, 30)])
def test_session_count_and_time_range(sessions, days):
    records = list(generate_records(sessions, days=days, seed=1, end=END))
    assert len({r["sessionId"] for r in records}) == sessions
    times = [_ms(r["timestamp"]) for r in records]
    assert times == sorted(times)
    assert END_MS - days * 86_400_000 <= times[0] and times[-1] < END_MS


@pytest.mark.parametrize("sessions, days", [(0, 30), (-3, 30), (5, 0)])
def test_nothing_to_generate_is_an_error(sessions, days):
    with pytest.raises(LexlensError):
        generate_records(sessions, days=days, end=END)


@settings(max_examples=15, deadline=None)
@given(sessions=st.integers(1, 25), days=st.integers(1, 60), seed=st.integers(0, 2**32))
def test_any_seed_gives_ordered_in_range_unique_turns(sessions, days, seed):
    records = list(generate_records(sessions, days=days, seed=seed, end=END))
    times = [_ms(r["timestamp"]) for r in records]
    assert times == sorted(times) and END_MS - days * 86_400_000 <= times[0] < END_MS
    assert len({r["sessionId"] for r in records}) == sessions
    assert len({(r["sessionId"], r["requestId"]) for r in records}) == len(records)


def test_about_four_and_a_half_turns_per_session_of_realistic_bulk():
    records = list(generate_records(1000, seed=2, end=END))
    assert 4.0 <= len(records) / 1000 <= 5.0  # issue 2 benchmark: 50,000 sessions ~ 225,000 records
    size = sum(len(json.dumps(r, separators=(",", ":"))) for r in records) / len(records)
    assert 1200 <= size <= 2200  # ~1.5 KB per record keeps the benchmark file near 330 MB


def test_more_traffic_on_weekdays_and_us_business_hours():
    records = list(generate_records(3000, days=28, seed=4, end=END))
    starts = {}
    for r in records:  # the first turn of each session
        starts.setdefault(r["sessionId"], (datetime.fromisoformat(r["timestamp"][:-1]), r["bot"]))
    bank_us = [t for t, bot in starts.values() if bot["name"] == "BankerBot"
               and bot["localeId"] == "en_US"]
    weekday = sum(t.weekday() < 5 for t in bank_us) / 20  # 28 days: 20 weekdays, 8 weekend days
    weekend = sum(t.weekday() >= 5 for t in bank_us) / 8
    assert weekday > 1.5 * weekend
    # 13:00-23:00 UTC is 8 am-6 pm on the US east coast and 6 am-4 pm on the west coast
    assert sum(13 <= t.hour < 23 for t in bank_us) / len(bank_us) > 0.6


# --- record shapes -------------------------------------------------------------------------------

REQUIRED = {"timestamp", "messageVersion", "requestId", "sessionId", "inputMode", "operationName",
            "missedUtterance", "bot", "sessionState"}


def _check_slot(slot):
    if slot is None:
        return
    assert slot["shape"] in ("Scalar", "List", "Composite")
    assert set(slot["value"]) == {"originalValue", "interpretedValue", "resolvedValues"}
    for item in slot.get("values", []):
        assert item["shape"] == "Scalar"
        _check_slot(item)
    for sub in slot.get("subSlots", {}).values():
        _check_slot(sub)


def test_records_have_the_field_shapes_of_real_lex_logs(records_300):
    for r in records_300:
        assert REQUIRED <= set(r) and ISO_MS.match(r["timestamp"])
        assert set(r["bot"]) == {"id", "name", "aliasId", "aliasName", "localeId", "version"}
        state = r["sessionState"]
        assert state["dialogAction"]["type"] in ("Close", "ConfirmIntent", "ElicitIntent",
                                                 "ElicitSlot")
        assert state["originatingRequestId"]
        assert all(type(v) is str for v in state["sessionAttributes"].values())
        intent = state.get("intent")
        if intent:
            assert intent["state"] in ("InProgress", "ReadyForFulfillment", "Fulfilled", "Failed")
            for slot in intent["slots"].values():
                _check_slot(slot)
            if state["dialogAction"]["type"] == "ElicitSlot":
                name = state["dialogAction"]["slotToElicit"]
                assert intent["state"] == "InProgress" and intent["slots"][name] is None
            if intent["state"] in ("Fulfilled", "Failed"):
                assert state["dialogAction"]["type"] == "Close"
        if r["operationName"] == "PutSession":
            assert "inputTranscript" not in r and "interpretations" not in r
            continue
        interpretations = r["interpretations"]
        confidences = [float(i["nluConfidence"]) for i in interpretations if "nluConfidence" in i]
        assert confidences == sorted(confidences, reverse=True)  # best first
        for i in interpretations:
            assert re.fullmatch(r"[01]\.\d\d", i.get("nluConfidence", "0.00"))
        assert interpretations[0]["intent"]["name"] == (intent or {}).get("name", "FallbackIntent")


def test_request_ids_are_unique_uuid4s(records_300):
    ids = [r["requestId"] for r in records_300]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
                            i) for i in ids)


# --- flows and variants present in a modest sample -----------------------------------------------

def _slots(r):
    return ((r["sessionState"].get("intent") or {}).get("slots") or {}).values()


def _intent(r):
    return (r["sessionState"].get("intent") or {}).get("name")


FEATURES = {
    "missed utterance routed to FallbackIntent":
        lambda r: r["missedUtterance"] and _intent(r) == "FallbackIntent",
    "missed utterance without an intent":
        lambda r: r["missedUtterance"] and _intent(r) is None,
    "FallbackIntent interpretation without nluConfidence":
        lambda r: any(i["intent"]["name"] == "FallbackIntent" and "nluConfidence" not in i
                      for i in r.get("interpretations", [])),
    "speech with transcriptions": lambda r: r["inputMode"] == "Speech" and r["transcriptions"]
        and r["operationName"] == "RecognizeUtterance",
    "DTMF": lambda r: r["inputMode"] == "DTMF",
    "PutSession without transcript":
        lambda r: r["operationName"] == "PutSession" and "inputTranscript" not in r,
    "List slot": lambda r: any(s and s["shape"] == "List" and len(s["values"]) >= 1
                               for s in _slots(r)),
    "Composite slot": lambda r: any(s and s["shape"] == "Composite" and s["subSlots"]
                                    for s in _slots(r)),
    "null slot": lambda r: any(s is None for s in _slots(r)),
    "confirmed": lambda r: r["sessionState"].get("intent", {}).get("confirmationState")
        == "Confirmed",
    "denied": lambda r: r["sessionState"].get("intent", {}).get("confirmationState") == "Denied",
    "failed intent": lambda r: r["sessionState"].get("intent", {}).get("state") == "Failed",
    "SpeakToAgent": lambda r: _intent(r) == "SpeakToAgent",
    "escalated attribute":
        lambda r: r["sessionState"]["sessionAttributes"].get("escalated") == "true",
    "Bedrock interpretation":
        lambda r: r.get("interpretations", [{}])[0].get("interpretationSource") == "Bedrock",
    "FollowupCheckBalance": lambda r: _intent(r) == "FollowupCheckBalance",
    "WelcomeIntent": lambda r: _intent(r) == "WelcomeIntent",
    "bot messages": lambda r: r.get("messages"),
    "dialogEventLogs": lambda r: r.get("dialogEventLogs"),
    "close runner-up (within 0.08)":
        lambda r: len(r.get("interpretations", [])) > 1 and "nluConfidence" in
        r["interpretations"][0] and "nluConfidence" in r["interpretations"][1] and
        float(r["interpretations"][0]["nluConfidence"])
        - float(r["interpretations"][1]["nluConfidence"]) <= 0.08,
}


@pytest.mark.parametrize("feature", FEATURES)
def test_feature_appears_in_300_sessions(records_300, feature):
    assert any(FEATURES[feature](r) for r in records_300)


def test_channels_bots_locales_and_aliases(records_300):
    channels = {r["sessionState"]["sessionAttributes"].get("channel") for r in records_300}
    assert {"web", "ios", "android", "CHAT", "VOICE", None} <= channels
    deployments = {(r["bot"]["name"], r["bot"]["aliasId"], r["bot"]["version"],
                    r["bot"]["localeId"]) for r in records_300}
    assert ("BankerBot", "TSTALIASID", "DRAFT", "en_US") in deployments
    assert {locale for *_, locale in deployments} == {"en_US", "en_GB", "es_US"}
    assert {name for name, *_ in deployments} == {"BankerBot", "PizzaBot"}


def test_lex_sentiment_only_and_always_on_the_sentiment_alias(records_300):
    by_alias = Counter()
    for r in records_300:
        if r["operationName"] == "PutSession":
            continue
        has = [("sentimentResponse" in i) for i in r["interpretations"]]
        assert not any(has[1:])  # first interpretation only
        by_alias[r["bot"]["aliasName"], has[0]] += 1
    assert by_alias["Live", True] > 0 and by_alias["Live", False] == 0
    assert by_alias["prod", True] == by_alias["TestBotAlias", True] == 0
    assert by_alias["prod", False] > 0


def test_success_state_depends_on_the_alias_having_fulfillment(records_300):
    # The console test alias has no fulfillment Lambda: intents end ReadyForFulfillment there.
    ends = Counter()
    for r in records_300:
        intent = r["sessionState"].get("intent") or {}
        if intent.get("state") in ("Fulfilled", "ReadyForFulfillment") \
                and intent["name"] != "FallbackIntent":
            assert r["sessionState"]["dialogAction"]["type"] == "Close"
            ends[r["bot"]["aliasId"] == "TSTALIASID", intent["state"]] += 1
    assert set(ends) == {(True, "ReadyForFulfillment"), (False, "Fulfilled")}


def test_slot_retry_elicits_the_same_slot_again(sessions_300):
    retries = 0
    for turns in sessions_300.values():
        for before, after in zip(turns, turns[1:]):
            wanted = before["sessionState"]["dialogAction"].get("slotToElicit")
            if wanted and after["sessionState"]["dialogAction"].get("slotToElicit") == wanted \
                    and _intent(after) == _intent(before):
                retries += 1
                assert after["sessionState"]["intent"]["slots"][wanted] is None
    assert retries > 0


def test_intent_switch_mid_dialog(sessions_300):
    switches = sum(1 for turns in sessions_300.values() for before, after in zip(turns, turns[1:])
                   if before["sessionState"]["dialogAction"]["type"] == "ElicitSlot"
                   and _intent(after) not in (_intent(before), "FallbackIntent", None))
    assert switches > 0


def test_returning_conversations_start_after_the_idle_timeout(sessions_300):
    returns = 0
    for turns in sessions_300.values():
        for before, after in zip(turns, turns[1:]):
            gap = _ms(after["timestamp"]) - _ms(before["timestamp"])
            new = after["sessionState"]["originatingRequestId"] != \
                before["sessionState"]["originatingRequestId"]
            assert new == (gap > 5 * 60_000)  # idle turns within a conversation are short
            if new:
                returns += 1
                assert after["sessionState"]["originatingRequestId"] == after["requestId"]
    assert returns > 0


def test_missed_utterances_repeat_with_a_skewed_distribution(records_300):
    missed = Counter(r["inputTranscript"].lower() for r in records_300 if r["missedUtterance"])
    (_, top), *_ = missed.most_common(1)
    assert top >= 3 * (sum(missed.values()) / len(missed))  # a clear head, not a flat spread
    assert len(missed) >= 10


def test_generated_records_load_without_rejections():
    records = list(generate_records(60, seed=9, end=END))
    data = load_records(records)
    report = data.report
    assert (report.accepted, report.rejected, report.duplicates) == (len(records), 0, 0)
    assert data.turns["session_id"].nunique() == 60
