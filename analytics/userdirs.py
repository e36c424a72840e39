"""Where lexlens keeps a user's own data (the writer's audit log, the publish ledger): the
platform's user data folder, never the cache (``lexlens cache clear`` must not delete them)."""
from __future__ import annotations

import os
import sys
from pathlib import Path


def user_data_dir() -> Path:
    """``<user data dir>/lexlens``: XDG_DATA_HOME (else ~/.local/share) on Linux, Library/Application
    Support on macOS, LOCALAPPDATA on Windows."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "lexlens"
