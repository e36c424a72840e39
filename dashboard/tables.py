"""Tables: a search box, a sortable grid (cells are plain text, never HTML), and a
formula-safe CSV download of exactly the rows shown, written when its button is pressed (not on
every run of the page: a 20,000-row table's CSV cost ~0.2 s of each run)."""
from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from lexlens.analytics.text.csvsafe import to_safe_csv
from lexlens.dashboard import links
from lexlens.dashboard.engine_label import show_computed_by
from lexlens.dashboard.formats import display_columns, display_frame
from lexlens.dashboard.pagelist import SESSION_TABLES
from lexlens.dashboard.safe import plain_frame

TEXT_KINDS = ("O", "U", "S")


def search_rows(table: pd.DataFrame, query: str) -> pd.DataFrame:
    """The rows in which any text or category cell contains ``query`` (case-insensitive)."""
    query = query.strip()
    if not query or table.empty:
        return table
    mask = pd.Series(False, index=table.index)
    for column in table.columns:
        series = table[column]
        if series.dtype.kind in TEXT_KINDS or isinstance(series.dtype, pd.CategoricalDtype) \
                or pd.api.types.is_string_dtype(series):
            mask |= series.astype(str).str.contains(query, case=False, regex=False, na=False)
    return table[mask]


def table_csv(shown: pd.DataFrame) -> str:
    """The CSV a download button hands out: the shown rows, formulas neutralised."""
    return to_safe_csv(shown.reset_index(drop=True))


def show_table(table: pd.DataFrame, name: str, *, session_column: str | None = None,
               height: int | str = "auto", column_config: dict | None = None,
               caption: str | None = None) -> pd.DataFrame:
    """Search box + sortable table + CSV download; returns the rows shown.

    With ``session_column``, picking a row opens that session in the Session explorer
    (``dashboard.links``: the row as shown, after the search).
    """
    if session_column is not None and name not in SESSION_TABLES:
        raise ValueError(f"add the session table {name!r} to dashboard.pagelist.SESSION_TABLES")
    query = st.text_input(f"Search {name.replace('_', ' ')}", key=f"search_{name}",
                          placeholder="type to filter rows", label_visibility="collapsed")
    shown = search_rows(table, query)
    selectable = session_column is not None and session_column in shown.columns
    if selectable:
        links.remember_rows(name, shown[session_column])
    config = {**display_columns(shown), **(column_config or {})}
    st.dataframe(display_frame(plain_frame(shown)), hide_index=True, height=height, column_config=config,
                 key=links.table_key(name), on_select=partial(links.pick_row, name) if selectable else "ignore",
                 selection_mode="single-row")
    left, right = st.columns([3, 1])
    rows = "row" if len(table) == 1 else "rows"
    count = f"{len(shown):,} of {len(table):,} {rows}" if query.strip() else f"{len(table):,} {rows}"
    hint = " · pick a row to open its transcript" if selectable else ""
    left.caption((caption + " · " if caption else "") + count + hint)
    with left:
        show_computed_by()
    right.download_button("CSV", data=partial(table_csv, shown), icon=":material/download:", file_name=f"{name}.csv",
                          mime="text/csv", key=f"download_{name}", on_click="ignore")
    return shown
