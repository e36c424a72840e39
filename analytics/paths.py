"""Intent paths: how sessions move from intent to intent.

A session's path is START, then each intent it entered, then END. Consecutive turns of
one intent (slot prompts, confirmation) are one step, unless the intent had closed
(Fulfilled, ReadyForFulfillment or Failed with a Close action) and was entered again:
that repeat is kept as a self-loop, which the reference drops. Every turn with an
intent counts, FallbackIntent included (the reference keeps only fulfilled turns). A
transition into an intent the session already visited is *returning* (a cycle).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analytics.schema import order_by_session, text_values

if TYPE_CHECKING:
    import networkx as nx

START, END = "START", "END"
CLOSED_STATES = {"Fulfilled", "ReadyForFulfillment", "Failed"}
ARROW = " → "


def compute_path_steps(turns: pd.DataFrame) -> pd.DataFrame:
    """[session_key, step, intent, returning, time]: one row per intent entered, in order."""
    with_intent = turns.loc[turns["intent"] != "", ["turn", "time", "session_key", "intent",
                                                    "intent_state", "dialog_action"]]
    ordered = order_by_session(with_intent)
    intent = text_values(ordered["intent"])
    session = ordered["session_key"]
    same_session = session.eq(session.shift())
    closed = (text_values(ordered["intent_state"]).isin(CLOSED_STATES)
              & text_values(ordered["dialog_action"]).eq("Close"))
    new_step = ~(same_session & intent.eq(intent.shift()) & ~closed.shift(fill_value=False))
    steps = pd.DataFrame({"session_key": session[new_step], "intent": intent[new_step],
                          "time": ordered["time"][new_step]})
    steps["step"] = steps.groupby("session_key").cumcount()
    steps["returning"] = steps.duplicated(["session_key", "intent"])
    return steps[["session_key", "step", "intent", "returning", "time"]].reset_index(drop=True)


def compute_path_transitions(steps: pd.DataFrame) -> pd.DataFrame:
    """[session_key, source, target, returning]: every transition, START and END included."""
    if steps.empty:
        return pd.DataFrame({"session_key": [], "source": [], "target": [], "returning": []})
    session = steps["session_key"]
    first = ~session.eq(session.shift())
    last = ~session.eq(session.shift(-1))
    source = steps["intent"].shift().where(~first, START)
    inner = pd.DataFrame({"session_key": session, "source": source, "target": steps["intent"],
                          "returning": steps["returning"]})
    ends = pd.DataFrame({"session_key": session[last], "source": steps["intent"][last],
                         "target": END, "returning": False})
    return pd.concat([inner, ends], ignore_index=True)


def build_intent_graph(turns: pd.DataFrame) -> "nx.DiGraph":
    """Directed graph of intents plus START and END; edge attributes: ``count`` (sessions'
    transitions), ``returning`` (how many of them went back to an intent already visited)."""
    import networkx as nx  # imported here: reports that need no graph start faster

    transitions = compute_path_transitions(compute_path_steps(turns))
    graph = nx.DiGraph()
    graph.add_nodes_from([START, END])
    if transitions.empty:
        return graph
    edges = transitions.groupby(["source", "target"]).agg(
        count=("session_key", "size"), returning=("returning", "sum"))
    for (source, target), row in edges.iterrows():
        graph.add_edge(source, target, count=int(row["count"]), returning=int(row["returning"]))
    return graph


def compute_path_edges(graph: "nx.DiGraph") -> pd.DataFrame:
    """[source, target, count, returning, is_returning] from ``build_intent_graph``, busiest first."""
    rows = [(source, target, data["count"], data["returning"])
            for source, target, data in graph.edges(data=True)]
    edges = pd.DataFrame(rows, columns=["source", "target", "count", "returning"])
    edges["is_returning"] = edges["returning"] > 0
    return edges.sort_values(["count", "source", "target"], ascending=[False, True, True],
                             kind="stable").reset_index(drop=True)


def top_paths(turns: pd.DataFrame, n: int | None = 10) -> pd.DataFrame:
    """[path, sessions, share]: the most frequent whole paths 'START → A → B → END'."""
    steps = compute_path_steps(turns)
    if steps.empty:
        return pd.DataFrame({"path": pd.Series(dtype="object"), "sessions": pd.Series(dtype="int64"),
                             "share": pd.Series(dtype="float64")})
    # Count paths as rows of intent codes (one row per session), then spell out only the
    # distinct ones: joining strings per session is the slow part on large logs.
    codes, names = pd.factorize(steps["intent"])
    session_row = pd.factorize(steps["session_key"])[0]
    matrix = np.full((session_row.max() + 1, steps["step"].max() + 1), -1, dtype="int32")
    matrix[session_row, steps["step"].to_numpy()] = codes
    # distinct rows by hashing each row's bytes (np.unique(axis=0) sorts them: slower)
    row_codes, first_rows = pd.factorize(np.array([row.tobytes() for row in matrix], dtype=object))
    counts = np.bincount(row_codes)
    distinct = [np.frombuffer(row, dtype="int32") for row in first_rows]
    spelled = [ARROW.join([START, *(names[code] for code in row if code >= 0), END]) for row in distinct]
    table = pd.DataFrame({"path": spelled, "sessions": counts})
    table["share"] = table["sessions"] / table["sessions"].sum()
    table = table.sort_values(["sessions", "path"], ascending=[False, True], kind="stable")
    return (table.head(n) if n else table).reset_index(drop=True)
