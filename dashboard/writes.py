"""The only place the app writes the database (dashboard/data.py only reads).

Every write runs on the app's one read-write connection (pipelines/writer.py) and commits
inside `db.transaction` in the pipelines function it calls. Two kinds:

- small rows written from page threads (sign-in, sign-out, the audit trail): one at a time
  under their own lock (the audit chain's head is one row), never waiting for an ingest or
  analyze;
- jobs (an upload's ingest and analysis): queued with the jobs the command line hands over,
  one at a time; the next page load shows what they committed (the data generation).
"""

from __future__ import annotations

import threading
from pathlib import Path

from pipelines import audit, db, reviews, users, writer

from dashboard import data
from dashboard.data import _writer_or_wait, database_path

_SMALL_WRITES = threading.Lock()


def _small(path: Path, action):
    """Run ``action(cursor)`` on the app's connection, one small write at a time."""
    with _SMALL_WRITES, _writer_or_wait(path).cursor(timezone="UTC") as cursor:
        return action(cursor)


def job(work, *args):
    """Run ``work(cursor, *args)`` as one of the app's jobs (e.g. an upload's ingest), one at
    a time with the jobs the command line hands over."""
    return _writer_or_wait(database_path()).run(work, *args)


def authenticate(path: Path, username: str, password: str) -> tuple[users.User | None, str]:
    """Check a password (a failure is counted, and locks the account after five)."""
    return _small(path, lambda con: users.authenticate(con, username, password))


def sign_out(path: Path, user: users.User, why: str | None = None) -> None:
    """Void every sign-in cookie issued to the user so far, and record it."""
    def action(con):
        with db.transaction(con):
            con.execute("UPDATE users SET signed_out_at = now() WHERE username = ?", [user.username])
            audit.record_in(con, user.username, "sign-out", detail=why)
    _small(path, action)


def record(path: Path, user: users.User | None, action: str, client_id: str | None = None,
           detail: str | None = None) -> None:
    """One audit row: who, what, which client (never client text or a search's words)."""
    _small(path, lambda con: audit.record(con, user.username if user else None, action, client_id, detail))


def review_flag(path: Path, user: users.User | None, client_id: str, source: str, source_id: str,
                text_key: str, action: str, note: str | None = None) -> None:
    """Record a clinician's review of one risk flag of a client they may read (audited).
    Raises data.AccessDenied outside the user's caseload, reviews.ReviewError for a bad
    action, an overlong note or a flag that no longer exists."""
    if user is None or not user.reads_client_content:
        raise data.AccessDenied("only clinicians review risk flags")
    data._require_client(path, user, client_id)
    _small(path, lambda con: reviews.record(con, user.username, client_id, source, source_id, text_key,
                                            action, note))
    writer.data_changed()


def may_review(user: users.User | None) -> bool:
    """Whether the user may review risk flags and change appointments of the clients they
    read (therapists and supervisors; never an admin, who reads no client content)."""
    return user is not None and user.reads_client_content


def change_appointment(path: Path, user: users.User | None, client_id: str, provider_id: str, starts_at,
                       replaces=None) -> str:
    """Add a client's appointment with one of the user's clinicians, or move the one at
    ``replaces`` (pipelines.appointments.change_appointment; audited). Scoped like
    review_flag: a therapist for their own clients, a supervisor for their supervisees'
    clients, never an admin. Returns 'added', 'moved' or 'unchanged'."""
    from pipelines import appointments as appointment_changes

    if not may_review(user):
        raise data.AccessDenied("only clinicians change appointments")
    data._require_client(path, user, client_id)
    if provider_id not in user.providers:
        raise data.AccessDenied("not one of this account's clinicians")
    change = _small(path, lambda con: appointment_changes.change_appointment(
        con, user.username, client_id, provider_id, starts_at, replaces))
    if change != appointment_changes.UNCHANGED:
        writer.data_changed()
    return change
