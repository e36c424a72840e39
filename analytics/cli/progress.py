"""A progress bar on stderr for long loads; silent when stderr is not a terminal."""
from __future__ import annotations

import sys
import time
from typing import Callable, Optional, TextIO


def make_byte_progress(label: str = "reading", stream: Optional[TextIO] = None,
                       min_interval_s: float = 0.1) -> Optional[Callable[[int, int], None]]:
    """A callback(done_bytes, total_bytes) drawing a bar, or None when not on a terminal."""
    stream = stream or sys.stderr
    if not stream.isatty():
        return None
    last = [0.0]

    def draw(done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - last[0] < min_interval_s:
            return
        last[0] = now
        fraction = done / total if total else 1.0
        filled = int(fraction * 30)
        stream.write(f"\r{label} [{'#' * filled}{'.' * (30 - filled)}] {fraction:6.1%} "
                     f"{done / 1e6:,.1f}/{total / 1e6:,.1f} MB")
        if done >= total:
            stream.write("\n")
        stream.flush()

    return draw
