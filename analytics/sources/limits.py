"""Bounds on what one load reads, so no input can exhaust memory or time.

- A line longer than ``line_bytes`` is one rejected line (read past, never held whole).
  Default 8 MiB: a CloudWatch Logs event holds at most 1 MB of message
  (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html),
  and escaping it inside an event line or an export line makes it longer, never 8 times.
- At most ``file_bytes`` of one file are read, counted after decompression (a 10 MB gzip
  can hold 10 GiB); the lines after the limit are not read, and a rejection says so.
- At most ``load_bytes`` over all the files of one load (one dashboard upload is one load);
  the files still unread then are skipped, each with a rejection.

Each is set by an environment variable (bytes, or a number with K, M, G or T: ``512M``).
"""
from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from typing import Mapping, Optional

from lexlens.analytics.errors import LexlensError

LINE_BYTES, FILE_BYTES, LOAD_BYTES, UPLOAD_BYTES = 8 << 20, 4 << 30, 16 << 30, 2 << 30
ENVIRONMENT = {"line_bytes": "LEXLENS_MAX_LINE_BYTES", "file_bytes": "LEXLENS_MAX_FILE_BYTES",
               "load_bytes": "LEXLENS_MAX_LOAD_BYTES"}
UPLOAD_VARIABLE = "LEXLENS_MAX_UPLOAD_BYTES"
_SIZE = re.compile(r"^\s*(\d+)\s*([KMGT]?)(?:i?B)?\s*$", re.IGNORECASE)
_UNITS = {"": 0, "K": 10, "M": 20, "G": 30, "T": 40}


@dataclass(frozen=True)
class ReadLimits:
    """How much one load may read (see the module docstring)."""

    line_bytes: int = LINE_BYTES
    file_bytes: int = FILE_BYTES
    load_bytes: int = LOAD_BYTES


def parse_size(name: str, text: str) -> int:
    """Bytes from ``512M``-style text; LexlensError naming the variable when it is not one."""
    match = _SIZE.match(text)
    if not match or int(match.group(1)) < 1:
        raise LexlensError(f"{name}={text!r} is not a size: give a whole number of bytes, "
                           "optionally with K, M, G or T (for example 512M).", exit_code=2)
    return int(match.group(1)) << _UNITS[match.group(2).upper()]


def limits_from_environment(environ: Optional[Mapping[str, str]] = None, *,
                            upload: bool = False) -> ReadLimits:
    """The limits, each from its environment variable when set. ``upload``: a dashboard
    upload, whose load limit is ``LEXLENS_MAX_UPLOAD_BYTES`` (default 2 GiB)."""
    environ = os.environ if environ is None else environ
    values = {field: parse_size(name, environ[name]) for field, name in ENVIRONMENT.items()
              if environ.get(name)}
    if upload:
        text = environ.get(UPLOAD_VARIABLE)
        values["load_bytes"] = parse_size(UPLOAD_VARIABLE, text) if text else UPLOAD_BYTES
    return ReadLimits(**values)


def describe_size(size: int) -> str:
    """``8 MiB``, ``4 GiB``, or bytes when not a whole number of KiB."""
    for unit, shift in (("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if size >= 1 << shift and size % (1 << shift) == 0:
            return f"{size >> shift} {unit}"
    return f"{size:,} bytes"


class ByteBudget:
    """The bytes a load may still read, shared by its reading threads (or, made with
    ``shared``, a ``multiprocessing`` value shared by the worker processes it is handed to)."""

    def __init__(self, limit: int, shared=None):
        self.limit = limit
        self._value = shared
        self._left = limit
        self._lock = threading.Lock() if shared is None else None

    @classmethod
    def for_processes(cls, limit: int, context) -> "ByteBudget":
        return cls(limit, context.Value("q", limit))

    def take(self, count: int) -> int:
        """Spend up to ``count`` bytes; how many were granted (fewer once the budget runs out)."""
        lock = self._lock if self._value is None else self._value.get_lock()
        with lock:
            left = self._left if self._value is None else self._value.value
            granted = min(count, left)
            if self._value is None:
                self._left = left - granted
            else:
                self._value.value = left - granted
        return granted

    def __getstate__(self):
        return {"limit": self.limit, "_value": self._value, "_left": self._left}

    def __setstate__(self, state):
        self.__dict__.update(state, _lock=threading.Lock() if state["_value"] is None else None)
