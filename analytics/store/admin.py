"""What a store holds, and emptying it (``lexlens store info|clear``)."""
from __future__ import annotations

import contextlib
from pathlib import Path

from lexlens.analytics.store.catalog import MANIFEST, Store, foreign_files
from lexlens.analytics.store.kept_values import values_of


def describe_store(store: Store) -> dict:
    """What the store holds: its folder, files, pieces and bytes, and each stored file."""
    files = store.read_manifest() if store.root.is_dir() else {}
    pieces = [folder for folder in store.pieces.iterdir()] if store.pieces.is_dir() else []
    scores = list(store.root.glob("scores-*.arrow")) if store.root.is_dir() else []
    values = values_of(store)
    size = sum(path.stat().st_size for folder in pieces for path in folder.iterdir() if path.is_file())
    size += sum(path.stat().st_size for path in [*scores, *values])
    current = {path: entry for path, entry in files.items() if entry.parser == store.fingerprint}
    return {"store_dir": str(store.root), "exists": store.root.is_dir(), "files": len(files),
            "current_files": len(current), "pieces": len(pieces), "bytes": size, "score_files": len(scores),
            "kept_values": len(values),
            "stored": [{"path": path, "bytes": entry.segments[-1].end if entry.segments else 0,
                        "segments": len(entry.segments), "current": entry.parser == store.fingerprint,
                        "present": Path(path).exists()} for path, entry in sorted(files.items())]}


def clear_store(store: Store) -> dict:
    """Remove every stored piece and the manifest (under the lock); what was removed."""
    before = describe_store(store)
    if not before["exists"] or foreign_files(store.root):  # not a store: nothing of ours to remove
        return {**before, "exists": False}
    with store.locked():
        for path in [store.root / MANIFEST, *store.root.glob("scores-*.arrow"), *store.root.glob("outputs/*.txt"),
                     *values_of(store)]:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        store.remove_orphans({}, age_s=0)
    return before
