"""A gate the app's first lines wait at while ``lexlens.dashboard.prewarm`` imports the data
libraries in its own thread.

``lexlens serve`` starts listening before pandas, pyarrow and plotly are imported (0.3 s sooner),
and its prewarm thread imports them meanwhile. A page run must not import them beside that
thread: plotly and narwhals look pandas up in ``sys.modules``, where another thread's import
may have left it half made (this crashed the server once in a few starts). So the app waits
here until the thread has imported them whole. Without the prewarm thread (``streamlit run``,
``AppTest``) the gate was never closed and nothing waits.
"""
from __future__ import annotations

import threading

IMPORT_TIMEOUT_S = 120.0  # imports take well under a second; a stuck thread must not hang the app
_closed = False
_opened = threading.Event()


def close() -> None:
    """Called before the importing thread starts."""
    global _closed
    _closed = True


def open_() -> None:
    """Called by the importing thread once the libraries are imported (or failed to)."""
    _opened.set()


def wait() -> None:
    """Return once the gate is open (at once when it was never closed)."""
    if _closed:
        _opened.wait(IMPORT_TIMEOUT_S)
