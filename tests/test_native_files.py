"""The C scanner, on whole files (analytics/ingest/_lexscan.c via analytics/ingest/native.py) against the Python parser.

The scanner is only a fast path: whatever it reads itself must give exactly the tables
and load report the pure-Python load gives (analytics/ingest/records.py + turn_table.py), and
every line it is unsure of goes back to Python. So every test here loads the same file
both ways and compares everything; ``scan_counts`` checks canonical lines really are
read in C, so equality cannot hold just because everything fell back.
"""
from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from lexlens.analytics.ingest import loading, native, pieces
from lexlens.analytics.ingest.loading import load_logs
from lexlens.analytics.errors import LexlensError
from lexlens.analytics.sources.limits import ReadLimits



from native_compare import (SAMPLES, assert_native_matches_python, assert_same_load, physical_lines)
from native_cases import base


def test_the_scanner_is_built():
    """.ci/run builds it (gcc is on every machine it runs on): a failed build must fail here,
    not silently skip every comparison below."""
    assert native.available(), "analytics/ingest/_lexscan.c was not compiled (pip install -e . needs gcc)"




def test_assert_same_load_sees_a_difference(tmp_path):
    """The comparison itself can fail: one changed value, one reordered category set."""
    path = SAMPLES / "real-lex-records.jsonl"
    a, b = load_logs([path], native=False), load_logs([path], native=False)
    assert_same_load(a, b)
    b.turns["transcript"] = b.turns["transcript"] + "!"
    with pytest.raises(AssertionError, match="transcript"):
        assert_same_load(a, b)
    c = load_logs([path], native=False)
    c.turns["nlu_confidence"] = c.turns["nlu_confidence"].fillna(0.5)
    with pytest.raises(AssertionError, match="nlu_confidence"):
        assert_same_load(a, c)
    d = load_logs([path], native=False)
    d.turns["intent"] = d.turns["intent"].cat.reorder_categories(
        d.turns["intent"].cat.categories[::-1])
    assert_same_load(a, d)  # category order is not data
    d.report.blank += 1
    with pytest.raises(AssertionError, match="blank"):
        assert_same_load(a, d)


# ---------- real files ----------

@pytest.fixture(scope="module")
def demo_plain(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.jsonl"
    with gzip.open(SAMPLES / "demo.jsonl.gz", "rb") as source, open(path, "wb") as target:
        shutil.copyfileobj(source, target)
    return path


def test_every_demo_line_is_read_in_c(demo_plain):
    content = demo_plain.read_bytes()
    counts = native.scan_counts(content)
    assert counts == {"fast": physical_lines(content), "blank": 0, "fallback": 0}


def test_demo_native_equals_python_in_one_unit_and_in_parallel_small_units(demo_plain):
    # 1 MB units on 2 workers: ~16 units, every boundary cutting a line
    python = assert_native_matches_python(demo_plain, unit_sizes=(1 << 20,), workers=2)
    assert len(python.turns) == 9231  # sample_logs/README.md


def demo_as(shape: str, demo_plain: Path, folder: Path) -> Path:
    """The demo's records as CloudWatch event lines, encoded by the CloudWatch cache itself
    (what ``lexlens pull --out`` and the log-group window files hold), or as S3 export lines."""
    from lexlens.analytics.sources.cloudwatch.cache import encode_event_lines

    records = demo_plain.read_bytes().splitlines()
    if shape == "events":
        events = [{"timestamp": 1_700_000_000_000 + i, "message": record.decode(), "eventId": f"{i:056d}",
                   "logStreamName": "aws/lex/BOT/prod", "ingestionTime": 1_700_000_000_900 + i}
                  for i, record in enumerate(records)]
        lines, _ = encode_event_lines(events, 0, 2**62)
    else:
        lines = [json.loads(record)["timestamp"].encode() + b" " + record for record in records]
    path = folder / f"demo-{shape}.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


@pytest.mark.parametrize("shape", ["events", "export"])
def test_demo_in_cloudwatch_envelopes_is_read_in_c_and_equals_python(shape, demo_plain, tmp_path):
    """Each line's record is read by the scanner (a field added to the cache's event lines
    would send every CloudWatch load to Python, 5x slower: this fails first), and the load
    equals both the Python load and the plain file's tables."""
    path = demo_as(shape, demo_plain, tmp_path)
    content = path.read_bytes()
    assert native.scan_counts(content) == {"fast": physical_lines(content), "blank": 0, "fallback": 0}
    python = assert_native_matches_python(path, unit_sizes=(1 << 20,), workers=2)
    plain = load_logs([demo_plain], native=False)
    for name in ("turns", "slots", "interpretations", "attributes", "request_attributes"):
        assert getattr(python, name).equals(getattr(plain, name)), name


REAL_TEXT = (SAMPLES / "real-lex-records.jsonl").read_text(encoding="utf-8")
FILE_SHAPES = [  # (case, bytes, read by the scanner)
    ("plain", REAL_TEXT.encode(), True),
    ("gzip", gzip.compress(REAL_TEXT.encode()), True),
    ("UTF-16 with a byte-order mark (PowerShell)", REAL_TEXT.encode("utf-16"), True),
    ("UTF-16, CRLF, gzip", gzip.compress(REAL_TEXT.replace("\n", "\r\n").encode("utf-16")), True),
    ("a filter-log-events document", json.dumps({"events": [
        {"timestamp": 1, "message": line} for line in REAL_TEXT.splitlines()]}, indent=2).encode(), False),
]


@pytest.mark.parametrize("content,scanned", [case[1:] for case in FILE_SHAPES], ids=[case[0] for case in FILE_SHAPES])
def test_which_files_the_scanner_reads(content, scanned, tmp_path):
    """Lines in any encoding lexlens reads, compressed or not, go to the scanner (inflated and
    transcoded to UTF-8 first); a JSON document is read whole by Python. Both give the
    Python parser's load."""
    path = tmp_path / "logs.jsonl"
    path.write_bytes(content)
    units = native.plan_native_units([path], 2, ReadLimits())
    assert (units is not None) == scanned
    if scanned:
        scan = native.scan_unit(units[0])
        assert scan.columns["fast"] == 2 and scan.fallback == []
    assert len(assert_native_matches_python(path).turns) == 2


@pytest.mark.parametrize("damage", ["whole", "cut short"])
def test_a_gzip_file_is_read_by_the_scanner_as_it_is_inflated(damage, demo_plain, tmp_path):
    """S3 exports come gzip-compressed: a .gz file is one unit, which the scanner reads block by
    block as it is inflated. Every line of the demo is read in C and the load equals the Python
    parser's; a stream cut short keeps what was read and says so, the same way in both."""
    content = demo_plain.read_bytes()
    packed = gzip.compress(content)
    path = tmp_path / "demo.jsonl.gz"
    path.write_bytes(packed if damage == "whole" else packed[: len(packed) * 2 // 3])
    units = native.plan_native_units([path], 2, ReadLimits())
    assert units is not None and len(units) == 1
    scan = native.scan_unit(units[0])
    python = assert_native_matches_python(path)
    if damage == "whole":
        assert scan.fallback == [] and scan.columns["fast"] == physical_lines(content) == len(python.turns)
    else:
        assert [type(item).__name__ for _, item in scan.fallback] == ["ReadNote"]
        assert 0 < scan.columns["fast"] < physical_lines(content)
        assert python.report.rejections[-1].reason.startswith("the file ends early or is corrupt")


@pytest.mark.parametrize("path", [SAMPLES / "variants.jsonl", SAMPLES / "real-lex-records.jsonl"],
                         ids=lambda path: path.name)
def test_sample_files_native_equals_python(path, tmp_path):
    content = path.read_bytes()
    counts = native.scan_counts(content)
    assert counts["fast"] >= 2  # both real records, and most variants, are canonical
    assert sum(counts.values()) == physical_lines(content)
    python = assert_native_matches_python(path, unit_sizes=(300, 1000))
    assert len(python.turns) >= 2
    assert_native_matches_python(path, unit_sizes=(700,), workers=2)


def test_variants_with_crlf_endings_and_no_final_newline(tmp_path):
    content = (SAMPLES / "variants.jsonl").read_bytes().replace(b"\n", b"\r\n").rstrip(b"\r\n")
    path = tmp_path / "variants-crlf.jsonl"
    path.write_bytes(content)
    assert native.scan_counts(content)["fast"] >= 10
    assert_native_matches_python(path, unit_sizes=(333,))


def test_folder_of_plain_gzip_and_json_document_files(tmp_path, monkeypatch):
    """Several files in one load: plain ones (cut into units), a gzip file and a pretty-printed
    filter-log-events document, line numbers per file. The scanner reads the line files; the
    document alone goes to Python."""
    folder = tmp_path / "logs"
    folder.mkdir()
    shutil.copy(SAMPLES / "variants.jsonl", folder / "a-variants.jsonl")
    shutil.copy(SAMPLES / "real-lex-records.jsonl", folder / "b-real.jsonl")
    with gzip.open(folder / "c-real.jsonl.gz", "wb") as handle:
        handle.write((SAMPLES / "real-lex-records.jsonl").read_bytes()
                     .replace(b'"requestId": "', b'"requestId": "gz-'))
    plain_only = assert_native_matches_python(folder, unit_sizes=(2000,))
    assert len(plain_only.report.files) == 3
    events = [{"timestamp": 1729468800000 + i, "message": json.dumps(base(requestId=f"doc-{i}"))}
              for i in range(3)]
    (folder / "d-document.json").write_text(json.dumps({"events": events}, indent=4))
    python = assert_native_matches_python(folder, unit_sizes=(2000,))
    assert len(python.turns) == len(plain_only.turns) + 3
    scanned, parsed = [], []
    scan_units, parse_units = pieces.scanned_units, pieces.parsed_units
    monkeypatch.setattr(pieces, "scanned_units", lambda units, *rest: scanned.extend(units) or scan_units(units, *rest))
    monkeypatch.setattr(pieces, "parsed_units", lambda units, *rest: parsed.extend(units) or parse_units(units, *rest))
    assert_same_load(load_logs([folder], native=True), python)
    assert sorted({unit.path.name for unit in scanned}) == ["a-variants.jsonl", "b-real.jsonl", "c-real.jsonl.gz"]
    assert [unit.path.name for unit in parsed] == ["d-document.json"]
    seen = []
    load_logs([folder], native=True, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1][0] == seen[-1][1] == sum(path.stat().st_size for path in folder.iterdir())
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


# ---------- empty and blank files ----------

@pytest.mark.parametrize("content", [b"", b"\n", b"\n\n\n", b" \n\t\n\x0b\n\x0c\n\r\n\r\n  \t \r\n",
                                     b"   ", b"\r"], ids=repr)
def test_empty_and_blank_only_files(content, tmp_path):
    path = tmp_path / "blank.jsonl"
    path.write_bytes(content)
    python = assert_native_matches_python(path, unit_sizes=(1, 2, 3))
    assert python.turns.empty and python.report.blank == physical_lines(content)
    assert native.scan_counts(content) == {"fast": 0, "blank": physical_lines(content), "fallback": 0}


def test_native_switch_off_by_environment_and_required_on_demand(monkeypatch):
    monkeypatch.setenv("LEXLENS_NATIVE", "0")
    assert native.use_native(None) is False
    assert native.use_native(True) is True
    monkeypatch.setenv("LEXLENS_NATIVE", "1")
    assert native.use_native(None) is True
    monkeypatch.setattr(native, "_lexscan", None)
    assert native.use_native(None) is False
    with pytest.raises(LexlensError, match="not built"):
        native.use_native(True)


def test_progress_reaches_the_whole_size_on_the_native_path(tmp_path, monkeypatch):
    path = tmp_path / "demo.jsonl"
    path.write_bytes(gzip.decompress((SAMPLES / "demo.jsonl.gz").read_bytes()))
    monkeypatch.setattr(loading, "unit_bytes_for", lambda files, workers: 1 << 20)
    seen = []
    loading.load_logs([path], progress=lambda done, total: seen.append((done, total)), native=True,
                      workers=2)
    assert len(seen) >= 2 and seen[-1] == (path.stat().st_size, path.stat().st_size)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_a_failure_while_combining_stops_the_scan_and_restarts_the_collector(demo_plain, monkeypatch):
    """The scans are combined one by one as they come (``native_tables.ScanTables``), with the
    cyclic collector paused: an error in between must not leave it paused (a long-running
    ``lexlens serve`` would never collect again) while the error is still being handled."""
    import gc

    from lexlens.analytics.ingest import native_tables

    added = []

    def fail_on_the_second(self, raw, line_offset=0):
        if added:
            raise MemoryError("while combining")
        added.append(line_offset)

    monkeypatch.setattr(loading, "unit_bytes_for", lambda files, workers: 1 << 20)
    monkeypatch.setattr(native_tables.ScanTables, "add", fail_on_the_second)
    assert gc.isenabled()
    try:
        load_logs([demo_plain], native=True, workers=2)
    except MemoryError:
        assert gc.isenabled()  # the traceback still holds the load's frames here
    else:
        raise AssertionError("the load did not fail")
    assert added == [0]


@pytest.mark.parametrize("first_line, rejected", [
    (b"{", [(1, "malformed JSON")]),
    (b"[", [(1, "malformed JSON")]),
    (b'{"timestamp": "2024-10-21T00:00:00Z", "bot": {"name": "Cut', [(1, "malformed JSON")]),  # cut off
], ids=["a lone brace", "a lone bracket", "a cut-off record"])
def test_a_file_of_lines_that_starts_like_a_document_loads_its_records(first_line, rejected, tmp_path):
    """A file whose first line is a lone '{' or '[' is taken for a pretty-printed document
    (``files.sniff_file``); when it is not one JSON value it is read as lines, so one stray line
    does not reject the records after it (before: one rejection, 'malformed JSON', for the file)."""
    path = tmp_path / "logs.jsonl"
    records = [json.dumps(base(requestId=f"r{i}")).encode() for i in range(3)]
    path.write_bytes(b"\n".join([first_line, *records]) + b"\n")
    for native_path in (True, False):
        data = load_logs([path], native=native_path)
        assert data.report.lines == 4 and data.report.accepted == 3
        assert [(r.line, r.reason[:len("malformed JSON")]) for r in data.report.rejections] == rejected


def test_a_pretty_printed_document_is_still_one_line(tmp_path):
    events = [{"timestamp": 1729468800000 + i, "message": json.dumps(base(requestId=f"doc-{i}"))} for i in range(3)]
    path = tmp_path / "events.json"
    path.write_text(json.dumps({"events": events}, indent=4))
    data = load_logs([path])
    assert data.report.accepted == 3 and data.report.rejected == 0
