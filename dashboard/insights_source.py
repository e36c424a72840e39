"""The CloudWatch panel's engines (issue 17): pull the window and compute here (local), compute the
pushed-down metrics on CloudWatch Logs Insights (``analytics.insights``), or auto (Insights when
the window holds more than ``AUTO_RECORDS`` records, the CLI's ``--auto-records`` default).

An Insights run is kept in session state as an ``InsightsRun`` (its partials, what it cost) and
finalized per time zone on demand: reruns of the script never query again; only the panel's button
does, and its answers for windows older than the ingestion lag come from ``insights.cache`` on disk.
"""
from __future__ import annotations

import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from lexlens.analytics.cli.engine_options import AUTO_RECORDS, CONCURRENCY, MOST_CONCURRENCY
from lexlens.analytics.errors import LexlensError

LOCAL, INSIGHTS, AUTO = "local", "insights", "auto"
ENGINE_LABELS = {LOCAL: "Local (pull the events)", INSIGHTS: "Logs Insights (server-side)",
                 AUTO: f"Auto (Logs Insights above {AUTO_RECORDS:,} records)"}
TOP = 50  # top utterances and busiest sessions an Insights run lists
RUN = "cw_insights_run"  # session state: the InsightsRun the pages draw from
ENGINE_KEY, CONCURRENCY_KEY = "cw_engine", "cw_concurrency"


@dataclass(eq=False)
class InsightsRun:
    """One Insights run of the panel: where, which window, the merged partials and the cost."""

    client_args: tuple  # (region, profile, endpoint_url)
    groups: tuple
    since_ms: int
    until_ms: int
    partials: object
    records: int
    cost: dict  # RunStats.as_dict() plus "seconds"
    finalized: dict = field(default_factory=dict)  # (tz, top) -> finalize's result
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def metrics(self, tz: str, top: int = TOP) -> dict:
        """``finalize`` of the partials in ``tz``, computed once per (tz, top)."""
        from lexlens.analytics.metrics.finalize import finalize

        if (tz, top) not in self.finalized:
            self.finalized[(tz, top)] = finalize(self.partials, top, tz)
        return self.finalized[(tz, top)]


def kept(key: str) -> None:
    """Give widget ``key`` its last value again: Streamlit drops a widget's state when a page switches
    in the middle of a run (opening a drilled session), which would turn the engine back to local."""
    if key not in st.session_state and f"_kept_{key}" in st.session_state:
        st.session_state[key] = st.session_state[f"_kept_{key}"]


def keep(key: str, value) -> None:
    st.session_state[f"_kept_{key}"] = value


def pick_engine() -> tuple[str, int]:
    """The engine radio and the Logs Insights concurrency (in the Source expander)."""
    kept(ENGINE_KEY)
    kept(CONCURRENCY_KEY)
    engine = st.radio("Engine", list(ENGINE_LABELS), format_func=ENGINE_LABELS.get, key=ENGINE_KEY,
                      help="Local pulls every event and computes here (every page). Logs Insights computes "
                           "totals, intents, sessions, top utterances, activity and heatmaps where the logs "
                           "live and pulls only query rows; pages that need raw turns pull a slice.")
    concurrency = CONCURRENCY
    if engine != LOCAL:
        concurrency = int(st.number_input("Logs Insights queries at once", 1, MOST_CONCURRENCY, CONCURRENCY,
                                          key=CONCURRENCY_KEY,
                                          help="Of the account's 100 concurrent Logs Insights queries, "
                                               "dashboards included."))
        keep(CONCURRENCY_KEY, concurrency)
    keep(ENGINE_KEY, engine)
    return engine, concurrency


def run_insights(client, client_args: tuple, groups, since: str, until: str, engine: str, concurrency: int,
                 folder: Path) -> InsightsRun | None:
    """An InsightsRun of the window, or None when auto decides to pull (said on the page)."""
    from lexlens.analytics.insights.engine import FieldsMissing, count_records, insights_partials
    from lexlens.analytics.timewindow import parse_window

    since_ms, until_ms = parse_window(since or None, until or None)
    started = time.monotonic()
    with st.spinner("Running Logs Insights queries…"):
        try:
            probed = count_records(client, list(groups), since_ms, until_ms, {}, concurrency, cache_dir=folder)
            if engine == AUTO and probed[0] <= AUTO_RECORDS:
                st.caption(f"Auto: {probed[0]:,} records in the window (at most {AUTO_RECORDS:,}): pulled and "
                           "computed here.")
                return None
            result = insights_partials(client, list(groups), since_ms, until_ms, {}, concurrency, probed=probed)
        except FieldsMissing as missing:
            if engine != AUTO:
                raise
            st.info(f"Auto: {missing} Pulling the window instead.")
            return None
        except Exception as error:  # noqa: BLE001 - AWS failures: one sentence in the panel
            raise LexlensError(explained(error, client, groups)) from None
    cost = {**result.cost, "seconds": round(time.monotonic() - started, 1)}
    return InsightsRun(client_args, tuple(groups), since_ms, until_ms, result.partials, result.records, cost)


def explained(error: Exception, client, groups) -> str:
    """One sentence for any failure of a Logs Insights call."""
    if isinstance(error, LexlensError):
        return str(error)
    from lexlens.analytics.sources.cloudwatch.errors import explain_error

    return str(explain_error(error, client, ", ".join(groups)))


@st.cache_resource(show_spinner=False)
def drill_root() -> Path:
    """This server process's folder for drilled sessions (mode 0700, a fresh random name), removed
    when the server stops: the turns hold what users said."""
    import atexit
    import shutil

    folder = Path(tempfile.mkdtemp(prefix="lexlens-drill-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def drill_session(run: InsightsRun, client, session: dict) -> str:
    """Pull one session's turns in the run's window with ``drill_down``; the file's path.
    LexlensError (one sentence) past the drill-down's bounds or when AWS fails."""
    from lexlens.analytics.insights.drill import drill_down

    out = drill_root() / f"{uuid.uuid4().hex}.jsonl"
    try:
        with st.spinner("Pulling this session's turns (Logs Insights drill-down)…"):
            turns = drill_down(client, list(run.groups), run.since_ms, run.until_ms, [session], out)
    except Exception as error:  # noqa: BLE001 - one sentence on the page, never a traceback
        raise LexlensError(explained(error, client, run.groups)) from None
    if not turns:
        raise LexlensError("the drill-down found no turns of this session in the window.")
    return str(out)


@dataclass(eq=False)
class InsightsView:
    """What the pages read when the panel's engine is Logs Insights: the run and the time zone."""

    run: InsightsRun
    tz: str

    @property
    def metrics(self) -> dict:
        return self.run.metrics(self.tz)


DRILLED = "cw_drilled"  # session state: {"path", "session_id", "run_id", "back"} of an opened session


def open_drilled(run: InsightsRun, client, session: dict, back: str) -> None:
    """Pull ``session``'s turns and show its transcript in the Session explorer; ``back``: the page
    file to return to. LexlensError (one sentence) if the drill-down fails."""
    from lexlens.dashboard.pagelist import EXPLORER_PAGE

    path = drill_session(run, client, session)
    st.session_state[DRILLED] = {"path": path, "session_id": session["session_id"], "run_id": run.run_id,
                                 "back": back}
    st.session_state.pop("explore_session", None)
    st.switch_page(EXPLORER_PAGE, query_params={"session": session["session_id"]})


def drilled_slice(run: InsightsRun, slug: str) -> dict | None:
    """The drilled session of this run, on the Session explorer only: every other page (the back
    button, the browser's back) shows the Logs Insights results again."""
    from lexlens.dashboard.pagelist import EXPLORER_SLUG

    drilled = st.session_state.get(DRILLED)
    if slug != EXPLORER_SLUG or not drilled or drilled["run_id"] != run.run_id:
        return None
    return drilled
