"""``lexlens report --engine local|insights|auto`` over HTTP: the Logs Insights stand-in in front of moto
(docs/insights-standin.md), the CLI as a user runs it."""
import json
import subprocess
import sys

import pytest

pytest.register_assert_rewrite("moto_server", "insights_standin")

from moto_server import aws_environment, put_events, unique_group  # noqa: E402
from test_insights_engine import HOUR, NOW, generate  # noqa: E402

from lexlens.analytics.cli import main  # noqa: E402

pytest_plugins = ["moto_server", "insights_standin"]

SINCE, UNTIL = "2021-06-01", "2199-01-01"  # every generated record, whatever the day


@pytest.fixture
def lex_group(insights, insights_client):
    records = generate(21, 90)
    group = unique_group("/aws/lex/cli")
    put_events(insights_client, group, "stream-1", [{"timestamp": ms, "message": json.dumps(rec)}
                                                    for ms, rec in records])
    return group


def lexlens(insights, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lexlens", *map(str, args)], capture_output=True, text=True,
                          env=aws_environment(insights.url), timeout=300)


def test_insights_and_local_print_the_same_values(insights, lex_group, tmp_path):
    window = ["--since", _iso(NOW - 40 * HOUR), "--until", _iso(NOW + HOUR), "--tz", "Europe/Paris", "--top", "4"]
    pushed = lexlens(insights, "report", "--log-group", lex_group, "--engine", "insights", "--json", *window)
    local = lexlens(insights, "report", "--log-group", lex_group, "--json", "--cache-dir", tmp_path, *window)
    assert pushed.returncode == 0 and local.returncode == 0, pushed.stderr + local.stderr
    pushed_values, local_values = json.loads(pushed.stdout), json.loads(local.stdout)
    assert pushed_values["engine"] == "insights" and pushed_values["insights"]["queries"] >= 4
    shared = [key for key in pushed_values if key in local_values]
    assert len(shared) == 13
    assert {key: pushed_values[key] for key in shared} == {key: local_values[key] for key in shared}
    text = lexlens(insights, "report", "--log-group", lex_group, "--engine", "insights", *window)
    assert text.returncode == 0 and "Computed by CloudWatch Logs Insights" in text.stdout
    assert f"Records {pushed_values['records']:,}" in text.stdout and "GB scanned" in text.stdout


def _iso(ms: int) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize("threshold, engine", [(10, "insights"), (1_000_000, "local")])
def test_auto_chooses_by_the_records_in_the_window(insights, lex_group, tmp_path, capsys, threshold, engine):
    code = main(["report", "--log-group", lex_group, "--engine", "auto", "--auto-records", str(threshold),
                 "--since", SINCE, "--until", UNTIL, "--json", "--cache-dir", str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert (json.loads(out).get("engine") == "insights") is (engine == "insights")
    assert ("pulling them to compute here" in err) is (engine == "local")


def test_auto_pulls_when_the_guard_finds_records_it_cannot_read(insights, insights_client, tmp_path, capsys):
    """Past 200 discovered fields a field is absent (CWL_AnalyzeLogData-discoverable-fields.html)."""
    records = generate(22, 10)
    wide = dict(records[0][1])
    wide["sessionState"] = {**wide["sessionState"], "sessionAttributes": {f"k{i}": "v" for i in range(210)}}
    wide["bot"] = wide.pop("bot")
    group = unique_group("/aws/lex/wide")
    put_events(insights_client, group, "s", [{"timestamp": ms, "message": json.dumps(rec)}
                                             for ms, rec in records + [(records[0][0], wide)]])
    argv = ["report", "--log-group", group, "--since", SINCE, "--until", UNTIL, "--cache-dir", str(tmp_path)]
    assert main(argv + ["--engine", "insights"]) == 1
    assert "need --engine local" in capsys.readouterr().err
    assert main(argv + ["--engine", "auto", "--auto-records", "1", "--json"]) == 0
    out, err = capsys.readouterr()
    assert "Pulling them to compute here" in err and "engine" not in json.loads(out)


@pytest.mark.parametrize("args, code, message", [
    (["--engine", "insights"], 2, "give --log-group NAME"),
    (["--engine", "auto", "x.jsonl"], 2, "give --log-group NAME"),
    (["--engine", "insights", "--log-group", "G", "x.jsonl"], 2, "reads only --log-group groups"),
    (["--engine", "insights", "--log-group", "G", "--csv-dir", "out"], 2, "--csv-dir needs the records"),
    (["--engine", "insights", "--log-group", "G", "--rejects", "r.jsonl"], 2, "--rejects needs the records"),
    (["--engine", "auto", "--log-group", "G", "--redact"], 2, "--redact needs the records"),
    (["--engine", "insights", "--log-group", "G", "--since", "2026-11-02", "--until", "2026-11-01"], 2,
     "The time window is empty"),
    (["--engine", "insights", "--log-group", "G", "--bot-id", 'a" or "b'], 2, "is not a Lex id or name"),
    (["--engine", "insights", "--log-group", "G", "--tz", "Mars/Base"], 2, "unknown time zone"),
    (["--engine", "insights", "--log-group", "/aws/lex/none", "--since", "2d"], 2, "does not exist"),
    (["--engine", "insights", "--log-group", "G", "--bot-id", "Nope", "--since", "2d"], 3, "pass the filters"),
    (["--log-group", "G", "--drill-down", "d.jsonl"], 2, "--drill-down pulls sessions after an Insights run"),
])
def test_mistakes_are_one_sentence(insights, lex_group, capsys, args, code, message):
    args = [lex_group if part == "G" else part for part in args]
    assert main(["report", *args]) == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("args, message", [
    (["--engine", "fast"], "invalid choice: 'fast'"),
    (["--insights-concurrency", "101"], "must be at most 100"),
    (["--insights-concurrency", "0"], "--insights-concurrency"),
    (["--auto-records", "-5"], "--auto-records"),
])
def test_bad_engine_options_are_refused_by_the_parser(capsys, args, message):
    with pytest.raises(SystemExit) as stop:
        main(["report", *args])
    assert stop.value.code == 2 and message in capsys.readouterr().err


def test_many_groups_are_queried_in_batches_of_50(insights, insights_client, capsys):
    """StartQuery takes "up to 50 log groups" (API_StartQuery.html): 51 groups are two batches."""
    records = generate(23, 60)
    groups = [unique_group("/aws/lex/many") for _ in range(51)]
    for index, group in enumerate(groups):
        put_events(insights_client, group, "s", [{"timestamp": ms, "message": json.dumps(rec)}
                                                 for ms, rec in records[index::51]])
    argv = ["report", "--engine", "insights", "--since", _iso(NOW - 40 * HOUR), "--until", _iso(NOW + HOUR), "--json"]
    assert main(argv + [arg for group in groups for arg in ("--log-group", group)]) == 0
    values = json.loads(capsys.readouterr().out)
    assert values["insights"]["queries"] % 2 == 0 and values["records"] > 0
    assert all(len(query) < 10_000 for query in insights.counters.query_strings)


def test_drill_down_pulls_the_turns_of_the_sessions_shown(insights, lex_group, tmp_path, capsys):
    out = tmp_path / "drill.jsonl"
    window = ["--since", SINCE, "--until", UNTIL]
    assert main(["report", "--log-group", lex_group, "--engine", "insights", "--top", "3", "--json",
                 "--drill-down", str(out), *window]) == 0
    shown = json.loads(capsys.readouterr().out)["busiest_sessions"]
    assert len(shown) == 3 and all(row["turns"] >= 2 for row in shown)
    assert main(["report", str(out), "--json", "--top", "3"]) == 0
    pulled = json.loads(capsys.readouterr().out)
    assert pulled["records"] == sum(row["turns"] for row in shown) and pulled["rejected"] == 0
    assert [(row["session_id"], row["turns"], row["duration_s"]) for row in pulled["top_sessions"]] == \
        [(row["session_id"], row["turns"], row["duration_s"]) for row in shown]


def test_drill_down_refuses_more_turns_than_one_query_returns(insights, lex_group, tmp_path, capsys, monkeypatch):
    """Without a limit a query returns up to 10,000 rows (CWL_QuerySyntax-Limit.html): past the drill-down's
    limit the pull stops with one sentence instead of writing a cut list of turns."""
    from lexlens.analytics.insights import drill

    monkeypatch.setattr(drill, "DRILL_ROWS", 2)
    code = main(["report", "--log-group", lex_group, "--engine", "insights", "--top", "3", "--since", SINCE,
                 "--until", UNTIL, "--drill-down", str(tmp_path / "d.jsonl")])
    assert code == 1 and "pull these sessions with lexlens pull" in capsys.readouterr().err
    assert not (tmp_path / "d.jsonl").exists()


@pytest.mark.parametrize("session_id, ok", [("3f2a09bc-1d2e-4c5b-9a8f-0123456789ab", True), ("user@example.com", True),
                                            ('x" or sessionId != "', False), ("a b", False)])
def test_drill_down_session_ids_go_into_the_query_only_when_safe(insights, tmp_path, session_id, ok):
    from lexlens.analytics.errors import LexlensError
    from lexlens.analytics.insights.drill import drill_down
    import boto3

    client = boto3.client("logs")
    group = unique_group("/aws/lex/drill")
    put_events(client, group, "s", [{"timestamp": NOW - HOUR, "message": "{}"}])
    sessions = [{"session_id": session_id, "bot_id": "B", "alias_id": "A", "locale": "en_US"}]
    if ok:
        assert drill_down(client, [group], NOW - 2 * HOUR, NOW, sessions, tmp_path / "d.jsonl") == 0
    else:
        with pytest.raises(LexlensError, match="does not put into a Logs Insights query"):
            drill_down(client, [group], NOW - 2 * HOUR, NOW, sessions, tmp_path / "d.jsonl")


def test_cache_clear_deletes_the_insights_answers(insights, lex_group, tmp_path, capsys):
    """The cached answers hold transcripts: ``lexlens cache clear`` deletes them with the rest."""
    argv = ["report", "--log-group", lex_group, "--engine", "insights", "--since", SINCE,
            "--until", _iso(NOW - HOUR), "--cache-dir", str(tmp_path), "--json"]
    assert main(argv) == 0 and json.loads(capsys.readouterr().out)["insights"]["cached"] == 0
    assert main(argv) == 0 and json.loads(capsys.readouterr().out)["insights"]["queries"] == 0
    assert list((tmp_path / "insights").glob("*.json"))
    assert main(["cache", "clear", "--cache-dir", str(tmp_path)]) == 0
    assert not (tmp_path / "insights").exists()
