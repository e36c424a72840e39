"""Sentiment bars: Lex's labels and VADER's labels as two separate groups, never mixed."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import layout

ORDER = ["POSITIVE", "NEUTRAL", "NEGATIVE", "MIXED"]
SOURCE_NAMES = {"Lex": "Lex sentimentResponse", "VADER": "VADER (turns without Lex sentiment)"}


def sentiment_figure(summary: pd.DataFrame) -> go.Figure:
    """Grouped bars of turns per label, one trace per source ([source, sentiment, turns, share])."""
    fig = go.Figure()
    for source, part in summary.groupby("source", sort=False):
        part = part.set_index("sentiment").reindex([l for l in ORDER if l in set(part["sentiment"])])
        fig.add_trace(go.Bar(x=part.index, y=part["turns"], name=SOURCE_NAMES.get(source, source),
                             customdata=part["share"],
                             hovertemplate="%{x}<br>%{y:,} turns (%{customdata:.1%} of source)"
                                           "<extra>" + str(source) + "</extra>"))
    fig.update_layout(barmode="group")
    title = "Sentiment of user turns" if len(summary) else "Sentiment of user turns (no utterances)"
    fig = layout(fig, title, "Sentiment label", "Turns")
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.3, "x": 0})  # two long names
    return fig
