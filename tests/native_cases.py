"""Single Lex lines for the scanner's tests: builders from the real records and the table of
cases (id, line, canonical: a canonical line must be read by the C scanner itself)."""
from __future__ import annotations

import json





from native_compare import SAMPLES

# ---------- table-driven single lines ----------

REAL = [json.loads(line) for line in (SAMPLES / "real-lex-records.jsonl").read_text().splitlines()]


def base(**changes) -> dict:
    """The first real record with top-level fields replaced (DROP removes one)."""
    record = json.loads(json.dumps(REAL[0]))
    for key, value in changes.items():
        if value is DROP:
            record.pop(key, None)
        else:
            record[key] = value
    return record


DROP = object()


def state(**changes) -> dict:
    session = json.loads(json.dumps(REAL[0]["sessionState"]))
    session.update(changes)
    return session


def with_slots(slots, intent_name="OrderPizza") -> dict:
    return state(intent={"name": intent_name, "state": "InProgress", "confirmationState": "None",
                         "slots": slots})


def line(record: dict, **dumps) -> bytes:
    return json.dumps(record, **dumps).encode("utf-8")


def scalar(value):
    return {"shape": "Scalar", "value": {"originalValue": value, "interpretedValue": value,
                                         "resolvedValues": [value]}}


# (id, line, canonical): canonical lines must be read by the C scanner itself.
CASES = [
    ("real record 1", line(REAL[0]), True),
    ("real record 2", line(REAL[1]), True),
    ("non-ascii raw", line(base(inputTranscript="crème brûlée 😀 日本"), ensure_ascii=False), True),
    ("non-ascii escaped", line(base(inputTranscript="crème brûlée 😀 日本"), ensure_ascii=True), True),
    ("NUL and controls escaped", line(base(inputTranscript="a\x00b\x01\x1f\n\t\"\\/")), True),
    ("escaped slash and uppercase hex", line(base()).replace(b'"sessionId": "',
                                                             b'"sessionId": "\\/\\u00E9\\uD83D\\uDE00'), True),
    ("unicode whitespace transcript", line(base(inputTranscript="\u2003\u00a0\x1c\u3000")), True),
    ("zero-width transcript is an utterance", line(base(inputTranscript="\u200b")), True),
    ("next-line transcript", line(base(inputTranscript="\u0085")), True),
    ("lone high surrogate", line(base()).replace(b'"sessionId": "', b'"sessionId": "\\ud800'), False),
    ("lone low surrogate", line(base()).replace(b'"sessionId": "', b'"sessionId": "\\udc00'), False),
    ("high surrogate + non-low", line(base()).replace(b'"sessionId": "', b'"sessionId": "\\ud800\\u0041'),
     False),
    ("invalid utf-8 in unknown field", line(base(x="X")).replace(b'"X"', b'"\xff\xfe"'), False),
    ("invalid utf-8 in transcript", line(base(inputTranscript="X")).replace(b'"X"', b'"\xc0\xaf"'), False),
    ("encoded surrogate in transcript", line(base(inputTranscript="X")).replace(b'"X"', b'"\xed\xa0\x80"'),
     False),
    # keys are compared as decoded, as msgspec matches them (ensure_ascii writers escape every
    # non-ASCII key): a known field written with escapes is that field
    ("escaped key at top level", line(base()).replace(b'"sessionId"', b'"session\\u0049d"'), True),
    *[(f"escaped key: {name}", line(record, ensure_ascii=True), True) for name, record in [
        ("unknown, top level", base(**{"x\u00e9": 1, "\u4e2d": {"\u00e9": [1]}})),
        ("unknown, in an interpretation", base(interpretations=[{**REAL[0]["interpretations"][0], "z\u00e9": 1}])),
        ("unknown, in a message", base(messages=[{"content": "hi", "contentType": "PlainText", "z\u00e9": 1}])),
        ("unknown, in the bot and the session state", base(bot={**REAL[0]["bot"], "\u00e9": "x"},
                                                          sessionState=state(**{"\u00e9": None}))),
    ]],
    *[(f"escaped known key: {name}", line(base(**changes)).replace(old, new), True) for name, changes, old, new in [
        ("bot name", {}, b'"name": "', b'"n\\u0061me": "'),
        ("nluConfidence", {"interpretations": [{"intent": {"name": "A"}, "nluConfidence": "0.7"}]},
         b'"nluConfidence"', b'"nluC\\u006fnfidence"'),
        ("inputTranscript", {"inputTranscript": "hello"}, b'"inputTranscript"', b'"input\\u0054ranscript"'),
        ("intent state", {}, b'"state"', b'"st\\u0061te"'),
    ]],
    ("a known key written plainly and escaped", line(base()).replace(b'{"', b'{"session\\u0049d": "other", "', 1),
     False),
    ("escaped slot name", line(base(sessionState=with_slots({"X": scalar("a")})))
     .replace(b'"X"', b'"\\u0041b"'), True),
    ("duplicate top-level key", line(base()).replace(b'{"', b'{"inputTranscript": "first", "', 1), False),
    ("duplicate key in bot", line(base()).replace(b'"bot": {', b'"bot": {"name": "Other", '), False),
    ("duplicate slot, written two ways", line(base(sessionState=with_slots({"A": None, "B": None})))
     .replace(b'"B"', b'"\\u0041"'), False),
    ("duplicate session attribute", line(base(sessionState=state(sessionAttributes={"k": "1", "K": "2"})))
     .replace(b'"K"', b'"k"'), False),
    ("duplicate unknown top-level key", line(base()).replace(b'{"', b'{"zz": 1, "zz": [2], "', 1), True),
    # timestamps
    *[(f"time {text}", line(base(timestamp=text)), fast) for text, fast in [
        ("2024-10-21T00:00:00Z", True), ("2024-10-21T00:00:00.5Z", True),
        ("2024-10-21T00:00:00.0005Z", True), ("2024-10-21T00:00:00.0015Z", True),
        ("2024-10-21T00:00:00.123456Z", True), ("2024-10-21T00:00:00.9999995Z", False),
        ("1969-12-31T23:59:59.9995Z", True), ("1969-12-31T23:59:59.0005Z", False),
        ("1969-12-31T23:59:59.999Z", False), ("1970-01-01T00:00:00Z", True),
        ("2199-12-31T23:59:59.999Z", True), ("2199-12-31T23:59:59.9995Z", False),
        ("2200-01-01T00:00:00Z", False),
        ("2024-10-21T00:00:00+05:30", True), ("2024-10-21T00:00:00-05:30", True),
        ("2024-10-21T00:00:00.25-00:00", True), ("2024-10-21T00:00:00+23:59", True),
        ("2024-10-21T00:00:00", True), ("2024-10-21T00:00:00.1", True),
        ("2024-10-21T00:00:00+0530", False), ("2024-10-21T00:00:00+05", False),
        ("2024-10-21 00:00:00Z", False), ("2024-10-21T00:00:00,5Z", False),
        ("2024-10-21t00:00:00z", False), ("2024-10-21T00:00:00+24:00", False),
        ("2024-02-29T12:00:00Z", True), ("2023-02-29T12:00:00Z", False), ("1900-02-29T12:00:00Z", False),
        ("2000-02-29T12:00:00Z", True), ("2024-02-30T12:00:00Z", False), ("2024-04-31T12:00:00Z", False),
        ("2024-10-21T24:00:00Z", False), ("2024-10-21T23:60:00Z", False), ("2024-10-21T23:59:60Z", False),
        ("2255-03-14T16:00:00Z", False), ("2255-03-14T16:00:00.001Z", False),
        ("1684-10-19T08:00:00Z", False), ("1684-10-19T07:59:59.999Z", False),
        ("1690-01-01T00:00:00Z", False), ("2250-01-01T00:00:00Z", False),
        ("1600-01-01T00:00:00Z", False), ("2300-01-01T00:00:00Z", False),
        ("0001-01-01T00:00:00Z", False), ("9999-12-31T23:59:59.999999Z", False),
        ("0000-01-01T00:00:00Z", False), ("2024-10-21", False), ("", False), ("yesterday", False),
        ("2024-10-21T00:00:00.Z", False), ("\u0661\u0669\u0667\u0660-01-01T00:00:00Z", False),
    ]],
    ("time as epoch ms", line(base(timestamp=1729468800000)), False),
    ("time null", line(base(timestamp=None)), False),
    ("time absent", line(base(timestamp=DROP)), False),
    # confidences
    *[(f"nluConfidence {value!r}", line(base(interpretations=[
        {"intent": {"name": "A"}, "nluConfidence": value}, {"intent": {"name": "B"}, "nluConfidence": value}])),
      fast) for value, fast in [
        ("0.63", True), (0.63, True), ("high", False),
        # the runtime API's object form (the scanner reads it since real-looking varied logs sent
        # a quarter of their lines to Python for it): as_confidence(value.get("score"))
        ({"score": 0.63}, True), ({"score": "0.63"}, True), ({"score": None}, True), ({}, True),
        ({"other": [1, {"x": "y"}], "score": 0.5, "more": "z"}, True), ({"score": {"score": 0.5}}, False),
        ({"score": True}, False), ({"score": "high"}, False), ({"score": [0.5]}, False), (" 0.5", False),
        ("1e-3", True), ("nan", False), ("-0", True), ("-0.0", True), (0, True), (1, True), (True, False),
        ("0.1000000000000000055511151231257827", True), ("1E+2", True), ("01", False), ("+0.5", False),
        ("1e400", True), ("1_0", False), (".5", False), (None, True), ([0.5], False),
        (123456789012345678, True), (1234567890123456789, False), (9007199254740993, True),
        (1.7976931348623157e308, True), (5e-324, False), (2.2250738585072014e-308, True),
        (0.30000000000000004, True)]],
    *[(f"number text {text}", line(base(interpretations=[{"intent": {"name": "A"}, "nluConfidence": "X"}]))
       .replace(b'"X"', text), fast) for text, fast in [
        (b"-0", True), (b"-0.0", True), (b"1e308", True), (b"1E+308", True), (b"1e309", False),
        (b"5e-324", False), (b"1.2e-05", True), (b"0e0", True), (b"0.0e-999", True), (b"1e-400", False),
        (b"2.2250738585072011e-308", False), (b"123456789012345678901234567890", False),
        (b"0.10000000000000000555111512312578270211815834045410156250000", False),
        (b"9007199254740993.0", True), (b"9007199254740992.9999999999", True),
        (b"4.9406564584124654e-324", False), (b"1.00000000000000011102230246251565404236316680908203125",
                                                False),
        (b"1.0000000000000001110223024625156540", True), (b"-1e-5", True),
        (b"9999999999999999999", False), (b"-9223372036854775809", False), (b"9223372036854775807", False),
        (b"18446744073709551616", False), (b"-99999999999999999", True), (b"999999999999999999", True),
        (b'{"score": 0.1, "score": 0.2}', False), (b'{"sc\\u006fre": 0.5}', False), (b'{"score": 0.5,}', False),
        (b'{"score" 0.5}', False), (b'{ "score" : 1e-3 , "x" : {} }', True), (b'{"score": 0.5', False)]],
    # sentiment
    *[(f"sentiment {response!r}", line(base(interpretations=[
        {"intent": {"name": "A"}, "nluConfidence": "0.9"},
        {"intent": {"name": "B"}, "sentimentResponse": response},
        {"intent": {"name": "C"}, "sentimentResponse": {"sentiment": "NEUTRAL"}}])), fast)
      for response, fast in [
        ({"sentiment": "positive", "sentimentScore": {"positive": 0.9, "negative": 1.2e-05}}, True),
        ({"sentiment": "mIxEd", "sentimentScore": {"Positive": "0.9", "Negative": -0.0}}, True),
        ({"sentiment": "Negative", "sentimentScore": {"positive": None, "Positive": 0.1, "negative": 1e308,
                                                      "Negative": 5}}, True),
        ({"sentiment": "", "sentimentScore": {"positive": 0.9}}, True),
        ({"sentiment": None, "sentimentScore": None}, True),
        ({"sentiment": "straße", "sentimentScore": {}}, False),
        ({"sentiment": "ǆ", "sentimentScore": {}}, False),
        ({"sentiment": "POSITIVE", "sentimentScore": {"positive": {"score": 1}}}, False),
        ({"sentiment": "POSITIVE", "sentimentScore": []}, False),
        ({"sentiment": 7, "sentimentScore": {}}, False),
        ({"sentiment": "x" * 70}, False), ({"sentiment": "y" * 64}, True),
        (None, True), ("POSITIVE", False)]],
    # intent choice
    ("missed, no intent anywhere", line(base(missedUtterance=True, interpretations=[],
                                             sessionState=state(intent=None))), True),
    ("missed as 'true'", line(base(missedUtterance="true", interpretations=None,
                                   sessionState=state(intent={"name": ""}))), True),
    ("missed as 'True'", line(base(missedUtterance="True", interpretations=[None])), True),
    ("missed as 1", line(base(missedUtterance=1)), False),
    ("missed as escaped true", line(base(missedUtterance="X")).replace(b'"X"', b'"tru\\u0065"'), True),
    ("intent '' takes the top interpretation", line(base(interpretations=[
        None, {"intent": None, "nluConfidence": "0.2"}, {"intent": {"name": "Second"}}],
        sessionState=state(intent={"name": ""}))), True),
    ("interpretation without intent", line(base(interpretations=[{"nluConfidence": 0.5}],
                                                missedUtterance=True)), True),
    ("intent name a number", line(base(sessionState=state(intent={"name": 5}))), False),
    # text fields
    ("inputMode empty is Unknown", line(base(inputMode="")), True),
    ("inputMode null is Unknown", line(base(inputMode=None)), True),
    ("requestId null", line(base(requestId=None)), True),
    ("requestId a number", line(base(requestId=7)), False),
    ("sessionId empty", line(base(sessionId="")), False),
    ("sessionId null", line(base(sessionId=None)), False),
    ("sessionId a number", line(base(sessionId=12)), False),
    ("bot empty", line(base(bot={})), True),
    ("bot null", line(base(bot=None)), False),
    ("bot a string", line(base(bot="BankerBot")), False),
    ("bot version a number", line(base(bot={**REAL[0]["bot"], "version": 3})), False),
    ("sessionState null", line(base(sessionState=None)), True),
    ("Lambda event", line(base(invocationSource="DialogCodeHook")), False),
    ("Lambda event, null marker", line(base(invocationSource=None)), False),
    ("Lex V1 look-alike", line(base(bot=DROP, botName="B", userId="u")), False),
    # messages
    *[(f"messages {value!r}", line(base(messages=value)), fast) for value, fast in [
        ([], True), (None, True), ([None], True), ([None, {"content": "a"}], True),
        ([{"content": None}], True), ([{}], True), ([{"content": "a"}, {"content": None}, {}], True),
        ([{"content": "a"}, None, {"content": "b\nc"}], True), ([{"content": 5}], False),
        ([{"content": ["a"]}], False), ("hello", False), ([5], False)]],
    # attributes
    *[(f"attributes {value!r}", line(base(sessionState=state(sessionAttributes=value),
                                          requestAttributes=value)), fast) for value, fast in [
        ({}, True), (None, True), ({"a": None, "": "", "é": "😀"}, True), ({"n": 5}, False),
        ({"b": True}, False), ({"o": {"x": 1}}, False), ([], False), ("x", False)]],
    # slots
    *[(f"slots {slots!r}", line(base(sessionState=with_slots(slots))), fast) for slots, fast in [
        ({}, True), (None, True), ({"a": None}, True), ({"a": {}}, True),
        ({"a": {"shape": "Scalar", "value": None}}, True), ({"a": {"value": {}}}, True),
        ({"a": {"shape": "", "value": {"originalValue": None, "interpretedValue": "x"}}}, True),
        ({"a": {"shape": "List", "value": {"originalValue": "x y", "interpretedValue": "x y"},
                "values": [scalar("x"), None, {"shape": "Scalar", "value": None}, {}]}}, True),
        ({"a": {"values": [], "value": {"originalValue": "v", "interpretedValue": "v"}}}, True),
        ({"a": {"values": [], "subSlots": {}}}, True),
        ({"a": {"values": [scalar("x")]}}, True),
        ({"a": {"values": [{"values": [scalar("x")]}]}}, False),
        ({"a": {"values": [{"value": scalar("x")["value"], "subSlots": {"b": None}}]}}, False),
        ({"a": {"values": [5]}}, False),
        ({"addr": {"shape": "Composite", "subSlots": {"street": scalar("1 Main"), "city": None,
                                                      "zip": {"shape": "Composite", "subSlots": {
                                                          "p": scalar("1"), "q": {}}}}}}, True),
        ({"addr": {"shape": "Composite", "value": {"originalValue": "o", "interpretedValue": "i"},
                   "subSlots": {"s": scalar("x")}}}, True),
        ({"addr": {"shape": "Composite", "values": [scalar("v")], "subSlots": {"s": None}}}, True),
        ({"a.b": scalar("x"), "a": {"subSlots": {"b": scalar("y")}}}, True),
        ({"a": {"shape": 5}}, False), ({"a": {"value": "x"}}, False), ({"a": 5}, False),
        ({"a": {"value": {"originalValue": 5}}}, False),
    ]],
    # whitespace around and inside
    ("leading spaces", b"  \t" + line(base()), True),
    ("trailing spaces and CR", line(base()) + b" \t\r", True),
    ("compact separators", line(base(), separators=(",", ":")), True),
    ("wide separators", line(base(), indent=None, separators=(" , ", " : ")), True),
    ("leading vertical tab", b"\x0b" + line(base()), False),
    ("leading form feed", b"\x0c" + line(base()), False),
    ("trailing form feed", line(base()) + b"\x0c", False),
    ("trailing garbage", line(base()) + b"x", False),
    ("two records on a line", line(base()) + line(base(requestId="other")), False),
    ("truncated", line(base())[:-1], False),
    ("truncated in a string", line(base())[:40], False),
    ("trailing comma", line(base())[:-1] + b",}", False),
    ("BOM", b"\xef\xbb\xbf" + line(base()), False),
    ("raw tab inside a string", line(base(inputTranscript="X")).replace(b'"X"', b'"a\tb"'), False),
    ("deep unknown field", line(base(x=json.loads("[" * 70 + "]" * 70))), False),
    ("moderately deep unknown field", line(base(x=json.loads("[" * 30 + "]" * 30))), True),
    # CloudWatch envelopes (lex-log-format: events as `aws logs` and `lexlens pull` write them,
    # S3 export lines): the record inside is read by the scanner when the envelope holds
    # nothing else it would have to judge; the event or export time counts only for a record
    # without a usable timestamp, which goes to Python.
    *[(f"CloudWatch event: {name}", text if isinstance(text, bytes) else line(text), fast) for name, text, fast in [
        ("plain", {"timestamp": 1729468800000, "message": json.dumps(REAL[0])}, True),
        ("every event field", {"timestamp": 1729468800000, "message": json.dumps(REAL[1]), "logStreamName": "s",
                               "ingestionTime": 1729468800500, "eventId": "3" * 56}, True),
        ("message first, spaced", json.dumps({"message": json.dumps(REAL[0]), "timestamp": 1}, indent=1)
         .replace("\n", " ").encode(), True),
        ("string event time", {"timestamp": "2024-10-21T00:00:00Z", "message": json.dumps(REAL[0])}, True),
        ("odd event time", {"timestamp": [None, {"x": 1}], "message": json.dumps(REAL[0])}, True),
        ("escapes twice over", {"timestamp": 1, "message": json.dumps(
            base(inputTranscript='say "hi" \\ \u00e9 \U0001f600 \n\t/'))}, True),
        ("raw non-ASCII inside", line({"timestamp": 1, "message": json.dumps(
            base(inputTranscript="cr\u00e8me \U0001f600"), ensure_ascii=False)}, ensure_ascii=False), True),
        ("record without its own time", {"timestamp": 1729468800000,
                                         "message": json.dumps(base(timestamp=DROP))}, False),
        ("record with an unusual time", {"timestamp": 1729468800000,
                                         "message": json.dumps(base(timestamp="2024-10-21"))}, False),
        ("logGroupName", {"timestamp": 1, "message": json.dumps(REAL[0]), "logGroupName": "g"}, False),
        ("a record field beside it", {"timestamp": 1, "message": json.dumps(REAL[0]), "sessionId": "s"}, False),
        ("bot beside it", {"timestamp": 1, "message": json.dumps(REAL[0]), "bot": REAL[0]["bot"]}, False),
        ("message an object", {"timestamp": 1, "message": REAL[0]}, False),
        ("message null", {"timestamp": 1, "message": None}, False),
        ("message not JSON", {"timestamp": 1, "message": "START RequestId: 1"}, False),
        ("no message", {"timestamp": 1, "logStreamName": "s"}, False),
        ("message twice", line({"timestamp": 1, "message": json.dumps(REAL[0])})[:-1]
         + b', "message": "x"}', False),
        ("escaped key", line({"timestamp": 1, "message": json.dumps(REAL[0])}).replace(b'"message"',
                                                                                        b'"mess\\u0061ge"'), False),
        ("lone surrogate inside", {"timestamp": 1, "message": json.dumps(base(inputTranscript="X")).replace(
            '"X"', '"\\ud800"')}, False),
        ("raw tab in a string inside", {"timestamp": 1, "message": json.dumps(base(inputTranscript="X")).replace(
            '"X"', '"a\tb"')}, False),
        ("server response inside", {"timestamp": 1, "message": json.dumps(base(responseReason="StartTimeout"))},
         False),
        ("Lambda event inside", {"timestamp": 1, "message": json.dumps(base(invocationSource="DialogCodeHook"))},
         False),
        ("an event inside", {"timestamp": 1, "message": json.dumps({"timestamp": 1, "message": json.dumps(REAL[0])})},
         False),
        ("trailing garbage inside", {"timestamp": 1, "message": json.dumps(REAL[0]) + "x"}, False),
        ("deep inside", {"timestamp": 1, "message": json.dumps(base(x=json.loads("[" * 70 + "]" * 70)))}, False),
        ("trailing garbage", line({"timestamp": 1, "message": json.dumps(REAL[0])}) + b"x", False),
    ]],
    *[(f"S3 export line: {name}", text, fast) for name, text, fast in [
        ("Z and milliseconds", b"2024-10-21T00:00:00.000Z " + line(base()), True),
        ("no zone", b"2024-10-21T00:00:00 " + line(base()), True),
        ("+05:30", b"2024-10-21T05:30:00+05:30 " + line(base()), True),
        ("-0800", b"2024-10-20T16:00:00.5-0800 " + line(REAL[1]), True),
        ("an impossible time", b"2024-99-99T99:99 " + line(base()), True),
        ("record without its own time", b"2024-10-21T00:00:00.000Z " + line(base(timestamp=DROP)), False),
        ("two spaces", b"2024-10-21T00:00:00.000Z  " + line(base()), False),
        ("zone cut short", b"2024-10-21T00:00:00+05 " + line(base()), False),
        ("zone letters", b"2024-10-21T00:00:00.000X " + line(base()), False),
        ("date only", b"2024-10-21 " + line(base()), False),
        ("no clock", b"2024-10-21T " + line(base()), False),
        ("leading space", b" 2024-10-21T00:00:00.000Z " + line(base()), False),
        ("an event after the time", b"2024-10-21T00:00:00.000Z " + line({"timestamp": 1,
                                                                         "message": json.dumps(REAL[0])}), False),
        ("trailing garbage", b"2024-10-21T00:00:00.000Z " + line(base()) + b"x", False),
        ("time only", b"2024-10-21T00:00:00.000Z", False),
    ]],
    ("events document", line({"events": [{"timestamp": 1729468800000, "message": json.dumps(REAL[0])},
                                         {"timestamp": 1, "message": "x"}, 5]}), False),
    ("record that also has message and events", line(base(message="x", events=[1])), True),
    # responseReason (https://docs.aws.amazon.com/lexv2/latest/dg/conversation-logs-cw.html):
    # an answer to user input stays on the fast path; a server response goes to Python
    ("responseReason UtteranceResponse", line(base(responseReason="UtteranceResponse")), True),
    *[(f"responseReason {reason}", line(base(responseReason=reason)), False)
      for reason in ("StartTimeout", "StillWaitingResponse", "FulfillmentInitiated",
                     "FulfillmentStartedResponse", "FulfillmentUpdateResponse",
                     "FulfillmentCompletedResponse", "SomeFutureReason", "")],
    ("responseReason null", line(base(responseReason=None)), False),
    ("responseReason a number", line(base(responseReason=3)), False),
    ("responseReason escaped", line(base(responseReason="X")).replace(b'"X"', b'"\\u0055tteranceResponse"'),
     False),
    ("responseReason twice", line(base(responseReason="UtteranceResponse"))[:-1]
     + b', "responseReason": "StartTimeout"}', False),
    ("bargeIn and audioProperties", line(base(bargeIn=True, audioProperties={
        "duration": {"total": 1200, "voice": 800, "silence": 400}})), True),
    ("a JSON array", b"[1, 2]", False),
    ("a JSON string", b'"hello"', False),
    ("garbage", b"not json at all", False),
]
