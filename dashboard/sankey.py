"""The intent-path Sankey: START and END nodes, returning links in red."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analytics.paths import END, START
from dashboard.charts import layout
from dashboard.safe import escape_plotly

RETURNING_COLOUR = "rgba(214, 39, 40, 0.55)"
FORWARD_COLOUR = "rgba(31, 119, 180, 0.35)"


def sankey_figure(edges: pd.DataFrame, max_links: int = 60) -> go.Figure:
    """Sankey of the ``max_links`` busiest transitions ([source, target, count, returning,
    is_returning] from ``compute_path_edges``)."""
    shown = edges.head(max_links)
    names = [START] + sorted(set(shown["source"]) | set(shown["target"]) - {START, END}) + [END]
    index = {name: position for position, name in enumerate(names)}
    colours = [RETURNING_COLOUR if returning else FORWARD_COLOUR for returning in shown["is_returning"]]
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node={"label": [escape_plotly(name) for name in names], "pad": 14, "thickness": 14,
              "hovertemplate": "%{label}<br>%{value:,} transitions<extra></extra>"},
        link={"source": [index[s] for s in shown["source"]], "target": [index[t] for t in shown["target"]],
              "value": shown["count"].tolist(), "color": colours, "customdata": shown["returning"].tolist(),
              "hovertemplate": "%{source.label} → %{target.label}<br>%{value:,} transitions"
                               "<br>%{customdata:,} returning<extra></extra>"},
    ))
    title = f"Intent paths: the {len(shown)} busiest of {len(edges)} transitions"
    fig = layout(fig, title, "", "", height=520)
    return fig
