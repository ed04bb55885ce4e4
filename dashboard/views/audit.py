"""Audit trail (admins): who did what, when, about which client; filter it, check the chain."""

from __future__ import annotations

from datetime import datetime, time, timezone

import streamlit as st

from dashboard import data, ui
from pipelines import audit

path = ui.database_or_stop(analyzed=False)
user = ui.signed_in()
st.title("Audit trail")
ui.once_per_session(path, user, "audit viewed", None)
check = data.audit_check(path, user)
if check.ok:
    st.success(f"{check.rows} rows, chain intact (head {check.head[:16]}). Note the head somewhere "
               "outside this database to anchor it.", icon=":material/verified:")
else:
    st.error("The chain is broken: " + "; ".join(check.problems), icon=":material/gpp_bad:")

left, middle, right, far = st.columns(4)
who = left.text_input("User")
action = middle.selectbox("Action", ["(any)"] + list(audit.ACTIONS))
client = right.text_input("Client id")
since = far.date_input("Since", value=None, format="DD/MM/YYYY")
rows = data.audit_trail(path, user, username=who.strip() or None,
                        action=None if action == "(any)" else action, client_id=client.strip() or None,
                        since=datetime.combine(since, time(), timezone.utc) if since else None)
st.caption(f"{len(rows)} row(s), newest first (at most 500).")
st.dataframe(rows.rename(columns={"seq": "#", "at": "When (UTC)", "username": "User", "action": "Action",
                                  "client_id": "Client", "detail": "Detail"}), hide_index=True, width="stretch")
