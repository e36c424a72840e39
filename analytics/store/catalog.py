"""The store's catalogue: which pieces of which files are stored, and whether a file still
holds them. Imports neither pandas nor pyarrow, so a command can plan its load (and start
parsing what is new) before those slow imports.

Layout::

    <store>/manifest.json      {"format", "files": {path: entry}}: the only index; written last
    <store>/pieces/p-<id>/     one parsed piece (analytics.store.frames): a table per file
    <store>/pieces/tmp-<id>/   a piece being written (renamed to p-<id> when complete)
    <store>/.lock              held while the manifest is read, changed and replaced

Crash safety: a piece is written under a temporary name and renamed when complete; the
manifest is written to a temporary file, fsynced and renamed over the old one (os.replace
is atomic), so a SIGKILL at any moment leaves either the old manifest or the new one, each
naming only complete pieces. Pieces no manifest names are removed later. A piece that
cannot be read (damaged, deleted) only means its file is parsed again.

A file's entry holds its identity when stored (device, inode, size, mtime) and, for each
stored segment (a byte range of whole lines), CRC-32 probes of its bytes. A file that is
the same is read from the store; one that grew with its stored bytes unchanged (appended
to: a CloudWatch export, ``lexlens pull`` output, a log being written) has only the new
part parsed; anything else (replaced, truncated, edited) is parsed again whole.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import time
import uuid
import zlib
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Optional

from lexlens import __version__
from lexlens.analytics.errors import LexlensError

STORE_FORMAT = 1
MANIFEST = "manifest.json"
PIECES = "pieces"
PROBE_BYTES = 64 << 10  # the first and the last 64 KiB of a stored range are compared whole
PROBE_BLOCKS = 8  # and 8 blocks of 4 KiB spread between them
BLOCK_BYTES = 4 << 10
MAX_SEGMENTS = 16  # a file appended to more often than this is stored again as one piece
ORPHAN_AGE_S = 3600  # an unnamed piece this old is left over from a killed run: removed


class StoreError(LexlensError):
    """The store folder cannot be used (not a folder, not writable)."""


def default_store_dir() -> Path:
    """``LEXLENS_STORE_DIR``, else ``<user cache dir>/lexlens/store`` (XDG_CACHE_HOME or
    ~/.cache on Linux, Library/Caches on macOS, LOCALAPPDATA on Windows)."""
    if os.environ.get("LEXLENS_STORE_DIR"):
        return Path(os.environ["LEXLENS_STORE_DIR"]).expanduser()
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local")) / "lexlens" / "Cache" / "store"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "lexlens" / "store"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "lexlens" / "store"


@lru_cache(maxsize=1)
def parser_fingerprint() -> str:
    """What the stored tables depend on: lexlens's version, the store format and the source
    of the parser and the schema. A store written by another parser is not read."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(f"{__version__}/{STORE_FORMAT}".encode())
    for path in sorted([root / "schema.py", *(root / "ingest").glob("*.py"), *(root / "sources").glob("*.py")]):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass
class Segment:
    """A stored piece: the lines of the file starting in [start, end)."""

    piece: str
    start: int
    end: int
    lines: int  # physical lines in [start, end)
    closed: bool  # the range ends with a line break (a file growing past it adds whole lines)
    probe: list[int] = field(default_factory=list)


@dataclass
class FileEntry:
    device: int
    inode: int
    size: int
    mtime_ns: int
    limits: list
    parser: str
    segments: list[Segment] = field(default_factory=list)

    @classmethod
    def from_json(cls, raw: dict) -> "FileEntry":
        return cls(**{**raw, "segments": [Segment(**segment) for segment in raw["segments"]]})


@dataclass
class FilePlan:
    """How one file of a load is read: stored segments, then (maybe) a piece to parse from
    byte ``parse_from`` (None: nothing new)."""

    path: Path
    stat: os.stat_result
    segments: list[Segment]
    parse_from: Optional[int]
    lines_before: int = 0
    why: str = ""  # "stored", "appended", "new", "changed", "truncated"


def probe_offsets(end: int) -> list[tuple[int, int]]:
    """(offset, length) of the probed ranges of [0, end)."""
    if end <= 2 * PROBE_BYTES:
        return [(0, end)]
    ranges = [(0, PROBE_BYTES), (end - PROBE_BYTES, PROBE_BYTES)]
    step = (end - 2 * PROBE_BYTES) // (PROBE_BLOCKS + 1)
    ranges += [(PROBE_BYTES + step * (i + 1), BLOCK_BYTES) for i in range(PROBE_BLOCKS)]
    return ranges


def probe(path: Path, end: int) -> list[int]:
    """CRC-32 of the probed ranges of the file's first ``end`` bytes."""
    sums = []
    with open(path, "rb") as handle:
        for offset, length in probe_offsets(end):
            handle.seek(offset)
            sums.append(zlib.crc32(handle.read(length)))
    return sums


def ends_with_break(path: Path, end: int) -> bool:
    if end == 0:
        return True
    with open(path, "rb") as handle:
        handle.seek(end - 1)
        return handle.read(1) in (b"\n", b"\r")


STORE_NAMES = (MANIFEST, PIECES, ".lock", "outputs", "values")  # and scores-*.arrow, temporary files


def foreign_files(root: Path) -> bool:
    """Whether ``root`` is a folder holding files that are not a store's while no store's
    manifest is there (a folder with a manifest is a store, whatever else it holds)."""
    try:
        names = [entry.name for entry in os.scandir(root)]
    except OSError:  # missing, or not a folder: mkdir says why
        return False
    if MANIFEST in names:
        return False
    return any(name not in STORE_NAMES and not name.startswith((f"{MANIFEST}.tmp-", "scores-")) for name in names)


class Store:
    """A store folder (see the module docstring)."""

    def __init__(self, root: Path):
        self.root = Path(root).expanduser()
        self.fingerprint = parser_fingerprint()

    @property
    def pieces(self) -> Path:
        return self.root / PIECES

    def ensure(self) -> None:
        """Make the store's folders. A folder that holds other files and no store is not
        used (``--store-dir ~`` or a project folder by mistake): the store would scatter its
        files among someone's own, and ``lexlens store clear`` would leave it a mess."""
        if foreign_files(self.root):
            raise StoreError(f"cannot use the store folder {self.root}: it holds other files and no lexlens "
                             "store (choose a new or empty folder with --store-dir, or turn it off with "
                             "--no-store).")
        try:  # the tables hold end users' words: a new store is its owner's alone
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
            self.pieces.mkdir(mode=0o700, exist_ok=True)
        except OSError as error:
            raise StoreError(f"cannot use the store folder {self.root}: {error.strerror or error} "
                             "(choose another with --store-dir, or turn it off with --no-store).") from None

    def read_manifest(self) -> dict[str, FileEntry]:
        """The stored files by path; an unreadable or foreign manifest is an empty store."""
        try:
            raw = json.loads((self.root / MANIFEST).read_text(encoding="utf-8"))
            if raw.get("format") != STORE_FORMAT:
                return {}
            return {path: FileEntry.from_json(entry) for path, entry in raw["files"].items()}
        except (OSError, ValueError, KeyError, TypeError):
            return {}

    def write_manifest(self, files: dict[str, FileEntry]) -> None:
        """Replace the manifest atomically (temporary file, fsync, rename)."""
        temporary = self.root / f"{MANIFEST}.tmp-{uuid.uuid4().hex}"
        body = json.dumps({"format": STORE_FORMAT,
                           "files": {path: asdict(entry) for path, entry in files.items()}})
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.root / MANIFEST)

    @contextlib.contextmanager
    def locked(self):
        """Hold the store's lock (POSIX flock; elsewhere, none) while the manifest changes."""
        self.ensure()
        with open(self.root / ".lock", "a+") as handle:
            try:
                import fcntl

                fcntl.flock(handle, fcntl.LOCK_EX)
            except ImportError:  # Windows: two loads at once may each keep their own pieces
                pass
            yield

    def plan(self, path: Path, entry: Optional[FileEntry], limits: list) -> FilePlan:
        """How to read ``path`` given its stored ``entry`` (None: not stored)."""
        stat = path.stat()
        if entry is None or entry.parser != self.fingerprint or entry.limits != limits or not entry.segments:
            return FilePlan(path, stat, [], 0, why="new")
        stored_end = entry.segments[-1].end
        if (stat.st_dev, stat.st_ino) != (entry.device, entry.inode):
            return FilePlan(path, stat, [], 0, why="changed")
        if stat.st_size < stored_end:
            return FilePlan(path, stat, [], 0, why="truncated")
        if probe(path, stored_end) != entry.segments[-1].probe:
            return FilePlan(path, stat, [], 0, why="changed")
        if stat.st_size == stored_end:
            return FilePlan(path, stat, list(entry.segments), None, why="stored")
        if not entry.segments[-1].closed:  # its last line went on: read again whole
            return FilePlan(path, stat, [], 0, why="changed")
        lines = sum(segment.lines for segment in entry.segments)
        return FilePlan(path, stat, list(entry.segments), stored_end, lines, why="appended")

    def new_piece_folder(self) -> Path:
        self.ensure()
        folder = self.pieces / f"tmp-{uuid.uuid4().hex}"
        folder.mkdir()
        return folder

    def record(self, changes: dict[str, FileEntry], written: list[Path]) -> None:
        """Under the lock: rename the ``written`` pieces (complete, under temporary names) to the
        names ``changes`` gives them, put ``changes`` into the manifest, forget files that no
        longer exist, and remove the pieces no entry names any more."""
        with self.locked():
            for folder in written:
                os.replace(folder, self.pieces / piece_name(folder))
            files = self.read_manifest()
            files.update(changes)
            # a file that is gone (a pruned CloudWatch window, a deleted export) takes its pieces along
            files = {path: entry for path, entry in files.items() if path in changes or Path(path).exists()}
            self.write_manifest(files)
            self.remove_orphans(files)

    def remove_orphans(self, files: dict[str, FileEntry], age_s: float = ORPHAN_AGE_S) -> int:
        """Remove pieces no entry names: a replaced piece at once, a half-written one (from a
        killed run, or another run still writing) once it is ``age_s`` old."""
        named = {segment.piece for entry in files.values() for segment in entry.segments}
        removed, now = 0, time.time()
        for folder in self.pieces.iterdir() if self.pieces.is_dir() else []:
            if folder.name in named:
                continue
            try:
                old = now - folder.stat().st_mtime > age_s
            except OSError:
                continue
            if folder.name.startswith("p-") or old:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        return removed


def piece_name(folder: Path) -> str:
    """The name a piece written in the temporary ``folder`` gets once it is complete."""
    return "p-" + folder.name.removeprefix("tmp-")


def entry_for(plan: FilePlan, segments: list[Segment], limits: list, fingerprint: str) -> FileEntry:
    stat = plan.stat
    return FileEntry(stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, limits, fingerprint, segments)


STORE_SWITCH_VAR = "LEXLENS_STORE"  # "0": no store (lexlens serve --no-store passes it on)


def store_from_environment() -> Optional[Store]:
    """The store the environment names (LEXLENS_STORE_DIR, else the user cache), or None
    when LEXLENS_STORE is 0."""
    if os.environ.get(STORE_SWITCH_VAR, "1") == "0":
        return None
    return Store(default_store_dir())
