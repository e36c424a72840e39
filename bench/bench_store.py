"""Issue 16's report figures: ``lexlens report FILE --json`` on a million records, whole
processes, against DuckDB's ``read_ndjson`` projecting the report's columns in the same run.

- first run (an empty store: parse, keep the tables), target <= 1.8x DuckDB;
- second run from the store, target <= 0.3x DuckDB: the tables read from the store and every
  figure computed again (nothing kept: no output, no part); then with other options, the parts
  the store kept read back and only the others computed (another ``--tz``: none; another
  ``--top``: the activity part); and the same command again, which prints the output the store
  kept;
- ``--no-store`` (parsing every time, as before the store);
- appending 1% new records to the stored file, then a report: target <= 10% of the first run;
- optionally (``--big-sessions``) a 5M-record file: completes, peak memory (target <= 6 GB).

    .venv/bin/python bench/bench_store.py [--sessions 222000] [--days 60] [--runs 3] [--big-sessions 1110000] [--varied]

Writes bench/results/store.json (with ``--varied``, the file rewritten by bench/varied.py:
store-varied.json).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_report import DUCKDB_SCRIPT
from common import BENCH_END, DATA, RESULTS, ROOT, rewrite_varied, run_measured, varied_file


def sample_file(sessions: int, days: int, seed: int = 11) -> Path:
    """``lexlens sample`` output in bench/data (generated once)."""
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"bench-{sessions}-{days}d.jsonl"
    if not path.exists():
        subprocess.run([sys.executable, "-m", "lexlens", "sample", "--sessions", str(sessions), "--days", str(days),
                        "--seed", str(seed), "--end", BENCH_END, str(path)], check=True, cwd=ROOT)
    return path


def timed(command: list[str], runs: int = 1, before=None, pss: bool = False) -> dict:
    """Median wall seconds and the largest peak memory (RSS, process tree) of ``runs`` runs;
    ``before`` is called before each run (outside the timing). With ``pss``, one more run
    (untimed) samples the tree's peak PSS: reading it walks each process's pages, which slowed
    a first run, three processes of 1-2 GB, by about 1 s (10.54 against 9.52 s)."""
    runs_done = []
    for _ in range(runs):
        if before:
            before()
        runs_done.append(run_measured(command, proportional=False))
    if any(run["code"] for run in runs_done):
        raise SystemExit(f"command failed: {' '.join(command)}")
    result = {"seconds": round(statistics.median(run["seconds"] for run in runs_done), 3),
              "all_seconds": [round(run["seconds"], 3) for run in runs_done],
              "peak_rss_mib": round(max(run["rss"] for run in runs_done) / 2**20, 1),
              "peak_largest_process_mib": round(max(run["largest"] for run in runs_done) / 2**20, 1)}
    if pss:
        if before:
            before()
        result["peak_pss_mib"] = round(run_measured(command)["pss"] / 2**20, 1)
    return result


def report(path: Path, store: Path | None, *extra: str) -> list[str]:
    where = ["--store-dir", str(store)] if store else ["--no-store"]
    return [sys.executable, "-m", "lexlens", "report", str(path), "--json", *where, *extra]


def forget_computed(store: Path) -> None:
    """Remove what the store kept of earlier reports (outputs, parts): the next computes every figure."""
    for folder in ("outputs", "values"):
        shutil.rmtree(store / folder, ignore_errors=True)


def big_figures(args) -> dict:
    """The --big-sessions file: --no-store, then a first and a second run through a store."""
    os.environ["LEXLENS_MAX_FILE_BYTES"] = "64G"  # the default 4 GiB per file would cut a 5M-record file
    os.environ["LEXLENS_MAX_LOAD_BYTES"] = "64G"
    big = sample_file(args.big_sessions, args.days)
    store = Path(tempfile.mkdtemp(prefix="lexlens-bench-big-"))
    figures = {"file": big.name, "records": sum(1 for _ in open(big, "rb")), "mb": round(big.stat().st_size / 1e6, 1),
               "no_store": timed(report(big, None), 1, pss=True),
               "first_run": timed(report(big, store), 1, before=lambda: shutil.rmtree(store, ignore_errors=True),
                                  pss=True),
               # every figure computed (the sampled run too: the timed one keeps its output and parts)
               "second_run": timed(report(big, store), 1, pss=True, before=lambda: forget_computed(store))}
    shutil.rmtree(store, ignore_errors=True)
    if args.big_only:
        print(json.dumps(figures, indent=2))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=222_000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--big-sessions", type=int, default=0, help="also a file of this many sessions (5M records: 1110000)")
    parser.add_argument("--big-only", action="store_true", help="only the --big-sessions file")
    parser.add_argument("--varied", action="store_true", help="the sample file rewritten by bench/varied.py "
                        "(the variety real logs have), written to bench/results/store-varied.json")
    args = parser.parse_args()
    if args.big_only:
        return big_figures(args)
    source = sample_file(args.sessions, args.days)
    source = varied_file(source) if args.varied else source
    work = Path(tempfile.mkdtemp(prefix="lexlens-bench-"))
    path = work / source.name  # a copy: the append step changes it
    shutil.copyfile(source, path)
    os.sync()  # the copy's dirty pages written out now, not while the runs below write their store
    store = work / "store"
    records = sum(1 for _ in open(path, "rb"))
    result = {"file": source.name, "records": records, "mb": round(path.stat().st_size / 1e6, 1)}
    result["duckdb_read_ndjson"] = duckdb = timed([sys.executable, "-c", DUCKDB_SCRIPT, str(path)], args.runs)
    result["no_store"] = timed(report(path, None), args.runs, pss=True)
    result["first_run"] = timed(report(path, store), args.runs,
                                before=lambda: shutil.rmtree(store, ignore_errors=True), pss=True)
    forget_everything_computed = lambda: forget_computed(store)  # noqa: E731
    # from the store's tables, every figure computed (nothing kept)
    result["second_run"] = timed(report(path, store), args.runs, before=forget_everything_computed, pss=True)
    timed(report(path, store), 1, before=forget_everything_computed)  # keeps its parts
    shutil.copytree(store / "values", work / "kept-parts")

    def only_the_default_parts_kept() -> None:  # not the parts an earlier run with other options kept
        forget_everything_computed()
        shutil.copytree(work / "kept-parts", store / "values")

    # other options, the parts the store kept read back (no kept output)
    result["second_run_other_tz"] = timed(report(path, store, "--tz", "Asia/Tokyo"), args.runs,
                                          before=only_the_default_parts_kept)
    result["second_run_other_top"] = timed(report(path, store, "--top", "20"), args.runs,
                                           before=only_the_default_parts_kept)
    timed(report(path, store), 1)  # keeps its output
    result["identical_rerun_kept_output"] = timed(report(path, store), args.runs)
    # 1% more records (other sessions, the same days), appended to the stored file
    extra = work / "extra.jsonl"
    subprocess.run([sys.executable, "-m", "lexlens", "sample", "--sessions", str(max(1, args.sessions // 100)),
                    "--days", str(args.days), "--seed", "99", "--end", BENCH_END, str(extra)], check=True, cwd=ROOT)
    if args.varied:
        extra = rewrite_varied(extra, work / "extra-varied.jsonl")
    added = sum(1 for _ in open(extra, "rb"))
    with open(path, "ab") as out, open(extra, "rb") as more:
        shutil.copyfileobj(more, out)
    os.sync()
    result["appended_records"] = added
    result["after_append"] = timed(report(path, store), 1)
    result["ratios"] = {name: round(result[name]["seconds"] / duckdb["seconds"], 2)
                        for name in ("no_store", "first_run", "second_run", "second_run_other_tz",
                                     "second_run_other_top", "identical_rerun_kept_output")}
    result["ratios"]["after_append_vs_first_run"] = round(result["after_append"]["seconds"]
                                                          / result["first_run"]["seconds"], 2)
    result["store_mb"] = round(sum(p.stat().st_size for p in store.rglob("*") if p.is_file()) / 1e6, 1)
    if args.big_sessions:
        result["big"] = big_figures(args)
    result["targets"] = {"first_run": 1.8, "second_run": 0.3, "after_append_vs_first_run": 0.1, "big_peak_gib": 6}
    shutil.rmtree(work, ignore_errors=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / ("store-varied.json" if args.varied else "store.json")).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
