"""A tiny builder of raw Lex V2 conversation-log records for the outcome, NLU, cluster and
comparison tests (shape as in /work/shared/fixtures/real-lex-records.jsonl)."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from itertools import count
from typing import Optional

from lexlens.analytics.ingest.loading import load_records
from lexlens.analytics.schema import LogData

T0 = datetime(2024, 5, 6, 9, 0, 0, tzinfo=timezone.utc)  # a Monday
_ids = count()


def slot_value(value: Optional[str]) -> Optional[dict]:
    if value is None:
        return None
    return {"shape": "Scalar", "value": {"originalValue": value, "interpretedValue": value,
                                         "resolvedValues": [value]}}


def record(session: str, seconds: float, text: str = "hi", intent: str = "",
           state: str = "InProgress", action: str = "ElicitIntent", slot: str = "",
           slots: Optional[dict] = None, confirmation: str = "None", missed: bool = False,
           conv: Optional[str] = "c1", confidence: Optional[float] = None,
           alternatives: tuple = (), attributes: Optional[dict] = None,
           message: str = "", version: str = "DRAFT", alias: str = "TestBotAlias",
           reason: str = "", request: str = "", mode: str = "Text", extra: Optional[dict] = None) -> dict:
    """One record: ``session`` at T0 + ``seconds``; ``alternatives`` = ((intent, conf), ...)
    after the top interpretation; ``slots`` maps name -> value or None (unfilled);
    ``reason``: its ``responseReason`` (none when ''); ``request``: its requestId (a fresh
    one when ''); ``extra``: more top-level fields (e.g. ``bargeIn``)."""
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
    rec = {
        "timestamp": (T0 + timedelta(seconds=seconds)).isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
        "messageVersion": "2.0", "requestId": request or f"req-{next(_ids)}", "sessionId": session,
        "inputMode": mode, "operationName": "RecognizeText", "inputTranscript": text,
        "missedUtterance": missed, "sessionState": state_, "interpretations": interpretations,
        "bot": {"name": "Bot", "version": version, "id": "BOT1", "aliasName": alias,
                "aliasId": "TSTALIASID", "localeId": "en_US"},
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
    rec = json.loads(json.dumps(user_turn))
    rec["timestamp"] = (T0 + timedelta(seconds=seconds)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    rec["responseReason"] = reason
    rec["sessionState"]["dialogAction"] = {"type": action}
    if state and "intent" in rec["sessionState"]:
        rec["sessionState"]["intent"]["state"] = state
    rec.pop("messages", None)
    if message:
        rec["messages"] = [{"contentType": "PlainText", "content": message}]
    return rec


def load(records: list[dict]) -> LogData:
    return load_records(records)
