"""Loading one file both ways (the C scanner and the Python parser) and comparing everything:
the helpers of the scanner's tests (tests/test_native_*.py) and of tests/test_hostile_files.py."""
from __future__ import annotations

from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd

from lexlens.analytics.ingest import loading
from lexlens.analytics.ingest.loading import load_logs
from lexlens.analytics.schema import SERVER_RESPONSE_COLUMNS, TABLES, LogData



SAMPLES = Path(__file__).resolve().parent.parent / "sample_logs"


# ---------- comparing two loads ----------

def column_values(column: pd.Series) -> np.ndarray:
    """A column's values as plain objects/numbers, categories resolved to their values."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return np.asarray(column.astype(object), dtype=object)
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        return column.array.asi8
    return column.to_numpy()


def assert_same_column(table: str, name: str, a: pd.Series, b: pd.Series) -> None:
    where = f"{table}.{name}"
    assert a.dtype.kind == b.dtype.kind, f"{where}: dtype {a.dtype} != {b.dtype}"
    assert str(a.dtype) == str(b.dtype) or isinstance(a.dtype, pd.CategoricalDtype), \
        f"{where}: dtype {a.dtype} != {b.dtype}"
    left, right = column_values(a), column_values(b)
    if a.dtype.kind == "f":
        # NaN equals NaN; -0.0 equals 0.0 (allowed by the brief)
        same = (left == right) | (np.isnan(left) & np.isnan(right))
    elif left.dtype == object:
        same = np.array([x == y and type(x) is type(y) for x, y in zip(left, right)], dtype=bool)
    else:
        same = left == right
    if not same.all():
        rows = np.flatnonzero(~same)[:5]
        raise AssertionError(f"{where} differs at rows {rows.tolist()}: "
                             f"native {[left[i] for i in rows]!r} != python {[right[i] for i in rows]!r}")


def assert_same_load(a: LogData, b: LogData) -> None:
    """``a`` (native) and ``b`` (Python) hold the same tables and the same report."""
    for table, columns in {**TABLES, "server_responses": SERVER_RESPONSE_COLUMNS}.items():
        left, right = getattr(a, table), getattr(b, table)
        assert list(left.columns) == list(right.columns) == list(columns), table
        assert len(left) == len(right), f"{table}: {len(left)} rows (native) != {len(right)} (python)"
        # metrics select rows by label too (.loc, joins on the index): labels must match
        assert left.index.equals(right.index), f"{table}: index {left.index} != {right.index}"
        for name in columns:
            assert_same_column(table, name, left[name], right[name])
    ra, rb = a.report, b.report
    for count in ("lines", "accepted", "blank", "duplicates"):
        assert getattr(ra, count) == getattr(rb, count), \
            f"report.{count}: native {getattr(ra, count)} != python {getattr(rb, count)}"
    assert [(r.line, r.reason) for r in ra.rejections] == [(r.line, r.reason) for r in rb.rejections]
    assert [(r.source, r.text) for r in ra.rejections] == [(r.source, r.text) for r in rb.rejections]
    assert ra.files == rb.files


def load(path: Path, native_path: bool, unit_bytes: int = 0, workers: int = 1, limits=None):
    """``load_logs`` of ``path`` (cut into ``unit_bytes`` units when given), or the exception
    it raised: a crash must at least be the same crash on both paths."""
    try:
        if not unit_bytes:
            return load_logs([path], workers=workers, native=native_path, limits=limits)
        with mock.patch.object(loading, "unit_bytes_for", lambda files, workers: unit_bytes):
            return load_logs([path], workers=workers, native=native_path, limits=limits)
    except Exception as error:  # noqa: BLE001 - compared, not hidden
        return error


def assert_same_outcome(a, b) -> None:
    """Native outcome ``a`` equals Python outcome ``b``: same tables and report, or same error."""
    if isinstance(a, Exception) or isinstance(b, Exception):
        assert (type(a), str(a)) == (type(b), str(b)), f"native {a!r} != python {b!r}"
    else:
        assert_same_load(a, b)


def assert_native_matches_python(path: Path, unit_sizes=(), workers: int = 1, limits=None):
    """Native == Python for ``path`` as one unit and cut into each of ``unit_sizes`` bytes;
    returns the Python outcome."""
    python = load(path, native_path=False, limits=limits)
    assert_same_outcome(load(path, native_path=True, limits=limits), python)
    for unit_bytes in unit_sizes:
        assert_same_outcome(load(path, True, unit_bytes, workers, limits), python)
    return python


def physical_lines(content: bytes) -> int:
    return content.count(b"\n") + (1 if content and not content.endswith(b"\n") else 0)


