"""Tables from the C scanner's columns (see ``analytics.ingest.native``)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from lexlens.analytics.schema import (ATTRIBUTE_COLUMNS, INTERPRETATION_COLUMNS, REQUEST_ATTRIBUTE_COLUMNS,
                                      SLOT_COLUMNS, TURN_COLUMNS, empty_table)
from lexlens.analytics.ingest.columns import categorical_of, object_column
from lexlens.analytics.ingest.turn_table import BOT_COLUMNS, DIALOG_COLUMNS

# The scanner's columns' dtypes; the others (codes, turn references, line numbers, ranks, items) are int64.
# A code column indexes a key list: session/request/conversation/transcript codes the scan's
# "texts", bot_code "bot_keys", dialog_code "dialog_keys", message_code "message_keys",
# interp_code "intent_keys", slot_code "slot_keys", attr_code "attr_keys", req_attr_code "req_attr_keys".
COLUMN_DTYPES = {"time_ms": "int64", "nlu_confidence": "float64", "runner_up_confidence": "float64",
                 "sentiment_positive": "float64", "sentiment_negative": "float64",
                 "interp_confidence": "float64", "is_utterance": "uint8", "missed": "uint8",
                 "slot_filled": "uint8"}
TURN_REFERENCES = ["interp_turn", "slot_turn", "attr_turn", "req_attr_turn"]
COUNTS = ["lines", "blank", "fast", "fallback", "physical"]
KEY_WIDTH = {"bot_keys": len(BOT_COLUMNS), "dialog_keys": len(DIALOG_COLUMNS), "intent_keys": 1,
             "slot_keys": 5, "attr_keys": 2, "req_attr_keys": 2}  # texts per key tuple
# turn columns taken as the scanner wrote them
PLAIN_TURN_COLUMNS = ("time_ms", "is_utterance", "missed", "nlu_confidence", "runner_up_confidence",
                      "sentiment_positive", "sentiment_negative")
# key lists whose texts become categorical columns: (keys, row codes, column names)
TURN_KEYED = (("bot_keys", "bot_code", BOT_COLUMNS), ("dialog_keys", "dialog_code", DIALOG_COLUMNS))
KEYED = (*TURN_KEYED, ("intent_keys", "interp_code", ("interp:intent",)))
SLOT_KEYED = ("slot:intent", "slot:slot", "slot:shape")
TEXT_COLUMNS = ("session_id", "request_id", "conversation_id", "transcript")  # codes into the scan's "texts"


def column_array(raw: dict, name: str) -> np.ndarray:
    """Column ``name`` of one scan, taken out of it (its bytes go once nothing else holds them)."""
    value = raw.pop(name)
    return np.frombuffer(value, dtype=COLUMN_DTYPES.get(name, "int64")) if isinstance(value, bytes) else value


def column_length(raw: dict, name: str) -> int:
    value = raw[name]
    return len(value) // np.dtype(COLUMN_DTYPES.get(name, "int64")).itemsize if isinstance(value, bytes) else len(value)


class ScanTables:
    """The schema's tables from the C scanner's columns, one scan at a time.

    ``add`` takes each scan as soon as it is done and does its share of the work that holds
    the GIL (the interned key tuples transposed) while the scanner's threads, which do not
    hold it, read the next units; ``tables`` joins the shares and looks each row's text up
    once in the joined texts.
    The result is what one scanner over all the units would give: turns numbered 0..n-1 in
    order, codes and turn references offset, key lists concatenated (a text in two scans gets
    two codes, and one category), line numbers offset so they order the whole input. Each
    scan's columns are taken out of it as they are read, so a scan and its share are not held
    whole at once."""

    def __init__(self) -> None:
        self.counts = dict.fromkeys(COUNTS, 0)
        self.shares: dict[str, list[np.ndarray]] = {}
        self.turns = 0  # turns in the scans added so far
        self.keys = dict.fromkeys(KEY_WIDTH, 0)  # keys of each list in the scans added so far
        self.texts: dict[str, int] = {}  # texts of each list in the scans added so far
        # {table: {column: (codes, texts)}}: the text columns' codes, for the store's writer
        # (``ingest.text_codes``); request ids are left out (one per row: no dictionary)
        self.known: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {}

    def keep(self, name: str, values: np.ndarray) -> None:
        self.shares.setdefault(name, []).append(values)

    def add(self, raw: dict, line_offset: int = 0) -> None:
        """One scan's columns (emptied as they are read); ``line_offset``: the lines of the
        input before this scan's first line."""
        for name in COUNTS:
            self.counts[name] += raw[name]
        count = column_length(raw, "line_no")
        self.keep("line_no", column_array(raw, "line_no") + line_offset)
        for name in PLAIN_TURN_COLUMNS:
            self.keep(name, column_array(raw, name))
        # each row's text is looked up once, when the tables are made: a lookup here, then
        # joining the scans' lookups there, touched every row's str (a cache miss) twice more
        self.keep_texts("texts", np.asarray(raw.pop("texts"), dtype=object),
                        {name: column_array(raw, name.removesuffix("_id") + "_code") for name in TEXT_COLUMNS})
        messages, = key_parts(raw.pop("message_keys"), 1)
        self.keep_texts("messages", messages, {"bot_messages": column_array(raw, "message_code")})
        for keys, codes, names in KEYED:
            self.keep_keyed(raw, keys, codes, names)
        # (intent, slot, shape, original, interpreted): the values looked up when the tables are made
        positions, codes = self.keep_keyed(raw, "slot_keys", "slot_code", SLOT_KEYED)
        self.keep("slot:original_value:texts", positions[3])
        self.keep("slot:interpreted_value:texts", positions[4])
        for prefix in ("attr", "req_attr"):
            positions, codes = self.keep_keyed(raw, f"{prefix}_keys", f"{prefix}_code", (f"{prefix}:key",))
            self.keep(f"{prefix}:value:texts", positions[1])
        for name in TURN_REFERENCES:
            self.keep(name, column_array(raw, name) + self.turns)
        for name in ("slot_item", "slot_filled", "interp_rank", "interp_confidence"):
            self.keep(name, column_array(raw, name))
        self.turns += count

    def keep_texts(self, list_name: str, texts: np.ndarray, row_codes: dict[str, np.ndarray]) -> None:
        """A scan's distinct texts (list ``list_name``) and, for each column named in
        ``row_codes``, its rows' codes into them, offset past the earlier scans' texts."""
        offset = self.texts.get(list_name, 0)
        self.keep(f"{list_name}:texts", texts)
        for name, codes in row_codes.items():
            self.keep(f"{name}:codes", codes + offset if offset else codes)
        self.texts[list_name] = offset + len(texts)

    def keep_keyed(self, raw: dict, keys_name: str, codes_name: str, names) -> tuple[list[np.ndarray], np.ndarray]:
        """Key list ``keys_name`` transposed, the texts of ``names`` (its first positions)
        kept, and its row codes kept offset past the earlier scans' keys; returns every
        position and this scan's own row codes."""
        keys, codes = raw.pop(keys_name), column_array(raw, codes_name)
        positions = key_parts(keys, KEY_WIDTH[keys_name])
        for name, texts in zip(names, positions):
            self.keep(f"{name}:texts", texts)
        self.keep(codes_name, codes + self.keys[keys_name])
        self.keys[keys_name] += len(keys)
        return positions, codes

    def take(self, name: str) -> np.ndarray:
        """Share ``name`` of every scan, joined (and let go)."""
        shares = self.shares.pop(name)
        return shares[0] if len(shares) == 1 and shares[0].flags.writeable else np.concatenate(shares)

    def categorical(self, name: str, codes: np.ndarray) -> pd.Categorical:
        return categorical_of(self.take(f"{name}:texts"), codes)

    def tables(self) -> tuple[dict[str, pd.DataFrame], np.ndarray]:
        """The tables (turns numbered 0..n-1, no session keys) and each turn's line number."""
        count = self.turns
        if not count:
            return {name: empty_table(schema) for name, schema in (
                ("turns", TURN_COLUMNS), ("slots", SLOT_COLUMNS), ("interpretations", INTERPRETATION_COLUMNS),
                ("attributes", ATTRIBUTE_COLUMNS), ("request_attributes", REQUEST_ATTRIBUTE_COLUMNS))}, \
                np.zeros(0, dtype="int64")
        # the other tables on a thread: much of their work (joining integer columns) lets go
        # of the GIL, while this thread makes the turns
        with ThreadPoolExecutor(1) as thread:
            others = thread.submit(self.other_tables)
            turns, line_no = self.turn_table(count)
            return {"turns": turns, **others.result()}, line_no

    def other_tables(self) -> dict[str, pd.DataFrame]:
        return {"slots": self.slot_table(), "interpretations": self.interpretation_table(),
                "attributes": self.attribute_table("attributes", "attr", ATTRIBUTE_COLUMNS),
                "request_attributes": self.attribute_table("request_attributes", "req_attr",
                                                           REQUEST_ATTRIBUTE_COLUMNS)}

    def turn_table(self, count: int) -> tuple[pd.DataFrame, np.ndarray]:
        take = self.take
        line_no = take("line_no")
        data = {"turn": np.arange(count, dtype="int64"),
                "time": pd.to_datetime(take("time_ms"), unit="ms", utc=True).as_unit("ns"),
                "session_key": np.zeros(count, dtype="int64")}
        texts, known = take("texts:texts"), {}
        for name in TEXT_COLUMNS:
            codes = take(f"{name}:codes")
            data[name] = object_column(texts[codes])
            if name != "request_id":
                known[name] = (codes, texts)
        messages, codes = take("messages:texts"), take("bot_messages:codes")
        data["bot_messages"] = object_column(messages[codes])
        known["bot_messages"] = (codes, messages)
        self.known["turns"] = known
        for _, codes, names in TURN_KEYED:
            row_codes = take(codes)
            for name in names:
                data[name] = self.categorical(name, row_codes)
        data["is_utterance"] = take("is_utterance").astype(bool)
        data["missed"] = take("missed").astype(bool)
        for name in ("nlu_confidence", "runner_up_confidence", "sentiment_positive", "sentiment_negative"):
            data[name] = writable(take(name))
        return frame_of(data, TURN_COLUMNS), line_no

    def slot_table(self) -> pd.DataFrame:
        code, take = self.take("slot_code"), self.take
        if not len(code):
            return empty_table(SLOT_COLUMNS)
        original, interpreted = take("slot:original_value:texts"), take("slot:interpreted_value:texts")
        columns = {
            "turn": writable(take("slot_turn")), "intent": self.categorical("slot:intent", code),
            "slot": self.categorical("slot:slot", code), "shape": self.categorical("slot:shape", code),
            "item": writable(take("slot_item")), "filled": take("slot_filled").astype(bool),
            "original_value": object_column(original[code]), "interpreted_value": object_column(interpreted[code]),
        }
        self.known["slots"] = {"original_value": (code, original), "interpreted_value": (code, interpreted)}
        return frame_of(columns, SLOT_COLUMNS)

    def interpretation_table(self) -> pd.DataFrame:
        code, take = self.take("interp_code"), self.take
        if not len(code):
            return empty_table(INTERPRETATION_COLUMNS)
        return frame_of({"turn": writable(take("interp_turn")), "rank": writable(take("interp_rank")),
                         "intent": self.categorical("interp:intent", code),
                         "confidence": writable(take("interp_confidence"))}, INTERPRETATION_COLUMNS)

    def attribute_table(self, name: str, prefix: str, schema: dict) -> pd.DataFrame:
        code, turn = self.take(f"{prefix}_code"), self.take(f"{prefix}_turn")
        if not len(code):
            return empty_table(schema)
        values = self.take(f"{prefix}:value:texts")
        self.known[name] = {"value": (code, values)}
        return frame_of({"turn": writable(turn), "key": self.categorical(f"{prefix}:key", code),
                         "value": object_column(values[code])}, schema)


def frame_of(columns: dict, schema: dict) -> pd.DataFrame:
    """The table of ``columns`` (arrays of its own, taken out of the dict) in ``schema``'s
    order, each column its own block: pandas would otherwise copy the columns of one dtype
    into one 2-D block (0.25-0.35 s at a million turns)."""
    return pd.DataFrame({name: columns.pop(name) for name in schema}, copy=False)


def key_parts(keys: list[tuple], count: int) -> list[np.ndarray]:
    """The scanner's interned key tuples (of ``count`` texts, always str) as one object array
    per position, transposed in one pass (``columns.key_texts`` walks the keys once per position)."""
    if not keys:
        return [np.empty(0, dtype=object) for _ in range(count)]
    return [np.array(texts, dtype=object) for texts in zip(*keys)]


def writable(values: np.ndarray) -> np.ndarray:
    """``values`` as a column pandas may write to: a view of a scan's bytes is copied, an
    array of its own (a combination of several scans) is used as it is."""
    return values if values.flags.writeable and values.base is None else values.copy()
