"""A .gz file of lines is inflated by a thread ahead of its reader (``sources.inflate_ahead``):
the reader gets the bytes, the end and the errors it got from the GzipFile itself, and a load
is the same with the thread and without it."""
from __future__ import annotations

import gzip
import io
import json
import random
import threading
import time

import pytest

from lexlens.analytics.ingest.loading import load_logs
from lexlens.analytics.sources import files
from lexlens.analytics.sources.inflate_ahead import AHEAD_CHUNKS, CHUNK_BYTES, InflatedAhead
from lex_records import fixture_record


def read_all(handle, room: int = 1 << 20) -> tuple[bytes, type | None]:
    """What a reader gets in calls of ``room`` bytes, and the error that ends it: ``readinto1``
    where there is one, as ``linereader.LineBlocks.read_into`` reads a decompressing stream (a
    GzipFile's ``readinto`` loses the bytes it inflated before the error)."""
    out, view = bytearray(), memoryview(bytearray(room))
    read = getattr(handle, "readinto1", handle.readinto)
    try:
        while count := read(view):
            out += view[:count]
    except (EOFError, OSError, gzip.BadGzipFile) as error:
        return bytes(out), type(error)
    return bytes(out), None


def directly(packed: bytes, room: int) -> tuple[bytes, type | None]:
    return read_all(gzip.GzipFile(fileobj=io.BytesIO(packed)), room)


def ahead(packed: bytes, room: int) -> tuple[bytes, type | None]:
    raw = io.BytesIO(packed)
    with InflatedAhead(gzip.GzipFile(fileobj=raw), raw) as handle:
        return read_all(handle, room)


LIKE_JSON_LINES = bytes(b'abc {}":,\n'[byte % 10] for byte in range(256))


def text_of(size: int) -> bytes:
    return random.Random(size).randbytes(size).translate(LIKE_JSON_LINES)


@pytest.mark.parametrize("size,room", [(0, 1), (1, 1), (3000, 1), *((size, room) for room in (4096, 16 << 20)
                                       for size in (0, 1, CHUNK_BYTES - 1, CHUNK_BYTES, 2 * CHUNK_BYTES + 7))])
def test_the_bytes_are_the_gzip_files(size, room):
    packed = gzip.compress(text_of(size))
    assert ahead(packed, room) == directly(packed, room) == (text_of(size), None)


@pytest.mark.parametrize("cut", [0.3, 0.9])
def test_a_stream_cut_short_gives_the_bytes_before_then_the_same_error(cut):
    content = text_of(3 * CHUNK_BYTES)
    packed = gzip.compress(content)
    cut_short = packed[: int(len(packed) * cut)]
    got, error = ahead(cut_short, 1 << 20)
    assert error is EOFError and (got, error) == directly(cut_short, 1 << 20)
    assert 0 < len(got) < len(content) and content.startswith(got)


def test_damaged_bytes_give_the_same_error_as_the_gzip_file():
    packed = bytearray(gzip.compress(text_of(CHUNK_BYTES + 5)))
    packed[len(packed) // 2:len(packed) // 2 + 64] = bytes(64)
    assert ahead(bytes(packed), 1 << 20) == directly(bytes(packed), 1 << 20)
    assert ahead(bytes(packed), 1 << 20)[1] is not None


def test_the_thread_inflates_ahead_of_the_reader():
    """Once the reader has its first bytes, the thread fills the queue without waiting for it:
    that is what lets inflating and scanning share the two cores."""
    raw = io.BytesIO(gzip.compress(text_of(20 * CHUNK_BYTES)))
    with InflatedAhead(gzip.GzipFile(fileobj=raw), raw) as handle:
        assert handle.readinto(memoryview(bytearray(10))) == 10
        deadline = time.monotonic() + 30
        while handle.chunks.qsize() < AHEAD_CHUNKS and time.monotonic() < deadline:
            time.sleep(0.01)
        assert handle.chunks.qsize() == AHEAD_CHUNKS


def test_closing_early_stops_the_thread_and_closes_the_file():
    raw = io.BytesIO(gzip.compress(text_of(20 * CHUNK_BYTES)))
    handle = InflatedAhead(gzip.GzipFile(fileobj=raw), raw)
    assert handle.readinto(memoryview(bytearray(10))) == 10
    handle.close()
    assert not handle.thread.is_alive() and raw.closed
    assert not [thread for thread in threading.enumerate() if thread.name == "lexlens-inflate"]


@pytest.mark.parametrize("damage", ["whole", "cut short"])
def test_a_load_is_the_same_with_the_thread_and_without(damage, tmp_path, monkeypatch):
    lines = [json.dumps(fixture_record(0, sessionId=f"s{i // 7}", requestId=f"r{i}", inputTranscript=f"utterance {i} " * 30,
                                       timestamp=f"2026-11-01T10:{i // 60 % 60:02d}:{i % 60:02d}.000Z")) for i in range(3000)]
    packed = gzip.compress(("\n".join(lines) + "\n").encode())
    path = tmp_path / "logs.jsonl.gz"
    path.write_bytes(packed if damage == "whole" else packed[: len(packed) * 3 // 4])
    with_thread = load_logs([path])
    monkeypatch.setattr(files, "InflatedAhead", lambda inflating, raw: inflating)
    without = load_logs([path])
    assert with_thread.report == without.report
    assert with_thread.turns.equals(without.turns)
    assert (len(with_thread.turns) == 3000) == (damage == "whole")
