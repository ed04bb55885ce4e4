"""Caseload: across a supervisor's supervisees' clients (or a therapist's own), who needs
attention and why, unreviewed risk flags by how long they have waited, each clinician's
caseload at per-client rates, and the themes rising across it. Lays out
dashboard.caseload_model; every number is computed there."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import caseload_model as cm
from dashboard import data, ui

path = ui.database_or_stop()
user = ui.signed_in()
st.title("Caseload")
if not user.reads_client_content:
    st.info("The caseload lists clients by name with their risk flags and trends: client content, "
            "which admin accounts do not read.", icon=":material/lock:")
    st.stop()

ui.once_per_session(path, user, "caseload viewed", None)
today = ui.today_picker(path)
clinician = ui.clinician_picker(path, user)
since, until = ui.period_picker(cm.default_period(today))
scope = ui.scope_picker()
model = data.caseload(path, user, today, cm.Filters(since, until, clinician, scope))
head = model.headline
supervisor = user.role == "supervisor"

shown = f"{head.n_clients} client{'' if head.n_clients == 1 else 's'}"
if scope:
    shown += f" ({cm.SCOPES[scope].lower()})"
st.caption(f"{shown} · {since:%-d %b} – {until:%-d %b %Y} · {ui.REVIEW_NOTE}")
if head.n_open_elsewhere:
    st.warning(f"{head.n_open_elsewhere} more unreviewed risk flag(s) belong to clients these filters leave out.",
               icon=":material/filter_alt:")
if head.n_clients == 0:
    st.info("No clients match these filters.")
    st.stop()

# --- headline figures --------------------------------------------------------------------
cols = st.columns(5)
cols[0].metric("Active clients", f"{head.n_active} of {head.n_clients}",
               help=f"Shared a check-in, conversation or practice between {since:%-d %b} and {until:%-d %b}.")
cols[1].metric("Sharing this week", f"{head.n_sharing_week} of {head.n_clients}",
               help=f"Shared anything in the 7 days to {until:%-d %b}.")
cols[2].metric("Unreviewed risk flags", head.n_open_flags,
               delta=f"{head.n_open_urgent} urgent" if head.n_open_urgent else None, delta_color="inverse",
               delta_arrow="off",
               help="Flags no clinician has marked reviewed yet, however old. Reviewed flags stay in each brief.")
cols[3].metric("Oldest unreviewed", "none" if head.oldest_open_days is None else cm.waited_words(head.oldest_open_days),
               help="How long the flag that has waited longest has gone without a review (from the day it was written).")
cols[4].metric("Worsening trend", head.n_worsening,
               help="Clients whose stress is rising or mood falling over their latest 8 weeks of check-ins "
                    "(the 95 % interval of the weekly change excludes no change).")

# --- who needs attention -----------------------------------------------------------------
st.subheader("Who needs attention")
st.caption("Unreviewed urgent flags first, then watch flags (longest waiting first), a worsening stress or mood "
           f"trend, a drop in engagement (the last {cm.RECENT_DAYS} days well below the client's own earlier rate), "
           f"and nothing shared for {cm.NO_DATA_MIN_DAYS}+ days since the last session.")
BADGES = {cm.URGENT_FLAG: ":red-background[:red[:material/emergency: **Urgent flag**]]",
          cm.WATCH_FLAG: ":orange-background[:orange[:material/warning: **Watch flag**]]",
          cm.WORSENING: ":violet-background[:violet[:material/trending_down: Worsening]]",
          cm.ENGAGEMENT_DROP: ":blue-background[:blue[:material/event_busy: Engagement]]",
          cm.NO_DATA: ":gray-background[:gray[:material/hourglass_empty: No data]]"}
if model.attention.empty:
    st.success("Nobody on this caseload has an unreviewed flag, a worsening trend, an engagement drop or a "
               "silence since their last session.", icon=":material/check_circle:")
allowed = data.allowed_clients(path, user)
cards, rest = cm.attention_split(model.attention)
for row in cards.itertuples():
    with st.container(border=True):
        left, middle, right = st.columns([3, 6, 1.4], vertical_alignment="center")
        who = f"**{ui.plain(row.display_name)}** · {row.client_id}"
        if supervisor:
            who += f"  \n:gray[{ui.plain(row.provider_name)}]"
        if row.scope == "summary":
            who += " :gray[· summaries only]"
        left.markdown(who)
        middle.markdown(f"{BADGES[row.reason]}  \n" + "  \n".join(row.why))
        if row.client_id in allowed:
            right.page_link("views/brief.py", label="Open brief", icon=":material/description:",
                            query_params={"client": row.client_id})
if len(rest):
    # The rest of the ranked list in one table (a card each would slow a large caseload's page).
    st.markdown(f"**{len(rest)} more** in the same order:")
    st.dataframe(
        cm.attention_table(rest[rest["client_id"].isin(allowed)]), hide_index=True, width="stretch",
        column_config={"Brief": st.column_config.LinkColumn("Brief", display_text="Open brief"),
                       "Why": st.column_config.TextColumn(width="large")})
if model.headline.n_open_urgent:
    st.caption(ui.CRISIS_RESOURCES)

# --- unreviewed flags by age (supervisors) -----------------------------------------------
if supervisor:
    st.subheader("Unreviewed risk flags")
    if model.open_flags.empty:
        st.success("Every risk flag on this caseload has been reviewed.", icon=":material/check_circle:")
    else:
        chart, notes = st.columns([3, 2])
        chart.plotly_chart(cm.flag_age_figure(model.flag_ages), width="stretch", config={"displayModeBar": False})
        over_two_weeks = int((model.open_flags["days_waiting"] > 14).sum())
        notes.markdown(f"**{over_two_weeks}** of {len(model.open_flags)} unreviewed flags have waited more than "
                       "two weeks.")
        waiting = (model.open_flags.groupby("client_id")
                   .agg(n_flags=("risk", "size"), urgent=("risk", lambda r: int((r == "urgent").sum())),
                        oldest=("days_waiting", "max"))
                   .sort_values(["urgent", "oldest"], ascending=False).head(5))
        names = model.attention.set_index("client_id")["display_name"]
        notes.markdown("Waiting longest:  \n" + "  \n".join(
            f"{ui.plain(names.get(cid, cid))} · {cid}: {r.n_flags} flag{'' if r.n_flags == 1 else 's'}"
            f"{f', {r.urgent} urgent' if r.urgent else ''}, oldest {cm.waited_words(r.oldest)}"
            for cid, r in waiting.iterrows()))

# --- per clinician -------------------------------------------------------------------------
st.subheader("Per clinician" if supervisor else "Your caseload")
table = cm.clinician_table(model.clinicians)
st.dataframe(
    table, hide_index=True, width="stretch",
    column_config={
        "Clinician": st.column_config.TextColumn(width="medium"),
        "Clients": st.column_config.NumberColumn(help="Clients on the caseload shown (n)"),
        "Improving": st.column_config.TextColumn(help="Of the clients with a stress or mood trend (enough check-ins: "
                                                      "14+ days in their latest 8 weeks): stress falling or mood "
                                                      "rising, neither worsening"),
        "No change": st.column_config.TextColumn(help="Of the clients with a trend"),
        "Worsening": st.column_config.TextColumn(help="Of the clients with a trend: stress rising or mood falling"),
        "Days / week": st.column_config.NumberColumn(format="%.1f", help="Days with a check-in, conversation "
                                                            "or practice, per client per week of the period (mean)"),
        "This week": st.column_config.TextColumn(help="Clients who shared anything in the last 7 days"),
        "Drops": st.column_config.NumberColumn(help="Clients sharing on far fewer days lately than "
                                                                "their own earlier rate (n)"),
        "Open flags": st.column_config.TextColumn(help="Flags no clinician has reviewed yet, and the clients "
                                                                "they belong to"),
    })
st.caption("Rates are per client, so caseloads of different sizes compare fairly; with few clients (small n) a "
           "share moves a lot with one client. Trends are each client's latest 8 weeks.")

# --- caseload themes -------------------------------------------------------------------------
st.subheader("Caseload themes over time")
themes = model.themes
if themes.empty:
    st.info("No caseload themes yet: they are built across all clients by `python -m pipelines analyze`.")
else:
    rising = themes[themes["status"].isin(["new", "rising"])]
    if len(rising):
        st.markdown("Rising in the last 4 weeks: " + " · ".join(
            f"**{ui.plain(r.label)}** ({r.share_before * 100:.1f} % → {r.share_recent * 100:.1f} % of texts, "
            f"{r.clients_recent} client{'' if r.clients_recent == 1 else 's'})" if r.status == "rising" else
            f"**{ui.plain(r.label)}** (new: {r.n_recent} texts, {r.clients_recent} clients)"
            for r in rising.itertuples()))
    else:
        st.markdown("No caseload theme is clearly rising in the last 4 weeks.")
    st.plotly_chart(cm.theme_share_figure(model.theme_shares, cm.recent_weeks_start(until)), width="stretch",
                    config={"displayModeBar": False})
    st.dataframe(
        pd.DataFrame({
            "Theme": themes["label"], "Last 4 weeks": themes["status"].map(cm.THEME_STATUS_WORDS),
            "Share of texts, before → now": [f"{b * 100:.1f} % → {n * 100:.1f} %"
                                             for b, n in zip(themes["share_before"].fillna(0), themes["share_recent"].fillna(0))],
            "Texts, last 4 weeks": themes["n_recent"], "Clients": themes["clients_recent"],
            "Keywords": themes["keywords"].map(lambda k: ", ".join(list(k)[:6]))}),
        hide_index=True, width="stretch",
        column_config={"Clients": st.column_config.NumberColumn(help="Clients who wrote about it in the last 4 weeks (n)"),
                       "Keywords": st.column_config.TextColumn(width="large")})
    st.caption("Themes across every client's writing, shown by label and keywords only; what a client wrote stays in "
               "their own brief. Share: the theme's part of all texts these clients wrote. Rising: at least 1.5 "
               "times the earlier share on 5+ texts, unlikely by chance (p < 0.05). The last week may be partial, so "
               "its share rests on fewer texts.")
