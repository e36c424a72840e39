"""``lexlens report`` as a user runs it: a real process, exit codes, JSON, CSV, rejects."""
import csv
import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from lexlens.analytics.cli import main

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = ROOT / "sample_logs" / "variants.jsonl"
REAL = ROOT / "sample_logs" / "real-lex-records.jsonl"


def run_cli(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "lexlens", *map(str, args)], capture_output=True,
                          text=True, cwd=ROOT, timeout=120, **kwargs)


def test_json_has_every_documented_key_and_raw_text():
    result = run_cli("report", VARIANTS, REAL, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    for key in ["records", "rejected", "duplicates", "sessions", "missed_utterances", "intents",
                "modality", "sentiment", "session_duration_s", "turns_per_session", "top_utterances",
                "top_missed_utterances", "conversations", "intent_outcomes", "conversation_outcomes",
                "containment_rate", "slot_outcomes", "confusion_pairs", "clusters"]:
        assert key in report, key
    assert set(report["session_duration_s"]) == {"mean", "median", "p90"}
    utterances = [row["utterance"] for row in report["top_utterances"]]
    assert any("<script>" in text for text in utterances)   # raw text stays raw in JSON
    counts = [row["count"] for row in report["top_utterances"]]
    assert counts == sorted(counts, reverse=True)
    assert report["rejected"] >= 6 and report["duplicates"] >= 1


def test_text_summary_is_readable():
    result = run_cli("report", REAL)
    assert result.returncode == 0
    assert "Records 2" in result.stdout and "Top missed utterances" in result.stdout
    assert result.stderr == ""   # no progress bar when stderr is not a terminal


def test_out_writes_every_table_formula_safe(tmp_path):
    result = run_cli("report", VARIANTS, "--csv-dir", tmp_path / "csv")
    assert result.returncode == 0, result.stderr
    names = {path.stem for path in (tmp_path / "csv").glob("*.csv")}
    assert {"utterances", "missed_utterances", "intents", "sessions", "turns", "heatmap_sessions",
            "heatmap_intents", "path_edges", "paths", "slot_values", "session_attributes",
            "rejects_summary"} <= names
    written = sorted(path.name for path in (tmp_path / "csv").glob("*.csv"))
    listed = sorted(line.strip() for line in result.stderr.splitlines()[1:] if line.strip().endswith(".csv"))
    assert listed == written and f"wrote {len(written)} CSV files" in result.stderr  # --out says what it wrote
    cells = [cell for path in (tmp_path / "csv").glob("*.csv") if not path.name.startswith("lex_test_set")
             for row in csv.reader(open(path, encoding="utf-8")) for cell in row]
    dangerous = [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    numeric = [cell for cell in dangerous if cell.lstrip("-").replace(".", "", 1).isdigit()]
    assert dangerous == numeric
    assert any(cell.startswith("'=") for cell in cells)


def test_rejects_file_lists_line_numbers_and_reasons(tmp_path):
    target = tmp_path / "rejects.jsonl"
    assert run_cli("report", VARIANTS, "--rejects", target, "--json").returncode == 0
    rows = [json.loads(line) for line in target.read_text().splitlines()]
    assert rows and all(row["line"] > 0 and row["reason"] and row["file"].endswith("variants.jsonl")
                        for row in rows)


@pytest.mark.parametrize("args,code,message", [
    (["report", "does-not-exist.jsonl"], 2, "does not exist"),
    (["report"], 2, "no input"),
    (["report", "sample_logs/real-lex-records.jsonl", "--tz", "Mars/Olympus"], 2, "unknown time zone"),
    (["report", "sample_logs/real-lex-records.jsonl", "--top", "0"], 2, "must be 1 or more"),
    (["report", "sample_logs/real-lex-records.jsonl", "--csv-dir", "README.md"], 2, "--csv-dir README.md is a file"),
    (["report", "sample_logs/real-lex-records.jsonl", "--csv-dir", "/proc/nope"], 2,
     "cannot create the folder /proc/nope for --csv-dir"),
    # sysfs: a folder in which nobody, root included, may create a file
    pytest.param(["report", "sample_logs/real-lex-records.jsonl", "--csv-dir", "/sys/kernel"], 2,
                 "cannot write CSV files into /sys/kernel: Permission denied.",
                 marks=pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="no sysfs here")),
])
def test_errors_are_one_sentence_and_non_zero(args, code, message):
    result = run_cli(*args)
    assert result.returncode == code
    assert message in result.stderr and "Traceback" not in result.stderr


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="no sysfs here")
def test_a_csv_dir_that_takes_no_files_is_said_before_the_report():
    """``prepare_folder`` runs before the load: a folder that exists but takes no files is
    said there (before, only once the whole report had been computed)."""
    from lexlens.analytics.errors import LexlensError
    from lexlens.analytics.report.as_csv import prepare_folder

    with pytest.raises(LexlensError, match="cannot write CSV files into /sys/kernel"):
        prepare_folder(Path("/sys/kernel"))


def test_a_csv_dir_that_takes_files_is_left_as_it_was(tmp_path):
    from lexlens.analytics.report.as_csv import prepare_folder

    (tmp_path / "keep.csv").write_text("a\n")
    prepare_folder(tmp_path / "new" / "deeper")
    prepare_folder(tmp_path)
    assert sorted(path.name for path in tmp_path.rglob("*")) == ["deeper", "keep.csv", "new"]


def test_input_with_no_records_is_an_error(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"hello": 1}\n\n')
    result = run_cli("report", bad)
    assert result.returncode == 1
    assert "no Lex V2 conversation-log records" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("content, rejects_option, sentence", [
    (b"\n", False, "no Lex V2 conversation-log records in the input (1 line read, all blank)."),
    (b"\n\n", False, "no Lex V2 conversation-log records in the input (2 lines read, all blank)."),
    # one binary line: singular, the reason without its per-line detail, where the first one is
    (b"\x7fELF\xff\xfe\x00\x01", True,
     "no Lex V2 conversation-log records in the input: 1 line read, 1 rejected, most often as not valid UTF-8 "
     "text (the first: line 1 of {path}); --rejects FILE lists every one."),
    (b'\n{"hello": 1}\n{"bot": {}}\n[1]\n{"hello": 2}\n', False,
     "no Lex V2 conversation-log records in the input: 5 lines read, 4 rejected, most often as not a Lex V2 "
     "conversation log: no 'bot' object (the first: line 2 of {path})."),
], ids=["one blank line", "two blank lines", "a binary line", "several reasons"])
def test_the_sentence_for_input_without_records(content, rejects_option, sentence, tmp_path):
    from lexlens.analytics.cli.report import empty_input_sentence
    from lexlens.analytics.ingest.loading import load_logs

    path = tmp_path / "in.jsonl"
    path.write_bytes(content)
    data = load_logs([path])
    assert data.report.accepted == 0
    assert empty_input_sentence(data, rejects_option) == sentence.format(path=path)


def test_filters_narrow_the_report(capsys):
    assert main(["report", str(VARIANTS), "--json", "--locale", "es_US"]) == 0
    narrowed = json.loads(capsys.readouterr().out)
    assert main(["report", str(VARIANTS), "--json"]) == 0
    whole = json.loads(capsys.readouterr().out)
    assert 0 < narrowed["sessions"] < whole["sessions"]


@pytest.mark.parametrize("bot", ["PizzaBot", "PZA3HN9TWK"])
def test_a_bot_is_given_by_name_or_id(capsys, bot):
    assert main(["report", str(ROOT / "sample_logs" / "demo.jsonl.gz"), "--json", "--bot-id", bot]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["records"] == 2758 and "OrderPizza" in report["intents"] and "CheckBalance" not in report["intents"]


@pytest.mark.parametrize("args", [["--since", "2099-01-01"], ["--bot-id", "NoSuchBot"], ["--locale", "fr_FR"]])
def test_filters_that_leave_nothing_say_what_the_data_has(args):
    result = run_cli("report", ROOT / "sample_logs" / "demo.jsonl.gz", *args)
    assert result.returncode == 3 and result.stdout == ""
    message = result.stderr.strip()
    assert message.count("\n") == 0 and message.startswith("lexlens: no turns match the filters")
    for held in ("BankerBot (BKR7Q2XLMA)", "PizzaBot (PZA3HN9TWK)", "en_GB, en_US, es_US", "3, 7, DRAFT",
                 "from 2026-10-21 00:10 to 2026-11-19 23:51 UTC"):
        assert held in message


def test_installed_console_script_runs():
    script = Path(sys.executable).with_name("lexlens")
    if not script.exists() and not os.environ.get("CI"):   # CI installs lexlens: never skipped there
        pytest.skip("lexlens console script not installed in this environment")
    result = subprocess.run([str(script), "report", str(REAL), "--json"], capture_output=True, text=True)
    assert result.returncode == 0 and json.loads(result.stdout)["records"] == 2


def test_containment_needs_an_escalation_rule():
    plain = json.loads(run_cli("report", VARIANTS, "--json").stdout)
    assert plain["containment_rate"] is None
    ruled = json.loads(run_cli("report", VARIANTS, "--json", "--escalation-intent", "SpeakToAgent",
                               "--escalation-attribute", "escalated=true").stdout)
    assert 0.0 <= ruled["containment_rate"] <= 1.0


def test_two_core_report_equals_the_sequential_one():
    from lexlens.analytics.text.csvsafe import to_safe_csv
    from lexlens.analytics.ingest.loading import load_records
    from lexlens.analytics.metrics.escalation import EscalationRule
    from lexlens.analytics.report.build import ReportOptions, build_report
    from lexlens.analytics.report.two_cores import build_report_on_two_cores, worth_two_cores
    from lexlens.analytics.simulator.generate import generate_records

    data = load_records(generate_records(5000, days=7, seed=3))
    assert worth_two_cores(data)  # large enough to take the forked path
    options = ReportOptions(idle_timeout_s=120, escalation=EscalationRule(intents=("SpeakToAgent",)), tables=True)
    parallel, sequential = build_report_on_two_cores(data, options), build_report(data, options)
    assert parallel.values() == sequential.values()
    assert list(parallel.tables) == list(sequential.tables)
    for name, table in parallel.tables.items():
        assert to_safe_csv(table) == to_safe_csv(sequential.tables[name]), name


def test_conversations_that_fail_end_the_child_too(monkeypatch):
    """The child is forked before the conversations are found and waits for them only for its
    parts that read them: when finding them fails, the report raises that error, and the
    child, told by the closed pipe, ends instead of waiting for ever."""
    import multiprocessing

    import lexlens.analytics.report.two_cores as two_cores
    from lexlens.analytics.ingest.loading import load_records
    from lexlens.analytics.report.build import ReportOptions
    from lexlens.analytics.simulator.generate import generate_records

    data = load_records(generate_records(5000, days=7, seed=3))
    assert two_cores.worth_two_cores(data)

    def fail(*args, **kwargs):
        raise ValueError("no conversations today")

    monkeypatch.setattr(two_cores, "compute_conversations", fail)
    with pytest.raises(ValueError, match="no conversations today"):
        two_cores.build_report_on_two_cores(data, ReportOptions())
    for child in multiprocessing.active_children():
        child.join(30)
        assert not child.is_alive()


@pytest.mark.parametrize("turns,tables,forked,kept_here", [
    (0, False, False, ()), (19_999, False, False, ()), (20_000, False, True, ()),
    (2_000_000, False, True, ()), (2_000_000, True, True, ("activity", "load")),
    (2_000_001, False, True, ("activity", "outcome")), (2_000_001, True, True, ("activity", "outcome"))])
def test_which_parts_stay_in_this_process(monkeypatch, turns, tables, forked, kept_here):
    """Below 20k turns a fork costs more than it saves. The parts whose tables hold every turn
    stay here when tables are asked for; above 2M the outcomes and activity stay here, one after
    the other, so that they never run side by side. Every other part is queued, once."""
    import lexlens.analytics.report.two_cores as two_cores
    import lexlens.analytics.second_core as second_core
    from lexlens.analytics.report.build import PARTS, ReportOptions

    monkeypatch.setattr(second_core.sys, "platform", "linux")
    monkeypatch.setattr(second_core.os, "cpu_count", lambda: 2)
    data = types.SimpleNamespace(turns=range(turns))
    assert two_cores.worth_two_cores(data) is forked
    here = two_cores.parts_kept_here(data, ReportOptions(tables=tables))
    assert tuple(part.__name__.split("_")[1] for part in here) == kept_here
    assert sorted(two_cores.QUEUE_ORDER, key=PARTS.index) == list(PARTS)  # each part queued once


def test_parts_that_read_no_conversations_are_queued_first():
    """The child starts while this process finds the conversations: the queue's first parts
    must not wait for them."""
    import lexlens.analytics.report.two_cores as two_cores
    from lexlens.analytics.report.build import reads_conversations

    waiting = [reads_conversations(part) for part in two_cores.QUEUE_ORDER]
    assert waiting == sorted(waiting) and not waiting[0]


@pytest.mark.parametrize("large, tables", [(False, False), (False, True), (True, True)])
def test_each_part_is_computed_once_by_one_of_two_processes(monkeypatch, tmp_path, large, tables):
    """Both processes take parts from one queue: every part is computed exactly once, the kept
    ones by this process, and the report equals the sequential one."""
    import lexlens.analytics.report.build as build
    import lexlens.analytics.report.two_cores as two_cores
    from lexlens.analytics.ingest.loading import load_records
    from lexlens.analytics.simulator.generate import generate_records
    from lexlens.analytics.text.csvsafe import to_safe_csv

    data = load_records(generate_records(5000, days=7, seed=5))
    assert two_cores.worth_two_cores(data)
    if large:
        monkeypatch.setattr(two_cores, "LARGE_TURNS", 1000)
    journal = tmp_path / "computed"

    def noted(compute):
        def part(*args):
            with open(journal, "a") as out:  # O_APPEND: the two processes' lines never mix
                out.write(f"{os.getpid()} {compute.__name__}\n")
            return compute(*args)
        part.__name__ = compute.__name__
        return part

    options = build.ReportOptions(tables=tables)
    kept = {part.__name__ for part in two_cores.parts_kept_here(data, options)}
    wrapped = {part: noted(part) for part in build.PARTS}
    for name in ("QUEUE_ORDER", "KEPT_HERE_LARGE", "KEPT_HERE_TABLES"):
        monkeypatch.setattr(two_cores, name, tuple(wrapped[part] for part in getattr(two_cores, name)))
    parallel = two_cores.build_report_on_two_cores(data, options)
    computed = [line.split() for line in journal.read_text().splitlines()]
    assert sorted(name for _, name in computed) == sorted(part.__name__ for part in build.PARTS)
    assert {name for pid, name in computed if int(pid) == os.getpid()} >= kept
    sequential = build.build_report(data, options)
    assert parallel.values() == sequential.values()
    assert list(parallel.tables) == list(sequential.tables)
    for name, table in parallel.tables.items():
        assert to_safe_csv(table) == to_safe_csv(sequential.tables[name]), name


def test_text_report_makes_control_characters_visible(tmp_path):
    rec = json.loads(REAL.read_text().splitlines()[1])
    rec["inputTranscript"] = "clear\x1b[2J screen\u202eevil\nnext"
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(rec) + "\n")
    out = run_cli("report", path).stdout
    assert "clear\\x1b[2J screen\\u202eevil\\x0anext" in out
    assert "\x1b" not in out and "\u202e" not in out


def test_test_sets_are_per_bot_and_locale_and_leave_formulas_out(tmp_path):
    from lex_records import record

    def missed(session, text, bot, locale="en_US", runner="CheckBalance"):
        rec = record(session, 0, text, "FallbackIntent", missed=True, alternatives=((runner, 0.3),))
        return dict(rec, bot={**rec["bot"], "id": bot, "name": bot, "localeId": locale})

    rows = [missed("a", "balance", "BANK"), missed("b", "=balance", "BANK"), missed("c", "balance", "BANK", "en_GB"),
            missed("d", "pizza", "PIZZA", runner="OrderPizza"), missed("e", "exit", "PIZZA", runner="Other"),
            missed("f", "exit", "PIZZA", runner="OrderPizza")]  # 50%: no default, so not in the file
    source = tmp_path / "logs.jsonl"
    source.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    result = run_cli("report", source, "--csv-dir", tmp_path / "csv")
    assert result.returncode == 0, result.stderr
    sets = {path.name: list(csv.reader(open(path, encoding="utf-8")))[1:]
            for path in (tmp_path / "csv").glob("lex_test_set*.csv")}
    assert sets == {"lex_test_set_BANK_en_US.csv": [["1", "N/A", "User", "balance", "CheckBalance"]],
                    "lex_test_set_BANK_en_GB.csv": [["1", "N/A", "User", "balance", "CheckBalance"]],
                    "lex_test_set_PIZZA_en_US.csv": [["1", "N/A", "User", "pizza", "OrderPizza"]]}


@pytest.mark.parametrize("setting, huge_pages", [(None, "False"), ("1", "True"), ("0", "False")],
                         ids=["unset: off", "explicit on kept", "explicit off"])
def test_the_command_turns_numpys_huge_pages_off_unless_told(setting, huge_pages):
    """The ``lexlens`` command imports NumPy with transparent huge pages off (NumPy's
    NUMPY_MADVISE_HUGEPAGE, read at import: zeroing 2 MiB pages cost a first report ~0.8 s of
    CPU); a setting of the user's own is kept.
    https://numpy.org/doc/2.0/reference/global_state.html#madvise-hugepage-on-linux"""
    env = {key: value for key, value in os.environ.items() if key != "NUMPY_MADVISE_HUGEPAGE"}
    if setting is not None:
        env["NUMPY_MADVISE_HUGEPAGE"] = setting
    probe = ("import lexlens.analytics.cli, numpy; "
             "print(numpy._core.multiarray._get_madvise_hugepage())")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, env=env,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == huge_pages
