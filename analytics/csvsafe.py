"""CSV exports that a spreadsheet cannot execute.

Cells starting with '=', '+', '-', '@', TAB or CR are prefixed with a single quote,
as OWASP recommends against CSV injection:
https://owasp.org/www-community/attacks/CSV_Injection
Only text cells are touched; numbers stay numbers.
"""
from __future__ import annotations

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value):
    """The value, with a leading quote if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_frame(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` with every text cell (and text header) neutralised."""
    safe = table.copy()
    for column in safe.columns:
        series = safe[column]
        if series.dtype == object or pd.api.types.is_string_dtype(series) or \
                isinstance(series.dtype, pd.CategoricalDtype):
            safe[column] = series.astype(object).map(neutralise_cell)
    safe.columns = [neutralise_cell(str(column)) for column in safe.columns]
    return safe


def to_safe_csv(table: pd.DataFrame, index: bool = False) -> str:
    """UTF-8 CSV text of ``table`` with formulas neutralised."""
    if index:
        table = table.reset_index()
    return neutralise_frame(table).to_csv(index=False)
