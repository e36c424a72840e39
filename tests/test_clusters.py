"""Missed-utterance clusters and the Test Workbench export."""
import csv
import io

import pandas as pd
import pytest

from analytics.clusters import (TESTSET_COLUMNS, assign_leaders, build_testset, cluster_utterances,
                                compute_cluster_trend, list_cluster_utterances, normalise_texts,
                                render_testset_csv, summarise_clusters)
from analytics.schema import LogData
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


@pytest.mark.parametrize("raw, expected", [
    ("Where is my parcel?", "where is my parcel"), ("  ORDER   #123 ", "order 000"),
    ("I'm {Name}", "i'm {name}"), ("ﬁne", "fine"), ("", "")])
def test_normalise(raw, expected):
    assert normalise_texts(pd.Series([raw])).tolist() == [expected]


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
    testset = build_testset(members, table, intents={agent: "SpeakToAgent"})
    rows = list(csv.reader(io.StringIO(render_testset_csv(testset))))
    assert rows[0] == TESTSET_COLUMNS == ["Line #", "Conversation #", "Source", "Input",
                                          "Expected Output Intent"]
    assert [row[0] for row in rows[1:]] == [str(i) for i in range(1, len(rows))]
    assert {row[2] for row in rows[1:]} == {"User"} and {row[1] for row in rows[1:]} == {"N/A"}
    assert ["talk to a human", "SpeakToAgent"] in [row[3:] for row in rows[1:]]
    assert build_testset(members, table, chosen=[agent])["Input"].tolist() == ["talk to a human"]
    assert len(rows) - 1 == 5  # one row per distinct transcript of every cluster
    assert list_cluster_utterances(members, 0) == ["Where is my parcel?", "where is my parcel",
                                                   "where's my parcel"]


def test_empty():
    members = cluster_utterances(LogData.empty())
    table = summarise_clusters(members)
    assert members.empty and table.empty and compute_cluster_trend(members).empty
    assert list(build_testset(members, table).columns) == TESTSET_COLUMNS
