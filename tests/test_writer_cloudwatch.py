"""add-utterances --missed-log-group: candidates pulled from CloudWatch (moto over real HTTP),
the plan made against a stubbed Lex models client."""
from __future__ import annotations

import json
import time

import pytest
from moto_server import put_events, unique_group
from test_writer_fixtures import BOT, LOCALE, intent, queue_plan, stubbed

from lexlens.analytics import writer
from lexlens.analytics.cli import main

BOOK = intent("BOOKHOTEL1", "BookHotel", ["book a hotel"])


def missed_event(ms: int, n: int, text: str, bot: str) -> dict:
    record = {
        "messageVersion": "2.0", "timestamp": None,
        "bot": {"id": bot, "name": "Hotels", "aliasId": "TSTALIASID", "aliasName": "Test",
                "localeId": LOCALE, "version": "DRAFT"},
        "sessionId": f"s{n}", "requestId": f"r{n}", "inputMode": "Text",
        "operationName": "RecognizeText", "inputTranscript": text, "missedUtterance": True,
        "sessionState": {"intent": {"name": "FallbackIntent", "slots": {}, "state": "InProgress"}},
    }
    del record["timestamp"]  # the CloudWatch event time is the turn time
    return {"timestamp": ms, "message": json.dumps(record)}


def test_missed_log_group_feeds_the_plan(aws_env, logs_client, monkeypatch, capsys, tmp_path):
    group = unique_group("/aws/lex/hotels")
    now = int(time.time() * 1000) - 60_000
    texts = [("cancel my booking", BOT)] * 3 + [("rare one", BOT)] + [("other bot", "OTHERBOT01")] * 4
    put_events(logs_client, group, "stream-1",
               [missed_event(now - 1000 * n, n, text, bot) for n, (text, bot) in enumerate(texts)])
    lex, lex_stub = stubbed()
    monkeypatch.setattr(writer, "make_client", lambda service="lexv2-models", **_: lex)
    queue_plan(lex_stub, [BOOK], BOOK)
    code = main(["add-utterances", "--bot-id", BOT, "--locale", LOCALE, "--intent", "BookHotel",
                 "--missed-log-group", group, "--missed-since", "1h", "--min-count", "2",
                 "--cache-dir", str(tmp_path / "cache")])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "cancel my booking" in out
    assert "rare one" not in out and "other bot" not in out
    lex_stub.assert_no_pending_responses()


def test_unknown_missed_log_group_is_one_sentence(aws_env, monkeypatch, capsys, tmp_path):
    code = main(["add-utterances", "--bot-id", BOT, "--locale", LOCALE, "--intent", "BookHotel",
                 "--missed-log-group", "/aws/lex/does-not-exist", "--cache-dir", str(tmp_path)])
    _, err = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in err and len([l for l in err.splitlines() if l.startswith("lexlens:")]) == 1


def test_missed_since_is_the_exact_window_start(aws_env, logs_client, monkeypatch, capsys, tmp_path):
    """Misses from before --missed-since are not proposed, even within the same hour (the pull's
    window file is one per request and start: nothing before the start is in it)."""
    group = unique_group("/aws/lex/hotels")
    now = int(time.time() * 1000)
    since = now - 2 * 3_600_000
    since -= since % 3_600_000 - 30 * 60_000  # half past an hour, two hours ago or so
    texts = [("before the window", since - 60_000 - n) for n in range(3)] + \
            [("inside the window", since + 60_000 + n) for n in range(3)]
    put_events(logs_client, group, "stream-1",
               [missed_event(ms, n, text, BOT) for n, (text, ms) in enumerate(sorted(texts, key=lambda t: t[1]))])
    lex, lex_stub = stubbed()
    monkeypatch.setattr(writer, "make_client", lambda service="lexv2-models", **_: lex)
    queue_plan(lex_stub, [BOOK], BOOK)
    from lexlens.analytics.timewindow import format_ms

    code = main(["add-utterances", "--bot-id", BOT, "--locale", LOCALE, "--intent", "BookHotel",
                 "--missed-log-group", group, "--missed-since", format_ms(since), "--min-count", "2",
                 "--cache-dir", str(tmp_path / "cache")])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "inside the window" in out and "before the window" not in out
