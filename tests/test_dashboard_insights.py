"""The dashboard's CloudWatch panel with the Logs Insights engine (issue 17) under AppTest, against
the Logs Insights stand-in in front of moto's server (tests/insights_standin.py), over HTTP."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

pytest.register_assert_rewrite("moto_server", "insights_standin")

from lexlens.dashboard.settings import CLOUDWATCH_VARS, SOURCES_VAR  # noqa: E402
from moto_server import make_lex_record, put_events, unique_group  # noqa: E402

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
MISSED_TEXT = "<b>cancel</b> **my** order"  # markup that must stay text


@pytest.fixture
def lex_group(insights, insights_client):
    """3 sessions x 4 turns from the last hour; the last turn of each is missed (MISSED_TEXT)."""
    group = unique_group("/aws/lex/dash")
    now = int(time.time() * 1000)
    events = []
    for s in range(3):
        for t in range(4):
            ms = now - 3_600_000 + 60_000 * (4 * s + t)
            record = make_lex_record(ms, f"session-{s}", f"req-{s}-{t}", missed=(t == 3),
                                     transcript=MISSED_TEXT if t == 3 else f"hello {t}")
            events.append({"timestamp": ms, "message": json.dumps(record)})
    put_events(insights_client, group, "stream-1", events)
    return group


@pytest.fixture
def app(lex_group, tmp_path, monkeypatch):
    monkeypatch.delenv(SOURCES_VAR, raising=False)
    monkeypatch.setenv(CLOUDWATCH_VARS["log_groups"], lex_group)
    monkeypatch.setenv(CLOUDWATCH_VARS["cache_dir"], str(tmp_path / "cache"))
    monkeypatch.setenv(CLOUDWATCH_VARS["since"], "1d")
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    assert_clean(at)
    return at


def assert_clean(at) -> None:
    assert not at.exception and not at.error, [e.value for e in at.exception] + [e.value for e in at.error]


def captions(at) -> list[str]:
    return [caption.value for caption in at.main.caption]


def choose(at, engine: str):
    at.radio(key="cw_engine").set_value(engine).run()
    at.button(key="cw_pull").click().run()
    assert_clean(at)
    return at


def test_local_engine_labels_each_chart_with_the_pulled_records(app):
    assert app.radio(key="cw_engine").value == "local"
    labels = [c for c in captions(app) if c.startswith("Computed by:")]
    assert labels and set(labels) == {"Computed by: local engine on 12 records pulled from CloudWatch Logs"}


def test_insights_engine_draws_the_overview_from_logs_insights(app, insights):
    started = len(insights.queries)
    choose(app, "insights")
    assert len(insights.queries) > started  # StartQuery reached the stand-in
    values = {metric.label: metric.value for metric in app.main.metric}
    assert values["Records"] == "12" and values["Sessions"] == "3" and values["Missed utterances"] == "3"
    assert values["Fallback rate"] == "25.00%"
    labels = [c for c in captions(app) if c.startswith("Computed by:")]
    assert len(labels) == 1 + len(app.get("plotly_chart")) >= 4  # the tiles and each chart
    assert all(label.startswith("Computed by: CloudWatch Logs Insights (server-side), ") and "scanned" in label
               and "over 12 records" in label for label in labels), labels
    queries = len(insights.queries)
    app.run()  # a rerun reads the kept run: no query
    assert len(insights.queries) == queries


def test_auto_below_the_threshold_pulls(app):
    choose(app, "auto")
    labels = {c for c in captions(app) if c.startswith("Computed by:")}
    assert labels == {"Computed by: local engine on 12 records pulled from CloudWatch Logs"}
    assert any("Auto: 12 records in the window" in c.value for c in app.sidebar.caption)


@pytest.mark.parametrize("page, shown", [
    ("views/intents.py", "Turns per intent"),
    ("views/outcomes.py", "This page works on pulled records"),
    ("views/slots_attributes.py", "This page works on pulled records"),
])
def test_each_page_says_which_engine_or_that_it_needs_a_pull(app, page, shown):
    choose(app, "insights")
    app.switch_page(page).run()
    assert_clean(app)
    text = " ".join([e.value for e in app.main.info] + [str(c.spec) for c in app.get("plotly_chart")])
    assert shown in text
    if "pulled records" in shown:  # the offered pull switches the engine and pulls
        app.button(key="insights_pull_instead").click().run()
        assert_clean(app)
        assert app.radio(key="cw_engine").value == "local"
        assert not any("works on pulled records" in e.value for e in app.main.info)
        app.switch_page("views/overview.py").run()
        assert "Computed by: local engine on 12 records pulled from CloudWatch Logs" in captions(app)


def pick(at, table: str, row: int):
    """What a click on ``row`` of a pickable table does (its selection callback), then a rerun."""
    at.session_state["insights_picked"] = {**(at.session_state["insights_picked"]
                                             if "insights_picked" in at.session_state else {}), table: row}
    return at.run()


def test_a_top_missed_utterance_leads_to_its_sessions_transcript_and_back(app, insights):
    choose(app, "insights")
    app.switch_page("views/missed.py").run()
    assert_clean(app)
    top = app.main.dataframe[0].value
    assert list(top["utterance"]) == [MISSED_TEXT] and list(top["count"]) == [3]
    pick(app, "insights_top_missed", 0)
    assert_clean(app)
    sessions = app.main.dataframe[1].value
    assert sorted(sessions["session_id"]) == ["session-0", "session-1", "session-2"]
    assert any(t.value == f"Sessions in which users said: {MISSED_TEXT}" for t in app.main.text)
    assert not [m for m in app.main.markdown if "<b>" in m.value or "cancel" in m.value]  # never Markdown
    chosen = sessions["session_id"].iloc[0]
    pick(app, "insights_top_missed_sessions", 0)
    assert_clean(app)
    assert app.main.title[0].value == "Session explorer"
    assert any(t.value == f"Session {chosen}" for t in app.main.text)
    bubbles = [t.value for t in app.main.text]
    assert MISSED_TEXT in bubbles and "hello 0" in bubbles  # the drilled turns, as plain text
    assert any(c.startswith("Computed by: local engine on 4 records of one session") for c in captions(app))
    app.button(key="drilled_back").click().run()
    assert_clean(app)
    assert app.main.title[0].value == "Missed utterances"
    assert any(c.startswith("Computed by: CloudWatch Logs Insights") for c in captions(app))


@pytest.mark.parametrize("status", ["Failed", "Timeout"])
def test_a_failing_drill_down_is_a_sentence_on_the_page(app, insights, status):
    choose(app, "insights")
    app.switch_page("views/conversations.py").run()
    insights.controls.force = [status]  # the next query, the drill-down, ends so
    pick(app, "insights_busiest_sessions", 0)
    assert not app.exception
    errors = [e.value for e in app.main.error]
    assert len(errors) == 1 and errors[0].startswith("Cannot open this session's transcript: the drill"), errors
    assert status in errors[0]
    assert app.main.title[0].value == "Conversations"


def test_an_unknown_log_group_is_a_sentence_in_the_panel(insights, tmp_path, monkeypatch):
    monkeypatch.setenv(CLOUDWATCH_VARS["log_groups"], "/aws/lex/does-not-exist")
    monkeypatch.setenv(CLOUDWATCH_VARS["cache_dir"], str(tmp_path / "cache"))
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    at = choose_unclean(at, "insights")
    assert not at.exception
    errors = [e.value for e in at.sidebar.error]
    assert errors and "does not exist" in errors[0], errors
    assert at.main.title[0].value == "Overview"  # the demo logs stay shown, computed here
    assert any(c.startswith("Computed by: local engine") for c in captions(at))


def choose_unclean(at, engine: str):
    at.radio(key="cw_engine").set_value(engine).run()
    return at.button(key="cw_pull").click().run()
