"""``lexlens serve`` draws the landing page once as soon as the server listens
(dashboard/prewarm.py): the served logs are read before any visitor comes, and the visit speaks
the protocol of this Streamlit version (a changed protocol fails here, not silently)."""
from __future__ import annotations

import asyncio
import json
import shutil
import time
from pathlib import Path

import pytest

from dashboard_helpers import serving
from lexlens.dashboard.prewarm import server_base, visit

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_logs" / "real-lex-records.jsonl"


@pytest.mark.parametrize("argv,base", [
    ([], "127.0.0.1:8501"),
    (["--server.port", "9000"], "127.0.0.1:9000"),
    (["--server.port=9001", "--server.address=0.0.0.0"], "127.0.0.1:9001"),
    (["--server.address", "::", "--server.port", "9002"], "127.0.0.1:9002"),
    (["--server.address", "10.1.2.3", "--server.port", "9003"], "10.1.2.3:9003"),
    (["--server.address", "::1", "--server.port", "9004"], "[::1]:9004"),
])
def test_the_visit_goes_where_the_server_listens(argv, base):
    assert server_base(["run", "app.py", *argv]) == base


def stored_files(store: Path) -> list[str]:
    try:
        return list(json.loads((store / "manifest.json").read_text())["files"])
    except (OSError, ValueError, KeyError):
        return []


def test_the_served_logs_are_read_before_any_visitor(tmp_path):
    logs = shutil.copy(SAMPLE, tmp_path / "logs.jsonl")
    store = tmp_path / "store"
    with serving([logs], extra=["--store-dir", str(store)]):
        deadline = time.monotonic() + 60
        while not stored_files(store) and time.monotonic() < deadline:
            time.sleep(0.1)  # nobody opens the page: only the server's own visit reads the file
        assert stored_files(store) == [str(Path(logs).resolve())]


def test_a_visit_runs_the_landing_page_to_its_end(tmp_path):
    with serving([SAMPLE], extra=["--no-store"]) as url:
        status = asyncio.run(visit(url.removeprefix("http://"), timeout_s=60))
    assert status == "FINISHED_SUCCESSFULLY"


def test_the_visit_starts_only_once_the_libraries_are_imported_whole():
    """The server's thread imports Streamlit while the visit's thread imports lexlens: plotly
    looked pandas up in sys.modules half made by the other thread, and the server crashed at
    start once in a few starts. The visit's thread now starts after those imports."""
    import subprocess
    import sys

    script = """
import sys, threading
import lexlens.dashboard.prewarm as prewarm
class Started(Exception): pass
class Recorder:
    def __init__(self, *args, **kwargs): pass
    def start(self):
        print(sorted(m for m in ("pandas", "pyarrow", "streamlit", "plotly") if m not in sys.modules))
        raise Started
threading.Thread = Recorder
try:
    prewarm.main(["run", "app.py"])
except Started:
    pass
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("visitors,visited", [(False, True), (True, False)])
def test_no_visit_when_a_visitor_came_first(monkeypatch, visitors, visited):
    """A browser connected while the logs were read (or within VISITOR_GRACE_S after) runs its
    page itself: a second run beside it would only share the two cores with it."""
    import lexlens.dashboard.prewarm as prewarm

    calls = []

    async def fake_visit(base):
        calls.append(base)
        return "FINISHED_SUCCESSFULLY"

    monkeypatch.setattr(prewarm, "preload", lambda: None)
    monkeypatch.setattr(prewarm, "wait_healthy", lambda base: True)
    monkeypatch.setattr(prewarm, "visitors_connected", lambda: visitors)
    monkeypatch.setattr(prewarm, "VISITOR_GRACE_S", 0.2)
    monkeypatch.setattr(prewarm, "visit", fake_visit)
    prewarm.prewarm(["run", "app.py", "--server.port", "9100"])
    assert calls == (["127.0.0.1:9100"] if visited else [])


def test_a_connected_visitor_is_seen_in_this_streamlits_runtime_state():
    """visitors_connected reads Runtime.state, which the runtime sets to
    ONE_OR_MORE_SESSIONS_CONNECTED when a browser connects; without a running server it says
    False. A Streamlit that renames either fails here instead of silently visiting."""
    import inspect

    from streamlit import runtime

    from lexlens.dashboard.prewarm import visitors_connected

    connect = inspect.getsource(runtime.Runtime.connect_session)
    assert "RuntimeState.ONE_OR_MORE_SESSIONS_CONNECTED" in connect
    assert isinstance(runtime.Runtime.state, property)
    assert visitors_connected() is False
