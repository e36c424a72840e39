"""Reading one unit of a log file (``analytics.sources.files.ReadUnit``) as blocks of whole
lines, within the bounds of ``analytics.sources.limits``.

``read_unit`` yields, in file order:

- ``memoryview`` blocks of whole lines (each ending in the file's line break, but the last
  line of the file may not), valid until the next item: the C scanner reads them in place,
  the Python parser splits them (``split_block``);
- ``LongLine`` for a line longer than the limit (its length and first bytes only: it is read
  past, never held);
- ``WholeDocument`` for a pretty-printed JSON document (the file is line 1; the parser reads it
  as lines after all when it is not one JSON value, ``line_loader.holds_one_json_value``);
- ``ReadNote`` last, when the unit could not be read to its end: the file shrank while it
  was read (logrotate's copytruncate does that), the gzip stream is damaged, or a limit
  was reached. What was read before still counts.

The file is read with ``readinto`` into one reused buffer, never memory-mapped: a mapped
file that shrinks kills the process with SIGBUS. NUL bytes before a line (a gap left in a
file truncated while its writer kept its offset) are padding, not part of the line; a UTF-8
byte-order mark at the start of a file is skipped too.
"""
from __future__ import annotations

import gzip
import zlib
from typing import Iterator, NamedTuple, Optional, Union

from lexlens.analytics.sources.files import UTF8_BOM, ReadUnit, open_log_file
from lexlens.analytics.sources.limits import ByteBudget, ReadLimits, describe_size

BLOCK_BYTES = 16 << 20
HEAD_BYTES = 10_000  # of a long line, kept for the rejection's text
READ_ERRORS = (OSError, EOFError, zlib.error, gzip.BadGzipFile, UnicodeDecodeError)


class LongLine(NamedTuple):
    """A line longer than ``limit`` bytes: ``size`` bytes (NUL padding and line break not
    counted), of which ``head`` are the first."""

    size: int
    head: bytes
    limit: int

    @property
    def reason(self) -> str:
        return (f"line longer than the limit of {describe_size(self.limit)} "
                f"({self.size:,} bytes; LEXLENS_MAX_LINE_BYTES sets the limit)")


class WholeDocument(NamedTuple):
    """A file that is one JSON document (``aws logs filter-log-events`` output), read whole."""

    data: bytes


class ReadNote(NamedTuple):
    """Why the rest of a unit was not read."""

    reason: str


Item = Union[memoryview, LongLine, WholeDocument, ReadNote]


def read_unit(unit: ReadUnit, limits: ReadLimits, budget: Optional[ByteBudget] = None) -> Iterator[Item]:
    """The items of ``unit`` (see the module docstring)."""
    with open_log_file(unit.path, unit.shape) as handle:
        if unit.shape.document:
            yield from read_document(handle, limits, budget)
        else:
            yield from LineBlocks(handle, unit, limits, budget).items()


def read_document(handle, limits: ReadLimits, budget: Optional[ByteBudget]) -> Iterator[Item]:
    """The whole file as one item, if it fits the limits."""
    try:
        data = handle.read(limits.file_bytes + 1)
    except READ_ERRORS as error:
        yield ReadNote(damaged_reason(error))
        return
    granted = budget.take(len(data)) if budget is not None else len(data)
    if len(data) > limits.file_bytes:
        yield ReadNote(f"a JSON document larger than the limit of {describe_size(limits.file_bytes)} "
                       "per file was not read (LEXLENS_MAX_FILE_BYTES sets the limit)")
    elif granted < len(data):
        yield ReadNote(load_limit_reason(limits))
    else:
        yield WholeDocument(data.removeprefix(UTF8_BOM))


def damaged_reason(error: BaseException) -> str:
    return (f"the file ends early or is corrupt here ({error or type(error).__name__}); "
            "the lines after it could not be read")


def load_limit_reason(limits: ReadLimits) -> str:
    return (f"not read: the load reached its limit of {describe_size(limits.load_bytes)} "
            "(LEXLENS_MAX_LOAD_BYTES, or LEXLENS_MAX_UPLOAD_BYTES for an upload, sets it)")


def file_limit_reason(limits: ReadLimits) -> str:
    return (f"the rest of the file was not read: it is larger than the limit of "
            f"{describe_size(limits.file_bytes)} per file (LEXLENS_MAX_FILE_BYTES sets the limit)")


class LineBlocks:
    """The state of reading one unit: a buffer holding ``filled`` bytes from stream
    position ``position``. Lines starting at or after ``end`` belong to the next unit;
    nothing at or after ``hard_end`` is read at all (the file's or the load's limit)."""

    def __init__(self, handle, unit: ReadUnit, limits: ReadLimits, budget: Optional[ByteBudget]):
        self.handle, self.unit, self.limits, self.budget = handle, unit, limits, budget
        self.separator = unit.shape.separator
        self.buffer = bytearray(max(BLOCK_BYTES, limits.line_bytes + HEAD_BYTES))
        self.view = memoryview(self.buffer)
        self.filled = 0
        self.position = max(unit.start - 1, 0)  # from the byte before: does a line start there?
        self.end = unit.end if unit.end is not None else float("inf")
        self.hard_end, self.hard_note = limits.file_bytes, file_limit_reason(limits)
        self.skipping = unit.start > 0  # the line that began before this unit is not ours
        self.long: Optional[list] = None  # [size, head] of a long line being read past
        self.padded_from: Optional[int] = None  # where a line began whose NUL padding was skipped
        self.eof = False
        self.dropped = False  # bytes were read past the load's budget (and not used)
        self.damage: Optional[BaseException] = None

    def items(self) -> Iterator[Item]:
        if self.unit.start:
            self.handle.seek(self.position)
        while not self.eof:
            if not self.fill():
                if self.more_beyond_limit():
                    yield ReadNote(self.hard_note)  # the partial line held is not read either
                    return
                self.eof = True
            if (yield from self.drain()):
                return
        if self.long is not None:  # the last line, long and without a line break
            yield LongLine(self.long[0], self.long[1], self.limits.line_bytes)
        if self.damage is not None:
            yield ReadNote(damaged_reason(self.damage))
        elif self.shrunk():
            yield ReadNote(f"the file shrank while it was read ({self.unit.start + self.unit.size:,} "
                           f"bytes were planned, {self.position + self.filled:,} were there): was it "
                           "truncated, e.g. by logrotate? The lines after that point were not read")

    def shrunk(self) -> bool:
        """At the end of the stream: the plain file ended before its planned size."""
        return self.unit.shape.splittable and self.position + self.filled < self.unit.start + self.unit.size

    def fill(self) -> bool:
        """Read what fits after the bytes held, spending the load's budget; False at the
        end of the stream or at the hard end. Past ``end``, only small reads (enough to
        finish the last line)."""
        offset = self.position + self.filled
        room = min(len(self.buffer) - self.filled, self.hard_end - offset)
        if room <= 0:
            return False
        ahead = self.end - offset
        room = min(room, 64 << 10) if ahead <= 0 else min(room, ahead)
        count = self.read_into(self.view[self.filled:self.filled + int(room)])
        if count and self.budget is not None:
            granted = self.budget.take(count)
            if granted < count:  # what the load may not read is dropped, and is the hard end
                count, self.hard_end, self.dropped = granted, offset + granted, True
                self.hard_note = load_limit_reason(self.limits)
        self.filled += count
        return count > 0

    def more_beyond_limit(self) -> bool:
        """At the hard end: whether the stream holds more (one byte read to see)."""
        if self.dropped:
            return True
        if self.damage is not None or self.position + self.filled < self.hard_end:
            return False
        return bool(self.read_into(memoryview(bytearray(1))))

    def read_into(self, room: memoryview) -> int:
        """Bytes read into ``room``. A plain file is read in one call; a decompressing
        stream in small steps, so the bytes before a damaged part are kept (one large
        ``readinto`` would lose them with the error)."""
        if self.damage is not None:
            return 0
        count = 0
        try:
            if not self.unit.shape.compressed:
                return self.handle.readinto(room)
            read = getattr(self.handle, "readinto1", self.handle.readinto)
            while count < len(room):
                step = read(room[count:])
                if not step:
                    break
                count += step
        except READ_ERRORS as error:
            self.damage = error
        return count

    def drain(self):
        """Yield what the buffer holds (a generator returning True once at ``end``)."""
        buffer, separator, start = self.buffer, self.separator, 0
        while start < self.filled:
            if self.skipping or self.long is not None:
                start = yield from self.pass_line(start)
                if start is None:
                    start = self.filled
                    break
                continue
            line_start = self.position + start if self.padded_from is None else self.padded_from
            if line_start >= self.end:
                self.drop(start)
                return True
            padded = self.skip_padding(start)
            if padded != start and self.padded_from is None:
                self.padded_from = line_start  # the line began at its padding, maybe in an earlier read
            start = padded
            if start == self.filled:  # padding up to here: the line goes on in the next read
                break
            last = buffer.rfind(separator, start, self.filled)
            if last < 0:
                if self.eof:  # the last line, without a line break (unless the file was cut)
                    if self.damage is None and not self.shrunk():
                        yield self.view[start:self.filled]
                    start, self.padded_from = self.filled, None
                elif self.filled - start > self.limits.line_bytes:
                    self.long, self.padded_from = [0, b""], None
                    continue
                break
            self.padded_from = None
            cut = self.cut_at_end(start, last)
            yield self.view[start:cut + 1]
            start = cut + 1
        self.drop(start)
        return False

    def pass_line(self, start: int):
        """Read past the line being skipped (or the long line, yielding its LongLine at its
        end): the index after its line break, or None when it goes on past the buffer."""
        found = self.buffer.find(self.separator, start, self.filled)
        stop = self.filled if found < 0 else found
        if self.long is not None:
            self.long[0] += stop - start
            if len(self.long[1]) < HEAD_BYTES:
                self.long[1] += bytes(self.view[start:min(stop, start + HEAD_BYTES - len(self.long[1]))])
        if found < 0:
            return None
        if self.long is not None:
            yield LongLine(self.long[0], self.long[1], self.limits.line_bytes)
        self.skipping, self.long = False, None
        return found + 1

    def skip_padding(self, start: int) -> int:
        """Past NUL padding (and a byte-order mark at the start of the file) at a line start."""
        if self.position + start == 0 and self.buffer.startswith(UTF8_BOM):
            start += len(UTF8_BOM)
        if start < self.filled and not self.buffer[start]:
            chunk = bytes(self.view[start:self.filled])
            start += len(chunk) - len(chunk.lstrip(b"\0"))
        return start

    def cut_at_end(self, start: int, last: int) -> int:
        """The line break ending the last line in [start, last] that starts before ``end``."""
        limit = self.end - self.position  # the buffer index of ``end``
        if last < limit:
            return last
        return self.buffer.find(self.separator, max(start, int(limit) - 1), last + 1)

    def drop(self, start: int) -> None:
        """Forget the first ``start`` bytes held; a partial line moves to the front."""
        self.position += start
        self.filled -= start
        if start and self.filled:
            self.buffer[:self.filled] = self.buffer[start:start + self.filled]


def split_block(block: memoryview, separator: bytes) -> list[bytes]:
    """The lines of a block (line breaks removed)."""
    lines = bytes(block).split(separator)
    if lines and not lines[-1]:
        lines.pop()
    return lines
