"""Writing a load's new pieces in a forked process while the report is computed.

A first ``lexlens report`` on a file parses it, then writes the parsed tables to the store
(about 2 s for a million records), then computes the report (about 3.5 s on two cores). The
write needs nothing the report computes, so a child forked after the load writes while the
report runs; the command waits for it before it exits. The child shares the tables with the
report (copy-on-write) and dies with it (``PR_SET_PDEATHSIG``): a report killed mid-way leaves
the store as a killed single process would, its temporary piece unrecorded
(``Store.record`` renames and records under the lock, last).

Only from the CLI (a forked child of the dashboard's multi-threaded server could inherit a lock
another thread holds), and only where ``analytics.second_core`` allows a second process and
the load has MIN_TURNS to LARGE_TURNS turns (beyond, the pages the child un-shares add up).
https://man7.org/linux/man-pages/man2/PR_SET_PDEATHSIG.2const.html
"""
from __future__ import annotations

import os
import pickle
import signal
from typing import Callable, Optional

from lexlens.analytics.second_core import LARGE_TURNS, MIN_TURNS, second_core_available

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
STOPPED = "the store's writer stopped before it finished; nothing new was kept."


def worth_writing_aside(turns: int) -> bool:
    return second_core_available() and MIN_TURNS <= turns <= LARGE_TURNS


def die_with_parent(parent: int) -> None:
    """SIGKILL this process when the one that forked it ends (or exit now if it already has)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent ended before the call above took effect
        os._exit(1)


class AsideWrite:
    """A write running in a forked child; ``wait`` returns what ``write`` returned."""

    def __init__(self, pid: int, reader: int):
        self.pid, self.reader, self.result = pid, reader, None

    def wait(self) -> tuple[int, str]:
        if self.result is None:
            chunks = []
            with os.fdopen(self.reader, "rb") as pipe:
                while chunk := pipe.read(65536):
                    chunks.append(chunk)
            os.waitpid(self.pid, 0)
            try:
                self.result = pickle.loads(b"".join(chunks)) if chunks else (0, STOPPED)
            except (pickle.UnpicklingError, EOFError, ValueError):
                self.result = (0, STOPPED)
        return self.result


def write_aside(write: Callable[[], tuple[int, str]]) -> Optional[AsideWrite]:
    """Run ``write`` (pieces written, note) in a forked child; None when it cannot fork."""
    parent = os.getpid()
    reader, writer = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(reader)
        os.close(writer)
        return None
    if pid == 0:  # the child: write, hand the result over, and end without the parent's exit code
        status = 1
        try:
            os.close(reader)
            die_with_parent(parent)
            result = write()
            with os.fdopen(writer, "wb") as pipe:
                pipe.write(pickle.dumps(result))
            status = 0
        finally:
            os._exit(status)
    os.close(writer)
    return AsideWrite(pid, reader)
