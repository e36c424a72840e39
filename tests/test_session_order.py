"""The session order (``schema.session_order``): sorted once per table and kept for the metrics
that share it, never handed to a table whose columns differ; and the order of a subset taken
from it without a sort (``schema.session_order_of``)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lexlens.analytics.schema import session_order, session_order_of


def turns_of(sessions: list[int], seconds: list[int] | None = None) -> pd.DataFrame:
    seconds = list(range(len(sessions))) if seconds is None else seconds
    return pd.DataFrame({"turn": np.arange(len(sessions), dtype="int64"),
                         "time": pd.to_datetime(seconds, unit="s", utc=True),
                         "session_key": np.asarray(sessions, dtype="int64")})


def sorted_by_hand(turns: pd.DataFrame) -> list[int]:
    rows = zip(turns["session_key"], turns["time"], turns["turn"], range(len(turns)))
    return [row[-1] for row in sorted(rows)]


CASES = [  # (session of each turn, second of each turn)
    ([], []),
    ([0], [0]),
    ([1, 0, 1, 0], [0, 1, 2, 3]),  # in time order, as loads leave turns
    ([2, 2, 1, 0, 1], [5, 1, 3, 3, 0]),  # out of time order: the full sort
    ([0, 0, 0], [7, 7, 7]),  # equal times: the turn decides
]


@pytest.mark.parametrize("sessions, seconds", CASES)
def test_session_order_and_the_order_of_a_subset(sessions, seconds):
    turns = turns_of(sessions, seconds)
    assert session_order(turns).tolist() == sorted_by_hand(turns)
    for rows in (np.ones(len(turns), dtype=bool), np.arange(len(turns)) % 2 == 1,
                 np.zeros(len(turns), dtype=bool)):
        subset = turns[rows].reset_index(drop=True)
        assert session_order_of(turns, rows).tolist() == sorted_by_hand(subset)


def test_the_order_is_kept_for_the_same_columns_only():
    turns = turns_of([3, 1, 2, 1, 3, 2])
    first = session_order(turns)
    assert session_order(turns) is first  # kept: not sorted again
    assert session_order(turns[["turn", "time", "session_key"]]) is first  # the same columns
    head, every_other = turns.iloc[:3], turns.iloc[::2]  # the same start and length, other strides
    assert session_order(head).tolist() == sorted_by_hand(head) == [1, 2, 0]
    assert session_order(every_other).tolist() == sorted_by_hand(every_other.reset_index(drop=True)) == [1, 0, 2]
    turns["session_key"] = np.array([0, 1, 2, 3, 4, 5], dtype="int64")  # a replaced column
    assert session_order(turns).tolist() == [0, 1, 2, 3, 4, 5]
    with pytest.raises(ValueError):
        first[0] = 1  # shared by every caller: nobody may change it
