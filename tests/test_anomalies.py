"""Unusual hours: the same hour of the week against its median and MAD in earlier weeks, on the
Overview and as ``lexlens check --anomalies``."""
import json

import pandas as pd
import pytest

from lex_records import T0, load, record
from lexlens.analytics.cli import main
from lexlens.analytics.metrics.anomalies import (compute_anomalies, latest_complete_hour, sessions_in_hours,
                                                 unusual_hours)

WEEK_S = 7 * 24 * 3600
HOUR = pd.Timestamp(T0)  # a Monday, 09:00 UTC


def traffic(weekly: list[tuple[int, int]]) -> list[dict]:
    """Per week, (utterances, missed) in Monday's 09:00 hour, one session each; a quiet turn at
    Monday 03:00 of each week keeps the weeks in the data even when the hour is empty."""
    records = []
    for week, (count, missed) in enumerate(weekly):
        records.append(record(f"w{week}-quiet", week * WEEK_S - 6 * 3600, "early"))
        records += [record(f"w{week}-s{n}", week * WEEK_S + n * 3600 / max(count, 1), f"u{n}", missed=n < missed)
                    for n in range(count)]
    return records


def judged(weekly, metric="traffic"):
    """The judgement of the last week's 09:00 hour for ``metric`` (None when not judged), the
    logs known to reach 10:00 that day."""
    last = HOUR + pd.Timedelta(weeks=len(weekly) - 1)
    table = compute_anomalies(load(traffic(weekly)).turns, until=last + pd.Timedelta(hours=1))
    rows = table[(table["bin_start"] == last) & (table["metric"] == metric)]
    return None if rows.empty else rows.iloc[0]


@pytest.mark.parametrize("weekly,unusual,usual_value", [
    ([(30, 0), (31, 0), (29, 0), (30, 0)], False, 30),
    ([(30, 0), (31, 0), (29, 0), (38, 0)], False, 30),   # 8 more: within 3.5 x sqrt(30)
    ([(30, 0), (31, 0), (29, 0), (60, 0)], True, 30),    # traffic doubled
    ([(30, 0), (31, 0), (29, 0), (0, 0)], True, 30),     # traffic stopped
    ([(0, 0), (0, 0), (0, 0), (6, 0)], False, 0),        # a floor of 2 utterances: 6 is not unusual
    ([(0, 0), (0, 0), (0, 0), (8, 0)], True, 0),
    ([(30, 0), (60, 0), (29, 0), (31, 0), (30, 0)], False, 30.5),  # one odd week does not move the median
])
def test_traffic_against_the_same_hour_of_earlier_weeks(weekly, unusual, usual_value):
    row = judged(weekly)
    assert bool(row["anomalous"]) is unusual and row["usual"] == usual_value
    assert row["weeks"] == len(weekly) - 1


def test_fewer_than_three_earlier_weeks_are_not_judged():
    assert judged([(30, 0), (31, 0), (90, 0)]) is None


@pytest.mark.parametrize("weekly,unusual", [
    ([(30, 3), (30, 3), (30, 3), (30, 3)], False),
    ([(30, 3), (30, 3), (30, 3), (30, 15)], True),   # 10% -> 50%
    ([(30, 3), (30, 3), (30, 3), (30, 4)], False),   # within the 2-point floor
])
def test_fallback_rate(weekly, unusual):
    assert bool(judged(weekly, "fallback rate")["anomalous"]) is unusual


def test_fallback_rate_needs_20_utterances_in_the_hour():
    assert judged([(30, 3), (30, 3), (30, 3), (10, 9)], "fallback rate") is None


def test_nothing_from_nothing():
    assert compute_anomalies(load([]).turns).empty
    assert latest_complete_hour(compute_anomalies(load([]).turns), pd.Timestamp.now(tz="UTC")).empty


def test_sessions_of_unusual_hours():
    data = load(traffic([(3, 0), (3, 0), (3, 0), (12, 0)]))
    unusual = unusual_hours(compute_anomalies(data.turns))
    assert list(unusual["bin_start"]) == [HOUR + pd.Timedelta(weeks=3)]
    sessions = sessions_in_hours(data.turns, unusual["bin_start"])
    assert sorted(sessions["session_id"]) == sorted(f"w3-s{n}" for n in range(12))


def test_latest_complete_hour_only():
    table = compute_anomalies(load(traffic([(30, 0), (30, 0), (30, 0), (60, 0)])).turns)
    last = HOUR + pd.Timedelta(weeks=3)
    assert latest_complete_hour(table, last + pd.Timedelta(minutes=59)).iloc[0]["bin_start"] < last
    assert latest_complete_hour(table, last + pd.Timedelta(hours=1)).iloc[0]["bin_start"] == last


@pytest.mark.parametrize("last_week,code,said", [
    ((30, 0), 0, "ok        traffic at 2024-05-27T09:00 UTC: 30, usually 30"),
    ((60, 0), 1, "UNUSUAL   traffic at 2024-05-27T09:00 UTC: 60, usually 30 (median of 3 weeks)"),
    ((0, 0), 1, "UNUSUAL   traffic at 2024-05-27T09:00 UTC: 0, usually 30"),  # the bot went silent
])
def test_check_anomalies_exit_code(capsys, tmp_path, last_week, code, said):
    path = tmp_path / "logs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in traffic([(30, 0), (31, 0), (29, 0), last_week])))
    assert main(["check", str(path), "--anomalies", "--until", "2024-05-27T10:00Z"]) == code
    assert said in capsys.readouterr().out


def test_check_anomalies_without_enough_weeks_says_so(capsys, tmp_path):
    path = tmp_path / "logs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in traffic([(30, 0), (31, 0)])))
    assert main(["check", str(path), "--anomalies", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["anomalies"] == []
