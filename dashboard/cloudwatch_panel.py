"""CloudWatch Logs as a dashboard source (issue 4): region and profile, a log-group picker
(DescribeLogGroups with a name prefix), the time range, cache status and a pull/refresh
button. A pull shows its progress on the page and leaves one window file in the cache,
which is then loaded like any local file (and cached by its path and mtime). The engine choice
(issue 17, ``insights_source``): pull and compute here, or compute on CloudWatch Logs Insights.
"""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import streamlit as st

from lexlens.analytics.errors import LexlensError
from lexlens.dashboard.insights_source import ENGINE_KEY, LOCAL, RUN, pick_engine, run_insights
from lexlens.dashboard.safe import escape_markdown
from lexlens.dashboard.settings import ServeSettings

PULLED = "cw_pulled"  # session state: paths of the last pulled window
PULL_NOW = "cw_pull_now"  # session state: pull on this run (a page's "pull this window" button)
LIVE = "cw_live_window"  # session state: the pulled window a live refresh extends (LiveWindow)


@st.cache_resource(show_spinner=False)
def make_client(region: str | None, profile: str | None, endpoint_url: str | None):
    from lexlens.analytics.sources.cloudwatch import make_logs_client

    return make_logs_client(region or None, profile or None, endpoint_url or None)


def cache_dir(settings: ServeSettings) -> Path:
    from lexlens.analytics.sources.cloudwatch.cache import default_cache_dir

    return Path(settings.cloudwatch["cache_dir"]) if settings.cloudwatch.get("cache_dir") else default_cache_dir()


def render_cache_status(folder: Path) -> None:
    from lexlens.analytics.sources.cloudwatch import cache_status

    status = cache_status(folder)
    groups = len({n["log_group"] for n in status["namespaces"]})
    st.caption(f"Cache: {groups} log group(s), {sum(n['events'] for n in status['namespaces']):,} events, "
               f"{status['bytes'] / 1e6:.1f} MB")


def pull(client, groups, since, until, folder: Path, refresh: bool) -> tuple[str, ...]:
    """Pull the window with a progress bar on the page; the window file's path."""
    from lexlens.analytics.sources.cloudwatch import pull_log_groups, write_pull
    from lexlens.analytics.sources.cloudwatch.cache import new_window_path

    bar = st.progress(0.0, text="Pulling from CloudWatch Logs…")
    latest = {}
    # The pull reports from its worker threads, which cannot draw: it runs in a thread of
    # its own while this (script) thread redraws the bar from the latest report.
    with ThreadPoolExecutor(1, thread_name_prefix="lexlens-dashboard-pull") as pool:
        future = pool.submit(pull_log_groups, client, groups, since or None, until or None, folder,
                             progress=lambda state: latest.update(state=state), refresh=refresh)
        while not future.done():
            time.sleep(0.2)
            state = latest.get("state")
            if state is not None:
                bar.progress(min(state.slices_done / max(state.slices_total, 1), 1.0),
                             text=f"{state.slices_done}/{state.slices_total} slices · "
                                  f"{state.events:,} events · {state.bytes / 1e6:.1f} MB")
        result = future.result()
    bar.empty()
    for failure in result.failed_slices:
        st.warning(escape_markdown(str(failure)))
    path = new_window_path(folder)
    write_pull(result, path)
    from lexlens.analytics.sources.cloudwatch.live import start_live

    st.session_state[LIVE] = start_live(str(path), result.since, result.until)
    return (str(path),)


def pick_groups_scope(settings: ServeSettings):
    """(region, profile, prefixes, given groups, free) of the panel: under ``lexlens serve`` the
    operator's region, profile, ``--log-group`` and ``--log-group-prefix`` (visitors choose among
    them); ``free`` only for ``streamlit run`` on a loopback address, where the visitor is the
    operator and types them."""
    from lexlens.dashboard.access import is_loopback, read_access

    options, access = settings.cloudwatch, read_access()
    given = tuple(options.get("log_groups") or ())
    if not access.served and is_loopback(st.get_option("server.address")):
        region = st.text_input("Region", options.get("region") or "", key="cw_region", placeholder="boto3 default")
        profile = st.text_input("Profile", options.get("profile") or "", key="cw_profile",
                                placeholder="boto3 default")
        prefix = st.text_input("Log group name prefix", "/aws/lex", key="cw_prefix")
        return region, profile, (prefix,), given, True
    st.caption(f"Region {escape_markdown(options.get('region') or 'boto3 default')} · profile "
               f"{escape_markdown(options.get('profile') or 'boto3 default')} (set by the operator)")
    return options.get("region"), options.get("profile"), access.log_group_prefixes, given, False


def render_cloudwatch_source(settings: ServeSettings):
    """The CloudWatch part of the Source expander: the pulled window's path(s), the Logs Insights
    run (``insights_source.InsightsRun``) the pages draw from, or None."""
    from lexlens.dashboard.access import GROUP_REFUSAL, read_access, group_allowed

    options = settings.cloudwatch
    st.markdown("**CloudWatch Logs**")
    region, profile, prefixes, given, free = pick_groups_scope(settings)
    if not free and not given and not prefixes:
        st.caption("No CloudWatch log groups are offered here (the operator allows them with "
                   "`lexlens serve --log-group` or `--log-group-prefix`).")
        return None

    def allowed(group: str) -> bool:
        return free or group_allowed(group, read_access(), given)

    found = st.session_state.get("cw_groups", list(given))
    try:
        def client():  # created on demand: the dashboard must open without any AWS setup
            return make_client(region, profile, options.get("endpoint_url"))

        if prefixes and st.button("Find log groups", key="cw_find"):
            listed = [g for prefix in prefixes for g in list_groups(client(), prefix) if allowed(g)]
            found = st.session_state["cw_groups"] = sorted(set(found) | set(listed))
        groups = st.multiselect("Log groups", found, default=[g for g in given if g in found],
                                key="cw_selected")
        since = st.text_input("Since (ISO 8601 or an age: 7d, 36h)", options.get("since") or "7d", key="cw_since")
        until = st.text_input("Until (empty: now)", options.get("until") or "", key="cw_until")
        folder = cache_dir(settings)
        render_cache_status(folder)
        engine, concurrency = pick_engine()
        first = PULLED not in st.session_state and RUN not in st.session_state and bool(given) and engine == LOCAL
        clicked = st.button("Pull / refresh" if engine == LOCAL else "Compute / refresh", key="cw_pull",
                            disabled=not groups)
        if groups and (clicked or first or st.session_state.pop(PULL_NOW, False)):
            if not all(allowed(group) for group in groups):
                st.error(GROUP_REFUSAL)
                return None
            st.session_state.pop(RUN, None)
            run = None if engine == LOCAL else run_insights(
                client(), (region, profile, options.get("endpoint_url")), groups, since, until, engine,
                concurrency, folder)
            if run is not None:
                st.session_state.pop(PULLED, None)
                st.session_state[RUN] = run
            else:
                st.session_state[PULLED] = pull(client(), groups, since, until, folder, refresh=False)
        if PULLED in st.session_state and RUN not in st.session_state:
            from lexlens.dashboard.live import render_live_switch

            render_live_switch(client, groups, folder, open_ended=not until.strip())
    except LexlensError as error:
        st.error(escape_markdown(str(error)))
        return None
    return st.session_state.get(RUN) or st.session_state.get(PULLED)


def pull_instead() -> None:
    """Button callback: switch the panel to the local engine and pull the window on this rerun."""
    st.session_state[ENGINE_KEY] = LOCAL
    st.session_state[PULL_NOW] = True
    st.session_state.pop(RUN, None)


def list_groups(client, prefix: str) -> list[str]:
    from lexlens.analytics.sources.cloudwatch import list_log_groups

    return list_log_groups(client, prefix)
