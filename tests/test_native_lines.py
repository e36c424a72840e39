"""The C scanner against the Python parser, one line at a time: every case of
tests/native_cases.py with each line ending, special bytes at every position, invalid UTF-8."""
from __future__ import annotations

import json

import pytest

from lexlens.analytics.ingest import native



from native_compare import assert_native_matches_python
from native_cases import CASES, REAL, base, line, scalar, with_slots


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
    codes reused), every 7th record in a CloudWatch event (the scanner), some others in an
    event with a field the scanner leaves to Python, a 300 KB line full of
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
        if i % 7 == 0:  # a CloudWatch event: the scanner reads its message
            text = json.dumps({"timestamp": 1729468800000 + i, "message": text})
        elif i % 11 == 0:  # with a field the scanner leaves to Python
            text = json.dumps({"timestamp": 1729468800000 + i, "message": text, "logGroupName": "g"})
        records_.append(text)
    records_.insert(1234, line(base(inputTranscript="\u00e9\"\\\n" * 60_000)).decode())
    content = ("\n".join(records_) + "\n").encode()
    path = tmp_path / "many.jsonl"
    path.write_bytes(content)
    counts = native.scan_counts(content)
    to_python = sum(1 for i in range(2500) if i % 7 and i % 11 == 0)
    assert counts["fast"] == 2501 - to_python and counts["fallback"] == to_python == 195
    python = assert_native_matches_python(path, unit_sizes=(100_000,))
    assert python.report.duplicates == 700
    assert_native_matches_python(path, unit_sizes=(333_333,), workers=2)


def test_a_request_id_equal_to_other_texts_of_the_scan(tmp_path):
    """The scanner gives each request id a code of its own without interning it (one per
    turn): one equal to a session id, a transcript or a repeated request id still reads as
    the same text, and a repeat of (session, request) is still one duplicate."""
    rows = [base(requestId="same", sessionId="same", inputTranscript="same"),
            base(requestId="same", sessionId="same", inputTranscript="same"),  # a duplicate
            base(requestId="same", sessionId="other", inputTranscript="other"),  # another session's
            base(requestId="other", sessionId="same", inputTranscript="")]
    path = tmp_path / "same.jsonl"
    path.write_bytes(b"".join(line(row) + b"\n" for row in rows))
    assert native.scan_counts(path.read_bytes())["fast"] == 4
    python = assert_native_matches_python(path, unit_sizes=(10_000_000,))
    assert python.report.duplicates == 1
    assert sorted(zip(python.turns["session_id"], python.turns["request_id"])) == [
        ("other", "same"), ("same", "other"), ("same", "same")]


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


