"""Sentiment of user turns: Lex's own label where the alias had sentiment analysis on,
else VADER's compound score of the transcript, labelled as VADER (never mixed silently).

VADER thresholds follow its authors: compound >= 0.05 positive, <= -0.05 negative.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Callable, Optional

import numpy as np
import pandas as pd
from lexlens.analytics.schema import text_values

VADER_POSITIVE = 0.05
VADER_NEGATIVE = -0.05
# VADER scores at most this many characters of a transcript: Lex takes at most 1,024
# characters of text per turn (RecognizeText ``text``, length 1-1024:
# https://docs.aws.amazon.com/lexv2/latest/APIReference/API_runtime_RecognizeText.html),
# so a longer "transcript" is not a real one, and scoring all of it could take minutes.
VADER_MAX_CHARS = 1024


DEFINITIONS = {  # the user-facing text of each metric here: README, dashboard and --help use it
    "Sentiment": (
        "Lex's own `sentimentResponse` of the first interpretation carrying one, when present; "
        "otherwise VADER's compound score of the transcript (>= 0.05 positive, <= -0.05 "
        "negative, else neutral; its first 1,024 characters, Lex's limit on a turn's text), "
        "labelled VADER. The two sources are shown apart, never mixed silently."),
}


@lru_cache(maxsize=1)
def vader_analyzer():
    """Created lazily: loading VADER's lexicon takes a noticeable fraction of a second."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def vader_label(compound: float) -> str:
    if compound >= VADER_POSITIVE:
        return "POSITIVE"
    if compound <= VADER_NEGATIVE:
        return "NEGATIVE"
    return "NEUTRAL"


class ScoreMemo:
    """VADER compound scores by text, so that each distinct text is scored once per process
    (a filter change in the dashboard scores nothing it scored before) and, with ``save``
    (``analytics.store.scores``), once per store: ``save`` receives what was learned."""

    def __init__(self, known: Optional[dict] = None, save: Optional[Callable[[dict], None]] = None):
        self.known = dict(known or {})
        self.learned: dict = {}
        self.save = save

    def scores(self, texts) -> dict:
        """{text: compound} for ``texts`` (distinct), scoring only the ones not known."""
        analyzer = vader_analyzer()
        known = self.known
        for text in texts:
            if text not in known:
                known[text] = self.learned[text] = analyzer.polarity_scores(text[:VADER_MAX_CHARS])["compound"]
        return known

    def flush(self) -> None:
        """Hand what was learned to ``save`` (if any), once."""
        if self.learned and self.save is not None:
            learned, self.learned = self.learned, {}
            self.save(learned)


PROCESS_MEMO = ScoreMemo()  # this process's memo, when a caller gives none


def vader_scoring() -> str:
    """What a VADER score depends on besides the text: the library's version and how much of
    the text it reads (the name under which a store keeps scores)."""
    from importlib import metadata

    try:
        version = metadata.version("vaderSentiment")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return f"vader-{version}-{VADER_MAX_CHARS}"


def vader_pending(turns: pd.DataFrame) -> pd.DataFrame:
    """[turn, transcript] of the turns VADER scores: utterances without a Lex sentiment (only
    the two columns taken: a million rows of every column took 0.08 s)."""
    return turns.loc[turns["is_utterance"] & (turns["lex_sentiment"] == ""), ["turn", "transcript"]]


def compute_vader_scores(turns: pd.DataFrame, memo: Optional[ScoreMemo] = None) -> pd.DataFrame:
    """[turn, compound, sentiment] for utterances without a Lex sentiment; each distinct
    text is scored once, on its first VADER_MAX_CHARS characters (``memo``: the scores
    known already; default this process's)."""
    pending = vader_pending(turns)
    if pending.empty:
        return pd.DataFrame({"turn": pd.Series(dtype="int64"),
                             "compound": pd.Series(dtype="float64"),
                             "sentiment": pd.Series(dtype="object")})
    memo = PROCESS_MEMO if memo is None else memo
    codes, texts = pd.factorize(pending["transcript"].to_numpy(dtype=object))
    known = memo.scores(texts)
    memo.flush()
    distinct = np.fromiter((known[text] for text in texts), dtype="float64", count=len(texts))
    labels = np.asarray([vader_label(value) for value in distinct], dtype=object)
    return pd.DataFrame({"turn": pending["turn"].to_numpy(), "compound": distinct[codes],
                         "sentiment": labels[codes]})


def compute_sentiment_summary(turns: pd.DataFrame, vader_scores: pd.DataFrame | None = None) -> pd.DataFrame:
    """[source, sentiment, turns, share]: Lex labels and VADER labels as separate sources;
    share is within the source. ``vader_scores``: ``compute_vader_scores(turns)`` when at hand."""
    lex = text_values(turns["lex_sentiment"][turns["lex_sentiment"] != ""])
    vader = (compute_vader_scores(turns) if vader_scores is None else vader_scores)["sentiment"]
    parts = []
    for source, labels in (("Lex", lex), ("VADER", vader)):
        counts = labels.value_counts()
        if counts.empty:
            continue
        part = counts.rename_axis("sentiment").reset_index(name="turns")
        part.insert(0, "source", source)
        part["share"] = part["turns"] / part["turns"].sum()
        parts.append(part)
    if not parts:
        return pd.DataFrame({"source": [], "sentiment": [], "turns": [], "share": []})
    return pd.concat(parts, ignore_index=True)
