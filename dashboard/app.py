"""Interlude: the Streamlit entry point. Pages live in dashboard/views/."""

import sys
from pathlib import Path

import streamlit as st

# `streamlit run dashboard/app.py` puts only dashboard/ on the import path.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dashboard.icon import app_icon  # noqa: E402

st.set_page_config(page_title="Interlude", page_icon=app_icon(), layout="wide")

pages = {
    "Clinician": [
        st.Page("views/today.py", title="Today", icon=":material/event:", default=True),
        st.Page("views/brief.py", title="Pre-session brief", icon=":material/description:", url_path="brief"),
        st.Page("views/explorer.py", title="Client explorer", icon=":material/travel_explore:",
                url_path="explorer"),
    ],
    "Data": [
        st.Page("views/database.py", title="Database", icon=":material/database:", url_path="database"),
    ],
}
st.navigation(pages).run()
