"""Load Lex V2 conversation logs into the tidy tables of ``analytics.schema``.

Every line read ends as exactly one of: accepted; blank (skipped); duplicate (a
record with the same ``sessionId`` and ``requestId`` was already accepted); or
rejected, with its file, line number and a reason. One bad line never stops a load.
"""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence, Union

import numpy as np
import pandas as pd

from lexlens.analytics.ingest.columns import session_keys
from lexlens.analytics.ingest.line_loader import LineLoader
from lexlens.analytics.ingest.native import PendingScan, use_native
from lexlens.analytics.ingest.pieces import parse_pieces
from lexlens.analytics.ingest.server_responses import finish_responses
from lexlens.analytics.ingest.stacking import renumber_turns, stack_parts
from lexlens.analytics.ingest.text_codes import settle_tables
from lexlens.analytics.second_core import release_freed_memory
from lexlens.analytics.schema import LogData
from lexlens.analytics.sources.files import Piece, default_workers, find_log_files, unit_bytes_for
from lexlens.analytics.sources.limits import ReadLimits, limits_from_environment

Progress = Callable[[int, int], None]  # (bytes read, bytes in all)


DEFINITIONS = {  # the user-facing text of the load's line accounting: README, dashboard and --help use it
    "Lines": ("Every line read is accepted (a record), skipped as blank, counted as a duplicate, or "
              "rejected with its file, line number and reason."),
    "Duplicate": ("A record whose (`sessionId`, `requestId`) was already loaded (a file or CloudWatch "
                  "slice read twice; for a server response, also the same `responseReason` and "
                  "time); counted once."),
    "Rejected line": ("A line that is not a Lex V2 conversation-log record (not JSON, a Lex V1 or "
                      "Lambda event, a time outside Lex V2's years, too long or too deeply nested, "
                      "...); listed with its file, line and reason, and never stops the load."),
}


def repeated_hashes(texts: np.ndarray) -> np.ndarray:
    """True where a text's hash occurs more than once: every repeated text, and rarely a text
    sharing its hash with another (the caller compares texts). Equal texts have equal hashes;
    ints are duplicated in a tenth of the time of objects (0.03 against 0.3-0.5 s a million)."""
    hashes = np.fromiter(map(hash, texts), dtype=np.int64, count=len(texts))
    return pd.Series(hashes).duplicated(keep=False).to_numpy()


def drop_duplicate_turns(data: LogData) -> LogData:
    """Keep the first of the turns sharing (session_id, request_id); count the rest."""
    turns = data.turns
    if turns.empty:
        return data
    # only turns whose request id occurs twice can repeat: compare pairs for those alone
    request_ids = turns["request_id"].to_numpy(dtype=object)
    candidates = np.flatnonzero(repeated_hashes(request_ids) & (request_ids != ""))
    repeated = np.zeros(len(turns), dtype=bool)
    if len(candidates):
        pairs = turns[["session_id", "request_id"]].iloc[candidates]
        repeated[candidates[pairs.duplicated().to_numpy()]] = True
    count = int(repeated.sum())
    if not count:
        return data
    data.report.duplicates += count
    kept = data.with_turns(turns[~repeated])
    return renumber_turns(kept)


def sort_by_time(data: LogData) -> LogData:
    """Turns in time order (stable), numbered 0..n-1 in that order."""
    turns = data.turns
    if turns["time"].is_monotonic_increasing:
        return data
    order = np.argsort(turns["time"].array.asi8, kind="stable")  # ints: no Timestamp objects
    return renumber_turns(data.with_tables(turns.iloc[order]))


def load_lines(lines: Iterable[Union[bytes, str]], source: str = "<lines>") -> LogData:
    """Load lines of any supported shape (see ``analytics.ingest.records``)."""
    loader = LineLoader()
    for line_no, line in enumerate(lines, start=1):
        loader.feed(source, line_no, line)
    return finish_load(LogData(**loader.tables(), report=loader.report))


def combine_pieces(parts: list[LogData]) -> LogData:
    """Parts of one load (pieces in file and byte order) as one LogData; duplicates not yet
    dropped and session keys not yet given (``finish_load`` does both)."""
    return stack_parts(parts)


def finish_load(data: LogData) -> LogData:
    """Repeated records dropped and counted, turns and server responses in time order, one
    session key per session across both (numbered in the order of the sessions' first turns,
    so a load finished from parts, a stored finished part and a new one, numbers them as
    a load of the whole does), ``accepted`` set."""
    responses = data.server_responses  # keyed below, once the turns have their final keys
    data = sort_by_time(drop_duplicate_turns(replace(data, server_responses=responses.head(0))))
    data.turns["session_key"] = session_keys(data.turns)
    responses, repeats = finish_responses(responses, data.turns)
    data = replace(data, server_responses=responses)
    data.report.duplicates += repeats
    data.report.accepted = len(data.turns) + len(responses)
    return settle_tables(data)  # the scanned rows' text codes, now in the final order, for the store's writer


def load_records(records: Iterable[dict], source: str = "<records>") -> LogData:
    """Load raw Lex V2 record dicts (as decoded JSON); handy for tests and generators."""
    return load_lines((json.dumps(record) for record in records), source)


def load_logs(paths: Sequence[Union[str, Path]], progress: Optional[Progress] = None,
              workers: Optional[int] = None, native: Optional[bool] = None,
              pending: Optional[PendingScan] = None, limits: Optional[ReadLimits] = None) -> LogData:
    """Load every file named and every file under every folder named.

    Large plain files are cut into byte ranges parsed on all cores (``workers``,
    default the CPU count). ``native``: read canonical lines of plain files with the C
    scanner (``analytics.ingest.native``); None means when it is built. ``pending``: the scan
    ``analytics.ingest.native.start_scan(paths)`` began earlier, if any. ``limits``: how much to
    read (``analytics.sources.limits``; default from the environment). Raises LexlensError
    (one sentence) for a missing or unreadable path or a bad limit.
    """
    native = use_native(native)
    limits = limits or limits_from_environment()
    files = find_log_files(paths)
    workers = default_workers(workers)
    unit_bytes = unit_bytes_for(files, workers)
    if not (pending is not None and native and pending.paths == [str(path) for path in paths]
            and pending.limits == limits):
        pending = None
    parts = parse_pieces([Piece(file) for file in files], unit_bytes, workers, native, limits,
                         progress, pending)
    data = combine_pieces([part for part, _ in parts])
    data.report.files = [str(file) for file in files]
    del parts
    finished = finish_load(data)
    del data
    release_freed_memory()
    return finished
