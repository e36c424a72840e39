"""Drill-down: a row picked in any table that lists sessions opens that session's transcript
in the Session explorer.

One path for every table: the table's selection callback (``pick_row``) notes the session
of the row as it was shown (after the table's search), and the app, at the start of the
next run, follows it (``follow_pending_link``): on the Session explorer it just shows the
session (no page switch to the page you are on, no rerun loop); elsewhere it switches page
once, passing the URL on. The sidebar's settings are bound to the URL, so Streamlit keeps
them across the switch (``dashboard.urlstate``).
"""
from __future__ import annotations

import streamlit as st

from lexlens.dashboard.pagelist import EXPLORER_PAGE, EXPLORER_SLUG
from lexlens.dashboard.urlstate import forwarded_params

SESSION_PARAM = "session"
SESSION_STATE = "explore_session"
PENDING = "_open_session"      # the session picked in the last interaction
ROWS = "_table_sessions"       # table name -> session ids of its rows as last shown


def table_key(name: str) -> str:
    return f"table_{name}"


def remember_rows(name: str, session_ids) -> None:
    """The session of each row shown, in order, for ``pick_row`` on the next interaction."""
    st.session_state.setdefault(ROWS, {})[name] = [str(value) for value in session_ids]


def pick_row(name: str) -> None:
    """Selection callback of a table that lists sessions: note the picked row's session."""
    state = st.session_state.get(table_key(name))
    rows = list(state.selection.rows) if state is not None else []
    shown = st.session_state.get(ROWS, {}).get(name, [])
    if rows and 0 <= rows[0] < len(shown):
        st.session_state[PENDING] = shown[rows[0]]


def follow_pending_link(page) -> None:
    """Open the session picked in the last interaction, if any (call right after
    ``st.navigation``)."""
    wanted = st.session_state.pop(PENDING, None)
    if wanted is None:
        return
    open_session(wanted, on_explorer=page.url_path == EXPLORER_SLUG)


def drop_session_off_explorer(page) -> None:
    """Keep ``session=`` in the URL of the Session explorer only: the browser's Back from a
    transcript re-sends the explorer's query string with the page it returns to (the URL of
    the Missed utterances page kept the session it had opened)."""
    if page.url_path != EXPLORER_SLUG and SESSION_PARAM in st.query_params:
        del st.query_params[SESSION_PARAM]


def open_session(session_id: str, *, on_explorer: bool = False) -> None:
    """Show ``session_id`` in the Session explorer (kept in the URL)."""
    st.session_state[SESSION_STATE] = session_id
    if on_explorer:
        st.query_params[SESSION_PARAM] = session_id
        return
    params = [(name, value) for name, value in forwarded_params() if name != SESSION_PARAM]
    st.switch_page(EXPLORER_PAGE, query_params=params + [(SESSION_PARAM, session_id)])


def requested_session() -> str | None:
    """The session asked for by a link (URL first, then the last one opened)."""
    wanted = st.query_params.get(SESSION_PARAM) or st.session_state.get(SESSION_STATE)
    return str(wanted) if wanted else None
