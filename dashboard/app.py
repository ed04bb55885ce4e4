"""Interlude: the Streamlit entry point. Pages live in dashboard/views/."""

import sys
from pathlib import Path

import streamlit as st

# `streamlit run dashboard/app.py` puts only dashboard/ on the import path.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dashboard import auth, data, guard, ui  # noqa: E402
from dashboard.icon import app_icon  # noqa: E402

st.set_page_config(page_title="Interlude", page_icon=app_icon(), layout="wide")

# Signed in, or the sign-in form (dashboard/auth.py); pages by role.
path = ui.database_or_stop(analyzed=False)
# The app holds the database's one read-write connection and takes the writes the command
# line hands over (pipelines/writer.py): opened on the first page run of the process.
data.open_database()
user = auth.current_user(path)
if user is None:
    auth.sign_in_form(path)
    st.stop()
auth.sidebar(path, user)

clinical = [
    st.Page("views/today.py", title="Today", icon=":material/event:", default=True),
    st.Page("views/caseload.py", title="Caseload", icon=":material/groups:", url_path="caseload"),
    st.Page("views/brief.py", title="Pre-session brief", icon=":material/description:", url_path="brief"),
    st.Page("views/explorer.py", title="Client explorer", icon=":material/travel_explore:",
            url_path="explorer"),
]
database = st.Page("views/database.py", title="Database", icon=":material/database:", url_path="database",
                   default=user.role == "admin")
admin = [st.Page("views/audit.py", title="Audit trail", icon=":material/policy:", url_path="audit"),
         st.Page("views/accounts.py", title="Accounts", icon=":material/group:", url_path="accounts")]
# De-identified counts (views/overview.py): admins and supervisors. Upload: admins (any
# clinician's files) and therapists (their own). Consent withdrawal: admins.
overview = st.Page("views/overview.py", title="Practice overview", icon=":material/monitoring:", url_path="overview")
upload = st.Page("views/upload.py", title="Upload", icon=":material/upload_file:", url_path="upload")
forget = st.Page("views/forget.py", title="Consent withdrawal", icon=":material/person_remove:", url_path="forget")
if user.reads_client_content:
    pages = {"Clinician": clinical, "Data": [database] + ([upload] if user.role == "therapist" else [])}
    if user.role == "supervisor":
        pages["Practice"] = [overview]
else:
    pages = {"Admin": [database, overview, upload] + admin + [forget]}
guard.run(st.navigation(pages))
