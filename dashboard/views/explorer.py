"""Session explorer: find sessions by id or text; a turn-by-turn transcript."""
import streamlit as st

from dashboard.data import current_view
from dashboard.kpis import view_sessions
from dashboard.links import SESSION_STATE, requested_session
from dashboard.tables import show_table
from dashboard.transcripts import build_transcript, find_sessions

view = current_view()
st.title("Session explorer")
sessions = view_sessions(view)
query = st.text_input("Find sessions by session id or by something the user said",
                      key="explorer_query", placeholder="e.g. a session id, or 'refund'")
found = find_sessions(sessions, view.turns, query)
shown = found[["session_id", "bot_name", "alias_name", "locale", "start", "turns", "missed",
               "duration_s"]]
shown = shown.assign(start=shown["start"].dt.tz_convert(view.tz))
show_table(shown, "sessions_found", session_column="session_id",
           caption="sessions in the filtered range (first 500)")

wanted = requested_session()
if not wanted:
    st.info("Pick a session above, or follow a session link from another page, to see its transcript.")
    st.stop()
st.session_state[SESSION_STATE] = wanted
all_sessions = view.full.turns[["session_key", "session_id", "bot_name", "alias_name", "locale"]]
matches = all_sessions[all_sessions["session_id"] == wanted].drop_duplicates("session_key")
st.subheader("Transcript")
st.text(f"Session {wanted}")
if matches.empty:
    st.warning("No session with this id in the loaded logs.")
    st.stop()
labels = [f"{row.bot_name} · {row.alias_name} · {row.locale}" for row in matches.itertuples()]
choice = st.selectbox("Bot · alias · locale", range(len(labels)), format_func=labels.__getitem__,
                      key="explorer_variant") if len(labels) > 1 else 0
transcript = build_transcript(view.full, int(matches.iloc[choice]["session_key"]), view.tz)
st.caption(f"{len(transcript)} turns; times in {view.tz}. Text is shown exactly as logged.")
show_table(transcript, "transcript", column_config={
    "confidence": st.column_config.NumberColumn("confidence", format="%.2f"),
    "utterance": st.column_config.TextColumn("utterance", width="medium"),
    "bot_messages": st.column_config.TextColumn("bot messages", width="large")})
