"""The line decoder: every accepted shape and every rejection reason, and properties."""
import gzip
import json

import pytest
from hypothesis import given, settings, strategies as st

from lexlens.analytics.ingest.loading import load_lines
from lexlens.analytics.ingest.records import decode_line
from lex_records import cloudwatch_event, fixture_record

CONFIRMED, MISSED = fixture_record(0), fixture_record(1)


def record(**changes):
    return fixture_record(0, **changes)


def dumps(value) -> str:
    return json.dumps(value)


def event_line(rec, ms=1648173967382):
    return dumps(cloudwatch_event(rec, ms, event_id="1"))


ACCEPTED = [
    ("raw record", dumps(CONFIRMED)),
    ("missed record via Connect", dumps(MISSED)),
    ("CloudWatch event line", event_line(CONFIRMED)),
    ("S3 export line", "2022-03-25T02:06:07.382Z " + dumps(CONFIRMED)),
    ("message-version spelling", dumps({**{k: v for k, v in CONFIRMED.items() if k != "messageVersion"},
                                        "message-version": "2.0"})),
    ("unknown fields", dumps(record(somethingNew={"a": [1, 2]}, x=None))),
    ("number sessionId", dumps(record(sessionId=455980081820937))),
    ("null interpretation list entries", dumps(record(interpretations=[None]))),
    ("null slot", dumps(record(sessionState={"intent": {"name": "A", "slots": {"S": None}}}))),
]

REJECTED = [
    ("malformed JSON", '{"sessionId": "a", ', "malformed JSON"),
    ("invalid UTF-8 in a field read", b'{"sessionId": "a", "bot": {"id": "\xff"}}', "not valid UTF-8"),
    ("JSON array", "[1, 2, 3]", "not a JSON object"),
    ("JSON number", "42", "not a JSON object"),
    ("plain text", "START RequestId: abc", "malformed JSON"),
    ("Lambda event", dumps({"messageVersion": "1.0", "invocationSource": "DialogCodeHook",
                            "sessionId": "1", "bot": {"id": "B"}, "proposedNextState": {}}),
     "Lex V2 Lambda input event"),
    ("Lex V1 log", dumps({"botName": "B", "botAlias": "$LATEST", "intent": "I", "userId": "u",
                          "inputTranscript": "hi"}), "Lex V1"),
    ("other object", dumps({"hello": "world"}), "no 'bot' object"),
    ("no sessionId", dumps({k: v for k, v in CONFIRMED.items() if k != "sessionId"}), "no 'sessionId'"),
    ("wrong type", dumps(record(bot="BookTrip")), "wrong type"),
    ("event with text message", dumps({"timestamp": 1, "message": "START RequestId: x"}),
     "message is not a Lex V2 record"),
]


@pytest.mark.parametrize("name,line", ACCEPTED, ids=[case[0] for case in ACCEPTED])
def test_accepted_shapes_decode_to_one_record(name, line):
    (decoded, _, reason), = decode_line(line)
    assert decoded is not None, reason
    assert reason == ""


@pytest.mark.parametrize("name,line,expected", REJECTED, ids=[case[0] for case in REJECTED])
def test_rejections_say_why(name, line, expected):
    (decoded, _, reason), = decode_line(line)
    assert decoded is None
    assert expected in reason


def test_filter_log_events_document_yields_each_event():
    document = {"events": [json.loads(event_line(CONFIRMED)), json.loads(event_line(MISSED)),
                           {"timestamp": 5, "message": "not json"}], "searchedLogStreams": []}
    results = decode_line(dumps(document))
    assert [r[0] is not None for r in results] == [True, True, False]
    assert results[2][2].startswith("event 3:")


def test_event_time_used_when_record_has_no_timestamp():
    rec = {k: v for k, v in CONFIRMED.items() if k != "timestamp"}
    data = load_lines([event_line(rec, ms=1700000000123)])
    assert data.turns["time"].iloc[0].value == 1700000000123 * 1_000_000


def test_record_without_any_time_is_rejected():
    rec = {k: v for k, v in CONFIRMED.items() if k != "timestamp"}
    data = load_lines([dumps(rec)])
    assert data.report.rejected == 1 and "timestamp" in data.report.rejections[0].reason


LINE_TEXT = st.one_of(
    st.text(max_size=200),
    st.builds(dumps, st.recursive(st.none() | st.booleans() | st.floats(allow_nan=False) | st.text(max_size=20),
                                  lambda children: st.lists(children, max_size=4)
                                  | st.dictionaries(st.text(max_size=10), children, max_size=4),
                                  max_leaves=20)),
    st.builds(lambda r, k, v: dumps({**r, k: v}), st.sampled_from([CONFIRMED, MISSED]),
              st.sampled_from(["bot", "sessionState", "interpretations", "inputTranscript", "timestamp",
                               "sessionId", "requestId", "missedUtterance", "messages"]),
              st.none() | st.integers() | st.text(max_size=5) | st.lists(st.integers(), max_size=2)
              | st.dictionaries(st.text(max_size=5), st.integers(), max_size=2)),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(LINE_TEXT, max_size=12))
def test_parser_never_raises_and_every_line_is_accounted_for(lines):
    data = load_lines(lines)
    report = data.report
    assert report.accepted + report.duplicates + report.rejected + report.blank == report.lines
    assert report.lines == len(lines)
    assert len(data.turns) == report.accepted
    assert all(rejection.reason for rejection in report.rejections)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([CONFIRMED, MISSED]), max_size=8))
def test_reloading_the_same_records_only_adds_duplicates(records):
    lines = [dumps(r) for r in records] * 2
    data = load_lines(lines)
    distinct = {(r["sessionId"], r["requestId"]) for r in records}
    assert data.report.accepted == len(distinct)
    assert data.report.duplicates == len(lines) - len(distinct)
