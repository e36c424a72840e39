"""Load Lex V2 conversation logs into the tidy tables of ``analytics.schema``.

Every line read ends as exactly one of: accepted; blank (skipped); duplicate (a
record with the same ``sessionId`` and ``requestId`` was already accepted); or
rejected, with its file, line number and a reason. One bad line never stops a load.
"""
from __future__ import annotations

import gc
import json
import os
from dataclasses import replace
from itertools import accumulate
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence, Union

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from lexlens.analytics.ingest.line_loader import LineLoader, map_units
from lexlens.analytics.ingest.native import PendingScan, start_units, use_native
from lexlens.analytics.ingest.native_tables import combine_columns, tables_from_columns
from lexlens.analytics.schema import TABLES, LoadReport, LogData, empty_table
from lexlens.analytics.sources.files import (ReadUnit, find_log_files, plan_read_units, splittable,
                                             unit_bytes_for)
from lexlens.analytics.sources.limits import ReadLimits, limits_from_environment
from lexlens.analytics.ingest.columns import session_keys
from lexlens.analytics.ingest.server_responses import concat_responses, finish_responses

Progress = Callable[[int, int], None]  # (bytes read, bytes in all)


DEFINITIONS = {  # the user-facing text of the load's line accounting: README, dashboard and --help use it
    "Lines": ("Every line read is accepted (a record), skipped as blank, counted as a duplicate, or "
              "rejected with its file, line number and reason."),
    "Duplicate": ("A record whose (`sessionId`, `requestId`) was already loaded (a file or CloudWatch "
                  "slice read twice; for a server response, also the same `responseReason` and "
                  "time); counted once."),
    "Rejected line": ("A line that is not a Lex V2 conversation-log record (not JSON, a Lex V1 or "
                      "Lambda event, a time outside Lex V2's years, too long or too deeply nested, "
                      "...); listed with its file, line and reason, and never stops the load."),
}


def drop_duplicate_turns(data: LogData) -> LogData:
    """Keep the first of the turns sharing (session_id, request_id); count the rest."""
    turns = data.turns
    if turns.empty:
        return data
    # only turns whose request id occurs twice can repeat: hash pairs for those alone
    request_ids = turns["request_id"]
    candidates = np.flatnonzero(request_ids.duplicated(keep=False).to_numpy()
                                & (request_ids != "").to_numpy())
    repeated = np.zeros(len(turns), dtype=bool)
    if len(candidates):
        pairs = turns[["session_id", "request_id"]].iloc[candidates]
        repeated[candidates[pairs.duplicated().to_numpy()]] = True
    count = int(repeated.sum())
    if not count:
        return data
    data.report.duplicates += count
    kept = data.with_turns(turns[~repeated])
    return renumber_turns(kept)


def renumber_turns(data: LogData) -> LogData:
    """Make ``turn`` 0..n-1 again after rows were dropped at load time."""
    old = data.turns["turn"].to_numpy()
    mapping = np.full(old.max() + 1 if len(old) else 0, -1, dtype="int64")
    mapping[old] = np.arange(len(old))

    def remap(table: pd.DataFrame) -> pd.DataFrame:
        table = table.reset_index(drop=True)
        table["turn"] = mapping[table["turn"].to_numpy()]
        return table

    return data.with_tables(remap(data.turns), **{name: remap(table)
                                                  for name, table in data.side_tables().items()})


def sort_by_time(data: LogData) -> LogData:
    """Turns in time order (stable), numbered 0..n-1 in that order."""
    turns = data.turns
    if turns["time"].is_monotonic_increasing:
        return data
    order = np.argsort(turns["time"].array.asi8, kind="stable")  # ints: no Timestamp objects
    return renumber_turns(data.with_tables(turns.iloc[order]))


def load_lines(lines: Iterable[Union[bytes, str]], source: str = "<lines>") -> LogData:
    """Load lines of any supported shape (see ``analytics.ingest.records``)."""
    loader = LineLoader()
    for line_no, line in enumerate(lines, start=1):
        loader.feed(source, line_no, line)
    return finish_load(LogData(**loader.tables(), report=loader.report))


def finish_load(data: LogData) -> LogData:
    """Repeated records dropped and counted, turns and server responses in time order, one
    session key per session across both, ``accepted`` set."""
    responses = data.server_responses  # keyed below, once the turns have their final keys
    data = sort_by_time(drop_duplicate_turns(replace(data, server_responses=responses.head(0))))
    responses, repeats = finish_responses(responses, data.turns)
    data = replace(data, server_responses=responses)
    data.report.duplicates += repeats
    data.report.accepted = len(data.turns) + len(responses)
    return data


def load_records(records: Iterable[dict], source: str = "<records>") -> LogData:
    """Load raw Lex V2 record dicts (as decoded JSON); handy for tests and generators."""
    return load_lines((json.dumps(record) for record in records), source)


def load_logs(paths: Sequence[Union[str, Path]], progress: Optional[Progress] = None,
              workers: Optional[int] = None, native: Optional[bool] = None,
              pending: Optional[PendingScan] = None, limits: Optional[ReadLimits] = None) -> LogData:
    """Load every file named and every file under every folder named.

    Large plain files are cut into byte ranges parsed on all cores (``workers``,
    default the CPU count). ``native``: read canonical lines of plain files with the C
    scanner (``analytics.ingest.native``); None means when it is built. ``pending``: the scan
    ``analytics.ingest.native.start_scan(paths)`` began earlier, if any. ``limits``: how much to
    read (``analytics.sources.limits``; default from the environment). Raises LexlensError
    (one sentence) for a missing or unreadable path or a bad limit.
    """
    native = use_native(native)
    limits = limits or limits_from_environment()
    files = find_log_files(paths)
    if (pending is not None and native and pending.paths == [str(path) for path in paths]
            and pending.limits == limits):
        data = load_units_natively(pending.units, pending.workers, limits, progress, pending)
    else:
        data = load_files(files, progress, workers, native, limits)
    data.report.files = [str(file) for file in files]
    return finish_load(data)


def load_files(files: list[Path], progress: Optional[Progress], workers: Optional[int],
               native: bool, limits: ReadLimits) -> LogData:
    """``files`` cut into units: through the C scanner when it can read them all, else the
    Python parser (turns in file order, duplicates not yet dropped)."""
    workers = max(1, workers or os.cpu_count() or 1)
    units = plan_read_units(files, unit_bytes_for(files, workers), file_bytes=limits.file_bytes)
    workers = min(workers, len(units))
    if native and all(splittable(unit) for unit in units):
        return load_units_natively(units, workers, limits, progress)
    parts = []
    done, total = 0, sum(unit.size for unit in units)
    for unit, part in zip(units, map_units(units, workers, limits)):
        parts.append(part)
        done += unit.size
        if progress:
            progress(done, total)
    return concat_parts(units, parts)


def load_units_natively(units: list[ReadUnit], workers: int, limits: ReadLimits,
                        progress: Optional[Progress] = None,
                        pending: Optional[PendingScan] = None) -> LogData:
    """Plain units through the C scanner, in threads (it parses without the GIL, and the
    results need no copying between processes), combined into one set of tables; the lines
    it leaves go through the Python parser and are merged back in line order."""
    if pending is None:
        pending = start_units(units, workers, limits)
    scans = []
    done, total = 0, sum(unit.size for unit in units)
    collecting = gc.isenabled()
    gc.disable()  # process-wide: paused once here, not per thread
    try:
        for unit, scan in zip(units, pending.results()):
            scans.append(scan)
            done += unit.size
            if progress:
                progress(done, total)
    finally:
        if collecting:
            gc.enable()
    # line numbers: file-relative for people, and one running count ordering all input
    physical = [scan.columns["physical"] for scan in scans]
    file_offsets = file_line_offsets(units, physical)
    run_offsets = [0, *accumulate(physical)][:-1]
    columns = combine_columns([scan.columns for scan in scans], run_offsets)
    data = LogData(**tables_from_columns(columns),
                   report=LoadReport(lines=columns["lines"], blank=columns["blank"]))
    loader = LineLoader()
    for unit, scan, file_offset, run_offset in zip(units, scans, file_offsets, run_offsets):
        for line_no, line in scan.fallback:
            loader.feed(str(unit.path), file_offset + line_no, line, order=run_offset + line_no)
    if loader.turn_lines:
        python_part = LogData(**loader.tables(), report=loader.report)
        data = merge_by_line([data, python_part],
                             [columns["line_no"], np.asarray(loader.turn_lines, dtype="int64")])
    else:
        data.report.merge(loader.report)
        data = replace(data, server_responses=loader.responses.build())
    data.turns["session_key"] = session_keys(data.turns)
    return data


def merge_by_line(parts: list[LogData], lines: list[np.ndarray]) -> LogData:
    """One LogData from parts of the same lines, turns in line order (stable), numbered 0..n-1."""
    merged = stack_parts(parts)
    order = np.argsort(np.concatenate(lines), kind="stable")
    merged = renumber_turns(merged.with_tables(merged.turns.iloc[order]))
    # side rows in turn order too, as one pass over the lines would have made them
    return merged.with_tables(merged.turns, **{
        name: table.iloc[np.argsort(table["turn"].to_numpy(), kind="stable")].reset_index(drop=True)
        for name, table in merged.side_tables().items()})


def concat_parts(units: list[ReadUnit], parts: list[tuple[LogData, int]]) -> LogData:
    """One LogData from per-unit parts: turn ids offset, line numbers made file-relative."""
    offsets = file_line_offsets(units, [physical for _, physical in parts])
    for (part, _), offset in zip(parts, offsets):
        part.report.rejections = [replace(rejection, line=rejection.line + offset)
                                  for rejection in part.report.rejections]
    data = stack_parts([part for part, _ in parts])
    data.turns["session_key"] = session_keys(data.turns)
    return data


def file_line_offsets(units: list[ReadUnit], physical_lines: list[int]) -> list[int]:
    """For each unit, the lines of its file in the units before it."""
    seen: dict[Path, int] = {}
    offsets = []
    for unit, lines in zip(units, physical_lines):
        offsets.append(seen.get(unit.path, 0))
        seen[unit.path] = offsets[-1] + lines
    return offsets


def stack_parts(parts: list[LogData]) -> LogData:
    """Parts one after another: reports merged, turn ids offset, tables concatenated."""
    report = LoadReport()
    tables: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLES}
    offset = 0
    responses = []
    for part in parts:
        report.merge(part.report)
        responses.append(part.server_responses)
        for name in TABLES:
            table = getattr(part, name)
            tables[name].append(table.assign(turn=table["turn"] + offset) if offset else table)
        offset += len(part.turns)
    return LogData(**{name: concat_tables(frames, TABLES[name]) for name, frames in tables.items()},
                   report=report, server_responses=concat_responses(responses))


def concat_tables(frames: list[pd.DataFrame], columns: dict) -> pd.DataFrame:
    """Concatenate frames of one schema, keeping categoricals categorical."""
    frames = [frame for frame in frames if len(frame)]
    if len(frames) <= 1:
        return frames[0].reset_index(drop=True) if frames else empty_table(columns)
    data = {}
    for name, (dtype, _) in columns.items():
        if dtype == "category":
            data[name] = with_object_categories(
                union_categoricals([with_object_categories(frame[name].array) for frame in frames],
                                   ignore_order=True))
        else:
            data[name] = pd.concat([frame[name] for frame in frames], ignore_index=True)
    return pd.DataFrame(data)


def with_object_categories(values: pd.Categorical) -> pd.Categorical:
    """The same categorical with categories of dtype object, as every load makes them
    (pandas may infer its string dtype when combining; unions need one kind)."""
    if values.categories.dtype == object:
        return values
    return pd.Categorical.from_codes(values.codes, categories=pd.Index(values.categories, dtype=object))
