"""The server's console made safe to lose. ``lexlens serve`` started by a program that then went
away (a killed benchmark, a closed pipe into ``tee``, a supervisor restarted) has nobody reading
its output, and Streamlit's SIGTERM handler prints "Stopping..." before it stops anything: that
write raised BrokenPipeError, and the server went on serving, deaf to SIGTERM. Here stdout and
stderr write through ``ReaderGoneTolerant``: once a write finds the reader gone, the descriptor
is pointed at /dev/null and the write counts as done, so the server keeps running, and stops
when told to.
"""
from __future__ import annotations

import io
import os
import sys


class ReaderGoneTolerant(io.RawIOBase):
    """Bytes written to descriptor ``fd``; when the reader has gone, to /dev/null from then on."""

    def __init__(self, fd: int):
        super().__init__()
        self.fd = fd

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.fd

    def isatty(self) -> bool:
        return os.isatty(self.fd)

    def write(self, data) -> int:
        try:
            return os.write(self.fd, data)
        except BrokenPipeError:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, self.fd)  # every later write, by any code on this descriptor, is dropped
            os.close(null)
            return memoryview(data).nbytes


def tolerate_lost_console() -> None:
    """Replace ``sys.stdout`` and ``sys.stderr`` by line-buffered streams over
    ``ReaderGoneTolerant``, with the same encoding (before Streamlit sets up its logging, whose
    handlers keep the stream they were given)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        try:
            fd = stream.fileno()
        except (AttributeError, OSError, ValueError):  # not a real descriptor (None, a test's capture)
            continue
        stream.flush()
        setattr(sys, name, io.TextIOWrapper(io.BufferedWriter(ReaderGoneTolerant(fd)), encoding=stream.encoding,
                                            errors=stream.errors, line_buffering=True))
