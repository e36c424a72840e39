"""Files that fight back: truncated while read, padded, re-encoded, nested, too long, bombs.

Each loads on both paths (the C scanner and the Python parser) and ends the same way: what
could be read is read, and every line or part not read is a rejection that says why.
"""
from __future__ import annotations

import codecs
import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lexlens.analytics.errors import LexlensError
from lexlens.analytics.ingest.loading import load_logs
from lexlens.analytics.sources.limits import ReadLimits, limits_from_environment, parse_size
from lex_records import fixture_record
from native_compare import assert_native_matches_python, assert_same_load

ROOT = Path(__file__).resolve().parent.parent
REAL = fixture_record(0)


def record_line(number: int, **changes) -> bytes:
    record = {**REAL, "requestId": f"r{number}", "sessionId": f"s{number % 7}", **changes}
    return json.dumps(record).encode()


def records_text(count: int, separator: bytes = b"\n") -> bytes:
    return b"".join(record_line(number) + separator for number in range(count))


def both_paths(path: Path, **load):
    """The load on the Python path, after checking the native path gives the same."""
    python = load_logs([path], native=False, workers=1, **load)
    assert_same_load(load_logs([path], native=True, workers=1, **load), python)
    return python


def reasons(data) -> list[str]:
    return [rejection.reason for rejection in data.report.rejections]


# ---------- the process must not die ----------

TRUNCATE_WHILE_READING = r"""
import json, os, sys, threading, time
path, native = sys.argv[1], sys.argv[2] == "1"

def reading() -> bool:
    # this process reads the file: it is mapped (a scanner that maps files), or read past 4 MiB
    if path in open("/proc/self/maps").read():
        return True
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}") == path:
                with open(f"/proc/self/fdinfo/{fd}") as info:
                    if int(info.readline().split()[1]) >= 4 << 20:
                        return True
        except OSError:
            pass
    return False

def truncate_while_reading() -> None:
    deadline = time.monotonic() + 60
    while not reading() and time.monotonic() < deadline:
        time.sleep(0.0002)
    os.truncate(path, 5000)  # as logrotate's copytruncate does

threading.Thread(target=truncate_while_reading, daemon=True).start()
from lexlens.analytics.ingest.loading import load_logs
data = load_logs([path], workers=1, native=native)
print(json.dumps({"accepted": data.report.accepted,
                  "reasons": [rejection.reason for rejection in data.report.rejections]}))
"""


@pytest.mark.slow
@pytest.mark.parametrize("native", ["1", "0"], ids=["native", "python"])
def test_a_file_truncated_while_it_is_read_keeps_what_was_read_and_says_it_changed(native, tmp_path):
    """The C scanner once memory-mapped files: a file truncated under it killed the process
    with SIGBUS; the Python path returned a partial report without a word."""
    path = tmp_path / "rotated.jsonl"
    with open(path, "wb") as handle:
        block = records_text(2000)
        while handle.tell() < 64 << 20:
            handle.write(block)
    done = subprocess.run([sys.executable, "-c", TRUNCATE_WHILE_READING, str(path), native],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr[-2000:]}"
    result = json.loads(done.stdout)
    assert result["accepted"] > 0
    assert any(reason.startswith("the file shrank while it was read") for reason in result["reasons"]), result


@pytest.mark.parametrize("path", ["/proc/version", "/proc/filesystems"])
def test_a_file_whose_size_reads_zero_is_read_the_same_on_both_paths(path):
    assert os.stat(path).st_size == 0
    data = assert_native_matches_python(Path(path))
    assert data.report.lines > 0 and data.report.rejected == data.report.lines - data.report.blank


def deep_line(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize("line, reason", [
    (deep_line(1000), "JSON nested deeper than 128 levels (1000 levels)"),
    (b'{"a":' * 1000 + b"1" + b"}" * 1000, "JSON nested deeper than 128 levels (1000 levels)"),
    (json.dumps({"timestamp": 1, "message": (deep_line(5000)).decode()}).encode(),
     "CloudWatch event whose message is not a Lex V2 record: JSON nested deeper than 128 levels "
     "(5000 levels)"),
    (record_line(9, xDeep=json.loads(deep_line(128))), "JSON nested deeper than 128 levels (129 levels)"),
    (record_line(9, xDeep=json.loads('["]]]]", ' * 128 + "1" + "]" * 128)),
     "JSON nested deeper than 128 levels (129 levels)"),
], ids=["arrays", "objects", "in a CloudWatch message", "just past the limit",
       "past the limit, closing brackets in strings"])
def test_a_deeply_nested_line_is_one_rejected_line(line, reason, tmp_path):
    path = tmp_path / "deep.jsonl"
    path.write_bytes(record_line(1) + b"\n" + line + b"\n" + record_line(2) + b"\n")
    data = both_paths(path)
    assert data.report.accepted == 2
    assert [(r.line, r.reason) for r in data.report.rejections] == [(2, reason)]


@pytest.mark.parametrize("xdeep", [deep_line(127), b'["[[[[", ' * 127 + b'1' + b']' * 127],
                         ids=["at the limit", "brackets inside strings do not count"])
def test_at_the_nesting_limit_a_line_still_loads(xdeep, tmp_path):
    path = tmp_path / "deep.jsonl"
    path.write_bytes(record_line(1, xDeep=json.loads(xdeep)) + b"\n")
    assert both_paths(path).report.accepted == 1


# ---------- nothing lost: encodings, padding, line breaks ----------

TEXT = records_text(3)
ENCODINGS = {
    "UTF-8 with a byte-order mark": codecs.BOM_UTF8 + TEXT,
    "CR line breaks (classic Mac)": TEXT.replace(b"\n", b"\r"),
    "CRLF line breaks": TEXT.replace(b"\n", b"\r\n"),
    "NUL padding before a record (copytruncate)": record_line(0) + b"\n" + b"\0" * 70_000
    + record_line(1) + b"\n" + record_line(2) + b"\n",
    "UTF-16 with a byte-order mark (PowerShell)": TEXT.decode().encode("utf-16"),
    "UTF-16 big-endian with a byte-order mark": codecs.BOM_UTF16_BE + TEXT.decode().encode("utf-16-be"),
    "UTF-16 little-endian without a mark": TEXT.decode().encode("utf-16-le"),
    "UTF-16 with CRLF, compressed": gzip.compress(TEXT.replace(b"\n", b"\r\n").decode().encode("utf-16")),
}


@pytest.mark.parametrize("content", list(ENCODINGS.values()), ids=list(ENCODINGS))
def test_every_record_loads_whatever_the_encoding_padding_or_line_breaks(content, tmp_path):
    path = tmp_path / "logs.jsonl"
    path.write_bytes(content)
    data = both_paths(path)
    assert (data.report.accepted, data.report.rejected) == (3, 0), reasons(data)
    assert sorted(data.turns["request_id"]) == ["r0", "r1", "r2"]


def test_a_line_of_nul_padding_alone_is_blank(tmp_path):
    path = tmp_path / "logs.jsonl"
    path.write_bytes(record_line(1) + b"\n" + b"\0" * 100 + b"\n" + record_line(2))
    data = both_paths(path)
    assert (data.report.accepted, data.report.blank, data.report.lines) == (2, 1, 3)


def test_a_utf16_file_cut_in_the_middle_of_a_character_says_so(tmp_path):
    path = tmp_path / "logs.jsonl"
    path.write_bytes(TEXT.decode().encode("utf-16") + b"\x00")
    data = both_paths(path)
    assert data.report.accepted == 3
    assert reasons(data)[-1].startswith("the file ends early or is corrupt here")


# ---------- bounds on size ----------

SMALL = ReadLimits(line_bytes=4096, file_bytes=64 << 10, load_bytes=1 << 20)


def gzip_bomb(path: Path, size: int, piece: bytes = b"\0" * (1 << 20)) -> None:
    with gzip.open(path, "wb", compresslevel=9) as handle:
        for _ in range(size // len(piece)):
            handle.write(piece)


def test_a_long_line_is_one_rejection_and_is_never_held_whole(tmp_path):
    path = tmp_path / "logs.jsonl"
    path.write_bytes(record_line(1) + b"\n" + b'{"x": "' + b"a" * 3_000_000 + b'"}\n' + record_line(2))
    data = both_paths(path, limits=ReadLimits(line_bytes=1 << 20))
    assert data.report.accepted == 2
    assert reasons(data) == ["line longer than the limit of 1 MiB (3,000,009 bytes; "
                             "LEXLENS_MAX_LINE_BYTES sets the limit)"]
    assert len(data.report.rejections[0].text) == 10_000


@pytest.mark.parametrize("bomb, expected", [
    (lambda path: gzip_bomb(path, 8 << 20), "the rest of the file was not read: it is larger than the "
     "limit of 64 KiB per file (LEXLENS_MAX_FILE_BYTES sets the limit)"),
    (lambda path: gzip_bomb(path, 8 << 20, b"x" * (1 << 20)), "the rest of the file was not read: "
     "it is larger than the limit of 64 KiB per file"),
    (lambda path: path.write_bytes(gzip.compress(records_text(400))), "the rest of the file was not "
     "read: it is larger than the limit of 64 KiB per file"),
    (lambda path: path.write_bytes(gzip.compress(json.dumps({"events": [
        {"timestamp": 1, "message": "x" * 100}] * 2000}, indent=2).encode())),
     "a JSON document larger than the limit of 64 KiB per file was not read"),
], ids=["NULs", "one endless line", "many good records", "a JSON document"])
def test_a_bomb_in_a_folder_stops_at_the_file_limit_and_the_files_beside_it_load(bomb, expected, tmp_path):
    folder = tmp_path / "logs"
    folder.mkdir()
    (folder / "a-good.jsonl").write_bytes(records_text(5))
    bomb(folder / "b-bomb.jsonl.gz")
    (folder / "c-good.jsonl").write_bytes(b"".join(record_line(n) + b"\n" for n in range(10, 15)))
    data = both_paths(folder, limits=SMALL)
    assert {"r0", "r4", "r10", "r14"} <= set(data.turns["request_id"])
    assert any(reason.startswith(expected) for reason in reasons(data)), reasons(data)
    assert all(r.source.endswith("b-bomb.jsonl.gz") for r in data.report.rejections)


def test_a_plain_file_past_the_file_limit_keeps_its_first_lines(tmp_path):
    path = tmp_path / "big.jsonl"
    path.write_bytes(records_text(400))
    line = len(record_line(0)) + 1
    data = both_paths(path, limits=ReadLimits(file_bytes=10 * line + 5))
    assert data.report.accepted == 10  # the lines within the limit: the 11th is cut by it
    assert reasons(data)[-1].startswith("the rest of the file was not read")


@pytest.mark.parametrize("native, workers", [(True, 1), (False, 1), (False, 2)],
                         ids=["native", "python", "python, two processes"])
def test_past_the_load_limit_the_unread_files_are_named(native, workers, tmp_path):
    folder = tmp_path / "logs"
    folder.mkdir()
    one = records_text(20)
    for name in "abcd":
        (folder / f"{name}.jsonl").write_bytes(one)
    data = load_logs([folder], native=native, workers=workers,
                     limits=ReadLimits(load_bytes=2 * len(one) + 100))
    unread = [r for r in data.report.rejections if r.reason.startswith("not read: the load reached")]
    assert len(unread) == 2 and data.report.accepted >= 20
    report = data.report
    assert report.accepted + report.rejected + report.blank + report.duplicates == report.lines


@pytest.mark.parametrize("text, size", [("1", 1), ("512", 512), ("64K", 64 << 10), ("8M", 8 << 20),
                                        ("2GiB", 2 << 30), (" 1 t ", 1 << 40), ("4kb", 4 << 10)])
def test_sizes_read_from_the_environment(text, size):
    assert parse_size("LEXLENS_MAX_LINE_BYTES", text) == size


@pytest.mark.parametrize("text", ["", "0", "-1", "1.5M", "lots", "8 MB extra"])
def test_a_bad_size_is_one_sentence_naming_the_variable(text):
    with pytest.raises(LexlensError, match=r"LEXLENS_MAX_FILE_BYTES=.* is not a size"):
        limits_from_environment({"LEXLENS_MAX_FILE_BYTES": text or " "})


def test_limits_default_and_uploads_have_their_own_load_limit():
    assert limits_from_environment({}) == ReadLimits(8 << 20, 4 << 30, 16 << 30)
    assert limits_from_environment({}, upload=True).load_bytes == 2 << 30
    assert limits_from_environment({"LEXLENS_MAX_UPLOAD_BYTES": "1M", "LEXLENS_MAX_LOAD_BYTES": "5M"},
                                   upload=True).load_bytes == 1 << 20


def test_the_report_names_a_limit_it_applied(tmp_path):
    path = tmp_path / "bomb.jsonl.gz"
    gzip_bomb(path, 4 << 20, records_text(200))
    done = subprocess.run([sys.executable, "-m", "lexlens", "report", str(path), "--json"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env={**os.environ, "LEXLENS_MAX_FILE_BYTES": "256K"})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["rejected_reasons"] == {
        "the rest of the file was not read: it is larger than the limit of 256 KiB per file": 1}


# ---------- the C scanner in a small thread stack ----------

SMALL_STACK = r"""
import json, sys, threading
from lexlens.analytics.ingest import native
from lexlens.analytics.ingest.records import decode_line
line = sys.stdin.buffer.read()
results = []

def scan():
    results.append(native.scan_counts(line))
    results.append(decode_line(line)[0][2])

threading.stack_size(128 << 10)  # musl's default thread stack
thread = threading.Thread(target=scan)
thread.start()
thread.join()
print(json.dumps(results))
"""


def nested_slot(levels: int) -> dict:
    slot = {"shape": "Scalar", "value": {"originalValue": "x", "interpretedValue": "x"}}
    for level in range(levels):
        slot = {"shape": "Composite", "subSlots": {f"s{level}": slot}}
    return slot


@pytest.mark.parametrize("levels", [1, 4, 5, 29])
def test_the_scanner_fits_a_128_kib_thread_stack(levels):
    """subSlots nested 29 levels once stayed on the fast path, at 4 KiB of stack per level."""
    record = {**REAL, "sessionState": {**REAL["sessionState"], "intent": {
        "name": "Order", "state": "InProgress", "slots": {"address": nested_slot(levels)}}}}
    line = json.dumps(record).encode() + b"\n"
    done = subprocess.run([sys.executable, "-c", SMALL_STACK], input=line, capture_output=True,
                          cwd=ROOT, timeout=60)
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr[-2000:]!r}"
    counts, reason = json.loads(done.stdout)
    assert reason == ""  # the line is a good record: Python reads it
    assert counts == ({"fast": 1, "blank": 0, "fallback": 0} if levels <= 4 else
                      {"fast": 0, "blank": 0, "fallback": 1})


class Upload:
    """What Streamlit's file_uploader hands the sidebar: a name and the bytes."""

    def __init__(self, name: str, data: bytes):
        self.name, self.data = name, data

    def getvalue(self) -> bytes:
        return self.data


def test_a_dashboard_upload_reads_at_most_the_upload_limit(tmp_path, monkeypatch, request):
    """A 1 MB gzip bomb uploaded drove the server from 0.2 to 4.3 GB."""
    from lexlens.dashboard import data as dashboard_data

    monkeypatch.setenv("LEXLENS_MAX_UPLOAD_BYTES", "256K")
    bomb = tmp_path / "bomb.gz"
    gzip_bomb(bomb, 8 << 20, records_text(200))
    uploads = [Upload("a-good.jsonl", records_text(5)), Upload("b-bomb.jsonl.gz", bomb.read_bytes()),
               Upload("c-this-test.txt", str(tmp_path).encode())]  # a folder of its own
    folder = dashboard_data.save_uploads(uploads)  # where the dashboard puts uploads
    request.addfinalizer(lambda: shutil.rmtree(folder[0], ignore_errors=True))
    _, data = dashboard_data.load_source(folder)
    assert {"r0", "r4"} <= set(data.turns["request_id"])
    assert [reason for reason in reasons(data) if reason.startswith("not read: the load reached its limit "
                                                                    "of 256 KiB")]
    (tmp_path / "logs").mkdir()  # the same files, not uploaded: the (larger) load limit applies
    for path in Path(folder[0]).iterdir():
        (tmp_path / "logs" / path.name).write_bytes(path.read_bytes())
    _, data = dashboard_data.load_source((str(tmp_path / "logs"),))
    assert not [reason for reason in reasons(data) if reason.startswith("not read")]


@pytest.mark.parametrize("line, reason", [
    (deep_line(1000), "JSON nested deeper than 128 levels (1000 levels)"),
    (record_line(1, xDeep=json.loads(deep_line(127))), ""),
], ids=["1,000 levels", "at the limit"])
def test_the_python_parser_fits_a_128_kib_thread_stack(line, reason):
    """msgspec decoding 400 levels overflows 128 KiB: deeper lines are refused before it sees them."""
    done = subprocess.run([sys.executable, "-c", SMALL_STACK], input=line + b"\n", capture_output=True,
                          cwd=ROOT, timeout=60)
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr[-2000:]!r}"
    assert json.loads(done.stdout)[1] == reason
