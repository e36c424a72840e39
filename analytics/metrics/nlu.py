"""NLU health: confidence per intent, near misses, intent confusion, the switched-intent matrix.

nluConfidence is Lex's score of an interpretation (0..1); Lex returns the top interpretation
first, then alternatives (``interpretations[]`` in the conversation log). See
https://docs.aws.amazon.com/lexv2/latest/dg/using-transcript-confidence-scores.html and the
runtime ``Interpretation`` type.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from lexlens.analytics.schema import FALLBACK_INTENT, LogData, positions_of, text_values

NEAR_MISS_CONFIDENCE = 0.5
NEAR_MISS_MARGIN = 0.1
MARGIN_DECIMALS = 9  # far finer than the scores Lex writes (such as 0.85), far coarser than float noise

DEFINITIONS = {
    "Confidence distribution": (
        "nluConfidence of Lex's top interpretation, per top intent, over the turns that carry "
        "one (FallbackIntent and many alternatives carry none)."),
    "Near miss": (
        "A turn whose top interpretation is a real intent (not FallbackIntent) but with "
        "nluConfidence below the confidence threshold (default 0.5), or less than the margin "
        "threshold (default 0.1) above the runner-up's confidence: the bot nearly chose "
        "otherwise. Listed with its session so you can read it in context."),
    "Intent confusion": (
        "Pairs of real intents where one is the runner-up (second interpretation) of the "
        "other. 'a_then_b' counts turns with A on top and B second, 'b_then_a' the reverse; "
        "pairs are ranked by the smaller of the two (how often they are each other's "
        "runner-up), then by the total. FallbackIntent is left out: Lex lists it among the "
        "alternatives of almost every turn."),
    "Switched-intent matrix": (
        "For intent attempts with outcome Switched: the intent the user left (rows) and the "
        "one the bot moved to (columns), counted."),
}


def recode(column: pd.Series, names: pd.Index) -> np.ndarray:
    """Codes of a categorical column in ``names`` (-1 for missing)."""
    column = column.astype("category")
    lookup = np.append(names.get_indexer(column.cat.categories), -1)
    return lookup[column.cat.codes.to_numpy()]


def label_top_codes(data: LogData) -> tuple[np.ndarray, pd.Index]:
    """Per turn (``data.turns`` order): code of the top interpretation's intent, else of
    ``intent``; and the names the codes index (ints all the way: no string work per turn)."""
    t, interp = data.turns, data.interpretations
    top = interp[interp["rank"].to_numpy() == 0]
    names = pd.Index(sorted({str(x) for column in (t["intent"], t["runner_up_intent"], top["intent"])
                             for x in column.astype("category").cat.categories} | {""}))
    codes = recode(t["intent"], names)
    where = positions_of(t["turn"].to_numpy(), top["turn"].to_numpy())
    top_codes = recode(top["intent"], names)
    ok = (where >= 0) & (top_codes >= 0) & (top_codes != names.get_loc(""))
    codes[where[ok]] = top_codes[ok]
    return codes, names


def label_top_intents(data: LogData) -> np.ndarray:
    """Per turn (in ``data.turns`` order): the top interpretation's intent, else ``intent``."""
    codes, names = label_top_codes(data)
    return np.append(names.to_numpy(dtype=object), "")[codes]


def scored_turns(data: LogData, extra: bool = True) -> pd.DataFrame:
    """Turns whose top interpretation is a real intent with a confidence: turn, intent (top),
    nlu_confidence, runner_up_intent, runner_up_confidence, margin; with ``extra`` also
    session_key, session_id, time, transcript. Intent columns are categoricals."""
    t = data.turns
    codes, names = label_top_codes(data)
    confidence = t["nlu_confidence"].to_numpy()
    skip = names.get_indexer([FALLBACK_INTENT, ""])
    rows = np.flatnonzero(~np.isnan(confidence) & ~np.isin(codes, skip) & (codes >= 0))
    second = recode(t["runner_up_intent"], names)[rows]
    frame = pd.DataFrame({
        "turn": t["turn"].to_numpy()[rows],
        "intent": pd.Categorical.from_codes(codes[rows], categories=names),
        "nlu_confidence": confidence[rows],
        "runner_up_intent": pd.Categorical.from_codes(np.where(second < 0, names.get_loc(""), second),
                                                      categories=names),
        "runner_up_confidence": t["runner_up_confidence"].to_numpy()[rows],
    })
    # rounded off the binary noise of a difference: 0.6 - 0.5 is 0.09999999999999998, which
    # read as a margin under 0.1 and was written so into CSVs
    frame["margin"] = (frame["nlu_confidence"] - frame["runner_up_confidence"]).round(MARGIN_DECIMALS)
    if extra:
        for column in ("session_key", "session_id", "time", "transcript"):
            frame[column] = t[column].iloc[rows].reset_index(drop=True)
    return frame


def compute_confidence_distribution(data: LogData) -> pd.DataFrame:
    """Per top intent: turns, mean, p10, p25, median, p75, p90, min; most turns first."""
    scored = scored_turns(data, extra=False)
    groups = scored.groupby("intent", observed=True)["nlu_confidence"]
    table = groups.agg(turns="size", mean="mean", min="min")
    for name, q in (("p10", .1), ("p25", .25), ("median", .5), ("p75", .75), ("p90", .9)):
        table[name] = groups.quantile(q)
    table = table[["turns", "mean", "p10", "p25", "median", "p75", "p90", "min"]].reset_index()
    table["intent"] = text_values(table["intent"])
    return table.sort_values(["turns", "intent"], ascending=[False, True], ignore_index=True)


def compute_confidence_histogram(data: LogData, bins: int = 10) -> pd.DataFrame:
    """Per top intent and confidence bin [low, high): columns intent, low, high, turns."""
    scored = scored_turns(data, extra=False)
    index = np.minimum((scored["nlu_confidence"].to_numpy() * bins).astype(int), bins - 1)
    counts = pd.DataFrame({"intent": text_values(scored["intent"]), "bin": index}).value_counts().rename("turns")
    counts = counts.reset_index().sort_values(["intent", "bin"], ignore_index=True)
    counts["low"], counts["high"] = counts["bin"] / bins, (counts["bin"] + 1) / bins
    return counts[["intent", "low", "high", "turns"]]


def top_near_misses(data: LogData, min_confidence: float = NEAR_MISS_CONFIDENCE,
                    min_margin: float = NEAR_MISS_MARGIN) -> pd.DataFrame:
    """Near-miss turns (see DEFINITIONS), smallest margin first; columns of ``scored_turns``
    plus reason ('low confidence', 'small margin' or both joined by ' + ')."""
    scored = scored_turns(data, extra=False)
    # a threshold from a slider (0.30000000000000004) is rounded as the margins are
    min_confidence, min_margin = round(min_confidence, MARGIN_DECIMALS), round(min_margin, MARGIN_DECIMALS)
    low = scored["nlu_confidence"] < min_confidence
    close = (scored["margin"] < min_margin) & (scored["runner_up_intent"] != FALLBACK_INTENT)
    reason = np.select([low & close, low, close], ["low confidence + small margin",
                                                   "low confidence", "small margin"], "")
    misses = scored.assign(reason=reason)[(low | close).to_numpy()].reset_index(drop=True)
    rows = positions_of(data.turns["turn"].to_numpy(), misses["turn"].to_numpy())
    for column in ("session_key", "session_id", "time", "transcript"):
        misses[column] = data.turns[column].iloc[rows].reset_index(drop=True)
    return misses.sort_values(["margin", "nlu_confidence", "turn"], na_position="last",
                              ignore_index=True)


def compute_confusion_pairs(data: LogData, min_count: int = 1) -> pd.DataFrame:
    """Intent pairs often each other's runner-up: columns intent_a, intent_b (a < b), a_then_b,
    b_then_a, total, mutual (min of the two), mean_margin; most confused first."""
    scored = scored_turns(data, extra=False)
    top, second = scored["intent"].array, scored["runner_up_intent"].array
    names = np.asarray(top.categories, dtype=object)
    skip = top.categories.get_indexer([FALLBACK_INTENT, ""])
    keep = ~np.isin(second.codes, skip) & (second.codes != top.codes)
    x, y = top.codes[keep].astype(np.int64), second.codes[keep].astype(np.int64)
    a, b = np.minimum(x, y), np.maximum(x, y)  # names are sorted: code order is name order
    pair, index = np.unique(a * max(len(names), 1) + b, return_inverse=True)
    margin = scored["margin"].to_numpy()[keep]
    total = np.bincount(index, minlength=len(pair))
    table = pd.DataFrame({
        "intent_a": names[pair // max(len(names), 1)],
        "intent_b": names[pair % max(len(names), 1)],
        "a_then_b": np.bincount(index, weights=(x == a), minlength=len(pair)).astype(np.int64),
        "total": total,
        "mean_margin": (np.bincount(index, weights=np.nan_to_num(margin), minlength=len(pair))
                        / np.maximum(np.bincount(index, weights=~np.isnan(margin), minlength=len(pair)), 1)
                        ).round(MARGIN_DECIMALS),  # a mean, as its margins: no binary noise
    })
    table["b_then_a"] = table["total"] - table["a_then_b"]
    table["mutual"] = np.minimum(table["a_then_b"], table["b_then_a"])
    table = table[["intent_a", "intent_b", "a_then_b", "b_then_a", "total", "mutual", "mean_margin"]]
    table = table[table["total"] >= min_count]
    return table.sort_values(["mutual", "total", "intent_a", "intent_b"],
                             ascending=[False, False, True, True], ignore_index=True)


def compute_switch_matrix(attempts: pd.DataFrame) -> pd.DataFrame:
    """Switched attempts counted by intent left (index) and intent moved to (columns)."""
    switched = attempts[attempts["outcome"] == "Switched"]
    matrix = pd.crosstab(switched["intent"], switched["next_intent"])
    return matrix.rename_axis(index="from_intent", columns="to_intent")
