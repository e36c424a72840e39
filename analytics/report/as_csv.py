"""The report's tables as CSV files (``lexlens report --out DIR``): one UTF-8, formula-safe
CSV per table. The Lex Test Workbench test sets are the exception: Lex must receive their
utterances unchanged, so they are written as they are (``report.testset`` leaves
formula-like utterances out of them instead)."""
from __future__ import annotations

import tempfile
from pathlib import Path

from lexlens.analytics.errors import LexlensError
from lexlens.analytics.report.model import Report
from lexlens.analytics.report.testset import TESTSET_PREFIX, render_testset_csv
from lexlens.analytics.text.csvsafe import safe_csv_pieces


def prepare_folder(out: Path) -> None:
    """Make the --csv-dir folder, and see that it takes files, before anything is computed, so
    that a wrong path is said at once rather than after the report (20 s at a million records)."""
    if out.exists() and not out.is_dir():
        raise LexlensError(f"--csv-dir {out} is a file: name a folder (it is created if missing).", exit_code=2)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise LexlensError(f"cannot create the folder {out} for --csv-dir: {error.strerror or error}.",
                           exit_code=2) from None
    try:  # a folder that is there but takes no files (permissions, a read-only file system)
        tempfile.TemporaryFile(dir=out).close()
    except OSError as error:
        raise cannot_write(out, error) from None


def cannot_write(out: Path, error: OSError) -> LexlensError:
    return LexlensError(f"cannot write CSV files into {out}: {error.strerror or error}.", exit_code=2)


def write_tables(out: Path, report: Report) -> list[Path]:
    """One CSV per table of ``report`` into ``out``; the paths written."""
    written = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, table in report.tables.items():
            path = out / f"{name}.csv"
            pieces = [render_testset_csv(table)] if name.startswith(TESTSET_PREFIX) else safe_csv_pieces(table)
            with path.open("w", encoding="utf-8", newline="") as file:
                file.writelines(pieces)
            written.append(path)
    except OSError as error:
        raise cannot_write(out, error) from None
    return written


def describe_written(out: Path, written: list[Path]) -> str:
    """What --out wrote, for stderr: a line per file (the test sets' rule said once)."""
    lines = [f"lexlens: wrote {len(written)} CSV files in {out}:"] + [f"  {path.name}" for path in written]
    if not any(path.name.startswith(TESTSET_PREFIX) for path in written):
        lines.append("  (no Lex test set: no cluster's suggested intent reaches a 70% share; "
                     "pick expected intents on the dashboard's Clusters page)")
    return "\n".join(lines) + "\n"
