"""``lexlens check``: the rule parser (every metric, every comparison, bad input), the values
rules read (the report's, by its definitions), the TOML rules file and the exit codes."""
import json

import pytest

from lex_records import record
from lexlens.analytics.cli import main
from lexlens.analytics.errors import LexlensError
from lexlens.analytics.monitor.catalogue import METRICS
from lexlens.analytics.monitor.rules import evaluate_rule, load_rules_file, parse_rule

# Five sessions worked out by hand: s1 books a hotel after re-asking the date once, s2 is
# missed once then gets its balance, s3 stops while asked for an account, s4 sends nothing,
# s5 falls back while asked for a date. Plus one line that is not JSON and one duplicate.
RECORDS = [
    record("s1", 0, "book a room", intent="BookHotel", action="ElicitSlot", slot="CheckInDate",
           slots={"CheckInDate": None}),
    record("s1", 10, "tomorrow", intent="BookHotel", action="ElicitSlot", slot="CheckInDate",
           slots={"CheckInDate": None}),
    record("s1", 20, "june 5", intent="BookHotel", state="Fulfilled", action="Close",
           slots={"CheckInDate": "2024-06-05"}),
    record("s2", 0, "blah", missed=True),
    record("s2", 5, "balance", intent="CheckBalance", state="Fulfilled", action="Close"),
    record("s3", 0, "balance please", intent="CheckBalance", action="ElicitSlot", slot="Account"),
    record("s4", 0, ""),
    record("s5", 0, "book", intent="BookHotel", action="ElicitSlot", slot="CheckInDate",
           slots={"CheckInDate": None}),
    record("s5", 5, "gibberish", missed=True),
]

# metric (with argument) -> its value over RECORDS, worked out by hand from the definitions
EXPECTED = {
    "records": 9, "rejected": 1, "duplicates": 1, "utterances": 8, "missed_utterances": 2,
    "fallback_rate": 0.25, "sessions": 5, "conversations": 5, "successful_conversations": 2,
    "failed_conversations": 1, "dropped_conversations": 2, "conversation_success_rate": 0.4,
    "conversation_failure_rate": 0.2, "dropped_rate": 0.4, "containment_rate": 0.6,
    "session_duration_mean_s": 6.0, "session_duration_median_s": 5.0, "session_duration_p90_s": 14.0,
    "turns_per_session_mean": 1.8, "turns_per_session_median": 2.0, "turns_per_session_max": 3,
    "intent_turns[BookHotel]": 4, "intent_attempts[BookHotel]": 2, "intent_success_rate[BookHotel]": 0.5,
    "intent_failure_rate[BookHotel]": 0.5, "intent_switch_rate[FallbackIntent]": 0.5,
    "intent_drop_rate[CheckBalance]": 0.5, "input_mode_turns[Text]": 9, "sentiment_turns[NEGATIVE]": 0,
    "slot_failure_rate[BookHotel.CheckInDate]": 0.5, "slot_retries[BookHotel.CheckInDate]": 1,
}


@pytest.fixture
def logs(tmp_path):
    path = tmp_path / "bot.jsonl"
    lines = [json.dumps(r) for r in RECORDS] + ["not json", json.dumps(RECORDS[0])]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_check(capsys, *args):
    code = main(["check", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_every_metric_of_the_catalogue_is_tested():
    assert {name.split("[")[0] for name in EXPECTED} == {metric.name for metric in METRICS}


@pytest.mark.parametrize("metric,value", EXPECTED.items())
def test_each_metric_reads_the_report_value(capsys, logs, metric, value):
    code, out, err = run_check(capsys, logs, "--rule", f"{metric} >= 0", "--json",
                               "--escalation-intent", "CheckBalance")
    assert code == 1, err  # every value here is >= 0, so the rule is breached
    (verdict,) = json.loads(out)["rules"]
    assert verdict["value"] == pytest.approx(value) and verdict["verdict"] == "breached"


@pytest.mark.parametrize("op,threshold,breached", [
    ("<", 0.25, False), ("<=", 0.25, True), (">", 0.25, False), (">=", 0.25, True),
    ("==", 0.25, True), ("!=", 0.25, False), (">", 0.2, True), ("<", 0.3, True),
])
def test_every_comparison(op, threshold, breached):
    rule = parse_rule(f"fallback_rate {op} {threshold}")
    values = {"fallback_rate": 0.25, "utterances": 8}
    assert evaluate_rule(rule, values).breached is breached


@pytest.mark.parametrize("text,metric,argument,op,threshold", [
    ("fallback_rate > 0.10", "fallback_rate", None, ">", 0.10),
    ("  fallback_rate>0.1  ", "fallback_rate", None, ">", 0.1),
    ("dropped_rate > 30%", "dropped_rate", None, ">", 0.30),
    ("utterances < 100", "utterances", None, "<", 100),
    ("utterances < 1e3", "utterances", None, "<", 1000),
    ("intent_success_rate[CheckBalance] < 0.7", "intent_success_rate", "CheckBalance", "<", 0.7),
    ("intent_success_rate[ Check Balance ] < .7", "intent_success_rate", "Check Balance", "<", 0.7),
    ("slot_retries[BookHotel.Guest.Name] > 3", "slot_retries", "BookHotel.Guest.Name", ">", 3),
])
def test_rule_parser_reads(text, metric, argument, op, threshold):
    rule = parse_rule(text)
    assert (rule.metric.name, rule.argument, rule.op) == (metric, argument, op)
    assert rule.threshold == pytest.approx(threshold)


@pytest.mark.parametrize("text,message", [
    ("", "A rule is empty"),
    ("   ", "A rule is empty"),
    ("fallback_rate", "write METRIC OP NUMBER"),
    ("fallback_rate >", "write METRIC OP NUMBER"),
    ("> 0.1", "write METRIC OP NUMBER"),
    ("fallback_rate = 0.1", "compare with ==, not ="),
    ("fallback_rate => 0.1", "write METRIC OP NUMBER"),
    ("fallback_rate > abc", "'abc' is not a number"),
    ("fallback_rate > nan", "'nan' is not a number"),
    ("fallback_rate > 0x10", "'0x10' is not a number"),
    ("fallbak_rate > 0.1", "unknown metric 'fallbak_rate' (did you mean fallback_rate?)"),
    ("zzz > 1", "lexlens check --list-metrics lists them"),
    ("fallback_rate > 10", "share from 0 to 1, so 10 is out of range (write 0.1 or 10%)"),
    ("fallback_rate > -0.1", "share from 0 to 1"),
    ("fallback_rate > 150%", "share from 0 to 1"),
    ("utterances < 10%", "% applies to rates only, and utterances is a count"),
    ("utterances < -1", "utterances is never negative"),
    ("intent_success_rate < 0.7", "intent_success_rate needs an intent in brackets"),
    ("intent_success_rate[] < 0.7", "needs an intent in brackets"),
    ("fallback_rate[X] > 0.1", "fallback_rate takes no [argument]"),
    ("slot_retries[BookHotel] > 3", "needs Intent.Slot in brackets"),
    ("fallback_rate > 0.1 and utterances < 5", "write METRIC OP NUMBER"),
])
def test_rule_parser_refuses_with_one_sentence(text, message):
    with pytest.raises(LexlensError) as raised:
        parse_rule(text)
    assert message in str(raised.value) and raised.value.exit_code == 2
    assert "\n" not in str(raised.value)


def test_a_rate_without_data_holds_and_says_so():
    rule = parse_rule("intent_success_rate[CheckBalance] < 0.7")
    verdict = evaluate_rule(rule, {"intent_outcomes": {}})
    assert verdict.value is None and not verdict.breached


@pytest.mark.parametrize("contents,message", [
    ('[rules]\nhigh_fallback = "fallback_rate > 0.10"\nquiet = "utterances < 100"\n', None),
    ("[rules\n", "is not valid TOML"),
    ('title = "x"\n', "has no [rules] table"),
    ("[rules]\n", "has no [rules] table"),
    ("[rules]\nx = 3\n", "rule 'x' is not a string"),
    ('[rules]\nx = "fallback_rate > 2"\n', "rule 'x': Rule 'fallback_rate > 2': fallback_rate is a share"),
])
def test_rules_file(tmp_path, contents, message):
    path = tmp_path / "rules.toml"
    path.write_text(contents, encoding="utf-8")
    if message is None:
        rules = load_rules_file(path)
        assert [(r.name, r.metric.name) for r in rules] == [("high_fallback", "fallback_rate"),
                                                            ("quiet", "utterances")]
        return
    with pytest.raises(LexlensError) as raised:
        load_rules_file(path)
    assert message in str(raised.value) and raised.value.exit_code == 2


def test_rules_file_that_cannot_be_read(tmp_path):
    with pytest.raises(LexlensError, match="Cannot read rules file"):
        load_rules_file(tmp_path / "missing.toml")


@pytest.mark.parametrize("args,code,said", [
    (["--rule", "fallback_rate > 0.3"], 0, "ok        fallback_rate > 0.3"),
    (["--rule", "fallback_rate > 0.2", "--rule", "utterances < 5"], 1, "BREACHED  fallback_rate > 0.2"),
    (["--rule", "utterances < 100", "--since", "2030-01-01"], 1, "0 turns (no turn in the window)"),
    (["--rule", "utterances < 100", "--bot-id", "NoSuchBot"], 1, "BREACHED  utterances < 100  0"),
    (["--rule", "intent_success_rate[Nope] < 0.7"], 0, "no data"),
    (["--rule", "utterances < 4", "--since", "2024-05-06T09:00:03Z"], 0, "ok        utterances < 4  4"),
])
def test_exit_codes_and_text(capsys, logs, args, code, said):
    got, out, err = run_check(capsys, logs, *args)
    assert got == code, err
    assert said in out


@pytest.mark.parametrize("args,said", [
    ([], "no rule to check"),
    (["--rule", "fallbak_rate > 1"], "did you mean fallback_rate"),
    (["--rule", "containment_rate < 0.8"], "containment_rate needs an escalation rule"),
    (["--rule", "utterances < 1", "--since", "2024-05-07", "--until", "2024-05-06"], "The time window is empty"),
])
def test_usage_errors_exit_2(capsys, logs, args, said):
    code, out, err = run_check(capsys, logs, *args)
    assert code == 2 and said in err and out == ""


def test_source_errors_exit_2(capsys, tmp_path):
    (tmp_path / "empty.jsonl").write_text("\n", encoding="utf-8")
    assert run_check(capsys, tmp_path / "nothing.jsonl", "--rule", "utterances < 1")[0] == 2
    code, _, err = run_check(capsys, tmp_path / "empty.jsonl", "--rule", "utterances < 1")
    assert code == 2 and "no Lex V2 conversation-log records" in err
    code, _, err = run_check(capsys, "--rule", "utterances < 1")
    assert code == 2 and "no input" in err


def test_bad_option_value_exits_2(capsys, logs):
    with pytest.raises(SystemExit) as raised:
        main(["check", str(logs), "--rule", "utterances < 1", "--idle-timeout", "-5"])
    assert raised.value.code == 2


def test_json_lists_each_rule_and_the_window(capsys, logs, tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text('[rules]\nquiet = "utterances < 100"\n', encoding="utf-8")
    code, out, _ = run_check(capsys, logs, "--rules", rules, "--rule", "fallback_rate > 0.5", "--json")
    document = json.loads(out)
    assert code == 1 and document["breached"] == 1
    assert [(r["name"], r["verdict"], r["value"]) for r in document["rules"]] == [
        ("fallback_rate > 0.5", "held", 0.25), ("quiet", "breached", 8.0)]
    assert document["window"]["records"] == 9 and document["window"]["since"] is None


def test_list_metrics_names_every_metric(capsys):
    code, out, _ = run_check(capsys, "--list-metrics")
    assert code == 0
    assert all(metric.name in out for metric in METRICS)
