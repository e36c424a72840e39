"""Local files as a source: JSONL, CloudWatch event lines, filter-log-events output,
CloudWatch S3-export lines, gzip-compressed or not, in folders, mixed freely.

This module only finds files and yields their lines; ``analytics.loading`` decides
what each line is.
"""
from __future__ import annotations

import gzip
import zlib
import os
from pathlib import Path
from dataclasses import dataclass
from typing import Iterator, Optional, Sequence, Union

from analytics.errors import LexlensError

GZIP_MAGIC = b"\x1f\x8b"
SKIPPED_NAMES = {".DS_Store", "Thumbs.db"}


def find_log_files(paths: Sequence[Union[str, Path]]) -> list[Path]:
    """Every file named, and every file under every folder named (recursively, sorted)."""
    if not paths:
        raise LexlensError("no input: name at least one log file or folder.")
    files: list[Path] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")
                           and p.name not in SKIPPED_NAMES)
            if not found:
                raise LexlensError(f"the folder {path} holds no files.")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        elif path.exists():
            raise LexlensError(f"{path} is neither a file nor a folder.")
        else:
            raise LexlensError(f"{path} does not exist.")
    for file in files:
        if not os.access(file, os.R_OK):
            raise LexlensError(f"{file} cannot be read (permission denied).")
    return files


def open_log_file(path: Path):
    """A binary file object, decompressing gzip whatever the file is called."""
    try:
        handle = open(path, "rb")
        magic = handle.read(2)
        handle.seek(0)
    except OSError as error:
        raise LexlensError(f"{path} cannot be read ({error.strerror or error}).") from None
    if magic == GZIP_MAGIC:
        return gzip.GzipFile(fileobj=handle, mode="rb")
    return handle


def is_json_document(first_line: bytes) -> bool:
    """A file whose first line is a lone '{' or '[' is one pretty-printed JSON document
    (the AWS CLI prints ``filter-log-events`` output that way)."""
    return first_line.strip() in (b"{", b"[")


@dataclass(frozen=True)
class ReadUnit:
    """A piece of one file to parse on its own: the lines that start in [start, end).

    ``end`` None means to the end of the file. Line numbers inside a unit count from 1;
    the loader adds the lines of the units before it in the same file.
    """

    path: Path
    start: int = 0
    end: Optional[int] = None
    size: int = 0


def unit_bytes_for(files: Sequence[Path], workers: int) -> int:
    """About two units per worker: enough to balance the cores, few enough that merging
    the parts stays cheap; at least 16 MB, at most 128 MB."""
    total = sum(file.stat().st_size for file in files)
    return min(128 << 20, max(16 << 20, total // (2 * workers) + 1))


def plan_read_units(files: Sequence[Path], unit_bytes: int = 32 << 20) -> list[ReadUnit]:
    """Cut plain (uncompressed, line-per-record) files into units of about ``unit_bytes``."""
    units = []
    for path in files:
        size = path.stat().st_size
        if size <= unit_bytes or not splittable(path):
            units.append(ReadUnit(path, 0, None, size))
            continue
        starts = list(range(0, size, unit_bytes))
        for start, end in zip(starts, starts[1:] + [None]):
            units.append(ReadUnit(path, start, end, (end or size) - start))
    return units


def splittable(path: Path) -> bool:
    """A file can be cut at byte offsets unless gzip-compressed or one JSON document."""
    with open(path, "rb") as handle:
        head = handle.read(2)
        handle.seek(0)
        return head != GZIP_MAGIC and not is_json_document(handle.readline())


def read_unit_lines(unit: ReadUnit) -> Iterator[tuple[int, bytes]]:
    """(line number within the unit, line) for the lines that start inside ``unit``."""
    if unit.start == 0 and unit.end is None:
        yield from read_lines(unit.path)
        return
    with open(unit.path, "rb") as handle:
        position = unit.start
        if position:
            handle.seek(position - 1)
            position += len(handle.readline()) - 1  # skip the line that began before us
        end = unit.end if unit.end is not None else float("inf")
        line_no = 0
        while position < end:
            line = handle.readline()
            if not line:
                break
            line_no += 1
            position += len(line)
            yield line_no, line


class TruncatedFile(Exception):
    """The file ended early or is corrupt after ``line`` lines: those were read, the rest not."""

    def __init__(self, line: int, detail: str):
        super().__init__(detail)
        self.line = line


def read_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(line number, line) for every line of ``path``; a pretty-printed JSON document is
    yielded whole as line 1. Raises TruncatedFile after the last good line of a damaged
    gzip file, so what came before it still counts."""
    line_no = 0
    with open_log_file(path) as handle:
        try:
            first = handle.readline()
            if is_json_document(first):
                yield 1, first + handle.read()
                return
            if first:
                line_no = 1
                yield 1, first
            for line_no, line in enumerate(handle, start=2):
                yield line_no, line
        except (OSError, EOFError, gzip.BadGzipFile, zlib.error) as error:
            raise TruncatedFile(line_no, str(error) or type(error).__name__) from None
