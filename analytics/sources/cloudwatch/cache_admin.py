"""What the CloudWatch cache (``analytics.sources.cloudwatch.cache``) holds, and emptying it:
``lexlens cache info`` and ``lexlens cache clear``. Both say what is true: a path that is not
a folder, a folder that does not exist, slices damaged on disk, files that could not be
deleted.
"""
from __future__ import annotations

import contextlib
import json
import shutil
import sys
from pathlib import Path

from lexlens.analytics.sources.cloudwatch.cache import CACHE_VERSION, CacheError, read_manifest


def list_namespaces(cache_dir: Path) -> list[tuple[Path, dict]]:
    """``(folder, namespace dict)`` for every namespace in the cache."""
    root = Path(cache_dir) / CACHE_VERSION
    found = []
    for meta in sorted(root.glob("*/namespace.json")):
        try:
            found.append((meta.parent, json.loads(meta.read_bytes())))
        except (OSError, ValueError):
            continue
    return found


def summarize_namespace(folder: Path, namespace: dict) -> dict:
    """Slices, events, bytes and covered span of one namespace (valid slices only), and how
    many slices are ``damaged`` (their data is not what their manifest says: fetched again)."""
    manifests, damaged = [], 0
    for manifest in folder.glob("*-*.json"):
        start, _, end = manifest.name[: -len(".json")].partition("-")
        if start.isdigit() and end.isdigit():
            info = read_manifest(folder, int(start), int(end))
            if info:
                manifests.append(info)
            else:
                damaged += 1
    size = sum(path.stat().st_size for path in folder.iterdir() if path.is_file())
    return {
        **namespace, "folder": str(folder), "slices": len(manifests), "damaged_slices": damaged,
        "complete_slices": sum(1 for info in manifests if info["complete"]),
        "events": sum(info["events"] for info in manifests), "bytes": size,
        "first": min((info["start"] for info in manifests), default=None),
        "last": max((info["end"] for info in manifests), default=None),
    }


def check_cache_dir(cache_dir: Path) -> bool:
    """Whether the cache folder exists; CacheError when the path is something else."""
    path = Path(cache_dir)
    if path.exists() and not path.is_dir():
        raise CacheError(f"{path} is not a folder: pass --cache-dir with the cache's folder.")
    return path.is_dir()


def tree_bytes(path: Path) -> int:
    """Bytes of the files under ``path`` (0 when it is gone)."""
    total = 0
    for file in path.rglob("*") if path.is_dir() else ():
        with contextlib.suppress(OSError):
            total += file.stat().st_size if file.is_file() else 0
    return total


def remove_tree(path: Path, problems: list[str]) -> None:
    """Delete ``path``, noting each file or folder that could not be deleted in ``problems``."""
    def note(function, name, error) -> None:
        error = error if isinstance(error, BaseException) else error[1]
        problems.append(f"{name} ({getattr(error, 'strerror', None) or error})")

    if sys.version_info >= (3, 12):
        shutil.rmtree(path, onexc=note)
    else:
        shutil.rmtree(path, onerror=note)


def clear_namespaces(cache_dir: Path, log_group: str | None = None) -> tuple[int, int, list[str]]:
    """Delete cached namespaces (all, or one log group's) and window files: ``(folders
    deleted, bytes freed, what could not be deleted)``."""
    folders, freed, problems = 0, 0, []
    targets = [folder for folder, namespace in list_namespaces(cache_dir)
               if log_group is None or namespace.get("log_group") == log_group]
    windows = Path(cache_dir) / "windows"
    if log_group is None and windows.is_dir():
        targets.append(windows)
    insights = Path(cache_dir) / "insights"  # Logs Insights answers (analytics.insights.cache), any group
    if insights.is_dir():
        targets.append(insights)
    for target in targets:
        before = tree_bytes(target)
        remove_tree(target, problems)
        freed += before - tree_bytes(target)
        folders += target not in (windows, insights) and not target.exists()
    return folders, freed, problems


def cache_status(cache_dir) -> dict:
    """``{"cache_dir", "exists", "bytes", "namespaces": [{log_group, region, endpoint, account,
    filter_pattern, slices, complete_slices, events, bytes, first, last, folder}]}`` (first/last
    in epoch ms; a slice damaged on disk counts as absent). CacheError when the path is not a
    folder or cannot be read."""
    root = Path(cache_dir)
    exists = check_cache_dir(root)
    try:
        namespaces = [summarize_namespace(folder, meta) for folder, meta in list_namespaces(root)]
    except OSError as error:
        raise CacheError(f"Cannot read the CloudWatch cache at {root} ({error.strerror or error}).") from None
    return {"cache_dir": str(root), "exists": exists, "bytes": tree_bytes(root), "namespaces": namespaces}


def clear_cache(cache_dir, log_group: str | None = None) -> dict:
    """Delete the cache (or one log group's part of it): ``{"exists", "namespaces": n deleted,
    "bytes": freed, "problems": [what could not be deleted]}``."""
    exists = check_cache_dir(Path(cache_dir))
    folders, freed, problems = clear_namespaces(Path(cache_dir), log_group) if exists else (0, 0, [])
    return {"exists": exists, "namespaces": folders, "bytes": freed, "problems": problems}
