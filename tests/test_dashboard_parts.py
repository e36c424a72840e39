"""Parts of the dashboard made fast for a million records (issue 16) give what the slow
versions gave."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from lexlens.dashboard.charts import mark_hours
from lexlens.dashboard.sidebar import category_options

HOURS = pd.date_range("2026-11-02T03:00Z", periods=3, freq="5h")


def line_chart(values) -> go.Figure:
    return go.Figure(go.Scatter(x=pd.date_range("2026-11-02", periods=len(values), freq="h", tz="UTC"), y=values,
                                mode="lines"))


@pytest.mark.parametrize("hours,values,top", [
    (HOURS[:0], list(range(30)), None),
    (HOURS[:1], list(range(30)), 29.0),
    (HOURS, list(range(30)), 29.0),
    (HOURS, [0.0] * 30, 1.0),                    # nothing drawn yet: the bands still show
    (HOURS, [float("nan"), 4.0, 2.0], 4.0),      # a gap in a line
    (HOURS, [], 1.0),                            # no line at all
], ids=["none", "one", "three", "all-zero", "with-gap", "no-line"])
def test_marked_hours_are_one_bar_an_hour_wide_per_hour_under_the_lines(hours, values, top):
    marked = mark_hours(line_chart(values), hours)
    bars = [trace for trace in marked.data if trace.type == "bar"]
    if top is None:
        assert bars == [] and len(marked.data) == 1
        return
    (bar,) = bars
    assert marked.data[0].type == "scatter" and not marked.layout.shapes  # bars are drawn under scatter lines
    assert list(pd.DatetimeIndex(bar.x)) == list(hours + pd.Timedelta(minutes=30))  # a bar is centred on its hour
    assert bar.width == 3_600_000 and list(bar.y) == [top] * len(hours)
    assert list(bar.customdata) == [start.strftime("%Y-%m-%d %a %H:%M") for start in hours]  # as the picker
    assert bar.name == "Unusual hour" and "%{customdata}" in bar.hovertemplate


@pytest.mark.parametrize("values,expected", [
    ([], []),
    (["", ""], []),
    (["b", "a", "b", ""], ["a", "b"]),
])
def test_category_options_lists_the_values_in_use(values, expected):
    text = pd.DataFrame({"c": pd.Series(values, dtype=object)})
    categorical = pd.DataFrame({"c": pd.Categorical(values, categories=["z", "b", "", "a"])})  # z unused
    assert category_options(text, "c") == expected
    assert category_options(categorical, "c") == expected


@pytest.mark.parametrize("names,ids", [
    ([], []),
    (["Bank", "Bank", "Pizza"], ["B1", "B1", "P1"]),
    (["Bank", "Bank", "Pizza"], ["B1", "B2", "P1"]),  # two bots named alike: told apart by id
])
def test_bot_labels_from_codes_are_the_labels_from_text(names, ids):
    from lexlens.dashboard.sidebar import bot_labels

    turns = pd.DataFrame({"bot_name": pd.Categorical(names, categories=["Unused", "Pizza", "Bank"]),
                          "bot_id": pd.Categorical(ids)})
    pairs = turns.astype(str).drop_duplicates()
    shared = pairs["bot_name"].duplicated(keep=False)
    labels = pairs["bot_name"].where(~shared, pairs["bot_name"] + " (" + pairs["bot_id"] + ")")
    assert bot_labels(turns) == dict(sorted(zip(labels, pairs["bot_id"])))


@pytest.mark.parametrize("tz,label", [
    ("UTC", "2026-11-02 Mon 04:00"),
    ("Europe/Paris", "2026-11-02 Mon 05:00"),
    ("Asia/Kolkata", "2026-11-02 Mon 09:30"),      # UTC+5:30: the hour starts at :30 there
    ("Asia/Kathmandu", "2026-11-02 Mon 09:45"),    # UTC+5:45
])
def test_unusual_hours_are_labelled_with_their_own_minutes(tz, label):
    """Hours are UTC hours (as the activity chart bins them): in a zone off by half an hour the
    label shows :30, not an hour that is not theirs."""
    from lexlens.dashboard.unusual_hours import readable

    unusual = pd.DataFrame({"bin_start": pd.DatetimeIndex(["2026-11-02T04:00Z"]).tz_convert(tz),
                            "metric": ["traffic"], "value": [40.0], "usual": [9.0], "score": [7.0], "weeks": [3]})
    assert readable(unusual, tz)["hour"].tolist() == [label]


def show_tables_app():
    import pandas as pd

    from lexlens.dashboard.tables import show_table

    for rows in (0, 1, 2):
        show_table(pd.DataFrame({"value": list(range(rows))}), f"table_{rows}")


@pytest.mark.parametrize("rows,said", [(0, "0 rows"), (1, "1 row"), (2, "2 rows")])
def test_a_table_counts_its_rows_in_words(rows, said):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(show_tables_app).run()
    assert not at.exception
    assert at.caption[rows].value.startswith(said) and not at.caption[rows].value.startswith(said + "s")


def test_a_missing_text_is_shown_blank_and_the_table_given_is_unchanged():
    import numpy as np
    import pandas as pd

    from lexlens.dashboard.safe import plain_frame

    table = pd.DataFrame({"state": pd.Series(["Fulfilled", None], dtype=object),
                          "intent": pd.Categorical(["Book", None]), "text": pd.Series(["a\u202eb", "c"], dtype="str"),
                          "confidence": [0.5, np.nan]})
    shown = plain_frame(table)
    assert shown["state"].tolist() == ["Fulfilled", ""] and shown["intent"].tolist() == ["Book", ""]
    assert shown["text"].tolist()[1] == "c" and "\u202e" not in shown["text"].tolist()[0]
    assert np.isnan(shown["confidence"].iloc[1])  # a missing number stays missing
    assert table["state"].isna().iloc[1] and table["intent"].isna().iloc[1]


def test_percent_axes_write_their_ticks_with_the_decimals_they_need():
    """d3's ".2~%" (what the percent charts use): half-percent ticks read 0.5%, 1.5%, not 1%, 2%
    as ".0%" wrote them; whole ones stay whole. https://github.com/d3/d3-format#locale_format"""
    import pandas as pd

    from lexlens.dashboard import charts

    figure = charts.bars(pd.DataFrame({"day": ["a", "b"], "share": [0.004, 0.021]}), "day", "share", "t", "x", "y",
                         horizontal=False, percent=True)
    assert figure.layout.yaxis.tickformat == charts.PERCENT_TICKS == ".2~%"
    lines = charts.time_lines(pd.DataFrame({"t": pd.date_range("2026-11-01", periods=2), "r": [0.1, 0.2]}), "t",
                              {"r": "rate"}, "t", "x", "y", percent=True)
    assert lines.layout.yaxis.tickformat == ".2~%"
