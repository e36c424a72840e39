"""The filters every metric shares: time window, bot, alias, locale, version, input mode,
intent and a session-attribute filter. Applied once, before any metric."""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Optional

import pandas as pd

from lexlens.analytics.schema import LogData


@dataclass(frozen=True)
class Filters:
    """An empty tuple means "all". ``since`` is inclusive, ``until`` exclusive (UTC-aware).
    ``bot_ids`` and ``alias_names`` match a bot or alias by id or by name."""

    since: Optional[pd.Timestamp] = None
    until: Optional[pd.Timestamp] = None
    bot_ids: tuple[str, ...] = ()
    alias_names: tuple[str, ...] = ()
    locales: tuple[str, ...] = ()
    versions: tuple[str, ...] = ()
    input_modes: tuple[str, ...] = ()
    intents: tuple[str, ...] = ()
    attribute_key: Optional[str] = None
    attribute_values: tuple[str, ...] = ()
    # test traffic kept out of every number (issue 14): aliases by name or id, versions, and
    # sessions that carried a session or request attribute KEY=VALUE on any turn
    exclude_aliases: tuple[str, ...] = ()
    exclude_versions: tuple[str, ...] = ()
    exclude_attributes: tuple[tuple[str, str], ...] = ()

    def is_empty(self) -> bool:
        return all(not getattr(self, f.name) for f in fields(self))


# filter field -> turns column it restricts
COLUMN_FILTERS = {
    "locales": "locale",
    "versions": "bot_version",
    "input_modes": "input_mode",
    "intents": "intent",
}


def to_utc(moment) -> Optional[pd.Timestamp]:
    """A timestamp in UTC; a naive one is taken as UTC."""
    if moment is None:
        return None
    stamp = pd.Timestamp(moment)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def filter_turn_mask(data: LogData, filters: Filters, table: Optional[pd.DataFrame] = None) -> pd.Series:
    """True for the turns (or the rows of ``table``, e.g. the server responses, which share the
    filtered columns) that pass every filter."""
    turns = data.turns if table is None else table
    mask = pd.Series(True, index=turns.index)
    if filters.since is not None:
        mask &= turns["time"] >= to_utc(filters.since)
    if filters.until is not None:
        mask &= turns["time"] < to_utc(filters.until)
    if filters.alias_names:  # an alias by name or by id (TSTALIASID)
        mask &= turns["alias_name"].isin(filters.alias_names) | turns["alias_id"].isin(filters.alias_names)
    if filters.bot_ids:  # a bot by id or by name, like an alias
        mask &= turns["bot_id"].isin(filters.bot_ids) | turns["bot_name"].isin(filters.bot_ids)
    for field_name, column in COLUMN_FILTERS.items():
        wanted = getattr(filters, field_name)
        if wanted:
            mask &= turns[column].isin(wanted)
    if filters.attribute_key:
        mask &= turns["session_key"].isin(sessions_with_attribute(data, filters))
    return mask & ~excluded_turn_mask(data, filters, table)


def excluded_turn_mask(data: LogData, filters: Filters, table: Optional[pd.DataFrame] = None) -> pd.Series:
    """True for the turns (or the rows of ``table``) the exclusions remove (test aliases,
    versions, tagged sessions)."""
    turns = data.turns if table is None else table
    mask = pd.Series(False, index=turns.index)
    if filters.exclude_aliases:
        mask |= turns["alias_name"].isin(filters.exclude_aliases) | turns["alias_id"].isin(filters.exclude_aliases)
    if filters.exclude_versions:
        mask |= turns["bot_version"].isin(filters.exclude_versions)
    if filters.exclude_attributes:
        mask |= turns["session_key"].isin(sessions_tagged(data, filters.exclude_attributes))
    return mask


def sessions_tagged(data: LogData, pairs: tuple[tuple[str, str], ...]) -> pd.Index:
    """Sessions in which any turn carried one of the (key, value) pairs as a session or request attribute."""
    hits = []
    for table in (data.attributes, data.request_attributes):
        keys, values = table["key"].astype(str).to_numpy(), table["value"].astype(str).to_numpy()
        chosen = pd.Series(False, index=table.index)
        for key, value in pairs:
            chosen |= (keys == key) & (values == value)
        hits.append(table.loc[chosen.to_numpy(), "turn"])
    turn_ids = pd.concat(hits, ignore_index=True)
    sessions = data.turns.loc[data.turns["turn"].isin(turn_ids), "session_key"]
    return pd.Index(pd.unique(sessions))


def count_excluded(data: LogData, filters: Filters) -> int:
    """How many turns of ``data`` the exclusions remove."""
    return int(excluded_turn_mask(data, filters).sum())


def sessions_with_attribute(data: LogData, filters: Filters) -> pd.Index:
    """Sessions in which the attribute key ever held one of the wanted values (any value if none)."""
    attributes = data.attributes[data.attributes["key"] == filters.attribute_key]
    if filters.attribute_values:
        attributes = attributes[attributes["value"].isin(filters.attribute_values)]
    sessions = data.turns["session_key"].to_numpy()[attributes["turn"].to_numpy()] \
        if is_positional(data) else data.turns.set_index("turn").loc[attributes["turn"], "session_key"]
    return pd.Index(pd.unique(pd.Series(sessions)))


def is_positional(data: LogData) -> bool:
    """Turn ids equal row positions (true for a fresh load, not for a filtered one)."""
    turns = data.turns["turn"]
    return len(turns) == 0 or (turns.iloc[0] == 0 and turns.iloc[-1] == len(turns) - 1)


def apply_filters(data: LogData, filters: Filters) -> LogData:
    """The data restricted to the turns that pass ``filters`` (side tables follow)."""
    if filters.is_empty():
        return data
    responses = data.server_responses
    if len(responses):
        responses = responses[filter_turn_mask(data, filters, responses).to_numpy()]
    return data.with_turns(data.turns[filter_turn_mask(data, filters).to_numpy()], server_responses=responses)


def describe_values(data: LogData) -> dict:
    """What the data holds, to say what filters could select: bots [(name, id)], aliases,
    locales, versions (sorted) and the first and last time (None when empty)."""
    turns = data.turns
    bots = sorted(set(zip(turns["bot_name"].astype(str), turns["bot_id"].astype(str))))
    values = {column: sorted(str(v) for v in pd.unique(turns[column].astype(str)) if str(v))
              for column in ("alias_name", "locale", "bot_version")}
    return {"bots": bots, "aliases": values["alias_name"], "locales": values["locale"],
            "versions": values["bot_version"], "first": turns["time"].min() if len(turns) else None,
            "last": turns["time"].max() if len(turns) else None}
