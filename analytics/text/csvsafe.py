"""CSV exports that a spreadsheet cannot execute: the one rule every CSV lexlens writes uses
(``lexlens report --out`` and every dashboard download button call ``to_safe_csv``).

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

import pandas as pd

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


def neutralise_frame(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` with every text cell (and text header) neutralised."""
    safe = table.copy()
    for column in safe.columns:
        series = safe[column]
        if is_text(series):
            safe[column] = series.astype(object).map(neutralise_cell)
    safe.columns = [neutralise_cell(str(column)) for column in safe.columns]
    return safe


def holds_carriage_return(table: pd.DataFrame) -> bool:
    """Whether any text cell holds a CR."""
    return any(table.iloc[:, position].map(lambda value: isinstance(value, str) and "\r" in value).any()
               for position in range(table.shape[1]) if is_text(table.iloc[:, position]))


def to_safe_csv(table: pd.DataFrame, index: bool = False) -> str:
    """UTF-8 CSV text of ``table`` with formulas neutralised and CRs quoted (rows end in LF)."""
    if index:
        table = table.reset_index()
    safe = neutralise_frame(table)
    if not holds_carriage_return(safe):
        return safe.to_csv(index=False)
    # Python's csv writer quotes a cell holding any character of the row terminator: write
    # CRLF rows, then end them in LF again, leaving the quoted cells as they are.
    text = safe.to_csv(index=False, lineterminator="\r\n")
    return QUOTED_OR_CRLF.sub(lambda match: "\n" if match.group(0) == "\r\n" else match.group(0), text)
