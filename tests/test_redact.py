"""PII masking (issue 11): the maskers table by table, the whole LogData, raw records and
CloudWatch event lines, and the CLI end to end: no raw value survives in any output."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lexlens.analytics.privacy.redact import RedactionRules, luhn_valid, mask_identifier, mask_text, redact_log_data
from lexlens.analytics.privacy.records import redact_event_line, redact_record
from lex_records import load, record

RULES = RedactionRules(secret=b"test secret")
TOKEN = r"<(email|phone|card|number|slot|attribute):[0-9a-f]{8}>"


def kinds(text: str, rules: RedactionRules = RULES) -> list[str]:
    """The token kinds in the masked text, in order."""
    return re.findall(TOKEN, mask_text(text, rules))


@pytest.mark.parametrize("text, expected", [
    ("", []),
    ("hello there", []),
    # e-mail forms
    ("mail jane.doe@example.com", ["email"]),
    ("JANE.DOE+lex@Mail.Example.co.uk please", ["email"]),
    ("o'brien@example.ie", ["email"]),
    ("first_last-1@sub.domain.io,", ["email"]),
    ("jane dot doe at example dot com", ["email"]),
    ("a@b", []),  # no domain with a dot: not an address
    # international phone forms
    ("+44 20 7946 0958", ["phone"]),
    ("+1 (555) 123-4567", ["phone"]),
    ("(555) 123-4567", ["phone"]),
    ("555-123-4567", ["phone"]),
    ("555.123.4567", ["phone"]),
    ("+33 6 12 34 56 78", ["phone"]),
    ("0033 6 12 34 56 78", ["phone"]),
    ("06 12 34 56 78", ["phone"]),
    ("+4915112345678", ["phone"]),
    ("+91-98765-43210", ["phone"]),
    # card numbers, Luhn-valid, with and without separators
    ("4111 1111 1111 1111", ["card"]),
    ("4111-1111-1111-1111", ["card"]),
    ("4111111111111111", ["card"]),
    ("my amex 3782 822463 10005 ok", ["card"]),
    ("5555555555554444", ["card"]),
    ("4111111111111112", ["number"]),  # fails Luhn: still a long digit run
    # other long digit runs
    ("account 12345678", ["number"]),
    ("ref ABC123456", ["number"]),
    # false positives left alone
    ("order 12345", []),  # below the threshold
    ("born 1969-09-10", []),
    ("on 10/11/2026", []),
    ("on 10.11.2026", []),
    ("March 22 2001", []),
    ("March 22, 2001", []),
    ("2020-2024", []),
    ("send $1,234,567.89", []),
    ("it costs 12345.67", []),
    ("room 101 at 10:30", []),
    ("version 1.2.3", []),
    ("I want {PizzaSize} at {Time1}", []),  # Lex's own obfuscation
    ("<email:0123abcd> again", ["email"]),  # an existing token is kept as it is
])
def test_maskers(text, expected):
    assert kinds(text) == expected
    if not expected or text.startswith("<"):
        assert mask_text(text, RULES) == text


def test_the_digit_threshold_is_configurable():
    assert kinds("order 12345", RedactionRules(min_digits=5, secret=b"k")) == ["number"]
    assert kinds("account 12345678", RedactionRules(min_digits=9, secret=b"k")) == []


def test_same_value_same_token_and_another_run_another_token():
    once, again = mask_text("jane@example.com", RULES), mask_text("x JANE@example.com y", RULES)
    assert once in again
    assert mask_text("555-123-4567", RULES) == mask_text("(555) 123 4567", RULES)
    assert mask_text("jane@example.com", RedactionRules()) != once  # a fresh secret per run
    assert mask_text(mask_text("call +44 20 7946 0958 now", RULES), RULES) == mask_text(
        "call +44 20 7946 0958 now", RULES)  # masking twice changes nothing


def test_tokens_are_keyed_so_a_guess_cannot_be_checked():
    import hashlib

    token = mask_text("jane@example.com", RULES)
    assert hashlib.sha256(b"email\0jane@example.com").hexdigest()[:8] not in token


@pytest.mark.parametrize("digits, valid", [("4111111111111111", True), ("79927398713", True),
                                           ("79927398710", False), ("0", True)])
def test_luhn(digits, valid):
    assert luhn_valid(digits) is valid


@pytest.mark.parametrize("identifier, masked", [
    ("", False), ("679908205038922", False), ("hostile-1", False),
    ("a1b2c3d4-1234-5678-9abc-def012345678", False),
    ("+15551234567", True), ("jane@example.com", True)])
def test_identifiers_are_masked_only_when_the_whole_id_is_pii(identifier, masked):
    assert (mask_identifier(identifier, RULES) != identifier) is masked


RAW = {
    "email": "jane.doe@example.com", "phone": "+44 20 7946 0958", "card": "4111 1111 1111 1111",
    "account": "12345678", "name": "Jane Doe", "customer": "C-99812", "bot_card": "5555555555554444",
}


def pii_records() -> list[dict]:
    """Two sessions whose text, slots and attributes hold every kind of PII."""
    return [
        record("s1", 0, text=f"my email is {RAW['email']} and my name is {RAW['name']}",
               intent="Register", slots={"FullName": RAW["name"], "Email": RAW["email"]},
               attributes={"customerId": RAW["customer"], "note": f"call {RAW['phone']}"},
               message=f"Thanks {RAW['name']}, we will write to {RAW['email']}"),
        record("s1", 30, text=f"card {RAW['card']} account {RAW['account']}", intent="Pay",
               slots={"CardNumber": RAW["card"]}, attributes={"customerId": RAW["customer"]},
               message=f"Card ending {RAW['bot_card']} charged."),
        record("s2", 60, text=f"phone {RAW['phone']}", missed=True, intent="",
               attributes={"customerId": RAW["customer"]}),
    ]


def test_redact_log_data_masks_every_table():
    data = load(pii_records())
    rules = RedactionRules(slots=("FullName",), attributes=("customerId",), secret=b"k")
    masked = redact_log_data(data, rules)
    text = " ".join([*masked.turns["transcript"], *masked.turns["bot_messages"],
                     *masked.slots["original_value"], *masked.slots["interpreted_value"],
                     *masked.attributes["value"]])
    for raw in RAW.values():
        assert raw not in text
    assert len(masked.turns) == len(data.turns)
    tokens = masked.attributes.loc[masked.attributes["key"] == "customerId", "value"]
    assert tokens.nunique() == 1 and tokens.iloc[0].startswith("<attribute:")  # grouping kept
    assert data.turns["transcript"].str.contains(RAW["email"], regex=False).any()  # input untouched


def test_redact_log_data_of_nothing():
    empty = load([])
    assert redact_log_data(empty, RULES).turns.empty


def test_redact_record_and_event_line_keep_the_shape():
    rules = RedactionRules(slots=("FullName",), attributes=("customerId",), secret=b"k")
    raw = pii_records()[0]
    masked = redact_record(raw, rules)
    assert masked["bot"] == raw["bot"] and masked["requestId"] == raw["requestId"]
    assert masked["sessionState"]["intent"]["name"] == "Register"
    dumped = json.dumps(masked)
    assert all(value not in dumped for value in RAW.values())
    event = json.dumps({"eventId": "1", "timestamp": 1, "message": json.dumps(raw)}).encode()
    line = redact_event_line(event, rules)
    assert all(value.encode() not in line for value in RAW.values())
    assert json.loads(json.loads(line)["message"])["requestId"] == raw["requestId"]
    assert redact_event_line(b"not json jane.doe@example.com", rules) .startswith(b"not json <email:")


def run_lexlens(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lexlens", *args], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1])


def test_report_redact_leaves_no_raw_value_in_any_output(tmp_path):
    log = tmp_path / "pii.jsonl"
    lines = [json.dumps(r) for r in pii_records()] + [f"{{broken line with {RAW['email']} and {RAW['card']}"]
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    common = [str(log), "--redact", "--redact-slot", "FullName", "--redact-attribute", "customerId"]
    text = run_lexlens("report", *common, "--out", str(tmp_path / "csv"), "--rejects", str(tmp_path / "rej.jsonl"))
    as_json = run_lexlens("report", *common, "--json")
    assert text.returncode == 0 and as_json.returncode == 0, text.stderr + as_json.stderr
    outputs = {"text": text.stdout + text.stderr, "json": as_json.stdout + as_json.stderr,
               "rejects": (tmp_path / "rej.jsonl").read_text(encoding="utf-8")}
    outputs |= {path.name: path.read_text(encoding="utf-8") for path in (tmp_path / "csv").glob("*.csv")}
    assert len(outputs) > 10
    for name, output in outputs.items():
        for raw in RAW.values():
            assert raw not in output, (name, raw)
    assert "<email:" in outputs["json"] and "<email:" in outputs["rejects"]
    unmasked = run_lexlens("report", str(log), "--json")  # the same run without --redact shows them
    assert RAW["email"] in unmasked.stdout


def test_redact_options_need_redact():
    result = run_lexlens("report", "sample_logs/demo.jsonl.gz", "--redact-slot", "x")
    assert result.returncode == 2 and "need --redact" in result.stderr


def test_mask_column_keeps_categories_when_two_values_mask_alike():
    import pandas as pd

    from lexlens.analytics.privacy.redact import mask_column

    column = pd.Series(["555-123-4567", "(555) 123-4567", "hi", "555-123-4567"], dtype="category")
    masked = mask_column(column, lambda text: mask_text(text, RULES))
    assert isinstance(masked.dtype, pd.CategoricalDtype)
    assert masked.nunique() == 2 and masked.iloc[0] == masked.iloc[1] == masked.iloc[3]
    assert mask_column(column.iloc[:0], str.upper).empty
