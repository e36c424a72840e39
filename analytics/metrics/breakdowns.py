"""Shares of turns by a category: input mode (modality) and Lex's own sentiment label."""
from __future__ import annotations

import numpy as np
import pandas as pd

from lexlens.analytics.schema import codes_and_texts

SENTIMENT_LABELS = ["POSITIVE", "NEUTRAL", "NEGATIVE", "MIXED"]


DEFINITIONS = {  # the user-facing text of each metric here: README, dashboard and --help use it
    "Modality": "Turns per input mode: Text, Speech, DTMF (Unknown when the record had none).",
}


def share_table(values: pd.Series, name: str) -> pd.DataFrame:
    """[name, turns, share] for each value, most frequent first."""
    codes, names = codes_and_texts(values)  # counted by code: a categorical makes no text per row
    counts = pd.Series(np.bincount(codes[codes >= 0], minlength=len(names)), index=pd.Index(names, dtype=object))
    counts = counts[counts > 0]
    total = counts.sum()
    table = counts.rename_axis(name).reset_index(name="turns")
    table["share"] = table["turns"] / total if total else 0.0
    return table.sort_values(["turns", name], ascending=[False, True], kind="stable") \
        .reset_index(drop=True)


def compute_modality(turns: pd.DataFrame) -> pd.DataFrame:
    """[input_mode, turns, share]: Text, Speech, DTMF (Unknown when the record had none)."""
    return share_table(turns["input_mode"], "input_mode")


def compute_lex_sentiment(turns: pd.DataFrame) -> pd.DataFrame:
    """[sentiment, turns, share] over the turns on which Lex reported a sentiment."""
    labelled = turns["lex_sentiment"][turns["lex_sentiment"] != ""]
    return share_table(labelled, "sentiment")
