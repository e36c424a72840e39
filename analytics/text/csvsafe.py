"""CSV exports that a spreadsheet cannot execute: the one rule every CSV lexlens writes uses
(``lexlens report --csv-dir`` writes ``safe_csv_pieces``, every dashboard download button
calls ``to_safe_csv``, the same text whole).

A text cell a spreadsheet could read as a formula gets a leading single quote, as OWASP
recommends against CSV injection (https://owasp.org/www-community/attacks/CSV_Injection):
one that starts with '=', '+', '-', '@', TAB or CR, also after leading spaces (any Unicode
space, NBSP included), invisible format characters or '"', and also when that first
character is a look-alike a spreadsheet may take for one: full-width and small forms
(``＝``, ``﹢``, ...: anything NFKC folds to those four) and the minus sign U+2212.
Only text cells are touched; numbers stay numbers.

A cell holding a carriage return is quoted (RFC 4180), so no reader that breaks rows at a
bare CR can start a row inside it.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Iterator

import numpy as np
import pandas as pd

from lexlens.analytics.text.csv_text import csv_pieces

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_CHARACTERS = frozenset("=+-@\u2212")
QUOTED_OR_CRLF = re.compile(r'"(?:[^"]|"")*"|\r\n')


def skippable(char: str) -> bool:
    """A character a spreadsheet may skip before a formula: spaces, invisible format
    characters, a double quote (also full-width)."""
    return char.isspace() or unicodedata.category(char) == "Cf" or \
        unicodedata.normalize("NFKC", char) == '"'


def starts_formula(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula (see the module docstring)."""
    first = text[:1]
    if not first or (first.isascii() and first.isalnum()):
        return False  # nearly every cell: decided at once
    if text.startswith(FORMULA_STARTS):
        return True
    for char in text:
        if not skippable(char):
            return char in FORMULA_CHARACTERS or unicodedata.normalize("NFKC", char)[:1] in FORMULA_CHARACTERS
    return False


def neutralise_cell(value):
    """The value, with a leading quote if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and starts_formula(value):
        return "'" + value
    return value


def is_text(series: pd.Series) -> bool:
    return series.dtype == object or pd.api.types.is_string_dtype(series) or \
        isinstance(series.dtype, pd.CategoricalDtype)


def distinct_cells(series: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """(codes, distinct values) of a text column, a categorical's from its codes; None when a
    cell cannot be hashed (a list), which is then judged cell by cell."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy(), series.cat.categories.to_numpy(dtype=object)
    try:
        codes, uniques = pd.factorize(series.to_numpy(dtype=object))
    except TypeError:
        return None
    return codes, np.asarray(uniques, dtype=object)


def neutralise_column(series: pd.Series) -> pd.Series | None:
    """The column with its formula-like text cells quoted, or None when none is. Each distinct
    text is judged once: judging a million-row table cell by cell (and converting it twice)
    took a third of ``report --csv-dir`` at a million records."""
    distinct = distinct_cells(series)
    if distinct is None:
        quoted = series.astype(object).map(neutralise_cell)
        return quoted if not quoted.equals(series.astype(object)) else None
    codes, uniques = distinct
    risky = np.fromiter((isinstance(value, str) and starts_formula(value) for value in uniques),
                        dtype=bool, count=len(uniques))
    if not risky.any():
        return None
    safe = uniques.copy()
    safe[risky] = ["'" + value for value in uniques[risky]]
    rows = (codes >= 0) & risky[np.maximum(codes, 0)]
    values = series.to_numpy(dtype=object).copy()
    values[rows] = safe[codes[rows]]
    return pd.Series(values, index=series.index, dtype=object)


def neutralise_frame(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with every text cell (and text header) neutralised; ``table`` is not changed."""
    safe = table.copy(deep=False)
    for position in range(table.shape[1]):
        series = table.iloc[:, position]
        if is_text(series):
            quoted = neutralise_column(series)
            if quoted is not None:
                safe.isetitem(position, quoted)
    safe.columns = [neutralise_cell(str(column)) for column in safe.columns]
    return safe


def holds_carriage_return(table: pd.DataFrame) -> bool:
    """Whether any text cell holds a CR (judged on each column's distinct values)."""
    for position in range(table.shape[1]):
        series = table.iloc[:, position]
        if not is_text(series):
            continue
        distinct = distinct_cells(series)
        if distinct is None:
            values = series.to_numpy(dtype=object)
        else:  # the distinct values some row holds (a categorical may list unused ones)
            codes, uniques = distinct
            values = uniques[np.bincount(codes[codes >= 0], minlength=len(uniques)) > 0]
        if any(isinstance(value, str) and "\r" in value for value in values):
            return True
    return False


def to_safe_csv(table: pd.DataFrame, index: bool = False) -> str:
    """UTF-8 CSV text of ``table`` with formulas neutralised and CRs quoted (rows end in LF):
    what pandas writes (``pandas_csv``), written by ``csv_text`` where it can."""
    return "".join(safe_csv_pieces(table, index))


def safe_csv_pieces(table: pd.DataFrame, index: bool = False) -> Iterator[str]:
    """``to_safe_csv`` in pieces of whole rows, for a file written without holding all of it.
    ``csv_pieces`` neutralises each distinct text as it quotes it; a table it leaves to pandas
    is neutralised first (``neutralise_frame``)."""
    if index:
        table = table.reset_index()
    table = table.set_axis([str(name) for name in table.columns], axis=1)  # as pandas writes labels
    pieces = csv_pieces(table, neutralise_cell)
    return pieces if pieces is not None else iter([pandas_csv(neutralise_frame(table))])


def pandas_csv(safe: pd.DataFrame) -> str:
    """pandas' CSV text of a neutralised table, a cell holding a CR quoted."""
    if not holds_carriage_return(safe):
        return safe.to_csv(index=False)
    # Python's csv writer quotes a cell holding any character of the row terminator: write
    # CRLF rows, then end them in LF again, leaving the quoted cells as they are.
    text = safe.to_csv(index=False, lineterminator="\r\n")
    return QUOTED_OR_CRLF.sub(lambda match: "\n" if match.group(0) == "\r\n" else match.group(0), text)
