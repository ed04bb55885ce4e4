"""Trends per client: daily series, the AR(1)-aware slope, the contract's rows and the words."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from pipelines import trends
from pipelines.trends import (MIN_DAYS, TREND_COLUMNS, TrendFit, client_trends, daily_series,
                              fit_trend, simulate_client, verdict_text)

START = dt.date(2026, 9, 1)


def make_values(client_id: str = "c-1", measure: str = "stress", days=range(56), values=None,
                hour: int = 20) -> pd.DataFrame:
    """Input of `daily_series`: one value a day at `hour` UTC."""
    days = list(days)
    values = [5.0] * len(days) if values is None else list(values)
    at = [pd.Timestamp(f"{START + dt.timedelta(days=d)} {hour:02d}:00", tz="UTC") for d in days]
    return pd.DataFrame({"client_id": client_id, "at": at, "measure": measure, "value": values})


def make_daily(client_id: str = "c-1", measure: str = "stress", days=range(56), values=None):
    """Input of `client_trends`: a daily series as `daily_series` returns it."""
    days = list(days)
    values = [5.0] * len(days) if values is None else list(values)
    return pd.DataFrame({"client_id": client_id, "measure": measure,
                         "day": [START + dt.timedelta(days=d) for d in days],
                         "value": values, "n": 1})


def verdicts(sims: list[pd.DataFrame]) -> list[str]:
    return [fit_trend(s["day"].to_numpy(), s["value"].to_numpy()).verdict for s in sims]


# --- daily_series ------------------------------------------------------------------

def test_daily_series_uses_the_clients_local_date_and_averages_a_day():
    values = pd.DataFrame({
        "client_id": ["c-1", "c-1", "c-1", "c-2"],
        # 03:00 UTC on the 10th is still the evening of the 9th in Chicago.
        "at": pd.to_datetime(["2026-11-10T03:00Z", "2026-11-09T20:00Z", "2026-11-10T20:00Z",
                              "2026-11-10T03:00Z"]),
        "measure": "mood", "value": [2.0, 0.0, -1.0, 1.0],
    })
    before = values.copy()
    daily = daily_series(values, {"c-1": "America/Chicago"})  # c-2 has none: UTC
    assert daily.to_dict("records") == [
        {"client_id": "c-1", "measure": "mood", "day": dt.date(2026, 11, 9), "value": 1.0, "n": 2},
        {"client_id": "c-1", "measure": "mood", "day": dt.date(2026, 11, 10), "value": -1.0, "n": 1},
        {"client_id": "c-2", "measure": "mood", "day": dt.date(2026, 11, 10), "value": 1.0, "n": 1},
    ]
    pd.testing.assert_frame_equal(values, before)


def test_daily_series_skips_missing_values_and_keeps_measures_apart():
    values = pd.concat([make_values(measure="stress", days=[0, 1], values=[4, None]),
                        make_values(measure="energy", days=[1], values=[7])])
    daily = daily_series(values, {})
    assert list(zip(daily["measure"], daily["day"], daily["value"])) == [
        ("energy", START + dt.timedelta(days=1), 7.0), ("stress", START, 4.0)]


def test_daily_series_of_nothing_is_an_empty_frame_with_its_columns():
    daily = daily_series(make_values(days=[]), {})
    assert list(daily.columns) == ["client_id", "measure", "day", "value", "n"] and daily.empty


# --- fit_trend ---------------------------------------------------------------------

def test_a_clean_line_is_rising_or_falling_at_its_slope():
    days = np.arange(30)
    up, down = fit_trend(days, 3 + days / 7), fit_trend(days, 3 - 0.5 * days / 7)
    assert (up.verdict, round(up.slope_per_week, 6)) == ("rising", 1.0)
    assert (down.verdict, round(down.slope_per_week, 6)) == ("falling", -0.5)
    assert up.ci_low <= up.slope_per_week <= up.ci_high and up.n_days == 30


def test_flat_noisy_clients_rarely_get_a_verdict():
    rng = np.random.default_rng(1)
    found = verdicts([simulate_client("flat", rng) for _ in range(200)])
    assert np.mean([v != "no clear trend" for v in found]) <= 0.10


def test_a_point_a_week_is_found_in_most_clients():
    rng = np.random.default_rng(2)
    found = verdicts([simulate_client("rising", rng, slope_per_week=1.0) for _ in range(100)])
    assert np.mean([v == "rising" for v in found]) >= 0.80
    rng = np.random.default_rng(3)
    found = verdicts([simulate_client("falling", rng, slope_per_week=1.0) for _ in range(30)])
    assert np.mean([v == "falling" for v in found]) >= 0.80


def test_plain_ols_is_fooled_by_autocorrelation_where_the_chosen_method_is_not():
    rng = np.random.default_rng(4)
    sims = [simulate_client("flat", rng, phi=0.7, sd=1.5) for _ in range(100)]
    rate = {method: np.mean([fit_trend(s["day"].to_numpy(), s["value"].to_numpy(), method).verdict
                             != "no clear trend" for s in sims])
            for method in ("ols", trends.TREND_METHOD)}
    assert rate["ols"] >= 0.15 and rate[trends.TREND_METHOD] <= 0.10


def test_gaps_are_time_not_adjacent_rows():
    # Two blocks three weeks apart: the slope is per calendar week across the gap.
    days = np.r_[np.arange(0, 14), np.arange(35, 56)]
    rng = np.random.default_rng(5)
    noise = rng.normal(0, 0.3, len(days))
    fit = fit_trend(days, 2 + 0.5 * days / 7 + noise)
    assert fit.verdict == "rising" and fit.ci_low < 0.5 < fit.ci_high and fit.n_days == 35


def test_order_of_days_does_not_matter():
    rng = np.random.default_rng(6)
    sim = simulate_client("rising", rng)
    shuffled = sim.sample(frac=1, random_state=0)
    assert fit_trend(sim["day"], sim["value"]) == fit_trend(shuffled["day"], shuffled["value"])


@pytest.mark.parametrize("method", list(trends.METHODS))
def test_every_candidate_method_returns_an_interval_around_its_slope(method):
    sim = simulate_client("rising", np.random.default_rng(7), slope_per_week=1.0)
    fit = fit_trend(sim["day"].to_numpy(), sim["value"].to_numpy(), method)
    assert fit.method == method and fit.ci_low < fit.slope_per_week < fit.ci_high


def test_bad_input_says_what_is_wrong():
    with pytest.raises(ValueError, match="days must be distinct"):
        fit_trend(np.array([0, 0, 1, 2]), np.array([1.0, 2, 3, 4]))
    with pytest.raises(ValueError, match="at least 4 days"):
        fit_trend(np.array([0, 1, 2]), np.array([1.0, 2, 3]))


# --- client_trends -----------------------------------------------------------------

def test_client_trends_has_exactly_the_contract_columns_and_types():
    rng = np.random.default_rng(8)
    sim = simulate_client("rising", rng, slope_per_week=1.0)
    frame = pd.concat([make_daily("c-1", "stress", sim["day"], sim["value"]),
                       make_daily("c-2", "mood", range(20), np.tile([0.0, 1.0], 10))])
    out = client_trends(frame)
    assert tuple(out.columns) == TREND_COLUMNS
    assert out["n_days"].dtype == "int32"
    assert all(out[c].dtype == "float64" for c in ("slope_per_week", "ci_low", "ci_high"))
    assert all(isinstance(d, dt.date) for d in pd.concat([out["window_start"], out["window_end"]]))
    assert list(out["client_id"]) == ["c-1", "c-2"] and list(out["measure"]) == ["stress", "mood"]
    assert set(out["verdict"]) <= {"rising", "falling", "no clear trend"}
    assert out.iloc[0]["verdict"] == "rising"


def test_the_window_is_the_last_eight_weeks_ending_at_the_last_day_with_data():
    # 40 early days at a high level, then 8 flat weeks ending on day 119: only the latter count.
    days = list(range(40)) + list(range(64, 120))
    values = [9.0] * 40 + list(np.tile([4.0, 5.0, 6.0, 5.0], 14))
    row = client_trends(make_daily(days=days, values=values)).iloc[0]
    assert row["window_end"] == START + dt.timedelta(days=119)
    assert row["window_start"] == START + dt.timedelta(days=64)
    assert row["n_days"] == 56 and row["verdict"] == "no clear trend"


def test_fewer_than_fourteen_days_give_no_row():
    frame = pd.concat([make_daily("c-1", days=range(0, 56, 5)),  # 12 days
                       make_daily("c-2", days=range(MIN_DAYS), values=np.arange(MIN_DAYS) % 3)])
    out = client_trends(frame)
    assert list(out["client_id"]) == ["c-2"] and out.iloc[0]["n_days"] == MIN_DAYS


def test_client_trends_of_nothing_is_empty_with_the_contract_columns():
    out = client_trends(make_daily(days=[]))
    assert out.empty and tuple(out.columns) == TREND_COLUMNS


# --- words -------------------------------------------------------------------------

def test_verdict_text_says_direction_size_and_interval():
    fit = TrendFit(1.0, 0.4, 1.6, "rising", 40, "x")
    assert verdict_text("stress", fit) == "stress rising, about +1.0 point per week (95% CI +0.4 to +1.6)"
    assert verdict_text("sleep_hours", TrendFit(-0.5, -0.8, -0.2, "falling", 40, "x")) == (
        "sleep falling, about -0.5 hours per week (95% CI -0.8 to -0.2)")
    assert verdict_text("valence", TrendFit(0.05, 0.01, 0.09, "rising", 40, "x")) == (
        "valence rising, about +0.05 per week (95% CI +0.01 to +0.09)")


def test_verdict_text_without_a_clear_trend_gives_no_number():
    assert verdict_text("mood", TrendFit(0.3, -0.2, 0.8, "no clear trend", 40, "x")) == (
        "mood: no clear trend")


# --- calibration -------------------------------------------------------------------

def test_chosen_method_is_the_most_powerful_one_that_stays_honest():
    table = pd.DataFrame({"false_flat": [0.25, 0.06, 0.05], "power_0.5": [0.97, 0.80, 0.70],
                          "power_1.0": [1.0, 0.99, 0.98]}, index=["ols", "a", "b"])
    assert trends.chosen_method(table) == "a"


def test_calibration_table_runs_small():
    table = trends.calibration_table(n=5, methods=("ols", "weekly_ols"))
    assert list(table.columns) == ["n_sims", "false_flat", "power_0.5", "power_1.0"]
    assert list(table.index) == ["ols", "weekly_ols"]
