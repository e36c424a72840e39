"""lexlens dashboard: page config, sign-in, the shared sidebar, and navigation over the pages.

Run with ``lexlens serve [SOURCE...]`` or ``streamlit run dashboard/app.py``.
"""
from dataclasses import replace

import streamlit as st

from lexlens.dashboard import import_gate

import_gate.wait()  # lexlens serve: until its prewarm thread has imported pandas, pyarrow, plotly

from lexlens.dashboard.access import read_access
from lexlens.dashboard.failures import run_page
from lexlens.dashboard.insights_pages import run_insights_page
from lexlens.dashboard.insights_source import InsightsView
from lexlens.dashboard.links import drop_session_off_explorer, follow_pending_link
from lexlens.dashboard.pagelist import PAGES
from lexlens.dashboard.settings import read_settings
from lexlens.dashboard.sidebar import render_sidebar
from lexlens.dashboard.signin import render_sign_in_gate, render_signed_in, writes_allowed

st.set_page_config(page_title="lexlens", page_icon=":material/insights:", layout="wide")
# Tables have lexlens's formula-safe CSV button; Streamlit's toolbar download would export log
# text raw. `lexlens serve` passes this on the command line (in effect from the first page);
# here it covers `streamlit run dashboard/app.py` from the second run of the process on.
st.set_option("client.disableDataExport", True)
access = read_access()
email = render_sign_in_gate(access)  # an anonymous visitor gets the sign-in button, nothing else
page = st.navigation([st.Page(path, title=title, icon=icon, url_path=url_path, default=index == 0)
                      for index, (path, title, icon, url_path) in enumerate(PAGES)])
follow_pending_link(page)  # a row picked in a table of sessions: open its transcript
drop_session_off_explorer(page)
st.sidebar.title("lexlens")
render_signed_in(email)
settings = read_settings()
settings = replace(settings, allow_writes=writes_allowed(settings.allow_writes, access, email))
st.session_state["settings"] = settings
st.session_state["access"] = access
st.session_state["page_slug"] = page.url_path  # the sidebar opens a drilled session on the explorer only
st.session_state["view"] = render_sidebar(settings)
if isinstance(st.session_state["view"], InsightsView):
    run_insights_page(page)  # the pushed-down metrics of a Logs Insights run (issue 17)
else:
    run_page(page)
