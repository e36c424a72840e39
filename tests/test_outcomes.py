"""Lex-style outcomes on hand-built conversations: one scenario per path of each definition
(https://docs.aws.amazon.com/lexv2/latest/dg/analytics-key-definitions.html)."""
import pytest

from lexlens.analytics.metrics.funnels import build_slot_runs, compute_funnel, compute_slot_outcomes
from lexlens.analytics.metrics.escalation import EscalationRule
from lexlens.analytics.metrics.outcomes import (compute_containment, compute_conversation_outcomes,
                                                compute_intent_outcomes, compute_outcomes, top_dropoffs)
from lexlens.analytics.schema import LogData
from lex_records import load, record as r

M, B = "MakeAppointment", "CheckBalance"
ASK_DATE = dict(intent=M, action="ElicitSlot", slot="Date", slots={"Date": None, "Time": None})
ASK_TIME = dict(intent=M, action="ElicitSlot", slot="Time", slots={"Date": "mon", "Time": None})
FILLED = {"Date": "mon", "Time": "9"}

SCENARIOS = {
    # name: (records, attempts as (intent, outcome) in time order, conversation outcomes)
    "success": ([
        r("s", 0, "book", **ASK_DATE, message="Which day?"),
        r("s", 5, "monday", **ASK_TIME),
        r("s", 9, "9am", M, action="ConfirmIntent", slots=FILLED),
        r("s", 12, "yes", M, state="Fulfilled", action="Close", confirmation="Confirmed", slots=FILLED),
    ], [(M, "Success")], ["Success"]),
    "ready for fulfillment needs Close": ([
        r("s", 0, "book", M, state="ReadyForFulfillment", action="Delegate", slots=FILLED),
    ], [(M, "Dropped")], ["Dropped"]),
    "fulfilled then anything else": ([
        r("s", 0, "balance", B, state="Fulfilled", action="ElicitIntent"),
        r("s", 5, "balance again", B, state="Fulfilled", action="Close"),
    ], [(B, "Success"), (B, "Success")], ["Success"]),
    "switch before completion": ([
        r("s", 0, "book", **ASK_DATE),
        r("s", 5, "my balance", B, state="Fulfilled", action="Close"),
    ], [(M, "Switched"), (B, "Success")], ["Success"]),
    "fallback mid-intent": ([
        r("s", 0, "book", **ASK_DATE),
        r("s", 5, "blah", "FallbackIntent", state="ReadyForFulfillment", action="Close", missed=True),
    ], [(M, "Failed"), ("FallbackIntent", "Success")], ["Failed"]),
    "missed turn keeping the intent name": ([
        r("s", 0, "book", **ASK_DATE),
        r("s", 5, "blah", M, action="ElicitIntent", missed=True),
    ], [(M, "Failed"), ("FallbackIntent", "Dropped")], ["Failed"]),
    "confirmation denied": ([
        r("s", 0, "book", **ASK_DATE),
        r("s", 5, "monday", M, action="ConfirmIntent", slots={"Date": "mon"}),
        r("s", 9, "no", M, state="Failed", action="Close", confirmation="Denied", slots={"Date": "mon"}),
    ], [(M, "Failed")], ["Failed"]),
    "slot retries exhausted": ([
        r("s", 0, "book", **ASK_DATE),
        r("s", 5, "hmm", **ASK_DATE),
        r("s", 9, "what", **ASK_DATE),
        r("s", 14, "dunno", M, state="Failed", action="Close", slots={"Date": None}),
    ], [(M, "Failed")], ["Failed"]),
    "dropped": ([
        r("s", 0, "book", **ASK_DATE),
        r("s", 5, "monday", **ASK_TIME, message="What time?"),
    ], [(M, "Dropped")], ["Dropped"]),
    "return after the idle timeout": ([
        r("s", 0, "book", **ASK_DATE, conv="c1"),
        r("s", 1000, "book", M, state="Fulfilled", action="Close", slots=FILLED, conv="c2"),
    ], [(M, "Dropped"), (M, "Success")], ["Dropped", "Success"]),
    "silence longer than the threshold in one conversation": ([
        r("s", 0, "book", **ASK_DATE),
        r("s", 400, "my balance", B, state="Fulfilled", action="Close"),
    ], [(M, "Dropped"), (B, "Success")], ["Success"]),
    "no originatingRequestId: cut on silence": ([
        r("s", 0, "balance", B, state="Fulfilled", action="Close", conv=None),
        r("s", 10, "book", **ASK_DATE, conv=None),
        r("s", 700, "balance", B, state="Fulfilled", action="Close", conv=None),
    ], [(B, "Success"), (M, "Dropped"), (B, "Success")], ["Dropped", "Success"]),
    "turn without id joins the current conversation": ([
        r("s", 0, "book", **ASK_DATE, conv="c1"),
        r("s", 5, "monday", **ASK_TIME, conv=None),
        r("s", 9, "9", M, state="Fulfilled", action="Close", slots=FILLED, conv="c1"),
    ], [(M, "Success")], ["Success"]),
    "turn without intent is skipped": ([
        r("s", 0, "book", **ASK_DATE),
        r("s", 3, "", action="ElicitIntent"),
        r("s", 5, "monday", M, state="Fulfilled", action="Close", slots=FILLED),
    ], [(M, "Success")], ["Success"]),
    "only turns without intent": ([r("s", 0, "", action="ElicitIntent")], [], ["Dropped"]),
    "empty": ([], [], []),
}


@pytest.mark.parametrize("name", SCENARIOS)
def test_intent_and_conversation_outcomes(name):
    records, attempts, conversations = SCENARIOS[name]
    o = compute_outcomes(load(records) if records else LogData.empty())
    got = list(zip(o.attempts["intent"].astype(str), o.attempts["outcome"].astype(str)))
    assert got == attempts
    assert list(o.conversations["outcome"].astype(str)) == conversations
    counts = compute_conversation_outcomes(o)
    assert sum(counts.values()) == len(conversations)
    table = compute_intent_outcomes(o)
    assert table["attempts"].sum() == len(attempts)


def test_switched_attempt_names_the_next_intent():
    o = compute_outcomes(load(SCENARIOS["switch before completion"][0]))
    assert list(o.attempts["next_intent"].astype(str)) == [B, ""]


def test_conversations_count_unique_session_and_request_id():
    records = [r("s1", 0, "a", B, conv="x"), r("s1", 999, "b", B, conv="y"),
               r("s2", 0, "c", B, conv="x")]
    assert compute_containment(compute_outcomes(load(records)))["conversations"] == 3


def test_inactivity_threshold_is_configurable():
    records = SCENARIOS["silence longer than the threshold in one conversation"][0]
    o = compute_outcomes(load(records), idle_timeout_s=600)
    assert list(o.attempts["outcome"].astype(str)) == ["Switched", "Success"]


SLOT_CASES = {
    # name: (scenario, [(slot, outcome, retries)])
    "filled then next slot": ("success", [("Date", "Success", 0), ("Time", "Success", 0)]),
    "retries exhausted": ("slot retries exhausted", [("Date", "Failed", 2)]),
    "switched away": ("switch before completion", [("Date", "Dropped", 0)]),
    "fallback": ("fallback mid-intent", [("Date", "Failed", 0)]),
    "user left": ("dropped", [("Date", "Success", 0), ("Time", "Dropped", 0)]),
    "empty": ("empty", []),
}


@pytest.mark.parametrize("name", SLOT_CASES)
def test_slot_outcomes_and_retries(name):
    scenario, expected = SLOT_CASES[name]
    records = SCENARIOS[scenario][0]
    runs = build_slot_runs(compute_outcomes(load(records) if records else LogData.empty()))
    got = list(zip(runs["slot"].astype(str), runs["outcome"].astype(str), runs["retries"]))
    assert got == expected
    table = compute_slot_outcomes(runs)
    assert table["elicitations"].sum() == len(expected)
    assert (table[["Success", "Failed", "Dropped"]].sum(axis=1) == table["elicitations"]).all()


def test_composite_slot_is_filled_by_a_sub_slot():
    runs = build_slot_runs(compute_outcomes(load(composite_records())))
    assert list(runs["outcome"].astype(str)) == ["Success"]


def filled_by_slot_row_by_row(o) -> dict:
    """The definition, one slot row at a time: the attempts in which a slot name, or the name
    before its first dot (a Composite's sub-slot fills its parent), has a filled row."""
    attempt_of_turn = dict(zip(o.turns["turn"], o.turns["attempt"]))
    found: dict = {}
    for turn, name, filled in zip(o.slots["turn"], o.slots["slot"].astype(str), o.slots["filled"]):
        attempt = attempt_of_turn.get(turn, -1)
        if filled and attempt >= 0:
            for key in {name, name.split(".", 1)[0]}:
                found.setdefault(key, set()).add(int(attempt))
    return {name: sorted(attempts) for name, attempts in found.items()}


def composite_records():
    """A Rent intent asking for a Composite slot Car, filled through its sub-slot Make."""
    composite = {"shape": "Composite", "subSlots": {"Make": {"shape": "Scalar", "value": {
        "originalValue": "vw", "interpretedValue": "vw", "resolvedValues": []}}}}
    first = r("c", 0, "car", "Rent", action="ElicitSlot", slot="Car", slots={"Car": None})
    second = r("c", 5, "vw", "Rent", state="Fulfilled", action="Close")
    second["sessionState"]["intent"]["slots"] = {"Car": composite}
    return [first, second]


@pytest.mark.parametrize("source", ["nothing", "scenarios", "composite", "demo", "variants"])
def test_filled_by_slot_equals_the_row_by_row_definition(source):
    import lexlens.sample_logs as sample_logs
    from lexlens.analytics.ingest.loading import load_logs
    from lexlens.analytics.metrics.funnels import filled_by_slot

    data = {"nothing": lambda: load([]), "scenarios": lambda: load(ALL),
            "composite": lambda: load(composite_records() + ALL),
            "demo": lambda: load_logs([sample_logs.DEMO_LOG]),
            "variants": lambda: load_logs([sample_logs.VARIANTS_LOG])}[source]()
    o = compute_outcomes(data)
    found = {name: list(attempts) for name, attempts in filled_by_slot(o).items()}
    assert found == filled_by_slot_row_by_row(o)
    if source == "composite":  # the sub-slot's row fills its parent too
        assert "Car.Make" in found and set(found["Car.Make"]) <= set(found["Car"])
    if source != "nothing":
        assert found, "the source must fill some slot"


def copy_as(records, session):
    """The records again under another sessionId (and requestIds, which the loader dedupes)."""
    return [{**x, "sessionId": session, "requestId": f"{x['requestId']}/{session}"} for x in records]


ALL = [rec for name, (records, _, _) in SCENARIOS.items() for rec in copy_as(records, name)]


def test_funnel_counts_each_step():
    o = compute_outcomes(load(ALL))
    funnel = compute_funnel(o, build_slot_runs(o))
    mine = funnel[funnel["intent"] == M].set_index("step")
    assert list(mine.index) == ["Started", "Slot Date", "Slot Time", "Confirmation", "Fulfilled"]
    attempts = o.attempts[o.attempts["intent"] == M]
    assert mine.at["Started", "reached"] == len(attempts) == 14
    # Date: 7 stop there (switched, 3 failed, 3 dropped on silence); the others filled it
    assert mine.loc["Slot Date", ["reached", "passed", "dropped", "failed", "switched", "retries"]].tolist() == \
        [14, 7, 3, 3, 1, 2]
    # Time: the user who left while asked for it stops; the denied confirmation went past it
    assert mine.loc["Slot Time", ["reached", "passed", "dropped"]].tolist() == [7, 6, 1]
    assert mine.loc["Confirmation", ["reached", "passed", "dropped", "failed"]].tolist() == [6, 4, 1, 1]
    assert mine.at["Fulfilled", "passed"] == (attempts["outcome"] == "Success").sum() == 4
    ends = mine[["dropped", "failed", "switched"]].sum().sum()
    assert ends == (attempts["outcome"] != "Success").sum()  # every non-success stops at one step


ASK_TIME_FIRST = dict(intent=M, action="ElicitSlot", slot="Time", slots={"Date": None, "Time": None})
FUNNELS = {
    # name: (records, [(step, reached, passed)]) for intent M
    "a slot filled before its step counts as passed": ([
        r("a", 0, "book", **ASK_DATE), r("a", 5, "mon", **ASK_TIME),
        r("a", 9, "9", M, state="Fulfilled", action="Close", slots=FILLED),
        r("b", 0, "book monday", M, action="ElicitSlot", slot="Time", slots={"Date": "mon", "Time": None}),
        r("b", 5, "9", M, state="Fulfilled", action="Close", slots=FILLED),
    ], [("Started", 2, 2), ("Slot Date", 2, 2), ("Slot Time", 2, 2), ("Fulfilled", 2, 2)]),
    "an optional slot the bot skips is passed": ([
        r("a", 0, "book", **ASK_DATE), r("a", 5, "mon", **ASK_TIME),
        r("a", 9, "9", M, state="Fulfilled", action="Close", slots=FILLED),
        r("b", 0, "book", **ASK_DATE),
        r("b", 5, "9", M, action="ConfirmIntent", slots={"Date": "mon", "Time": None}),
    ], [("Started", 2, 2), ("Slot Date", 2, 2), ("Slot Time", 2, 2), ("Confirmation", 2, 1), ("Fulfilled", 1, 1)]),
    "asked in another order, left after the first answer": ([
        r("a", 0, "book", **ASK_DATE), r("a", 5, "mon", **ASK_TIME),
        r("a", 9, "9", M, state="Fulfilled", action="Close", slots=FILLED),
        r("b", 0, "book", **ASK_TIME_FIRST),
        r("b", 5, "9", M, action="ElicitSlot", slot="Date", slots={"Date": None, "Time": "9"}),
    ], [("Started", 2, 2), ("Slot Date", 2, 1), ("Slot Time", 1, 1), ("Fulfilled", 1, 1)]),
}


@pytest.mark.parametrize("name", FUNNELS)
def test_funnel_steps(name):
    records, expected = FUNNELS[name]
    o = compute_outcomes(load(records))
    funnel = compute_funnel(o, build_slot_runs(o))
    mine = funnel[funnel["intent"] == M]
    assert list(mine[["step", "reached", "passed"]].itertuples(index=False, name=None)) == expected


def test_funnel_of_nothing_is_empty():
    o = compute_outcomes(LogData.empty())
    assert compute_funnel(o, build_slot_runs(o)).empty


ESCALATIONS = {
    "none declared": (None, None),
    "intent": (EscalationRule(intents=("SpeakToAgent",)), 0.5),
    "attribute value": (EscalationRule(attribute=("handoff", "yes")), 0.5),
    "attribute any value": (EscalationRule(attribute=("handoff", None)), 0.5),
    "dialog action": (EscalationRule(dialog_actions=("ConfirmIntent",)), 1.0),
}


@pytest.mark.parametrize("name", ESCALATIONS)
def test_containment(name):
    rule, rate = ESCALATIONS[name]
    records = [r("a", 0, "agent", "SpeakToAgent", state="Fulfilled", action="Close",
                 attributes={"handoff": "yes"}),
               r("b", 0, "balance", B, state="Fulfilled", action="Close", attributes={"handoff": ""})]
    result = compute_containment(compute_outcomes(load(records), escalation=rule))
    assert result["containment_rate"] == rate
    assert result["conversations"] == 2


def test_containment_of_nothing_is_none():
    result = compute_containment(compute_outcomes(LogData.empty(), escalation=EscalationRule(intents=("x",))))
    assert result["containment_rate"] is None and result["conversations"] == 0


def test_dropoffs_rank_last_intent_slot_and_prompt():
    records = [x for i in range(3) for x in copy_as(SCENARIOS["dropped"][0], str(i))]
    records += copy_as(SCENARIOS["ready for fulfillment needs Close"][0], "other")
    drops = top_dropoffs(compute_outcomes(load(records)))
    assert drops.iloc[0][["last_intent", "last_slot", "last_prompt", "conversations"]].tolist() == [
        M, "Time", "What time?", 3]
    assert drops["share"].sum() == pytest.approx(1.0)
    assert top_dropoffs(compute_outcomes(LogData.empty())).empty


@pytest.mark.parametrize("records", [ALL, []], ids=["scenarios", "empty"])
def test_extra_report_keys_are_json(records):
    import json

    from lexlens.analytics.report.build import ReportOptions, build_report

    data = load(records) if records else LogData.empty()
    built = build_report(data, ReportOptions(escalation=EscalationRule(intents=(B,)), tables=True))
    report = built.values()
    assert {"conversations", "intent_outcomes", "conversation_outcomes", "containment_rate", "slot_outcomes",
            "confusion_pairs", "clusters"} <= set(report)
    json.dumps(report)
    assert set(report["conversation_outcomes"]) == {"Success", "Failed", "Dropped"}
    assert sum(report["conversation_outcomes"].values()) == report["conversations"]
    for counts in report["intent_outcomes"].values():
        assert set(counts) == {"Success", "Failed", "Switched", "Dropped"}
    assert len(built.tables["conversations"]) == report["conversations"]
