"""Loading files: every shape, gzip, folders, several paths, parallel units, errors."""
import gzip
import json
from pathlib import Path

import pytest

from lexlens.analytics.errors import LexlensError
from lexlens.analytics.ingest.loading import load_logs
from lexlens.analytics.sources import files as files_module
from lex_records import cloudwatch_event, fixture_record

def lex_record(session: str, request: str, second: int, text: str = "hi") -> dict:
    return fixture_record(0, sessionId=session, requestId=request, inputTranscript=text,
                          timestamp=f"2026-11-01T10:00:{second:02d}.000Z")


def event(rec: dict, ms: int = 1761991200000) -> dict:
    return cloudwatch_event(rec, ms)


RECORDS = [lex_record("s1", f"r{i}", i) for i in range(6)]

SHAPES = {
    "jsonl": lambda rs: "\n".join(json.dumps(r) for r in rs) + "\n",
    "cloudwatch events": lambda rs: "\n".join(json.dumps(event(r)) for r in rs) + "\n",
    "s3 export": lambda rs: "\n".join(f"{r['timestamp']} {json.dumps(r)}" for r in rs) + "\n",
    "filter-log-events (AWS CLI, pretty)": lambda rs: json.dumps(
        {"events": [event(r) for r in rs], "searchedLogStreams": []}, indent=4),
    "filter-log-events (compact)": lambda rs: json.dumps({"events": [event(r) for r in rs]}) + "\n",
}


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_shape_loads_the_same_turns(tmp_path, shape, compress):
    text = SHAPES[shape](RECORDS)
    path = tmp_path / ("logs.gz" if compress else "logs.jsonl")
    path.write_bytes(gzip.compress(text.encode()) if compress else text.encode())
    data = load_logs([path])
    assert data.report.accepted == 6 and data.report.rejected == 0
    assert list(data.turns["request_id"]) == [f"r{i}" for i in range(6)]


def test_mixed_shapes_in_one_file_and_nested_folders(tmp_path):
    lines = [json.dumps(RECORDS[0]), json.dumps(event(RECORDS[1])),
             f"{RECORDS[2]['timestamp']} {json.dumps(RECORDS[2])}", "", "not json",
             json.dumps(RECORDS[0])]
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "mixed.log").write_text("\n".join(lines) + "\n")
    (tmp_path / "a" / "more.jsonl.gz").write_bytes(gzip.compress(json.dumps(RECORDS[3]).encode()))
    data = load_logs([tmp_path / "a"])
    report = data.report
    assert (report.accepted, report.duplicates, report.rejected, report.blank, report.lines) == (4, 1, 1, 1, 7)
    assert report.rejections[0].line == 5 and report.rejections[0].source.endswith("mixed.log")


@pytest.mark.parametrize("layout, read", [
    ({"a.jsonl": "x"}, ["a.jsonl"]),
    ({"a.jsonl": "x", ".hidden.jsonl": "x", "sub/b.jsonl": "x", "sub/.notes": "x"}, ["a.jsonl", "sub/b.jsonl"]),
    ({"a.jsonl": "x", ".git/objects/ab/cdef": "x", ".git/HEAD": "x"}, ["a.jsonl"]),  # logs kept in a repository
    ({"a.jsonl": "x", "__pycache__/m.cpython-311.pyc": "x", "sub/.cache/c.jsonl": "x"}, ["a.jsonl"]),
    ({"a.jsonl": "x", ".DS_Store": "x", "Thumbs.db": "x"}, ["a.jsonl"]),
    ({".git/HEAD": "x"}, None),  # nothing but hidden files: no files
], ids=["one file", "hidden files", "hidden folder", "caches", "desktop litter", "only hidden"])
def test_a_folder_reads_every_file_but_hidden_ones_and_caches(tmp_path, layout, read):
    for name, text in layout.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    if read is None:
        with pytest.raises(LexlensError, match="holds no files"):
            files_module.find_log_files([tmp_path])
    else:
        assert [path.relative_to(tmp_path).as_posix() for path in files_module.find_log_files([tmp_path])] == read


def test_a_hidden_folder_named_itself_is_read():
    """Only what lies under a named folder is filtered: a folder named outright is read,
    hidden or not (the check is on the parts below it)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix=".hidden-") as folder:
        (Path(folder) / "a.jsonl").write_text("x")
        assert [path.name for path in files_module.find_log_files([folder])] == ["a.jsonl"]


def test_several_paths_in_one_call(tmp_path):
    one, two = tmp_path / "1.jsonl", tmp_path / "2.jsonl"
    one.write_text(json.dumps(RECORDS[0]) + "\n")
    two.write_text(json.dumps(RECORDS[1]) + "\n")
    assert load_logs([one, two]).report.accepted == 2


@pytest.mark.parametrize("workers", [1, 2])
def test_units_split_big_files_without_losing_or_misnumbering_lines(tmp_path, monkeypatch, workers):
    lines = []
    for i in range(400):
        lines.append(json.dumps(lex_record(f"s{i % 37}", f"r{i}", i % 60, text=f"u{i}")))
        if i % 50 == 7:
            lines.append("garbage line")
        if i % 90 == 3:
            lines.append(lines[-2] if lines[-1] == "garbage line" else lines[-1])
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(lines) + "\n")
    original = files_module.plan_read_units
    monkeypatch.setattr(files_module, "plan_read_units",
                        lambda files, unit_bytes, **limits: original(files, 3000, **limits))
    assert len(original([path], unit_bytes=3000)) > 10
    data = load_logs([path], workers=workers)
    whole = load_logs([path], workers=1)  # baseline numbering via one unit per file
    expected_bad = [n for n, line in enumerate(lines, start=1) if line == "garbage line"]
    assert [r.line for r in data.report.rejections] == expected_bad
    assert data.report.lines == len(lines)
    assert data.report.accepted == 400 and data.report.duplicates == len(lines) - 400 - len(expected_bad)
    assert data.turns["turn"].tolist() == list(range(400))
    assert sorted(data.turns["request_id"]) == sorted(whole.turns["request_id"])
    assert data.turns["session_key"].nunique() == 37
    assert data.turns["time"].is_monotonic_increasing


@pytest.mark.parametrize("make_path,message", [
    (lambda tmp: tmp / "missing.jsonl", "does not exist"),
    (lambda tmp: (tmp / "empty").mkdir() or tmp / "empty", "holds no files"),
])
def test_path_errors_are_one_sentence(tmp_path, make_path, message):
    with pytest.raises(LexlensError, match=message):
        load_logs([make_path(tmp_path)])


def test_no_paths_is_an_error():
    with pytest.raises(LexlensError, match="no input"):
        load_logs([])


def test_truncated_gzip_keeps_what_was_read_and_says_so(tmp_path):
    lines = [json.dumps(lex_record("s", f"r{i}", i % 60, text=f"utterance {i} " * 20)) for i in range(300)]
    compressed = gzip.compress(("\n".join(lines) + "\n").encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(compressed[: len(compressed) // 2])
    data = load_logs([path])
    report = data.report
    assert 0 < report.accepted < 300
    last = report.rejections[-1]
    assert "ends early or is corrupt" in last.reason
    assert report.accepted + report.rejected + report.blank + report.duplicates == report.lines


def test_real_records_give_the_documented_values():
    data = load_logs(["sample_logs/real-lex-records.jsonl"])
    turns = data.turns.set_index("request_id")
    confirmed = turns.loc["6181aaac-5ea3-4f86-a283-6b38084577c6"]
    assert (confirmed["intent"], confirmed["intent_state"], confirmed["nlu_confidence"]) == \
        ("MakeAppointment", "ReadyForFulfillment", 1.0)
    missed = turns.loc["11b32b09-ec7b-4ceb-a4e5-a92cf2c283ac"]
    assert missed["missed"] and missed["intent"] == "FallbackIntent"
    assert (missed["runner_up_intent"], missed["runner_up_confidence"]) == ("NewIntent", 0.63)
    assert set(data.slots["slot"]) == {"AppointmentType", "Time", "Date"}
    channel = data.attributes[data.attributes["key"] == "Channel"]["value"].tolist()
    assert channel == ["CHAT"]


# (session, request) of each record; the (session, request) pairs kept, in order; duplicates counted
DUPLICATE_CASES = {
    "nothing": ([], [], 0),
    "distinct": ([("s1", "r1"), ("s1", "r2")], [("s1", "r1"), ("s1", "r2")], 0),
    "a record twice": ([("s1", "r1"), ("s1", "r2"), ("s1", "r1")], [("s1", "r1"), ("s1", "r2")], 1),
    "three times": ([("s1", "r1")] * 3, [("s1", "r1")], 2),
    "one request id in two sessions": ([("s1", "r1"), ("s2", "r1")], [("s1", "r1"), ("s2", "r1")], 0),
    "no request id, twice": ([("s1", ""), ("s1", "")], [("s1", ""), ("s1", "")], 0),
}


@pytest.mark.parametrize("colliding", [False, True], ids=["own hashes", "every hash equal"])
@pytest.mark.parametrize("case", list(DUPLICATE_CASES))
def test_duplicates_are_pairs_of_session_and_request(case, colliding, monkeypatch):
    """Repeated request ids are found by their hashes; the texts decide: with every text
    hashing alike (a collision everywhere) the same records are kept."""
    from lexlens.analytics.ingest import loading

    pairs, kept, duplicates = DUPLICATE_CASES[case]
    if colliding:
        monkeypatch.setattr(loading, "hash", lambda text: 7, raising=False)
    records = [lex_record(session, request, second) for second, (session, request) in enumerate(pairs)]
    data = loading.load_records(records)
    assert list(zip(data.turns["session_id"], data.turns["request_id"])) == kept
    assert data.report.duplicates == duplicates
