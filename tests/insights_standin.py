"""pytest fixtures: a CloudWatch Logs Insights stand-in over HTTP, in front of moto's server.

moto answers StartQuery with raw rows, ignores ``filter`` and ``stats``, and has no statistics,
paging or StopQuery (issue 17). The stand-in speaks the CloudWatch Logs JSON protocol
(``X-Amz-Target: Logs_20140328.<Operation>``, ``application/x-amz-json-1.1``) on a free loopback
port: it answers StartQuery, GetQueryResults, StopQuery and DescribeQueries itself, reading the
events with FilterLogEvents from moto, and forwards every other request to moto unchanged, so boto3
points at it through ``AWS_ENDPOINT_URL_CLOUDWATCH_LOGS`` exactly as it points at moto.

Fixtures (list this module in ``pytest_plugins`` after ``moto_server``):

- ``insights_server`` (session): the running stand-in (``.url``, ``.controls``, ``.counters``).
- ``insights`` (function): the same, reset (default controls, no queries, zero counters), with fake
  credentials and ``AWS_ENDPOINT_URL_CLOUDWATCH_LOGS`` pointing at it in this process.
- ``insights_client`` (function): a boto3 ``logs`` client built from that environment.

What it imitates and refuses, with the documentation behind each rule: docs/insights-standin.md.
"""
from __future__ import annotations

import base64
import http.client
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from insights_query import QueryError, parse_query
from insights_runs import ACTIVE, TIMEOUT_SECONDS, Controls, Counters, QueryRun, build_answers
from insights_shapes import exception_errors, request_errors, response_errors
from moto_server import ENDPOINT_ENV, FAKE_ENV, UNSET_ENV

TARGET = "Logs_20140328."
CONTENT_TYPE = "application/x-amz-json-1.1"
CACHED_GROUPS = 8  # groups whose events the stand-in keeps between queries (see group_events)
MAX_LOG_GROUPS = 50  # logGroupNames / logGroupIdentifiers: "You can include up to 50 log groups." (StartQuery)
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


class ServiceError(Exception):
    """An error answer: HTTP 400 with the JSON protocol's ``__type`` and ``message``."""

    def __init__(self, kind: str, message: str, **members):
        super().__init__(message)
        self.body = {"__type": kind, "message": message, **members}


class InsightsStandIn:
    """The stand-in's state; ``handle`` answers one of its four operations."""

    def __init__(self, moto_url: str):
        import boto3

        self.moto_url = moto_url
        self.moto = boto3.client("logs", endpoint_url=moto_url, region_name="us-east-1",
                                 aws_access_key_id="testing", aws_secret_access_key="testing")
        self.lock = threading.Lock()
        self.cache: dict = {}  # group -> (streams' version, events); survives reset(): moto's data does too
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.controls, self.counters, self.queries, self.starting = Controls(), Counters(), {}, 0

    # ---- operations ------------------------------------------------------------------------
    def handle(self, operation: str, body: dict) -> dict:
        errors = request_errors(operation, body)
        if errors:
            raise ServiceError("InvalidParameterException", f"{len(errors)} validation error(s) detected: "
                               + "; ".join(errors))
        return getattr(self, f"op_{operation}")(body)

    def op_StartQuery(self, body: dict) -> dict:
        groups = self.log_groups(body)
        if body.get("queryLanguage", "CWLI") != "CWLI":
            raise ServiceError("InvalidParameterException", "the stand-in speaks only Logs Insights QL (CWLI)")
        if body["endTime"] < body["startTime"]:
            raise ServiceError("InvalidParameterException", "endTime is before startTime")
        try:
            query = parse_query(body["queryString"])
        except QueryError as error:
            with self.lock:
                self.counters.refused += 1
            raise ServiceError("MalformedQueryException", str(error), queryCompileError={
                "location": {"startCharOffset": error.start, "endCharOffset": error.end}, "message": str(error)})
        with self.lock:  # a slot is held from here, so queries started at once cannot overshoot the limit
            controls = self.controls
            if sum(run.status in ACTIVE for run in self.queries.values()) + self.starting >= controls.max_concurrent:
                self.counters.limit_exceeded += 1
                raise ServiceError("LimitExceededException", "Account maximum query concurrency limit of "
                                   f"[{controls.max_concurrent}] reached.")
            self.starting += 1
            salt = self.counters.started + len(self.queries) + self.starting
        try:
            events = self.read_events(groups, body["startTime"], body["endTime"])
            limits = [limit for limit in (query.limit, body.get("limit")) if limit]
            began = time.monotonic()
            partial, final, scanned = build_answers(query, events, groups, controls=controls, salt=salt,
                                                    row_cap=min(limits, default=controls.default_limit))
        finally:
            with self.lock:
                self.starting -= 1
        seconds = scanned / controls.bytes_per_second if controls.bytes_per_second else time.monotonic() - began
        with self.lock:
            end_status = controls.force.pop(0) if controls.force else "Complete"
            if seconds > TIMEOUT_SECONDS:
                end_status, seconds = "Timeout", TIMEOUT_SECONDS
            run = QueryRun(uuid.uuid4().hex, body["queryString"], groups, int(time.time() * 1000), partial, final,
                           end_status, controls.scheduled_polls, controls.running_polls, int(seconds * 1000))
            self.queries[run.query_id] = run
            self.counters.started += 1
            self.counters.bytes_scanned += scanned
            self.counters.events_read += len(events)
            self.counters.query_strings.append(body["queryString"])
        return {"queryId": run.query_id}

    def op_GetQueryResults(self, body: dict) -> dict:
        with self.lock:
            run = self.query(body["queryId"])
            offset = self.token_offset(body.get("nextToken"), run.query_id)
            status = run.poll()
            answer = run.answer()
            size = min(body.get("maxItems") or self.controls.page_size, self.controls.page_size)
            page = answer.rows[offset:offset + size]
            self.counters.result_calls += 1
            self.counters.rows_returned += len(page)
        reply = {"queryLanguage": "CWLI", "results": page, "statistics": answer.statistics, "status": status}
        if offset + size < len(answer.rows):  # "If there are more log events remaining ... a nextToken"
            reply["nextToken"] = base64.b64encode(f"{run.query_id}:{offset + size}".encode()).decode()
        return reply

    def op_StopQuery(self, body: dict) -> dict:
        with self.lock:
            run = self.query(body["queryId"])
            if run.status not in ACTIVE:  # "If the query has already ended, the operation returns an error"
                raise ServiceError("InvalidParameterException", f"Query {run.query_id} is not running "
                                   f"(status {run.status})")
            run.status = "Cancelled"
            self.counters.stopped += 1
        return {"success": True}

    def op_DescribeQueries(self, body: dict) -> dict:
        with self.lock:
            runs = sorted(self.queries.values(), key=lambda run: run.created_ms, reverse=True)
            chosen = [run.info() for run in runs
                      if body.get("logGroupName") in (None, *run.groups)
                      and body.get("status") in (None, run.status)
                      and body.get("queryLanguage") in (None, "CWLI")]
        offset = self.token_offset(body.get("nextToken"), "describe")
        size = body.get("maxResults", 1000)
        reply = {"queries": chosen[offset:offset + size]}
        if offset + size < len(chosen):
            reply["nextToken"] = base64.b64encode(f"describe:{offset + size}".encode()).decode()
        return reply

    # ---- helpers -----------------------------------------------------------------------------
    def log_groups(self, body: dict) -> list:
        """Exactly one of logGroupName, logGroupNames, logGroupIdentifiers (names or ARNs), up to 50."""
        given = [key for key in ("logGroupName", "logGroupNames", "logGroupIdentifiers") if key in body]
        if len(given) != 1:
            raise ServiceError("InvalidParameterException", "give exactly one of logGroupName, logGroupNames "
                               "and logGroupIdentifiers (the stand-in has no SOURCE command)")
        value = body[given[0]]
        groups = [value] if isinstance(value, str) else list(value)
        if len(groups) > MAX_LOG_GROUPS:
            raise ServiceError("InvalidParameterException", f"{len(groups)} log groups: a query takes up to "
                               f"{MAX_LOG_GROUPS}")
        return [group.split(":log-group:", 1)[-1].removesuffix(":*") for group in groups]

    def read_events(self, groups: list, start: int, end: int) -> list:
        """The groups' events from startTime to endTime, both "inclusive", in epoch seconds (StartQuery).
        Read narrowly as [startTime*1000, endTime*1000] ms, so a client that widens its window to whole
        seconds and filters on toMillis(@timestamp) is right under any reading of "inclusive"."""
        return [(group, event) for group in groups for event in self.group_events(group)
                if start * 1000 <= event["timestamp"] <= end * 1000]

    def group_events(self, group: str) -> list:
        """Every event of ``group``, read from moto with FilterLogEvents (all pages) and kept while the
        group's streams are unchanged: moto's uploadSequenceToken changes with every PutLogEvents, so a
        query never sees stale events, and a run of queries over one group reads it once."""
        version = self.group_version(group)
        with self.lock:
            cached = self.cache.get(group)
        if cached is not None and cached[0] == version:
            return cached[1]
        events, kwargs = [], {"logGroupName": group, "limit": 10_000}
        while True:
            page = self.moto.filter_log_events(**kwargs)
            events += page["events"]
            if not page.get("nextToken") or not page["events"]:
                break
            kwargs["nextToken"] = page["nextToken"]
        with self.lock:
            self.cache.pop(group, None)
            self.cache[group] = (version, events)
            while len(self.cache) > CACHED_GROUPS:
                self.cache.pop(next(iter(self.cache)))
        return events

    def group_version(self, group: str) -> tuple:
        streams, kwargs = [], {"logGroupName": group}
        while True:
            try:
                page = self.moto.describe_log_streams(**kwargs)
            except self.moto.exceptions.ResourceNotFoundException:
                raise ServiceError("ResourceNotFoundException", f"Log group {group} does not exist")
            streams += [tuple(stream.get(key) for key in ("logStreamName", "creationTime", "uploadSequenceToken",
                                                           "storedBytes", "lastIngestionTime"))
                        for stream in page["logStreams"]]
            if not page.get("nextToken"):
                return tuple(sorted(streams, key=str))
            kwargs["nextToken"] = page["nextToken"]

    def query(self, query_id: str) -> QueryRun:
        if query_id not in self.queries:
            raise ServiceError("ResourceNotFoundException", f"Query {query_id} does not exist")
        return self.queries[query_id]

    @staticmethod
    def token_offset(token, owner: str) -> int:
        if token is None:
            return 0
        try:
            name, offset = base64.b64decode(token).decode().rsplit(":", 1)
            if name == owner:
                return int(offset)
        except ValueError:
            pass
        raise ServiceError("InvalidParameterException", "The nextToken is not valid")


# ---- HTTP -------------------------------------------------------------------------------------------

def make_handler(standin: InsightsStandIn):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK wait

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            target = self.headers.get("X-Amz-Target", "")
            operation = target[len(TARGET):] if target.startswith(TARGET) else ""
            if operation not in ("StartQuery", "GetQueryResults", "StopQuery", "DescribeQueries"):
                return self.forward(body)
            status, reply = answer(standin, operation, body)
            self.send(status, {"Content-Type": CONTENT_TYPE, "x-amzn-RequestId": str(uuid.uuid4())},
                      json.dumps(reply).encode())

        def forward(self, body: bytes = b""):
            """Pass the request to moto as it came and its answer back as it came."""
            target = urlsplit(standin.moto_url)
            connection = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
            try:
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                connection.request(self.command, self.path, body=body, headers=headers)
                response = connection.getresponse()
                payload = response.read()
                self.send(response.status, {k: v for k, v in response.getheaders()
                                            if k.lower() not in HOP_BY_HOP}, payload)
            finally:
                connection.close()

        def do_GET(self):
            self.forward()

        def do_PUT(self):
            self.forward(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

        do_DELETE = do_HEAD = do_GET

        def send(self, status: int, headers: dict, payload: bytes):
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        def log_message(self, *args):
            pass

    return Handler


def answer(standin: InsightsStandIn, operation: str, body: bytes) -> tuple[int, dict]:
    """(HTTP status, JSON body) for one request, checked against the service model before it leaves:
    a shape error is a bug in the stand-in and answers 500, which fails the calling test."""
    try:
        status, reply = 200, standin.handle(operation, json.loads(body or b"{}"))
        errors = response_errors(operation, reply)
    except ServiceError as error:
        status, reply = 400, error.body
        errors = exception_errors(operation, reply)
    except ValueError:
        status, reply = 400, {"__type": "SerializationException", "message": "the body is not JSON"}
        errors = []
    if errors:
        return 500, {"__type": "InternalFailure", "message": "stand-in answer off the model: " + "; ".join(errors)}
    return status, reply


def start_standin(moto_url: str) -> tuple[InsightsStandIn, ThreadingHTTPServer]:
    standin = InsightsStandIn(moto_url)
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(standin))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="insights-standin", daemon=True).start()
    standin.url = f"http://127.0.0.1:{server.server_address[1]}"
    return standin, server


@pytest.fixture(scope="session")
def insights_server(moto_server):
    """The stand-in, serving in a thread of this process for the whole session."""
    standin, server = start_standin(moto_server)
    yield standin
    server.shutdown()
    server.server_close()


@pytest.fixture
def insights(insights_server, monkeypatch):
    """The stand-in reset, and this process's AWS environment pointing at it."""
    insights_server.reset()
    for key in UNSET_ENV:
        monkeypatch.delenv(key, raising=False)
    for key, value in {**FAKE_ENV, ENDPOINT_ENV: insights_server.url}.items():
        monkeypatch.setenv(key, value)
    yield insights_server


@pytest.fixture
def insights_client(insights):
    import boto3

    return boto3.client("logs")
