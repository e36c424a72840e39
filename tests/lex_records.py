"""The one builder of test data: Lex V2 conversation-log records and the CloudWatch events that
carry them (the record's shape: docs/log-format.md and sample_logs/real-lex-records.jsonl).

- ``record(session, seconds, ...)``: a record built from keywords, at T0 + seconds (or ``at_ms``);
- ``fixture_record(index, **changes)``: a copy of one real record of sample_logs, changed;
- ``cloudwatch_event(record, ms, ...)``: the CloudWatch Logs event (FilterLogEvents' shape)
  holding a record (or any message text);
- ``load(records)``: the LogData lexlens builds from records.
"""
from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone
from itertools import count
from pathlib import Path
from typing import Optional, Union

from lexlens.analytics.ingest.loading import load_records
from lexlens.analytics.schema import LogData

T0 = datetime(2024, 5, 6, 9, 0, 0, tzinfo=timezone.utc)  # a Monday
REAL_RECORDS_FILE = Path(__file__).resolve().parent.parent / "sample_logs" / "real-lex-records.jsonl"
REAL_RECORDS = [json.loads(line) for line in REAL_RECORDS_FILE.read_text(encoding="utf-8").splitlines()]
_ids = count()


def slot_value(value: Optional[str]) -> Optional[dict]:
    if value is None:
        return None
    return {"shape": "Scalar", "value": {"originalValue": value, "interpretedValue": value,
                                         "resolvedValues": [value]}}


def iso_ms(ms: int) -> str:
    """Epoch milliseconds as Lex writes ``timestamp``: ISO 8601, milliseconds, Z."""
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def record(session: str, seconds: float = 0, text: str = "hi", intent: str = "",
           state: str = "InProgress", action: str = "ElicitIntent", slot: str = "",
           slots: Optional[dict] = None, confirmation: str = "None", missed: bool = False,
           conv: Optional[str] = "c1", confidence: Optional[float] = None,
           alternatives: tuple = (), attributes: Optional[dict] = None,
           message: str = "", version: str = "DRAFT", alias: str = "TestBotAlias",
           at_ms: Optional[int] = None, request: Optional[str] = None, bot_id: str = "BOT1",
           bot_name: str = "Bot", locale: str = "en_US", alias_id: str = "TSTALIASID",
           reason: str = "", mode: str = "Text", extra: Optional[dict] = None) -> dict:
    """One record: ``session`` at T0 + ``seconds`` (or at epoch ms ``at_ms``); ``alternatives`` =
    ((intent, conf), ...) after the top interpretation; ``slots`` maps name -> value or None
    (unfilled); ``request``: its requestId (default a fresh one); ``reason``: its
    ``responseReason`` (none when ''); ``extra``: more top-level fields (e.g. ``bargeIn``)."""
    slot_map = {name: slot_value(value) for name, value in (slots or {}).items()}
    dialog = {"type": action, **({"slotToElicit": slot} if slot else {})}
    state_ = {"dialogAction": dialog, "sessionAttributes": attributes or {}}
    if conv is not None:
        state_["originatingRequestId"] = conv
    if intent:
        state_["intent"] = {"name": intent, "state": state, "confirmationState": confirmation,
                            "slots": slot_map}
    top = {"intent": {"name": intent or "FallbackIntent", "slots": slot_map}}
    if confidence is not None:
        top["nluConfidence"] = f"{confidence:.2f}"
    interpretations = [top] + [
        {"intent": {"name": name, "slots": {}}, **({} if c is None else {"nluConfidence": f"{c:.2f}"})}
        for name, c in alternatives] if (intent or missed or alternatives) else []
    when = iso_ms(at_ms) if at_ms is not None else (
        (T0 + timedelta(seconds=seconds)).isoformat(timespec="milliseconds").replace("+00:00", "Z"))
    rec = {
        "timestamp": when,
        "messageVersion": "2.0", "requestId": request or f"req-{next(_ids)}", "sessionId": session,
        "inputMode": mode, "operationName": "RecognizeText", "inputTranscript": text,
        "missedUtterance": missed, "sessionState": state_, "interpretations": interpretations,
        "bot": {"name": bot_name, "version": version, "id": bot_id, "aliasName": alias,
                "aliasId": alias_id, "localeId": locale},
    }
    if message:
        rec["messages"] = [{"contentType": "PlainText", "content": message}]
    if reason:
        rec["responseReason"] = reason
    rec.update(extra or {})
    return rec


def server_response(user_turn: dict, seconds: float, reason: str, state: str = "",
                    message: str = "", action: str = "None") -> dict:
    """A server response logged ``seconds`` after T0 for the request of ``user_turn`` (same
    session, requestId, intent and transcript, as Lex logs them), with ``responseReason``
    ``reason`` and the intent in ``state`` (the user turn's state when '')."""
    rec = copy.deepcopy(user_turn)
    rec["timestamp"] = (T0 + timedelta(seconds=seconds)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    rec["responseReason"] = reason
    rec["sessionState"]["dialogAction"] = {"type": action}
    if state and "intent" in rec["sessionState"]:
        rec["sessionState"]["intent"]["state"] = state
    rec.pop("messages", None)
    if message:
        rec["messages"] = [{"contentType": "PlainText", "content": message}]
    return rec


def fixture_record(index: int = 0, **changes) -> dict:
    """A deep copy of real record ``index`` of sample_logs/real-lex-records.jsonl (0: a confirmed
    intent, 1: a missed utterance through Amazon Connect), with top-level fields replaced."""
    return {**copy.deepcopy(REAL_RECORDS[index]), **changes}


def cloudwatch_event(rec: Union[dict, str], ms: int, event_id: Optional[str] = None, stream: str = "s") -> dict:
    """A CloudWatch Logs event as FilterLogEvents returns it; ``rec`` a record (written as JSON) or
    the message text itself."""
    message = rec if isinstance(rec, str) else json.dumps(rec)
    default_id = rec.get("requestId", "1") if isinstance(rec, dict) else "1"
    return {"timestamp": ms, "message": message, "logStreamName": stream, "ingestionTime": ms,
            "eventId": event_id or default_id}


def load(records: list[dict]) -> LogData:
    return load_records(records)
