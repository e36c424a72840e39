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


def test_the_server_starts_before_the_data_libraries_are_imported_and_pages_wait_for_them():
    """The server's thread imported Streamlit while the visit's thread imported pandas: plotly
    (imported by Streamlit) looked pandas up in sys.modules half made by the other thread, and
    the server crashed at start once in a few starts. Now Streamlit (plotly with it) is imported
    whole before the prewarm thread starts; pandas and pyarrow are not imported yet (the server
    listens ~0.1 s sooner, the landing drew 5.05 s after start against 5.66 s); the app's gate
    is closed until that thread has imported them."""
    import subprocess
    import sys

    script = """
import sys, threading
import lexlens.dashboard.prewarm as prewarm
from lexlens.dashboard import import_gate
class Started(Exception): pass
class Recorder:
    def __init__(self, *args, target=None, **kwargs): self.target = target
    def start(self):
        print(sorted(m for m in ("streamlit", "plotly") if m not in sys.modules))
        print(sorted(m for m in ("pandas", "pyarrow") if m in sys.modules))
        print(import_gate._closed, import_gate._opened.is_set())
        prewarm.import_libraries()  # what the thread does first
        print(sorted(m for m in ("pandas", "pyarrow", "plotly.graph_objects") if m not in sys.modules))
        print(import_gate._opened.is_set())
        raise Started
threading.Thread = Recorder
try:
    prewarm.main(["run", "app.py"])
except Started:
    pass
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.split("\n")[:5] == ["[]", "[]", "True False", "[]", "True"], result.stdout


@pytest.mark.parametrize("closed, opened_after_s, waits", [
    (False, None, False),  # streamlit run / AppTest: never closed, nothing waits
    (True, 0.3, True),  # lexlens serve: the page run waits for the imports
    (True, 0.0, False),  # imported before the page ran
])
def test_the_import_gate(monkeypatch, closed, opened_after_s, waits):
    import threading
    import time

    from lexlens.dashboard import import_gate

    monkeypatch.setattr(import_gate, "_closed", False)
    monkeypatch.setattr(import_gate, "_opened", threading.Event())
    if closed:
        import_gate.close()
    if opened_after_s == 0.0:
        import_gate.open_()
    elif opened_after_s:
        threading.Timer(opened_after_s, import_gate.open_).start()
    started = time.monotonic()
    import_gate.wait()
    waited = time.monotonic() - started
    assert (waited >= 0.25) is waits, waited


def test_the_import_gate_opens_even_when_an_import_fails(monkeypatch):
    """A library that fails to import must not leave every page run waiting: the gate opens
    and the page's own import says what is wrong."""
    import builtins
    import threading

    import lexlens.dashboard.prewarm as prewarm
    from lexlens.dashboard import import_gate

    monkeypatch.setattr(import_gate, "_closed", True)
    monkeypatch.setattr(import_gate, "_opened", threading.Event())
    real_import = builtins.__import__

    def failing(name, *args, **kwargs):
        if name == "plotly.graph_objects":
            raise ImportError("no plotly")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", failing)
    with pytest.raises(ImportError):
        prewarm.import_libraries()
    assert import_gate._opened.is_set()


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


def test_a_page_run_waits_at_the_closed_gate(monkeypatch):
    """The app's first lines wait while the gate is closed (``lexlens serve`` before its
    prewarm thread has imported pandas, pyarrow and plotly), then draw the page as usual."""
    import threading
    import time
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from lexlens.dashboard import import_gate

    monkeypatch.delenv("LEXLENS_SOURCES", raising=False)  # the bundled sample logs
    monkeypatch.setattr(import_gate, "_closed", False)
    monkeypatch.setattr(import_gate, "_opened", threading.Event())
    import_gate.close()
    threading.Timer(1.5, import_gate.open_).start()
    app = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py"), default_timeout=120)
    started = time.monotonic()
    app.run()
    assert time.monotonic() - started >= 1.4
    assert not app.exception
    assert app.metric  # the Overview's figures were drawn
