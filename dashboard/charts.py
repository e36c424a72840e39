"""Plotly figures with a title, axis labels with units, and hover values.

Category labels that may come from the logs are passed through ``escape_plotly``:
plotly draws a few HTML tags in labels and hover text.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.safe import escape_plotly_series

RED, BLUE, GREY = "#d62728", "#1f77b4", "#9e9e9e"
CONFIG = {"displaylogo": False}


def layout(fig: go.Figure, title: str, x_label: str, y_label: str, height: int = 360) -> go.Figure:
    fig.update_layout(title={"text": title}, xaxis_title=x_label, yaxis_title=y_label,
                      height=height, margin={"l": 10, "r": 10, "t": 70, "b": 10},
                      legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0})
    return fig


def show_chart(fig: go.Figure, key: str) -> None:
    st.plotly_chart(fig, width="stretch", key=key, config=CONFIG)


def time_lines(frame: pd.DataFrame, x: str, series: dict[str, str], title: str, x_label: str,
               y_label: str, percent: bool = False) -> go.Figure:
    """One line per column of ``series`` (column -> legend label) against time ``x``."""
    fig = go.Figure()
    value = "%{y:.1%}" if percent else "%{y:,}"
    for column, label in series.items():
        fig.add_trace(go.Scatter(x=frame[x], y=frame[column], mode="lines", name=label,
                                 hovertemplate=f"%{{x}}<br>{label}: {value}<extra></extra>"))
    if percent:
        fig.update_yaxes(tickformat=".0%")
    return layout(fig, title, x_label, y_label)


def bars(frame: pd.DataFrame, label: str, value: str, title: str, label_title: str,
         value_title: str, horizontal: bool = True, percent: bool = False,
         color: str | None = None) -> go.Figure:
    """Bars of ``value`` per ``label`` (labels escaped: they may be log text)."""
    labels = escape_plotly_series(frame[label])
    fmt = "%{x:.1%}" if (percent and horizontal) else "%{y:.1%}" if percent else \
        "%{x:,}" if horizontal else "%{y:,}"
    name = "%{y}" if horizontal else "%{x}"
    trace = go.Bar(x=frame[value] if horizontal else labels, y=labels if horizontal else frame[value],
                   orientation="h" if horizontal else "v", marker_color=color or BLUE,
                   hovertemplate=f"{name}<br>{value_title}: {fmt}<extra></extra>")
    fig = go.Figure(trace)
    if horizontal:
        fig.update_yaxes(autorange="reversed", type="category")
        fig.update_xaxes(tickformat=".0%" if percent else None)
    else:
        fig.update_xaxes(type="category")
        fig.update_yaxes(tickformat=".0%" if percent else None)
    height = max(300, 26 * len(frame) + 120) if horizontal else 360
    return layout(fig, title, value_title if horizontal else label_title,
                  label_title if horizontal else value_title, height=height)


def heatmap(matrix: pd.DataFrame, title: str, x_label: str, y_label: str, z_label: str) -> go.Figure:
    """A heatmap of ``matrix`` (index on y, columns on x)."""
    rows = escape_plotly_series(pd.Series(matrix.index)).tolist()
    fig = go.Figure(go.Heatmap(z=matrix.to_numpy(), x=[str(c) for c in matrix.columns], y=rows,
                               colorscale="Blues", colorbar={"title": {"text": z_label}},
                               hovertemplate=f"{y_label}: %{{y}}<br>{x_label}: %{{x}}<br>"
                                             f"{z_label}: %{{z:,}}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category")
    return layout(fig, title, x_label, y_label, height=max(320, 24 * len(rows) + 140))


def histogram(values: pd.Series, title: str, x_label: str, y_label: str, bins: int = 40) -> go.Figure:
    fig = go.Figure(go.Histogram(x=values, nbinsx=bins, marker_color=BLUE,
                                 hovertemplate=f"{x_label}: %{{x}}<br>{y_label}: %{{y:,}}<extra></extra>"))
    return layout(fig, title, x_label, y_label)
