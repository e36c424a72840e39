"""The shared sidebar: source, filters (kept in the URL), and what the load rejected."""
from __future__ import annotations

import datetime as dt
from zoneinfo import available_timezones

import pandas as pd
import streamlit as st

from analytics.attributes import attribute_keys
from analytics.errors import LexlensError
from analytics.filters import Filters
from analytics.schema import LogData
from dashboard import urlstate
from dashboard.access import is_loopback
from dashboard.data import View, load_source, make_view, save_uploads
from dashboard.safe import escape_markdown
from dashboard.settings import ServeSettings

PATH_SEPARATOR = ";"
ALL_ZONES = sorted(available_timezones())
MAX_ATTRIBUTE_VALUES = 500
UPLOADS_STATE = "uploaded_folders"  # session state: this visitor's own upload folders


def default_sources(settings: ServeSettings) -> tuple[str, ...]:
    """What ``lexlens serve`` was given, else the bundled demo logs (no AWS needed)."""
    if settings.sources:
        return settings.sources
    from sample_logs import DEMO_LOG

    return (str(DEMO_LOG),)


def pick_source(settings: ServeSettings) -> tuple[str, ...]:
    """The paths to load: an upload, a CloudWatch pull, or the path box (in the URL); a path
    the operator did not allow stops the page with one sentence, before anything is read."""
    default = PATH_SEPARATOR.join(default_sources(settings))
    with st.sidebar.expander("Source", expanded=False):
        urlstate.seed_from_url("f_src", "src", lambda raw: raw[0])
        st.session_state.setdefault("f_src", default)
        text = st.text_input("Log file or folder (several: separate with ;)", key="f_src")
        urlstate.remember("src", text.strip(), default)
        uploads = st.file_uploader("…or upload JSONL / .gz logs", accept_multiple_files=True,
                                   type=["jsonl", "json", "gz", "log", "txt"], key="f_upload")
        from dashboard.cloudwatch_panel import render_cloudwatch_source

        pulled = render_cloudwatch_source(settings)
    render_redaction_note()
    if uploads:
        folder = save_uploads(uploads)
        st.session_state[UPLOADS_STATE] = tuple(set(st.session_state.get(UPLOADS_STATE, ())) | set(folder))
        return folder
    if pulled:
        return pulled
    paths = tuple(part.strip() for part in (text or default).split(PATH_SEPARATOR) if part.strip())
    refuse_outside(paths, settings)
    return paths


def refuse_outside(paths: tuple[str, ...], settings: ServeSettings) -> None:
    """Stop the page with ``access.REFUSAL`` unless every path, and every file found below
    it, is one the operator allowed (symlinks and ``..`` resolved first)."""
    from analytics.sources.files import find_log_files
    from dashboard.access import REFUSAL, allowed_locations, path_allowed, read_access

    access = read_access()
    if not access.served and is_loopback(st.get_option("server.address")):
        return  # ``streamlit run`` on this machine only: the free path box of a local tool
    from sample_logs import DEMO_LOG

    roots, files = allowed_locations((*settings.sources, str(DEMO_LOG)), access,
                                     st.session_state.get(UPLOADS_STATE, ()))
    allowed = all(path_allowed(path, roots, files) for path in paths)
    if allowed:
        try:  # a symlink inside an allowed folder may point outside it
            allowed = all(path_allowed(found, roots, files) for found in find_log_files(list(paths)))
        except (LexlensError, OSError):
            pass  # inside the allowed places: the load names the problem
    if not allowed:
        urlstate.write_url()
        st.error(REFUSAL)
        st.stop()


def render_redaction_note() -> None:
    """The sidebar's sign that PII masking (``--redact``) is on, and what it masks."""
    from dashboard.access import read_redaction
    from dashboard.data import redaction_rules

    options = read_redaction()
    if options is not None:
        st.sidebar.caption(":material/visibility_off: " + escape_markdown(redaction_rules(options).describe()))


def local_bounds(turns: pd.DataFrame, tz: str) -> tuple[dt.date, dt.date]:
    if turns.empty:
        today = dt.date.today()
        return today, today
    local = turns["time"].dt.tz_convert(tz)
    return local.min().date(), local.max().date()


def local_midnight(day: dt.date, tz: str) -> pd.Timestamp:
    return pd.Timestamp(day).tz_localize(tz, nonexistent="shift_forward", ambiguous=False)


def pick_dates(full: LogData, tz: str) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """Date range widget (local days in ``tz``); the whole range means no time filter."""
    bounds = local_bounds(full.turns, tz)
    if st.session_state.get("_dates_default") != bounds:  # new source or zone: follow it
        if st.session_state.get("f_dates") in (None, st.session_state.get("_dates_default")):
            st.session_state["f_dates"] = bounds
        st.session_state["_dates_default"] = bounds
    urlstate.seed_from_url("f_dates", "dates", parse_dates)
    chosen = st.date_input("Dates", key="f_dates", format="YYYY-MM-DD")
    chosen = tuple(chosen) if isinstance(chosen, (list, tuple)) else (chosen,)
    start, end = (chosen + chosen)[:2] if chosen else bounds
    urlstate.remember("dates", [start.isoformat(), end.isoformat()] if (start, end) != bounds else None)
    if (start, end) == bounds:
        return None, None
    return local_midnight(start, tz), local_midnight(end + dt.timedelta(days=1), tz)


def parse_dates(raw: list[str]):
    try:
        days = tuple(dt.date.fromisoformat(value) for value in raw[:2])
    except ValueError:
        return None
    return days if len(days) == 2 and days[0] <= days[1] else None


def category_options(turns: pd.DataFrame, column: str) -> list[str]:
    return sorted(str(value) for value in pd.unique(turns[column].astype(str)) if str(value))


def pick_attribute(full: LogData) -> tuple[str | None, tuple[str, ...]]:
    keys = attribute_keys(full)
    key = urlstate.selectbox("Session attribute", [""] + keys, "f_akey", "akey", "",
                             format_func=lambda k: k or "(any)")
    if not key:
        urlstate.remember("aval", None)
        return None, ()
    values = full.attributes.loc[full.attributes["key"] == key, "value"].value_counts()
    options = [str(v) for v in values.index[:MAX_ATTRIBUTE_VALUES]]
    chosen = urlstate.multiselect(f"Values of {escape_markdown(key)}", options, "f_aval", "aval",
                                  placeholder="any value")
    return key, tuple(chosen)


def render_filters(full: LogData) -> tuple[Filters, str]:
    """Every shared filter; returns the Filters and the time zone."""
    turns = full.turns
    st.sidebar.subheader("Filters")
    with st.sidebar:
        tz = urlstate.selectbox("Time zone", ALL_ZONES, "f_tz", "tz", "UTC")
        since, until = pick_dates(full, tz)
        names = dict(zip(turns["bot_id"].astype(str), turns["bot_name"].astype(str)))
        bots = urlstate.multiselect("Bot", category_options(turns, "bot_id"), "f_bot", "bot",
                                    format_func=lambda b: f"{names.get(b, b)} ({b})", placeholder="all")
        aliases = urlstate.multiselect("Alias", category_options(turns, "alias_name"), "f_alias",
                                       "alias", placeholder="all")
        locales = urlstate.multiselect("Locale", category_options(turns, "locale"), "f_locale",
                                       "locale", placeholder="all")
        versions = urlstate.multiselect("Version", category_options(turns, "bot_version"),
                                        "f_version", "version", placeholder="all")
        modes = urlstate.multiselect("Input mode", category_options(turns, "input_mode"), "f_mode",
                                     "mode", placeholder="all")
        intents = urlstate.multiselect("Intent", category_options(turns, "intent"), "f_intent",
                                       "intent", placeholder="all")
        key, values = pick_attribute(full)
    filters = Filters(since=since, until=until, bot_ids=tuple(bots), alias_names=tuple(aliases),
                      locales=tuple(locales), versions=tuple(versions), input_modes=tuple(modes),
                      intents=tuple(intents), attribute_key=key, attribute_values=values)
    return filters, tz


def rejection_table(full: LogData) -> pd.DataFrame:
    """[file, line, reason, text] of every rejected line (text cut to 300 characters)."""
    rows = [(r.source, r.line, r.reason, r.text[:300]) for r in full.report.rejections]
    return pd.DataFrame(rows, columns=["file", "line", "reason", "text"])


def render_load_report(full: LogData) -> None:
    """Lines read, records, rejected count (always shown) and the reasons."""
    report = full.report
    st.sidebar.caption(f"{report.lines:,} lines read · {report.accepted:,} records · "
                       f"{report.duplicates:,} duplicates · {report.rejected:,} rejected")
    if report.rejected:
        with st.sidebar.expander(f"Rejected lines ({report.rejected:,})"):
            st.dataframe(rejection_table(full), hide_index=True, height=240)


def render_sidebar(settings: ServeSettings) -> View:
    """Source, filters and load report; stops the page with a message when nothing loads."""
    paths = pick_source(settings)
    try:
        stamp, full = load_source(paths)
    except LexlensError as error:
        render_source_error(str(error))
    except Exception as error:  # a file that breaks the reader must not show a traceback
        render_source_error(f"could not read the logs ({type(error).__name__}).")
    render_load_report(full)
    if full.turns.empty:
        st.warning("No Lex V2 conversation-log records in this source: "
                   f"{full.report.lines:,} lines read, {full.report.rejected:,} rejected. "
                   "The sidebar lists the reasons.")
        st.stop()
    filters, tz = render_filters(full)
    urlstate.write_url()
    return make_view(stamp, full, filters, tz)


def render_source_error(message: str) -> None:
    urlstate.write_url()
    st.error(f"Cannot load this source: {escape_markdown(message)} Pick another file or folder in the sidebar.")
    st.stop()
