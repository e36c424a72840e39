"""Slot values per intent x slot, counted once per session.

Lex repeats every filled slot in each later turn of the intent, so counting per turn
(as the reference's query does) inflates values by the number of follow-up prompts.
Here a value counts once per session; List slots count each item; Composite slots
count each sub-slot ('Parent.Child'); a slot that stayed empty for a session counts
as '(unfilled)'.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from lexlens.analytics.schema import LogData, empty_frame, grouping_of, session_keys_of, text_values

UNFILLED = "(unfilled)"
SLOT_VALUE_COLUMNS = ["intent", "slot", "value", "original_value", "sessions", "share"]


DEFINITIONS = {  # the user-facing text of each metric here: README, dashboard and --help use it
    "Slot values": (
        "Per intent x slot, the interpreted value (else the original wording, with the most "
        "common original wording shown beside it, the first seen among equals), counted once per "
        "session: Lex repeats every filled slot in each later turn. List slots count each item, "
        "Composite slots each "
        "sub-slot ('Parent.Child'); a slot that stayed empty for a session counts as "
        "'(unfilled)'. Share is within the intent x slot."),
}


def compute_slot_values(data: LogData, n: int | None = 10) -> pd.DataFrame:
    """SLOT_VALUE_COLUMNS: per (intent, slot), the top ``n`` interpreted values by sessions,
    with their most common original wording; share is within the (intent, slot).

    Values and original wordings are grouped by integer codes (each text hashed once): grouping
    and de-duplicating 2.5M rows of text took 1.4 s of the Slots page at a million records."""
    slots = data.slots
    if slots.empty:
        return empty_frame(SLOT_VALUE_COLUMNS)
    slots = pd.DataFrame({"session_key": session_keys_of(data, slots["turn"]),
                          "intent": grouping_of(slots["intent"]), "slot": grouping_of(slots["slot"]),
                          "filled": slots["filled"].to_numpy()}, index=slots.index)
    filled_rows = slots["filled"].to_numpy()
    interpreted = np.asarray(data.slots["interpreted_value"].to_numpy()[filled_rows], dtype=object)
    original = np.asarray(data.slots["original_value"].to_numpy()[filled_rows], dtype=object)
    value_codes, values = pd.factorize(np.where(interpreted != "", interpreted, original))
    original_codes, originals = pd.factorize(original)
    filled = slots[filled_rows].assign(value=value_codes, original_value=original_codes)
    keys = ["intent", "slot", "value"]
    counted = filled.drop_duplicates(["session_key", *keys])
    table = counted.groupby(keys, sort=False, observed=True).size().reset_index(name="sessions")
    table = table.merge(most_common_original(counted, keys), on=keys, how="left", sort=False)
    table["value"] = np.asarray(values, dtype=object)[table["value"].to_numpy()]
    wording = np.append(np.asarray(originals, dtype=object), "")  # a group without one: '' (code -1)
    table["original_value"] = wording[table["original_value"].fillna(-1).to_numpy().astype(np.int64)]
    unfilled = unfilled_sessions(slots, filled)
    table = pd.concat([table, unfilled], ignore_index=True)
    table["intent"], table["slot"] = text_values(table["intent"]), text_values(table["slot"])
    table["share"] = table["sessions"] / table.groupby(["intent", "slot"])["sessions"].transform("sum")
    table = table.sort_values(["intent", "slot", "sessions", "value"],
                              ascending=[True, True, False, True], kind="stable")
    if n:
        table = table.groupby(["intent", "slot"], sort=False).head(n)
    return table[SLOT_VALUE_COLUMNS].reset_index(drop=True)


def unfilled_sessions(slots: pd.DataFrame, filled: pd.DataFrame) -> pd.DataFrame:
    """[intent, slot, value, original_value, sessions] for slots never filled in a session."""
    seen = slots.drop_duplicates(["session_key", "intent", "slot"])
    ever_filled = filled.drop_duplicates(["session_key", "intent", "slot"])
    merged = seen.merge(ever_filled[["session_key", "intent", "slot"]], how="left",
                        on=["session_key", "intent", "slot"], indicator=True)
    never = merged[merged["_merge"] == "left_only"]
    counts = never.groupby(["intent", "slot"], sort=False, observed=True).size().reset_index(name="sessions")
    counts["value"] = UNFILLED
    counts["original_value"] = ""
    return counts


def most_common_original(counted: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """[*keys, original_value]: per group of ``keys``, the original wording of the most rows,
    the first seen among equals. One grouping of all the groups at once: a ``value_counts``
    per group took 9 s for the 100,000 groups of a million records."""
    pairs = counted.groupby([*keys, "original_value"], sort=False, observed=True).size().reset_index(name="rows")
    pairs["seen"] = range(len(pairs))  # groupby(sort=False) lists pairs in the order first seen
    best = pairs.sort_values(["rows", "seen"], ascending=[False, True], kind="stable").drop_duplicates(keys)
    return best[[*keys, "original_value"]]
