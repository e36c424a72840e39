"""The shared sidebar: source, filters (kept in the URL), and what the load rejected."""
from __future__ import annotations

import datetime as dt
from zoneinfo import available_timezones

import numpy as np
import pandas as pd
import streamlit as st

from lexlens.analytics.metrics.attributes import attribute_keys
from lexlens.analytics.errors import LexlensError
from lexlens.analytics.filters import Filters
from lexlens.analytics.schema import LogData, distinct_texts
from lexlens.dashboard import urlstate
from lexlens.dashboard.access import is_loopback
from lexlens.dashboard.data import View, load_source, make_view, save_uploads
from lexlens.dashboard.date_range import DateChoice, local_midnight, pick_dates
from lexlens.dashboard.engine_label import ORIGIN
from lexlens.dashboard.formats import plural
from lexlens.dashboard.insights_source import InsightsRun, InsightsView, drilled_slice
from lexlens.dashboard.outcome_settings import render_outcome_settings
from lexlens.dashboard.safe import escape_markdown, show_bidi
from lexlens.dashboard.settings import ServeSettings

PATH_SEPARATOR = ";"
ALL_ZONES = sorted(available_timezones())
MAX_ATTRIBUTE_VALUES = 500
UPLOADS_STATE = "uploaded_folders"  # session state: this visitor's own upload folders


def default_sources(settings: ServeSettings) -> tuple[str, ...]:
    """What ``lexlens serve`` was given, else the bundled demo logs (no AWS needed)."""
    if settings.sources:
        return settings.sources
    from lexlens.sample_logs import DEMO_LOG

    return (str(DEMO_LOG),)


def pick_source(settings: ServeSettings) -> tuple[str, ...] | InsightsRun:
    """The paths to load: an upload, a CloudWatch pull (or Logs Insights run), or the path box (in the URL); a path
    the operator did not allow stops the page with one sentence, before anything is read."""
    default = PATH_SEPARATOR.join(default_sources(settings))
    with st.sidebar.expander("Source", expanded=False):
        urlstate.seed_from_url("f_src", "src", lambda raw: raw[0])
        st.session_state.setdefault("f_src", default)
        text = st.text_input("Log file or folder (several: separate with ;)", key="f_src")
        urlstate.remember("src", text.strip(), default)
        uploads = st.file_uploader("…or upload JSONL / .gz logs", accept_multiple_files=True,
                                   type=["jsonl", "json", "gz", "log", "txt"], key="f_upload")
        from lexlens.dashboard.cloudwatch_panel import render_cloudwatch_source

        pulled = render_cloudwatch_source(settings)
    from lexlens.dashboard.live import render_live_status

    render_live_status()
    render_redaction_note()
    if uploads:
        folder = save_uploads(uploads)
        st.session_state[UPLOADS_STATE] = tuple(set(st.session_state.get(UPLOADS_STATE, ())) | set(folder))
        return folder
    if pulled:
        st.session_state[ORIGIN] = "pulled"
        return pulled
    st.session_state.pop(ORIGIN, None)
    paths = source_paths(text or default)
    refuse_outside(paths, settings)
    return paths


def source_paths(text: str) -> tuple[str, ...]:
    """The paths of the path box's text (several separated by PATH_SEPARATOR)."""
    return tuple(part.strip() for part in text.split(PATH_SEPARATOR) if part.strip())


def refuse_outside(paths: tuple[str, ...], settings: ServeSettings) -> None:
    """Stop the page with ``access.REFUSAL`` unless every path, and every file found below
    it, is one the operator allowed (symlinks and ``..`` resolved first)."""
    from lexlens.analytics.sources.files import find_log_files
    from lexlens.dashboard.access import REFUSAL, allowed_locations, path_allowed, read_access

    access = read_access()
    if not access.served and is_loopback(st.get_option("server.address")):
        return  # ``streamlit run`` on this machine only: the free path box of a local tool
    from lexlens.sample_logs import DEMO_LOG

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
    from lexlens.dashboard.access import read_redaction
    from lexlens.dashboard.data import redaction_rules

    options = read_redaction()
    if options is not None:
        st.sidebar.caption(":material/visibility_off: " + escape_markdown(redaction_rules(options).describe()))


def local_bounds(turns: pd.DataFrame, tz: str) -> tuple[dt.date, dt.date]:
    if turns.empty:
        today = dt.date.today()
        return today, today
    local = turns["time"].dt.tz_convert(tz)
    return local.min().date(), local.max().date()


def time_window(choice: DateChoice, bounds, tz: str) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """The filter's [since, until) for the chosen local days; the whole range means none."""
    if choice.is_whole(bounds):
        return None, None
    return local_midnight(choice.start, tz), local_midnight(choice.end + dt.timedelta(days=1), tz)


def distinct_pairs(turns: pd.DataFrame, first: str, second: str) -> pd.DataFrame:
    """The distinct (first, second) pairs of two categorical columns, as text, from their codes."""
    if turns.empty:
        return pd.DataFrame({first: pd.Series(dtype=object), second: pd.Series(dtype=object)})
    one, two = turns[first].cat, turns[second].cat
    width = len(two.categories) + 1
    pairs = np.unique((one.codes.to_numpy().astype("int64") + 1) * width + two.codes.to_numpy() + 1)
    return pd.DataFrame({first: texts_of_codes(one.categories, pairs // width - 1),
                         second: texts_of_codes(two.categories, pairs % width - 1)})


def texts_of_codes(categories: pd.Index, codes: np.ndarray) -> np.ndarray:
    """Category texts by code; a missing value (-1) is 'nan', as ``astype(str)`` writes it."""
    names = np.asarray([str(value) for value in categories] + ["nan"], dtype=object)
    return names[codes]


def bot_labels(turns: pd.DataFrame) -> dict[str, str]:
    """Label -> bot id: the bot's name, with its id when two bots share a name (the URL
    holds the label, so a link reads ?bot=BankerBot)."""
    pairs = distinct_pairs(turns, "bot_name", "bot_id")
    shared = pairs["bot_name"].duplicated(keep=False)
    labels = pairs["bot_name"].where(~shared, pairs["bot_name"] + " (" + pairs["bot_id"] + ")")
    return dict(sorted(zip(labels, pairs["bot_id"])))


def category_options(turns: pd.DataFrame, column: str) -> list[str]:
    """The non-empty values of a column, sorted; of a categorical, the categories in use (from
    its codes: converting a million rows to text on every rerun took a tenth of a second)."""
    return [value for value in distinct_texts(turns[column]) if value]


def pick_attribute(full: LogData, keys: list[str]) -> tuple[str | None, tuple[str, ...]]:
    key = urlstate.selectbox("Session attribute", [""] + keys, "akey", "",
                             format_func=lambda k: show_bidi(k) or "(any)")
    if not key:
        return None, ()
    values = full.attributes.loc[full.attributes["key"] == key, "value"].value_counts()
    options = [str(v) for v in values.index[:MAX_ATTRIBUTE_VALUES]]
    chosen = urlstate.multiselect(f"Values of {escape_markdown(key)}", options, "aval",
                                  placeholder="any value")
    return key, tuple(chosen)


CHOICE_COLUMNS = ("alias_name", "alias_id", "locale", "bot_version", "input_mode", "intent")


@st.cache_resource(max_entries=8, show_spinner=False)
def filter_choices(stamp: tuple, _full: LogData) -> dict:
    """What the filters, the exclusions and the outcome settings offer for one load (``stamp``:
    a load is read once per stamp, see ``dashboard.data.load_stamped``): computed once, not on
    every rerun of every visitor. {"bots": {label: id}, column: [non-empty values],
    "attribute_keys": [keys]}."""
    turns = _full.turns
    return {"bots": bot_labels(turns), **{column: category_options(turns, column) for column in CHOICE_COLUMNS},
            "attribute_keys": attribute_keys(_full)}


def render_filters(full: LogData, stamp: tuple) -> tuple[Filters, str]:
    """Every shared filter (each kept in the URL); returns the Filters and the time zone."""
    turns = full.turns
    choices = filter_choices(stamp, full)
    st.sidebar.subheader("Filters")
    with st.sidebar:
        tz = urlstate.selectbox("Time zone", ALL_ZONES, "tz", "UTC")
        bounds = local_bounds(turns, tz)
        since, until = time_window(pick_dates(bounds), bounds, tz)
        labels = choices["bots"]
        bots = [labels[label] for label in urlstate.multiselect("Bot", list(labels), "bot", placeholder="all")]
        aliases = urlstate.multiselect("Alias", choices["alias_name"], "alias", placeholder="all")
        locales = urlstate.multiselect("Locale", choices["locale"], "locale", placeholder="all")
        versions = urlstate.multiselect("Version", choices["bot_version"], "version", placeholder="all")
        modes = urlstate.multiselect("Input mode", choices["input_mode"], "mode", placeholder="all")
        intents = urlstate.multiselect("Intent", choices["intent"], "intent", placeholder="all")
        key, values = pick_attribute(full, choices["attribute_keys"])
    filters = Filters(since=since, until=until, bot_ids=tuple(bots), alias_names=tuple(aliases),
                      locales=tuple(locales), versions=tuple(versions), input_modes=tuple(modes),
                      intents=tuple(intents), attribute_key=key, attribute_values=values)
    return filters, tz


def rejection_table(full: LogData) -> pd.DataFrame:
    """[file, line, reason, text] of every rejected line (text cut to 300 characters)."""
    rows = [(r.source, r.line, r.reason, r.text[:300]) for r in full.report.rejections]
    return pd.DataFrame(rows, columns=["file", "line", "reason", "text"])


def load_report_sentence(report) -> str:
    """'1 line read · 1 record · 0 blank · 0 duplicates · 0 rejected'."""
    return " · ".join([f"{plural(report.lines, 'line')} read", plural(report.accepted, "record"),
                       f"{report.blank:,} blank", plural(report.duplicates, "duplicate"),
                       f"{report.rejected:,} rejected"])


def render_load_report(full: LogData) -> None:
    """Lines read and what became of each (records, blank, duplicates, rejected: they add up to
    the lines), always shown, and the reasons of the rejected."""
    report = full.report
    st.sidebar.caption(load_report_sentence(report))
    if report.rejected:
        with st.sidebar.expander(f"Rejected lines ({report.rejected:,})"):
            st.dataframe(rejection_table(full), hide_index=True, height=240)


def render_sidebar(settings: ServeSettings) -> View:
    """Source, filters and load report; stops the page with a message when nothing loads. With the
    Logs Insights engine, an ``InsightsView`` (or, on the Session explorer after a drill-down, the
    drilled session's turns loaded like any file)."""
    paths = pick_source(settings)
    if isinstance(paths, InsightsRun):
        drilled = drilled_slice(paths, st.session_state.get("page_slug", ""))
        if drilled is None:
            return render_insights_sidebar(paths)
        st.session_state[ORIGIN] = "drilled"
        render_drilled_banner(drilled)
        paths = (drilled["path"],)
    try:
        stamp, full = load_source(paths)
    except LexlensError as error:
        render_source_error(str(error))
    except Exception as error:  # a file that breaks the reader must not show a traceback
        render_source_error(f"could not read the logs ({type(error).__name__}).")
    render_load_report(full)
    if full.turns.empty and len(full.server_responses):
        from lexlens.analytics.ingest.server_responses import describe_only_server_responses

        st.warning(describe_only_server_responses(len(full.server_responses)).capitalize())
        st.stop()
    if full.turns.empty:
        st.warning("No Lex V2 conversation-log records in this source: "
                   f"{plural(full.report.lines, 'line')} read, {full.report.rejected:,} rejected. "
                   "The sidebar lists the reasons.")
        st.stop()
    filters, tz = render_filters(full, stamp)
    from lexlens.dashboard.exclusions import render_exclusions

    choices = filter_choices(stamp, full)
    filters = render_exclusions(full, filters, settings, choices)
    outcome = render_outcome_settings(settings, choices)
    urlstate.write_url()
    return make_view(stamp, full, filters, tz, outcome)


def render_drilled_banner(drilled: dict) -> None:
    """Over the transcript of a drilled session: where its turns came from, and the way back."""
    st.info(escape_markdown(f"Session {drilled['session_id']}: its turns were pulled from CloudWatch Logs by a "
                            "Logs Insights drill-down; the other pages show the Logs Insights results."))
    if st.button("Back to the Logs Insights results", key="drilled_back", icon=":material/arrow_back:"):
        st.switch_page(drilled["back"])


def render_insights_sidebar(run: InsightsRun) -> InsightsView:
    """The time zone (heatmaps and times) and what Logs Insights computed, for the Insights pages."""
    from lexlens.analytics.timewindow import format_ms

    st.sidebar.subheader("Filters")
    with st.sidebar:
        tz = urlstate.selectbox("Time zone", ALL_ZONES, "tz", "UTC")
    st.sidebar.caption(f"Logs Insights computed {', '.join(escape_markdown(g) for g in run.groups)} from "
                       f"{format_ms(run.since_ms)} to {format_ms(run.until_ms)}. Bot, alias, locale and the other "
                       "filters apply to pulled records (engine Local).")
    urlstate.write_url()
    return InsightsView(run, tz)


def render_source_error(message: str) -> None:
    urlstate.write_url()
    st.error(f"Cannot load this source: {escape_markdown(message)} Pick another file or folder in the sidebar.")
    st.stop()
