"""Risk-flag review (issue 11): a clinician records a review of a flag, with the action
taken and an optional note; it is audited, never hides the flag, and a revised text is a
new, unreviewed flag. Reads and writes go through the app's data and write modules, as
the signed-in user."""

from __future__ import annotations


import pytest

from dashboard import data, writes
from pipelines import audit, db, reviews, users

OKAFORS_CLIENT = "c-0014"   # p-002 (okafor), planted urgent statements


def load(path, name) -> users.User:
    return data.account(path, name)


def test_a_review_is_recorded_audited_and_the_flag_still_shown_after_the_unreviewed(sample_db_copy):
    okafor = load(sample_db_copy, "okafor")
    flags = data.risk_flags(sample_db_copy, okafor, OKAFORS_CLIENT)
    assert len(flags) >= 2 and flags["reviewed_at"].isna().all()
    first = flags.iloc[0]
    writes.review_flag(sample_db_copy, okafor, OKAFORS_CLIENT, first.source, first.source_id, first.text_key,
                       "safety_plan", "  made a plan together  ")
    after = data.risk_flags(sample_db_copy, okafor, OKAFORS_CLIENT)
    assert len(after) == len(flags)                       # never hidden
    assert after["reviewed_at"].isna().iloc[: len(flags) - 1].all()   # unreviewed first
    last = after.iloc[-1]
    assert (last.source_id, last.reviewed_by, last.review_action, last.review_note) == \
        (first.source_id, "okafor", "safety_plan", "made a plan together")
    trail = data.audit_trail(sample_db_copy, load(sample_db_copy, "admin"), action=reviews.AUDIT_ACTION)
    assert list(trail[["username", "client_id", "detail"]].itertuples(index=False, name=None)) == \
        [("okafor", OKAFORS_CLIENT, "safety_plan")]        # the code, never the note
    assert data.audit_check(sample_db_copy, load(sample_db_copy, "admin")).ok


def test_only_a_clinician_of_the_client_may_review_and_only_real_flags_with_known_actions(sample_db_copy):
    okafor, rivera, admin = (load(sample_db_copy, n) for n in ("okafor", "rivera", "admin"))
    flag = data.risk_flags(sample_db_copy, okafor, OKAFORS_CLIENT).iloc[0]
    args = (OKAFORS_CLIENT, flag.source, flag.source_id, flag.text_key)
    with pytest.raises(data.AccessDenied):
        writes.review_flag(sample_db_copy, rivera, *args, "discussed")
    with pytest.raises(data.AccessDenied):
        writes.review_flag(sample_db_copy, admin, *args, "discussed")
    with pytest.raises(reviews.ReviewError, match="unknown action"):
        writes.review_flag(sample_db_copy, okafor, *args, "ignored")
    with pytest.raises(reviews.ReviewError, match="characters"):
        writes.review_flag(sample_db_copy, okafor, *args, "other", "x" * (reviews.MAX_NOTE_CHARS + 1))
    with pytest.raises(reviews.ReviewError, match="no such risk flag"):
        writes.review_flag(sample_db_copy, okafor, OKAFORS_CLIENT, flag.source, flag.source_id, "0" * 32, "discussed")
    assert data.risk_flags(sample_db_copy, okafor, OKAFORS_CLIENT)["reviewed_at"].isna().all()


def test_a_revised_text_is_a_new_unreviewed_flag_and_the_old_review_stays_with_the_old_text(tmp_path):
    con = db.connect(None)
    try:
        con.execute("INSERT INTO messages (message_id, conversation_id, client_id, export_id, role, sent_at, text, "
                    "exported_at, content_hash) VALUES ('m1', 'v1', 'c1', 'e1', 'client', "
                    "TIMESTAMPTZ '2026-11-01 10:00:00+00', 'first words', TIMESTAMPTZ '2026-11-02 10:00:00+00', 1)")
        key = con.execute("SELECT text_key FROM text_units WHERE source_id = 'm1'").fetchone()[0]
        con.execute("INSERT INTO text_signals (text_key, signals_version, risk) VALUES (?, 'v', 'urgent')", [key])
        reviews.record(con, "okafor", "c1", "message", "m1", key, "referred")
        # The same message revised: a new text, so a new key with no review.
        con.execute("UPDATE messages SET text = 'second words' WHERE message_id = 'm1'")
        new_key = con.execute("SELECT text_key FROM text_units WHERE source_id = 'm1'").fetchone()[0]
        con.execute("INSERT INTO text_signals (text_key, signals_version, risk) VALUES (?, 'v', 'urgent')", [new_key])
        reviewed = con.execute("""
            SELECT count(r.action) FROM text_units u LEFT JOIN risk_reviews r
              ON r.client_id = u.client_id AND r.source = u.source AND r.source_id = u.source_id
             AND r.text_key = u.text_key WHERE u.source_id = 'm1'""").fetchone()[0]
        assert reviewed == 0
        with pytest.raises(reviews.ReviewError):   # the old version is no longer a flag of m1
            reviews.record(con, "okafor", "c1", "message", "m1", key, "referred")
        assert [r[0] for r in con.execute("SELECT action FROM audit_log").fetchall()] == [reviews.AUDIT_ACTION]
        assert audit.verify(con).ok
    finally:
        con.close()
