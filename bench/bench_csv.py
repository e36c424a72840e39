"""``lexlens report FILE --csv-dir DIR`` on a million records, as whole processes, against the
same process writing the same tables with pandas' ``to_csv`` (the writer before
``analytics/text/csv_text.py``, still the fallback: ``csvsafe.pandas_csv``), alternating in the
same minutes; also ``report --json`` alone, what the tables and their CSV add to. The two
folders are checked byte for byte equal.

    .venv/bin/python bench/bench_csv.py [--sessions 222000] [--days 60] [--runs 3]

Writes bench/results/csv.json.
"""
from __future__ import annotations

import argparse
import filecmp
import json
import statistics
import sys
import tempfile
from pathlib import Path

from bench_store import sample_file
from common import RESULTS, run_measured

# The CLI's report, its tables written by pandas (csvsafe.pandas_csv after neutralise_frame).
PANDAS_WRITER = """
import sys
from pathlib import Path
from lexlens.analytics.ingest.loading import load_logs
from lexlens.analytics.report.build import ReportOptions
from lexlens.analytics.report.testset import TESTSET_PREFIX, render_testset_csv
from lexlens.analytics.report.two_cores import build_report_on_two_cores
from lexlens.analytics.text.csvsafe import neutralise_frame, pandas_csv
report = build_report_on_two_cores(load_logs([sys.argv[1]]), ReportOptions(tables=True))
out = Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
for name, table in report.tables.items():
    text = render_testset_csv(table) if name.startswith(TESTSET_PREFIX) else pandas_csv(neutralise_frame(table))
    (out / f"{name}.csv").write_text(text, encoding="utf-8")
"""


def summary(runs: list[dict]) -> dict:
    if any(run["code"] for run in runs):
        raise SystemExit("a command failed")
    return {"seconds": round(statistics.median(run["seconds"] for run in runs), 2),
            "all_seconds": [round(run["seconds"], 2) for run in runs],
            "peak_rss_mib": round(max(run["rss"] for run in runs) / 2**20)}


def same_files(left: Path, right: Path) -> bool:
    names = sorted(path.name for path in left.glob("*.csv"))
    return names == sorted(path.name for path in right.glob("*.csv")) and \
        all(filecmp.cmp(left / name, right / name, shallow=False) for name in names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=222_000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    path = sample_file(args.sessions, args.days)
    lexlens = [sys.executable, "-m", "lexlens", "report", str(path), "--no-store"]
    timings: dict[str, list] = {"csv_dir": [], "pandas_writer": [], "json_only": []}
    with tempfile.TemporaryDirectory() as scratch:
        here, pandas = Path(scratch) / "here", Path(scratch) / "pandas"
        for _ in range(args.runs):
            timings["csv_dir"].append(run_measured([*lexlens, "--csv-dir", str(here)], proportional=False))
            timings["pandas_writer"].append(run_measured([sys.executable, "-c", PANDAS_WRITER, str(path), str(pandas)],
                                                         proportional=False))
            timings["json_only"].append(run_measured([*lexlens, "--json"], proportional=False))
        identical = same_files(here, pandas)
        files = len(list(here.glob("*.csv")))
    result = {"file": path.name, "mb": round(path.stat().st_size / 1e6, 1), "csv_files": files,
              "byte_identical": identical, **{name: summary(runs) for name, runs in timings.items()}}
    result["ratio_to_pandas_writer"] = round(result["csv_dir"]["seconds"] / result["pandas_writer"]["seconds"], 2)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "csv.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    if not identical:
        raise SystemExit("the CSV files differ from pandas' (see bench/results/csv.json)")


if __name__ == "__main__":
    main()
