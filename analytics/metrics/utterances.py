"""Utterances: the most frequent ones, missed utterances, and the message history.

Utterance: a turn with a non-empty inputTranscript. Missed utterance: a turn with
missedUtterance true. Texts are grouped after trimming and collapsing spaces,
case-insensitively; the most frequent spelling is shown.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from lexlens.analytics.schema import order_by_session, text_values
from lexlens.analytics.text.normalise import utterance_key

# Lex's slot obfuscation writes a slot's value as its name in braces, e.g. "{dateOfBirth}",
# and the whole utterance so when it cannot find the value in it:
# https://docs.aws.amazon.com/lexv2/latest/dg/monitoring-obfuscate.html
OBFUSCATED = re.compile(r"^\s*\{[A-Za-z][A-Za-z0-9_]*\}\s*$")

HISTORY_COLUMNS = ["time", "session_id", "transcript", "intent", "intent_state", "missed",
                   "input_mode", "turn", "session_key"]


DEFINITIONS = {  # the user-facing text of each metric here: README, dashboard and --help use it
    "Missed by previous intent": (
        "For each missed utterance, the intent the session was in just before it ('(session "
        "start)' on a first turn): where users get lost."),
    "Top utterances": (
        "Utterances grouped after trimming and collapsing spaces, case-insensitively; the most "
        "frequent spelling is shown."),
    "Obfuscated utterances": (
        "With slot obfuscation on, Lex logs a slot's value as the slot's name in braces "
        "('{dateOfBirth}'), and the whole utterance so when it cannot find the value in it. "
        "Such an utterance says which slot was asked, not what people said: it is marked "
        "'obfuscated by Lex' and listed after every other one, whatever its count."),
    "Message history": "Turns with a transcript (or every missed turn), newest first.",
}


def is_obfuscated(text: str) -> bool:
    """The whole utterance is a slot name Lex put in place of what the user said."""
    return "{" in text and OBFUSCATED.match(text) is not None  # most texts have no brace


def top_utterances(turns: pd.DataFrame, n: int | None = 10, missed_only: bool = False) -> pd.DataFrame:
    """[utterance, count, obfuscated] ordered by count (descending) then text, utterances Lex
    obfuscated ('{dateOfBirth}') last: they say which slot was asked, not what people said;
    ``n`` None means all."""
    table, = ranked_utterance_lists(turns, (missed_only,))
    return table.head(n).reset_index(drop=True) if n else table


def top_utterances_and_missed(turns: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``top_utterances(turns, None)`` and ``top_utterances(turns, None, missed_only=True)``,
    the texts hashed and keyed once for both (the report shows both lists)."""
    every, missed = ranked_utterance_lists(turns, (False, True))
    return every, missed


def ranked_utterance_lists(turns: pd.DataFrame, missed_only: tuple[bool, ...]) -> list[pd.DataFrame]:
    """The whole ranked list of utterances for each of ``missed_only`` (missed ones only, or
    all), from one count of the raw texts and one ``utterance_key`` per distinct text."""
    missed = turns["missed"].to_numpy()
    chosen = turns["is_utterance"].to_numpy() & (missed if all(missed_only) else True)
    codes, texts = pd.factorize(turns["transcript"].to_numpy(dtype=object)[chosen])  # raw texts first: cheap
    keys = [utterance_key(text) for text in texts.tolist()]
    counted = codes >= 0  # a missing text (never an utterance's) is not counted
    tables = []
    for only_missed in missed_only:
        counts = np.bincount(codes[counted & missed[chosen] if only_missed else counted], minlength=len(texts))
        seen = np.flatnonzero(counts)
        exact = pd.Series(counts[seen], index=pd.Index(texts[seen], dtype=object), name="count")
        tables.append(rank_utterances(exact, None, keys=[keys[i] for i in seen]))
    return tables


def rank_utterances(exact: pd.Series, n: int | None = 10, keys: list[str] | None = None) -> pd.DataFrame:
    """``top_utterances`` of raw texts already counted (``exact``: text -> count), as both engines
    finalize them (``metrics.finalize``); ``keys``: their ``utterance_key``s when known."""
    if exact.empty:
        return pd.DataFrame({"utterance": pd.Series(dtype="object"), "count": pd.Series(dtype="int64"),
                             "obfuscated": pd.Series(dtype="bool")})
    table = exact.rename_axis("text").reset_index(name="count")
    # over a list: walking pandas' string dtype makes each str anew (54k texts: 0.085 against 0.043 s)
    table["key"] = keys if keys is not None else [utterance_key(text) for text in table["text"].tolist()]
    table = table.sort_values(["count", "text"], ascending=[False, True], kind="stable")
    grouped = table.groupby("key", sort=False).agg(utterance=("text", "first"), count=("count", "sum"))
    grouped["obfuscated"] = [is_obfuscated(text) for text in grouped["utterance"].tolist()]
    grouped = grouped.sort_values(["obfuscated", "count", "utterance"], ascending=[True, False, True], kind="stable")
    result = grouped.reset_index(drop=True)
    return (result.head(n) if n else result).reset_index(drop=True)


def missed_by_previous_intent(turns: pd.DataFrame) -> pd.DataFrame:
    """[previous_intent, missed, share]: for each missed utterance, the intent the session
    was in just before it ('(session start)' when it was the first turn). This shows where
    users get lost, which a count per FallbackIntent cannot."""
    ordered = order_by_session(turns)
    previous = text_values(ordered["intent"]).shift()
    first = ~ordered["session_key"].eq(ordered["session_key"].shift())
    previous = previous.where(~first, "(session start)").replace("", "(no intent)")
    missed = previous[ordered["missed"].to_numpy()]
    if missed.empty:
        return pd.DataFrame({"previous_intent": pd.Series(dtype="object"),
                             "missed": pd.Series(dtype="int64"), "share": pd.Series(dtype="float64")})
    table = missed.value_counts().rename_axis("previous_intent").reset_index(name="missed")
    table["share"] = table["missed"] / table["missed"].sum()
    return table.sort_values(["missed", "previous_intent"], ascending=[False, True],
                             kind="stable").reset_index(drop=True)


def message_history(turns: pd.DataFrame, missed_only: bool = False,
                    limit: int | None = None) -> pd.DataFrame:
    """HISTORY_COLUMNS, newest first: the turns with a transcript (or all missed ones)."""
    selected = turns[turns["missed"]] if missed_only else turns[turns["is_utterance"]]
    history = selected.sort_values(["time", "turn"], ascending=[False, False], kind="stable")
    history = history[HISTORY_COLUMNS]
    return (history.head(limit) if limit else history).reset_index(drop=True)
