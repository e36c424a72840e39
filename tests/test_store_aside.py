"""A first ``lexlens report`` writes the store's new pieces in a forked child while the report is
computed (analytics/store/aside.py): the command waits for it, its result is the sequential
write's, a failed write is one note, and a report killed mid-way takes its writer along
(PR_SET_PDEATHSIG, https://man7.org/linux/man-pages/man2/PR_SET_PDEATHSIG.2const.html) and
leaves a store whose next load is exact."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import lexlens.analytics.second_core as second_core
from lexlens.analytics.ingest.loading import load_logs
from lexlens.analytics.store import aside
from lexlens.analytics.store.catalog import Store
from lexlens.analytics.store.loader import load_logs_stored
from test_store import assert_same_load, lines_of, write_lines

ROOT = Path(__file__).resolve().parents[1]
linux_only = pytest.mark.skipif(sys.platform != "linux", reason="the write beside the report needs Linux's fork")


@pytest.mark.parametrize("turns,worth", [(0, False), (19_999, False), (20_000, True), (2_000_000, True),
                                         (2_000_001, False)])
def test_the_write_goes_aside_only_between_20k_and_2m_turns(monkeypatch, turns, worth):
    monkeypatch.setattr(second_core.sys, "platform", "linux")
    monkeypatch.setattr(second_core.os, "cpu_count", lambda: 2)
    assert aside.worth_writing_aside(turns) is worth


@linux_only
@pytest.mark.parametrize("write,result", [
    (lambda: (3, ""), (3, "")),
    (lambda: (0, "cannot write the store /x: No space left on device; nothing was kept."),
     (0, "cannot write the store /x: No space left on device; nothing was kept.")),
    (lambda: 1 / 0, (0, aside.STOPPED)),  # a bug in the child: one note, not a hang
    (lambda: os.kill(os.getpid(), signal.SIGKILL), (0, aside.STOPPED)),
])
def test_the_child_hands_back_what_the_write_returned(write, result):
    writer = aside.write_aside(write)
    assert writer is not None and writer.wait() == result
    assert writer.wait() == result  # asked twice: the same answer, no second wait


def big_log(tmp_path: Path, turns: int = 21_000) -> Path:
    path = tmp_path / "log.jsonl"
    write_lines(path, lines_of(0, turns, session_every=5))
    return path


@linux_only
def test_a_load_with_aside_returns_before_the_write_and_finishing_records_it(tmp_path, monkeypatch):
    monkeypatch.setattr(second_core.os, "cpu_count", lambda: 2)
    path = big_log(tmp_path)
    store = Store(tmp_path / "store")
    data, use = load_logs_stored([path], store, aside=True)
    assert use.writer is not None  # written by the child
    use.finish_writing()
    assert (use.saved_pieces, use.note, use.writer) == (1, "", None)
    again, second = load_logs_stored([path], store)
    assert second.files == {"stored": 1}
    assert_same_load(again, load_logs([path]))


def report(path: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lexlens", "report", str(path), "--json", *extra],
                          capture_output=True, text=True, cwd=ROOT)


@linux_only
def test_a_first_report_prints_what_the_sequential_one_prints_and_keeps_the_store(tmp_path):
    path = big_log(tmp_path)
    store = tmp_path / "store"
    first = report(path, "--store-dir", str(store))
    unstored = report(path, "--no-store")
    assert first.returncode == unstored.returncode == 0, first.stderr
    assert first.stdout == unstored.stdout and "note" not in first.stderr
    info = json.loads(subprocess.run([sys.executable, "-m", "lexlens", "store", "info", "--json", "--store-dir",
                                      str(store)], capture_output=True, text=True, check=True).stdout)
    assert info["pieces"] == 1 and [entry["path"] for entry in info["stored"]] == [str(path.resolve())]
    assert report(path, "--store-dir", str(store), "--tz", "Asia/Tokyo").returncode == 0


def processes_naming(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@linux_only
@pytest.mark.slow
def test_a_report_killed_at_any_moment_takes_its_writer_along_and_the_next_load_is_exact(tmp_path):
    path = big_log(tmp_path, 40_000)
    expected = load_logs([path])
    root = tmp_path / "store-killed"
    whole = float("inf")
    for timing in range(2):  # the quicker of two: a first run in a fresh clone also compiles modules
        start = time.monotonic()
        assert report(path, "--store-dir", str(tmp_path / f"timing-{timing}")).returncode == 0
        whole = min(whole, time.monotonic() - start)
    killed = 0
    for step in range(8):
        process = subprocess.Popen([sys.executable, "-m", "lexlens", "report", str(path), "--json", "--store-dir",
                                    str(root)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        time.sleep(whole * (0.35 + 0.6 * step / 7))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed += 1
        process.wait()
        deadline = time.monotonic() + 10
        while processes_naming(str(root)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert processes_naming(str(root)) == []  # no writer left behind (see the test below)
        loaded, _ = load_logs_stored([path], Store(root))
        assert_same_load(loaded, expected)
        assert load_logs_stored([path], Store(root))[1].files == {"stored": 1}
        shutil.rmtree(root)
    assert killed >= 4


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@linux_only
def test_the_writer_dies_with_the_command_that_forked_it():
    """A report killed mid-way does not leave its writer running: the child asked the kernel
    for SIGKILL when its parent ends."""
    script = ("import time; from lexlens.analytics.store import aside; "
              "writer = aside.write_aside(lambda: (time.sleep(60), (0, ''))[1]); "
              "print(writer.pid, flush=True); time.sleep(60)")
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    time.sleep(0.3)  # the child has set its death signal
    assert alive(child)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 2
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not alive(child)
