"""The dashboard's CloudWatch source (issue 4) under AppTest, against moto's server over HTTP."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

pytest.register_assert_rewrite("moto_server")

from lexlens.dashboard.settings import CLOUDWATCH_VARS, SOURCES_VAR  # noqa: E402
from moto_server import make_lex_record, put_events, unique_group  # noqa: E402

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"


@pytest.fixture
def lex_group(aws_env, logs_client):
    """A log group holding 3 sessions x 4 turns from the last hour, plus one non-Lex line."""
    group = unique_group()
    now = int(time.time() * 1000)
    records = [make_lex_record(now - 3_600_000 + 60_000 * (4 * s + t), f"session-{s}", f"req-{s}-{t}",
                               missed=(t == 3)) for s in range(3) for t in range(4)]
    import json

    events = [{"timestamp": now - 3_600_000 + i, "message": json.dumps(r)} for i, r in enumerate(records)]
    events.append({"timestamp": now - 60_000, "message": "START RequestId: not a lex record"})
    put_events(logs_client, group, "stream-1", events)
    return group


def test_log_group_from_serve_is_pulled_and_shown(lex_group, tmp_path, monkeypatch):
    monkeypatch.delenv(SOURCES_VAR, raising=False)
    monkeypatch.setenv(CLOUDWATCH_VARS["log_groups"], lex_group)
    monkeypatch.setenv(CLOUDWATCH_VARS["cache_dir"], str(tmp_path / "cache"))
    monkeypatch.setenv(CLOUDWATCH_VARS["since"], "1d")
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    assert not at.exception and not at.error, [e.value for e in at.exception] + [e.value for e in at.error]
    values = {metric.label: metric.value for metric in at.main.metric}
    assert values["Records"] == "12" and values["Sessions"] == "3"
    assert any("1 rejected" in caption.value for caption in at.sidebar.caption)  # the non-Lex line


def test_unknown_log_group_is_a_message(aws_env, tmp_path, monkeypatch):
    monkeypatch.setenv(CLOUDWATCH_VARS["log_groups"], "/aws/lex/does-not-exist")
    monkeypatch.setenv(CLOUDWATCH_VARS["cache_dir"], str(tmp_path / "cache"))
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    assert not at.exception
    assert at.sidebar.error  # one sentence in the source panel; the demo logs stay shown


@pytest.mark.parametrize("since, message", [
    ("0001-01-01", "before Amazon Lex V2 existed"),
    ("100000000d", "before Amazon Lex V2 existed"),
    ("2199-06-01", "time window is empty"),
])
def test_a_window_past_the_rule_is_a_sentence_in_the_panel(since, message, lex_group, tmp_path, monkeypatch):
    """The panel parses its Since box with the CLI's window rule (analytics/timewindow.py)."""
    monkeypatch.delenv(SOURCES_VAR, raising=False)
    monkeypatch.setenv(CLOUDWATCH_VARS["log_groups"], lex_group)
    monkeypatch.setenv(CLOUDWATCH_VARS["cache_dir"], str(tmp_path / "cache"))
    monkeypatch.setenv(CLOUDWATCH_VARS["since"], since)
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(message in error.value for error in at.sidebar.error), [e.value for e in at.sidebar.error]
    assert not list((tmp_path / "cache").glob("v1/*/*.json"))  # no slice was planned, let alone pulled
