"""Text from the logs stays inert: in spreadsheets (CSV), on terminals (report text and
JSON), and on its way to Lex (the writer)."""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from lexlens.analytics.cli import main
from lexlens.analytics.text.csvsafe import neutralise_cell, starts_formula, to_safe_csv
from lexlens.analytics.text.visible import is_hidden, json_text, show_visible
from lexlens.analytics.writer.rules import validate_utterance
from lex_records import fixture_record

ROOT = Path(__file__).resolve().parent.parent
REAL = fixture_record(0)

# ---------- spreadsheets ----------

FORMULAS = ["=1+1", "+1", "-1", "@SUM(1)", "\t=1", "\r=1", " =1", "\u00a0=1", '"=1', ' "@x',
            "\uff1d1+1", "\uff0b1", "\uff0d1", "\uff20x", "\ufe66x", "\u22121", "\u3000=1", "\u200b=1",
            "\ufeff=HYPERLINK(\"x\")", "\uff02=1", "\u2003\u2003+cmd|' /C calc'!A0"]
HARMLESS = ["", "hello", "1", "3.5", "a=b", "  hello", "'=1", "\u00a0a", "\u200dx=1", "é=1", "(=1)",
            "\u2010x", "x\r=1"]


@pytest.mark.parametrize("text", FORMULAS, ids=repr)
def test_a_formula_behind_spaces_quotes_or_look_alikes_is_neutralised(text):
    assert starts_formula(text) and neutralise_cell(text) == "'" + text


@pytest.mark.parametrize("text", HARMLESS, ids=repr)
def test_other_text_is_left_alone(text):
    assert not starts_formula(text) and neutralise_cell(text) == text


def test_numbers_and_missing_values_are_left_alone():
    assert neutralise_cell(-1) == -1 and neutralise_cell(None) is None


def rows_read_with_bare_cr_as_a_row_break(text: str) -> list[list[str]]:
    """Rows as a reader sees them that ends a row at any CR or LF outside quotes."""
    return list(csv.reader(io.StringIO(text.replace("\r\n", "\n"), newline=None)))


def test_a_cell_holding_a_carriage_return_is_quoted():
    frame = pd.DataFrame({"utterance": ["hi\r=cmd|' /C calc'!A0", "plain", 'say "x"\r\nnext'],
                          "count": [1, 2, 3]})
    text = to_safe_csv(frame)
    assert '"hi\r=cmd|\' /C calc\'!A0"' in text and text.endswith("\n") and "\r\n" not in text.replace(
        '"say ""x""\r\nnext"', "")
    rows = rows_read_with_bare_cr_as_a_row_break(text)
    assert rows == [["utterance", "count"], ["hi\n=cmd|' /C calc'!A0", "1"], ["plain", "2"],
                    ['say "x"\nnext', "3"]]  # three rows, none starting with '='
    assert list(csv.reader(io.StringIO(text, newline=""))) == [
        ["utterance", "count"], ["hi\r=cmd|' /C calc'!A0", "1"], ["plain", "2"], ['say "x"\r\nnext', "3"]]


def test_without_carriage_returns_the_csv_is_what_pandas_writes():
    frame = pd.DataFrame({"a": ["x", "=y", "with, comma"], "b": [1.5, None, 3]})
    assert to_safe_csv(frame) == frame.assign(a=["x", "'=y", "with, comma"]).to_csv(index=False)
    assert to_safe_csv(pd.DataFrame()) == pd.DataFrame().to_csv(index=False)


HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"x\")", "\u00a0=cmd|' /C calc'!A0", "\uff1d1+1",
           '"@SUM(1)', "a\r=cmd|' /C calc'!A0", "\u202eexe.txt", "\x1b]0;owned\x07", "\x9b31m"]


def hostile_log(path: Path) -> Path:
    lines = []
    for number, text in enumerate(HOSTILE):
        record = {**REAL, "requestId": f"r{number}", "sessionId": f"s{number}", "inputTranscript": text,
                  "inputMode": text, "missedUtterance": True,
                  "sessionState": {**REAL["sessionState"], "sessionAttributes": {"k": text}},
                  "interpretations": [{"intent": {"name": text}, "nluConfidence": "0.4",
                                       "sentimentResponse": {"sentiment": text}}]}
        lines.append(json.dumps(record))
    path.write_text("\n".join(lines) + "\n")
    return path


def csv_cell_by_cell(table: pd.DataFrame) -> str:
    """The rule applied to every cell in turn: what ``to_safe_csv`` must write."""
    safe = table.copy()
    for position in range(table.shape[1]):
        column = table.iloc[:, position]
        if column.dtype == object or pd.api.types.is_string_dtype(column) or isinstance(column.dtype, pd.CategoricalDtype):
            safe.isetitem(position, column.astype(object).map(neutralise_cell))
    safe.columns = [neutralise_cell(str(name)) for name in safe.columns]
    if not any(isinstance(value, str) and "\r" in value for value in safe.to_numpy(dtype=object).ravel()):
        return safe.to_csv(index=False)
    text = safe.to_csv(index=False, lineterminator="\r\n")
    return re.sub(r'"(?:[^"]|"")*"|\r\n', lambda m: "\n" if m.group(0) == "\r\n" else m.group(0), text)


@pytest.mark.parametrize("table", [
    pd.DataFrame({"a": pd.Series([], dtype=object)}),
    pd.DataFrame({"a": ["=1", "x", "=1", None, "+2"], "n": [1, 2, 3, 4, 5]}),
    pd.DataFrame({"a": pd.Categorical(["=1", "x", "=1", None], categories=["x", "=1", "@unused"])}),
    pd.DataFrame({"a": pd.Categorical(["x", "y"], categories=["x", "y", "has\rcr"])}),  # an unused category
    pd.DataFrame({"a": pd.Series(["-3", "ok", None], dtype="str")}),
    pd.DataFrame({"a": [["=1"], "=2", {"k": 1}]}),  # cells that cannot be hashed
    pd.DataFrame({"a": ["x\r=1", "=y", "z"]}),
    pd.DataFrame([["=1", "=2"], ["a", "+b"]], columns=["=dup", "=dup"]),
    pd.DataFrame({"a": [float("nan"), 3.5, "=x"], "b": [True, False, None]}),
], ids=["empty", "object", "categorical", "unused category with CR", "str dtype", "unhashable", "CR",
        "duplicate names", "mixed"])
def test_the_csv_judged_on_distinct_values_is_the_csv_judged_cell_by_cell(table):
    """``to_safe_csv`` judges each distinct text once; it writes what the rule applied to
    every cell writes, and leaves the table it was given unchanged."""
    before = table.copy()
    assert to_safe_csv(table) == csv_cell_by_cell(table)
    pd.testing.assert_frame_equal(table, before)


def test_every_csv_of_report_out_is_formula_safe(tmp_path, capsys):
    assert main(["report", str(hostile_log(tmp_path / "logs.jsonl")), "--csv-dir", str(tmp_path / "out")]) == 0
    capsys.readouterr()
    written = sorted((tmp_path / "out").glob("*.csv"))
    assert len(written) > 15
    for path in written:
        if path.name == "lex_test_set.csv":  # what Lex receives must be the utterance as spoken
            continue
        text = path.read_text(encoding="utf-8")
        for row in csv.reader(io.StringIO(text, newline="")):
            for cell in row:
                assert not starts_formula(cell), (path.name, cell)
        for cell in re.findall(r'(?:^|,)([^",\n]*\r[^",\n]*)', text):
            raise AssertionError(f"{path.name}: a CR outside quotes: {cell!r}")


def test_every_csv_writer_calls_the_one_rule():
    """No CSV is written but through analytics.text.csvsafe.to_safe_csv (the Lex test set apart)."""
    writers = []
    for path in [*ROOT.glob("analytics/**/*.py"), *ROOT.glob("dashboard/**/*.py")]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"\.to_csv\(|csv\.writer\(|DictWriter\(", line):
                writers.append(f"{path.relative_to(ROOT)}:{number}")
    assert all(writer.startswith(("analytics/text/csvsafe.py", "analytics/report/testset.py")) for writer in writers), writers


def test_the_dashboard_download_is_the_safe_csv():
    from lexlens.dashboard.tables import table_csv

    shown = pd.DataFrame({"utterance": ["a\r=cmd", "\uff1d1+1"]})
    assert table_csv(shown) == to_safe_csv(shown)
    assert "'\uff1d1+1" in table_csv(shown) and '"a\r=cmd"' in table_csv(shown)


# ---------- terminals ----------

CONTROLS = ["\x1b", "\x07", "\r", "\u202e", "\x9b", "\x85", "\u200b", "\ufeff", "\u00ad", "\U000e0041"]


def test_the_text_report_prints_no_control_character(tmp_path, capsys):
    assert main(["report", str(hostile_log(tmp_path / "logs.jsonl"))]) == 0
    out = capsys.readouterr().out
    assert not [char for char in CONTROLS if char in out]
    assert "\\x1b]0;owned\\x07" in out and "\\u202eexe.txt" in out  # shown, escaped
    for section in ("Modality (turns)", "Lex sentiment (turns)", "Intents (turns)"):
        assert section in out


def test_json_escapes_control_characters_and_stays_the_same_json(tmp_path, capsys):
    assert main(["report", str(hostile_log(tmp_path / "logs.jsonl")), "--json"]) == 0
    out = capsys.readouterr().out
    assert not [char for char in CONTROLS if char in out]
    report = json.loads(out)
    assert {row["utterance"] for row in report["top_utterances"]} >= {"\u202eexe.txt", "\x9b31m"}
    assert "\x1b]0;owned\x07" in report["modality"]  # raw text stays raw, once decoded


def test_the_rejects_file_escapes_control_characters(tmp_path, capsys):
    path = tmp_path / "logs.jsonl"
    path.write_text("not json \x1b[2J \u202e\n" + json.dumps(REAL) + "\n")
    assert main(["report", str(path), "--rejects", str(tmp_path / "rejects.jsonl"), "--json"]) == 0
    capsys.readouterr()
    text = (tmp_path / "rejects.jsonl").read_text()
    assert "\x1b" not in text and "\u202e" not in text
    assert json.loads(text)["text"] == "not json \x1b[2J \u202e"


@pytest.mark.parametrize("char, hidden", [
    ("\x1b", True), ("\x9b", True), ("\u202e", True), ("\u2066", True), ("\u200b", True), ("\u00ad", True),
    ("\ufeff", True), ("\U000e0041", True), ("\u2028", True), ("\ue000", True), ("\u0378", True),
    ("\u200d", False), ("\u200c", False), ("a", False), ("é", False), ("😀", False), (" ", False),
])
def test_what_counts_as_hidden(char, hidden):
    assert is_hidden(char) is hidden


def test_json_text_escapes_outside_the_bmp_as_a_surrogate_pair():
    assert json_text({"k": "a\U000e0041b\u202e"}) == '{"k": "a\\udb40\\udc41b\\u202e"}'
    assert json.loads(json_text({"k": "a\U000e0041b"})) == {"k": "a\U000e0041b"}
    assert json_text({"é": "日本 😀"}) == '{"é": "日本 😀"}'


def test_cli_errors_are_printed_visible(tmp_path, capsys):
    assert main(["report", str(tmp_path / "no\x1b[2Jsuch.jsonl")]) != 0
    err = capsys.readouterr().err
    assert "\x1b" not in err and "no\\x1b[2Jsuch.jsonl" in err


# ---------- the writer ----------

@pytest.mark.parametrize("text", ["book\u200ba hotel", "soft\u00adhyphen", "\ufeffbook a hotel",
                                  "book a hotel\U000e0041\U000e007f", "evil\u2066x"], ids=repr)
def test_the_writer_refuses_invisible_characters(text):
    problem = validate_utterance(text, None)
    assert problem and problem.startswith("contains invisible or control characters")
    assert show_visible(text) not in problem or "\\" in problem


@pytest.mark.parametrize("text", ["book a family room \U0001f468\u200d\U0001f469\u200d\U0001f467",
                                  "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"], ids=["emoji", "Persian"])
def test_the_writer_keeps_the_joiners_that_shape_visible_text(text):
    assert validate_utterance(text, None) is None
