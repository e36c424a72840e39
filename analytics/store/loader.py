"""Loading through the store: each file's stored pieces are read, only what is new is parsed
(a new or changed file whole, an appended file from where its stored part ends), and the
parts are combined and finished exactly as ``analytics.ingest.loading.load_logs`` does, so
the tables and the line accounting are the same with or without the store.

Duplicates are dropped after the parts are combined, so a record in a stored part and again
in a new part counts once. A load that a read limit could cut (``analytics.sources.limits``)
does not use the store: the limit's cut depends on the whole load.
"""
from __future__ import annotations
# Planning and starting the scan import no pandas (nor anything that does): a command starts
# parsing what is new first, and imports the table code while the scanner runs.

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence, Union

from lexlens.analytics.ingest.native import PendingScan, start_units, use_native
from lexlens.analytics.sources.files import Piece, default_workers, find_log_files, piece_units, scannable, unit_bytes_for
from lexlens.analytics.sources.limits import ReadLimits, limits_from_environment
from lexlens.analytics.store.catalog import (MAX_SEGMENTS, FilePlan, Segment, Store, StoreError,
                                             ends_with_break, entry_for, piece_name, probe)

if TYPE_CHECKING:
    from lexlens.analytics.schema import LogData


@dataclass
class StoreUse:
    """What one load took from the store and what it parsed."""

    used: bool = False
    files: dict[str, int] = field(default_factory=dict)  # why (stored, appended, new, ...) -> files
    bytes_parsed: int = 0
    bytes_from_store: int = 0
    saved_pieces: int = 0
    note: str = ""
    writer: Optional[Any] = None  # an analytics.store.aside.AsideWrite still running

    def finish_writing(self) -> None:
        """Wait for a write running beside the report (``load_logs_stored(aside=True)``)."""
        if self.writer is not None:
            self.saved_pieces, self.note = self.writer.wait()
            self.writer = None

    def describe(self) -> str:
        if not self.used:
            return f"store: not used ({self.note})" if self.note else "store: not used"
        counts = ", ".join(f"{count} {why}" for why, count in sorted(self.files.items()))
        return (f"store: {counts} file(s); {self.bytes_from_store / 1e6:,.1f} MB from the store, "
                f"{self.bytes_parsed / 1e6:,.1f} MB parsed")


@dataclass
class StoredLoad:
    """A load planned against the store (no tables read yet): what ``start_stored_scan``
    hands to ``load_logs_stored`` so that parsing starts before pandas is imported."""

    files: list[Path]
    plans: list[FilePlan]
    limits: ReadLimits
    workers: int
    unit_bytes: int
    pending: Optional[PendingScan] = None


def limit_key(limits: ReadLimits) -> list:
    return [limits.line_bytes, limits.file_bytes, limits.load_bytes]


def within_limits(files: list[Path], limits: ReadLimits) -> bool:
    sizes = [file.stat().st_size for file in files]
    return all(size <= limits.file_bytes for size in sizes) and sum(sizes) <= limits.load_bytes


def plan_stored_load(store: Store, paths: Sequence[Union[str, Path]], limits: ReadLimits,
                     workers: Optional[int] = None) -> Optional[StoredLoad]:
    """The plan of a load through ``store``; None when the store does not apply (a read limit
    could cut the load). Raises LexlensError for a missing path."""
    files = find_log_files(paths)
    if not within_limits(files, limits):
        return None
    entries = store.read_manifest()
    plans = [store.plan(file, entries.get(str(file.resolve())), limit_key(limits)) for file in files]
    workers = default_workers(workers)
    return StoredLoad(files, plans, limits, workers, unit_bytes_for(files, workers))


def pieces_of(plans: list[FilePlan]) -> list[Piece]:
    return [Piece(plan.path, plan.parse_from, plan.lines_before) for plan in plans if plan.parse_from is not None]


def start_stored_scan(store: Store, paths, workers: Optional[int] = None) -> Optional[StoredLoad]:
    """Plan the load and start the C scanner on what is new, in threads, so parsing overlaps
    the imports that follow; None when that does not apply (``load_logs_stored`` then plans
    again and reports any error)."""
    try:
        if not paths or not use_native(None):
            return None
        limits = limits_from_environment()
        planned = plan_stored_load(store, paths, limits, workers)
        return None if planned is None else start_scanning(planned)
    except Exception:  # noqa: BLE001 - an early start is only a speed-up; the load says what is wrong
        return None


def start_scanning(planned: StoredLoad, paths=()) -> StoredLoad:
    """Start the C scanner, in threads, on the pieces ``planned`` parses (when it can read them all)."""
    units = [unit for piece in pieces_of(planned.plans)
             for unit in piece_units(piece, planned.unit_bytes, planned.limits.file_bytes)]
    if units and all(scannable(unit) for unit in units):
        planned.pending = start_units(units, min(planned.workers, len(units)), planned.limits, paths)
    return planned


def start_unstored_scan(paths, workers: Optional[int] = None) -> Optional[StoredLoad]:
    """``start_stored_scan`` for a load without the store (--no-store): every file parsed."""
    try:
        if not paths or not use_native(None):
            return None
        limits = limits_from_environment()
        files = find_log_files(paths)
        workers = default_workers(workers)
        planned = StoredLoad(files, [FilePlan(file, file.stat(), [], 0, why="new") for file in files], limits,
                             workers, unit_bytes_for(files, workers))
        return start_scanning(planned, paths)  # load_logs takes the scan of exactly these paths
    except Exception:  # noqa: BLE001 - an early start is only a speed-up; the load says what is wrong
        return None


def load_logs_stored(paths: Sequence[Union[str, Path]], store: Optional[Store],
                     progress: Optional[Callable[[int, int], None]] = None, workers: Optional[int] = None,
                     native: Optional[bool] = None, limits: Optional[ReadLimits] = None,
                     planned: Optional[StoredLoad] = None, aside: bool = False) -> tuple["LogData", StoreUse]:
    """``load_logs(paths)`` through ``store`` (None: without it), and what the store gave.
    ``aside``: new pieces may be written by a forked child (``analytics.store.aside``) while the
    caller goes on; it then calls ``use.finish_writing()`` before it ends."""
    from lexlens.analytics.ingest.loading import combine_pieces, finish_load, load_logs
    from lexlens.analytics.ingest.pieces import parse_pieces
    from lexlens.analytics.ingest.text_codes import forget as forget_text_codes
    from lexlens.analytics.second_core import release_freed_memory

    if store is None:
        pending = planned.pending if planned is not None and planned.limits == (limits or limits_from_environment()) \
            else None
        data = load_logs(paths, progress, workers, native, limits=limits, pending=pending)
        return data, StoreUse(note="--no-store")
    native = use_native(native)
    limits = limits or limits_from_environment()
    if planned is None or planned.limits != limits:
        planned = plan_stored_load(store, paths, limits, workers)
    if planned is None:
        return (load_logs(paths, progress, workers, native, limits=limits),
                StoreUse(note="a read limit could cut this load"))
    stored, pending = read_stored(store, planned.plans), planned.pending
    if any(parts is None for parts in stored):  # a damaged piece: that file is parsed whole
        pending = None
        planned.plans = [plan if parts is not None else FilePlan(plan.path, plan.stat, [], 0, why="new")
                         for plan, parts in zip(planned.plans, stored)]
        stored = [parts or [] for parts in stored]
    pieces = pieces_of(planned.plans)
    parsed = parse_pieces(pieces, planned.unit_bytes, planned.workers, native, limits, progress, pending,
                          text_codes=True)
    use = StoreUse(used=True)
    by_file, fresh = [], iter(parsed)
    for plan, parts in zip(planned.plans, stored):
        new = next(fresh) if plan.parse_from is not None else None
        by_file.append((plan, [part for part, _ in parts], new))
        use.files[plan.why] = use.files.get(plan.why, 0) + 1
        use.bytes_parsed += plan.stat.st_size - plan.parse_from if new else 0
        use.bytes_from_store += plan.segments[-1].end if plan.segments else 0
    only = [part for parts in stored for part in parts]
    if not parsed and len(only) == 1 and only[0][1]:  # one finished piece: the load itself
        data = only[0][0]
        data.report.files = [str(file) for file in planned.files]
        return data, use
    data = combine_pieces([part for _, parts, new in by_file for part in [*parts, *([new[0]] if new else [])]])
    data.report.files = [str(file) for file in planned.files]
    finished = finish_load(data)
    whole = finished if len(by_file) == 1 and not by_file[0][1] and by_file[0][0].parse_from == 0 else None
    if whole is not None:  # the parsed tables are not written: let them go before the writing
        (plan, parts, (_, physical)), = by_file
        by_file, parsed, fresh = [(plan, parts, (None, physical))], None, None
    # the stored pieces are kept for the writing only where a file is stacked into one piece again
    by_file = [(plan, parts if new is not None and len(plan.segments) + 1 > MAX_SEGMENTS else [], new)
               for plan, parts, new in by_file]
    data = stored = only = parts = None
    release_freed_memory()  # before the writer is forked: it shares what is resident
    if aside and any(new is not None for _, _, new in by_file):
        from lexlens.analytics.store.aside import worth_writing_aside, write_aside

        if worth_writing_aside(len(finished.turns)):
            use.writer = write_aside(lambda: save_new_pieces(store, by_file, limits, whole))
            if use.writer is not None:
                forget_text_codes()  # the forked writer has its own
                return finished, use
    use.saved_pieces, use.note = save_new_pieces(store, by_file, limits, whole)
    forget_text_codes()
    return finished, use


def read_stored(store: Store, plans: list[FilePlan]) -> list[Optional[list[tuple[LogData, bool]]]]:
    """Each file's stored parts, each with whether it is a finished load (None for a file
    whose pieces cannot be read)."""
    import pyarrow as pa

    from lexlens.analytics.store.frames import read_piece

    result = []
    for plan in plans:
        try:
            result.append([read_piece(store.pieces / segment.piece) for segment in plan.segments])
        except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):
            result.append(None)
    return result


def save_new_pieces(store: Store, by_file: list, limits: ReadLimits,
                    whole: Optional[LogData] = None) -> tuple[int, str]:
    """Write what was parsed as pieces and record them; a file that changed while it was
    read is not recorded (its next load parses it again). ``whole``: the finished load, when
    it is one file parsed whole; it is kept instead of the parsed piece, so the next load of
    that file is this one, not finished again. Returns the pieces written, and why nothing
    could be kept ('' when all was)."""
    from lexlens.analytics.ingest.stacking import stack_parts
    from lexlens.analytics.store.frames import write_piece

    changes, written = {}, []
    try:
        for plan, parts, new in by_file:
            if new is None or changed_since(plan):
                continue
            data, physical = new
            segments = list(plan.segments)
            start = plan.parse_from
            if len(segments) + 1 > MAX_SEGMENTS:  # one piece for the whole file again
                data, start, segments = stack_parts([*parts, data]), 0, []
                physical += plan.lines_before
            folder = store.new_piece_folder()
            if whole is not None:
                write_piece(folder, whole, finished=True)
            else:
                write_piece(folder, data)
            written.append(folder)
            end = plan.stat.st_size
            segments.append(Segment(piece_name(folder), start, end, physical, ends_with_break(plan.path, end),
                                    probe(plan.path, end)))
            changes[str(plan.path.resolve())] = entry_for(plan, segments, limit_key(limits), store.fingerprint)
        if changes:
            store.record(changes, written)
    except StoreError as error:  # this load is still right, only not kept
        return 0, str(error)
    except OSError as error:  # a full disk, a read-only folder
        return 0, f"cannot write the store {store.root}: {error.strerror or error}; nothing was kept."
    return len(written), ""


def changed_since(plan: FilePlan) -> bool:
    try:
        now = plan.path.stat()
    except OSError:
        return True
    return (now.st_size, now.st_mtime_ns) != (plan.stat.st_size, plan.stat.st_mtime_ns)
