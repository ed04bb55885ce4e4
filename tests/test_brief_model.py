"""The brief model: one pure build from one client's reads, rendered by the page and the printout."""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard import brief_model, printable
from dashboard.brief_model import BriefReads, Client

TZ = "America/Chicago"


def utc(stamp: str, tz: str = TZ) -> pd.Timestamp:
    return pd.Timestamp(stamp, tz=tz).tz_convert("UTC")


def frame(**columns) -> pd.DataFrame:
    return pd.DataFrame(columns)


def reads(**overrides) -> BriefReads:
    """A client with two sessions, one urgent flag this period, and a theme with quotes from
    this period and from earlier weeks."""
    base = dict(
        appointments=frame(client_id=["c"] * 2, provider_id=["p"] * 2,
                           starts_at=[utc("2026-11-10 09:00"), utc("2026-11-24 09:00")]),
        risk_flags=frame(client_id=["c"], source=["message"], source_id=["m1"], conversation_id=["cv1"],
                         written_at=[utc("2026-11-18 21:00")], risk=["urgent"], risk_reason=["plan"],
                         evidence=["<b>I have a plan</b>"], text=["<b>I have a plan</b> and more"]),
        daily=frame(client_id=pd.Series(dtype=str), measure=pd.Series(dtype=str), day=pd.Series(dtype=object),
                    value=pd.Series(dtype=float), n=pd.Series(dtype=int)),
        activity_at=pd.Series([utc("2026-11-12 20:00"), utc("2026-11-18 21:00"), utc("2026-10-20 20:00")]),
        texts=frame(source=["message", "message", "note"], source_id=["m1", "m2", "n1"],
                    conversation_id=["cv1", "cv2", None],
                    written_at=[utc("2026-11-18 21:00"), utc("2026-11-14 20:00"), utc("2026-10-01 20:00")],
                    text=["<b>I have a plan</b> and more", "money worries about the rent again",
                          "rent went up again this month"],
                    client_theme_id=["t-other", "t-rent", "t-rent"], caseload_theme_id=[None] * 3,
                    valence=[-0.8, -0.3, -0.2], emotion=["sadness"] * 3, stress=[0.9, 0.5, 0.4],
                    insight=[0.1, 0.2, 0.1], risk=["urgent", "none", "none"], risk_reason=["plan", None, None],
                    evidence=["I have a plan", None, None]),
        theme_weekly=frame(client_id=["c"] * 2, theme_id=["t-rent"] * 2, label=["rent and money"] * 2,
                           week=[date(2026, 9, 28), date(2026, 11, 9)], n_texts=[1, 1]),
        theme_quotes=frame(theme_id=["t-rent"], rank=[0], source=["note"], written_at=[utc("2026-10-01 20:00")],
                           text=["rent went up again this month"]),
        episodes=frame(), practice_effects=frame(), trends=frame(), rhythms=frame(),
        body_sensations=frame(checked_in_at=pd.Series(dtype="datetime64[ns, UTC]"), location=pd.Series(dtype=str),
                              sensation=pd.Series(dtype=str), intensity=pd.Series(dtype=float)),
    )
    base.update(overrides)
    return BriefReads(**base)


CLIENT = Client("c", "R. <i>M.</i>", "Dr. A", TZ, summary_only=False)


def test_period_runs_from_the_last_session_and_the_clinician_can_move_its_start():
    model = brief_model.brief_model(reads(), CLIENT, date(2026, 11, 20))
    assert model.period.since == date(2026, 11, 10) and model.period.until == date(2026, 11, 20)
    assert model.period.next_session is not None
    moved = brief_model.brief_model(reads(), CLIENT, date(2026, 11, 20), since=date(2026, 11, 19))
    assert moved.period.since == date(2026, 11, 19)


def test_a_short_period_never_drops_an_urgent_flag():
    model = brief_model.brief_model(reads(), CLIENT, date(2026, 11, 20), since=date(2026, 11, 20))
    assert len(model.flags) == 1 and len(model.shown_flags) == 1
    assert model.risk_state == "urgent_on_record"
    fresh = brief_model.brief_model(reads(), CLIENT, date(2026, 11, 20))
    assert fresh.risk_state == "new" and fresh.highest_new == "urgent" and fresh.highest_new_basis == "phrase"


def test_theme_quotes_say_when_they_are_from_this_period_first():
    model = brief_model.brief_model(reads(), CLIENT, date(2026, 11, 20))
    card = next(c for c in model.theme_cards if c.theme_id == "t-rent")
    assert card.n_period == 1
    assert [(q.text, q.day, q.in_period) for q in card.quotes] == [
        ("money worries about the rent again", date(2026, 11, 14), True),
        ("rent went up again this month", date(2026, 10, 1), False)]
    assert printable.quote_when(card.quotes[1]) == "earlier, 1 Oct"


def test_the_printout_renders_the_same_model_escaped_with_risk_first():
    model = brief_model.brief_model(reads(), CLIENT, date(2026, 11, 20))
    html = printable.brief_html(model)
    assert "<b>I have a plan" not in html and "&#60;b&#62;I have a plan" in html
    assert "&#60;i&#62;M" in html and "<i>" not in html
    assert html.index("Risk flags") < html.index("At a glance")
    assert "rent and money" in html and "(this period, 14 Nov)" in html
    assert "not diagnosis" in html


def test_the_model_leaves_its_reads_unchanged():
    before = reads()
    copies = {k: v.copy() for k, v in before.__dict__.items()}
    brief_model.brief_model(before, CLIENT, date(2026, 11, 20))
    for name, value in copies.items():
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(getattr(before, name), value)
        else:
            pd.testing.assert_series_equal(getattr(before, name), value)
