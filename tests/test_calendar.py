"""Calendar appointments (.ics): expansion, cancellations, matching, limits and hostile files."""

from __future__ import annotations

import logging
import subprocess
import sys
import zipfile
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from pipelines.ingest import ingest_paths, limits
from pipelines.ingest.calendar import CalendarRejected, read_calendar

from .conftest import CANARY, ROOT

CHICAGO = ZoneInfo("America/Chicago")


def event(uid: str = "s1@cal", start: str = "TZID=America/Chicago:20261019T090000",
          summary: str = "Session [c-0014]", *extra: str) -> str:
    lines = ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20261201T120000Z", f"DTSTART;{start}"
             if "=" in start.split(":")[0] else f"DTSTART:{start}", f"SUMMARY:{summary}", *extra,
             "END:VEVENT"]
    return "\r\n".join(lines)


def calendar(*events: str, name: str = "Dr Lee [provider:p-001]") -> bytes:
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Interlude tests//EN"]
    if name:
        head.append(f"X-WR-CALNAME:{name}")
    return ("\r\n".join(head + list(events) + ["END:VCALENDAR"]) + "\r\n").encode()


def sessions(data: bytes) -> list[tuple[str, str, datetime]]:
    return [tuple(row.values()) for row in read_calendar("t.ics", data).table.to_pylist()]


def local(day: str, hour: int, minute: int = 0) -> datetime:
    y, m, d = map(int, day.split("-"))
    return datetime(y, m, d, hour, minute, tzinfo=CHICAGO).astimezone(timezone.utc)


def test_weekly_series_stays_at_local_time_across_the_november_change():
    rows = sessions(calendar(event("s1@cal", "TZID=America/Chicago:20261019T090000", "Session [c-0014]",
                                   "RRULE:FREQ=WEEKLY;COUNT=4")))
    assert rows == [("c-0014", "p-001", local(d, 9)) for d in
                    ("2026-10-19", "2026-10-26", "2026-11-02", "2026-11-09")]
    # 09:00 CDT is 14:00 UTC, 09:00 CST is 15:00 UTC: the UTC hour moves, the local one does not.
    assert [r[2].hour for r in rows] == [14, 14, 15, 15]
    assert all(r[2].astimezone(CHICAGO).hour == 9 for r in rows)


def test_exdate_and_cancelled_instance_are_not_sessions_and_a_moved_instance_is_at_its_new_time():
    data = calendar(
        event("s1@cal", "TZID=America/Chicago:20261019T090000", "Session [c-0014]",
              "RRULE:FREQ=WEEKLY;COUNT=5", "EXDATE;TZID=America/Chicago:20261026T090000"),
        event("s1@cal", "TZID=America/Chicago:20261110T140000", "Session [c-0014]",
              "RECURRENCE-ID;TZID=America/Chicago:20261109T090000"),
        event("s1@cal", "TZID=America/Chicago:20261116T090000", "Session [c-0014]",
              "RECURRENCE-ID;TZID=America/Chicago:20261116T090000", "STATUS:CANCELLED"),
    )
    assert [r[2] for r in sessions(data)] == [local("2026-10-19", 9), local("2026-11-02", 9),
                                              local("2026-11-10", 14)]
    assert read_calendar("t.ics", data).n_cancelled == 1


def test_cancelled_series_and_all_day_events_are_not_sessions():
    data = calendar(
        event("gone@cal", "TZID=America/Chicago:20261019T090000", "Session [c-0014]",
              "RRULE:FREQ=WEEKLY;COUNT=5", "STATUS:CANCELLED"),
        event("gone@cal", "TZID=America/Chicago:20261027T100000", "Session [c-0014]",
              "RECURRENCE-ID;TZID=America/Chicago:20261026T090000"),
        event("day@cal", "VALUE=DATE:20261101", "Retreat [c-0015]"),
        event("ok@cal", "20261103T160000Z", "Intake [client:c-0016]"),
    )
    read = read_calendar("t.ics", data)
    assert [tuple(r.values()) for r in read.table.to_pylist()] == [
        ("c-0016", "p-001", datetime(2026, 11, 3, 16, tzinfo=timezone.utc))]
    assert (read.n_all_day, read.n_cancelled) == (1, 2)
    assert read.note() == "1 all-day event skipped; 2 cancelled skipped"


def test_provider_tag_in_the_event_wins_over_the_calendar_name():
    data = calendar(event("a@cal", "20261103T160000Z", "Session [c-0014] [provider:p-009]"),
                    event("b@cal", "20261104T160000Z", "Session [c-0014]"))
    assert [r[:2] for r in sessions(data)] == [("c-0014", "p-009"), ("c-0014", "p-001")]


def test_unmatched_events_are_counted_by_position_never_by_their_text():
    data = calendar(
        event("a@cal", "20261103T160000Z", f"Lunch with {CANARY}"),
        event("b@cal", "20261104T160000Z", "Session [c-0014]"),
        event("c@cal", "20261105T160000Z", f"Couple [c-0014] [c-0015] {CANARY}"),
        event("d@cal", "20261106T160000Z", f"Standup [Zoom] {CANARY}"),
        event("e@cal", "20261107T160000", "Floating [c-0014]"),
        "BEGIN:VEVENT\r\nUID:f@cal\r\nDTSTAMP:20261201T120000Z\r\nSUMMARY:no start\r\nEND:VEVENT",
        event("g@cal", "20261108T160000Z", "Session [c-0017]", f"DESCRIPTION:{CANARY} said hello"),
    )
    read = read_calendar("t.ics", data)
    assert [r["client_id"] for r in read.table.to_pylist()] == ["c-0014", "c-0017"]
    assert read.unmatched == {"no_client": [1, 4], "several_clients": [3], "no_time_zone": [5], "no_start": [6]}
    assert read.note() == ("5 events not matched (no [client:ID] tag: events 1, 4; more than one client tag: "
                           "event 3; a time with no time zone: event 5; no start time (DTSTART): event 6)")
    assert "Margot" not in read.note()


def test_without_a_provider_anywhere_events_are_unmatched():
    read = read_calendar("t.ics", calendar(event("a@cal", "20261103T160000Z", "Session [c-0014]"), name=""))
    assert read.table.num_rows == 0
    assert read.unmatched == {"no_provider": [1]}


def test_google_x_wr_timezone_makes_floating_times_local():
    data = calendar(event("a@cal", "20261103T090000", "Session [c-0014]")).replace(
        b"VERSION:2.0\r\n", b"VERSION:2.0\r\nX-WR-TIMEZONE:America/Chicago\r\n")
    assert [r[2] for r in sessions(data)] == [local("2026-11-03", 9)]


def test_an_endless_series_is_expanded_only_inside_the_window():
    data = calendar(event("a@cal", "TZID=America/Chicago:20261019T090000", "Session [c-0014]",
                          "RRULE:FREQ=WEEKLY"))
    starts = [r[2] for r in sessions(data)]
    newest = datetime(2026, 12, 1, 12, tzinfo=timezone.utc)  # the DTSTAMP
    assert starts[0] == local("2026-10-19", 9)
    window_end = newest + timedelta(days=limits.ICS_WINDOW_AFTER_DAYS)
    assert starts[-1] <= window_end < starts[-1] + timedelta(days=7)
    assert len(starts) == len(set(starts)) == 59


def test_series_started_years_ago_shows_only_the_last_year():
    data = calendar(event("a@cal", "TZID=America/Chicago:20200106T090000", "Session [c-0014]",
                          "RRULE:FREQ=WEEKLY;UNTIL=20261130T000000Z"))
    starts = [r[2] for r in sessions(data)]
    assert starts[-1] == local("2026-11-23", 9)
    assert (datetime(2026, 12, 1, 12, tzinfo=timezone.utc) - starts[0]).days <= limits.ICS_WINDOW_BEFORE_DAYS
    assert len(starts) == 52


@pytest.mark.parametrize("data, message", [
    (b"\xff\xfeB\x00E\x00G\x00", "calendar t.ics: not UTF-8 text"),
    (f"Subject: {CANARY}\r\n".encode(), "calendar t.ics: not an iCalendar file (it must begin with BEGIN:VCALENDAR)"),
    (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:" + CANARY.encode() + b"\r\n",
     "calendar t.ics: not a readable iCalendar file (broken lines or unbalanced BEGIN/END)"),
    (calendar(event("a@cal", f"{CANARY}", "Session [c-0014]")), "calendar t.ics: event 1: DTSTART could not be read"),
    (calendar(event("a@cal", "20261103T160000Z", "[c-1]", f"RRULE:FREQ=FORTNIGHTLY;X={CANARY}")),
     "calendar t.ics: event 1: RRULE could not be read"),
    (calendar(event("a@cal", "20261103T160000Z", "[c-1]", "RRULE:FREQ=DAILY;INTERVAL=0")),
     "calendar t.ics: event 1: its repeat rule (RRULE) has an INTERVAL below 1"),
    (calendar(event("a@cal", "20261103T160000Z", "[c-1]"), event("b@cal", "20261103T160000Z", "[c-1]",
                                                               "RRULE:FREQ=SECONDLY")),
     "calendar t.ics: repeat rules would take more than 500,000 steps to expand "
     "(MAX_ICS_RECURRENCE_STEPS); the largest is event 2"),
    (calendar(event("a@cal", "19000101T000000Z", "[c-1]", "RRULE:FREQ=MINUTELY;COUNT=5;BYMONTH=2")),
     "calendar t.ics: repeat rules would take more than 500,000 steps to expand "
     "(MAX_ICS_RECURRENCE_STEPS); the largest is event 1"),
    # Every minute of every day, written as a yearly rule: bounded as daily steps times 24 x 60.
    (calendar(event("a@cal", "20261103T160000Z", "[c-1]", "RRULE:FREQ=YEARLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;"
                    "BYHOUR=" + ",".join(map(str, range(24))) + ";BYMINUTE=" + ",".join(map(str, range(60))))),
     "calendar t.ics: repeat rules would take more than 500,000 steps to expand "
     "(MAX_ICS_RECURRENCE_STEPS); the largest is event 1"),
    (calendar() + calendar(), "calendar t.ics: holds 2 calendars; export one calendar per file"),
])
def test_hostile_files_get_one_plain_message(data, message):
    with pytest.raises(CalendarRejected) as error:
        read_calendar("t.ics", data)
    assert str(error.value) == message
    # No chained library error (its text quotes the file) rides along.
    assert error.value.__cause__ is None and (error.value.__context__ is None or error.value.__suppress_context__)


def test_ordinary_rules_are_within_the_step_limit():
    data = calendar(event("a@cal", "TZID=America/Chicago:20150105T090000", "[c-1]",
                          "RRULE:FREQ=WEEKLY;BYDAY=MO,TH"),
                    event("b@cal", "TZID=America/Chicago:20200101T170000", "[c-2]",
                          "RRULE:FREQ=MONTHLY;BYDAY=1WE;BYHOUR=17,18"))
    rows = sessions(data)
    assert {r[0] for r in rows} == {"c-1", "c-2"}
    assert all(r[2].astimezone(CHICAGO).hour in (9, 17, 18) for r in rows)


def test_too_many_instances_are_rejected(monkeypatch):
    monkeypatch.setattr(limits, "MAX_ICS_INSTANCES", 10)
    data = calendar(event("a@cal", "20261103T160000Z", "[c-1]", "RRULE:FREQ=DAILY;COUNT=11"))
    with pytest.raises(CalendarRejected, match=r"more than 10 sessions \(MAX_ICS_INSTANCES\)"):
        read_calendar("t.ics", data)


def test_too_many_events_are_rejected(monkeypatch):
    monkeypatch.setattr(limits, "MAX_ICS_EVENTS", 2)
    data = calendar(*(event(f"{i}@cal", "20261103T160000Z", "[c-1]") for i in range(3)))
    with pytest.raises(CalendarRejected, match=r"3 events, over the limit of 2 \(MAX_ICS_EVENTS\)"):
        read_calendar("t.ics", data)


def test_same_file_same_sessions_whatever_the_event_order():
    a = event("a@cal", "TZID=America/Chicago:20261019T090000", "[c-0014]", "RRULE:FREQ=WEEKLY;COUNT=3")
    b = event("b@cal", "TZID=Europe/Berlin:20261020T180000", "[c-0015]", "RRULE:FREQ=DAILY;COUNT=3")
    assert sessions(calendar(a, b)) == sessions(calendar(b, a))


def test_ics_files_and_zip_members_are_ingested_as_appointments(con, tmp_path, caplog):
    data = calendar(event("a@cal", "TZID=America/Chicago:20261019T090000", "Session [c-0014]",
                          "RRULE:FREQ=WEEKLY;COUNT=3"),
                    event("b@cal", "20261103T160000Z", f"Lunch {CANARY}"))
    (tmp_path / "lee.ics").write_bytes(data)
    with zipfile.ZipFile(tmp_path / "cal.zip", "w") as archive:
        archive.writestr("calendars/lee.ics", data)
        archive.writestr("calendars/broken.ics", f"{CANARY}\r\n")
    with caplog.at_level(logging.DEBUG):
        report = ingest_paths(con, [tmp_path / "lee.ics", tmp_path / "cal.zip"])
    lines = [f.line() for f in report.files]
    assert lines[0] == (f"accepted  {tmp_path / 'lee.ics'}: 3 new, 0 unchanged, 0 revised "
                        "(1 event not matched (no [client:ID] tag: event 2))")
    assert lines[1] == (f"accepted  {tmp_path / 'cal.zip'}:calendars/lee.ics: 0 new, 3 unchanged, 0 revised "
                        "(1 event not matched (no [client:ID] tag: event 2))")
    assert lines[2] == (f"rejected  calendar {tmp_path / 'cal.zip'}:calendars/broken.ics: not an iCalendar file "
                        "(it must begin with BEGIN:VCALENDAR)")
    stored = con.execute("SELECT client_id, provider_id, starts_at, source_file FROM appointments "
                         "ORDER BY starts_at").fetchall()
    assert [(c, p, s.astimezone(CHICAGO).hour) for c, p, s, _ in stored] == [("c-0014", "p-001", 9)] * 3
    logged = caplog.text + str(con.execute("SELECT * FROM ingest_log").fetchall())
    assert "Margot" not in logged and "Margot" not in "\n".join(lines)


@pytest.mark.slow   # seconds: a subprocess or a simulation
def test_cli_ingests_a_calendar(tmp_path, db_path):
    path = tmp_path / "lee.ics"
    path.write_bytes(calendar(event("a@cal", "TZID=America/Chicago:20261019T090000", "Session [c-0014]",
                                    "RRULE:FREQ=WEEKLY;COUNT=4")))
    result = subprocess.run([sys.executable, "-m", "pipelines", "ingest", str(path), "--db", str(db_path)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"accepted  {path}: 4 new, 0 unchanged, 0 revised",
        "1 accepted, 0 rejected, 0 skipped; records: 4 new, 0 unchanged, 0 revised"]
    hostile = tmp_path / "bomb.ics"
    hostile.write_bytes(calendar(event("a@cal", "20261103T160000Z", "[c-1]", "RRULE:FREQ=SECONDLY")))
    result = subprocess.run([sys.executable, "-m", "pipelines", "ingest", str(hostile), "--db", str(db_path)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout.splitlines()[0].startswith(f"rejected  calendar {hostile}: repeat rules would take")


def test_private_fast_path_and_public_api_give_the_same_sessions(monkeypatch):
    from pipelines.ingest import calendar as module

    data = calendar(
        event("s1@cal", "TZID=America/Chicago:20261019T090000", "Session [c-0014]",
              "RRULE:FREQ=WEEKLY;COUNT=8", "EXDATE;TZID=America/Chicago:20261026T090000"),
        event("s1@cal", "TZID=America/Chicago:20261110T140000", "Session [c-0015]",  # moved, and retagged
              "RECURRENCE-ID;TZID=America/Chicago:20261109T090000"),
        event("s1@cal", "TZID=America/Chicago:20261116T090000", "Session [c-0014]",
              "RECURRENCE-ID;TZID=America/Chicago:20261116T090000", "STATUS:CANCELLED"))
    fast = sessions(data)
    monkeypatch.setattr(module, "_starts", lambda query, window: [(c["DTSTART"].dt, c) for c in query.between(*window)])
    assert sessions(data) == fast
    assert [r[0] for r in fast] == ["c-0014", "c-0014", "c-0015", "c-0014", "c-0014", "c-0014"]


def test_a_calendar_over_the_size_limit_is_not_read(con, tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_APPOINTMENTS_BYTES", 1024)
    path = tmp_path / "big.ics"
    path.write_bytes(calendar(*(event(f"{i}@cal", "20261103T160000Z", "[c-1]") for i in range(20))))
    result = ingest_paths(con, [path]).files[0]
    assert result.status == "rejected"
    assert result.reason.endswith("over the 1.0 KiB limit (MAX_APPOINTMENTS_BYTES)")
