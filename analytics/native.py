"""The loader's fast path for plain JSONL files: a C scanner (``analytics/_lexscan.c``).

The scanner turns canonical raw Lex V2 records straight into the columns of
``analytics.schema`` and hands every line it is not certain about (other shapes,
odd types, duplicate keys, unusual times, anything to reject) back to the Python
parser, which stays the one definition of what a line means. Both paths give the
same tables (tests/test_native_scanner.py); the scanner only makes them faster.

This module imports neither numpy nor pandas, so a command can start scanning before
those slow imports (``start_scan``); ``analytics.native_tables`` makes the tables.

Without a C compiler at install time the module is absent and lexlens parses every
line in Python. ``LEXLENS_NATIVE=0`` turns the fast path off.
"""
from __future__ import annotations

import mmap
import os
from typing import Optional

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence, Union

from analytics.errors import LexlensError
from analytics.sources.files import (ReadUnit, find_log_files, plan_read_units, splittable,
                                     unit_bytes_for)

try:
    from analytics import _lexscan
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


def unit_span(data, unit: ReadUnit) -> tuple[int, int]:
    """[start, end) of the lines that start in ``unit`` (see ``read_unit_lines``) in ``data``,
    the whole file's bytes."""
    size = len(data)
    start = unit.start
    if start:
        newline = data.find(b"\n", start - 1)  # skip the line that began before us
        start = size if newline < 0 else newline + 1
    if unit.end is None or unit.end >= size:
        return start, size
    newline = data.find(b"\n", unit.end - 1)  # finish the line that runs past the end
    return start, max(start, size if newline < 0 else newline + 1)


class NativeScan:
    """Plain units through the C scanner; the lines it leaves are kept for the Python parser."""

    def __init__(self) -> None:
        self.scanner = _lexscan.Scanner()
        self.fallback: list[tuple[int, bytes]] = []  # (line number, line)

    def scan_unit(self, unit: ReadUnit) -> None:
        """Scan ``unit`` in place (the file is memory-mapped, never copied)."""
        with open(unit.path, "rb") as handle:
            if os.fstat(handle.fileno()).st_size == 0:
                return
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                data.madvise(mmap.MADV_SEQUENTIAL)
                start, end = unit_span(data, unit)
                with memoryview(data) as whole, whole[start:end] as view:
                    self.scan(view)

    def scan(self, view) -> None:
        """Scan a buffer of whole lines, numbered from 1 (the GIL is released meanwhile)."""
        for line_no, start, end in self.scanner.feed(view, 1):
            self.fallback.append((line_no, bytes(view[start:end])))

    def finish(self) -> dict:
        """The scanner's columns (bytes), its interned keys, and its counts."""
        return self.scanner.finish()


def scan_unit(unit: ReadUnit) -> NativeScan:
    """``unit`` scanned, with its columns in ``.columns`` and its leftover lines in ``.fallback``."""
    scan = NativeScan()
    scan.scan_unit(unit)
    scan.columns = scan.finish()
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

    def results(self):
        """Each unit's finished NativeScan, in order, as they complete."""
        try:
            for future in self.futures:
                yield future.result()
        finally:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.futures = []  # the caller has the results; hold no memory after the load


def plan_native_units(paths: Sequence[Union[str, Path]], workers: int) -> Optional[list[ReadUnit]]:
    """The read units of ``paths`` when the scanner can read all of them (plain files), else
    None. Raises LexlensError for a missing or unreadable path."""
    files = find_log_files(paths)
    units = plan_read_units(files, unit_bytes_for(files, workers))
    return units if all(splittable(unit.path) for unit in units) else None


def start_scan(paths: Sequence[Union[str, Path]], workers: Optional[int] = None) -> Optional[PendingScan]:
    """Start scanning ``paths`` in threads now, so the scan overlaps whatever the caller does
    next (importing pandas takes a quarter of a second). None when the fast path does not
    apply or a path is wrong: ``load_logs`` then reports it as usual."""
    try:
        if not paths or not use_native(None):
            return None
        workers = max(1, workers or os.cpu_count() or 1)
        units = plan_native_units(paths, workers)
    except (LexlensError, OSError):
        return None
    if not units:
        return None
    workers = min(workers, len(units))
    executor = ThreadPoolExecutor(workers)
    return PendingScan([str(path) for path in paths], units, workers, executor,
                       [executor.submit(scan_unit, unit) for unit in units])
