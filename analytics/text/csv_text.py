"""The CSV text of a table, byte for byte what pandas' ``to_csv(index=False)`` writes, several
times faster on large tables (``lexlens report --csv-dir`` at a million records spent 23 of its
42 s writing the turns table).

pandas formats a column with a time zone one timestamp at a time (4 s per million in UTC,
16 s in Asia/Kolkata) and hands every row to Python's csv writer (8-10 s for the million rows
of the turns table). Here each column becomes the text of its cells at once: a categorical's
categories once, timestamps through pandas' fast path for wall-clock times plus one suffix per
distinct UTC offset, numbers through numpy's conversion on their distinct values, each distinct
text quoted once; rows are then joined with ``str.join``.

The rules are those of pandas (3.x) and of Python's csv writer with QUOTE_MINIMAL: a missing
value is empty; any other cell is its ``str``; a cell holding ',', '"', CR or LF is quoted, its
quotes doubled; a row of one empty cell is written ``""``. The one difference is deliberate and
is what ``csvsafe.to_safe_csv`` asks for: a cell holding a CR is always quoted. A table with a
column of any other kind (timedeltas, periods, categories that are not text) or a label that is
not text gets ``None``: its caller lets pandas write it. ``tests/test_csv_text.py`` compares the
text with pandas' on generated tables and on every table of the report of the sample logs.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Callable, Iterator, Optional

import numpy as np
import pandas as pd

NEEDS_QUOTES = re.compile(r'[,"\r\n]')
ROWS_PER_PIECE = 100_000  # rows joined into one text at a time: 40 MB of the turns table


def same(value):
    return value


def field(value) -> str:
    """One cell as Python's csv writer writes it (missing values are handled before)."""
    text = value if isinstance(value, str) else str(value)
    return '"' + text.replace('"', '""') + '"' if NEEDS_QUOTES.search(text) else text


def fields_of_texts(values: np.ndarray, cell: Callable) -> np.ndarray:
    """The fields of an object array whose missing cells are already ''; each distinct text
    once. Other cells are taken one by one: hashing would merge 1, 1.0 and True, and 0.0 and
    -0.0, which are written differently (and a list cannot be hashed)."""
    if pd.api.types.infer_dtype(values, skipna=False) != "string":
        return np.array([field(cell(value)) for value in values], dtype=object)
    codes, uniques = pd.factorize(values)
    distinct = np.array([field(cell(value)) for value in uniques], dtype=object)
    return distinct[codes]


def float_fields(values: np.ndarray) -> np.ndarray:
    """numpy's text of each float (as pandas writes them), each distinct bit pattern once (so
    that -0.0 stays apart from 0.0); NaN empty."""
    codes, bits = pd.factorize(values.view(f"i{values.itemsize}"))
    distinct = np.asarray(bits).view(values.dtype)
    text = distinct.astype(str).astype(object)
    text[np.isnan(distinct)] = ""
    return text[codes]


def offset_suffix(seconds: int) -> str:
    """'+05:30' for an offset of 19,800 s, as ``Timestamp.isoformat`` ends."""
    zone = dt.timezone(dt.timedelta(seconds=int(seconds)))
    return dt.datetime(2000, 1, 1, tzinfo=zone).isoformat()[19:]


def datetime_fields(series: pd.Series) -> np.ndarray:
    """Timestamps as pandas writes them. With a zone, pandas 3 writes the wall-clock time as it
    writes zone-less times (its precision chosen for the whole column), then the offset: that is
    done here at once where this pandas is seen to do so (pandas 2 writes ``str(Timestamp)``)."""
    if series.dt.tz is None or not zone_text_is_wall_text_and_offset():
        return pandas_text(series)
    return wall_text_and_offset(series)


def pandas_text(series: pd.Series) -> np.ndarray:
    """pandas' own text of each timestamp (``astype(str)`` formats them as CSV does), '' where
    missing."""
    text = series.astype(str).to_numpy(dtype=object)
    text[series.isna().to_numpy()] = ""
    return text


def wall_text_and_offset(series: pd.Series) -> np.ndarray:
    wall = series.dt.tz_localize(None)
    present = series.notna().to_numpy()
    if (wall[present] == wall[present].dt.normalize()).all():
        return pandas_text(series)  # zone-less midnights would be written as dates alone
    text = pandas_text(wall)
    utc = series.dt.tz_convert("UTC").dt.tz_localize(None)
    offsets = (wall.to_numpy() - utc.to_numpy())[present].astype("timedelta64[s]").astype(np.int64)
    kinds, where = np.unique(offsets, return_inverse=True)
    suffixes = np.array([offset_suffix(seconds) for seconds in kinds], dtype=object)
    text[present] = text[present] + suffixes[where]
    return text


@functools.lru_cache(maxsize=1)
def zone_text_is_wall_text_and_offset() -> bool:
    """Whether this pandas writes zoned timestamps as ``wall_text_and_offset`` does (a probe
    with whole seconds, milliseconds and a missing value, in a zone of half hours)."""
    probe = pd.Series(pd.to_datetime([0, 1_500_000_000_123_000_000, None], utc=True)).dt.tz_convert("Asia/Kolkata")
    return list(wall_text_and_offset(probe)) == list(pandas_text(probe))


def column_fields(series: pd.Series, cell: Callable = same) -> Optional[np.ndarray]:
    """The CSV field of each cell of a column (quoted where needed), or None for a kind of
    column left to pandas. A text column's values (and the header's names) go through ``cell``
    first, each distinct value once: ``csvsafe`` neutralises formulas there."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        categories = dtype.categories
        if len(categories) and not (categories.dtype == object or pd.api.types.is_string_dtype(categories.dtype)):
            return None
        distinct = np.array([field(cell(value)) for value in categories.to_numpy(dtype=object)] + [""], dtype=object)
        return distinct[series.cat.codes.to_numpy()]  # code -1 (missing) takes the last, ''
    if isinstance(dtype, pd.DatetimeTZDtype) or (isinstance(dtype, np.dtype) and dtype.kind == "M"):
        return datetime_fields(series)
    if isinstance(dtype, np.dtype) and dtype.kind == "b":
        return np.where(series.to_numpy(), "True", "False").astype(object)
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        return series.to_numpy().astype(str).astype(object)
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        return float_fields(series.to_numpy())
    if dtype == object:
        values = series.to_numpy().copy()
    elif pd.api.types.is_string_dtype(dtype) or (pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)):
        values = series.to_numpy(dtype=object, na_value=None)
    else:
        return None
    values[pd.isna(values)] = ""
    return fields_of_texts(values, cell)


def csv_text(table: pd.DataFrame, cell: Callable = same) -> Optional[str]:
    """pandas' CSV text of ``table`` (its index left out), except that a cell holding a CR is
    quoted; None when a column is of a kind left to pandas."""
    pieces = csv_pieces(table, cell)
    return None if pieces is None else "".join(pieces)


def csv_pieces(table: pd.DataFrame, cell: Callable = same) -> Optional[Iterator[str]]:
    """``csv_text`` in pieces of whole rows (the header, then ROWS_PER_PIECE rows at a time), or
    None. The fields of every cell are made first, so that None comes before any text."""
    if table.shape[1] == 0 or not all(isinstance(name, str) for name in table.columns):
        return None  # pandas formats other labels as it formats cells
    columns = []
    for position in range(table.shape[1]):
        fields = column_fields(table.iloc[:, position], cell)
        if fields is None:
            return None
        columns.append(fields)
    header = [field(cell(name)) for name in table.columns]
    if len(columns) == 1:  # a row of one empty field is written "" (else it would be a blank line)
        header = [name or '""' for name in header]
        columns = [np.where(columns[0] == "", '""', columns[0]).astype(object)]
    return rows_in_pieces(",".join(header), columns)


def rows_in_pieces(header: str, columns: list[np.ndarray]) -> Iterator[str]:
    yield header + "\n"
    for start in range(0, len(columns[0]), ROWS_PER_PIECE):
        rows = zip(*(fields[start:start + ROWS_PER_PIECE] for fields in columns))
        yield "\n".join(map(",".join, rows)) + "\n"
