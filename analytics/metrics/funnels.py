"""Slot outcomes with retries, and the per-intent funnel, from ``analytics.metrics.outcomes.Outcomes``.

Slot definitions follow Lex's analytics key definitions
(https://docs.aws.amazon.com/lexv2/latest/dg/analytics-key-definitions.html).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from lexlens.analytics.metrics.arrays import as_values, bounds, contains, distinct_sorted, value_codes
from lexlens.analytics.metrics.outcomes import Outcomes
from lexlens.analytics.schema import codes_and_texts, matches, text_values

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
        "Per intent, the attempts that pass each step in turn: Started (every attempt), then "
        "each slot the bot elicits, in the order it usually asks them, the Confirmation step "
        "when the intent asks for one, and Fulfilled (outcome Success). An attempt reaches a "
        "step when it passed the one before. It passes a slot step when the slot was filled "
        "during the attempt, whether it answered the prompt or was filled before the prompt "
        "came (e.g. in the first utterance), or when the bot went past every slot (asked to "
        "confirm, or succeeded: an optional slot left empty); it passes Confirmation when the "
        "user confirmed; an attempt that succeeded passed every step. So a funnel never grows "
        "from one step to the next. "
        "Dropped, failed and switched "
        "attempts are counted at the step they did not pass; retries are re-elicitations of "
        "the slot or re-asked confirmations."),
}


def mark_filled(slots: pd.DataFrame, turns: np.ndarray, name_codes: np.ndarray, names: np.ndarray) -> np.ndarray:
    """For each (turn, slot name) pair: is that slot (or a sub-slot of it) filled on that turn?
    The name of pair i is ``names[name_codes[i]]``: each distinct name looked up once."""
    slot_turns = slots["turn"].to_numpy()
    wanted = np.zeros(max(int(slot_turns.max(initial=0)), int(np.max(turns, initial=0))) + 1, dtype=bool)
    wanted[turns] = True  # a lookup table: far faster than np.isin on 300k rows
    rows = slots["filled"].to_numpy() & wanted[slot_turns]  # only the two columns needed are taken
    code, cats = codes_and_texts(slots["slot"])
    code = code[rows]
    cats = pd.Index(cats, dtype=object).astype(str)
    parents = cats.str.split(".", n=1).str[0]
    known = pd.Index(pd.unique(np.concatenate([cats.to_numpy(object), parents.to_numpy(object),
                                               np.asarray(names, dtype=object)])))
    width = len(known) + 1
    own = known.get_indexer(cats)[code]
    parent = known.get_indexer(parents)[code]
    turn = slot_turns[rows].astype(np.int64) * width
    keys = np.concatenate([turn + own, turn + parent])
    wanted_names = known.get_indexer(pd.Index(np.asarray(names, dtype=object)))[name_codes]
    return contains(keys, np.asarray(turns, dtype=np.int64) * width + wanted_names)


def build_slot_runs(outcomes: Outcomes) -> pd.DataFrame:
    """One row per slot elicitation: attempt, intent, slot, first_turn, last_turn,
    elicitations, retries, outcome (Success, Failed, Dropped)."""
    w = outcomes.turns[outcomes.turns["attempt"].to_numpy() >= 0]
    attempt = w["attempt"].to_numpy()
    slot, slot_names = value_codes(w["slot_to_elicit"])  # codes: a million strings never compared
    elicit = matches(w["dialog_action"], ["ElicitSlot"]) & (slot_names != "")[slot]
    same = np.zeros(len(w), dtype=bool)
    # a text other than '' has one code: equal codes after an elicitation are the same slot
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
    filled[inside] = mark_filled(outcomes.slots, turn[after[inside]], slot[last[inside]], slot_names)
    failed_attempt = matches(outcomes.attempts["outcome"], ["Failed"])[attempt[last]]
    outcome = np.select([inside & filled, inside, failed_attempt], [0, 1, 1], 2)  # codes of SLOT_OUTCOMES
    return pd.DataFrame({
        "attempt": attempt[first], "intent": w["attempt_intent"].array[first],
        "slot": w["slot_to_elicit"].astype("category").array[first],
        "first_turn": turn[first], "last_turn": turn[last],
        "elicitations": tail - head + 1, "retries": tail - head,
        "outcome": pd.Categorical.from_codes(outcome.astype(np.int8), categories=list(SLOT_OUTCOMES)),
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


def filled_by_slot(outcomes: Outcomes) -> dict[str, np.ndarray]:
    """Slot name -> the attempts in which that slot (or, for a Composite, a sub-slot) was
    filled at some turn (each attempt once, in ascending order).

    Worked on codes: a slot row is (attempt, code of its name) and (attempt, code of its
    parent's name) as one int each; only the distinct names are split. Splitting every row's
    name in Python and dropping duplicate (attempt, name) pairs of objects took 1.3 s of the
    Outcomes page at a million records (2.5M slot rows)."""
    t = outcomes.turns
    with_attempt = t[t["attempt"].to_numpy() >= 0]
    slots = outcomes.slots
    if slots.empty or with_attempt.empty:
        return {}
    filled = slots[slots["filled"].to_numpy()]
    attempt_of_turn = pd.Series(with_attempt["attempt"].to_numpy(), index=with_attempt["turn"].to_numpy())
    attempt = attempt_of_turn.reindex(filled["turn"].to_numpy()).to_numpy()
    keep = ~pd.isna(attempt)
    if not keep.any():
        return {}
    codes, distinct = pd.factorize(filled["slot"][keep], use_na_sentinel=False)
    names = text_values(pd.Series(distinct)).to_numpy(dtype=object)
    parents = np.array([name.split(".", 1)[0] for name in names], dtype=object)
    known, inverse = np.unique(np.concatenate([names, parents]), return_inverse=True)
    width = len(known)
    base = attempt[keep].astype(np.int64) * width
    keys = distinct_sorted(np.concatenate([base + inverse[:len(names)][codes], base + inverse[len(names):][codes]]))
    name_code, attempts = keys % width, keys // width
    order = np.argsort(name_code, kind="stable")  # keys are sorted: attempts ascend within a name
    name_code, attempts = name_code[order], attempts[order]
    starts = np.flatnonzero(np.r_[True, name_code[1:] != name_code[:-1]])
    return {str(known[name_code[start]]): group for start, group in zip(starts, np.split(attempts, starts[1:]))}


def funnel_steps(intent: str, ids: np.ndarray, outcome: np.ndarray, slots: list[tuple[str, np.ndarray, int]],
                 confirmation: tuple[np.ndarray, np.ndarray, int] | None) -> pd.DataFrame:
    """The funnel of one intent's attempts ``ids``: each step's reached, passed, retries and
    the outcomes of those stopped at it. ``slots``: (name, attempts with it filled, retries)
    in order; ``confirmation``: (attempts asked to confirm, attempts that confirmed, retries)
    or None. Being asked to confirm (or succeeding) means the bot went past every slot."""
    success = outcome == "Success"
    past_slots = success | (np.isin(ids, confirmation[0]) if confirmation is not None else False)
    alive = np.ones(len(ids), dtype=bool)
    checks = [(f"Slot {name}", np.isin(ids, filled) | past_slots, retries) for name, filled, retries in slots]
    if confirmation is not None:
        checks.append(("Confirmation", np.isin(ids, confirmation[1]) | success, confirmation[2]))
    checks.append(("Fulfilled", success, 0))
    rows = [("Started", len(ids), len(ids), 0, 0, 0, 0)]
    for step, ok, retries in checks:
        passed = alive & ok
        stopped = outcome[alive & ~passed]
        rows.append((step, int(alive.sum()), int(passed.sum()), int(retries), int((stopped == "Dropped").sum()),
                     int((stopped == "Failed").sum()), int((stopped == "Switched").sum())))
        alive = passed
    frame = pd.DataFrame(rows, columns=["step", "reached", "passed", "retries", "dropped", "failed", "switched"])
    return frame.assign(intent=intent, order=range(len(frame)))


def compute_funnel(outcomes: Outcomes, runs: pd.DataFrame) -> pd.DataFrame:
    """Per intent and step: columns intent, order, step, reached, passed, dropped, failed,
    switched, retries (see DEFINITIONS['Funnel']): reached never grows from a step to the next."""
    a = outcomes.attempts
    attempts = pd.DataFrame({"intent": text_values(a["intent"]).to_numpy(),
                             "outcome": np.asarray(a["outcome"].astype(object))})
    filled = filled_by_slot(outcomes)
    confirm = count_confirmations(outcomes)
    runs = runs.assign(index=runs.groupby("attempt").cumcount())
    frames = []
    for intent, group in attempts.groupby("intent", sort=True):
        mine = runs[runs["intent"] == intent]
        order = [str(name) for name in mine.groupby("slot", observed=True)["index"].mean()
                 .sort_values(kind="stable").index]
        retries = mine.assign(slot=mine["slot"].astype(str)).groupby("slot")["retries"].sum()
        slots = [(name, filled.get(name, np.array([], dtype="int64")), int(retries.get(name, 0))) for name in order]
        ids = group.index.to_numpy()
        asked = confirm[confirm.index.isin(ids)]
        confirmation = None if asked.empty else (asked.index.to_numpy(), asked.index[asked["confirmed"]].to_numpy(),
                                                 int((asked["asked"] - 1).sum()))
        frames.append(funnel_steps(intent, ids, group["outcome"].to_numpy(dtype=object), slots, confirmation))
    if not frames:
        return pd.DataFrame({name: pd.Series(dtype=object if name in ("intent", "step") else "int64")
                             for name in FUNNEL_COLUMNS})
    return pd.concat(frames, ignore_index=True)[FUNNEL_COLUMNS].astype(
        {name: "int64" for name in FUNNEL_COLUMNS[3:]})
