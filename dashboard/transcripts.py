"""Session search and turn-by-turn transcripts for the Session explorer."""
from __future__ import annotations

import pandas as pd

from lexlens.analytics.schema import LogData
from lexlens.analytics.metrics.sentiment import vader_analyzer, vader_label

# utterance and the bot's reply first: they are what a reader looks for
# server_response: Lex's responseReason on a response the server generated (the bot speaking on
# its own, e.g. a fulfillment update), '' on a user turn
TRANSCRIPT_COLUMNS = ["time", "utterance", "bot_messages", "server_response", "missed", "intent", "intent_state",
                      "dialog_action", "confidence", "interpretations", "slots", "sentiment", "input_mode"]
LOW_CONFIDENCE = 0.5  # the near-miss threshold of NLU health (analytics.metrics.nlu)


def find_sessions(sessions: pd.DataFrame, turns: pd.DataFrame, query: str, limit: int = 500) -> pd.DataFrame:
    """Sessions whose id contains ``query`` or with a turn whose transcript contains it."""
    query = query.strip()
    if not query or sessions.empty:
        return sessions.head(limit)
    by_id = sessions["session_id"].astype(str).str.contains(query, case=False, regex=False)
    said = turns.loc[turns["transcript"].str.contains(query, case=False, regex=False), "session_key"]
    return sessions[by_id | sessions["session_key"].isin(said)].head(limit)


def describe_interpretations(interpretations: pd.DataFrame) -> pd.Series:
    """Per turn: 'Intent (0.93) · Other (0.12)', best first."""
    if interpretations.empty:
        return pd.Series(dtype="object")
    ordered = interpretations.sort_values(["turn", "rank"])
    text = ordered["intent"].astype(str) + ordered["confidence"].map(
        lambda c: "" if pd.isna(c) else f" ({c:.2f})")
    return text.groupby(ordered["turn"].to_numpy()).agg(" · ".join)


def describe_slots(slots: pd.DataFrame) -> pd.Series:
    """Per turn: 'Slot=original → interpreted; ...' for the filled slots."""
    filled = slots[slots["filled"]]
    if filled.empty:
        return pd.Series(dtype="object")
    shown = filled["interpreted_value"].where(filled["interpreted_value"] == filled["original_value"],
                                              filled["original_value"] + " → " + filled["interpreted_value"])
    text = filled["slot"].astype(str) + "=" + shown
    return text.groupby(filled["turn"].to_numpy()).agg("; ".join)


def describe_turn(turn) -> str:
    """One line of NLU details for a transcript row: intent, state, action, confidence, slots."""
    parts = [f"intent {turn.intent or '(none)'}"]
    if turn.intent_state:
        parts.append(f"state {turn.intent_state}")
    if turn.dialog_action:
        parts.append(f"next {turn.dialog_action}")
    if not pd.isna(turn.confidence):
        parts.append(f"confidence {turn.confidence:.2f}")
    if turn.interpretations:
        parts.append(f"interpretations {turn.interpretations}")
    if turn.slots:
        parts.append(f"slots {turn.slots}")
    if turn.sentiment:
        parts.append(f"sentiment {turn.sentiment}")
    return " · ".join(parts)


def flag_turn(turn) -> str:
    """Why a turn deserves attention: '' , 'missed' or 'low confidence'."""
    if turn.missed:
        return "missed"
    if not pd.isna(turn.confidence) and turn.confidence < LOW_CONFIDENCE:
        return "low confidence"
    return ""


def label_sentiment(turn: pd.Series) -> str:
    if turn["lex_sentiment"]:
        return f"Lex: {turn['lex_sentiment']}"
    if turn["transcript"]:
        return f"VADER: {vader_label(vader_analyzer().polarity_scores(turn['transcript'])['compound'])}"
    return ""


def build_transcript(data: LogData, session_key: int, tz: str) -> pd.DataFrame:
    """TRANSCRIPT_COLUMNS for one session, in time order: its user turns and, as rows of their
    own, the server responses (a response logged at the time of a turn comes after it)."""
    turns = build_turn_rows(data, session_key, tz)
    responses = build_response_rows(data, session_key, tz)
    if responses.empty:
        return turns
    rows = pd.concat([turns, responses], ignore_index=True)
    return rows.iloc[rows["time"].argsort(kind="stable")].reset_index(drop=True)[TRANSCRIPT_COLUMNS]


def build_response_rows(data: LogData, session_key: int, tz: str) -> pd.DataFrame:
    """TRANSCRIPT_COLUMNS for one session's server responses, in time order."""
    found = data.server_responses[data.server_responses["session_key"] == session_key].sort_values(["time", "response"])
    blank = [""] * len(found)
    return pd.DataFrame({
        "time": found["time"].dt.tz_convert(tz).to_numpy(), "utterance": blank,
        "bot_messages": found["bot_messages"].to_numpy(),
        "server_response": found["response_reason"].astype(str).to_numpy(),
        "missed": [False] * len(found), "intent": found["intent"].astype(str).to_numpy(),
        "intent_state": found["intent_state"].astype(str).to_numpy(),
        "dialog_action": found["dialog_action"].astype(str).to_numpy(),
        "confidence": [float("nan")] * len(found), "interpretations": blank, "slots": blank,
        "sentiment": blank, "input_mode": found["input_mode"].astype(str).to_numpy(),
    })[TRANSCRIPT_COLUMNS]


def build_turn_rows(data: LogData, session_key: int, tz: str) -> pd.DataFrame:
    """TRANSCRIPT_COLUMNS for one session's user turns, in time order."""
    turns = data.turns[data.turns["session_key"] == session_key].sort_values(["time", "turn"])
    ids = turns["turn"]
    interpretations = describe_interpretations(data.interpretations[data.interpretations["turn"].isin(ids)])
    slots = describe_slots(data.slots[data.slots["turn"].isin(ids)])
    return pd.DataFrame({
        "time": turns["time"].dt.tz_convert(tz).to_numpy(),
        "utterance": turns["transcript"].to_numpy(),
        "missed": turns["missed"].to_numpy(),
        "intent": turns["intent"].astype(str).to_numpy(),
        "intent_state": turns["intent_state"].astype(str).to_numpy(),
        "dialog_action": turns["dialog_action"].astype(str).to_numpy(),
        "confidence": turns["nlu_confidence"].to_numpy(),
        "interpretations": interpretations.reindex(ids).fillna("").to_numpy(),
        "slots": slots.reindex(ids).fillna("").to_numpy(),
        "sentiment": [label_sentiment(row) for _, row in turns.iterrows()],
        "bot_messages": turns["bot_messages"].to_numpy(),
        "server_response": [""] * len(turns),
        "input_mode": turns["input_mode"].astype(str).to_numpy(),
    })[TRANSCRIPT_COLUMNS]
