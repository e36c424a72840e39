"""The sidebar's date range: two text boxes (From, To) and a calendar beside them.

Streamlit's date field only applies a typed date when the focus leaves the whole widget
(not on Enter, and Tab from the last segment stays inside it), so typing is done in text
boxes, which apply on Enter and on Tab, and the calendar fills them in. Empty boxes mean
the first and the last day of the data. Whatever a box or a link holds, the range is
clamped to the data (a note says so), so no date can break the page.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from lexlens.dashboard import urlstate
from lexlens.dashboard.safe import escape_markdown

FROM_PARAM, TO_PARAM = "from", "to"
CALENDAR_KEY = "date_calendar"
LEGACY_PARAM = "dates"  # links made before the two boxes: ?dates=A&dates=B


@dataclass(frozen=True)
class DateChoice:
    """The local days chosen (inclusive) and what had to be corrected to get them."""

    start: dt.date
    end: dt.date
    notes: tuple[str, ...] = ()

    def is_whole(self, bounds: tuple[dt.date, dt.date]) -> bool:
        return (self.start, self.end) == bounds


def parse_day(text: str) -> dt.date | None:
    """A day from 'YYYY-MM-DD' (or with slashes); None when the text is not one."""
    try:
        return dt.date.fromisoformat(text.strip().replace("/", "-"))
    except ValueError:
        return None


def resolve_dates(start_text: str, end_text: str, first: dt.date, last: dt.date) -> DateChoice:
    """The range the two boxes ask for, inside [first, last]; an empty box means that bound,
    a text that is not a date is ignored, a day outside the data is clamped, and reversed
    days are swapped, each with a note."""
    notes = []
    days = []
    for label, text, bound in (("From", start_text, first), ("To", end_text, last)):
        day = parse_day(text) if text.strip() else bound
        if day is None:
            notes.append(f"{label} '{text.strip()}' is not a date (YYYY-MM-DD): ignored.")
            day = bound
        elif not first <= day <= last:
            clamped = min(max(day, first), last)
            notes.append(f"{label} {day} is outside the data ({first} – {last}): using {clamped}.")
            day = clamped
        days.append(day)
    start, end = days
    if start > end:
        notes.append(f"From {start} is after To {end}: the two were swapped.")
        start, end = end, start
    return DateChoice(start, end, tuple(notes))


def local_midnight(day: dt.date, tz: str) -> pd.Timestamp:
    return pd.Timestamp(day).tz_localize(tz, nonexistent="shift_forward", ambiguous=False)


def adopt_legacy_link() -> None:
    """Turn an older link's ``dates=A&dates=B`` into the two boxes (and drop it from the URL)."""
    old = urlstate.url_values(LEGACY_PARAM)
    if old:
        for param, text in zip((FROM_PARAM, TO_PARAM), old[:2]):
            st.session_state.setdefault(param, text)
        urlstate.remember(LEGACY_PARAM, None)


def apply_calendar(bounds: tuple[dt.date, dt.date]) -> None:
    """Callback of the calendar: copy a complete pick into the boxes (a bound as empty)."""
    picked = st.session_state.get(CALENDAR_KEY) or ()
    if len(picked) != 2:
        return
    st.session_state[FROM_PARAM] = "" if picked[0] == bounds[0] else picked[0].isoformat()
    st.session_state[TO_PARAM] = "" if picked[1] == bounds[1] else picked[1].isoformat()


def pick_dates(bounds: tuple[dt.date, dt.date]) -> DateChoice:
    """From and To boxes (kept in the URL) and a calendar; returns the resolved range."""
    first, last = bounds
    adopt_legacy_link()
    st.markdown("**Dates**", help=f"Local days in the chosen time zone; the data runs from {first} to "
                                  f"{last}. Type YYYY-MM-DD and press Enter or Tab, or pick on the "
                                  "calendar. An empty box means the first or last day.")
    left, right, calendar = st.columns([5, 5, 2], vertical_alignment="bottom")
    with left:
        start_text = urlstate.text_input("From", FROM_PARAM, placeholder=str(first))
    with right:
        end_text = urlstate.text_input("To", TO_PARAM, placeholder=str(last))
    choice = resolve_dates(start_text, end_text, first, last)
    with calendar.popover("", icon=":material/calendar_month:", help="Pick the dates on a calendar"):
        st.session_state[CALENDAR_KEY] = (choice.start, choice.end)
        st.date_input("Dates", min_value=first, max_value=last, key=CALENDAR_KEY, format="YYYY-MM-DD",
                      on_change=apply_calendar, args=(bounds,))
    for note in choice.notes:
        st.warning(escape_markdown(note), icon=":material/event_busy:")
    return choice
