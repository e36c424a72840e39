"""Benchmark the CloudWatch source against moto's server (issue 4, "Speed").

Whole-process timings of ``lexlens fetch --out``: one slice fetched alone versus the window
cut into slices fetched concurrently, and a second, fully cached run against the first.

    .venv/bin/python bench/bench_cloudwatch.py [--events 60000] [--repeat 3]

Prints a table and writes ``bench/results/cloudwatch.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the tests' moto helpers; lexlens itself is installed

import boto3  # noqa: E402

from lexlens.analytics.timewindow import plan_slices  # noqa: E402
from moto_server import HOUR_MS, aws_environment, free_port, iso_ms, lex_event, put_events  # noqa: E402


def start_moto() -> tuple[subprocess.Popen, str]:
    import urllib.request

    port = free_port()
    script = Path(sys.executable).with_name("moto_server")
    process = subprocess.Popen([str(script), "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=1).close()
            return process, url
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("moto_server did not start")


def fill_group(url: str, name: str, events: int, now: int) -> tuple[int, int]:
    """``events`` Lex events (5-turn sessions) over the 48 h before ``now - 1 h``, in 4 streams."""
    import random

    client = boto3.client("logs", endpoint_url=url, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    rng = random.Random(3)
    first, last = now - 49 * HOUR_MS, now - HOUR_MS - 10 * 60_000
    streams: dict[str, list[dict]] = {f"aws/lex/s{i}": [] for i in range(4)}
    names = list(streams)
    for session in range(events // 5):
        start = rng.randrange(first, last)
        for turn in range(5):
            streams[names[session % 4]].append(lex_event(start + turn * 40_000, f"b-{session}", turn))
    for stream, batch in streams.items():
        put_events(client, name, stream, batch)
    size = sum(len(event["message"]) for batch in streams.values() for event in batch)
    return sum(map(len, streams.values())), size


def pick_single_slice_hours(since: int, until: int, now: int) -> float:
    """A slice length whose grid cell holds the whole window and ends before "now" (so it can be cached)."""
    for minutes in range(50 * 60, 400 * 60):
        size = minutes * 60_000
        cell = since - since % size
        if cell + size >= until and cell + size <= now - 15 * 60_000:
            return minutes / 60
    raise SystemExit("no single-slice length fits this window")


def run_fetch(url, group, since, until, cache, slice_hours, workers) -> float:
    out = Path(cache).parent / "out.jsonl.gz"
    command = [sys.executable, "-m", "lexlens", "fetch", "--log-group", group, "--since", iso_ms(since),
               "--until", iso_ms(until), "--cache-dir", str(cache), "--slice-hours", str(slice_hours),
               "--workers", str(workers), "--out", str(out)]
    began = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=aws_environment(url), capture_output=True, text=True)
    elapsed = time.perf_counter() - began
    if done.returncode:
        raise SystemExit(f"fetch failed: {done.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=60_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=8)
    options = parser.parse_args()

    process, url = start_moto()
    scratch = Path(tempfile.mkdtemp(prefix="lexlens-bench-"))
    try:
        now = int(time.time() * 1000)
        group = "/aws/lex/bench"
        began = time.perf_counter()
        events, size = fill_group(url, group, options.events, now)
        fill_seconds = time.perf_counter() - began
        since, until = now - 50 * HOUR_MS, now - HOUR_MS       # ends in the past: a rerun is fully cached
        single_hours = pick_single_slice_hours(since, until, now)
        cases = [("one slice, 1 worker", single_hours, 1), (f"1 h slices, {options.workers} workers", 1,
                                                             options.workers),
                 (f"6 h slices, {options.workers} workers", 6, options.workers)]
        rows = []
        for label, hours, workers in cases:
            first, cached = [], []
            for attempt in range(options.repeat):
                cache = scratch / f"{hours}-{attempt}" / "cache"
                first.append(run_fetch(url, group, since, until, cache, hours, workers))
                cached.append(run_fetch(url, group, since, until, cache, hours, workers))
                shutil.rmtree(cache.parent)
            cold, warm = statistics.median(first), statistics.median(cached)
            rows.append({"case": label, "slice_hours": hours, "workers": workers,
                         "slices": len(plan_slices(since, until, int(hours * HOUR_MS))),
                         "first_run_s": round(cold, 3), "events_per_s": round(events / cold),
                         "cached_run_s": round(warm, 3), "cached_vs_first": round(warm / cold, 3)})
        baseline = rows[0]["first_run_s"]
        for row in rows:
            row["speedup_vs_one_slice"] = round(baseline / row["first_run_s"], 2)
    finally:
        process.kill()
        shutil.rmtree(scratch, ignore_errors=True)

    print(f"{events:,} events ({size / 1e6:.1f} MB of messages) in moto, filled in {fill_seconds:.1f} s; "
          f"median of {options.repeat} whole-process `lexlens fetch --out` runs")
    print(f"{'case':<24}{'slices':>7}{'first s':>9}{'events/s':>10}{'speedup':>9}{'cached s':>10}{'cached/first':>14}")
    for row in rows:
        print(f"{row['case']:<24}{row['slices']:>7}{row['first_run_s']:>9.2f}{row['events_per_s']:>10,}"
              f"{row['speedup_vs_one_slice']:>9.2f}{row['cached_run_s']:>10.2f}{row['cached_vs_first']:>14.2f}")
    results = {"events": events, "message_bytes": size, "repeat": options.repeat, "rows": rows,
               "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
               "note": "moto filters every FilterLogEvents request over the whole group, so its cost per "
                       "request does not shrink with the slice as CloudWatch's does"}
    out = ROOT / "bench" / "results" / "cloudwatch.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
