"""Turn decoded records into the tidy tables of ``analytics.schema``.

``TurnTableBuilder.add`` appends one accepted record as one row per table (one
tuple append per row: the hot path of a load); ``build`` makes DataFrames with
the declared dtypes in one vectorised step each.
"""
from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np
import pandas as pd

from lexlens.analytics.ingest.columns import (as_text, expand_interned, expand_text, frame_from_rows,
                                              session_keys)
from lexlens.analytics.ingest.records import Record, Slot
from lexlens.analytics.schema import (ATTRIBUTE_COLUMNS, FALLBACK_INTENT, INTERPRETATION_COLUMNS,
                                      REQUEST_ATTRIBUTE_COLUMNS, SLOT_COLUMNS, TURN_COLUMNS, empty_table)

NAN = math.nan
# Low-cardinality turn columns are interned as one tuple per group (one dict lookup
# per record) and expanded to categoricals in build(); the rest are stored per row.
BOT_COLUMNS = ["bot_id", "bot_name", "alias_id", "alias_name", "locale", "bot_version"]
DIALOG_COLUMNS = ["input_mode", "operation", "intent", "intent_state", "confirmation_state",
                  "dialog_action", "slot_to_elicit", "runner_up_intent", "interpretation_source",
                  "lex_sentiment"]
ROW_COLUMNS = ["session_id", "request_id", "conversation_id", "transcript", "is_utterance", "missed",
               "bot_code", "dialog_code", "message_code", "nlu_confidence", "runner_up_confidence",
               "sentiment_positive", "sentiment_negative"]


def as_confidence(value: Any) -> float:
    """nluConfidence as a float: logs write "0.63", other APIs 0.63 or {"score": 0.63}."""
    kind = type(value)
    if kind is str:
        try:
            return float(value)
        except ValueError:
            return NAN
    if kind is float or kind is int:
        return float(value)
    if kind is dict:
        return as_confidence(value.get("score"))
    return NAN


def as_score(scores: Optional[dict], key: str) -> float:
    if not scores:
        return NAN
    return as_confidence(scores.get(key) if key in scores else scores.get(key.capitalize()))


def joined_messages(messages) -> str:
    """The bot's reply messages joined by newlines ('' when none)."""
    if not messages:
        return ""
    if len(messages) == 1 and messages[0] is not None and type(messages[0].content) is str:
        return messages[0].content
    return "\n".join(as_text(m.content) for m in messages if m is not None)


def slot_rows(turn: int, intent: str, name: str, slot: Optional[Slot]) -> list[tuple]:
    """(turn, intent, slot, shape, item, filled, original, interpreted) for one slot: one row
    per List item, one per Composite sub-slot, one unfilled row for a null slot."""
    if slot is None:
        return [(turn, intent, name, "", -1, False, "", "")]
    rows = []
    if slot.sub_slots:
        for sub_name, sub_slot in slot.sub_slots.items():
            rows.extend(slot_rows(turn, intent, f"{name}.{sub_name}", sub_slot))
    if slot.values:
        for item, element in enumerate(slot.values):
            value = element.value if element is not None else None
            rows.append((turn, intent, name, as_text(slot.shape) or "List", item, value is not None,
                         as_text(value.original_value) if value else "",
                         as_text(value.interpreted_value) if value else ""))
    elif slot.value is not None or not rows:
        value = slot.value
        rows.append((turn, intent, name, as_text(slot.shape) or "Scalar", -1, value is not None,
                     as_text(value.original_value) if value else "",
                     as_text(value.interpreted_value) if value else ""))
    return rows


class TurnTableBuilder:
    """Accumulates accepted records; ``build`` returns the four tidy tables."""

    def __init__(self) -> None:
        self.rows: list[tuple] = []
        self.times_ms: list[int] = []
        self.slot_rows: list[tuple] = []
        self.attribute_rows: list[tuple] = []
        self.request_attribute_rows: list[tuple] = []
        self.interpretation_rows: list[tuple] = []
        self.bot_codes: dict[tuple, int] = {}
        self.dialog_codes: dict[tuple, int] = {}
        # side tables hold only numbers; their text lives once in these interned keys
        self.slot_codes: dict[tuple, int] = {}
        self.attribute_codes: dict[tuple, int] = {}
        self.request_attribute_codes: dict[tuple, int] = {}
        self.intent_codes: dict[tuple, int] = {}
        self.message_codes: dict[tuple, int] = {}

    @staticmethod
    def intern(codes: dict[tuple, int], key: tuple) -> int:
        """A small integer per distinct ``key``; unhashable JSON values are made text first."""
        try:
            code = codes.get(key)
        except TypeError:
            key = tuple(as_text(value) for value in key)
            code = codes.get(key)
        if code is None:
            code = codes[key] = len(codes)
        return code

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, record: Record, time_ms: int) -> None:
        turn = len(self.rows)
        bot = record.bot
        state = record.session_state
        intent = state.intent if state is not None else None
        action = state.dialog_action if state is not None else None
        missed = record.missed_utterance is True or record.missed_utterance == "true"
        interpretations = [i for i in (record.interpretations or ()) if i is not None]

        top_name = runner_name = ""
        top_conf = runner_conf = positive = negative = NAN
        source = sentiment = ""
        intent_codes = self.intent_codes
        for rank, interpretation in enumerate(interpretations):
            name = interpretation.intent.name if interpretation.intent is not None else None
            confidence = as_confidence(interpretation.nlu_confidence)
            key = (name if type(name) is str else as_text(name),)
            code = intent_codes.get(key)
            if code is None:
                code = intent_codes[key] = len(intent_codes)
            self.interpretation_rows.append((turn, rank, code, confidence))
            if rank == 0:
                top_name, top_conf = name, confidence
                source = interpretation.interpretation_source
            elif rank == 1:
                runner_name, runner_conf = name, confidence
            response = interpretation.sentiment_response
            if not sentiment and response is not None and response.sentiment:
                sentiment = as_text(response.sentiment).upper()
                positive = as_score(response.sentiment_score, "positive")
                negative = as_score(response.sentiment_score, "negative")

        # Categorical fields go in raw: build() coerces their few distinct values to text.
        intent_name = intent.name if intent is not None else None
        if not intent_name:
            intent_name = top_name or (FALLBACK_INTENT if missed else "")
        transcript = record.input_transcript
        if type(transcript) is not str:
            transcript = as_text(transcript)
        session_id = record.session_id
        request_id = record.request_id
        conversation_id = state.originating_request_id if state is not None else ""
        messages = record.messages
        bot_code = self.intern(self.bot_codes, (
            bot.id, bot.name, bot.alias_id, bot.alias_name, bot.locale_id, bot.version))
        dialog_code = self.intern(self.dialog_codes, (
            record.input_mode or "Unknown", record.operation_name, intent_name,
            intent.state if intent is not None else None,
            intent.confirmation_state if intent is not None else None,
            action.type if action is not None else None,
            action.slot_to_elicit if action is not None else None,
            runner_name, source, sentiment))
        message_code = self.intern(self.message_codes, (joined_messages(messages),))
        self.rows.append((
            session_id if type(session_id) is str else as_text(session_id),
            request_id if type(request_id) is str else as_text(request_id),
            conversation_id if type(conversation_id) is str else as_text(conversation_id),
            transcript, transcript.strip() != "", missed, bot_code, dialog_code, message_code,
            top_conf, runner_conf, positive, negative,
        ))
        self.times_ms.append(time_ms)
        if intent is not None and intent.slots:
            self.add_slots(turn, as_text(intent_name), intent.slots)
        attributes = state.session_attributes if state is not None else None
        if attributes:
            self.add_attributes(turn, attributes, self.attribute_rows, self.attribute_codes)
        if record.request_attributes:
            self.add_attributes(turn, record.request_attributes, self.request_attribute_rows,
                                self.request_attribute_codes)

    @staticmethod
    def add_attributes(turn: int, attributes: dict, rows: list, codes: dict) -> None:
        append = rows.append
        for key, value in attributes.items():
            pair = (key, value if type(value) is str else as_text(value))
            code = codes.get(pair)
            if code is None:
                code = codes[pair] = len(codes)
            append((turn, code))

    def add_slots(self, turn: int, intent_text: str, slots: dict) -> None:
        codes = self.slot_codes
        append = self.slot_rows.append
        for slot_name, slot in slots.items():
            if slot is None:  # unfilled: about half of all slots in real logs
                key = (intent_text, slot_name, "", "", "")
                filled = False
            elif not slot.values and not slot.sub_slots:  # one Scalar value, or none yet
                value = slot.value
                shape = slot.shape if type(slot.shape) is str and slot.shape else \
                    as_text(slot.shape) or "Scalar"
                if value is None:
                    key = (intent_text, slot_name, shape, "", "")
                    filled = False
                else:
                    original, interpreted = value.original_value, value.interpreted_value
                    key = (intent_text, slot_name, shape,
                           original if type(original) is str else as_text(original),
                           interpreted if type(interpreted) is str else as_text(interpreted))
                    filled = True
            else:  # List and Composite slots expand to several rows
                for row in slot_rows(turn, intent_text, slot_name, slot):
                    key = row[1:4] + row[6:]
                    code = codes.get(key)
                    if code is None:
                        code = codes[key] = len(codes)
                    append((turn, code, row[4], row[5]))
                continue
            code = codes.get(key)
            if code is None:
                code = codes[key] = len(codes)
            append((turn, code, -1, filled))

    def build(self) -> dict[str, pd.DataFrame]:
        """Every table of ``analytics.schema.TABLES``, by name, with the declared dtypes."""
        columns = {**TURN_COLUMNS, "bot_code": ("int64", ""), "dialog_code": ("int64", ""),
                   "message_code": ("int64", "")}
        turns = frame_from_rows(self.rows, ROW_COLUMNS, columns)
        for names, codes in ((BOT_COLUMNS, self.bot_codes), (DIALOG_COLUMNS, self.dialog_codes)):
            code_column = f"{'bot' if names is BOT_COLUMNS else 'dialog'}_code"
            row_codes = turns.pop(code_column).to_numpy()
            for position, name in enumerate(names):
                turns[name] = expand_interned(codes, position, row_codes)
        turns["bot_messages"] = expand_text(self.message_codes, 0, turns.pop("message_code").to_numpy())
        turns.insert(0, "turn", np.arange(len(turns), dtype="int64"))
        turns.insert(1, "time", pd.to_datetime(np.asarray(self.times_ms, dtype="int64"),
                                                unit="ms", utc=True).as_unit("ns"))
        turns.insert(2, "session_key", session_keys(turns))
        turns = turns[list(TURN_COLUMNS)]
        return {"turns": turns, "slots": self.build_slots(),
                "attributes": self.build_attributes(self.attribute_rows, self.attribute_codes,
                                                    ATTRIBUTE_COLUMNS),
                "interpretations": self.build_interpretations(),
                "request_attributes": self.build_attributes(self.request_attribute_rows,
                                                            self.request_attribute_codes,
                                                            REQUEST_ATTRIBUTE_COLUMNS)}

    def build_slots(self) -> pd.DataFrame:
        if not self.slot_rows:
            return empty_table(SLOT_COLUMNS)
        turn, code, item, filled = np.array(self.slot_rows, dtype="int64").T
        keys = self.slot_codes  # (intent, slot, shape, original, interpreted)
        return pd.DataFrame({
            "turn": turn, "intent": expand_interned(keys, 0, code), "slot": expand_interned(keys, 1, code),
            "shape": expand_interned(keys, 2, code), "item": item, "filled": filled.astype(bool),
            "original_value": expand_text(keys, 3, code), "interpreted_value": expand_text(keys, 4, code),
        })[list(SLOT_COLUMNS)]

    @staticmethod
    def build_attributes(rows: list[tuple], keys: dict[tuple, int], columns: dict) -> pd.DataFrame:
        """The attributes table of ``rows`` (turn, code), ``keys`` mapping (key, value) -> code."""
        if not rows:
            return empty_table(columns)
        turn, code = np.array(rows, dtype="int64").T
        return pd.DataFrame({"turn": turn, "key": expand_interned(keys, 0, code),
                             "value": expand_text(keys, 1, code)})

    def build_interpretations(self) -> pd.DataFrame:
        if not self.interpretation_rows:
            return empty_table(INTERPRETATION_COLUMNS)
        values = np.array(self.interpretation_rows, dtype="float64").T
        code = values[2].astype("int64")
        return pd.DataFrame({"turn": values[0].astype("int64"), "rank": values[1].astype("int64"),
                             "intent": expand_interned(self.intent_codes, 0, code),
                             "confidence": values[3]})
