"""The sidebar's *Test traffic* expander: aliases, versions and attribute values to leave out of
every page (defaults: ``lexlens serve --exclude-*``), kept in the URL, and a note saying what is
excluded and how many turns that removed."""
from __future__ import annotations

from dataclasses import replace

import streamlit as st

from lexlens.analytics.filters import Filters, count_excluded
from lexlens.analytics.schema import LogData
from lexlens.dashboard import urlstate
from lexlens.dashboard.safe import escape_markdown, show_bidi
from lexlens.dashboard.settings import ServeSettings

SEPARATOR = ";"


def options_of(choices: dict, columns: tuple[str, ...], extra: tuple[str, ...]) -> list[str]:
    """The values of ``columns`` in the load (``dashboard.sidebar.filter_choices``) and ``extra``, sorted."""
    values = {value for column in columns for value in choices[column]}
    return sorted(values | set(extra))


def parse_pairs(text: str) -> tuple[tuple[tuple[str, str], ...], list[str]]:
    """(key, value) pairs from ``KEY=VALUE;KEY=VALUE`` and the parts that are not pairs."""
    pairs, bad = [], []
    for part in (p.strip() for p in text.split(SEPARATOR)):
        key, equals, value = part.partition("=")
        if part and (not equals or not key.strip()):
            bad.append(part)
        elif part:
            pairs.append((key.strip(), value.strip()))
    return tuple(pairs), bad


def render_exclusions(full: LogData, filters: Filters, settings: ServeSettings, choices: dict) -> Filters:
    """``filters`` with the exclusions picked in the sidebar (``choices``: what the load holds,
    ``dashboard.sidebar.filter_choices``)."""
    with st.sidebar.expander("Test traffic: leave out", expanded=False):
        aliases = urlstate.multiselect("Aliases (name or id)", options_of(choices, ("alias_name", "alias_id"),
                                                                       settings.exclude_aliases),
                                       "xalias", default=settings.exclude_aliases, placeholder="e.g. TSTALIASID")
        versions = urlstate.multiselect("Versions", options_of(choices, ("bot_version",), settings.exclude_versions),
                                        "xversion", default=settings.exclude_versions, placeholder="e.g. DRAFT")
        text = urlstate.text_input("Sessions with attribute KEY=VALUE (several: separate with ;)", "xattr",
                                   SEPARATOR.join(settings.exclude_attributes), placeholder="testIndicator=true")
        pairs, bad = parse_pairs(text)
        if bad:
            st.warning(f"Not KEY=VALUE, ignored: {escape_markdown(', '.join(bad))}")
        st.caption("A session is left out whole when any of its turns carries the attribute, as a session "
                   "or a request attribute.")
    chosen = replace(filters, exclude_aliases=tuple(aliases), exclude_versions=tuple(versions),
                     exclude_attributes=pairs)
    render_exclusion_note(full, chosen)
    return chosen


def render_exclusion_note(full: LogData, filters: Filters) -> None:
    """What is excluded and how many turns of the source that removes (always in view). Its
    place is held when there is nothing to say: the sidebar's sections below it keep their
    places, and an open one stays open when the note appears (the browser redraws a section
    that moved, closed)."""
    slot = st.sidebar.empty()
    parts = ([f"alias {a}" for a in filters.exclude_aliases] + [f"version {v}" for v in filters.exclude_versions]
             + [f"{k}={v}" for k, v in filters.exclude_attributes])
    if not parts:
        return
    removed = count_excluded(full, filters)
    slot.caption(":material/filter_alt_off: " + escape_markdown(show_bidi(
        f"Test traffic left out ({', '.join(parts)}): {removed:,} of {len(full.turns):,} turns")))
