"""Tables from the C scanner's columns (see ``analytics.ingest.native``)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from lexlens.analytics.schema import (ATTRIBUTE_COLUMNS, INTERPRETATION_COLUMNS, REQUEST_ATTRIBUTE_COLUMNS,
                                      SLOT_COLUMNS, TURN_COLUMNS, empty_table)
from lexlens.analytics.ingest.columns import expand_interned, expand_text
from lexlens.analytics.ingest.turn_table import BOT_COLUMNS, DIALOG_COLUMNS

# The scanner's columns: dtype, and for code columns the key list they index.
COLUMN_DTYPES = {"time_ms": "int64", "nlu_confidence": "float64", "runner_up_confidence": "float64",
                 "sentiment_positive": "float64", "sentiment_negative": "float64",
                 "interp_confidence": "float64", "is_utterance": "uint8", "missed": "uint8",
                 "slot_filled": "uint8"}
CODE_KEYS = {"session_code": "texts", "request_code": "texts", "conversation_code": "texts",
             "transcript_code": "texts", "bot_code": "bot_keys", "dialog_code": "dialog_keys",
             "message_code": "message_keys", "interp_code": "intent_keys",
             "slot_code": "slot_keys", "attr_code": "attr_keys", "req_attr_code": "req_attr_keys"}
TURN_REFERENCES = ["interp_turn", "slot_turn", "attr_turn", "req_attr_turn"]
COUNTS = ["lines", "blank", "fast", "fallback", "physical"]


def columns_as_arrays(raw: dict) -> dict:
    """The scanner's byte columns as numpy arrays (key lists and counts unchanged)."""
    return {name: np.frombuffer(value, dtype=COLUMN_DTYPES.get(name, "int64"))
            if isinstance(value, bytes) else value for name, value in raw.items()}


def combine_columns(parts: list[dict], line_offsets: list[int]) -> dict:
    """One set of columns from several scanners' (in order): codes and turn ids offset, key
    lists concatenated (a text in two parts gets two codes; tables expand codes to text),
    line numbers offset by ``line_offsets`` so they order the whole input."""
    parts = [columns_as_arrays(part) for part in parts]
    if len(parts) == 1 and not line_offsets[0]:
        return parts[0]
    combined: dict = {name: sum(part[name] for part in parts) for name in COUNTS}
    key_lists = set(CODE_KEYS.values())
    for name in key_lists:
        combined[name] = [key for part in parts for key in part[name]]
    for name in parts[0]:
        if name in key_lists or name in COUNTS:
            continue
        pieces = []
        key_offset = turn_offset = 0
        for part, line_offset in zip(parts, line_offsets):
            values = part[name]
            if name in CODE_KEYS:
                values = values + key_offset
                key_offset += len(part[CODE_KEYS[name]])
            elif name in TURN_REFERENCES:
                values = values + turn_offset
                turn_offset += len(part["line_no"])
            elif name == "line_no":
                values = values + line_offset
            pieces.append(values)
        combined[name] = np.concatenate(pieces)
    return combined


def tables_from_columns(columns: dict) -> dict[str, pd.DataFrame]:
    """The schema's tables from the scanner's columns (turns numbered 0..n-1, no session keys)."""
    count = len(columns["line_no"])
    if not count:
        return {name: empty_table(schema) for name, schema in (
            ("turns", TURN_COLUMNS), ("slots", SLOT_COLUMNS), ("interpretations", INTERPRETATION_COLUMNS),
            ("attributes", ATTRIBUTE_COLUMNS), ("request_attributes", REQUEST_ATTRIBUTE_COLUMNS))}
    data = {"turn": np.arange(count, dtype="int64"),
            "time": pd.to_datetime(columns["time_ms"], unit="ms", utc=True).as_unit("ns"),
            "session_key": np.zeros(count, dtype="int64")}
    texts = np.asarray(columns["texts"], dtype=object)  # every distinct text, once per part
    for name in ("session_id", "request_id", "conversation_id", "transcript"):
        data[name] = object_series(texts[columns[name.removesuffix("_id") + "_code"]])
    for names, keys, codes in ((BOT_COLUMNS, "bot_keys", "bot_code"),
                               (DIALOG_COLUMNS, "dialog_keys", "dialog_code")):
        for position, name in enumerate(names):
            data[name] = expand_interned(columns[keys], position, columns[codes])
    data["is_utterance"] = columns["is_utterance"].astype(bool)
    data["missed"] = columns["missed"].astype(bool)
    for name in ("nlu_confidence", "runner_up_confidence", "sentiment_positive", "sentiment_negative"):
        data[name] = columns[name].copy()  # writable, like every other column
    data["bot_messages"] = expand_text(columns["message_keys"], 0, columns["message_code"])
    turns = pd.DataFrame({name: data[name] for name in TURN_COLUMNS}, copy=False)
    return {"turns": turns, "slots": slot_table(columns), "interpretations": interpretation_table(columns),
            "attributes": attribute_table(columns, "attr", ATTRIBUTE_COLUMNS),
            "request_attributes": attribute_table(columns, "req_attr", REQUEST_ATTRIBUTE_COLUMNS)}


def object_series(values: np.ndarray) -> pd.Series:
    """Text as a Series of str objects (pandas would otherwise convert to its string dtype)."""
    return pd.Series(values, dtype=object, copy=False)


def slot_table(columns: dict) -> pd.DataFrame:
    code = columns["slot_code"]
    if not len(code):
        return empty_table(SLOT_COLUMNS)
    keys = columns["slot_keys"]  # (intent, slot, shape, original, interpreted)
    return pd.DataFrame({
        "turn": columns["slot_turn"].copy(), "intent": expand_interned(keys, 0, code),
        "slot": expand_interned(keys, 1, code), "shape": expand_interned(keys, 2, code),
        "item": columns["slot_item"].copy(), "filled": columns["slot_filled"].astype(bool),
        "original_value": expand_text(keys, 3, code), "interpreted_value": expand_text(keys, 4, code),
    })[list(SLOT_COLUMNS)]


def interpretation_table(columns: dict) -> pd.DataFrame:
    code = columns["interp_code"]
    if not len(code):
        return empty_table(INTERPRETATION_COLUMNS)
    return pd.DataFrame({"turn": columns["interp_turn"].copy(), "rank": columns["interp_rank"].copy(),
                         "intent": expand_interned(columns["intent_keys"], 0, code),
                         "confidence": columns["interp_confidence"].copy()})


def attribute_table(columns: dict, prefix: str, schema: dict) -> pd.DataFrame:
    code = columns[f"{prefix}_code"]
    if not len(code):
        return empty_table(schema)
    keys = columns[f"{prefix}_keys"]
    return pd.DataFrame({"turn": columns[f"{prefix}_turn"].copy(),
                         "key": expand_interned(keys, 0, code), "value": expand_text(keys, 1, code)})
