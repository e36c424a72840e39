"""A gzip-compressed file of lines inflated by a thread of its own, ahead of the reader, so
that inflating and scanning share the two cores: zlib lets go of the GIL while it inflates, and
so does the C scanner while it scans. A .gz file is one read unit (it cannot be split), and read
alone it used one core for both: 224,410 records took 3.51 s as gzip against 2.12 s as JSONL;
with the thread, 2.68 s (``bench/bench_shapes.py``).

The thread stays up to AHEAD_CHUNKS * CHUNK_BYTES ahead: more than the line reader asks for at
once (``linereader.BLOCK_BYTES``), or the reader would wait for each of its blocks to be
inflated while the thread waited for room (a first version, 0.5 MB ahead, gained nothing).
What the reader sees is what it saw without the thread: the same bytes, then the end, or the
same error where the stream is damaged, raised once the bytes before it are read (as
``readinto1`` of the GzipFile gives them). Closing stops the thread.
"""
from __future__ import annotations

import io
import queue
import threading

CHUNK_BYTES = 4 << 20  # inflated bytes handed over at a time
AHEAD_CHUNKS = 8  # 32 MB: twice the line reader's block
END = object()  # queued after the last bytes


class InflatedAhead(io.RawIOBase):
    """``inflating`` (a GzipFile over the file ``raw``) read by a background thread; closing
    closes both."""

    def __init__(self, inflating, raw):
        self.inflating, self.raw = inflating, raw
        self.chunks: queue.Queue = queue.Queue(maxsize=AHEAD_CHUNKS)
        self.stopping = threading.Event()
        self.pending = memoryview(b"")
        self.finished = False  # the end or an error was handed over
        self.thread = threading.Thread(target=self.inflate, name="lexlens-inflate", daemon=True)
        self.thread.start()

    def inflate(self) -> None:
        """Inflate into the queue until the end, an error (queued after the bytes before it)
        or ``close``."""
        blocks, held = [], 0
        while not self.stopping.is_set():
            try:
                block = self.inflating.read1(CHUNK_BYTES - held)
            except BaseException as error:  # handed to the reader, which raises it in its turn
                self.hand_over(b"".join(blocks))
                self.hand_over(error)
                return
            blocks.append(block)
            held += len(block)
            if not block or held >= CHUNK_BYTES:
                self.hand_over(b"".join(blocks))
                blocks, held = [], 0
            if not block:
                self.hand_over(END)
                return

    def hand_over(self, item) -> None:
        """Queue ``item`` (bytes, END or an error), waiting for room unless closing."""
        if isinstance(item, bytes) and not item:
            return  # no bytes held: nothing to hand over
        while not self.stopping.is_set():
            try:
                self.chunks.put(item, timeout=0.05)
                return
            except queue.Full:
                continue

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if not self.pending:
            if self.finished:
                return 0
            item = self.chunks.get()
            if isinstance(item, BaseException):
                self.finished = True
                raise item
            if item is END:
                self.finished = True
                return 0
            self.pending = memoryview(item)
        count = min(len(buffer), len(self.pending))
        buffer[:count] = self.pending[:count]
        self.pending = self.pending[count:]
        return count

    def close(self) -> None:
        if not self.closed:
            self.stopping.set()
            self.thread.join()
            self.inflating.close()  # a GzipFile given a file object leaves it open
            self.raw.close()
        super().close()
