"""lexlens dashboard: page config, the shared sidebar, and navigation over the pages.

Run with ``lexlens serve [SOURCE...]`` or ``streamlit run dashboard/app.py``.
"""
import sys
from pathlib import Path

try:
    import dashboard  # noqa: F401  (installed package)
except ImportError:  # run from a checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import streamlit as st

from dashboard.links import follow_pending_link
from dashboard.pagelist import PAGES
from dashboard.settings import read_settings
from dashboard.sidebar import render_sidebar

st.set_page_config(page_title="lexlens", page_icon=":material/insights:", layout="wide")
# Tables have lexlens's formula-safe CSV button; Streamlit's toolbar download would export log
# text raw. `lexlens serve` passes this on the command line (in effect from the first page);
# here it covers `streamlit run dashboard/app.py` from the second run of the process on.
st.set_option("client.disableDataExport", True)
page = st.navigation([st.Page(path, title=title, icon=icon, url_path=url_path, default=index == 0)
                      for index, (path, title, icon, url_path) in enumerate(PAGES)])
follow_pending_link(page)  # a row picked in a table of sessions: open its transcript
st.sidebar.title("lexlens")
settings = read_settings()
st.session_state["settings"] = settings
st.session_state["view"] = render_sidebar(settings)
page.run()
