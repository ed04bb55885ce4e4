"""Per-client trends over the latest 8 weeks, honest about day-to-day autocorrelation.

Pure functions only: the caller reads check-ins and texts from DuckDB and saves the
result as the `analysis_trends` view (docs/analysis-contract.md).

    values (client_id, at, measure, value) --daily_series--> (client_id, measure, day, value, n)
    daily series --client_trends--> one row per client x measure (the contract's columns)

The rule (VERSION 4): a linear trend with AR(1) errors on the *day* index, so missing days
are gaps in time, not adjacent rows (the correlation of two days d apart is phi**d). An
AR(1) seen on irregular days is still Markov, so its exact likelihood whitens in one pass
(`_whitened_sums`: the Kalman filter of this model in closed form, O(n) per phi, on a 0.01
grid of phi). The slope is the ML one. The interval is every slope b that a likelihood-ratio
test keeps: the fit with the slope held at b against the free fit, phi re-estimated (profiled)
under each (`likelihood_ratio_root`), its signed root against a critical value read by the
number of days and the REML phi of the held fit (`critical_value`). For each n_days the
critical values were fitted on simulated flat clients (`bench/trend_calibration.py
--calibrate`, tuning seeds only) so that 5 % of them get a verdict at every true phi from 0
to 0.85 at once; the problem is the same for every b (shift the values by b t), so the
interval covers the true slope 95 % of the time whatever it is. The verdict is the interval's.

Why not version 3 (Wald: GLS slope at REML's phi +- c(REML phi, n) x se): a flat client whose
wander the fitted slope soaks up gets a low phi and a small se, so c had to be large at every
phi to hold 5 %. The likelihood ratio re-estimates phi with no slope, where the wander shows
as carry-over, so the same 5 % costs less: +0.026 of sensitivity on the held-back clients
(0.336 against 0.310). Candidates calibrated alike on the tuning seeds (`--frontier`): Wald
at REML's phi 0.324, at ML's phi 0.303, the ratio read at the free fit's phi 0.330, at the
held fit's 0.335, phi integrated over its REML posterior 0.338 (a tie; the ratio is the
simpler one to invert into an interval).

The issue's goal (false <= 0.05 with sensitivity >= 0.40 at phi 0.6, and about 5 % at other
phi) cannot be met by any rule: `--bound` computes the most powerful test of one flat phi
against the issue's rising clients (Neyman-Pearson among tests free of level and scale, as
every rule here is, on Gaussian check-ins; rounding and clipping lose information). A
rule that calls at most 5 % of flat clients at phi 0.65 or 0.7 finds at most about 0.35 of
the issue's trending ones (0.35, 95 % bootstrap interval 0.29-0.40, at phi 0.65; 0.37 at
0.7, on 2,500 clients each); 0.40 needs phi known (GLS with the true phi, 0.41) or false
verdicts well above 5 % at phi 0.7-0.9 (a c(phi) fitted for phi 0.6 alone: 0.43, calling 9-25 %
of flat clients at phi 0.7-0.85). Version 4 is within the bound's noise of it.

Measured (bench/trend_calibration.py, held-back seeds: version 2's reporting seeds and three
fresh ones, 1,800 flat and 3,600 trending clients of the issue-8 kind: 8 weeks of 0-10 whole
points, clipped, phi 0.6, 15 % of days missing, +-0.35 points a week; SARIMAX on 300):

    method                 false   sensitivity   wrong direction   coverage
    OLS                    0.270   0.759         12
    HAC (Newey-West)       0.183   0.657          9
    GLSAR (statsmodels)    0.100   0.468          6
    SARIMAX (Kalman, ML)   0.060   0.485          0   (100 flat, 200 trending: ML's phi is low)
    version 1              0.060   0.372          4
    version 2              0.053   0.368          4
    version 3              0.052   0.310          4
    version 4 (this)       0.054   0.336          4                 0.952, 0.954
                                   (0.044 / 0.339 and 0.063 / 0.333 on the two seed sets)
    GLS with the true phi  0.042   0.411          0   (the limit: phi known)

Flat clients elsewhere (900 each, v3 / v4): phi 0.3 0.039 / 0.039; phi 0.85 0.042 / 0.046;
phi 0.9 0.060 / 0.064; floor clipping (level 3, level 1), real values and 40 % missing days:
0.036-0.042 both. Other windows (450 flat each): 16 weeks 0.058 (v3 the same), 3-4 weeks
0.036-0.058 (v3 0.029-0.047), with 0.02-0.03 more sensitivity. The wrong directions are
simulated clients whose own noise runs against their trend (all four: no clipped day, OLS
slope +0.23 to +0.27 a week on a falling client or -0.19 on a rising one, REML phi 0.22-0.36
where the truth is 0.6): the data show the opposite direction, and a rule that estimates phi
can be fooled by them as versions 1-3 are (4 each); where the trend is weak next to the noise
(4 weeks at 0.35 a week) any 5 % rule calls it either way about equally often.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

VERSION = 4  # bump when a rule below changes: every client's trends are refitted
WINDOW_WEEKS = 8
MIN_DAYS = 14  # fewer days than this and no row: not enough to say anything
CONFIDENCE = 0.95  # CRITICAL below is for this level: refit it (--calibrate) if it changes
MEASURES = ("mood", "stress", "energy", "sleep_hours", "valence")
RISING, FALLING, NO_TREND = "rising", "falling", "no clear trend"
DEFAULT_TZ = "UTC"  # as the database's views do for a client without a time zone
PHI_MAX = 0.98  # beyond this an AR(1) is indistinguishable from a random walk in 8 weeks
PHI_PRIOR_SHAPE = 2.0  # version 2's prior on phi, Beta(2, 1): clinical.change_since still uses it
PHI_GRID = np.round(np.arange(0.0, PHI_MAX + 1e-9, 0.01), 2)
PHI_CALIBRATED = 0.85  # false verdicts are held at 5 % for every true phi up to this
# CRITICAL[i][j]: the critical value at n_days CRITICAL_N[i] and REML phi CRITICAL_PHI[j],
# from `python bench/trend_calibration.py --calibrate` (tuning seeds only).
CRITICAL_N = (14, 20, 28, 40, 48, 64, 95)
CRITICAL_PHI = (0.0, 0.15, 0.3, 0.45, 0.6, 0.7, 0.8, 0.88, 0.98)
CRITICAL = (
    (1.731, 2.107, 2.433, 2.550, 2.550, 2.552, 2.699, 3.141, 3.819),
    (1.749, 2.058, 2.340, 2.527, 2.605, 2.605, 2.673, 2.933, 3.382),
    (1.817, 2.154, 2.371, 2.398, 2.398, 2.420, 2.572, 2.854, 3.205),
    (1.872, 2.096, 2.235, 2.242, 2.242, 2.319, 2.486, 2.691, 2.913),
    (1.855, 2.104, 2.243, 2.243, 2.243, 2.243, 2.357, 2.640, 3.014),
    (2.015, 2.060, 2.089, 2.110, 2.160, 2.264, 2.442, 2.636, 2.833),
    (1.943, 1.995, 2.036, 2.092, 2.111, 2.162, 2.240, 2.336, 2.440),
)

TREND_COLUMNS = ("client_id", "measure", "window_start", "window_end", "n_days",
                 "slope_per_week", "ci_low", "ci_high", "verdict")


@dataclass(frozen=True)
class TrendFit:
    slope_per_week: float
    ci_low: float
    ci_high: float
    verdict: str
    n_days: int
    phi: float


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
    zones = frame["client_id"].map(lambda c: tz_by_client.get(c) or DEFAULT_TZ)
    return (frame.assign(day=local_dates(frame["at"], zones), value=frame["value"].astype("float64"))
            .groupby(["client_id", "measure", "day"], as_index=False, sort=True)
            .agg(value=("value", "mean"), n=("value", "size")))


def local_dates(at: pd.Series, tz: str | pd.Series | None) -> pd.Series:
    """Calendar day (datetime.date) of each instant in its client's time zone: one zone for
    all (`tz` a name) or one per row (`tz` a Series on `at`'s index), converted once per
    distinct zone, not per row (500 clients: 2.2 s -> 0.2 s). No zone means UTC."""
    stamps = pd.to_datetime(at, utc=True)
    if not isinstance(tz, pd.Series):
        return stamps.dt.tz_convert(tz or DEFAULT_TZ).dt.date.astype("object")
    zones = tz.fillna(DEFAULT_TZ)
    out = pd.Series(index=at.index, dtype="object")
    for zone, idx in zones.groupby(zones, sort=False).groups.items():
        out.loc[idx] = stamps.loc[idx].dt.tz_convert(zone).dt.date.to_numpy()
    return out


# --- one trend -------------------------------------------------------------------

def _whitened_sums(days: np.ndarray, values: np.ndarray, phis: np.ndarray) -> dict[str, np.ndarray]:
    """Cross products of the whitened intercept (1), centred day (t) and values (y) at each
    phi in `phis`, for sorted distinct days, and the log determinant term sum log s_i.

    An AR(1) seen on irregular days is still Markov, so the exact likelihood whitens in one
    pass (the Kalman filter of this model in closed form): e_0 = v_0 and e_i = (v_i - r_i
    v_{i-1}) / s_i with r_i = phi**gap_i and s_i = sqrt(1 - r_i**2); log det of the
    correlation matrix = sum log s_i**2. O(n) per phi, vectorised over phis."""
    t = days - days.mean()
    r = phis[:, None] ** np.diff(days)[None, :]
    s = np.sqrt(1.0 - r ** 2)

    def whiten(v: np.ndarray) -> np.ndarray:
        out = np.empty((len(phis), len(v)))
        out[:, 0] = v[0]
        out[:, 1:] = (v[None, 1:] - r * v[None, :-1]) / s
        return out

    w1, wt, wy = whiten(np.ones_like(t)), whiten(t), whiten(values)
    return {"11": (w1 * w1).sum(1), "1t": (w1 * wt).sum(1), "tt": (wt * wt).sum(1),
            "1y": (w1 * wy).sum(1), "ty": (wt * wy).sum(1), "yy": (wy * wy).sum(1),
            "logs": np.log(s).sum(1)}


def _grid_fits(days: np.ndarray, values: np.ndarray, phis: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Slope per day, its standard error and the REML criterion (to minimise) of a line
    with AR(1) errors, at each phi in `phis`, for sorted distinct days: equal to the dense
    GLS (`_gls`) to rounding (tests/test_trends.py checks it)."""
    sums = _whitened_sums(days, values, phis)
    slope, level, det, rss = _line(sums)
    n = len(values)
    sigma2 = rss / (n - 2)
    se = np.sqrt(sigma2 * sums["11"] / det)
    criterion = (n - 2) * np.log(sigma2) + 2 * sums["logs"] + np.log(det)
    return slope, se, criterion


def _line(sums: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """GLS slope, level, det(X'V^-1 X) and residual sum of squares at each phi."""
    det = sums["11"] * sums["tt"] - sums["1t"] ** 2
    slope = (sums["11"] * sums["ty"] - sums["1t"] * sums["1y"]) / det
    level = (sums["tt"] * sums["1y"] - sums["1t"] * sums["ty"]) / det
    rss = np.maximum(sums["yy"] - level * sums["1y"] - slope * sums["ty"], 1e-300)
    return slope, level, det, rss


def _null_fits(sums: dict[str, np.ndarray], n: int, slopes: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """For each slope b (per day) held fixed, the ML deviance of the level-only AR(1) fit
    to values - b t, minimised over PHI_GRID, and the REML phi of that fit (the phi the
    critical value is read at). Shapes: one per slope."""
    b = slopes[:, None]
    s1y = sums["1y"][None, :] - b * sums["1t"][None, :]
    syy = sums["yy"][None, :] - 2 * b * sums["ty"][None, :] + b ** 2 * sums["tt"][None, :]
    rss = np.maximum(syy - s1y ** 2 / sums["11"][None, :], 1e-300)
    logs = sums["logs"][None, :]
    deviance = n * np.log(rss / n) + 2 * logs
    reml = (n - 1) * np.log(rss / (n - 1)) + 2 * logs + np.log(sums["11"])[None, :]
    return deviance.min(1), _grid_minimum(reml)


def _grid_minimum(criterion: np.ndarray) -> np.ndarray:
    """Where each row of `criterion` (on PHI_GRID) is least: the best grid point moved to the
    vertex of the parabola through it and its neighbours, so the phi (and the critical value
    read at it) moves continuously with the data rather than in 0.01 steps."""
    rows = np.arange(len(criterion))
    best = np.clip(np.argmin(criterion, axis=1), 1, len(PHI_GRID) - 2)
    left, mid, right = (criterion[rows, best + k] for k in (-1, 0, 1))
    curvature = left - 2 * mid + right
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where(curvature > 0, 0.5 * (left - right) / curvature, 0.0)
    step = PHI_GRID[1] - PHI_GRID[0]
    return np.clip(PHI_GRID[best] + np.clip(shift, -1, 1) * step, 0.0, PHI_MAX)


def reml_phi(days: np.ndarray, values: np.ndarray, prior_shape: float = 1.0) -> float:
    """phi of a line with AR(1) errors on the day index (days distinct): the
    mode of the REML likelihood times a prior density proportional to phi**(prior_shape - 1)
    on [0, PHI_MAX]. Plain REML is shape 1 (version 3's phi; `TrendFit.phi`); version 2 had
    shape 2, which clinical.change_since still uses. The mode is found on a 0.01 grid, then on a
    0.0005 grid between the grid points either side of the best one."""
    order = np.argsort(days, kind="stable")
    days, values = np.asarray(days, float)[order], np.asarray(values, float)[order]

    def criterion(phis: np.ndarray) -> np.ndarray:
        crit = _grid_fits(days, values, phis)[2]
        if prior_shape != 1:
            with np.errstate(divide="ignore"):
                crit = crit - 2 * (prior_shape - 1) * np.log(phis)
        return np.where(np.isfinite(crit), crit, np.inf)

    grid = PHI_GRID if prior_shape == 1 else np.r_[1e-6, PHI_GRID[1:]]
    best = int(np.argmin(criterion(grid)))
    fine = np.linspace(grid[max(best - 1, 0)], grid[min(best + 1, len(grid) - 1)], 41)
    return float(fine[int(np.argmin(criterion(fine)))])


def gls_slope(days: np.ndarray, values: np.ndarray, phi: float) -> tuple[float, float]:
    """Slope per day and its standard error, GLS with AR(1) errors of this phi."""
    days, values = np.asarray(days, float), np.asarray(values, float)
    order = np.argsort(days, kind="stable")
    slope, se, _ = _grid_fits(days[order], values[order], np.array([float(phi)]))
    return float(slope[0]), float(se[0])


def critical_value(phi: float, n_days: int) -> float:
    """The critical value of the signed root of the likelihood ratio that holds false
    verdicts at 5 % (the interval's coverage at 95 %) whatever the true phi from 0 to
    PHI_CALIBRATED, given the REML phi of the fit with the tested slope held fixed and the
    number of days: interpolated in CRITICAL (linear in phi, log n_days)."""
    return float(_critical_values(np.array([phi], float), n_days)[0])


def _critical_values(phis: np.ndarray, n_days: int) -> np.ndarray:
    """`critical_value` at each of `phis` for one n_days."""
    log_n = np.log(CRITICAL_N)
    at = float(np.clip(np.log(n_days), log_n[0], log_n[-1]))
    i = min(int(np.searchsorted(log_n, at, side="right")) - 1, len(log_n) - 2)
    weight = (at - log_n[i]) / (log_n[i + 1] - log_n[i])
    return ((1 - weight) * np.interp(phis, CRITICAL_PHI, CRITICAL[i])
            + weight * np.interp(phis, CRITICAL_PHI, CRITICAL[i + 1]))


def likelihood_ratio_root(days: np.ndarray, values: np.ndarray, slope_per_day: float = 0.0
                          ) -> tuple[float, float]:
    """The signed root of the likelihood ratio of 'the slope is `slope_per_day`' against a
    free slope, phi re-estimated (profiled, ML) under both, and the REML phi of the fit
    with the slope held fixed: the test statistic and the phi its critical value is read at.
    Positive when the fitted slope is above the tested one."""
    days, values = _sorted(days, values)
    sums = _whitened_sums(days, values, PHI_GRID)
    slope, deviance = _free_fit(sums, len(days))
    held, null_phi = _null_fits(sums, len(days), np.array([float(slope_per_day)]))
    root = math.sqrt(max(float(held[0] - deviance), 0.0))
    return (root if slope >= slope_per_day else -root), float(null_phi[0])


def _sorted(days, values) -> tuple[np.ndarray, np.ndarray]:
    days, values = np.asarray(days, float), np.asarray(values, float)
    order = np.argsort(days, kind="stable")
    return days[order], values[order]


def _free_fit(sums: dict[str, np.ndarray], n: int) -> tuple[float, float]:
    """The ML slope per day (GLS at the ML phi) and the minimum ML deviance."""
    slope, _, _, rss = _line(sums)
    deviance = n * np.log(rss / n) + 2 * sums["logs"]
    best = int(np.argmin(deviance))
    return float(slope[best]), float(deviance[best])


# Offsets (in standard errors at the ML phi) where the interval's ends are first looked for,
# then refined by _REFINE rounds of _STEPS steps each (bracket / 8**4).
_OFFSETS = np.array([0.0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 5, 6, 8, 11, 16, 30, 100, 1000])
_STEPS, _REFINE = 8, 4


def _interval_ends(sums: dict[str, np.ndarray], n: int, slope: float, deviance: float,
                   se: float) -> tuple[float, float]:
    """The lowest and highest slopes the likelihood-ratio test does not reject (the ends of
    the interval), found outward from `slope` in steps of `se`, both ends at once."""
    outward = np.array([-se, se])[:, None]

    def accepted(offsets: np.ndarray) -> np.ndarray:  # offsets (2, k): down, up
        held, null_phi = _null_fits(sums, n, (slope + outward * offsets).ravel())
        root = np.sqrt(np.maximum(held - deviance, 0.0))
        return (root <= _critical_values(null_phi, n)).reshape(offsets.shape)

    offsets = np.tile(_OFFSETS, (2, 1))
    ok = accepted(offsets)
    # the first rejected offset on each side (offset 0 is always kept); none: the last one
    first = np.where(ok.all(1), len(_OFFSETS) - 1, np.argmin(ok, axis=1))
    low, high = _OFFSETS[np.maximum(first - 1, 0)], _OFFSETS[first]
    low = np.where(ok.all(1), high, low)
    for _ in range(_REFINE):
        grid = low[:, None] + (high - low)[:, None] * np.linspace(0, 1, _STEPS + 1)[None, :]
        ok = accepted(grid)
        first = np.where(ok.all(1), _STEPS, np.argmin(ok, axis=1))
        rows = np.arange(2)
        low, high = grid[rows, np.maximum(first - 1, 0)], grid[rows, first]
        low = np.where(ok.all(1), high, low)
    return slope - se * low[0], slope + se * low[1]


def _design(days: np.ndarray) -> np.ndarray:
    return np.column_stack([np.ones_like(days, dtype=float), days - days.mean()])


def _gaps(days: np.ndarray) -> np.ndarray:
    return np.abs(np.subtract.outer(days, days)).astype(float)


def _gls(x: np.ndarray, y: np.ndarray, corr: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Dense GLS coefficients, their covariance and the REML criterion (to minimise): the
    O(n^3) reference that `_grid_fits` and clinical's whitening are checked against."""
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


def fit_trend(days: np.ndarray, values: np.ndarray) -> TrendFit:
    """Slope per week, its 95 % interval and verdict for values on integer day numbers: the
    slope is the ML one (GLS at the ML phi), the interval every slope the likelihood-ratio
    test (`likelihood_ratio_root` against `critical_value`) does not reject."""
    days = np.asarray(days, dtype=float)
    values = np.asarray(values, dtype=float)
    if days.shape != values.shape or days.ndim != 1:
        raise ValueError("days and values must be 1-d arrays of the same length")
    if len(np.unique(days)) != len(days):
        raise ValueError("days must be distinct: average repeated days first (daily_series)")
    if len(days) < 4:
        raise ValueError(f"a trend needs at least 4 days with data, got {len(days)}")
    days, values = _sorted(days, values)
    if np.ptp(values) == 0:  # the same value every day: no slope, and no noise to fit
        return TrendFit(0.0, 0.0, 0.0, NO_TREND, len(days), 0.0)
    n = len(days)
    sums = _whitened_sums(days, values, PHI_GRID)
    slope, deviance = _free_fit(sums, n)
    _, _, det, rss = _line(sums)
    se = np.sqrt(rss / (n - 2) * sums["11"] / det)  # at each phi: the search's step
    step = float(se[int(np.argmin(n * np.log(rss / n) + 2 * sums["logs"]))])
    reml = (n - 2) * np.log(rss / (n - 2)) + 2 * sums["logs"] + np.log(det)
    low, high = _interval_ends(sums, n, slope, deviance, step)
    low, high = float(7 * low), float(7 * high)
    return TrendFit(slope_per_week=float(7 * slope), ci_low=low, ci_high=high,
                    verdict=trend_verdict(low, high), n_days=n,
                    phi=float(PHI_GRID[int(np.argmin(reml))]))


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
                  min_days: int = MIN_DAYS) -> pd.DataFrame:
    """The `analysis_trends` rows for a daily series (as returned by `daily_series`)."""
    rows = [
        row for (client_id, measure), series in frame.groupby(["client_id", "measure"], sort=True)
        if (row := _trend_row(client_id, measure, series, window_weeks, min_days))
    ]
    return _trend_frame(rows)


def _trend_row(client_id: str, measure: str, series: pd.DataFrame, window_weeks: int,
               min_days: int) -> dict | None:
    day = pd.to_datetime(series["day"])
    end = day.max()
    start = end - pd.Timedelta(days=7 * window_weeks - 1)
    in_window = series[(day >= start).to_numpy()].dropna(subset=["value"])
    if len(in_window) < min_days:
        return None
    days = (pd.to_datetime(in_window["day"]) - start).dt.days.to_numpy()
    fit = fit_trend(days, in_window["value"].to_numpy())
    return {"client_id": client_id, "measure": measure, "window_start": start.date(),
            "window_end": end.date(), "n_days": fit.n_days, "slope_per_week": fit.slope_per_week,
            "ci_low": fit.ci_low, "ci_high": fit.ci_high, "verdict": fit.verdict}


def _trend_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(TREND_COLUMNS))
    # DATE columns stay as datetime.date objects so DuckDB reads them as DATE, not TIMESTAMP.
    return frame.astype({"client_id": "str", "measure": "str", "window_start": "object",
                         "window_end": "object", "n_days": "int32", "slope_per_week": "float64",
                         "ci_low": "float64", "ci_high": "float64", "verdict": "str"})
