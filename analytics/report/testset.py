"""The Lex Test Workbench test sets of the utterance clusters: which rows, and the CSV Lex
reads. Format: https://docs.aws.amazon.com/lexv2/latest/dg/create-test-set-from-CSV.html
"""
from __future__ import annotations

import pandas as pd

from lexlens.analytics.metrics.clusters import GROUP, SUGGESTION_MIN_SHARE, default_intents, list_cluster_utterances
from lexlens.analytics.text.csvsafe import neutralise_cell

TESTSET_COLUMNS = ["Line #", "Conversation #", "Source", "Input", "Expected Output Intent"]
TESTSET_PREFIX = "lex_test_set"  # the name of each bot and locale's test set among the report's tables

DEFINITIONS = {
    "Test Workbench export": (
        "A test-set CSV in Lex Test Workbench's format (Line #, Conversation #, Source, Input, "
        "Expected Output Intent) for one bot and locale: one single-turn User row per distinct "
        "utterance of the chosen clusters, expecting the intent you pick for the cluster (the "
        "suggested intent is the default only when its share is at least 70%; a cluster without "
        "an expected intent is left out). Utterances are written exactly as users typed them, "
        "since Lex must test what they said; an utterance that starts like a spreadsheet formula "
        "(=, +, -, @, tab or carriage return) is left out instead, so the file is safe to open "
        "in a spreadsheet. The dashboard and `lexlens report --csv-dir` follow the same rule."),
}


def testset_name(bot_id: str, locale: str) -> str:
    """The table name of one bot and locale's test set (ids are [0-9A-Z], locales a_B)."""
    safe = "".join(ch if ch.isalnum() or ch in "_-" else "_" for ch in f"{bot_id}_{locale}")
    return f"{TESTSET_PREFIX}_{safe}"


def is_formula_like(text: str) -> bool:
    """True for text a spreadsheet would run as a formula (the rule of ``analytics.text.csvsafe``)."""
    return neutralise_cell(text) != text


def build_testset(members: pd.DataFrame, clusters: pd.DataFrame, intents: dict[int, str]) -> pd.DataFrame:
    """Lex Test Workbench test set (single inputs) of the clusters given an expected intent in
    ``intents`` (cluster -> intent); the clusters must be of one bot and locale, as a test set
    is. Utterances starting like a spreadsheet formula are left out (``split_testset`` says how
    many). Format: https://docs.aws.amazon.com/lexv2/latest/dg/create-test-set-from-CSV.html
    """
    chosen = clusters[clusters["cluster"].isin([c for c, intent in intents.items() if intent])]
    if chosen[GROUP].drop_duplicates().shape[0] > 1:
        raise ValueError("a test set is for one bot and locale; these clusters mix several")
    rows = []
    for row in chosen.itertuples(index=False):  # one loop per cluster, not per turn
        rows += [(text, intents[row.cluster]) for text in list_cluster_utterances(members, row.cluster)]
    inputs = [text for text, _ in rows if not is_formula_like(text)]
    expected = [intent for text, intent in rows if not is_formula_like(text)]
    return pd.DataFrame({"Line #": range(1, len(inputs) + 1), "Conversation #": "N/A", "Source": "User",
                         "Input": inputs, "Expected Output Intent": expected}, columns=TESTSET_COLUMNS)


def count_formula_like(members: pd.DataFrame, clusters: pd.DataFrame, intents: dict[int, str]) -> int:
    """How many distinct utterances ``build_testset`` leaves out as formula-like."""
    chosen = [c for c, intent in intents.items() if intent and c in set(clusters["cluster"])]
    return sum(is_formula_like(text) for c in chosen for text in list_cluster_utterances(members, c))


def build_testsets(members: pd.DataFrame, clusters: pd.DataFrame,
                   min_share: float = SUGGESTION_MIN_SHARE) -> dict[tuple[str, str], pd.DataFrame]:
    """(bot_id, locale) -> test set of that pair's clusters whose suggestion is strong enough
    (no analyst to pick: ``lexlens report --out``); pairs without any are left out."""
    defaults = default_intents(clusters, min_share)
    sets = {}
    for (bot_id, locale), part in clusters.groupby(GROUP, sort=True):
        mine = {c: defaults[c] for c in part["cluster"] if c in defaults}
        if mine:
            sets[(bot_id, locale)] = build_testset(members, part, mine)
    return sets


def render_testset_csv(testset: pd.DataFrame) -> str:
    """The test set as CSV text (the upload format). Cells are written as they are: Lex must
    receive the utterance unchanged, and ``build_testset`` already left out every utterance a
    spreadsheet would run as a formula."""
    return testset.to_csv(index=False, lineterminator="\n")
