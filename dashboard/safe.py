"""Hostile text (utterances, slot values, attributes, paths from the URL) made inert.

Streamlit renders Markdown in ``st.markdown``, ``st.error``, widget labels and captions;
plotly renders a few HTML tags (``<b>``, ``<a href>``, ``<br>``...) in labels and hover
text. Text from the logs or the URL goes through one of these before it reaches either;
in tables (``st.dataframe``) and ``st.text``/``st.code`` it is plain already.
"""
from __future__ import annotations

import re

import pandas as pd

MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&\"'])")


def escape_markdown(text: object) -> str:
    """``text`` as literal Markdown: every punctuation mark backslash-escaped, one line."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def escape_plotly(text: object) -> str:
    """``text`` with &, < and > as entities, so plotly shows the tags instead of drawing them."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_plotly_series(values: pd.Series) -> pd.Series:
    return values.astype(str).map(escape_plotly)
