"""Codes of text columns, known from the C scanner, handed to the store's writer.

The scanner interns each distinct text once and gives every row a code into the texts. The
writer (``store.frames``) writes each text column as an Arrow dictionary; from the codes it
needs only integer work, where encoding the strings hashes every row again (a first run at 1M
records: about 0.9 s of the writer's 1.2 s of CPU, on a machine whose two cores are busy with
the report at the same time).

Rows move between the scan and the writing: duplicates dropped, turns sorted by time. So the
scan adds a column of its row numbers (``ROWS``) to each table that has known codes, rows
carry it through every filter and reorder, and ``settle`` (at the end of finishing a load)
turns it into each column's codes in the final order, kept for that table object alone
(weakly): any other table, filtered, concatenated or read from the store, has none, and is
encoded by hashing as before. A table that lost the column (stacked with others) simply has
none either. ``codes_of`` checks a sample of rows before the codes are used.
"""
from __future__ import annotations

import itertools
import weakref
from collections import OrderedDict
from typing import TYPE_CHECKING, Optional

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from lexlens.analytics.schema import LogData

ROWS = "_scan_rows"  # the hidden column's prefix: f"{ROWS}:{token}"
SAMPLE = 1000  # rows checked by identity before codes are used
_tokens = itertools.count()
_pending: "OrderedDict[int, dict]" = OrderedDict()  # token -> {column: (codes, texts)} of scanned rows
PENDING_LIMIT = 8  # scans whose tables never reached ``settle`` (an error, a stacking) are let go
# id(table) -> (a weak reference to the table, {column: (codes, texts)}); removed when the table goes
# (a DataFrame cannot be a dict key: it is not hashable)
_settled: dict[int, tuple[weakref.ref, dict]] = {}


def mark_scanned(table: pd.DataFrame, known: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
    """Remember ``known`` ({column: (codes, texts)}, each row's text ``texts[codes[row]]``) for the
    rows of ``table`` as scanned, and add the hidden column of their row numbers."""
    if not known or not len(table):
        return
    token = next(_tokens)
    narrowed: dict[int, np.ndarray] = {}  # one copy per codes array (slot values share theirs)
    for codes, texts in known.values():
        if id(codes) not in narrowed:
            narrowed[id(codes)] = narrow(codes, len(texts))
    _pending[token] = {column: (narrowed[id(codes)], texts) for column, (codes, texts) in known.items()}
    while len(_pending) > PENDING_LIMIT:
        _pending.popitem(last=False)
    table[f"{ROWS}:{token}"] = np.arange(len(table), dtype=np.int32 if len(table) < 2**31 else np.int64)


def narrow(codes: np.ndarray, texts: int) -> np.ndarray:
    """Codes as int32 when the texts allow (half the memory held until the writing)."""
    return codes.astype(np.int32, copy=False) if texts < 2**31 else codes


def settle(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` without the hidden column, its known codes now in its own row order."""
    hidden = [name for name in table.columns if isinstance(name, str) and name.startswith(f"{ROWS}:")]
    if not hidden:
        return table
    rows = table[hidden[0]].to_numpy()
    known = _pending.pop(int(hidden[0].split(":", 1)[1]), None)
    table = table.drop(columns=hidden)
    if known is not None and len(hidden) == 1 and rows.dtype.kind == "i":
        moved: dict[int, np.ndarray] = {}  # each codes array reordered once (slot values share theirs)
        settled = {}
        for column in list(known):  # every array of ``known`` alive until its last column: ids unique
            codes, texts = known.pop(column)  # the scan's order let go as each is moved
            if id(codes) not in moved:
                moved[id(codes)] = codes[rows]
            settled[column] = (moved[id(codes)], texts)
            del codes
        _settled[id(table)] = (weakref.ref(table), settled)
        weakref.finalize(table, _settled.pop, id(table), None)
    return table


def settle_tables(data: "LogData") -> "LogData":
    """``data`` with every table settled (``settle``); itself when no scan is pending (a load
    without the store, or parsed in Python), its side tables not made early."""
    if not _pending:
        return data
    return data.with_tables(settle(data.turns), **{name: settle(table) for name, table in data.side_tables().items()})


def forget() -> None:
    """Let every code go (once the writer has them, or has been forked with them)."""
    _pending.clear()
    _settled.clear()


def codes_of(table: pd.DataFrame, column: str) -> Optional[tuple[np.ndarray, np.ndarray]]:
    """(codes, texts) of ``column`` of this very table, when known and a sample of its rows
    (the first, the last and SAMPLE spread between) hold exactly the texts the codes name."""
    entry = _settled.get(id(table))
    known = entry[1].get(column) if entry is not None and entry[0]() is table else None
    if known is None:
        return None
    codes, texts = known
    values = table[column].to_numpy()
    if len(codes) != len(values) or (len(codes) and not 0 <= int(codes.min()) <= int(codes.max()) < len(texts)):
        return None
    if len(values):
        rows = np.unique(np.linspace(0, len(values) - 1, min(SAMPLE, len(values))).astype(np.int64))
        if not all(values[row] is texts[codes[row]] for row in rows):
            return None
    return known
