"""Sessions and conversations.

Session (Lex): the turns sharing one sessionId for one bot, alias and locale.
Duration = last turn time - first turn time; a one-turn session lasts 0 s.
Conversation (Lex): a unique (sessionId, originatingRequestId) pair; see
``analytics.metrics.conversations.DEFINITIONS["Conversation"]`` for turns without one.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from lexlens.analytics.metrics.conversations import Conversations
from lexlens.analytics.metrics.arrays import starts_of
from lexlens.analytics.schema import empty_table, session_order

SESSION_COLUMNS = ["session_key", "session_id", "bot_id", "bot_name", "alias_name", "locale",
                   "start", "end", "duration_s", "turns", "utterances", "missed", "conversations"]
# dtypes of the empty table: the same as a filled one, so callers may use .dt on start/end
SESSION_DTYPES = {"session_key": "int64", "start": "datetime64[ns, UTC]", "end": "datetime64[ns, UTC]",
                  "duration_s": "float64", "turns": "int64", "utterances": "int64", "missed": "int64",
                  "conversations": "int64"}


DEFINITIONS = {  # the user-facing text of each metric here: README, dashboard and --help use it
    "Session": (
        "The turns sharing one `sessionId` for one bot, alias and locale. Duration = last turn "
        "time - first turn time; a one-turn session lasts 0 s."),
    "Mean turns": "Turns per session, averaged over the sessions in the filtered range.",
    "Session duration": (
        "Per session, last turn time - first turn time (0 s for one turn), shown as m:ss "
        "(h:mm:ss from an hour on; tables as an h:mm:ss clock that sorts by length). The median "
        "comes first: a few sessions left open for hours pull the mean up. The histogram's bins "
        "grow about twofold (1 s, 2 s, 5 s, 10 s, ... 1 h, 2 h: a log scale), since durations "
        "run from seconds to hours and equal bins would put nearly every session in the first. "
        "The reference dashboard's 'average session duration' was 300 s divided by sessions per "
        "5 minutes: not a duration at all."),
    "Turns per session": (
        "Records per session; the histogram stops at the 95th percentile and says how many "
        "sessions have more turns."),
    "Top sessions": "Sessions with the most turns (ties: longer first, then earlier).",
}


def compute_sessions(turns: pd.DataFrame, *, conversations: Conversations) -> pd.DataFrame:
    """One row per session: SESSION_COLUMNS, ordered by start time; ``conversations`` (of the
    same turns) gives each session's conversation count."""
    if turns.empty:
        return empty_table({name: (SESSION_DTYPES.get(name, "object"), "") for name in SESSION_COLUMNS})
    # Reductions over the rows in session order (shared with the conversations and the
    # outcomes; a session's first row gives its "first" values): numpy, not groupby.agg.
    keys = turns["session_key"].to_numpy()
    order = session_order(turns)
    ordered_keys = keys[order]
    starts = np.flatnonzero(np.r_[True, ordered_keys[1:] != ordered_keys[:-1]])
    sizes = np.diff(np.r_[starts, len(order)])
    times = turns["time"]
    ns = times.array.asi8[order]
    sessions = pd.DataFrame({"session_key": ordered_keys[starts]})
    for column in ("session_id", "bot_id", "bot_name", "alias_name", "locale"):
        sessions[column] = turns[column].iloc[order[starts]].reset_index(drop=True)
    sessions["start"] = pd.to_datetime(np.minimum.reduceat(ns, starts), unit=times.dt.unit, utc=True)
    sessions["end"] = pd.to_datetime(np.maximum.reduceat(ns, starts), unit=times.dt.unit, utc=True)
    sessions["turns"] = sizes
    for column in ("is_utterance", "missed"):
        sessions["utterances" if column == "is_utterance" else column] = np.add.reduceat(
            turns[column].to_numpy()[order].astype("int64"), starts)
    # conversation keys never span sessions: count each one once, in its session (numbered in
    # session order, they only grow along it: their first rows are where they change)
    in_order = conversations.keys[order]
    first_seen = (np.flatnonzero(starts_of(in_order)) if (np.diff(in_order) >= 0).all()
                  else np.unique(in_order, return_index=True)[1])
    session_of_row = np.repeat(np.arange(len(starts)), sizes)
    sessions["conversations"] = np.bincount(session_of_row[first_seen], minlength=len(starts))
    sessions["duration_s"] = (sessions["end"] - sessions["start"]).dt.total_seconds()
    sessions = sessions.sort_values(["start", "session_key"], kind="stable")
    return sessions[SESSION_COLUMNS].reset_index(drop=True)


def compute_duration_stats(sessions: pd.DataFrame) -> dict[str, float]:
    """Mean, median and 90th percentile of session duration in seconds (0.0 when empty)."""
    durations = sessions["duration_s"].astype(float)
    if durations.empty:
        return {"mean": 0.0, "median": 0.0, "p90": 0.0}
    return {"mean": round(float(durations.mean()), 3),
            "median": round(float(durations.median()), 3),
            "p90": round(float(durations.quantile(0.9)), 3)}


def compute_turns_per_session(sessions: pd.DataFrame) -> dict[str, float]:
    """Mean, median and maximum turns per session (0 when empty)."""
    counts = sessions["turns"].astype(float)
    if counts.empty:
        return {"mean": 0.0, "median": 0.0, "max": 0}
    return {"mean": round(float(counts.mean()), 3), "median": float(counts.median()),
            "max": int(counts.max())}


def top_sessions(sessions: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` sessions with the most turns (ties: longer first, then earlier)."""
    if len(sessions) > n > 0:  # only sessions with at least the n-th most turns can be among them
        least = np.partition(sessions["turns"].to_numpy(), len(sessions) - n)[len(sessions) - n]
        sessions = sessions[sessions["turns"].to_numpy() >= least]
    return sessions.sort_values(["turns", "duration_s", "start"], ascending=[False, False, True],
                                kind="stable").head(n).reset_index(drop=True)
