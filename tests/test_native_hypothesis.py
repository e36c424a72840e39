"""The C scanner against the Python parser on files Hypothesis writes: hostile-but-plausible
records cut into units anywhere, line limits, number and time conversion."""
from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

from hypothesis import HealthCheck, event, example, given, note, settings, strategies as st

from lexlens.analytics.ingest import native
from lexlens.analytics.sources.files import sniff_file
from lexlens.analytics.sources.limits import ReadLimits



from native_compare import assert_native_matches_python, assert_same_load, load, physical_lines
from native_cases import base, line
from native_strategies import CANONICAL_NUMBER, dump, files, records


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
# found by Hypothesis in CI: a first line that is a lone '{' made the file one (malformed) document
@example((b'{\n{"timestamp": "2024-10-21T00:00:00Z", "bot": {"x": null}, "sessionId": "s1", "x": null}\n',
          [(0, 2, False), (2, 90, True)]), 8, 1, 1)
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


