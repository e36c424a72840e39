"""Local files as a source: JSONL, CloudWatch event lines, filter-log-events output,
CloudWatch S3-export lines, gzip-compressed or not, in folders, mixed freely.

This module only finds files and yields their lines; ``analytics.loading`` decides
what each line is.
"""
from __future__ import annotations

import gzip
import os
from pathlib import Path
from typing import Iterator, Sequence, Union

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


def read_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(line number, line) for every line of ``path``; a pretty-printed JSON document is
    yielded whole as line 1."""
    with open_log_file(path) as handle:
        try:
            first = handle.readline()
            if is_json_document(first):
                yield 1, first + handle.read()
                return
            if first:
                yield 1, first
            yield from enumerate(handle, start=2)
        except (OSError, EOFError, gzip.BadGzipFile) as error:
            raise LexlensError(f"{path} cannot be read: {error}.") from None
