"""Run Logs Insights queries to completion within the service's limits.

- at most 50 log groups per query (StartQuery ``logGroupNames``): groups go in batches;
- rows: StartQuery ``limit`` up to 100,000, read in pages of up to 10,000 with ``nextToken``
  (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetQueryResults.html);
  a query whose rows fall short (``sum(n)`` below ``statistics.recordsMatched``) or that times
  out ("Queries time out after 60 minutes of runtime", API_StartQuery.html) is split in two
  halves of its window and run again, down to one millisecond;
- up to 100 concurrent queries per account, dashboards included
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatchLogs-Insights-Query-History.html):
  a bounded pool (``concurrency``), and backoff when StartQuery still answers
  LimitExceededException after botocore's own retries;
- StopQuery for every query still running when the run stops (an error, Ctrl-C).
"""
from __future__ import annotations

import random
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from lexlens.analytics.errors import LexlensError
from lexlens.analytics.insights.queries import Family, number, query_string

MAX_GROUPS = 50          # StartQuery: "You can include up to 50 log groups"
ROW_LIMIT = 100_000      # StartQuery limit: max 100000 (botocore's model)
PAGE_ITEMS = 10_000      # GetQueryResults maxItems: max 10000 (botocore's model)
START_ATTEMPTS = 8       # StartQuery tries while the account is at its concurrency limit
POLL_FIRST_S, POLL_MAX_S = 0.05, 2.0
ENDED = {"Complete", "Failed", "Cancelled", "Timeout", "Unknown"}


@dataclass(frozen=True)
class Chunk:
    """One query to run: a family over some log groups and ``[since_ms, until_ms)``."""

    family: Family
    groups: tuple
    since_ms: int
    until_ms: int

    def halves(self) -> tuple["Chunk", "Chunk"]:
        middle = (self.since_ms + self.until_ms) // 2
        return (Chunk(self.family, self.groups, self.since_ms, middle),
                Chunk(self.family, self.groups, middle, self.until_ms))


@dataclass
class RunStats:
    """What a run cost: queries started, splits, rows read and the service's statistics."""

    queries: int = 0
    cached: int = 0
    splits: int = 0
    rows: int = 0
    records_scanned: int = 0
    bytes_scanned: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, rows: int, statistics: dict) -> None:
        with self.lock:
            self.queries += 1
            self.rows += rows
            self.records_scanned += number(statistics.get("recordsScanned", 0))
            self.bytes_scanned += number(statistics.get("bytesScanned", 0))

    def as_dict(self) -> dict:
        return {"queries": self.queries, "cached": self.cached, "splits": self.splits, "rows": self.rows,
                "records_scanned": self.records_scanned, "bytes_scanned": self.bytes_scanned}


def plan_chunks(family: Family, groups, since_ms: int, until_ms: int, chunk_ms: int) -> list[Chunk]:
    """The first chunks of a family: log groups in batches of 50, the window in ``chunk_ms`` pieces."""
    batches = [tuple(groups[i:i + MAX_GROUPS]) for i in range(0, len(groups), MAX_GROUPS)]
    edges = list(range(since_ms, until_ms, chunk_ms)) + [until_ms]
    return [Chunk(family, batch, start, end) for batch in batches for start, end in zip(edges, edges[1:])]


class Runner:
    """Runs chunks on a bounded pool; ``run`` returns each chunk's rows (split chunks' halves)."""

    def __init__(self, client, filters: dict, concurrency: int = 10, cache=None):
        self.client, self.filters, self.concurrency, self.cache = client, filters, concurrency, cache
        self.stats = RunStats()
        self.running: set[str] = set()
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    def run(self, chunks: list[Chunk]) -> list[tuple[Chunk, list[dict]]]:
        """Every chunk's rows, complete (split as needed); StopQuery on the way out of an error."""
        done: list[tuple[Chunk, list[dict]]] = []
        with ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="insights") as pool:
            pending = {pool.submit(self.run_chunk, chunk): chunk for chunk in chunks}
            try:
                while pending:
                    finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in finished:
                        chunk = pending.pop(future)
                        rows = future.result()
                        if rows is None:  # cut or timed out: run both halves
                            with self.stats.lock:
                                self.stats.splits += 1
                            for half in chunk.halves():
                                pending[pool.submit(self.run_chunk, half)] = half
                        else:
                            done.append((chunk, rows))
            except BaseException:
                self.stopping.set()
                for future in pending:
                    future.cancel()
                self.stop_all()
                raise
        return done

    def run_chunk(self, chunk: Chunk) -> list[dict] | None:
        """The rows of one chunk, or None when they are incomplete and the chunk can be split."""
        text = query_string(chunk.family, chunk.since_ms, chunk.until_ms, self.filters)
        cached = self.cache.get(chunk.groups, text) if self.cache else None
        if cached is not None:
            with self.stats.lock:
                self.stats.cached += 1
            return cached
        started_ms = int(time.time() * 1000)
        query_id = self.start(chunk, text)
        try:
            status, rows, statistics = self.results(query_id)
        except BaseException:  # an error, Ctrl-C, or another query's failure: leave nothing running
            self.stop(query_id)
            raise
        finally:
            with self.lock:
                self.running.discard(query_id)
        self.stats.add(len(rows), statistics)
        complete = status == "Complete" and sum(number(row["n"]) for row in rows) >= number(
            statistics.get("recordsMatched", 0))
        if complete:
            if self.cache:
                self.cache.put(chunk.groups, text, rows, chunk.until_ms, started_ms)
            return rows
        if status == "Complete" and len(rows) < ROW_LIMIT:  # short of records, yet not cut: splitting cannot help
            raise LexlensError(f"Logs Insights answered a {chunk.family.name} query with groups covering "
                               f"{sum(number(row['n']) for row in rows):,} of its "
                               f"{number(statistics.get('recordsMatched', 0)):,} records, below its row limit, so "
                               "lexlens cannot tell what was left out; use --engine local.", exit_code=1)
        if status in ("Complete", "Timeout") and chunk.until_ms - chunk.since_ms > 1:
            return None
        if status in ("Complete", "Timeout"):
            raise LexlensError(f"Logs Insights cannot return the {chunk.family.name} of one millisecond "
                               f"({chunk.since_ms}) in one query; use --engine local.", exit_code=1)
        raise LexlensError(f"Logs Insights ended a {chunk.family.name} query with status {status}; run again, "
                           "or use --engine local.", exit_code=1)

    def start(self, chunk: Chunk, text: str, limit: int | None = None) -> str:
        """StartQuery, backing off while the account's concurrent queries are at their limit."""
        for attempt in range(START_ATTEMPTS):
            if self.stopping.is_set():
                raise LexlensError("stopped.", exit_code=1)
            try:
                query_id = self.client.start_query(
                    logGroupNames=list(chunk.groups), startTime=chunk.since_ms // 1000,
                    endTime=-(-chunk.until_ms // 1000), queryString=text, limit=limit or ROW_LIMIT)["queryId"]
            except self.client.exceptions.LimitExceededException:
                time.sleep(min(30.0, 0.5 * 2 ** attempt) * (0.5 + random.random()))
                continue
            with self.lock:
                self.running.add(query_id)
            if self.stopping.is_set():  # the run stopped while this query was being started
                self.stop(query_id)
                raise LexlensError("stopped.", exit_code=1)
            return query_id
        raise LexlensError(f"Logs Insights refused {START_ATTEMPTS} times to start a query: the account is at its "
                           "limit of concurrent queries; lower --insights-concurrency or run again later.",
                           exit_code=1)

    def results(self, query_id: str) -> tuple[str, list[dict], dict]:
        """Poll until the query ends; then every page of its rows, as {field: value} dicts."""
        delay = POLL_FIRST_S
        while True:
            if self.stopping.is_set():
                raise LexlensError("stopped.", exit_code=1)
            answer = self.client.get_query_results(queryId=query_id, maxItems=PAGE_ITEMS)
            if answer["status"] in ENDED:
                break
            time.sleep(delay)
            delay = min(POLL_MAX_S, delay * 2)
        rows = [as_row(row) for row in answer.get("results", [])]
        token = answer.get("nextToken")
        while token:
            page = self.client.get_query_results(queryId=query_id, maxItems=PAGE_ITEMS, nextToken=token)
            rows += [as_row(row) for row in page.get("results", [])]
            token = page.get("nextToken")
        return answer["status"], rows, answer.get("statistics", {})

    def stop_all(self) -> None:
        """StopQuery every query still running (one that has just ended answers an error: ignored)."""
        with self.lock:
            running = list(self.running)
        for query_id in running:
            self.stop(query_id)

    def stop(self, query_id: str) -> None:
        """StopQuery ``query_id``; one that has ended already answers an error, ignored."""
        try:
            self.client.stop_query(queryId=query_id)
        except Exception:  # noqa: BLE001 - ended meanwhile, or the endpoint is gone
            pass


def as_row(fields: list[dict]) -> dict:
    """{field: value} of one result row (``@ptr`` and absent fields left out)."""
    return {item["field"]: item["value"] for item in fields if "value" in item and item["field"] != "@ptr"}
