"""The caseload page as one pure model: built from the user's scoped caseload reads and the
page's filters, then laid out by views/caseload.py.

``caseload_model(reads, filters, today)`` does every count, rate and ranking the page shows;
the page only chooses layout. Tables hold codes and numbers; the few sentences a row needs
("stress rising +0.4 points/week (95 % CI +0.1 to +0.7)") are made here by small named
functions, so the words are tested with the numbers.

Rules (each a named constant below):

- **Needs attention**, in this order: unreviewed urgent flags, unreviewed watch flags (the
  one waiting longest first), a significantly worsening stress or mood trend
  (analysis_trends: stress rising, mood falling; the clearest first), a drop in engagement,
  and nothing shared since the last session. One row per client, ranked by their most
  pressing reason; the row lists every reason that applies.
- **Engagement** counts days with any shared record (check-in, conversation or practice),
  in the client's own calendar. A **drop**: over the last 14 days of the period the client
  shared on at most half as many days as their own rate over the 8 weeks before predicts,
  that rate was at least 3 days a fortnight, at least 4 weeks of it are on record, and the
  shortfall is unlikely by chance (one-sided binomial p < 0.05, each day at the earlier
  rate). A client who rarely used the app is not "dropping".
- **Nothing since the last session**: the last session was at least 7 days ago and no
  record has arrived since its day.
- **Risk flags are never filtered by the period**: every unreviewed flag of the clients
  shown counts, however old; the headline also counts those outside the clinician and
  sharing filters.
- **Per clinician**, rates are per client with their n: the share improving, flat or
  worsening is of the clients that have a trend; engagement is days shared per client per
  week over the period.
- **Caseload themes** (analysis_themes scope 'caseload'): a theme's share of all texts the
  clients shown wrote, in the last 4 weeks of the period against the weeks before it.
  Rising: at least 1.5 times the earlier share, 5+ texts, and a one-sided binomial p < 0.05.
  Labels, keywords and counts only: never a client's words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from scipy import stats

from dashboard.briefing import MEASURE_UNITS, MEASURE_WORDS, WORSE_WHEN, local_days, risk_basis
from dashboard.text import plain

# --- rules -------------------------------------------------------------------------------

DEFAULT_PERIOD_DAYS = 56            # the period's default length: 8 weeks to today
WEEK_DAYS = 7
TREND_MEASURES = ("stress", "mood")
IMPROVING_WHEN = {"stress": "falling", "mood": "rising"}

RECENT_DAYS = 14                    # engagement: the last two weeks of the period ...
BASELINE_DAYS = 56                  # ... against the client's own 8 weeks before them
MIN_BASELINE_DAYS = 28              # at least 4 weeks of the client on record before
MIN_BASELINE_PER_FORTNIGHT = 3.0    # a client who shared on fewer days is not "dropping"
DROP_RATIO = 0.5                    # at most half the days their earlier rate predicts
DROP_P = 0.05                       # and unlikely by chance (one-sided binomial)

NO_DATA_MIN_DAYS = 7                # "nothing since the last session" once it is a week old

THEME_RECENT_WEEKS = 4
THEME_RISE_RATIO = 1.5
THEME_MIN_TEXTS = 5
THEME_P = 0.05
MAX_THEME_LINES = 5

# Reasons a client needs attention, most pressing first.
URGENT_FLAG, WATCH_FLAG, WORSENING, ENGAGEMENT_DROP, NO_DATA = (
    "urgent_flag", "watch_flag", "worsening", "engagement_drop", "no_data")
REASON_ORDER = (URGENT_FLAG, WATCH_FLAG, WORSENING, ENGAGEMENT_DROP, NO_DATA)
REASON_WORDS = {URGENT_FLAG: "Urgent risk flag", WATCH_FLAG: "Watch risk flag", WORSENING: "Worsening trend",
                ENGAGEMENT_DROP: "Engagement drop", NO_DATA: "Nothing since the session"}

# How long unreviewed flags have waited: (first day, last day or None, words).
AGE_BUCKETS = ((0, 2, "0–2 days"), (3, 7, "3–7 days"), (8, 14, "8–14 days"), (15, 28, "15–28 days"),
               (29, None, "over 4 weeks"))

THEME_STATUS_WORDS = {"new": "new", "rising": "rising", "steady": "steady", "quieter": "quieter"}
SCOPES = {None: "Full and summary-only", "raw": "Full sharing", "summary": "Summaries only"}


@dataclass(frozen=True)
class Filters:
    """What the page shows: one clinician (None: every one the user reads), the period,
    and the share scope (None: both)."""
    since: date
    until: date
    clinician: str | None = None
    scope: str | None = None


def default_period(today: date, days: int = DEFAULT_PERIOD_DAYS) -> tuple[date, date]:
    return today - timedelta(days=days - 1), today


@dataclass(frozen=True)
class CaseloadReads:
    """Everything the caseload page reads (dashboard/data.py, scoped to the signed-in user)."""
    clients: pd.DataFrame        # data.clients: client_id, display_name, timezone, provider_id, provider_name, scope
    activity_days: pd.DataFrame  # data.caseload_activity_days: client_id, day (client-local)
    flags: pd.DataFrame          # data.risk_flags: client_id, written_at, risk, risk_reason, reviewed_at, ...
    trends: pd.DataFrame         # data.trend_verdicts (analysis_trends)
    status: pd.DataFrame         # data.caseload_status: client_id, last_session, checkins, conversations, practices
    theme_weekly: pd.DataFrame   # data.caseload_theme_weekly: client_id, week, theme_id, n_texts
    themes: pd.DataFrame         # data.caseload_themes: theme_id, label, keywords


@dataclass(frozen=True)
class Headline:
    n_clients: int               # on the caseload shown (filters applied)
    n_active: int                # shared anything in the period
    n_sharing_week: int          # shared anything in the period's last 7 days
    n_open_flags: int            # unreviewed flags of the clients shown, however old
    n_open_urgent: int
    oldest_open_days: int | None  # how long the oldest unreviewed flag has waited
    n_open_elsewhere: int        # unreviewed flags of the user's clients the filters leave out
    n_worsening: int             # clients with stress rising or mood falling (significant)


@dataclass(frozen=True)
class CaseloadModel:
    filters: Filters
    today: date
    headline: Headline
    attention: pd.DataFrame      # needs_attention
    open_flags: pd.DataFrame     # open_flags (of the clients shown)
    flag_ages: pd.DataFrame      # flag_age_buckets
    clinicians: pd.DataFrame     # per_clinician
    themes: pd.DataFrame         # theme_trends
    theme_shares: pd.DataFrame   # theme_weekly_shares (the themes worth a line)


# --- small helpers --------------------------------------------------------------------------

def _days(values: pd.Series) -> pd.Series:
    """Calendar days as datetime64 (midnight), whatever DuckDB or pandas made of them:
    compared with `_t(day)` they are fast on a large caseload, where date objects are not."""
    return pd.to_datetime(values).astype("datetime64[ns]")


def _t(day: date) -> pd.Timestamp:
    return pd.Timestamp(day)


def _day_rows(frame: pd.DataFrame, client_ids, column: str = "day") -> pd.DataFrame:
    """`client_id` and `column` (as datetime64) of these clients' rows."""
    rows = frame[frame["client_id"].isin(list(client_ids))] if len(frame) else frame
    return pd.DataFrame({"client_id": rows["client_id"].to_numpy() if len(rows) else [],
                         column: _days(rows[column]).to_numpy() if len(rows) else pd.Series([], dtype="datetime64[ns]")})


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def waited_words(days: int) -> str:
    """'today', '1 day', '12 days'."""
    return "since today" if days <= 0 else _plural(int(days), "day")


# --- who is shown ---------------------------------------------------------------------------

def caseload_rows(clients: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The (client, clinician) rows the filters keep: one clinician's, one share scope's."""
    rows = clients
    if filters.clinician:
        rows = rows[rows["provider_id"] == filters.clinician]
    if filters.scope:
        rows = rows[rows["scope"] == filters.scope]
    return rows.reset_index(drop=True)


def shown_clients(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per client shown; a client seen by two clinicians names both."""
    if rows.empty:
        return pd.DataFrame(columns=["client_id", "display_name", "timezone", "scope", "provider_name"])
    first = rows.drop_duplicates("client_id").set_index("client_id")[["display_name", "timezone", "scope",
                                                                      "provider_name"]]
    shared = rows[rows["client_id"].duplicated(keep=False)]
    if len(shared):   # a client seen by two clinicians names both
        names = shared.groupby("client_id")["provider_name"].agg(lambda s: ", ".join(sorted(set(s))))
        first["provider_name"] = first["provider_name"].astype(object)
        first.loc[names.index, "provider_name"] = names
    return first.reset_index().sort_values("client_id").reset_index(drop=True)


# --- risk flags -------------------------------------------------------------------------------

def open_flags(flags: pd.DataFrame, clients: pd.DataFrame, today: date) -> pd.DataFrame:
    """The unreviewed flags of these clients, however old: client_id, risk, basis, day
    (client-local), days_waiting; the longest waiting first within urgent, then watch."""
    columns = ["client_id", "risk", "basis", "day", "days_waiting", "source", "source_id"]
    if flags.empty or clients.empty:
        return pd.DataFrame(columns=columns)
    wanted = [c for c in ("client_id", "risk", "risk_reason", "written_at", "source", "source_id") if c in flags]
    rows = flags.loc[flags["client_id"].isin(clients["client_id"]) & flags["reviewed_at"].isna(), wanted]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    zone = clients.drop_duplicates("client_id").set_index("client_id")["timezone"]
    day = local_days(rows["written_at"], rows["client_id"].map(zone).fillna("UTC"))
    out = rows.assign(day=day, basis=[risk_basis(r) for r in rows.get("risk_reason", pd.Series(None, index=rows.index))])
    out["days_waiting"] = [max(0, (today - d).days) for d in out["day"]]
    out["_level"] = (out["risk"] != "urgent").astype(int)
    out = out.sort_values(["_level", "days_waiting", "client_id"], ascending=[True, False, True])
    return out[columns].reset_index(drop=True)


def flag_age_buckets(flags: pd.DataFrame) -> pd.DataFrame:
    """Unreviewed flags by how long they have waited: bucket (words), urgent, watch; every
    bucket, in order, zeros included."""
    rows = []
    for first, last, words in AGE_BUCKETS:
        waited = flags["days_waiting"] if not flags.empty else pd.Series([], dtype=int)
        inside = (waited >= first) & ((waited <= last) if last is not None else True)
        chosen = flags[inside] if not flags.empty else flags
        rows.append({"bucket": words, "urgent": int((chosen["risk"] == "urgent").sum()) if len(chosen) else 0,
                     "watch": int((chosen["risk"] == "watch").sum()) if len(chosen) else 0})
    return pd.DataFrame(rows)


def flag_words(level: str, n: int, oldest: int, model_only: int = 0) -> str:
    """'2 unreviewed urgent flags, the oldest waiting 12 days (1 from the model alone)'."""
    waited = waited_words(int(oldest))
    text = (f"1 unreviewed {level} flag, waiting {waited}" if n == 1 else
            f"{n} unreviewed {level} flags, the oldest waiting {waited}")
    if model_only:
        text += " (from the model alone)" if model_only == n else f" ({model_only} from the model alone)"
    return text


# --- trends -----------------------------------------------------------------------------------

def worsening_trends(trends: pd.DataFrame, client_ids) -> pd.DataFrame:
    """Significant worsening (stress rising, mood falling) of these clients, one row per
    client and measure, with how clear it is (slope over the interval's half-width)."""
    if trends.empty:
        return trends.assign(clarity=pd.Series(dtype=float))
    rows = trends[trends["client_id"].isin(list(client_ids)) & trends["measure"].isin(TREND_MEASURES)]
    rows = rows[rows["verdict"] == rows["measure"].map(WORSE_WHEN)]
    half = (rows["ci_high"] - rows["ci_low"]).abs() / 2
    return rows.assign(clarity=(rows["slope_per_week"].abs() / half.where(half > 0))).reset_index(drop=True)


def trend_words(row) -> str:
    """'stress rising +0.4 points/week (95 % CI +0.1 to +0.7)'."""
    unit = MEASURE_UNITS.get(row["measure"], "")
    per = f" {unit}/week" if unit else "/week"
    # One decimal, or two when an end of the interval would round to zero: a significant
    # trend never reads as an interval touching 0 ("-0.3 to -0.0").
    ends = (row["slope_per_week"], row["ci_low"], row["ci_high"])
    digits = 2 if min(abs(v) for v in ends) < 0.05 else 1
    low, slope, high = (f"{v:+.{digits}f}" for v in (row["ci_low"], row["slope_per_week"], row["ci_high"]))
    return (f"{MEASURE_WORDS.get(row['measure'], row['measure']).lower()} {row['verdict']} "
            f"{slope}{per} (95 % CI {low} to {high})")


def trend_classes(trends: pd.DataFrame, client_ids) -> pd.Series:
    """Per client: 'worsening' (stress rising or mood falling), 'improving' (stress falling
    or mood rising, and nothing worsening), 'flat' (a trend, no clear change) or
    'no trend' (too few days for either measure); indexed by client_id."""
    ids = list(dict.fromkeys(client_ids))
    out = pd.Series("no trend", index=pd.Index(ids, name="client_id"), dtype=object)
    if trends.empty or not ids:
        return out
    rows = trends[trends["client_id"].isin(ids) & trends["measure"].isin(TREND_MEASURES)]
    worse = set(rows.loc[rows["verdict"] == rows["measure"].map(WORSE_WHEN), "client_id"])
    better = set(rows.loc[rows["verdict"] == rows["measure"].map(IMPROVING_WHEN), "client_id"])
    have = set(rows["client_id"])
    for cid in ids:
        if cid in worse:
            out[cid] = "worsening"
        elif cid in better:
            out[cid] = "improving"
        elif cid in have:
            out[cid] = "flat"
    return out


# --- engagement -------------------------------------------------------------------------------

def engagement(activity_days: pd.DataFrame, client_ids, until: date) -> pd.DataFrame:
    """Per client: days shared in the last 14 days to `until` (recent_days), the days and
    span of the 8 weeks before (baseline_days, baseline_span, from their first day on
    record), the recent days that rate predicts (expected), the one-sided binomial p of
    so few, and whether that is a drop (module docstring)."""
    ids = pd.Index(list(dict.fromkeys(client_ids)), name="client_id")
    recent_start = until - timedelta(days=RECENT_DAYS - 1)
    baseline_start = recent_start - timedelta(days=BASELINE_DAYS)
    rows = _day_rows(activity_days, ids)
    rows = rows[rows["day"] <= _t(until)]
    recent = rows[rows["day"] >= _t(recent_start)].groupby("client_id").size()
    before = rows[(rows["day"] >= _t(baseline_start)) & (rows["day"] < _t(recent_start))].groupby("client_id").size()
    first = rows.groupby("client_id")["day"].min().reindex(ids)
    span_start = first.where(first > _t(baseline_start), _t(baseline_start)).where(first.notna(), _t(recent_start))
    out = pd.DataFrame(index=ids)
    out["recent_days"] = recent.reindex(ids).fillna(0).astype(int)
    out["baseline_days"] = before.reindex(ids).fillna(0).astype(int)
    out["baseline_span"] = (_t(recent_start) - pd.to_datetime(span_start)).dt.days.clip(lower=0).astype(int)
    rate = (out["baseline_days"] / out["baseline_span"].where(out["baseline_span"] > 0)).clip(upper=1.0)
    out["expected"] = rate * RECENT_DAYS
    p_value = np.full(len(out), np.nan)
    known = rate.notna().to_numpy()
    p_value[known] = stats.binom.cdf(out["recent_days"].to_numpy()[known], RECENT_DAYS, rate.to_numpy()[known])
    out["p_value"] = p_value
    out["dropped"] = ((out["baseline_span"] >= MIN_BASELINE_DAYS)
                      & (out["expected"] >= MIN_BASELINE_PER_FORTNIGHT)
                      & (out["recent_days"] <= DROP_RATIO * out["expected"])
                      & (out["p_value"] < DROP_P)).fillna(False).astype(bool)
    return out.reset_index()


def engagement_words(row) -> str:
    """'shared on 2 of the last 14 days (their usual rate: about 9)'."""
    return (f"shared on {int(row['recent_days'])} of the last {RECENT_DAYS} days "
            f"(their usual rate: about {row['expected']:.0f})")


def active_in(activity_days: pd.DataFrame, client_ids, since: date, until: date) -> set[str]:
    """The clients with any record on a day from `since` to `until`."""
    rows = _day_rows(activity_days, client_ids)
    return set(rows.loc[(rows["day"] >= _t(since)) & (rows["day"] <= _t(until)), "client_id"])


def active_days_per_week(activity_days: pd.DataFrame, client_ids, since: date, until: date) -> pd.Series:
    """Per client: days with a record in the period, per week of it (0 to 7)."""
    ids = list(dict.fromkeys(client_ids))
    weeks = max(1, (until - since).days + 1) / WEEK_DAYS
    rows = _day_rows(activity_days, ids)
    inside = rows[(rows["day"] >= _t(since)) & (rows["day"] <= _t(until))]
    return (inside.groupby("client_id").size().reindex(ids).fillna(0) / weeks).rename_axis("client_id")


# --- nothing since the last session ----------------------------------------------------------

def silent_since_session(status: pd.DataFrame, client_ids, today: date) -> pd.DataFrame:
    """Clients whose last session was at least 7 days ago with no record since its day:
    client_id, session_day, days_since."""
    columns = ["client_id", "session_day", "days_since"]
    if status.empty:
        return pd.DataFrame(columns=columns)
    rows = status[status["client_id"].isin(list(client_ids)) & status["last_session"].notna()]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    arrived = rows[["checkins", "conversations", "practices"]].sum(axis=1)
    session_day = [pd.Timestamp(t).date() for t in rows["last_session"]]
    out = pd.DataFrame({"client_id": rows["client_id"].to_numpy(), "session_day": session_day,
                        "days_since": [(today - d).days for d in session_day], "arrived": arrived.to_numpy()})
    out = out[(out["arrived"] == 0) & (out["days_since"] >= NO_DATA_MIN_DAYS)]
    return out[columns].reset_index(drop=True)


def silent_words(row) -> str:
    """'nothing shared since the session on 3 Nov (17 days)'."""
    return f"nothing shared since the session on {row['session_day']:%-d %b} ({_plural(int(row['days_since']), 'day')})"


# --- who needs attention -----------------------------------------------------------------------

def needs_attention(clients: pd.DataFrame, flags: pd.DataFrame, worsening: pd.DataFrame,
                    engaged: pd.DataFrame, silent: pd.DataFrame) -> pd.DataFrame:
    """One row per client with a reason, most pressing first (module docstring): client_id,
    display_name, provider_name, scope, reason (the top code), reasons (every code that
    applies), why (each reason in words, in the same order)."""
    found: dict[str, list[tuple[int, float, str, str]]] = {}

    def add(cid: str, code: str, key: float, words: str) -> None:
        found.setdefault(cid, []).append((REASON_ORDER.index(code), key, code, words))

    if len(flags):
        per = (flags.assign(model=flags["basis"] == "model").groupby(["client_id", "risk"], sort=False)
               .agg(n=("days_waiting", "size"), oldest=("days_waiting", "max"), model=("model", "sum")).reset_index())
        for cid, level, n, oldest, model in per[["client_id", "risk", "n", "oldest", "model"]].itertuples(index=False):
            code = URGENT_FLAG if level == "urgent" else WATCH_FLAG
            add(cid, code, -float(oldest), flag_words(level, int(n), int(oldest), int(model)))
    if len(worsening):
        ordered = worsening.sort_values(["client_id", "clarity"], ascending=[True, False])
        grouped: dict[str, list[dict]] = {}
        for row in ordered.to_dict("records"):
            grouped.setdefault(row["client_id"], []).append(row)
        for cid, own in grouped.items():
            clarity = max((0.0 if pd.isna(r["clarity"]) else float(r["clarity"])) for r in own)
            add(cid, WORSENING, -clarity - 100 * (len(own) - 1), "; ".join(trend_words(r) for r in own))
    if len(engaged):
        for row in engaged[engaged["dropped"]].to_dict("records"):
            add(row["client_id"], ENGAGEMENT_DROP, float(row["recent_days"] / row["expected"]), engagement_words(row))
    for row in silent.to_dict("records"):
        add(row["client_id"], NO_DATA, -float(row["days_since"]), silent_words(row))

    info = {r["client_id"]: r for r in clients[["client_id", "display_name", "provider_name", "scope"]]
            .to_dict("records")} if len(clients) else {}
    rows = []
    for cid, reasons in found.items():
        if cid not in info:
            continue
        reasons.sort()
        rank, key, code, _ = reasons[0]
        rows.append({"client_id": cid, "display_name": info[cid]["display_name"],
                     "provider_name": info[cid]["provider_name"], "scope": info[cid]["scope"],
                     "reason": code, "reasons": tuple(r[2] for r in reasons),
                     "why": tuple(r[3] for r in reasons), "_rank": rank, "_key": key})
    columns = ["client_id", "display_name", "provider_name", "scope", "reason", "reasons", "why"]
    if not rows:
        return pd.DataFrame(columns=columns)
    out = pd.DataFrame(rows).sort_values(["_rank", "_key", "client_id"])
    return out[columns].reset_index(drop=True)


MAX_ATTENTION_CARDS = 20


def attention_split(attention: pd.DataFrame, cards: int = MAX_ATTENTION_CARDS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ranked list's head, drawn a card each (every urgent client among them however
    many), and the rest, drawn as one table in the same order."""
    n = max(cards, int((attention["reason"] == URGENT_FLAG).sum())) if len(attention) else 0
    return attention.iloc[:n], attention.iloc[n:]


def attention_table(attention: pd.DataFrame) -> pd.DataFrame:
    """Ranked rows as a table: client, clinician, reason and why in words, a link to the brief."""
    return pd.DataFrame({
        "Client": attention["display_name"], "ID": attention["client_id"], "Clinician": attention["provider_name"],
        "Reason": attention["reason"].map(REASON_WORDS), "Why": [" · ".join(w) for w in attention["why"]],
        "Brief": [f"brief?client={cid}" for cid in attention["client_id"]]}).reset_index(drop=True)


# --- per clinician ------------------------------------------------------------------------------

def per_clinician(rows: pd.DataFrame, classes: pd.Series, days_per_week: pd.Series, sharing_week: set[str],
                  flags: pd.DataFrame, engaged: pd.DataFrame) -> pd.DataFrame:
    """Per clinician: clients (n), clients with a trend (n_trend) and the share of those
    improving, flat and worsening; days shared per client per week over the period
    (mean and median); the share sharing in the last 7 days; engagement drops; unreviewed
    flags and the clients who have them. Rates are per client, so caseloads of different
    sizes compare fairly; a client seen by two clinicians counts for both."""
    columns = ["provider_id", "provider_name", "n_clients", "n_trend", "n_improving", "n_flat", "n_worsening",
               "improving", "flat", "worsening", "days_per_week", "median_days_per_week", "n_sharing_week",
               "sharing_week", "n_dropped", "open_flags", "clients_with_open_flags"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    dropped = set(engaged.loc[engaged["dropped"], "client_id"]) if len(engaged) else set()
    flag_counts = flags.groupby("client_id").size() if len(flags) else pd.Series(dtype=int)
    each = rows[["provider_id", "provider_name", "client_id"]].drop_duplicates(["provider_id", "client_id"])
    cid = each["client_id"]
    each = each.assign(cls=cid.map(classes).fillna("no trend"), rate=cid.map(days_per_week).fillna(0.0).astype(float),
                       week=cid.isin(list(sharing_week)), dropped=cid.isin(list(dropped)),
                       flags=cid.map(flag_counts).fillna(0).astype(int))
    each = each.assign(trend=each["cls"] != "no trend", improving=each["cls"] == "improving",
                       flat=each["cls"] == "flat", worsening=each["cls"] == "worsening", flagged=each["flags"] > 0)
    out = (each.groupby(["provider_id", "provider_name"], sort=True)
           .agg(n_clients=("client_id", "size"), n_trend=("trend", "sum"), n_improving=("improving", "sum"),
                n_flat=("flat", "sum"), n_worsening=("worsening", "sum"), days_per_week=("rate", "mean"),
                median_days_per_week=("rate", "median"), n_sharing_week=("week", "sum"), n_dropped=("dropped", "sum"),
                open_flags=("flags", "sum"), clients_with_open_flags=("flagged", "sum"))
           .reset_index())
    with_trend = out["n_trend"].where(out["n_trend"] > 0)
    for kind in ("improving", "flat", "worsening"):
        out[kind] = out[f"n_{kind}"] / with_trend
    out["sharing_week"] = out["n_sharing_week"] / out["n_clients"]
    counts = ["n_clients", "n_trend", "n_improving", "n_flat", "n_worsening", "n_sharing_week", "n_dropped",
              "open_flags", "clients_with_open_flags"]
    out[counts] = out[counts].astype(int)
    return out[columns]


def count_share(n: int, of: int) -> str:
    """'3 of 8 (38 %)'; '–' when there is nothing to count."""
    return f"{n} of {of} ({int(100 * n / of + 0.5)} %)" if of else "–"


def clinician_table(clinicians: pd.DataFrame) -> pd.DataFrame:
    """The per-clinician rows in words and numbers, each share with its n, for the page."""
    rows = clinicians
    return pd.DataFrame({
        "Clinician": rows["provider_name"], "Clients": rows["n_clients"],
        "Improving": [count_share(n, of) for n, of in zip(rows["n_improving"], rows["n_trend"])],
        "No change": [count_share(n, of) for n, of in zip(rows["n_flat"], rows["n_trend"])],
        "Worsening": [count_share(n, of) for n, of in zip(rows["n_worsening"], rows["n_trend"])],
        "Days / week": rows["days_per_week"].round(1),
        "This week": [count_share(n, of) for n, of in zip(rows["n_sharing_week"], rows["n_clients"])],
        "Drops": rows["n_dropped"],
        "Open flags": [f"{f} ({c} client{'' if c == 1 else 's'})" if f else "0"
                             for f, c in zip(rows["open_flags"], rows["clients_with_open_flags"])],
    }).reset_index(drop=True)


# --- caseload themes -----------------------------------------------------------------------------

def _week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _weekly_rows(weekly: pd.DataFrame, client_ids, since: date, until: date) -> pd.DataFrame:
    """These clients' weekly theme counts, in the weeks of the period (the week `since`
    falls in included)."""
    rows = weekly[weekly["client_id"].isin(list(client_ids))] if len(weekly) else weekly
    if rows.empty:
        return pd.DataFrame({"client_id": [], "week": pd.Series([], dtype="datetime64[ns]"), "theme_id": [],
                             "n_texts": []})
    rows = rows.assign(week=_days(rows["week"]))
    return rows[(rows["week"] >= _t(_week_of(since))) & (rows["week"] <= _t(until))]


def theme_trends(weekly: pd.DataFrame, themes: pd.DataFrame, client_ids, since: date, until: date,
                 recent_weeks: int = THEME_RECENT_WEEKS) -> pd.DataFrame:
    """Per caseload theme written about in the period: label, keywords, texts and clients
    in the last `recent_weeks` weeks, the theme's share of all texts then and in the
    period's weeks before, one-sided binomial p of the recent count at the earlier share,
    and status 'new', 'rising', 'quieter' or 'steady' (module docstring). Rising and new
    first (the largest rise first), then the busiest."""
    columns = ["theme_id", "label", "keywords", "n_recent", "clients_recent", "n_before", "share_recent",
               "share_before", "p_rise", "status"]
    rows = _weekly_rows(weekly, client_ids, since, until)
    if rows.empty or themes.empty:
        return pd.DataFrame(columns=columns)
    is_recent = rows["week"] >= _t(recent_weeks_start(until, recent_weeks))
    recent, before = rows[is_recent], rows[~is_recent]
    total_recent, total_before = int(recent["n_texts"].sum()), int(before["n_texts"].sum())
    frame = themes[["theme_id", "label", "keywords"]].set_index("theme_id")
    frame["n_recent"] = recent.groupby("theme_id")["n_texts"].sum().reindex(frame.index).fillna(0).astype(int)
    frame["clients_recent"] = recent.groupby("theme_id")["client_id"].nunique().reindex(frame.index).fillna(0).astype(int)
    frame["n_before"] = before.groupby("theme_id")["n_texts"].sum().reindex(frame.index).fillna(0).astype(int)
    frame = frame[(frame["n_recent"] + frame["n_before"]) > 0]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame["share_recent"] = frame["n_recent"] / total_recent if total_recent else np.nan
    frame["share_before"] = frame["n_before"] / total_before if total_before else np.nan
    base = frame["share_before"].to_numpy(dtype=float)
    testable = (total_recent > 0) & (base > 0)
    p_rise, p_fall = np.full(len(frame), np.nan), np.full(len(frame), np.nan)
    k = frame["n_recent"].to_numpy()
    p_rise[testable] = stats.binom.sf(k[testable] - 1, total_recent, base[testable])
    p_fall[testable] = stats.binom.cdf(k[testable], total_recent, base[testable])
    frame["p_rise"] = p_rise
    enough = frame["n_recent"] >= THEME_MIN_TEXTS
    frame["status"] = np.select(
        [enough & (frame["n_before"] == 0) & (total_before > 0),
         enough & (frame["share_recent"] >= THEME_RISE_RATIO * frame["share_before"]) & (p_rise < THEME_P),
         (frame["share_recent"] * THEME_RISE_RATIO <= frame["share_before"]) & (p_fall < THEME_P)],
        ["new", "rising", "quieter"], default="steady")
    frame["keywords"] = [list(k) if k is not None and not isinstance(k, float) else [] for k in frame["keywords"]]
    frame = frame.reset_index()
    order = frame["status"].map({"new": 0, "rising": 0, "steady": 1, "quieter": 2})
    ratio = (frame["share_recent"] / frame["share_before"].where(frame["share_before"] > 0)).fillna(np.inf)
    frame = frame.assign(_o=order, _r=np.where(order == 0, -ratio, 0.0), _n=-frame["n_recent"])
    return frame.sort_values(["_o", "_r", "_n", "theme_id"])[columns].reset_index(drop=True)


def theme_weekly_shares(weekly: pd.DataFrame, trends: pd.DataFrame, client_ids, since: date, until: date,
                        limit: int = MAX_THEME_LINES) -> pd.DataFrame:
    """The weekly share of all texts (0-1) of the themes worth a line: the first `limit`
    of theme_trends (rising and new first): week, theme_id, label, status, n_texts, share."""
    columns = ["week", "theme_id", "label", "status", "n_texts", "share"]
    if weekly.empty or trends.empty:
        return pd.DataFrame(columns=columns)
    chosen = trends.head(limit)
    rows = _weekly_rows(weekly, client_ids, since, until)
    if rows.empty:
        return pd.DataFrame(columns=columns)
    totals = rows.groupby("week")["n_texts"].sum()
    counts = (rows[rows["theme_id"].isin(chosen["theme_id"])].groupby(["week", "theme_id"])["n_texts"].sum()
              .unstack(fill_value=0).reindex(index=totals.index, columns=chosen["theme_id"], fill_value=0))
    long = counts.stack().rename("n_texts").reset_index()
    long.columns = ["week", "theme_id", "n_texts"]
    long["share"] = long["n_texts"] / long["week"].map(totals)
    long["label"] = long["theme_id"].map(chosen.set_index("theme_id")["label"])
    long["status"] = long["theme_id"].map(chosen.set_index("theme_id")["status"])
    long["week"] = long["week"].dt.date
    return long[columns].sort_values(["theme_id", "week"]).reset_index(drop=True)


# --- the model -------------------------------------------------------------------------------------

def caseload_model(reads: CaseloadReads, filters: Filters, today: date) -> CaseloadModel:
    """Everything the caseload page shows, for these filters, as of `today`."""
    rows = caseload_rows(reads.clients, filters)
    clients = shown_clients(rows)
    ids = clients["client_id"].tolist()
    everyone = open_flags(reads.flags, shown_clients(reads.clients), today)
    flags = everyone[everyone["client_id"].isin(ids)].reset_index(drop=True)
    activity = _day_rows(reads.activity_days, ids)     # days as datetime64 once, for every count below
    worsening = worsening_trends(reads.trends, ids)
    engaged = engagement(activity, ids, filters.until)
    silent = silent_since_session(reads.status, ids, today)
    week_start = filters.until - timedelta(days=WEEK_DAYS - 1)
    sharing_week = active_in(activity, ids, week_start, filters.until)
    headline = Headline(
        n_clients=len(ids), n_active=len(active_in(activity, ids, filters.since, filters.until)),
        n_sharing_week=len(sharing_week), n_open_flags=len(flags),
        n_open_urgent=int((flags["risk"] == "urgent").sum()) if len(flags) else 0,
        oldest_open_days=int(flags["days_waiting"].max()) if len(flags) else None,
        n_open_elsewhere=len(everyone) - len(flags), n_worsening=int(worsening["client_id"].nunique()) if len(worsening) else 0)
    theme_rows = theme_trends(reads.theme_weekly, reads.themes, ids, filters.since, filters.until)
    return CaseloadModel(
        filters=filters, today=today, headline=headline,
        attention=needs_attention(clients, flags, worsening, engaged, silent),
        open_flags=flags, flag_ages=flag_age_buckets(flags),
        clinicians=per_clinician(rows, trend_classes(reads.trends, ids),
                                 active_days_per_week(activity, ids, filters.since, filters.until),
                                 sharing_week, flags, engaged),
        themes=theme_rows,
        theme_shares=theme_weekly_shares(reads.theme_weekly, theme_rows, ids, filters.since, filters.until))


# --- figures (pure: frames to plotly figures; client-provided words through `plain`) ----------------

URGENT_COLOUR, WATCH_COLOUR = "#B00020", "#E69F00"
THEME_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#444444"]
FONT = dict(family="sans-serif", size=13, color="#2b2f33")


def flag_age_figure(buckets: pd.DataFrame) -> go.Figure:
    """Unreviewed flags by days waited: stacked bars, urgent below watch."""
    bars = [go.Bar(x=buckets["bucket"], y=buckets[level], name=name, marker_color=colour,
                   hovertemplate=f"%{{y}} {level} flag(s) waiting %{{x}}<extra></extra>")
            for level, name, colour in (("urgent", "Urgent", URGENT_COLOUR), ("watch", "Watch", WATCH_COLOUR))]
    figure = go.Figure(bars)
    totals = buckets["urgent"] + buckets["watch"]
    for bucket, urgent, total in zip(buckets["bucket"], buckets["urgent"], totals):
        if total:
            figure.add_annotation(x=bucket, y=total, yshift=10, showarrow=False,
                                  text=f"{total}" + (f" ({urgent} urgent)" if urgent else ""))
    figure.update_layout(barmode="stack", height=260, margin=dict(l=10, r=10, t=50, b=10), font=FONT,
                         title=dict(text="Waiting for a review, by days since the flagged text", x=0, xanchor="left", font=dict(size=15)),
                         plot_bgcolor="white", paper_bgcolor="rgba(0,0,0,0)",
                         legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1),
                         xaxis=dict(title="Waiting", showgrid=False, linecolor="#bbb"),
                         yaxis=dict(title="Flags", gridcolor="#eee", zeroline=False, rangemode="tozero",
                                    range=[0, max(1, int(totals.max())) * 1.25],
                                    dtick=max(1, int(np.ceil(max(1, int(totals.max())) / 5)))))
    return figure


def theme_share_figure(shares: pd.DataFrame, recent_start: date | None = None) -> go.Figure:
    """Each chosen caseload theme's weekly share of all texts, one line per theme (label
    made inert): rising and new themes bold, the others thin and pale; the recent weeks shaded."""
    figure = go.Figure()
    for i, (tid, own) in enumerate(shares.groupby("theme_id", sort=False)):
        label = plain(own["label"].iloc[0])
        stands_out = "status" in own and own["status"].iloc[0] in ("rising", "new")
        figure.add_trace(go.Scatter(
            x=pd.to_datetime(own["week"]), y=own["share"] * 100, mode="lines+markers",
            name=label + (" (rising)" if stands_out else ""), opacity=1.0 if stands_out else 0.55,
            line=dict(color=THEME_COLOURS[i % len(THEME_COLOURS)], width=3.5 if stands_out else 1.5),
            marker=dict(size=7 if stands_out else 4),
            customdata=own["n_texts"], hovertemplate=f"{label}: %{{y:.1f}} % of texts (%{{customdata}})<extra></extra>"))
    if recent_start is not None:
        figure.add_vrect(x0=pd.Timestamp(recent_start) - pd.Timedelta(days=3),
                         x1=pd.to_datetime(shares["week"]).max() + pd.Timedelta(days=3) if len(shares) else None,
                         fillcolor="#f2f2f2", line_width=0, layer="below",
                         annotation_text=f"last {THEME_RECENT_WEEKS} weeks", annotation_position="top left")
    figure.update_layout(height=360, margin=dict(l=10, r=10, t=60, b=10), font=FONT, hovermode="x unified",
                         title=dict(text="Caseload themes, share of all texts each week", x=0, xanchor="left",
                                    font=dict(size=15)),
                         plot_bgcolor="white", paper_bgcolor="rgba(0,0,0,0)",
                         legend=dict(orientation="h", yanchor="top", y=-0.12, xanchor="left", x=0),
                         xaxis=dict(title=None, showgrid=False, linecolor="#bbb"),
                         yaxis=dict(title="% of texts", gridcolor="#eee", zeroline=False, rangemode="tozero"))
    return figure


def recent_weeks_start(until: date, recent_weeks: int = THEME_RECENT_WEEKS) -> date:
    return _week_of(until) - timedelta(weeks=recent_weeks - 1)
