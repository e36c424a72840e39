"""One Logs Insights query inside the stand-in: its answers, statuses and statistics.

API pages: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_StartQuery.html,
API_GetQueryResults.html, API_StopQuery.html, API_DescribeQueries.html (the same text is in
botocore's model, which tests/insights_shapes.py checks every answer against).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Optional

from insights_eval import evaluate, make_record, render

# GetQueryResults "status": Scheduled and Running are the states before the end; the rest end a query.
ACTIVE = ("Scheduled", "Running")
ENDED = ("Complete", "Failed", "Cancelled", "Timeout", "Unknown")
# "Queries time out after 60 minutes of runtime." (API_StartQuery.html)
TIMEOUT_SECONDS = 3600


@dataclass
class Controls:
    """What a test may change (the ``insights`` fixture resets them before each test)."""
    max_concurrent: int = 100  # "You can have up to 100 concurrent CloudWatch Logs insights queries" (StartQuery)
    default_limit: int = 10_000  # rows without a limit: "the query defaults to returning up to 10,000" (Limit page)
    page_size: int = 10_000  # "each page returning up to 10,000 log events" (GetQueryResults)
    scheduled_polls: int = 1  # GetQueryResults answers before Running
    running_polls: int = 1  # answers with partial rows before the end
    partial_fraction: float = 0.5  # share of the events a Running answer has covered
    bytes_per_second: Optional[float] = None  # simulated scan speed; past 60 minutes the query times out
    booleans: str = "numeric"  # how JSON true/false are discovered: 1/0 or "true"/"false" (undocumented)
    numbers: str = "plain"  # "java" shows numbers as Java doubles (15.0, 6.7E7) as some real answers do
    empty_aggregate_row: bool = False  # stats without by over no events: no row, or one row of zeros
    seed: int = 17  # the unspecified order of events and rows
    force: list = field(default_factory=list)  # end statuses for the next queries: Failed, Timeout, Unknown


@dataclass
class Counters:
    started: int = 0
    stopped: int = 0
    refused: int = 0  # MalformedQueryException
    limit_exceeded: int = 0
    result_calls: int = 0
    rows_returned: int = 0
    bytes_scanned: int = 0
    events_read: int = 0
    query_strings: list = field(default_factory=list)


@dataclass
class Answer:
    """Rows as GetQueryResults carries them ([{field, value}, ...] per row) and their statistics."""
    rows: list
    statistics: dict


@dataclass
class QueryRun:
    query_id: str
    query_string: str
    groups: list
    created_ms: int
    partial: Answer
    final: Answer
    end_status: str
    scheduled_polls: int
    running_polls: int
    duration_ms: int
    status: str = "Scheduled"
    polls: int = 0
    reached_running: bool = False

    def poll(self) -> str:
        """Advance one GetQueryResults call: Scheduled -> Running (partial rows) -> the end status."""
        if self.status in ACTIVE:
            self.polls += 1
            if self.polls <= self.scheduled_polls:
                self.status = "Scheduled"
            elif self.polls <= self.scheduled_polls + self.running_polls:
                self.status, self.reached_running = "Running", True
            else:
                self.status = self.end_status
        return self.status

    def answer(self) -> Answer:
        """Complete: every row. Running, Timeout, Cancelled, Unknown: the rows found so far (none if it never
        ran). Failed, Scheduled: none. The documentation only says Running answers are partial."""
        if self.status == "Complete":
            return self.final
        empty = Answer([], {**self.partial.statistics, "resultCount": 0.0})
        if self.status == "Failed" or not self.reached_running:
            return empty if self.reached_running else Answer([], zero_statistics(len(self.groups)))
        return self.partial

    def info(self) -> dict:
        """The QueryInfo of DescribeQueries."""
        statistics = self.final.statistics if self.status == "Complete" else self.answer().statistics
        return {"queryLanguage": "CWLI", "queryId": self.query_id, "queryString": self.query_string,
                "status": self.status, "createTime": self.created_ms, "logGroupName": self.groups[0],
                "queryDuration": self.duration_ms if self.status in ENDED else 0,
                "bytesScanned": statistics["bytesScanned"],
                "userIdentity": "arn:aws:iam::123456789012:user/standin"}


def zero_statistics(groups: int) -> dict:
    return {"recordsMatched": 0.0, "recordsScanned": 0.0, "estimatedRecordsSkipped": 0.0, "bytesScanned": 0.0,
            "estimatedBytesSkipped": 0.0, "logGroupsScanned": float(groups), "resultCount": 0.0}


def build_answers(query, events: list, groups: list, *, row_cap: int, controls: Controls, salt: int) -> tuple:
    """(partial, final, scanned bytes) for ``events`` = [(group, event dict), ...]. The events are shuffled
    because Logs Insights promises no order; a Running answer covers the first ``partial_fraction`` of them.
    With two stats no partial rows: "the partial results from the query do not begin displaying until the
    first stats aggregation is complete" (CWL_QuerySyntax-Stats.html)."""
    wanted = query.event_fields()
    records = [make_record(event, group, "123456789012", controls.booleans, wanted, pointer=not query.stats)
               for group, event in events]
    sizes = [len(event["message"].encode()) for _, event in events]
    order = list(range(len(records)))
    random.Random(controls.seed * 1_000_003 + salt).shuffle(order)
    records, sizes = [records[i] for i in order], [sizes[i] for i in order]
    seen = round(len(records) * controls.partial_fraction)

    def answer(count: int) -> Answer:
        result = evaluate(query, records[:count], row_cap=row_cap, empty_aggregate_row=controls.empty_aggregate_row)
        rows = [[{"field": column, "value": render(row[column], controls.numbers)}
                 for column in result.columns if column in row] for row in result.rows]
        statistics = {**zero_statistics(len(groups)), "recordsMatched": float(result.matched),
                      "recordsScanned": float(count), "bytesScanned": float(sum(sizes[:count])),
                      "resultCount": float(len(rows))}
        return Answer(rows, statistics)

    if controls.running_polls == 0:  # never Running: no partial answer is ever shown
        partial = Answer([], zero_statistics(len(groups)))
    else:
        partial = answer(seen)
    if len(query.stats) == 2:
        partial = Answer([], {**partial.statistics, "resultCount": 0.0})
    return partial, answer(len(records)), sum(sizes)
