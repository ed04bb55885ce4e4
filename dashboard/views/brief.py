"""Pre-session brief: one client, what happened since the last session. Risk first."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from dashboard import briefing, charts, data, ui
from dashboard.briefing import MEASURE_WORDS
from pipelines import clinical

path, today, client, user = ui.client_page("Pre-session brief")
cid, tz, summary_only = client.client_id, client.timezone, client.scope == "summary"
ui.once_per_session(path, user, "brief viewed", cid)

appointments = data.appointments(path, user)
mine = appointments[appointments["client_id"] == cid]
period = briefing.session_period(mine["starts_at"], tz, today)
since = st.sidebar.date_input("Brief covers from", value=period.since, max_value=today, key=f"since_{cid}",
                              format="DD/MM/YYYY",
                              help="Defaults to the last session before today.")
if since != period.since:
    period = briefing.Period(since, today, period.last_session, period.next_session)

head = (f"**{ui.plain(client.display_name)}** · {client.client_id} · seen by {ui.plain(client.provider_name)} "
        f"· {period.label()}")
if period.next_session is not None:
    head += f" · next session **{period.next_session:%a %-d %b, %H:%M}**"
st.markdown(head)
if summary_only:
    st.info("This client shares **conversation summaries only** (summary scope): themes, signals and "
            "insights come from the app's summaries and check-in notes. Their own messages, quotes in "
            "their words and the conversation reader are not available.", icon=":material/info:")

# 1. Risk flags: all of them, never filtered; new ones and every urgent one open.
flags = briefing.order_risk_flags(data.risk_flags(path, user, cid), tz, period)
with st.container(border=True):
    if flags.empty:
        st.markdown("#### :material/verified_user: Risk flags")
        st.success("No self-harm or suicide language detected in anything this client shared.")
    else:
        shown = flags[flags["new"] | (flags["risk"] == "urgent")]
        if len(shown) and shown["new"].any():
            new = shown[shown["new"]]
            top = new[new["risk"] == briefing.highest_risk(new)]
            badge = ui.risk_badge(briefing.highest_risk(new), "phrase" if (top["basis"] == "phrase").any() else "model")
        elif len(shown):
            badge = (f":red-background[urgent language on record, latest {shown['day'].max():%-d %b}; "
                     "none this period]")
        else:
            badge = ":gray-background[earlier flags on record]"
        st.markdown(f"#### :material/emergency: Risk flags {badge}")
        earlier = flags.drop(shown.index)

        def show(rows: pd.DataFrame) -> None:
            for row in rows.itertuples():
                basis = "risk phrase" if row.basis == "phrase" else "model only, lower confidence"
                new = " · **new**" if row.new else ""
                colour = "red" if row.risk == "urgent" else "orange"
                text, link = st.columns([6, 1], vertical_alignment="center")
                text.markdown(f":{colour}[**{row.risk.upper()}**] **{row.day:%a %-d %b}** · {row.source} · "
                              f"{basis}{new}  \n\u201c{ui.plain(row.evidence or row.text)}\u201d")
                if row.conversation_id and not summary_only:
                    link.page_link("views/explorer.py", label="Context", icon=":material/forum:",
                                   query_params={"client": cid, "conversation": row.conversation_id})

        if shown.empty:
            st.markdown("No risk language in this period; earlier flags are listed below.")
        show(shown)
        if len(earlier):
            with st.expander(f"Earlier flags, before this period ({len(earlier)}; "
                             f"latest {earlier['day'].max():%-d %b})", expanded=False):
                show(earlier)
        st.caption(ui.CRISIS_RESOURCES)

# Facts for the rest of the page.
daily = data.daily_measures(path, user, cid, tz)
activity_days = data.local_dates(data.client_activity(path, user, cid)["at"], tz).tolist()
before = briefing.Period(period.since - timedelta(days=period.days), period.since - timedelta(days=1))
texts = data.texts(path, user, cid)
themes = briefing.theme_changes(data.theme_weekly(path, user, cid), period)
all_episodes = data.stress_episodes(path, user, cid)
episodes = briefing.episodes_in(all_episodes, period)
all_effects = data.practice_effects(path, user, cid)
effects = briefing.rated_practices(all_effects)
insights = briefing.insight_moments(texts, tz, period)
trends = data.trend_verdicts(path, user, cid)
facts = briefing.BriefFacts(
    period=period, risk=flags, trends=trends, rhythms=data.rhythms(path, user, cid), themes=themes,
    episodes=episodes, practice_effects=effects, insights=insights,
    engaged_days=briefing.engagement(activity_days, period),
    engaged_days_before=briefing.engagement(activity_days, before))

# 2. Worth exploring today.
prompts = briefing.worth_exploring(facts)
with st.container(border=True):
    st.markdown("#### :material/lightbulb: Worth exploring today")
    if prompts:
        st.markdown("\n".join(f"- {ui.plain(p)}" for p in prompts))
    else:
        st.caption("Nothing stands out in the data for this period.")

# 3. At a glance: this period against the client's own 8 weeks before it, then 8-week trends.
st.markdown("#### At a glance")
changes = (clinical.change_since(daily, period.since, period.until).set_index("measure")
           if not daily.empty else pd.DataFrame())
glance = []
cols = st.columns(4)
for col, measure in zip(cols, ("mood", "stress", "sleep_hours")):
    row = changes.loc[measure] if measure in changes.index else None
    if row is None or pd.isna(row["mean_period"]):
        col.metric(MEASURE_WORDS[measure], "no check-ins")
        continue
    fmt = briefing.MEASURE_FORMAT[measure]
    delta = None if pd.isna(row["mean_baseline"]) else f"{row['difference']:+.1f} vs 8 weeks before"
    col.metric(MEASURE_WORDS[measure], fmt.format(row["mean_period"]), delta,
               delta_color="inverse" if measure == "stress" else "normal",
               help=briefing.change_phrase(measure, row))
    glance.append((MEASURE_WORDS[measure], fmt.format(row["mean_period"]),
                   "" if pd.isna(row["mean_baseline"]) else fmt.format(row["mean_baseline"])))
engaged, days = facts.engaged_days
was, was_days = facts.engaged_days_before
cols[3].metric("Days using the app", f"{engaged} of {days}", f"{engaged - was:+d} vs the {was_days} days before",
               delta_color="normal")
glance.append(("Days using the app", f"{engaged} of {days}", f"{was} of {was_days}"))
change_lines = [briefing.change_phrase(m, r) for m, r in changes.iterrows()
                if m in MEASURE_WORDS and r["verdict"] in ("higher", "lower")]
for line in change_lines:
    st.markdown(f"**{line}**")
trend_lines = change_lines + [briefing.trend_phrase(pd.Series(r._asdict())) for r in trends.itertuples()]
if not trends.empty:
    named = trends[trends["verdict"] != "no clear trend"]
    for row in named.itertuples():
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
for line in briefing.rhythm_lines(facts.rhythms):
    st.markdown(f":material/calendar_month: {ui.plain(line)}")
    trend_lines.append(line)

# 4. Mood and stress over 12 weeks.
start, end = charts.day_range(today, 12)
appointment_days = data.local_dates(mine["starts_at"], tz).tolist()
st.plotly_chart(charts.mood_stress_chart(daily, start, end, appointments=appointment_days,
                                         episodes=all_episodes, period_start=period.since,
                                         risk_days=flags["day"].tolist() if not flags.empty else []),
                width="stretch", config={"displayModeBar": False})

left, right = st.columns(2)
# 5. Stress episodes.
with left:
    st.markdown("#### Stress episodes")
    if episodes.empty:
        last = briefing.last_episode_before(all_episodes, period)
        st.caption("No stretch of stress above this client's usual level in this period"
                   + (f"; the last one began {last:%-d %b}." if last else "."))
    for _, ep in episodes.head(4).iterrows():
        with st.container(border=True):
            st.markdown(briefing.episode_line(ep, bold="**{}**"))
            for quote in briefing.first_items(ep.get("trigger_evidence"), 1):
                ui.quote(quote)

# 6. Insight moments.
with right:
    st.markdown("#### Insight moments")
    if insights.empty:
        st.caption("No clear realization in the client's words this period.")
    for row in insights.itertuples():
        st.markdown(f"**{row.day:%-d %b}** · \u201c{ui.plain(row.evidence or row.text)}\u201d")

# 7. Themes: this period, new or rising, with a quote each.
st.markdown("#### Themes this period")
quotes = data.theme_quotes(path, user, cid)
quote_by_theme = quotes.groupby("theme_id")["text"].apply(list).to_dict() if not quotes.empty else {}
active = themes[themes["n_period"] > 0] if not themes.empty else themes
if active.empty:
    st.caption("No theme in this period's texts." if not themes.empty else
               "No themes yet: they need a few conversations or notes.")
else:
    for row in active.head(6).itertuples():
        status = {"new": " · new", "rising": " · rising", "quieter": " · quieter than before"}.get(row.status, "")
        with st.expander(f"**{ui.plain(row.label)}** · {briefing.texts_count(row.n_period)}{status}", expanded=row.Index < 3):
            st.caption(f"{row.rate_period:.1f} texts/week this period, {row.rate_before:.1f} in the 8 weeks before")
            for quote in briefing.theme_examples(texts, row.theme_id, tz, period,
                                                 quote_by_theme.get(row.theme_id, [])):
                ui.quote(quote)
gone = themes[themes["status"] == "absent"] if not themes.empty else themes
if len(gone):
    st.caption("Not mentioned this period, but in the 8 weeks before: " + ", ".join(ui.plain(label) for label in gone["label"].head(5)))

left, right = st.columns(2)
# 8. Body map.
with left:
    body_period = briefing.at_least_days(period, briefing.BODY_MIN_DAYS)
    body = briefing.body_map(data.body_sensations(path, user, cid), tz, body_period)
    if body.empty:
        st.markdown("#### Body")
        st.caption(f"No body sensations logged in check-ins since {body_period.since:%-d %b}.")
    else:
        when = "this period" if body_period == period else f"since {body_period.since:%-d %b}"
        st.plotly_chart(charts.body_map_figure(body, f"Where stress showed up in the body, {when}"),
                        width="stretch", config={"displayModeBar": False})
# 9. Practices that helped, and those that did not.
with right:
    st.markdown("#### Practices")
    if effects.empty:
        st.caption("No practice rated before and after at least 3 times yet: no effect to report.")
    else:
        st.plotly_chart(charts.practice_chart(effects), width="stretch", config={"displayModeBar": False})
        for row in effects.sort_values("mean_change").itertuples():
            st.markdown(f"- **{ui.plain(briefing.kind_words(row.kind))}**: "
                        f"{briefing.practice_phrase(pd.Series(row._asdict()))}")
    few = all_effects[all_effects["n"] < briefing.MIN_PRACTICE_N] if not all_effects.empty else all_effects
    if len(few):
        st.caption("Too few to tell (under 3 rated): " + ", ".join(
            f"{ui.plain(briefing.kind_words(k))} ({n})" for k, n in zip(few["kind"], few["n"])))

missing = []
if summary_only:
    missing.append("the client's own messages (summary scope)")
if daily.empty:
    missing.append("check-ins")
html = briefing.brief_html(client_name=f"{client.display_name} ({client.client_id})", period=period,
                           prompts=prompts, risk=flags, glance=glance, trend_lines=trend_lines,
                           episodes=episodes, insights=insights, themes=themes, quotes=quote_by_theme,
                           body=body, effects=effects, missing=missing)
st.divider()
st.download_button("Printable brief (open, then print or save as PDF)", html.encode("utf-8"),
                   file_name=f"brief-{client.client_id}-{today:%Y%m%d}.html", mime="text/html",
                   icon=":material/print:", on_click=data.record, args=(path, user, "print", cid))
ui.review_note()
