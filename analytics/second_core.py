"""When lexlens forks a second process beside its own: the report's split
(``analytics.report.two_cores``) and the store's write beside the report
(``analytics.store.aside``). Both need Linux's fork and two cores, and both are worth it only
from MIN_TURNS. Above LARGE_TURNS the child must hold little memory of its own: the pages it
un-shares and the temporaries of parts run side by side add up (5M records: the tree's peak
was 6.3 GiB with the outcomes in the child). Before forking, and after a load, the C heap's free
pages go back to the system (``release_freed_memory``)."""
from __future__ import annotations

import functools
import os
import sys

MIN_TURNS = 20_000  # below this, forking costs more than it saves
LARGE_TURNS = 2_000_000


def second_core_available() -> bool:
    return sys.platform == "linux" and hasattr(os, "fork") and (os.cpu_count() or 1) >= 2


def release_freed_memory() -> None:
    """Give the C heap's free pages back to the system (glibc's ``malloc_trim``). A load frees
    hundreds of MB of temporary arrays between the Python objects it keeps, and glibc holds
    such pages for reuse: after a 1M-record load the process kept 904 MiB resident, 620 MiB once
    trimmed, and the report's forked child shares what is resident at the fork. Elsewhere than
    glibc, nothing happens."""
    trim = getattr(_libc(), "malloc_trim", None)
    if trim is not None:
        trim(0)


@functools.lru_cache(maxsize=1)
def _libc():
    if sys.platform != "linux":
        return None
    import ctypes

    try:
        return ctypes.CDLL(None)
    except OSError:
        return None
