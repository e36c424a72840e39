"""Shares of turns by a category: input mode (modality) and Lex's own sentiment label."""
from __future__ import annotations

import numpy as np
import pandas as pd

from lexlens.analytics.schema import text_values

SENTIMENT_LABELS = ["POSITIVE", "NEUTRAL", "NEGATIVE", "MIXED"]


DEFINITIONS = {  # the user-facing text of each metric here: README, dashboard and --help use it
    "Modality": "Turns per input mode: Text, Speech, DTMF (Unknown when the record had none).",
}


def share_table(values: pd.Series, name: str) -> pd.DataFrame:
    """[name, turns, share] for each value, most frequent first."""
    codes = values.cat.codes.to_numpy() if isinstance(values.dtype, pd.CategoricalDtype) else None
    if codes is not None and (codes >= 0).all():  # counted by code: no text made per row
        names = np.asarray(values.cat.categories.astype(object), dtype=object)
        counts = pd.Series(np.bincount(codes, minlength=len(names)), index=pd.Index(names, dtype=object))
    else:
        counts = text_values(values).value_counts()
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
