"""The C scanner (analytics/ingest/_lexscan.c via analytics/ingest/native.py) against the Python parser.

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
import tempfile
from datetime import datetime
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, note, settings, strategies as st

from lexlens.analytics.ingest import loading, native
from lexlens.analytics.ingest.loading import load_logs
from lexlens.analytics.errors import LexlensError
from lexlens.analytics.schema import SERVER_RESPONSE_COLUMNS, TABLES, LogData
from lexlens.analytics.sources.files import sniff_file
from lexlens.analytics.sources.limits import ReadLimits



def test_the_scanner_is_built():
    """.ci/run builds it (gcc is on every machine it runs on): a failed build must fail here,
    not silently skip every comparison below."""
    assert native.available(), "analytics/ingest/_lexscan.c was not compiled (pip install -e . needs gcc)"


SAMPLES = Path(__file__).resolve().parent.parent / "sample_logs"
SHARED_FIXTURES = sorted(Path("/work/shared/fixtures").glob("*.jsonl"))  # absent in CI


# ---------- comparing two loads ----------

def column_values(column: pd.Series) -> np.ndarray:
    """A column's values as plain objects/numbers, categories resolved to their values."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return np.asarray(column.astype(object), dtype=object)
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        return column.array.asi8
    return column.to_numpy()


def assert_same_column(table: str, name: str, a: pd.Series, b: pd.Series) -> None:
    where = f"{table}.{name}"
    assert a.dtype.kind == b.dtype.kind, f"{where}: dtype {a.dtype} != {b.dtype}"
    assert str(a.dtype) == str(b.dtype) or isinstance(a.dtype, pd.CategoricalDtype), \
        f"{where}: dtype {a.dtype} != {b.dtype}"
    left, right = column_values(a), column_values(b)
    if a.dtype.kind == "f":
        # NaN equals NaN; -0.0 equals 0.0 (allowed by the brief)
        same = (left == right) | (np.isnan(left) & np.isnan(right))
    elif left.dtype == object:
        same = np.array([x == y and type(x) is type(y) for x, y in zip(left, right)], dtype=bool)
    else:
        same = left == right
    if not same.all():
        rows = np.flatnonzero(~same)[:5]
        raise AssertionError(f"{where} differs at rows {rows.tolist()}: "
                             f"native {[left[i] for i in rows]!r} != python {[right[i] for i in rows]!r}")


def assert_same_load(a: LogData, b: LogData) -> None:
    """``a`` (native) and ``b`` (Python) hold the same tables and the same report."""
    for table, columns in {**TABLES, "server_responses": SERVER_RESPONSE_COLUMNS}.items():
        left, right = getattr(a, table), getattr(b, table)
        assert list(left.columns) == list(right.columns) == list(columns), table
        assert len(left) == len(right), f"{table}: {len(left)} rows (native) != {len(right)} (python)"
        # metrics select rows by label too (.loc, joins on the index): labels must match
        assert left.index.equals(right.index), f"{table}: index {left.index} != {right.index}"
        for name in columns:
            assert_same_column(table, name, left[name], right[name])
    ra, rb = a.report, b.report
    for count in ("lines", "accepted", "blank", "duplicates"):
        assert getattr(ra, count) == getattr(rb, count), \
            f"report.{count}: native {getattr(ra, count)} != python {getattr(rb, count)}"
    assert [(r.line, r.reason) for r in ra.rejections] == [(r.line, r.reason) for r in rb.rejections]
    assert [(r.source, r.text) for r in ra.rejections] == [(r.source, r.text) for r in rb.rejections]
    assert ra.files == rb.files


def load(path: Path, native_path: bool, unit_bytes: int = 0, workers: int = 1, limits=None):
    """``load_logs`` of ``path`` (cut into ``unit_bytes`` units when given), or the exception
    it raised: a crash must at least be the same crash on both paths."""
    try:
        if not unit_bytes:
            return load_logs([path], workers=workers, native=native_path, limits=limits)
        with mock.patch.object(loading, "unit_bytes_for", lambda files, workers: unit_bytes):
            return load_logs([path], workers=workers, native=native_path, limits=limits)
    except Exception as error:  # noqa: BLE001 - compared, not hidden
        return error


def assert_same_outcome(a, b) -> None:
    """Native outcome ``a`` equals Python outcome ``b``: same tables and report, or same error."""
    if isinstance(a, Exception) or isinstance(b, Exception):
        assert (type(a), str(a)) == (type(b), str(b)), f"native {a!r} != python {b!r}"
    else:
        assert_same_load(a, b)


def assert_native_matches_python(path: Path, unit_sizes=(), workers: int = 1, limits=None):
    """Native == Python for ``path`` as one unit and cut into each of ``unit_sizes`` bytes;
    returns the Python outcome."""
    python = load(path, native_path=False, limits=limits)
    assert_same_outcome(load(path, native_path=True, limits=limits), python)
    for unit_bytes in unit_sizes:
        assert_same_outcome(load(path, True, unit_bytes, workers, limits), python)
    return python


def physical_lines(content: bytes) -> int:
    return content.count(b"\n") + (1 if content and not content.endswith(b"\n") else 0)


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


@pytest.mark.parametrize("path", [SAMPLES / "variants.jsonl", SAMPLES / "real-lex-records.jsonl",
                                  *SHARED_FIXTURES], ids=lambda path: path.name)
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


def test_folder_of_plain_gzip_and_json_document_files(tmp_path):
    """Several files in one load: plain ones (cut into units), a gzip file and a pretty-printed
    filter-log-events document (neither splittable), line numbers per file."""
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


# ---------- empty and blank files ----------

@pytest.mark.parametrize("content", [b"", b"\n", b"\n\n\n", b" \n\t\n\x0b\n\x0c\n\r\n\r\n  \t \r\n",
                                     b"   ", b"\r"], ids=repr)
def test_empty_and_blank_only_files(content, tmp_path):
    path = tmp_path / "blank.jsonl"
    path.write_bytes(content)
    python = assert_native_matches_python(path, unit_sizes=(1, 2, 3))
    assert python.turns.empty and python.report.blank == physical_lines(content)
    assert native.scan_counts(content) == {"fast": 0, "blank": physical_lines(content), "fallback": 0}


# ---------- table-driven single lines ----------

REAL = [json.loads(line) for line in (SAMPLES / "real-lex-records.jsonl").read_text().splitlines()]


def base(**changes) -> dict:
    """The first real record with top-level fields replaced (DROP removes one)."""
    record = json.loads(json.dumps(REAL[0]))
    for key, value in changes.items():
        if value is DROP:
            record.pop(key, None)
        else:
            record[key] = value
    return record


DROP = object()


def state(**changes) -> dict:
    session = json.loads(json.dumps(REAL[0]["sessionState"]))
    session.update(changes)
    return session


def with_slots(slots, intent_name="OrderPizza") -> dict:
    return state(intent={"name": intent_name, "state": "InProgress", "confirmationState": "None",
                         "slots": slots})


def line(record: dict, **dumps) -> bytes:
    return json.dumps(record, **dumps).encode("utf-8")


def scalar(value):
    return {"shape": "Scalar", "value": {"originalValue": value, "interpretedValue": value,
                                         "resolvedValues": [value]}}


# (id, line, canonical): canonical lines must be read by the C scanner itself.
CASES = [
    ("real record 1", line(REAL[0]), True),
    ("real record 2", line(REAL[1]), True),
    ("non-ascii raw", line(base(inputTranscript="crème brûlée 😀 日本"), ensure_ascii=False), True),
    ("non-ascii escaped", line(base(inputTranscript="crème brûlée 😀 日本"), ensure_ascii=True), True),
    ("NUL and controls escaped", line(base(inputTranscript="a\x00b\x01\x1f\n\t\"\\/")), True),
    ("escaped slash and uppercase hex", line(base()).replace(b'"sessionId": "',
                                                             b'"sessionId": "\\/\\u00E9\\uD83D\\uDE00'), True),
    ("unicode whitespace transcript", line(base(inputTranscript="\u2003\u00a0\x1c\u3000")), True),
    ("zero-width transcript is an utterance", line(base(inputTranscript="\u200b")), True),
    ("next-line transcript", line(base(inputTranscript="\u0085")), True),
    ("lone high surrogate", line(base()).replace(b'"sessionId": "', b'"sessionId": "\\ud800'), False),
    ("lone low surrogate", line(base()).replace(b'"sessionId": "', b'"sessionId": "\\udc00'), False),
    ("high surrogate + non-low", line(base()).replace(b'"sessionId": "', b'"sessionId": "\\ud800\\u0041'),
     False),
    ("invalid utf-8 in unknown field", line(base(x="X")).replace(b'"X"', b'"\xff\xfe"'), False),
    ("invalid utf-8 in transcript", line(base(inputTranscript="X")).replace(b'"X"', b'"\xc0\xaf"'), False),
    ("encoded surrogate in transcript", line(base(inputTranscript="X")).replace(b'"X"', b'"\xed\xa0\x80"'),
     False),
    ("escaped key at top level", line(base()).replace(b'"sessionId"', b'"session\\u0049d"'), False),
    ("escaped slot name", line(base(sessionState=with_slots({"X": scalar("a")})))
     .replace(b'"X"', b'"\\u0041b"'), True),
    ("duplicate top-level key", line(base()).replace(b'{"', b'{"inputTranscript": "first", "', 1), False),
    ("duplicate key in bot", line(base()).replace(b'"bot": {', b'"bot": {"name": "Other", '), False),
    ("duplicate slot, written two ways", line(base(sessionState=with_slots({"A": None, "B": None})))
     .replace(b'"B"', b'"\\u0041"'), False),
    ("duplicate session attribute", line(base(sessionState=state(sessionAttributes={"k": "1", "K": "2"})))
     .replace(b'"K"', b'"k"'), False),
    ("duplicate unknown top-level key", line(base()).replace(b'{"', b'{"zz": 1, "zz": [2], "', 1), True),
    # timestamps
    *[(f"time {text}", line(base(timestamp=text)), fast) for text, fast in [
        ("2024-10-21T00:00:00Z", True), ("2024-10-21T00:00:00.5Z", True),
        ("2024-10-21T00:00:00.0005Z", True), ("2024-10-21T00:00:00.0015Z", True),
        ("2024-10-21T00:00:00.123456Z", True), ("2024-10-21T00:00:00.9999995Z", False),
        ("1969-12-31T23:59:59.9995Z", True), ("1969-12-31T23:59:59.0005Z", False),
        ("1969-12-31T23:59:59.999Z", False), ("1970-01-01T00:00:00Z", True),
        ("2199-12-31T23:59:59.999Z", True), ("2199-12-31T23:59:59.9995Z", False),
        ("2200-01-01T00:00:00Z", False),
        ("2024-10-21T00:00:00+05:30", True), ("2024-10-21T00:00:00-05:30", True),
        ("2024-10-21T00:00:00.25-00:00", True), ("2024-10-21T00:00:00+23:59", True),
        ("2024-10-21T00:00:00", True), ("2024-10-21T00:00:00.1", True),
        ("2024-10-21T00:00:00+0530", False), ("2024-10-21T00:00:00+05", False),
        ("2024-10-21 00:00:00Z", False), ("2024-10-21T00:00:00,5Z", False),
        ("2024-10-21t00:00:00z", False), ("2024-10-21T00:00:00+24:00", False),
        ("2024-02-29T12:00:00Z", True), ("2023-02-29T12:00:00Z", False), ("1900-02-29T12:00:00Z", False),
        ("2000-02-29T12:00:00Z", True), ("2024-02-30T12:00:00Z", False), ("2024-04-31T12:00:00Z", False),
        ("2024-10-21T24:00:00Z", False), ("2024-10-21T23:60:00Z", False), ("2024-10-21T23:59:60Z", False),
        ("2255-03-14T16:00:00Z", False), ("2255-03-14T16:00:00.001Z", False),
        ("1684-10-19T08:00:00Z", False), ("1684-10-19T07:59:59.999Z", False),
        ("1690-01-01T00:00:00Z", False), ("2250-01-01T00:00:00Z", False),
        ("1600-01-01T00:00:00Z", False), ("2300-01-01T00:00:00Z", False),
        ("0001-01-01T00:00:00Z", False), ("9999-12-31T23:59:59.999999Z", False),
        ("0000-01-01T00:00:00Z", False), ("2024-10-21", False), ("", False), ("yesterday", False),
        ("2024-10-21T00:00:00.Z", False), ("\u0661\u0669\u0667\u0660-01-01T00:00:00Z", False),
    ]],
    ("time as epoch ms", line(base(timestamp=1729468800000)), False),
    ("time null", line(base(timestamp=None)), False),
    ("time absent", line(base(timestamp=DROP)), False),
    # confidences
    *[(f"nluConfidence {value!r}", line(base(interpretations=[
        {"intent": {"name": "A"}, "nluConfidence": value}, {"intent": {"name": "B"}, "nluConfidence": value}])),
      fast) for value, fast in [
        ("0.63", True), (0.63, True), ({"score": 0.63}, False), ("high", False), (" 0.5", False),
        ("1e-3", True), ("nan", False), ("-0", True), ("-0.0", True), (0, True), (1, True), (True, False),
        ("0.1000000000000000055511151231257827", True), ("1E+2", True), ("01", False), ("+0.5", False),
        ("1e400", True), ("1_0", False), (".5", False), (None, True), ([0.5], False),
        (123456789012345678, True), (1234567890123456789, False), (9007199254740993, True),
        (1.7976931348623157e308, True), (5e-324, False), (2.2250738585072014e-308, True),
        (0.30000000000000004, True)]],
    *[(f"number text {text}", line(base(interpretations=[{"intent": {"name": "A"}, "nluConfidence": "X"}]))
       .replace(b'"X"', text), fast) for text, fast in [
        (b"-0", True), (b"-0.0", True), (b"1e308", True), (b"1E+308", True), (b"1e309", False),
        (b"5e-324", False), (b"1.2e-05", True), (b"0e0", True), (b"0.0e-999", True), (b"1e-400", False),
        (b"2.2250738585072011e-308", False), (b"123456789012345678901234567890", False),
        (b"0.10000000000000000555111512312578270211815834045410156250000", False),
        (b"9007199254740993.0", True), (b"9007199254740992.9999999999", True),
        (b"4.9406564584124654e-324", False), (b"1.00000000000000011102230246251565404236316680908203125",
                                                False),
        (b"1.0000000000000001110223024625156540", True), (b"-1e-5", True),
        (b"9999999999999999999", False), (b"-9223372036854775809", False), (b"9223372036854775807", False),
        (b"18446744073709551616", False), (b"-99999999999999999", True), (b"999999999999999999", True)]],
    # sentiment
    *[(f"sentiment {response!r}", line(base(interpretations=[
        {"intent": {"name": "A"}, "nluConfidence": "0.9"},
        {"intent": {"name": "B"}, "sentimentResponse": response},
        {"intent": {"name": "C"}, "sentimentResponse": {"sentiment": "NEUTRAL"}}])), fast)
      for response, fast in [
        ({"sentiment": "positive", "sentimentScore": {"positive": 0.9, "negative": 1.2e-05}}, True),
        ({"sentiment": "mIxEd", "sentimentScore": {"Positive": "0.9", "Negative": -0.0}}, True),
        ({"sentiment": "Negative", "sentimentScore": {"positive": None, "Positive": 0.1, "negative": 1e308,
                                                      "Negative": 5}}, True),
        ({"sentiment": "", "sentimentScore": {"positive": 0.9}}, True),
        ({"sentiment": None, "sentimentScore": None}, True),
        ({"sentiment": "straße", "sentimentScore": {}}, False),
        ({"sentiment": "ǆ", "sentimentScore": {}}, False),
        ({"sentiment": "POSITIVE", "sentimentScore": {"positive": {"score": 1}}}, False),
        ({"sentiment": "POSITIVE", "sentimentScore": []}, False),
        ({"sentiment": 7, "sentimentScore": {}}, False),
        ({"sentiment": "x" * 70}, False), ({"sentiment": "y" * 64}, True),
        (None, True), ("POSITIVE", False)]],
    # intent choice
    ("missed, no intent anywhere", line(base(missedUtterance=True, interpretations=[],
                                             sessionState=state(intent=None))), True),
    ("missed as 'true'", line(base(missedUtterance="true", interpretations=None,
                                   sessionState=state(intent={"name": ""}))), True),
    ("missed as 'True'", line(base(missedUtterance="True", interpretations=[None])), True),
    ("missed as 1", line(base(missedUtterance=1)), False),
    ("missed as escaped true", line(base(missedUtterance="X")).replace(b'"X"', b'"tru\\u0065"'), True),
    ("intent '' takes the top interpretation", line(base(interpretations=[
        None, {"intent": None, "nluConfidence": "0.2"}, {"intent": {"name": "Second"}}],
        sessionState=state(intent={"name": ""}))), True),
    ("interpretation without intent", line(base(interpretations=[{"nluConfidence": 0.5}],
                                                missedUtterance=True)), True),
    ("intent name a number", line(base(sessionState=state(intent={"name": 5}))), False),
    # text fields
    ("inputMode empty is Unknown", line(base(inputMode="")), True),
    ("inputMode null is Unknown", line(base(inputMode=None)), True),
    ("requestId null", line(base(requestId=None)), True),
    ("requestId a number", line(base(requestId=7)), False),
    ("sessionId empty", line(base(sessionId="")), False),
    ("sessionId null", line(base(sessionId=None)), False),
    ("sessionId a number", line(base(sessionId=12)), False),
    ("bot empty", line(base(bot={})), True),
    ("bot null", line(base(bot=None)), False),
    ("bot a string", line(base(bot="BankerBot")), False),
    ("bot version a number", line(base(bot={**REAL[0]["bot"], "version": 3})), False),
    ("sessionState null", line(base(sessionState=None)), True),
    ("Lambda event", line(base(invocationSource="DialogCodeHook")), False),
    ("Lambda event, null marker", line(base(invocationSource=None)), False),
    ("Lex V1 look-alike", line(base(bot=DROP, botName="B", userId="u")), False),
    # messages
    *[(f"messages {value!r}", line(base(messages=value)), fast) for value, fast in [
        ([], True), (None, True), ([None], True), ([None, {"content": "a"}], True),
        ([{"content": None}], True), ([{}], True), ([{"content": "a"}, {"content": None}, {}], True),
        ([{"content": "a"}, None, {"content": "b\nc"}], True), ([{"content": 5}], False),
        ([{"content": ["a"]}], False), ("hello", False), ([5], False)]],
    # attributes
    *[(f"attributes {value!r}", line(base(sessionState=state(sessionAttributes=value),
                                          requestAttributes=value)), fast) for value, fast in [
        ({}, True), (None, True), ({"a": None, "": "", "é": "😀"}, True), ({"n": 5}, False),
        ({"b": True}, False), ({"o": {"x": 1}}, False), ([], False), ("x", False)]],
    # slots
    *[(f"slots {slots!r}", line(base(sessionState=with_slots(slots))), fast) for slots, fast in [
        ({}, True), (None, True), ({"a": None}, True), ({"a": {}}, True),
        ({"a": {"shape": "Scalar", "value": None}}, True), ({"a": {"value": {}}}, True),
        ({"a": {"shape": "", "value": {"originalValue": None, "interpretedValue": "x"}}}, True),
        ({"a": {"shape": "List", "value": {"originalValue": "x y", "interpretedValue": "x y"},
                "values": [scalar("x"), None, {"shape": "Scalar", "value": None}, {}]}}, True),
        ({"a": {"values": [], "value": {"originalValue": "v", "interpretedValue": "v"}}}, True),
        ({"a": {"values": [], "subSlots": {}}}, True),
        ({"a": {"values": [scalar("x")]}}, True),
        ({"a": {"values": [{"values": [scalar("x")]}]}}, False),
        ({"a": {"values": [{"value": scalar("x")["value"], "subSlots": {"b": None}}]}}, False),
        ({"a": {"values": [5]}}, False),
        ({"addr": {"shape": "Composite", "subSlots": {"street": scalar("1 Main"), "city": None,
                                                      "zip": {"shape": "Composite", "subSlots": {
                                                          "p": scalar("1"), "q": {}}}}}}, True),
        ({"addr": {"shape": "Composite", "value": {"originalValue": "o", "interpretedValue": "i"},
                   "subSlots": {"s": scalar("x")}}}, True),
        ({"addr": {"shape": "Composite", "values": [scalar("v")], "subSlots": {"s": None}}}, True),
        ({"a.b": scalar("x"), "a": {"subSlots": {"b": scalar("y")}}}, True),
        ({"a": {"shape": 5}}, False), ({"a": {"value": "x"}}, False), ({"a": 5}, False),
        ({"a": {"value": {"originalValue": 5}}}, False),
    ]],
    # whitespace around and inside
    ("leading spaces", b"  \t" + line(base()), True),
    ("trailing spaces and CR", line(base()) + b" \t\r", True),
    ("compact separators", line(base(), separators=(",", ":")), True),
    ("wide separators", line(base(), indent=None, separators=(" , ", " : ")), True),
    ("leading vertical tab", b"\x0b" + line(base()), False),
    ("leading form feed", b"\x0c" + line(base()), False),
    ("trailing form feed", line(base()) + b"\x0c", False),
    ("trailing garbage", line(base()) + b"x", False),
    ("two records on a line", line(base()) + line(base(requestId="other")), False),
    ("truncated", line(base())[:-1], False),
    ("truncated in a string", line(base())[:40], False),
    ("trailing comma", line(base())[:-1] + b",}", False),
    ("BOM", b"\xef\xbb\xbf" + line(base()), False),
    ("raw tab inside a string", line(base(inputTranscript="X")).replace(b'"X"', b'"a\tb"'), False),
    ("deep unknown field", line(base(x=json.loads("[" * 70 + "]" * 70))), False),
    ("moderately deep unknown field", line(base(x=json.loads("[" * 30 + "]" * 30))), True),
    ("CloudWatch event", line({"timestamp": 1729468800000, "message": json.dumps(REAL[0])}), False),
    ("CloudWatch event, record with string time", line({"timestamp": "2024-10-21T00:00:00Z",
                                                        "message": json.dumps(REAL[0])}), False),
    ("S3 export line", b"2024-10-21T00:00:00.000Z " + line(base()), False),
    ("events document", line({"events": [{"timestamp": 1729468800000, "message": json.dumps(REAL[0])},
                                         {"timestamp": 1, "message": "x"}, 5]}), False),
    ("record that also has message and events", line(base(message="x", events=[1])), True),
    # responseReason (https://docs.aws.amazon.com/lexv2/latest/dg/conversation-logs-cw.html):
    # an answer to user input stays on the fast path; a server response goes to Python
    ("responseReason UtteranceResponse", line(base(responseReason="UtteranceResponse")), True),
    *[(f"responseReason {reason}", line(base(responseReason=reason)), False)
      for reason in ("StartTimeout", "StillWaitingResponse", "FulfillmentInitiated",
                     "FulfillmentStartedResponse", "FulfillmentUpdateResponse",
                     "FulfillmentCompletedResponse", "SomeFutureReason", "")],
    ("responseReason null", line(base(responseReason=None)), False),
    ("responseReason a number", line(base(responseReason=3)), False),
    ("responseReason escaped", line(base(responseReason="X")).replace(b'"X"', b'"\\u0055tteranceResponse"'),
     False),
    ("responseReason twice", line(base(responseReason="UtteranceResponse"))[:-1]
     + b', "responseReason": "StartTimeout"}', False),
    ("bargeIn and audioProperties", line(base(bargeIn=True, audioProperties={
        "duration": {"total": 1200, "voice": 800, "silence": 400}})), True),
    ("a JSON array", b"[1, 2]", False),
    ("a JSON string", b'"hello"', False),
    ("garbage", b"not json at all", False),
]


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b""], ids=["LF", "CRLF", "no-newline"])
@pytest.mark.parametrize("text, canonical", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_single_line_native_equals_python(text, canonical, ending, tmp_path):
    path = tmp_path / "one.jsonl"
    content = text + ending
    path.write_bytes(content)
    counts = native.scan_counts(content)
    if canonical:
        assert counts == {"fast": 1, "blank": 0, "fallback": 0}
    assert sum(counts.values()) == 1
    python = assert_native_matches_python(path)
    if canonical:
        assert len(python.turns) == 1 and not python.report.rejections


def test_many_distinct_texts_and_long_lines(tmp_path):
    """Thousands of distinct texts (the scanner's hash tables grow), repeats of them (interned
    codes reused), every 7th record in a CloudWatch envelope (Python), a 300 KB line full of
    escapes; in one unit, in small units, and on two threads."""
    records_ = []
    for i in range(2500):
        record = base(requestId=f"r{i % 1800}", sessionId=f"s{i % 1800 % 700}",
                      inputTranscript=f"t{i} é\n{i % 13}",
                      bot={**REAL[0]["bot"], "name": f"Bot{i % 37}", "localeId": ["en_US", "es_US"][i % 2]},
                      requestAttributes={f"k{i % 300}": f"v{i}", "same": "x"},
                      messages=[{"content": f"m{i % 500}"}, {"content": "again"}][: 1 + i % 2],
                      sessionState=with_slots({f"slot{i % 400}": scalar(f"value {i}"), "z": None},
                                              intent_name=f"Intent{i % 90}"))
        record["timestamp"] = f"2024-10-21T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}" \
                              f".{i % 1000:03d}Z"
        text = json.dumps(record, ensure_ascii=bool(i % 3))
        records_.append(json.dumps({"timestamp": 1729468800000 + i, "message": text}) if i % 7 == 0 else text)
    records_.insert(1234, line(base(inputTranscript="\u00e9\"\\\n" * 60_000)).decode())
    content = ("\n".join(records_) + "\n").encode()
    path = tmp_path / "many.jsonl"
    path.write_bytes(content)
    counts = native.scan_counts(content)
    assert counts["fast"] == 2501 - 358 and counts["fallback"] == 358
    python = assert_native_matches_python(path, unit_sizes=(100_000,))
    assert python.report.duplicates == 700
    assert_native_matches_python(path, unit_sizes=(333_333,), workers=2)


PYTHON_SPACES = [chr(c) for c in range(0x3001) if chr(c).isspace()]


def test_is_utterance_uses_str_isspace_for_every_character(tmp_path):
    """Each of Python's whitespace characters and its neighbours, alone, doubled, and
    around a word, as a transcript: ``is_utterance`` is ``transcript.strip() != ''``."""
    assert len(PYTHON_SPACES) == 29
    near = sorted({chr(max(0, ord(c) + step)) for c in PYTHON_SPACES for step in (-1, 0, 1)} |
                  {"\u180e", "\u200b", "\ufeff", "\U0001f600", "\u00ad"})
    transcripts = [t for c in near for t in (c, c * 2, f"{c}x{c}", " " + c)]
    content = b"".join(line(base(requestId=f"r{i}", inputTranscript=t), ensure_ascii=i % 2 == 0) + b"\n"
                       for i, t in enumerate(transcripts))
    path = tmp_path / "spaces.jsonl"
    path.write_bytes(content)
    assert native.scan_counts(content)["fast"] == len(transcripts)
    python = assert_native_matches_python(path)
    assert (~python.turns["is_utterance"]).sum() == 2 * 29 + 29  # alone, doubled, after a space


@pytest.mark.parametrize("special", [b'\\"', b"\\\\", b"\\n", b"\\u001f", b"\x7f", b"\xc3\xa9",
                                     b"\xe2\x80\xa8", b"\xf0\x9f\x98\x80", b"\x00", b"\x01", b"\x1f",
                                     b"\t", b"\xff", b"\xc3", b"\xed\xa0\x80", b'"', b"\\q"],
                         ids=repr)
def test_special_bytes_at_every_position_in_a_string(special, tmp_path):
    """Escapes, raw control bytes, multi-byte and invalid UTF-8 at each offset of a string
    (the scanner reads 8 bytes at a time): read alike, or rejected alike."""
    texts = []
    for offset in range(0, 19):
        for tail in (0, 3, 9):
            texts.append(line(base(requestId=f"r{offset}-{tail}", inputTranscript="X"))
                         .replace(b'"X"', b'"' + b"a" * offset + special + b"b" * tail + b'"'))
    content = b"\n".join(texts) + b"\n"
    path = tmp_path / "positions.jsonl"
    path.write_bytes(content)
    counts = native.scan_counts(content)
    assert counts["fast"] + counts["fallback"] == len(texts)
    assert counts["fast"] in (0, len(texts)), counts  # the offset must not change the decision
    assert_native_matches_python(path, unit_sizes=(1000,))


@pytest.mark.parametrize("where, old, new", [
    ("transcript", b'"inputTranscript": "yes"', b'"inputTranscript": "\xff"'),
    ("transcript (encoded surrogate)", b'"inputTranscript": "yes"', b'"inputTranscript": "\xed\xa0\x80"'),
    ("bot name", b'"name": "BookTrip-POC"', b'"name": "Book\xc0\xafTrip"'),
    ("slot value", b'"originalValue": "Trip"', b'"originalValue": "Tr\xe2\x82"'),
    ("unknown field (read by nobody)", b'"developerOverride": false', b'"developerOverride": "\xff"'),
])
def test_invalid_utf8_in_a_read_field_is_rejected(where, old, new, tmp_path):
    """'One bad line never stops a load' (analytics/ingest/loading.py): a line with invalid UTF-8
    inside a field lexlens reads is rejected (or read), never a crash, on both paths."""
    text = line(REAL[0])
    assert old in text
    path = tmp_path / "bad-utf8.jsonl"
    path.write_bytes(line(REAL[1]) + b"\n" + text.replace(old, new) + b"\n")
    assert native.scan_counts(path.read_bytes()) == {"fast": 1, "blank": 0, "fallback": 1}
    python = assert_native_matches_python(path)
    assert not isinstance(python, Exception), f"the load crashed: {python!r}"
    assert len(python.turns) + python.report.rejected == 2


def test_all_single_lines_in_one_file_with_duplicates_and_ties(tmp_path):
    """Every case in one file, twice (second copies are duplicates: fast after fallback and
    fallback after fast), in one unit and cut into units."""
    texts = [text for _, text, _ in CASES]
    same_time = [line(base(requestId=f"tie-{i}", timestamp=stamp)) for i, stamp in enumerate(
        ["2024-10-21T00:00:00Z", "2024-10-21 00:00:00Z", "2024-10-21T00:00:00.000Z",
         "2024-10-21T00:00:00+0000", "2024-10-21T00:00:00"])]
    content = b"\n".join(texts + same_time + texts[::-1] + same_time[::-1]) + b"\n"
    path = tmp_path / "all.jsonl"
    path.write_bytes(content)
    counts = native.scan_counts(content)
    assert counts["fast"] >= 2 * sum(canonical for *_, canonical in CASES)
    python = assert_native_matches_python(path, unit_sizes=(4099, 50_000))
    assert_native_matches_python(path, unit_sizes=(16_384,), workers=2)
    if not isinstance(python, Exception):
        assert python.report.duplicates > 0


# ---------- Hypothesis: hostile-but-plausible records ----------

class Raw:
    """JSON text written by hand (bytes): escapes, odd numbers, invalid UTF-8."""

    def __init__(self, data: bytes):
        self.data = data

    def __repr__(self) -> str:
        return f"Raw({self.data!r})"


class Obj:
    """A JSON object as ordered (key, value) pairs: keys may repeat; a key may be Raw."""

    def __init__(self, pairs: list):
        self.pairs = pairs

    def __repr__(self) -> str:
        return f"Obj({self.pairs!r})"


def dump(value, ascii_only: bool = True, seps: tuple = (b", ", b": ")) -> bytes:
    """``value`` as JSON text; Raw and Obj written as they are."""
    if isinstance(value, Raw):
        return value.data
    if isinstance(value, (Obj, dict)):
        pairs = value.pairs if isinstance(value, Obj) else list(value.items())
        return b"{" + seps[0].join(dump(key, ascii_only, seps) + seps[1] + dump(item, ascii_only, seps)
                                   for key, item in pairs) + b"}"
    if isinstance(value, list):
        return b"[" + seps[0].join(dump(item, ascii_only, seps) for item in value) + b"]"
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8")


PLAIN_CHARS = st.characters(blacklist_categories=("Cs",))  # no lone surrogates in str
SAMPLE_TEXTS = ["", " ", "hi", "check balance", "é", "Ünïcödé", "😀 pizza", "\u00a0", "\u2003", "\u200b",
                "\x1c", "\x85", "a\nb", 'quote " and \\ backslash', "\x00", "\t", "true", "0.63", "null",
                "\u2028", "日本語", "ǅ", "ß"]
ESCAPED_TEXTS = [Raw(b'"\\u00e9t\\u00e9"'), Raw(b'"\\ud83d\\ude00"'), Raw(b'"\\uD83D\\uDE00!"'),
                 Raw(b'"a\\/b"'), Raw(b'"\\u0000"'), Raw(b'"\\"\\\\\\b\\f\\n\\r\\t"'), Raw(b'"\\u0020"')]
HOSTILE_TEXTS = [Raw(b'"\\ud800"'), Raw(b'"\\udc00"'), Raw(b'"\\ud800\\u0041"'), Raw(b'"\\ud800x"'),
                 Raw(b'"\\x41"'), Raw(b'"\\u12"'), Raw(b'"tab\there"'), Raw(b'"unterminated')]
# Invalid UTF-8 inside a string: the scanner must leave such lines to Python.
BAD_UTF8 = [b"\xff", b"a\xfeb", b"\xed\xa0\x80", b"\xc0\xaf", b"\xe2\x82", b"\xf4\x90\x80\x80", b"\x80"]
NUMBER_TEXTS = [b"-0", b"-0.0", b"0", b"1e308", b"5e-324", b"1.2e-05", b"1E+2", b"2.2250738585072011e-308",
                b"1e400", b"-1e400", b"123456789012345678", b"1234567890123456789", b"12345678901234567890123",
                b"9007199254740993", b"0.1000000000000000055511151231257827", b"1e-400", b"0e0"]
BAD_NUMBER_TEXTS = [b"01", b"1.", b".5", b"+1", b"NaN", b"Infinity", b"-", b"1e", b"0x10"]
JSON_NUMBER = st.from_regex(rb"\A-?(0|[1-9][0-9]{0,24})(\.[0-9]{1,24})?([eE][-+]?[0-9]{1,3})?\Z")
CANONICAL_NUMBER = st.from_regex(rb"\A-?(0|[1-9][0-9]{0,16})(\.[0-9]{1,16})?([eE][-+]?[0-9]{1,2})?\Z")

scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(PLAIN_CHARS, max_size=6))
any_json = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.text(PLAIN_CHARS, max_size=4), inner, max_size=3), max_leaves=8)


def sometimes(usual, odd, hostile: bool, odds: int = 20):
    """``usual``; in hostile records ``odd`` once in ``odds`` draws: a hostile record is a
    canonical one with a few odd parts, so most of it still tests what the scanner reads."""
    if not hostile:
        return usual
    return st.integers(0, odds - 1).flatmap(lambda roll: odd if roll == 0 else usual)


def texts(hostile: bool, pool=()):
    """A text field: strings (raw or escaped), null; hostile adds wrong JSON types, bad escapes."""
    usual = st.one_of(st.sampled_from(SAMPLE_TEXTS + list(pool)), st.text(PLAIN_CHARS, max_size=10),
                      st.sampled_from(ESCAPED_TEXTS), st.none())
    odd = st.one_of(st.sampled_from(HOSTILE_TEXTS), any_json,
                    st.sampled_from(NUMBER_TEXTS + BAD_NUMBER_TEXTS).map(Raw))
    return sometimes(usual, odd, hostile)


def numbers(hostile: bool):
    """A JSON number; canonical ones are those the scanner converts itself (no subnormals,
    at most 17 integer digits, at most 40 characters)."""
    usual = st.one_of(st.floats(0, 1, allow_subnormal=False),
                      st.floats(allow_nan=False, allow_infinity=False, allow_subnormal=False),
                      st.integers(-10**16, 10**17), CANONICAL_NUMBER.map(Raw))
    odd = st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False), JSON_NUMBER.map(Raw),
                    st.sampled_from(NUMBER_TEXTS).map(Raw), st.sampled_from(BAD_NUMBER_TEXTS).map(Raw))
    return sometimes(usual, odd, hostile, odds=3)


def confidences(hostile: bool):
    """nluConfidence / a sentiment score: "0.63", 0.63, null; hostile: {"score":..}, "high", ..."""
    usual = st.one_of(st.floats(0, 1).map(lambda x: f"{x:.2f}"), numbers(hostile), st.none(),
                      (JSON_NUMBER if hostile else CANONICAL_NUMBER).map(lambda text: text.decode()),
                      st.sampled_from(["0.63", "1e-3", "-0", "1E+2", "1e400", "-1e400", "0"]))
    odd = st.one_of(st.sampled_from(["high", " 0.5", "0.5 ", "nan", "NaN", "inf", "-infinity", "1_0",
                                     "+0.5", ".5", "5.", "\u0661", "0x1", ""]),
                    numbers(hostile).map(lambda n: {"score": n}), st.booleans(), any_json)
    return sometimes(usual, odd, hostile, odds=4)


@st.composite
def objects(draw, fields: dict, hostile: bool, always=(), often=(), unknown=True):
    """A JSON object with some of ``fields`` (name -> strategy; ``often`` ones 9 times in 10,
    others 3 in 4) in any order; hostile adds duplicate keys, escaped field names, and drops
    even ``always`` fields once in 20; unknown fields with any JSON."""
    def present(name: str) -> bool:
        if name in always:
            return not hostile or draw(st.integers(0, 19)) > 0
        return draw(st.integers(0, 9 if name in often else 3)) > 0

    pairs = [(name, draw(strategy)) for name, strategy in fields.items() if present(name)]
    if unknown and draw(st.integers(0, 3)) == 0:
        pairs.append((draw(st.sampled_from(["x", "xTra", "developerOverride", "activeContexts", "x.y", ""])),
                      draw(any_json)))
    if draw(st.booleans()):
        pairs = draw(st.permutations(pairs))
    if hostile and pairs and draw(st.integers(0, 39)) == 0:
        name, _ = pairs[draw(st.integers(0, len(pairs) - 1))]
        strategy = fields.get(name, any_json)
        pairs.insert(draw(st.integers(0, len(pairs))), (name, draw(strategy)))
    if hostile and pairs and draw(st.integers(0, 59)) == 0:
        position = draw(st.integers(0, len(pairs) - 1))
        name, value = pairs[position]
        if name:
            escaped = b'"\\u%04x' % ord(name[0]) + json.dumps(name[1:]).encode()[1:]
            pairs[position] = (Raw(escaped), value)
    return Obj(pairs)


@st.composite
def maps(draw, keys, values, hostile: bool, max_size: int = 4, min_size: int = 0):
    """A dict-typed JSON object (slots, attributes); hostile adds a key written twice."""
    pairs = list(draw(st.dictionaries(keys, values, min_size=min_size, max_size=max_size)).items())
    if hostile and pairs and draw(st.integers(0, 14)) == 0:
        name = pairs[draw(st.integers(0, len(pairs) - 1))][0]
        written = Raw(b'"\\u%04x' % ord(name[0]) + json.dumps(name[1:]).encode()[1:]) \
            if name and draw(st.booleans()) else name
        pairs.insert(draw(st.integers(0, len(pairs))), (written, draw(values)))
    return Obj(pairs)


def nullable(strategy, hostile: bool):
    """``strategy`` (4 times in 5), null, and in hostile records a value of the wrong JSON type."""
    return sometimes(st.integers(0, 4).flatmap(lambda roll: strategy if roll else st.none()), any_json,
                     hostile)


@st.composite
def timestamps(draw, hostile: bool):
    if draw(st.integers(0, 4)) == 0:  # the same instant written many ways: ties in time
        return draw(st.sampled_from(["2024-10-21T00:00:00Z", "2024-10-21T00:00:00.000Z",
                                     "2024-10-21T00:00:00+00:00", "2024-10-21T00:00:00"] + (
            ["2024-10-21 00:00:00Z", "2024-10-21T00:00:00.000000000Z", "2024-10-21T05:30:00+0530",
             "2024-10-21T00:00:00,0Z", 1729468800000, 1729468800, 1729468800.5, None, "",
             "2024-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "2024-10-21T24:00:00Z", "2024-10-21",
             "0000-01-01T00:00:00Z", "2262-04-12T00:00:00Z", "1677-09-21T00:00:00Z",
             "2255-03-14T16:00:00Z", "1684-10-19T08:00:00Z", "1969-12-31T23:59:59.9995Z",
             "1969-12-31T23:59:59.999Z", "2199-12-31T23:59:59.9995Z", "2200-01-01T00:00:00Z",
             True, [], Raw(b'"2024-10-21T00:00:00\\u005a"')]
            if hostile else [])))
    # canonical: inside the accepted range (records.MIN_TIME_MS..MAX_TIME_MS) by more than a
    # day, whatever the offset; hostile: around and far past it
    low, high = (datetime(1600, 1, 1), datetime(2300, 12, 31)) if hostile else \
        (datetime(1970, 1, 2), datetime(2199, 12, 30))
    moment = draw(st.datetimes(min_value=low, max_value=high))
    separator = draw(st.sampled_from("TT t" if hostile else "T"))
    text = f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}{separator}" \
           f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    digits = draw(st.integers(0, 9 if hostile else 6))
    if digits:
        extra = draw(st.text("0123456789", min_size=3, max_size=3))
        fraction = (f"{moment.microsecond:06d}" + extra)[:digits]
        text += draw(st.sampled_from(".,")) if hostile else "."
        text += fraction
    zones = ["Z", "", "+00:00", "-00:00", "+05:30", "-05:30", "+14:00", "-12:00", "+23:59"]
    if hostile:
        zones += ["+0530", "+05", "z", "+24:00", "-05:30:15", " Z"]
    return text + draw(st.sampled_from(zones))


def slot_values(hostile: bool):
    return objects({"originalValue": texts(hostile), "interpretedValue": texts(hostile),
                    "resolvedValues": st.lists(texts(hostile), max_size=2)}, hostile)


def slots(hostile: bool):
    """(slot strategy, slot-name strategy). A slot: null, Scalar, List with values[] (null
    elements; hostile: nested elements), Composite with subSlots, nested up to 3 levels."""
    shape = texts(hostile, pool=["Scalar", "List", "Composite"])
    value = nullable(slot_values(hostile), hostile)
    scalar_slot = objects({"shape": shape, "value": value}, hostile)
    names = st.one_of(st.sampled_from(["toppings", "city", "a", "a.b", "É", ""]),
                      st.text(PLAIN_CHARS, max_size=5))

    def nested(depth: int):
        if depth == 0:
            return scalar_slot
        inner = nested(depth - 1)
        element = st.one_of(st.none(), scalar_slot, inner) if hostile else st.one_of(st.none(), scalar_slot)
        return objects({"shape": shape, "value": value,
                        "values": nullable(st.lists(element, max_size=3), hostile),
                        "subSlots": nullable(maps(names, st.one_of(st.none(), inner), hostile, 3), hostile)},
                       hostile, often=("values", "subSlots"))

    return st.one_of(st.none(), scalar_slot, nested(1), nested(1), nested(2), nested(3)), names


def interpretations(hostile: bool):
    slot, names = slots(hostile)
    name = texts(hostile, pool=["OrderPizza", "FallbackIntent", "CheckBalance"])
    scores = maps(st.sampled_from(["positive", "Positive", "negative", "Negative", "neutral", "Mixed"]),
                  confidences(hostile), hostile)
    sentiment_text = st.sampled_from(["POSITIVE", "positive", "Negative", "NEUTRAL", "mIxEd", "", "x" * 64]) \
        if not hostile else texts(True, pool=["POSITIVE", "positive", "ß", "straße", "ǆ", "x" * 65])
    response = objects({"sentiment": sentiment_text, "sentimentScore": nullable(scores, hostile)}, hostile)
    one = objects({
        "intent": nullable(objects({"name": name, "slots": nullable(maps(names, slot, hostile), hostile)},
                                   hostile), hostile),
        "nluConfidence": confidences(hostile),
        "sentimentResponse": nullable(response, hostile),
        "interpretationSource": texts(hostile, pool=["Lex", "Bedrock"]),
    }, hostile)
    return nullable(st.lists(st.one_of(st.none(), one, one), max_size=4), hostile), slot, names, name


@st.composite
def records(draw, hostile: bool):
    """One Lex V2 record (an Obj); canonical ones (hostile=False) are what the C scanner reads."""
    interpretation_list, slot, names, intent_name = interpretations(hostile)
    attribute_values = texts(hostile)
    attribute_keys = st.one_of(st.sampled_from(["k", "K", "é", ""]), st.text(PLAIN_CHARS, max_size=4))
    attributes = nullable(maps(attribute_keys, attribute_values, hostile), hostile)
    state = objects({
        "dialogAction": nullable(objects({"type": texts(hostile, pool=["ElicitSlot", "Close"]),
                                          "slotToElicit": texts(hostile)}, hostile), hostile),
        "intent": nullable(objects({
            "name": intent_name, "state": texts(hostile, pool=["InProgress", "Fulfilled"]),
            "confirmationState": texts(hostile, pool=["None", "Confirmed"]),
            "slots": nullable(maps(names, slot, hostile, min_size=1), hostile)}, hostile, often=("slots",)),
            hostile),
        "sessionAttributes": attributes,
        "originatingRequestId": texts(hostile),
    }, hostile, often=("intent",))
    bot_text = texts(hostile, pool=["BankerBot", "PizzaBot", "TSTALIASID", "en_US", "DRAFT"])
    bot = objects({name: bot_text for name in ("id", "name", "aliasId", "aliasName", "localeId", "version")},
                  hostile)
    session = st.sampled_from(["s1", "s2", "séance", "😀"]) | st.text(PLAIN_CHARS, min_size=1, max_size=5)
    fields = {
        "timestamp": timestamps(hostile),
        "messageVersion": st.just("2.0"),
        "bot": sometimes(bot, st.one_of(st.none(), any_json), hostile, odds=10),
        "sessionId": st.one_of(session, session, texts(True)) if hostile else session,
        "requestId": st.one_of(st.sampled_from(["r1", "r2", "r3"]), texts(hostile)),
        "inputMode": texts(hostile, pool=["Text", "Speech", "DTMF"]),
        "operationName": texts(hostile, pool=["RecognizeText"]),
        "inputTranscript": texts(hostile),
        "missedUtterance": st.sampled_from([True, False, "true", "True", "false", None] + (
            [1, 0, "1", [], {}, Raw(b'"tru\\u0065"')] if hostile else [])),
        "interpretations": interpretation_list,
        "sessionState": nullable(state, hostile),
        "messages": nullable(st.lists(st.one_of(st.none(), objects(
            {"contentType": st.just("PlainText"), "content": texts(hostile)}, hostile)), max_size=3), hostile),
        "requestAttributes": attributes,
    }
    always = ("timestamp", "bot", "sessionId")
    if hostile:  # look-alikes and envelopes, rarely
        for name in ("invocationSource", "proposedNextState", "botName", "botAlias", "userId", "message",
                     "events", "message-version"):
            if draw(st.integers(0, 15)) == 0:
                fields[name] = texts(True, pool=["DialogCodeHook"])
    record = draw(objects(fields, hostile, always=always, often=("sessionState", "interpretations")))
    return record


@st.composite
def lines(draw):
    """(line bytes without ending, expected fast): a record, canonical or hostile, or another shape."""
    kind = draw(st.sampled_from(["canonical"] * 4 + ["hostile"] * 5 + [
        "blank", "envelope", "export", "events", "truncated", "bad utf-8 unread", "bad utf-8",
        "nul padded", "deep"]))
    if kind == "blank":
        return draw(st.sampled_from([b"", b" ", b"\t", b"\x0b", b"\x0c", b"\r", b" \t\r ",
                                     b"\0", b"\0\0 \t"])), False
    if kind == "deep":  # around the C scanner's depth (64) and records.MAX_NESTING (128)
        depth = draw(st.sampled_from([62, 63, 64, 65, 66, 67, 126, 127, 128, 129, 130, 131]))
        where = draw(st.sampled_from(["xDeep", "sessionAttributes"]))
        nested = Raw(b"[" * (depth - 3) + b"1" + b"]" * (depth - 3))
        record = draw(records(hostile=False))
        if where == "xDeep":
            record.pairs.append(("xDeep", nested))
        else:
            record.pairs.append(("sessionState", Obj([("sessionAttributes", Obj([("k", nested)]))])))
        return dump(record), False
    ascii_only = draw(st.booleans())
    seps = draw(st.sampled_from([(b", ", b": "), (b",", b":"), (b" ,\t", b" : ")]))
    record = draw(records(hostile=kind != "canonical"))
    if kind == "bad utf-8 unread":  # Python reads the record; the scanner must not
        record.pairs.append(("xBad", Raw(b'"' + draw(st.sampled_from(BAD_UTF8)) + b'"')))
    text = dump(record, ascii_only, seps)
    if kind == "bad utf-8":
        cut = draw(st.integers(0, len(text)))
        return text[:cut] + draw(st.sampled_from(BAD_UTF8)) + text[cut:], False
    if kind == "canonical":
        around = st.sampled_from([b"", b"", b" ", b"\t", b"\r", b" \t"])
        return draw(around) + text + draw(around), True
    if kind == "nul padded":  # a gap a copytruncate left before a record: padding, not data
        return b"\0" * draw(st.integers(1, 40)) + text, False
    if kind == "envelope":
        message = text.decode("utf-8", "replace")
        stamp = draw(st.sampled_from([1729468800000, 1729468800, "2024-10-21T00:00:00Z", None]))
        return dump({"timestamp": stamp, "message": message}, ascii_only), False
    if kind == "events":
        message = text.decode("utf-8", "replace")
        return dump({"events": [{"timestamp": 1729468800000, "message": message}, None,
                                {"timestamp": 1729468801000, "message": message}]}), False
    if kind == "export":
        return draw(st.sampled_from([b"2024-10-21T00:00:00.000Z ", b"2024-10-21T00:00:00+05:30 ",
                                     b"2024-10-21 "])) + text, False
    if kind == "truncated":
        return text[:draw(st.integers(0, max(0, len(text) - 1)))], False
    around = st.sampled_from([b""] * 6 + [b" ", b"\t", b"\r", b"\x0b", b"\x0c"])
    return draw(around) + text + draw(around), False


@st.composite
def files(draw):
    """A plain JSONL file: (content, [(start, end, expected fast)] of each line)."""
    items = draw(st.lists(lines(), min_size=1, max_size=8))
    for _ in range(draw(st.integers(0, 2))):  # repeated records: duplicates
        items.insert(draw(st.integers(0, len(items))), items[draw(st.integers(0, len(items) - 1))])
    content, spans = b"", []
    for position, (text, fast) in enumerate(items):
        last = position == len(items) - 1
        ending = draw(st.sampled_from([b"\n", b"\n", b"\r\n"] + ([b""] if last else [])))
        spans.append((len(content), len(content) + len(text) + len(ending), fast))
        content += text + ending
    return content, spans


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.data_too_large])
@given(files(), st.integers(1, 6), st.integers(0, 3), st.integers(0, 9), st.sampled_from([1, 2]))
def test_hostile_files_native_equals_python(file, pieces, nudge, split, workers):
    """Also cut into units (scanned on ``workers`` threads), and as two files of one folder
    (line numbers per file) split at line ``split``."""
    content, spans = file
    unit_bytes = max(1, len(content) // pieces - nudge)  # cuts anywhere, even inside a CRLF
    note(f"file content: {content!r}")
    counts = native.scan_counts(content)
    assert sum(counts.values()) == physical_lines(content)
    for start, end, fast in spans:
        if fast:  # canonical lines must be read in C, or equality would prove nothing
            assert native.scan_counts(content[start:end])["fast"] == 1, content[start:end]
    event(f"fast lines: {min(counts['fast'], 3)}, fallback: {min(counts['fallback'], 3)} (3 = 3 or more)")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "logs.jsonl"
        path.write_bytes(content)
        python = assert_native_matches_python(path, unit_sizes=(unit_bytes,), workers=workers)
        assert not isinstance(python, Exception), f"one bad line stopped the load: {python!r}"
        if 0 < split < len(spans):
            cut = spans[split][0]
            path.rename(Path(folder) / "a.jsonl")
            (Path(folder) / "a.jsonl").write_bytes(content[:cut])
            (Path(folder) / "b.jsonl").write_bytes(content[cut:])
            assert_native_matches_python(Path(folder), unit_sizes=(unit_bytes,), workers=workers)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.data_too_large])
@given(files(), st.integers(8, 3000), st.integers(1, 4), st.sampled_from([1, 2]))
def test_a_line_over_the_limit_is_one_rejection_and_the_lines_around_it_load(file, limit, pieces,
                                                                              workers):
    """With a line limit, each longer line (NUL padding and line break not counted) is one
    rejection at its own number; every other line has the fate it has without a limit, and
    both paths agree, in one unit or cut into units."""
    content, spans = file
    note(f"file content: {content!r}, limit {limit}")
    with tempfile.TemporaryDirectory() as folder:  # the file's own line breaks (CR-only files exist)
        (Path(folder) / "x").write_bytes(content)
        separator = sniff_file(Path(folder) / "x").separator
    numbered = list(enumerate(content.split(separator), start=1))
    if numbered and not numbered[-1][1]:
        numbered.pop()
    long_lines = {number for number, text in numbered if len(text.lstrip(b"\0")) > limit}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "logs.jsonl"
        path.write_bytes(content)
        limits = ReadLimits(line_bytes=limit)
        limited = assert_native_matches_python(path, unit_sizes=(max(1, len(content) // pieces),),
                                               workers=workers, limits=limits)
        whole = load(path, native_path=False)
    assert {r.line for r in limited.report.rejections if r.reason.startswith("line longer than")} \
        == long_lines
    others = [(r.line, r.reason) for r in limited.report.rejections if r.line not in long_lines]
    assert others == [(r.line, r.reason) for r in whole.report.rejections if r.line not in long_lines]
    if not long_lines:
        assert_same_load(limited, whole)


def one_file_per_value(values, field) -> bytes:
    """One canonical record per value, ``field(value)`` giving its changed top-level fields."""
    return b"".join(line(base(requestId=f"r{i}", **field(value))) + b"\n" for i, value in enumerate(values))


def assert_file_native_equals_python(content: bytes, expect_fast: int) -> None:
    note(f"file content: {content!r}")
    assert native.scan_counts(content)["fast"] == expect_fast
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "logs.jsonl"
        path.write_bytes(content)
        assert_native_matches_python(path)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(CANONICAL_NUMBER, CANONICAL_NUMBER.map(lambda text: b'"%s"' % text)),
                min_size=1, max_size=30))
def test_numbers_convert_as_python_does(numbers_text):
    """nluConfidence and sentiment scores, as JSON numbers and as strings: float() rounding."""
    def field(text):
        record = base()
        record["interpretations"][0]["nluConfidence"] = "N"
        record["interpretations"][0]["sentimentResponse"] = {"sentiment": "POSITIVE",
                                                             "sentimentScore": {"positive": "P"}}
        return {"interpretations": record["interpretations"]}
    content = one_file_per_value(numbers_text, field)
    lines_ = content.splitlines(keepends=True)
    content = b"".join(text.replace(b'"N"', number).replace(b'"P"', number)
                       for text, number in zip(lines_, numbers_text))
    assert_file_native_equals_python(content, len(numbers_text))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2199, 12, 30)),
                          st.integers(0, 6), st.sampled_from(["Z", "", "+00:00", "-05:30", "+23:59", "-23:59"])),
                min_size=1, max_size=30))
def test_times_convert_as_python_does(moments):
    """Canonical timestamps (1-6 fraction digits, offsets): epoch-ms rounding as Python's."""
    def text(moment, digits, zone):
        fraction = ("." + f"{moment.microsecond:06d}"[:digits]) if digits else ""
        return moment.strftime("%Y-%m-%dT%H:%M:%S").rjust(19, "0") + fraction + zone
    stamps = [text(*moment) for moment in moments]
    note(f"timestamps: {stamps}")
    assert_file_native_equals_python(one_file_per_value(stamps, lambda stamp: {"timestamp": stamp}),
                                     len(stamps))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.data_too_large])
@given(st.lists(records(hostile=False), min_size=1, max_size=6), st.booleans())
def test_canonical_records_are_read_in_c_and_equal_python(batch, ascii_only):
    content = b"\n".join(dump(record, ascii_only) for record in batch) + b"\n"
    note(f"file content: {content!r}")
    assert native.scan_counts(content) == {"fast": len(batch), "blank": 0, "fallback": 0}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "logs.jsonl"
        path.write_bytes(content)
        python = assert_native_matches_python(path)
        assert len(python.turns) + python.report.duplicates == len(batch)


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
