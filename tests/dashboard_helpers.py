"""Shared by the dashboard tests and bench/bench_dashboard.py: hostile logs, a live
``lexlens serve`` on a free loopback port, and a headless Chromium that waits until a
Streamlit page is fully drawn."""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

from lex_records import record

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 "--no-first-run", "--disable-default-apps", "--disable-extensions"]
HOSTILE_TEXTS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "**bold** [click](javascript:alert(1)) `code` # heading",
    "=HYPERLINK(\"http://evil.example\",\"x\")",
    "<b>bold</b><a href=\"javascript:alert(1)\">link</a>",
]


def hostile_record(number: int, text: str, minute: int) -> dict:
    """A missed-utterance Lex V2 record whose transcript, slot and attribute are ``text``."""
    at = datetime(2026, 11, 10, 12, minute, number % 60, tzinfo=timezone.utc)
    return record(f"hostile-<i>{number % 3}</i>", at_ms=int(at.timestamp() * 1000), request=f"hostile-{number}",
                  text=text, intent="FallbackIntent", missed=True, conv=f"hostile-conv-{number % 3}",
                  attributes={"channel": text}, slots={"note": text}, message="Sorry, I did not get that.",
                  version="3", alias="Live", alias_id="LIVEALIAS1", bot_id="BANKERBOT1", bot_name="BankerBot")


def write_hostile_log(path: Path, copies: int = 4) -> Path:
    """JSONL of hostile missed utterances (each ``copies`` times) plus one unreadable line."""
    lines = []
    number = 0
    for copy in range(copies):
        for text in HOSTILE_TEXTS:
            lines.append(json.dumps(hostile_record(number, text, copy)))
            number += 1
    lines.append("{this is not json <script>alert(2)</script>")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def lexlens_command() -> list[str]:
    script = Path(sys.executable).with_name("lexlens")
    return [str(script)] if script.exists() else [sys.executable, "-m", "lexlens"]


@contextlib.contextmanager
def serving(sources: list, port: int | None = None, extra: list[str] | None = None, timeout: float = 60,
            log: Path | None = None):
    """A ``lexlens serve`` process on a free loopback port; yields its base URL. ``log``: a file
    that receives the server's output (read it after the block: the server has stopped)."""
    port = port or free_port()
    command = lexlens_command() + ["serve", *map(str, sources), "--port", str(port),
                                   "--host", "127.0.0.1", *(extra or [])]
    output = open(log, "wb") if log else subprocess.PIPE
    process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT,
                               start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process, timeout)
        yield url
    finally:
        stop_group(process)
        if log:
            output.close()


def stop_group(process: subprocess.Popen) -> None:
    """SIGTERM the server's process group (streamlit and anything it started), then SIGKILL."""
    import signal

    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(wait)
            break
        except subprocess.TimeoutExpired:
            continue


def wait_healthy(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said = process.stdout.read().decode(errors="replace") if process.stdout else "(see its log)"
            raise RuntimeError("lexlens serve exited: " + said)
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which("chromium") is not None


def launch_chromium(playwright):
    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)


def wait_drawn(page, timeout_ms: float = 60_000, charts: int = 0) -> None:
    """Until the script finished running, ``charts`` plotly charts have their SVG, and
    no element is still loading."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                           timeout=timeout_ms)
    page.wait_for_function(
        """(charts) => {
            const app = document.querySelector('[data-testid="stApp"]');
            if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
            if (document.querySelector('[data-testid="stStatusWidgetRunningIcon"], '
                                       + '[data-testid="stStatusWidgetRunningManIcon"]')) return false;
            if (document.querySelector('[data-testid="stSkeleton"], [data-testid="stSpinner"]')) return false;
            const plots = document.querySelectorAll('[data-testid="stPlotlyChart"]');
            return plots.length >= charts && [...plots].every(p => p.querySelector('.js-plotly-plot .main-svg'));
        }""", arg=charts, timeout=timeout_ms, polling=50)


@contextlib.contextmanager
def streamlit_run_on_loopback():
    """AppTest as under ``streamlit run dashboard/app.py`` with the shipped config
    (``server.address = 127.0.0.1``): the free path box of a local tool. AppTest reads no
    config file, so the address would otherwise be unset, which means every interface."""
    from streamlit import config

    previous = config.get_option("server.address")
    config.set_option("server.address", "127.0.0.1")
    try:
        yield
    finally:
        config.set_option("server.address", previous)


ROW_HEIGHT = 35  # st.dataframe's default header and row height, in CSS pixels


def table_grid(page, name: str):
    """The grid of the ``show_table`` named ``name`` (found from its search box's label)."""
    search = page.locator(f'input[aria-label="Search {name.replace("_", " ")}"]')
    return search.locator('xpath=following::div[@data-testid="stDataFrame"][1]')


def pick_row(page, grid, row: int) -> None:
    """Tick the selection box of data row ``row`` (0-based) of a grid, as a person clicks it."""
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + ROW_HEIGHT * (row + 1) + ROW_HEIGHT / 2)


def wait_settled(page, timeout_ms: float = 30_000, quiet_ms: int = 1_200) -> None:
    """Until the app is drawn and stays idle for ``quiet_ms`` (a rerun loop never settles)."""
    wait_drawn(page, timeout_ms)
    page.evaluate("window.__lexlensIdleSince = null")
    page.wait_for_function(
        """(quiet) => {
            const app = document.querySelector('[data-testid="stApp"]');
            const now = performance.now();
            if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') {
                window.__lexlensIdleSince = null;
                return false;
            }
            window.__lexlensIdleSince = window.__lexlensIdleSince || now;
            return now - window.__lexlensIdleSince >= quiet;
        }""", arg=quiet_ms, timeout=timeout_ms, polling=50)


HOSTILE_NAMES = [  # intent names, slot values and attributes that try to draw in a chart
    '<a href="https://evil.example/">evil link</a>',
    '<span style="font-size:80px">HUGE</span>',
    "exe.txt\u202eRTL-OVERRIDE",
]


def hostile_chart_records() -> list[dict]:
    """Sessions that switch between intents named HOSTILE_NAMES (so they reach the switched-
    intent heatmap, the intent charts and the flow) and miss utterances made of them."""
    records = []
    for session in range(12):
        first, second = HOSTILE_NAMES[session % 3], HOSTILE_NAMES[(session + 1) % 3]
        for turn, (intent, action) in enumerate([(first, "ElicitSlot"), (second, "ElicitSlot"),
                                                 ("FallbackIntent", "ElicitIntent")]):
            record = hostile_record(100 + 3 * session + turn, HOSTILE_NAMES[(session + turn) % 3], turn)
            record["sessionId"] = f"chart-{session}"
            record["sessionState"]["originatingRequestId"] = f"chart-conv-{session}"
            record["sessionState"]["intent"] = {"name": intent, "state": "InProgress", "slots": {}}
            record["sessionState"]["dialogAction"] = {"type": action, **({"slotToElicit": "note"}
                                                                         if action == "ElicitSlot" else {})}
            record["interpretations"] = [{"intent": {"name": intent}, "nluConfidence": 0.3},
                                         {"intent": {"name": second}, "nluConfidence": 0.25}]
            record["missedUtterance"] = intent == "FallbackIntent"
            records.append(record)
    return records


def write_hostile_chart_log(path: Path) -> Path:
    path.write_text("\n".join(json.dumps(record) for record in hostile_chart_records()) + "\n", encoding="utf-8")
    return path
