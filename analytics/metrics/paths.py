"""Intent paths: how sessions move from intent to intent.

A session's path is START, then each intent it entered, then END. Consecutive turns of
one intent (slot prompts, confirmation) are one step, unless the intent had closed
(Fulfilled, ReadyForFulfillment or Failed with a Close action) and was entered again:
that repeat is kept as a self-loop, which the reference drops. Every turn with an
intent counts, FallbackIntent included (the reference keeps only fulfilled turns). A
transition into an intent the session already visited is *returning* (a cycle).

The conversation flow (``compute_step_flow``) lays the same steps out as Lex's console
draws them: a column per step (START, step 1, step 2, ... up to a depth, then END), so a
session that comes back to an intent moves right, never round a loop; returning
transitions are counted apart (``compute_returning_transitions``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from lexlens.analytics.metrics.arrays import combined_codes, first_of_each, starts_of
from lexlens.analytics.schema import codes_and_texts, matches, session_order_of

if TYPE_CHECKING:
    import networkx as nx

START, END = "START", "END"
MORE = "More steps"  # a session still going at the flow's last step
OTHER = "Other"      # intents folded together to keep the flow readable
FLOW_COLUMNS = ["step", "source", "target", "sessions"]
CLOSED_STATES = {"Fulfilled", "ReadyForFulfillment", "Failed"}
ARROW = " → "


DEFINITIONS = {  # the user-facing text of each metric here: README, dashboard and --help use it
    "Intent paths": (
        "A session's path is START, each intent it entered, then END. Consecutive turns of one "
        "intent are one step unless the intent had closed (Fulfilled, ReadyForFulfillment or "
        "Failed with a Close action) and was entered again: that repeat is a self-loop. Every "
        "turn with an intent counts, FallbackIntent included. A move into an intent the session "
        "already visited is *returning*."),
    "Conversation flow": (
        "One bot at a time, as Lex's console draws it: a column per step (START, the intent "
        "entered at step 1, step 2, ... up to the steps shown, default 3, then END), each link "
        "as wide as the sessions taking it. A session that ends at step n goes to END from its "
        "step-n intent; one still going after the last step shown goes to 'More steps'. The "
        "least travelled intents of each step are folded into 'Other' until about the chosen "
        "number of links remains (15 by default). Columns are fixed by step, so a session that "
        "returns to an intent moves right instead of drawing a loop."),
    "Returning transitions": (
        "Per pair of intents: how many moves went back into an intent the session had already "
        "visited (returning), out of all the pair's moves (transitions), and that share. Listed "
        "apart so the flow's shared links are not coloured by a minority of their sessions."),
}


def compute_path_steps(turns: pd.DataFrame) -> pd.DataFrame:
    """[session_key, step, intent, returning, time]: one row per intent entered, in order.
    Worked on intent codes (each text compared once, not once per turn)."""
    chosen = (turns["intent"] != "").to_numpy()
    columns = ["time", "session_key", "intent", "intent_state", "dialog_action"]
    ordered = turns[columns].iloc[np.flatnonzero(chosen)[session_order_of(turns, chosen)]]
    intent, intents = codes_and_texts(ordered["intent"])
    session = ordered["session_key"].to_numpy()
    closed = matches(ordered["intent_state"], CLOSED_STATES) & matches(ordered["dialog_action"], ["Close"])
    same = np.zeros(len(ordered), dtype=bool)  # the intent of the turn before, in the same session, still open
    same[1:] = (session[1:] == session[:-1]) & (intent[1:] == intent[:-1]) & ~closed[:-1]
    rows = np.flatnonzero(~same)
    session, intent = session[rows], intent[rows]
    position = np.arange(len(rows))
    step = position - np.maximum.accumulate(np.where(starts_of(session), position, 0))
    return pd.DataFrame({"session_key": session, "step": step.astype(np.int64),
                         "intent": pd.Series(intents[intent], dtype=object),
                         "returning": ~first_of_each(combined_codes(session, intent)),
                         "time": ordered["time"].iloc[rows].reset_index(drop=True)})


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


def steps_of(turns: pd.DataFrame, steps: pd.DataFrame | None) -> pd.DataFrame:
    """``steps`` when the caller computed them already (``compute_path_steps(turns)``, shared by
    the figures of one page or report: 0.25 s each at a million records), else computed now."""
    return compute_path_steps(turns) if steps is None else steps


def build_intent_graph(turns: pd.DataFrame, steps: pd.DataFrame | None = None) -> "nx.DiGraph":
    """Directed graph of intents plus START and END; edge attributes: ``count`` (sessions'
    transitions), ``returning`` (how many of them went back to an intent already visited)."""
    import networkx as nx  # imported here: reports that need no graph start faster

    transitions = compute_path_transitions(steps_of(turns, steps))
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


def top_paths(turns: pd.DataFrame, n: int | None = 10, steps: pd.DataFrame | None = None) -> pd.DataFrame:
    """[sessions, share, path]: the most frequent whole paths 'START → A → B → END'."""
    steps = steps_of(turns, steps)
    if steps.empty:
        return pd.DataFrame({"sessions": pd.Series(dtype="int64"), "share": pd.Series(dtype="float64"),
                             "path": pd.Series(dtype="object")})
    # Count paths as rows of intent codes (one row per session), then spell out only the
    # distinct ones: joining strings per session is the slow part on large logs.
    codes, names = pd.factorize(steps["intent"])
    session_row = pd.factorize(steps["session_key"])[0]
    matrix = np.full((session_row.max() + 1, steps["step"].max() + 1), -1, dtype="int32")
    matrix[session_row, steps["step"].to_numpy()] = codes
    # distinct rows, numbered in order of appearance: the columns combined as digits of one
    # integer (np.unique(axis=0) sorts; hashing each row's bytes in Python took 0.1 s at 1M records)
    row_codes = pd.factorize(combined_codes(*(column + 1 for column in matrix.T)))[0]
    counts = np.bincount(row_codes)
    distinct = matrix[np.flatnonzero(first_of_each(row_codes))]
    spelled = [ARROW.join([START, *(names[code] for code in row if code >= 0), END]) for row in distinct]
    table = pd.DataFrame({"path": spelled, "sessions": counts})
    table["share"] = table["sessions"] / table["sessions"].sum()
    table = table.sort_values(["sessions", "path"], ascending=[False, True], kind="stable")
    table = table[["sessions", "share", "path"]]  # counts first: what a reader compares
    return (table.head(n) if n else table).reset_index(drop=True)


def empty_flow() -> pd.DataFrame:
    return pd.DataFrame({"step": pd.Series(dtype="int64"), "source": pd.Series(dtype="object"),
                         "target": pd.Series(dtype="object"), "sessions": pd.Series(dtype="int64")})


def compute_step_flow(turns: pd.DataFrame, depth: int = 4, steps: pd.DataFrame | None = None) -> pd.DataFrame:
    """[step, source, target, sessions]: sessions moving from the node of column ``step - 1``
    to the node of column ``step`` (column 0 is START; column k the intent entered at step k,
    k <= ``depth``; column ``depth + 1`` holds END and, for sessions longer than ``depth``,
    MORE). A session ending at step n moves from its step-n intent to END at ``step`` n + 1.
    Pass one bot's turns: intents of different bots are different things. Counted on codes:
    the nodes are spelled once each, not once per session."""
    steps = steps_of(turns, steps)
    if steps.empty:
        return empty_flow()
    intent, names = pd.factorize(steps["intent"])
    names = np.append(np.asarray(names, dtype=object), np.array([START, END, MORE], dtype=object))
    start_code, end_code, more_code = len(names) - 3, len(names) - 2, len(names) - 1
    session, column = steps["session_key"].to_numpy(), steps["step"].to_numpy() + 1  # steps: by session, in order
    first = starts_of(session)
    last = np.append(first[1:], True)  # the last step of each session: its length
    shown = np.flatnonzero(column <= depth)
    source = np.where(first, start_code, np.roll(intent, 1))[shown]
    moves = (column[shown], source, intent[shown])
    # each session leaves its last shown step: to END at the next column, or to MORE past the depth
    ended = np.flatnonzero(last & (column <= depth))
    cut = np.flatnonzero(column == depth)
    cut = cut[~last[cut]]
    exits = (np.concatenate([column[ended] + 1, np.full(len(cut), depth + 1)]),
             np.concatenate([intent[ended], intent[cut]]),
             np.concatenate([np.full(len(ended), end_code), np.full(len(cut), more_code)]))
    step, source, target = (np.concatenate([move, leave]).astype(np.int64) for move, leave in zip(moves, exits))
    link, _ = pd.factorize(combined_codes(step, source, target))
    one = np.flatnonzero(first_of_each(link))  # a row of each link, in link order
    flow = pd.DataFrame({"step": step[one], "source": names[source[one]], "target": names[target[one]],
                         "sessions": np.bincount(link).astype(np.int64)})
    return flow.sort_values(["step", "sessions", "source", "target"], ascending=[True, False, True, True],
                            ignore_index=True)[FLOW_COLUMNS]


def fold_flow(flow: pd.DataFrame, max_links: int = 15) -> pd.DataFrame:
    """The flow with the least-travelled intents of each step folded into OTHER, keeping at
    most ``max_links`` links between steps where possible (the exits to END and MORE, one per
    node, come on top). Intents are kept busiest first; one that does not fit may leave room
    for a quieter one. START, END and MORE are never folded; each session still passes one
    node per step, so the flow adds up."""
    if flow.empty:
        return flow
    inner = ~flow["target"].isin([END, MORE])
    traffic = flow[inner].groupby(["step", "target"])["sessions"].sum()
    kept: set = set()
    folded = apply_folding(flow, kept)
    for node in traffic.sort_values(ascending=False, kind="stable").index:
        trial = apply_folding(flow, kept | {node})
        if count_moves(trial) <= max_links:
            kept.add(node)
            folded = trial
    return folded


def count_moves(flow: pd.DataFrame) -> int:
    """Links between steps (exits to END and MORE not counted)."""
    return int((~flow["target"].isin([END, MORE])).sum())


def apply_folding(flow: pd.DataFrame, kept: set) -> pd.DataFrame:
    """``flow`` with every intent node not in ``kept`` ((column, intent) pairs) named OTHER."""
    def rename(names: pd.Series, columns: pd.Series) -> pd.Series:
        keep = [name in (START, END, MORE) or (column, name) in kept for name, column in zip(names, columns)]
        return names.where(keep, OTHER)

    renamed = flow.assign(source=rename(flow["source"], flow["step"] - 1), target=rename(flow["target"], flow["step"]))
    folded = renamed.groupby(["step", "source", "target"], as_index=False)["sessions"].sum()
    return folded.sort_values(["step", "sessions", "source", "target"], ascending=[True, False, True, True],
                              ignore_index=True)[FLOW_COLUMNS]


def compute_returning_transitions(turns: pd.DataFrame, steps: pd.DataFrame | None = None) -> pd.DataFrame:
    """[returning, transitions, share, source, target]: moves back into an intent the session
    had already visited, per pair, with all the pair's transitions and the returning share;
    most returning first."""
    transitions = compute_path_transitions(steps_of(turns, steps))
    columns = ["returning", "transitions", "share", "source", "target"]
    if transitions.empty:
        return pd.DataFrame({name: pd.Series(dtype="object") for name in columns})
    pairs = transitions.groupby(["source", "target"]).agg(returning=("returning", "sum"),
                                                           transitions=("session_key", "size")).reset_index()
    pairs = pairs[pairs["returning"] > 0].astype({"returning": "int64"})
    pairs["share"] = pairs["returning"] / pairs["transitions"]
    return pairs.sort_values(["returning", "source", "target"], ascending=[False, True, True],
                             ignore_index=True)[columns]


def compute_bot_flows(turns: pd.DataFrame, depth: int = 4) -> pd.DataFrame:
    """``compute_step_flow`` of each bot, with bot_id and bot_name first (for CSV export)."""
    frames = [compute_step_flow(part, depth).assign(bot_id=str(bot_id), bot_name=str(part["bot_name"].iloc[0]))
              for bot_id, part in turns.groupby("bot_id", observed=True) if len(part)]
    if not frames:
        return empty_flow().assign(bot_id=pd.Series(dtype="object"), bot_name=pd.Series(dtype="object"))
    flows = pd.concat(frames, ignore_index=True)
    return flows[["bot_id", "bot_name", *FLOW_COLUMNS]]
