"""Drill-down: anything that names a session opens its transcript in the Session explorer."""
from __future__ import annotations

import streamlit as st

from dashboard.pagelist import EXPLORER_PAGE

SESSION_PARAM = "session"
SESSION_STATE = "explore_session"


def open_session(session_id: str) -> None:
    """Switch to the Session explorer showing ``session_id`` (kept in the URL)."""
    st.session_state[SESSION_STATE] = session_id
    st.session_state.pop("explorer_query", None)
    st.switch_page(EXPLORER_PAGE, query_params={SESSION_PARAM: session_id})


def requested_session() -> str | None:
    """The session asked for by a link (URL first, then the last one opened)."""
    wanted = st.query_params.get(SESSION_PARAM) or st.session_state.get(SESSION_STATE)
    return str(wanted) if wanted else None


def session_picker(session_ids, key: str, label: str = "Open a session's transcript") -> None:
    """A selectbox of session ids and a button that opens the chosen one."""
    ids = [str(value) for value in session_ids]
    if not ids:
        return
    left, right = st.columns([4, 1], vertical_alignment="bottom")
    chosen = left.selectbox(label, ids, key=f"pick_{key}", index=None, placeholder="session id")
    if right.button("Open transcript", key=f"open_{key}", disabled=chosen is None):
        open_session(chosen)
