"""Lex-style outcomes: conversations, intent, conversation and slot outcomes, containment, drop-off.

Definitions follow Lex's analytics key definitions
(https://docs.aws.amazon.com/lexv2/latest/dg/analytics-key-definitions.html); where they
leave room, the choice is written in ``DEFINITIONS`` (shown in the dashboard and README).

Everything is computed once by ``compute_outcomes`` (vectorised: one sort, shifts and
cumulative sums, no loop over turns) and read many ways by the small ``compute_*`` /
``top_*`` functions below. Slot outcomes and funnels live in ``analytics.metrics.funnels``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Optional

import numpy as np
import pandas as pd

from lexlens.analytics.metrics.arrays import as_values, bounds, time_ns
from lexlens.analytics.metrics.conversations import (IDLE_TIMEOUT_S, Conversations, compute_conversations,
                                                     sort_turns)
from lexlens.analytics.metrics.escalation import EscalationRule, mark_escalated
from lexlens.analytics.metrics.settled import settle_states
from lexlens.analytics.schema import FALLBACK_INTENT, LogData, matches, text_values


class IntentOutcome(IntEnum):
    """How an intent attempt ended; the value is its code in the attempts table's ``outcome``."""

    SUCCESS = 0
    FAILED = 1
    SWITCHED = 2
    DROPPED = 3

    @property
    def label(self) -> str:
        return self.name.capitalize()


class ConversationOutcome(IntEnum):
    """How a conversation ended; the value is its code in the conversations table's ``outcome``."""

    SUCCESS = 0
    FAILED = 1
    DROPPED = 2

    @property
    def label(self) -> str:
        return self.name.capitalize()


class AttemptEnd(IntEnum):
    """What a turn does to its intent attempt (``attempt_end``)."""

    OPEN = 0  # the attempt may go on
    SUCCESS = 1  # Fulfilled, or ReadyForFulfillment with Close
    FAILURE = 2  # Failed


INTENT_OUTCOMES = tuple(outcome.label for outcome in IntentOutcome)  # Success, Failed, Switched, Dropped
CONVERSATION_OUTCOMES = tuple(outcome.label for outcome in ConversationOutcome)  # Success, Failed, Dropped

DEFINITIONS = {
    "Intent outcome": (
        "Consecutive turns of one conversation on the same intent form one intent attempt. "
        "Success: the intent reached Fulfilled, or ReadyForFulfillment with the dialog action "
        "Close. Failed: the intent reached Failed, or the next turn fell back to "
        "FallbackIntent (a missed utterance) before the intent completed. Switched: the next "
        "turn moved to another intent before the first one succeeded or failed. Dropped: the "
        "user sent nothing more in the conversation within the inactivity threshold. "
        "Lex's wording asks for the dialog action Close with Fulfilled and Failed too; lexlens "
        "also accepts them with another action (e.g. ElicitIntent, 'anything else?'), since "
        "the intent cannot continue after either state. Turns without any intent (e.g. "
        "PutSession) are skipped. FallbackIntent's own attempts follow the same rules. "
        "FulfillmentInProgress (a fulfillment is running) and Waiting (the bot waits for the user "
        "to continue) neither succeed nor fail; when a server response of the same intent that "
        "follows the turn (e.g. FulfillmentCompletedResponse) reaches Fulfilled or Failed, its "
        "state and dialog action decide, so a fulfillment completed after a 'still working on "
        "it' update is a Success. The dialog action None is an action other than Close. A "
        "barged-in turn (bargeIn: the user spoke over the prompt) is a user turn like any other. "
        "An EndConversation next step needs no rule of its own: the intent's state on that turn "
        "decides, and a user who comes back gets a new originatingRequestId."),
    "Conversation outcome": (
        "The outcome of the conversation's last intent attempt: Success, Failed (also when the "
        "last intent is FallbackIntent, as in Lex), or Dropped. A conversation with no intent "
        "at all counts as Dropped. A conversation still open at the end of the loaded logs "
        "counts as Dropped too: logs alone cannot tell that the user will come back."),
    "Containment rate": (
        "Conversations with no escalation / conversations. Lex has no built-in notion of "
        "hand-off, so escalation is what you declare: any turn of the conversation on one of "
        "the given intents, with one of the given dialog actions, or carrying the given session "
        "attribute value (any non-empty value when no value is given). Without a declared "
        "escalation the rate is not computed."),
    "Drop-off": (
        "For each dropped conversation: its last intent, the slot the bot was eliciting on its "
        "last turn (if any) and the bot's last prompt; ranked by the number of conversations."),
}


@dataclass
class Outcomes:
    """Turns annotated with conversation and intent attempt, plus the derived tables.

    ``turns``: sorted turns with ``conversation`` and ``attempt`` (-1 for turns without intent).
    ``attempts``: one row per intent attempt (see ``build_attempts``).
    ``conversations``: one row per conversation (see ``build_conversations``).
    """

    turns: pd.DataFrame
    attempts: pd.DataFrame
    conversations: pd.DataFrame
    escalation: Optional[EscalationRule] = None
    slots: pd.DataFrame = field(default_factory=pd.DataFrame)


def mark_terminal(state: pd.Series, action: pd.Series) -> np.ndarray:
    """Per turn, the AttemptEnd it marks (intent state and dialog action judged by their codes:
    each distinct text once)."""
    success = matches(state, ["Fulfilled"]) | (matches(state, ["ReadyForFulfillment"]) & matches(action, ["Close"]))
    return np.where(success, AttemptEnd.SUCCESS,
                    np.where(matches(state, ["Failed"]), AttemptEnd.FAILURE, AttemptEnd.OPEN)).astype(np.int8)


def code_of(categories: pd.Index, name: str) -> int:
    found = categories.get_indexer([name])[0]
    return int(found)


def label_attempt_intents(t: pd.DataFrame) -> pd.Categorical:
    """The turn's intent, FallbackIntent on a missed utterance; categories include '' and it."""
    intent = t["intent"].astype("category")
    extra = [name for name in ("", FALLBACK_INTENT) if name not in intent.cat.categories]
    intent = intent.cat.add_categories(extra) if extra else intent
    cats = intent.cat.categories
    codes = intent.cat.codes.to_numpy().copy()
    codes[codes < 0] = code_of(cats, "")
    codes[t["missed"].to_numpy()] = code_of(cats, FALLBACK_INTENT)
    return pd.Categorical.from_codes(codes, categories=cats)


def annotate_turns(turns: pd.DataFrame, conversations: Conversations) -> pd.DataFrame:
    """Sorted work columns plus ``conversation``, ``attempt_intent``, ``attempt_end`` (AttemptEnd)
    and ``attempt`` (-1 for turns without intent)."""
    idle_timeout_s = conversations.idle_timeout_s
    t = sort_turns(turns)
    conversation = conversations.keys[t["row"].to_numpy()]
    if len(t) and (np.diff(conversation) < 0).any():  # interleaved ids: keep conversations whole
        order = np.argsort(conversation, kind="stable")
        t, conversation = t.iloc[order].reset_index(drop=True), conversation[order]
    t["conversation"] = conversation
    intent = label_attempt_intents(t)
    t["attempt_intent"] = intent
    t["attempt_end"] = mark_terminal(t["intent_state"], t["dialog_action"])
    pos = np.flatnonzero(intent.codes != code_of(intent.categories, ""))
    conv, when, name = conversation[pos], time_ns(t["time"])[pos], intent.codes[pos]
    new = np.ones(len(pos), dtype=bool)
    new[1:] = ((conv[1:] != conv[:-1]) | (name[1:] != name[:-1])
               | (t["attempt_end"].to_numpy()[pos][:-1] != AttemptEnd.OPEN)
               | (np.diff(when) > idle_timeout_s * 1e9))
    attempt = np.full(len(t), -1, dtype=np.int64)
    attempt[pos] = np.cumsum(new) - 1
    t["attempt"] = attempt
    return t


def build_attempts(t: pd.DataFrame, idle_timeout_s: float) -> pd.DataFrame:
    """One row per intent attempt.

    Columns: attempt, conversation, intent, start, end, turns, first_turn, last_turn,
    outcome, next_intent ('' unless Switched or Failed by a fall back).
    """
    w = t[t["attempt"].to_numpy() >= 0]
    a = w["attempt"].to_numpy()
    first, last = bounds(a)
    conv = w["conversation"].to_numpy()
    ns = time_ns(w["time"])
    intent = w["attempt_intent"].array
    codes, cats = intent.codes, intent.categories
    ended = w["attempt_end"].to_numpy()[last]
    nxt = np.append(first[1:], -1) if len(first) else first
    has_next = (nxt >= 0) & (conv[nxt] == conv[first])
    has_next &= (ns[nxt] - ns[last]) <= idle_timeout_s * 1e9
    fallback_next = has_next & (codes[nxt] == code_of(cats, FALLBACK_INTENT))
    outcome = np.select([ended == AttemptEnd.SUCCESS, ended == AttemptEnd.FAILURE, fallback_next, has_next],
                        [IntentOutcome.SUCCESS, IntentOutcome.FAILED, IntentOutcome.FAILED, IntentOutcome.SWITCHED],
                        IntentOutcome.DROPPED)
    next_code = np.where(has_next & (outcome != 3), codes[nxt], code_of(cats, ""))
    return pd.DataFrame({
        "attempt": a[first], "conversation": conv[first],
        "intent": pd.Categorical.from_codes(codes[first], categories=cats),
        "start": w["time"].array[first], "end": w["time"].array[last],
        "turns": last - first + 1,
        "first_turn": w["turn"].to_numpy()[first], "last_turn": w["turn"].to_numpy()[last],
        "outcome": pd.Categorical.from_codes(outcome, categories=list(INTENT_OUTCOMES)),
        "next_intent": pd.Categorical.from_codes(next_code, categories=cats),
    })


def take_text(turns: pd.DataFrame, column: str, rows: np.ndarray) -> pd.Series:
    """A free-text column at some rows, without converting the whole column."""
    return turns[column].iloc[rows].reset_index(drop=True)


def build_conversations(turns: pd.DataFrame, t: pd.DataFrame, attempts: pd.DataFrame,
                        escalated: np.ndarray) -> pd.DataFrame:
    """One row per conversation.

    Columns: conversation, session_key, session_id, conversation_id, start, end, turns,
    escalated, last_slot, last_prompt, attempts, last_intent, outcome.
    """
    conv = t["conversation"].to_numpy()
    first, last = bounds(conv)
    rows = t["row"].to_numpy()
    action = as_values(t["dialog_action"].iloc[last])
    frame = pd.DataFrame({
        "conversation": conv[first], "session_key": t["session_key"].to_numpy()[first],
        "session_id": take_text(turns, "session_id", rows[first]),
        "conversation_id": take_text(turns, "conversation_id", rows[first]),
        "start": t["time"].array[first], "end": t["time"].array[last],
        "turns": last - first + 1,
        "escalated": np.add.reduceat(escalated, first) > 0 if len(t) else np.zeros(0, bool),
        "last_slot": np.where(action == "ElicitSlot", as_values(t["slot_to_elicit"].iloc[last]), ""),
        "last_prompt": take_text(turns, "bot_messages", rows[last]),
    })
    a_conv = attempts["conversation"].to_numpy().astype(np.int64)
    frame["attempts"] = np.bincount(a_conv, minlength=len(frame))
    intent = attempts["intent"].array
    tail = bounds(a_conv)[1]  # last attempt of each conversation that has one
    last_code = np.full(len(frame), code_of(intent.categories, ""), dtype=np.int64)
    last_code[a_conv[tail]] = intent.codes[tail]
    outcome = np.full(len(frame), ConversationOutcome.DROPPED, dtype=np.int64)  # when no intent at all
    # the last attempt of a conversation has no next one, so it is never Switched
    last_outcome = attempts["outcome"].array.codes[tail]
    outcome[a_conv[tail]] = np.select(
        [last_outcome == IntentOutcome.SUCCESS, last_outcome == IntentOutcome.FAILED],
        [ConversationOutcome.SUCCESS, ConversationOutcome.FAILED], ConversationOutcome.DROPPED)
    outcome[last_code == code_of(intent.categories, FALLBACK_INTENT)] = ConversationOutcome.FAILED
    frame["last_intent"] = pd.Categorical.from_codes(last_code, categories=intent.categories)
    frame["outcome"] = pd.Categorical.from_codes(outcome, categories=list(CONVERSATION_OUTCOMES))
    return frame


def compute_outcomes(data: LogData, idle_timeout_s: float = IDLE_TIMEOUT_S,
                     escalation: Optional[EscalationRule] = None, *,
                     conversations: Optional[Conversations] = None) -> Outcomes:
    """Annotate turns and build the attempts and conversations tables (the costly step, once).
    ``conversations``: the turns' conversations when already computed, under the same
    ``idle_timeout_s``."""
    if conversations is None:
        conversations = compute_conversations(data.turns, idle_timeout_s=idle_timeout_s)
    elif conversations.idle_timeout_s != idle_timeout_s:
        raise ValueError(f"conversations were cut at {conversations.idle_timeout_s} s, not {idle_timeout_s} s")
    turns = settle_states(data.turns, data.server_responses)  # fulfillment updates settle a turn
    t = annotate_turns(turns, conversations)
    attempts = build_attempts(t, idle_timeout_s)
    escalated = mark_escalated(t, data, escalation)
    conversations = build_conversations(turns, t, attempts, escalated)
    return Outcomes(t, attempts, conversations, escalation, data.slots)


def compute_intent_outcomes(outcomes: Outcomes) -> pd.DataFrame:
    """Intent attempts per intent and outcome: columns intent, Success, Failed, Switched,
    Dropped, attempts, success_rate; most attempted first."""
    a = outcomes.attempts
    table = a.groupby(["intent", "outcome"], observed=True).size().unstack(fill_value=0)
    table = table.reindex(columns=list(INTENT_OUTCOMES), fill_value=0)
    table = table.rename_axis(index="intent", columns=None).reset_index()
    table["intent"] = text_values(table["intent"])
    table["attempts"] = table[list(INTENT_OUTCOMES)].sum(axis=1)
    table["success_rate"] = table["Success"] / table["attempts"]
    return table.sort_values(["attempts", "intent"], ascending=[False, True], ignore_index=True)


def compute_conversation_outcomes(outcomes: Outcomes) -> dict[str, int]:
    """Conversations per outcome: {Success, Failed, Dropped}."""
    counts = outcomes.conversations["outcome"].value_counts()
    return {name: int(counts.get(name, 0)) for name in CONVERSATION_OUTCOMES}


def compute_containment(outcomes: Outcomes) -> dict:
    """{conversations, escalated, contained, containment_rate}: without an escalation rule
    nothing marks an escalation, so escalated, contained and the rate are None (unknown, not
    0 and every conversation); the rate is None without conversations too."""
    c = outcomes.conversations
    if outcomes.escalation is None:
        return {"conversations": len(c), "escalated": None, "contained": None, "containment_rate": None}
    escalated = int(c["escalated"].sum())
    return {"conversations": len(c), "escalated": escalated, "contained": len(c) - escalated,
            "containment_rate": (len(c) - escalated) / len(c) if len(c) else None}


def top_dropoffs(outcomes: Outcomes, n: int = 20) -> pd.DataFrame:
    """Where dropped conversations stopped: columns last_intent, last_slot, last_prompt,
    conversations, share (of dropped conversations); most frequent first."""
    dropped = outcomes.conversations[outcomes.conversations["outcome"] == "Dropped"]
    keys = ["last_intent", "last_slot", "last_prompt"]
    table = dropped.groupby(keys, sort=False, observed=True).size().rename("conversations").reset_index()
    table["share"] = table["conversations"] / max(len(dropped), 1)
    table = table.sort_values(["conversations"] + keys, ascending=[False, True, True, True])
    return table.head(n).reset_index(drop=True)
