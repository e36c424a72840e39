"""NLU health: confidence distribution, near misses, confusion pairs, switched-intent matrix."""
import pytest

from lexlens.analytics.metrics.nlu import (compute_confidence_distribution, compute_confidence_histogram,
                                           compute_confusion_pairs, compute_switch_matrix, top_near_misses)
from lexlens.analytics.metrics.outcomes import compute_outcomes
from lexlens.analytics.schema import LogData
from lex_records import load, record as r

RECORDS = [
    r("s1", 0, "book it", "Book", confidence=0.45, alternatives=(("Cancel", 0.40), ("FallbackIntent", None))),
    r("s1", 10, "cancel that", "Cancel", confidence=0.55, alternatives=(("Book", 0.50),)),
    r("s2", 0, "cancel my booking", "Cancel", confidence=0.90, alternatives=(("Book", 0.20),)),
    r("s2", 5, "move it", "Move", confidence=0.30, alternatives=(("FallbackIntent", None),)),
    r("s3", 0, "what", "FallbackIntent", missed=True, alternatives=(("Book", 0.3),)),
]


def test_confidence_distribution_per_top_intent():
    table = compute_confidence_distribution(load(RECORDS)).set_index("intent")
    assert table.loc["Cancel", "turns"] == 2
    assert table.loc["Cancel", "median"] == pytest.approx(0.725)
    assert "FallbackIntent" not in table.index  # no confidence on the fallback


def test_histogram_bins_cover_the_unit_interval():
    hist = compute_confidence_histogram(load(RECORDS), bins=10)
    assert hist["turns"].sum() == 4
    assert ((hist["low"] >= 0) & (hist["high"] <= 1)).all()
    assert hist[hist["intent"] == "Cancel"]["low"].tolist() == [0.5, 0.9]


NEAR = {
    # (min_confidence, min_margin): expected transcripts -> reason
    "defaults": ((0.5, 0.1), {"book it": "low confidence + small margin",
                              "cancel that": "small margin", "move it": "low confidence"}),
    "strict": ((0.2, 0.01), {}),
}


@pytest.mark.parametrize("name", NEAR)
def test_near_misses(name):
    (confidence, margin), expected = NEAR[name]
    misses = top_near_misses(load(RECORDS), confidence, margin)
    assert dict(zip(misses["transcript"], misses["reason"])) == expected
    assert set(misses["session_id"]) <= {"s1", "s2"}


# (top confidence, runner-up confidence, margin threshold) -> small margin? The differences are
# those of decimals (0.6 - 0.5 is 0.09999999999999998 in binary): a margin equal to the threshold
# is not under it, as the definition reads; a slider's threshold carries the same noise.
MARGIN_EDGES = {
    "equal to the threshold": ((0.6, 0.5, 0.1), False),
    "just under": ((0.59, 0.5, 0.1), True),
    "just over": ((0.61, 0.5, 0.1), False),
    "a slider's 0.3": ((0.8, 0.5, 0.1 + 0.2), False),
    "under a slider's 0.3": ((0.79, 0.5, 0.1 + 0.2), True),
}


@pytest.mark.parametrize("case", list(MARGIN_EDGES))
def test_a_margin_is_compared_as_the_decimals_it_is(case):
    (top, second, threshold), small = MARGIN_EDGES[case]
    data = load([r("s1", 0, "book it", "Book", confidence=top, alternatives=(("Cancel", second),))])
    misses = top_near_misses(data, 0.1, threshold)
    assert (misses["reason"].tolist() == ["small margin"]) == small
    assert misses.empty or misses["margin"].iloc[0] == round(top - second, 2)


def test_confusion_pairs_are_unordered_and_mutual():
    pairs = compute_confusion_pairs(load(RECORDS))
    assert pairs[["intent_a", "intent_b", "a_then_b", "b_then_a", "total", "mutual"]].values.tolist() == [
        ["Book", "Cancel", 1, 2, 3, 1]]  # FallbackIntent runner-ups and the missed turn are left out
    assert compute_confusion_pairs(load(RECORDS), min_count=4).empty


def test_switch_matrix():
    records = [r("a", 0, "book", "Book", action="ElicitSlot", slot="Day"),
               r("a", 5, "cancel", "Cancel", state="Fulfilled", action="Close"),
               r("b", 0, "book", "Book", action="ElicitSlot", slot="Day"),
               r("b", 5, "cancel", "Cancel", state="Fulfilled", action="Close")]
    matrix = compute_switch_matrix(compute_outcomes(load(records)).attempts)
    assert matrix.loc["Book", "Cancel"] == 2
    assert matrix.to_numpy().sum() == 2


@pytest.mark.parametrize("function", [compute_confidence_distribution, compute_confidence_histogram,
                                      top_near_misses, compute_confusion_pairs])
def test_empty(function):
    assert function(LogData.empty()).empty


def test_empty_switch_matrix():
    assert compute_switch_matrix(compute_outcomes(LogData.empty()).attempts).empty
