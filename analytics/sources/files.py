"""Local files as a source: JSONL, CloudWatch event lines, filter-log-events output,
CloudWatch S3-export lines, gzip-compressed or not, in folders, mixed freely.

This module finds files, tells how each is written (``sniff_file``: gzip or not, UTF-8
or UTF-16, LF or CR line breaks, lines or one JSON document) and plans the pieces read
in parallel; ``analytics.sources.linereader`` reads them and ``analytics.ingest.loading``
decides what each line is.
"""
from __future__ import annotations

import codecs
import gzip
import io
import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence, Union

from lexlens.analytics.errors import LexlensError
from lexlens.analytics.sources.inflate_ahead import InflatedAhead
from lexlens.analytics.sources.limits import FILE_BYTES

GZIP_MAGIC = b"\x1f\x8b"
SKIPPED_NAMES = {".DS_Store", "Thumbs.db"}
SNIFF_BYTES = 64 << 10
UTF8_BOM = codecs.BOM_UTF8
# A record ending in a bare CR: the file breaks lines the classic-Mac way (a CR elsewhere,
# with no LF in sight, is only whitespace inside one line).
CR_LINE_END = re.compile(rb"[}\]][ \t]*\r")


def find_log_files(paths: Sequence[Union[str, Path]]) -> list[Path]:
    """Every file named, and every file under every folder named (recursively, sorted), but
    hidden files, files in hidden folders (``.git``), Python's ``__pycache__`` and SKIPPED_NAMES."""
    if not paths:
        raise LexlensError("no input: name at least one log file or folder.")
    files: list[Path] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.name not in SKIPPED_NAMES
                           and not any(part.startswith(".") or part == "__pycache__"
                                       for part in p.relative_to(path).parts))
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


@dataclass(frozen=True)
class FileShape:
    """How a file is written: what reading it takes."""

    compressed: bool = False
    encoding: str = "utf-8"  # or a UTF-16 codec, read as UTF-8 after transcoding
    separator: bytes = b"\n"  # b"\r" for a file of classic-Mac line breaks
    document: bool = False  # one pretty-printed JSON document, read whole as line 1

    @property
    def splittable(self) -> bool:
        """Whether byte offsets of the file are offsets of its lines (plain UTF-8 lines)."""
        return not self.compressed and self.encoding == "utf-8" and not self.document

    @property
    def scannable(self) -> bool:
        """Whether the C scanner can read it: lines, plain or gzip-compressed, UTF-8 or UTF-16
        (a compressed or UTF-16 file is one unit, read in blocks of whole lines as UTF-8 as it
        is inflated and transcoded: ``open_log_file``)."""
        return not self.document


def detect_utf16(head: bytes) -> Optional[str]:
    """The UTF-16 codec of a file starting with ``head``, or None: a byte-order mark (as
    Windows PowerShell writes), or ASCII text with every other byte NUL."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    pairs = head[:8]
    if len(pairs) == 8 and all(pairs[i] and not pairs[i + 1] for i in range(0, 8, 2)):
        return "utf-16-le"
    if len(pairs) == 8 and all(not pairs[i] and pairs[i + 1] for i in range(0, 8, 2)):
        return "utf-16-be"
    return None


def sniff_file(path: Path) -> FileShape:
    """The FileShape of ``path``, from its first 64 KiB (after decompression)."""
    try:
        with open(path, "rb") as raw:
            compressed = raw.read(2) == GZIP_MAGIC
            raw.seek(0)
            handle = gzip.GzipFile(fileobj=raw, mode="rb") if compressed else raw
            try:
                head = handle.read(SNIFF_BYTES)
            except (OSError, EOFError, zlib.error):
                head = b""  # damaged: the reader says where
    except OSError as error:
        raise LexlensError(f"{path} cannot be read ({error.strerror or error}).") from None
    encoding = detect_utf16(head) or "utf-8"
    if encoding != "utf-8":
        head = head.decode(encoding, "replace").encode("utf-8")
    head = head.removeprefix(UTF8_BOM).lstrip(b"\0")
    separator = b"\r" if b"\n" not in head and CR_LINE_END.search(head) else b"\n"
    first_line = head.split(separator, 1)[0]
    return FileShape(compressed, encoding, separator, first_line.strip() in (b"{", b"["))


class Utf8FromUtf16(io.RawIOBase):
    """A binary UTF-16 stream read as UTF-8 bytes (lone surrogates kept, so the line holding
    one is rejected as not valid UTF-8 rather than silently altered)."""

    def __init__(self, binary, encoding: str):
        self.decoder = codecs.getincrementaldecoder(encoding)("surrogatepass")
        self.binary = binary
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self.pending:
            chunk = self.binary.read(SNIFF_BYTES)
            text = self.decoder.decode(chunk, final=not chunk)  # an odd last byte raises
            if not chunk and not text:
                return 0
            self.pending = text.encode("utf-8", "surrogatepass")
        count = min(len(buffer), len(self.pending))
        buffer[:count] = self.pending[:count]
        self.pending = self.pending[count:]
        return count

    def close(self) -> None:
        self.binary.close()
        super().close()


def open_log_file(path: Path, shape: FileShape):
    """A binary file object of ``path``'s text as UTF-8, decompressed."""
    try:
        handle = open(path, "rb")
    except OSError as error:
        raise LexlensError(f"{path} cannot be read ({error.strerror or error}).") from None
    if shape.compressed:  # lines are inflated ahead by a thread (a document is read whole)
        inflating = gzip.GzipFile(fileobj=handle, mode="rb")
        handle = inflating if shape.document else InflatedAhead(inflating, handle)
    if shape.encoding != "utf-8":
        handle = Utf8FromUtf16(handle, shape.encoding)
    return handle


@dataclass(frozen=True)
class ReadUnit:
    """A piece of one file to parse on its own: the lines that start in [start, end).

    ``end`` None means to the end of the file. ``size`` is the bytes the piece held when it
    was planned (so a file that shrinks while it is read is noticed). Line numbers inside a
    unit count from 1; the loader adds the lines of the units before it in the same file.
    """

    path: Path
    start: int = 0
    end: Optional[int] = None
    size: int = 0
    shape: FileShape = FileShape()


def unit_bytes_for(files: Sequence[Path], workers: int) -> int:
    """About two units per worker: enough to balance the cores, few enough that merging
    the parts stays cheap; at least 16 MB, at most 128 MB."""
    total = sum(file.stat().st_size for file in files)
    return min(128 << 20, max(16 << 20, total // (2 * workers) + 1))


def plan_read_units(files: Sequence[Path], unit_bytes: int = 32 << 20, *,
                    file_bytes: int = FILE_BYTES) -> list[ReadUnit]:
    """Cut plain (uncompressed, line-per-record) files into units of about ``unit_bytes``;
    no unit starts past ``file_bytes``, the most read of one file."""
    units = []
    for path in files:
        size = path.stat().st_size
        shape = sniff_file(path)
        if size <= unit_bytes or not shape.splittable:
            units.append(ReadUnit(path, 0, None, size, shape))
            continue
        starts = [start for start in range(0, size, unit_bytes) if start < file_bytes]
        for start, end in zip(starts, starts[1:] + [None]):
            units.append(ReadUnit(path, start, end, (end or size) - start, shape))
    return units


def scannable(unit: ReadUnit) -> bool:
    """Whether the C scanner can read ``unit`` (lines, not one JSON document)."""
    return unit.shape.scannable


@dataclass(frozen=True)
class Piece:
    """The lines of ``path`` starting in [start, end of file); ``lines_before`` lines of the
    file come before them (so rejections keep file-relative line numbers)."""

    path: Path
    start: int = 0
    lines_before: int = 0


def piece_units(piece: Piece, unit_bytes: int, file_bytes: int) -> list[ReadUnit]:
    """The read units of one piece, about ``unit_bytes`` each."""
    if not piece.start:
        return plan_read_units([piece.path], unit_bytes, file_bytes=file_bytes)
    size, shape = piece.path.stat().st_size, sniff_file(piece.path)
    starts = [start for start in range(piece.start, size, unit_bytes) if start < file_bytes]
    return [ReadUnit(piece.path, start, end, (end or size) - start, shape)
            for start, end in zip(starts, starts[1:] + [None])]


def default_workers(workers: Optional[int]) -> int:
    return max(1, workers or os.cpu_count() or 1)
