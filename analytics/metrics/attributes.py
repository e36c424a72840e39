"""Session attribute values, counted once per session (the reference counts per turn,
so a long session weighs more than a short one)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from lexlens.analytics.metrics.arrays import combined_codes, first_of_each
from lexlens.analytics.schema import LogData, codes_and_texts, distinct_texts, empty_frame, session_codes_of

ATTRIBUTE_VALUE_COLUMNS = ["key", "value", "sessions", "share"]


DEFINITIONS = {  # the user-facing text of each metric here: README, dashboard and --help use it
    "Session attributes": (
        "Per key, the values by distinct sessions that held them at some turn (the reference "
        "counted per turn, so long sessions weighed more). Share is of the key's sessions. A "
        "key with more than 20 values and at least one value per two sessions (an id such as a "
        "ContactId) is marked *nearly one value per session* and never picked by default."),
}


def coded_rows(data: LogData) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(key codes, the text of each key code, value codes (-1: a missing value), session codes)
    per attribute row: every grouping below is of int64 keys (``arrays.combined_codes``). Grouping
    and de-duplicating 2.8M rows of text and keys took 0.25 s of the Slots page at a million records."""
    attributes = data.attributes
    key, keys = codes_and_texts(attributes["key"])
    value, _ = pd.factorize(attributes["value"])
    return key, keys, value, session_codes_of(data, attributes["turn"])


def compute_attribute_values(data: LogData, n: int | None = 10) -> pd.DataFrame:
    """ATTRIBUTE_VALUE_COLUMNS: per key, the top ``n`` values by distinct sessions;
    share is the fraction of the key's sessions holding that value at some turn."""
    if data.attributes.empty:
        return empty_frame(ATTRIBUTE_VALUE_COLUMNS)
    key, keys, value, session = coded_rows(data)
    sessions_per_key = np.bincount(key[first_of_each(combined_codes(key, session))], minlength=len(keys))
    counted = np.flatnonzero(first_of_each(combined_codes(key, value + 1, session)) & (value >= 0))
    group, _ = pd.factorize(combined_codes(key[counted], value[counted]))
    rows = counted[first_of_each(group)]  # the first row of each (key, value)
    sessions = np.bincount(group)
    table = pd.DataFrame({"key": pd.Series(keys[key[rows]], dtype=object),
                          "value": pd.Series(pd.Index(data.attributes["value"].to_numpy()[rows])),  # dtype as grouped
                          "sessions": sessions, "share": sessions / sessions_per_key[key[rows]]})
    table = table.sort_values(["key", "sessions", "value"], ascending=[True, False, True],
                              kind="stable")
    if n:
        table = table.groupby("key", sort=False).head(n)
    return table[ATTRIBUTE_VALUE_COLUMNS].reset_index(drop=True)


def attribute_keys(data: LogData) -> list[str]:
    """The session attribute keys present, sorted."""
    return distinct_texts(data.attributes["key"])


def rank_attribute_keys(data: LogData, min_values: int = 20, unique_share: float = 0.5) -> pd.DataFrame:
    """[key, values, sessions, high_cardinality]: each session attribute key with its distinct
    values and the sessions holding it; *high cardinality* when it has more than ``min_values``
    values and at least ``unique_share`` values per session (an id such as a ContactId: a
    chart of its values says nothing). Keys worth charting first, then by sessions."""
    columns = ["key", "values", "sessions", "high_cardinality"]
    if data.attributes.empty:
        return empty_frame(columns).astype({"values": "int64", "sessions": "int64", "high_cardinality": "bool"})
    key, keys, value, session = coded_rows(data)
    valued = value >= 0
    values = np.bincount(key[valued][first_of_each(combined_codes(key[valued], value[valued]))], minlength=len(keys))
    sessions = np.bincount(key[first_of_each(combined_codes(key, session))], minlength=len(keys))
    present = np.flatnonzero(sessions)
    per_key = pd.DataFrame({"key": pd.Series(keys[present], dtype=object), "values": values[present],
                            "sessions": sessions[present]})
    per_key["high_cardinality"] = (per_key["values"] > min_values) & \
        (per_key["values"] >= unique_share * per_key["sessions"])
    return per_key.sort_values(["high_cardinality", "sessions", "key"], ascending=[True, False, True],
                               ignore_index=True)[columns]
