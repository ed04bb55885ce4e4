"""Database: what the database holds (counts of clinicians, clients, exports, records)."""

import streamlit as st

from dashboard import data, ui

st.title("Interlude")
st.caption("Between-session insights for therapists and clinical supervisors. "
           "Signals are for clinical review, not diagnosis.")

path = ui.database_or_stop(analyzed=False)

overview = data.caseload_overview(path).iloc[0]
cols = st.columns(4)
cols[0].metric("Clinicians", int(overview.providers))
cols[1].metric("Clients", int(overview.clients))
cols[2].metric("Exports received", int(overview.exports))
cols[3].metric("Check-ins", int(overview.checkins))
cols = st.columns(4)
cols[0].metric("Conversations", int(overview.conversations))
cols[1].metric("Messages", int(overview.messages))
cols[2].metric("Practices", int(overview.practices))
if overview.last_export_at is not None:
    cols[3].metric("Latest export", f"{overview.last_export_at:%d %b %Y}")
