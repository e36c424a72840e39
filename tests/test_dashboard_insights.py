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
    assert len(labels) >= 5  # the tiles and each chart
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
