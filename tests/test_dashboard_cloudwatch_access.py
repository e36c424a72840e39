"""The dashboard's CloudWatch panel under ``lexlens serve`` (issue 11): visitors pull only the log
groups given to serve or named under ``--log-group-prefix``, with the operator's region and
profile; without either the panel offers nothing. AppTest against moto's server over HTTP."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

pytest.register_assert_rewrite("moto_server")

from lexlens.dashboard.access import AccessSettings, access_environment  # noqa: E402
from lexlens.dashboard.settings import CLOUDWATCH_VARS, SOURCES_VAR  # noqa: E402
from moto_server import make_lex_record, put_events, unique_group  # noqa: E402

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"


@pytest.fixture
def groups(aws_env, logs_client):
    """A team group under /aws/lex/team- and a Lambda group holding a secret."""
    now = int(time.time() * 1000)
    team, lam = unique_group("/aws/lex/team"), unique_group("/aws/lambda/payments")
    put_events(logs_client, team, "s", [{"timestamp": now - 60_000, "message": json.dumps(
        make_lex_record(now - 60_000, "session-1", "req-1"))}])
    put_events(logs_client, lam, "s", [{"timestamp": now - 60_000, "message": "DB_PASSWORD=hunter2"}])
    return team, lam


def served(monkeypatch, tmp_path, **access) -> AppTest:
    monkeypatch.delenv(SOURCES_VAR, raising=False)
    monkeypatch.setenv(CLOUDWATCH_VARS["cache_dir"], str(tmp_path / "cache"))
    monkeypatch.setenv(CLOUDWATCH_VARS["since"], "1d")
    for name, value in access_environment(AccessSettings(served=True, **access)).items():
        monkeypatch.setenv(name, value)
    return AppTest.from_file(str(APP), default_timeout=120).run()


def test_without_groups_or_prefixes_the_panel_offers_nothing(groups, monkeypatch, tmp_path):
    at = served(monkeypatch, tmp_path)
    assert not at.exception
    assert any("No CloudWatch log groups are offered here" in c.value for c in at.sidebar.caption)
    labels = [w.label for w in at.sidebar.text_input]
    assert "Region" not in labels and "Profile" not in labels and "Log group name prefix" not in labels
    assert not [b for b in at.sidebar.button if b.key in ("cw_find", "cw_pull")]


def test_find_lists_only_groups_under_the_operator_prefix(groups, monkeypatch, tmp_path):
    team, lam = groups
    at = served(monkeypatch, tmp_path, log_group_prefixes=("/aws/lex/team",))
    assert "Region" not in [w.label for w in at.sidebar.text_input]
    at.sidebar.button(key="cw_find").click().run()
    options = at.sidebar.multiselect(key="cw_selected").options
    assert team in options and lam not in options
    at.sidebar.multiselect(key="cw_selected").set_value([team]).run()
    at.sidebar.button(key="cw_pull").click().run()
    assert not at.exception and not at.error
    assert {m.label: m.value for m in at.main.metric}["Records"] == "1"
    text = " ".join(str(e.value) for e in [*at.sidebar.caption, *at.main.markdown])
    assert "hunter2" not in text


def test_a_group_outside_the_prefixes_is_refused_before_any_pull(groups, monkeypatch, tmp_path):
    team, lam = groups
    at = served(monkeypatch, tmp_path, log_group_prefixes=("/aws/lex/team",))
    at.session_state["cw_groups"] = [lam]  # even if a forged session state offered it
    at.run()
    at.sidebar.multiselect(key="cw_selected").set_value([lam]).run()
    at.sidebar.button(key="cw_pull").click().run()
    assert any("operator allowed" in e.value for e in at.sidebar.error)
    assert not list((tmp_path / "cache").rglob("window-*"))
