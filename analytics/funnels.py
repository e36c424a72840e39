"""Slot outcomes with retries, and the per-intent funnel, from ``analytics.outcomes.Outcomes``.

Slot definitions follow Lex's analytics key definitions
(https://docs.aws.amazon.com/lexv2/latest/dg/analytics-key-definitions.html).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.outcomes import Outcomes, as_values, bounds
from analytics.schema import text_values

SLOT_OUTCOMES = ("Success", "Failed", "Dropped")
FUNNEL_COLUMNS = ["intent", "order", "step", "reached", "passed", "dropped", "failed",
                  "switched", "retries"]

DEFINITIONS = {
    "Slot elicitation": (
        "Consecutive turns of one intent attempt on which the bot elicits the same slot "
        "(dialog action ElicitSlot with the same slotToElicit). Each turn after the first is a "
        "retry: the bot asking for the same slot again."),
    "Slot outcome": (
        "Success: on the turn after the elicitation the intent continues (another slot, the "
        "confirmation or the fulfilment) with the slot filled. Failed: the slot is still empty "
        "when the intent moves on or ends (retries exhausted, Failed state, or a fall back to "
        "FallbackIntent). Dropped: the user stopped answering or switched to another intent "
        "while the slot was being elicited. A Composite slot counts as filled when any of its "
        "sub-slots is."),
    "Funnel": (
        "Per intent: attempts Started, then each slot elicited (reached) and filled (passed), "
        "in the order the bot usually asks them, the Confirmation step (reached: the bot asked "
        "to confirm; passed: the user confirmed) and Fulfilled (attempts with outcome "
        "Success). Dropped, failed and switched attempts are counted at the last step they "
        "reached; retries are re-elicitations of a slot or re-asked confirmations."),
}


def mark_filled(slots: pd.DataFrame, turns: np.ndarray, names: np.ndarray) -> np.ndarray:
    """For each (turn, slot name) pair: is that slot (or a sub-slot of it) filled on that turn?"""
    slot_turns = slots["turn"].to_numpy()
    wanted = np.zeros(max(int(slot_turns.max(initial=0)), int(np.max(turns, initial=0))) + 1, dtype=bool)
    wanted[turns] = True  # a lookup table: far faster than np.isin on 300k rows
    filled = slots[slots["filled"].to_numpy() & wanted[slot_turns]]
    slot = filled["slot"].astype("category")
    cats = slot.cat.categories.astype(str)
    parents = cats.str.split(".", n=1).str[0]
    known = pd.Index(pd.unique(np.concatenate([cats.to_numpy(object), parents.to_numpy(object),
                                               pd.unique(np.asarray(names, dtype=object))])))
    width = len(known) + 1
    code = slot.cat.codes.to_numpy()
    own = known.get_indexer(cats)[code]
    parent = known.get_indexer(parents)[code]
    turn = filled["turn"].to_numpy().astype(np.int64) * width
    keys = np.concatenate([turn + own, turn + parent])
    return np.isin(np.asarray(turns, dtype=np.int64) * width + known.get_indexer(names), keys)


def build_slot_runs(outcomes: Outcomes) -> pd.DataFrame:
    """One row per slot elicitation: attempt, intent, slot, first_turn, last_turn,
    elicitations, retries, outcome (Success, Failed, Dropped)."""
    w = outcomes.turns[outcomes.turns["attempt"].to_numpy() >= 0]
    attempt, slot = w["attempt"].to_numpy(), as_values(w["slot_to_elicit"])
    elicit = (as_values(w["dialog_action"]) == "ElicitSlot") & (slot != "")
    same = np.zeros(len(w), dtype=bool)
    same[1:] = elicit[:-1] & (attempt[1:] == attempt[:-1]) & (slot[1:] == slot[:-1])
    rows = np.flatnonzero(elicit)
    run = np.cumsum(elicit & ~same)[rows]
    head, tail = bounds(run)
    first, last = rows[head], rows[tail]
    after = last + 1
    inside = after < len(w)
    inside[inside] = attempt[after[inside]] == attempt[last[inside]]
    turn = w["turn"].to_numpy()
    filled = np.zeros(len(last), dtype=bool)
    filled[inside] = mark_filled(outcomes.slots, turn[after[inside]], slot[last[inside]])
    attempt_outcome = outcomes.attempts["outcome"].to_numpy()[attempt[last]] if len(last) else []
    outcome = np.select([inside & filled, inside, np.asarray(attempt_outcome) == "Failed"],
                        ["Success", "Failed", "Failed"], "Dropped") if len(last) else []
    return pd.DataFrame({
        "attempt": attempt[first], "intent": w["attempt_intent"].array[first],
        "slot": w["slot_to_elicit"].astype("category").array[first],
        "first_turn": turn[first], "last_turn": turn[last],
        "elicitations": tail - head + 1, "retries": tail - head,
        "outcome": pd.Categorical(np.asarray(outcome, dtype=object), categories=list(SLOT_OUTCOMES)),
    })


def compute_slot_outcomes(runs: pd.DataFrame) -> pd.DataFrame:
    """Per (intent, slot): elicitations, Success, Failed, Dropped, retries, max_retries."""
    table = runs.groupby(["intent", "slot", "outcome"], observed=True).size().unstack(fill_value=0)
    table = table.reindex(columns=list(SLOT_OUTCOMES), fill_value=0).rename_axis(columns=None)
    stats = runs.groupby(["intent", "slot"], observed=True).agg(
        elicitations=("outcome", "size"), retries=("retries", "sum"),
        max_retries=("retries", "max"))
    table = stats.join(table).reset_index()
    table["intent"], table["slot"] = text_values(table["intent"]), text_values(table["slot"])
    return table.sort_values(["intent", "elicitations", "slot"], ascending=[True, False, True],
                             ignore_index=True)


def label_last_steps(outcomes: Outcomes) -> np.ndarray:
    """The last funnel step each attempt reached ('Started', 'Slot <name>', 'Confirmation')."""
    w = outcomes.turns[outcomes.turns["attempt"].to_numpy() >= 0]
    action = as_values(w["dialog_action"])
    is_step = (action == "ElicitSlot") | (action == "ConfirmIntent")
    first, last = bounds(w["attempt"].to_numpy())
    pos = np.arange(len(w))
    latest = np.maximum.accumulate(np.where(is_step, pos, -1))[last] if len(w) else last
    inside = latest >= first
    step = np.full(len(last), "Started", dtype=object)
    at = latest[inside]
    slot = as_values(w["slot_to_elicit"])[at]
    step[inside] = np.where(action[at] == "ElicitSlot", "Slot " + slot.astype(object), "Confirmation")
    return step


def count_confirmations(outcomes: Outcomes) -> pd.DataFrame:
    """Per attempt with a confirmation prompt (index): asked (turns), confirmed (bool)."""
    t = outcomes.turns
    attempt = t["attempt"].to_numpy()
    size = len(outcomes.attempts)
    asked = np.bincount(attempt[(as_values(t["dialog_action"]) == "ConfirmIntent") & (attempt >= 0)],
                        minlength=size)
    confirmed = np.bincount(attempt[(as_values(t["confirmation_state"]) == "Confirmed") & (attempt >= 0)],
                            minlength=size) > 0
    per = pd.DataFrame({"asked": asked, "confirmed": confirmed})
    return per[per["asked"] > 0]


def compute_funnel(outcomes: Outcomes, runs: pd.DataFrame) -> pd.DataFrame:
    """Per intent and step: columns intent, order, step, reached, passed, dropped, failed,
    switched, retries (see DEFINITIONS['Funnel'])."""
    a = outcomes.attempts
    a = pd.DataFrame({"intent": text_values(a["intent"]).to_numpy(), "outcome": a["outcome"].to_numpy(),
                      "step": label_last_steps(outcomes)})
    confirm = count_confirmations(outcomes).join(a["intent"])
    runs = runs.assign(index=runs.groupby("attempt").cumcount())
    ends = pd.crosstab([a["intent"], a["step"]], a["outcome"])
    frames = []
    for intent, group in a.groupby("intent", sort=True):
        mine = runs[runs["intent"] == intent]
        order = mine.groupby("slot")["index"].mean().sort_values(kind="stable")
        per_slot = mine.groupby("slot").agg(reached=("attempt", "nunique"), retries=("retries", "sum"))
        passed = mine[mine["outcome"] == "Success"].groupby("slot")["attempt"].nunique()
        mine_confirm = confirm[confirm["intent"] == intent]
        rows = [("Started", len(group), len(group), 0)]
        rows += [(f"Slot {name}", per_slot.at[name, "reached"], int(passed.get(name, 0)),
                  per_slot.at[name, "retries"]) for name in order.index]
        if len(mine_confirm):
            rows.append(("Confirmation", len(mine_confirm), int(mine_confirm["confirmed"].sum()),
                         int((mine_confirm["asked"] - 1).sum())))
        success = int((group["outcome"] == "Success").sum())
        rows.append(("Fulfilled", success, success, 0))
        frame = pd.DataFrame(rows, columns=["step", "reached", "passed", "retries"])
        for column, outcome in (("dropped", "Dropped"), ("failed", "Failed"), ("switched", "Switched")):
            counts = ends.loc[intent][outcome] if outcome in ends.columns else pd.Series(dtype=int)
            frame[column] = frame["step"].map(counts).fillna(0).astype(int)
        frames.append(frame.assign(intent=intent, order=range(len(frame))))
    if not frames:
        return pd.DataFrame({name: pd.Series(dtype=object if name in ("intent", "step") else "int64")
                             for name in FUNNEL_COLUMNS})
    return pd.concat(frames, ignore_index=True)[FUNNEL_COLUMNS].astype(
        {name: "int64" for name in FUNNEL_COLUMNS[3:]})
