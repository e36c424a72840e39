"""How lexlens compares texts, said once: ``collapse_spaces`` tidies a text (trimmed, each run of
whitespace one space); ``utterance_key`` is the identity of an utterance (tidied, case-folded),
used wherever two utterances count as the same: top utterances, and the writer's duplicates;
``similarity_texts`` is the looser form clustering compares (digits and punctuation folded too).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the module itself needs no pandas: the writer's rules import it
    import pandas as pd


def collapse_spaces(text: str) -> str:
    """``text`` trimmed, with each run of whitespace made one space: the whitespace of
    str.split() and of the pattern ``\\s+`` alike (Unicode spaces, tabs, line breaks), split and
    joined four times faster than the pattern replaces it."""
    return " ".join(text.split())


def utterance_key(text: str) -> str:
    """What makes two utterances the same: ``collapse_spaces``, then case-folded."""
    return collapse_spaces(text).casefold()


def similarity_texts(texts: pd.Series) -> pd.Series:
    """The form clustering compares: NFKC, lower case, digits as 0, punctuation as single spaces
    ('{Slot}' and apostrophes kept), trimmed."""
    out = texts.astype(object).str.normalize("NFKC").str.lower()
    out = out.str.replace(r"\d", "0", regex=True).str.replace(r"[^\w{}']+", " ", regex=True)
    return out.str.strip()
