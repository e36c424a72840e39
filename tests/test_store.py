"""The store of parsed pieces (analytics/store, issue 16): a load through the store gives the
tables and line accounting of a load from JSON, on the first run, on the second (from the
store) and after the files changed in every way a log file changes; only what is new is
parsed; a damaged store or a killed run never makes a load wrong."""
from __future__ import annotations

import gzip
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import pytest

from lex_records import record, server_response
from lexlens.analytics.ingest.loading import load_logs
from lexlens.analytics.store.admin import describe_store
from lexlens.analytics.store.catalog import Store
from lexlens.analytics.store.frames import ALL_TABLES, read_piece, read_table, write_table
from lexlens.analytics.store.loader import load_logs_stored

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted(path for path in (ROOT / "sample_logs").iterdir() if path.suffix in (".jsonl", ".gz"))


def lines_of(first: int, count: int, session_every: int = 3) -> list[str]:
    """``count`` record lines, requests r<first>.., a session per ``session_every`` turns."""
    return [json.dumps(record(f"s{(first + i) // session_every}", first + i, text=f"u{(first + i) % 7}",
                              request=f"r{first + i}")) for i in range(count)]


def write_lines(path: Path, lines: list[str], mode: str = "w") -> None:
    with open(path, mode, encoding="utf-8") as handle:
        handle.write("".join(line + "\n" for line in lines))


def as_values(table: pd.DataFrame) -> pd.DataFrame:
    """Categoricals as their values: a load cut into other pieces may list categories in
    another order, which no figure depends on."""
    return table.assign(**{name: table[name].astype(object) for name in table.columns
                           if isinstance(table[name].dtype, pd.CategoricalDtype)})


def assert_same_load(stored, parsed, exact: bool = True) -> None:
    for name in ALL_TABLES:
        left, right = getattr(stored, name), getattr(parsed, name)
        if exact:
            pd.testing.assert_frame_equal(left, right, obj=name)
        else:
            pd.testing.assert_frame_equal(as_values(left), as_values(right), obj=name)
    assert stored.report == parsed.report


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "store")


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda path: path.name)
def test_every_sample_file_round_trips_through_the_store(sample, store):
    parsed = load_logs([sample])
    first, use_first = load_logs_stored([sample], store)
    second, use_second = load_logs_stored([sample], store)
    assert use_first.files == {"new": 1} and use_second.files == {"stored": 1}
    assert use_second.bytes_parsed == 0 and use_second.bytes_from_store == sample.stat().st_size
    assert_same_load(first, parsed)
    assert_same_load(second, parsed)


def shuffled_with_repeats(tmp_path: Path, units: int = 1) -> Path:
    """A scanned file whose load drops repeated records and sorts turns by time: the rows the
    writer gets are not the rows the scanner made."""
    lines = lines_of(0, 60)
    lines = lines[30:] + lines[:30] + lines[5:9]  # out of time order, four records repeated
    path = tmp_path / "shuffled.jsonl"
    write_lines(path, lines)
    return path


@pytest.mark.parametrize("workers", [1, 2], ids=["one unit", "units scanned apart"])
def test_the_writer_writes_the_scanned_codes_and_reads_back_the_same(workers, tmp_path, store, monkeypatch):
    """A file the C scanner reads is written from the texts' codes (``ingest.text_codes``: no
    string hashed again), after duplicates were dropped and turns sorted; the stored load
    equals the parsed one, and the codes were the ones used."""
    from lexlens.analytics.ingest import native, text_codes
    from lexlens.analytics.store import frames

    from lexlens.analytics.store import loader

    if not native.use_native(None):
        pytest.skip("the C scanner is not built")
    if workers > 1:  # several units, each interning its own texts
        monkeypatch.setattr(loader, "unit_bytes_for", lambda files, workers: 2048)
    path = shuffled_with_repeats(tmp_path)
    used = []
    real = frames.dictionary_of_codes
    monkeypatch.setattr(frames, "dictionary_of_codes",
                        lambda codes, texts: used.append(len(codes)) or real(codes, texts))
    first, _ = load_logs_stored([path], store, aside=False)
    assert first.report.duplicates == 4 and not any(str(name).startswith(text_codes.ROWS) for name in first.turns)
    texts_written = sum(1 for name, columns in ALL_TABLES.items() if len(getattr(first, name))
                        for column, (dtype, _) in columns.items() if dtype == "str" and column != "request_id")
    assert len(used) == texts_written >= 4  # every text column written from its codes
    second, use = load_logs_stored([path], store)
    assert use.files == {"stored": 1}
    assert_same_load(second, load_logs([path], workers=workers))
    assert_same_load(first, second)


def test_codes_are_used_only_for_the_very_table_they_were_settled_for(tmp_path, store, monkeypatch):
    """Codes belong to one table object and are checked on a sample of its rows: a filtered
    copy has none, and codes that name other texts are refused (the writer then hashes). Once
    the load is written they are let go; a load without the store never keeps them."""
    from lexlens.analytics.ingest import text_codes

    path = shuffled_with_repeats(tmp_path)
    unstored = load_logs([path])
    assert text_codes.codes_of(unstored.turns, "transcript") is None
    data, _ = load_logs_stored([path], store, aside=False)
    assert text_codes.codes_of(data.turns, "transcript") is None  # written, then let go
    monkeypatch.setattr(text_codes, "forget", lambda: None)
    data, _ = load_logs_stored([path], Store(tmp_path / "another"), aside=False)
    turns = data.turns
    assert text_codes.codes_of(turns, "transcript") is not None
    assert text_codes.codes_of(turns.iloc[1:], "transcript") is None  # another table
    assert text_codes.codes_of(turns, "request_id") is None  # never kept: one per row
    codes, texts_ = text_codes.codes_of(turns, "session_id")
    entry = text_codes._settled[id(turns)]
    entry[1]["session_id"] = (codes[::-1].copy(), texts_)  # the rows' texts in the wrong order
    assert text_codes.codes_of(turns, "session_id") is None
    entry[1]["session_id"] = (codes[:-1], texts_)  # a row short
    assert text_codes.codes_of(turns, "session_id") is None
    entry[1]["session_id"] = (codes + len(texts_), texts_)  # past the texts
    assert text_codes.codes_of(turns, "session_id") is None


def test_the_line_accounting_survives_the_store(tmp_path, store):
    path = tmp_path / "mixed.jsonl"
    good = lines_of(0, 5)
    write_lines(path, [good[0], "not json", "", good[1], good[1], '{"bot": 1}', *good[2:]])
    second = [load_logs_stored([path], store)[0] for _ in range(2)][1]
    assert (second.report.lines, second.report.blank, second.report.duplicates,
            second.report.accepted) == (9, 1, 1, 5)
    assert [(r.source, r.line) for r in second.report.rejections] == [(str(path), 2), (str(path), 6)]
    assert_same_load(second, load_logs([path]))


def test_an_empty_file_round_trips(tmp_path, store):
    path = tmp_path / "empty.jsonl"
    path.write_text("")
    second = [load_logs_stored([path], store)[0] for _ in range(2)][1]
    assert second.report.lines == 0 and second.turns.empty
    assert_same_load(second, load_logs([path]))


def texts(*values) -> np.ndarray:
    """An object array of ``values`` as given (each string its own object unless repeated)."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


TEXT_COLUMNS = [  # (case, values)
    ("empty", texts()),
    ("one object shared by rows", texts("hello é", "hello é")),
    ("distinct texts", texts("a", "b", "", "a")),
    ("a missing value", texts("a", None, "a")),
    ("only missing values", texts(None, None)),
]


@pytest.mark.parametrize("values", [case[1] for case in TEXT_COLUMNS], ids=[case[0] for case in TEXT_COLUMNS])
def test_a_text_column_reads_back_as_written(values, tmp_path):
    """Dictionary-encoded text, a missing value included: it read back as the last text of the
    dictionary before (no column holds one today; a table of the store's own must not lie)."""
    columns = {"text": ("str", "")}
    write_table(tmp_path / "t.arrow", pd.DataFrame({"text": pd.Series(values, dtype=object)}), columns)
    back = read_table(tmp_path / "t.arrow", columns)["text"]
    assert back.dtype == object and list(back) == list(values)


def grow_by_appending(path: Path) -> None:
    write_lines(path, [*lines_of(40, 6), "garbage"], "a")


def grow_with_a_duplicate(path: Path) -> None:
    write_lines(path, [lines_of(3, 1)[0], *lines_of(40, 2)], "a")  # r3 is in the stored part


def replace_file(path: Path) -> None:
    temporary = path.with_suffix(".new")
    write_lines(temporary, lines_of(100, 50))  # another inode, more bytes
    os.replace(temporary, path)


def truncate(path: Path) -> None:
    write_lines(path, lines_of(0, 10))


def edit_in_place(path: Path) -> None:
    text = path.read_text().replace('"u3"', '"u9"')  # the same size, other bytes
    path.write_text(text)


def unfinished_then_finished(path: Path) -> None:
    with open(path, "a") as handle:
        handle.write(lines_of(40, 1)[0])  # the line goes on...


CHANGES = [  # (change, how the file is read next, whether only the new part is parsed)
    (grow_by_appending, "appended", True),
    (grow_with_a_duplicate, "appended", True),
    (replace_file, "changed", False),
    (truncate, "truncated", False),
    (edit_in_place, "changed", False),
]


@pytest.mark.parametrize("change,why,partial", CHANGES, ids=[change.__name__ for change, _, _ in CHANGES])
def test_a_changed_file_gives_what_parsing_it_whole_gives(change, why, partial, tmp_path, store):
    path = tmp_path / "log.jsonl"
    write_lines(path, lines_of(0, 30))
    load_logs_stored([path], store)
    size_before = path.stat().st_size
    change(path)
    loaded, use = load_logs_stored([path], store)
    assert use.files == {why: 1}
    assert use.bytes_parsed == (path.stat().st_size - size_before if partial else path.stat().st_size)
    assert_same_load(loaded, load_logs([path]), exact=False)
    again, use = load_logs_stored([path], store)  # the change is stored too
    assert use.files == {"stored": 1}
    assert_same_load(again, load_logs([path]), exact=False)


def test_a_record_in_an_old_and_a_new_part_counts_once(tmp_path, store):
    path = tmp_path / "log.jsonl"
    write_lines(path, lines_of(0, 10))
    load_logs_stored([path], store)
    grow_with_a_duplicate(path)
    loaded, _ = load_logs_stored([path], store)
    assert loaded.report.duplicates == 1 and len(loaded.turns) == 12
    assert loaded.turns["request_id"].is_unique


def unordered_lines(first: int) -> list[str]:
    """Records out of time order, with ties in time, a record repeated, and server responses
    (one repeated): what a finished load must reorder, drop and count as a load from JSON does."""
    turns = [record(f"s{(first + i) % 4}", seconds=(37 * (first + i)) % 11, text=f"u{i % 5}",
                    request=f"r{first + i}") for i in range(12)]
    responses = [server_response(turns[2], 3, "FulfillmentUpdateResponse"),
                 server_response(turns[5], 3, "FulfillmentStartResponse")]
    rows = [*turns[:6], turns[3], *responses, responses[0], *turns[6:]]
    return [json.dumps(row) for row in rows]


def test_a_whole_file_is_kept_as_its_finished_load_and_appending_to_it_is_exact(tmp_path, store):
    path = tmp_path / "log.jsonl"
    write_lines(path, unordered_lines(0))
    first, _ = load_logs_stored([path], store)
    [entry] = store.read_manifest().values()
    [segment] = entry.segments
    assert read_piece(store.pieces / segment.piece)[1]  # kept as the finished load
    second, use = load_logs_stored([path], store)
    assert use.files == {"stored": 1} and first.report.duplicates == 2
    assert_same_load(second, load_logs([path]))
    write_lines(path, [*unordered_lines(5), lines_of(3, 1)[0]], "a")  # ties and repeats across the parts
    third, use = load_logs_stored([path], store)
    assert use.files == {"appended": 1}
    assert_same_load(third, load_logs([path]), exact=False)
    fourth, use = load_logs_stored([path], store)  # the stored finished part and the appended raw part
    assert use.files == {"stored": 1}
    assert_same_load(fourth, load_logs([path]), exact=False)


def test_a_line_unfinished_when_stored_is_read_again_whole(tmp_path, store):
    path = tmp_path / "log.jsonl"
    write_lines(path, lines_of(0, 10))
    with open(path, "a") as handle:
        handle.write(lines_of(10, 1)[0][:40])  # being written: half a record
    first, _ = load_logs_stored([path], store)
    assert first.report.rejected == 1
    with open(path, "a") as handle:
        handle.write(lines_of(10, 1)[0][40:] + "\n")
    loaded, use = load_logs_stored([path], store)
    assert use.files == {"changed": 1} and loaded.report.rejected == 0 and len(loaded.turns) == 11
    assert_same_load(loaded, load_logs([path]), exact=False)


def test_a_folder_that_gained_a_file_parses_only_that_file(tmp_path, store):
    folder = tmp_path / "logs"
    folder.mkdir()
    write_lines(folder / "a.jsonl", lines_of(0, 20))
    with gzip.open(folder / "b.jsonl.gz", "wt") as handle:
        handle.write("".join(line + "\n" for line in lines_of(20, 20)))
    load_logs_stored([folder], store)
    write_lines(folder / "c.jsonl", [*lines_of(40, 5), *lines_of(0, 1)])  # r0 again: a duplicate
    loaded, use = load_logs_stored([folder], store)
    assert use.files == {"new": 1, "stored": 2}
    assert use.bytes_parsed == (folder / "c.jsonl").stat().st_size
    assert loaded.report.duplicates == 1
    assert_same_load(loaded, load_logs([folder]), exact=False)


def test_many_appends_are_kept_as_one_piece_again(tmp_path, store):
    path = tmp_path / "log.jsonl"
    write_lines(path, lines_of(0, 3))
    for step in range(20):
        load_logs_stored([path], store)
        write_lines(path, lines_of(3 + step * 2, 2), "a")
    loaded, _ = load_logs_stored([path], store)
    status = describe_store(store)
    assert status["stored"][0]["segments"] <= 16 and status["pieces"] == status["stored"][0]["segments"]
    assert_same_load(loaded, load_logs([path]), exact=False)


@pytest.mark.parametrize("damage", ["delete a table", "empty a table", "delete the manifest", "garble the manifest"])
def test_a_damaged_store_only_means_parsing_again(damage, tmp_path, store):
    path = tmp_path / "log.jsonl"
    write_lines(path, lines_of(0, 30))
    load_logs_stored([path], store)
    piece = next(store.pieces.iterdir())
    if damage == "delete a table":
        (piece / "slots.arrow").unlink()
    elif damage == "empty a table":
        (piece / "turns.arrow").write_bytes(b"")
    elif damage == "delete the manifest":
        (store.root / "manifest.json").unlink()
    else:
        (store.root / "manifest.json").write_text("{not json")
    loaded, use = load_logs_stored([path], store)
    assert use.files == {"new": 1}
    assert_same_load(loaded, load_logs([path]))
    assert load_logs_stored([path], store)[1].files == {"stored": 1}


def test_another_parser_version_is_not_read(tmp_path, store):
    path = tmp_path / "log.jsonl"
    write_lines(path, lines_of(0, 5))
    load_logs_stored([path], store)
    store.fingerprint = "another-parser"
    assert load_logs_stored([path], store)[1].files == {"new": 1}


def test_a_load_a_read_limit_could_cut_does_not_use_the_store(tmp_path, store, monkeypatch):
    path = tmp_path / "log.jsonl"
    write_lines(path, lines_of(0, 50))
    monkeypatch.setenv("LEXLENS_MAX_FILE_BYTES", "1K")
    loaded, use = load_logs_stored([path], store)
    assert not use.used and "limit" in use.note and not store.root.exists()
    assert loaded.report.rejected == 1  # the limit's own rejection, as without the store


KILLER = """
import sys
from pathlib import Path
from lexlens.analytics.store.catalog import Store
from lexlens.analytics.store.loader import load_logs_stored
load_logs_stored([sys.argv[1]], Store(Path(sys.argv[2])))
print("done", flush=True)
"""


@pytest.mark.slow
def test_a_load_killed_at_any_moment_leaves_a_store_whose_next_load_is_exact(tmp_path):
    """SIGKILL while the store is written, at moments spread over the whole run, then a load:
    it gives what parsing gives, and the store is used again after it."""
    path = tmp_path / "log.jsonl"
    write_lines(path, lines_of(0, 20_000, session_every=5))
    expected = load_logs([path])
    root = tmp_path / "store"
    start = time.monotonic()
    subprocess.run([sys.executable, "-c", KILLER, str(path), str(tmp_path / "timing")], check=True)
    whole = time.monotonic() - start
    killed = 0
    for step in range(12):
        process = subprocess.Popen([sys.executable, "-c", KILLER, str(path), str(root)], stdout=subprocess.PIPE)
        time.sleep(whole * (0.2 + 0.75 * step / 11))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed += 1
        process.wait()
        loaded, use = load_logs_stored([path], Store(root))  # whatever the killed run left
        assert_same_load(loaded, expected)
        assert load_logs_stored([path], Store(root))[1].files == {"stored": 1}
        shutil.rmtree(root)  # the next run writes the store again, and is killed meanwhile
    assert killed >= 6


def run_report(*args: str, store_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lexlens", "report", *args, "--json", "--store-dir", str(store_dir)],
                          capture_output=True, text=True, cwd=ROOT)


def test_report_with_and_without_the_store_prints_the_same(tmp_path):
    sample = ROOT / "sample_logs" / "demo.jsonl.gz"
    first = run_report(str(sample), store_dir=tmp_path / "s")
    second = run_report(str(sample), store_dir=tmp_path / "s")
    without = run_report(str(sample), "--no-store", store_dir=tmp_path / "unused")
    assert first.returncode == second.returncode == without.returncode == 0, first.stderr + second.stderr
    assert json.loads(first.stdout)["records"] > 9000
    assert first.stdout == second.stdout == without.stdout
    assert not (tmp_path / "unused").exists()
    info = subprocess.run([sys.executable, "-m", "lexlens", "store", "info", "--json", "--store-dir",
                           str(tmp_path / "s")], capture_output=True, text=True, check=True)
    status = json.loads(info.stdout)
    assert [entry["path"] for entry in status["stored"]] == [str(sample.resolve())] and status["pieces"] == 1


def test_store_info_and_clear(tmp_path):
    store_dir = tmp_path / "s"

    def lexlens(*args):
        return subprocess.run([sys.executable, "-m", "lexlens", "store", *args, "--store-dir", str(store_dir)],
                              capture_output=True, text=True)

    empty = lexlens("info")
    assert empty.returncode == 0 and "does not exist yet" in empty.stdout
    path = tmp_path / "log.jsonl"
    write_lines(path, lines_of(0, 5))
    load_logs_stored([path], Store(store_dir))
    info = lexlens("info")
    assert str(path.resolve()) in info.stdout and "1 segment(s)" in info.stdout
    assert "also kept: 0 dashboard figure(s) and report part(s), 0 VADER score file(s)" in info.stdout
    from lexlens.analytics.store.kept_values import keep_value

    assert keep_value(Store(store_dir), "a figure", [1, 2, 3])
    assert "also kept: 1 dashboard figure(s) and report part(s)" in lexlens("info").stdout
    path.unlink()
    assert "file gone" in lexlens("info").stdout
    cleared = lexlens("clear")
    assert cleared.returncode == 0 and "1 file(s), 1 piece(s)" in cleared.stdout
    assert json.loads(lexlens("info", "--json").stdout)["stored"] == []
    assert list((store_dir / "pieces").iterdir()) == []


def test_an_unusable_store_folder_is_one_sentence(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run_report(str(ROOT / "sample_logs" / "variants.jsonl"), store_dir=blocker)
    # the report still prints (the store is only a speed-up); nothing is kept
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "cannot use the store folder" in result.stderr


def kept_outputs(store_dir: Path) -> list[Path]:
    return sorted((store_dir / "outputs").glob("*.txt"))


@pytest.mark.parametrize("change,kept_used", [
    (lambda path, args: args, True),
    (lambda path, args: [*args, "--tz", "Asia/Tokyo"], False),
    (lambda path, args: [*args, "--top", "3"], False),
    (lambda path, args: write_lines(path, lines_of(500, 3), "a") or args, False),
    (lambda path, args: [*args, "--redact"], False),
], ids=["same run", "another zone", "another top", "file appended", "masked"])
def test_a_kept_report_is_printed_only_for_the_same_files_options_and_code(change, kept_used, tmp_path):
    """The store keeps a report's output; a run with anything different computes anew. A
    planted output proves which: it is printed only when the run may reuse it."""
    path, store_dir = tmp_path / "log.jsonl", tmp_path / "s"
    write_lines(path, lines_of(0, 40))
    first = run_report(str(path), store_dir=store_dir)
    assert first.returncode == 0 and first.stdout == run_report(str(path), "--no-store", store_dir=tmp_path / "x").stdout
    run_report(str(path), store_dir=store_dir)  # now wholly in the store: this run keeps its output
    kept, = kept_outputs(store_dir)
    kept.write_text('{"planted": true}\n')
    args = change(path, [str(path)])
    result = run_report(*args, store_dir=store_dir)
    assert result.returncode == 0, result.stderr
    assert (result.stdout == '{"planted": true}\n') == kept_used
    if not kept_used:
        assert result.stdout == run_report(*args, "--no-store", store_dir=tmp_path / "x").stdout or "--redact" in args


def test_a_kept_report_is_not_used_by_other_code(tmp_path, monkeypatch):
    from lexlens.analytics.cli import main
    from lexlens.analytics.store import outputs

    path, store_dir = tmp_path / "log.jsonl", tmp_path / "s"
    write_lines(path, lines_of(0, 40))
    for _ in range(2):
        assert main(["report", str(path), "--json", "--store-dir", str(store_dir)]) == 0
    kept, = kept_outputs(store_dir)
    kept.write_text("planted\n")
    monkeypatch.setattr(outputs, "code_digest", lambda: "other code")
    assert main(["report", str(path), "--json", "--store-dir", str(store_dir)]) == 0
    assert len(kept_outputs(store_dir)) == 2 and kept.read_text() == "planted\n"


ALL_PARTS = ("activity", "generative", "load", "outcome", "utterance", "vader")


@pytest.mark.parametrize("change,computed", [
    (lambda path, args: args, ()),
    (lambda path, args: [*args, "--tz", "Asia/Tokyo"], ()),  # the printed report has no times in a zone
    (lambda path, args: [*args, "--top", "3"], ("activity",)),
    (lambda path, args: [*args, "--idle-timeout", "60"], ("activity", "generative", "outcome")),
    (lambda path, args: [*args, "--escalation-intent", "Order"], ("outcome",)),
    (lambda path, args: [*args, "--locale", "en_US"], ALL_PARTS),  # other filters: another source key
    (lambda path, args: write_lines(path, lines_of(500, 3), "a") or args, ALL_PARTS),
    (lambda path, args: [*args, "--redact"], ALL_PARTS),
], ids=["same options", "another zone", "another top", "another idle timeout", "an escalation rule",
        "a filter", "file appended", "masked"])
def test_kept_parts_are_read_back_under_the_options_they_read(change, computed, tmp_path, monkeypatch, capsys):
    """A report from the store keeps its parts (analytics.report.kept_parts); a later report on
    the same stored files and filters computes only the parts whose options differ, and prints
    what a report without the store prints."""
    from lexlens.analytics.cli import main
    from lexlens.analytics.report import two_cores

    path, store_dir = tmp_path / "log.jsonl", tmp_path / "s"
    write_lines(path, lines_of(0, 40))
    asked = []
    real = two_cores.compute_parts_on_two_cores

    def noted(data, options, wanted):
        asked.append(tuple(sorted(part.__name__.split("_")[1] for part in wanted)))
        return real(data, options, wanted)

    monkeypatch.setattr(two_cores, "compute_parts_on_two_cores", noted)

    def report(*args: str) -> str:
        shutil.rmtree(store_dir / "outputs", ignore_errors=True)  # the kept output would answer first
        assert main(["report", *args, "--json", "--store-dir", str(store_dir)]) == 0
        return capsys.readouterr().out

    report(str(path))  # parses and stores the file
    report(str(path))  # from the store: computes every part and keeps them
    assert asked == [ALL_PARTS, ALL_PARTS]
    args = change(path, [str(path)])
    printed = report(*args)
    assert asked[2:] == ([computed] if computed else [])
    assert main(["report", *args, "--json", "--no-store"]) == 0
    assert printed == capsys.readouterr().out


def test_a_part_reads_only_the_options_it_is_kept_under():
    """A part computed without tables is given only the options SECTION_OPTIONS lists for it
    (with tables, all of them); a part that reads the conversations is keyed on the idle
    timeout that finds them."""
    from lexlens.analytics.report import build

    options = build.ReportOptions(top=3, tz="Asia/Tokyo")
    given = build.options_for(build.compute_load_part, options)
    assert given.tables is False and given.vader_memo is None
    with pytest.raises(AttributeError, match="SECTION_OPTIONS does not list"):
        given.top
    assert build.options_for(build.compute_activity_part, options).top == 3
    tables = build.ReportOptions(tables=True, tz="Asia/Tokyo")
    assert build.options_for(build.compute_load_part, tables).tz == "Asia/Tokyo"
    assert sorted(build.SECTION_OPTIONS) == sorted(part.__name__ for part in build.PARTS)
    for part in build.NEED_CONVERSATIONS:
        assert "idle_timeout_s" in build.SECTION_OPTIONS[part.__name__], part.__name__
    assert build.part_key(build.compute_activity_part, options) != build.part_key(
        build.compute_activity_part, build.ReportOptions(top=4, tz="Asia/Tokyo"))
    assert build.part_key(build.compute_load_part, options) == build.part_key(build.compute_load_part,
                                                                              build.ReportOptions())


def test_kept_parts_are_not_used_by_other_code_or_with_tables(tmp_path, monkeypatch, store):
    from lexlens.analytics.report import kept_parts
    from lexlens.analytics.report.build import Part, ReportOptions
    from lexlens.analytics.store import kept_values

    options = ReportOptions()
    assert kept_parts.kept_parts_of(store, "source", options) == {}  # nothing kept yet
    kept_parts.keep_parts(store, "source", options, {"compute_load_part": Part({"load": 1}, {})})
    assert kept_parts.kept_parts_of(store, "source", options) == {"compute_load_part": Part({"load": 1}, {})}
    assert kept_parts.kept_parts_of(store, "other source", options) == {}
    assert kept_parts.kept_parts_of(store, "source", ReportOptions(tables=True)) == {}
    kept_parts.keep_parts(store, "source", ReportOptions(tables=True), {"compute_vader_part": Part({}, {})})
    assert list(kept_parts.kept_parts_of(store, "source", options)) == ["compute_load_part"]
    assert [part.__name__ for part in kept_parts.parts_missing({"compute_load_part": None})] == [
        "compute_activity_part", "compute_vader_part", "compute_outcome_part", "compute_utterance_part",
        "compute_generative_part"]
    monkeypatch.setattr(kept_values, "code_digest", lambda: "other code")
    assert kept_parts.kept_parts_of(store, "source", options) == {}


def test_the_score_memo_scores_each_text_once_and_hands_over_what_it_learned():
    from lexlens.analytics.metrics.sentiment import ScoreMemo

    saved = []
    memo = ScoreMemo({"known": 0.5}, saved.append)
    scores = memo.scores(["known", "I love it", "I love it"])
    memo.flush()
    memo.flush()
    assert scores["known"] == 0.5 and scores["I love it"] > 0.05
    assert saved == [{"I love it": scores["I love it"]}]


def test_a_report_reads_vader_scores_from_the_store(tmp_path, capsys):
    """A score planted in the store (an absurd one) is what the report counts: the text was
    not scored again."""
    from lexlens.analytics.cli import main
    from lexlens.analytics.metrics.sentiment import vader_scoring
    from lexlens.analytics.store.scores import scores_path, write_scores

    path, store_dir = tmp_path / "log.jsonl", tmp_path / "s"
    write_lines(path, lines_of(0, 14))  # texts u0..u6, each twice: VADER calls them neutral

    def vader_counts():
        capsys.readouterr()
        assert main(["report", str(path), "--json", "--store-dir", str(store_dir), "--top", "3"]) == 0
        return json.loads(capsys.readouterr().out)["vader_sentiment"]

    assert vader_counts() == {"NEUTRAL": 14}
    Store(store_dir).ensure()
    write_scores(scores_path(Store(store_dir), vader_scoring()), {f"u{i}": -0.9 for i in range(7)})
    assert vader_counts() == {"NEGATIVE": 14}  # computed (the first run parsed: no output was kept)


@pytest.mark.parametrize("action", ["info", "clear"])
def test_store_commands_on_a_path_that_is_not_a_folder_say_so(action, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = subprocess.run([sys.executable, "-m", "lexlens", "store", action, "--store-dir", str(blocker)],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "is not a folder" in result.stderr and "Traceback" not in result.stderr
    assert blocker.read_text() == ""


def test_clearing_a_store_that_does_not_exist_says_so(tmp_path):
    result = subprocess.run([sys.executable, "-m", "lexlens", "store", "clear", "--store-dir", str(tmp_path / "none")],
                            capture_output=True, text=True)
    assert result.returncode == 0 and "nothing to clear" in result.stdout


def test_a_deleted_file_takes_its_pieces_along_at_the_next_write(tmp_path, store):
    gone, kept = tmp_path / "gone.jsonl", tmp_path / "kept.jsonl"
    write_lines(gone, lines_of(0, 5))
    write_lines(kept, lines_of(10, 5))
    load_logs_stored([gone], store)
    load_logs_stored([kept], store)
    assert describe_store(store)["pieces"] == 2
    gone.unlink()
    write_lines(kept, lines_of(20, 2), "a")
    load_logs_stored([kept], store)  # writes: the manifest forgets the deleted file
    status = describe_store(store)
    assert [entry["path"] for entry in status["stored"]] == [str(kept.resolve())]
    assert status["pieces"] == 2  # kept's two segments; gone's piece removed


def test_a_kept_value_round_trips_and_anything_else_is_missing(store, monkeypatch):
    from lexlens.analytics.store import kept_values

    table = pd.DataFrame({"hour": pd.to_datetime(["2026-11-01T10:00Z"]), "turns": [3]})
    assert kept_values.kept_value(store, "k") is kept_values.MISSING  # nothing kept yet
    assert kept_values.keep_value(store, "k", {"table": table, "rate": 0.5})
    kept = kept_values.kept_value(store, "k")
    pd.testing.assert_frame_equal(kept["table"], table)
    assert kept["rate"] == 0.5
    assert kept_values.keep_value(store, "big", b"x" * (kept_values.MAX_VALUE_BYTES + 1)) is False
    assert not kept_values.keep_value(store, "lambda", lambda: 1)  # cannot be pickled: not kept
    kept_values.value_path(store, "k").write_bytes(b"garbage")
    assert kept_values.kept_value(store, "k") is kept_values.MISSING
    kept_values.keep_value(store, "k", 1)
    monkeypatch.setattr(kept_values, "code_digest", lambda: "other code")
    assert kept_values.kept_value(store, "k") is kept_values.MISSING  # computed by other code


@pytest.mark.parametrize("size", [0, 100, 900, 1_000, 5_000])
def test_a_pickle_is_kept_up_to_its_limit(size):
    from lexlens.analytics.store.kept_values import small_pickle

    value = {"text": "x" * size}
    fits = len(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)) <= 1_024
    body = small_pickle(value, limit=1_024)
    assert (body is not None) == fits
    assert body is None or pickle.loads(body) == value


class Counted:
    """Counts how many were pickled."""
    pickled = 0

    def __reduce__(self):
        Counted.pickled += 1
        return (Counted, ())


def test_a_large_value_stops_pickling_at_the_limit():
    """A value far beyond the limit is not pickled whole first (it used to be, then thrown away)."""
    from lexlens.analytics.store.kept_values import small_pickle

    Counted.pickled = 0
    assert small_pickle([Counted() for _ in range(200_000)], limit=64 << 10) is None
    assert 0 < Counted.pickled < 20_000


def test_kept_values_beyond_the_budget_go_least_recently_used_first(store):
    from lexlens.analytics.store import kept_values

    for name in ("a", "b", "c"):
        kept_values.keep_value(store, name, b"x" * 1000)
        path = kept_values.value_path(store, name)
        os.utime(path, (time.time() - {"a": 30, "b": 10, "c": 20}[name],) * 2)
    kept_values.prune(store.root / kept_values.VALUES, max_bytes=2500)
    assert [kept_values.kept_value(store, name) is kept_values.MISSING for name in "abc"] == [True, False, False]


def test_a_masking_server_keeps_no_derived_values(tmp_path, monkeypatch):
    import streamlit as st

    from lexlens.dashboard.access import REDACT_VAR
    from lexlens.dashboard.data import values_store

    log = tmp_path / "log.jsonl"
    write_lines(log, lines_of(0, 3))
    stamp = ((str(log), log.stat().st_size, log.stat().st_mtime_ns),)
    monkeypatch.setenv("LEXLENS_STORE_DIR", str(tmp_path / "store"))
    st.cache_resource.clear()  # upload_dir
    assert values_store(stamp) is not None
    monkeypatch.setenv(REDACT_VAR, json.dumps({"slots": [], "attributes": [], "min_digits": 6}))
    assert values_store(stamp) is None


def test_a_new_store_is_its_owners_alone(tmp_path):
    """The pieces hold end users' words and the kept values are pickles: nobody else may read
    or write them."""
    store = Store(tmp_path / "new" / "store")
    path = tmp_path / "log.jsonl"
    write_lines(path, lines_of(0, 3))
    load_logs_stored([path], store)
    from lexlens.analytics.store.kept_values import keep_value

    keep_value(store, "k", 1)
    for folder in (store.root, store.pieces, store.root / "values"):
        assert folder.stat().st_mode & 0o077 == 0, folder


EMPTY_PATH_COMMANDS = {  # an empty path (an unset shell variable) would name the current folder
    "report --store-dir": ["report", "{log}", "--json", "--store-dir", ""],
    "report --csv-dir": ["report", "{log}", "--no-store", "--csv-dir", ""],
    "report --rejects": ["report", "{log}", "--no-store", "--rejects", ""],
    "store info": ["store", "info", "--store-dir", ""],
    "store clear": ["store", "clear", "--store-dir", ""],
    "cache clear": ["cache", "clear", "--cache-dir", " "],
    "report SOURCE": ["report", "", "--json", "--no-store"],  # would read every file under here
    "check SOURCE": ["check", "{log}", "", "--rule", "fallback_rate < 1", "--no-store"],
    "serve SOURCE": ["serve", ""],
}


@pytest.mark.parametrize("command", list(EMPTY_PATH_COMMANDS))
def test_an_empty_path_is_refused_and_nothing_is_written_here(command, tmp_path):
    from lexlens.sample_logs import VARIANTS_LOG

    args = [arg.replace("{log}", str(VARIANTS_LOG)) for arg in EMPTY_PATH_COMMANDS[command]]
    result = subprocess.run([sys.executable, "-m", "lexlens", *args], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 2 and "an empty path would name the current folder" in result.stderr
    assert "Traceback" not in result.stderr and list(tmp_path.iterdir()) == []


def test_a_folder_of_other_files_is_not_made_a_store(tmp_path):
    """Named by mistake (a home or project folder), it is left as it was: the report is made
    without the store and says why; store clear finds nothing of its own there."""
    from lexlens.sample_logs import VARIANTS_LOG

    (tmp_path / "notes.txt").write_text("mine")
    result = run_report(str(VARIANTS_LOG), store_dir=tmp_path)
    without = subprocess.run([sys.executable, "-m", "lexlens", "report", str(VARIANTS_LOG), "--json", "--no-store"],
                             capture_output=True, text=True)
    assert result.returncode == 0 and json.loads(result.stdout) == json.loads(without.stdout)
    assert "holds other files and no lexlens store" in result.stderr
    cleared = subprocess.run([sys.executable, "-m", "lexlens", "store", "clear", "--store-dir", str(tmp_path)],
                             capture_output=True, text=True)
    assert cleared.returncode == 0 and "holds no lexlens store" in cleared.stdout
    assert [path.name for path in tmp_path.iterdir()] == ["notes.txt"] and (tmp_path / "notes.txt").read_text() == "mine"


def test_a_store_stays_usable_with_a_file_of_someone_else_beside_it(tmp_path):
    from lexlens.sample_logs import VARIANTS_LOG

    store_dir = tmp_path / "store"
    assert run_report(str(VARIANTS_LOG), store_dir=store_dir).returncode == 0
    (store_dir / "README.txt").write_text("lexlens store")
    again = run_report(str(VARIANTS_LOG), "--top", "3", store_dir=store_dir)  # not the kept output: read, computed
    assert again.returncode == 0 and "note" not in again.stderr
    assert describe_store(Store(store_dir))["files"] == 1
