"""Per-client trends over the latest 8 weeks, honest about day-to-day autocorrelation.

Pure functions only: the caller reads check-ins and texts from DuckDB and saves the
result as the `analysis_trends` view (docs/analysis-contract.md).

    values (client_id, at, measure, value) --daily_series--> (client_id, measure, day, value, n)
    daily series --client_trends--> one row per client x measure (the contract's columns)

Why not plain OLS: daily check-ins are autocorrelated, so OLS (and even HAC errors,
on ~45 observations) calls a trend on a fifth to a quarter of flat, noisy clients.
The chosen method fits a linear trend with AR(1) errors on the *day* index, so
missing days are gaps in time, not adjacent rows: the correlation of two
observations d days apart is phi**d. phi is estimated by REML, which is far less
biased towards 0 than ML in short series, and the interval uses a t distribution
whose df come from the effective sample size n(1-phi)/(1+phi), since the noise's
variance rests on that many independent days, not n.

Calibration (`python -m pipelines.trends`, 500 simulated clients per row, 8 weeks,
70-90 % of days present, AR(1) noise phi 0.3-0.7, marginal sd 1-2; see
`calibration_table`). False = share of flat clients given a verdict; power = share
of trending clients given the right one:

                       n_sims  false_flat  power_0.5  power_1.0
    method
    ols                   500       0.232      0.972      1.000
    ols_hac               500       0.188      0.946      1.000
    weekly_ols            500       0.078      0.838      0.998
    arima_ml              100       0.140      0.900      1.000
    gls_ar1_reml          500       0.090      0.852      0.992
    gls_ar1_reml_neff     500       0.066      0.800      0.972
    chosen: gls_ar1_reml_neff (102 s)

Plain OLS and HAC errors call a trend on a fifth of flat clients; ML (ARIMA) and weekly
means still over-call (phi is underestimated in 8 weeks; weekly means stay correlated
when phi is 0.7). REML with the t's df from the effective sample size is the most
powerful method within 7 %. On two other seeds (1,000-1,500 flat clients) it gave
5.2 % and 6.2 % false verdicts, with power about 0.80 at +0.5 point/week.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np
import pandas as pd
from scipy import optimize, stats

# Bump when a rule changes what a stored trend would be: every client is refitted once.
VERSION = 1
WINDOW_WEEKS = 8
MIN_DAYS = 14  # fewer days than this and no row: not enough to say anything
CONFIDENCE = 0.95
MEASURES = ("mood", "stress", "energy", "sleep_hours", "valence")
RISING, FALLING, NO_TREND = "rising", "falling", "no clear trend"
DEFAULT_TZ = "UTC"  # as the database's views do for a client without a time zone
PHI_MAX = 0.98  # beyond this an AR(1) is indistinguishable from a random walk in 8 weeks

TREND_COLUMNS = ("client_id", "measure", "window_start", "window_end", "n_days",
                 "slope_per_week", "ci_low", "ci_high", "verdict")


@dataclass(frozen=True)
class TrendFit:
    slope_per_week: float
    ci_low: float
    ci_high: float
    verdict: str
    n_days: int
    method: str


@dataclass(frozen=True)
class _Estimate:
    slope_per_day: float
    se_per_day: float
    df: float  # degrees of freedom of the t used for the interval; inf for a normal


# --- daily series ----------------------------------------------------------------

def daily_series(values: pd.DataFrame, tz_by_client: Mapping[str, str]) -> pd.DataFrame:
    """Mean value and count per client, measure and client-local calendar day."""
    frame = values.dropna(subset=["value"]).reset_index(drop=True)
    if frame.empty:
        return pd.DataFrame({
            "client_id": pd.Series(dtype="str"), "measure": pd.Series(dtype="str"),
            "day": pd.Series(dtype="object"), "value": pd.Series(dtype="float64"),
            "n": pd.Series(dtype="int64"),
        })
    # One conversion per time zone, not per client (500 clients: 2.2 s -> 0.2 s).
    zones = frame["client_id"].map(lambda c: tz_by_client.get(c) or DEFAULT_TZ)
    days = pd.concat([_local_dates(frame.loc[idx, "at"], zone)
                      for zone, idx in zones.groupby(zones, sort=False).groups.items()])
    return (frame.assign(day=days.reindex(frame.index), value=frame["value"].astype("float64"))
            .groupby(["client_id", "measure", "day"], as_index=False, sort=True)
            .agg(value=("value", "mean"), n=("value", "size")))


def _local_dates(at: pd.Series, tz: str) -> pd.Series:
    return pd.to_datetime(at, utc=True).dt.tz_convert(tz).dt.date.astype("object")


# --- one trend -------------------------------------------------------------------

def _ols(days: np.ndarray, values: np.ndarray) -> _Estimate:
    """Plain OLS on daily values: assumes independent days (too optimistic)."""
    import statsmodels.api as sm
    fit = sm.OLS(values, sm.add_constant(days)).fit()
    return _Estimate(fit.params[1], fit.bse[1], fit.df_resid)


def _ols_hac(days: np.ndarray, values: np.ndarray) -> _Estimate:
    """OLS with Newey-West errors on the observed rows (the usual 'fix')."""
    import statsmodels.api as sm
    lags = int(math.floor(4 * (len(values) / 100) ** (2 / 9)))
    fit = sm.OLS(values, sm.add_constant(days)).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}, use_t=True)
    return _Estimate(fit.params[1], fit.bse[1], fit.df_resid)


def _weekly_ols(days: np.ndarray, values: np.ndarray) -> _Estimate:
    """OLS on weekly means (at each week's mean observed day), small-sample t."""
    weeks = pd.DataFrame({"week": days // 7, "day": days, "value": values}).groupby("week").mean()
    if len(weeks) < 3:
        raise ValueError("a weekly trend needs at least 3 weeks with data")
    return _ols(weeks["day"].to_numpy(), weeks["value"].to_numpy())


def _arima_ml(days: np.ndarray, values: np.ndarray) -> _Estimate:
    """ARIMA(1,0,0) with a trend regressor by state-space ML; missing days are NaN."""
    import warnings

    from statsmodels.tsa.arima.model import ARIMA
    grid = np.arange(days.min(), days.max() + 1)
    series = pd.Series(values, index=days).reindex(grid).to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ARIMA(series, exog=(grid - grid.mean()).astype(float), order=(1, 0, 0),
                    trend="c").fit()
    return _Estimate(fit.params[1], fit.bse[1], math.inf)


def _gls_ar1_reml(days: np.ndarray, values: np.ndarray) -> _Estimate:
    """GLS with AR(1) errors on the day index (corr = phi**gap), phi by REML, t(n-3)."""
    slope, se, _ = _ar1_reml_fit(days, values)
    return _Estimate(slope, se, len(values) - 3)  # one df more spent on phi


def _gls_ar1_reml_neff(days: np.ndarray, values: np.ndarray) -> _Estimate:
    """As `gls_ar1_reml`, with t's df from the effective sample size n(1-phi)/(1+phi).

    The interval's width rests on a variance estimated from autocorrelated days, worth
    about n(1-phi)/(1+phi) independent ones (Santer et al. 2000, J. Geophys. Res.).
    """
    slope, se, phi = _ar1_reml_fit(days, values)
    n_eff = len(values) * (1 - phi) / (1 + phi)
    return _Estimate(slope, se, float(np.clip(n_eff - 2, 2, len(values) - 3)))


def _ar1_reml_fit(days: np.ndarray, values: np.ndarray) -> tuple[float, float, float]:
    """Slope per day, its standard error and phi of a GLS fit with AR(1) errors by REML."""
    x = np.column_stack([np.ones_like(days, dtype=float), days - days.mean()])
    gaps = np.abs(np.subtract.outer(days, days)).astype(float)
    phi = _reml_phi(x, values, gaps)
    beta, cov, _ = _gls(x, values, phi ** gaps)
    return float(beta[1]), math.sqrt(cov[1, 1]), phi


def _gls(x: np.ndarray, y: np.ndarray, corr: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """GLS coefficients, their covariance and the REML criterion (to minimise)."""
    n, p = x.shape
    chol = np.linalg.cholesky(corr)
    xw, yw = np.linalg.solve(chol, x), np.linalg.solve(chol, y)
    xtx = xw.T @ xw
    beta = np.linalg.solve(xtx, xw.T @ yw)
    resid = yw - xw @ beta
    sigma2 = max(float(resid @ resid) / (n - p), 1e-300)
    criterion = ((n - p) * math.log(sigma2) + 2 * np.log(np.diag(chol)).sum()
                 + np.linalg.slogdet(xtx)[1])
    return beta, sigma2 * np.linalg.inv(xtx), criterion


def _reml_phi(x: np.ndarray, y: np.ndarray, gaps: np.ndarray) -> float:
    def criterion(phi: float) -> float:
        return _gls(x, y, phi ** gaps)[2]
    best = optimize.minimize_scalar(criterion, bounds=(0.0, PHI_MAX), method="bounded",
                                    options={"xatol": 1e-3})
    # The bounded search can miss a boundary optimum (no autocorrelation at all).
    return 0.0 if criterion(0.0) < best.fun else float(best.x)


METHODS: dict[str, Callable[[np.ndarray, np.ndarray], _Estimate]] = {
    "ols": _ols,
    "ols_hac": _ols_hac,
    "weekly_ols": _weekly_ols,
    "arima_ml": _arima_ml,
    "gls_ar1_reml": _gls_ar1_reml,
    "gls_ar1_reml_neff": _gls_ar1_reml_neff,
}
# Chosen by `calibration_table`: false verdicts near 5 % and the best power.
TREND_METHOD = "gls_ar1_reml_neff"


def fit_trend(days: np.ndarray, values: np.ndarray, method: str = TREND_METHOD) -> TrendFit:
    """Slope per week, its 95 % interval and verdict for values on integer day numbers."""
    days = np.asarray(days, dtype=float)
    values = np.asarray(values, dtype=float)
    if days.shape != values.shape or days.ndim != 1:
        raise ValueError("days and values must be 1-d arrays of the same length")
    if len(np.unique(days)) != len(days):
        raise ValueError("days must be distinct: average repeated days first (daily_series)")
    if len(days) < 4:
        raise ValueError(f"a trend needs at least 4 days with data, got {len(days)}")
    order = np.argsort(days)
    est = METHODS[method](days[order], values[order])
    half = stats.t.ppf(0.5 + CONFIDENCE / 2, est.df) * est.se_per_day * 7
    slope = est.slope_per_day * 7
    return TrendFit(slope_per_week=float(slope), ci_low=float(slope - half),
                    ci_high=float(slope + half), verdict=trend_verdict(slope - half, slope + half),
                    n_days=len(days), method=method)


def interval_verdict(ci_low: float, ci_high: float, above: str, below: str, neither: str) -> str:
    """`above` when the interval lies above 0, `below` when below, else `neither`."""
    if ci_low > 0:
        return above
    if ci_high < 0:
        return below
    return neither


def trend_verdict(ci_low: float, ci_high: float) -> str:
    """`rising` or `falling` when the interval excludes 0, else `no clear trend`."""
    return interval_verdict(ci_low, ci_high, RISING, FALLING, NO_TREND)


# --- all clients -----------------------------------------------------------------

def client_trends(frame: pd.DataFrame, window_weeks: int = WINDOW_WEEKS,
                  min_days: int = MIN_DAYS, method: str = TREND_METHOD) -> pd.DataFrame:
    """The `analysis_trends` rows for a daily series (as returned by `daily_series`)."""
    rows = [
        row for (client_id, measure), series in frame.groupby(["client_id", "measure"], sort=True)
        if (row := _trend_row(client_id, measure, series, window_weeks, min_days, method))
    ]
    return _trend_frame(rows)


def _trend_row(client_id: str, measure: str, series: pd.DataFrame, window_weeks: int,
               min_days: int, method: str) -> dict | None:
    day = pd.to_datetime(series["day"])
    end = day.max()
    start = end - pd.Timedelta(days=7 * window_weeks - 1)
    in_window = series[(day >= start).to_numpy()].dropna(subset=["value"])
    if len(in_window) < min_days:
        return None
    days = (pd.to_datetime(in_window["day"]) - start).dt.days.to_numpy()
    fit = fit_trend(days, in_window["value"].to_numpy(), method)
    return {"client_id": client_id, "measure": measure, "window_start": start.date(),
            "window_end": end.date(), "n_days": fit.n_days, "slope_per_week": fit.slope_per_week,
            "ci_low": fit.ci_low, "ci_high": fit.ci_high, "verdict": fit.verdict}


def _trend_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(TREND_COLUMNS))
    # DATE columns stay as datetime.date objects so DuckDB reads them as DATE, not TIMESTAMP.
    return frame.astype({"client_id": "str", "measure": "str", "window_start": "object",
                         "window_end": "object", "n_days": "int32", "slope_per_week": "float64",
                         "ci_low": "float64", "ci_high": "float64", "verdict": "str"})


# --- words -----------------------------------------------------------------------

_LABELS = {"sleep_hours": "sleep"}
_UNITS = {"mood": "point", "stress": "point", "energy": "point", "sleep_hours": "hour"}
_DECIMALS = {"valence": 2}


def verdict_text(measure: str, fit: TrendFit) -> str:
    """Plain words for a clinician: the direction, size and interval, or 'no clear trend'."""
    label = _LABELS.get(measure, measure)
    if fit.verdict == NO_TREND:
        return f"{label}: no clear trend"
    decimals = _DECIMALS.get(measure, 1)
    slope = f"{fit.slope_per_week:+.{decimals}f}"
    unit = _UNITS.get(measure)
    per_week = f"{slope} {unit}{'' if slope[1:] == f'{1:.{decimals}f}' else 's'} per week" \
        if unit else f"{slope} per week"
    return (f"{label} {fit.verdict}, about {per_week} "
            f"(95% CI {fit.ci_low:+.{decimals}f} to {fit.ci_high:+.{decimals}f})")


# --- simulation and calibration ---------------------------------------------------

def simulate_client(kind: str, rng: np.random.Generator, *, slope_per_week: float = 0.5,
                    weeks: int = WINDOW_WEEKS, phi: float | None = None, sd: float | None = None,
                    present: float | None = None, level: float = 5.0) -> pd.DataFrame:
    """Daily (day, value) of a simulated client: `flat`, `rising` or `falling`, AR(1) noise.

    Unset phi, sd (marginal) and present (share of days with a check-in) are drawn from
    0.3-0.7, 1-2 and 0.7-0.9.
    """
    sign = {"flat": 0.0, "rising": 1.0, "falling": -1.0}[kind]
    phi = rng.uniform(0.3, 0.7) if phi is None else phi
    sd = rng.uniform(1.0, 2.0) if sd is None else sd
    present = rng.uniform(0.7, 0.9) if present is None else present
    n = 7 * weeks
    noise = np.empty(n)
    noise[0] = rng.normal(0, sd)
    shocks = rng.normal(0, sd * math.sqrt(1 - phi**2), n)
    for i in range(1, n):
        noise[i] = phi * noise[i - 1] + shocks[i]
    day = np.arange(n)
    value = level + sign * abs(slope_per_week) * (day - day.mean()) / 7 + noise
    keep = rng.random(n) < present
    return pd.DataFrame({"day": day[keep], "value": value[keep]})


SLOW_METHODS = ("arima_ml",)  # ~0.15 s a fit: calibrated on fewer clients
MAX_FALSE_RATE = 0.07


def calibration_table(n: int = 500, seed: int = 20261116,
                      methods: tuple[str, ...] = tuple(METHODS), n_slow: int = 100) -> pd.DataFrame:
    """False-verdict rate on flat clients and power at +0.5 and +1 point/week, per method."""
    rng = np.random.default_rng(seed)
    scenarios = {"false_flat": ("flat", 0.0), "power_0.5": ("rising", 0.5),
                 "power_1.0": ("rising", 1.0)}
    # The same simulated clients for every method, so differences are the methods'.
    clients = {name: [simulate_client(kind, rng, slope_per_week=slope) for _ in range(n)]
               for name, (kind, slope) in scenarios.items()}
    table = pd.DataFrame([
        {"method": method, "n_sims": len(sims := clients["false_flat"][:_n_sims(method, n, n_slow)]),
         **{name: _verdict_rate(clients[name][:len(sims)], method,
                                RISING if kind == "rising" else None)
            for name, (kind, _) in scenarios.items()}}
        for method in methods
    ])
    return table.set_index("method")


def chosen_method(table: pd.DataFrame, max_false_rate: float = MAX_FALSE_RATE) -> str:
    """The most powerful method whose false-verdict rate stays within `max_false_rate`."""
    honest = table[table["false_flat"] <= max_false_rate]
    if honest.empty:
        raise ValueError(f"no method keeps false verdicts within {max_false_rate:.0%}")
    return str((honest["power_0.5"] + honest["power_1.0"]).idxmax())


def _n_sims(method: str, n: int, n_slow: int) -> int:
    return min(n, n_slow) if method in SLOW_METHODS else n


def _verdict_rate(sims: list[pd.DataFrame], method: str, wanted: str | None) -> float:
    verdicts = [fit_trend(s["day"].to_numpy(), s["value"].to_numpy(), method).verdict for s in sims]
    return float(np.mean([v != NO_TREND if wanted is None else v == wanted for v in verdicts]))


if __name__ == "__main__":
    import time
    started = time.perf_counter()
    table = calibration_table()
    print(table.round(3).to_string())
    print(f"chosen: {chosen_method(table)} ({time.perf_counter() - started:.0f} s)")
