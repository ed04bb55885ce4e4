"""Pre-session brief: one client, what happened since the last session. Risk first.

The page lays out one BriefModel (dashboard/brief_model.py); the printable brief lays out
the same model, so what is on screen and on paper cannot differ.
"""

from __future__ import annotations

from datetime import time, timedelta

import pandas as pd
import streamlit as st

from dashboard import brief_model, briefing, charts, data, printable, ui, writes
from dashboard.briefing import MEASURE_WORDS, REVIEW_ACTION_WORDS
from pipelines import appointments as appointment_changes
from pipelines import reviews

path, today, picked, user = ui.client_page("Pre-session brief")
cid, tz = picked.client_id, picked.timezone
ui.once_per_session(path, user, "brief viewed", cid)
client = brief_model.Client(cid, picked.display_name, picked.provider_name, tz, picked.scope == "summary")
reads = data.brief_reads(path, user, cid, tz)

default_since = brief_model.brief_period(reads.appointments, tz, today).since
since = st.sidebar.date_input("Brief covers from", value=default_since, max_value=today, key=f"since_{cid}",
                              format="DD/MM/YYYY", help="Defaults to the last session before today.")
model = brief_model.brief_model(reads, client, today, since)
period = model.period

head = f"**{ui.plain(client.display_name)}** · {cid} · seen by {ui.plain(client.provider_name)} · {period.label()}"
if period.next_session is not None:
    head += f" · next session **{period.next_session:%a %-d %b, %H:%M}**"
st.markdown(head)
# Whether this account records reviews and appointments (clinicians; writes.py enforces it too).
acts = writes.may_review(user)
NOTICE = "brief_notice"   # {area: (kind, words)}: the outcome of the last review or appointment change


def notify(area: str, kind: str, words: str) -> None:
    st.session_state.setdefault(NOTICE, {})[area] = (kind, words)


def show_notice(area: str) -> None:
    """The outcome of the last form submitted in this area, once, next to the form."""
    kind, words = st.session_state.get(NOTICE, {}).pop(area, (None, None))
    if kind == "ok":
        st.success(words, icon=":material/check_circle:")
    elif kind == "error":
        st.error(words, icon=":material/error:")


if client.summary_only:
    st.info("This client shares **conversation summaries only** (summary scope): themes, signals and "
            "insights come from the app's summaries and check-in notes. Their own messages, quotes in "
            "their words and the conversation reader are not available.", icon=":material/info:")

# 1. Risk flags: all of them, never filtered; new ones and every urgent one open.
with st.container(border=True):
    if model.flags.empty:
        st.markdown("#### :material/verified_user: Risk flags")
        st.success("No self-harm or suicide language detected in anything this client shared.")
    else:
        shown, earlier = model.shown_flags, model.earlier_flags
        if model.risk_state == "new":
            badge = ui.risk_badge(model.highest_new, model.highest_new_basis)
        elif model.risk_state == "urgent_on_record":
            badge = (f":red-background[urgent language on record, latest {shown['day'].max():%-d %b}; "
                     "none this period]")
        elif model.risk_state == "unreviewed_on_record":
            badge = ":orange-background[earlier flags not yet reviewed]"
        else:
            badge = ":gray-background[earlier flags on record]"
        st.markdown(f"#### :material/emergency: Risk flags {badge}")
        total = len(model.flags)
        st.markdown(f":orange-background[**{model.unreviewed} of {total} flags not reviewed yet**] · they come first; "
                    "reviewed flags follow, never hidden" if model.unreviewed else
                    f":green-background[all {total} flags reviewed] · each still listed, with its review")
        show_notice("review")

        def save_review(key: str, source: str, source_id: str, text_key: str) -> None:
            """A review form's submit: the review, or why it could not be recorded."""
            state = st.session_state
            try:
                writes.review_flag(path, user, cid, source, source_id, text_key, state[f"{key}_action"],
                                   state[f"{key}_note"])
            except (reviews.ReviewError, data.AccessDenied) as error:
                notify("review", "error", f"The review was not saved: {error}.")
                return
            notify("review", "ok", "Review saved. The flag stays on the brief, marked reviewed.")

        def review_form(row) -> None:
            key = f"review_{row.source}_{row.source_id}_{row.text_key}"
            with st.expander("Change the review" if row.reviewed else "Mark as reviewed",
                             icon=":material/rate_review:"), st.form(key, border=False):
                st.radio("Action taken", reviews.ACTIONS, format_func=REVIEW_ACTION_WORDS.get, horizontal=True,
                         key=f"{key}_action", index=reviews.ACTIONS.index(row.review_action) if row.reviewed
                         and row.review_action in reviews.ACTIONS else 0)
                st.text_input("Note (optional)", max_chars=reviews.MAX_NOTE_CHARS, key=f"{key}_note",
                              value=row.review_note if row.reviewed and isinstance(row.review_note, str) else "",
                              placeholder="e.g. talked it through; no plan or intent")
                st.form_submit_button("Save review", icon=":material/check:", on_click=save_review,
                                      args=(key, row.source, row.source_id, row.text_key))

        def show(rows: pd.DataFrame, forms: bool = True) -> None:
            for row in rows.itertuples():
                basis = "risk phrase" if row.basis == "phrase" else "model only, lower confidence"
                new = " · **new**" if row.new else ""
                if row.revised:  # what a client once wrote is never lost: shown, and said to be revised
                    new += " · earlier version, since revised"
                colour = "red" if row.risk == "urgent" else "orange"
                text, link = st.columns([6, 1], vertical_alignment="top")
                unreviewed = "" if row.reviewed else " · :orange-background[not reviewed yet]"
                text.markdown(f":{colour}[**{row.risk.upper()}**] **{row.day:%a %-d %b}** · {row.source} · "
                              f"{basis}{new}{unreviewed}  \n\u201c{ui.plain(row.evidence or row.text)}\u201d")
                if row.reviewed:   # never hidden: who reviewed it, when, what was done, and the note
                    note = row.review_note if isinstance(row.review_note, str) and row.review_note else ""
                    text.markdown(f":green[:material/check_circle:] {ui.plain(briefing.review_line(row._asdict(), tz))}"
                                  + (f"  \n:gray[Note: {ui.plain(note)}]" if note else ""))
                if acts and forms and "text_key" in rows:
                    with text:
                        review_form(row)
                if row.conversation_id and not client.summary_only:
                    link.page_link("views/explorer.py", label="Context", icon=":material/forum:",
                                   query_params={"client": cid, "conversation": row.conversation_id})

        if shown.empty:
            st.markdown("No risk language in this period; earlier flags are listed below.")
        show(shown)
        if len(earlier):
            with st.expander(f"Earlier flags, before this period ({len(earlier)}; "
                             f"latest {earlier['day'].max():%-d %b})", expanded=False):
                show(earlier, forms=False)   # reviewed already; expanders cannot hold the form
        st.caption(ui.CRISIS_RESOURCES)

# 2. Worth exploring today.
with st.container(border=True):
    st.markdown("#### :material/lightbulb: Worth exploring today")
    if model.prompts:
        st.markdown("\n".join(f"- {ui.plain(p)}" for p in model.prompts))
    else:
        st.caption("Nothing stands out in the data for this period.")

# 3. At a glance: this period against the client's own 8 weeks before it, then 8-week trends.
st.markdown("#### At a glance")
cols = st.columns(4)
for col, row in zip(cols, model.glance):
    if row.value is None:
        col.metric(MEASURE_WORDS[row.measure], "no check-ins")
    else:
        col.metric(MEASURE_WORDS[row.measure], row.value, row.delta,
                   delta_color="inverse" if row.measure == "stress" else "normal", help=row.help)
(engaged, days), (was, was_days) = model.engaged, model.engaged_before
cols[3].metric("Days using the app", f"{engaged} of {days}", f"{engaged - was:+d} vs the {was_days} days before",
               delta_color="normal")
for line in model.change_lines:
    st.markdown(f"**{line}**")
trends = model.trends
if not trends.empty:
    for row in trends[trends["verdict"] != "no clear trend"].itertuples():
        arrow = "▲" if row.verdict == "rising" else "▼"
        mark = f":red[{arrow}]" if briefing.is_concerning(row.measure, row.verdict) else f":green[{arrow}]"
        st.markdown(f"{mark} {briefing.trend_phrase(pd.Series(row._asdict()))}")
    flat = trends[trends["verdict"] == "no clear trend"]["measure"].map(MEASURE_WORDS).tolist()
    if flat:
        st.markdown("No clear 8-week trend in: " + ", ".join(m.lower() for m in flat))
    st.caption("Trends over the latest 8 weeks with data, allowing for day-to-day carry-over "
               "(AR(1) errors); a direction is named only when the 95 % interval excludes zero.")
else:
    st.caption("Trends need at least 14 days of check-ins in the last 8 weeks.")
for line in model.rhythm_lines:
    st.markdown(f":material/calendar_month: {ui.plain(line)}")

# 4. Mood and stress over 12 weeks.
flags = model.flags
st.plotly_chart(charts.mood_stress_chart(model.daily, model.chart_start, model.chart_end,
                                         appointments=model.appointment_days, episodes=model.all_episodes,
                                         period_start=period.since,
                                         risk_days=flags["day"].tolist() if not flags.empty else []),
                width="stretch", config={"displayModeBar": False})

left, right = st.columns(2)
# 5. Stress episodes.
with left:
    st.markdown("#### Stress episodes")
    if model.episodes.empty:
        last = model.last_episode_start
        st.caption("No stretch of stress above this client's usual level in this period"
                   + (f"; the last one began {last:%-d %b}." if last else "."))
    for _, ep in model.episodes.head(brief_model.MAX_EPISODE_CARDS).iterrows():
        with st.container(border=True):
            st.markdown(briefing.episode_line(ep, bold="**{}**"))
            for quote in briefing.first_items(ep.get("evidence_before_episode"), 1):
                ui.quote(quote)

# 6. Insight moments.
with right:
    st.markdown("#### Insight moments")
    if model.insights.empty:
        st.caption("No clear realization in the client's words this period.")
    for row in model.insights.itertuples():
        st.markdown(f"**{row.day:%-d %b}** · \u201c{ui.plain(row.evidence or row.text)}\u201d")

# 7. Themes: this period, new or rising, with dated quotes.
st.markdown("#### Themes this period")
if not model.theme_cards:
    st.caption("No theme in this period's texts." if not model.themes.empty else
               "No themes yet: they need a few conversations or notes.")
for i, card in enumerate(model.theme_cards):
    status = {"new": " · new", "rising": " · rising", "quieter": " · quieter than before"}.get(card.status, "")
    with st.expander(f"**{ui.plain(card.label)}** · {briefing.texts_count(card.n_period)} this period{status}",
                     expanded=i < 3):
        st.caption(f"{card.rate_period:.1f} texts/week this period, {card.rate_before:.1f} in the 8 weeks before")
        for quote in card.quotes:
            ui.quote(quote.text)
            st.caption(printable.quote_when(quote))
if model.absent_themes:
    st.caption("Not mentioned this period, but in the 8 weeks before: "
               + ", ".join(ui.plain(label) for label in model.absent_themes))

left, right = st.columns(2)
# 8. Body map.
with left:
    if model.body.empty:
        st.markdown("#### Body")
        st.caption(f"No body sensations logged in check-ins since {model.body_period.since:%-d %b}.")
    else:
        when = "this period" if model.body_period == period else f"since {model.body_period.since:%-d %b}"
        st.plotly_chart(charts.body_map_figure(model.body, f"Where stress showed up in the body, {when}"),
                        width="stretch", config={"displayModeBar": False})
# 9. Practices: stress before and after each (an uncontrolled comparison, not an effect).
with right:
    st.markdown("#### Practices")
    effects = model.practice_effects
    if effects.empty:
        st.caption("No practice rated before and after at least 3 times yet: no effect to report.")
    else:
        st.plotly_chart(charts.practice_chart(effects), width="stretch", config={"displayModeBar": False})
        for row in effects.sort_values("mean_change").itertuples():
            st.markdown(f"- **{ui.plain(briefing.kind_words(row.kind))}**: "
                        f"{briefing.practice_phrase(pd.Series(row._asdict()))}")
    few = model.too_few_practices
    if len(few):
        st.caption("Too few to tell (under 3 rated): " + ", ".join(
            f"{ui.plain(briefing.kind_words(k))} ({n})" for k, n in zip(few["kind"], few["n"])))

def save_appointment(key: str, provider_id: str, replaces) -> None:
    """The appointment form's submit: the change, or why it could not be made."""
    state = st.session_state
    try:
        start = appointment_changes.appointment_start(state[f"{key}_day"], state[f"{key}_time"], state[f"{key}_zone"])
        change = writes.change_appointment(path, user, cid, provider_id, start, replaces)
    except (appointment_changes.AppointmentError, data.AccessDenied) as error:
        notify("appointment", "error", f"The appointment was not saved: {error}.")
        return
    words = {"added": "Appointment added", "moved": "Appointment moved",
             "unchanged": "That time was already booked; nothing changed"}[change]
    zone = state[f"{key}_zone"]
    notify("appointment", "ok", f"{words}: {pd.Timestamp(start).tz_convert(zone):%a %-d %b %Y, %H:%M} ({zone}).")


# 10. The next appointment: added or moved here (pipelines/appointments.py), audited.
if acts:
    st.markdown("#### :material/edit_calendar: Next appointment")
    booked = period.next_session
    st.markdown(f"**{booked:%A %-d %B %Y, %H:%M}** ({tz})" if booked is not None else
                "No appointment booked from today on.")
    show_notice("appointment")
    key = f"appointment_{cid}"
    with st.expander("Move it" if booked is not None else "Add one", icon=":material/edit_calendar:"):
        zones = sorted({tz, briefing.clinic_timezone(data.clients(path, user))})
        with st.form(key, border=False):
            day_col, time_col, zone_col = st.columns(3)
            day_col.date_input("Date", value=booked.date() if booked is not None else today, min_value=today,
                               format="DD/MM/YYYY", key=f"{key}_day")
            time_col.time_input("Time", value=booked.time() if booked is not None else time(9, 0),
                                step=timedelta(minutes=15), key=f"{key}_time")
            zone_col.selectbox("Time zone", zones, index=zones.index(tz), key=f"{key}_zone",
                               help="The client's own time zone unless you choose the clinic's.")
            st.form_submit_button("Save appointment", icon=":material/event_available:", on_click=save_appointment,
                                  args=(key, model.next_provider or picked.provider_id, model.next_starts_at))
        st.caption("Recorded in the audit trail. A later import of the clinic's calendar does not undo "
                   "the change (docs/appointments.md).")

st.divider()
st.download_button("Printable brief (open, then print or save as PDF)", printable.brief_html(model).encode("utf-8"),
                   file_name=f"brief-{cid}-{today:%Y%m%d}.html", mime="text/html", icon=":material/print:",
                   on_click=writes.record, args=(path, user, "print", cid))
ui.review_note()
