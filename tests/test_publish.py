"""``lexlens publish`` without AWS: the values per period, completeness, CloudWatch's limits (from
botocore's service model and the PutMetricData reference), packing, the ledger and the options."""
import json

import pandas as pd
import pytest

from lex_records import T0, load, record
from lexlens.analytics.cli import main
from lexlens.analytics.errors import LexlensError
from lexlens.analytics.metrics.escalation import EscalationRule
from lexlens.analytics.monitor import plan
from lexlens.analytics.monitor.namespace import DEFAULT_NAMESPACE, check_namespace_template
from lexlens.analytics.monitor.ledger import Ledger
from lexlens.analytics.monitor.periods import complete_until, compute_period_values
from lexlens.analytics.monitor.send import readback_delay

UTC = "UTC"
MINUTE = pd.Timedelta(minutes=1)
START = pd.Timestamp(T0)

# s1 is missed at 09:01:10 after asking for a hotel (its conversation fails there); s2 succeeds at
# 09:02:10 on another alias and version; s3 sends an empty transcript at 09:06:40 and drops.
RECORDS = [
    record("s1", 0, "book", intent="BookHotel", action="ElicitSlot", slot="CheckInDate"),
    record("s1", 70, "x", missed=True),
    record("s2", 130, "hi", intent="A", state="Fulfilled", action="Close", alias="prod", version="2"),
    record("s3", 400, "", intent="A"),
]
DRAFT = (("BotAliasName", "TestBotAlias"), ("BotVersion", "DRAFT"))


def values_at(table, minute):
    """{(metric, dimensions): value} of the period starting ``minute`` minutes after T0, zeros left out."""
    rows = table[table["start"] == START + minute * MINUTE]
    return {(m, d): v for m, d, v in zip(rows["metric"], rows["dimensions"], rows["value"]) if v}


def period_table(records, horizon_minutes, escalation=None):
    horizon = START + horizon_minutes * MINUTE
    return compute_period_values(load(records), period_s=60, idle_timeout_s=300,
                                 complete_until=complete_until(horizon, 60, 300), escalation=escalation)


@pytest.mark.parametrize("minute,expected", [
    (0, {("CountMessages", ()): 1, ("Sessions", ()): 1,
         ("CountMessages", DRAFT + (("Intent", "BookHotel"),)): 1}),
    (1, {("CountMessages", ()): 1, ("MissedUtterance", ()): 1, ("Conversations", ()): 1,
         ("ConversationsFailed", ()): 1, ("CountMessages", DRAFT + (("Intent", "FallbackIntent"),)): 1,
         ("MissedUtterance", DRAFT + (("Intent", "FallbackIntent"),)): 1}),
    (2, {("CountMessages", ()): 1, ("Sessions", ()): 1, ("Conversations", ()): 1,
         ("CountMessages", (("BotAliasName", "prod"), ("BotVersion", "2"), ("Intent", "A"))): 1}),
    (3, {}),
    (6, {("Sessions", ()): 1, ("Conversations", ()): 1, ("ConversationsDropped", ()): 1}),
    (14, {}),
])
def test_values_per_period(minute, expected):
    assert values_at(period_table(RECORDS, 20), minute) == expected


def test_every_complete_period_has_every_undimensioned_metric_even_at_zero():
    table = period_table(RECORDS, 20)
    whole = table[table["dimensions"].map(len) == 0]
    assert sorted(whole["start"].unique()) == list(pd.date_range(START, periods=15, freq="60s"))
    assert set(whole.groupby("start")["metric"].apply(frozenset)) == {frozenset(
        ["CountMessages", "MissedUtterance", "Sessions", "Conversations", "ConversationsFailed",
         "ConversationsDropped"])}


def test_escalations_only_with_a_rule():
    table = period_table(RECORDS, 20, EscalationRule(intents=("A",)))
    assert values_at(table, 2)[("Escalations", ())] == 1 and values_at(table, 6)[("Escalations", ())] == 1
    assert "Escalations" not in set(period_table(RECORDS, 20)["metric"])


def test_incomplete_periods_are_left_for_later():
    # at 09:06 only 09:00 is complete: 09:01 ends at 09:02, and a turn may still come until 09:07
    table = period_table(RECORDS, 6)
    assert set(table["start"]) == {START}
    assert "Conversations" not in {m for (m, _), v in values_at(table, 0).items()}


def test_nothing_to_publish_from_nothing():
    assert period_table([], 20).empty


@pytest.mark.parametrize("horizon,period,idle,expected", [
    ("09:20", 60, 300, "09:15"), ("09:20:30", 60, 300, "09:15"), ("09:20", 300, 300, "09:15"),
    ("09:19:59", 300, 300, "09:10"), ("09:20", 60, 0.5, "09:19"), ("10:00", 3600, 300, "09:00"),
])
def test_complete_until(horizon, period, idle, expected):
    day = "2024-05-06T"
    assert complete_until(pd.Timestamp(day + horizon, tz=UTC), period, idle) == pd.Timestamp(day + expected, tz=UTC)


# --- CloudWatch's limits --------------------------------------------------------------------

def put_metric_data_model():
    import botocore.session

    return botocore.session.get_session().get_service_model("cloudwatch").operation_model("PutMetricData")


def test_limits_are_the_ones_botocore_documents():
    """PutMetricData (botocore's model, the API reference's text): 1,000 metrics and 1 MB per call,
    time stamps two weeks back to two hours ahead; namespace 1..255, dimension value 1..1,024."""
    model = put_metric_data_model()
    text = " ".join(model.documentation.split())
    assert "limited to 1 MB in size for HTTP POST requests" in text and plan.MAX_REQUEST_BYTES == 1_000_000
    assert "no more than 1000 different metrics" in text and plan.MAX_DATA_PER_CALL == 1000
    assert "as much as two weeks before the current date, and as much as 2 hours after" in text
    assert (plan.MAX_AGE, plan.MAX_AHEAD) == (pd.Timedelta(days=14), pd.Timedelta(hours=2))
    shape = model.input_shape
    assert shape.members["Namespace"].metadata["max"] == 255
    datum = shape.members["MetricData"].member
    assert datum.members["Dimensions"].member.members["Value"].metadata["max"] == 1024


NOW = pd.Timestamp("2026-11-29T12:00", tz=UTC)


@pytest.mark.parametrize("start,accepted", [
    (NOW - pd.Timedelta(days=14), False), (NOW - pd.Timedelta(days=14) + plan.AGE_MARGIN, True),
    (NOW - pd.Timedelta(days=13), True), (NOW, True), (NOW + pd.Timedelta(hours=2), True),
    (NOW + pd.Timedelta(hours=2, seconds=1), False), (NOW - pd.Timedelta(days=400), False),
])
def test_time_stamps_cloudwatch_accepts(start, accepted):
    assert plan.accepted_by_cloudwatch(start, NOW) is accepted


def groups_of(namespaces, periods, per_group, dimension_text="x"):
    groups = []
    for namespace in namespaces:
        for number in range(periods):
            start = NOW - pd.Timedelta(minutes=number + 10)
            data = [plan.Datum("CountMessages", () if k == 0 else (("Intent", f"{dimension_text}{k}"),), start, k)
                    for k in range(per_group)]
            groups += plan.split_group(namespace, start, data)
    return groups


def serialised_size(batch) -> int:
    """The request body botocore would send for this call."""
    from botocore.serialize import create_serializer

    model = put_metric_data_model()
    body = create_serializer("json").serialize_to_request(
        {"Namespace": batch.namespace, "MetricData": [d.as_request() for d in batch.data]}, model)["body"]
    return len(body)


@pytest.mark.parametrize("namespaces,periods,per_group,text,calls", [
    (["A"], 0, 7, "x", 0),
    (["A"], 100, 7, "x", 1),
    (["A"], 300, 7, "x", 3),  # 2,100 data points: 1,000 + 1,000 + 100 would split groups; whole groups: 994 + 994 + 112
    (["A", "B"], 10, 7, "x", 2),  # one namespace per call
    (["A"], 1, 2_500, "x", 3),  # a period larger than a call is split into parts
    (["A"], 40, 25, "y" * 1000, 2),  # 1,000 data points of 1 kB: the 1 MB limit binds before the 1,000
])
def test_calls_keep_within_the_limits(namespaces, periods, per_group, text, calls):
    groups = groups_of(namespaces, periods, per_group, text)
    batches = plan.pack_batches(groups)
    assert len(batches) == calls
    assert sum(len(b.data) for b in batches) == len(namespaces) * periods * per_group
    for batch in batches:
        assert len(batch.data) <= 1000 and len({d for d in (g.namespace for g in batch.groups)}) == 1
        assert serialised_size(batch) < plan.MAX_REQUEST_BYTES
    if per_group <= 1000 and len(text) < 100:  # whole periods in one call, so a call is sent or not as a whole
        assert all(len(g.data) == per_group for b in batches for g in b.groups)


def test_the_anchor_of_a_period_is_its_undimensioned_count_of_messages():
    table = period_table(RECORDS, 20)
    groups = plan.plan_groups(table, DEFAULT_NAMESPACE)
    assert {g.namespace for g in groups} == {"Lex/Activity/BOT1/en_US"}
    assert all((g.anchor.metric, g.anchor.dimensions) == ("CountMessages", ()) for g in groups)


@pytest.mark.parametrize("template,problem", [
    ("Lex/{bot_name}", "names {bot_name}"), ("Lex/{bot_id", "is not a namespace template"),
    ("Lex/{0}", "names {0}"),
])
def test_namespace_template_is_checked(template, problem):
    import argparse

    with pytest.raises(argparse.ArgumentTypeError, match=problem.replace("{", r"\{").replace("}", r"\}")):
        check_namespace_template(template)


@pytest.mark.parametrize("namespace", [":Lex", "x" * 256, "Lex/\u00e9t\u00e9", "Lex/\x1b[31m"])
def test_namespace_cloudwatch_would_refuse(namespace):
    with pytest.raises(LexlensError, match="not one CloudWatch accepts"):
        plan.render_namespace(namespace, "B", "en_US")


@pytest.mark.parametrize("age,delay", [
    (pd.Timedelta(0), pd.Timedelta(0)), (pd.Timedelta(hours=2, minutes=59), pd.Timedelta(0)),
    (pd.Timedelta(hours=3), pd.Timedelta(hours=2)), (pd.Timedelta(hours=23), pd.Timedelta(hours=2)),
    (pd.Timedelta(hours=24), pd.Timedelta(hours=48)), (pd.Timedelta(days=13), pd.Timedelta(hours=48)),
])
def test_readback_waits_as_long_as_cloudwatch_may_take(age, delay):
    """PutMetricData: data points stamped 3 to 24 hours ago can take up to 2 hours to show in
    GetMetricData, 24 hours or older at least 48 hours."""
    text = " ".join(put_metric_data_model().documentation.split())
    assert "from 24 hours ago or longer can take at least 48 hours" in text
    assert "between 3 and 24 hours ago can take as much as 2 hours" in text
    assert readback_delay(age) == delay


# --- the ledger -------------------------------------------------------------------------------

def write_batches(path, *entries):
    groups = groups_of(["NS"], 3, 2)
    with Ledger(path) as ledger:
        for batch_id, destination, outcome in entries:
            ledger.record_planned(batch_id, destination, "NS", 60, NOW, groups[:1] if batch_id == "a" else groups[1:])
            if outcome:
                ledger.record_outcome(batch_id, outcome)
    return groups


@pytest.mark.parametrize("entries,sent,uncertain", [
    ([], 0, []),
    ([("a", "d1", "sent")], 1, []),
    ([("a", "d1", None)], 0, ["a"]),
    ([("a", "d1", "absent")], 0, []),
    ([("a", "d1", "sent"), ("b", "d1", None)], 1, ["b"]),
    ([("a", "d2", "sent"), ("b", "d2", "sent")], 0, []),  # another account or region
])
def test_ledger_state(tmp_path, entries, sent, uncertain):
    write_batches(tmp_path / "ledger.jsonl", *entries)
    with Ledger(tmp_path / "ledger.jsonl") as ledger:
        state = ledger.state("d1")
    assert len(state.sent) == sent and [b.batch for b in state.uncertain] == uncertain


def test_ledger_ignores_a_torn_last_line(tmp_path):
    path = tmp_path / "ledger.jsonl"
    write_batches(path, ("a", "d1", None))
    with open(path, "a", encoding="utf-8") as handle:
        handle.write('{"state":"sent","batch":"a"')  # killed while writing
    with Ledger(path) as ledger:
        assert [b.batch for b in ledger.state("d1").uncertain] == ["a"]
        ledger.record_outcome("a", "sent")  # the next run appends after the torn line
        assert len(ledger.state("d1").sent) == 1


def test_one_publish_at_a_time(tmp_path):
    with Ledger(tmp_path / "ledger.jsonl"):
        with pytest.raises(LexlensError, match="Another lexlens publish is using the ledger"):
            Ledger(tmp_path / "ledger.jsonl")


def test_ledger_that_cannot_be_created(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(LexlensError, match="Cannot open the publish ledger"):
        Ledger(tmp_path / "file" / "ledger.jsonl")


def test_select_groups():
    groups = groups_of(["NS"], 4, 1)
    old = plan.Group("NS", NOW - pd.Timedelta(days=15), 0, groups[0].data)
    selection = plan.select_groups(groups + [old], NOW, sent={groups[0].key}, uncertain={groups[1].key})
    assert (selection.already_sent, selection.awaiting, selection.too_old) == ([groups[0]], [groups[1]], [old])
    assert selection.to_send == groups[2:]


# --- options ---------------------------------------------------------------------------------

@pytest.mark.parametrize("args,said", [
    (["--period", "59"], "give a multiple of 60 seconds from 60 to 86400"),
    (["--period", "90"], "give a multiple of 60 seconds"),
    (["--period", "-60"], "give a multiple of 60 seconds"),
    (["--period", "0"], "give a multiple of 60 seconds"),
    (["--period", "86460"], "give a multiple of 60 seconds"),
    (["--period", "5m"], "is not a whole number of seconds"),
    (["--namespace", "Lex/{bot}"], "names {bot}"),
    (["--since", "2026-11-02", "--until", "2026-11-01"], "The time window is empty"),
])
def test_bad_options_are_one_sentence(capsys, tmp_path, args, said):
    logs = tmp_path / "logs.jsonl"
    logs.write_text(json.dumps(RECORDS[0]) + "\n", encoding="utf-8")
    try:
        code = main(["publish", str(logs), "--ledger", str(tmp_path / "l.jsonl"), *args])
    except SystemExit as exit_:
        code = exit_.code
    err = capsys.readouterr().err
    assert code == 2 and said in err and "Traceback" not in err
