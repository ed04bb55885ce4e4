"""The pre-session brief as one pure model: built once from one client's scoped reads, then
laid out by the page (views/brief.py) and by the printable brief (briefing.brief_html).

``brief_model(reads, client, today, since)`` does every calculation the brief shows; the
two renderers only choose words and layout, so the screen and the printout cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from dashboard import briefing
from dashboard.briefing import MEASURE_FORMAT, MEASURE_WORDS, Period
from pipelines import clinical

GLANCE_MEASURES = ("mood", "stress", "sleep_hours")
MAX_THEME_CARDS = 6
MAX_EPISODE_CARDS = 4


@dataclass(frozen=True)
class BriefReads:
    """Everything the brief reads about one client (dashboard/data.py, scoped to them)."""
    appointments: pd.DataFrame     # this client's: starts_at
    risk_flags: pd.DataFrame       # data.risk_flags
    daily: pd.DataFrame            # data.daily_measures
    activity_at: pd.Series         # timestamps of every record, for days of app use
    texts: pd.DataFrame            # data.texts
    theme_weekly: pd.DataFrame     # data.theme_weekly
    theme_quotes: pd.DataFrame     # data.theme_quotes: theme_id, rank, source, written_at, text
    episodes: pd.DataFrame         # data.stress_episodes (all)
    practice_effects: pd.DataFrame  # data.practice_effects (all)
    trends: pd.DataFrame           # data.trend_verdicts
    rhythms: pd.DataFrame          # data.rhythms
    body_sensations: pd.DataFrame  # data.body_sensations


@dataclass(frozen=True)
class Client:
    client_id: str
    display_name: str
    provider_name: str
    timezone: str
    summary_only: bool


@dataclass(frozen=True)
class GlanceRow:
    """One 'at a glance' measure: this period against the 8 weeks before it."""
    measure: str
    value: str | None          # None: no check-ins this period
    baseline: str = ""
    delta: str | None = None
    help: str = ""


@dataclass(frozen=True)
class Quote:
    text: str
    day: date | None
    in_period: bool


@dataclass(frozen=True)
class ThemeCard:
    theme_id: str
    label: str
    status: str                # new | rising | quieter | steady
    n_period: int
    rate_period: float
    rate_before: float
    quotes: tuple[Quote, ...]


@dataclass(frozen=True)
class BriefModel:
    client: Client
    today: date
    period: Period
    flags: pd.DataFrame              # every flag, ordered (briefing.order_risk_flags): unreviewed first
    shown_flags: pd.DataFrame        # new this period, every urgent one and every unreviewed one
    earlier_flags: pd.DataFrame      # the rest (older, reviewed watch flags): listed, never dropped
    risk_state: str                  # new | urgent_on_record | unreviewed_on_record | earlier | none
    highest_new: str                 # urgent | watch | none
    highest_new_basis: str           # phrase | model
    prompts: list[str]
    glance: list[GlanceRow]
    engaged: tuple[int, int]
    engaged_before: tuple[int, int]
    change_lines: list[str]          # significant changes against the 8 weeks before
    trends: pd.DataFrame
    rhythm_lines: list[str]
    daily: pd.DataFrame
    chart_start: date
    chart_end: date
    appointment_days: list[date]
    all_episodes: pd.DataFrame
    episodes: pd.DataFrame
    last_episode_start: date | None
    insights: pd.DataFrame
    themes: pd.DataFrame
    theme_cards: list[ThemeCard]
    absent_themes: list[str]
    body_period: Period
    body: pd.DataFrame
    practice_effects: pd.DataFrame   # rated (n >= 3)
    too_few_practices: pd.DataFrame  # n < 3
    missing: list[str] = field(default_factory=list)
    next_provider: str | None = None         # the next appointment's clinician, if one is booked
    next_starts_at: pd.Timestamp | None = None  # ... and its start, UTC

    @property
    def unreviewed(self) -> int:
        """How many of the client's flags no clinician has reviewed yet."""
        return int((~self.flags["reviewed"]).sum()) if not self.flags.empty else 0

    @property
    def trend_lines(self) -> list[str]:
        """Every 'at a glance' sentence, for the printout: changes, trends, rhythms."""
        return (self.change_lines + [briefing.trend_phrase(pd.Series(r._asdict())) for r in self.trends.itertuples()]
                + self.rhythm_lines)

    @property
    def glance_table(self) -> list[tuple[str, str, str]]:
        rows = [(MEASURE_WORDS[g.measure], g.value, g.baseline) for g in self.glance if g.value is not None]
        engaged, days = self.engaged
        was, was_days = self.engaged_before
        return rows + [("Days using the app", f"{engaged} of {days}", f"{was} of {was_days}")]


def brief_period(appointments: pd.DataFrame, tz: str, today: date, since: date | None = None) -> Period:
    """From the last session before today (or ``since``, chosen by the clinician) to today."""
    period = briefing.session_period(appointments["starts_at"], tz, today)
    if since is not None and since != period.since:
        return Period(since, today, period.last_session, period.next_session)
    return period


def theme_quotes_dated(texts: pd.DataFrame, representative: pd.DataFrame, theme_id: str, tz: str,
                       period: Period, limit: int = 3) -> tuple[Quote, ...]:
    """A theme's quotes, each with its day and whether it is from this period: this period's
    texts of it first (the client's own words before the app's summaries), then the theme's
    representative quotes from any time."""
    picked: list[tuple[str, pd.Timestamp]] = []
    if not texts.empty:
        own = texts[(texts["client_theme_id"] == theme_id) & briefing.in_period(texts["written_at"], tz, period)]
        own = own.assign(_summary=own["source"] == "summary").sort_values(["_summary", "written_at"],
                                                                          ascending=[True, False])
        picked = [(t, at) for t, at in zip(own["text"], own["written_at"]) if len(str(t).split()) >= 4][:2]
    if not representative.empty:
        for text, at in zip(representative["text"], representative["written_at"]):
            if len(picked) >= limit:
                break
            if text not in {t for t, _ in picked}:
                picked.append((text, at))
    quotes = []
    for text, at in picked[:limit]:
        day = pd.Timestamp(at).tz_convert(tz).date() if at is not None and not pd.isna(at) else None
        quotes.append(Quote(str(text), day, day is not None and period.since <= day <= period.until))
    return tuple(quotes)


def _glance(daily: pd.DataFrame, period: Period) -> tuple[list[GlanceRow], list[str]]:
    changes = (clinical.change_since(daily, period.since, period.until).set_index("measure")
               if not daily.empty else pd.DataFrame())
    rows = []
    for measure in GLANCE_MEASURES:
        row = changes.loc[measure] if measure in changes.index else None
        if row is None or pd.isna(row["mean_period"]):
            rows.append(GlanceRow(measure, None))
            continue
        fmt = MEASURE_FORMAT[measure]
        has_baseline = not pd.isna(row["mean_baseline"])
        rows.append(GlanceRow(
            measure, fmt.format(row["mean_period"]),
            fmt.format(row["mean_baseline"]) if has_baseline else "",
            f"{row['difference']:+.1f} vs 8 weeks before" if has_baseline else None,
            briefing.change_phrase(measure, row)))
    lines = [briefing.change_phrase(m, r) for m, r in changes.iterrows()
             if m in MEASURE_WORDS and r["verdict"] in ("higher", "lower")]
    return rows, lines


def _risk_state(shown: pd.DataFrame) -> tuple[str, str, str]:
    if shown.empty:
        return "earlier", "none", "model"
    new = shown[shown["new"]]
    if new.empty:
        state = "urgent_on_record" if (shown["risk"] == "urgent").any() else "unreviewed_on_record"
        return state, "none", "model"
    level = briefing.highest_risk(new)
    basis = "phrase" if (new[new["risk"] == level]["basis"] == "phrase").any() else "model"
    return "new", level, basis


def brief_model(reads: BriefReads, client: Client, today: date, since: date | None = None) -> BriefModel:
    """Everything the brief shows for ``client`` on ``today``, from their reads alone."""
    tz = client.timezone
    period = brief_period(reads.appointments, tz, today, since)
    flags = briefing.order_risk_flags(reads.risk_flags, tz, period)
    # A flag nobody has reviewed is never tucked away with the earlier ones.
    shown = flags[flags["new"] | (flags["risk"] == "urgent") | ~flags["reviewed"]] if not flags.empty else flags
    earlier = flags.drop(shown.index) if not flags.empty else flags
    risk_state, highest_new, basis = _risk_state(shown) if not flags.empty else ("none", "none", "model")

    activity_days = briefing.local_days(reads.activity_at, pd.Series(tz, index=reads.activity_at.index)).tolist() \
        if len(reads.activity_at) else []
    before = Period(period.since - timedelta(days=period.days), period.since - timedelta(days=1))
    themes = briefing.theme_changes(reads.theme_weekly, period)
    episodes = briefing.episodes_in(reads.episodes, period)
    effects = briefing.rated_practices(reads.practice_effects)
    insights = briefing.insight_moments(reads.texts, tz, period)
    engaged, engaged_before = briefing.engagement(activity_days, period), briefing.engagement(activity_days, before)
    facts = briefing.BriefFacts(
        period=period, risk=flags, trends=reads.trends, rhythms=reads.rhythms, themes=themes,
        episodes=episodes, practice_effects=effects, insights=insights,
        engaged_days=engaged, engaged_days_before=engaged_before)
    glance, change_lines = _glance(reads.daily, period)

    active = themes[themes["n_period"] > 0] if not themes.empty else themes
    quotes = reads.theme_quotes
    cards = [ThemeCard(row.theme_id, row.label, row.status, int(row.n_period), float(row.rate_period),
                       float(row.rate_before),
                       theme_quotes_dated(reads.texts, quotes[quotes["theme_id"] == row.theme_id] if not quotes.empty
                                          else quotes, row.theme_id, tz, period))
             for row in active.head(MAX_THEME_CARDS).itertuples()]
    absent = themes[themes["status"] == "absent"]["label"].head(5).tolist() if not themes.empty else []

    body_period = briefing.at_least_days(period, briefing.BODY_MIN_DAYS)
    all_effects = reads.practice_effects
    few = all_effects[all_effects["n"] < briefing.MIN_PRACTICE_N] if not all_effects.empty else all_effects
    chart_start, chart_end = _day_range(today, 12)
    appointment_days = briefing.local_days(
        reads.appointments["starts_at"], pd.Series(tz, index=reads.appointments.index)).tolist() \
        if len(reads.appointments) else []
    next_provider, next_starts_at = next_appointment(reads.appointments, period)
    missing = []
    if client.summary_only:
        missing.append("the client's own messages (summary scope)")
    if reads.daily.empty:
        missing.append("check-ins")
    return BriefModel(
        client=client, today=today, period=period, flags=flags, shown_flags=shown, earlier_flags=earlier,
        risk_state=risk_state, highest_new=highest_new, highest_new_basis=basis,
        prompts=briefing.worth_exploring(facts), glance=glance, engaged=engaged, engaged_before=engaged_before,
        change_lines=change_lines, trends=reads.trends, rhythm_lines=briefing.rhythm_lines(reads.rhythms),
        daily=reads.daily, chart_start=chart_start, chart_end=chart_end, appointment_days=appointment_days,
        all_episodes=reads.episodes, episodes=episodes,
        last_episode_start=briefing.last_episode_before(reads.episodes, period),
        insights=insights, themes=themes, theme_cards=cards, absent_themes=absent,
        body_period=body_period, body=briefing.body_map(reads.body_sensations, tz, body_period),
        practice_effects=effects, too_few_practices=few, missing=missing,
        next_provider=next_provider, next_starts_at=next_starts_at)


def next_appointment(appointments: pd.DataFrame, period: Period) -> tuple[str | None, pd.Timestamp | None]:
    """The clinician and UTC start of the period's next session, if one is booked."""
    if period.next_session is None or appointments.empty:
        return None, None
    starts = pd.to_datetime(appointments["starts_at"], utc=True)
    at = pd.Timestamp(period.next_session).tz_convert("UTC")
    rows = appointments[starts == at]
    return (str(rows["provider_id"].iloc[0]), at) if len(rows) else (None, at)


def _day_range(today: date, weeks: int) -> tuple[date, date]:
    from dashboard import charts

    return charts.day_range(today, weeks)
