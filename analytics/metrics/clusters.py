"""Group similar missed and low-confidence utterances (``report.testset`` exports them).

Method (chosen to be light and dependable): each distinct utterance is normalised (Unicode
NFKC, lower case, digits as 0, punctuation as spaces), described by its words plus the
character 3-grams of each word padded with spaces, weighted TF-IDF (sublinear tf, smoothed
idf, L2 norm), and grouped by the *leader* algorithm: utterances are taken most frequent
first; each joins the most similar existing leader if the cosine similarity reaches the
threshold (default 0.5), else it becomes a new leader. Why: character n-grams absorb typos,
plurals and speech-to-text variants that word matching misses; leader clustering is
deterministic (same input, same clusters), needs no number of clusters, cannot chain
unrelated utterances together the way single-link merging does, and names each cluster by its
most frequent utterance. No model download, numpy only; cost grows with texts x leaders, so
only the ``max_texts`` most frequent distinct utterances (default 2,000) are clustered and the
rest are counted as unclustered. Embedding models would group paraphrases better but need a
download and a GPU-friendly runtime the dashboard cannot assume.
"""
from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pandas as pd

from lexlens.analytics.metrics.arrays import as_values, value_codes
from lexlens.analytics.schema import FALLBACK_INTENT, LogData
from lexlens.analytics.text.normalise import similarity_texts

LOW_CONFIDENCE = 0.4
SIMILARITY = 0.5
MAX_TEXTS = 2000
SUGGESTION_MIN_SHARE = 0.7  # below this share a suggested intent is not offered as the default
GROUP = ["bot_id", "locale"]  # clusters never mix bots or locales: their intents differ

DEFINITIONS = {
    "Utterance clusters": (
        "Missed utterances, and utterances whose top nluConfidence is below the "
        "low-confidence threshold (default 0.4), of one bot and locale (never mixed: the same "
        "words mean different things to different bots), grouped by spelling similarity: words and "
        "character 3-grams weighted TF-IDF, cosine similarity of at least the similarity "
        "threshold (default 0.5) to the cluster's leader, its most frequent utterance. Only the "
        "2,000 most frequent distinct utterances are clustered."),
    "Suggested intent": (
        "The intent most often found as the best non-fallback interpretation of the cluster's "
        "utterances (Lex's runner-up for a missed utterance); its share of the cluster's turns "
        "says how sure the suggestion is. Lex's runner-up for an utterance it missed is often "
        "noise, so a suggestion below a 70% share is shown but never used as a default. A "
        "suggestion, not a verdict: check it before adding utterances to an intent."),
    "Trend": "Turns of the cluster per calendar week (weeks start on Monday, UTC).",
}


def select_candidates(data: LogData, low_confidence: float = LOW_CONFIDENCE) -> pd.DataFrame:
    """Utterance turns to cluster: turn, time, session_id, bot_id, bot_name, locale,
    transcript, text (normalised), kind."""
    t = data.turns
    missed = t["missed"].to_numpy()
    low = t["nlu_confidence"].to_numpy() < low_confidence
    keep = t["is_utterance"].to_numpy() & (missed | low)
    chosen = t.loc[keep, ["turn", "time", "session_id", "bot_id", "bot_name", "locale", "transcript"]]
    raw = pd.Series(as_values(chosen["transcript"]))
    distinct = raw.drop_duplicates()
    norm = pd.Series(similarity_texts(distinct).to_numpy(), index=distinct.to_numpy())
    frame = pd.DataFrame({
        "turn": chosen["turn"].to_numpy(), "time": chosen["time"].array,
        "session_id": as_values(chosen["session_id"]), "bot_id": as_values(chosen["bot_id"]),
        "bot_name": as_values(chosen["bot_name"]), "locale": as_values(chosen["locale"]),
        "transcript": raw.to_numpy(),
        "text": norm.reindex(raw.to_numpy()).to_numpy(),
        "kind": np.where(missed[keep], "missed", "low confidence"),
    })
    return frame[frame["text"] != ""].reset_index(drop=True)


def describe_text(text: str) -> Counter:
    """Features of one normalised text: its words and the 3-grams of ' word '."""
    words = text.split()
    grams = Counter(words)
    for word in words:
        padded = f" {word} "
        grams.update(padded[i:i + 3] for i in range(len(padded) - 2))
    return grams


def vectorise(texts: list[str]) -> tuple[list[np.ndarray], list[np.ndarray], int]:
    """Sparse TF-IDF rows (feature ids, L2-normalised weights) over features shared by >= 2
    texts (others cannot raise a similarity but still count in each row's norm)."""
    described = [describe_text(text) for text in texts]
    df = Counter(gram for grams in described for gram in grams)
    shared = {gram: i for i, gram in enumerate(g for g, n in df.items() if n >= 2)}
    n = len(texts)
    ids, weights = [], []
    for grams in described:
        w = {g: (1 + math.log(c)) * (math.log((1 + n) / (1 + df[g])) + 1) for g, c in grams.items()}
        norm = math.sqrt(sum(v * v for v in w.values())) or 1.0
        keep = [g for g in w if g in shared]
        ids.append(np.array([shared[g] for g in keep], dtype=np.int64))
        weights.append(np.array([w[g] / norm for g in keep], dtype=np.float32))
    return ids, weights, len(shared)


def assign_leaders(texts: list[str], threshold: float = SIMILARITY) -> np.ndarray:
    """Leader clustering of ``texts`` (already in priority order): leader index per text."""
    ids, weights, width = vectorise(texts)
    leaders = np.zeros((max(width, 1), 64), dtype=np.float32)  # feature-major: rows gather fast
    owner, count = np.empty(len(texts), dtype=np.int64), 0
    for i, (idx, w) in enumerate(zip(ids, weights)):
        if count and len(idx):
            sims = w @ leaders[idx, :count]
            best = int(np.argmax(sims))
            if sims[best] >= threshold:
                owner[i] = best
                continue
        if count == leaders.shape[1]:
            leaders = np.concatenate([leaders, np.zeros_like(leaders)], axis=1)
        leaders[idx, count] = w
        owner[i], count = count, count + 1
    return owner


def suggest_intents(data: LogData, turns: pd.Series) -> pd.Series:
    """Per turn: its best interpretation that is a real intent ('' when none)."""
    interp = data.interpretations
    codes, names = value_codes(interp["intent"])  # each name judged once ('' for a missing one)
    real = interp[interp["turn"].isin(turns).to_numpy() & ~np.isin(names, [FALLBACK_INTENT, ""])[codes]]
    best = real.sort_values(["turn", "rank"]).drop_duplicates("turn")
    by_turn = pd.Series(as_values(best["intent"]), index=best["turn"].to_numpy())
    return by_turn.reindex(turns.to_numpy()).fillna("").reset_index(drop=True)


def cluster_utterances(data: LogData, low_confidence: float = LOW_CONFIDENCE,
                       threshold: float = SIMILARITY, max_texts: int = MAX_TEXTS) -> pd.DataFrame:
    """Candidate turns (see ``select_candidates``) with ``cluster`` (0 = largest; -1 = not
    clustered, beyond the ``max_texts`` most frequent texts of its bot and locale) and
    ``suggested_intent`` columns. Each bot and locale is clustered on its own."""
    members = select_candidates(data, low_confidence)
    owners, sizes = [], []  # per (group, text): a group-wide leader id, and the cluster sizes
    for group, part in members.groupby(GROUP, sort=True):
        counts = part["text"].value_counts()
        ranked = counts.reset_index().sort_values(["count", "text"], ascending=[False, True])
        texts = ranked["text"].head(max_texts).tolist()
        owner = assign_leaders(texts, threshold)
        leader_size = pd.Series(counts.reindex(texts).to_numpy()).groupby(owner).sum()
        owners.append(pd.DataFrame({"bot_id": group[0], "locale": group[1], "text": texts,
                                    "leader": [(group, o) for o in owner]}))
        sizes += [((group, leader), size) for leader, size in leader_size.items()]
    # number clusters by size over every group (0 = largest), ties in group and leader order
    order = sorted(range(len(sizes)), key=lambda i: -sizes[i][1])
    number = {sizes[i][0]: rank for rank, i in enumerate(order)}
    if owners:
        table = pd.concat(owners, ignore_index=True)
        table["cluster"] = table["leader"].map(number)
        keyed = members.merge(table[["bot_id", "locale", "text", "cluster"]], on=["bot_id", "locale", "text"],
                              how="left")
        members["cluster"] = keyed["cluster"].fillna(-1).astype("int64").to_numpy()
    else:
        members["cluster"] = pd.Series(dtype="int64")
    members["suggested_intent"] = suggest_intents(data, members["turn"]).to_numpy()
    return members


def summarise_clusters(members: pd.DataFrame, examples: int = 5) -> pd.DataFrame:
    """One row per cluster: cluster, bot_id, bot_name, locale, label, turns, texts, missed,
    low_confidence, sessions, examples (list of the most frequent transcripts), first_seen,
    last_seen, suggested_intent, suggested_share; largest first."""
    columns = ["bot_id", "bot_name", "locale", "label", "turns", "texts", "missed", "low_confidence",
               "sessions", "examples", "first_seen", "last_seen", "suggested_intent", "suggested_share"]
    m = members[members["cluster"] >= 0]
    if m.empty:
        return pd.DataFrame(columns=["cluster"] + columns)
    m = m.assign(is_missed=m["kind"] == "missed")
    table = m.groupby("cluster").agg(bot_id=("bot_id", "first"), bot_name=("bot_name", "first"),
                       locale=("locale", "first"), turns=("turn", "size"), texts=("text", "nunique"),
                       missed=("is_missed", "sum"),
                       sessions=("session_id", "nunique"), first_seen=("time", "min"),
                       last_seen=("time", "max"))
    table["low_confidence"] = table["turns"] - table["missed"]
    freq = m.groupby(["cluster", "transcript"]).size().rename("n").reset_index()
    freq = freq.sort_values(["cluster", "n", "transcript"], ascending=[True, False, True])
    table["examples"] = freq.groupby("cluster")["transcript"].apply(lambda s: list(s[:examples]))
    table["label"] = table["examples"].str[0]
    votes = m[m["suggested_intent"] != ""].groupby(["cluster", "suggested_intent"]).size()
    votes = votes.rename("n").reset_index().sort_values(["cluster", "n", "suggested_intent"],
                                                        ascending=[True, False, True])
    top = votes.drop_duplicates("cluster").set_index("cluster")
    table["suggested_intent"] = top["suggested_intent"].reindex(table.index).fillna("")
    table["suggested_share"] = (top["n"].reindex(table.index).fillna(0) / table["turns"])
    return table[columns].reset_index().sort_values("cluster", ignore_index=True)


def compute_cluster_trend(members: pd.DataFrame) -> pd.DataFrame:
    """Turns per cluster per week: columns cluster, week (Monday, UTC date), turns."""
    m = members[members["cluster"] >= 0]
    day = pd.DatetimeIndex(m["time"]).tz_convert("UTC").tz_localize(None).normalize()
    week = day - pd.to_timedelta(day.day_of_week, unit="D")
    trend = pd.DataFrame({"cluster": m["cluster"].to_numpy(), "week": week.date})
    return trend.value_counts().rename("turns").reset_index().sort_values(
        ["cluster", "week"], ignore_index=True)


def list_cluster_utterances(members: pd.DataFrame, cluster: int) -> list[str]:
    """The distinct transcripts of one cluster, most frequent first (e.g. for the writer)."""
    mine = members.loc[members["cluster"] == cluster, "transcript"].str.strip()
    counts = mine[mine != ""].value_counts()
    return sorted(counts.index, key=lambda text: (-counts[text], text))


def default_intents(clusters: pd.DataFrame, min_share: float = SUGGESTION_MIN_SHARE) -> dict[int, str]:
    """cluster -> its suggested intent, where the suggestion's share is at least ``min_share``."""
    strong = clusters[(clusters["suggested_intent"] != "") & (clusters["suggested_share"] >= min_share)]
    return dict(zip(strong["cluster"], strong["suggested_intent"]))
