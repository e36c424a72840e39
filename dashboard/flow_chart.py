"""The conversation flow, drawn as Lex's console draws it: a column per step (START, step 1,
step 2, ..., END), links as wide as the sessions that take them. Columns are fixed by step,
so there is no cycle to draw; returning transitions are listed apart, not coloured here."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from lexlens.analytics.metrics.paths import END, MORE, OTHER, START
from lexlens.dashboard.charts import layout
from lexlens.dashboard.safe import escape_plotly

LINK_COLOUR = "rgba(31, 119, 180, 0.30)"
OTHER_COLOUR = "rgba(158, 158, 158, 0.30)"
NODE_COLOURS = {START: "#455a64", END: "#455a64", MORE: "#9e9e9e", OTHER: "#9e9e9e"}
NODE_COLOUR = "#1f77b4"


def column_of(name: str, step: int, last: int) -> int:
    """The column a flow node sits in (END and MORE in the last one)."""
    return last if name in (END, MORE) else step


def place_nodes(flow: pd.DataFrame, last: int) -> pd.DataFrame:
    """[column, name, sessions, x, y]: one row per node, stacked by traffic in its column."""
    into = flow.assign(column=[column_of(t, s, last) for t, s in zip(flow["target"], flow["step"])]) \
        .groupby(["column", "target"])["sessions"].sum().rename_axis(["column", "name"])
    start = pd.Series([flow.loc[flow["step"] == 1, "sessions"].sum()],
                      index=pd.MultiIndex.from_tuples([(0, START)], names=["column", "name"]))
    nodes = pd.concat([start, into]).rename("sessions").reset_index()
    order = nodes["name"].isin([OTHER, MORE, END]).astype(int)  # named intents on top
    nodes = nodes.assign(order=order).sort_values(["column", "order", "sessions"], ascending=[True, True, False])
    share = nodes["sessions"] / nodes.groupby("column")["sessions"].transform("sum")
    centre = nodes.groupby("column")["sessions"].cumsum() / nodes.groupby("column")["sessions"].transform("sum")
    nodes["y"] = (0.02 + 0.96 * (centre - share / 2)).clip(0.01, 0.99)
    nodes["x"] = (0.01 + 0.98 * nodes["column"] / max(last, 1)).clip(0.01, 0.99)
    return nodes.drop(columns="order").reset_index(drop=True)


def flow_figure(flow: pd.DataFrame, depth: int) -> go.Figure:
    """The flow of ``analytics.metrics.paths.fold_flow`` ([step, source, target, sessions])."""
    last = depth + 1
    nodes = place_nodes(flow, last) if not flow.empty else pd.DataFrame(columns=["column", "name", "sessions", "x", "y"])
    index = {(row.column, row.name): i for i, row in enumerate(nodes.itertuples())}
    sources = [index[(step - 1, name)] for step, name in zip(flow["step"], flow["source"])]
    targets = [index[(column_of(name, step, last), name)] for step, name in zip(flow["step"], flow["target"])]
    labels = [escape_plotly(name) for name in nodes["name"]]
    fig = go.Figure(go.Sankey(
        arrangement="fixed",
        node={"label": labels, "x": nodes["x"].tolist(), "y": nodes["y"].tolist(), "pad": 12, "thickness": 14,
              "color": [NODE_COLOURS.get(name, NODE_COLOUR) for name in nodes["name"]],
              "customdata": [escape_plotly(column_name(c, last)) for c in nodes["column"]],
              "hovertemplate": "%{label} (%{customdata})<br>%{value:,} sessions<extra></extra>"},
        link={"source": sources, "target": targets, "value": flow["sessions"].tolist(),
              "color": [OTHER_COLOUR if OTHER in (s, t) else LINK_COLOUR
                        for s, t in zip(flow["source"], flow["target"])],
              "hovertemplate": "%{source.label} → %{target.label}<br>%{value:,} sessions<extra></extra>"},
    ))
    for column in range(last + 1):
        fig.add_annotation(x=min(max(column / last, 0.0), 1.0), y=1.06, xref="paper", yref="paper",
                           text=column_name(column, last), showarrow=False, font={"size": 12})
    return layout(fig, "Conversation flow: sessions step by step", "", "", height=560)


def column_name(column: int, last: int) -> str:
    return START if column == 0 else END if column == last else f"Step {column}"
