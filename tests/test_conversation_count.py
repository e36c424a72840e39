"""One definition of a conversation, computed once: with an inactivity threshold other than
Lex's default, every place that shows a conversation count agrees (the report's JSON and
text, its CSV files, the dashboard's Overview tile, sessions table, Outcomes page and
Comparisons).

The data: a session that never carries an originatingRequestId, silent for 100 s, 400 s and
200 s between its turns, so the threshold decides how many conversations it holds (one at
1,000 s, two at 300 s, four at 60 s), and a session whose two originatingRequestIds make two
conversations at any threshold. Definition: lexlens.analytics.metrics.conversations
(https://docs.aws.amazon.com/lexv2/latest/dg/analytics-key-definitions.html).
"""
import contextlib
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard_helpers import streamlit_run_on_loopback
from lex_records import record
from lexlens.analytics.cli import main
from lexlens.dashboard.settings import SOURCES_VAR

EXPECTED = {60: 6, 300: 4, 1000: 3}  # threshold (s) -> conversations
APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")


def records() -> list[dict]:
    quiet = [record("quiet", second, "hello", intent="CheckBalance", conv=None, version="1")
             for second in (0, 100, 500, 700)]
    with_ids = [record("with-ids", 0, "hi", intent="CheckBalance", conv="c1"),
                record("with-ids", 10, "again", intent="CheckBalance", conv="c1"),
                record("with-ids", 20, "later", intent="CheckBalance", conv="c2")]
    return quiet + with_ids


@pytest.fixture(scope="module")
def log_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("conversations") / "quiet.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records()), encoding="utf-8")
    return path


def run_report(*args) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert main(["report", *map(str, args)]) == 0
    return out.getvalue()


@pytest.mark.parametrize("idle", list(EXPECTED))
def test_json_and_text_count_the_same_conversations(log_file, idle):
    report = json.loads(run_report(log_file, "--json", "--idle-timeout", idle))
    assert report["conversations"] == EXPECTED[idle]
    assert sum(report["conversation_outcomes"].values()) == EXPECTED[idle]
    assert f"conversations {EXPECTED[idle]:,}" in run_report(log_file, "--idle-timeout", idle)


@pytest.mark.parametrize("idle", list(EXPECTED))
def test_every_csv_counts_the_same_conversations(log_file, idle, tmp_path):
    run_report(log_file, "--out", tmp_path, "--idle-timeout", idle)
    assert pd.read_csv(tmp_path / "sessions.csv")["conversations"].sum() == EXPECTED[idle]
    assert len(pd.read_csv(tmp_path / "conversations.csv")) == EXPECTED[idle]
    assert pd.read_csv(tmp_path / "conversation_outcomes.csv")["conversations"].sum() == EXPECTED[idle]
    assert pd.read_csv(tmp_path / "containment.csv")["conversations"].tolist() == [EXPECTED[idle]]


@pytest.fixture
def dashboard(log_file, monkeypatch):
    monkeypatch.setenv(SOURCES_VAR, str(log_file))
    with streamlit_run_on_loopback():
        yield


def start(idle: int, page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["idle"] = str(idle)
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    return at


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


@pytest.mark.parametrize("idle", [60, 1000])
def test_dashboard_pages_count_the_same_conversations(dashboard, idle):
    overview = start(idle)
    assert {m.label: m.value for m in overview.main.metric}["Conversations"] == str(EXPECTED[idle])
    sessions = start(idle, "views/conversations.py")
    assert table_with(sessions, "conversations")["conversations"].sum() == EXPECTED[idle]
    outcomes = start(idle, "views/outcomes.py")
    tiles = [m for m in outcomes.main.metric if m.label.endswith(" conversations")]
    assert len(tiles) == 3 and sum(int(m.value.replace(",", "")) for m in tiles) == EXPECTED[idle]
    comparisons = start(idle, "views/comparisons.py")
    comparisons.radio(key="compare_mode").set_value("Two versions").run()
    row = table_with(comparisons, "KPI").set_index("KPI").loc["Conversations"]
    assert int(row["A"]) + int(row["B"]) == EXPECTED[idle]
