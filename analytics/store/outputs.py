"""A report kept in the store: the same command on the same stored files, with the same
options, under the same code, prints what it printed before, without reading any table.

The key is everything the output depends on: each file's identity and the stored pieces it
was read from (a file that changed has other pieces), every option as given and the filters
as resolved (``--since 7d`` is another window tomorrow), and a digest of lexlens's analytics
code. Only complete, successful outputs are kept; a run that parses anything, pulls a log
group, masks PII (each run masks with its own secret) or writes files computes as usual.
"""
from __future__ import annotations

import hashlib
import json
import os
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Optional

from lexlens.analytics.store.catalog import FilePlan, Store, StoreError

OUTPUTS = "outputs"
KEEP = 64  # outputs kept per store, the most recently used


@lru_cache(maxsize=None)
def source_digest(folders: tuple[str, ...]) -> str:
    """A digest of every module under these folders of lexlens (``analytics``, ``dashboard``)."""
    root = Path(__file__).resolve().parents[2]
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted((root / folder).rglob("*.py")):
            digest.update(str(path.relative_to(root)).encode() + path.read_bytes())
    return digest.hexdigest()


def code_digest() -> str:
    """A digest of every module of lexlens's analytics: another version computes anew."""
    return source_digest(("analytics",))


def source_key(plans: list[FilePlan], resolved: str) -> Optional[str]:
    """The key of what a report reads: each file's identity and the pieces it was read from,
    and the filters as resolved; None when a file is not wholly in the store."""
    if any(plan.why != "stored" for plan in plans):
        return None
    files = [[str(plan.path.resolve()), plan.stat.st_size, plan.stat.st_mtime_ns, plan.stat.st_ino,
              [segment.piece for segment in plan.segments]] for plan in plans]
    body = json.dumps([code_digest(), files, resolved], sort_keys=True, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def output_key(source: str, options: dict) -> str:
    """The key of an output: its source's key (``source_key``) and every option as given."""
    return hashlib.sha256(json.dumps([source, options], sort_keys=True, default=str).encode()).hexdigest()


def kept_output(store: Store, key: str) -> Optional[str]:
    path = store.root / OUTPUTS / f"{key}.txt"
    try:
        text = path.read_text(encoding="utf-8")
        os.utime(path)  # most recently used
        return text
    except (OSError, UnicodeDecodeError):
        return None


def keep_output(store: Store, key: str, text: str) -> None:
    """Keep ``text`` under ``key`` (atomically); the least recently used beyond KEEP go."""
    folder = store.root / OUTPUTS
    try:
        store.ensure()  # not into a folder of other files
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / f".{key}.{uuid.uuid4().hex}.tmp"
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, folder / f"{key}.txt")
        kept = sorted(folder.glob("*.txt"), key=lambda path: path.stat().st_mtime, reverse=True)
        for old in kept[KEEP:]:
            old.unlink(missing_ok=True)
    except (OSError, StoreError):
        pass  # not kept: the next run computes again
