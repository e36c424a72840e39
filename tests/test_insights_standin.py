"""The Logs Insights stand-in's API over HTTP through boto3: statuses, paging, limits, refusals, StopQuery,
DescribeQueries, the service model, forwarding to moto and the counters.

Each test of a documented behaviour cites the page it relies on; docs/insights-standin.md lists them all.
"""
import json
import urllib.request

import pytest

pytest.register_assert_rewrite("moto_server", "insights_standin", "insights_samples")  # before the imports below

from insights_samples import END, START, T0, poll, put_sample, run_query, start  # noqa: E402
from insights_shapes import exception_errors, response_errors, service_model  # noqa: E402
from moto_server import unique_group  # noqa: E402



def test_scheduled_then_running_with_partial_rows_then_complete(insights, insights_client, sample):
    """"If the value of the Status field in the output is Running, this operation returns only partial
    results" (API_GetQueryResults.html)."""
    insights.controls.scheduled_polls, insights.controls.running_polls = 2, 2
    query_id = start(insights_client, sample.group, "stats count(*) as n")
    replies = poll(insights_client, query_id, 6)
    assert [reply["status"] for reply in replies] == ["Scheduled", "Scheduled", "Running", "Running", "Complete",
                                                      "Complete"]
    assert replies[0]["results"] == [] and replies[0]["statistics"]["recordsScanned"] == 0
    partial, final = replies[2], replies[4]
    assert 0 < partial["statistics"]["recordsScanned"] < final["statistics"]["recordsScanned"] == len(sample.events)
    assert partial["results"] == [[{"field": "n", "value": str(int(partial["statistics"]["recordsScanned"]))}]]
    assert final["results"] == [[{"field": "n", "value": str(len(sample.events))}]]


def test_two_stats_show_no_partial_rows(insights, insights_client, sample):
    """"When a query has two stats commands, the partial results from the query do not begin displaying until
    the first stats aggregation is complete" (CWL_QuerySyntax-Stats.html)."""
    query_id = start(insights_client, sample.group, "stats count(*) as n by sessionId | stats count(*) as k")
    scheduled, running, complete = poll(insights_client, query_id, 3)
    assert (running["status"], running["results"]) == ("Running", [])
    assert running["statistics"]["recordsScanned"] > 0 and complete["results"]


@pytest.mark.parametrize("end, rows_kept", [("Failed", False), ("Timeout", True), ("Unknown", True)])
def test_a_forced_end_status_for_the_next_query(insights, insights_client, sample, end, rows_kept):
    """The documented statuses besides Complete: Failed, Cancelled, Timeout, Unknown (API_GetQueryResults.html)."""
    insights.controls.force = [end]
    first = run_query(insights_client, sample.group, "stats count(*) as n by sessionId")
    second = run_query(insights_client, sample.group, "stats count(*) as n by sessionId")
    assert first.statuses == ["Scheduled", "Running", end] and second.statuses[-1] == "Complete"
    assert bool(first.rows) is rows_kept and len(first.rows) <= len(second.rows)


def test_a_query_past_60_minutes_of_scanning_times_out(insights, insights_client, sample):
    """"Queries time out after 60 minutes of runtime" (API_StartQuery.html), with a simulated scan speed."""
    scanned = sum(len(message.encode()) for _, _, message in sample.events)
    insights.controls.bytes_per_second = scanned / 3599
    assert run_query(insights_client, sample.group, "stats count(*) as n").statuses[-1] == "Complete"
    insights.controls.bytes_per_second = scanned / 3601
    result = run_query(insights_client, sample.group, "stats count(*) as n")
    (info,) = [q for q in insights_client.describe_queries()["queries"] if q["queryId"] == result.query_id]
    assert (result.statuses[-1], info["queryDuration"]) == ("Timeout", 3_600_000)


# ---- paging and row limits ------------------------------------------------------------------------

@pytest.mark.parametrize("page_size, max_items, pages", [(3, None, [3, 3, 1]), (10, 2, [2, 2, 2, 1]),
                                                          (7, None, [7]), (3, 5, [3, 3, 1]), (10, None, [7])])
def test_results_page_with_next_token(insights, insights_client, seven, page_size, max_items, pages):
    """"You can retrieve up to 100,000 log event results from a query ... by using pagination. Use the
    nextToken ... each page returning up to 10,000 log events"; maxItems per call (API_GetQueryResults.html)."""
    insights.controls.page_size = page_size
    extra = {"maxItems": max_items} if max_items else {}
    query_id = start(insights_client, seven.group, "fields i")
    reply = poll(insights_client, query_id, 3, **extra)[-1]
    sizes, rows = [len(reply["results"])], list(reply["results"])
    while "nextToken" in reply:
        reply = insights_client.get_query_results(queryId=query_id, nextToken=reply["nextToken"], **extra)
        sizes.append(len(reply["results"]))
        rows += reply["results"]
        assert reply["statistics"]["resultCount"] == 7
    assert sizes == pages
    assert sorted(row[0]["value"] for row in rows) == [str(i) for i in range(7)]


@pytest.mark.parametrize("query, params, default_limit, rows", [
    ("fields i", {}, 10_000, 7), ("fields i | limit 5", {}, 10_000, 5), ("fields i", {"limit": 4}, 10_000, 4),
    ("fields i | limit 2", {"limit": 4}, 10_000, 2), ("fields i", {}, 6, 6), ("fields i | limit 7", {}, 3, 7),
    ("stats count(*) as n by i", {}, 2, 2), ('filter i = "none" | fields i', {}, 10_000, 0),
])
def test_row_limits_and_truncation_show_in_statistics(insights, insights_client, seven, query, params,
                                                      default_limit, rows):
    """Without limit "the query defaults to returning up to 10,000 log events" (CWL_QuerySyntax-Limit.html);
    StartQuery's limit is "The maximum number of log events to return". recordsMatched counts all matches,
    so rows < recordsMatched shows a cut answer; resultCount is the rows returned."""
    insights.controls.default_limit = default_limit
    result = run_query(insights_client, seven.group, query, **params)
    assert len(result.rows) == result.statistics["resultCount"] == rows
    assert result.statistics["recordsMatched"] == (0 if "none" in query else 7)


def test_a_next_token_from_elsewhere_is_refused(insights, insights_client, seven):
    insights.controls.page_size = 2
    first, second = start(insights_client, seven.group, "fields i"), start(insights_client, seven.group, "fields i")
    token = poll(insights_client, first, 3)[-1]["nextToken"]
    for query_id, bad in ((second, token), (first, "bm90IGEgdG9rZW4=")):
        with pytest.raises(insights_client.exceptions.InvalidParameterException):
            insights_client.get_query_results(queryId=query_id, nextToken=bad)


# ---- limits ---------------------------------------------------------------------------------------

def test_up_to_50_log_groups_per_query(insights, insights_client):
    """logGroupNames: "You can include up to 50 log groups." (API_StartQuery.html; botocore does not check)."""
    groups = [put_sample(insights.moto, [(T0, "s", json.dumps({"g": n}))]).group for n in range(51)]
    assert run_query(insights_client, groups[:50], "stats count(*) as n").rows == [{"n": "50"}]
    with pytest.raises(insights_client.exceptions.InvalidParameterException, match="50"):
        insights_client.start_query(logGroupNames=groups, startTime=START, endTime=END, queryString="fields g")


def test_query_strings_up_to_10000_characters(insights, insights_client, seven):
    """queryString: length 0 to 10,000 in the service model (botocore does not check the maximum)."""
    query = "fields i #"
    assert run_query(insights_client, seven.group, query + "x" * (10_000 - len(query))).rows
    with pytest.raises(insights_client.exceptions.InvalidParameterException, match="10000"):
        start(insights_client, seven.group, query + "x" * (10_001 - len(query)))


def test_too_many_queries_at_once_is_limit_exceeded(insights, seven):
    """"You can have up to 100 concurrent CloudWatch Logs insights queries" (API_StartQuery.html), here 2.
    botocore counts LimitExceededException as throttling and retries it; this client does not retry."""
    import boto3
    from botocore.config import Config

    insights_client = boto3.client("logs", config=Config(retries={"mode": "standard", "total_max_attempts": 1}))
    insights.controls.max_concurrent = 2
    first, second = start(insights_client, seven.group, "fields i"), start(insights_client, seven.group, "fields i")
    with pytest.raises(insights_client.exceptions.LimitExceededException):
        start(insights_client, seven.group, "fields i")
    poll(insights_client, first, 3)  # complete: frees a slot
    third = start(insights_client, seven.group, "fields i")
    with pytest.raises(insights_client.exceptions.LimitExceededException):
        start(insights_client, seven.group, "fields i")
    insights_client.stop_query(queryId=second)  # cancelled: frees a slot
    start(insights_client, seven.group, "fields i")
    assert (insights.counters.started, insights.counters.limit_exceeded, third != first) == (4, 2, True)


def test_queries_started_at_once_respect_the_limit(insights, lex_group):
    """Slots are held while a query starts: eight StartQuery calls at once over a large group, limit 3."""
    import boto3
    from botocore.config import Config
    from concurrent.futures import ThreadPoolExecutor

    client = boto3.client("logs", config=Config(retries={"mode": "standard", "total_max_attempts": 1},
                                                max_pool_connections=8))
    insights.controls.max_concurrent = 3

    def attempt(_):
        try:
            return client.start_query(logGroupName=lex_group.name, startTime=(lex_group.now - 3 * 3_600_000) // 1000,
                                      endTime=lex_group.now // 1000, queryString="stats count(*) as n")["queryId"]
        except client.exceptions.LimitExceededException:
            return None

    with ThreadPoolExecutor(8) as pool:
        started = [query_id for query_id in pool.map(attempt, range(8)) if query_id]
    assert (len(started), insights.counters.limit_exceeded) == (3, 5)


@pytest.mark.parametrize("params, error", [
    ({"logGroupName": "/aws/lex/no-such-group"}, "ResourceNotFoundException"),
    ({"startTime": END, "endTime": START}, "InvalidParameterException"),
    ({"queryLanguage": "SQL"}, "InvalidParameterException"),
])
def test_start_query_refuses_bad_parameters(insights_client, seven, params, error):
    kwargs = {"logGroupName": seven.group, "startTime": START, "endTime": END, "queryString": "fields i", **params}
    with pytest.raises(insights_client.exceptions.ClientError) as caught:
        insights_client.start_query(**kwargs)
    assert caught.value.response["Error"]["Code"] == error


# ---- refusals -------------------------------------------------------------------------------------

REFUSED = [  # outside the subset, or invalid per the page cited
    ("stats count_distinct(sessionId)", "approximate"),  # "just an approximation" (CWL_QuerySyntax-Stats)
    ("stats pct(latencyMs, 50)", "approximate"), ("pattern @message", "approximate"),
    ("stats avg(latencyMs)", "stats functions"), ("stats stddev(latencyMs)", "stats functions"),
    ("stats sortsFirst(a)", "stats functions"), ("dedup sessionId", "subset"), ("parse @message 'a*' as b", "subset"),
    ("display a", "subset"), ("SOURCE logGroups(namePrefix: ['/aws'])", "subset"),
    ("stats count(*) as a | stats count(*) as b | stats count(*) as c", "maximum of two stats"),
    ("stats count(*) as n by a | sort n desc | stats count(*) as k", "after the second stats"),
    ("stats count(*) as n by a | stats max(strlen(@message))", "subset"),
    ("stats count(*) as n by a | stats max(@message) as m", "Invalid reference"),
    ("stats count(*) as n by a | stats count(*) as k by bin(5m)", "second stats"),
    ("stats count(*) as n by a | stats earliest(n) as e", "second stats"),
    ("fields a | sort a", "asc"), ("fields a | sort a desc, b asc", "unexpected"), ("fields a | limit any 1", "limit"),
    ("fields a | limit 100001", "limit"), ("fields a | limit 5 | filter a = 1", "last"),
    ("stats count(*) as n | fields n", "fields after stats"), ('filter a = "open', "unterminated"),
    ("", "empty"), ("# only a comment", "empty"), ("filter @timestamp > 5", "toMillis"),
    ("filter toMillis(a) > 5", "toMillis"), ("stats count(*) by bin(1d)", "bin"), ("filter a + 1 > 2", "unexpected"),
    ("filter a in []", "at least one"), ("stats count(*) as n, sum(x) as n", "same name"), ("fields a | | fields b", "empty"),
    ("filter isempty(a)", "unexpected"), ("fields strlen(@message) as size", "unexpected"),
]


@pytest.mark.parametrize("query, message", REFUSED, ids=[q[:50] or "(empty)" for q, _ in REFUSED])
def test_queries_outside_the_subset_are_malformed(insights, insights_client, seven, query, message):
    """MalformedQueryException with a queryCompileError (location offsets, message): the error shape of the
    service model, answered with HTTP 400."""
    with pytest.raises(insights_client.exceptions.MalformedQueryException) as caught:
        start(insights_client, seven.group, query)
    response = caught.value.response
    location = response["queryCompileError"]["location"]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400 and message in response["Error"]["Message"]
    assert 0 <= location["startCharOffset"] <= location["endCharOffset"] <= len(query)
    assert insights.counters.refused == 1 and insights.counters.started == 0


# ---- StopQuery and DescribeQueries ----------------------------------------------------------------

def test_stop_query_cancels_a_running_query_once(insights, insights_client, sample):
    """StopQuery "Stops a CloudWatch Logs Insights query that is in progress. If the query has already ended,
    the operation returns an error" (API_StopQuery.html)."""
    query_id = start(insights_client, sample.group, "stats count(*) as n")
    assert poll(insights_client, query_id, 2)[-1]["status"] == "Running"
    assert insights_client.stop_query(queryId=query_id)["success"] is True
    reply = insights_client.get_query_results(queryId=query_id)
    assert reply["status"] == "Cancelled" and reply["results"]  # the rows found before the stop
    with pytest.raises(insights_client.exceptions.InvalidParameterException):
        insights_client.stop_query(queryId=query_id)
    with pytest.raises(insights_client.exceptions.ResourceNotFoundException):
        insights_client.stop_query(queryId="0" * 32)
    with pytest.raises(insights_client.exceptions.ResourceNotFoundException):
        insights_client.get_query_results(queryId="0" * 32)
    assert insights.counters.stopped == 1


def test_describe_queries_lists_recent_queries_without_advancing_them(insights, insights_client, sample, seven):
    """Queries "that are scheduled, running, or have been run recently", filtered by log group and status,
    maxResults with nextToken (API_DescribeQueries.html)."""
    assert insights_client.describe_queries()["queries"] == []
    done = run_query(insights_client, seven.group, "fields i").query_id
    waiting = start(insights_client, sample.group, "stats count(*) as n")
    stopped = start(insights_client, sample.group, "fields @message")
    insights_client.stop_query(queryId=stopped)
    listed = insights_client.describe_queries()["queries"]
    assert [(q["queryId"], q["status"]) for q in listed] == [(stopped, "Cancelled"), (waiting, "Scheduled"),
                                                            (done, "Complete")]
    assert insights_client.describe_queries()["queries"][1]["status"] == "Scheduled"
    by_group = insights_client.describe_queries(logGroupName=sample.group)["queries"]
    by_status = insights_client.describe_queries(status="Complete")["queries"]
    assert [q["queryId"] for q in by_group] == [stopped, waiting] and [q["queryId"] for q in by_status] == [done]
    page = insights_client.describe_queries(maxResults=2)
    rest = insights_client.describe_queries(maxResults=2, nextToken=page["nextToken"])
    assert [q["queryId"] for q in page["queries"] + rest["queries"]] == [stopped, waiting, done]
    assert "nextToken" not in rest


# ---- the service model ----------------------------------------------------------------------------

def raw_call(url: str, operation: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "X-Amz-Target": f"Logs_20140328.{operation}", "Content-Type": "application/x-amz-json-1.1"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_every_answer_matches_the_service_model(insights, sample):
    """Each member name and type of each answer, success and error, against botocore's model of the API."""
    if "nextToken" not in service_model().operation_model("GetQueryResults").output_shape.members:
        pytest.skip("this botocore predates GetQueryResults paging; the stand-in imitates the current API")
    insights.controls.page_size = 1
    base = {"logGroupName": sample.group, "startTime": START, "endTime": END}
    status, started = raw_call(insights.url, "StartQuery", {**base, "queryString": "fields @message"})
    query_id = started["queryId"]
    calls = [("StartQuery", started, status)]
    for _ in range(3):
        calls.append(("GetQueryResults", *reversed(raw_call(insights.url, "GetQueryResults", {"queryId": query_id}))))
    calls += [(op, *reversed(raw_call(insights.url, op, body))) for op, body in [
        ("DescribeQueries", {}), ("StopQuery", {"queryId": query_id}), ("StopQuery", {"queryId": "nope"}),
        ("StartQuery", {**base, "queryString": "stats pct(a, 5)"}), ("GetQueryResults", {"queryId": "nope"}),
        ("StartQuery", {**base, "queryString": "fields a", "limit": 0})]]
    assert calls[3][1]["nextToken"] and [status for *_, status in calls] == [200] * 5 + [400] * 5
    for operation, body, status in calls:
        assert (exception_errors if status == 400 else response_errors)(operation, body) == []


@pytest.mark.parametrize("operation, body, fragment", [
    ("GetQueryResults", {"status": "Done"}, "not one of"), ("GetQueryResults", {"results": [[{"field": 1}]]}, "expected string"),
    ("StartQuery", {"queryID": "x"}, "not a member"), ("DescribeQueries", {"queries": [{"createTime": 1.5}]}, "expected long"),
    ("GetQueryResults", {"statistics": {"recordsMatched": True}}, "expected double"),
])
def test_the_model_check_catches_answers_off_the_model(operation, body, fragment):
    assert any(fragment in error for error in response_errors(operation, body))


def test_requests_are_checked_against_the_model_too(insights, seven):
    status, reply = raw_call(insights.url, "StartQuery", {"logGroupName": seven.group, "startTime": START,
                                                          "endTime": END, "queryString": "fields i", "limit": 0})
    assert (status, reply["__type"]) == (400, "InvalidParameterException") and "limit" in reply["message"]
    status, reply = raw_call(insights.url, "GetQueryResults", {})
    assert (status, reply["__type"]) == (400, "InvalidParameterException") and "queryId" in reply["message"]


# ---- forwarding, counters, controls ---------------------------------------------------------------

def test_other_operations_reach_moto_unchanged(insights, insights_client):
    group = unique_group("/aws/lex/forwarded")
    insights_client.create_log_group(logGroupName=group)
    insights_client.create_log_stream(logGroupName=group, logStreamName="s")
    insights_client.put_log_events(logGroupName=group, logStreamName="s",
                                   logEvents=[{"timestamp": T0, "message": "hello"}])
    assert insights.moto.filter_log_events(logGroupName=group)["events"][0]["message"] == "hello"
    assert insights_client.filter_log_events(logGroupName=group)["events"][0]["message"] == "hello"
    assert [g["logGroupName"] for g in insights_client.describe_log_groups(logGroupNamePrefix=group)["logGroups"]] == [group]
    with pytest.raises(insights_client.exceptions.ResourceAlreadyExistsException):
        insights_client.create_log_group(logGroupName=group)
    assert insights.counters.started == 0


def test_counters_of_queries_rows_and_bytes(insights, insights_client, sample, seven):
    insights.controls.running_polls = 0  # no partial rows: every row returned is a final one
    first = run_query(insights_client, sample.group, "fields @message")
    second = run_query(insights_client, seven.group, "fields i | limit 3")
    stopped = start(insights_client, seven.group, "fields i")
    insights_client.stop_query(queryId=stopped)
    counters = insights.counters
    assert (counters.started, counters.stopped, counters.rows_returned) == (3, 1, len(sample.events) + 3)
    assert counters.bytes_scanned == first.statistics["bytesScanned"] + 2 * second.statistics["bytesScanned"]
    assert counters.query_strings == ["fields @message", "fields i | limit 3", "fields i"]
