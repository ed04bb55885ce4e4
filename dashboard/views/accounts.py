"""Accounts (admins): who can sign in, with which role. Changes are made on the command line
(`python -m pipelines users ...`), where a password never passes through a browser form."""

from __future__ import annotations

import streamlit as st

from dashboard import data, ui

path = ui.database_or_stop(analyzed=False)
user = ui.signed_in()
st.title("Accounts")
st.caption("Add, disable or reset with `python -m pipelines users add|disable|reset NAME --db DB`.")
st.dataframe(data.accounts(path, user).rename(columns={
    "username": "User", "role": "Role", "provider_id": "Provider", "supervises": "Supervises", "email": "Email",
    "disabled": "Disabled", "failed_attempts": "Failed sign-ins", "locked_until": "Locked until"}),
    hide_index=True, width="stretch")
