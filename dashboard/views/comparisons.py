"""Comparisons: two time windows, versions, aliases or locales side by side, with a
two-proportion z-test on rates; returning users (issue 6)."""
import datetime as dt

import streamlit as st

from lexlens.analytics.metrics import compare
from lexlens.analytics.schema import distinct_texts
from lexlens.dashboard.data import current_view, derive
from lexlens.dashboard.date_range import local_midnight
from lexlens.dashboard.definitions import explain
from lexlens.dashboard.formats import format_percent, readable_comparison
from lexlens.dashboard.outcome_settings import view_outcomes
from lexlens.dashboard.safe import escape_markdown, show_bidi
from lexlens.dashboard.tables import show_table

DIMENSIONS = {"Two time windows": None, "Two versions": "bot_version", "Two aliases": "alias_name",
              "Two locales": "locale"}

view = current_view()
st.title("Comparisons")
if view.turns.empty:
    st.info("No turns match the filters. Widen the date range or clear a filter in the sidebar.")
    st.stop()
idle, escalation = view.outcome.idle_timeout_s, view.outcome.escalation
mode = st.radio("Compare", list(DIMENSIONS), horizontal=True, key="compare_mode")
column = DIMENSIONS[mode]
left, right = st.columns(2)
if column is None:
    local = view.turns["time"].dt.tz_convert(view.tz)
    first, last = local.min().date(), local.max().date()
    middle = first + (last - first) / 2
    a = left.date_input("Window A", (first, middle), key="cmp_a")
    b = right.date_input("Window B", (middle + dt.timedelta(days=1), last), key="cmp_b")
    if len(a) != 2 or len(b) != 2:
        st.info("Pick a start and an end date for both windows.")
        st.stop()
    bounds = [(local_midnight(w[0], view.tz), local_midnight(w[1] + dt.timedelta(days=1), view.tz)) for w in (a, b)]
    labels = [f"{w[0]} – {w[1]}" for w in (a, b)]
    slices = [compare.slice_window(view.data, *bound) for bound in bounds]
else:
    values = distinct_texts(view.turns[column])
    if len(values) < 2:
        st.info(f"The filtered turns hold one value of {escape_markdown(column)} only; nothing to compare.")
        st.stop()
    labels = [left.selectbox("A", values, 0, key="cmp_va", format_func=show_bidi),
              right.selectbox("B", values, 1, key="cmp_vb", format_func=show_bidi)]
    slices = [compare.slice_value(view.data, column, value) for value in labels]
kpis = [derive(view, "compare_kpis", lambda s=s: compare.compute_kpis(s, idle, escalation), mode, label, idle,
               escalation) for s, label in zip(slices, labels)]
table = readable_comparison(compare.compare_kpis(*kpis), compare.KPI_LABELS)
st.caption(f"A = {escape_markdown(labels[0])} · B = {escape_markdown(labels[1])}")  # values from the logs
show_table(table, "comparison")
if escalation is None:
    st.caption("Containment needs an escalation marker: set one under Outcome settings in the sidebar.")
explain("Comparison")

st.subheader("Returning users")
keys = (["session_id"] + distinct_texts(view.full.attributes["key"])
        + [compare.REQUEST_KEY_PREFIX + k for k in distinct_texts(view.full.request_attributes["key"])])


def describe_key(k: str) -> str:
    if k == "session_id":
        return "Lex sessionId"
    if k.startswith(compare.REQUEST_KEY_PREFIX):
        return f"request attribute {k[len(compare.REQUEST_KEY_PREFIX):]}"
    return f"session attribute {k}"


left, right = st.columns(2)
key = left.selectbox("Identify users by", keys, key="ru_key", format_func=describe_key)
hours = right.number_input("Repeat contact within (hours)", 1.0, 720.0, 24.0, key="ru_hours")
users, summary = derive(view, "returning", lambda: compare.compute_returning_users(
    view.data, key, hours, outcomes=view_outcomes(view)), key, hours, idle, escalation)
tiles = st.columns(4)
for tile, (label, name) in zip(tiles, [("Users", "users"), ("New users", "new_users"),
                                       ("Returning users", "returning_users"), ("Repeat contacts", "repeat_contacts")]):
    tile.metric(label, f"{summary[name]:,}", border=True)
st.caption(f"Repeat-contact rate: {format_percent(summary.get('repeat_contact_rate'))} of conversations · "
           f"{summary['unidentified']:,} conversations without the key left out")
shown = users.head(2000)[["user", "session_id", "nth", "start", "end", "since_previous_h", "repeat_contact",
                          "conversation"]]
shown = shown.assign(start=shown["start"].dt.tz_convert(view.tz), end=shown["end"].dt.tz_convert(view.tz),
                     since_previous_h=shown["since_previous_h"].round(1))
show_table(shown, "returning_users", session_column="session_id",
           column_config={"nth": st.column_config.NumberColumn("contact #", format="%d"),
                          "since_previous_h": st.column_config.NumberColumn("hours since previous", format="%.1f")},
           caption="at most 2,000 conversations")
explain("Returning users")
