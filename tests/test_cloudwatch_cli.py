"""``lexlens cache info|clear`` and the shared ``--log-group`` options helper."""
from __future__ import annotations

import argparse
import json

import pytest

pytest.register_assert_rewrite("moto_server")  # before the import below: keeps its asserts rewritten

from lexlens.analytics.cli import build_parser, main  # noqa: E402
from lexlens.analytics.errors import LexlensError  # noqa: E402
from lexlens.analytics.ingest.loading import load_logs  # noqa: E402
from lexlens.analytics.sources.cloudwatch import cache_status  # noqa: E402
from lexlens.analytics.cli.cloudwatch_options import add_cloudwatch_arguments, load_from_args  # noqa: E402
from moto_server import HOUR_MS, lex_event, put_events, unique_group  # noqa: E402



@pytest.fixture
def two_groups(aws_env, logs_client):
    """Two small groups: 30 and 20 Lex events in the last 3 hours."""
    import time

    now = int(time.time() * 1000)
    names = [unique_group(), unique_group()]
    for name, count in zip(names, (30, 20)):
        put_events(logs_client, name, "s", [lex_event(now - 3 * HOUR_MS + i * 60_000, f"{name}{i}", 0)
                                            for i in range(count)])
    return names


def cache_info(capsys, cache, *extra):
    capsys.readouterr()
    assert main(["cache", "info", "--cache-dir", str(cache), *extra]) == 0
    return capsys.readouterr().out


def test_cache_info_and_clear(two_groups, capsys, tmp_path):
    cache = tmp_path / "cache"
    assert "empty" in cache_info(capsys, cache)                          # no cache yet
    assert json.loads(cache_info(capsys, cache, "--json"))["namespaces"] == []
    for name in two_groups:
        assert main(["pull", "--log-group", name, "--since", "4h", "--cache-dir", str(cache)]) == 0
    status = json.loads(cache_info(capsys, cache, "--json"))
    assert {(entry["log_group"], entry["events"]) for entry in status["namespaces"]} == {
        (two_groups[0], 30), (two_groups[1], 20)}
    assert all(entry["account"] == "123456789012" for entry in status["namespaces"])
    text = cache_info(capsys, cache)
    assert two_groups[0] in text and "30 events" in text
    assert main(["cache", "clear", "--log-group", two_groups[0], "--cache-dir", str(cache)]) == 0
    assert [entry["log_group"] for entry in cache_status(cache)["namespaces"]] == [two_groups[1]]
    assert main(["cache", "clear", "--cache-dir", str(cache)]) == 0
    assert cache_status(cache)["namespaces"] == [] and cache_status(cache)["bytes"] == 0


def test_default_cache_dir_follows_xdg(two_groups, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert main(["pull", "--log-group", two_groups[1], "--since", "4h"]) == 0
    assert [entry["events"] for entry in cache_status(tmp_path / "xdg" / "lexlens" / "cloudwatch")
            ["namespaces"]] == [20]


def report_like_parser(own_window: bool):
    """A parser with the CloudWatch options; ``own_window``: it has --since/--until already (as
    ``report``'s filters), so the CloudWatch group must not add them again."""
    parser = argparse.ArgumentParser()
    parser.add_argument("source", nargs="*")
    if own_window:
        parser.add_argument("--since")
        parser.add_argument("--until")
    parser.add_argument("--locale")
    add_cloudwatch_arguments(parser, window=not own_window)
    return parser


@pytest.mark.parametrize("own_window", [True, False])
def test_options_helper_adds_options_once(own_window):
    args = report_like_parser(own_window).parse_args(
        ["--log-group", "a", "--log-group", "b", "--region", "eu-west-1", "--since", "2d"])
    assert args.log_group == ["a", "b"] and args.region == "eu-west-1" and args.since == "2d"
    assert args.until is None and args.profile is None and args.endpoint_url is None


def test_load_from_args_without_log_group_is_empty():
    assert load_from_args(report_like_parser(False).parse_args([])) == []


def test_load_from_args_returns_a_file_for_the_loader(two_groups, tmp_path):
    args = report_like_parser(False).parse_args(
        ["--log-group", two_groups[0], "--log-group", two_groups[1], "--since", "4h",
         "--cache-dir", str(tmp_path), "--locale", "en_US"])
    seen = []
    paths = load_from_args(args, progress=seen.append)
    assert len(paths) == 1 and paths[0].parent == tmp_path / "windows"
    assert len(load_logs(paths).turns) == 50
    assert seen[-1].slices_done == seen[-1].slices_total and seen[-1].events == 50


def test_load_from_args_reports_setup_errors_as_lexlens_errors(aws_env, tmp_path):
    args = report_like_parser(False).parse_args(["--log-group", "/aws/lex/none", "--cache-dir", str(tmp_path)])
    with pytest.raises(LexlensError) as caught:
        load_from_args(args, progress=False)
    assert caught.value.exit_code == 2


def test_commands_are_registered():
    parser = build_parser()
    assert parser.parse_args(["cache", "info"]).run.__name__ == "run_cache_info"
    assert parser.parse_args(["fetch", "--log-group", "x"]).run.__name__ == "run_pull"


@pytest.mark.parametrize("env, expected", [
    ({}, {"mode": "adaptive", "total_max_attempts": 8}),
    ({"AWS_RETRY_MODE": "standard", "AWS_MAX_ATTEMPTS": "4"}, {"mode": "standard", "total_max_attempts": 4}),
])
def test_client_retries_default_to_adaptive_but_follow_configuration(aws_env, monkeypatch, env, expected):
    from lexlens.analytics.sources.cloudwatch import make_logs_client

    monkeypatch.delenv("AWS_MAX_ATTEMPTS")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    retries = make_logs_client().meta.config.retries
    assert {key: retries[key] for key in expected} == expected


def test_shared_config_and_credentials_files_keep_working(two_groups, monkeypatch, tmp_path):
    # Profile, region, endpoint and credentials only from the shared files; no AWS_* values.
    config, credentials = tmp_path / "config", tmp_path / "credentials"
    endpoint = __import__("os").environ["AWS_ENDPOINT_URL_CLOUDWATCH_LOGS"]
    config.write_text(f"[profile analyst]\nregion = us-east-1\nretry_mode = standard\n"
                      f"services = local\n\n[services local]\ncloudwatch_logs =\n  endpoint_url = {endpoint}\n")
    credentials.write_text("[analyst]\naws_access_key_id = filekey\naws_secret_access_key = filesecret\n")
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION",
                "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "AWS_MAX_ATTEMPTS"):
        monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    from lexlens.analytics.sources.cloudwatch import make_logs_client

    client = make_logs_client(profile="analyst")
    assert client.meta.endpoint_url == endpoint and client.meta.config.retries["mode"] == "standard"
    assert main(["pull", "--log-group", two_groups[0], "--since", "4h", "--profile", "analyst",
                 "--cache-dir", str(tmp_path / "c")]) == 0
    monkeypatch.setenv("AWS_PROFILE", "analyst")                 # the same through AWS_PROFILE
    assert main(["pull", "--log-group", two_groups[0], "--since", "4h", "--cache-dir", str(tmp_path / "c")]) == 0
    monkeypatch.setenv("AWS_PROFILE", "nobody")
    with pytest.raises(LexlensError, match="The AWS profile 'nobody' is not"):
        make_logs_client()
