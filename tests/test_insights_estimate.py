"""``lexlens report --engine insights --estimate`` (issue 17): the bytes a run would scan at most, from
DescribeLogGroups ``storedBytes``, without starting a query; over HTTP through the Logs Insights
stand-in, which forwards DescribeLogGroups to moto's server.

moto counts a group's ``storedBytes`` as the characters of the messages put into it (moto/logs/models.py,
``put_log_events``); AWS documents the field only as "The number of bytes stored"
(https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_LogGroup.html)."""
import json

import pytest

pytest.register_assert_rewrite("moto_server", "insights_standin")

from moto_server import put_events, unique_group  # noqa: E402
from test_insights_engine import generate  # noqa: E402

from lexlens.analytics.cli import main  # noqa: E402


@pytest.fixture
def groups(insights, insights_client):
    """Two log groups and the characters of the messages put into each."""
    made = {}
    for seed, sessions in ((3, 20), (4, 40)):
        group = unique_group("/aws/lex/estimate")
        events = [{"timestamp": ms, "message": json.dumps(rec)} for ms, rec in generate(seed, sessions)]
        put_events(insights_client, group, "stream-1", events)
        made[group] = sum(len(event["message"]) for event in events)
    return made


@pytest.mark.parametrize("engine", ["insights", "auto"])
def test_estimate_prints_the_stored_bytes_and_starts_no_query(insights, groups, capsys, engine):
    args = ["report", "--engine", engine, "--estimate", "--since", "2021-06-01"]
    for group in groups:
        args += ["--log-group", group]
    assert main(args) == 0
    out = capsys.readouterr().out
    total = sum(groups.values())
    lines = out.splitlines()
    for group, size in groups.items():
        assert any(line.startswith(group) and line.endswith(f"  {size:,} bytes stored ({size / 1e9:,.3f} GB)")
                   for line in lines), (group, size, out)
    assert f"at most 4 x {total:,} = {4 * total:,} bytes" in out
    assert "This is an upper bound, not a measurement" in out
    assert insights.counters.started == 0  # nothing was charged


@pytest.mark.parametrize("args, message", [
    (["--engine", "local", "--estimate"], "--estimate tells what Logs Insights would scan"),
    (["--engine", "insights", "--estimate", "--log-group", "/aws/lex/no-such-group"], "does not exist"),
])
def test_estimate_mistakes_are_one_sentence(insights, capsys, args, message):
    if "--log-group" not in args:
        args = args + ["--log-group", "/aws/lex/any"]
    assert main(["report", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert insights.counters.started == 0
