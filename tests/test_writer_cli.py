"""``lexlens add-utterances``: exit codes, one-sentence errors, output, audit log.

The stubbed clients come in through the one seam, ``analytics.writer.make_client``.
"""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from test_writer_fixtures import (  # noqa: F401  (fake_aws_env is an autouse fixture)
    BOT,
    LOCALE,
    T0,
    fake_aws_env,
    intent,
    queue_describe,
    queue_list_intents,
    queue_plan,
    stubbed,
)

from lexlens.analytics import writer
from lexlens.analytics.cli import main
from lexlens.analytics.cli import add_utterances

BOOK = intent("BOOKHOTEL1", "BookHotel", ["book a hotel"])
CANCEL = intent("CANCELBOOK", "CancelBooking", ["cancel my booking"])
FALLBACK = intent("FALLBACK01", "FallbackIntent", parent="AMAZON.FallbackIntent")
LOCALE_KEY = {"botId": BOT, "botVersion": "DRAFT", "localeId": LOCALE}


@pytest.fixture
def aws(monkeypatch):
    """Stubbed lexv2-models and sts clients handed to the command through make_client."""
    lex, lex_stub = stubbed()
    sts, sts_stub = stubbed("sts")
    clients = {"lexv2-models": lex, "sts": sts}
    monkeypatch.setattr(writer, "make_client", lambda service="lexv2-models", **_: clients[service])
    monkeypatch.setattr(add_utterances, "BUILD_POLL_S", 0.0)
    yield lex_stub, sts_stub
    lex_stub.assert_no_pending_responses()
    sts_stub.assert_no_pending_responses()


def run_cli(capsys, *extra, audit=None):
    argv = ["add-utterances", "--bot-id", BOT, "--locale", LOCALE, *extra]
    if audit:
        argv += ["--audit-log", str(audit)]
    code = main(argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def one_sentence(err: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("lexlens: ")]
    assert len(lines) == 1, err
    return lines[0]


def test_dry_run_prints_the_plan_and_exits_0(aws, capsys, tmp_path):
    lex, _ = aws
    queue_plan(lex, [BOOK, CANCEL], BOOK)
    code, out, err = run_cli(capsys, "--intent", "BookHotel", "--utterance", "reserve a room",
                             "--utterance", "Cancel  my booking", audit=tmp_path / "a.jsonl")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "Plan for intent BookHotel (BOOKHOTEL1), bot BOTID00001, locale en_US, version DRAFT:"
    assert lines[1].split() == ["utterance", "action", "reason"]
    assert lines[2].split()[-2:] == ["add", "new"]
    assert "skip" in lines[3] and "CancelBooking" in lines[3]
    assert "1 to add, 1 skipped, 0 refused." in out and "Dry run" in out
    assert not (tmp_path / "a.jsonl").exists()


def test_dry_run_shows_control_characters_escaped(aws, capsys):
    lex, _ = aws
    queue_plan(lex, [BOOK], BOOK)
    code, out, err = run_cli(capsys, "--intent", "BookHotel", "--utterance", "hi\x1b[2Jthere")
    assert code == 0   # a dry run exits 0 even when --apply would be refused
    assert "--apply would be refused" in out
    assert "hi\\x1b[2Jthere" in out and "\x1b" not in out + err


@pytest.mark.parametrize("utterance, target, others, words", [
    ("x" * 501, BOOK, True, "1 utterance(s) break Lex's sample-utterance rules"),
    ("a {Nights} night stay", BOOK, True, "1 utterance(s) break"),
    ("hello", FALLBACK, False, "FallbackIntent is the fallback intent"),
])
def test_refusals_exit_1_and_write_nothing(aws, capsys, utterance, target, others, words):
    lex, _ = aws
    slots = [] if "{" in utterance else None
    queue_plan(lex, [BOOK, FALLBACK], target, others=others, slots=slots)
    code, out, err = run_cli(capsys, "--intent", target["intentName"], "--utterance", utterance,
                             "--apply")
    assert code == 1
    assert words in one_sentence(err) and "nothing was written" in err
    assert "refuse" in out


def test_apply_writes_and_appends_an_audit_line(aws, capsys, tmp_path):
    lex, sts = aws
    queue_plan(lex, [BOOK, CANCEL], BOOK)
    queue_describe(lex, BOOK)
    request = {"intentId": "BOOKHOTEL1", "intentName": "BookHotel", **LOCALE_KEY,
               "sampleUtterances": [{"utterance": "book a hotel"}, {"utterance": "reserve a room"}]}
    lex.add_response("update_intent", {**request, "lastUpdatedDateTime": T0 + timedelta(seconds=9)},
                     request)
    sts.add_response("get_caller_identity", {"Account": "123456789012", "UserId": "AIDA",
                                             "Arn": "arn:aws:iam::123456789012:user/ana"})
    audit = tmp_path / "audit.jsonl"
    code, out, err = run_cli(capsys, "--intent", "BOOKHOTEL1", "--utterance", " reserve  a room ",
                             "--apply", audit=audit)
    assert code == 0, err
    assert "Added 1 sample utterance(s) to intent BookHotel in DRAFT." in out
    (record,) = [json.loads(line) for line in audit.read_text().splitlines()]
    assert record["utterances_added"] == ["reserve a room"]
    assert record["caller"]["arn"] == "arn:aws:iam::123456789012:user/ana"
    assert (record["bot_id"], record["locale_id"], record["intent_name"]) == (BOT, LOCALE, "BookHotel")


def test_apply_without_caller_identity_still_audits(aws, capsys, tmp_path):
    lex, sts = aws
    queue_plan(lex, [BOOK], BOOK)
    queue_describe(lex, BOOK)
    lex.add_response("update_intent", {"intentId": "BOOKHOTEL1"})
    sts.add_client_error("get_caller_identity", "AccessDenied", "no")
    audit = tmp_path / "audit.jsonl"
    code, _, err = run_cli(capsys, "--intent", "BookHotel", "--utterance", "new one", "--apply",
                           audit=audit)
    assert code == 0, err
    assert json.loads(audit.read_text())["caller"] is None


def test_apply_with_nothing_new_writes_nothing(aws, capsys, tmp_path):
    lex, _ = aws
    queue_plan(lex, [BOOK], BOOK)
    code, out, _ = run_cli(capsys, "--intent", "BookHotel", "--utterance", "BOOK A HOTEL", "--apply",
                           audit=tmp_path / "audit.jsonl")
    assert code == 0 and "Nothing to add" in out
    assert not (tmp_path / "audit.jsonl").exists()


def test_concurrent_edit_exits_2(aws, capsys, tmp_path):
    lex, _ = aws
    queue_plan(lex, [BOOK], BOOK)
    queue_describe(lex, intent("BOOKHOTEL1", "BookHotel", ["book a hotel"],
                               updated=T0 + timedelta(minutes=1)))
    code, _, err = run_cli(capsys, "--intent", "BookHotel", "--utterance", "new one", "--apply",
                           audit=tmp_path / "audit.jsonl")
    assert code == 2 and "changed in Lex after the plan was made" in one_sentence(err)
    assert not (tmp_path / "audit.jsonl").exists()


def queue_apply_and_build(lex, sts, statuses, reasons=()):
    queue_plan(lex, [BOOK], BOOK)
    queue_describe(lex, BOOK)
    lex.add_response("update_intent", {"intentId": "BOOKHOTEL1"})
    sts.add_client_error("get_caller_identity", "AccessDenied", "no")
    lex.add_response("build_bot_locale", {**LOCALE_KEY, "botLocaleStatus": "Building"}, LOCALE_KEY)
    for status in statuses:
        response = {**LOCALE_KEY, "botLocaleStatus": status}
        if status == "Failed":
            response["failureReasons"] = list(reasons)
        lex.add_response("describe_bot_locale", response, LOCALE_KEY)


def test_build_succeeds(aws, capsys, tmp_path):
    lex, sts = aws
    queue_apply_and_build(lex, sts, ["Building", "Built"])
    code, out, err = run_cli(capsys, "--intent", "BookHotel", "--utterance", "new one", "--apply",
                             "--build", audit=tmp_path / "audit.jsonl")
    assert code == 0, err
    assert "Build finished: Built" in out


def test_build_fails_with_reasons_exit_2(aws, capsys, tmp_path):
    lex, sts = aws
    queue_apply_and_build(lex, sts, ["Failed"], reasons=["Slot Size has no type.", "bad\x07 one"])
    code, _, err = run_cli(capsys, "--intent", "BookHotel", "--utterance", "new one", "--apply",
                           "--build", audit=tmp_path / "audit.jsonl")
    assert code == 2
    assert "Slot Size has no type." in err and "bad\\x07 one" in err
    assert "build of locale en_US failed" in one_sentence(err)


def test_build_without_apply_builds_nothing(aws, capsys):
    lex, _ = aws
    queue_plan(lex, [BOOK], BOOK)
    code, out, _ = run_cli(capsys, "--intent", "BookHotel", "--utterance", "new one", "--build")
    assert code == 0 and "--build only runs after --apply" in out


@pytest.mark.parametrize("error, words", [
    ("ResourceNotFoundException", "Lex has no bot BOTID00001 with a DRAFT locale en_US"),
    ("AccessDeniedException", "Access denied to lex:ListIntents on bot BOTID00001"),
])
def test_aws_errors_exit_2_in_one_sentence(aws, capsys, error, words):
    lex, _ = aws
    lex.add_client_error("list_intents", error, "details")
    code, out, err = run_cli(capsys, "--intent", "BookHotel", "--utterance", "hi")
    assert code == 2 and out == ""
    assert words in one_sentence(err)


def test_unknown_intent_exits_2_in_one_sentence(aws, capsys):
    lex, _ = aws
    queue_list_intents(lex, [BOOK, CANCEL])
    code, _, err = run_cli(capsys, "--intent", "OrderPizza", "--utterance", "hi")
    assert code == 2
    assert "has no intent named or with id 'OrderPizza'" in one_sentence(err)


def test_hyphenated_locale_is_explained(capsys):
    code = main(["add-utterances", "--bot-id", BOT, "--locale", "en-US", "--intent", "X",
                 "--utterance", "hi"])
    assert code == 2 and "en_US rather than en-US" in one_sentence(capsys.readouterr().err)


def test_no_candidates_at_all_exits_2(aws, capsys):
    code, _, err = run_cli(capsys, "--intent", "BookHotel")
    assert code == 2 and "--utterance" in one_sentence(err)


def test_help_lists_every_option(capsys):
    with pytest.raises(SystemExit) as raised:
        main(["add-utterances", "--help"])
    assert raised.value.code == 0
    out = capsys.readouterr().out
    for option in ("--bot-id", "--locale", "--intent", "--utterance", "--from-missed", "--min-count",
                   "--top", "--apply", "--build", "--region", "--profile", "--endpoint-url",
                   "--audit-log"):
        assert option in out


def test_from_missed_takes_this_bots_top_missed_utterances(aws, capsys, tmp_path):
    lines = [missed_record(text, n, bot) for n, (text, bot) in enumerate(
        [("where is my order", BOT)] * 3 + [("talk to a human", BOT)] * 2 + [("once only", BOT)]
        + [("other bot miss", "OTHERBOT01")] * 5)]
    log = tmp_path / "logs.jsonl"
    log.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    lex, _ = aws
    queue_plan(lex, [BOOK], BOOK)
    code, out, err = run_cli(capsys, "--intent", "BookHotel", "--from-missed", str(log),
                             "--min-count", "2")
    assert code == 0, err
    assert "where is my order" in out and "talk to a human" in out
    assert "once only" not in out and "other bot miss" not in out
    assert "5 missed utterance(s) in the logs belong to other bots" in err


def test_from_missed_leaves_test_traffic_out(aws, capsys, tmp_path):
    """--exclude-version/-alias (issue 14): a tester's misses on DRAFT are not added to the bot."""
    users = [missed_record("where is my order", n, BOT) for n in range(3)]
    testers = [missed_record("asdf test 123", n, BOT) for n in range(3, 8)]
    for record in users:
        record["bot"].update(version="3", aliasId="LIVEALIAS1", aliasName="Live")
    log = tmp_path / "logs.jsonl"
    log.write_text("\n".join(json.dumps(line) for line in users + testers) + "\n")
    lex, _ = aws
    queue_plan(lex, [BOOK], BOOK)
    code, out, err = run_cli(capsys, "--intent", "BookHotel", "--from-missed", str(log),
                             "--exclude-version", "DRAFT")
    assert code == 0, err
    assert "where is my order" in out and "asdf test 123" not in out
    queue_plan(lex, [BOOK], BOOK)
    code, out, err = run_cli(capsys, "--intent", "BookHotel", "--from-missed", str(log),
                             "--exclude-alias", "TSTALIASID")
    assert code == 0, err
    assert "where is my order" in out and "asdf test 123" not in out


def missed_record(text: str, n: int, bot: str) -> dict:
    return {
        "messageVersion": "2.0", "timestamp": f"2024-05-01T12:00:{n:02d}.000Z",
        "bot": {"id": bot, "name": "Hotels", "aliasId": "TSTALIASID", "aliasName": "Test",
                "localeId": LOCALE, "version": "DRAFT"},
        "sessionId": f"s{n}", "requestId": f"r{n}", "inputMode": "Text",
        "operationName": "RecognizeText", "inputTranscript": text, "missedUtterance": True,
        "interpretations": [{"intent": {"name": "FallbackIntent", "slots": {}}}],
        "sessionState": {"dialogAction": {"type": "ElicitIntent"},
                         "intent": {"name": "FallbackIntent", "slots": {}, "state": "InProgress"}},
    }


def test_endpoint_env_variable_is_honoured_end_to_end(tmp_path):
    """A real `lexlens` process, configured only by AWS_ENDPOINT_URL_LEX_MODELS_V2, reaches a
    local HTTP stand-in for Lex and turns its 404 into the one-sentence error."""
    import os
    import subprocess
    import sys
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen = []

    class NotFound(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server naming)
            seen.append((self.command, self.path))
            body = json.dumps({"message": "Could not find bot"}).encode()
            self.send_response(404)
            self.send_header("x-amzn-ErrorType", "ResourceNotFoundException")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), NotFound)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = {**os.environ, "AWS_ENDPOINT_URL_LEX_MODELS_V2": f"http://127.0.0.1:{server.server_port}"}
        done = subprocess.run(
            [sys.executable, "-m", "lexlens", "add-utterances", "--bot-id", BOT, "--locale", LOCALE,
             "--intent", "BookHotel", "--utterance", "hi", "--audit-log", str(tmp_path / "a.jsonl")],
            env=env, capture_output=True, text=True, timeout=60,
            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    finally:
        server.shutdown()
    assert seen == [("POST", f"/bots/{BOT}/botversions/DRAFT/botlocales/{LOCALE}/intents/")]
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith("lexlens: Lex has no bot BOTID00001 with a DRAFT locale en_US")
