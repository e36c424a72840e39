"""Settings that live in the URL query string, so a view can be shared, and that survive a
page switch.

Each setting is a keyed widget (the key is the query parameter's name) with
``persist_state="session"``. Why: a page switch requested from Python (``st.switch_page``,
the drill-down to a transcript) re-runs the app with no widget states, and Streamlit drops
the value of every widget that is not persisted; keeping the sidebar in plain widgets lost
the time zone and the dates on every drill-down (issue 10). Streamlit's own URL binding
(``bind="query-params"``) keeps values too, but ``st.switch_page`` clears the bound
parameters and each widget then adds its own back, one browser-history entry each, so Back
undid the settings one by one instead of returning to the previous page.

So the URL is written by hand, in one update per run: ``seed_from_url`` puts the URL's value
into the widget's state when it has none (a session's first run), ``remember`` queues the
value after the widget ran, and ``write_url`` writes every queued value at once.
``forwarded_params`` is the whole query string, for a page switch to pass on.
"""
from __future__ import annotations

from typing import Callable, Iterable, Sequence

import streamlit as st

from lexlens.dashboard.safe import escape_markdown, show_bidi

URL_VALUES = "_url_values"  # param -> value to write back at the end of the run
PERSIST = "session"  # keep a setting's value across page switches


def url_values(param: str) -> list[str]:
    return [value for value in st.query_params.get_all(param) if value != ""]


def seed_from_url(key: str, param: str, parse: Callable[[list[str]], object]) -> None:
    """Put the URL's value for ``param`` into ``st.session_state[key]`` when the widget has
    no state (a session's first run, or a value Streamlit dropped); ``parse`` returns None
    for a value it rejects."""
    if key in st.session_state:
        return
    raw = url_values(param)
    if raw:
        value = parse(raw)
        if value is not None:
            st.session_state[key] = value


def remember(param: str, value: str | Iterable[str] | None, default=None) -> None:
    """Queue ``param`` for the URL (None or the default removes it)."""
    if isinstance(value, (list, tuple)):
        value = [str(item) for item in value] or None
    if isinstance(default, (list, tuple)):
        default = [str(item) for item in default] or None
    if value == default:
        value = None
    st.session_state.setdefault(URL_VALUES, {})[param] = value


def wanted_params() -> dict[str, list[str]]:
    """The query string this run should leave: the current one with the queued values."""
    wanted = {param: st.query_params.get_all(param) for param in st.query_params}
    for param, value in st.session_state.get(URL_VALUES, {}).items():
        if value is None:
            wanted.pop(param, None)
        else:
            wanted[param] = value if isinstance(value, list) else [value]
    return wanted


def write_url() -> None:
    """Write the queued values into the URL in one update (one browser-history entry)."""
    wanted = wanted_params()
    current = {param: st.query_params.get_all(param) for param in st.query_params}
    if wanted != current:
        st.query_params.from_dict({param: values if len(values) > 1 else values[0]
                                   for param, values in wanted.items() if values})


def forwarded_params() -> list[tuple[str, str]]:
    """Every parameter of the URL as pairs (repeated ones repeated), for ``st.switch_page``."""
    return [(param, value) for param in st.query_params for value in st.query_params.get_all(param)]


def linked_values(key: str, param: str) -> list[str]:
    """The URL's values for ``param`` that will seed widget ``key`` (none once it has state)."""
    return [] if key in st.session_state else url_values(param)


def say_ignored(label: str, values: Sequence[str]) -> None:
    """A note under a widget: values a link gave it that are not among its choices (a zone
    misspelt, a bot these logs do not hold) are ignored, not silently."""
    if values:
        shown = ", ".join(f"'{value[:60]}'" for value in values[:3]) + (" ..." if len(values) > 3 else "")
        st.warning(escape_markdown(f"{label} {shown} from the link is not among the choices: ignored."),
                   icon=":material/link_off:")


def multiselect(label: str, options: Sequence[str], param: str, default: Sequence[str] = (), **kwargs) -> list:
    """A multiselect kept in the URL as repeated ``param`` values (values that are not
    options are dropped, from the URL and from the default, with a note)."""
    allowed = set(options)
    ignored = [value for value in linked_values(param, param) if value not in allowed]
    seed_from_url(param, param, lambda raw: [value for value in raw if value in allowed] or None)
    st.session_state.setdefault(param, [value for value in default if value in allowed])
    prune_choices(param, allowed)
    kwargs.setdefault("format_func", show_bidi)  # options may be log text
    chosen = st.multiselect(label, options, key=param, persist_state=PERSIST, **kwargs)
    say_ignored(label, ignored)
    remember(param, chosen, [value for value in default if value in allowed])
    return chosen


def prune_choices(key: str, allowed: set) -> None:
    """Drop remembered choices that are not options any more (another source was picked)."""
    chosen = st.session_state[key]
    if isinstance(chosen, list) and any(value not in allowed for value in chosen):
        st.session_state[key] = [value for value in chosen if value in allowed]


def selectbox(label: str, options: Sequence[str], param: str, default: str, **kwargs) -> str:
    """A selectbox of strings kept in the URL (the default is left out); a linked value that
    is not an option is ignored, with a note."""
    ignored = [value for value in linked_values(param, param)[:1] if value not in options]
    seed_from_url(param, param, lambda raw: raw[0] if raw[0] in options else None)
    if st.session_state.get(param, default) not in options:
        st.session_state.pop(param, None)
    st.session_state.setdefault(param, default if default in options else options[0])
    kwargs.setdefault("format_func", show_bidi)  # options may be log text
    chosen = st.selectbox(label, options, key=param, persist_state=PERSIST, **kwargs)
    say_ignored(label, ignored)
    remember(param, chosen, default)
    return chosen


def text_input(label: str, param: str, default: str = "", **kwargs) -> str:
    """A text box kept in the URL; it applies on Enter and when the focus leaves it."""
    seed_from_url(param, param, lambda raw: raw[0])
    st.session_state.setdefault(param, default)
    text = st.text_input(label, key=param, persist_state=PERSIST, **kwargs)
    remember(param, text.strip(), default)
    return text


def number_input(label: str, param: str, low: int, high: int, default: int, **kwargs) -> int:
    """A whole-number box kept in the URL; a value outside [low, high] in a link is ignored."""
    seed_from_url(param, param, lambda raw: parse_whole(raw[0], low, high))
    st.session_state.setdefault(param, default)
    value = st.number_input(label, low, high, key=param, persist_state=PERSIST, **kwargs)
    remember(param, str(value), str(default))
    return value


def parse_whole(text: str, low: int, high: int) -> int | None:
    try:
        value = int(float(text))
    except (ValueError, OverflowError):
        return None
    return value if low <= value <= high else None
