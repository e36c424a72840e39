"""``insights.said``: the sessions in which an utterance was said, picked from (transcript, session)
rows as Logs Insights returns them (values as strings, booleans as 1/0), without the utterance ever
going into the query text."""
import pytest

from lexlens.analytics.insights.said import MAX_SAID_SESSIONS, said_in


def row(text, session, first, n=1, missed="1", bot="B1"):
    return {"inputTranscript": text, "missedUtterance": missed, "sessionId": session, "bot.id": bot,
            "bot.aliasId": "TSTALIASID", "bot.localeId": "en_US", "first": str(first), "n": str(n)}


@pytest.mark.parametrize("rows, utterance, missed_only, expected", [
    ([], "hello", True, []),
    ([row("hello", "s1", 10)], "bye", True, []),
    # the same utterance as top utterances group it: spaces collapsed, case folded
    ([row("Hello   World", "s1", 10), row("hello world", "s2", 20)], "hello world", True, ["s2", "s1"]),
    # missed only: a turn that was understood is left out
    ([row("hello", "s1", 10, missed="0"), row("hello", "s2", 5)], "hello", True, ["s2"]),
    ([row("hello", "s1", 10, missed="0"), row("hello", "s2", 5)], "hello", False, ["s1", "s2"]),
    # one session said it missed and not missed: one row, its first time
    ([row("hello", "s1", 30, missed="0"), row("hello", "s1", 7)], "hello", False, ["s1"]),
    # the same session id in two bots is two sessions
    ([row("hi", "s1", 1, bot="B1"), row("hi", "s1", 2, bot="B2")], "hi", True, ["s1", "s1"]),
])
def test_said_in(rows, utterance, missed_only, expected):
    assert [s["session_id"] for s in said_in(rows, utterance, missed_only)] == expected


def test_said_in_counts_times_and_caps_the_sessions():
    rows = [row("x", f"s{i:03d}", i, n=2) for i in range(MAX_SAID_SESSIONS + 5)] + [row("x", "s000", 500, missed="0")]
    found = said_in(rows, "x", False)
    assert len(found) == MAX_SAID_SESSIONS and found[0]["session_id"] == "s054"  # newest first
    assert {s["session_id"]: s["times"] for s in found}.get("s000") is None  # past the cap
    assert found[-1] == {"session_id": "s005", "bot_id": "B1", "alias_id": "TSTALIASID", "locale": "en_US",
                         "first_ms": 5, "times": 2}

