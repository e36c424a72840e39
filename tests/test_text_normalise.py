"""How lexlens compares texts (lexlens.analytics.text.normalise), table-driven: one key for
"the same utterance", shared by the top-utterances grouping and the writer's duplicate rule."""
import pandas as pd
import pytest

from lex_records import load, record
from lexlens.analytics.metrics.utterances import top_utterances
from lexlens.analytics.text.normalise import collapse_spaces, similarity_texts, utterance_key
from lexlens.analytics.writer.rules import Candidate, TargetIntent, decide_candidates


@pytest.mark.parametrize("text, tidy, key", [
    ("", "", ""),
    ("   ", "", ""),
    ("book a hotel", "book a hotel", "book a hotel"),
    ("  Book   a\tHOTEL \n", "Book a HOTEL", "book a hotel"),
    ("no\u00a0break\u2003space", "no break space", "no break space"),  # Unicode spaces are spaces
    ("Straße", "Straße", "strasse"),  # casefold, not lower: ß compares equal to ss
])
def test_collapse_spaces_and_utterance_key(text, tidy, key):
    assert collapse_spaces(text) == tidy
    assert utterance_key(text) == key


def test_collapse_spaces_splits_on_what_the_pattern_matches():
    """Every character the pattern \\s matches (29 of them) and none other is a space to
    collapse_spaces, which splits rather than runs the pattern."""
    import re
    import sys

    pattern = re.compile(r"\s+")
    spaces = [c for c in map(chr, range(sys.maxunicode + 1)) if pattern.fullmatch(c)]
    assert len(spaces) == 29
    for c in spaces + ["\u200b", "\ufeff", "\x1b", "x", "\u180e"]:  # and lookalikes that are not
        for text in (f"{c}a{c}{c}b{c}", c, f"a{c}"):
            assert collapse_spaces(text) == pattern.sub(" ", text).strip(), repr(c)


@pytest.mark.parametrize("raw, expected", [
    ("Where is my parcel?", "where is my parcel"), ("  ORDER   #123 ", "order 000"),
    ("I'm {Name}", "i'm {name}"), ("ﬁne", "fine"), ("", "")])
def test_similarity_texts(raw, expected):
    assert similarity_texts(pd.Series([raw])).tolist() == [expected]


SPELLINGS = ["Check my balance", "check  my BALANCE ", "CHECK MY\tBALANCE", "Straße", "STRASSE"]


def test_top_utterances_and_the_writer_agree_on_what_is_the_same_utterance():
    turns = load([record("s", i, text, missed=True) for i, text in enumerate(SPELLINGS)]).turns
    grouped = top_utterances(turns, None, missed_only=True)
    assert grouped["count"].tolist() == [3, 2]  # two utterances, spelled five ways
    target = TargetIntent("INTENT0001", "CheckBalance", None, (), None)
    rows = decide_candidates([Candidate(text) for text in SPELLINGS], {"CheckBalance": ()}, target, "en_US")
    assert [row.action for row in rows].count("add") == len(grouped)


def test_nothing_to_compare():
    assert top_utterances(load([]).turns, None).empty
    target = TargetIntent("INTENT0001", "CheckBalance", None, (), None)
    assert decide_candidates([], {"CheckBalance": ()}, target, "en_US") == []
