"""Today: the clinician's next appointments, one line per client, each opening its brief."""

from __future__ import annotations

import streamlit as st

from dashboard import briefing, data, ui

path = ui.database_or_stop()
user = ui.signed_in()
today = ui.today_picker(path)
clinician = ui.clinician_picker(path, user)

st.title("Today")
st.caption(f"{today:%A %-d %B %Y} · upcoming sessions for the next 7 days. " + ui.REVIEW_NOTE)

appointments = data.appointments(path, user)
status = data.caseload_status(path, user, today)
if clinician:
    appointments = appointments[appointments["provider_id"] == clinician]
    status = status[status["client_id"].isin(appointments["client_id"]) | (status["provider_id"] == clinician)]

# Urgent language anywhere in the caseload comes first, appointment or not: since the last
# session, or earlier and not yet reviewed. Clients with flags nobody has reviewed lead.
urgent = status[(status["risk_since"] == "urgent") | (status["unreviewed_urgent"] > 0)] if not status.empty else status
if len(urgent):
    with st.container(border=True):
        st.markdown("#### :material/emergency: Urgent risk language: since the last session, or not yet reviewed")
        for row in urgent.sort_values(["unreviewed_urgent", "unreviewed"], ascending=False, kind="stable").itertuples():
            state = briefing.unreviewed_words(row.unreviewed) if row.unreviewed else "all flags reviewed"
            st.page_link("views/brief.py", label=f"{ui.plain(row.display_name)} ({row.client_id}) · {state}: "
                                                 "open the brief",
                         icon=":material/priority_high:" if row.unreviewed else ":material/check_circle:",
                         query_params={"client": row.client_id})
        st.caption(ui.CRISIS_RESOURCES)

zones = sorted(set(data.clients(path, user)["timezone"]))
default_zone = briefing.clinic_timezone(status)
clinic_zone = st.sidebar.selectbox("Clinic time zone", zones, index=zones.index(default_zone) if default_zone in zones else 0,
                                   help="Session times and days are shown in this zone; each client's own "
                                        "local time follows when it differs.")
sessions = briefing.upcoming(status, appointments, today, tz=clinic_zone)
if sessions.empty:
    st.info("No appointments in the next 7 days. Appointments come from the clinic's calendar "
            "(a CSV `client_id, provider_id, starts_at` or an .ics file), ingested with the exports, "
            "and can be added on a client's brief.")
for day, rows in sessions.groupby("day", sort=True):
    st.subheader("Today" if day == today else f"{day:%A %-d %B}")
    for row in rows.itertuples():
        with st.container(border=True):
            left, right = st.columns([3, 1])
            badge = ui.risk_badge(row.risk_since, row.risk_basis_since)
            scope = " · summaries only" if row.scope == "summary" else ""
            earlier = " · :red[urgent flag on record]" if row.any_urgent and row.risk_since != "urgent" else ""
            if row.unreviewed:
                earlier += f" · :orange-background[{briefing.unreviewed_words(row.unreviewed)}]"
            theirs = "" if row.local_start.utcoffset() == row.start.utcoffset() else \
                f" ({row.local_start:%H:%M} their time)"
            left.markdown(f"**{row.start:%H:%M}**{theirs} · **{ui.plain(row.display_name)}** · {row.client_id}{scope} "
                          f"{badge}{earlier}")
            left.caption(briefing.status_line(row._asdict()))
            right.page_link("views/brief.py", label="Open brief", icon=":material/description:",
                            query_params={"client": row.client_id})
