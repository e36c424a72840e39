"""The *Live* switch of a CloudWatch source (issue 14): a Streamlit fragment that runs every N
seconds, fetches only the events newer than the last pull (``sources.cloudwatch.live``) and, when
there are new ones, reruns the app on the extended window. The filters live in the URL and the
session, so they (and an open transcript) stay as they were; the page is never reloaded."""
from __future__ import annotations

import time

import streamlit as st

from lexlens.analytics.errors import LexlensError
from lexlens.dashboard.safe import escape_markdown

MIN_EVERY_S, MAX_EVERY_S, DEFAULT_EVERY_S = 5, 3600, 30
LIVE_RUN = "cw_live_run"  # session state: (client, groups, cache folder, seconds) while Live is on
LAST_REFRESH = "cw_live_last"  # session state: time.monotonic() of the last refresh


def render_live_switch(client, groups, folder, *, open_ended: bool) -> None:
    """The switch and its interval (in the Source expander); starts the refresh when on."""
    from lexlens.dashboard.cloudwatch_panel import LIVE

    if not open_ended:
        st.caption("Live refresh needs a window that ends now (leave *Until* empty).")
        return
    live = st.toggle("Live: refresh the page as new events arrive", key="cw_live")
    every = st.number_input("Refresh every (seconds)", MIN_EVERY_S, MAX_EVERY_S, DEFAULT_EVERY_S, step=5,
                            key="cw_every")
    st.session_state[LIVE_RUN] = (client, tuple(groups), folder, int(every)) if live and LIVE in st.session_state \
        else None


def render_live_status() -> None:
    """Under the Source expander, in view: the live refresh and when the newest event was seen."""
    chosen = st.session_state.get(LIVE_RUN)
    if chosen:
        with st.sidebar:
            run_live_fragment(*chosen)


def describe_freshness(window, now_s: float) -> str:
    """When the newest event was seen, how long CloudWatch took to ingest it, when we last looked."""
    if window.newest_ms is None:
        return "Live · no event in the window yet"
    newest = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(window.newest_ms / 1000))
    age = max(0, now_s - window.newest_ms / 1000)
    lag = max(0, ((window.newest_ingestion_ms or window.newest_ms) - window.newest_ms) / 1000)
    return (f"Live · newest event {newest} UTC ({age:,.0f} s ago) · ingestion lag {lag:,.0f} s · "
            f"{window.events:,} events · last refresh fetched {window.fetched:,}")


def run_live_fragment(client, groups: tuple, folder, every: int) -> None:
    @st.fragment(run_every=every)
    def refresh() -> None:
        from lexlens.analytics.sources.cloudwatch.live import pull_newer
        from lexlens.dashboard.cloudwatch_panel import LIVE, PULLED

        window = st.session_state[LIVE]
        last = st.session_state.get(LAST_REFRESH)
        if last is not None and time.monotonic() - last >= every - 0.5:  # this fragment's own timer
            st.session_state[LAST_REFRESH] = time.monotonic()
            try:
                updated = pull_newer(client(), groups, window, folder)
            except LexlensError as error:
                st.error(escape_markdown(str(error)))
                return
            st.session_state[LIVE] = updated
            if updated.path != window.path:  # new events: the whole page, on the extended window
                st.session_state[PULLED] = (updated.path,)
                st.rerun()
            window = updated
        elif last is None:
            st.session_state[LAST_REFRESH] = time.monotonic()
        st.caption(escape_markdown(describe_freshness(window, time.time())))

    refresh()
