"""``lexlens serve`` starts Streamlit through this module: the same server, plus one background
visit that draws the landing page as soon as the server listens, so the first analyst to
open it finds the logs read, the Overview's figures computed and the modules imported.

The visit is a client of the server's own websocket (``/_stcore/stream``, the one a browser
uses), from loopback, without cookies and without query parameters: it runs exactly what a new
visitor with no URL state runs, through the same ``st.cache_resource`` caches, and shows
nothing to anybody. With sign-in (``--auth``) it stops at the sign-in gate like any anonymous
visitor and warms nothing. It is only a speed-up: any failure is logged and forgotten.

    python -m lexlens.dashboard.prewarm run APP.py [streamlit options]
"""
from __future__ import annotations

import asyncio
import logging
import sys
import threading
import time
import urllib.request
from typing import Optional

LOGGER = logging.getLogger("lexlens.prewarm")
HEALTH_TIMEOUT_S = 120.0  # the server is up long before this
VISIT_TIMEOUT_S = 3600.0  # a first parse of months of logs may take minutes
LOOPBACK = {"", "0.0.0.0", "::", "localhost"}
# A browser opened with the server (the URL it prints) connects about a second after the server
# listens; its own run then warms what it shows, and a visit beside it would halve its CPU.
VISITOR_GRACE_S = 1.0


def option_value(argv: list[str], name: str, default: str) -> str:
    """The value of ``--name VALUE`` or ``--name=VALUE`` in Streamlit's command line."""
    for index, arg in enumerate(argv):
        if arg == name and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return default


def server_base(argv: list[str]) -> str:
    """host:port to reach the server from this process (a wildcard address on loopback)."""
    host = option_value(argv, "--server.address", "127.0.0.1")
    port = option_value(argv, "--server.port", "8501")
    host = "127.0.0.1" if host in LOOPBACK else host
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def wait_healthy(base: str, timeout_s: float = HEALTH_TIMEOUT_S) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://{base}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.05)
    return False


def first_run_message() -> bytes:
    """What a browser sends first: run the default page, no widget state, no query string."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    message = BackMsg()
    message.rerun_script.query_string = ""
    message.rerun_script.page_script_hash = ""
    message.rerun_script.context_info.timezone = "UTC"
    message.rerun_script.context_info.locale = "en-US"
    return message.SerializeToString()


async def visit(base: str, timeout_s: float = VISIT_TIMEOUT_S) -> Optional[str]:
    """Run the landing page once through the server's websocket; the ``script_finished``
    status (None when the connection ended first)."""
    import websockets
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    async with websockets.connect(f"ws://{base}/_stcore/stream", subprotocols=["streamlit"],
                                  max_size=None, open_timeout=30) as socket:
        await socket.send(first_run_message())
        async with asyncio.timeout(timeout_s):
            async for raw in socket:
                if not isinstance(raw, bytes):
                    continue
                message = ForwardMsg()
                message.ParseFromString(raw)
                if message.WhichOneof("type") == "script_finished":
                    return ForwardMsg.ScriptFinishedStatus.Name(message.script_finished)
    return None


class OnlyOtherThreads(logging.Filter):
    """Drops Streamlit's "missing ScriptRunContext" warning for the preload, which calls the
    cached loader outside any page run on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.threadName != threading.current_thread().name or "ScriptRunContext" not in record.getMessage()


def preload() -> None:
    """Read the served logs into the pages' cache (``dashboard.data.load_source``, the same key a
    visitor's run uses) while the server starts: imports and reading overlap its start."""
    from lexlens.dashboard.settings import read_settings

    settings = read_settings()
    if settings.cloudwatch.get("log_groups") and not settings.sources:
        return  # the CloudWatch panel pulls what it shows
    from lexlens.dashboard.data import load_source
    from lexlens.dashboard.sidebar import PATH_SEPARATOR, default_sources, source_paths

    quiet = OnlyOtherThreads()
    context_logger = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    context_logger.addFilter(quiet)
    try:
        load_source(source_paths(PATH_SEPARATOR.join(default_sources(settings))))
    finally:
        context_logger.removeFilter(quiet)


def visitors_connected() -> bool:
    """Whether a browser session is connected to the server now (False when Streamlit cannot
    say: no runtime yet, or a version without this state)."""
    try:
        from streamlit import runtime

        return runtime.exists() and runtime.get_instance().state == runtime.RuntimeState.ONE_OR_MORE_SESSIONS_CONNECTED
    except Exception:  # noqa: BLE001 - only a speed-up: visit anyway
        return False


def visitor_came(grace_s: float) -> bool:
    """Whether a browser session connects within ``grace_s`` seconds."""
    deadline = time.monotonic() + grace_s
    while not visitors_connected():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def prewarm(argv: list[str]) -> None:
    """Read the logs, wait for the server, then visit its landing page once (in a thread of
    the server), unless a visitor connects first."""
    started = time.monotonic()
    try:
        base = server_base(argv)
        try:
            preload()
        except Exception as error:  # noqa: BLE001 - the visit (and then a visitor) reports it
            LOGGER.info("prewarm: preload stopped (%s)", type(error).__name__)
        if not wait_healthy(base):
            LOGGER.info("prewarm: the server did not answer; nothing warmed")
            return
        if visitor_came(VISITOR_GRACE_S):  # a visitor's run draws (and warms) its page: a second run would only slow it
            LOGGER.info("prewarm: logs read in %.1f s; a visitor came first, no visit", time.monotonic() - started)
            return
        status = asyncio.run(visit(base))
        LOGGER.info("prewarm: landing page drawn once in %.1f s (%s)", time.monotonic() - started, status)
    except Exception as error:  # noqa: BLE001 - only a speed-up: the visitors' runs say what is wrong
        LOGGER.info("prewarm: stopped (%s)", type(error).__name__)


def import_libraries() -> None:
    """pandas, pyarrow and plotly imported whole in this thread, then the app's gate opened
    (``lexlens.dashboard.import_gate``)."""
    from lexlens.dashboard import import_gate

    try:
        import pandas  # noqa: F401
        import plotly.graph_objects  # noqa: F401
        import pyarrow  # noqa: F401
    finally:
        import_gate.open_()


def warm(argv: list[str]) -> None:
    """The prewarm thread: the libraries, then the visit (only a speed-up: a failure is logged)."""
    try:
        import_libraries()
    except Exception as error:  # noqa: BLE001 - the page runs' own imports say what is wrong
        LOGGER.info("prewarm: imports failed (%s)", type(error).__name__)
        return
    prewarm(argv)


def main(argv: Optional[list[str]] = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    from lexlens.dashboard.console import tolerate_lost_console

    tolerate_lost_console()  # before Streamlit's logging takes hold of the streams
    # Streamlit (plotly with it) imported whole before the thread starts, which imports pandas,
    # pyarrow and plotly while the server starts; page runs wait for it (import_gate says why).
    from streamlit.web.cli import main as streamlit_main

    from lexlens.dashboard import import_gate

    import_gate.close()
    threading.Thread(target=warm, args=(argv,), name="lexlens-prewarm", daemon=True).start()
    streamlit_main(args=argv, prog_name="streamlit")


if __name__ == "__main__":
    main()
