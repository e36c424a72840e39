"""``lexlens publish``'s ledger: a durable record of what was sent to CloudWatch, so each value
is sent exactly once however often a publish runs or is killed.

One JSON line per step, flushed and fsync'ed before the next step starts:

- ``planned``: a batch is about to be sent (destination, namespace, period, its groups and the
  anchor data point of each, when it was planned). Written *before* PutMetricData.
- ``sent``: PutMetricData returned success for that batch.
- ``absent``: a batch left ``planned`` by a killed run was read back and is not in CloudWatch.

A batch with ``planned`` and nothing after it is *uncertain*: the run died between the two
lines, before or after CloudWatch took it. The next run reads its anchors back (GetMetricData)
and records ``sent`` or ``absent``. A torn last line (killed mid-write) is ignored: it can only
be a line whose step had not finished. The file is locked while a publish runs.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from lexlens.analytics.errors import LexlensError
from lexlens.analytics.userdirs import user_data_dir


def default_ledger_path() -> Path:
    """``<user data dir>/lexlens/publish-ledger.jsonl``: data, not cache (``cache clear`` keeps it)."""
    return user_data_dir() / "publish-ledger.jsonl"


@dataclass
class PlannedBatch:
    """A batch as the ledger recorded it."""

    batch: str
    destination: str
    namespace: str
    period_s: int
    planned_at: pd.Timestamp
    keys: list  # [(namespace, start_ms, part)]
    anchors: list  # [{"metric", "dimensions", "start_ms"}] one per group
    outcome: str = "planned"  # planned (uncertain), sent or absent


@dataclass
class LedgerState:
    """What the ledger says about one destination."""

    sent: set = field(default_factory=set)
    uncertain: list = field(default_factory=list)
    periods: dict = field(default_factory=dict)  # namespace -> set of periods (s) already sent


def lock_exclusively(descriptor: int) -> None:
    """An exclusive lock on the open ledger (BlockingIOError when held); none where the OS has no flock."""
    try:
        import fcntl
    except ImportError:  # Windows: one publish at a time is then up to the operator
        return
    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)


class Ledger:
    """The ledger file, locked for one run; every line is on disk before the method returns."""

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError as error:
            raise LexlensError(f"Cannot open the publish ledger {self.path}: {error.strerror or error}.",
                               exit_code=2) from None
        try:
            lock_exclusively(descriptor)
        except BlockingIOError:
            os.close(descriptor)
            raise LexlensError(f"Another lexlens publish is using the ledger {self.path}; wait for it to end.",
                               exit_code=2) from None
        self.descriptor = descriptor
        self.end_torn_line()

    def end_torn_line(self) -> None:
        """End a line a killed run left unfinished, so the next record starts on its own line."""
        size = os.fstat(self.descriptor).st_size
        if size and os.pread(self.descriptor, 1, size - 1) != b"\n":
            self.append_bytes(b"\n")

    def close(self) -> None:
        os.close(self.descriptor)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def append(self, record: dict) -> None:
        """Write one line and wait until it is on disk."""
        self.append_bytes((json.dumps(record, ensure_ascii=True, separators=(",", ":")) + "\n").encode())

    def append_bytes(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.descriptor, view):]
        os.fsync(self.descriptor)

    def read_batches(self) -> dict[str, PlannedBatch]:
        """Every batch the ledger knows, by id, with its last recorded outcome."""
        with open(self.path, "rb") as handle:
            lines = handle.read().split(b"\n")
        batches: dict[str, PlannedBatch] = {}
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue  # the torn tail of a killed write, or a blank line
            if record.get("state") == "planned":
                batches[record["batch"]] = PlannedBatch(
                    record["batch"], record["destination"], record["namespace"], int(record["period_s"]),
                    pd.Timestamp(record["planned_at"]), [tuple(key) for key in record["keys"]], record["anchors"])
            elif record.get("batch") in batches and record.get("state") in ("sent", "absent"):
                batches[record["batch"]].outcome = record["state"]
        return batches

    def state(self, destination: str) -> LedgerState:
        """Sent and uncertain groups of ``destination``."""
        state = LedgerState()
        for batch in self.read_batches().values():
            if batch.destination != destination:
                continue
            if batch.outcome == "sent":
                state.sent.update(batch.keys)
                state.periods.setdefault(batch.namespace, set()).add(batch.period_s)
            elif batch.outcome == "planned":
                state.uncertain.append(batch)
                state.periods.setdefault(batch.namespace, set()).add(batch.period_s)
        return state

    def record_planned(self, batch_id: str, destination: str, namespace: str, period_s: int,
                       planned_at: pd.Timestamp, groups) -> None:
        self.append({"state": "planned", "batch": batch_id, "destination": destination, "namespace": namespace,
                     "period_s": period_s, "planned_at": planned_at.isoformat(),
                     "keys": [list(group.key) for group in groups],
                     "anchors": [{"metric": g.anchor.metric, "dimensions": [list(d) for d in g.anchor.dimensions],
                                  "start_ms": g.key[1]} for g in groups]})

    def record_outcome(self, batch_id: str, outcome: str) -> None:
        self.append({"state": outcome, "batch": batch_id})
