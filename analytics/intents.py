"""Intents: how often each was recognised, in turns and in distinct entries.

The reference counts turns per intent, so an intent with many slots looks popular
because each slot re-prompt is a turn. ``entries`` counts each time a session
entered the intent instead (consecutive turns of one intent count once).
"""
from __future__ import annotations

import pandas as pd

from analytics.schema import empty_frame, order_by_session, text_values

INTENT_COLUMNS = ["intent", "turns", "entries", "sessions", "missed"]


def intent_entries(turns: pd.DataFrame) -> pd.Series:
    """True for turns whose intent differs from the previous turn of the same session."""
    ordered = order_by_session(turns)
    intent = text_values(ordered["intent"])
    same_session = ordered["session_key"].eq(ordered["session_key"].shift())
    entered = ~(same_session & intent.eq(intent.shift()))
    return entered.reindex(turns.index)


def top_intents(turns: pd.DataFrame, n: int | None = None) -> pd.DataFrame:
    """INTENT_COLUMNS, most turns first; turns without any intent are left out."""
    with_intent = turns[turns["intent"] != ""]
    if with_intent.empty:
        return empty_frame(INTENT_COLUMNS)
    frame = with_intent.assign(entry=intent_entries(with_intent),
                               intent=text_values(with_intent["intent"]))
    grouped = frame.groupby("intent")
    table = pd.DataFrame({
        "turns": grouped.size(),
        "entries": grouped["entry"].sum(),
        "sessions": grouped["session_key"].nunique(),
        "missed": grouped["missed"].sum(),
    }).reset_index()
    table = table.sort_values(["turns", "intent"], ascending=[False, True], kind="stable")
    return table.head(n).reset_index(drop=True) if n else table.reset_index(drop=True)
