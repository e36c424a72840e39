"""Comparisons (KPIs, deltas, two-proportion z-test) and returning users."""
import math

import pandas as pd
import pytest

from lexlens.analytics.metrics.compare import (compare_kpis, compute_kpis, compute_returning_users, slice_value,
                                               slice_window, two_proportion_test)
from lexlens.analytics.metrics.escalation import EscalationRule
from lexlens.analytics.schema import LogData
from lex_records import T0, load, record as r

HOUR = 3600


@pytest.mark.parametrize("x1, n1, x2, n2, z, p", [
    # by hand: 45/100 vs 60/100 -> pooled 0.525, se sqrt(.525*.475*.02) = 0.070622,
    # z = 0.15 / 0.070622 = 2.1240, p = 2 * (1 - Phi(2.124)) = 0.0337
    (45, 100, 60, 100, 2.1240, 0.0337),
    (10, 100, 10, 100, 0.0, 1.0),
    (0, 50, 0, 80, 0.0, 1.0),  # both 0 %: no evidence
    (5, 0, 5, 10, math.nan, math.nan),  # empty side: undefined
])
def test_two_proportion_test(x1, n1, x2, n2, z, p):
    result = two_proportion_test(x1, n1, x2, n2)
    for key, value in (("z", z), ("p_value", p)):
        assert (math.isnan(result[key]) and math.isnan(value)) or result[key] == pytest.approx(value, abs=1e-4)


def records():
    return [
        r("a", 0, "balance", "CheckBalance", state="Fulfilled", action="Close", version="1"),
        r("b", 0, "blah", "FallbackIntent", state="ReadyForFulfillment", action="Close", missed=True, version="1"),
        r("c", 2 * HOUR, "agent", "SpeakToAgent", state="Fulfilled", action="Close", version="2"),
        r("d", 2 * HOUR, "balance", "CheckBalance", state="Fulfilled", action="Close", version="2"),
    ]


def test_kpis_and_comparison_by_version():
    data = load(records())
    rule = EscalationRule(intents=("SpeakToAgent",))
    a, b = (compute_kpis(slice_value(data, "bot_version", v), escalation=rule) for v in ("1", "2"))
    assert (a["conversations"], a["fallback_rate"], a["success_rate"], a["containment_rate"]) == (2, 0.5, 0.5, 1.0)
    assert (b["conversations"], b["fallback_rate"], b["success_rate"], b["containment_rate"]) == (2, 0.0, 1.0, 0.5)
    table = compare_kpis(a, b).set_index("kpi")
    assert table.loc["fallback_rate", "delta"] == -0.5
    assert table.loc["success_rate", "p_value"] == pytest.approx(two_proportion_test(1, 2, 2, 2)["p_value"])
    assert pd.isna(table.loc["turns", "p_value"])  # counts get no test


def test_windows_split_by_time():
    data = load(records())
    first = slice_window(data, T0, T0 + pd.Timedelta(hours=1))
    assert set(first.turns["session_id"]) == {"a", "b"}


def test_containment_is_none_without_rule_and_kpis_of_nothing():
    """Without an escalation rule nothing marks an escalation: escalated and contained are
    unknown, as the rate is (the Outcomes page shows '—'), not 0 and every conversation."""
    kpis = compute_kpis(load(records()))
    assert kpis["conversations"] > 0
    assert kpis["escalated"] is None and kpis["contained"] is None and kpis["containment_rate"] is None
    empty = compute_kpis(LogData.empty())
    assert empty["conversations"] == 0 and empty["fallback_rate"] is None
    assert compare_kpis(empty, empty)["p_value"].isna().all()


def test_returning_users_by_session_and_by_attribute():
    rows = [
        r("s1", 0, "hi", "Greet", state="Fulfilled", action="Close", conv="x1", attributes={"customer": "42"}),
        r("s1", 1000, "hi", "Greet", state="Fulfilled", action="Close", conv="x2", attributes={"customer": "42"}),
        r("s2", 30 * HOUR, "hi", "Greet", state="Fulfilled", action="Close", conv="y", attributes={"customer": "42"}),
        r("s3", 0, "hi", "Greet", state="Fulfilled", action="Close", conv="z"),
    ]
    data = load(rows)
    table, by_session = compute_returning_users(data, "session_id", repeat_within_h=24)
    assert by_session == {"users": 3, "new_users": 2, "returning_users": 1, "conversations": 4,
                          "unidentified": 0, "repeat_contacts": 1, "repeat_contact_rate": 0.25}
    _, by_customer = compute_returning_users(data, "customer", repeat_within_h=24)
    # s1 twice (repeat after 1000 s), then s2 30 h later (not within 24 h); s3 has no customer
    assert by_customer == {"users": 1, "new_users": 0, "returning_users": 1, "conversations": 3,
                           "unidentified": 1, "repeat_contacts": 1, "repeat_contact_rate": 1 / 3}
    assert table["nth"].max() == 2


def test_returning_users_of_nothing():
    table, summary = compute_returning_users(LogData.empty())
    assert table.empty and summary["users"] == 0 and summary["repeat_contact_rate"] is None


def test_returning_users_by_request_attribute():
    rows = [r("s1", 0, "hi", "Greet", state="Fulfilled", action="Close", conv="x1"),
            r("s2", 2 * HOUR, "hi", "Greet", state="Fulfilled", action="Close", conv="y"),
            r("s3", 3 * HOUR, "hi", "Greet", state="Fulfilled", action="Close", conv="z")]
    for row, caller in zip(rows, ["+15550001", "+15550001", None]):
        if caller:
            row["requestAttributes"] = {"callerId": caller, "x-amz-lex:channel": "voice"}
    data = load(rows)
    assert sorted(data.request_attributes["key"].astype(str)) == ["callerId", "callerId",
                                                                 "x-amz-lex:channel", "x-amz-lex:channel"]
    assert data.attributes.empty   # request attributes do not leak into session attributes
    _, by_caller = compute_returning_users(data, "request:callerId", repeat_within_h=24)
    assert by_caller == {"users": 1, "new_users": 0, "returning_users": 1, "conversations": 2,
                         "unidentified": 1, "repeat_contacts": 1, "repeat_contact_rate": 0.5}
