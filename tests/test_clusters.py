"""Missed-utterance clusters and the Test Workbench export."""
import csv
import io

import pandas as pd
import pytest

from lexlens.analytics.metrics.clusters import (SUGGESTION_MIN_SHARE, assign_leaders, cluster_utterances,
                                                compute_cluster_trend, default_intents,
                                                summarise_clusters)
from lexlens.analytics.report.testset import (TESTSET_COLUMNS, build_testset, build_testsets, count_formula_like,
                                              render_testset_csv)
from lexlens.analytics.schema import LogData
from lex_records import load, record as r

WEEK = 7 * 86400


def missed(session, seconds, text, runner="Track"):
    return r(session, seconds, text, "FallbackIntent", missed=True, alternatives=((runner, 0.3),))


RECORDS = [
    missed("a", 0, "where is my parcel"), missed("a", 5, "Where is my parcel?"),
    missed("b", WEEK, "where's my parcel"), missed("c", 0, "talk to a human", runner="Agent"),
    r("d", 0, "track parcel pls", "Track", confidence=0.2),  # low confidence, not missed
    r("e", 0, "track my parcel", "Track", confidence=0.95),  # confident: not a candidate
]




@pytest.mark.parametrize("texts, expected", [
    (["where is my parcel", "where's my parcel", "talk to a human"], [0, 0, 1]),
    (["cancel my order", "cancel my orders", "cancel order"], [0, 0, 0]),
    (["hello", "goodbye"], [0, 1]),
    ([], []),
])
def test_leaders(texts, expected):
    assert assign_leaders(texts).tolist() == expected


def test_clusters_group_missed_and_low_confidence_utterances():
    members = cluster_utterances(load(RECORDS))
    assert "track my parcel" not in set(members["transcript"])
    table = summarise_clusters(members)
    top = table.iloc[0]
    # punctuation and case collapse ("Where is my parcel?"), 3-grams join "where's"
    assert top["turns"] == 3 and top["texts"] == 2 and top["missed"] == 3
    assert top["label"] == "Where is my parcel?"  # ties on frequency: first in sort order
    assert top["suggested_intent"] == "Track" and top["suggested_share"] == 1.0
    # only "parcel" is shared with the low-confidence turn: too little to join
    others = table.iloc[1:].set_index("label")
    assert others.loc["track parcel pls", "low_confidence"] == 1
    assert others.loc["talk to a human", "suggested_intent"] == "Agent"
    assert table["turns"].sum() == len(members) == 5


def test_max_texts_leaves_the_rest_unclustered():
    members = cluster_utterances(load(RECORDS), max_texts=1)
    assert set(members.loc[members["cluster"] < 0, "transcript"]) == {"talk to a human", "track parcel pls", "where's my parcel"}


def test_weekly_trend():
    members = cluster_utterances(load(RECORDS))
    trend = compute_cluster_trend(members)
    rows = trend[trend["cluster"] == 0][["week", "turns"]].astype(str).values.tolist()
    assert rows == [["2024-05-06", "2"], ["2024-05-13", "1"]]


def test_testset_csv_follows_the_test_workbench_format():
    members = cluster_utterances(load(RECORDS))
    table = summarise_clusters(members)
    agent = int(table.loc[table["label"] == "talk to a human", "cluster"].iloc[0])
    parcel = int(table.loc[table["label"] == "Where is my parcel?", "cluster"].iloc[0])
    testset = build_testset(members, table, {agent: "SpeakToAgent", parcel: "Track"})
    rows = list(csv.reader(io.StringIO(render_testset_csv(testset))))
    assert rows[0] == TESTSET_COLUMNS == ["Line #", "Conversation #", "Source", "Input",
                                          "Expected Output Intent"]
    assert [row[0] for row in rows[1:]] == [str(i) for i in range(1, len(rows))]
    assert {row[2] for row in rows[1:]} == {"User"} and {row[1] for row in rows[1:]} == {"N/A"}
    assert [row[3:] for row in rows[1:]] == [["Where is my parcel?", "Track"], ["where is my parcel", "Track"],
                                             ["where's my parcel", "Track"], ["talk to a human", "SpeakToAgent"]]
    assert build_testset(members, table, {agent: ""}).empty  # no expected intent: left out


def with_bot(rec: dict, bot_id: str, locale: str = "en_US") -> dict:
    return dict(rec, bot={**rec["bot"], "id": bot_id, "name": bot_id, "localeId": locale})


def test_clusters_never_mix_bots_or_locales():
    records = [with_bot(missed("a", 0, "can I get a mortgage", runner="Loan"), "BANK"),
               with_bot(missed("b", 0, "can I get a mortgages", runner="Loan"), "BANK"),
               with_bot(missed("c", 0, "can I get a mortgage", runner="Order"), "PIZZA"),
               with_bot(missed("d", 0, "can I get a mortgage", runner="Loan"), "BANK", "en_GB")]
    table = summarise_clusters(cluster_utterances(load(records)))
    assert sorted(zip(table["bot_id"], table["locale"], table["turns"])) == [
        ("BANK", "en_GB", 1), ("BANK", "en_US", 2), ("PIZZA", "en_US", 1)]
    assert table.loc[table["bot_id"] == "PIZZA", "suggested_intent"].tolist() == ["Order"]
    members = cluster_utterances(load(records))
    with pytest.raises(ValueError, match="one bot and locale"):
        build_testset(members, table, {c: "Loan" for c in table["cluster"]})
    assert sorted(build_testsets(members, table)) == [("BANK", "en_GB"), ("BANK", "en_US"), ("PIZZA", "en_US")]


@pytest.mark.parametrize("runners, default", [
    (["Loan", "Loan", "Loan"], "Loan"),                  # 100%: offered as the default
    (["Loan", "Loan", "Order"], None),                   # 67% < 70%: shown, never the default
    (["Loan", "Order", "Other"], None),
])
def test_a_suggestion_is_a_default_only_from_the_share_threshold(runners, default):
    records = [missed(f"s{i}", i, "exit", runner=runner) for i, runner in enumerate(runners)]
    members = cluster_utterances(load(records))
    table = summarise_clusters(members)
    assert SUGGESTION_MIN_SHARE == 0.7
    assert default_intents(table).get(0) == default
    assert table.loc[0, "suggested_intent"] == "Loan"  # still shown with its share
    assert bool(build_testsets(members, table)) == (default is not None)


def test_utterances_starting_like_a_formula_are_left_out_of_test_sets():
    records = [missed("a", 0, "=balance"), missed("b", 0, "balance"), missed("c", 0, "@balance"),
               missed("d", 0, "-balance")]
    members = cluster_utterances(load(records))
    table = summarise_clusters(members)
    testset = build_testset(members, table, {0: "Track"})
    assert testset["Input"].tolist() == ["balance"]
    assert count_formula_like(members, table, {0: "Track"}) == 3
    assert "=" not in render_testset_csv(testset)


def test_empty():
    members = cluster_utterances(LogData.empty())
    table = summarise_clusters(members)
    assert members.empty and table.empty and compute_cluster_trend(members).empty
    assert list(build_testset(members, table, {}).columns) == TESTSET_COLUMNS
    assert build_testsets(members, table) == {}
