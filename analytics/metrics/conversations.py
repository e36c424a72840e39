"""Conversations (Lex): a unique pair of session and originatingRequestId; see DEFINITIONS.

One definition for the whole product: ``assign_conversations`` numbers the conversation of
every turn, and everything that counts conversations (totals, sessions, outcomes) starts
from it. Definitions follow Lex's analytics key definitions:
https://docs.aws.amazon.com/lexv2/latest/dg/analytics-key-definitions.html
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lexlens.analytics.metrics.arrays import fill_within, starts_of, time_ns
from lexlens.analytics.schema import session_order

IDLE_TIMEOUT_S = 300  # Lex's default idle session timeout (idleSessionTTLInSeconds)

DEFINITIONS = {
    "Conversation": (
        "A unique pair of Lex session and originatingRequestId (Lex issues a new one when a user "
        "returns on the same session after the idle timeout). A turn without an "
        "originatingRequestId belongs to its session's current conversation; a session that "
        "never carries one is cut into conversations wherever the user was silent longer than "
        "the inactivity threshold."),
    "Inactivity threshold": (
        "Seconds of silence after which the user is taken to have stopped answering; the "
        "default is Lex's idle session timeout of 300 s. Set it to your bot's "
        "idleSessionTTLInSeconds."),
}

WORK_COLUMNS = ["turn", "time", "session_key", "intent", "intent_state", "confirmation_state",
                "dialog_action", "slot_to_elicit", "missed"]  # cheap to take: no free-text columns


def sort_turns(turns: pd.DataFrame, columns: list[str] = WORK_COLUMNS) -> pd.DataFrame:
    """``columns`` of turns (default WORK_COLUMNS) sorted by (session_key, time, turn), plus
    ``row`` (position in ``turns``, to fetch text columns only where needed)."""
    order = session_order(turns)
    t = turns[columns].iloc[order].reset_index(drop=True)
    t["row"] = order
    return t


def assign_conversations(turns: pd.DataFrame, t: pd.DataFrame, idle_timeout_s: float) -> np.ndarray:
    """Conversation number (0..k-1, in order of appearance) of each sorted turn ``t``."""
    session = t["session_key"].to_numpy()
    new_session = starts_of(session)
    codes, uniques = pd.factorize(turns["conversation_id"])
    codes = codes[t["row"].to_numpy()]
    codes[np.isin(codes, np.flatnonzero(np.asarray(uniques) == ""))] = -1
    if len(codes) and (codes < 0).any():  # empty id: the session's current conversation
        codes = fill_within(codes, new_session)
        last = np.append(new_session[1:], True)
        codes = fill_within(codes[::-1], last[::-1])[::-1]  # leading turns: the next one
    if len(codes) and (codes < 0).any():  # a session never carrying an id: cut on silences
        gap = np.diff(time_ns(t["time"]), prepend=0) > idle_timeout_s * 1e9
        segment = np.cumsum(new_session | gap)
        codes = np.where(codes < 0, -segment, codes)
    span = len(uniques) + len(codes) + 2
    key = session.astype(np.int64) * span + (codes + len(codes) + 1)
    return pd.factorize(key)[0]


@dataclass(frozen=True)
class Conversations:
    """The conversation of every turn under one inactivity threshold, computed once and read
    by everything that counts conversations: the totals, the sessions table and the outcomes.

    ``keys``: one conversation number per row of the turns table (positional), numbered in
    session order (``assign_conversations``).
    """

    idle_timeout_s: float
    keys: np.ndarray

    @property
    def count(self) -> int:
        """How many conversations there are."""
        return int(self.keys.max()) + 1 if len(self.keys) else 0


def compute_conversations(turns: pd.DataFrame, *, idle_timeout_s: float) -> Conversations:
    """Number each turn's conversation (see DEFINITIONS["Conversation"])."""
    keys = np.empty(len(turns), dtype="int64")
    if len(turns):
        ordered = sort_turns(turns, ["session_key", "time"])  # only the columns assign_conversations reads
        keys[ordered["row"].to_numpy()] = assign_conversations(turns, ordered, idle_timeout_s)
    return Conversations(float(idle_timeout_s), keys)
