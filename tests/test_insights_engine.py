"""The Logs Insights engine against the local engine: the same records give the same finalized
metrics (docs/insights-engine.md), through the Logs Insights stand-in over HTTP (docs/insights-standin.md).

Records are generated (seeded) with the edge cases the issue names: events on both edges of the window,
sessions crossing chunk boundaries, absent fields, ties in the top lists, spellings that group together,
transcripts of spaces only, Lex sentiment, and records past Logs Insights' 200 discovered fields.
"""
import json
import random
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.register_assert_rewrite("moto_server", "insights_standin")

from lex_records import load, record  # noqa: E402
from moto_server import iso_ms, put_events, unique_group  # noqa: E402

from lexlens.analytics.errors import LexlensError  # noqa: E402
from lexlens.analytics.filters import Filters, apply_filters  # noqa: E402
from lexlens.analytics.metrics.finalize import finalize  # noqa: E402
from lexlens.analytics.metrics.partials import local_partials  # noqa: E402
from lexlens.analytics.insights.engine import FieldsMissing, insights_partials  # noqa: E402

pytest_plugins = ["moto_server", "insights_standin"]

HOUR = 3_600_000
NOW = int(time.time() * 1000) // HOUR * HOUR
SINCE, UNTIL = NOW - 30 * HOUR + 123, NOW - 2 * HOUR - 7  # odd milliseconds: the half-open window is checked
TEXTS = ["book a room", "Book  a room", " book a room ", "cancel", "CANCEL", "{dateOfBirth}", "   ", "",
         "what?", "talk to a person"]
INTENTS = ["BookRoom", "CancelRoom", "", "Greeting"]


def lex_record(ms: int, session: str, rng: random.Random) -> dict:
    """A generated record at ``ms``: sometimes missed, without intent, transcript or input mode, with
    Lex sentiment, on another bot, alias or locale."""
    missed = rng.random() < 0.2
    rec = record(session, 0, text=rng.choice(TEXTS), intent="" if missed else rng.choice(INTENTS), missed=missed)
    rec["timestamp"] = iso_ms(ms)
    rec["bot"]["localeId"] = rng.choice(["en_US", "de_DE"])
    rec["inputMode"] = rng.choice(["Text", "Speech", "DTMF", None])
    if rec["inputMode"] is None:
        del rec["inputMode"]
    if rng.random() < 0.1:
        del rec["inputTranscript"]
    if rec["interpretations"] and rng.random() < 0.3:
        rec["interpretations"][0]["sentimentResponse"] = {
            "sentiment": rng.choice(["POSITIVE", "NEGATIVE", "NEUTRAL", "MIXED"]),
            "sentimentScore": {"positive": 0.5, "negative": 0.1, "neutral": 0.3, "mixed": 0.1}}
    return rec


def generate(seed: int, sessions: int) -> list[tuple[int, dict]]:
    """(ms, record) of ``sessions`` sessions across the window, a few on and just past its edges."""
    rng = random.Random(seed)
    out = []
    for number in range(sessions):
        start = rng.randrange(SINCE - HOUR, UNTIL + HOUR)
        for turn in range(rng.randint(1, 6)):  # up to ~75 minutes: sessions cross hours and chunks
            out.append((start + turn * rng.randrange(1_000, 900_000), f"s-{seed}-{number % (sessions // 2 + 1)}"))
    out += [(SINCE, "edge-a"), (SINCE - 1, "edge-b"), (UNTIL - 1, "edge-c"), (UNTIL, "edge-d")]
    return [(ms, lex_record(ms, session, rng)) for ms, session in out]


def put_records(client, records: list[tuple[int, dict]], extra=()) -> str:
    group = unique_group("/aws/lex/engine")
    events = [{"timestamp": ms, "message": json.dumps(rec)} for ms, rec in records] + list(extra)
    put_events(client, group, "stream-1", events)
    return group


def local_metrics(records, tz: str, top: int = 5) -> dict:
    data = apply_filters(load([rec for _, rec in records]),
                         Filters(since=_stamp(SINCE), until=_stamp(UNTIL)))
    return finalize(local_partials(data.turns), top, tz)


def _stamp(ms: int):
    import pandas as pd

    return pd.Timestamp(ms * 1_000_000, tz="UTC")


@pytest.mark.parametrize("seed, sessions, tz, chunk_hours", [
    (1, 60, "UTC", 24), (2, 120, "Europe/Paris", 1), (3, 80, "Asia/Kathmandu", 5), (4, 2, "America/St_Johns", 3),
])
def test_both_engines_give_the_same_metrics(insights, insights_client, seed, sessions, tz, chunk_hours):
    records = generate(seed, sessions)
    group = put_records(insights_client, records, extra=[{"timestamp": SINCE + 5, "message": "START RequestId"}])
    result = insights_partials(insights_client, [group], SINCE, UNTIL, {}, concurrency=4,
                               chunk_ms=chunk_hours * HOUR)
    expected = local_metrics(records, tz)
    assert finalize(result.partials, 5, tz) == expected
    assert result.records == expected["records"] > 0
    assert result.cost["queries"] == insights.counters.started >= 4
    assert result.cost["bytes_scanned"] > 0


def test_an_empty_window_gives_zeros_on_both(insights, insights_client):
    group = put_records(insights_client, [(SINCE - HOUR, record("x", 0))])
    result = insights_partials(insights_client, [group], SINCE, UNTIL, {})
    assert finalize(result.partials) == local_metrics([], "UTC", 10) and result.records == 0


def test_rows_cut_by_the_row_limit_are_noticed_and_the_window_split(insights, insights_client, monkeypatch):
    """Rows past the limit are cut and ``recordsMatched`` shows it (CWL_QuerySyntax-Limit.html, GetQueryResults):
    the runner splits the window until every query's rows are whole."""
    from lexlens.analytics.insights import runner

    records = generate(5, 150)
    group = put_records(insights_client, records)
    monkeypatch.setattr(runner, "ROW_LIMIT", 40)  # StartQuery's limit parameter, as a user's account would cap it
    result = insights_partials(insights_client, [group], SINCE, UNTIL, {}, chunk_ms=30 * HOUR)
    assert result.cost["splits"] > 0
    assert finalize(result.partials, 5, "UTC") == local_metrics(records, "UTC")


def test_pages_of_rows_are_read_with_next_token(insights, insights_client):
    """"each page returning up to 10,000 log events" with nextToken (API_GetQueryResults.html)."""
    insights.controls.page_size = 7
    records = generate(6, 60)
    group = put_records(insights_client, records)
    result = insights_partials(insights_client, [group], SINCE, UNTIL, {}, chunk_ms=30 * HOUR)
    assert insights.counters.result_calls > result.cost["queries"] * 2
    assert finalize(result.partials, 5, "UTC") == local_metrics(records, "UTC")


def test_a_timed_out_query_is_split_in_two(insights, insights_client):
    """"Queries time out after 60 minutes of runtime" (API_StartQuery.html): the window is halved and run again."""
    records = generate(7, 40)
    group = put_records(insights_client, records)
    insights.controls.force = ["Timeout"]
    result = insights_partials(insights_client, [group], SINCE, UNTIL, {}, chunk_ms=30 * HOUR)
    assert result.cost["splits"] == 1
    assert finalize(result.partials, 5, "UTC") == local_metrics(records, "UTC")


@pytest.mark.parametrize("status", ["Failed", "Cancelled"])
def test_a_failed_or_cancelled_query_is_one_sentence(insights, insights_client, status):
    group = put_records(insights_client, generate(8, 10))
    insights.controls.force = [status]
    with pytest.raises(LexlensError, match=f"status {status}; run again"):
        insights_partials(insights_client, [group], SINCE, UNTIL, {})


def test_the_concurrency_limit_is_waited_out(insights, insights_client, monkeypatch):
    """"You are limited to 100 concurrent CloudWatch Logs Insights queries per account"
    (CloudWatchLogs-Insights-Query-History.html); StartQuery answers LimitExceededException past it."""
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")  # no botocore retries: lexlens's own backoff is tested
    import boto3

    client = boto3.client("logs")
    records = generate(9, 60)
    group = put_records(client, records)
    insights.controls.max_concurrent = 1
    result = insights_partials(client, [group], SINCE, UNTIL, {}, concurrency=4, chunk_ms=3 * HOUR)
    assert insights.counters.limit_exceeded > 0
    assert finalize(result.partials, 5, "UTC") == local_metrics(records, "UTC")


def test_more_than_50_groups_go_in_batches(insights, insights_client):
    """"You can include up to 50 log groups" per StartQuery (API_StartQuery.html)."""
    records = generate(10, 104)
    groups = [put_records(insights_client, records[i::52]) for i in range(52)]
    result = insights_partials(insights_client, groups, SINCE, UNTIL, {}, chunk_ms=30 * HOUR)
    assert result.cost["queries"] == 8  # 4 families x 2 batches
    assert finalize(result.partials, 5, "UTC") == local_metrics(records, "UTC")


def test_records_past_200_fields_trip_the_guard(insights, insights_client):
    """"CloudWatch Logs Insights can extract a maximum of 200 log event fields from a JSON log"
    (CWL_AnalyzeLogData-discoverable-fields.html): a record whose bot fields come after 200 others."""
    rng = random.Random(11)
    wide = lex_record(SINCE + 10, "wide", rng)
    bot = wide.pop("bot")
    wide["sessionState"]["sessionAttributes"] = {f"k{i}": str(i) for i in range(210)}
    wide["bot"] = bot
    group = put_records(insights_client, generate(12, 10) + [(SINCE + 10, wide)])
    with pytest.raises(FieldsMissing, match=r"bot.id \(1\).*need --engine local"):
        insights_partials(insights_client, [group], SINCE, UNTIL, {})
    started = insights.counters.query_strings
    assert started and all("as has_bot" in query for query in started)  # only the turns family ran


@pytest.mark.parametrize("filters, keep", [
    ({"bots": ("BOT1",)}, lambda rec: True), ({"locales": ("de_DE",)}, lambda rec: rec["bot"]["localeId"] == "de_DE"),
    ({"bots": ("Nope",)}, lambda rec: False), ({"aliases": ("TestBotAlias",), "versions": ("DRAFT",)}, lambda rec: True),
])
def test_filters_go_into_the_queries(insights, insights_client, filters, keep):
    records = generate(13, 40)
    group = put_records(insights_client, records)
    result = insights_partials(insights_client, [group], SINCE, UNTIL, filters, chunk_ms=30 * HOUR)
    assert finalize(result.partials, 5, "UTC") == local_metrics([r for r in records if keep(r[1])], "UTC")


@pytest.mark.parametrize("filters, message", [
    ({"bots": ('x" or 1=1',)}, "is not a Lex id or name"),
    ({"bots": tuple(f"BOT{i:07d}" for i in range(800))}, "past the 10,000 StartQuery takes"),
])
def test_bad_filter_values_are_refused_before_any_query(insights, insights_client, filters, message):
    """StartQuery's queryString holds at most 10,000 characters (botocore's service model)."""
    with pytest.raises(LexlensError, match=message):
        insights_partials(insights_client, ["/aws/lex/none"], SINCE, UNTIL, filters)
    assert insights.counters.started == 0


def test_the_local_report_and_the_finalizer_agree_on_the_sample():
    """One finisher: the local report's values are what ``finalize`` makes of the local partials."""
    from lexlens.analytics.ingest.loading import load_logs
    from lexlens.analytics.report.build import ReportOptions, build_report
    from lexlens.sample_logs import DEMO_LOG

    data = load_logs([DEMO_LOG])
    report = build_report(data, ReportOptions(top=7, tz="Asia/Kolkata")).values()
    finished = finalize(local_partials(data.turns), 7, "Asia/Kolkata")
    shared = [key for key in finished if key in report]
    assert len(shared) == 13 and finished["records"] == report["records"] > 9_000
    assert {key: finished[key] for key in shared} == {key: report[key] for key in shared}


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), cuts=st.lists(st.integers(0, 10_000), min_size=1, max_size=6))
def test_partials_of_slices_merge_into_the_partials_of_the_whole(seed, cuts):
    """Chunks of any size, cut right after a record (sessions and quarters across their edges): the merged
    partials are the whole's partials."""
    from lexlens.analytics.metrics.partials import Partials

    records = sorted(generate(seed, 12), key=lambda item: item[0])
    whole = local_partials(load([rec for _, rec in records]).turns)
    edges = sorted({records[cut % len(records)][0] + 1 for cut in cuts}) + [records[-1][0] + 1]
    merged, start = Partials(), records[0][0]
    for end in edges:
        piece = [rec for ms, rec in records if start <= ms < end]
        if piece:
            merged.merge(local_partials(load(piece).turns))
        start = end
    assert merged == whole


@pytest.mark.parametrize("turns, first, last", [
    ([], {}, {}),
    ([("s1", 0, "A"), ("s1", 5, "B"), ("s1", 9, "")], {"A": 1}, {"B": 1}),  # a turn without intent is not one
    ([("s1", 0, "B"), ("s1", 0, "A"), ("s2", 3, "B"), ("s2", 3, "A")], {"A": 2}, {"A": 2}),  # ties: by name
    ([("s1", 0, "A"), ("s1", 5, "B"), ("s1", 9, "A"), ("s2", 1, "B")], {"A": 1, "B": 1}, {"A": 1, "B": 1}),
])
def test_first_and_last_intents_per_session(turns, first, last):
    records = [record(session, seconds, intent=intent) for session, seconds, intent in turns]
    finished = finalize(local_partials(load(records).turns))
    assert (finished["first_intents"], finished["last_intents"]) == (first, last)


class InterruptedClient:
    """The real client over HTTP, whose ``after``-th GetQueryResults is interrupted (Ctrl-C)."""

    def __init__(self, client, after: int):
        self.client, self.after, self.calls = client, after, 0

    def __getattr__(self, name):
        return getattr(self.client, name)

    def get_query_results(self, **params):
        self.calls += 1
        if self.calls == self.after:
            raise KeyboardInterrupt
        return self.client.get_query_results(**params)


def test_queries_still_running_are_stopped_on_the_way_out(insights, insights_client):
    """StopQuery "Stops a CloudWatch Logs Insights query that is in progress" (API_StopQuery.html)."""
    group = put_records(insights_client, generate(14, 30))
    insights.controls.scheduled_polls = 20  # the other queries are still waiting when the run is interrupted
    with pytest.raises(KeyboardInterrupt):
        insights_partials(InterruptedClient(insights_client, 3), [group], SINCE, UNTIL, {}, concurrency=4,
                          chunk_ms=3 * HOUR)
    assert insights.counters.stopped >= 2
    statuses = [query["status"] for query in insights_client.describe_queries(logGroupName=group)["queries"]]
    assert "Scheduled" not in statuses and "Running" not in statuses and "Cancelled" in statuses


def test_answers_of_windows_past_the_ingestion_lag_are_cached(insights, insights_client, tmp_path):
    group = put_records(insights_client, generate(15, 30))
    first = insights_partials(insights_client, [group], SINCE, UNTIL, {}, cache_dir=tmp_path)
    started = insights.counters.started
    again = insights_partials(insights_client, [group], SINCE, UNTIL, {}, cache_dir=tmp_path)
    assert insights.counters.started == started and again.cost["cached"] == first.cost["queries"] > 0
    assert again.partials == first.partials and again.records == first.records
    now = int(time.time() * 1000)  # a window reaching the present may still grow: asked again
    insights_partials(insights_client, [group], SINCE, now, {}, cache_dir=tmp_path)
    started = insights.counters.started
    recent = insights_partials(insights_client, [group], SINCE, now, {}, cache_dir=tmp_path)
    assert insights.counters.started > started and recent.cost["queries"] > 0
    for damaged in (tmp_path / "insights").glob("*.json"):
        damaged.write_text("{not json")
    assert insights_partials(insights_client, [group], SINCE, UNTIL, {}, cache_dir=tmp_path).partials == first.partials


class RowDroppingClient(InterruptedClient):
    """The real client, minus the first row of every finished answer: a service leaving records out of
    its groups (the documentation does not say what stats does with a record lacking a ``by`` field)."""

    def __init__(self, client):
        super().__init__(client, after=0)

    def get_query_results(self, **params):
        answer = self.client.get_query_results(**params)
        if answer["status"] == "Complete" and answer["results"]:
            answer["results"] = answer["results"][1:]
        return answer


def test_records_left_out_without_a_cut_stop_the_run(insights, insights_client):
    group = put_records(insights_client, generate(16, 20))
    with pytest.raises(LexlensError, match="lexlens cannot tell what was left out; use --engine local"):
        insights_partials(RowDroppingClient(insights_client), [group], SINCE, UNTIL, {})
    assert insights.counters.started <= 2  # the first chunks only, no split: a smaller window would not help
