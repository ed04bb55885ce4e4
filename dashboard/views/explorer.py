"""Client explorer: the whole timeline, themes over time, semantic search, and the
conversation reader with signals highlighted."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import briefing, charts, data, search, ui, writes

path, today, client, user = ui.client_page("Client explorer")
cid, tz, summary_only = client.client_id, client.timezone, client.scope == "summary"
ui.once_per_session(path, user, "explorer viewed", cid)
ui.review_note()

flags = data.risk_flags(path, user, cid)
if not flags.empty:
    level = briefing.highest_risk(flags)
    st.markdown(f"{ui.risk_badge(level)} {len(flags)} flagged text(s): see the "
                "pre-session brief's risk panel.")
    st.page_link("views/brief.py", label="Open the brief", icon=":material/description:",
                 query_params={"client": cid})

timeline, themes_tab, search_tab, reader = st.tabs(
    ["Timeline", "Themes over time", "Search their words", "Conversations"])

with timeline:
    daily = data.daily_measures(path, user, cid, tz)
    if daily.empty:
        st.info("No check-ins from this client yet.")
    else:
        first = min(daily["day"])
        appointment_days = data.local_dates(
            data.appointments(path, user).query("client_id == @cid")["starts_at"], tz).tolist()
        flag_days = data.local_dates(flags["written_at"], tz).tolist() if not flags.empty else []
        st.plotly_chart(charts.mood_stress_chart(
            daily, first, max(today, max(daily["day"])), appointments=appointment_days,
            episodes=data.stress_episodes(path, user, cid), risk_days=flag_days,
            title="Mood and stress since the first check-in"), width="stretch",
            config={"displayModeBar": False})
        active = data.local_dates(data.client_activity(path, user, cid)["at"], tz).tolist()
        start, end = charts.day_range(today, 12)
        st.plotly_chart(charts.engagement_strip(active, start, end), width="stretch",
                        config={"displayModeBar": False})
        sleep = daily[daily["measure"] == "sleep_hours"]
        if not sleep.empty:
            weekly = (sleep.assign(week=pd.to_datetime(sleep["day"]).dt.to_period("W-SUN").dt.start_time)
                      .groupby("week")["value"].mean())
            st.caption("Sleep, weekly mean hours: " + " · ".join(
                f"{w:%-d %b} {v:.1f}" for w, v in weekly.tail(8).items()))

with themes_tab:
    weekly = data.theme_weekly(path, user, cid)
    if weekly.empty:
        st.info("No themes for this client yet: they need a few conversations or notes, then "
                "`python -m pipelines analyze`.")
    else:
        st.plotly_chart(charts.theme_area_chart(weekly), width="stretch", config={"displayModeBar": False})
        themes = data.client_themes(path, user, cid)
        st.dataframe(
            themes.assign(keywords=themes["keywords"].map(lambda k: ", ".join(list(k)[:6])),
                          first_at=data.local_dates(themes["first_at"], tz),
                          last_at=data.local_dates(themes["last_at"], tz))
                  .rename(columns={"label": "Theme", "keywords": "Keywords", "n_texts": "Texts",
                                   "first_at": "First", "last_at": "Latest"})
                  .drop(columns=["theme_id"]),
            hide_index=True, width="stretch")

with search_tab:
    st.caption("Finds what they wrote by meaning, not exact words, e.g. *when did they talk about "
               "their father?* Only this client's texts are searched.")
    with st.form("search"):
        query = st.text_input("Search this client's texts", key=f"query_{cid}")
        submitted = st.form_submit_button("Search", icon=":material/search:")
    if submitted and query.strip():
        writes.record(path, user, "search", cid)   # never the words searched for
        frame, vectors = data.text_embeddings(path, user, cid)
        with st.spinner("Searching (the first search loads the language model)…"):
            hits = search.rank(search.embed_query(query.strip()), frame, vectors)
        if hits.empty:
            st.info("Nothing this client wrote is close in meaning to that.")
        for row, day in zip(hits.itertuples(), data.local_dates(hits["written_at"], tz)):
            st.markdown(f"**{day:%a %-d %b %Y}** · {row.source} · match {row.score:.2f}")
            ui.quote(row.text)

with reader:
    talks = data.conversations(path, user, cid)
    if talks.empty:
        st.info("No conversations shared.")
    else:
        ids = talks["conversation_id"].tolist()
        wanted = st.query_params.get("conversation")
        started = data.local_dates(talks["started_at"], tz)
        labels = {r.conversation_id: f"{day:%a %-d %b %Y} · {r.title or 'untitled'} · {r.n_messages} messages"
                  for r, day in zip(talks.itertuples(), started)}
        chosen = st.selectbox("Conversation", ids, index=ids.index(wanted) if wanted in ids else 0,
                              format_func=labels.get, key=f"conversation_{cid}")
        talk = talks[talks["conversation_id"] == chosen].iloc[0]
        ui.once_per_session(path, user, "conversation viewed", cid, key=chosen)
        if talk.summary:
            st.markdown(f"**App's summary:** {ui.plain(talk.summary)}")
        if summary_only:
            st.info("Summary scope: this client shares conversation summaries, not the messages.")
        else:
            st.caption("Highlighted: :red-background[risk language] · :orange-background[stress] · "
                       ":blue-background[insight]. The sentence that carried the signal is the one marked.")
            for m in data.conversation(path, user, cid, chosen).itertuples():
                with st.chat_message("user" if m.role == "client" else "assistant",
                                     avatar=":material/person:" if m.role == "client" else ":material/spa:"):
                    st.markdown(ui.highlighted(m._asdict()))
