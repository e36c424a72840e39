"""The loader's fast path for JSONL files (plain or gzip, UTF-8 or UTF-16): a C scanner
(``analytics/ingest/_lexscan.c``).

The scanner turns canonical raw Lex V2 records straight into the columns of
``analytics.schema`` and hands every line it is not certain about (other shapes,
odd types, duplicate keys, unusual times, anything to reject) back to the Python
parser, which stays the one definition of what a line means. Both paths give the
same tables (tests/test_native_*.py); the scanner only makes them faster.

This module imports neither numpy nor pandas, so a command can start scanning before
those slow imports (``start_scan``); ``analytics.ingest.native_tables`` makes the tables.

Without a C compiler at install time the module is absent and lexlens parses every
line in Python. ``LEXLENS_NATIVE=0`` turns the fast path off.
"""
from __future__ import annotations

import os
from typing import Optional

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence, Union

from lexlens.analytics.errors import LexlensError
from lexlens.analytics.sources.files import ReadUnit, find_log_files, plan_read_units, scannable, unit_bytes_for
from lexlens.analytics.sources.limits import ByteBudget, ReadLimits, limits_from_environment
from lexlens.analytics.sources.linereader import HEAD_BYTES, LongLine, read_unit

try:
    from lexlens.analytics.ingest import _lexscan
except ImportError:  # built without a C compiler: every line goes through Python
    _lexscan = None


def available() -> bool:
    """Whether the C scanner was built."""
    return _lexscan is not None


def use_native(native: Optional[bool]) -> bool:
    """Resolve a caller's choice: None means 'when built, unless LEXLENS_NATIVE=0'."""
    if native is None:
        return available() and os.environ.get("LEXLENS_NATIVE", "1") != "0"
    if native and not available():
        raise LexlensError("the native log scanner is not built (install lexlens with a C compiler).")
    return native


def scan_counts(buffer: bytes) -> dict[str, int]:
    """How the scanner treats ``buffer``'s lines: ``fast`` (read in C), ``blank``, ``fallback``."""
    scanner = _lexscan.Scanner()
    scanner.feed(buffer, 1)
    columns = scanner.finish()
    return {name: columns[name] for name in ("fast", "blank", "fallback")}


class NativeScan:
    """Plain units through the C scanner; the lines it leaves (and any LongLine or ReadNote
    of the reader) are kept, by line number, for the Python parser."""

    def __init__(self) -> None:
        self.scanner = _lexscan.Scanner()
        self.fallback: list[tuple[int, object]] = []  # (line number, line | LongLine | ReadNote)
        self.physical = 0

    def scan_unit(self, unit: ReadUnit, limits: ReadLimits, budget: Optional[ByteBudget]) -> None:
        """Scan ``unit`` block by block (the file is read, never memory-mapped: see
        ``analytics.sources.linereader``)."""
        separator = unit.shape.separator
        line_no = 1
        for item in read_unit(unit, limits, budget):
            if isinstance(item, memoryview):
                before = self.scanner.physical
                self.scan(item, line_no, limits.line_bytes, separator)
                line_no += self.scanner.physical - before
            elif isinstance(item, LongLine):
                self.fallback.append((line_no, item))
                line_no += 1
            else:  # a ReadNote
                self.fallback.append((line_no, item))
        self.physical = line_no - 1

    def scan(self, view, first_line_no: int, max_line: int = 0, separator: bytes = b"\n") -> None:
        """Scan a buffer of whole lines (the GIL is released meanwhile)."""
        for line_no, start, end in self.scanner.feed(view, first_line_no, max_line, separator):
            end -= view[end - 1:end] == separator  # lines are handed over without their break
            if max_line and end - start > max_line:
                head = bytes(view[start:min(end, start + HEAD_BYTES)])
                self.fallback.append((line_no, LongLine(end - start, head, max_line)))
            else:
                self.fallback.append((line_no, bytes(view[start:end])))

    def finish(self) -> dict:
        """The scanner's columns (bytes), its interned keys, and its counts."""
        return self.scanner.finish()


def scan_unit(unit: ReadUnit, limits: Optional[ReadLimits] = None,
              budget: Optional[ByteBudget] = None) -> NativeScan:
    """``unit`` scanned, with its columns in ``.columns`` and its leftover lines in ``.fallback``."""
    scan = NativeScan()
    scan.scan_unit(unit, limits or ReadLimits(), budget)
    scan.columns = scan.finish()
    scan.columns["physical"] = scan.physical  # lines the reader passed over count too
    scan.scanner = None  # its C tables are copied out: free them now
    return scan


@dataclass
class PendingScan:
    """Plain units being scanned in background threads (see ``start_scan``)."""

    paths: list[str]
    units: list[ReadUnit]
    workers: int
    executor: ThreadPoolExecutor
    futures: list[Future] = field(default_factory=list)
    limits: ReadLimits = field(default_factory=ReadLimits)

    def results(self):
        """Each unit's finished NativeScan, in order, as they complete."""
        try:
            for future in self.futures:
                yield future.result()
        finally:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.futures = []  # the caller has the results; hold no memory after the load


def plan_native_units(paths: Sequence[Union[str, Path]], workers: int,
                      limits: ReadLimits) -> Optional[list[ReadUnit]]:
    """The read units of ``paths`` when the scanner can read all of them (files of lines,
    not JSON documents: ``files.scannable``), else None. Raises LexlensError for a missing or unreadable path."""
    files = find_log_files(paths)
    units = plan_read_units(files, unit_bytes_for(files, workers), file_bytes=limits.file_bytes)
    return units if all(scannable(unit) for unit in units) else None


def start_units(units: list[ReadUnit], workers: int, limits: ReadLimits, paths=()) -> PendingScan:
    """Scan ``units`` in ``workers`` threads, sharing one budget of ``limits.load_bytes``."""
    executor = ThreadPoolExecutor(workers)
    budget = ByteBudget(limits.load_bytes)
    return PendingScan([str(path) for path in paths], units, workers, executor,
                       [executor.submit(scan_unit, unit, limits, budget) for unit in units], limits)


def start_scan(paths: Sequence[Union[str, Path]], workers: Optional[int] = None) -> Optional[PendingScan]:
    """Start scanning ``paths`` in threads now, so the scan overlaps whatever the caller does
    next (importing pandas takes a quarter of a second). None when the fast path does not
    apply or a path is wrong: ``load_logs`` then reports it as usual."""
    try:
        if not paths or not use_native(None):
            return None
        workers = max(1, workers or os.cpu_count() or 1)
        limits = limits_from_environment()
        units = plan_native_units(paths, workers, limits)
    except (LexlensError, OSError):
        return None
    if not units:
        return None
    return start_units(units, min(workers, len(units)), limits, paths)
