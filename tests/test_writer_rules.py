"""The writer's pure decision rules (analytics.writer.rules), table-driven."""
from __future__ import annotations

import pytest

from lexlens.analytics.writer.rules import (
    Candidate,
    PlanRow,
    TargetIntent,
    count_units,
    decide_candidates,
    index_utterances,
    refuse_target,
    render_plan_table,
    show_visible,
    validate_utterance,
)


def target(name="BookHotel", utterances=(), parent=None, slots=None) -> TargetIntent:
    return TargetIntent("INTENT0001", name, parent, tuple(utterances), slots)


@pytest.mark.parametrize("text, units", [
    ("", 0), ("abc", 3), ("é", 1), ("日本", 2), ("😀", 2),  # outside the BMP: a surrogate pair
])
def test_count_units_counts_utf16_code_units(text, units):
    assert count_units(text) == units


@pytest.mark.parametrize("text, shown", [
    ("", ""),
    ("plain text, <b>not html</b> *nor md*", "plain text, <b>not html</b> *nor md*"),
    ("red\x1b[31m", "red\\x1b[31m"),
    ("a\x00b", "a\\x00b"),
    ("tab\there", "tab\\x09here"),
    ("evil\u202eexe.txt", "evil\\u202eexe.txt"),
    ("line\u2028sep", "line\\u2028sep"),
    ("café 😀", "café 😀"),
])
def test_show_visible_escapes_only_invisible_characters(text, shown):
    assert show_visible(text) == shown


SLOTS = frozenset({"Size", "City_Name"})


@pytest.mark.parametrize("text, slots, problem", [
    ("book a hotel", None, None),
    ("plane tickets, please!", None, None),
    ("a" * 500, None, None),
    ("a" * 501, None, "501 characters, over Lex's limit of 500"),
    ("😀" * 250, None, None),                       # 500 UTF-16 units
    ("😀" * 251, None, "502 characters"),
    ("", None, "empty after trimming"),
    ("book\x07 a hotel", None, "control characters \\x07"),
    ("book \u202ea hotel", None, "control characters \\u202e"),
    ("private \ue000 use", None, "control characters \\ue000"),
    ("a {Size} pizza", SLOTS, None),
    ("to {City_Name} from {City_Name}", SLOTS, None),
    ("a {Topping} pizza", SLOTS, "{Topping} names no slot of this intent"),
    ("a {size} pizza", SLOTS, "{size} names no slot"),  # slot names are case-sensitive
    ("a {Size} pizza", None, "{Size} names no slot"),   # the intent has no slots
    ("a {} pizza", SLOTS, "{} is not a valid slot reference"),
    ("a {two words} pizza", SLOTS, "{two words} is not a valid slot reference"),
    ("a {Size pizza", SLOTS, "unbalanced curly braces"),
    ("a Size} pizza", SLOTS, "unbalanced curly braces"),
    ("a {{Size}} pizza", SLOTS, "unbalanced curly braces"),
])
def test_validate_utterance(text, slots, problem):
    found = validate_utterance(text, slots)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


@pytest.mark.parametrize("parent, utterances, refused", [
    (None, (), False),
    ("AMAZON.FallbackIntent", (), True),
    ("AMAZON.KendraSearchIntent", (), True),
    ("AMAZON.QinConnectIntent", (), True),
    ("AMAZON.CancelIntent", (), True),
    ("AMAZON.HelpIntent", ("help me",), True),
    ("AMAZON.QnAIntent", (), True),            # would stop answering unrecognised input
    ("AMAZON.QnAIntent", ("what are your hours",), False),
    ("AMAZON.BedrockAgentIntent", (), True),
    ("AMAZON.BedrockAgentIntent", ("ask the agent",), False),
])
def test_refuse_target(parent, utterances, refused):
    reason = refuse_target(target("T", utterances, parent))
    assert (reason is not None) == refused
    if refused:
        assert parent in reason


def test_index_utterances_names_one_owner_deterministically():
    owners = index_utterances({"Zeta": ["Hello"], "Alpha": [" hello "], "Beta": ["bye"]})
    assert owners == {"hello": "Alpha", "bye": "Beta"}


def test_index_utterances_empty():
    assert index_utterances({}) == {}


BOOK = target("BookHotel", ["book a hotel", "I need a room"])
LOCALE_INTENTS = {"BookHotel": BOOK.sample_utterances,
                  "CancelBooking": ("Cancel my  Booking",), "FallbackIntent": ()}


@pytest.mark.parametrize("candidates, expected", [
    ([], []),
    (["reserve a room"], [("reserve a room", "add", "new")]),
    (["  Reserve   a ROOM "], [("Reserve a ROOM", "add", "new")]),
    (["BOOK A HOTEL"], [("BOOK A HOTEL", "skip", "this intent BookHotel")]),
    (["cancel my booking"], [("cancel my booking", "skip", "intent CancelBooking")]),
    (["  CANCEL  MY\tbooking  "], [("CANCEL MY booking", "skip", "intent CancelBooking")]),
    (["reserve a room", "Reserve a room", "reserve  a room"],
     [("reserve a room", "add", "new"), ("Reserve a room", "skip", "repeats an earlier"),
      ("reserve a room", "skip", "repeats an earlier")]),
    (["", "x" * 501, "{Nights} nights"],
     [("", "refuse", "empty"), ("x" * 501, "refuse", "501 characters"),
      ("{Nights} nights", "refuse", "{Nights} names no slot")]),
    ([Candidate("reserve a room", 7)], [("reserve a room", "add", "new")]),
])
def test_decide_candidates(candidates, expected):
    rows = decide_candidates(candidates, LOCALE_INTENTS, BOOK, "en_US")
    assert [(r.utterance, r.action) for r in rows] == [(u, a) for u, a, _ in expected]
    for row, (_, _, reason) in zip(rows, expected):
        assert reason in row.reason


def test_decide_candidates_keeps_counts():
    rows = decide_candidates([Candidate("reserve a room", 7), "get me a room"], LOCALE_INTENTS,
                             BOOK, "en_US")
    assert [r.count for r in rows] == [7, None]


def test_refused_target_refuses_every_candidate_even_duplicates():
    fallback = target("FallbackIntent", parent="AMAZON.FallbackIntent")
    rows = decide_candidates(["book a hotel", "hello", "hello"], LOCALE_INTENTS, fallback, "en_US")
    assert [r.action for r in rows] == ["refuse"] * 3
    assert all("fallback intent" in r.reason for r in rows)


def test_slot_reference_accepted_when_the_intent_has_the_slot():
    book = target("BookHotel", BOOK.sample_utterances, slots=frozenset({"Nights"}))
    rows = decide_candidates(["a room for {Nights} nights"], LOCALE_INTENTS, book, "en_US")
    assert rows[0].action == "add"


def test_per_intent_quota_refuses_beyond_1500():
    full = target("Big", [f"utterance {n}" for n in range(1499)])
    rows = decide_candidates(["one more", "two more"], {"Big": full.sample_utterances}, full, "en_US")
    assert [r.action for r in rows] == ["add", "refuse"]
    assert "1,500" in rows[1].reason


@pytest.mark.parametrize("locale, action", [("de_DE", "refuse"), ("en_GB", "add")])
def test_locale_character_quota_depends_on_locale(locale, action):
    # 400 utterances of 500 characters: exactly the 200,000 quota of most locales.
    existing = {"Other": tuple(f"{n:03d}" + "x" * 497 for n in range(400))}
    rows = decide_candidates(["hello"], existing | {"BookHotel": ()}, target(), locale)
    assert rows[0].action == action


def test_render_plan_table_shows_text_only_and_escapes_controls():
    rows = [PlanRow("<script>alert(1)</script>", "add", "new"),
            PlanRow("bell\x07", "refuse", "contains invisible or control characters \\x07")]
    table = render_plan_table(rows)
    lines = table.splitlines()
    assert lines[0].split() == ["utterance", "action", "reason"]
    assert "<script>alert(1)</script>" in lines[1]
    assert "bell\\x07" in lines[2] and "\x07" not in table
    assert lines[1].index("add") == lines[2].index("refuse")  # columns line up


def test_render_plan_table_adds_count_column_when_known():
    table = render_plan_table([PlanRow("hi there", "add", "new", 12)])
    assert table.splitlines()[0].split() == ["utterance", "action", "reason", "count"]
    assert table.splitlines()[1].split()[-1] == "12"


def test_render_plan_table_empty():
    assert render_plan_table([]).split() == ["utterance", "action", "reason"]
