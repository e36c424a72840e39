"""The writer panel (issue 5): placeholder."""
import streamlit as st


def render_writer_panel(view, missed):
    st.subheader("Add missed utterances to a bot")
