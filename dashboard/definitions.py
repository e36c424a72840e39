"""The "How is this computed?" expanders: every text comes from the one glossary
(``lexlens.analytics.report.glossary``), which gathers each metric's definition from the module
that computes it, so the README, ``--help`` and the app agree.
"""
from __future__ import annotations

import streamlit as st

from lexlens.analytics.report.glossary import GLOSSARY, LEX_KEY_DEFINITIONS

DEFINITIONS = GLOSSARY


def explain(*topics: str, extra: dict | None = None) -> None:
    """A "How is this computed?" expander with the definitions of ``topics``."""
    texts = {**DEFINITIONS, **(extra or {})}
    with st.expander("How is this computed?"):
        for topic in topics:
            st.markdown(f"**{topic}.** {texts[topic]}")
        st.caption(f"Definitions follow Amazon Lex's analytics key definitions: {LEX_KEY_DEFINITIONS}")
