"""Every bad option is one sentence and a non-zero exit, never a traceback; time windows stay
within Lex V2's years, for every command and the pull the dashboard makes."""
from __future__ import annotations

import argparse
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from lexlens.analytics.aws import endpoint_url, region_name
from lexlens.analytics.cli import main
from lexlens.analytics.cli.option_types import idle_seconds, slice_hours
from lexlens.analytics.errors import LexlensError
from lexlens.analytics.sources.cloudwatch import pull_log_groups
from lexlens.analytics.sources.cloudwatch.pull import MAX_SLICES
from lexlens.analytics.timewindow import EARLIEST_MS, LATEST_MS, parse_time, parse_window

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "sample_logs" / "real-lex-records.jsonl"
NOW = int(datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc).timestamp() * 1000)


def run(argv: list[str], capsys) -> tuple[int, str]:
    """(exit code, stderr) of ``lexlens argv`` run in this process."""
    try:
        code = main([str(part) for part in argv])
    except SystemExit as exit_:  # argparse's own errors
        code = exit_.code
    return code, capsys.readouterr().err


BAD_OPTIONS = {
    "--since 0001-01-01": (["--since", "0001-01-01"], "before Amazon Lex V2 existed"),
    "--since 100000000d": (["--since", "100000000d"], "before Amazon Lex V2 existed"),
    "--until 9999-12-31": (["--until", "9999-12-31"], "past 2200-01-01"),
    "--since after --until": (["--since", "2026-01-02", "--until", "2026-01-01"], "time window is empty"),
    "--idle-timeout nan": (["--idle-timeout", "nan"], "give a number of seconds above 0"),
    "--idle-timeout inf": (["--idle-timeout", "inf"], "give a number of seconds above 0"),
    "--idle-timeout -1": (["--idle-timeout", "-1"], "give a number of seconds above 0"),
    "--idle-timeout -5": (["--idle-timeout", "-5"], "give a number of seconds above 0"),
    "--idle-timeout 1e300": (["--idle-timeout", "1e300"], "at most 86400"),
    "--escalation-attribute =": (["--escalation-attribute", "="], "names no attribute"),
    "--escalation-attribute ' =yes'": (["--escalation-attribute", " =yes"], "names no attribute"),
    "--region 'bad region!'": (["--region", "bad region!"], "is not an AWS region name"),
    "--endpoint-url 'not a url'": (["--log-group", "g", "--endpoint-url", "not a url"],
                                   "is not an http:// or https:// URL"),
    "--endpoint-url http://[::1": (["--log-group", "g", "--endpoint-url", "http://[::1"], "is not a URL"),
}


@pytest.mark.parametrize("options, message", list(BAD_OPTIONS.values()), ids=list(BAD_OPTIONS))
def test_report_refuses_a_bad_option_in_one_sentence(options, message, capsys):
    code, err = run(["report", REAL, *options], capsys)
    assert code == 2 and message in err and "Traceback" not in err
    assert len(err.strip().splitlines()[-1]) < 300


FETCH_OPTIONS = {
    "--slice-hours nan": (["--slice-hours", "nan"], "give a number of hours"),
    "--slice-hours -5": (["--slice-hours", "-5"], "give a number of hours"),
    "--slice-hours 1e-9": (["--slice-hours", "1e-9"], "at least one minute"),
    "--workers 0": (["--workers", "0"], "must be 1 or more"),
    "--region 'bad region!'": (["--region", "bad region!"], "is not an AWS region name"),
    "--endpoint-url 'not a url'": (["--endpoint-url", "not a url"], "is not an http:// or https:// URL"),
    "--endpoint-url http://[::1": (["--endpoint-url", "http://[::1"], "is not a URL"),
    "--since 0001-01-01": (["--since", "0001-01-01"], "before Amazon Lex V2 existed"),
    "--since 100000000d": (["--since", "100000000d"], "before Amazon Lex V2 existed"),
}


@pytest.mark.parametrize("options, message", list(FETCH_OPTIONS.values()), ids=list(FETCH_OPTIONS))
def test_fetch_refuses_a_bad_option_in_one_sentence(options, message, capsys, monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    code, err = run(["pull", "--log-group", "g", "--endpoint-url", "http://127.0.0.1:9", *options], capsys)
    assert code == 2 and message in err and "Traceback" not in err


WRITER_OPTIONS = {
    "--region 'bad region!'": (["--region", "bad region!"], "is not an AWS region name"),
    "--endpoint-url 'not a url'": (["--endpoint-url", "not a url"], "is not an http:// or https:// URL"),
    "--endpoint-url http://[::1": (["--endpoint-url", "http://[::1"], "is not a URL"),
    "--build-timeout nan": (["--build-timeout", "nan"], "give a number of seconds"),
    "--top -5": (["--from-missed", "x", "--top", "-5"], "must be 1 or more"),
    "--min-count 0": (["--from-missed", "x", "--min-count", "0"], "must be 1 or more"),
    "--missed-since 0001-01-01": (["--missed-log-group", "g", "--missed-since", "0001-01-01"],
                                  "before Amazon Lex V2 existed"),
}


@pytest.mark.parametrize("options, message", list(WRITER_OPTIONS.values()), ids=list(WRITER_OPTIONS))
def test_add_utterances_refuses_a_bad_option_in_one_sentence(options, message, capsys, monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    code, err = run(["add-utterances", "--bot-id", "ABCDEFGHIJ", "--locale", "en_US", "--intent", "X",
                     "--utterance", "hi", *options], capsys)
    assert code == 2 and message in err and "Traceback" not in err


def test_a_missing_region_gets_advice_that_works(capsys, monkeypatch, tmp_path):
    """botocore reads AWS_DEFAULT_REGION or the profile's region, never AWS_REGION:
    https://boto3.amazonaws.com/v1/documentation/api/latest/guide/configuration.html"""
    for name in ("AWS_DEFAULT_REGION", "AWS_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_REGION", "eu-west-1")  # what the old advice said to set: not read
    code, err = run(["add-utterances", "--bot-id", "ABCDEFGHIJ", "--locale", "en_US", "--intent", "X",
                     "--utterance", "hi"], capsys)
    assert code == 2 and "set AWS_DEFAULT_REGION" in err and "AWS_REGION." not in err
    code, err = run(["pull", "--log-group", "g"], capsys)
    assert code == 2 and "set AWS_DEFAULT_REGION" in err


@pytest.mark.parametrize("region, endpoint, message", [
    ("bad region!", None, "is not an AWS region name"),
    ("us-east-1", "not a url", "is not an http:// or https:// URL"),
    ("us-east-1", "http://[::1", "is not a URL"),
])
def test_the_dashboard_client_turns_what_a_visitor_typed_into_one_sentence(region, endpoint, message):
    """The CloudWatch panel passes its text boxes to make_logs_client as they are."""
    from lexlens.analytics.sources.cloudwatch import make_logs_client

    with pytest.raises(LexlensError, match=message):
        make_logs_client(region, None, endpoint)


# ---------- the time-window rule ----------

@pytest.mark.parametrize("text, ok", [
    ("2021-01-21", True), ("2021-01-20T23:59:59Z", False), ("0001-01-01", False), ("100000000d", False),
    ("9" * 400 + "d", False), ("2199-12-31T23:59Z", True), ("2200-01-01", False), ("9999-12-31", False),
    ("7d", True), ("now", True), (EARLIEST_MS, True), (EARLIEST_MS - 1, False), (LATEST_MS, False),
])
def test_times_stay_within_lex_v2_s_years(text, ok):
    if ok:
        assert EARLIEST_MS <= parse_time(text, now=NOW) < LATEST_MS
    else:
        with pytest.raises(LexlensError, match="before Amazon Lex V2 existed|past 2200-01-01"):
            parse_time(text, now=NOW)


def test_a_window_needing_too_many_slices_is_refused_before_any_call():
    """One minute slices over Lex V2's whole life: millions of FilterLogEvents calls."""
    with pytest.raises(LexlensError, match=f"more than the {MAX_SLICES:,} lexlens plans at once"):
        pull_log_groups(None, ["g"], "2021-02-01", None, Path("/nonexistent"), slice_hours=1 / 60)


def test_a_pull_ends_two_hours_past_now_at_most():
    """CloudWatch takes no event more than 2 hours in the future (PutLogEvents)."""
    with pytest.raises(LexlensError, match="in the future"):
        pull_log_groups(None, ["g"], "2199-01-01", "2199-02-01", Path("/nonexistent"))


def test_parse_window_names_the_option():
    with pytest.raises(LexlensError, match="--until time '9999-12-31'"):
        parse_window("7d", "9999-12-31", now=NOW)


@pytest.mark.parametrize("parse, good, bad", [
    (idle_seconds, ["300", "0.5", "86400"], ["0", "-5", "nan", "inf", "86401", "x"]),
    (slice_hours, ["6", "0.0167", "8760"], ["0", "-5", "nan", "inf", "1e-9", "8761", "x"]),
    (region_name, ["us-east-1", "eu-central-2"], ["bad region!", "", "-us"]),
    (endpoint_url, ["http://127.0.0.1:5000", "https://logs.us-east-1.amazonaws.com"],
     ["not a url", "http://[::1", "ftp://x", "http://", "http://x:99999"]),
])
def test_option_types(parse, good, bad):
    for text in good:
        parse(text)
    for text in bad:
        with pytest.raises(argparse.ArgumentTypeError):
            parse(text)


def test_records_at_both_ends_of_the_accepted_years_report_and_export(tmp_path, capsys):
    """Records of 1690 and 2250 were accepted and broke --out; the accepted years now keep
    every derived time (bins, zones, the period before) representable."""
    record = json.loads(REAL.read_text().splitlines()[0])
    path = tmp_path / "edges.jsonl"
    path.write_text("".join(json.dumps({**record, "timestamp": stamp, "requestId": f"r{n}",
                                        "sessionId": f"s{n}"}) + "\n"
                            for n, stamp in enumerate(["1970-01-01T00:00:00Z", "2199-12-31T23:59:59.999Z",
                                                       "1690-01-01T00:00:00Z", "2250-01-01T00:00:00Z"])))
    code, err = run(["report", path, "--csv-dir", tmp_path / "out", "--tz", "Pacific/Kiritimati", "--json"], capsys)
    assert code == 0, err
    assert len(list((tmp_path / "out").glob("*.csv"))) > 10


@pytest.mark.parametrize("page", ["views/overview.py", "views/conversations.py", "views/missed.py",
                                  "views/comparisons.py"])
def test_records_at_both_ends_of_the_accepted_years_draw_every_page(page, tmp_path, monkeypatch):
    """Overview and Missed utterances broke on records of 1690 and 2250 (OutOfBoundsDatetime)."""
    from streamlit.testing.v1 import AppTest

    from lexlens.dashboard.settings import SOURCES_VAR

    record = json.loads(REAL.read_text().splitlines()[0])
    path = tmp_path / "edges.jsonl"
    path.write_text("".join(json.dumps({**record, "timestamp": stamp, "requestId": f"r{n}", "sessionId": f"s{n}",
                                        "missedUtterance": True}) + "\n"
                            for n, stamp in enumerate(["1970-01-01T00:00:00Z", "2199-12-31T23:59:59.999Z",
                                                       "1690-01-01T00:00:00Z", "2250-01-01T00:00:00Z"])))
    monkeypatch.setenv(SOURCES_VAR, str(path))
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=120).run()
    if page != "views/overview.py":
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


OLD_NAMES = {  # old spelling -> new spelling: the same result, plus one deprecation sentence
    "report --out": (["report", REAL, "--out", "{tmp}/csv"], ["report", REAL, "--csv-dir", "{tmp}/csv"],
                     "--out is deprecated"),
    "report --version": (["report", REAL, "--json", "--version", "DRAFT", "--version", "1"],
                         ["report", REAL, "--json", "--bot-version", "DRAFT", "--bot-version", "1"],
                         "--version is deprecated"),
}


@pytest.mark.parametrize("old, new, warning", list(OLD_NAMES.values()), ids=list(OLD_NAMES))
def test_an_old_option_name_still_works_and_says_so(old, new, warning, tmp_path, capsys):
    def run_with(argv):
        code = main([str(part).replace("{tmp}", str(tmp_path)) for part in argv])
        captured = capsys.readouterr()
        files = sorted(path.name for path in (tmp_path / "csv").glob("*")) if (tmp_path / "csv").exists() else []
        return code, captured.out, captured.err, files

    old_code, old_out, old_err, old_files = run_with(old)
    new_code, new_out, new_err, new_files = run_with(new)
    assert (old_code, old_out, old_files) == (new_code, new_out, new_files) and old_code == 0
    assert warning in old_err and "deprecated" not in new_err


def test_fetch_is_the_deprecated_name_of_pull(capsys):
    code, err = run(["fetch"], capsys)  # no --log-group: the same sentence as pull's
    assert code == 2 and "'lexlens fetch' is deprecated" in err and "--log-group to pull" in err
    code, err = run(["pull"], capsys)
    assert code == 2 and "deprecated" not in err and "--log-group to pull" in err


def test_building_the_cli_and_planning_a_load_import_no_pandas_numpy_or_pyarrow():
    """Every command's parser is built, and a report plans its load and starts the scanner,
    before any work: importing pandas there (through a constant, the glossary or the store's
    loader) cost ~0.35 s of every run, and delayed the scanner's early start."""
    import subprocess
    import sys

    script = ("import sys; from lexlens.analytics.cli import build_parser; build_parser(); "
              "import lexlens.analytics.store.loader, lexlens.analytics.store.outputs; "
              "print(sorted(m for m in ('pandas', 'numpy', 'pyarrow') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("extra,imported", [([], "[]"), (["--redact"], "['pandas']")])
def test_serve_starts_streamlit_without_importing_pandas_unless_masking(extra, imported):
    """``lexlens serve`` builds Streamlit's command and environment, then becomes it: pandas
    imported there (through --redact's rules) cost ~0.4 s before the server could start."""
    import subprocess
    import sys

    script = ("import sys; from lexlens.analytics.cli import build_parser, serve; "
              f"args = build_parser().parse_args(['serve', '--port', '8765', *{extra!r}]); "
              "serve.build_command(args, None); serve.build_environment(args, None); "
              "print(sorted(m for m in ('pandas',) if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == imported


USAGE_MISTAKES = {  # argv -> the start of the one line said
    "a bad value": (["report", "x.jsonl", "--top", "-3"], "lexlens report: argument --top: must be 1 or more"),
    "an unknown option": (["report", "x.jsonl", "--bogus"], "lexlens report: unrecognized arguments: --bogus"),
    "through an alias": (["fetch", "--bogus"], "lexlens pull: unrecognized arguments: --bogus"),
    "a missing action": (["store"], "lexlens store: the following arguments are required: ACTION"),
    "a missing option": (["sample", "out.jsonl"], "lexlens sample: the following arguments are required: --sessions"),
    "no command": ([], "lexlens: the following arguments are required: COMMAND"),
}


@pytest.mark.parametrize("mistake", list(USAGE_MISTAKES))
def test_a_usage_mistake_is_one_sentence(mistake, capsys):
    """argparse would print the usage block first; lexlens says what was wrong and where the
    options are listed, in one line (README: 'a bad option ends with one sentence')."""
    from lexlens.analytics.cli import main

    argv, said = USAGE_MISTAKES[mistake]
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    lines = capsys.readouterr().err.strip().splitlines()
    assert stopped.value.code == 2 and len(lines) == 1 and lines[0].startswith(said), lines
    assert lines[0].endswith(f"see '{said.split(':')[0]} --help'.")
