"""The conversation flow (Lex-console style, one column per step) and returning transitions."""
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from lexlens.analytics.metrics.paths import (END, MORE, OTHER, START, compute_bot_flows, compute_returning_transitions,
                                             compute_step_flow, fold_flow, top_paths)
from lex_records import load, record as r


def turns_of(paths: list[list[str]]) -> pd.DataFrame:
    """A turns table: session i enters the intents of paths[i] in order, one turn each."""
    rows = []
    for session, path in enumerate(paths):
        for position, intent in enumerate(path):
            rows.append({"turn": len(rows), "time": pd.Timestamp("2024-05-06", tz="UTC") + pd.Timedelta(
                seconds=10 * position), "session_key": session, "intent": intent,
                "intent_state": "InProgress", "dialog_action": "ElicitIntent"})
    columns = ["turn", "time", "session_key", "intent", "intent_state", "dialog_action"]
    return pd.DataFrame(rows, columns=columns).astype({"turn": "int64", "session_key": "int64"})


def rows(flow: pd.DataFrame) -> set:
    return set(flow.itertuples(index=False, name=None))


@pytest.mark.parametrize("paths, depth, expected", [
    ([["A", "B"]], 4, {(1, START, "A", 1), (2, "A", "B", 1), (3, "B", END, 1)}),
    ([["A", "B", "C"]], 2, {(1, START, "A", 1), (2, "A", "B", 1), (3, "B", MORE, 1)}),
    ([["A", "B", "A"]], 4, {(1, START, "A", 1), (2, "A", "B", 1), (3, "B", "A", 1), (4, "A", END, 1)}),
    ([["A"], ["A"], ["A", "B"]], 3, {(1, START, "A", 3), (2, "A", END, 2), (2, "A", "B", 1), (3, "B", END, 1)}),
    ([["A", "B"]], 2, {(1, START, "A", 1), (2, "A", "B", 1), (3, "B", END, 1)}),  # ends exactly at the depth
    ([], 4, set()),
])
def test_step_flow(paths, depth, expected):
    flow = compute_step_flow(turns_of(paths), depth)
    assert list(flow.columns) == ["step", "source", "target", "sessions"]
    assert rows(flow) == expected


def test_columns_are_fixed_by_step_so_a_return_moves_right():
    flow = compute_step_flow(turns_of([["A", "B", "A", "B"]]), 5)
    assert list(flow["step"]) == [1, 2, 3, 4, 5]  # one link per step: never back to an earlier column


def test_flow_from_real_records_follows_the_path_definition():
    records = [r("s", 0, "hi", "Welcome", state="Fulfilled", action="Close"),
               r("s", 5, "balance", "Balance", action="ElicitSlot", slot="account"),
               r("s", 9, "checking", "Balance", state="Fulfilled", action="Close"),  # same step: slot prompt
               r("t", 0, "?", "FallbackIntent", missed=True)]
    flow = compute_step_flow(load(records).turns, 3)
    assert rows(flow) == {(1, START, "Welcome", 1), (1, START, "FallbackIntent", 1), (2, "Welcome", "Balance", 1),
                          (2, "FallbackIntent", END, 1), (3, "Balance", END, 1)}


def test_flows_are_per_bot():
    records = [r("s", 0, "hi", "Welcome")]
    other = dict(r("u", 0, "hi", "Welcome"), bot={"name": "Other", "version": "1", "id": "BOT2",
                                                  "aliasName": "A", "aliasId": "TSTALIASID", "localeId": "en_US"})
    flows = compute_bot_flows(load(records + [other]).turns, 3)
    assert sorted(flows["bot_id"].unique()) == ["BOT1", "BOT2"]
    assert flows.groupby("bot_id")["sessions"].sum().to_dict() == {"BOT1": 2, "BOT2": 2}


@pytest.mark.parametrize("paths, budget, kept_at_step_1", [
    ([["A"]] * 5 + [["B"]] * 3 + [["C"]], 1, {OTHER}),          # one link: everything folded
    ([["A"]] * 5 + [["B"]] * 3 + [["C"]], 2, {"A", OTHER}),     # the busiest and the rest
    ([["A"]] * 5 + [["B"]] * 3 + [["C"]], 3, {"A", "B", "C"}),  # everything fits: nothing folded
])
def test_fold_keeps_the_busiest_intents(paths, budget, kept_at_step_1):
    folded = fold_flow(compute_step_flow(turns_of(paths), 3), budget)
    assert set(folded.loc[folded["step"] == 1, "target"]) == kept_at_step_1


def test_fold_of_nothing():
    assert fold_flow(compute_step_flow(turns_of([]), 3)).empty


paths_strategy = st.lists(st.lists(st.sampled_from("ABCDEFG"), min_size=1, max_size=7), max_size=40)


@settings(max_examples=60, deadline=None)
@given(paths=paths_strategy, depth=st.integers(1, 6), budget=st.integers(1, 20))
def test_folding_keeps_every_session_and_the_flow_balanced(paths, depth, budget):
    flow = compute_step_flow(turns_of(paths), depth)
    folded = fold_flow(flow, budget)
    assert folded["sessions"].sum() == flow["sessions"].sum()
    if flow.empty:
        return
    assert flow.loc[flow["step"] == 1, "sessions"].sum() == len(paths)
    for frame in (flow, folded):
        into = frame[~frame["target"].isin([END, MORE])].groupby(["step", "target"])["sessions"].sum()
        out = frame.groupby(["step", "source"])["sessions"].sum()
        for (step, name), sessions in into.items():  # what enters a node at step k leaves it at k + 1
            assert out.get((step + 1, name), 0) == sessions
    moves = folded[~folded["target"].isin([END, MORE])]
    assert len(moves) <= max(budget, len(flow[~flow["target"].isin([END, MORE])].assign(
        source=OTHER, target=OTHER).drop_duplicates(["step"])))


@pytest.mark.parametrize("paths, expected", [
    ([["A", "B", "A"]], [(1, 1, 1.0, "B", "A")]),
    ([["A", "B", "A"], ["B", "A"]], [(1, 2, 0.5, "B", "A")]),
    ([["A", "B"]], []),
    ([], []),
])
def test_returning_transitions(paths, expected):
    table = compute_returning_transitions(turns_of(paths))
    assert list(table.columns) == ["returning", "transitions", "share", "source", "target"]
    assert list(table.itertuples(index=False, name=None)) == expected


def test_whole_paths_put_counts_first():
    table = top_paths(turns_of([["A", "B"], ["A", "B"], ["C"]]), None)
    assert list(table.columns) == ["sessions", "share", "path"]
    assert table.iloc[0].tolist() == [2, pytest.approx(2 / 3), "START → A → B → END"]


@pytest.mark.parametrize("paths", [[], [["A"]], [["A", "B", "A"], ["B"], ["A", "B", "C", "D", "E"]]],
                         ids=["none", "one", "several"])
def test_steps_computed_once_give_the_same_figures(paths):
    """A page or a report computes the path steps once and hands them to each figure."""
    from lexlens.analytics.metrics.paths import build_intent_graph, compute_path_edges, compute_path_steps

    turns = turns_of(paths)
    steps = compute_path_steps(turns)
    pd.testing.assert_frame_equal(compute_step_flow(turns, 3, steps=steps), compute_step_flow(turns, 3))
    pd.testing.assert_frame_equal(top_paths(turns, None, steps=steps), top_paths(turns, None))
    pd.testing.assert_frame_equal(compute_returning_transitions(turns, steps=steps), compute_returning_transitions(turns))
    pd.testing.assert_frame_equal(compute_path_edges(build_intent_graph(turns, steps=steps)),
                                  compute_path_edges(build_intent_graph(turns)))
    other = compute_path_steps(turns_of([["Z"]]))  # the steps handed over are the ones used
    assert paths == [] or top_paths(turns, None, steps=other)["path"].tolist() == ["START → Z → END"]
