"""Answers of the Logs Insights stand-in, over HTTP through boto3, against plain loops over the records.

Expected answers are computed by plain loops over the records put into moto, never by the
stand-in's evaluator. Each test of a documented behaviour cites the page it relies on;
docs/insights-standin.md lists them all.
"""
import json
import re

import pytest

pytest.register_assert_rewrite("moto_server", "insights_standin", "insights_samples")  # before the imports below

from insights_samples import HOUR, START, T0, put_sample, run_query, shown  # noqa: E402



def lex(documents):
    return [(ms, d) for ms, d in documents if d is not None and "sessionId" in d]


def unordered(rows: list) -> list:
    return sorted(tuple(sorted(row.items())) for row in rows)


def per_session(documents, value) -> list:
    sessions = {}
    for ms, d in lex(documents):
        sessions.setdefault(d["sessionId"], []).append((ms, d))
    return [{"sessionId": session, **value(turns)} for session, turns in sessions.items()]


def group_by(documents, key, value) -> list:
    groups = {}
    for ms, d in documents:
        groups.setdefault(key(ms, d), []).append((ms, d))
    return [{**({} if k is None else {"k": k}), **value(members)} for k, members in groups.items()]


# (query, expected rows from the documents); each is the answer a plain loop gives.


ANSWERS = [
    ("stats count(*) as n", lambda docs: [{"n": str(len(docs))}]),
    ("filter ispresent(sessionId) | stats count(*) as turns by sessionId",
     lambda docs: per_session(docs, lambda turns: {"turns": str(len(turns))})),
    ("filter missedUtterance = 1 | stats count(*) as missed by bin(1h) as k",
     lambda docs: group_by([(ms, d) for ms, d in lex(docs) if d["missedUtterance"]],
                           lambda ms, d: shown(ms // HOUR * HOUR), lambda m: {"missed": str(len(m))})),
    ("stats count(*) as n by bin(90m) as k",  # capped to 60 minutes (CWL_QuerySyntax-operations-functions)
     lambda docs: group_by(docs, lambda ms, d: shown(ms // HOUR * HOUR), lambda m: {"n": str(len(m))})),
    ('filter sessionState.intent.name in ["BookRoom", "BookCar"] | stats count(*) as n by sessionState.intent.name',
     lambda docs: [{"sessionState.intent.name": name, "n": str(sum(d["sessionState"]["intent"]["name"] == name
                                                                   for _, d in lex(docs)))}
                   for name in ("BookRoom", "BookCar")]),
    ("filter ispresent(sessionId) | stats count(*) as turns by sessionId"
     " | stats count(*) as sessions, sum(turns) as total, max(turns) as longest, min(turns) as shortest",
     lambda docs: [{"sessions": str(len({d["sessionId"] for _, d in lex(docs)})), "total": str(len(lex(docs))),
                    "longest": str(max(r["turns"] for r in per_session(docs, lambda t: {"turns": len(t)}))),
                    "shortest": str(min(r["turns"] for r in per_session(docs, lambda t: {"turns": len(t)})))}]),
    ("filter ispresent(sessionId) | stats earliest(inputTranscript) as first, latest(inputTranscript) as last"
     " by sessionId",
     lambda docs: per_session(docs, lambda turns: {"first": min(turns, key=lambda t: t[0])[1]["inputTranscript"],
                                                   "last": max(turns, key=lambda t: t[0])[1]["inputTranscript"]})),
    ("stats min(@timestamp) as began, max(@timestamp) as ended by sessionId as k",  # a missing key is a group
     lambda docs: group_by(docs, lambda ms, d: (d or {}).get("sessionId"),
                           lambda m: {"began": shown(min(ms for ms, _ in m)), "ended": shown(max(ms for ms, _ in m))})),
    ('fields requestId, inputTranscript | filter inputTranscript like "book" | sort requestId asc | limit 3',
     lambda docs: sorted(({"requestId": d["requestId"], "inputTranscript": d["inputTranscript"]}
                          for _, d in lex(docs) if "book" in d["inputTranscript"]),
                         key=lambda row: row["requestId"])[:3]),
    (f"filter toMillis(@timestamp) >= {T0 + 60_000} and toMillis(@timestamp) < {T0 + 62 * 60_000}"
     " | stats count(*) as n",
     lambda docs: [{"n": str(sum(T0 + 60_000 <= ms < T0 + 62 * 60_000 for ms, _ in docs))}]),
    ("stats count(*) as events, count(sessionId) as lex, count(latencyMs) as timed",
     lambda docs: [{"events": str(len(docs)), "lex": str(len(lex(docs))),
                    "timed": str(sum("latencyMs" in (d or {}) for _, d in docs))}]),
    ('filter level = "INFO" or level = "WARN" | stats sum(latencyMs) as total, min(latencyMs) as fastest,'
     ' max(latencyMs) as slowest',
     lambda docs: [{"total": str(sum(d["latencyMs"] for _, d in docs if d and "level" in d)),
                    "fastest": str(min(d["latencyMs"] for _, d in docs if d and "level" in d)),
                    "slowest": str(max(d["latencyMs"] for _, d in docs if d and "level" in d))}]),
    ("filter ok = 1 | stats count(*) as n", lambda docs: [{"n": str(sum(bool((d or {}).get("ok")) for _, d in docs))}]),
    ("filter not ispresent(sessionId) | stats count(*) as n",
     lambda docs: [{"n": str(len(docs) - len(lex(docs)))}]),
    ('filter (sessionId = "sA" or sessionId = "sB") and not missedUtterance = 1 | stats count(*) as n',
     lambda docs: [{"n": str(sum(d["sessionId"] in ("sA", "sB") and not d["missedUtterance"]
                                 for _, d in lex(docs)))}]),
    ('filter sessionId != "sA" | stats count(*) as n',  # a missing field matches no comparison
     lambda docs: [{"n": str(sum(d["sessionId"] != "sA" for _, d in lex(docs)))}]),
    ('filter sessionId not in ["sA", "sB"] | stats count(*) as n',
     lambda docs: [{"n": str(sum(d["sessionId"] not in ("sA", "sB") for _, d in lex(docs)))}]),
    ('filter inputTranscript like "?" | stats count(*) as n',  # a "string" is a substring, not a pattern
     lambda docs: [{"n": str(sum("?" in d["inputTranscript"] for _, d in lex(docs)))}]),
    ("filter inputTranscript like /^wh/ | stats count(*) as n",
     lambda docs: [{"n": str(sum(re.search("^wh", d["inputTranscript"]) is not None for _, d in lex(docs)))}]),
    ('filter interpretations.0.intent.name = "FallbackIntent" | stats count(*) as n',
     lambda docs: [{"n": str(sum(d["interpretations"][0]["intent"]["name"] == "FallbackIntent"
                                 for _, d in lex(docs)))}]),
    ("filter ispresent(note) | stats count(*) as n", lambda docs: []),  # null is no value; no events, no row
    ('filter sessionId = "nobody" | stats count(*) as n', lambda docs: []),
    ('filter sessionId = "nobody" | fields requestId', lambda docs: []),
]


@pytest.mark.parametrize("query, expected", ANSWERS, ids=[query[:60] for query, _ in ANSWERS])
def test_answers_match_a_plain_loop_over_the_records(insights_client, sample, query, expected):
    result = run_query(insights_client, sample.group, query)
    want = expected(sample.documents())
    got = [{k: v for k, v in row.items() if k != "@ptr"} for row in result.rows]
    assert result.statuses[-1] == "Complete"
    if "sort" in query:
        assert got == want
    else:
        assert unordered(got) == unordered(want)


def test_an_empty_window_scans_nothing(insights_client, sample):
    result = run_query(insights_client, sample.group, "stats count(*) as n", START - 7200, START - 3600)
    assert (result.rows, result.statistics["recordsScanned"], result.statistics["bytesScanned"]) == ([], 0, 0)


def test_statistics_count_scanned_and_matched_events_and_their_bytes(insights_client, sample):
    docs = sample.documents()
    result = run_query(insights_client, sample.group, "filter ispresent(sessionId) | stats count(*) as n by sessionId")
    assert result.statistics == {
        "recordsScanned": len(docs), "recordsMatched": len(lex(docs)), "logGroupsScanned": 1,
        "bytesScanned": sum(len(message.encode()) for _, _, message in sample.events),
        "estimatedRecordsSkipped": 0, "estimatedBytesSkipped": 0, "resultCount": len(result.rows)}


def test_system_fields_and_the_default_display(insights_client, sample):
    """@timestamp, @message, @logStream, @log (account-id:log-group-name), @ingestionTime
    (CWL_AnalyzeLogData-discoverable-fields.html); without fields: @timestamp, @message and @ptr."""
    ms, stream, message = sample.events[0]
    result = run_query(insights_client, sample.group, "fields @timestamp, @message, @logStream, @log, "
                       '@ingestionTime | filter requestId = "sA-t0"')
    (row,) = result.rows
    assert (row["@timestamp"], row["@message"], row["@logStream"], row["@log"]) == (
        shown(ms), message, stream, f"123456789012:{sample.group}")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}", row["@ingestionTime"]) and row["@ptr"]
    (plain,) = run_query(insights_client, sample.group, 'filter requestId = "sA-t0"').rows
    assert sorted(plain) == ["@message", "@ptr", "@timestamp"]


def test_the_time_range_is_inclusive_whole_seconds(insights, insights_client):
    """startTime/endTime: epoch seconds, "The range is inclusive" (API_StartQuery.html); read as
    [startTime*1000, endTime*1000] ms, the narrowest reading."""
    start, end = T0 // 1000, T0 // 1000 + 60
    edges = [start * 1000 - 1, start * 1000, start * 1000 + 500, end * 1000 - 1, end * 1000, end * 1000 + 1]
    data = put_sample(insights.moto, [(ms, "s", json.dumps({"ms": ms})) for ms in edges])
    result = run_query(insights_client, data.group, "fields ms", start, end)
    assert sorted(int(row["ms"]) for row in result.rows) == [ms for ms in edges if start * 1000 <= ms <= end * 1000]


def test_events_put_between_queries_are_seen(insights, insights_client):
    """The stand-in keeps a group's events between queries; a PutLogEvents in between must show."""
    data = put_sample(insights.moto, [(T0, "s", json.dumps({"n": 1}))])
    assert run_query(insights_client, data.group, "stats count(*) as n").rows == [{"n": "1"}]
    insights.moto.put_log_events(logGroupName=data.group, logStreamName="s",
                                 logEvents=[{"timestamp": T0 + 1, "message": "{}"}])
    insights.moto.create_log_stream(logGroupName=data.group, logStreamName="t")
    insights.moto.put_log_events(logGroupName=data.group, logStreamName="t",
                                 logEvents=[{"timestamp": T0 + 2, "message": "{}"}])
    assert run_query(insights_client, data.group, "stats count(*) as n").rows == [{"n": "3"}]


def test_fields_past_the_200th_are_not_discovered(insights, insights_client):
    """"CloudWatch Logs Insights can extract a maximum of 200 log event fields from a JSON log"
    (CWL_AnalyzeLogData-discoverable-fields.html)."""
    record = {f"f{index:03d}": index for index in range(250)}
    data = put_sample(insights.moto, [(T0, "s", json.dumps(record))])
    result = run_query(insights_client, data.group, "stats count(*) as n, count(f199) as kept, count(f200) as lost")
    assert result.rows == [{"n": "1", "kept": "1", "lost": "0"}]


def test_sort_follows_the_documented_natural_order(insights, insights_client):
    order = ["!:", "#", "*%04", "0#", "5A", "111A", "2345_", "@", "@_", "A", "A9876fghj", "a12345hfh",
             "0", "01", "1", "2", "3"]  # the ascending example of CWL_QuerySyntax-Sort.html
    data = put_sample(insights.moto, [(T0 + index, "s", json.dumps({"v": value}))
                                      for index, value in enumerate(reversed(order))])
    for direction, expected in (("asc", order), ("desc", order[::-1])):
        result = run_query(insights_client, data.group, f"fields v | sort v {direction}")
        assert [row["v"] for row in result.rows] == expected


@pytest.mark.parametrize("controls, query, expected", [
    ({"booleans": "text"}, 'filter ok = "true" | stats count(*) as n', [{"n": "2"}]),
    ({"booleans": "text"}, "filter ok = 1 | stats count(*) as n", []),
    ({"numbers": "java"}, "filter ispresent(latencyMs) | stats sum(latencyMs) as t, max(latencyMs) as m, count(*) as n",
     [{"t": "495.5", "m": "300.0", "n": "3"}]),
    ({"empty_aggregate_row": True}, 'filter sessionId = "nobody" | stats count(*) as n', [{"n": "0"}]),
])
def test_undocumented_choices_can_be_switched(insights, insights_client, sample, controls, query, expected):
    """How JSON booleans and numbers show, and whether stats over no events gives a row, are not documented:
    a test of lexlens can run under each choice."""
    for name, value in controls.items():
        setattr(insights.controls, name, value)
    assert run_query(insights_client, sample.group, query).rows == expected


def test_a_real_sized_group_gives_the_ground_truth(insights, insights_client, lex_group):
    """12,150 events in three streams (the shared lex_group): counts by bot equal the events put there."""
    since, until = lex_group.now - 50 * HOUR, lex_group.now
    truth = {bot: len(lex_group.in_window(since, until, bot_id=bot)) for bot in ("BOTAAAAAAA", "BOTBBBBBBB")}
    result = run_query(insights_client, lex_group.name, "filter ispresent(bot.id) | stats count(*) as n by bot.id",
                       since // 1000, until // 1000)
    assert {row["bot.id"]: int(row["n"]) for row in result.rows} == truth
    assert result.statistics["recordsScanned"] == len(lex_group.in_window(since, until)) + 0 * len(truth)
