"""A log group read through the store (issue 16): the window file of a pull request grows by
appending, so a report after new events arrived parses only them, and prints what a report
without the store prints. CloudWatch Logs is moto's server over HTTP."""
from __future__ import annotations

import json
import time

import pytest

pytest.register_assert_rewrite("moto_server")

from lexlens.analytics.cli import main  # noqa: E402
from moto_server import HOUR_MS, lex_event, put_events, unique_group  # noqa: E402


def report(capsys, *args) -> dict:
    capsys.readouterr()
    assert main(["report", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def stored_windows(capsys, store) -> list[dict]:
    capsys.readouterr()
    assert main(["store", "info", "--json", "--store-dir", str(store)]) == 0
    return [entry for entry in json.loads(capsys.readouterr().out)["stored"] if "window-" in entry["path"]]


def test_a_log_group_that_gained_events_has_only_them_parsed(aws_env, logs_client, tmp_path, capsys):
    now = int(time.time() * 1000)
    group = unique_group()
    put_events(logs_client, group, "s", [lex_event(now - 3 * HOUR_MS + i * 60_000, f"a{i // 3}", i % 3)
                                         for i in range(30)])
    from lexlens.analytics.timewindow import format_ms

    # a fixed start: the same pull request at both runs ('--since 5h' would be another each time)
    options = ["--log-group", group, "--since", format_ms(now - 5 * HOUR_MS), "--cache-dir", str(tmp_path / "cache")]
    store = tmp_path / "store"
    first = report(capsys, *options, "--store-dir", str(store))
    assert first["records"] == 30
    window, = stored_windows(capsys, store)
    assert window["segments"] == 1
    # five later events; the same window start, asked a moment later
    put_events(logs_client, group, "s", [lex_event(int(time.time() * 1000) - 5_000 + i * 500, f"b{i}", 0)
                                         for i in range(5)])
    second = report(capsys, *options, "--store-dir", str(store))
    assert second["records"] == 35
    window, = stored_windows(capsys, store)
    assert window["segments"] == 2  # the old events from the store, the five new ones parsed
    assert second == report(capsys, *options, "--no-store")
