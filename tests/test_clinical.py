"""Clinical time series: weekly series, engagement, rhythms, change since a date, stress
episodes and practice effects (pure functions on simulated data), and the tables analyze
writes from a real ingested export."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from pipelines import clinical, trends
from pipelines.clinical import (change_since, client_rhythms, daily_checkin_stress, engagement_days,
                                episode_context, fit_ar1, fit_rhythms, practice_effects, stress_episodes,
                                weekly_engagement, weekly_series)
from tests import factories
from tests.factories import ar1_noise, simulated_checkins

START = dt.date(2026, 6, 1)  # a Monday


def make_daily(values, measure: str = "stress", client_id: str = "c-1", start: dt.date = START,
               skip: set[int] = frozenset()) -> pd.DataFrame:
    """A daily series as `daily_series` returns it, one value per day from `start`."""
    days = [start + dt.timedelta(days=i) for i in range(len(values)) if i not in skip]
    kept = [v for i, v in enumerate(values) if i not in skip]
    return pd.DataFrame({"client_id": client_id, "measure": measure, "day": days, "value": kept, "n": 1})


def weekday_rows(rows: pd.DataFrame) -> pd.DataFrame:
    return rows[rows["kind"] == "weekday"]


# --- the AR(1) machinery -----------------------------------------------------------

def test_fast_whitening_gives_the_dense_gls_of_trends_exactly():
    rng = np.random.default_rng(3)
    days = np.sort(rng.choice(70, 45, replace=False)).astype(float)
    x = np.column_stack([np.ones_like(days), days - days.mean()])
    y = rng.normal(size=len(days))
    for phi in (0.0, 0.4, 0.9):
        beta, unscaled, sigma2, criterion = clinical._gls_reml(days, x, y, phi)
        dense_beta, dense_cov, dense_criterion = trends._gls(x, y, phi ** np.abs(np.subtract.outer(days, days)))
        np.testing.assert_allclose(beta, dense_beta)
        np.testing.assert_allclose(sigma2 * unscaled, dense_cov)
        assert criterion == pytest.approx(dense_criterion)


def test_fit_ar1_recovers_phi_of_a_long_series():
    rng = np.random.default_rng(4)
    y = ar1_noise(rng, 600, phi=0.7, sd=1.2)
    t = np.arange(600, dtype=float)
    fit = fit_ar1(t, np.ones((600, 1)), y)
    assert 0.6 < fit.phi < 0.8


# --- weekly series and engagement --------------------------------------------------

def test_weekly_series_averages_days_per_local_monday_week_and_leaves_input_alone():
    daily = make_daily([1, 2, 3, 4, 5, 6, 7, 10, 20], skip={3})
    before = daily.copy()
    weekly = weekly_series(daily)
    assert weekly.to_dict("records") == [
        {"client_id": "c-1", "measure": "stress", "week": START, "mean": 4.0, "n_days": 6},
        {"client_id": "c-1", "measure": "stress", "week": START + dt.timedelta(days=7), "mean": 15.0, "n_days": 2},
    ]
    pd.testing.assert_frame_equal(daily, before)
    assert weekly_series(daily.iloc[:0]).empty


def test_engagement_days_include_quiet_days_and_weekly_share():
    activity = pd.DataFrame({"client_id": ["c-1", "c-1", "c-1", "c-2"],
                             "day": [START, START, START + dt.timedelta(days=3), START],
                             "kind": ["checkin", "practice", "conversation", "checkin"]})
    days = engagement_days(activity, until=START + dt.timedelta(days=8))
    one = days[days["client_id"] == "c-1"].reset_index(drop=True)
    assert len(one) == 9 and one["day"].iloc[0] == START
    assert one.loc[0, ["checkin", "conversation", "practice", "engaged"]].tolist() == [True, False, True, True]
    assert one["engaged"].sum() == 2 and not one.loc[1, "engaged"]
    weekly = weekly_engagement(days)
    first = weekly[(weekly["client_id"] == "c-1") & (weekly["week"] == START)].iloc[0]
    assert (first["n_days"], first["days_engaged"]) == (7, 2)
    assert first["share_engaged"] == pytest.approx(2 / 7)
    with pytest.raises(ValueError, match="unknown activity kinds"):
        engagement_days(activity.assign(kind="message"))
    assert engagement_days(activity.iloc[:0]).empty and weekly_engagement(days.iloc[:0]).empty


# --- rhythms -----------------------------------------------------------------------

def fits(sim: pd.DataFrame) -> dict[str, clinical.RhythmFit]:
    return {f.kind: f for f in fit_rhythms(sim["local_at"], sim["at"], sim["stress"])}


def test_planted_sunday_rhythm_is_reported_with_its_size_and_no_words():
    sim = simulated_checkins(np.random.default_rng(11), weeks=16, rhythm={6: 2.0}, slope_per_week=0.2)
    rows = client_rhythms(sim)
    assert tuple(rows.columns) == clinical.RHYTHM_COLUMNS and "description" not in rows
    row = weekday_rows(rows).iloc[0]
    assert row["peak"] == "Sunday" and row["measure"] == "stress" and row["kind"] == "weekday"
    # 2 points on one day of 7 is 2 * 6/7 above the average day.
    assert 1.0 < row["effect"] < 2.5 and row["p_value"] < 0.05 and row["n_obs"] == len(sim)


def test_a_better_day_has_a_negative_effect():
    sim = simulated_checkins(np.random.default_rng(12), weeks=16, rhythm={4: -2.0})
    row = weekday_rows(client_rhythms(sim)).iloc[0]
    assert row["peak"] == "Friday" and row["effect"] < 0


def test_a_rhythm_on_one_part_of_one_day_names_that_cell():
    hits = [fits(simulated_checkins(np.random.default_rng(seed), weeks=20, evening_share=0.5,
                                   rhythm={(0, "morning"): 2.5}))["weekday"].peak for seed in range(10)]
    assert hits.count("Monday morning") >= 6, hits


def test_part_of_day_rhythm_is_found_and_adjusted_for_weekday():
    sim = simulated_checkins(np.random.default_rng(13), weeks=14, evening_share=0.5,
                            rhythm={(d, "evening"): 1.5 for d in range(7)})
    fit = fits(sim)["part_of_day"]
    assert fit.peak == "evening" and fit.effect > 0.4 and fit.p_value < 0.05


def test_evenings_only_on_sundays_cannot_be_told_apart_from_sunday():
    rng = np.random.default_rng(14)
    sim = simulated_checkins(rng, weeks=14, evening_share=0.0, rhythm={6: 2.0})
    sunday = sim["local_at"].dt.dayofweek == 6
    moved = sim["local_at"].where(~sunday, sim["local_at"].dt.normalize() + pd.Timedelta(hours=21))
    sim = sim.assign(local_at=moved, at=moved.dt.tz_localize("UTC"))
    kinds = fits(sim)
    assert kinds["weekday"].peak.startswith("Sunday") and "part_of_day" not in kinds


def test_flat_client_has_no_rhythm_row_and_short_series_none_at_all():
    flat = simulated_checkins(np.random.default_rng(15), weeks=16)
    assert fits(flat)["weekday"].p_value > 0.05
    assert client_rhythms(flat).empty
    short = simulated_checkins(np.random.default_rng(16), weeks=5, rhythm={6: 4.0})
    assert fit_rhythms(short["local_at"], short["at"], short["stress"]) == []
    assert client_rhythms(short.iloc[:0]).empty


@pytest.mark.slow   # seconds: a subprocess or a simulation
def test_false_rhythms_on_flat_autocorrelated_clients_stay_near_five_percent():
    # Whole points on the 0-10 scale, as the app records them, with missing days.
    rng = np.random.default_rng(20261130)
    false = {"weekday": 0, "part_of_day": 0}
    n = 200
    for _ in range(n):
        sim = simulated_checkins(rng, weeks=int(rng.integers(6, 27)), phi=rng.uniform(0.3, 0.8),
                                 sd=rng.uniform(1, 2), present=rng.uniform(0.45, 0.9),
                                 evening_share=float(rng.choice([0.0, 0.5, 1.0])),
                                 slope_per_week=rng.uniform(-0.3, 0.3), whole_points=True)
        for kind, fit in fits(sim).items():
            false[kind] += fit.p_value < 0.05
    assert false["weekday"] / n < 0.10, false
    assert false["part_of_day"] / n < 0.10, false


@pytest.mark.slow   # seconds: a subprocess or a simulation
def test_planted_rhythms_of_realistic_size_are_mostly_detected():
    rng = np.random.default_rng(17)
    found = [fits(simulated_checkins(rng, weeks=16, present=0.7, rhythm={2: 1.2, 3: 1.2}))["weekday"]
             for _ in range(40)]
    detected = [f for f in found if f.p_value < 0.05]
    assert len(detected) >= 30
    # The peak is the day furthest from average: mostly the slump, else an ordinary day reading low.
    assert all((f.peak.split()[0] in ("Wednesday", "Thursday")) == (f.effect > 0) for f in detected)
    assert sum(f.effect > 0 for f in detected) >= 0.8 * len(detected)


# --- change since a date -----------------------------------------------------------

def test_change_since_detects_a_shift_and_reports_means_and_effect_size():
    rng = np.random.default_rng(21)
    values = 5 + ar1_noise(rng, 84, phi=0.5, sd=1.0)
    values[56:] += 2.5
    daily = make_daily(values)
    before = daily.copy()
    since = START + dt.timedelta(days=56)
    row = change_since(daily, since).iloc[0]
    assert row["verdict"] == "higher" and row["ci_low"] > 0
    assert (row["n_days_baseline"], row["n_days_period"]) == (56, 28)
    assert row["difference"] == pytest.approx(row["mean_period"] - row["mean_baseline"])
    assert row["mean_period"] == pytest.approx(values[56:].mean())
    assert row["effect_size"] == pytest.approx(row["difference"] / values[:56].std(ddof=1))
    pd.testing.assert_frame_equal(daily, before)
    lower = change_since(make_daily(np.r_[values[:56], values[56:] - 5]), since).iloc[0]
    assert lower["verdict"] == "lower"


@pytest.mark.slow   # seconds: a subprocess or a simulation
def test_change_since_interval_covers_the_truth_on_autocorrelated_noise():
    rng = np.random.default_rng(22)
    covered = []
    for _ in range(150):
        phi = rng.uniform(0.3, 0.7)
        values = 5 + ar1_noise(rng, 70, phi=phi, sd=rng.uniform(1, 2)) + np.r_[np.zeros(56), np.full(14, 1.0)]
        skip = set(np.flatnonzero(rng.random(70) > 0.8))
        row = change_since(make_daily(values, skip=skip), START + dt.timedelta(days=56)).iloc[0]
        covered.append(row["ci_low"] <= 1.0 <= row["ci_high"])
    assert np.mean(covered) >= 0.90


@pytest.mark.slow   # seconds: a subprocess or a simulation
def test_change_since_false_verdicts_on_flat_whole_point_clients_stay_near_five_percent():
    # The issue-8 kind: whole points, clipped, 15 % of days missing, phi 0.6; 14-day period.
    rate = factories.change_since_false_rate(seed=81, n=150, period_days=14)
    assert rate <= 0.09, rate  # 5 % of 150 is 7.5; 14 or more has a binomial chance under 1 %


def test_change_since_uses_only_the_baseline_weeks_and_the_period():
    values = [9.0] * 10 + [5.0] * 56 + [6.0] * 10 + [1.0] * 5
    rows = change_since(make_daily(values), START + dt.timedelta(days=66), START + dt.timedelta(days=75),
                        baseline_weeks=8)
    row = rows.iloc[0]
    assert (row["n_days_baseline"], row["mean_baseline"]) == (56, 5.0)
    assert (row["n_days_period"], row["mean_period"]) == (10, 6.0)
    assert list(rows.columns) == list(clinical.CHANGE_COLUMNS)


def test_change_since_with_too_few_days_gives_means_but_no_interval():
    row = change_since(make_daily([5.0] * 20 + [7.0, 8.0]), START + dt.timedelta(days=20)).iloc[0]
    assert row["n_days_period"] == 2 and row["difference"] == pytest.approx(2.5)
    assert np.isnan(row["ci_low"]) and row["verdict"] == "no clear change"
    assert change_since(make_daily([]), START).empty
    two = pd.concat([make_daily([1.0] * 5), make_daily([1.0] * 5, client_id="c-2")])
    with pytest.raises(ValueError, match="one client"):
        change_since(two, START)


# --- stress episodes ---------------------------------------------------------------

def episode_client(rng: np.random.Generator, n: int = 120, bumps: dict[int, float] | None = None) -> pd.DataFrame:
    """Daily stress (client_id, day, stress) around 4 with AR(1) noise and bumps {day: size}."""
    stress = 4 + ar1_noise(rng, n, phi=0.5, sd=0.8)
    for day, size in (bumps or {}).items():
        stress[day] += size
        stress[day + 1] += size * 0.7
    days = [START + dt.timedelta(days=i) for i in range(n)]
    return pd.DataFrame({"client_id": "c-1", "day": days, "stress": np.clip(np.round(stress), 0, 10)})


def test_planted_episode_is_found_with_start_peak_baseline_and_resolution():
    daily = episode_client(np.random.default_rng(31), bumps={50: 5.0})
    episodes = stress_episodes(daily)
    hit = episodes[[abs((row.start_day - (START + dt.timedelta(days=50))).days) <= 1
                    for row in episodes.itertuples()]]
    assert len(hit) == 1
    ep = hit.iloc[0]
    assert ep["episode_id"] == f"c-1:{ep['start_day'].isoformat()}"
    assert ep["peak_stress"] >= 8 and 3 <= ep["baseline_stress"] <= 5
    assert ep["status"] == "resolved" and ep["resolved_day"] > ep["end_day"]
    assert 1 <= ep["n_days"] <= 4
    assert len(episodes) <= 3  # few spurious ones on 120 days of noise


def test_flat_noise_gives_few_episodes_and_a_final_one_is_ongoing():
    rng = np.random.default_rng(32)
    n_spurious = [len(stress_episodes(episode_client(rng))) for _ in range(20)]
    assert np.mean(n_spurious) < 1.0, n_spurious
    ongoing = stress_episodes(episode_client(np.random.default_rng(33), n=60, bumps={58: 6.0}))
    last = ongoing.iloc[-1]
    assert last["status"] == "ongoing" and pd.isna(last["resolved_day"])


def test_episode_context_lists_themes_before_body_records_and_practices():
    daily = episode_client(np.random.default_rng(34), bumps={40: 5.0})
    episodes = stress_episodes(daily)
    ep = episodes[episodes["start_day"].between(START + dt.timedelta(days=39), START + dt.timedelta(days=41))]
    assert len(ep) == 1
    start = ep.iloc[0]["start_day"]
    texts = pd.DataFrame({
        "client_id": "c-1",
        "day": [start - dt.timedelta(days=1), start, start, start - dt.timedelta(days=10)],
        "stress": [0.9, 0.6, 0.95, 0.99],
        "evidence": ["The landlord sent the eviction letter.", "I could not sleep.", "I am panicking about rent.",
                     "Long before."],
        "theme": ["money and rent", "sleep", "money and rent", "work"]})
    body = pd.DataFrame({"client_id": "c-1", "day": [start, start, start + dt.timedelta(days=1), START],
                         "location": ["chest", "stomach", "chest", "jaw"],
                         "sensation": ["tightness", "knot", "tightness", "clenched"],
                         "intensity": [8, 5, 6, 9]})
    practices = pd.DataFrame({"client_id": "c-1", "day": [start, start, START],
                              "practiced_at": [pd.Timestamp(start, tz="UTC"), pd.Timestamp(start, tz="UTC")
                                               + pd.Timedelta(hours=2), pd.Timestamp(START, tz="UTC")],
                              "kind": ["box_breathing", "walk", "walk"], "stress_before": [8, np.nan, 3],
                              "stress_after": [5, np.nan, 3], "helpful": [True, None, False]})
    row = episode_context(ep, texts, body, practices).iloc[0]
    assert row["themes_before_episode"] == ["money and rent", "sleep"]
    assert row["evidence_before_episode"] == ["I am panicking about rent.", "The landlord sent the eviction letter.",
                                              "I could not sleep."]
    assert row["body_response"] == [
        {"location": "chest", "sensation": "tightness", "n": 2, "mean_intensity": 7.0},
        {"location": "stomach", "sensation": "knot", "n": 1, "mean_intensity": 5.0}]  # the jaw was before
    assert row["practices_done"] == [{"kind": "box_breathing", "stress_before": 8, "stress_after": 5},
                                     {"kind": "walk", "stress_before": None, "stress_after": None}]
    assert "trigger_themes" not in row


def test_episodes_from_check_ins_average_a_day_and_empty_inputs_work():
    checkins = pd.DataFrame({"client_id": "c-1", "local_at": pd.to_datetime(["2026-06-01 08:00", "2026-06-01 21:00"]),
                             "stress": [4.0, 6.0]})
    assert daily_checkin_stress(checkins)["stress"].tolist() == [5.0]
    empty = stress_episodes(daily_checkin_stress(checkins.iloc[:0]))
    assert empty.empty and list(empty.columns) == list(clinical.EPISODE_COLUMNS)
    no_context = pd.DataFrame({"client_id": pd.Series(dtype="str"), "day": pd.Series(dtype="object")})
    assert episode_context(empty, no_context, no_context, no_context).empty


# --- practice effects --------------------------------------------------------------

def practices_frame(kind: str, pairs: list[tuple[int, int]], helpful=True, client_id: str = "c-1") -> pd.DataFrame:
    return pd.DataFrame({"client_id": client_id, "kind": kind, "stress_before": [b for b, _ in pairs],
                         "stress_after": [a for _, a in pairs], "helpful": helpful})


def test_practice_effect_verdicts_and_interval():
    frame = pd.concat([
        practices_frame("box_breathing", [(8, 5), (7, 4), (6, 4), (9, 5)]),
        practices_frame("walk", [(6, 7), (5, 5), (6, 5), (4, 5)], helpful=False),
        practices_frame("journaling", [(3, 5), (4, 6), (3, 6)], helpful=False),
        practices_frame("body_scan", [(8, 2), (7, 3)]),
    ])
    rows = practice_effects(frame).set_index("kind")
    assert rows.loc["box_breathing", "verdict"] == "lower_after"
    assert rows.loc["box_breathing", "mean_change"] == pytest.approx(-3.0)
    assert rows.loc["box_breathing", "ci_high"] < 0 < rows.loc["walk", "ci_high"]
    assert rows.loc["box_breathing", "share_helpful"] == 1.0 and rows.loc["walk", "share_helpful"] == 0.0
    assert rows.loc["walk", "verdict"] == "no_clear_change"
    assert rows.loc["journaling", "verdict"] == "higher_after"
    # Two sessions, however convincing: means but no interval and no verdict.
    assert rows.loc["body_scan", "n"] == 2 and rows.loc["body_scan", "verdict"] is None
    assert np.isnan(rows.loc["body_scan", "ci_low"])
    assert practice_effects(frame.iloc[:0]).empty


def test_sessions_without_both_ratings_do_not_count_towards_n():
    frame = practices_frame("walk", [(6, 4), (6, 4), (5, 3)]).astype({"stress_after": "float"})
    frame.loc[2, "stress_after"] = np.nan
    row = practice_effects(frame).iloc[0]
    assert row["n"] == 2 and row["verdict"] is None


# --- the tables analyze writes ------------------------------------------------------

@pytest.fixture(scope="module")
def analyzed_summary_client(tmp_path_factory):
    """c-0003 of the sample: summary scope, low engagement, planted Monday-morning stress."""
    from pipelines import db
    from pipelines.analyze import run_analysis
    from pipelines.ingest import ingest_paths
    from tests.conftest import SAMPLE
    from tests.test_analyze import TORCH

    con = db.connect(tmp_path_factory.mktemp("clinical") / "c.duckdb")
    ingest_paths(con, [p for p in sorted((SAMPLE / "exports").rglob("*.json")) if p.parent.name == "c-0003"])
    report = run_analysis(con, encoder=TORCH)
    yield con, report
    con.close()


@pytest.mark.slow   # seconds: a subprocess or a simulation
def test_analyze_writes_rhythms_episodes_and_practice_effects(analyzed_summary_client):
    import json

    from tests.conftest import SAMPLE

    con, report = analyzed_summary_client
    assert report.clients_clinical == 1 and "clinical" in report.seconds
    rhythms = con.execute("SELECT measure, kind, peak, effect FROM client_rhythms").fetchall()
    assert ("stress", "weekday") in {(m, k) for m, k, _, _ in rhythms}
    assert any(m == "stress" and p.startswith("Monday") and e > 0 for m, _, p, e in rhythms)
    episodes = con.execute("SELECT start_day, end_day, status, themes_before_episode, body_response, practices_done "
                           "FROM stress_episodes ORDER BY start_day").fetchall()
    persona = next(c for c in json.loads((SAMPLE / "personas.json").read_text())["clients"]
                   if c["client_id"] == "c-0003")
    planted = [dt.date.fromisoformat(e["start_date"]) for e in persona["episodes"]]
    found = [s for s, e, *_ in episodes if any(s - dt.timedelta(days=1) <= p <= e + dt.timedelta(days=1)
                                               for p in planted)]
    assert found, (planted, [e[:2] for e in episodes])
    assert all(isinstance(e[3], list) and isinstance(e[5], list) for e in episodes)
    assert any(e[4] for e in episodes) and any(e[3] for e in episodes)
    body = next(b for e in episodes for b in e[4])
    assert set(body) == {"location", "sensation", "n", "mean_intensity"} and 1 <= body["mean_intensity"] <= 10
    effects = dict(con.execute("SELECT kind, verdict FROM practice_effects WHERE n >= 3").fetchall())
    helpful = [k for k in persona["helpful_practices"] if k in effects]
    assert helpful and all(effects[k] == "lower_after" for k in helpful), effects
    assert set(effects.values()) <= {"lower_after", "no_clear_change", "higher_after"}
    types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE stress_episodes)").fetchall())
    assert types["evidence_before_episode"] == "VARCHAR[]" and types["start_day"] == "DATE"
    assert types["practices_done"] == "STRUCT(kind VARCHAR, stress_before INTEGER, stress_after INTEGER)[]"


@pytest.mark.slow   # seconds: a subprocess or a simulation
def test_unchanged_rerun_recomputes_no_client(analyzed_summary_client):
    from pipelines.analyze import stage
    from pipelines.stages import run_client_stage

    con, _ = analyzed_summary_client
    before = con.execute("SELECT * FROM stress_episodes ORDER BY episode_id").fetchall()
    assert run_client_stage(con, stage("clinical")).recomputed == 0
    con.execute("DELETE FROM stage_fingerprints WHERE stage = 'clinical'")
    assert run_client_stage(con, stage("clinical")).recomputed == 1
    assert con.execute("SELECT * FROM stress_episodes ORDER BY episode_id").fetchall() == before
