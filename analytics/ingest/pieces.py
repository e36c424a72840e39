"""Parse pieces of files on their own: one LogData per piece, so each can be stored and
combined later (``analytics.store``) exactly as one load of the whole would have made it.

A piece is the lines of one file that start at or after byte ``start``: a whole file
(``start`` 0), or what was appended to a file since it was last read. All the pieces' units
are parsed together (on every core); each scanned unit is combined into its piece as soon as
it is done, while the threads read the next ones (``native_tables.ScanTables``).
"""
from __future__ import annotations

import gc
from dataclasses import replace
from typing import Callable, Iterable, Iterator, Optional

import numpy as np

from lexlens.analytics.ingest.line_loader import LineLoader, map_units
from lexlens.analytics.ingest.native import PendingScan, start_units
from lexlens.analytics.ingest.native_tables import ScanTables
from lexlens.analytics.ingest.stacking import concat_parts, merge_by_line
from lexlens.analytics.ingest.text_codes import mark_scanned
from lexlens.analytics.schema import LoadReport, LogData
from lexlens.analytics.sources.files import Piece, ReadUnit, piece_units, scannable
from lexlens.analytics.sources.limits import ReadLimits

Progress = Callable[[int, int], None]  # (bytes read, bytes in all)


def parse_pieces(pieces: list[Piece], unit_bytes: int, workers: int, native: bool, limits: ReadLimits,
                 progress: Optional[Progress] = None, pending: Optional[PendingScan] = None,
                 text_codes: bool = False) -> list[tuple[LogData, int]]:
    """(LogData, physical lines) per piece (turns in line order, duplicates not yet dropped).
    The pieces the C scanner can read are scanned, the others (a JSON document) parsed in
    Python: one such file in a folder no longer sends every other file to Python. ``pending``:
    the scan of exactly these pieces' units, started earlier (only when all are scannable).
    ``text_codes``: the scanned texts' codes are kept for the store's writer (``ingest.text_codes``)."""
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

    if to_scan and (pending is None or to_parse):  # started now, read while the rest is parsed
        pending = start_units(to_scan, max(1, min(workers, len(to_scan))), limits)
    # the Python parser's units now (the scan goes on meanwhile), the scans as they are combined
    parsed = iter(parsed_units(to_parse, max(1, min(workers, len(to_parse))), limits, progress_after(0))
                  if to_parse else [])
    scans = scanned_units(to_scan, pending, progress_after(sum(unit.size for unit in to_parse)))
    parts = []
    try:
        for piece, group, scan in zip(pieces, units_of, scanned):
            if scan:  # each scan combined as it comes, while the threads read the next units
                part, physical = combine_scans(group, (next(scans) for _ in group), text_codes)
            else:
                part, physical = combine_parts(group, [next(parsed) for _ in group])
            parts.append((with_lines_before(part, piece.lines_before), physical))
    finally:  # on an error too: the collector back on and the threads stopped, not when collected
        scans.close()
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


def scanned_units(units: list[ReadUnit], pending: PendingScan, progress: Optional[Progress]) -> Iterator:
    """Each unit's NativeScan, in order, as its thread finishes it (the C scanner parses
    without the GIL). The cyclic collector is paused until the last one is handed over."""
    done, total = 0, sum(unit.size for unit in units)
    collecting = gc.isenabled()
    gc.disable()  # process-wide: paused once here, not per thread
    try:
        for unit, scan in zip(units, pending.results()):
            done += unit.size
            if progress:
                progress(done, total)
            yield scan
    finally:
        if collecting:
            gc.enable()


def combine_parts(units: list[ReadUnit], parts: list) -> tuple[LogData, int]:
    """One LogData from the Python parser's per-unit parts: turn ids offset, line numbers
    made file-relative; and the physical lines of the units."""
    return concat_parts(units, parts), sum(physical for _, physical in parts)


def combine_scans(units: list[ReadUnit], scans: Iterable, text_codes: bool = False) -> tuple[LogData, int]:
    """One LogData from the C scanner's per-unit scans, taken one by one as they come (the
    lines a scan left go through the Python parser and are merged back in line order), and
    the physical lines of the units; with ``text_codes``, the texts' codes kept for the writer."""
    combined, loader = ScanTables(), LineLoader()
    # line numbers: file-relative for people, and one running count ordering all input
    file_lines: dict = {}  # lines of each file in the units so far
    run_offset = 0
    for unit, scan in zip(units, scans):
        file_offset = file_lines.get(unit.path, 0)
        physical = scan.columns["physical"]
        combined.add(scan.columns, run_offset)
        for line_no, line in scan.fallback:
            loader.feed(str(unit.path), file_offset + line_no, line, order=run_offset + line_no)
        scan.columns = scan.fallback = None
        file_lines[unit.path] = file_offset + physical
        run_offset += physical
    tables, line_no = combined.tables()
    if text_codes and not loader.turn_lines:  # the rows as scanned: their texts' codes go to the writer
        for name, table in tables.items():
            mark_scanned(table, combined.known.get(name, {}))
    data = LogData(**tables, report=LoadReport(lines=combined.counts["lines"], blank=combined.counts["blank"]))
    if loader.turn_lines:
        python_part = LogData(**loader.tables(), report=loader.report)
        data = merge_by_line([data, python_part], [line_no, np.asarray(loader.turn_lines, dtype="int64")])
    else:
        data.report.merge(loader.report)
        data = replace(data, server_responses=loader.responses.build())
    return data, run_offset  # session keys are given when the load is finished
