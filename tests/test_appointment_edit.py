"""In-app appointment edit (issue 11): a client's next appointment is added or moved on the
brief, audited, shown on Today, and a re-import of a calendar that has not caught up does not
undo the move (docs/appointments.md)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from dashboard import data, writes
from pipelines import appointments, audit, db
from pipelines.ingest.appointments import read_appointments, save_appointments
from tests.test_pages import all_text, app_rows, open_page

CHICAGO = "America/Chicago"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def con():
    connection = db.connect(None)
    connection.execute("INSERT INTO client_providers VALUES ('c1', 'p1', 'full', NULL, NULL)")
    yield connection
    connection.close()


def live(con) -> list[datetime]:
    return [r[0] for r in con.execute(f"SELECT starts_at FROM ({appointments.LIVE_APPOINTMENTS}) "
                                      "WHERE client_id = 'c1' ORDER BY starts_at").fetchall()]


def import_csv(con, text: str) -> tuple[int, int]:
    with db.transaction(con):
        return save_appointments(con, "clinic.csv", read_appointments("clinic.csv", text.encode()))


def test_a_wall_clock_time_becomes_its_utc_instant_across_daylight_saving():
    assert appointments.appointment_start(date(2026, 11, 24), time(9, 0), CHICAGO) == \
        datetime(2026, 11, 24, 15, 0, tzinfo=timezone.utc)             # CST, UTC-6
    assert appointments.appointment_start(date(2026, 10, 27), time(9, 0), CHICAGO) == \
        datetime(2026, 10, 27, 14, 0, tzinfo=timezone.utc)             # CDT, UTC-5
    with pytest.raises(appointments.AppointmentError, match="does not exist in America/Chicago"):
        appointments.appointment_start(date(2026, 3, 8), time(2, 30), CHICAGO)   # clocks go forward
    # 01:30 on 1 Nov happens twice: the first (CDT) one.
    assert appointments.appointment_start(date(2026, 11, 1), time(1, 30), CHICAGO) == \
        datetime(2026, 11, 1, 6, 30, tzinfo=timezone.utc)
    with pytest.raises(appointments.AppointmentError, match="unknown time zone"):
        appointments.appointment_start(date(2026, 11, 24), time(9, 0), "Mars/Olympus")


def test_add_then_move_is_audited_and_a_reimport_of_the_old_calendar_does_not_undo_it(con):
    assert import_csv(con, "client_id,provider_id,starts_at\nc1,p1,2026-11-24T09:00:00-06:00\n") == (1, 0)
    old = datetime(2026, 11, 24, 15, 0, tzinfo=timezone.utc)
    new = datetime(2026, 11, 25, 16, 30, tzinfo=timezone.utc)
    assert appointments.change_appointment(con, "okafor", "c1", "p1", new, replaces=old, now=NOW) == "moved"
    assert live(con) == [new]
    # The clinic's calendar has not caught up: importing it again brings nothing back.
    assert import_csv(con, "client_id,provider_id,starts_at\nc1,p1,2026-11-24T09:00:00-06:00\n") == (0, 1)
    assert live(con) == [new]
    # ... and once it has, the new time counts as unchanged too.
    assert import_csv(con, "client_id,provider_id,starts_at\nc1,p1,2026-11-25T10:30:00-06:00\n") == (0, 1)
    later = datetime(2026, 12, 2, 15, 0, tzinfo=timezone.utc)
    assert appointments.change_appointment(con, "okafor", "c1", "p1", later, now=NOW) == "added"
    assert live(con) == [new, later]
    # Booking the cancelled time again lifts its cancellation.
    assert appointments.change_appointment(con, "okafor", "c1", "p1", old, now=NOW) == "added"
    assert live(con) == [old, new, later]
    trail = con.execute("SELECT username, action, client_id, detail FROM audit_log ORDER BY seq").fetchall()
    assert trail == [("okafor", "appointment changed", "c1", "moved"), ("okafor", "appointment changed", "c1", "added"),
                     ("okafor", "appointment changed", "c1", "added")]
    assert audit.verify(con).ok


def test_a_change_that_cannot_be_made_says_why_and_writes_nothing(con):
    at = datetime(2026, 11, 24, 15, 0, tzinfo=timezone.utc)
    with pytest.raises(appointments.AppointmentError, match="does not share data with that clinician"):
        appointments.change_appointment(con, "okafor", "c1", "p2", at, now=NOW)
    with pytest.raises(appointments.AppointmentError, match="no longer booked"):
        appointments.change_appointment(con, "okafor", "c1", "p1", at, replaces=at - timedelta(days=1), now=NOW)
    with pytest.raises(appointments.AppointmentError, match="more than two years ahead"):
        appointments.change_appointment(con, "okafor", "c1", "p1", at.replace(year=2062), now=NOW)
    with pytest.raises(appointments.AppointmentError, match="time zone"):
        appointments.change_appointment(con, "okafor", "c1", "p1", at.replace(tzinfo=None), now=NOW)
    assert appointments.change_appointment(con, "okafor", "c1", "p1", at, now=NOW) == "added"
    assert appointments.change_appointment(con, "okafor", "c1", "p1", at, now=NOW) == "unchanged"   # booked
    assert appointments.change_appointment(con, "okafor", "c1", "p1", at, replaces=at, now=NOW) == "unchanged"
    assert con.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 1
    assert con.execute("SELECT count(*) FROM appointments").fetchone()[0] == 1


# --- through the app, on the sample database ------------------------------------------------------

OKAFORS_CLIENT = "c-0014"   # p-002


def test_only_the_clients_clinicians_may_change_their_appointments(sample_db_copy):
    okafor, rivera, admin, supervisor = (data.account(sample_db_copy, n) for n in ("okafor", "rivera", "admin", "supervisor"))
    at = datetime(2026, 12, 3, 15, 0, tzinfo=timezone.utc)
    with pytest.raises(data.AccessDenied):
        writes.change_appointment(sample_db_copy, rivera, OKAFORS_CLIENT, "p-002", at)
    with pytest.raises(data.AccessDenied):
        writes.change_appointment(sample_db_copy, rivera, OKAFORS_CLIENT, "p-001", at)
    with pytest.raises(data.AccessDenied):
        writes.change_appointment(sample_db_copy, admin, OKAFORS_CLIENT, "p-002", at)
    assert writes.change_appointment(sample_db_copy, supervisor, OKAFORS_CLIENT, "p-002", at) == "added"
    assert writes.change_appointment(sample_db_copy, okafor, OKAFORS_CLIENT, "p-002", at + timedelta(hours=1),
                                     replaces=at) == "moved"
    shown = data.client_appointments(sample_db_copy, okafor, OKAFORS_CLIENT)["starts_at"].tolist()
    assert at + timedelta(hours=1) in shown and at not in shown
    trail = data.audit_trail(sample_db_copy, admin, action="appointment changed")
    assert sorted(trail["detail"]) == ["added", "moved"] and set(trail["username"]) == {"okafor", "supervisor"}


def test_moving_the_next_appointment_on_the_brief_shows_on_today(sample_db_copy):
    app = open_page("views/brief.py", user="okafor", client=OKAFORS_CLIENT)
    assert "Next appointment" in all_text(app)
    tz = app_rows(sample_db_copy, "SELECT timezone FROM clients WHERE client_id = ?", [OKAFORS_CLIENT])["timezone"].iloc[0]
    today = app.sidebar.date_input[0].value
    key = f"appointment_{OKAFORS_CLIENT}"
    app.date_input(key=f"{key}_day").set_value(today + timedelta(days=2))
    app.time_input(key=f"{key}_time").set_value(time(7, 15))
    app.selectbox(key=f"{key}_zone").set_value(tz)
    next(b for b in app.button if b.label == "Save appointment").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert any("Appointment" in s.value and "07:15" in s.value for s in app.success), [s.value for s in app.success]
    trail = app_rows(sample_db_copy, "SELECT username, client_id, detail FROM audit_log WHERE action = 'appointment changed'")
    assert trail.values.tolist() in ([["okafor", OKAFORS_CLIENT, "moved"]], [["okafor", OKAFORS_CLIENT, "added"]])
    assert f"{today + timedelta(days=2):%a %-d %b}, 07:15" in all_text(app)   # the brief's next session
    app.switch_page("views/today.py").run()
    assert not app.exception
    text = all_text(app)
    day = today + timedelta(days=2)
    assert f"{day:%A %-d %B}" in [h.value for h in app.subheader]
    assert "**07:15**" in text or "(07:15 their time)" in text
