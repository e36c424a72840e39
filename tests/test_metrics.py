"""The reference metrics over tiny hand-built logs, each with the empty case."""
import types

import numpy as np
import pandas as pd
import pytest

from lexlens.analytics.metrics.conversations import compute_conversations
from lexlens.analytics.metrics import (attributes, breakdowns, heatmaps, intents, paths, sentiment, sessions,
                                       slots, timeseries, totals, utterances)
from lexlens.analytics.filters import Filters, apply_filters
from lexlens.analytics.schema import LogData, session_keys_of
from tests.lex_records import load, record

EMPTY = LogData.empty()


def two_sessions() -> LogData:
    """s1: welcome, balance (2 prompts, fulfilled), balance again, missed; s2: one missed turn."""
    return load([
        record("s1", 0, "hi", intent="Welcome", state="Fulfilled", action="Close",
               attributes={"channel": "web"}),
        record("s1", 10, "balance", intent="Balance", action="ElicitSlot", slot="account",
               slots={"account": None}, attributes={"channel": "web"}),
        record("s1", 20, "checking", intent="Balance", state="Fulfilled", action="Close",
               slots={"account": "Checking"}, attributes={"channel": "web"}),
        record("s1", 30, "balance", intent="Balance", state="Fulfilled", action="Close",
               slots={"account": "Checking"}, attributes={"channel": "web"}),
        record("s1", 40, "=cmd|' /C calc'!A0", missed=True, attributes={"channel": "web"}),
        record("s2", 3600 * 24, "  Balance ", missed=True, attributes={"channel": "ios"}),
    ])


def sessions_of(turns, idle_timeout_s=300):
    return sessions.compute_sessions(turns, conversations=compute_conversations(turns, idle_timeout_s=idle_timeout_s))


def test_totals():
    data = two_sessions()
    assert totals.compute_totals(data.turns, sessions_of(data.turns)) | {"first_time": None, "last_time": None} == {
        "records": 6, "utterances": 6, "sessions": 2, "conversations": 2, "missed_utterances": 2,
        "fallback_rate": round(2 / 6, 6), "first_time": None, "last_time": None}


def test_totals_empty():
    summary = totals.compute_totals(EMPTY.turns, sessions_of(EMPTY.turns))
    assert (summary["records"], summary["conversations"], summary["fallback_rate"]) == (0, 0, 0.0)


def test_sessions_duration_and_turns():
    table = sessions_of(two_sessions().turns)
    assert table["duration_s"].tolist() == [40.0, 0.0]
    assert table["turns"].tolist() == [5, 1]
    assert sessions.compute_duration_stats(table) == {"mean": 20.0, "median": 20.0, "p90": 36.0}
    assert sessions.top_sessions(table, 1)["session_id"].tolist() == ["s1"]


def test_sessions_empty():
    table = sessions_of(EMPTY.turns)
    assert table.empty and list(table.columns) == sessions.SESSION_COLUMNS
    assert sessions.compute_duration_stats(table) == {"mean": 0.0, "median": 0.0, "p90": 0.0}


def test_top_intents_counts_turns_and_entries():
    table = intents.top_intents(two_sessions().turns).set_index("intent")
    assert table.loc["Balance", "turns"] == 3
    assert table.loc["Balance", "entries"] == 1   # consecutive turns of one intent: one entry
    assert table.loc["FallbackIntent", "missed"] == 2
    assert intents.top_intents(EMPTY.turns).empty


def test_top_utterances_group_case_and_spaces():
    data = two_sessions()
    table = utterances.top_utterances(data.turns, 10)
    assert table.iloc[0].to_dict() == {"utterance": "balance", "count": 3, "obfuscated": False}
    missed = utterances.top_utterances(data.turns, 10, missed_only=True)
    assert sorted(missed["utterance"]) == ["  Balance ", "=cmd|' /C calc'!A0"]
    assert utterances.top_utterances(EMPTY.turns, 10).empty


@pytest.mark.parametrize("case", ["empty", "two sessions", "none missed", "obfuscated and spaced"])
def test_both_top_utterance_lists_at_once_equal_each_alone(case):
    """The report's lists (``top_utterances_and_missed``: texts hashed and keyed once) are the
    two ``top_utterances`` lists the dashboard asks for one at a time."""
    data = {"empty": lambda: EMPTY, "two sessions": two_sessions,
            "none missed": lambda: load([record("s1", 0, "hi", intent="Greet"), record("s1", 1, "Hi ", intent="Greet")]),
            "obfuscated and spaced": lambda: load([record("s1", 0, "{dateOfBirth}", missed=True),
                                                   record("s2", 1, " bye  now", missed=True),
                                                   record("s3", 2, "Bye now", intent="Bye")])}[case]()
    both = utterances.top_utterances_and_missed(data.turns)
    alone = (utterances.top_utterances(data.turns, None), utterances.top_utterances(data.turns, None, missed_only=True))
    for together, single in zip(both, alone):
        pd.testing.assert_frame_equal(together, single)


@pytest.mark.parametrize("texts, expected", [
    (["{dateOfBirth}"] * 3 + ["checking"] * 2, [("checking", 2, False), ("{dateOfBirth}", 3, True)]),
    (["my birthday is {dateOfBirth}"] * 2 + ["hi"], [("my birthday is {dateOfBirth}", 2, False), ("hi", 1, False)]),
    (["{ not a slot }", "{dateOfBirth}"], [("{ not a slot }", 1, False), ("{dateOfBirth}", 1, True)]),
])
def test_utterances_lex_obfuscated_are_labelled_and_never_on_top(texts, expected):
    data = load([record(f"s{i}", i, text, intent="Balance") for i, text in enumerate(texts)])
    table = utterances.top_utterances(data.turns, None)
    assert list(table.itertuples(index=False, name=None)) == expected


def test_missed_by_previous_intent():
    table = utterances.missed_by_previous_intent(two_sessions().turns)
    assert dict(zip(table["previous_intent"], table["missed"])) == {"Balance": 1, "(session start)": 1}
    assert utterances.missed_by_previous_intent(EMPTY.turns).empty


def test_paths_keep_self_loops_after_completion_and_mark_returns():
    data = two_sessions()
    table = paths.top_paths(data.turns, None)
    assert "START → Welcome → Balance → Balance → FallbackIntent → END" in table["path"].tolist()
    edges = paths.compute_path_edges(paths.build_intent_graph(data.turns))
    loop = edges[(edges["source"] == "Balance") & (edges["target"] == "Balance")].iloc[0]
    assert loop["count"] == 1 and loop["is_returning"]
    assert paths.top_paths(EMPTY.turns).empty
    assert set(paths.build_intent_graph(EMPTY.turns).nodes) == {"START", "END"}


def test_slot_values_count_once_per_session_and_unfilled():
    table = slots.compute_slot_values(two_sessions(), None)
    rows = {(r.slot, r.value): r.sessions for r in table.itertuples()}
    assert rows == {("account", "Checking"): 1}   # filled in the session: not also unfilled
    assert slots.compute_slot_values(EMPTY).empty


def test_unfilled_slot_counts_when_never_filled():
    data = load([record("s1", 0, "balance", intent="Balance", action="ElicitSlot", slot="account",
                        slots={"account": None})])
    table = slots.compute_slot_values(data)
    assert table[["slot", "value", "sessions"]].values.tolist() == [["account", "(unfilled)", 1]]


def city_sessions(originals: list[str]) -> LogData:
    """One session per entry: the city slot interpreted "New York", said as the entry."""
    records = []
    for index, original in enumerate(originals):
        rec = record(f"s{index}", index * 60, original, intent="Travel", state="Fulfilled", action="Close",
                     slots={"city": "New York"})
        rec["sessionState"]["intent"]["slots"]["city"]["value"]["originalValue"] = original
        records.append(rec)
    return load(records)


@pytest.mark.parametrize("originals,expected", [
    (["NYC"], "NYC"),
    (["big apple", "NYC", "NYC"], "NYC"),              # the most sessions
    (["NYC", "new york", "new york", "NYC"], "NYC"),   # equals: the first seen
    (["new york", "NYC", "NYC", "new york"], "new york"),
])
def test_slot_value_shows_its_most_common_original_wording(originals, expected):
    table = slots.compute_slot_values(city_sessions(originals), None)
    assert table[["value", "original_value", "sessions"]].values.tolist() == [["New York", expected, len(originals)]]


def reference_originals(data: LogData) -> dict:
    """(intent, slot, value) -> original wording, one group at a time: the wording of the most
    sessions (a session's first row counts), the first seen among equals."""
    from collections import Counter

    rows = data.slots.assign(session_key=session_keys_of(data, data.slots["turn"]))
    rows = rows[rows["filled"]].astype({"intent": str, "slot": str})
    rows = rows.assign(value=rows["interpreted_value"].where(rows["interpreted_value"] != "", rows["original_value"]))
    rows = rows.drop_duplicates(["session_key", "intent", "slot", "value"])
    wording = {}
    for key, group in rows.groupby(["intent", "slot", "value"], sort=False):
        said = group["original_value"].tolist()
        counts = Counter(said)
        wording[key] = next(text for text in said if counts[text] == max(counts.values()))
    return wording


@pytest.mark.parametrize("name", ["demo.jsonl.gz", "generative.jsonl.gz", "real-lex-records.jsonl", "variants.jsonl"])
def test_slot_values_original_wording_on_the_samples(name):
    from pathlib import Path

    from lexlens.analytics.ingest.loading import load_logs

    data = load_logs([Path(__file__).parent.parent / "sample_logs" / name])
    table = slots.compute_slot_values(data, None)
    shown = {(r.intent, r.slot, r.value): r.original_value for r in table.itertuples() if r.value != slots.UNFILLED}
    assert shown == reference_originals(data)


def reference_slot_sessions(data: LogData) -> dict:
    """(intent, slot, value) -> sessions, row by row: each session's filled values once, and
    '(unfilled)' for a (session, intent, slot) seen but never filled."""
    from collections import Counter

    rows = data.slots.assign(session_key=session_keys_of(data, data.slots["turn"])).astype({"intent": str, "slot": str})
    filled, seen = set(), set()
    for row in rows.itertuples():
        seen.add((row.session_key, row.intent, row.slot))
        if row.filled:
            filled.add((row.session_key, row.intent, row.slot, row.interpreted_value or row.original_value))
    counts = Counter((intent, slot, value) for _, intent, slot, value in filled)
    ever = {(session, intent, slot) for session, intent, slot, _ in filled}
    counts.update((intent, slot, slots.UNFILLED) for session, intent, slot in seen - ever)
    return dict(counts)


@pytest.mark.parametrize("name", ["demo.jsonl.gz", "generative.jsonl.gz", "real-lex-records.jsonl", "variants.jsonl"])
def test_slot_value_sessions_on_the_samples(name):
    from pathlib import Path

    from lexlens.analytics.ingest.loading import load_logs

    data = load_logs([Path(__file__).parent.parent / "sample_logs" / name])
    table = slots.compute_slot_values(data, None)
    assert {(r.intent, r.slot, r.value): r.sessions for r in table.itertuples()} == reference_slot_sessions(data)
    assert table.groupby(["intent", "slot"])["share"].sum().round(9).eq(1).all()
    top = slots.compute_slot_values(data, 2)
    assert top.groupby(["intent", "slot"]).size().max() <= 2
    assert top.equals(table.groupby(["intent", "slot"], sort=False).head(2).reset_index(drop=True))


@pytest.mark.parametrize("name", ["demo.jsonl.gz", "generative.jsonl.gz", "real-lex-records.jsonl", "variants.jsonl"])
def test_attribute_values_and_keys_on_the_samples(name):
    """Against the definition row by row: per key, the sessions holding each value, and the
    key's distinct values and sessions."""
    from pathlib import Path

    from lexlens.analytics.ingest.loading import load_logs

    data = load_logs([Path(__file__).parent.parent / "sample_logs" / name])
    rows = data.attributes.assign(session_key=session_keys_of(data, data.attributes["turn"])).astype({"key": str})
    holding = rows.groupby(["key", "value"])["session_key"].agg(lambda sessions: len(set(sessions))).to_dict()
    table = attributes.compute_attribute_values(data, None)
    assert {(r.key, r.value): r.sessions for r in table.itertuples()} == holding
    ranked = attributes.rank_attribute_keys(data)
    assert {r.key: (r.values, r.sessions) for r in ranked.itertuples()} == {
        key: (group["value"].nunique(), group["session_key"].nunique()) for key, group in rows.groupby("key")}


def test_attribute_values_once_per_session():
    table = attributes.compute_attribute_values(two_sessions())
    assert dict(zip(table["value"], table["sessions"])) == {"web": 1, "ios": 1}
    assert attributes.compute_attribute_values(EMPTY).empty


def test_session_heatmap_counts_distinct_sessions_per_hour_and_sums_dates():
    # same Monday 09:00 hour in two different weeks: two sessions, not overlapping
    data = load([record("a", 0), record("a", 60), record("b", 7 * 86400)])
    table = heatmaps.compute_session_heatmap(data.turns)
    assert table.loc["Monday", 9] == 2 and table.values.sum() == 2
    shifted = heatmaps.compute_session_heatmap(data.turns, "America/New_York")
    assert shifted.loc["Monday", 5] == 2   # 09:00 UTC is 05:00 in New York in May
    assert heatmaps.compute_session_heatmap(EMPTY.turns).values.sum() == 0


def test_intent_heatmap():
    table = heatmaps.compute_intent_heatmap(two_sessions().turns)
    assert table.loc["Balance", 9] == 3
    assert heatmaps.compute_intent_heatmap(EMPTY.turns).empty


@pytest.mark.parametrize("span,expected", [
    (pd.Timedelta(hours=1), "5min"), (pd.Timedelta(days=1), "1h"),
    (pd.Timedelta(days=30), "1D"), (pd.Timedelta(days=400), "7D"), (pd.Timedelta(days=3000), "30D"),
])
def test_bin_follows_range(span, expected):
    start = pd.Timestamp("2026-01-01", tz="UTC")
    assert timeseries.choose_bin(start, start + span) == expected


def test_activity_over_time_fills_gaps_and_counts_sessions_once_per_bin():
    table = timeseries.compute_activity_over_time(two_sessions().turns, freq="1h")
    assert len(table) == 25   # 09:00 on day one to 09:00 the next day, empty hours included
    assert table["active_sessions"].sum() == 2 and table["turns"].sum() == 6
    assert table["sessions_started"].sum() == 2
    assert timeseries.compute_activity_over_time(EMPTY.turns).empty


def test_modality_and_lex_sentiment_shares():
    data = two_sessions()
    assert breakdowns.compute_modality(data.turns)[["input_mode", "turns"]].values.tolist() == [["Text", 6]]
    assert breakdowns.compute_lex_sentiment(data.turns).empty   # no Lex sentiment in these records
    assert breakdowns.compute_modality(EMPTY.turns).empty


def test_vader_only_where_lex_gave_none_and_labelled():
    rec = record("s", 0, "I love this, thank you!", intent="Chat")
    rec["interpretations"][0]["sentimentResponse"] = {"sentiment": "NEGATIVE", "sentimentScore": {}}
    data = load([rec, record("s", 5, "this is terrible and useless")])
    summary = sentiment.compute_sentiment_summary(data.turns)
    assert summary[["source", "sentiment", "turns"]].values.tolist() == [
        ["Lex", "NEGATIVE", 1], ["VADER", "NEGATIVE", 1]]
    assert sentiment.compute_sentiment_summary(EMPTY.turns).empty


@pytest.mark.parametrize("filters,expected_turns", [
    (Filters(), 6),
    (Filters(attribute_key="channel", attribute_values=("ios",)), 1),
    (Filters(attribute_key="channel"), 6),
    (Filters(intents=("Balance",)), 3),
    (Filters(since=pd.Timestamp("2024-05-07", tz="UTC")), 1),
    (Filters(until=pd.Timestamp("2024-05-07")), 5),
    (Filters(alias_names=("TSTALIASID",)), 6),
    (Filters(bot_ids=("nope",)), 0),
])
def test_filters_slice_turns_and_side_tables(filters, expected_turns):
    data = apply_filters(two_sessions(), filters)
    assert len(data.turns) == expected_turns
    assert set(data.attributes["turn"]) <= set(data.turns["turn"])


def eager_side_table(data: LogData, turns: pd.DataFrame, name: str) -> pd.DataFrame:
    table = getattr(data, name)
    return table[table["turn"].isin(turns["turn"])]


@pytest.mark.parametrize("filters", [Filters(intents=("Balance",)), Filters(bot_ids=("nope",)),
                                     Filters(attribute_key="channel", attribute_values=("ios",))])
def test_side_tables_are_cut_when_first_read_and_equal_an_eager_cut(filters):
    whole = two_sessions()
    data = apply_filters(whole, filters)
    assert not {"slots", "attributes", "interpretations", "request_attributes"} & set(vars(data))  # not cut yet
    again = apply_filters(data, Filters(locales=("en_US",)))  # a slice of a slice: cut through both
    for name in ("slots", "attributes", "interpretations", "request_attributes"):
        pd.testing.assert_frame_equal(getattr(again, name), eager_side_table(whole, again.turns, name))
        pd.testing.assert_frame_equal(getattr(data, name), eager_side_table(whole, data.turns, name))
        assert name in vars(data)  # kept once cut
    with pytest.raises(AttributeError):
        data.no_such_table


def test_high_cardinality_attributes_come_last_and_are_flagged():
    records = [record(f"s{i}", i, "hi", intent="Balance", attributes={"ContactId": f"c-{i}", "channel": "web"})
               for i in range(30)]
    table = attributes.rank_attribute_keys(load(records))
    assert list(table.itertuples(index=False, name=None)) == [("channel", 1, 30, False), ("ContactId", 30, 30, True)]
    assert attributes.rank_attribute_keys(EMPTY).empty


def sessions_frame(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    """(bot_id, alias_id, locale, session_id) per turn, typed as the schema types them."""
    frame = pd.DataFrame(rows, columns=["bot_id", "alias_id", "locale", "session_id"])
    return frame.astype({"bot_id": "category", "alias_id": "category", "locale": "category"})


@pytest.mark.parametrize("rows, sessions", [
    ([], 0),
    ([("B", "A", "en_US", "s1")] * 3, 1),
    ([("B", "A", "en_US", "s1"), ("B", "A", "en_GB", "s1"), ("B", "A2", "en_US", "s1"),
      ("B2", "A", "en_US", "s1"), ("B", "A", "en_US", "s2")], 5),
    # 65,535 bots, each with its own alias and locale, and more sessions on the first: the
    # codes' product passes int64 (65,537 x 65,536^3), and the 65,537th session once took
    # the first one's key
    ([(f"B{n}", f"A{n}", f"L{n}", f"s{n}") for n in range(65_535)] + [("B0", "A0", "L0", "extra")], 65_536),
    ([(f"B{n}", f"A{n}", f"L{n}", f"s{n}") for n in range(65_535)]
     + [("B0", "A0", "L0", "extra"), ("B0", "A0", "L0", "more")], 65_537),
], ids=["empty", "one", "each part separates", "past int64", "past int64, two more"])
def test_session_keys_separate_every_session(rows, sessions):
    from lexlens.analytics.ingest.columns import session_keys

    frame = sessions_frame(rows)
    keys = session_keys(frame)
    assert len(set(keys.tolist())) == sessions == len(set(rows))
    same = pd.Series(keys).groupby(pd.Series([hash(row) for row in rows]), sort=False).nunique()
    assert (same == 1).all()  # the turns of one session share one key


@pytest.mark.parametrize("transcript, label", [
    ("great, thanks " * 10, "POSITIVE"),
    ("great, thanks " + "x " * 600_000 + "terrible awful horrible", "POSITIVE"),
    ("x " * 400 + "terrible awful horrible", "NEGATIVE"),
], ids=["short", "a 1.2 MB transcript: its first 1,024 characters", "within the first 1,024"])
def test_vader_scores_at_most_lex_s_1024_characters_of_a_transcript(transcript, label, monkeypatch):
    analyzer = sentiment.vader_analyzer()
    seen = []
    monkeypatch.setattr(analyzer, "polarity_scores",
                        lambda text, score=analyzer.polarity_scores: seen.append(len(text)) or score(text))
    scores = sentiment.compute_vader_scores(load([record("s1", 0, transcript)]).turns)
    assert scores["sentiment"].tolist() == [label]
    assert seen == [min(len(transcript), 1024)]


COMBINED_CASES = {  # arrays of non-negative codes, row by row
    "nothing": [[], []],
    "one column": [[3, 1, 3, 0]],
    "two columns": [[0, 0, 1, 1, 0], [0, 1, 0, 1, 0]],
    "wide: made dense before it carries past int64": [[2**40, 5, 2**40, 5], [2**40, 2**40, 2**40, 7], [1, 1, 1, 2]],
    "wide: 2**32 * 2**32 wraps to 0 unless made dense": [[2**32, 0, 0], [0, 0, 2**32 - 1]],
}


@pytest.mark.parametrize("case", list(COMBINED_CASES))
def test_combined_codes_are_equal_exactly_where_every_code_is(case):
    from lexlens.analytics.metrics.arrays import combined_codes, first_of_each

    columns = [np.asarray(column, dtype=np.int64) for column in COMBINED_CASES[case]]
    key = combined_codes(*columns)
    rows = list(zip(*(column.tolist() for column in columns)))
    assert len(key) == len(rows)
    for i, row in enumerate(rows):
        for j, other in enumerate(rows):
            assert (key[i] == key[j]) == (row == other)
    assert first_of_each(key).tolist() == [row not in rows[:i] for i, row in enumerate(rows)]


SHARE_CASES = {  # values: the same table whether they come as text or as a categorical
    "nothing": [],
    "one value": ["Text"],
    "ties by name": ["Speech", "Text", "DTMF", "Text", "Speech"],
    "a category no row has": ["Text", "Text"],
    "a missing value": ["Text", None, "Speech"],
}


@pytest.mark.parametrize("case", list(SHARE_CASES))
def test_share_table_counts_categoricals_as_text(case):
    values = SHARE_CASES[case]
    text = breakdowns.share_table(pd.Series(values, dtype=object), "mode")
    categories = sorted({v for v in values if v is not None} | {"Unused"})
    coded = breakdowns.share_table(pd.Series(pd.Categorical(values, categories=categories)), "mode")
    assert coded.to_dict("list") == text.to_dict("list")
    assert text["turns"].sum() == sum(v is not None for v in values) and "Unused" not in text["mode"].tolist()


POSITION_CASES = {  # (ids, wanted)
    "nothing": ([], []),
    "no ids": ([], [0, 3]),
    "none wanted": ([2, 0], []),
    "ids out of order, some absent": ([5, 2, 9, 0], [9, 0, 1, 5, 10, 2, 100]),
    "negative ids: a hash index": ([-3, 4], [4, -3, 0]),
}


@pytest.mark.parametrize("case", list(POSITION_CASES))
def test_positions_of_answers_as_get_indexer(case):
    from lexlens.analytics.schema import positions_of

    ids, wanted = POSITION_CASES[case]
    found = positions_of(np.asarray(ids, dtype=np.int64), np.asarray(wanted, dtype=np.int64))
    assert found.tolist() == [ids.index(w) if w in ids else -1 for w in wanted]


@pytest.mark.parametrize("turn_ids, expected", [
    ([], []), ([1, 0], [20, 10]), ([0, 7], [10, np.nan])], ids=["none", "every one", "one absent: NaN"])
def test_session_keys_of_the_turns_of_a_side_table(turn_ids, expected):
    from lexlens.analytics.schema import session_keys_of

    data = types.SimpleNamespace(turns=pd.DataFrame({"turn": [0, 1], "session_key": [10, 20]}))
    keys = session_keys_of(data, pd.Series(turn_ids, dtype="int64"))
    assert np.array_equal(keys, np.asarray(expected, dtype=keys.dtype), equal_nan=True) and len(keys) == len(expected)
    empty = types.SimpleNamespace(turns=pd.DataFrame({"turn": pd.Series(dtype="int64"),
                                                      "session_key": pd.Series(dtype="int64")}))
    assert np.isnan(session_keys_of(empty, pd.Series(turn_ids, dtype="int64"))).all()


CONTAINS_CASES = {  # (keys, wanted)
    "nothing": ([], []),
    "no keys": ([], [0, 5]),
    "no questions": ([1, 2], []),
    "bits at every position of a byte": (list(range(0, 24, 3)), list(range(24))),
    "repeated keys and questions": ([7, 7, 8, 0], [0, 7, 7, 9, 8, 1]),
    "beyond the byte table: the bitset": ([2**27 + 5, 3], [2**27 + 5, 2**27 + 4, 3, 4]),
    "beyond the bitset: np.isin": ([2**40, 3], [2**40, 3, 2**40 + 1]),
    "negative: np.isin": ([-1, 4], [-1, 4, 5]),
}


@pytest.mark.parametrize("case", list(CONTAINS_CASES))
def test_contains_answers_as_isin(case):
    from lexlens.analytics.metrics.arrays import contains

    keys, wanted = CONTAINS_CASES[case]
    found = contains(np.asarray(keys, dtype=np.int64), np.asarray(wanted, dtype=np.int64))
    assert found.dtype == bool and found.tolist() == [value in keys for value in wanted]


@pytest.mark.parametrize("categorical", [True, False], ids=["categorical", "text"])
@pytest.mark.parametrize("pairs,expected", [
    (set(), [False, False, False, False]),
    ({("b1", "Qna")}, [True, False, False, False]),
    ({("b1", "Qna"), ("b2", "Agent")}, [True, False, True, False]),
    ({("b2", "")}, [False, False, False, True]),  # a missing intent reads as ''
], ids=["none", "one", "two", "missing intent"])
def test_with_pair_marks_the_rows_of_the_pairs(pairs, expected, categorical):
    from lexlens.analytics.metrics.generative import with_pair

    turns = pd.DataFrame({"bot_id": ["b1", "b2", "b2", "b2"], "intent": ["Qna", "Qna", "Agent", None]})
    if categorical:
        turns = turns.astype("category")
    assert with_pair(turns, pairs).tolist() == expected
