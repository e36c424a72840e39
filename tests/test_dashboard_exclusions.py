"""The sidebar's test-traffic exclusions under AppTest: the serve defaults apply, the KPIs leave
the traffic out, the note says what and how many turns, and the choice lives in the URL."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import lexlens.sample_logs as sample_logs
from dashboard_helpers import streamlit_run_on_loopback
from lexlens.analytics.filters import Filters, apply_filters, count_excluded
from lexlens.analytics.ingest.loading import load_logs
from lexlens.dashboard.settings import EXCLUSION_VARS, settings_environment
from test_dashboard_apptest import assert_clean, assert_kpis_match

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in EXCLUSION_VARS.values():
        monkeypatch.delenv(name, raising=False)
    with streamlit_run_on_loopback():
        yield


@pytest.fixture(scope="module")
def demo():
    return load_logs([sample_logs.DEMO_LOG])


def notes(at: AppTest) -> list[str]:
    return [caption.value for caption in at.sidebar.caption if "Test traffic left out" in caption.value]


def test_serve_defaults_leave_test_traffic_out(monkeypatch, demo):
    alias = sorted(demo.turns["alias_name"].astype(str).unique())[0]
    env = settings_environment((), False, exclusions={"exclude_alias": [alias], "exclude_version": [],
                                                      "exclude_attribute": ["channel=ios"]})
    for name, value in env.items():
        if name in EXCLUSION_VARS.values():
            monkeypatch.setenv(name, value)
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    assert_clean(at)
    filters = Filters(exclude_aliases=(alias,), exclude_attributes=(("channel", "ios"),))
    kept = apply_filters(demo, filters).turns
    assert 0 < len(kept) < len(demo.turns)
    assert_kpis_match(at, kept)
    removed = count_excluded(demo, filters)
    (note,) = notes(at)
    assert f"{removed:,} of {len(demo.turns):,} turns" in note and "channel\\=ios" in note


def test_no_exclusion_no_note():
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    assert_clean(at)
    assert notes(at) == []


def test_exclusion_picked_in_the_sidebar_is_in_the_url(demo):
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    at.multiselect(key="xversion").set_value(["3"]).run()
    at.text_input(key="xattr").set_value("customerTier=gold; nonsense").run()
    assert_clean(at)
    filters = Filters(exclude_versions=("3",), exclude_attributes=(("customerTier", "gold"),))
    assert_kpis_match(at, apply_filters(demo, filters).turns)
    assert at.query_params["xversion"] == "3" and at.query_params["xattr"] == "customerTier=gold; nonsense"
    assert any("Not KEY=VALUE, ignored: nonsense" in w.value for w in at.sidebar.warning)
