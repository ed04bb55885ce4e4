"""Simulated clients and reference methods for tests and benchmarks: never imported by production.

    ar1_noise                 stationary AR(1) noise, the one copy (day-to-day carry-over phi)
    checkin_days              one measure's daily check-ins as the issue-8 calibration draws
                              them: whole points clipped to the scale, missing days
    simulated_trend_client    the older trend simulation (real values, random phi, sd, share)
    simulated_checkins        timed check-ins for rhythms (morning / evening, weekday effects)
    reference_trend_intervals the methods the chosen trend method is compared with (OLS,
                              HAC, GLSAR, SARIMAX, the previous rules, GLS with the true phi)

bench/trend_calibration.py prints the calibration tables; tests/test_trends.py and
tests/test_clinical.py assert them on smaller seeded runs.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
from scipy import stats

from pipelines import clinical, trends

# The issue-8 calibration: 8 weeks of daily stress check-ins (0-10 whole points), AR(1)
# carry-over phi = 0.6, about 15 % of days missing, rising or falling 0.35 points a week or
# flat. The innovation sd 1.4 (marginal sd 1.75) reproduces the issue's sensitivities of
# OLS (0.77), HAC (0.68) and GLS with the true phi (0.43) at level 5.
ISSUE_PHI = 0.6
ISSUE_SLOPE = 0.35
ISSUE_MISSING = 0.15
ISSUE_INNOVATION_SD = 1.4
SCALE = (0.0, 10.0)
KINDS = ("flat", "rising", "falling")
_SIGN = {"flat": 0.0, "rising": 1.0, "falling": -1.0}


def ar1_noise(rng: np.random.Generator, n: int, phi: float, sd: float) -> np.ndarray:
    """n days of stationary AR(1) noise with lag-one correlation phi and marginal sd."""
    noise = np.empty(n)
    noise[0] = rng.normal(0, sd)
    shocks = rng.normal(0, sd * math.sqrt(1 - phi ** 2), n)
    for i in range(1, n):
        noise[i] = phi * noise[i - 1] + shocks[i]
    return noise


def checkin_days(rng: np.random.Generator, slope_per_week: float = 0.0, *, weeks: int = 8,
                 phi: float = ISSUE_PHI, innovation_sd: float = ISSUE_INNOVATION_SD,
                 missing: float = ISSUE_MISSING, level: float = 5.0, whole_points: bool = True,
                 scale: tuple[float, float] = SCALE) -> pd.DataFrame:
    """(day, value) of one client's daily check-ins: a line through `level` at mid-window
    plus AR(1) noise, rounded to whole points and clipped to `scale`, days missing at random."""
    n = 7 * weeks
    day = np.arange(n)
    value = level + slope_per_week * (day - day.mean()) / 7 + ar1_noise(
        rng, n, phi, innovation_sd / math.sqrt(1 - phi ** 2))
    if whole_points:
        value = np.clip(np.round(value), *scale)
    keep = rng.random(n) >= missing
    return pd.DataFrame({"day": day[keep], "value": value[keep]})


def issue_clients(seed: int, n_per_kind: int, **overrides) -> list[tuple[str, pd.DataFrame]]:
    """(kind, series) of `n_per_kind` flat, rising and falling clients of the issue-8 kind."""
    rng = np.random.default_rng(seed)
    return [(kind, checkin_days(rng, _SIGN[kind] * ISSUE_SLOPE, **overrides))
            for kind in KINDS for _ in range(n_per_kind)]


def simulated_trend_client(kind: str, rng: np.random.Generator, *, slope_per_week: float = 0.5,
                           weeks: int = trends.WINDOW_WEEKS, phi: float | None = None,
                           sd: float | None = None, present: float | None = None,
                           level: float = 5.0) -> pd.DataFrame:
    """Daily (day, value) of a `flat`, `rising` or `falling` client with real-valued AR(1)
    noise; unset phi, marginal sd and share of days present are drawn from 0.3-0.7, 1-2, 0.7-0.9."""
    phi = rng.uniform(0.3, 0.7) if phi is None else phi
    sd = rng.uniform(1.0, 2.0) if sd is None else sd
    present = rng.uniform(0.7, 0.9) if present is None else present
    n = 7 * weeks
    noise = ar1_noise(rng, n, phi, sd)
    day = np.arange(n)
    value = level + _SIGN[kind] * abs(slope_per_week) * (day - day.mean()) / 7 + noise
    keep = rng.random(n) < present
    return pd.DataFrame({"day": day[keep], "value": value[keep]})


def simulated_checkins(rng: np.random.Generator, *, weeks: int = 12, phi: float = 0.7, sd: float = 1.2,
                       present: float = 0.8, evening_share: float = 0.5, rhythm: dict | None = None,
                       slope_per_week: float = 0.0, level: float = 5.0, start: str = "2026-05-04",
                       client_id: str = "sim", whole_points: bool = False) -> pd.DataFrame:
    """Check-ins (client_id, local_at, at, stress) of a simulated client: AR(1) daily noise
    (phi per day, marginal sd), a trend, and an optional ``rhythm`` {weekday index or
    (weekday, part): stress delta}. Morning check-ins fall at 7-10 h, evening ones at 19-22 h
    local time (UTC here). ``whole_points`` rounds to the 0-10 scale as the app records it."""
    rhythm = rhythm or {}
    n = 7 * weeks
    noise = ar1_noise(rng, n, phi, sd)
    days = pd.date_range(start, periods=n, freq="D")
    rows = []
    for i, day in enumerate(days):
        if rng.random() >= present:
            continue
        part = "evening" if rng.random() < evening_share else "morning"
        hour = rng.uniform(19, 22) if part == "evening" else rng.uniform(7, 10)
        delta = rhythm.get(day.weekday(), 0.0) + rhythm.get((day.weekday(), part), 0.0)
        value = level + slope_per_week * (i - n / 2) / 7 + noise[i] + delta
        if whole_points:
            value = float(np.clip(round(value), *SCALE))
        local = day + pd.Timedelta(hours=hour)
        rows.append({"client_id": client_id, "local_at": local, "at": local.tz_localize("UTC"),
                     "stress": value})
    return pd.DataFrame(rows)


def daily_frame(days, values, *, start, measure: str = "stress", client_id: str = "c-1") -> pd.DataFrame:
    """A daily series as `trends.daily_series` returns it, from day numbers after `start`."""
    start = pd.Timestamp(start)
    return pd.DataFrame({"client_id": client_id, "measure": measure,
                         "day": [(start + pd.Timedelta(days=int(d))).date() for d in days],
                         "value": np.asarray(values, float), "n": 1})


# --- reference trend methods (what the production rule is compared with) ----------------

@dataclass(frozen=True)
class Interval:
    low: float   # per week
    high: float

    @property
    def verdict(self) -> str:
        return trends.trend_verdict(self.low, self.high)


def _interval(slope_per_day: float, se_per_day: float, df: float) -> Interval:
    half = stats.t.ppf(0.5 + trends.CONFIDENCE / 2, df) * se_per_day
    return Interval(7 * (slope_per_day - half), 7 * (slope_per_day + half))


def ols_interval(days: np.ndarray, values: np.ndarray) -> Interval:
    """Plain OLS on the observed days: assumes independent days."""
    import statsmodels.api as sm
    fit = sm.OLS(values, sm.add_constant(days.astype(float))).fit()
    return _interval(fit.params[1], fit.bse[1], fit.df_resid)


def hac_interval(days: np.ndarray, values: np.ndarray) -> Interval:
    """OLS with Newey-West errors on the observed rows (the usual 'fix')."""
    import statsmodels.api as sm
    lags = int(math.floor(4 * (len(values) / 100) ** (2 / 9)))
    fit = sm.OLS(values, sm.add_constant(days.astype(float))).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}, use_t=True)
    return _interval(fit.params[1], fit.bse[1], fit.df_resid)


def glsar_interval(days: np.ndarray, values: np.ndarray) -> Interval:
    """statsmodels GLSAR (iterated Cochrane-Orcutt on adjacent observed rows)."""
    import statsmodels.api as sm
    fit = sm.GLSAR(values, sm.add_constant(days.astype(float)), rho=1).iterative_fit(maxiter=10)
    return _interval(fit.params[1], fit.bse[1], fit.df_resid)


def previous_rule_interval(days: np.ndarray, values: np.ndarray) -> Interval:
    """trends.py version 1: REML phi as estimated, t with df from n(1-phi)/(1+phi)."""
    phi = trends.reml_phi(days, values)
    slope, se = trends.gls_slope(days, values, phi)
    n = len(values)
    return _interval(slope, se, float(np.clip(n * (1 - phi) / (1 + phi) - 2, 2, n - 3)))


def bretherton_df(n: int, phi: float) -> float:
    """Version 2's degrees of freedom: n(1-phi^2)/(1+phi^2), the independent days a variance
    estimated from AR(1) residuals rests on (Bretherton et al. 1999), less level, slope, phi."""
    return float(np.clip(n * (1 - phi ** 2) / (1 + phi ** 2) - 3, 2, n - 3))


def version2_interval(days: np.ndarray, values: np.ndarray) -> Interval:
    """trends.py version 2: phi the mode of REML x Beta(2, 1), t with Bretherton's df."""
    order = np.argsort(days, kind="stable")
    days, values = np.asarray(days, float)[order], np.asarray(values, float)[order]
    phi = trends.reml_phi(days, values, trends.PHI_PRIOR_SHAPE)
    slope, se = trends.gls_slope(days, values, phi)
    return _interval(slope, se, bretherton_df(len(values), phi))


def sarimax_interval(days: np.ndarray, values: np.ndarray) -> Interval:
    """statsmodels SARIMAX: exact-likelihood (Kalman) regression on level and day with AR(1)
    errors, the missing days as NaN; ML estimates, t(n - 3) on the ML standard error."""
    from statsmodels.tsa.statespace.sarimax import SARIMAX
    first = int(days.min())
    series = np.full(int(days.max()) - first + 1, np.nan)
    series[(days - first).astype(int)] = values
    day = np.arange(len(series), dtype=float)
    exog = np.column_stack([np.ones_like(day), day - day.mean()])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = SARIMAX(series, exog=exog, order=(1, 0, 0), trend="n").fit(disp=False)
    return _interval(float(fit.params[1]), float(fit.bse[1]), len(values) - 3)


def true_phi_interval(phi: float = ISSUE_PHI) -> Callable[[np.ndarray, np.ndarray], Interval]:
    """GLS with the simulation's own phi, t(n - 2): the limit no estimated phi can beat."""
    def interval(days: np.ndarray, values: np.ndarray) -> Interval:
        slope, se = trends.gls_slope(days, values, phi)
        return _interval(slope, se, len(values) - 2)
    return interval


DF_RULES = {
    "n-3": lambda n, phi: n - 3,
    "n(1-phi)/(1+phi)-2": lambda n, phi: float(np.clip(n * (1 - phi) / (1 + phi) - 2, 2, n - 3)),
    "n(1-phi^2)/(1+phi^2)-3": bretherton_df,
}


def candidate_interval(prior_shape: float, df_rule: str) -> Callable[[np.ndarray, np.ndarray], Interval]:
    """A candidate rule of the kind version 2 was chosen from: phi by REML x Beta(prior_shape,
    1), GLS slope, t with the named df rule (bench/trend_calibration.py --tune)."""
    def interval(days: np.ndarray, values: np.ndarray) -> Interval:
        order = np.argsort(days, kind="stable")
        days, values = np.asarray(days, float)[order], np.asarray(values, float)[order]
        phi = trends.reml_phi(days, values, prior_shape)
        slope, se = trends.gls_slope(days, values, phi)
        return _interval(slope, se, DF_RULES[df_rule](len(values), phi))
    return interval


# trends.py version 3's critical values of the Wald t (GLS at REML's phi), by n_days and REML phi.
V3_CRITICAL_N = (14, 20, 28, 40, 48, 64, 95)
V3_CRITICAL_PHI = (0.0, 0.15, 0.3, 0.45, 0.6, 0.7, 0.8, 0.88, 0.98)
V3_CRITICAL = (
    (1.975, 4.064, 7.437, 12.407, 19.261, 28.318, 40.043, 55.217, 75.207),
    (1.909, 2.468, 3.143, 3.993, 5.050, 6.204, 7.465, 8.862, 10.452),
    (1.955, 2.225, 2.504, 2.879, 3.443, 4.081, 4.782, 5.539, 6.380),
    (1.944, 2.204, 2.294, 2.370, 2.617, 3.012, 3.455, 3.924, 4.436),
    (1.930, 2.186, 2.219, 2.237, 2.506, 2.975, 3.514, 4.103, 4.763),
    (2.010, 2.062, 2.103, 2.194, 2.337, 2.541, 2.796, 3.050, 3.316),
    (1.941, 2.002, 2.079, 2.098, 2.098, 2.274, 2.600, 2.972, 3.380),
)


def version3_interval(days: np.ndarray, values: np.ndarray) -> Interval:
    """trends.py version 3: REML phi, GLS slope +- c(REML phi, n_days) x se, c fitted so flat
    clients get 5 % at every true phi 0-0.85 (the Wald interval version 4 replaced)."""
    days, values = np.asarray(days, float), np.asarray(values, float)
    if np.ptp(values) == 0:
        return Interval(0.0, 0.0)
    phi = trends.reml_phi(days, values)
    slope, se = trends.gls_slope(days, values, phi)
    logn = np.log(np.clip(len(days), V3_CRITICAL_N[0], V3_CRITICAL_N[-1]))
    critical = np.interp(logn, np.log(V3_CRITICAL_N), [np.interp(phi, V3_CRITICAL_PHI, row) for row in V3_CRITICAL])
    return Interval(7 * (slope - critical * se), 7 * (slope + critical * se))


def chosen_interval(days: np.ndarray, values: np.ndarray) -> Interval:
    fit = trends.fit_trend(days, values)
    return Interval(fit.ci_low, fit.ci_high)


REFERENCE_METHODS: dict[str, Callable[[np.ndarray, np.ndarray], Interval]] = {
    "OLS": ols_interval,
    "HAC": hac_interval,
    "GLSAR": glsar_interval,
    "SARIMAX (Kalman, ML)": sarimax_interval,
    "previous rule (v1)": previous_rule_interval,
    "previous rule (v2)": version2_interval,
    "previous rule (v3)": version3_interval,
    "chosen rule (v4)": chosen_interval,
    "GLS, true phi": true_phi_interval(),
}


def verdict_rates(clients: list[tuple[str, pd.DataFrame]],
                  interval: Callable[[np.ndarray, np.ndarray], Interval]) -> dict[str, float]:
    """False verdicts on flat clients, sensitivity (right direction on trending ones) and the
    count of trending clients given the opposite direction."""
    flat = hits = trending = wrong = n_flat = 0
    for kind, series in clients:
        verdict = interval(series["day"].to_numpy(float), series["value"].to_numpy(float)).verdict
        if kind == "flat":
            n_flat += 1
            flat += verdict != trends.NO_TREND
        else:
            trending += 1
            hits += verdict == kind
            wrong += verdict not in (kind, trends.NO_TREND)
    return {"false_verdicts": flat / max(n_flat, 1), "sensitivity": hits / max(trending, 1),
            "wrong_direction": wrong, "n_clients": len(clients)}


def rhythm_false_rate(seed: int, n: int, **overrides) -> dict[str, float]:
    """Share of flat clients (no rhythm at all) given a weekday or a part-of-day rhythm row,
    on whole-point check-ins with missing days, at clinical.ALPHA."""
    rng = np.random.default_rng(seed)
    false = {"weekday": 0, "part_of_day": 0}
    for _ in range(n):
        sim = simulated_checkins(rng, **{"weeks": 8, "phi": ISSUE_PHI, "sd": 1.75, "present": 1 - ISSUE_MISSING,
                                         "evening_share": 0.5, "whole_points": True, **overrides})
        for fit in clinical.fit_rhythms(sim["local_at"], sim["at"], sim["stress"]):
            false[fit.kind] += fit.p_value < clinical.ALPHA
    return {kind: count / n for kind, count in false.items()}


def change_since_false_rate(seed: int, n: int, *, period_days: int = 14, **overrides) -> float:
    """Share of flat clients whose `period_days` after 8 baseline weeks read higher or lower."""
    rng = np.random.default_rng(seed)
    weeks = clinical.BASELINE_WEEKS + math.ceil(period_days / 7)
    since = pd.Timestamp("2026-06-01") + pd.Timedelta(weeks=clinical.BASELINE_WEEKS)
    false = 0
    for _ in range(n):
        series = checkin_days(rng, 0.0, weeks=weeks, **overrides)
        series = series[series["day"] < 7 * clinical.BASELINE_WEEKS + period_days]
        row = clinical.change_since(daily_frame(series["day"], series["value"], start="2026-06-01"),
                                    since).iloc[0]
        false += row["verdict"] != clinical.NO_CHANGE
    return false / n
