"""Shared helpers for the benchmarks: whole-process timing with the peak memory of the
process tree (the parent and any worker processes, summed while they run)."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "results"
BENCH_END = "2026-11-20T00:00:00Z"


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants (Linux /proc)."""
    return tree_memory(pid)["rss"]


def tree_memory(pid: int, proportional: bool = False) -> dict:
    """Memory of ``pid`` and its descendants: ``rss`` summed (pages a forked child shares with
    its parent count twice), ``largest`` (the largest process's RSS) and, with
    ``proportional``, ``pss`` (shared pages divided among their sharers: what the tree really
    holds; reading it costs the kernel a walk of each process's pages)."""
    found = {"rss": 0, "largest": 0, "pss": 0}
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        rss = int(line.split()[1]) * 1024
                        found["rss"] += rss
                        found["largest"] = max(found["largest"], rss)
            if proportional:
                with open(f"/proc/{current}/smaps_rollup") as rollup:
                    for line in rollup:
                        if line.startswith("Pss:"):
                            found["pss"] += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    pending.extend(int(child) for child in children.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return found


def run_measured(command: list[str], stdout=subprocess.DEVNULL, proportional: bool = True) -> dict:
    """Wall seconds, exit code and peak memory (``tree_memory``'s figures, each its own peak;
    PSS, with ``proportional``, sampled ten times a second) of one whole process."""
    peaks = {"rss": 0, "largest": 0, "pss": 0}
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=stdout, stderr=subprocess.PIPE, cwd=ROOT)

    def sample() -> None:
        count = 0
        while process.poll() is None:
            found = tree_memory(process.pid, proportional=proportional and count % 10 == 0)
            for name in peaks:
                peaks[name] = max(peaks[name], found[name])
            count += 1
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    elapsed = time.perf_counter() - start
    sampler.join()
    if process.returncode:
        sys.stderr.write(stderr.decode(errors="replace"))
    return {"seconds": elapsed, "code": process.returncode, **peaks}


def run_timed(command: list[str], stdout=subprocess.DEVNULL) -> tuple[float, int, int]:
    """(wall seconds, peak tree RSS bytes, exit code) of one whole process."""
    run = run_measured(command, stdout, proportional=False)
    return run["seconds"], run["rss"], run["code"]


def ensure_bench_file(sessions: int = 50_000, seed: int = 11) -> Path:
    """The benchmark log (generated once into bench/data/, which git ignores)."""
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"bench-{sessions}.jsonl"
    if not path.exists():
        subprocess.run([sys.executable, "-m", "lexlens", "sample", "--sessions", str(sessions),
                        "--seed", str(seed), "--end", BENCH_END, str(path)], check=True, cwd=ROOT)
    return path


def rewrite_varied(plain: Path, varied: Path) -> Path:
    """``plain`` rewritten by bench/varied.py into ``varied`` (the variety real logs have)."""
    subprocess.run([sys.executable, str(ROOT / "bench" / "varied.py"), str(plain), str(varied)], check=True, cwd=ROOT)
    return varied


def varied_file(plain: Path) -> Path:
    """bench/data's ``plain`` (``bench-<name>.jsonl``) rewritten by bench/varied.py, once:
    ``varied-<name>.jsonl``."""
    path = DATA / f"varied-{plain.stem.removeprefix('bench-')}.jsonl"
    return path if path.exists() else rewrite_varied(plain, path)
