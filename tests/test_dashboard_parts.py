"""Parts of the dashboard made fast for a million records (issue 16) give what the slow
versions gave."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from lexlens.dashboard.charts import mark_hours
from lexlens.dashboard.sidebar import category_options

HOURS = pd.date_range("2026-11-02T03:00Z", periods=3, freq="5h")


@pytest.mark.parametrize("hours", [HOURS[:0], HOURS[:1], HOURS], ids=["none", "one", "three"])
def test_marked_hours_are_the_rectangles_add_vrect_draws(hours):
    def chart():
        return go.Figure(go.Scatter(x=pd.date_range("2026-11-02", periods=30, freq="h", tz="UTC"), y=list(range(30))))

    expected = chart()
    for start in hours:
        expected.add_vrect(x0=start, x1=start + pd.Timedelta(hours=1), fillcolor="crimson", opacity=0.18,
                           line_width=0, layer="below")
    assert mark_hours(chart(), hours).layout.shapes == expected.layout.shapes


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
