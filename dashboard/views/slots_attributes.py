"""Slots & attributes: top slot values per intent x slot, session attribute values."""
import streamlit as st

from lexlens.analytics.metrics.attributes import compute_attribute_values, rank_attribute_keys
from lexlens.analytics.metrics.slots import compute_slot_values
from lexlens.dashboard import charts
from lexlens.dashboard.data import current_view, derive
from lexlens.dashboard.definitions import explain
from lexlens.dashboard.safe import plain_text
from lexlens.dashboard.tables import show_table

view = current_view()
st.title("Slots & attributes")
if view.turns.empty:
    st.info("No turns match the filters. Widen the date range or clear a filter in the sidebar.")
    st.stop()

st.subheader("Top slot values")
values = derive(view, "slot_values", lambda: compute_slot_values(view.data, 25))
if values.empty:
    st.info("No slots in the filtered turns.")
else:
    pairs = values[["intent", "slot"]].drop_duplicates()
    labels = [plain_text(f"{intent} · {slot}") for intent, slot in pairs.itertuples(index=False)]
    chosen = st.selectbox("Intent · slot", range(len(labels)), format_func=labels.__getitem__,
                          key="slot_pair")
    intent, slot = pairs.iloc[chosen]
    part = values[(values["intent"] == intent) & (values["slot"] == slot)]
    charts.show_chart(charts.bars(part, "value", "sessions", "Top values of the chosen slot",
                                  "Value", "Sessions"), "slot_values")
    show_table(values, "slot_values", caption="top 25 values per intent x slot")
explain("Slot values")

st.subheader("Session attribute values")
attributes = derive(view, "attribute_values", lambda: compute_attribute_values(view.data, 25))
if attributes.empty:
    st.info("No session attributes in the filtered turns.")
else:
    ranked = derive(view, "attribute_keys", lambda: rank_attribute_keys(view.data))
    keys = ranked["key"].tolist()  # ids such as a ContactId last: never the default
    unique = set(ranked.loc[ranked["high_cardinality"], "key"])
    key = st.selectbox("Attribute", keys, key="attribute_key",
                       format_func=lambda k: plain_text(k + (" (nearly one value per session)" if k in unique else "")))
    part = attributes[attributes["key"] == key]
    charts.show_chart(charts.bars(part, "value", "sessions", "Top values of the chosen attribute",
                                  "Value", "Sessions"), "attribute_values")
    show_table(attributes, "session_attributes", caption="top 25 values per key")
explain("Session attributes")
