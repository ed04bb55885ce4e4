"""Per-client clinical time series for the therapist's pre-session brief. Pure functions only.

The caller (``pipelines/analyze.py`` or a dashboard page) reads the frames from DuckDB; nothing
here opens the database. Every function returns a new frame and leaves its inputs alone.

    daily series (client_id, measure, day, value, n)  --weekly_series-->   weekly means
    activity (client_id, day, kind)                   --engagement_days--> engaged days, weekly_engagement
    check-ins in local time                           --client_rhythms-->  weekday / part-of-day rhythms
    one client's daily series                         --change_since-->    change since a date (on demand)
    daily check-in stress                             --stress_episodes--> episodes, + episode_context
    practices                                         --practice_effects-> stress before vs after a practice

Tables hold numbers and codes; the dashboard words them (dashboard/briefing.py).

Statistics shared by the rhythms and ``change_since``: a regression with AR(1) errors in
*continuous time* (the correlation of two observations t days apart is phi**t, an
Ornstein-Uhlenbeck process), so gaps between check-ins are gaps in time, not adjacent
rows, and a morning and an evening check-in of one day are closer than two days. For
sorted times that correlation matrix has an exact O(n) whitening, e_i = (y_i - r_i y_{i-1})
/ sqrt(1 - r_i**2) with r_i = phi**(t_i - t_{i-1}), so a fit costs microseconds instead of
a Cholesky factorisation. phi is estimated by REML as in ``pipelines/trends.py`` (whose
calibration showed ML and OLS over-call in short, autocorrelated series); ``tests`` check
that the whitening gives trends.py's dense GLS exactly. Calibration on simulated flat
clients (whole points, clipped, missing days): ``bench/trend_calibration.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .trends import CONFIDENCE, PHI_MAX, PHI_PRIOR_SHAPE, interval_verdict

VERSION = 2  # bump when a rule below changes: every client's rows are recomputed
ALPHA = 0.05

# --- weekly series and engagement --------------------------------------------------

WEEKLY_COLUMNS = ("client_id", "measure", "week", "mean", "n_days")
ENGAGEMENT_KINDS = ("checkin", "conversation", "practice")


def _week_start(days: pd.Series) -> pd.Series:
    """Monday of each (client-local) calendar day, as datetime.date."""
    stamps = pd.to_datetime(days)
    return (stamps - pd.to_timedelta(stamps.dt.dayofweek, unit="D")).dt.date


def weekly_series(daily: pd.DataFrame) -> pd.DataFrame:
    """Mean of the daily values and days with data per client, measure and local Monday week.

    Each day counts once whatever its number of check-ins, so a chatty day does not
    outweigh the rest of its week.
    """
    frame = daily.dropna(subset=["value"])
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(
            WEEKLY_COLUMNS, ("str", "str", "object", "float64", "int64"))})
    return (frame.assign(week=_week_start(frame["day"]).to_numpy())
            .groupby(["client_id", "measure", "week"], as_index=False, sort=True)
            .agg(mean=("value", "mean"), n_days=("value", "size")))


def engagement_days(activity: pd.DataFrame, until: date | None = None) -> pd.DataFrame:
    """Per client and local day from their first activity to ``until`` (else their last):
    whether they checked in, talked with the guide or did a practice, and ``engaged`` if any.

    ``activity`` has one row per record: client_id, day (local date), kind (one of
    ``ENGAGEMENT_KINDS``). Days without any record are rows with every flag False, since
    a quiet day is exactly what the clinician wants to see.
    """
    columns = ["client_id", "day", *ENGAGEMENT_KINDS, "engaged"]
    if activity.empty:
        return pd.DataFrame({c: pd.Series(dtype="bool" if c in (*ENGAGEMENT_KINDS, "engaged") else "object")
                             for c in columns})
    unknown = set(activity["kind"]) - set(ENGAGEMENT_KINDS)
    if unknown:
        raise ValueError(f"unknown activity kinds: {sorted(unknown)}; expected {ENGAGEMENT_KINDS}")
    flags = (pd.crosstab([activity["client_id"], pd.to_datetime(activity["day"])], activity["kind"])
             .reindex(columns=list(ENGAGEMENT_KINDS), fill_value=0) > 0)
    frames = []
    for client_id, rows in flags.groupby(level=0, sort=True):
        rows = rows.droplevel(0)
        last = pd.Timestamp(until) if until is not None else rows.index.max()
        grid = pd.date_range(rows.index.min(), max(last, rows.index.min()), freq="D")
        full = rows.reindex(grid, fill_value=False)
        frames.append(pd.DataFrame({"client_id": client_id, "day": grid.date,
                                    **{k: full[k].to_numpy(bool) for k in ENGAGEMENT_KINDS}}))
    out = pd.concat(frames, ignore_index=True)
    return out.assign(engaged=out[list(ENGAGEMENT_KINDS)].any(axis=1))[columns]


def weekly_engagement(days: pd.DataFrame) -> pd.DataFrame:
    """Days covered, days engaged and their share per client and local Monday week
    (from ``engagement_days``; a partial first or last week has fewer days covered)."""
    if days.empty:
        return pd.DataFrame({"client_id": pd.Series(dtype="str"), "week": pd.Series(dtype="object"),
                             "n_days": pd.Series(dtype="int64"), "days_engaged": pd.Series(dtype="int64"),
                             "share_engaged": pd.Series(dtype="float64")})
    weekly = (days.assign(week=_week_start(days["day"]).to_numpy())
              .groupby(["client_id", "week"], as_index=False, sort=True)
              .agg(n_days=("engaged", "size"), days_engaged=("engaged", "sum")))
    return weekly.assign(share_engaged=weekly["days_engaged"] / weekly["n_days"])


# --- regression with continuous-time AR(1) errors ---------------------------------

MIN_GAP_DAYS = 1 / 1440  # two records in the same minute: treat as a minute apart


@dataclass(frozen=True)
class Ar1Fit:
    beta: np.ndarray
    cov: np.ndarray      # covariance of beta (GLS, sigma2 from REML)
    phi: float           # correlation at a one-day lag
    sigma2: float        # marginal variance of the errors
    df: float            # residual degrees of freedom for t and F tests


def _whitening(times: np.ndarray, phi: float) -> tuple[np.ndarray, np.ndarray]:
    """(r, scale) with whitened v_i = (v_i - r_i v_{i-1}) / scale_i for sorted times."""
    gaps = np.maximum(np.diff(times), MIN_GAP_DAYS)
    r = np.concatenate([[0.0], phi ** gaps])
    return r, np.sqrt(1.0 - r ** 2)


def _whiten(v: np.ndarray, r: np.ndarray, scale: np.ndarray) -> np.ndarray:
    lagged = np.concatenate([np.zeros_like(v[:1]), v[:-1]])
    shape = (-1,) + (1,) * (v.ndim - 1)
    return (v - r.reshape(shape) * lagged) / scale.reshape(shape)


def _gls_reml(times: np.ndarray, x: np.ndarray, y: np.ndarray, phi: float):
    """GLS coefficients, unscaled covariance, sigma2 and the REML criterion (to minimise)."""
    n, p = x.shape
    r, scale = _whitening(times, phi)
    xw, yw = _whiten(x, r, scale), _whiten(y, r, scale)
    xtx = xw.T @ xw
    try:
        xtx_inv = np.linalg.inv(xtx)
    except np.linalg.LinAlgError:
        xtx_inv = np.linalg.pinv(xtx)
    beta = xtx_inv @ (xw.T @ yw)
    resid = yw - xw @ beta
    sigma2 = max(float(resid @ resid) / (n - p), 1e-300)
    sign, logdet = np.linalg.slogdet(xtx)
    criterion = (n - p) * math.log(sigma2) + 2 * np.log(scale).sum() + (logdet if sign > 0 else 1e300)
    return beta, xtx_inv, sigma2, criterion


def fit_ar1(times: np.ndarray, x: np.ndarray, y: np.ndarray, *, df_rule: str = "n-p",
            prior_shape: float = 1.0) -> Ar1Fit:
    """Regression of y on x with AR(1) errors in continuous time (days), phi by REML.

    ``prior_shape`` > 1 multiplies the REML likelihood by a prior density proportional to
    phi**(prior_shape - 1) and takes its mode, the small-sample correction trends.py version 2 used
    (REML's phi is biased low in a few weeks of data). ``df_rule`` gives the t's (F's)
    denominator degrees of freedom: 'variance_dof', n(1-phi^2)/(1+phi^2) - p - 1 (the
    independent observations a variance from AR(1) residuals rests on, less the p
    coefficients and phi; trends.residual_df); 'variance_dof_phi', the same less phi only;
    'n_eff', n(1-phi)/(1+phi) - p (change_since); 'n-p' (version 1's rhythms).
    """
    order = np.argsort(times, kind="stable")
    times, x, y = np.asarray(times, float)[order], np.asarray(x, float)[order], np.asarray(y, float)[order]
    n, p = x.shape
    if n <= p + 1:
        raise ValueError(f"need more than {p + 1} observations, got {n}")

    def criterion(phi: float) -> float:
        penalty = -2 * (prior_shape - 1) * math.log(phi) if prior_shape != 1 else 0.0
        return _gls_reml(times, x, y, phi)[3] + penalty

    lowest = 1e-6 if prior_shape > 1 else 0.0  # the prior is 0 at phi = 0
    best = optimize.minimize_scalar(criterion, bounds=(lowest, PHI_MAX), method="bounded",
                                    options={"xatol": 1e-3})
    phi = lowest if criterion(lowest) < best.fun else float(best.x)
    beta, unscaled, sigma2, _ = _gls_reml(times, x, y, phi)
    if df_rule == "variance_dof":
        df = float(np.clip(n * (1 - phi ** 2) / (1 + phi ** 2) - p - 1, 2, n - p))
    elif df_rule == "variance_dof_phi":
        df = float(np.clip(n * (1 - phi ** 2) / (1 + phi ** 2) - 1, 2, n - p))
    elif df_rule == "n_eff":  # clinical.VERSION 1's rule for change_since
        df = float(np.clip(n * (1 - phi) / (1 + phi) - p, 2, n - p))
    elif df_rule == "n-p":
        df = float(n - p)
    else:
        raise ValueError(f"unknown df_rule {df_rule!r}")
    return Ar1Fit(beta=beta, cov=sigma2 * unscaled, phi=phi, sigma2=sigma2, df=df)


def wald_p(fit: Ar1Fit, columns: list[int]) -> float:
    """p-value of the F test that the coefficients in ``columns`` are all zero."""
    b = fit.beta[columns]
    v = fit.cov[np.ix_(columns, columns)]
    f = float(b @ np.linalg.solve(v, b)) / len(columns)
    return float(stats.f.sf(f, len(columns), fit.df))


# --- weekday and time-of-day rhythms ----------------------------------------------

RHYTHM_MEASURES = ("stress", "mood")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PARTS_OF_DAY = ("morning", "afternoon", "evening", "night")
MIN_WEEKS = 6         # fewer weeks of check-ins and no rhythm is reported
MIN_PER_LEVEL = 3     # each weekday (part of day) needs this many check-ins
TREND_KNOT_DAYS = 28  # the detrending spline bends at most once every 4 weeks
# F tests' denominator df (VERSION 2). Version 1 used n - p: on flat simulated clients of the
# issue-8 kind (whole points, missing days, phi 0.6; tuning seeds, 400 clients, 8 weeks) it
# reported 8.0 % weekday and 7.5 % part-of-day rhythms at p < 0.05. The df of a variance
# from AR(1) residuals, n(1-phi^2)/(1+phi^2), less all p parameters, brings part of day to
# 5.5 % but the weekday test (daily means) to 1.8 %; less only phi's df, the weekday test
# reads 4.8 % (16 weeks: 3.0 %). phi stays plain REML: pushing it up, as trends.py v2 did,
# makes within-week contrasts look more certain, not less (weekday 8.3 %).
RHYTHM_PRIOR_SHAPE = 1.0
WEEKDAY_DF_RULE = "variance_dof_phi"
PART_DF_RULE = "variance_dof"
RHYTHM_COLUMNS = ("client_id", "measure", "kind", "peak", "effect", "p_value", "n_obs")


def part_of_day(hour: pd.Series) -> pd.Series:
    """morning 5-12, afternoon 12-17, evening 17-22, night 22-5 (local hours)."""
    return pd.Series(np.select([(hour >= 5) & (hour < 12), (hour >= 12) & (hour < 17),
                                (hour >= 17) & (hour < 22)], PARTS_OF_DAY[:3], PARTS_OF_DAY[3]),
                     index=hour.index)


def _trend_basis(t: np.ndarray) -> np.ndarray:
    """Intercept, day and a hinge every 4 weeks: a linear spline that follows improvement,
    worsening or a crisis and its recovery, but is too stiff to mimic a weekly cycle."""
    span = t.max() - t.min()
    knots = np.arange(TREND_KNOT_DAYS, span - TREND_KNOT_DAYS / 2, TREND_KNOT_DAYS) + t.min()
    cols = [np.ones_like(t), (t - t.mean()) / 7] + [np.maximum(t - k, 0) / 7 for k in knots]
    return np.column_stack(cols)


def _deviation_coding(labels: np.ndarray, levels: list[str]) -> np.ndarray:
    """Sum-to-zero coding: each coefficient is that level's distance from the average level."""
    cols = np.zeros((len(labels), len(levels) - 1))
    for j, level in enumerate(levels[:-1]):
        cols[:, j] = (labels == level).astype(float)
    cols[labels == levels[-1], :] = -1.0
    return cols


def _level_effects(fit: Ar1Fit, first: int, n_levels: int) -> np.ndarray:
    """Effects of all levels (the last is minus the sum of the others)."""
    b = fit.beta[first:first + n_levels - 1]
    return np.concatenate([b, [-b.sum()]])


def _peak_level(effects: np.ndarray) -> int:
    """The level furthest from average; with two levels (equal and opposite) the higher one."""
    return int(np.argmax(np.abs(effects) + 1e-9 * (effects > 0)))


@dataclass(frozen=True)
class RhythmFit:
    kind: str
    peak: str
    effect: float
    p_value: float
    n_obs: int


def fit_rhythms(local_at: pd.Series, at: pd.Series, value: pd.Series) -> list[RhythmFit]:
    """Weekday and part-of-day rhythms of one client's measure, significant or not.

    ``local_at`` are naive local timestamps (for weekday and hour), ``at`` the real instants
    (for the time between check-ins). Weekday: daily mean ~ trend spline + weekday with
    AR(1) on the day index, F test of the weekday terms (on raw check-ins with a clock-time
    AR(1), a client who checks in mornings and evenings at random read as rhythmic on 10 %
    of flat simulations; on daily means 7 %). If significant and the peak day has check-ins in several parts of
    the day, a peak-day x part-of-day interaction is tested, and a significant one makes
    the peak that cell ('Monday morning'). Part of day: value ~ trend + weekday + part,
    F test of the part terms, so a part is not credited with what its weekdays do
    (a client who checks in at night only on Sundays has no separable part-of-day effect).
    """
    frame = pd.DataFrame({"local": pd.to_datetime(local_at).to_numpy(),
                          "t": (pd.to_datetime(at, utc=True) - pd.Timestamp("2000-01-01", tz="UTC"))
                          .dt.total_seconds().to_numpy() / 86400.0,
                          "y": pd.to_numeric(value, errors="coerce").to_numpy(float)}).dropna()
    if frame.empty:
        return []
    frame["weekday"] = np.array(WEEKDAYS)[frame["local"].dt.dayofweek.to_numpy()]
    frame["part"] = part_of_day(frame["local"].dt.hour).to_numpy()
    frame = frame.sort_values("t", kind="stable").reset_index(drop=True)
    days = (frame.assign(day=frame["local"].dt.normalize()).groupby("day", sort=True)
            .agg(y=("y", "mean"), weekday=("weekday", "first")))
    day_counts = days["weekday"].value_counts()
    weeks = days.index.to_period("W-SUN").nunique()
    if weeks < MIN_WEEKS or any(day_counts.get(d, 0) < MIN_PER_LEVEL for d in WEEKDAYS):
        return []
    out = []

    # Weekday: on daily means, with AR(1) on the calendar day index (a weekday is a
    # property of a day; several check-ins of one day are one observation of it).
    day_t = ((days.index - pd.Timestamp("2000-01-01")).days).to_numpy(float)
    base = _trend_basis(day_t)
    x = np.column_stack([base, _deviation_coding(days["weekday"].to_numpy(), list(WEEKDAYS))])
    first = base.shape[1]
    fit = fit_ar1(day_t, x, days["y"].to_numpy(), prior_shape=RHYTHM_PRIOR_SHAPE, df_rule=WEEKDAY_DF_RULE)
    p_day = wald_p(fit, list(range(first, first + 6)))
    effects = _level_effects(fit, first, 7)
    k = _peak_level(effects)
    peak, effect = WEEKDAYS[k], float(effects[k])
    t, y = frame["t"].to_numpy(), frame["y"].to_numpy()
    day_cols = _deviation_coding(frame["weekday"].to_numpy(), list(WEEKDAYS))
    if p_day < ALPHA:
        cell = _peak_day_by_part(frame, t, y, np.column_stack([_trend_basis(t), day_cols]), WEEKDAYS[k], effect)
        if cell is not None:
            peak, effect = cell
    out.append(RhythmFit("weekday", peak, effect, p_day, len(frame)))

    parts = [p for p in PARTS_OF_DAY if (frame["part"] == p).sum() >= MIN_PER_LEVEL]
    if len(parts) >= 2:
        keep = frame["part"].isin(parts).to_numpy()
        sub = frame[keep]
        part_cols = _deviation_coding(sub["part"].to_numpy(), parts)
        x = np.column_stack([_trend_basis(t[keep]), day_cols[keep], part_cols])
        if np.linalg.matrix_rank(x) == x.shape[1]:
            first = x.shape[1] - part_cols.shape[1]
            fit = fit_ar1(t[keep], x, y[keep], prior_shape=RHYTHM_PRIOR_SHAPE, df_rule=PART_DF_RULE)
            effects = _level_effects(fit, first, len(parts))
            k = _peak_level(effects)
            out.append(RhythmFit("part_of_day", parts[k], float(effects[k]),
                                 wald_p(fit, list(range(first, x.shape[1]))), int(keep.sum())))
    return out


def _peak_day_by_part(frame: pd.DataFrame, t: np.ndarray, y: np.ndarray, x_day: np.ndarray, day: str,
                      day_effect: float) -> tuple[str, float] | None:
    """('Monday morning', effect) when the peak day's effect differs by part of day, else None."""
    on_day = (frame["weekday"] == day).to_numpy()
    parts = [p for p in PARTS_OF_DAY if ((frame["part"] == p).to_numpy() & on_day).sum() >= MIN_PER_LEVEL]
    if len(parts) < 2:
        return None
    keep = frame["part"].isin(parts).to_numpy()
    labels = frame["part"].to_numpy()[keep]
    part_cols = _deviation_coding(labels, parts)
    inter = part_cols * on_day[keep, None]
    x = np.column_stack([x_day[keep], part_cols, inter])
    if np.linalg.matrix_rank(x) < x.shape[1]:
        return None
    fit = fit_ar1(t[keep], x, y[keep], prior_shape=RHYTHM_PRIOR_SHAPE, df_rule=PART_DF_RULE)
    first_part = x_day.shape[1]
    first_inter = first_part + part_cols.shape[1]
    if wald_p(fit, list(range(first_inter, x.shape[1]))) >= ALPHA:
        return None
    day_k = WEEKDAYS.index(day)
    day_effects = _level_effects(fit, x_day.shape[1] - 6, 7)
    cells = (day_effects[day_k] + _level_effects(fit, first_part, len(parts))
             + _level_effects(fit, first_inter, len(parts)))
    k = int(np.argmax(cells * np.sign(day_effect)))
    return f"{day} {parts[k]}", float(cells[k])


def client_rhythms(checkins: pd.DataFrame, measures: tuple[str, ...] = RHYTHM_MEASURES) -> pd.DataFrame:
    """Significant rhythms per client, measure and kind (the ``client_rhythms`` rows).

    ``checkins``: client_id, at (instant), local_at (naive local time) and one column per
    measure. A row only when the F test gives p < 0.05 with at least ``MIN_WEEKS`` weeks
    and ``MIN_PER_LEVEL`` check-ins per level.
    """
    rows = []
    for client_id, rows_client in checkins.groupby("client_id", sort=True):
        for measure in measures:
            if measure not in rows_client:
                continue
            present = rows_client.dropna(subset=[measure])
            for fit in fit_rhythms(present["local_at"], present["at"], present[measure]):
                if fit.p_value < ALPHA:
                    rows.append({"client_id": client_id, "measure": measure, "kind": fit.kind, "peak": fit.peak,
                                 "effect": fit.effect, "p_value": fit.p_value, "n_obs": fit.n_obs})
    frame = pd.DataFrame(rows, columns=list(RHYTHM_COLUMNS))
    return frame.astype({"client_id": "str", "measure": "str", "kind": "str", "peak": "str", "effect": "float64",
                         "p_value": "float64", "n_obs": "int32"})


# --- change since a date -----------------------------------------------------------

BASELINE_WEEKS = 8
MIN_PERIOD_DAYS = 3
MIN_BASELINE_DAYS = 7
HIGHER, LOWER, NO_CHANGE = "higher", "lower", "no clear change"
CHANGE_COLUMNS = ("measure", "n_days_period", "mean_period", "n_days_baseline", "mean_baseline",
                  "difference", "ci_low", "ci_high", "effect_size", "verdict")


def change_since(daily: pd.DataFrame, since, until=None, baseline_weeks: int = BASELINE_WEEKS) -> pd.DataFrame:
    """One client's change per measure from the ``baseline_weeks`` before ``since`` to the
    period ``since``..``until`` (inclusive; default: the latest day with data).

    ``daily`` is that client's daily series (measure, day, value; as ``daily_series``
    returns it). The difference is the plain difference of the two periods' daily means,
    which is what the page shows next to it. Its interval is honest about autocorrelation:
    a step model (level + step at ``since``) with AR(1) errors on the day index gives phi
    (REML times the Beta(2, 1) prior of trends.py version 2, PHI_PRIOR_SHAPE) and sigma; the difference's variance is
    c'Σc under that covariance, and the t's degrees of freedom come from the effective
    sample size n(1-phi)/(1+phi). effect_size = difference / baseline sd of the daily values. Too few days in
    either period (< MIN_PERIOD_DAYS, < MIN_BASELINE_DAYS) gives means but no interval.
    """
    if "client_id" in daily and daily["client_id"].nunique() > 1:
        raise ValueError("change_since takes one client's daily series")
    since = pd.Timestamp(since).normalize()
    frame = daily.dropna(subset=["value"])
    stamps = pd.to_datetime(frame["day"])
    until = stamps.max() if until is None and len(frame) else pd.Timestamp(until if until is not None else since)
    start = since - pd.Timedelta(weeks=baseline_weeks)
    # Day numbers from the baseline's start, computed once for all measures (a page calls this).
    t_all = ((stamps - start) // pd.Timedelta(days=1)).to_numpy(float)
    values = frame["value"].to_numpy(float)
    measures = frame["measure"].to_numpy()
    n_since, n_until = float((since - start).days), float((until.normalize() - start).days)
    rows = []
    for measure in sorted(set(measures)):
        mine = measures == measure
        in_base = mine & (t_all >= 0) & (t_all < n_since)
        in_period = mine & (t_all >= n_since) & (t_all <= n_until)
        base, period = values[in_base], values[in_period]
        if not len(base) and not len(period):
            continue
        row = {"measure": measure, "n_days_period": len(period),
               "mean_period": period.mean() if len(period) else np.nan,
               "n_days_baseline": len(base), "mean_baseline": base.mean() if len(base) else np.nan,
               "difference": np.nan, "ci_low": np.nan, "ci_high": np.nan, "effect_size": np.nan,
               "verdict": NO_CHANGE}
        if len(period) and len(base):
            row["difference"] = row["mean_period"] - row["mean_baseline"]
            sd = base.std(ddof=1) if len(base) > 1 else np.nan
            row["effect_size"] = row["difference"] / sd if sd and sd > 0 else np.nan
        if len(period) >= MIN_PERIOD_DAYS and len(base) >= MIN_BASELINE_DAYS:
            both = in_base | in_period
            low, high = _step_interval(t_all[both], in_period[both].astype(float), values[both])
            row.update(ci_low=low, ci_high=high, verdict=change_verdict(low, high))
        rows.append(row)
    out = pd.DataFrame(rows, columns=list(CHANGE_COLUMNS))
    return out.astype({"measure": "str", "n_days_period": "int64", "mean_period": "float64",
                       "n_days_baseline": "int64", "mean_baseline": "float64", "difference": "float64",
                       "ci_low": "float64", "ci_high": "float64", "effect_size": "float64", "verdict": "str"})


# VERSION 2: phi by REML x Beta(2, 1) as in trends.py, df n(1-phi)/(1+phi) - 2 as in
# version 1. Flat simulated clients of the issue-8 kind (whole points, missing days, phi
# 0.6; 8 baseline weeks, then 7 or 14 days) read 'higher' or 'lower' under version 1 on
# 5.8 % and 5.4 % of 800 tuning clients and 7.8 % and 7.3 % of 600 others; with trends.py's
# df n(1-phi^2)/(1+phi^2) - 3 as well, 5.4 / 4.6 % and 7.7 / 7.0 % (no real gain); with
# the prior and version 1's df, 3.9 / 3.9 % on the tuning clients, power 0.26 instead of
# 0.29 for +1.5 points over 14 days. bench/trend_calibration.py reports fresh seeds.
CHANGE_PRIOR_SHAPE = PHI_PRIOR_SHAPE
CHANGE_DF_RULE = "n_eff"


def _step_interval(t: np.ndarray, step: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """95 % interval of mean(y | step) - mean(y | no step) under the fitted AR(1) covariance."""
    fit = fit_ar1(t, np.column_stack([np.ones_like(t), step]), y, df_rule=CHANGE_DF_RULE,
                  prior_shape=CHANGE_PRIOR_SHAPE)
    weights = np.where(step > 0, 1 / step.sum(), -1 / (len(step) - step.sum()))
    corr = fit.phi ** np.abs(np.subtract.outer(t, t))
    var = fit.sigma2 * float(weights @ corr @ weights)
    diff = float(y[step > 0].mean() - y[step == 0].mean())
    half = stats.t.ppf(0.5 + CONFIDENCE / 2, fit.df) * math.sqrt(var)
    return diff - half, diff + half


def change_verdict(ci_low: float, ci_high: float) -> str:
    """'higher' or 'lower' when the interval excludes 0, else 'no clear change'."""
    return interval_verdict(ci_low, ci_high, HIGHER, LOWER, NO_CHANGE)


# --- stress episodes ---------------------------------------------------------------

BASELINE_HALF_WINDOW = 14  # days either side for the rolling baseline median
MIN_BASELINE_OBS = 5
START_K = 2.0              # an episode starts at baseline + START_K robust sd ...
MIN_RISE = 2.0             # ... and at least this many points above baseline
CONTINUE_K = 1.0           # and lasts while stress stays above baseline + CONTINUE_K sd
MIN_SCALE = 0.75           # stress is whole points: a robust sd below this is an artefact
MERGE_GAP_DAYS = 2         # episodes (or a missing stretch) this close are one episode
EPISODE_COLUMNS = ("client_id", "episode_id", "start_day", "end_day", "peak_day", "peak_stress",
                   "baseline_stress", "n_days", "status", "resolved_day")
RESOLVED, ONGOING = "resolved", "ongoing"


def daily_checkin_stress(checkins: pd.DataFrame) -> pd.DataFrame:
    """Mean check-in stress per client and local day (client_id, day, stress)."""
    frame = checkins.dropna(subset=["stress"])
    if frame.empty:
        return pd.DataFrame({"client_id": pd.Series(dtype="str"), "day": pd.Series(dtype="object"),
                             "stress": pd.Series(dtype="float64")})
    return (frame.assign(day=pd.to_datetime(frame["local_at"]).dt.date, stress=frame["stress"].astype(float))
            .groupby(["client_id", "day"], as_index=False, sort=True).agg(stress=("stress", "mean")))


def stress_episodes(daily_stress: pd.DataFrame) -> pd.DataFrame:
    """Spans where a client's check-in stress departs from their own baseline.

    Baseline: the median of the client's daily stress within 14 days either side (a
    median ignores the few raised days of an episode and follows a slow improvement or
    worsening), plus their usual weekday offset (median residual per weekday) so a
    client whose Sundays are always worse does not have a weekly 'episode'. Scale: a
    robust sd (1.4826 MAD) of the residuals. An episode starts on a day at least
    ``START_K`` sd and ``MIN_RISE`` points above baseline and lasts while stress stays
    above ``CONTINUE_K`` sd (hysteresis, so one bad week is one episode); episodes
    ``MERGE_GAP_DAYS`` apart or less are merged. It is 'resolved' on the first later
    check-in day back within that band, else 'ongoing'.
    """
    frames = [_client_episodes(client_id, rows) for client_id, rows
              in daily_stress.dropna(subset=["stress"]).groupby("client_id", sort=True)]
    rows = [r for f in frames for r in f]
    frame = pd.DataFrame(rows, columns=list(EPISODE_COLUMNS))
    return frame.astype({"client_id": "str", "episode_id": "str", "start_day": "object", "end_day": "object",
                         "peak_day": "object", "peak_stress": "float64", "baseline_stress": "float64",
                         "n_days": "int32", "status": "str", "resolved_day": "object"})


def stress_baseline(days: np.ndarray, stress: np.ndarray) -> tuple[np.ndarray, float]:
    """Per-day baseline (rolling median + weekday offset) and the robust sd of departures."""
    ordinal = np.array([d.toordinal() for d in days])
    rolling = np.array([np.median(stress[np.abs(ordinal - o) <= BASELINE_HALF_WINDOW]) for o in ordinal])
    resid = stress - rolling
    weekday = (ordinal - 1) % 7  # date.toordinal() 1 is a Monday
    offset = np.zeros(7)
    for wd in range(7):
        mask = weekday == wd
        if mask.sum() >= MIN_BASELINE_OBS:
            offset[wd] = np.median(resid[mask])
    baseline = rolling + offset[weekday]
    dev = stress - baseline
    scale = 1.4826 * float(np.median(np.abs(dev - np.median(dev))))
    return baseline, max(scale, MIN_SCALE)


def _client_episodes(client_id: str, rows: pd.DataFrame) -> list[dict]:
    rows = rows.sort_values("day")
    days = rows["day"].to_numpy()
    stress = rows["stress"].to_numpy(float)
    if len(stress) < 2 * MIN_BASELINE_OBS:
        return []
    baseline, scale = stress_baseline(days, stress)
    dev = stress - baseline
    start_ok = (dev >= START_K * scale) & (dev >= MIN_RISE)
    high = dev > CONTINUE_K * scale
    ordinal = np.array([d.toordinal() for d in days])
    spans: list[list[int]] = []  # [first index, last index]
    i = 0
    while i < len(days):
        if not start_ok[i]:
            i += 1
            continue
        first = last = i
        j = i + 1
        while j < len(days) and high[j] and ordinal[j] - ordinal[last] <= MERGE_GAP_DAYS + 1:
            last = j
            j += 1
        if spans and ordinal[first] - ordinal[spans[-1][1]] <= MERGE_GAP_DAYS + 1:
            spans[-1][1] = last
        else:
            spans.append([first, last])
        i = j
    out = []
    for first, last in spans:
        span = slice(first, last + 1)
        k = first + int(np.argmax(stress[span]))
        resolved = last + 1 < len(days)
        out.append({"client_id": client_id, "episode_id": f"{client_id}:{days[first].isoformat()}",
                    "start_day": days[first], "end_day": days[last], "peak_day": days[k],
                    "peak_stress": float(stress[k]), "baseline_stress": round(float(baseline[k]), 1),
                    "n_days": int(ordinal[last] - ordinal[first] + 1),
                    "status": RESOLVED if resolved else ONGOING,
                    "resolved_day": days[last + 1] if resolved else None})
    return out


MAX_THEMES = 3
MAX_EVIDENCE = 3
LEAD_DAYS = 2  # what a client wrote from this many days before an episode's start to its end
CONTEXT_COLUMNS = ("themes_before_episode", "evidence_before_episode", "body_response", "practices_done")


def episode_context(episodes: pd.DataFrame, texts: pd.DataFrame, body: pd.DataFrame,
                    practices: pd.DataFrame) -> pd.DataFrame:
    """Episodes with what the client wrote around them, felt in the body and did, as lists
    of labels, quotes and records (no sentences: the dashboard words them).

    - themes_before_episode: labels of the client themes of texts from ``LEAD_DAYS`` before
      the start to the end, most frequent first (at most 3). They co-occur with the
      episode; nothing here says they caused it.
    - evidence_before_episode: the evidence sentences of those texts, highest stress first (3).
    - body_response: body sensations logged in check-ins during the episode, one record
      {location, sensation, n, mean_intensity} per location and sensation, most frequent first.
    - practices_done: practices during the episode, {kind, stress_before, stress_after}
      (ratings NULL when not given), in time order.

    ``texts``: client_id, day, stress, evidence, theme (label or None); ``body``: client_id,
    day, location, sensation, intensity; ``practices``: client_id, day, practiced_at, kind,
    stress_before, stress_after.
    """
    lists = {c: [] for c in CONTEXT_COLUMNS}
    # Days may come as datetime.date or datetime64 (DuckDB DATE): compare as Timestamps.
    by_client = {name: {client: rows.assign(day=pd.to_datetime(rows["day"]))
                        for client, rows in frame.groupby("client_id", sort=False)}
                 for name, frame in (("texts", texts), ("body", body), ("practices", practices))}
    empty = pd.DataFrame({"day": pd.Series(dtype="datetime64[us]")})
    for ep in episodes.itertuples(index=False):
        start, end = pd.Timestamp(ep.start_day), pd.Timestamp(ep.end_day)
        t = by_client["texts"].get(ep.client_id, empty)
        t = t[(t["day"] >= start - pd.Timedelta(days=LEAD_DAYS)) & (t["day"] <= end)]
        lists["themes_before_episode"].append(_top_themes(t))
        lists["evidence_before_episode"].append(_top_evidence(t))
        b = by_client["body"].get(ep.client_id, empty)
        lists["body_response"].append(_body_records(b[(b["day"] >= start) & (b["day"] <= end)]))
        p = by_client["practices"].get(ep.client_id, empty)
        lists["practices_done"].append(_practice_records(p[(p["day"] >= start) & (p["day"] <= end)]))
    return episodes.assign(**lists)


def _top_themes(texts: pd.DataFrame) -> list[str]:
    if texts.empty:
        return []
    counts = texts["theme"].dropna().value_counts(sort=False)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [label for label, _ in ranked[:MAX_THEMES]]


def _top_evidence(texts: pd.DataFrame) -> list[str]:
    if texts.empty:
        return []
    ranked = texts.dropna(subset=["evidence"]).sort_values(["stress", "day"], ascending=[False, True],
                                                           kind="stable")
    return list(dict.fromkeys(ranked["evidence"]))[:MAX_EVIDENCE]


def _body_records(body: pd.DataFrame) -> list[dict]:
    if body.empty:
        return []
    grouped = (body.groupby(["location", "sensation"], as_index=False)
               .agg(n=("intensity", "size"), mean_intensity=("intensity", "mean"))
               .sort_values(["n", "mean_intensity", "location", "sensation"],
                            ascending=[False, False, True, True]))
    return [{"location": str(r.location), "sensation": str(r.sensation), "n": int(r.n),
             "mean_intensity": float(r.mean_intensity)} for r in grouped.itertuples()]


def _practice_records(practices: pd.DataFrame) -> list[dict]:
    if practices.empty:
        return []
    return [{"kind": str(r.kind),
             "stress_before": int(r.stress_before) if pd.notna(r.stress_before) else None,
             "stress_after": int(r.stress_after) if pd.notna(r.stress_after) else None}
            for r in practices.sort_values("practiced_at").itertuples()]


# --- practice effectiveness --------------------------------------------------------

MIN_PRACTICES = 3
# Codes for an uncontrolled before/after change, not for an effect of the practice.
LOWER_AFTER, NO_CLEAR_CHANGE, HIGHER_AFTER = "lower_after", "no_clear_change", "higher_after"
PRACTICE_COLUMNS = ("client_id", "kind", "n", "mean_before", "mean_after", "mean_change", "ci_low", "ci_high",
                    "share_helpful", "verdict")


def practice_effects(practices: pd.DataFrame) -> pd.DataFrame:
    """Per client and practice kind: the paired change in stress (after - before), its 95 %
    t interval and a verdict code, which needs at least ``MIN_PRACTICES`` rated sessions.

    Each session is its own before/after pair, so the paired t interval is the natural
    one; sessions are days apart and the change within a session is what is compared.
    ``n`` counts sessions with both ratings; ``share_helpful`` is over sessions the client
    marked helpful or not. Fewer than 3 sessions: the means, but no interval or verdict.
    """
    rows = []
    for (client_id, kind), group in practices.groupby(["client_id", "kind"], sort=True):
        paired = group.dropna(subset=["stress_before", "stress_after"])
        before = paired["stress_before"].to_numpy(float)
        after = paired["stress_after"].to_numpy(float)
        change = after - before
        rated = group["helpful"].dropna()
        n = len(change)
        row = {"client_id": client_id, "kind": kind, "n": n,
               "mean_before": before.mean() if n else np.nan, "mean_after": after.mean() if n else np.nan,
               "mean_change": change.mean() if n else np.nan, "ci_low": np.nan, "ci_high": np.nan,
               "share_helpful": float(rated.astype(bool).mean()) if len(rated) else np.nan, "verdict": None}
        if n >= MIN_PRACTICES:
            half = stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1) * change.std(ddof=1) / math.sqrt(n)
            row.update(ci_low=change.mean() - half, ci_high=change.mean() + half,
                       verdict=practice_verdict(change.mean() - half, change.mean() + half))
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(PRACTICE_COLUMNS))
    frame = frame.astype({"client_id": "str", "kind": "str", "n": "int32", "mean_before": "float64",
                          "mean_after": "float64", "mean_change": "float64", "ci_low": "float64",
                          "ci_high": "float64", "share_helpful": "float64"})
    # object, not str: a missing verdict stays None (NULL), not NaN or 'nan'.
    return frame.assign(verdict=pd.Series([r["verdict"] for r in rows], index=frame.index, dtype="object"))


def practice_verdict(ci_low: float, ci_high: float) -> str:
    """'lower_after' if the change's interval lies below 0, 'higher_after' if above, else
    'no_clear_change'. Stress after a session, not an effect: there is no control."""
    return interval_verdict(ci_low, ci_high, HIGHER_AFTER, LOWER_AFTER, NO_CLEAR_CHANGE)
