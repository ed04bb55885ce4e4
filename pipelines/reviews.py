"""Risk-flag review: a clinician records that they saw a flag and what they did about it.

A flag is one text unit's `watch` or `urgent` risk (text_evidence), keyed by client, source,
source_id and text_key, so a revised text is a new, unreviewed flag. A review never hides a
flag: pages still show it, after the unreviewed ones, with who reviewed it, when and the
action taken. Each review is one row in the audit trail (the action code only; the note is
the clinician's and stays in risk_reviews).
"""

from __future__ import annotations

from datetime import datetime, timezone

import duckdb

from pipelines import audit, db

# The actions a review records, as codes; the dashboard words them.
ACTIONS = ("discussed", "safety_plan", "referred", "other")
MAX_NOTE_CHARS = 2000
AUDIT_ACTION = "risk flag reviewed"


class ReviewError(ValueError):
    """The review cannot be recorded (unknown flag, action or note too long): say why."""


def record(con: duckdb.DuckDBPyConnection, username: str, client_id: str, source: str, source_id: str,
           text_key: str, action: str, note: str | None = None, now: datetime | None = None) -> None:
    """Record (or replace) the review of one flag, and its audit row, in one transaction."""
    if action not in ACTIONS:
        raise ReviewError(f"unknown action {action!r}: one of {', '.join(ACTIONS)}")
    note = (note or "").strip() or None
    if note is not None and len(note) > MAX_NOTE_CHARS:
        raise ReviewError(f"the note is {len(note):,} characters; at most {MAX_NOTE_CHARS:,}")
    with db.transaction(con):
        flagged = con.execute("""
            SELECT count(*) FROM text_evidence e JOIN text_units u USING (source, source_id, client_id)
            WHERE e.client_id = ? AND e.source = ? AND e.source_id = ? AND u.text_key = ?
              AND e.risk IN ('watch', 'urgent')
        """, [client_id, source, source_id, text_key]).fetchone()[0]
        if not flagged:
            raise ReviewError("no such risk flag (the text may have been revised or forgotten)")
        con.execute("DELETE FROM risk_reviews WHERE client_id = ? AND source = ? AND source_id = ? AND text_key = ?",
                    [client_id, source, source_id, text_key])
        con.execute("INSERT INTO risk_reviews VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [client_id, source, source_id, text_key, username,
                     now or datetime.now(timezone.utc), action, note])
        audit.record_in(con, username, AUDIT_ACTION, client_id, detail=action)
