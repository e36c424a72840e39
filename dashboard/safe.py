"""Hostile text (utterances, slot values, attributes, paths from the URL) made inert.

Streamlit renders Markdown in ``st.markdown``, ``st.error``, widget labels and captions;
plotly renders a few HTML tags (``<b>``, ``<a href>``, ``<br>``, ``<span style>``...) in
labels, legend entries and hover text. Text from the logs or the URL goes through one of
these before it reaches either; in tables (``st.dataframe``) and ``st.text``/``st.code`` it
is plain already, but bidirectional controls still reorder it, so ``plain_text`` shows them.
"""
from __future__ import annotations

import re

import pandas as pd

from lexlens.analytics.text.normalise import collapse_spaces
from lexlens.analytics.text.visible import BIDI_CONTROLS, escape_char

MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&\"'])")
BIDI = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "\u061c]")


def show_bidi(text: object) -> str:
    """``text`` with every bidirectional control (U+202E RIGHT-TO-LEFT OVERRIDE and the like)
    written as a visible escape, so it cannot reorder what is shown around it."""
    return BIDI.sub(lambda match: escape_char(match.group()), str(text))


def plain_text(text: object) -> str:
    """Log text for ``st.text``, a caption built by ``escape_markdown``, or a table cell."""
    return show_bidi(text)


def escape_markdown(text: object) -> str:
    """``text`` as literal Markdown: every punctuation mark backslash-escaped, one line,
    bidirectional controls visible."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", collapse_spaces(show_bidi(text)))


def escape_plotly(text: object) -> str:
    """``text`` with &, < and > as entities, so plotly shows the tags instead of drawing
    them, and bidirectional controls visible."""
    return show_bidi(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_plotly_series(values: pd.Series) -> pd.Series:
    return values.astype(str).map(escape_plotly)


def plain_frame(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` for display, its text cells with bidirectional controls visible and
    a missing text blank (the table would show a grey 'None', read as a value); the CSV
    download keeps the text as logged."""
    shown = table.copy()
    for column in shown.columns:
        series = shown[column]
        if series.dtype == object or pd.api.types.is_string_dtype(series) \
                or isinstance(series.dtype, pd.CategoricalDtype):
            has_bidi = series.astype(str).str.contains(BIDI.pattern, regex=True)
            missing = series.isna()
            if has_bidi.any() or missing.any():
                values = series.astype(object)
                shown[column] = values.where(~has_bidi, values.map(show_bidi)).where(~missing, "")
    return shown
