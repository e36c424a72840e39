"""Headline totals: records, utterances, sessions, conversations, missed utterances,
fallback rate (missed utterances / utterances)."""
from __future__ import annotations

import pandas as pd


DEFINITIONS = {  # the user-facing text of each metric here: README, dashboard and --help use it
    "Record": (
        "One conversation-log record: one user input and the bot's answer (a turn), or a server "
        "response. `records` counts both."),
    "Server response": (
        "A record whose `responseReason` is present and is not `UtteranceResponse` "
        "(`StartTimeout`, `StillWaitingResponse`, `FulfillmentInitiated`, "
        "`FulfillmentStartedResponse`, `FulfillmentUpdateResponse`, "
        "`FulfillmentCompletedResponse`): the bot speaking on its own, e.g. while a fulfillment "
        "runs. It is shown in transcripts as the bot speaking and counted in `records` and "
        "`server_responses`, never as a user turn: no utterance, missed-utterance, intent, "
        "modality, sentiment, top-utterance, turns-per-session or outcome figure counts it, even "
        "when it repeats the user's `inputTranscript`. It may share `sessionId` and `requestId` "
        "with the user turn it follows without being a duplicate; a duplicate is the same record "
        "loaded twice (same session, request, reason and time)."),
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
