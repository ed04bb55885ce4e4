"""What goes into a pre-session brief: pure functions over the frames `dashboard.data` reads.

No Streamlit and no database here, so every rule a therapist relies on (which period,
what counts as new, which prompts to show) is tested directly (tests/test_briefing.py).
Times arrive in UTC and are turned into the client's calendar days first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from dashboard.text import plain
from pipelines.clinical import BASELINE_WEEKS, HIGHER_AFTER, LOWER_AFTER
from pipelines import trends
from pipelines.nlp import signals

# Client-local calendar day of each timestamp (one zone for all, or one per row): the
# pipelines' one definition.
local_days = trends.local_dates

DEFAULT_PERIOD_DAYS = 14  # when the client has no earlier appointment
# Insight score from which a text can be shown as an insight moment, chosen on the dev sets
# (see signals.INSIGHT_THRESHOLD): the brief shows the strongest few, newest first.
INSIGHT_THRESHOLD = signals.INSIGHT_THRESHOLD
MAX_INSIGHTS = 5
MAX_PROMPTS = 5
RECENT_FLAG_DAYS = 28  # an earlier flag this recent is still worth a prompt
RISK_ORDER = {"urgent": 0, "watch": 1, "none": 2}
MEASURE_WORDS = {"mood": "Mood", "stress": "Stress", "energy": "Energy", "sleep_hours": "Sleep",
                 "valence": "Tone of writing"}
MEASURE_UNITS = {"mood": "points", "stress": "points", "energy": "points", "sleep_hours": "hours",
                 "valence": ""}
# A rising stress or falling mood is a concern; the arrow's colour says so, not its direction.
WORSE_WHEN = {"mood": "falling", "stress": "rising", "energy": "falling", "sleep_hours": "falling",
              "valence": "falling"}


@dataclass(frozen=True)
class Period:
    """The stretch of days the brief covers, in the client's calendar."""
    since: date
    until: date
    last_session: pd.Timestamp | None = None
    next_session: pd.Timestamp | None = None

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    def label(self) -> str:
        start = f"{self.since:%-d %b}"
        if self.last_session is not None:
            return f"since the last session on {start} ({self.days} days)"
        return f"the last {self.days} days (no earlier session on record)"


def session_period(appointment_starts: pd.Series, tz: str, today: date) -> Period:
    """From the last appointment before today up to today; the next one if booked."""
    local = pd.to_datetime(appointment_starts, utc=True).dt.tz_convert(tz).sort_values()
    days = local.dt.date
    before = local[days < today]
    after = local[days >= today]
    next_session = after.iloc[0] if len(after) else None
    if before.empty:
        return Period(today - timedelta(days=DEFAULT_PERIOD_DAYS - 1), today, None, next_session)
    last = before.iloc[-1]
    return Period(last.date(), today, last, next_session)


def in_period(at: pd.Series, tz: str, period: Period) -> pd.Series:
    days = local_days(at, tz)
    return (days >= period.since) & (days <= period.until)


# --- risk -------------------------------------------------------------------------------

def risk_basis(reason: str | None) -> str:
    """The basis of a shown flag: signals.risk_basis, except that a flag with no recorded
    basis reads as model-only (never stronger than what it rests on)."""
    if isinstance(reason, float) and np.isnan(reason):
        reason = None
    return signals.risk_basis(reason) or "model"


def reviewed(flags: pd.DataFrame) -> pd.Series:
    """Whether each flag has a clinician's review (a frame without review columns: none has)."""
    if "reviewed_at" not in flags:
        return pd.Series(False, index=flags.index)
    return flags["reviewed_at"].notna()


def order_risk_flags(flags: pd.DataFrame, tz: str, period: Period) -> pd.DataFrame:
    """All flags (none dropped), unreviewed first, then urgent, then phrase-backed, then
    newest; marks which are new in this period, which are reviewed, and which are an
    earlier version of a text the client's export has since revised (``revised``: kept and
    shown, never hidden)."""
    if flags.empty:
        return flags.assign(new=pd.Series(dtype=bool), basis=pd.Series(dtype=str),
                            day=pd.Series(dtype=object), revised=pd.Series(dtype=bool),
                            reviewed=pd.Series(dtype=bool))
    out = flags.assign(
        reviewed=reviewed(flags).to_numpy(),
        new=in_period(flags["written_at"], tz, period).to_numpy(),
        basis=[risk_basis(r) for r in flags["risk_reason"]],
        day=local_days(flags["written_at"], tz),
        # text_units marks superseded versions; their source_id is '<id>#<md5>' ('#' is in no export id)
        revised=(flags["superseded"].fillna(False).astype(bool).to_numpy() if "superseded" in flags
                 else flags["source_id"].astype(str).str.contains("#", regex=False).to_numpy()),
    )
    out["_level"] = out["risk"].map(RISK_ORDER).fillna(3)
    out["_basis"] = (out["basis"] == "model").astype(int)
    out = out.sort_values(["reviewed", "_level", "_basis", "written_at"], ascending=[True, True, True, False],
                          kind="stable")
    return out.drop(columns=["_level", "_basis"]).reset_index(drop=True)


# The actions a review records (pipelines.reviews.ACTIONS): the database holds the codes.
REVIEW_ACTION_WORDS = {"discussed": "Discussed in session", "safety_plan": "Safety plan",
                       "referred": "Referred", "other": "Other"}


def review_line(row, tz: str) -> str:
    """'Reviewed by okafor on 1 Dec, safety plan', or 'Not reviewed yet' (day in ``tz``)."""
    at = row.get("reviewed_at")
    if at is None or pd.isna(at):
        return "Not reviewed yet"
    day = pd.to_datetime(at, utc=True).tz_convert(tz)
    action = REVIEW_ACTION_WORDS.get(row.get("review_action"), str(row.get("review_action") or "")).lower()
    return f"Reviewed by {row.get('reviewed_by')} on {day:%-d %b}, {action}"


def unreviewed_words(n: int) -> str:
    """'1 unreviewed flag', '2 unreviewed flags'."""
    return f"{n} unreviewed flag" if n == 1 else f"{n} unreviewed flags"


def highest_risk(flags: pd.DataFrame) -> str:
    if flags.empty:
        return "none"
    return min(flags["risk"], key=lambda r: RISK_ORDER.get(r, 3))


# --- at a glance --------------------------------------------------------------------------

def engagement(activity_days: pd.Series, period: Period) -> tuple[int, int]:
    """Days with any record in the period, and the period's length in days."""
    days = set(d for d in activity_days if period.since <= d <= period.until)
    return len(days), period.days


MEASURE_FORMAT = {"mood": "{:+.1f}", "stress": "{:.1f}", "energy": "{:.1f}", "sleep_hours": "{:.1f} h",
                  "valence": "{:+.2f}"}
MIN_PRACTICE_N = 3


def change_phrase(measure: str, row: pd.Series) -> str:
    """'Stress higher than the 8 weeks before: +1.4 points (95 % CI +0.5 to +2.3, 0.8 SD)'."""
    name = MEASURE_WORDS.get(measure, measure)
    unit = MEASURE_UNITS.get(measure, "")
    unit = f" {unit}" if unit else ""
    if pd.isna(row.get("ci_low")):
        return f"{name}: too few days to compare with the 8 weeks before"
    size = "" if pd.isna(row.get("effect_size")) else f", {abs(row['effect_size']):.1f} SD"
    interval = f"(95 % CI {row['ci_low']:+.1f} to {row['ci_high']:+.1f}{size})"
    if row["verdict"] not in ("higher", "lower"):
        return f"{name}: no clear change from the 8 weeks before, {row['difference']:+.1f}{unit} {interval}"
    return f"{name} {row['verdict']} than in the 8 weeks before: {row['difference']:+.1f}{unit} {interval}"


def rated_practices(effects: pd.DataFrame) -> pd.DataFrame:
    """Practice effects with enough pairs (n >= 3) to carry a verdict."""
    if effects.empty:
        return effects
    return effects[(effects["n"] >= MIN_PRACTICE_N) & effects["verdict"].notna()].reset_index(drop=True)


def first_items(values, limit: int) -> list[str]:
    if values is None or (isinstance(values, float) and np.isnan(values)):
        return []
    return [str(v) for v in list(values)[:limit]]


TREND_DECIMALS = {"valence": 2}  # valence moves in hundredths a week (-1 ... +1 scale)


def trend_phrase(row: pd.Series) -> str:
    """'Stress rising, about +0.8 points per week (95 % CI +0.3 to +1.3)' or 'no clear trend'."""
    name = MEASURE_WORDS.get(row["measure"], row["measure"])
    if row["verdict"] not in ("rising", "falling"):
        return f"{name}: no clear trend over 8 weeks"
    unit = MEASURE_UNITS.get(row["measure"], "")
    unit = f" {unit}" if unit else ""
    d = TREND_DECIMALS.get(row["measure"], 1)
    return (f"{name} {row['verdict']}, about {row['slope_per_week']:+.{d}f}{unit} per week "
            f"(95 % CI {row['ci_low']:+.{d}f} to {row['ci_high']:+.{d}f})")


def is_concerning(measure: str, verdict: str) -> bool:
    return WORSE_WHEN.get(measure) == verdict


# --- themes and insights ----------------------------------------------------------------------

def theme_changes(weekly: pd.DataFrame, period: Period,
                  baseline_weeks: int = BASELINE_WEEKS) -> pd.DataFrame:
    """Per client theme: texts this period, weekly rate before, and whether it is new
    (nothing in the baseline weeks before), rising (at least twice the earlier weekly
    rate and 3+ texts), quieter, or steady. Busiest this period first."""
    columns = ["theme_id", "label", "n_period", "n_before", "rate_period", "rate_before", "status"]
    if weekly.empty:
        return pd.DataFrame(columns=columns)
    week = pd.to_datetime(weekly["week"]).dt.date
    period_start_week = period.since - timedelta(days=period.since.weekday())
    start_before = period_start_week - timedelta(weeks=baseline_weeks)
    now = weekly[(week >= period_start_week) & (week <= period.until)]
    before = weekly[(week >= start_before) & (week < period_start_week)]
    ever_before = weekly[week < period_start_week]
    labels = weekly.groupby("theme_id")["label"].first()
    out = pd.DataFrame({"theme_id": labels.index, "label": labels.to_numpy()})
    out["n_period"] = out["theme_id"].map(now.groupby("theme_id")["n_texts"].sum()).fillna(0).astype(int)
    out["n_before"] = out["theme_id"].map(before.groupby("theme_id")["n_texts"].sum()).fillna(0).astype(int)
    weeks_now = max(1.0, period.days / 7)
    out["rate_period"] = out["n_period"] / weeks_now
    out["rate_before"] = out["n_before"] / baseline_weeks
    seen_before = out["theme_id"].isin(ever_before["theme_id"])
    out["status"] = np.select(
        [(out["n_period"] > 0) & ~seen_before,
         (out["n_period"] >= 3) & (out["rate_period"] >= 2 * out["rate_before"]),
         (out["n_period"] == 0) & (out["n_before"] > 0),
         out["rate_period"] < 0.5 * out["rate_before"]],
        ["new", "rising", "absent", "quieter"], default="steady")
    return out.sort_values(["n_period", "n_before"], ascending=False).reset_index(drop=True)


def insight_moments(texts: pd.DataFrame, tz: str, period: Period,
                    threshold: float = INSIGHT_THRESHOLD, limit: int = MAX_INSIGHTS) -> pd.DataFrame:
    """The client's strongest realizations this period in their own words, most recent
    first. The app's summaries speak about the client, so they count only when nothing
    else was shared (summary scope)."""
    if texts.empty:
        return texts.assign(day=pd.Series(dtype=object))
    chosen = texts[(texts["insight"] >= threshold) & in_period(texts["written_at"], tz, period)
                   & (texts["source"] != "summary")]
    if chosen.empty and (texts["source"] == "summary").all():
        chosen = texts[(texts["insight"] >= threshold) & in_period(texts["written_at"], tz, period)]
    chosen = chosen.nlargest(limit, "insight")
    chosen = chosen.assign(day=local_days(chosen["written_at"], tz))
    return chosen.sort_values("written_at", ascending=False).reset_index(drop=True)


# --- body, practices, episodes --------------------------------------------------------------------

def body_map(sensations: pd.DataFrame, tz: str, period: Period | None) -> pd.DataFrame:
    """Per body location: how often a sensation was logged, mean intensity, the most
    common sensation there."""
    columns = ["location", "n", "mean_intensity", "sensation"]
    if sensations.empty:
        return pd.DataFrame(columns=columns)
    rows = sensations if period is None else sensations[in_period(sensations["checked_in_at"], tz, period)]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    grouped = rows.groupby("location")
    out = pd.DataFrame({
        "n": grouped.size(),
        "mean_intensity": grouped["intensity"].mean(),
        "sensation": grouped["sensation"].agg(lambda s: s.value_counts().index[0]),
    }).reset_index()
    return out.sort_values("n", ascending=False).reset_index(drop=True)[columns]


BODY_MIN_DAYS = 28  # a body map of a few days says little: it covers at least four weeks


def at_least_days(period: Period, days: int) -> Period:
    """The period, stretched back to cover at least `days` days."""
    if period.days >= days:
        return period
    return Period(period.until - timedelta(days=days - 1), period.until, period.last_session, period.next_session)


def theme_examples(texts: pd.DataFrame, theme_id: str, tz: str, period: Period,
                   representative: list[str], limit: int = 3) -> list[str]:
    """Quotes for a theme: this period's texts of it first (the client's own words over
    the app's summaries), then the theme's representative quotes."""
    chosen: list[str] = []
    if not texts.empty:
        own = texts[(texts["client_theme_id"] == theme_id) & in_period(texts["written_at"], tz, period)]
        own = own.assign(_summary=own["source"] == "summary").sort_values(["_summary", "written_at"],
                                                                          ascending=[True, False])
        chosen = [t for t in own["text"] if len(str(t).split()) >= 4][:2]
    for quote in representative:
        if len(chosen) >= limit:
            break
        if quote not in chosen:
            chosen.append(quote)
    return chosen[:limit]


def episodes_in(episodes: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Episodes overlapping the period (ongoing ones included), newest first."""
    if episodes.empty:
        return episodes
    start = pd.to_datetime(episodes["start_day"]).dt.date
    end = pd.to_datetime(episodes["end_day"]).dt.date
    chosen = episodes[(end >= period.since) & (start <= period.until)]
    return chosen.sort_values("start_day", ascending=False).reset_index(drop=True)


def texts_count(n: int) -> str:
    return f"{n} text" if n == 1 else f"{n} texts"


def last_episode_before(episodes: pd.DataFrame, period: Period) -> date | None:
    """Start of the latest episode that ended before the period, if any."""
    if episodes.empty:
        return None
    end = pd.to_datetime(episodes["end_day"]).dt.date
    earlier = episodes[end < period.since]
    return None if earlier.empty else pd.Timestamp(earlier["start_day"].max()).date()


_PART_OF_DAY_WORDS = {"morning": "in the morning", "afternoon": "in the afternoon",
                      "evening": "in the evening", "night": "at night"}


def rhythm_sentence(row) -> str:
    """'Stress is highest on Sundays, about 2.1 points above their average' from a
    client_rhythms row (measure, kind, peak, effect)."""
    label = {"sleep_hours": "sleep"}.get(row["measure"], row["measure"])
    effect = float(row["effect"])
    when = _PART_OF_DAY_WORDS.get(row["peak"], row["peak"]) if row["kind"] == "part_of_day" else f"on {row['peak']}s"
    unit = "hour" if row["measure"] == "sleep_hours" else "point"
    size = f"{abs(effect):.1f}"
    return (f"{label.capitalize()} is {'highest' if effect > 0 else 'lowest'} {when}, about {size} "
            f"{unit}{'' if size == '1.0' else 's'} {'above' if effect > 0 else 'below'} their average")


def rhythm_lines(rhythms: pd.DataFrame) -> list[str]:
    """The client's significant weekly or daily rhythms, strongest first, as sentences."""
    if rhythms.empty:
        return []
    rows = rhythms.assign(size=rhythms["effect"].abs()).sort_values("size", ascending=False)
    return [rhythm_sentence(row) + (" (p < 0.001)" if row["p_value"] < 0.001 else f" (p = {row['p_value']:.3f})")
            for _, row in rows.iterrows()]


def kind_words(kind: str) -> str:
    """'box_breathing' -> 'box breathing'."""
    return str(kind).replace("_", " ").replace("-", " ")


# --- worth exploring today --------------------------------------------------------------------------

@dataclass
class BriefFacts:
    """What the prompts are built from; each field is optional (summary-scope clients,
    new clients and older databases lack some)."""
    period: Period
    risk: pd.DataFrame = field(default_factory=pd.DataFrame)          # order_risk_flags
    trends: pd.DataFrame = field(default_factory=pd.DataFrame)        # analysis_trends rows
    rhythms: pd.DataFrame = field(default_factory=pd.DataFrame)       # client_rhythms rows
    themes: pd.DataFrame = field(default_factory=pd.DataFrame)        # theme_changes
    episodes: pd.DataFrame = field(default_factory=pd.DataFrame)      # episodes_in
    practice_effects: pd.DataFrame = field(default_factory=pd.DataFrame)
    insights: pd.DataFrame = field(default_factory=pd.DataFrame)      # insight_moments
    engaged_days: tuple[int, int] | None = None
    engaged_days_before: tuple[int, int] | None = None


def worth_exploring(facts: BriefFacts, limit: int = MAX_PROMPTS) -> list[str]:
    """3-5 short prompts grounded in the data, most pressing first."""
    prompts: list[str] = []
    since = f"{facts.period.since:%-d %b}"
    risk = facts.risk
    if not risk.empty and risk["new"].any():
        new = risk[risk["new"]]
        level = highest_risk(new)
        prompts.append(f"Risk language flagged {level} on {new.iloc[0]['day']:%-d %b}: "
                       "check in about safety (see the risk panel)")
    elif not risk.empty:
        recent = risk[risk["day"] >= facts.period.since - timedelta(days=RECENT_FLAG_DAYS)]
        if len(recent):
            prompts.append(f"Risk language ({highest_risk(recent)}) on {recent['day'].max():%-d %b}, "
                           "before this period: was it followed up?")
    for _, row in facts.trends.iterrows() if not facts.trends.empty else []:
        if is_concerning(row["measure"], row["verdict"]):
            prompts.append(trend_phrase(row).replace(" (95 % CI", " over 8 weeks (95 % CI"))
    if not facts.episodes.empty:
        ep = facts.episodes.iloc[0]
        trigger = _first(ep.get("themes_before_episode"))
        about = f" around {trigger}" if trigger else ""
        prompts.append(f"Stress episode {pd.Timestamp(ep['start_day']):%-d %b}"
                       f"–{pd.Timestamp(ep['end_day']):%-d %b}{about}: what happened, what helped?")
    if not facts.themes.empty:
        for _, row in facts.themes[facts.themes["status"] == "new"].head(2).iterrows():
            prompts.append(f"New theme since {since}: {row['label']} ({texts_count(row['n_period'])})")
        for _, row in facts.themes[facts.themes["status"] == "rising"].head(1).iterrows():
            prompts.append(f"More about {row['label']} than before ({row['rate_period']:.1f} texts/week, "
                           f"was {row['rate_before']:.1f})")
    if not facts.rhythms.empty:
        row = facts.rhythms.sort_values("p_value").iloc[0]
        prompts.append(rhythm_sentence(row))
    if facts.engaged_days and facts.engaged_days_before:
        (now, n), (before, m) = facts.engaged_days, facts.engaged_days_before
        if n and m and now / n < 0.5 * (before / m):
            prompts.append(f"Used the app on {now} of {n} days (was {before} of {m} before): "
                           "what got in the way?")
    effects = facts.practice_effects
    if not effects.empty and "verdict" in effects:
        lower = effects[effects["verdict"] == LOWER_AFTER].sort_values("mean_change")
        flat = effects[effects["verdict"] != LOWER_AFTER].sort_values("n", ascending=False)
        if len(lower):
            row = lower.iloc[0]
            prompts.append(f"Stress lower after {kind_words(row['kind'])} "
                           f"(about {row['mean_change']:+.1f} points, n = {row['n']}): build on it?")
        elif len(flat):
            row = flat.iloc[0]
            prompts.append(f"{kind_words(row['kind']).capitalize()}: no clear change in stress after it "
                           f"(n = {row['n']}): try something else?")
    if len(prompts) < 3 and not facts.themes.empty:
        busiest = facts.themes[(facts.themes["n_period"] >= 3) & ~facts.themes["status"].isin(["new", "rising"])]
        if len(busiest):
            row = busiest.iloc[0]
            prompts.append(f"Most written about this period: {row['label']} ({texts_count(row['n_period'])})")
    if not facts.insights.empty:
        row = facts.insights.iloc[0]
        prompts.append(f"Their own realization on {row['day']:%-d %b}: "
                       f"\u201c{shorten(row.get('evidence') or row['text'], 90)}\u201d")
    return prompts[:limit]


def _first(values) -> str | None:
    if values is None or (isinstance(values, float) and np.isnan(values)):
        return None
    values = list(values)
    return str(values[0]) if values else None


def shorten(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"



def episode_line(ep: pd.Series, bold: str = "<b>{}</b>") -> str:
    """One line per episode, escaped: when, themes written around it, body, practices, how it
    ended. HTML by default; ``bold="**{}**"`` gives markdown for the page."""
    e = plain
    start, end = pd.Timestamp(ep["start_day"]), pd.Timestamp(ep["end_day"])
    when = f"{start:%-d %b}" + ("" if start == end else f"–{end:%-d %b}")
    bits = [bold.format(when) + f", peak stress {ep['peak_stress']:.0f}/10"]
    trigger = _join(ep.get("themes_before_episode"))
    if trigger:
        bits.append(f"around {e(trigger)}")
    body = _join([body_words(b) for b in _records(ep.get("body_response"))], 2)
    if body:
        bits.append(f"body: {e(body)}")
    done = _join([practice_done_words(p) for p in _records(ep.get("practices_done"))], 2)
    if done:
        bits.append(f"did: {e(done)}")
    bits.append(resolution(ep))
    return " · ".join(b for b in bits if b)


def resolution(ep: pd.Series) -> str:
    """'back to usual by 24 Oct (3 days)' or 'still above their usual level'."""
    if str(ep.get("status")) != "resolved":
        return "still above their usual level"
    day = ep.get("resolved_day")
    if day is None or pd.isna(day):
        return "back to usual"
    days = (pd.Timestamp(day) - pd.Timestamp(ep["start_day"])).days
    return f"back to usual by {pd.Timestamp(day):%-d %b} ({days} days)"


def _records(values) -> list[dict]:
    """A STRUCT[] column's value as DuckDB returns it (list or array of dicts, or NULL)."""
    if values is None or (isinstance(values, float) and np.isnan(values)):
        return []
    return [dict(v) for v in list(values)]


def body_words(record: dict) -> str:
    """'chest tightness (3x, intensity 7.0)' from a body_response record."""
    return f"{record['location']} {record['sensation']} ({record['n']}x, intensity {record['mean_intensity']:.1f})"


def practice_done_words(record: dict) -> str:
    """'box breathing: stress 8 → 5' (or just the practice) from a practices_done record."""
    kind = str(record["kind"]).replace("_", " ")
    before, after = record.get("stress_before"), record.get("stress_after")
    if before is None or after is None or pd.isna(before) or pd.isna(after):
        return kind
    return f"{kind}: stress {int(before)} → {int(after)}"


def _join(values, limit: int = 3) -> str:
    if values is None or (isinstance(values, float) and np.isnan(values)):
        return ""
    return ", ".join(str(v) for v in list(values)[:limit])


PRACTICE_VERDICT_WORDS = {LOWER_AFTER: "stress lower after", HIGHER_AFTER: "stress higher after",
                          "no_clear_change": "no clear change"}


def practice_phrase(row: pd.Series) -> str:
    """'stress 7.2 → 4.1 (−3.1, 95 % CI −3.8 to −2.4, n = 9): stress lower after'."""
    verdict = PRACTICE_VERDICT_WORDS.get(row["verdict"], str(row["verdict"]).replace("_", " "))
    return (f"stress {row['mean_before']:.1f} → {row['mean_after']:.1f} "
            f"({row['mean_change']:+.1f}, 95 % CI {row['ci_low']:+.1f} to {row['ci_high']:+.1f}, "
            f"n = {int(row['n'])}): {verdict}")


# --- today: every client's one-line status ------------------------------------------------------------

def local_stamps(at: pd.Series, tz: pd.Series) -> pd.Series:
    """Each timestamp in its row's time zone (`tz`), converted once per distinct zone."""
    stamps = pd.to_datetime(at, utc=True)
    out = pd.Series(index=at.index, dtype=object)
    for zone, idx in tz.groupby(tz, sort=False).groups.items():
        out.loc[idx] = stamps.loc[idx].dt.tz_convert(zone).astype(object)
    return out


def caseload_status(clients: pd.DataFrame, appointments: pd.DataFrame, activity: pd.DataFrame,
                    flags: pd.DataFrame, trends: pd.DataFrame, today: date) -> pd.DataFrame:
    """One row per client: last and next session (client-local), what arrived since the
    last session, the highest risk flag since then (and whether any urgent flag exists
    at all), how many flags (and urgent ones) are unreviewed, and the 8-week stress and
    mood verdicts."""
    status = clients.drop_duplicates("client_id").set_index("client_id")[
        ["display_name", "provider_id", "scope", "timezone"]].copy()
    zone = status["timezone"]
    appts = appointments[appointments["client_id"].isin(status.index)]
    if len(appts):
        zones = appts["client_id"].map(zone)
        appts = appts.assign(local=local_stamps(appts["starts_at"], zones),
                             day=local_days(appts["starts_at"], zones))
        past = appts[appts["day"] < today].sort_values("starts_at")
        future = appts[appts["day"] >= today].sort_values("starts_at")
        status["last_session"] = past.groupby("client_id")["local"].last()
        status["next_session"] = future.groupby("client_id")["local"].first()
    else:
        status["last_session"] = status["next_session"] = None
    status["since"] = [ls.date() if isinstance(ls, pd.Timestamp) else today - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
                       for ls in status["last_session"]]

    def since_last_session(frame: pd.DataFrame, at: str) -> pd.DataFrame:
        frame = frame[frame["client_id"].isin(status.index)]
        if frame.empty:
            return frame
        days = local_days(frame[at], frame["client_id"].map(zone))
        since = frame["client_id"].map(status["since"])
        return frame[(days >= since) & (days <= today)]

    new = since_last_session(activity, "at")
    counts = new.groupby(["client_id", "kind"]).size().unstack(fill_value=0) if len(new) else pd.DataFrame()
    for kind, column in (("check-in", "checkins"), ("conversation", "conversations"), ("practice", "practices")):
        status[column] = (counts[kind] if kind in counts else pd.Series(dtype=int)).reindex(status.index).fillna(0).astype(int)
    recent = since_last_session(flags, "written_at") if len(flags) else flags
    level = recent.assign(rank=recent["risk"].map(RISK_ORDER)).groupby("client_id")["rank"].min() if len(recent) else pd.Series(dtype=float)
    names = {v: k for k, v in RISK_ORDER.items()}
    status["risk_since"] = level.reindex(status.index).map(names).fillna("none")
    # Whether the highest flag since the last session rests on a risk phrase, or on the
    # classifier alone (shown with lower confidence, never hidden).
    if len(recent):
        top = recent.assign(rank=recent["risk"].map(RISK_ORDER))
        top = top[top["rank"] == top.groupby("client_id")["rank"].transform("min")]
        phrase = top.assign(p=[risk_basis(r) == "phrase" for r in top["risk_reason"]]).groupby("client_id")["p"].any()
    else:
        phrase = pd.Series(dtype=bool)
    status["risk_basis_since"] = np.where(status["risk_since"] == "none", "",
                                          np.where(phrase.reindex(status.index).fillna(False), "phrase", "model"))
    urgent = set(flags.loc[flags["risk"] == "urgent", "client_id"]) if len(flags) else set()
    status["any_urgent"] = status.index.isin(list(urgent))
    # Flags nobody has reviewed yet, from any time: they stay first until someone has.
    open_flags = flags[~reviewed(flags)] if len(flags) else flags
    for column, rows in (("unreviewed", open_flags),
                         ("unreviewed_urgent", open_flags[open_flags["risk"] == "urgent"] if len(open_flags)
                          else open_flags)):
        counts = rows.groupby("client_id").size() if len(rows) else pd.Series(dtype=int)
        status[column] = counts.reindex(status.index).fillna(0).astype(int)
    for measure in ("stress", "mood"):
        own = trends[trends["measure"] == measure].set_index("client_id")["verdict"] if len(trends) else pd.Series(dtype=str)
        status[measure] = own.reindex(status.index).fillna("not enough data")
    return status.reset_index()


def status_line(row: pd.Series) -> str:
    """'3 check-ins, 2 conversations since 12 Nov · stress rising · mood no clear trend'."""
    arrived = [f"{row[k]} {w}{'' if row[k] == 1 else 's'}" for k, w in
               (("checkins", "check-in"), ("conversations", "conversation"), ("practices", "practice")) if row[k]]
    since = f"since {row['since']:%-d %b}"
    parts = [(", ".join(arrived) + f" {since}") if arrived else f"nothing shared {since}"]
    for measure in ("stress", "mood"):
        verdict = row[measure]
        if verdict in ("rising", "falling"):
            arrow = "▲" if verdict == "rising" else "▼"
            parts.append(f"{measure} {arrow} {verdict}")
    return " · ".join(parts)


def clinic_timezone(status: pd.DataFrame, fallback: str = "UTC") -> str:
    """The time zone most of these clients live in: the clinician's day is read in it."""
    if status.empty or "timezone" not in status:
        return fallback
    return str(status["timezone"].mode().iloc[0])


def upcoming(status: pd.DataFrame, appointments: pd.DataFrame, today: date, days: int = 7,
             tz: str | None = None) -> pd.DataFrame:
    """Appointments from today for `days` days, earliest first, each with its client's
    status row. Days and `start` are in `tz` (the clinic's zone: one clock for the whole
    list), `local_start` in the client's own zone."""
    if appointments.empty or status.empty:
        return pd.DataFrame()
    merged = appointments.merge(status, on=["client_id"], suffixes=("", "_client"))
    merged["local_start"] = local_stamps(merged["starts_at"], merged["timezone"])
    clinic = pd.Series(tz, index=merged.index) if tz else merged["timezone"]
    merged["start"] = local_stamps(merged["starts_at"], clinic)
    merged["day"] = local_days(merged["starts_at"], clinic)
    chosen = merged[(merged["day"] >= today) & (merged["day"] < today + timedelta(days=days))]
    return chosen.sort_values("starts_at").reset_index(drop=True)
