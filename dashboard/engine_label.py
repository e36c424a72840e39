"""Which engine computed what a chart or table shows (issue 17): one caption under every chart and
table (``charts.show_chart``, ``tables.show_table`` and the Logs Insights pages call
``show_computed_by``), so an analyst can tell server-side aggregates from a pulled slice."""
from __future__ import annotations

import streamlit as st

ORIGIN = "source_origin"  # session state: where the local view's records came from (ORIGINS)
ORIGINS = {"files": "read from files", "pulled": "pulled from CloudWatch Logs",
           "drilled": "of one session, pulled by a Logs Insights drill-down"}


def format_bytes(count: int) -> str:
    """1.2 GB, 3.4 MB, 5.6 kB or 7 bytes (powers of 1000, as CloudWatch bills them)."""
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if count >= size:
            return f"{count / size:.1f} {unit}"
    return f"{count:,} bytes"


def insights_label(cost: dict, records: int) -> str:
    """The caption of a chart drawn from an Insights run's finalized partials."""
    cached = f" ({cost['cached']:,} answers from the cache)" if cost.get("cached") else ""
    return (f"Computed by: CloudWatch Logs Insights (server-side), {cost['queries']:,} queries{cached}, "
            f"{format_bytes(cost['bytes_scanned'])} scanned, {cost.get('seconds', 0):.1f} s, "
            f"over {records:,} records")


def local_label(records: int, origin: str) -> str:
    """The caption of a chart computed here from ``records`` records (after the filters): user
    turns and server responses, as the Overview's Records tile counts them."""
    return f"Computed by: local engine on {records:,} records {ORIGINS.get(origin, ORIGINS['files'])}"


def computed_by(view) -> str:
    """The label of ``view``: an ``InsightsView`` (has ``run``) or a local ``data.View``."""
    run = getattr(view, "run", None)
    if run is not None:
        return insights_label(run.cost, run.records)
    data = getattr(view, "data", None)
    responses = len(data.server_responses) if data is not None else 0
    return local_label(len(view.turns) + responses, st.session_state.get(ORIGIN, "files"))


def show_computed_by() -> None:
    """The caption for the current page's view (none before the sidebar built one)."""
    view = st.session_state.get("view")
    if view is not None:
        st.caption(computed_by(view))
