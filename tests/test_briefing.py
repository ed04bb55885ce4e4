"""The rules behind the pre-session brief and the Today page (pure functions, no app)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from dashboard import briefing, charts, search
from dashboard.briefing import Period

TZ = "America/Chicago"


def utc(local: str, tz: str = TZ) -> pd.Timestamp:
    return pd.Timestamp(local, tz=tz).tz_convert("UTC")


def test_period_runs_from_the_last_session_before_today_in_the_clients_time_zone():
    # 02:30 UTC on the 10th is still the evening of the 9th in Chicago.
    starts = pd.Series([utc("2026-11-02 09:00"), pd.Timestamp("2026-11-10 02:30", tz="UTC"),
                        utc("2026-11-16 09:00")])
    period = briefing.session_period(starts, TZ, date(2026, 11, 12))
    assert period.since == date(2026, 11, 9) and period.until == date(2026, 11, 12)
    assert period.next_session.date() == date(2026, 11, 16)
    assert "since the last session on 9 Nov (4 days)" == period.label()


def test_without_an_earlier_session_the_period_is_the_last_two_weeks():
    period = briefing.session_period(pd.Series([], dtype="datetime64[ns, UTC]"), TZ, date(2026, 11, 20))
    assert period.days == briefing.DEFAULT_PERIOD_DAYS and period.last_session is None
    assert period.next_session is None


def flags_frame():
    return pd.DataFrame({
        "client_id": ["c"] * 4,
        "source": ["message", "note", "message", "summary"],
        "source_id": ["m1", "n1", "m2", "s1"],
        "conversation_id": ["v1", None, "v2", "v2"],
        "written_at": [utc("2026-11-18 20:00"), utc("2026-11-01 20:00"), utc("2026-11-19 20:00"),
                       utc("2026-10-01 20:00")],
        "risk": ["watch", "urgent", "watch", "watch"],
        "risk_reason": ["model", "plan", "passive_ideation", "model"],
        "evidence": ["e1", "e2", "e3", "e4"], "text": ["t1", "t2", "t3", "t4"],
    })


def test_risk_flags_are_all_kept_urgent_first_then_phrase_backed_then_newest():
    period = Period(date(2026, 11, 17), date(2026, 11, 20))
    ordered = briefing.order_risk_flags(flags_frame(), TZ, period)
    assert ordered["source_id"].tolist() == ["n1", "m2", "m1", "s1"]
    assert ordered["new"].tolist() == [False, True, True, False]
    assert ordered["basis"].tolist() == ["phrase", "phrase", "model", "model"]
    assert briefing.highest_risk(ordered) == "urgent"


def test_a_one_day_period_still_lists_every_flag():
    period = Period(date(2026, 11, 20), date(2026, 11, 20))
    assert len(briefing.order_risk_flags(flags_frame(), TZ, period)) == 4


def weekly(rows):
    return pd.DataFrame(rows, columns=["week", "theme_id", "label", "n_texts"])


def test_theme_changes_mark_new_rising_absent_and_steady_themes():
    period = Period(date(2026, 11, 9), date(2026, 11, 22))  # two weeks, Monday to Sunday
    rows = []
    for w in range(8):
        week = date(2026, 11, 9) - timedelta(weeks=w + 1)
        rows += [(week, "steady", "work pressure", 2), (week, "rising", "sleep", 1),
                 (week, "gone", "the move", 1)]
    for week in (date(2026, 11, 9), date(2026, 11, 16)):
        rows += [(week, "steady", "work pressure", 2), (week, "rising", "sleep", 4),
                 (week, "new", "caring for mother", 3)]
    out = briefing.theme_changes(weekly(rows), period).set_index("theme_id")
    assert out.loc["new", "status"] == "new" and out.loc["new", "n_period"] == 6
    assert out.loc["rising", "status"] == "rising"
    assert out.loc["steady", "status"] == "steady"
    assert out.loc["gone", "status"] == "absent"


def texts_frame():
    return pd.DataFrame({
        "source": ["message", "message", "summary", "note", "message"],
        "text": ["a", "b", "c", "d", "e"], "evidence": ["a", "b", "c", "d", "e"],
        "written_at": [utc("2026-11-18 10:00"), utc("2026-11-19 10:00"), utc("2026-11-19 11:00"),
                       utc("2026-11-10 10:00"), utc("2026-11-20 10:00")],
        "insight": [0.95, 0.9, 0.99, 0.99, 0.3],
        "client_theme_id": ["t1", "t1", "t1", "t2", "t1"],
    })


def test_insight_moments_are_the_clients_own_strong_realizations_newest_first():
    period = Period(date(2026, 11, 17), date(2026, 11, 20))
    out = briefing.insight_moments(texts_frame(), TZ, period)
    assert out["text"].tolist() == ["b", "a"]  # summary, old note and weak text left out
    assert briefing.insight_moments(texts_frame(), TZ, period, limit=1)["text"].tolist() == ["a"]


def test_summary_only_clients_get_insights_from_summaries():
    period = Period(date(2026, 11, 17), date(2026, 11, 20))
    only_summaries = texts_frame().assign(source="summary")
    assert "c" in briefing.insight_moments(only_summaries, TZ, period)["text"].tolist()


def test_theme_examples_prefer_this_periods_own_words():
    period = Period(date(2026, 11, 17), date(2026, 11, 20))
    frame = texts_frame().assign(text=["I keep thinking about it", "short", "the app summary text here",
                                       "x y z w", "we argued again about the bills"])
    out = briefing.theme_examples(frame, "t1", TZ, period, ["representative one", "representative two"])
    assert out == ["we argued again about the bills", "I keep thinking about it", "representative one"]


def test_body_map_counts_locations_with_mean_intensity_and_commonest_sensation():
    at = [utc("2026-11-18 09:00")] * 3 + [utc("2026-10-01 09:00")]
    frame = pd.DataFrame({"checked_in_at": at, "location": ["chest", "chest", "jaw", "legs"],
                          "sensation": ["tightness", "tightness", "clenched", "restless"],
                          "intensity": [6, 8, 3, 9], "stress": [7, 8, 5, 9]})
    out = briefing.body_map(frame, TZ, Period(date(2026, 11, 17), date(2026, 11, 20)))
    assert out.to_dict("records") == [
        {"location": "chest", "n": 2, "mean_intensity": 7.0, "sensation": "tightness"},
        {"location": "jaw", "n": 1, "mean_intensity": 3.0, "sensation": "clenched"}]
    assert briefing.at_least_days(Period(date(2026, 11, 17), date(2026, 11, 20)), 28).days == 28


def test_worth_exploring_puts_risk_first_and_stays_short_and_grounded():
    period = Period(date(2026, 11, 17), date(2026, 11, 20))
    risk = briefing.order_risk_flags(flags_frame(), TZ, period)
    trends = pd.DataFrame({"measure": ["stress", "mood"], "verdict": ["rising", "no clear trend"],
                           "slope_per_week": [0.8, 0.1], "ci_low": [0.3, -0.2], "ci_high": [1.3, 0.4]})
    themes = pd.DataFrame({"theme_id": ["t"], "label": ["caring for mother"], "n_period": [4], "n_before": [0],
                           "rate_period": [7.0], "rate_before": [0.0], "status": ["new"]})
    effects = pd.DataFrame({"kind": ["box_breathing"], "n": [6], "mean_before": [7.0], "mean_after": [4.5],
                            "mean_change": [-2.5], "ci_low": [-3.1], "ci_high": [-1.9], "verdict": ["lower_after"]})
    facts = briefing.BriefFacts(period=period, risk=risk, trends=trends, themes=themes, practice_effects=effects,
                                engaged_days=(1, 4), engaged_days_before=(4, 4))
    prompts = briefing.worth_exploring(facts)
    assert prompts[0].startswith("Risk language flagged watch on 19 Nov")
    assert any(p.startswith("Stress rising, about +0.8 points per week") for p in prompts)
    assert "New theme since 17 Nov: caring for mother (4 texts)" in prompts
    assert any("1 of 4 days" in p for p in prompts)
    assert 3 <= len(prompts) <= briefing.MAX_PROMPTS
    assert not any("Mood" in p for p in prompts)  # no verdict, no prompt


def test_worth_exploring_mentions_a_recent_flag_from_before_the_period():
    period = Period(date(2026, 11, 20), date(2026, 11, 20))
    risk = briefing.order_risk_flags(flags_frame(), TZ, period)
    prompts = briefing.worth_exploring(briefing.BriefFacts(period=period, risk=risk))
    assert prompts == ["Risk language (urgent) on 19 Nov, before this period: was it followed up?"]


def status_inputs():
    clients = pd.DataFrame({"client_id": ["a", "b"], "display_name": ["A", "B"], "provider_id": ["p", "p"],
                            "scope": ["raw", "summary"], "timezone": [TZ, "Europe/Berlin"]})
    appointments = pd.DataFrame({
        "client_id": ["a", "a", "b"], "provider_id": ["p"] * 3,
        "starts_at": [utc("2026-11-16 09:00"), utc("2026-11-23 09:00"), utc("2026-11-24 10:00", "Europe/Berlin")]})
    activity = pd.DataFrame({
        "client_id": ["a", "a", "a", "b"], "kind": ["check-in", "check-in", "conversation", "check-in"],
        "at": [utc("2026-11-15 23:30"), utc("2026-11-17 08:00"), utc("2026-11-18 08:00"),
               utc("2026-11-18 08:00", "Europe/Berlin")]})
    trends = pd.DataFrame({"client_id": ["a", "a"], "measure": ["stress", "mood"],
                           "verdict": ["rising", "no clear trend"]})
    return clients, appointments, activity, trends


def test_caseload_status_counts_what_arrived_since_each_clients_last_session():
    clients, appointments, activity, trends = status_inputs()
    status = briefing.caseload_status(clients, appointments, activity, flags_frame().assign(client_id="a"),
                                      trends, date(2026, 11, 20)).set_index("client_id")
    assert status.loc["a", "since"] == date(2026, 11, 16)
    assert (status.loc["a", "checkins"], status.loc["a", "conversations"]) == (1, 1)  # the 15th is before
    assert status.loc["a", "risk_since"] == "watch" and status.loc["a", "any_urgent"]
    assert status.loc["a", "risk_basis_since"] == "phrase"  # m2 is a phrase, m1 model-only
    assert status.loc["b", "risk_basis_since"] == ""
    assert status.loc["a", "stress"] == "rising" and status.loc["b", "stress"] == "not enough data"
    assert status.loc["b", "since"] == date(2026, 11, 7)  # no earlier session: last 14 days
    assert status.loc["b", "risk_since"] == "none" and status.loc["b", "checkins"] == 1
    line = briefing.status_line(status.reset_index().iloc[0])
    assert line == "1 check-in, 1 conversation since 16 Nov · stress ▲ rising"


def test_a_model_only_flag_is_marked_as_such_on_today():
    clients, appointments, activity, trends = status_inputs()
    flags = flags_frame().assign(client_id="a")
    flags = flags[flags["source_id"] == "m1"]  # the classifier's watch alone
    status = briefing.caseload_status(clients, appointments, activity, flags, trends, date(2026, 11, 20))
    assert status.set_index("client_id").loc["a", "risk_basis_since"] == "model"


def test_upcoming_lists_the_next_seven_days_in_order():
    clients, appointments, activity, trends = status_inputs()
    status = briefing.caseload_status(clients, appointments, activity, pd.DataFrame(), trends, date(2026, 11, 20))
    upcoming = briefing.upcoming(status, appointments, date(2026, 11, 20))
    assert upcoming["client_id"].tolist() == ["a", "b"]
    assert upcoming["day"].tolist() == [date(2026, 11, 23), date(2026, 11, 24)]
    assert briefing.upcoming(status, appointments, date(2026, 11, 25)).empty
    # One clock for the list: in Berlin's zone a's 09:00 Chicago session is 16:00.
    berlin = briefing.upcoming(status, appointments, date(2026, 11, 20), tz="Europe/Berlin")
    assert [t.strftime("%H:%M") for t in berlin["start"]] == ["16:00", "10:00"]
    assert berlin["local_start"].iloc[0].strftime("%H:%M") == "09:00"
    assert briefing.clinic_timezone(status) in (TZ, "Europe/Berlin")


def test_search_ranks_by_meaning_and_drops_unrelated_texts():
    frame = pd.DataFrame({"text": ["x", "y", "z"]})
    vectors = np.eye(3, dtype=np.float32)
    query = np.array([0.2, 0.9, 0.0], dtype=np.float32)
    out = search.rank(query / np.linalg.norm(query), frame, vectors)
    assert out["text"].tolist() == ["y"] or out["text"].tolist()[:1] == ["y"]
    assert "z" not in out["text"].tolist()


def test_charts_have_titles_and_plain_axis_labels():
    days = pd.date_range("2026-10-01", periods=40).date
    daily = pd.DataFrame({"day": list(days) * 2, "measure": ["stress"] * 40 + ["mood"] * 40,
                          "value": list(np.linspace(2, 8, 40)) + list(np.linspace(1, -1, 40)), "n": 1})
    episodes = pd.DataFrame({"start_day": [date(2026, 10, 20)], "end_day": [date(2026, 10, 22)]})
    fig = charts.mood_stress_chart(daily, days[0], days[-1], appointments=[date(2026, 10, 7)], episodes=episodes)
    assert fig.layout.title.text and fig.layout.yaxis.title.text == "Stress (0–10)"
    assert fig.layout.yaxis2.title.text == "Mood (−3 to +3)"
    body = pd.DataFrame({"location": ["chest", "whole body", "elbow"], "n": [3, 1, 1],
                         "mean_intensity": [6.0, 4.0, 2.0], "sensation": ["tightness", "restless", "ache"]})
    fig = charts.body_map_figure(body)
    assert fig.layout.title.text and len(fig.data[0].x) == 2  # chest and whole body placed
    assert any("elbow" in (a.text or "") for a in fig.layout.annotations)  # unplaced ones listed


def test_rhythms_read_as_sentences_strongest_first_and_last_episode_is_dated():
    rhythms = pd.DataFrame({"measure": ["mood", "stress", "stress"], "kind": ["weekday", "weekday", "part_of_day"],
                            "peak": ["Sunday", "Monday morning", "night"], "effect": [-0.6, 1.6, 1.0],
                            "p_value": [0.02, 0.0004, 0.03]})
    assert briefing.rhythm_lines(rhythms) == [
        "Stress is highest on Monday mornings, about 1.6 points above their average (p < 0.001)",
        "Stress is highest at night, about 1.0 point above their average (p = 0.030)",
        "Mood is lowest on Sundays, about 0.6 points below their average (p = 0.020)"]
    prompts = briefing.worth_exploring(briefing.BriefFacts(period=Period(date(2026, 11, 17), date(2026, 11, 20)),
                                                           rhythms=rhythms))
    assert prompts == ["Stress is highest on Monday mornings, about 1.6 points above their average"]
    episodes = pd.DataFrame({"start_day": [pd.Timestamp("2026-10-01"), pd.Timestamp("2026-11-18")],
                             "end_day": [pd.Timestamp("2026-10-03"), pd.Timestamp("2026-11-19")]})
    period = Period(date(2026, 11, 17), date(2026, 11, 20))
    assert briefing.last_episode_before(episodes, period) == date(2026, 10, 1)
    assert len(briefing.episodes_in(episodes, period)) == 1


def test_episode_line_reads_list_columns_as_duckdb_returns_them():
    ep = pd.Series({"start_day": pd.Timestamp("2026-11-18"), "end_day": pd.Timestamp("2026-11-19"),
                    "peak_stress": 9.0, "status": "resolved",
                    "themes_before_episode": np.array(["work <pressure>", "sleep"]),
                    "evidence_before_episode": np.array(["the review is tomorrow", "cannot sleep"]),
                    "body_response": np.array([{"location": "chest", "sensation": "tightness", "n": 3,
                                                "mean_intensity": 7.0}]),
                    "practices_done": np.array([])})
    line = briefing.episode_line(ep)
    assert line.startswith("<b>18 Nov–19 Nov</b>, peak stress 9/10")
    assert "work &#60;pressure&#62;, sleep" in line and "did:" not in line
    assert "body: chest tightness &#40;3x, intensity 7&#46;0&#41;" in line
    done = ep.copy()
    done["practices_done"] = np.array([{"kind": "box_breathing", "stress_before": 8, "stress_after": 5},
                                       {"kind": "walk", "stress_before": None, "stress_after": None}])
    from dashboard.text import plain

    assert "did: " + plain("box breathing: stress 8 → 5, walk") in briefing.episode_line(done)
    assert line.endswith("back to usual")  # resolved, day unknown
    ongoing = ep.copy()
    ongoing["status"] = "ongoing"
    assert briefing.episode_line(ongoing).endswith("still above their usual level")
    resolved = ep.copy()
    resolved["status"], resolved["resolved_day"] = "resolved", pd.Timestamp("2026-11-21")
    assert briefing.episode_line(resolved).endswith("back to usual by 21 Nov (3 days)")
    assert briefing.first_items(ep["evidence_before_episode"], 1) == ["the review is tomorrow"]


def test_a_rising_theme_is_not_prompted_twice():
    period = Period(date(2026, 11, 17), date(2026, 11, 20))
    themes = pd.DataFrame({"theme_id": ["t"], "label": ["money worries"], "n_period": [9], "n_before": [2],
                           "rate_period": [15.8], "rate_before": [0.3], "status": ["rising"]})
    prompts = briefing.worth_exploring(briefing.BriefFacts(period=period, themes=themes))
    assert sum("money worries" in p for p in prompts) == 1


def test_risk_basis_is_the_pipelines_one_and_a_flag_without_a_basis_reads_model_only():
    from pipelines.nlp import signals

    for reason in ("intent", "plan+model", "model:topic", "model:no_topic"):
        assert briefing.risk_basis(reason) == signals.risk_basis(reason)
    assert briefing.risk_basis(None) == briefing.risk_basis(float("nan")) == "model"


def test_practice_words_say_stress_lower_after_never_helped():
    effects = pd.DataFrame({"kind": ["box_breathing", "walk"], "n": [6, 4], "mean_before": [7.0, 5.0],
                            "mean_after": [4.5, 5.2], "mean_change": [-2.5, 0.2], "ci_low": [-3.1, -0.6],
                            "ci_high": [-1.9, 1.0], "verdict": ["lower_after", "no_clear_change"]})
    phrases = [briefing.practice_phrase(row) for _, row in effects.iterrows()]
    assert phrases == ["stress 7.0 → 4.5 (-2.5, 95 % CI -3.1 to -1.9, n = 6): stress lower after",
                       "stress 5.0 → 5.2 (+0.2, 95 % CI -0.6 to +1.0, n = 4): no clear change"]
    period = Period(date(2026, 11, 17), date(2026, 11, 20))
    prompts = briefing.worth_exploring(briefing.BriefFacts(period=period, practice_effects=effects))
    assert prompts == ["Stress lower after box breathing (about -2.5 points, n = 6): build on it?"]
    flat = briefing.worth_exploring(briefing.BriefFacts(period=period, practice_effects=effects.iloc[1:]))
    assert flat == ["Walk: no clear change in stress after it (n = 4): try something else?"]
    assert not any("helped" in p for p in phrases + prompts + flat)
    assert briefing.trend_phrase(pd.Series({"measure": "valence", "verdict": "rising", "slope_per_week": 0.034,
                                            "ci_low": 0.012, "ci_high": 0.056})) == (
        "Tone of writing rising, about +0.03 per week (95 % CI +0.01 to +0.06)")
