"""Sessions from a Logs Insights run (issue 17): the busiest sessions, and the sessions in which a top
(missed) utterance was said (one more query, ``insights.said``). Picking a session pulls its turns
with ``insights.drill.drill_down`` and opens its transcript in the Session explorer
(``insights_source.open_drilled``); a failure is one sentence on the page."""
from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from lexlens.analytics.errors import LexlensError
from lexlens.dashboard.engine_label import format_bytes, show_computed_by
from lexlens.dashboard.formats import display_columns, display_frame
from lexlens.dashboard.insights_source import open_drilled
from lexlens.dashboard.safe import escape_markdown, plain_frame, plain_text
from lexlens.dashboard.tables import table_csv

PICKED = "insights_picked"  # session state: table name -> the row picked last (by its callback)
SAID = "insights_said"      # session state: (run id, utterance, missed only) -> SaidSessions


def note_pick(name: str) -> None:
    """Selection callback: remember the picked row of table ``name`` (once, when it is picked)."""
    rows = list(st.session_state[name].selection.rows)
    st.session_state.setdefault(PICKED, {})[name] = rows[0] if rows else None


def pickable_table(table: pd.DataFrame, name: str, caption: str) -> None:
    """A table whose rows can be picked (cells plain text), a CSV of it, and the engine's caption."""
    st.dataframe(display_frame(plain_frame(table)), hide_index=True, key=name, column_config=display_columns(table),
                 on_select=partial(note_pick, name), selection_mode="single-row")
    left, right = st.columns([3, 1])
    left.caption(f"{len(table):,} rows · {caption}")
    with left:
        show_computed_by()
    right.download_button("CSV", data=partial(table_csv, table), icon=":material/download:", file_name=f"{name}.csv",
                          mime="text/csv", key=f"download_{name}", on_click="ignore")


def take_pick(name: str, keep: bool = False) -> int | None:
    """The row last picked in table ``name``; forgotten unless ``keep`` (an action runs once)."""
    picked = st.session_state.get(PICKED, {})
    return picked.get(name) if keep else picked.pop(name, None)


def client_of(run):
    from lexlens.dashboard.cloudwatch_panel import make_client

    return make_client(*run.client_args)


def open_session(view, session: dict, back: str) -> None:
    """Drill down into ``session`` and open its transcript; one sentence on the page if that fails."""
    try:
        open_drilled(view.run, client_of(view.run), session, back)
    except LexlensError as error:
        st.error(f"Cannot open this session's transcript: {escape_markdown(str(error))}")


def render_busiest_sessions(view) -> None:
    sessions = pd.DataFrame(view.metrics["busiest_sessions"],
                            columns=["session_id", "start", "turns", "duration_s", "bot_id", "alias_id", "locale"])
    shown = sessions.assign(start=pd.to_datetime(sessions["start"], utc=True).dt.tz_convert(view.tz))
    pickable_table(shown, "insights_busiest_sessions", "the sessions with the most turns · pick a row to pull its "
                                                      "turns and read its transcript")
    picked = take_pick("insights_busiest_sessions")
    if picked is not None and picked < len(sessions):
        open_session(view, sessions.iloc[picked].to_dict(), "views/conversations.py")


def said_sessions(view, utterance: str, missed_only: bool):
    """The sessions in which ``utterance`` was said, queried once per run (kept in session state)."""
    from lexlens.analytics.insights.said import sessions_saying
    from lexlens.dashboard.insights_source import explained

    key = (view.run.run_id, utterance, missed_only)
    cached = st.session_state.setdefault(SAID, {})
    if key not in cached:
        client = client_of(view.run)
        with st.spinner("Finding the sessions in which users said this (one Logs Insights query)…"):
            try:
                cached[key] = sessions_saying(client, list(view.run.groups), view.run.since_ms, view.run.until_ms,
                                              {}, utterance, missed_only)
            except Exception as error:  # noqa: BLE001 - one sentence on the page
                raise LexlensError(explained(error, client, view.run.groups)) from None
    return cached[key]


def render_top_utterances(view, missed_only: bool) -> None:
    """The top (missed) utterances; picking one lists its sessions, picking one of those opens it."""
    name = "insights_top_missed" if missed_only else "insights_top_utterances"
    table = pd.DataFrame(view.metrics["top_missed_utterances" if missed_only else "top_utterances"],
                         columns=["utterance", "count", "obfuscated"])
    pickable_table(table, name, "pick a row to list the sessions in which users said it")
    picked = take_pick(name, keep=True)
    if picked is None or picked >= len(table):
        return
    utterance = str(table.iloc[picked]["utterance"])
    try:
        said = said_sessions(view, utterance, missed_only)
    except LexlensError as error:
        st.error(f"Cannot list the sessions of this utterance: {escape_markdown(str(error))}")
        return
    st.text(plain_text(f"Sessions in which users said: {utterance}"))
    frame = pd.DataFrame(said.sessions, columns=["session_id", "first_ms", "times", "bot_id", "alias_id", "locale"])
    frame.insert(1, "first_said", pd.to_datetime(frame.pop("first_ms"), unit="ms", utc=True).dt.tz_convert(view.tz))
    cut = " (the window holds more (utterance, session) pairs than one query returns: only the newest searched)" \
        if said.cut else ""
    pickable_table(frame, f"{name}_sessions", f"newest first, at most 50; found with 1 more query, "
                                              f"{format_bytes(said.cost['bytes_scanned'])} scanned{cut} · pick a "
                                              "row to pull its turns and read its transcript")
    chosen = take_pick(f"{name}_sessions")
    if chosen is not None and chosen < len(frame):
        open_session(view, frame.iloc[chosen].to_dict(), "views/missed.py")
