"""Headline totals: records, utterances, sessions, conversations, missed utterances,
fallback rate (missed utterances / utterances)."""
from __future__ import annotations

import pandas as pd


DEFINITIONS = {  # the user-facing text of each metric here: README, dashboard and --help use it
    "Record": "One conversation-log record: one user input and the bot's answer (a turn).",
    "Utterance": "A turn with a non-empty `inputTranscript`.",
    "Missed utterance": "A turn with `missedUtterance: true` (Lex fell back to FallbackIntent).",
    "Fallback rate": "Missed utterances / utterances.",
}


def rate(numerator: float, denominator: float) -> float:
    """numerator / denominator, 0.0 when there is nothing to divide by."""
    return float(numerator) / float(denominator) if denominator else 0.0


def compute_totals(turns: pd.DataFrame, session_table: pd.DataFrame) -> dict:
    """records, utterances, sessions, conversations, missed_utterances, fallback_rate,
    first_time and last_time (ISO strings, None when empty). ``session_table`` is
    ``sessions.compute_sessions`` of the same turns: conversations are counted there, once."""
    utterances = int(turns["is_utterance"].sum())
    missed = int(turns["missed"].sum())
    return {
        "records": int(len(turns)),
        "utterances": utterances,
        "sessions": int(turns["session_key"].nunique()),
        "conversations": int(session_table["conversations"].sum()),
        "missed_utterances": missed,
        "fallback_rate": round(rate(missed, utterances), 6),
        "first_time": turns["time"].min().isoformat() if len(turns) else None,
        "last_time": turns["time"].max().isoformat() if len(turns) else None,
    }
