"""Session explorer: find sessions by id or by what users said; read one as a conversation."""
import streamlit as st

from lexlens.analytics.metrics.utterances import is_obfuscated

from lexlens.dashboard.data import current_view
from lexlens.dashboard.formats import plural, time_column
from lexlens.dashboard.kpis import view_sessions
from lexlens.dashboard.links import SESSION_STATE, requested_session
from lexlens.dashboard.safe import escape_markdown, plain_text
from lexlens.dashboard.tables import show_table
from lexlens.dashboard.transcripts import build_transcript, describe_turn, find_sessions, flag_turn

MAX_BUBBLES = 300  # longer sessions: the table below has every turn

view = current_view()
st.title("Session explorer")
sessions = view_sessions(view)
query = st.text_input("Find sessions by session id or by something the user said",
                      key="explorer_query", placeholder="e.g. a session id, or 'refund'")
if sessions.empty:
    st.info("No sessions match the filters. Widen the date range or clear a filter in the sidebar; "
            "a session opened from a link is still shown below.")
else:
    found = find_sessions(sessions, view.turns, query)
    shown = found[["session_id", "start", "turns", "missed", "duration_s", "bot_name", "alias_name",
                   "locale"]]
    shown = shown.assign(start=shown["start"].dt.tz_convert(view.tz))
    show_table(shown, "sessions_found", session_column="session_id",
               caption=f"sessions in the filtered range{' matching the search' if query.strip() else ''} "
                       "(first 500)")

wanted = requested_session()
if not wanted:
    st.info("Pick a session above, or follow a session link from another page, to read it.")
    st.stop()
st.session_state[SESSION_STATE] = wanted
all_sessions = view.full.turns[["session_key", "session_id", "bot_name", "alias_name", "locale"]]
matches = all_sessions[all_sessions["session_id"] == wanted].drop_duplicates("session_key")
st.subheader("Transcript")
st.text(plain_text(f"Session {wanted}"))
if matches.empty:
    st.warning("No session with this id in the loaded logs.")
    st.stop()
labels = [plain_text(f"{row.bot_name} · {row.alias_name} · {row.locale}") for row in matches.itertuples()]
choice = st.selectbox("Bot · alias · locale", range(len(labels)), format_func=labels.__getitem__,
                      key="explorer_variant") if len(labels) > 1 else 0
transcript = build_transcript(view.full, int(matches.iloc[choice]["session_key"]), view.tz)
missed = int(transcript["missed"].sum())
server = int((transcript["server_response"] != "").sum())
st.caption(f"{plural(len(transcript) - server, 'turn')} · {missed:,} missed"
           + (f" · {plural(server, 'server response')}" if server else "")
           + f" · times in {view.tz}. Text is shown exactly as logged; missed and low-confidence "
           "turns are marked" + ("; a server response is the bot speaking on its own (e.g. a "
                                 "fulfillment update), not a user turn." if server else "."))
details = st.toggle("Show intent, state and slots of each turn", key="explorer_details")

for turn in transcript.head(MAX_BUBBLES).itertuples(index=False):
    if turn.server_response:  # the bot speaking on its own: no user bubble
        with st.chat_message("assistant", avatar=":material/smart_toy:"):
            st.text(plain_text(turn.bot_messages) if turn.bot_messages else "(no message in the log)")
            st.caption(f"{turn.time:%Y-%m-%d %H:%M:%S} · :blue-badge[Server response: "
                       f"{escape_markdown(turn.server_response)}]")
            if details:
                st.text(plain_text(describe_turn(turn)))
        continue
    flag = flag_turn(turn)
    with st.chat_message("user", avatar=":material/priority_high:" if flag else ":material/person:"):
        st.text(plain_text(turn.utterance) if turn.utterance else "(no text: e.g. a session update)")
        notes = [{"missed": ":red-badge[Missed utterance]",
                  "low confidence": f":orange-badge[Low confidence {turn.confidence:.2f}]"}.get(flag, "")]
        if is_obfuscated(turn.utterance):
            notes.append(":gray-badge[Obfuscated by Lex: the slot's name, not the user's words]")
        st.caption(" · ".join([f"{turn.time:%Y-%m-%d %H:%M:%S}"] + [note for note in notes if note]))
        if details:
            st.text(plain_text(describe_turn(turn)))
    with st.chat_message("assistant", avatar=":material/smart_toy:"):
        st.text(plain_text(turn.bot_messages) if turn.bot_messages else "(no reply in the log)")
if len(transcript) > MAX_BUBBLES:
    st.caption(f"The first {MAX_BUBBLES} rows are shown as a conversation; the table has all "
               f"{len(transcript):,}.")

with st.expander("The same transcript as a table (every column, CSV download)"):
    show_table(transcript, "transcript", column_config={
        "time": time_column("time"),
        "confidence": st.column_config.NumberColumn("confidence", format="%.2f"),
        "utterance": st.column_config.TextColumn("utterance", width="medium", pinned=True),
        "bot_messages": st.column_config.TextColumn("bot reply", width="large")})
