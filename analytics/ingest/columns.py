"""Columns of the tidy tables from interned values: the vectorised half of a load.

The table builders (``turn_table`` for the Python parser, ``native_tables`` for the C scanner)
intern repeated texts as codes; these functions turn codes and rows into typed columns, and
give each Lex session its integer ``session_key``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from lexlens.analytics.schema import empty_table


def as_text(value: Any) -> str:
    """A field as text: '' for null, the string itself, else its JSON-ish str()."""
    if type(value) is str:
        return value
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    return str(value)


def frame_from_rows(rows: list[tuple], names: list[str], columns: dict) -> pd.DataFrame:
    """A DataFrame of ``rows`` (tuples in ``names`` order) cast to the declared dtypes."""
    if not rows:
        return empty_table({name: columns[name] for name in names})
    data = {}
    for name, values in zip(names, zip(*rows)):
        dtype = columns[name][0]
        if dtype == "category":
            data[name] = categorical_text(np.asarray(values, dtype=object))
        elif dtype == "str":
            data[name] = pd.Series(np.asarray(values, dtype=object), dtype=object, copy=False)
        else:
            data[name] = np.asarray(values, dtype=dtype)
    return pd.DataFrame(data, copy=False)


def categorical_text(values: np.ndarray) -> pd.Categorical:
    """A categorical of ``as_text(value)`` for each value, coercing only the distinct values."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    texts = ["" if value is None or value != value else as_text(value) for value in uniques]
    text_codes, text_uniques = pd.factorize(np.asarray(texts, dtype=object))
    categories = pd.Index(text_uniques, dtype=object)
    return pd.Categorical.from_codes(text_codes[codes] if len(texts) else codes, categories=categories)


def key_texts(codes, position: int) -> np.ndarray:
    """Part ``position`` of each interned key tuple (in code order) as text: '' for None or
    NaN. ``codes`` is the dict of keys, or a list of them."""
    return np.array([value if value.__class__ is str else
                     "" if value is None or value != value else as_text(value)
                     for value in (key[position] for key in codes)], dtype=object)


def expand_interned(codes, position: int, row_codes: np.ndarray) -> pd.Categorical:
    """The categorical column ``position`` of interned tuples, given each row's tuple code;
    equal texts of different keys become one category."""
    return categorical_of(key_texts(codes, position), row_codes)


def categorical_of(texts: np.ndarray, row_codes: np.ndarray) -> pd.Categorical:
    """The categorical column of ``texts[row_codes]``, equal texts one category."""
    text_codes, text_uniques = pd.factorize(texts)
    return pd.Categorical.from_codes(text_codes[row_codes] if len(texts) else row_codes,
                                     categories=pd.Index(text_uniques, dtype=object))


def session_keys(turns: pd.DataFrame) -> np.ndarray:
    """One int per Lex session: (bot_id, alias_id, locale, session_id)."""
    if turns.empty:
        return np.zeros(0, dtype="int64")
    # one int64 per (bot, alias, locale, session id) from codes: a MultiIndex is slower.
    # ``span`` bounds the keys so far; when the next product could pass int64, the keys are
    # made dense first (at most one per row), so no two sessions ever share a key.
    session_codes, session_ids = pd.factorize(turns["session_id"])
    key, span = session_codes.astype("int64"), len(session_ids)
    for column in ("locale", "alias_id", "bot_id"):
        codes = turns[column].cat.codes.to_numpy().astype("int64") + 1  # missing (-1) is 0
        width = len(turns[column].cat.categories) + 1
        if span * width >= 1 << 62:
            key, uniques = pd.factorize(key)
            span = len(uniques)
        key = key * width + codes
        span *= width
    return pd.factorize(key)[0].astype("int64")


def expand_text(codes, position: int, row_codes: np.ndarray) -> pd.Series:
    """The text column ``position`` of interned tuples, given each row's tuple code."""
    return object_column(key_texts(codes, position)[row_codes])


def object_column(values: np.ndarray) -> pd.Series:
    """Text as a Series of str objects (pandas would otherwise convert to its string dtype)."""
    return pd.Series(values, dtype=object, copy=False)
