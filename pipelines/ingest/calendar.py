"""Calendar appointments (.ics from calendar apps): read, match, expand into sessions.

``read_calendar(name, data)`` returns the same Arrow table as ``appointments.read_appointments``
(client_id, provider_id, starts_at in UTC), plus counts of what was left out, or raises
``CalendarRejected`` with one plain message. Messages and counts name events by their position
in the file (``event 3`` is the third VEVENT), never by SUMMARY, DESCRIPTION or UID: those may
hold a client's name.

Which events are sessions (docs/appointments.md says the same for clinicians):

- **Client:** the event's SUMMARY or DESCRIPTION carries the client id in square brackets,
  either keyed, ``[client:c-0014]``, or bare, ``Session [c-0014]``. A bare tag counts only if it
  holds a digit, so ``[Zoom]`` or ``[Telehealth]`` in a title is not read as a client. Exactly
  one distinct client id per event; none or several and the event is *unmatched*.
- **Provider:** a keyed ``[provider:p-001]`` tag in the event's SUMMARY or DESCRIPTION, else in
  the calendar's name (``X-WR-CALNAME`` or ``NAME``), so a clinician names their calendar
  ``Dr Lee [provider:p-001]`` once. Exactly one distinct provider id; else *unmatched*.
- **Times:** a recurring series (RRULE, RDATE) is expanded in its own time zone, so a weekly
  09:00 America/Chicago series stays at 09:00 local across daylight-saving changes; an
  EXDATE'd instance is not a session; an instance moved with RECURRENCE-ID is a session at its
  new time. ``STATUS:CANCELLED`` on an event cancels the whole series, on an instance only that
  instance. All-day events (DATE values) are not sessions, nor are events with a floating
  time and no time zone (no TZID, no ``Z``, no ``X-WR-TIMEZONE``): their instant is unknown.
- **Window:** series are expanded only from ``ICS_WINDOW_BEFORE_DAYS`` before to
  ``ICS_WINDOW_AFTER_DAYS`` after the file's newest timestamp (DTSTART, RECURRENCE-ID, DTSTAMP
  or LAST-MODIFIED of any event), and a file whose repeat rules would take more than
  ``MAX_ICS_RECURRENCE_STEPS`` steps or give more than ``MAX_ICS_INSTANCES`` sessions is
  rejected before anything is expanded (limits.py): a hostile RRULE cannot explode.

The same file always gives the same sessions: nothing depends on today's date.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import icalendar
import pyarrow as pa
import recurring_ical_events
import x_wr_timezone

from . import limits
from .normalize import UTC_MICROS

ID_MAX_LENGTH = 128
# [client:ID], [provider:ID] or a bare [ID]; ids as in the export format (letters, digits . _ : -).
TAG = re.compile(r"\[\s*(?:(client|provider)\s*:\s*)?([A-Za-z0-9._:-]{1,%d})\s*\]" % ID_MAX_LENGTH,
                 re.IGNORECASE)
# Largest positions listed in a report before "and N more".
MAX_POSITIONS_SHOWN = 10
# Shortest span one step of each frequency can take, for bounding a rule's steps.
FREQ_SECONDS = {"SECONDLY": 1, "MINUTELY": 60, "HOURLY": 3600, "DAILY": 86400, "WEEKLY": 7 * 86400,
                "MONTHLY": 28 * 86400, "YEARLY": 365 * 86400}
# BY parts naming days (or months): under WEEKLY, MONTHLY or YEARLY they can pick any day of the
# period (YEARLY;BYDAY=MO is every Monday), so such rules are bounded as if they stepped daily.
DAY_PARTS = ("BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYMONTH")
# BY parts that can multiply the instances of one step (an upper bound: under a finer FREQ they filter).
TIME_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")
# Properties whose damage makes an event's time unknowable: the file is rejected.
TIME_PROPERTIES = ("DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID")
UNMATCHED_REASONS = {
    "no_client": "no [client:ID] tag",
    "several_clients": "more than one client tag",
    "no_provider": "no [provider:ID] tag in the event or the calendar name",
    "several_providers": "more than one provider tag",
    "no_time_zone": "a time with no time zone",
    "no_start": "no start time (DTSTART)",
}


class CalendarRejected(ValueError):
    """The file is not a usable calendar; ``str()`` is the message for the admin (no event text)."""


@dataclass
class CalendarAppointments:
    """Sessions read from one calendar file, and what was left out (positions and counts only)."""
    table: pa.Table
    n_events: int = 0
    n_all_day: int = 0
    n_cancelled: int = 0          # cancelled events and cancelled instances
    unmatched: dict[str, list[int]] = field(default_factory=dict)  # reason -> event positions

    def note(self) -> str | None:
        """What was left out, e.g. ``2 events not matched (no [client:ID] tag: events 3, 7)``."""
        parts = []
        n_unmatched = sum(len(p) for p in self.unmatched.values())
        if n_unmatched:
            reasons = "; ".join(f"{text}: {_positions(self.unmatched[r])}"
                                for r, text in UNMATCHED_REASONS.items() if self.unmatched.get(r))
            parts.append(f"{_plural(n_unmatched, 'event')} not matched ({reasons})")
        if self.n_all_day:
            parts.append(f"{_plural(self.n_all_day, 'all-day event')} skipped")
        if self.n_cancelled:
            parts.append(f"{self.n_cancelled} cancelled skipped")
        return "; ".join(parts) or None


def is_calendar(data: bytes) -> bool:
    """True when the bytes start like an iCalendar file (``BEGIN:VCALENDAR``)."""
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n").upper()
    return head.startswith(b"BEGIN:VCALENDAR")


def read_calendar(name: str, data: bytes) -> CalendarAppointments:
    """Sessions of an .ics file as an appointments table, or CalendarRejected saying what is wrong."""
    calendar = _parsed_calendar(name, data)
    events = [c for c in calendar.subcomponents if c.name == "VEVENT"]
    if len(events) > limits.MAX_ICS_EVENTS:
        raise CalendarRejected(f"calendar {name}: {len(events):,} events, over the limit of "
                               f"{limits.MAX_ICS_EVENTS:,} (MAX_ICS_EVENTS)")
    for position, event in enumerate(events, start=1):
        _check_readable(name, position, event)
    result = CalendarAppointments(_table([]), n_events=len(events))
    calendar_providers = _tags(_text(calendar, "X-WR-CALNAME") + " " + _text(calendar, "NAME"))["provider"]
    window = _window(name, events)
    if window is None:
        return result

    cancelled_uids = {str(e.get("UID", "")) for e in events
                      if "RECURRENCE-ID" not in e and _is_cancelled(e)}
    series: dict[str, list[tuple[int, icalendar.Event]]] = defaultdict(list)
    unmatched: dict[str, list[int]] = defaultdict(list)
    for position, event in enumerate(events, start=1):
        start = _start(event)
        uid = str(event.get("UID", "")) or f"#{position}"  # no UID: its own series
        if start is None:
            unmatched["no_start"].append(position)
        elif not isinstance(start, datetime):
            result.n_all_day += 1
        elif uid in cancelled_uids or _is_cancelled(event):
            result.n_cancelled += 1
            if uid not in cancelled_uids:  # one cancelled instance: it must still replace its slot
                series[uid].append((position, event))
        elif start.tzinfo is None:
            unmatched["no_time_zone"].append(position)
        else:
            reason = _match(event, calendar_providers)[1]
            if reason:
                unmatched[reason].append(position)
            series[uid].append((position, event))
    result.unmatched = dict(unmatched)
    _check_steps(name, series, window[1])

    rows = []
    for start, occurrence in _occurrences(name, calendar, series, window):
        if _is_cancelled(occurrence) or not isinstance(start, datetime) or start.tzinfo is None:
            continue  # cancelled instances were counted with their event
        (client_id, provider_id), reason = _match(occurrence, calendar_providers)
        if reason:
            continue  # reported by its event's position
        rows.append((client_id, provider_id, start.astimezone(timezone.utc)))
        if len(rows) > limits.MAX_ICS_INSTANCES:
            raise CalendarRejected(
                f"calendar {name}: expands to more than {limits.MAX_ICS_INSTANCES:,} sessions "
                "(MAX_ICS_INSTANCES)")
    result.table = _table(sorted(set(rows), key=lambda r: (r[2], r[0], r[1])))
    return result


def _parsed_calendar(name: str, data: bytes) -> icalendar.Calendar:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CalendarRejected(f"calendar {name}: not UTF-8 text") from None
    if not is_calendar(data):
        raise CalendarRejected(f"calendar {name}: not an iCalendar file (it must begin with BEGIN:VCALENDAR)")
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
        calendars = [c for c in calendars if c.name == "VCALENDAR"]
        if not calendars:
            raise ValueError("no complete VCALENDAR")
        if len(calendars) > 1:
            raise CalendarRejected(f"calendar {name}: holds {len(calendars)} calendars; "
                                   "export one calendar per file")
        # Google Calendar's X-WR-TIMEZONE: times become local to it, as calendar apps show them.
        return x_wr_timezone.to_standard(calendars[0])
    except CalendarRejected:
        raise
    except (Exception, RecursionError):  # the library's messages quote the file: never shown
        raise CalendarRejected(f"calendar {name}: not a readable iCalendar file "
                               "(broken lines or unbalanced BEGIN/END)") from None


def _check_readable(name: str, position: int, event) -> None:
    for prop, _ in getattr(event, "errors", ()):
        if prop in TIME_PROPERTIES:
            raise CalendarRejected(f"calendar {name}: event {position}: {prop} could not be read")
    for prop in ("DTSTART", "DTEND", "RECURRENCE-ID"):
        value = event.get(prop)
        if value is not None and not isinstance(getattr(value, "dt", None), (date, datetime)):
            raise CalendarRejected(f"calendar {name}: event {position}: {prop} could not be read")
    for rule in _rules(event):
        if not isinstance(rule, icalendar.vRecur) or _freq(rule) not in FREQ_SECONDS:
            raise CalendarRejected(f"calendar {name}: event {position}: its repeat rule (RRULE) "
                                   "could not be read")
        interval = rule.get("INTERVAL", [1])[0]
        if not isinstance(interval, int) or interval < 1:
            raise CalendarRejected(f"calendar {name}: event {position}: its repeat rule (RRULE) "
                                   "has an INTERVAL below 1")


def _window(name: str, events) -> tuple[datetime, datetime] | None:
    """From ICS_WINDOW_BEFORE_DAYS before the newest timestamp to ICS_WINDOW_AFTER_DAYS after."""
    stamps = [_utc(e[prop].dt) for e in events for prop in ("DTSTART", "RECURRENCE-ID", "DTSTAMP", "LAST-MODIFIED")
              if prop in e and isinstance(getattr(e[prop], "dt", None), (date, datetime))]
    if not stamps:
        return None
    newest = max(stamps)
    try:
        return (newest - timedelta(days=limits.ICS_WINDOW_BEFORE_DAYS),
                newest + timedelta(days=limits.ICS_WINDOW_AFTER_DAYS))
    except OverflowError:
        raise CalendarRejected(f"calendar {name}: dates outside the years 1 to 9999") from None


def _check_steps(name: str, series: dict, window_end: datetime) -> None:
    """Reject the file if its rules would take more than MAX_ICS_RECURRENCE_STEPS steps."""
    total, worst, worst_steps = 0, 0, -1
    for members in series.values():
        for position, event in members:
            steps = _rule_steps(event, window_end)
            total += steps
            if steps > worst_steps:
                worst, worst_steps = position, steps
    if total > limits.MAX_ICS_RECURRENCE_STEPS:
        raise CalendarRejected(
            f"calendar {name}: repeat rules would take more than {limits.MAX_ICS_RECURRENCE_STEPS:,} steps "
            f"to expand (MAX_ICS_RECURRENCE_STEPS); the largest is event {worst}")


def _rule_steps(event, window_end: datetime) -> int:
    """An upper bound on the steps dateutil takes for the event's rules, DTSTART to window end."""
    start = _utc(event["DTSTART"].dt)
    rdates = event.get("RDATE", [])
    steps = sum(len(r.dts) for r in (rdates if isinstance(rdates, list) else [rdates]))
    for rule in _rules(event):
        end = window_end
        until = rule.get("UNTIL")
        if until and isinstance(until[0], (date, datetime)):
            end = min(end, _utc(until[0]))
        seconds = FREQ_SECONDS[_freq(rule)] * rule.get("INTERVAL", [1])[0]
        day_parts = [len(rule[p]) for p in DAY_PARTS if p in rule]
        if day_parts and seconds > FREQ_SECONDS["DAILY"]:
            seconds, day_parts = FREQ_SECONDS["DAILY"], []  # each day of the period at most once
        periods = max(0, math.ceil((end - start).total_seconds() / seconds)) + 1
        parts = day_parts + [len(rule[p]) for p in TIME_PARTS if p in rule]
        count = rule.get("COUNT")
        if count and not parts:
            periods = min(periods, max(int(count[0]), 0))
        steps += periods * math.prod(parts or [1])
    return steps


def _occurrences(name: str, calendar, series: dict[str, list[tuple[int, icalendar.Event]]],
                 window: tuple[datetime, datetime]) -> list[tuple[datetime, icalendar.Event]]:
    """Every series expanded inside the window, each in its own time zone (one query for the
    file; if it fails, series by series to name the event that broke it)."""
    try:
        return _starts(recurring_ical_events.of(_calendar_of(calendar, series.values())), window)
    except (Exception, RecursionError):  # messages quote the rule: never shown
        pass
    for members in series.values():
        try:
            _starts(recurring_ical_events.of(_calendar_of(calendar, [members])), window)
        except (Exception, RecursionError):
            raise CalendarRejected(f"calendar {name}: event {members[0][0]}: its dates or repeat rule "
                                   "could not be expanded") from None
    raise CalendarRejected(f"calendar {name}: its dates or repeat rules could not be expanded")


def _starts(query, window: tuple[datetime, datetime]) -> list[tuple[datetime, icalendar.Event]]:
    """(start, the event it comes from) per occurrence. The library's private occurrence list
    (pinned version) saves copying a component per occurrence (60 % of the time); its public
    ``between`` is the fallback should a later version drop it."""
    private = getattr(query, "_occurrences_between", None)
    if private is not None:
        occurrences = private(*window)
        if all(hasattr(o, "_adapter") and hasattr(o._adapter, "_component") for o in occurrences[:1]):
            return [(o.start, o._adapter._component) for o in occurrences]
    return [(c["DTSTART"].dt, c) for c in query.between(*window)]


def _calendar_of(calendar, groups) -> icalendar.Calendar:
    """A calendar of the given series with the file's time zone definitions."""
    one = icalendar.Calendar()
    for component in calendar.subcomponents:
        if component.name == "VTIMEZONE":
            one.add_component(component)
    for members in groups:
        for _, event in members:
            one.add_component(event)
    return one


def _match(event, calendar_providers: set[str]) -> tuple[tuple[str | None, str | None], str | None]:
    """((client_id, provider_id), None) for a session, or ((None, None), reason) if unmatched."""
    tags = _tags(_text(event, "SUMMARY") + "\n" + _text(event, "DESCRIPTION"))
    clients, providers = tags["client"], tags["provider"] or calendar_providers
    if not clients:
        return (None, None), "no_client"
    if len(clients) > 1:
        return (None, None), "several_clients"
    if not providers:
        return (None, None), "no_provider"
    if len(providers) > 1:
        return (None, None), "several_providers"
    return (next(iter(clients)), next(iter(providers))), None


def _tags(text: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {"client": set(), "provider": set()}
    for key, value in TAG.findall(text):
        if key:
            found[key.lower()].add(value)
        elif any(ch.isdigit() for ch in value):
            found["client"].add(value)
    return found


def _text(component, prop: str) -> str:
    value = component.get(prop)
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _rules(event) -> list:
    rules = event.get("RRULE")
    if rules is None:
        return []
    return rules if isinstance(rules, list) else [rules]


def _freq(rule) -> str | None:
    freq = rule.get("FREQ")
    return str(freq[0]).upper() if freq else None


def _start(event):
    value = event.get("DTSTART")
    return None if value is None else value.dt


def _is_cancelled(component) -> bool:
    return str(component.get("STATUS", "")).upper() == "CANCELLED"


def _utc(value) -> datetime:
    """A date, floating or zoned time as an aware UTC datetime (floating and dates read as UTC)."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def _table(rows: list[tuple[str, str, datetime]]) -> pa.Table:
    return pa.table({
        "client_id": pa.array([r[0] for r in rows], pa.string()),
        "provider_id": pa.array([r[1] for r in rows], pa.string()),
        "starts_at": pa.array([r[2] for r in rows], UTC_MICROS),
    })


def _positions(positions: list[int]) -> str:
    shown = ", ".join(str(p) for p in positions[:MAX_POSITIONS_SHOWN])
    more = len(positions) - MAX_POSITIONS_SHOWN
    return ("event " if len(positions) == 1 else "events ") + shown + (f" and {more} more" if more > 0 else "")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")
