"""Sentiment bars: Lex's labels and VADER's labels as two separate groups, never mixed."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from lexlens.dashboard.charts import count_axis, layout
from lexlens.dashboard.safe import escape_plotly, escape_plotly_series

ORDER = ["POSITIVE", "NEUTRAL", "NEGATIVE", "MIXED"]
SOURCE_NAMES = {"Lex": "Lex sentimentResponse", "VADER": "VADER (turns without Lex sentiment)"}


def sentiment_figure(summary: pd.DataFrame) -> go.Figure:
    """Grouped bars of turns per label, one trace per source ([source, sentiment, turns, share])."""
    fig = go.Figure()
    for source, part in summary.groupby("source", sort=False):
        known = [label for label in ORDER if label in set(part["sentiment"])]
        others = sorted(set(part["sentiment"].astype(str)) - set(ORDER))  # whatever else a log says
        part = part.set_index("sentiment").reindex(known + others)
        fig.add_trace(go.Bar(x=escape_plotly_series(pd.Series(part.index)), y=part["turns"],
                             name=escape_plotly(SOURCE_NAMES.get(source, source)),
                             customdata=part["share"],
                             hovertemplate="%{x}<br>%{y:,} turns (%{customdata:.1%} of source)"
                                           "<extra>%{fullData.name}</extra>"))
    fig.update_layout(barmode="group")
    title = "Sentiment of user turns" if len(summary) else "Sentiment of user turns (no utterances)"
    fig.update_yaxes(**count_axis(summary["turns"]))
    fig = layout(fig, title, "Sentiment label", "Turns")
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.3, "x": 0})  # two long names
    return fig
