"""Risk-flag review on the pages (issue 11): a clinician reviews a flag on the brief through its
form; the flag stays, says who reviewed it, when and what was done, unreviewed flags stay
first, the review is audited, and Today and the printable brief say how many are unreviewed."""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard import brief_model, briefing, data, printable
from dashboard.briefing import Period
from tests.test_brief_model import CLIENT, reads, utc
from tests.test_pages import all_text, app_rows, open_page

OKAFORS_CLIENT = "c-0014"   # p-002 (okafor), planted urgent statements
NOTE = "Talked it through; plan made with <b>Sam</b> [link](http://198.51.100.7/x)"


def review_first_flag(app, action: str = "safety_plan", note: str = NOTE):
    """Open the first flag's form, choose the action and write the note, save."""
    radio = next(r for r in app.radio if r.key.startswith("review_"))
    key = radio.key.removesuffix("_action")
    radio.set_value(action)
    app.text_input(key=f"{key}_note").input(note)
    next(b for b in app.button if b.label == "Save review").click().run()
    assert not app.exception, [e.value for e in app.exception]
    return key


def test_a_review_on_the_brief_is_shown_audited_and_keeps_the_flag_after_the_unreviewed(sample_db_copy):
    app = open_page("views/brief.py", user="okafor", client=OKAFORS_CLIENT)
    before = all_text(app)
    n_flags = before.count("URGENT") + before.count("WATCH")
    total = len(data.risk_flags(sample_db_copy, data.account(sample_db_copy, "okafor"), OKAFORS_CLIENT))
    assert f"{total} of {total} flags not reviewed yet" in before and before.count("not reviewed yet") == total + 1
    assert [r.options for r in app.radio if r.key.startswith("review_")][0] == \
        ["Discussed in session", "Safety plan", "Referred", "Other"]     # words on the page, codes in the DB
    review_first_flag(app)
    text = all_text(app)
    assert any("Review saved" in s.value for s in app.success)
    assert text.count("URGENT") + text.count("WATCH") == n_flags            # never hidden
    assert "Reviewed by okafor on" in text and ", safety plan" in text
    assert "Sam" in text and "<b>" not in text and "](http" not in text     # the note, as plain text
    assert f"{total - 1} of {total} flags not reviewed yet" in text
    assert text.rindex("· :orange-background[not reviewed yet]") < text.index("Reviewed by okafor")   # unreviewed first
    stored = app_rows(sample_db_copy, "SELECT reviewed_by, action, note FROM risk_reviews")
    assert stored.values.tolist() == [["okafor", "safety_plan", NOTE]]
    trail = app_rows(sample_db_copy, "SELECT username, client_id, detail FROM audit_log WHERE action = 'risk flag reviewed'")
    assert trail.values.tolist() == [["okafor", OKAFORS_CLIENT, "safety_plan"]]   # the code, never the note


def test_supervisors_get_the_form_and_today_counts_the_unreviewed(sample_db_copy):
    app = open_page("views/brief.py", user="supervisor", client=OKAFORS_CLIENT)
    assert any(r.key.startswith("review_") for r in app.radio)
    okafor = data.account(sample_db_copy, "okafor")
    n = int((data.risk_flags(sample_db_copy, okafor, OKAFORS_CLIENT)["reviewed_at"].isna()).sum())
    review_first_flag(app, "referred", "")
    today = open_page("views/today.py", user="okafor")
    labels = [link.proto.label for link in today.get("page_link")]
    assert any(OKAFORS_CLIENT in label and briefing.unreviewed_words(n - 1) in label for label in labels), labels
    assert app_rows(sample_db_copy, "SELECT reviewed_by FROM risk_reviews")["reviewed_by"].tolist() == ["supervisor"]


def test_the_printable_brief_says_which_flags_are_reviewed():
    flags = reads().risk_flags
    two = pd.concat([flags, flags.assign(source_id="m2", written_at=[utc("2026-11-19 10:00")])], ignore_index=True)
    two = two.assign(text_key=["k1", "k2"], reviewed_by=[None, "okafor"],
                     reviewed_at=[pd.NaT, pd.Timestamp("2026-11-20 15:00", tz="UTC")],
                     review_action=[None, "safety_plan"], review_note=[None, "<i>called</i> GP"])
    model = brief_model.brief_model(reads(risk_flags=two), CLIENT, date(2026, 11, 20))
    assert model.flags["source_id"].tolist() == ["m1", "m2"] and model.unreviewed == 1   # unreviewed first
    html = printable.brief_html(model)
    assert "Risk flags (1 unreviewed flag)" in html
    assert "Not reviewed yet" in html and "Reviewed by okafor on 20 Nov, safety plan" in html
    assert "<i>called</i>" not in html and "called" in html


def test_an_unreviewed_earlier_watch_flag_is_shown_not_tucked_away():
    flags = reads().risk_flags.assign(risk="watch", written_at=[utc("2026-10-01 10:00")], text_key=["k1"],
                                      reviewed_by=[None], reviewed_at=[pd.NaT], review_action=[None],
                                      review_note=[None])
    model = brief_model.brief_model(reads(risk_flags=flags), CLIENT, date(2026, 11, 20))
    assert len(model.shown_flags) == 1 and model.earlier_flags.empty
    assert model.risk_state == "unreviewed_on_record"
    done = flags.assign(reviewed_by=["okafor"], reviewed_at=[pd.Timestamp("2026-10-02", tz="UTC")],
                        review_action=["discussed"])
    model = brief_model.brief_model(reads(risk_flags=done), CLIENT, date(2026, 11, 20))
    assert model.shown_flags.empty and len(model.earlier_flags) == 1   # listed, never dropped


def test_review_line_and_counts_in_words():
    row = {"reviewed_at": pd.Timestamp("2026-12-01 03:00", tz="UTC"), "reviewed_by": "okafor",
           "review_action": "discussed"}
    assert briefing.review_line(row, "America/Chicago") == "Reviewed by okafor on 30 Nov, discussed in session"
    assert briefing.review_line({"reviewed_at": None}, "UTC") == "Not reviewed yet"
    assert briefing.unreviewed_words(1) == "1 unreviewed flag" and briefing.unreviewed_words(2) == "2 unreviewed flags"
    ordered = briefing.order_risk_flags(
        pd.DataFrame({"client_id": ["c", "c"], "source": ["message"] * 2, "source_id": ["m1", "m2"],
                      "written_at": [utc("2026-11-18 20:00"), utc("2026-11-19 20:00")], "risk": ["urgent", "watch"],
                      "risk_reason": ["plan", "model"], "reviewed_at": [pd.Timestamp("2026-11-19", tz="UTC"), pd.NaT]}),
        "America/Chicago", Period(date(2026, 11, 17), date(2026, 11, 20)))
    assert ordered["source_id"].tolist() == ["m2", "m1"]   # the unreviewed watch before the reviewed urgent
