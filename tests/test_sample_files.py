"""`lexlens sample`'s output shapes and command, and the bundled sample files it made."""
from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

from lexlens.analytics.simulator import generate as sample
from lexlens.analytics.cli import main
from lexlens.analytics.errors import LexlensError
from lexlens.analytics.ingest.loading import load_logs, load_records
from lexlens.analytics.simulator.generate import SHAPES, generate_records, write_sample
from lexlens.sample_logs import DEMO_LOG, SAMPLE_DIR, VARIANTS_LOG

END = datetime(2026, 11, 20, tzinfo=timezone.utc)
END_MS = int(END.timestamp() * 1000)
ISO_MS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def _ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)



# --- shapes --------------------------------------------------------------------------------------

def _read(path: Path) -> str:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return handle.read()


def _records_from(shape: str, text: str) -> list[dict]:
    if shape == "filter-log-events":
        document = json.loads(text)
        events = document["events"]
        assert {e["logStreamName"] for e in events} == \
            {s["logStreamName"] for s in document["searchedLogStreams"]}
        assert text == json.dumps(document, indent=4, ensure_ascii=False) + "\n"
    else:
        lines = text.splitlines()
        if shape == "export":
            pairs = [line.split(" ", 1) for line in lines]
            records = [json.loads(body) for _, body in pairs]
            assert [stamp for stamp, _ in pairs] == [r["timestamp"] for r in records]
            return records
        events = [json.loads(line) for line in lines]
        if shape == "jsonl":
            return events
        assert all(list(e) == ["timestamp", "message", "logStreamName", "ingestionTime",
                               "eventId"] for e in events)
    records = [json.loads(e["message"]) for e in events]
    assert [e["timestamp"] for e in events] == [_ms(r["timestamp"]) for r in records]
    assert all(e["ingestionTime"] >= e["timestamp"] for e in events)
    assert len({e["eventId"] for e in events}) == len(events)
    return records


@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize("shape", SHAPES)
def test_every_shape_round_trips(tmp_path, shape, suffix):
    expected = list(generate_records(12, days=3, seed=8, end=END))
    path = tmp_path / f"out.{shape}{suffix}"
    assert write_sample(path, 12, shape=shape, days=3, seed=8, end=END) == len(expected)
    if suffix:
        assert path.read_bytes()[:2] == b"\x1f\x8b"
    assert _records_from(shape, _read(path)) == expected


@pytest.mark.parametrize("shape", SHAPES)
def test_every_shape_loads_as_the_same_turns(tmp_path, shape):
    path = tmp_path / f"out.{shape}"
    written = write_sample(path, 10, shape=shape, seed=8, end=END)
    data = load_logs([path], workers=1)
    assert (data.report.accepted, data.report.rejected) == (written, 0)


def test_unknown_shape_is_an_error(tmp_path):
    with pytest.raises(LexlensError, match="unknown shape"):
        write_sample(tmp_path / "x", 1, shape="csv", end=END)


# --- the command ---------------------------------------------------------------------------------

def test_cli_writes_gzip(tmp_path, capsys):
    out = tmp_path / "logs.jsonl.gz"
    code = main(["sample", "--sessions", "25", "--days", "5", "--seed", "3",
                 "--end", "2026-11-20T00:00:00Z", str(out)])
    assert code == 0
    lines = gzip.decompress(out.read_bytes()).decode().splitlines()
    assert [json.loads(line) for line in lines] == \
        list(generate_records(25, days=5, seed=3, end=END))
    assert f"wrote {len(lines)} records" in capsys.readouterr().err


@pytest.mark.parametrize("argv_tail", [
    ["--sessions", "0", "{out}"],
    ["--sessions", "5", "--days", "0", "{out}"],
    ["--sessions", "5", "--end", "last tuesday", "{out}"],
    ["--sessions", "5", "{missing}/logs.jsonl"],
    ["--sessions", "5", "{dir}"],
])
def test_cli_bad_options_exit_non_zero_with_one_sentence(tmp_path, capsys, argv_tail):
    names = {"out": str(tmp_path / "o.jsonl"), "missing": str(tmp_path / "no" / "such"),
             "dir": str(tmp_path)}
    code = main(["sample", *(arg.format(**names) for arg in argv_tail)])
    err = capsys.readouterr().err.strip()
    assert code != 0
    assert err.startswith("lexlens: ") and err.endswith(".") and "\n" not in err
    assert "Traceback" not in err


def test_cli_rejects_an_unknown_shape(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["sample", "--sessions", "1", "--shape", "xml", "out"])
    assert exit_info.value.code != 0


# --- bundled files -------------------------------------------------------------------------------

def test_demo_dataset_is_what_the_documented_command_writes(tmp_path):
    # The command documented in analytics/simulator/generate.py (and sample_logs/README.md) must still
    # reproduce the bundled records byte for byte: regenerate it when the generator changes.
    # (Decompressed: another zlib build may compress the same bytes differently.)
    command = re.search(r"lexlens (sample .*) sample_logs/demo\.jsonl\.gz", sample.__doc__)
    out = tmp_path / "demo.jsonl.gz"
    assert main([*command.group(1).split(), str(out)]) == 0
    assert gzip.decompress(out.read_bytes()) == gzip.decompress(DEMO_LOG.read_bytes())
    assert DEMO_LOG.stat().st_size < 3_000_000


def _readme_fates() -> dict[int, str]:
    text = (SAMPLE_DIR / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d+) \| ([^|]+?) \|", text, re.M)
    return {int(line): fate for line, fate in rows}


def _request_id(line: str) -> str:
    body = json.loads(line.split(" ", 1)[1] if line[:1].isdigit() else line)
    return json.loads(body["message"])["requestId"] if "message" in body else body["requestId"]


def test_variants_readme_lists_every_line():
    lines = VARIANTS_LOG.read_text(encoding="utf-8-sig", errors="replace").split("\n")[:-1]
    fates = _readme_fates()
    assert sorted(fates) == list(range(1, len(lines) + 1))
    for number, line in enumerate(lines, 1):
        assert (fates[number] == "blank") == (not line.strip())


def test_variants_load_with_the_documented_fates():
    lines = VARIANTS_LOG.read_text(encoding="utf-8-sig", errors="replace").split("\n")[:-1]
    fates = _readme_fates()
    data = load_logs([VARIANTS_LOG], workers=1)
    report = data.report
    expected = Counter(fate.split(":")[0] for fate in fates.values())
    assert (report.lines, report.accepted, report.duplicates, report.blank, report.rejected) == (
        len(lines), expected["accepted"], expected["duplicate"], expected["blank"],
        expected["rejected"])
    rejected = {r.line: r.reason for r in report.rejections}
    assert set(rejected) == {n for n, fate in fates.items() if fate.startswith("rejected")}
    for number, reason in rejected.items():
        category = fates[number].split(": ", 1)[1]
        assert reason.lower().startswith(category.lower()), (number, reason)
    accepted = {_request_id(lines[n - 1]) for n, fate in fates.items() if fate == "accepted"}
    assert set(data.turns["request_id"]) == accepted


def test_variants_cloudwatch_record_without_timestamp_takes_the_event_time():
    data = load_logs([VARIANTS_LOG], workers=1)
    turn = data.turns.set_index("request_id").loc["7e57da7a-0000-4000-8000-000000000015"]
    assert turn["time"] == datetime(2026, 11, 19, 17, 45, 30, 250000, tzinfo=timezone.utc)


def test_variants_keep_hostile_text_raw():
    data = load_logs([VARIANTS_LOG], workers=1)
    transcripts = set(data.turns["transcript"])
    assert {"<script>alert(1)</script>", '=HYPERLINK("http://x")'} <= transcripts
    assert {"**bold**", "+1 cmd"} <= set(data.attributes["value"])


def test_empty_variants_like_input_loads_as_nothing():
    data = load_records([])
    assert len(data.turns) == 0 and data.report.accepted == 0

