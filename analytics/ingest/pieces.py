"""Parse pieces of files on their own: one LogData per piece, so each can be stored and
combined later (``analytics.store``) exactly as one load of the whole would have made it.

A piece is the lines of one file that start at or after byte ``start``: a whole file
(``start`` 0), or what was appended to a file since it was last read. All the pieces' units
are parsed together (on every core), then combined piece by piece.
"""
from __future__ import annotations

import gc
from dataclasses import replace
from itertools import accumulate
from typing import Callable, Optional

import numpy as np

from lexlens.analytics.ingest.line_loader import LineLoader, map_units
from lexlens.analytics.ingest.native import PendingScan, start_units
from lexlens.analytics.ingest.native_tables import combine_columns, tables_from_columns
from lexlens.analytics.ingest.stacking import concat_parts, file_line_offsets, merge_by_line
from lexlens.analytics.schema import LoadReport, LogData
from lexlens.analytics.sources.files import Piece, ReadUnit, piece_units, scannable
from lexlens.analytics.sources.limits import ReadLimits

Progress = Callable[[int, int], None]  # (bytes read, bytes in all)


def parse_pieces(pieces: list[Piece], unit_bytes: int, workers: int, native: bool, limits: ReadLimits,
                 progress: Optional[Progress] = None,
                 pending: Optional[PendingScan] = None) -> list[tuple[LogData, int]]:
    """(LogData, physical lines) per piece (turns in line order, duplicates not yet dropped).
    The pieces the C scanner can read are scanned, the others (a JSON document) parsed in
    Python: one such file in a folder no longer sends every other file to Python. ``pending``:
    the scan of exactly these pieces' units, started earlier (only when all are scannable)."""
    units_of = [piece_units(piece, unit_bytes, limits.file_bytes) for piece in pieces]
    units = [unit for group in units_of for unit in group]
    if not units:
        return [(LogData.empty(), 0) for _ in pieces]
    scanned = [native and all(scannable(unit) for unit in group) for group in units_of]
    to_scan = [unit for group, scan in zip(units_of, scanned) if scan for unit in group]
    to_parse = [unit for group, scan in zip(units_of, scanned) if not scan for unit in group]
    total = sum(unit.size for unit in units)

    def progress_after(base: int) -> Optional[Progress]:
        return None if progress is None else (lambda done, _total: progress(base + done, total))

    scans = iter(scanned_units(to_scan, max(1, min(workers, len(to_scan))), limits, progress_after(0),
                               pending if not to_parse else None) if to_scan else [])
    parsed = iter(parsed_units(to_parse, max(1, min(workers, len(to_parse))), limits,
                               progress_after(sum(unit.size for unit in to_scan))) if to_parse else [])
    parts = []
    for piece, group, scan in zip(pieces, units_of, scanned):
        results = [next(scans if scan else parsed) for _ in group]
        part, physical = (combine_scans if scan else combine_parts)(group, results)
        parts.append((with_lines_before(part, piece.lines_before), physical))
    return parts


def with_lines_before(part: LogData, lines_before: int) -> LogData:
    if lines_before:
        part.report.rejections = [replace(rejection, line=rejection.line + lines_before)
                                  for rejection in part.report.rejections]
    return part


def parsed_units(units: list[ReadUnit], workers: int, limits: ReadLimits,
                 progress: Optional[Progress]) -> list:
    """(LogData, physical lines) per unit, from the Python parser."""
    parts, done, total = [], 0, sum(unit.size for unit in units)
    for unit, part in zip(units, map_units(units, workers, limits)):
        parts.append(part)
        done += unit.size
        if progress:
            progress(done, total)
    return parts


def scanned_units(units: list[ReadUnit], workers: int, limits: ReadLimits, progress: Optional[Progress],
                  pending: Optional[PendingScan]) -> list:
    """Each unit's NativeScan, scanned in threads (the C scanner parses without the GIL)."""
    if pending is None:
        pending = start_units(units, workers, limits)
    scans, done, total = [], 0, sum(unit.size for unit in units)
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
    return scans


def combine_parts(units: list[ReadUnit], parts: list) -> tuple[LogData, int]:
    """One LogData from the Python parser's per-unit parts: turn ids offset, line numbers
    made file-relative; and the physical lines of the units."""
    return concat_parts(units, parts), sum(physical for _, physical in parts)


def combine_scans(units: list[ReadUnit], scans: list) -> tuple[LogData, int]:
    """One LogData from the C scanner's per-unit scans (the lines it left go through the
    Python parser and are merged back in line order), and the physical lines of the units."""
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
    return data, sum(physical)  # session keys are given when the load is finished
