"""The same records in each shape a user hands over: ``lexlens report --json --no-store`` on
the benchmark file as JSONL, as CloudWatch event lines (what ``lexlens pull --out``, the
CloudWatch cache and ``aws logs`` write: the record a JSON string in ``message``), as S3
export lines (``<ISO time> <record>``), gzip-compressed, and on the varied file (bench/varied.py). Whole
processes, the median of ``--runs``, each against the plain JSONL in the same run; the
reports must be equal.

    .venv/bin/python bench/bench_shapes.py [--sessions 50000] [--runs 3]

Writes bench/results/shapes.json.
"""
from __future__ import annotations

import argparse
import gzip
import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from common import BENCH_END, DATA, RESULTS, ROOT, ensure_bench_file, run_measured, varied_file

EPOCH_MS_OF_FIRST = 1_761_000_000_000


def shaped_file(plain: Path, shape: str) -> Path:
    """``plain``'s records as CloudWatch events or export lines (written once into bench/data)."""
    path = DATA / (f"{plain.stem}-{shape}.jsonl" + (".gz" if shape == "gzip" else ""))
    if path.exists():
        return path
    if shape == "gzip":
        with open(plain, "rb") as source, gzip.open(path, "wb", compresslevel=6) as out:
            shutil.copyfileobj(source, out)
        return path
    with open(plain, encoding="utf-8") as lines, open(path, "w", encoding="utf-8") as out:
        for number, line in enumerate(lines):
            record = line.rstrip("\n")
            if shape == "events":
                out.write(json.dumps({"timestamp": EPOCH_MS_OF_FIRST + number, "message": record,
                                      "logStreamName": "aws/lex/BOT/prod/en_US", "ingestionTime":
                                      EPOCH_MS_OF_FIRST + number + 900, "eventId": f"{number:056d}"}) + "\n")
            else:
                out.write(f"{json.loads(record)['timestamp']} {record}\n")
    return path


def report_of(path: Path) -> dict:
    """The report of ``path`` without its load section (which names the file)."""
    output = subprocess.run([sys.executable, "-m", "lexlens", "report", str(path), "--json", "--no-store"],
                            cwd=ROOT, check=True, capture_output=True).stdout
    report = json.loads(output)
    report.pop("load", None)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    plain = ensure_bench_file(args.sessions)
    files = {"jsonl": plain, **{shape: shaped_file(plain, shape) for shape in ("events", "export", "gzip")}}
    files["varied"] = varied_file(plain)
    expected = report_of(plain)
    for shape in ("events", "export", "gzip"):
        if report_of(files[shape]) != expected:
            raise SystemExit(f"the {shape} file's report differs from the JSONL file's")
    seconds: dict[str, list[float]] = {shape: [] for shape in files}
    for _ in range(args.runs):  # interleaved: the machine's hour affects every shape alike
        for shape, path in files.items():
            run = run_measured([sys.executable, "-m", "lexlens", "report", str(path), "--json", "--no-store"],
                               proportional=False)
            if run["code"]:
                raise SystemExit(f"lexlens report failed on {path}")
            seconds[shape].append(round(run["seconds"], 3))
    medians = {shape: statistics.median(values) for shape, values in seconds.items()}
    result = {"records": sum(1 for _ in open(plain, "rb")), "end": BENCH_END,
              "files": {shape: path.name for shape, path in files.items()},
              "seconds": seconds, "median_s": medians,
              "vs_jsonl": {shape: round(medians[shape] / medians["jsonl"], 2) for shape in files}}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "shapes.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
