"""Sample log groups and query helpers shared by the Logs Insights stand-in's tests.

A pytest plugin (list it in ``pytest_plugins`` after ``insights_standin``): module-scoped fixtures
``sample`` (ten Lex turns in four sessions and five other lines, three streams) and ``seven`` (seven tiny
JSON events), both put into moto directly; helpers to run a query to its end and read every page.
"""
import json
import time
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest

from moto_server import make_lex_record, put_events, unique_group

HOUR = 3_600_000
T0 = (int(time.time() * 1000) // HOUR - 6) * HOUR  # six hours ago, on the hour
START, END = T0 // 1000 - 3600, T0 // 1000 + 4 * 3600  # a window (epoch seconds) around every sample event
TURNS = [  # (minutes after T0, session, transcript, intent, missed); some late in an hour, for bin()
    (0, "sA", "book a room", "BookRoom", False), (1, "sA", "tomorrow", "BookRoom", False),
    (2, "sA", "two nights", "BookRoom", False), (45, "sB", "hello", "Greeting", False),
    (46, "sB", "cancel my booking", "CancelRoom", False), (47, "sB", "blah", "", True),
    (61, "sC", "book a car", "BookCar", False), (62, "sC", "what?", "", True), (63, "sC", "what?", "", True),
    (125, "sD", "book a room", "BookRoom", False),
]
OTHER_LINES = [  # (minutes after T0, message): not Lex records
    (3, "START RequestId: 1f2e Version: $LATEST"), (64, "not json {"),
    (4, json.dumps({"level": "INFO", "latencyMs": 120, "ok": True, "note": None})),
    (65, json.dumps({"level": "WARN", "latencyMs": 75.5, "ok": False})),
    (126, json.dumps({"level": "INFO", "latencyMs": 300, "ok": True})),
]


@dataclass
class Sample:
    group: str
    events: list  # (ms, stream, message)

    def documents(self) -> list:
        """(ms, parsed JSON object or None) per event: the ground truth the tests loop over."""
        out = []
        for ms, _, message in self.events:
            try:
                document = json.loads(message)
            except ValueError:
                document = None
            out.append((ms, document if isinstance(document, dict) else None))
        return out


@pytest.fixture(scope="module")
def sample(insights_server) -> Sample:
    """Ten Lex turns in four sessions and five other lines, in two streams of one log group."""
    events = [(T0 + minute * 60_000, f"stream-{'ab'[index % 2]}",
               json.dumps(make_lex_record(T0 + minute * 60_000, session, f"{session}-t{index}", transcript,
                                          intent=intent or "X", missed=missed)))
              for index, (minute, session, transcript, intent, missed) in enumerate(TURNS)]
    events += [(T0 + minute * 60_000, "stream-c", message) for minute, message in OTHER_LINES]
    return put_sample(insights_server.moto, events)


def put_sample(moto, events: list) -> Sample:
    group = unique_group("/aws/lex/insights")
    for stream in sorted({stream for _, stream, _ in events}):
        put_events(moto, group, stream, [{"timestamp": ms, "message": message}
                                         for ms, name, message in events if name == stream])
    return Sample(group, events)


@dataclass
class Result:
    query_id: str
    statuses: list
    rows: list  # one dict per row, field -> value
    statistics: dict
    pages: int


def run_query(client, group, query: str, start: int = START, end: int = END, **params) -> Result:
    """StartQuery, GetQueryResults until the query ends, then every page."""
    groups = {"logGroupNames": group} if isinstance(group, list) else {"logGroupName": group}
    query_id = client.start_query(**groups, startTime=start, endTime=end, queryString=query, **params)["queryId"]
    statuses = []
    while not statuses or statuses[-1] in ("Scheduled", "Running"):
        reply = client.get_query_results(queryId=query_id)
        statuses.append(reply["status"])
    rows, pages = list(reply["results"]), 1
    while reply.get("nextToken"):
        reply = client.get_query_results(queryId=query_id, nextToken=reply["nextToken"])
        rows, pages = rows + reply["results"], pages + 1
    return Result(query_id, statuses, [{c["field"]: c["value"] for c in row} for row in rows],
                  reply["statistics"], pages)


def shown(ms: int) -> str:
    """How results show a time: 2023-12-05 22:14:43.877 (UTC)."""
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


@pytest.fixture(scope="module")
def seven(insights_server) -> Sample:
    return put_sample(insights_server.moto, [(T0 + i, "s", json.dumps({"i": i})) for i in range(7)])


def poll(client, query_id: str, times: int, **params) -> list:
    return [client.get_query_results(queryId=query_id, **params) for _ in range(times)]


def start(client, group: str, query: str, **params) -> str:
    return client.start_query(logGroupName=group, startTime=START, endTime=END, queryString=query,
                              **params)["queryId"]
