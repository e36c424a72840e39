"""Sidebar widgets whose values live in the URL query string, so a view can be shared.

On a session's first run a widget's value is read from its query parameter (invalid
values dropped); after every run the values are written back, and a value equal to
its default is removed to keep the URL short. Works with any Streamlit >= 1.40 (no
``bind=``), and survives page switches, which clear the query string.
"""
from __future__ import annotations

from typing import Callable, Iterable, Sequence

import streamlit as st

LOADED = "_url_loaded"  # session-state set of widget keys already read from the URL
URL_VALUES = "_url_values"  # param -> value to write back at the end of the run


def url_values(param: str) -> list[str]:
    return [value for value in st.query_params.get_all(param) if value != ""]


def seed_from_url(key: str, param: str, parse: Callable[[list[str]], object]) -> None:
    """Once per session, put the URL's value for ``param`` into ``st.session_state[key]``."""
    loaded = st.session_state.setdefault(LOADED, set())
    if key in loaded:
        return
    loaded.add(key)
    raw = url_values(param)
    if raw:
        value = parse(raw)
        if value is not None:
            st.session_state[key] = value


def prune_choices(key: str, options: Sequence) -> None:
    """Drop remembered choices that are not options any more (another source was picked)."""
    if key in st.session_state:
        allowed = set(options)
        chosen = st.session_state[key]
        if isinstance(chosen, list):
            st.session_state[key] = [value for value in chosen if value in allowed]
        elif chosen not in allowed:
            del st.session_state[key]


def remember(param: str, value: str | Iterable[str] | None, default=None) -> None:
    """Queue ``param`` for the URL (None or the default removes it)."""
    if isinstance(value, (list, tuple)):
        value = [str(item) for item in value] or None
    if value == default:
        value = None
    st.session_state.setdefault(URL_VALUES, {})[param] = value


def write_url() -> None:
    """Write the queued values into ``st.query_params`` where they differ."""
    for param, value in st.session_state.get(URL_VALUES, {}).items():
        current = st.query_params.get_all(param)
        wanted = [] if value is None else (value if isinstance(value, list) else [value])
        if current == wanted:
            continue
        if not wanted:
            del st.query_params[param]
        else:
            st.query_params[param] = wanted if len(wanted) > 1 else wanted[0]


def multiselect(label: str, options: Sequence, key: str, param: str, **kwargs) -> list:
    """A multiselect kept in the URL as repeated ``param`` values."""
    seed_from_url(key, param, lambda raw: raw)
    prune_choices(key, options)
    chosen = st.multiselect(label, options, key=key, **kwargs)
    remember(param, chosen)
    return chosen


def selectbox(label: str, options: Sequence[str], key: str, param: str, default: str, **kwargs) -> str:
    """A selectbox of strings kept in the URL (the default is left out)."""
    seed_from_url(key, param, lambda raw: raw[0])
    prune_choices(key, options)
    if key not in st.session_state:
        st.session_state[key] = default
    chosen = st.selectbox(label, options, key=key, **kwargs)
    remember(param, chosen, default)
    return chosen
