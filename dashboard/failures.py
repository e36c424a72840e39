"""A page that fails shows one sentence; the traceback goes to the server's log only, never to
a visitor (it names server paths). Streamlit's own error display is off as well
(``client.showErrorDetails = "none"`` in ``dashboard/.streamlit/config.toml``)."""
from __future__ import annotations

import logging

import streamlit as st

FAILURE = "This page failed to draw. The details are in the server's log."


def server_log() -> logging.Logger:
    """The ``lexlens.dashboard`` logger, writing to the server's stderr."""
    logger = logging.getLogger("lexlens.dashboard")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


def run_page(page) -> None:
    """``page.run()``; an exception is logged with its traceback and shown as one sentence
    (Streamlit's stop and rerun signals are not Exceptions and pass through)."""
    try:
        page.run()
    except Exception:
        server_log().exception("page %s failed", getattr(page, "url_path", "?"))
        st.error(FAILURE)
