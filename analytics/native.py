"""The loader's fast path for plain JSONL files: a C scanner (``analytics/_lexscan.c``).

The scanner turns canonical raw Lex V2 records straight into the columns of
``analytics.schema`` and hands every line it is not certain about (other shapes,
odd types, duplicate keys, unusual times, anything to reject) back to the Python
parser, which stays the one definition of what a line means. Both paths give the
same tables (tests/test_native_scanner.py); the scanner only makes them faster.

Without a C compiler at install time the module is absent and lexlens parses every
line in Python. ``LEXLENS_NATIVE=0`` turns the fast path off.
"""
from __future__ import annotations

import mmap
import os
from typing import Optional

import numpy as np
import pandas as pd

from analytics.errors import LexlensError
from analytics.schema import (ATTRIBUTE_COLUMNS, INTERPRETATION_COLUMNS, REQUEST_ATTRIBUTE_COLUMNS,
                              SLOT_COLUMNS, TURN_COLUMNS, LoadReport, empty_table)
from analytics.sources.files import ReadUnit
from analytics.turn_table import BOT_COLUMNS, DIALOG_COLUMNS, expand_interned, expand_text

try:
    from analytics import _lexscan
except ImportError:  # built without a C compiler: every line goes through Python
    _lexscan = None


def available() -> bool:
    """Whether the C scanner was built."""
    return _lexscan is not None


def use_native(native: Optional[bool]) -> bool:
    """Resolve a caller's choice: None means 'when built, unless LEXLENS_NATIVE=0'."""
    if native is None:
        return available() and os.environ.get("LEXLENS_NATIVE", "1") != "0"
    if native and not available():
        raise LexlensError("the native log scanner is not built (install lexlens with a C compiler).")
    return native


def scan_counts(buffer: bytes) -> dict[str, int]:
    """How the scanner treats ``buffer``'s lines: ``fast`` (read in C), ``blank``, ``fallback``."""
    scanner = _lexscan.Scanner()
    scanner.feed(buffer, 1)
    columns = scanner.finish()
    return {name: columns[name] for name in ("fast", "blank", "fallback")}


def unit_span(data, unit: ReadUnit) -> tuple[int, int]:
    """[start, end) of the lines that start in ``unit`` (see ``read_unit_lines``) in ``data``,
    the whole file's bytes."""
    size = len(data)
    start = unit.start
    if start:
        newline = data.find(b"\n", start - 1)  # skip the line that began before us
        start = size if newline < 0 else newline + 1
    if unit.end is None or unit.end >= size:
        return start, size
    newline = data.find(b"\n", unit.end - 1)  # finish the line that runs past the end
    return start, max(start, size if newline < 0 else newline + 1)


class NativeScan:
    """Plain units through the C scanner; the lines it leaves are kept for the Python parser."""

    def __init__(self) -> None:
        self.scanner = _lexscan.Scanner()
        self.fallback: list[tuple[int, bytes]] = []  # (line number, line)

    def scan_unit(self, unit: ReadUnit) -> None:
        """Scan ``unit`` in place (the file is memory-mapped, never copied)."""
        with open(unit.path, "rb") as handle:
            if os.fstat(handle.fileno()).st_size == 0:
                return
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                data.madvise(mmap.MADV_SEQUENTIAL)
                start, end = unit_span(data, unit)
                with memoryview(data) as whole, whole[start:end] as view:
                    self.scan(view)

    def scan(self, view) -> None:
        """Scan a buffer of whole lines, numbered from 1."""
        for line_no, start, end in self.scanner.feed(view, 1):
            self.fallback.append((line_no, bytes(view[start:end])))

    def finish(self) -> tuple[dict[str, pd.DataFrame], np.ndarray, LoadReport, int]:
        """The tables of the lines read in C, each turn's line number, their counts, and how
        many physical lines were scanned."""
        columns = self.scanner.finish()
        report = LoadReport(lines=columns["lines"], blank=columns["blank"])
        return (tables_from_columns(columns), np.frombuffer(columns["line_no"], dtype="int64"),
                report, columns["physical"])


def ints(columns: dict, name: str) -> np.ndarray:
    return np.frombuffer(columns[name], dtype="int64").copy()  # writable, like every other column


def floats(columns: dict, name: str) -> np.ndarray:
    return np.frombuffer(columns[name], dtype="float64").copy()


def flags(columns: dict, name: str) -> np.ndarray:
    return np.frombuffer(columns[name], dtype="uint8").astype(bool)


def texts(values: list) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=object), dtype=object, copy=False)


def tables_from_columns(columns: dict) -> dict[str, pd.DataFrame]:
    """The schema's tables from the scanner's columns (turns numbered 0..n-1, no session keys)."""
    count = len(columns["session_id"])
    data = {"turn": np.arange(count, dtype="int64"),
            "time": pd.to_datetime(ints(columns, "time_ms"), unit="ms", utc=True).as_unit("ns"),
            "session_key": np.zeros(count, dtype="int64")}
    for name in ("session_id", "request_id", "conversation_id", "transcript"):
        data[name] = texts(columns[name])
    for names, keys, codes in ((BOT_COLUMNS, "bot_keys", "bot_code"),
                               (DIALOG_COLUMNS, "dialog_keys", "dialog_code")):
        row_codes = ints(columns, codes)
        for position, name in enumerate(names):
            data[name] = expand_interned(columns[keys], position, row_codes)
    data["is_utterance"] = flags(columns, "is_utterance")
    data["missed"] = flags(columns, "missed")
    for name in ("nlu_confidence", "runner_up_confidence", "sentiment_positive", "sentiment_negative"):
        data[name] = floats(columns, name)
    data["bot_messages"] = expand_text(columns["message_keys"], 0, ints(columns, "message_code"))
    turns = pd.DataFrame(data, copy=False)[list(TURN_COLUMNS)] if count else empty_table(TURN_COLUMNS)
    return {"turns": turns, "slots": slot_table(columns), "interpretations": interpretation_table(columns),
            "attributes": attribute_table(columns, "attr", ATTRIBUTE_COLUMNS),
            "request_attributes": attribute_table(columns, "req_attr", REQUEST_ATTRIBUTE_COLUMNS)}


def slot_table(columns: dict) -> pd.DataFrame:
    code = ints(columns, "slot_code")
    if not len(code):
        return empty_table(SLOT_COLUMNS)
    keys = columns["slot_keys"]  # (intent, slot, shape, original, interpreted)
    return pd.DataFrame({
        "turn": ints(columns, "slot_turn"), "intent": expand_interned(keys, 0, code),
        "slot": expand_interned(keys, 1, code), "shape": expand_interned(keys, 2, code),
        "item": ints(columns, "slot_item"), "filled": flags(columns, "slot_filled"),
        "original_value": expand_text(keys, 3, code), "interpreted_value": expand_text(keys, 4, code),
    })[list(SLOT_COLUMNS)]


def interpretation_table(columns: dict) -> pd.DataFrame:
    code = ints(columns, "interp_code")
    if not len(code):
        return empty_table(INTERPRETATION_COLUMNS)
    return pd.DataFrame({"turn": ints(columns, "interp_turn"), "rank": ints(columns, "interp_rank"),
                         "intent": expand_interned(columns["intent_keys"], 0, code),
                         "confidence": floats(columns, "interp_confidence")})


def attribute_table(columns: dict, prefix: str, schema: dict) -> pd.DataFrame:
    code = ints(columns, f"{prefix}_code")
    if not len(code):
        return empty_table(schema)
    keys = columns[f"{prefix}_keys"]
    return pd.DataFrame({"turn": ints(columns, f"{prefix}_turn"), "key": expand_interned(keys, 0, code),
                         "value": expand_text(keys, 1, code)})
