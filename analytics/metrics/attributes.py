"""Session attribute values, counted once per session (the reference counts per turn,
so a long session weighs more than a short one)."""
from __future__ import annotations

import pandas as pd

from lexlens.analytics.schema import LogData, distinct_texts, empty_frame, grouping_of, session_keys_of, text_values

ATTRIBUTE_VALUE_COLUMNS = ["key", "value", "sessions", "share"]


DEFINITIONS = {  # the user-facing text of each metric here: README, dashboard and --help use it
    "Session attributes": (
        "Per key, the values by distinct sessions that held them at some turn (the reference "
        "counted per turn, so long sessions weighed more). Share is of the key's sessions. A "
        "key with more than 20 values and at least one value per two sessions (an id such as a "
        "ContactId) is marked *nearly one value per session* and never picked by default."),
}


def attribute_rows(data: LogData) -> pd.DataFrame:
    """[key, value, session_key] per attribute row. The key stays categorical (grouped by its
    codes) and the value keeps its dtype: built from arrays of text, the frame converted
    millions of strings to pandas' string dtype first (a second at a million records)."""
    attributes = data.attributes
    return pd.DataFrame({"key": grouping_of(attributes["key"]).reset_index(drop=True),
                         "value": attributes["value"].reset_index(drop=True),
                         "session_key": session_keys_of(data, attributes["turn"])})


def compute_attribute_values(data: LogData, n: int | None = 10) -> pd.DataFrame:
    """ATTRIBUTE_VALUE_COLUMNS: per key, the top ``n`` values by distinct sessions;
    share is the fraction of the key's sessions holding that value at some turn."""
    if data.attributes.empty:
        return empty_frame(ATTRIBUTE_VALUE_COLUMNS)
    frame = attribute_rows(data).drop_duplicates()
    table = frame.groupby(["key", "value"], sort=False, observed=True).size().reset_index(name="sessions")
    sessions_per_key = frame.drop_duplicates(["key", "session_key"]).groupby("key", observed=True).size()
    table["share"] = table["sessions"].to_numpy() / sessions_per_key.reindex(table["key"]).to_numpy()
    table["key"] = text_values(table["key"])
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
    per_key = attribute_rows(data).groupby("key", observed=True).agg(
        values=("value", "nunique"), sessions=("session_key", "nunique")).reset_index()
    per_key["key"] = text_values(per_key["key"])
    per_key["high_cardinality"] = (per_key["values"] > min_values) & \
        (per_key["values"] >= unique_share * per_key["sessions"])
    return per_key.sort_values(["high_cardinality", "sessions", "key"], ascending=[True, False, True],
                               ignore_index=True)[columns]
