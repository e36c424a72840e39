"""Decode one line of input into a Lex V2 conversation-log record, or a reason why not.

A line may be a raw Lex V2 record, a CloudWatch event (the record as a string in
``message``), an ``aws logs filter-log-events`` document (``events``), or a
CloudWatch S3-export line (``<ISO time> <record JSON>``). See
docs/log-format.md and
https://docs.aws.amazon.com/lexv2/latest/dg/conversation-logs-cw.html

msgspec decodes only the fields lexlens reads and skips the rest without building
Python objects for them (unknown fields are ignored, never an error). Fields whose
JSON type varies between real records are typed ``Any`` and coerced later.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from itertools import accumulate
from typing import Any, Optional, Union

import msgspec

EXPORT_LINE = re.compile(rb"^(\d{4}-\d{2}-\d{2}T[0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?) (\{.*)$", re.S)


class _Struct(msgspec.Struct, rename="camel", kw_only=True):
    pass


class Bot(_Struct):
    id: Any = None
    name: Any = None
    alias_id: Any = None
    alias_name: Any = None
    locale_id: Any = None
    version: Any = None


class SlotValue(_Struct):
    original_value: Any = None
    interpreted_value: Any = None


class Slot(_Struct):
    shape: Any = None
    value: Optional[SlotValue] = None
    values: Optional[list[Optional["Slot"]]] = None
    sub_slots: Optional[dict[str, Optional["Slot"]]] = None


class Intent(_Struct):
    name: Any = None
    state: Any = None
    confirmation_state: Any = None
    slots: Optional[dict[str, Optional[Slot]]] = None


class IntentName(_Struct):
    # Interpretations repeat the slots of sessionState; only the name is read.
    name: Any = None


class Sentiment(_Struct):
    sentiment: Any = None
    sentiment_score: Optional[dict[str, Any]] = None


class Interpretation(_Struct):
    intent: Optional[IntentName] = None
    nlu_confidence: Any = None
    sentiment_response: Optional[Sentiment] = None
    interpretation_source: Any = None


class DialogAction(_Struct):
    type: Any = None
    slot_to_elicit: Any = None


class SessionState(_Struct):
    dialog_action: Optional[DialogAction] = None
    intent: Optional[Intent] = None
    session_attributes: Optional[dict[str, Any]] = None
    originating_request_id: Any = None


class Message(_Struct):
    content: Any = None


class Record(_Struct):
    """A Lex V2 record, or any of the envelopes and look-alikes that share its decoder."""

    timestamp: Any = None
    message_version: Any = None
    message_version_dashed: Any = msgspec.field(name="message-version", default=None)
    bot: Optional[Bot] = None
    session_id: Any = None
    request_id: Any = None
    input_mode: Any = None
    operation_name: Any = None
    input_transcript: Any = None
    missed_utterance: Any = None
    interpretations: Optional[list[Optional[Interpretation]]] = None
    session_state: Optional[SessionState] = None
    messages: Optional[list[Optional[Message]]] = None
    request_attributes: Optional[dict[str, Any]] = None
    # why Lex logged the record: "UtteranceResponse" answers user input; any other value is
    # a response the server generated (see is_server_response)
    response_reason: Any = None
    # CloudWatch envelopes
    message: Any = None
    events: Any = None
    # look-alikes to reject by name: Lex V2 Lambda events, Lex V1 logs
    invocation_source: Any = None
    proposed_next_state: Any = None
    bot_name: Any = None
    bot_alias: Any = None
    user_id: Any = None


RECORD_DECODER = msgspec.json.Decoder(Record)
ANY_DECODER = msgspec.json.Decoder()


class Rejected(Exception):
    """A line that is not a usable Lex V2 record; the message is the reason shown to people."""


def describe_json_error(error: Exception) -> str:
    text = str(error)
    if isinstance(error, msgspec.ValidationError):
        return f"not a Lex V2 conversation log: a field has the wrong type ({text})"
    return f"malformed JSON ({text})"


# The times a record may carry: from the Unix epoch (CloudWatch's event times count from it)
# up to, not including, 2200. Far inside what pandas holds at nanosecond precision
# (1677-09-22 .. 2262-04-11), so time bins, time zones and "the same period before" computed
# from any two accepted records stay representable. The C scanner uses the same bounds.
MIN_TIME_MS, MAX_TIME_MS = 0, 7_258_118_399_999
TIME_RULE = "an ISO-8601 time from 1970-01-01T00:00Z up to 2200-01-01T00:00Z"
# Deeper JSON is one rejected line: no Lex record nests a tenth as deep, and msgspec recursing
# 400 levels overflows a 128 KiB thread stack (musl's default; tests/test_hostile_files.py).
# Counting brackets first keeps the check nearly free: no real record has 128 of them.
MAX_NESTING = 128


def parse_iso_time_ms(value: Any) -> Optional[int]:
    """Milliseconds since the epoch for an ISO-8601 string (naive means UTC) or an epoch
    number; None when it is neither or out of the representable range."""
    if type(value) is str:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        try:
            ms = round(moment.timestamp() * 1000)
        except (OverflowError, OSError, ValueError):
            return None
    elif type(value) in (int, float) and value == value and abs(value) < 1e18:
        # CloudWatch event times are epoch milliseconds; accept seconds too.
        ms = int(value if abs(value) > 1e11 else value * 1000)
    else:
        return None
    return ms if MIN_TIME_MS <= ms <= MAX_TIME_MS else None


def classify_record(record: Record) -> None:
    """Raise Rejected unless ``record`` is a Lex V2 conversation-log record."""
    if record.invocation_source is not None or record.proposed_next_state is not None:
        raise Rejected("a Lex V2 Lambda input event, not a conversation log")
    if record.bot is None:
        if record.bot_name is not None or record.bot_alias is not None or record.user_id is not None:
            raise Rejected("a Lex V1 conversation log; lexlens reads Lex V2 logs only")
        raise Rejected("not a Lex V2 conversation log: no 'bot' object")
    if record.session_id is None or record.session_id == "":
        raise Rejected("not a Lex V2 conversation log: no 'sessionId'")


def is_server_response(record: Record) -> bool:
    """A record Lex logged for a response the server generated (``StartTimeout``,
    ``StillWaitingResponse``, ``FulfillmentInitiated``, ``Fulfillment...Response``): its
    ``responseReason`` is present and is not ``UtteranceResponse``. Not a user turn.
    https://docs.aws.amazon.com/lexv2/latest/dg/conversation-logs-cw.html"""
    reason = record.response_reason
    return reason is not None and reason != "UtteranceResponse"


def decode_message(message: Any, event_time: Any) -> tuple[Record, Optional[int]]:
    """Decode the record inside a CloudWatch event's ``message`` string."""
    if type(message) is not str:
        raise Rejected("CloudWatch event without a text 'message'")
    try:
        check_nesting(message)
        record = RECORD_DECODER.decode(message)
    except (msgspec.DecodeError, Rejected) as error:
        reason = str(error) if isinstance(error, Rejected) else describe_json_error(error)
        raise Rejected(f"CloudWatch event whose message is not a Lex V2 record: {reason}") from None
    classify_record(record)
    return record, parse_iso_time_ms(event_time)


def check_nesting(text: Union[bytes, str]) -> None:
    """Raise Rejected when ``text`` nests arrays and objects deeper than MAX_NESTING.

    Counting brackets is cheap; the exact depth (brackets outside strings) is computed only
    when there are more opening brackets than the limit."""
    opening = (b"{", b"[") if isinstance(text, bytes) else ("{", "[")
    if text.count(opening[0]) + text.count(opening[1]) <= MAX_NESTING:
        return
    raw = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    brackets = STRINGS.sub(b"", raw).translate(None, NOT_BRACKETS)
    deepest = max(accumulate(1 if char in OPENING else -1 for char in brackets), default=0)
    if deepest > MAX_NESTING:
        raise Rejected(f"JSON nested deeper than {MAX_NESTING} levels ({deepest} levels)")


STRINGS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
NOT_BRACKETS = bytes(range(256)).translate(None, b"[]{}")
OPENING = frozenset(b"[{")


def describe_invalid_utf8(line: Union[bytes, str]) -> str:
    """The rejection reason of a line that is not valid UTF-8, else ''.

    The rule is lexlens's own, checked before any decoder sees the line: JSON text is UTF-8
    (RFC 8259, section 8.1), and a decoder's wording or leniency (msgspec's changed between
    versions) must not decide what users read. ASCII lines, nearly all of them, cost one scan."""
    if type(line) is not bytes or line.isascii():
        return ""
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as error:
        return f"not valid UTF-8 text (byte {error.start + 1} of the line: {error.reason})"
    return ""


def decode_line(line: Union[bytes, str]) -> list[tuple[Optional[Record], Optional[int], str]]:
    """Decode one non-blank line into ``[(record, event_time_ms, reason)]``.

    One entry per record the line holds (a filter-log-events document holds
    several). ``record`` is None when rejected, and ``reason`` says why.
    """
    invalid = describe_invalid_utf8(line)
    if invalid:
        return [(None, None, invalid)]
    try:
        check_nesting(line)
        return [(*decode_one(line), "")]
    except Rejected as rejection:
        return [(None, None, str(rejection))]
    except UnicodeDecodeError as error:  # not raised for valid UTF-8; kept as a last guard
        return [(None, None, f"not valid UTF-8 text ({error.reason})")]
    except RecursionError:  # a last guard too: check_nesting rejects deep lines first
        return [(None, None, f"JSON nested deeper than {MAX_NESTING} levels")]
    except _EventsDocument as document:
        return decode_events(document.events)


class _EventsDocument(Exception):
    def __init__(self, events: Any):
        super().__init__("events document")
        self.events = events


def decode_one(line: Union[bytes, str]) -> tuple[Record, Optional[int]]:
    stripped = line.lstrip()
    first = stripped[:1]
    if first in (b"{", "{"):
        try:
            record = RECORD_DECODER.decode(line)
        except msgspec.DecodeError as error:
            raise Rejected(describe_json_error(error)) from None
        return unwrap(record)
    raw = stripped if isinstance(stripped, bytes) else stripped.encode("utf-8", "surrogatepass")
    export = EXPORT_LINE.match(raw.rstrip())
    if export:
        record, _ = decode_one(export.group(2))
        return record, parse_iso_time_ms(export.group(1).decode())
    try:
        value = ANY_DECODER.decode(line)
    except msgspec.DecodeError as error:
        raise Rejected(f"malformed JSON ({error})") from None
    raise Rejected(f"not a JSON object (a JSON {type(value).__name__.replace('NoneType', 'null')})")


def unwrap(record: Record) -> tuple[Record, Optional[int]]:
    """The Lex record itself, out of whichever envelope carried it."""
    if record.bot is None and record.session_id is None:
        if isinstance(record.events, list):
            raise _EventsDocument(record.events)
        if record.message is not None:
            return decode_message(record.message, record.timestamp)
    classify_record(record)
    return record, None


def decode_events(events: list) -> list[tuple[Optional[Record], Optional[int], str]]:
    results = []
    for position, event in enumerate(events):
        try:
            if not isinstance(event, dict):
                raise Rejected("CloudWatch event that is not a JSON object")
            results.append((*decode_message(event.get("message"), event.get("timestamp")), ""))
        except Rejected as rejection:
            results.append((None, None, f"event {position + 1}: {rejection}"))
    return results
