"""On-disk cache of pulled CloudWatch events: one gzip JSONL file per (namespace, slice).

Layout::

    <cache_dir>/v1/<slug>-<hash>/namespace.json         what the namespace is (group, region, endpoint, account, filter)
    <cache_dir>/v1/<slug>-<hash>/<start>-<end>.jsonl.gz  the slice's events as CloudWatch event lines,
                                                        sorted by (timestamp, eventId), unique eventIds
    <cache_dir>/v1/<slug>-<hash>/<start>-<end>.json      the slice's manifest, written last
    <cache_dir>/windows/                                 window files handed to the loader

Crash safety: each file is written to a unique temporary name, fsynced, then renamed
over the final name (``os.replace`` is atomic). The manifest is renamed *after* the data
and records the data file's size and CRC-32, so a slice counts as cached only when both
renames happened and belong together, and its bytes are the ones written: a SIGKILL at any
moment, or bytes damaged in place, leave a slice that counts as missing and is fetched
again. Keyed by content, not by inode, a cache copied elsewhere (cp -r, rsync, a restored
backup) stays valid. Readers still drop a repeated eventId, as a second line of defence.

A cache folder that cannot be written (read-only, a file, no permission) is one sentence
(``CacheError``), never retried as if CloudWatch had failed.
"""
from __future__ import annotations

import contextlib
import gzip
import hashlib
import heapq
import json
import os
import re
import shutil
import sys
import time
import uuid
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import msgspec

from lexlens.analytics.errors import LexlensError

CACHE_VERSION = "v1"
STALE_TEMP_SECONDS = 600
CHUNK = 1 << 20


class CacheError(LexlensError):
    """The cache folder cannot be written or read as one (exit code 2)."""

    def __init__(self, message: str):
        super().__init__(message, exit_code=2)


def cache_write_error(path: Path, error: OSError) -> CacheError:
    """One sentence for a cache path that cannot be written."""
    return CacheError(f"Cannot write the CloudWatch cache at {path} ({error.strerror or error}): pass "
                      "--cache-dir with a folder you can write, or fix its permissions.")


class _EventKey(msgspec.Struct):
    # Decoding only these two fields skips the (large) message: fast window reads.
    timestamp: int
    eventId: str = ""


_decode_key = msgspec.json.Decoder(_EventKey).decode


def default_cache_dir() -> Path:
    """The user's cache directory for lexlens (``LEXLENS_CACHE_DIR`` overrides)."""
    if os.environ.get("LEXLENS_CACHE_DIR"):
        return Path(os.environ["LEXLENS_CACHE_DIR"]).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
        return base / "lexlens" / "Cache" / "cloudwatch"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "lexlens" / "cloudwatch"
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "lexlens" / "cloudwatch"


@dataclass(frozen=True)
class Namespace:
    """Which events a cache folder holds: one log group as seen from one account and endpoint."""

    log_group: str
    region: str
    endpoint: str
    account: str
    filter_pattern: str = ""

    def folder(self, cache_dir: Path) -> Path:
        identity = json.dumps(self.__dict__, sort_keys=True).encode()
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", self.log_group).strip("_")[-60:] or "group"
        return Path(cache_dir) / CACHE_VERSION / f"{slug}-{hashlib.sha256(identity).hexdigest()[:16]}"


def open_namespace(cache_dir: Path, namespace: Namespace) -> Path:
    """Create (if needed) and return the namespace's folder."""
    folder = namespace.folder(cache_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise cache_write_error(Path(error.filename or folder), error) from None
    meta = folder / "namespace.json"
    if not meta.exists():  # a read-only cache that holds the window still serves it
        _write_atomic(meta, json.dumps(namespace.__dict__, indent=1).encode())
    return folder


def slice_paths(folder: Path, start: int, end: int) -> tuple[Path, Path]:
    """(data file, manifest file) of one slice."""
    return folder / f"{start}-{end}.jsonl.gz", folder / f"{start}-{end}.json"


def read_manifest(folder: Path, start: int, end: int) -> dict | None:
    """The slice's manifest if the slice is on disk whole, as written, else None."""
    data, manifest = slice_paths(folder, start, end)
    try:
        info = json.loads(manifest.read_bytes())
        if not isinstance(info, dict) or info.get("size") != data.stat().st_size:
            return None  # data replaced after this manifest, or the manifest's rename never happened
        if info.get("crc32") != file_crc32(data):
            return None  # damaged in place (or written by a version that recorded inodes)
    except (OSError, ValueError):
        return None
    return info


def file_crc32(path: Path) -> int:
    """The CRC-32 of a file's bytes, read in chunks."""
    crc = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            crc = zlib.crc32(chunk, crc)
    return crc


def encode_event_lines(events: Iterable[dict], start: int, end: int) -> tuple[list[bytes], int]:
    """Sorted, deduplicated event lines within ``[start, end)`` and their message bytes."""
    keyed: dict[str, tuple[int, str, bytes]] = {}
    message_bytes = 0
    for event in events:
        stamp, event_id = int(event["timestamp"]), str(event.get("eventId", ""))
        if not start <= stamp < end or event_id in keyed:
            continue
        line = msgspec.json.encode({
            "timestamp": stamp, "message": event.get("message", ""),
            "logStreamName": event.get("logStreamName", ""),
            "ingestionTime": event.get("ingestionTime", stamp), "eventId": event_id,
        })
        keyed[event_id or f"#{len(keyed)}"] = (stamp, event_id, line)
        message_bytes += len(line)
    return [line for _, _, line in sorted(keyed.values())], message_bytes


def write_slice(folder: Path, start: int, end: int, lines: list[bytes], complete: bool, fetched_at: int) -> dict:
    """Store one slice atomically (data first, then the manifest) and return the manifest."""
    data, manifest = slice_paths(folder, start, end)
    payload = gzip.compress(b"".join(line + b"\n" for line in lines), compresslevel=3)
    _write_atomic(data, payload)
    info = {"start": start, "end": end, "events": len(lines), "size": len(payload),
            "crc32": zlib.crc32(payload), "complete": complete, "fetched_at": fetched_at}
    _write_atomic(manifest, json.dumps(info).encode())
    return info


def _write_atomic(path: Path, payload: bytes) -> None:
    temp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(temp, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
        raise cache_write_error(path.parent, error) from None


def remove_stale_temps(folder: Path, older_than: float = STALE_TEMP_SECONDS) -> None:
    """Delete temporary files left by killed runs (young ones may belong to a live run)."""
    limit = time.time() - older_than
    for temp in folder.glob(".*.tmp"):
        try:
            if temp.stat().st_mtime < limit:
                temp.unlink()
        except OSError:
            pass


def iter_slice_events(path: Path, since: int, until: int) -> Iterator[tuple[int, str, bytes]]:
    """``(timestamp, eventId, line)`` of a slice file's events inside ``[since, until)``.
    A slice damaged since it was checked is dropped from the cache, with a CacheError."""
    try:
        with gzip.open(path, "rb") as handle:
            for line in handle:
                line = line.rstrip(b"\n")
                if not line:
                    continue
                key = _decode_key(line)
                if since <= key.timestamp < until:
                    yield key.timestamp, key.eventId, line
    except (OSError, EOFError, zlib.error, msgspec.DecodeError) as error:
        path.with_name(path.name.removesuffix(".jsonl.gz") + ".json").unlink(missing_ok=True)
        raise CacheError(f"The cached slice {path} is damaged ({error}); it was dropped from the cache: "
                         "run again to fetch it anew.") from None


def iter_window_events(groups: list[list[Path]], since: int, until: int) -> Iterator[bytes]:
    """Event lines of the window across log groups, by time, each eventId once.

    ``groups`` holds each log group's slice files in time order (slices do not overlap).
    """
    streams = [
        (event for path in paths for event in iter_slice_events(path, since, until)) for paths in groups
    ]
    seen: set[str] = set()
    for _, event_id, line in heapq.merge(*streams, key=lambda event: (event[0], event[1])):
        if event_id and event_id in seen:
            continue
        seen.add(event_id)
        yield line


def write_window(groups: list[list[Path]], since: int, until: int, out: Path) -> int:
    """Write the window's events to ``out`` (gzip when it ends in .gz), atomically; return the count."""
    out = Path(out)
    temp = out.with_name(f".{out.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    count = 0
    opener = (lambda p: gzip.open(p, "wb", compresslevel=1)) if out.name.endswith(".gz") else (lambda p: open(p, "wb"))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with opener(temp) as handle:
            for line in iter_window_events(groups, since, until):
                handle.write(line + b"\n")
                count += 1
        os.replace(temp, out)
    except OSError as error:
        raise LexlensError(f"Cannot write {out} ({error.strerror or error}).", exit_code=2) from None
    finally:
        if temp.parent.is_dir():
            temp.unlink(missing_ok=True)
    return count


def new_window_path(cache_dir: Path, max_age_seconds: float = 86400) -> Path:
    """A fresh file name under ``<cache_dir>/windows`` (older window files are pruned)."""
    folder = window_folder(cache_dir, max_age_seconds)
    return folder / f"window-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}.jsonl.gz"


def is_window_file(path: Path) -> bool:
    """Whether ``path`` is a window file of a CloudWatch cache (``<cache>/windows/window-*``)."""
    path = Path(path)
    return path.parent.name == "windows" and path.name.startswith("window-")


def stable_window_path(cache_dir: Path, what: object, max_age_seconds: float = 86400) -> Path:
    """The window file of one pull request (``what``: the groups, where they live, the start,
    the pull filters; not the end), plain JSONL: the same request later, with a later end,
    finds the file and appends to it (``write_window_appending``), so the store parses only
    the events that are new."""
    key = hashlib.sha256(json.dumps(what, sort_keys=True, default=str).encode()).hexdigest()[:20]
    return window_folder(cache_dir, max_age_seconds) / f"window-{key}.jsonl"


def write_window_appending(groups: list[list[Path]], since: int, until: int, out: Path) -> int:
    """``write_window``, but when ``out`` already holds the start of the new window's lines
    (a later end, no event arrived late), only the rest is appended to it, and when it holds
    them all it is left untouched; otherwise it is replaced whole, atomically."""
    out = Path(out)
    fresh = out.with_name(f".{out.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.new")
    try:
        count = write_window(groups, since, until, fresh)
        old_size = out.stat().st_size if out.exists() else -1
        if 0 <= old_size <= fresh.stat().st_size and same_start(out, fresh, old_size):
            if fresh.stat().st_size > old_size:
                with open(fresh, "rb") as source, open(out, "ab") as target:
                    source.seek(old_size)
                    shutil.copyfileobj(source, target)
        else:
            os.replace(fresh, out)
    except OSError as error:
        raise LexlensError(f"Cannot write {out} ({error.strerror or error}).", exit_code=2) from None
    finally:
        fresh.unlink(missing_ok=True)
    return count


def same_start(old: Path, new: Path, size: int) -> bool:
    """Whether ``new``'s first ``size`` bytes are ``old``'s (compared 1 MiB at a time)."""
    with open(old, "rb") as first, open(new, "rb") as second:
        while size > 0:
            block = first.read(min(size, 1 << 20))
            if not block or block != second.read(len(block)):
                return False
            size -= len(block)
    return True


def window_folder(cache_dir: Path, max_age_seconds: float) -> Path:
    """``<cache_dir>/windows``, with window files older than ``max_age_seconds`` pruned."""
    folder = Path(cache_dir) / "windows"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise cache_write_error(folder, error) from None
    limit = time.time() - max_age_seconds
    for old in folder.iterdir():
        try:
            if old.stat().st_mtime < limit:
                old.unlink()
        except OSError:
            pass
    return folder
