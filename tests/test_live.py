"""Live refresh of a CloudWatch source: only newer events are fetched and merged (moto's server
over HTTP), and the dashboard's Live switch brings them in without a reload, filters kept."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

pytest.register_assert_rewrite("moto_server")

from lexlens.analytics.sources.cloudwatch import pull_log_groups, write_pull  # noqa: E402
from lexlens.analytics.sources.cloudwatch.cache import new_window_path  # noqa: E402
from lexlens.analytics.sources.cloudwatch.live import describe_newest, pull_newer, start_live  # noqa: E402
from lexlens.dashboard.settings import CLOUDWATCH_VARS, SOURCES_VAR  # noqa: E402
from moto_server import make_lex_record, put_events, unique_group  # noqa: E402

pytest_plugins = ["moto_server"]
APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
MINUTE = 60_000


def lex_events(first_ms: int, sessions: range, turns: int = 2) -> list[dict]:
    """``turns`` events a minute apart for each session, from ``first_ms`` on."""
    stamps = [(first_ms + MINUTE * (turns * n + t), s, t) for n, s in enumerate(sessions) for t in range(turns)]
    return [{"timestamp": ms, "message": json.dumps(make_lex_record(ms, f"session-{s}", f"req-{s}-{t}"))}
            for ms, s, t in stamps]


@pytest.fixture
def group(aws_env, logs_client):
    """A log group with 6 sessions x 2 turns in the last two hours."""
    name = unique_group()
    now = int(time.time() * 1000)
    put_events(logs_client, name, "stream-1", lex_events(now - 2 * 3_600_000, range(6)))
    return name


def pulled_window(logs_client, group, cache):
    result = pull_log_groups(logs_client, [group], "1d", None, cache)
    path = new_window_path(cache)
    write_pull(result, path)
    return start_live(str(path), result.since, result.until)


def test_pull_newer_fetches_only_the_recent_events_and_merges_them(logs_client, group, tmp_path):
    cache = tmp_path / "cache"
    window = pulled_window(logs_client, group, cache)
    assert window.events == 12
    now = int(time.time() * 1000)
    late = lex_events(window.until_ms - 5 * MINUTE, range(100, 101), turns=1)  # stamped before the pull, ingested after
    put_events(logs_client, group, "stream-2", lex_events(now - 4 * MINUTE, range(6, 8)) + late)
    updated = pull_newer(logs_client, [group], window, cache)
    assert updated.events == 12 + 4 + 1
    assert updated.fetched == 5  # only the last 10 minutes were asked for: the 12 old events were not
    assert not Path(window.path).exists() and describe_newest(Path(updated.path))[0] == 17
    assert updated.newest_ms == now - 4 * MINUTE + 3 * MINUTE
    again = pull_newer(logs_client, [group], updated, cache)  # nothing new: the same file
    assert (again.path, again.events) == (updated.path, 17)


def test_pull_newer_of_an_empty_window(logs_client, tmp_path):
    name = unique_group()
    put_events(logs_client, name, "stream-1", [])
    window = pulled_window(logs_client, name, tmp_path / "cache")
    assert (window.events, window.newest_ms) == (0, None)
    assert pull_newer(logs_client, [name], window, tmp_path / "cache").events == 0


def records_shown(at) -> str:
    return {metric.label: metric.value for metric in at.main.metric}["Records"]


def test_live_switch_brings_new_events_in_and_keeps_the_filters(group, logs_client, tmp_path, monkeypatch):
    monkeypatch.delenv(SOURCES_VAR, raising=False)
    monkeypatch.setenv(CLOUDWATCH_VARS["log_groups"], group)
    monkeypatch.setenv(CLOUDWATCH_VARS["cache_dir"], str(tmp_path / "cache"))
    monkeypatch.setenv(CLOUDWATCH_VARS["since"], "1d")
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    at.multiselect(key="locale").set_value(["en_US"]).run()
    at.toggle(key="cw_live").set_value(True).run()
    at.number_input(key="cw_every").set_value(5).run()
    assert not at.exception and records_shown(at) == "12"
    assert any("Live · newest event" in caption.value for caption in at.sidebar.caption)
    now = int(time.time() * 1000)
    put_events(logs_client, group, "stream-2", lex_events(now - 6 * MINUTE, range(6, 9)))
    time.sleep(5.5)
    at.run()  # the fragment's timer: it fetches, then reruns the page
    assert not at.exception, [e.value for e in at.exception]
    assert records_shown(at) == "18"
    assert at.multiselect(key="locale").value == ["en_US"] and at.query_params["locale"] in ("en_US", ["en_US"])


def test_an_open_transcript_stays_open_through_a_live_refresh(group, logs_client, tmp_path, monkeypatch):
    monkeypatch.delenv(SOURCES_VAR, raising=False)
    monkeypatch.setenv(CLOUDWATCH_VARS["log_groups"], group)
    monkeypatch.setenv(CLOUDWATCH_VARS["cache_dir"], str(tmp_path / "cache"))
    monkeypatch.setenv(CLOUDWATCH_VARS["since"], "1d")
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    at.toggle(key="cw_live").set_value(True).run()
    at.number_input(key="cw_every").set_value(5).run()
    at.query_params["session"] = "session-2"
    at.switch_page("views/explorer.py").run()
    assert any("Session session-2" in text.value for text in [*at.main.markdown, *at.main.text])
    put_events(logs_client, group, "stream-2", lex_events(int(time.time() * 1000) - 6 * MINUTE, range(6, 9)))
    time.sleep(5.5)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("18 events" in caption.value for caption in at.sidebar.caption)  # the refresh happened
    assert any("Session session-2" in text.value for text in [*at.main.markdown, *at.main.text])
