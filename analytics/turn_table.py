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

from analytics.records import Record, Slot
from analytics.schema import (ATTRIBUTE_COLUMNS, FALLBACK_INTENT, INTERPRETATION_COLUMNS,
                              SLOT_COLUMNS, TURN_COLUMNS, empty_table)

NAN = math.nan
# Turn columns filled by the builder, in tuple order (turn, time, session_key are derived).
ROW_COLUMNS = [name for name in TURN_COLUMNS if name not in ("turn", "time", "session_key")]


def as_text(value: Any) -> str:
    """A field as text: '' for null, the string itself, else its JSON-ish str()."""
    if type(value) is str:
        return value
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    return str(value)


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


def slot_rows(turn: int, intent: str, name: str, slot: Optional[Slot]) -> list[tuple]:
    """Rows of the slots table for one slot: one per List item, one per Composite sub-slot."""
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
        self.interpretation_rows: list[tuple] = []

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
        for rank, interpretation in enumerate(interpretations):
            name = as_text(interpretation.intent.name) if interpretation.intent is not None else ""
            confidence = as_confidence(interpretation.nlu_confidence)
            self.interpretation_rows.append((turn, rank, name, confidence))
            if rank == 0:
                top_name, top_conf = name, confidence
                source = as_text(interpretation.interpretation_source)
            elif rank == 1:
                runner_name, runner_conf = name, confidence
            response = interpretation.sentiment_response
            if not sentiment and response is not None and response.sentiment:
                sentiment = as_text(response.sentiment).upper()
                positive = as_score(response.sentiment_score, "positive")
                negative = as_score(response.sentiment_score, "negative")

        intent_name = as_text(intent.name) if intent is not None else ""
        if not intent_name:
            intent_name = top_name or (FALLBACK_INTENT if missed else "")
        transcript = as_text(record.input_transcript)
        messages = record.messages
        self.rows.append((
            as_text(record.session_id),
            as_text(record.request_id),
            as_text(state.originating_request_id) if state is not None else "",
            as_text(bot.id), as_text(bot.name), as_text(bot.alias_id), as_text(bot.alias_name),
            as_text(bot.locale_id), as_text(bot.version),
            as_text(record.input_mode) or "Unknown",
            as_text(record.operation_name),
            transcript,
            transcript.strip() != "",
            missed,
            intent_name,
            as_text(intent.state) if intent is not None else "",
            as_text(intent.confirmation_state) if intent is not None else "",
            as_text(action.type) if action is not None else "",
            as_text(action.slot_to_elicit) if action is not None else "",
            top_conf, runner_name, runner_conf, source, sentiment, positive, negative,
            "\n".join(as_text(m.content) for m in messages if m is not None) if messages else "",
        ))
        self.times_ms.append(time_ms)
        if intent is not None and intent.slots:
            for slot_name, slot in intent.slots.items():
                self.slot_rows.extend(slot_rows(turn, intent_name, slot_name, slot))
        attributes = state.session_attributes if state is not None else None
        if attributes:
            for key, value in attributes.items():
                self.attribute_rows.append((turn, key, as_text(value)))

    def build(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """(turns, slots, attributes, interpretations) with the schema's dtypes."""
        turns = frame_from_rows(self.rows, ROW_COLUMNS, TURN_COLUMNS)
        turns.insert(0, "turn", np.arange(len(turns), dtype="int64"))
        turns.insert(1, "time", pd.to_datetime(np.asarray(self.times_ms, dtype="int64"),
                                                unit="ms", utc=True).as_unit("ns"))
        if len(turns):
            keys = turns["bot_id"].astype(str) + "\x1f" + turns["alias_id"].astype(str) + "\x1f" + \
                turns["locale"].astype(str) + "\x1f" + turns["session_id"]
            turns.insert(2, "session_key", pd.factorize(keys)[0].astype("int64"))
        else:
            turns.insert(2, "session_key", pd.Series(dtype="int64"))
        turns = turns[list(TURN_COLUMNS)]
        return (turns,
                frame_from_rows(self.slot_rows, list(SLOT_COLUMNS), SLOT_COLUMNS),
                frame_from_rows(self.attribute_rows, list(ATTRIBUTE_COLUMNS), ATTRIBUTE_COLUMNS),
                frame_from_rows(self.interpretation_rows, list(INTERPRETATION_COLUMNS),
                                INTERPRETATION_COLUMNS))


def frame_from_rows(rows: list[tuple], names: list[str], columns: dict) -> pd.DataFrame:
    """A DataFrame of ``rows`` (tuples in ``names`` order) cast to the declared dtypes."""
    if not rows:
        return empty_table({name: columns[name] for name in names})
    data = {}
    for name, values in zip(names, zip(*rows)):
        dtype = columns[name][0]
        if dtype == "category":
            codes, uniques = pd.factorize(np.asarray(values, dtype=object))
            data[name] = pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype=object))
        elif dtype == "str":
            data[name] = np.asarray(values, dtype=object)
        else:
            data[name] = np.asarray(values, dtype=dtype)
    return pd.DataFrame(data, copy=False)
