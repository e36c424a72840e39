"""Scores kept in the store: a text scored once (by VADER: most of a report's time after
parsing) is never scored again in any run that uses the same store. One Arrow file per
scoring rule (``scoring``: e.g. the VADER version and how many characters it reads), replaced
atomically under the store's lock."""
from __future__ import annotations

import os
import re
import uuid
from pathlib import Path
from typing import Callable

from lexlens.analytics.store.catalog import Store, StoreError


def scores_path(store: Store, scoring: str) -> Path:
    return store.root / f"scores-{re.sub(r'[^A-Za-z0-9._-]', '_', scoring)}.arrow"


def read_scores(path: Path) -> dict:
    import pyarrow as pa

    try:
        with pa.memory_map(str(path), "r") as source:
            table = pa.ipc.open_file(source).read_all()
        return dict(zip(table.column("text").to_pylist(), table.column("score").to_pylist()))
    except (OSError, ValueError, KeyError, pa.ArrowException):
        return {}  # none yet, or damaged: scored again


def write_scores(path: Path, scores: dict) -> None:
    import pyarrow as pa

    table = pa.table({"text": pa.array(list(scores), pa.string()),
                      "score": pa.array(list(scores.values()), pa.float64())})
    temporary = path.with_name(f"{path.name}.tmp-{uuid.uuid4().hex}")
    with pa.OSFile(str(temporary), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    os.replace(temporary, path)


def stored_scores(store: Store, scoring: str) -> tuple[dict, Callable[[dict], None]]:
    """The scores the store knows for ``scoring``, and a function that adds new ones to it (a
    failure to write only means scoring those texts again next time)."""
    path = scores_path(store, scoring)

    def save(learned: dict) -> None:
        try:
            with store.locked():
                write_scores(path, {**read_scores(path), **learned})
        except (OSError, StoreError):
            pass

    return read_scores(path), save
