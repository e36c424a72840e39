"""Values derived from stored logs, kept in the store across restarts: the dashboard's figures
for one (source, filters, time zone, settings) are computed once, then read back when a
restarted server (or another one on the same store) is asked for them again.

The caller's key holds everything a value depends on (the files' identities, the view, a
digest of the code that computes it: ``code_digest``); a value is kept only when small
(``MAX_VALUE_BYTES``: a table of every session is cheaper to compute again than to keep),
written atomically, and the least recently used go beyond ``MAX_BYTES``. Values are pickles,
read only from the store folder, which lexlens creates readable by its owner alone: as with
any cache of Python objects, a store folder others can write to must not be used.
Anything unreadable is computed again.
"""
from __future__ import annotations

import hashlib
import io
import os
import pickle
import uuid
from pathlib import Path
from typing import Any

from lexlens.analytics.store.catalog import Store, StoreError
from lexlens.analytics.store.outputs import source_digest

VALUES = "values"
MAX_VALUE_BYTES = 4 << 20
MAX_BYTES = 256 << 20
MISSING = object()


def code_digest() -> str:
    """A digest of lexlens's analytics and dashboard code: another version computes anew."""
    return source_digest(("analytics", "dashboard"))


def value_path(store: Store, key: str) -> Path:
    name = hashlib.sha256(f"{code_digest()}/{key}".encode()).hexdigest()
    return store.root / VALUES / f"{name}.pickle"


def kept_value(store: Store, key: str) -> Any:
    """The value kept under ``key``, or MISSING."""
    path = value_path(store, key)
    try:
        with open(path, "rb") as handle:
            value = pickle.load(handle)
        os.utime(path)  # most recently used
        return value
    except Exception:  # noqa: BLE001 - absent, damaged or from another library version: computed again
        return MISSING


class TooLarge(Exception):
    """A pickle grew past its limit."""


class LimitedBuffer(io.BytesIO):
    """Bytes in memory that refuse to grow past ``limit``: pickling a large value stops after
    about ``limit`` bytes instead of pickling all of it first (the annotated turns of a
    million records took 0.8 s of a page's run, to be thrown away)."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def write(self, data) -> int:
        if self.tell() + memoryview(data).nbytes > self.limit:
            raise TooLarge
        return super().write(data)


def small_pickle(value: Any, limit: int = MAX_VALUE_BYTES) -> bytes | None:
    """``value`` pickled, or None when it cannot be or its pickle would exceed ``limit``."""
    buffer = LimitedBuffer(limit)
    try:
        pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    except Exception:  # noqa: BLE001 - too large, or cannot be pickled: only not kept
        return None
    return buffer.getvalue()


def keep_value(store: Store, key: str, value: Any) -> bool:
    """Keep ``value`` under ``key`` when it is small; whether it was kept."""
    body = small_pickle(value)
    if body is None:
        return False
    path = value_path(store, key)
    try:
        store.ensure()  # not into a folder of other files
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.stem}.{uuid.uuid4().hex}.tmp")
        with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
            handle.write(body)
        os.replace(temporary, path)
        prune(path.parent)
        return True
    except (OSError, StoreError):
        return False


def prune(folder: Path, max_bytes: int = MAX_BYTES) -> None:
    """Remove the least recently used values beyond ``max_bytes``."""
    entries = []
    for path in folder.glob("*.pickle"):
        try:
            info = path.stat()
        except OSError:
            continue
        entries.append((info.st_mtime, info.st_size, path))
    total = sum(size for _, size, _ in entries)
    for _, size, path in sorted(entries):
        if total <= max_bytes:
            break
        path.unlink(missing_ok=True)
        total -= size


def values_of(store: Store) -> list[Path]:
    """The kept values' files (``lexlens store info|clear``)."""
    folder = store.root / VALUES
    return list(folder.glob("*.pickle")) if folder.is_dir() else []
