"""Appointments changed in the app: a clinician adds a client's next appointment or moves it.

The clinic's calendar (CSV or .ics, pipelines/ingest) is imported by adding the sessions not
yet stored; an import never deletes one. A change made in the app must therefore survive the
next import of a calendar that has not caught up with it (docs/appointments.md):

- adding stores the session in ``appointments`` with ``source_file = 'interlude app'``;
- moving stores the new time and records the old one in ``appointment_cancellations``. The
  old row stays in ``appointments``, so importing the same calendar again counts it as
  unchanged, and every read leaves cancelled times out (``LIVE_APPOINTMENTS``);
- adding (or moving to) a time that was cancelled lifts its cancellation.

Each change is one transaction with one audit row, ``appointment changed``, whose detail is
``added`` or ``moved``: no times, no names.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb

from pipelines import audit, db

APP_SOURCE = "interlude app"
AUDIT_ACTION = "appointment changed"
ADDED, MOVED, UNCHANGED = "added", "moved", "unchanged"
# An appointment further out than this is a typing slip (a year of 2062), not a booking.
MAX_DAYS_AHEAD = 2 * 366

# The appointments a page shows: every stored one but the times moved away from in the app.
LIVE_APPOINTMENTS = """
    SELECT a.* FROM appointments a
    ANTI JOIN appointment_cancellations USING (client_id, provider_id, starts_at)
"""


class AppointmentError(ValueError):
    """The change cannot be made (a time that does not exist, an unknown pairing, ...): say why."""


def appointment_start(day: date, at: time, tz: str) -> datetime:
    """The UTC instant of a wall-clock time in ``tz``. A time skipped by a daylight-saving
    change (02:30 on a spring-forward night) is an AppointmentError; a time that happens
    twice (the autumn hour) is its first occurrence."""
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise AppointmentError(f"unknown time zone {tz!r}") from None
    local = datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=zone)
    instant = local.astimezone(timezone.utc)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise AppointmentError(f"{at:%H:%M} on {day:%-d %b %Y} does not exist in {tz} "
                               "(the clocks go forward then): choose another time")
    return instant


def _utc(stamp: datetime) -> datetime:
    if stamp.tzinfo is None:
        raise AppointmentError("an appointment time needs its time zone")
    return stamp.astimezone(timezone.utc)


def _live(con: duckdb.DuckDBPyConnection, client_id: str, provider_id: str, starts_at: datetime) -> bool:
    return bool(con.execute(f"""
        SELECT count(*) FROM ({LIVE_APPOINTMENTS}) WHERE client_id = ? AND provider_id = ? AND starts_at = ?
    """, [client_id, provider_id, starts_at]).fetchone()[0])


def change_appointment(con: duckdb.DuckDBPyConnection, username: str, client_id: str, provider_id: str,
                       starts_at: datetime, replaces: datetime | None = None,
                       now: datetime | None = None) -> str:
    """Add an appointment of ``client_id`` with ``provider_id`` at ``starts_at``, or move the
    one at ``replaces`` there, in one transaction with its audit row. Returns ``added``,
    ``moved`` or ``unchanged`` (the time was already booked: nothing written)."""
    starts_at = _utc(starts_at)
    replaces = _utc(replaces) if replaces is not None else None
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    if starts_at > now + timedelta(days=MAX_DAYS_AHEAD):
        raise AppointmentError(f"{starts_at:%-d %b %Y} is more than two years ahead: check the year")
    if replaces == starts_at:
        return UNCHANGED
    with db.transaction(con):
        paired = con.execute("SELECT count(*) FROM client_providers WHERE client_id = ? AND provider_id = ?",
                             [client_id, provider_id]).fetchone()[0]
        if not paired:
            raise AppointmentError("this client does not share data with that clinician")
        if replaces is not None and not _live(con, client_id, provider_id, replaces):
            raise AppointmentError("that appointment is no longer booked (it may have been moved already): "
                                   "reload the page")
        booked = _live(con, client_id, provider_id, starts_at)
        if booked and replaces is None:
            return UNCHANGED
        if replaces is not None:
            con.execute("INSERT INTO appointment_cancellations VALUES (?, ?, ?, ?, ?)",
                        [client_id, provider_id, replaces, username, now])
        if not booked:
            con.execute("DELETE FROM appointment_cancellations WHERE client_id = ? AND provider_id = ? "
                        "AND starts_at = ?", [client_id, provider_id, starts_at])
            stored = con.execute("SELECT count(*) FROM appointments WHERE client_id = ? AND provider_id = ? "
                                 "AND starts_at = ?", [client_id, provider_id, starts_at]).fetchone()[0]
            if not stored:
                con.execute("INSERT INTO appointments VALUES (?, ?, ?, ?)",
                            [client_id, provider_id, starts_at, APP_SOURCE])
        change = MOVED if replaces is not None else ADDED
        audit.record_in(con, username, AUDIT_ACTION, client_id, detail=change)
    return change
