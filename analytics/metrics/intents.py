"""Intents: how often each was recognised, in turns and in distinct entries.

The reference counts turns per intent, so an intent with many slots looks popular
because each slot re-prompt is a turn. ``entries`` counts each time a session
entered the intent instead (consecutive turns of one intent count once).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from lexlens.analytics.metrics.arrays import distinct_sorted
from lexlens.analytics.schema import codes_and_texts, empty_frame, grouping_of, session_order, session_order_of

INTENT_COLUMNS = ["intent", "turns", "entries", "sessions", "missed"]


DEFINITIONS = {  # the user-facing text of each metric here: README, dashboard and --help use it
    "Intent of a turn": (
        "`sessionState.intent.name`, else the top interpretation's intent, else "
        "`FallbackIntent` on a missed utterance."),
    "Top intents": (
        "Turns per intent, plus *entries*: the times a session entered the intent (consecutive "
        "turns of one intent count once), so intents with many slots do not look popular just "
        "because each slot prompt is a turn."),
}


def intent_entries(turns: pd.DataFrame, order: np.ndarray | None = None) -> np.ndarray:
    """True for turns whose intent differs from the previous turn of the same session
    (``order``: ``session_order(turns)`` when the caller has it)."""
    order = session_order(turns) if order is None else order
    intent = codes_and_texts(turns["intent"])[0][order]  # compared by codes, not a million strings
    session = turns["session_key"].to_numpy()[order]
    same = np.zeros(len(order), dtype=bool)
    same[1:] = (session[1:] == session[:-1]) & (intent[1:] == intent[:-1])
    entered = np.empty(len(order), dtype=bool)
    entered[order] = ~same
    return entered


def top_intents(turns: pd.DataFrame, n: int | None = None) -> pd.DataFrame:
    """INTENT_COLUMNS, most turns first; turns without any intent are left out."""
    # only the columns used: selecting rows copies every column taken
    chosen = (turns["intent"] != "").to_numpy()
    with_intent = turns.loc[chosen, ["session_key", "intent", "missed"]]
    if with_intent.empty:
        return empty_frame(INTENT_COLUMNS)
    codes, names = pd.factorize(grouping_of(with_intent["intent"]))
    count = len(names)
    sessions = with_intent["session_key"].to_numpy()
    # distinct (intent, session) pairs, each counted once for its intent
    pairs = distinct_sorted(codes.astype("int64") * (int(sessions.max()) + 1) + sessions)
    table = pd.DataFrame({
        "intent": pd.Series(np.asarray(names, dtype=object), dtype=object),
        "turns": np.bincount(codes, minlength=count),
        "entries": np.bincount(codes, weights=intent_entries(with_intent, session_order_of(turns, chosen)),
                               minlength=count).astype("int64"),
        "sessions": np.bincount(pairs // (int(sessions.max()) + 1), minlength=count),
        "missed": np.bincount(codes, weights=with_intent["missed"].to_numpy(),
                              minlength=count).astype("int64"),
    })
    table = table.sort_values(["turns", "intent"], ascending=[False, True], kind="stable")
    return table.head(n).reset_index(drop=True) if n else table.reset_index(drop=True)
