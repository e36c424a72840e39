"""VADER scores kept in the store: a text scored once is never scored again, in any run that
uses the same store (scoring is most of a report's time on a million records). One Arrow file
per VADER version and scoring rule; replaced atomically, under the store's lock."""
from __future__ import annotations

import os
import uuid
from importlib import metadata
from pathlib import Path

from lexlens.analytics.store.catalog import Store, StoreError


def scores_path(store: Store) -> Path:
    from lexlens.analytics.metrics.sentiment import VADER_MAX_CHARS

    try:
        version = metadata.version("vaderSentiment")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return store.root / f"vader-{version}-{VADER_MAX_CHARS}.arrow"


def read_scores(path: Path) -> dict:
    import pyarrow as pa

    try:
        with pa.memory_map(str(path), "r") as source:
            table = pa.ipc.open_file(source).read_all()
        return dict(zip(table.column("text").to_pylist(), table.column("compound").to_pylist()))
    except (OSError, ValueError, KeyError, pa.ArrowException):
        return {}  # none yet, or damaged: scored again


def write_scores(path: Path, scores: dict) -> None:
    import pyarrow as pa

    table = pa.table({"text": pa.array(list(scores), pa.string()),
                      "compound": pa.array(list(scores.values()), pa.float64())})
    temporary = path.with_name(f"{path.name}.tmp-{uuid.uuid4().hex}")
    with pa.OSFile(str(temporary), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    os.replace(temporary, path)


def stored_memo(store: Store):
    """A ScoreMemo knowing the store's scores, which adds what it learns to the store (a
    failure to write only means scoring those texts again next time)."""
    from lexlens.analytics.metrics.sentiment import ScoreMemo

    path = scores_path(store)

    def save(learned: dict) -> None:
        try:
            with store.locked():
                write_scores(path, {**read_scores(path), **learned})
        except (OSError, StoreError):
            pass

    return ScoreMemo(read_scores(path), save)


def share_with_process(store: Store) -> None:
    """This process's memo (the dashboard's) knows the store's scores and adds to them."""
    from lexlens.analytics.metrics import sentiment

    stored = stored_memo(store)
    sentiment.PROCESS_MEMO.known.update(stored.known)
    sentiment.PROCESS_MEMO.save = stored.save
