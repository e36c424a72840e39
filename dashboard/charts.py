"""Plotly figures with a title, axis labels with units, and hover values.

Every text that may come from the logs (category labels, legend entries) goes through
``escape_plotly``: plotly draws a few HTML tags (``<a href>``, ``<span style>``, ``<b>``...)
in tick labels, legends and hover text. Log text is never put inside a hover *template*
either (``%{...}`` there is code); templates refer to the escaped data instead.
Count axes start at zero with whole-number ticks.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lexlens.dashboard.engine_label import show_computed_by
from lexlens.dashboard.formats import HOUR_FORMAT, format_duration
from lexlens.dashboard.safe import escape_plotly, escape_plotly_series

RED, BLUE, GREY = "#d62728", "#1f77b4", "#9e9e9e"
CONFIG = {"displaylogo": False}

# percent ticks with the decimals they need, trailing zeros dropped (d3's "~"): ".0%" wrote the
# half-percent ticks of a 0-2% axis as 0%, 1%, 1%, 2%, 2%
PERCENT_TICKS = ".2~%"


def layout(fig: go.Figure, title: str, x_label: str, y_label: str, height: int = 360) -> go.Figure:
    fig.update_layout(title={"text": title}, xaxis_title=x_label, yaxis_title=y_label,
                      height=height, margin={"l": 10, "r": 10, "t": 70, "b": 10},
                      legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0})
    return fig


def show_chart(fig: go.Figure, key: str) -> None:
    """The chart, and which engine computed it (``engine_label``)."""
    st.plotly_chart(fig, width="stretch", key=key, config=CONFIG)
    show_computed_by()


def count_axis(values) -> dict:
    """Axis settings for counts: from zero, whole numbers only (a tick every 1 when small)."""
    top = float(np.nanmax(values)) if len(values) else 0.0
    settings = {"rangemode": "tozero", "tickformat": ",d"}
    if top <= 8:
        settings.update(dtick=1, range=[0, max(top, 1) * 1.05])
    return settings


def time_lines(frame: pd.DataFrame, x: str, series: dict, title: str, x_label: str,
               y_label: str, percent: bool = False, legend_below: bool = False,
               lines: dict | None = None) -> go.Figure:
    """One line per column of ``series`` (column -> legend label, escaped) against time ``x``;
    ``lines``: column -> plotly line style, for series that would hide one another."""
    fig = go.Figure()
    value = "%{y:.1%}" if percent else "%{y:,}"
    for column, label in series.items():
        fig.add_trace(go.Scatter(x=frame[x], y=frame[column], mode="lines", name=escape_plotly(label),
                                 line=(lines or {}).get(column),
                                 hovertemplate="%{x}<br>%{fullData.name}: " + value + "<extra></extra>"))
    if percent:
        fig.update_yaxes(tickformat=PERCENT_TICKS, rangemode="tozero")
    else:
        fig.update_yaxes(**count_axis(frame[list(series)].to_numpy().ravel() if series else []))
    fig = layout(fig, title, x_label, y_label)
    if legend_below:  # long entries (utterances): one per line under the chart
        fig.update_layout(legend={"orientation": "v", "yanchor": "top", "y": -0.25, "x": 0},
                          height=360 + 22 * len(series), margin={"b": 30 + 22 * len(series)})
    return fig


HOUR_MS = 3_600_000
UNUSUAL_HOUR = "Unusual hour"


def mark_hours(fig: go.Figure, hours) -> go.Figure:
    """Shade each of ``hours`` (unusual hours) on a time chart: one bar trace, a bar an hour wide
    per hour, as tall as the chart's highest value and drawn under its lines, with its own legend
    entry and hover. Layout shapes (``add_vrect``) drew the same, but the browser lays each out
    again on every redraw: 112 of them cost 0.3 s of a million-record landing page."""
    starts = pd.DatetimeIndex(hours)
    if not len(starts):
        return fig
    values = np.array([value for trace in fig.data if trace.type == "scatter" and trace.y is not None
                       for value in trace.y], dtype=float)
    values = values[np.isfinite(values)]
    top = float(values.max()) if len(values) and values.max() > 0 else 1.0
    fig.add_trace(go.Bar(x=starts + pd.Timedelta(minutes=30), y=np.full(len(starts), top),
                         width=HOUR_MS, name=UNUSUAL_HOUR, opacity=0.18,
                         marker={"color": "crimson", "line": {"width": 0}},
                         customdata=starts.strftime(HOUR_FORMAT),  # as the hours table and picker
                         hovertemplate=UNUSUAL_HOUR + ": %{customdata}<extra></extra>"))
    return fig


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
    value_axis = {"tickformat": PERCENT_TICKS, "rangemode": "tozero"} if percent else count_axis(frame[value])
    if horizontal:
        fig.update_yaxes(autorange="reversed", type="category", automargin=True)
        fig.update_xaxes(**value_axis)
    else:
        fig.update_xaxes(type="category", automargin=True)
        fig.update_yaxes(**value_axis)
    height = max(300, 26 * len(frame) + 120) if horizontal else 360
    return layout(fig, title, value_title if horizontal else label_title,
                  label_title if horizontal else value_title, height=height)


def heatmap(matrix: pd.DataFrame, title: str, x_label: str, y_label: str, z_label: str) -> go.Figure:
    """A heatmap of ``matrix`` (index on y, columns on x; both escaped)."""
    rows = escape_plotly_series(pd.Series(matrix.index)).tolist()
    columns = escape_plotly_series(pd.Series([str(c) for c in matrix.columns])).tolist()
    fig = go.Figure(go.Heatmap(z=matrix.to_numpy(), x=columns, y=rows,
                               colorscale="Blues", colorbar={"title": {"text": z_label}},
                               hovertemplate=f"{y_label}: %{{y}}<br>{x_label}: %{{x}}<br>"
                                             f"{z_label}: %{{z:,}}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", type="category", automargin=True)
    fig.update_xaxes(type="category", automargin=True)
    return layout(fig, title, x_label, y_label, height=max(320, 24 * len(rows) + 140))


# Bin edges of the duration histogram, in seconds: each about twice the last (a log scale),
# since session durations run from seconds to hours (sessions left open) and equal bins would
# put nearly every session in the first bar.
DURATION_EDGES = [0, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400, 28800, 86400]


def duration_histogram(seconds: pd.Series, title: str, y_label: str) -> go.Figure:
    """Sessions per duration bin, bins growing about twofold (a log scale), labelled m:ss."""
    values = pd.Series(seconds, dtype="float64").dropna()
    top = float(values.max()) if len(values) else 0.0
    edges = [edge for edge in DURATION_EDGES if edge <= top] + [next((e for e in DURATION_EDGES if e > top),
                                                                     max(top, 1.0) + 1)]
    counts = np.histogram(values, bins=edges)[0] if len(edges) > 1 else np.array([len(values)])
    names = [f"{format_duration(lo)}–{format_duration(hi)}" for lo, hi in zip(edges[:-1], edges[1:])]
    fig = go.Figure(go.Bar(x=names, y=counts, marker_color=BLUE,
                           hovertemplate="%{x}<br>" + y_label + ": %{y:,}<extra></extra>"))
    fig.update_xaxes(type="category", tickangle=-45)
    fig.update_yaxes(**count_axis(counts))
    return layout(fig, title, "Duration (m:ss; each bin about twice the last: a log scale)", y_label)


def clipped_histogram(values: pd.Series, title: str, x_label: str, y_label: str, bins: int = 30) -> go.Figure:
    """A histogram of counts (turns) up to the 95th percentile, so a long tail does not squeeze
    the rest into a few bars; the axis title says how many lie beyond. One bar per whole
    number when that fits."""
    values = pd.Series(values, dtype="float64").dropna()
    limit = float(values.quantile(0.95)) if len(values) else 0.0
    beyond = int((values > limit).sum())
    shown = values[values <= limit]
    whole = limit <= bins
    edges = np.arange(np.floor(shown.min()) - 0.5 if len(shown) else -0.5, limit + 1.5) if whole \
        else np.linspace(0, max(limit, 1.0), bins + 1)
    counts, edges = np.histogram(shown, bins=edges)
    names = [f"{lo + 0.5:,.0f}" if whole else f"{lo:,.0f}–{hi:,.0f}" for lo, hi in zip(edges[:-1], edges[1:])]
    fig = go.Figure(go.Bar(x=(edges[:-1] + edges[1:]) / 2, y=counts, width=np.diff(edges) * 0.95,
                           marker_color=BLUE, customdata=names,
                           hovertemplate="%{customdata}<br>" + y_label + ": %{y:,}<extra></extra>"))
    fig.update_yaxes(**count_axis(counts))
    fig.update_xaxes(dtick=1 if whole and limit <= 20 else None, tickformat=",d")
    if beyond:
        x_label += f" (up to the 95th percentile, {limit:,.0f}; {beyond:,} more not shown)"
    return layout(fig, title, x_label, y_label)
