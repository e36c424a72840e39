"""Only the sources the operator allows (issue 11): under ``lexlens serve`` the ``src`` URL
parameter and the path box select among the served sources and files below ``--data-dir``;
anything else (system files, credentials, ``/``, symlinks and ``..`` out of a data folder) gets
one sentence, the same whether or not the path exists, and nothing is read."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import lexlens.sample_logs as sample_logs
from lexlens.dashboard.access import (REFUSAL, AccessSettings, access_environment, is_loopback, path_allowed,
                                      read_access, real_path, user_allowed)
from lexlens.dashboard.settings import SOURCES_VAR
from dashboard_helpers import streamlit_run_on_loopback, write_hostile_log

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


@pytest.fixture
def places(tmp_path, monkeypatch):
    """A data folder with a log, a log outside it, a fake home with AWS credentials, and
    symlinks from inside the data folder to the outside."""
    data = tmp_path / "data"
    (data / "team").mkdir(parents=True)
    write_hostile_log(data / "team" / "logs.jsonl", copies=1)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.jsonl").write_text(f'{{"not": "lex"}}\naws_secret_access_key = {SECRET}\n')
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "credentials").write_text(f"[default]\naws_secret_access_key = {SECRET}\n")
    monkeypatch.setenv("HOME", str(home))
    (data / "link.jsonl").symlink_to(outside / "secret.jsonl")
    (data / "linked-folder").symlink_to(outside)
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    write_hostile_log(mixed / "ok.jsonl", copies=1)
    (mixed / "sneaky.jsonl").symlink_to(outside / "secret.jsonl")
    monkeypatch.setenv(SOURCES_VAR, str(sample_logs.DEMO_LOG))
    monkeypatch.setenv(*next(iter(access_environment(
        AccessSettings(served=True, data_dirs=(str(data), str(mixed)))).items())))
    return {"data": data, "outside": outside, "mixed": mixed, "home": home}


def run_app(src: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params["src"] = src
    at.run()
    return at


def page_text(at: AppTest) -> str:
    parts = [e.value for kind in ("error", "warning", "caption", "markdown", "info") for e in getattr(at, kind)]
    parts += [e.value for e in at.sidebar.caption]
    parts += [df.value.to_csv() for df in at.dataframe]
    return "\n".join(str(p) for p in parts)


REFUSED = [
    "/etc/os-release", "~/.aws/credentials", "/", "/proc/self/environ",
    "{data}/../outside/secret.jsonl", "{data}/link.jsonl", "{data}/linked-folder",
    "{data}/linked-folder/secret.jsonl", "{mixed}", "{outside}/secret.jsonl",
    "{data}/team/logs.jsonl;/etc/os-release", "/nonexistent/logs.jsonl", "{outside}/missing.jsonl",
]


@pytest.mark.parametrize("src", REFUSED)
def test_a_source_outside_the_allowed_places_is_refused_and_nothing_is_read(places, src):
    at = run_app(src.format(**places))
    assert not at.exception
    assert [e.value for e in at.error] == [REFUSAL]
    text = page_text(at)
    assert SECRET not in text and "lines read" not in text and "does not exist" not in text
    assert not at.dataframe and not at.metric


@pytest.mark.parametrize("src", ["{data}/team/logs.jsonl", "{data}/team", "{data}/team/../team/logs.jsonl",
                                 "{mixed}/ok.jsonl", str(sample_logs.DEMO_LOG)])
def test_allowed_sources_load(places, src):
    at = run_app(src.format(**places))
    assert not at.exception and not at.error
    assert "lines read" in page_text(at)


def test_a_missing_path_inside_a_data_dir_may_say_so(places):
    """Inside the allowed folders the load's own message stands (the operator shared them)."""
    at = run_app(str(places["data"] / "nothing-here.jsonl"))
    assert any("does not exist" in e.value for e in at.error)


def test_streamlit_run_on_every_interface_keeps_to_the_demo(monkeypatch, places):
    """``streamlit run`` without serve options, bound to every interface: no free path box."""
    monkeypatch.delenv("LEXLENS_ACCESS")
    monkeypatch.delenv(SOURCES_VAR)
    assert [e.value for e in run_app("/etc/os-release").error] == [REFUSAL]
    assert not run_app(str(sample_logs.DEMO_LOG)).error


def test_streamlit_run_on_loopback_keeps_the_free_path_box(monkeypatch, places):
    monkeypatch.delenv("LEXLENS_ACCESS")
    with streamlit_run_on_loopback():
        at = run_app(str(places["outside"] / "secret.jsonl"))
    assert not at.exception and REFUSAL not in [e.value for e in at.error]
    assert "lines read" in page_text(at)


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("127.8.9.1", True), ("::1", True),
                                            ("[::1]", True), ("localhost", True), ("0.0.0.0", False),
                                            ("::", False), ("", False), (None, False), ("10.0.0.5", False),
                                            ("example.com", False)])
def test_is_loopback(host, loopback):
    assert is_loopback(host) is loopback


@pytest.mark.parametrize("email, allowed, expected", [
    ("alice@team.example", ("@team.example",), True), ("Alice@Team.Example", ("@team.example",), True),
    ("alice@team.example.evil", ("@team.example",), False), ("alice@evil.example", ("alice@team.example",), False),
    ("alice@team.example", ("ALICE@team.example",), True), ("", ("@team.example",), False),
    (None, ("@team.example",), False), ("alice@team.example", (), False), ("not-an-email", ("not-an-email",), False)])
def test_user_allowed(email, allowed, expected):
    assert user_allowed(email, allowed) is expected


def test_path_allowed_resolves_dots_and_symlinks(tmp_path):
    root = tmp_path / "root"
    (root / "a").mkdir(parents=True)
    (root / "escape").symlink_to(tmp_path)
    roots = [real_path(root)]
    assert path_allowed(root / "a" / "x.jsonl", roots, [])
    assert not path_allowed(root / "a" / ".." / ".." / "x.jsonl", roots, [])
    assert not path_allowed(root / "escape" / "x.jsonl", roots, [])
    assert not path_allowed(str(root) + "-sibling/x.jsonl", roots, [])  # a prefix is not a parent
    assert not path_allowed("/", [], [])


def test_access_settings_round_trip():
    access = AccessSettings(served=True, data_dirs=("/d",), log_group_prefixes=("/aws/lex/",), auth=True,
                            allowed_users=("@x.example",), writers=("w@x.example",))
    assert read_access(access_environment(access)) == access
    assert read_access({}) == AccessSettings()
    assert json.loads(access_environment(AccessSettings())["LEXLENS_ACCESS"])["auth"] is False
    assert os.pathsep not in "".join(access_environment(access))
