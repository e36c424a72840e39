"""Hypothesis strategies for the scanner's tests: hostile-but-plausible records and files, with
JSON written by hand (escapes, odd numbers, invalid UTF-8, repeated keys)."""
from __future__ import annotations

import json
from datetime import datetime

from hypothesis import strategies as st





# ---------- Hypothesis: hostile-but-plausible records ----------

class Raw:
    """JSON text written by hand (bytes): escapes, odd numbers, invalid UTF-8."""

    def __init__(self, data: bytes):
        self.data = data

    def __repr__(self) -> str:
        return f"Raw({self.data!r})"


class Obj:
    """A JSON object as ordered (key, value) pairs: keys may repeat; a key may be Raw."""

    def __init__(self, pairs: list):
        self.pairs = pairs

    def __repr__(self) -> str:
        return f"Obj({self.pairs!r})"


def dump(value, ascii_only: bool = True, seps: tuple = (b", ", b": ")) -> bytes:
    """``value`` as JSON text; Raw and Obj written as they are."""
    if isinstance(value, Raw):
        return value.data
    if isinstance(value, (Obj, dict)):
        pairs = value.pairs if isinstance(value, Obj) else list(value.items())
        return b"{" + seps[0].join(dump(key, ascii_only, seps) + seps[1] + dump(item, ascii_only, seps)
                                   for key, item in pairs) + b"}"
    if isinstance(value, list):
        return b"[" + seps[0].join(dump(item, ascii_only, seps) for item in value) + b"]"
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8")


PLAIN_CHARS = st.characters(blacklist_categories=("Cs",))  # no lone surrogates in str
SAMPLE_TEXTS = ["", " ", "hi", "check balance", "é", "Ünïcödé", "😀 pizza", "\u00a0", "\u2003", "\u200b",
                "\x1c", "\x85", "a\nb", 'quote " and \\ backslash', "\x00", "\t", "true", "0.63", "null",
                "\u2028", "日本語", "ǅ", "ß"]
ESCAPED_TEXTS = [Raw(b'"\\u00e9t\\u00e9"'), Raw(b'"\\ud83d\\ude00"'), Raw(b'"\\uD83D\\uDE00!"'),
                 Raw(b'"a\\/b"'), Raw(b'"\\u0000"'), Raw(b'"\\"\\\\\\b\\f\\n\\r\\t"'), Raw(b'"\\u0020"')]
HOSTILE_TEXTS = [Raw(b'"\\ud800"'), Raw(b'"\\udc00"'), Raw(b'"\\ud800\\u0041"'), Raw(b'"\\ud800x"'),
                 Raw(b'"\\x41"'), Raw(b'"\\u12"'), Raw(b'"tab\there"'), Raw(b'"unterminated')]
# Invalid UTF-8 inside a string: the scanner must leave such lines to Python.
BAD_UTF8 = [b"\xff", b"a\xfeb", b"\xed\xa0\x80", b"\xc0\xaf", b"\xe2\x82", b"\xf4\x90\x80\x80", b"\x80"]
NUMBER_TEXTS = [b"-0", b"-0.0", b"0", b"1e308", b"5e-324", b"1.2e-05", b"1E+2", b"2.2250738585072011e-308",
                b"1e400", b"-1e400", b"123456789012345678", b"1234567890123456789", b"12345678901234567890123",
                b"9007199254740993", b"0.1000000000000000055511151231257827", b"1e-400", b"0e0"]
BAD_NUMBER_TEXTS = [b"01", b"1.", b".5", b"+1", b"NaN", b"Infinity", b"-", b"1e", b"0x10"]
JSON_NUMBER = st.from_regex(rb"\A-?(0|[1-9][0-9]{0,24})(\.[0-9]{1,24})?([eE][-+]?[0-9]{1,3})?\Z")
CANONICAL_NUMBER = st.from_regex(rb"\A-?(0|[1-9][0-9]{0,16})(\.[0-9]{1,16})?([eE][-+]?[0-9]{1,2})?\Z")

scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(PLAIN_CHARS, max_size=6))
any_json = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.text(PLAIN_CHARS, max_size=4), inner, max_size=3), max_leaves=8)


def sometimes(usual, odd, hostile: bool, odds: int = 20):
    """``usual``; in hostile records ``odd`` once in ``odds`` draws: a hostile record is a
    canonical one with a few odd parts, so most of it still tests what the scanner reads."""
    if not hostile:
        return usual
    return st.integers(0, odds - 1).flatmap(lambda roll: odd if roll == 0 else usual)


def texts(hostile: bool, pool=()):
    """A text field: strings (raw or escaped), null; hostile adds wrong JSON types, bad escapes."""
    usual = st.one_of(st.sampled_from(SAMPLE_TEXTS + list(pool)), st.text(PLAIN_CHARS, max_size=10),
                      st.sampled_from(ESCAPED_TEXTS), st.none())
    odd = st.one_of(st.sampled_from(HOSTILE_TEXTS), any_json,
                    st.sampled_from(NUMBER_TEXTS + BAD_NUMBER_TEXTS).map(Raw))
    return sometimes(usual, odd, hostile)


def numbers(hostile: bool):
    """A JSON number; canonical ones are those the scanner converts itself (no subnormals,
    at most 17 integer digits, at most 40 characters)."""
    usual = st.one_of(st.floats(0, 1, allow_subnormal=False),
                      st.floats(allow_nan=False, allow_infinity=False, allow_subnormal=False),
                      st.integers(-10**16, 10**17), CANONICAL_NUMBER.map(Raw))
    odd = st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False), JSON_NUMBER.map(Raw),
                    st.sampled_from(NUMBER_TEXTS).map(Raw), st.sampled_from(BAD_NUMBER_TEXTS).map(Raw))
    return sometimes(usual, odd, hostile, odds=3)


def confidences(hostile: bool):
    """nluConfidence / a sentiment score: "0.63", 0.63, null; hostile: {"score":..}, "high", ..."""
    usual = st.one_of(st.floats(0, 1).map(lambda x: f"{x:.2f}"), numbers(hostile), st.none(),
                      (JSON_NUMBER if hostile else CANONICAL_NUMBER).map(lambda text: text.decode()),
                      st.sampled_from(["0.63", "1e-3", "-0", "1E+2", "1e400", "-1e400", "0"]))
    odd = st.one_of(st.sampled_from(["high", " 0.5", "0.5 ", "nan", "NaN", "inf", "-infinity", "1_0",
                                     "+0.5", ".5", "5.", "\u0661", "0x1", ""]),
                    numbers(hostile).map(lambda n: {"score": n}), st.booleans(), any_json)
    return sometimes(usual, odd, hostile, odds=4)


@st.composite
def objects(draw, fields: dict, hostile: bool, always=(), often=(), unknown=True):
    """A JSON object with some of ``fields`` (name -> strategy; ``often`` ones 9 times in 10,
    others 3 in 4) in any order; hostile adds duplicate keys, escaped field names, and drops
    even ``always`` fields once in 20; unknown fields with any JSON."""
    def present(name: str) -> bool:
        if name in always:
            return not hostile or draw(st.integers(0, 19)) > 0
        return draw(st.integers(0, 9 if name in often else 3)) > 0

    pairs = [(name, draw(strategy)) for name, strategy in fields.items() if present(name)]
    if unknown and draw(st.integers(0, 3)) == 0:
        pairs.append((draw(st.sampled_from(["x", "xTra", "developerOverride", "activeContexts", "x.y", ""])),
                      draw(any_json)))
    if draw(st.booleans()):
        pairs = draw(st.permutations(pairs))
    if hostile and pairs and draw(st.integers(0, 39)) == 0:
        name, _ = pairs[draw(st.integers(0, len(pairs) - 1))]
        strategy = fields.get(name, any_json)
        pairs.insert(draw(st.integers(0, len(pairs))), (name, draw(strategy)))
    if hostile and pairs and draw(st.integers(0, 59)) == 0:
        position = draw(st.integers(0, len(pairs) - 1))
        name, value = pairs[position]
        if name:
            escaped = b'"\\u%04x' % ord(name[0]) + json.dumps(name[1:]).encode()[1:]
            pairs[position] = (Raw(escaped), value)
    return Obj(pairs)


@st.composite
def maps(draw, keys, values, hostile: bool, max_size: int = 4, min_size: int = 0):
    """A dict-typed JSON object (slots, attributes); hostile adds a key written twice."""
    pairs = list(draw(st.dictionaries(keys, values, min_size=min_size, max_size=max_size)).items())
    if hostile and pairs and draw(st.integers(0, 14)) == 0:
        name = pairs[draw(st.integers(0, len(pairs) - 1))][0]
        written = Raw(b'"\\u%04x' % ord(name[0]) + json.dumps(name[1:]).encode()[1:]) \
            if name and draw(st.booleans()) else name
        pairs.insert(draw(st.integers(0, len(pairs))), (written, draw(values)))
    return Obj(pairs)


def nullable(strategy, hostile: bool):
    """``strategy`` (4 times in 5), null, and in hostile records a value of the wrong JSON type."""
    return sometimes(st.integers(0, 4).flatmap(lambda roll: strategy if roll else st.none()), any_json,
                     hostile)


@st.composite
def timestamps(draw, hostile: bool):
    if draw(st.integers(0, 4)) == 0:  # the same instant written many ways: ties in time
        return draw(st.sampled_from(["2024-10-21T00:00:00Z", "2024-10-21T00:00:00.000Z",
                                     "2024-10-21T00:00:00+00:00", "2024-10-21T00:00:00"] + (
            ["2024-10-21 00:00:00Z", "2024-10-21T00:00:00.000000000Z", "2024-10-21T05:30:00+0530",
             "2024-10-21T00:00:00,0Z", 1729468800000, 1729468800, 1729468800.5, None, "",
             "2024-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "2024-10-21T24:00:00Z", "2024-10-21",
             "0000-01-01T00:00:00Z", "2262-04-12T00:00:00Z", "1677-09-21T00:00:00Z",
             "2255-03-14T16:00:00Z", "1684-10-19T08:00:00Z", "1969-12-31T23:59:59.9995Z",
             "1969-12-31T23:59:59.999Z", "2199-12-31T23:59:59.9995Z", "2200-01-01T00:00:00Z",
             True, [], Raw(b'"2024-10-21T00:00:00\\u005a"')]
            if hostile else [])))
    # canonical: inside the accepted range (records.MIN_TIME_MS..MAX_TIME_MS) by more than a
    # day, whatever the offset; hostile: around and far past it
    low, high = (datetime(1600, 1, 1), datetime(2300, 12, 31)) if hostile else \
        (datetime(1970, 1, 2), datetime(2199, 12, 30))
    moment = draw(st.datetimes(min_value=low, max_value=high))
    separator = draw(st.sampled_from("TT t" if hostile else "T"))
    text = f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}{separator}" \
           f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    digits = draw(st.integers(0, 9 if hostile else 6))
    if digits:
        extra = draw(st.text("0123456789", min_size=3, max_size=3))
        fraction = (f"{moment.microsecond:06d}" + extra)[:digits]
        text += draw(st.sampled_from(".,")) if hostile else "."
        text += fraction
    zones = ["Z", "", "+00:00", "-00:00", "+05:30", "-05:30", "+14:00", "-12:00", "+23:59"]
    if hostile:
        zones += ["+0530", "+05", "z", "+24:00", "-05:30:15", " Z"]
    return text + draw(st.sampled_from(zones))


def slot_values(hostile: bool):
    return objects({"originalValue": texts(hostile), "interpretedValue": texts(hostile),
                    "resolvedValues": st.lists(texts(hostile), max_size=2)}, hostile)


def slots(hostile: bool):
    """(slot strategy, slot-name strategy). A slot: null, Scalar, List with values[] (null
    elements; hostile: nested elements), Composite with subSlots, nested up to 3 levels."""
    shape = texts(hostile, pool=["Scalar", "List", "Composite"])
    value = nullable(slot_values(hostile), hostile)
    scalar_slot = objects({"shape": shape, "value": value}, hostile)
    names = st.one_of(st.sampled_from(["toppings", "city", "a", "a.b", "É", ""]),
                      st.text(PLAIN_CHARS, max_size=5))

    def nested(depth: int):
        if depth == 0:
            return scalar_slot
        inner = nested(depth - 1)
        element = st.one_of(st.none(), scalar_slot, inner) if hostile else st.one_of(st.none(), scalar_slot)
        return objects({"shape": shape, "value": value,
                        "values": nullable(st.lists(element, max_size=3), hostile),
                        "subSlots": nullable(maps(names, st.one_of(st.none(), inner), hostile, 3), hostile)},
                       hostile, often=("values", "subSlots"))

    return st.one_of(st.none(), scalar_slot, nested(1), nested(1), nested(2), nested(3)), names


def interpretations(hostile: bool):
    slot, names = slots(hostile)
    name = texts(hostile, pool=["OrderPizza", "FallbackIntent", "CheckBalance"])
    scores = maps(st.sampled_from(["positive", "Positive", "negative", "Negative", "neutral", "Mixed"]),
                  confidences(hostile), hostile)
    sentiment_text = st.sampled_from(["POSITIVE", "positive", "Negative", "NEUTRAL", "mIxEd", "", "x" * 64]) \
        if not hostile else texts(True, pool=["POSITIVE", "positive", "ß", "straße", "ǆ", "x" * 65])
    response = objects({"sentiment": sentiment_text, "sentimentScore": nullable(scores, hostile)}, hostile)
    one = objects({
        "intent": nullable(objects({"name": name, "slots": nullable(maps(names, slot, hostile), hostile)},
                                   hostile), hostile),
        "nluConfidence": confidences(hostile),
        "sentimentResponse": nullable(response, hostile),
        "interpretationSource": texts(hostile, pool=["Lex", "Bedrock"]),
    }, hostile)
    return nullable(st.lists(st.one_of(st.none(), one, one), max_size=4), hostile), slot, names, name


@st.composite
def records(draw, hostile: bool):
    """One Lex V2 record (an Obj); canonical ones (hostile=False) are what the C scanner reads."""
    interpretation_list, slot, names, intent_name = interpretations(hostile)
    attribute_values = texts(hostile)
    attribute_keys = st.one_of(st.sampled_from(["k", "K", "é", ""]), st.text(PLAIN_CHARS, max_size=4))
    attributes = nullable(maps(attribute_keys, attribute_values, hostile), hostile)
    state = objects({
        "dialogAction": nullable(objects({"type": texts(hostile, pool=["ElicitSlot", "Close"]),
                                          "slotToElicit": texts(hostile)}, hostile), hostile),
        "intent": nullable(objects({
            "name": intent_name, "state": texts(hostile, pool=["InProgress", "Fulfilled"]),
            "confirmationState": texts(hostile, pool=["None", "Confirmed"]),
            "slots": nullable(maps(names, slot, hostile, min_size=1), hostile)}, hostile, often=("slots",)),
            hostile),
        "sessionAttributes": attributes,
        "originatingRequestId": texts(hostile),
    }, hostile, often=("intent",))
    bot_text = texts(hostile, pool=["BankerBot", "PizzaBot", "TSTALIASID", "en_US", "DRAFT"])
    bot = objects({name: bot_text for name in ("id", "name", "aliasId", "aliasName", "localeId", "version")},
                  hostile)
    session = st.sampled_from(["s1", "s2", "séance", "😀"]) | st.text(PLAIN_CHARS, min_size=1, max_size=5)
    fields = {
        "timestamp": timestamps(hostile),
        "messageVersion": st.just("2.0"),
        "bot": sometimes(bot, st.one_of(st.none(), any_json), hostile, odds=10),
        "sessionId": st.one_of(session, session, texts(True)) if hostile else session,
        "requestId": st.one_of(st.sampled_from(["r1", "r2", "r3"]), texts(hostile)),
        "inputMode": texts(hostile, pool=["Text", "Speech", "DTMF"]),
        "operationName": texts(hostile, pool=["RecognizeText"]),
        "inputTranscript": texts(hostile),
        "missedUtterance": st.sampled_from([True, False, "true", "True", "false", None] + (
            [1, 0, "1", [], {}, Raw(b'"tru\\u0065"')] if hostile else [])),
        "interpretations": interpretation_list,
        "sessionState": nullable(state, hostile),
        "messages": nullable(st.lists(st.one_of(st.none(), objects(
            {"contentType": st.just("PlainText"), "content": texts(hostile)}, hostile)), max_size=3), hostile),
        "requestAttributes": attributes,
    }
    always = ("timestamp", "bot", "sessionId")
    if hostile:  # look-alikes and envelopes, rarely
        for name in ("invocationSource", "proposedNextState", "botName", "botAlias", "userId", "message",
                     "events", "message-version"):
            if draw(st.integers(0, 15)) == 0:
                fields[name] = texts(True, pool=["DialogCodeHook"])
    record = draw(objects(fields, hostile, always=always, often=("sessionState", "interpretations")))
    return record


@st.composite
def lines(draw):
    """(line bytes without ending, expected fast): a record, canonical or hostile, or another shape."""
    kind = draw(st.sampled_from(["canonical"] * 4 + ["hostile"] * 5 + [
        "blank", "envelope", "export", "events", "truncated", "bad utf-8 unread", "bad utf-8",
        "nul padded", "deep"]))
    if kind == "blank":
        return draw(st.sampled_from([b"", b" ", b"\t", b"\x0b", b"\x0c", b"\r", b" \t\r ",
                                     b"\0", b"\0\0 \t"])), False
    if kind == "deep":  # around the C scanner's depth (64) and records.MAX_NESTING (128)
        depth = draw(st.sampled_from([62, 63, 64, 65, 66, 67, 126, 127, 128, 129, 130, 131]))
        where = draw(st.sampled_from(["xDeep", "sessionAttributes"]))
        nested = Raw(b"[" * (depth - 3) + b"1" + b"]" * (depth - 3))
        record = draw(records(hostile=False))
        if where == "xDeep":
            record.pairs.append(("xDeep", nested))
        else:
            record.pairs.append(("sessionState", Obj([("sessionAttributes", Obj([("k", nested)]))])))
        return dump(record), False
    ascii_only = draw(st.booleans())
    seps = draw(st.sampled_from([(b", ", b": "), (b",", b":"), (b" ,\t", b" : ")]))
    record = draw(records(hostile=kind != "canonical"))
    if kind == "bad utf-8 unread":  # Python reads the record; the scanner must not
        record.pairs.append(("xBad", Raw(b'"' + draw(st.sampled_from(BAD_UTF8)) + b'"')))
    text = dump(record, ascii_only, seps)
    if kind == "bad utf-8":
        cut = draw(st.integers(0, len(text)))
        return text[:cut] + draw(st.sampled_from(BAD_UTF8)) + text[cut:], False
    if kind == "canonical":
        around = st.sampled_from([b"", b"", b" ", b"\t", b"\r", b" \t"])
        return draw(around) + text + draw(around), True
    if kind == "nul padded":  # a gap a copytruncate left before a record: padding, not data
        return b"\0" * draw(st.integers(1, 40)) + text, False
    if kind == "envelope":
        message = text.decode("utf-8", "replace")
        stamp = draw(st.sampled_from([1729468800000, 1729468800, "2024-10-21T00:00:00Z", None]))
        return dump({"timestamp": stamp, "message": message}, ascii_only), False
    if kind == "events":
        message = text.decode("utf-8", "replace")
        return dump({"events": [{"timestamp": 1729468800000, "message": message}, None,
                                {"timestamp": 1729468801000, "message": message}]}), False
    if kind == "export":
        return draw(st.sampled_from([b"2024-10-21T00:00:00.000Z ", b"2024-10-21T00:00:00+05:30 ",
                                     b"2024-10-21 "])) + text, False
    if kind == "truncated":
        return text[:draw(st.integers(0, max(0, len(text) - 1)))], False
    around = st.sampled_from([b""] * 6 + [b" ", b"\t", b"\r", b"\x0b", b"\x0c"])
    return draw(around) + text + draw(around), False


@st.composite
def files(draw):
    """A plain JSONL file: (content, [(start, end, expected fast)] of each line)."""
    items = draw(st.lists(lines(), min_size=1, max_size=8))
    for _ in range(draw(st.integers(0, 2))):  # repeated records: duplicates
        items.insert(draw(st.integers(0, len(items))), items[draw(st.integers(0, len(items) - 1))])
    content, spans = b"", []
    for position, (text, fast) in enumerate(items):
        last = position == len(items) - 1
        ending = draw(st.sampled_from([b"\n", b"\n", b"\r\n"] + ([b""] if last else [])))
        spans.append((len(content), len(content) + len(text) + len(ending), fast))
        content += text + ending
    return content, spans


