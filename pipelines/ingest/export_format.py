"""The client export format, version 1.x, as typed structs, and its validation.

The project's own copy of the contract (docs/export-format/): every file that the
format's JSON Schema accepts is accepted here (and its "Rules beyond the schema" are
checked too), and every rejection names the file, the record, the field and what was
expected, e.g. ``export c-0042.json: checkins[3].stress: expected an integer 0–10, got
text of 4 characters``. Messages carry ids, field paths, numbers and timestamps, never a
string a client could have typed (PHI): a wrong value of a fixed set is "not one of them".
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import datetime, timezone
from functools import lru_cache
from operator import attrgetter
from typing import Annotated, Literal

import msgspec
import numpy as np
from msgspec import UNSET, Meta, Struct, UnsetType

from .limits import MAX_JSON_DEPTH

TIMESTAMP_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2})$"
)
ID_PATTERN = r"^[A-Za-z0-9._:-]+$"
SUPPORTED_MAJOR_VERSION = 1
MAX_TEXT_CHARS = 20_000
# Timestamps are real instants in this range (UTC), by the contract's rules beyond the schema.
EARLIEST_INSTANT = datetime(1900, 1, 1, tzinfo=timezone.utc)
LATEST_INSTANT = datetime(2100, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc)
_SAFE_YEARS = ("1901", "2099")

# Ids and timestamps are checked in bulk after decoding (see _semantic_problem): a regex per
# value inside the decoder costs more than the rest of decoding together.
Id = str
Timestamp = str
Scale10 = Annotated[int, Meta(ge=0, le=10)]
Intensity = Annotated[int, Meta(ge=1, le=10)]
Mood = Annotated[int, Meta(ge=-3, le=3)]
Text = Annotated[str, Meta(max_length=MAX_TEXT_CHARS)]
Label = Annotated[str, Meta(min_length=1, max_length=64)]


class SourceApp(Struct, gc=False):
    name: str | UnsetType = UNSET
    version: str | UnsetType = UNSET


class Client(Struct, gc=False):
    client_id: Id
    display_name: Annotated[str, Meta(max_length=200)] | UnsetType = UNSET
    timezone: Annotated[str, Meta(max_length=64)] | UnsetType = UNSET
    birth_year: Annotated[int, Meta(ge=1900, le=2100)] | UnsetType = UNSET


class Provider(Struct, gc=False):
    provider_id: Id
    name: Annotated[str, Meta(max_length=200)] | UnsetType = UNSET


class Period(Struct, gc=False):
    start: Timestamp
    end: Timestamp


class Share(Struct, gc=False):
    scope: Literal["raw", "summary"]
    consented_at: Timestamp
    period: Period


class Emotion(Struct, gc=False):
    label: Label
    intensity: Intensity


class BodySensation(Struct, gc=False):
    location: Label
    sensation: Label
    intensity: Intensity


class Checkin(Struct, gc=False):
    checkin_id: Id
    at: Timestamp
    mood: Mood | UnsetType = UNSET
    stress: Scale10 | UnsetType = UNSET
    energy: Scale10 | UnsetType = UNSET
    sleep_hours: Annotated[float, Meta(ge=0, le=24)] | UnsetType = UNSET
    emotions: list[Emotion] | UnsetType = UNSET
    body: list[BodySensation] | UnsetType = UNSET
    note: Text | UnsetType = UNSET


class Message(Struct, gc=False):
    message_id: Id
    at: Timestamp
    role: Literal["client", "guide"]
    text: Text


class Conversation(Struct, gc=False):
    conversation_id: Id
    started_at: Timestamp
    title: Annotated[str, Meta(max_length=500)] | UnsetType = UNSET
    summary: Text | UnsetType = UNSET
    messages: list[Message] | UnsetType = UNSET


class Practice(Struct, gc=False):
    practice_id: Id
    at: Timestamp
    kind: Label
    duration_min: Annotated[float, Meta(ge=0, le=1440)] | UnsetType = UNSET
    stress_before: Scale10 | UnsetType = UNSET
    stress_after: Scale10 | UnsetType = UNSET
    helpful: bool | UnsetType = UNSET


class Export(Struct, gc=False):
    format: Literal["client-export"]
    format_version: Annotated[str, Meta(pattern=r"^1\.[0-9]+$")]
    export_id: Id
    exported_at: Timestamp
    client: Client
    provider: Provider
    share: Share
    source_app: SourceApp | UnsetType = UNSET
    checkins: list[Checkin] = []
    conversations: list[Conversation] = []
    practices: list[Practice] = []


class ExportRejected(ValueError):
    """A file that is not a valid client export; ``str()`` is the message for the clinic admin."""


class _Header(Struct):
    format: object = UNSET
    format_version: object = UNSET


_decoder = msgspec.json.Decoder(Export)
_header_decoder = msgspec.json.Decoder(_Header)


_UTF8_BOM = b"\xef\xbb\xbf"


def read_export(name: str, data: bytes) -> Export:
    """Decode and validate one export file's bytes, or raise ExportRejected naming what is wrong."""
    if data.startswith(_UTF8_BOM):  # allowed and ignored (some Windows tools write one)
        data = data[len(_UTF8_BOM):]
    problem = encoding_problem(data) or depth_problem(data)
    if problem:
        raise ExportRejected(f"export {name}: {problem}")
    try:
        export = _decoder.decode(data)
    except msgspec.ValidationError as error:
        raise ExportRejected(f"export {name}: {_describe_validation_error(data, error)}") from None
    except msgspec.DecodeError as error:
        raise ExportRejected(f"export {name}: {_describe_decode_error(data, error)}") from None
    except UnicodeDecodeError:  # invalid UTF-8 inside a string
        raise ExportRejected(f"export {name}: {utf8_problem(data) or 'not UTF-8'}") from None
    problem = _semantic_problem(export)
    if problem:
        raise ExportRejected(f"export {name}: {problem}")
    return export


# --- encoding and nesting, before any parser walks the file ---------------------------------

# Byte-order marks and the NUL patterns of a file starting with an ASCII character (RFC 4627).
_OTHER_ENCODINGS = (
    (b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"),
)


def encoding_problem(data: bytes) -> str | None:
    """'not UTF-8 (looks like UTF-16)' for a file in another Unicode encoding, else None.

    Invalid UTF-8 bytes further in are found by the decoder (see ``utf8_problem``)."""
    for mark, encoding in _OTHER_ENCODINGS:
        if data.startswith(mark):
            return f"not UTF-8 (looks like {encoding})"
    head = data[:4]
    if len(head) == 4 and head[0] and not head[1] and not head[2] and not head[3]:
        return "not UTF-8 (looks like UTF-32)"
    if len(head) == 4 and not head[0] and not head[1] and not head[2] and head[3]:
        return "not UTF-8 (looks like UTF-32)"
    if len(head) >= 2 and (bool(head[0]) != bool(head[1])):
        return "not UTF-8 (looks like UTF-16)"
    return None


def utf8_problem(data: bytes) -> str | None:
    """Where a file stops being UTF-8, naming a likely encoding, or None if it is UTF-8."""
    try:
        data.decode("utf-8")
        return None
    except UnicodeDecodeError as error:
        line, column = _line_column(data, error.start)
    where = f"invalid byte at line {line}, column {column}"
    if b"\x00" not in data:
        try:
            data.decode("cp1252")
            return f"not UTF-8 (looks like Windows-1252 or Latin-1; {where})"
        except UnicodeDecodeError:
            pass
    return f"not UTF-8 ({where})"


_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'[]{}"')
_DEPTH_STEP = np.zeros(256, np.int8)
_DEPTH_STEP[list(b"[{")] = 1
_DEPTH_STEP[list(b"]}")] = -1


def nesting_depth(data: bytes) -> int:
    """How deep arrays and objects nest in JSON text (brackets inside strings do not count).

    Vectorized, as it runs on every file: escapes are dropped (a backslash pair, then an
    escaped quote), every byte but quotes and brackets is deleted, and a bracket after an
    odd number of quotes is inside a string. Invalid JSON gives some number; the decoder
    rejects it anyway."""
    if b"\\" in data:
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    codes = np.frombuffer(data.translate(None, _NOT_STRUCTURE), np.uint8)
    is_quote = codes == ord('"')
    brackets = np.flatnonzero(~is_quote)
    outside = (np.searchsorted(np.flatnonzero(is_quote), brackets) & 1) == 0
    steps = _DEPTH_STEP[codes[brackets[outside]]].astype(np.int32)
    return int(np.cumsum(steps).max(initial=0))


def depth_problem(data: bytes) -> str | None:
    if data.count(b"[") + data.count(b"{") <= MAX_JSON_DEPTH:
        return None
    depth = nesting_depth(data)
    if depth > MAX_JSON_DEPTH:
        return (f"lists and objects nest {depth:,} levels deep, over the limit of {MAX_JSON_DEPTH} "
                "(MAX_JSON_DEPTH)")
    return None


# --- checks JSON Schema makes that typed decoding alone does not, and the rules beyond it ----

def _semantic_problem(export: Export) -> str | None:
    messages = _all_messages(export)
    return (_bad_id(export, messages) or _bad_timestamp(export, messages) or _bad_period(export)
            or _bad_timezone(export) or _summary_with_messages(export) or _duplicate_ids(export, messages))


@lru_cache(maxsize=1)
def iana_time_zones() -> frozenset[str]:
    """Names in the IANA time-zone database ('localtime' is a system link, not a name)."""
    return frozenset(zoneinfo.available_timezones() - {"localtime"})


def _bad_timezone(export: Export) -> str | None:
    zone = export.client.timezone
    if zone is UNSET or zone in iana_time_zones():
        return None
    return ("client.timezone: expected a name from the IANA time-zone database, like Europe/Berlin; "
            "the value is not one of them")


def _bad_period(export: Export) -> str | None:
    period = export.share.period
    if datetime.fromisoformat(period.start) <= datetime.fromisoformat(period.end):
        return None
    return (f"share.period.start: the period starts ({period.start}) after it ends "
            f"(share.period.end {period.end})")


def _duplicate_ids(export: Export, messages: list[Message]) -> str | None:
    """The first repeated id, checked with one set per section (the message is built only on failure)."""
    sections = (("checkins", "checkin_id", export.checkins),
                ("conversations", "conversation_id", export.conversations),
                ("practices", "practice_id", export.practices))
    for section, field, records in sections:
        if len(set(map(attrgetter(field), records))) != len(records):
            return _duplicate_id(section, field, records)
        if section == "conversations" and len(set(map(attrgetter("message_id"), messages))) != len(messages):
            return _duplicate_message_id(export.conversations)
    return None


_ID_LINES = re.compile(r"(?:[A-Za-z0-9._:-]{1,128}\n)*")
_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_TIMESTAMP = re.compile(TIMESTAMP_PATTERN)
_DIGITS_TO_NINE = str.maketrans("0123456789", "9999999999")


def _bad_id(export: Export, messages: list[Message]) -> str | None:
    values = [export.export_id, export.client.client_id, export.provider.provider_id]
    values += map(attrgetter("checkin_id"), export.checkins)
    values += map(attrgetter("conversation_id"), export.conversations)
    values += map(attrgetter("message_id"), messages)
    values += map(attrgetter("practice_id"), export.practices)
    if _ID_LINES.fullmatch("\n".join(values) + "\n"):
        return None
    for path, value in _ids(export):
        if not _ID.fullmatch(value):
            return f"{path}: expected {_expected('x_id')}, got {_describe_value('x_id', value)}"
    return None


def _bad_timestamp(export: Export, messages: list[Message]) -> str | None:
    values = [export.exported_at, export.share.consented_at, export.share.period.start,
              export.share.period.end]
    values += map(_AT, export.checkins)
    values += map(attrgetter("started_at"), export.conversations)
    values += map(_AT, messages)
    values += map(_AT, export.practices)
    # Timestamps come in a handful of shapes; check each shape once, not each value.
    shapes = set("\n".join(values).translate(_DIGITS_TO_NINE).split("\n"))
    try:
        if all(_TIMESTAMP.match(shape) for shape in shapes):
            for _ in map(datetime.fromisoformat, values):
                pass
            # Years 1901–2099 are inside the range whatever the offset: compare the text
            # (the pattern fixes 4-digit years), and only the edges as instants.
            if _SAFE_YEARS[0] <= min(values)[:4] and max(values)[:4] <= _SAFE_YEARS[1]:
                return None
            instants = list(map(datetime.fromisoformat, values))
            if EARLIEST_INSTANT <= min(instants) and max(instants) <= LATEST_INSTANT:
                return None
    except (ValueError, OverflowError):
        pass
    for path, value in _timestamps(export):
        field = path.rsplit(".", 1)[-1]
        if not _TIMESTAMP.match(value):
            return f"{path}: expected {_expected(field)}, got {_describe_value(field, value)}"
        try:
            instant = datetime.fromisoformat(value)
        except ValueError:  # only digits and separators here (the pattern matched): safe to show
            return f"{path}: expected a real date and time, got {_quote(value)}"
        try:
            in_range = EARLIEST_INSTANT <= instant <= LATEST_INSTANT
        except OverflowError:  # year 1 or 9999 moved past the calendar by its offset
            in_range = False
        if not in_range:
            return f"{path}: expected a time between 1900-01-01 and 2100-12-31 (UTC), got {_quote(value)}"
    return None


_AT = attrgetter("at")


def _all_messages(export: Export) -> list[Message]:
    messages: list[Message] = []
    for conversation in export.conversations:
        if conversation.messages is not UNSET:
            messages += conversation.messages
    return messages


def _summary_with_messages(export: Export) -> str | None:
    if export.share.scope == "summary":
        for i, conversation in enumerate(export.conversations):
            if conversation.messages is not UNSET:
                return (f"conversations[{i}].messages: a summary-scope export must not carry "
                        "messages (share.scope is \"summary\")")
    return None


def _ids(export: Export):
    yield "export_id", export.export_id
    yield "client.client_id", export.client.client_id
    yield "provider.provider_id", export.provider.provider_id
    for i, c in enumerate(export.checkins):
        yield f"checkins[{i}].checkin_id", c.checkin_id
    for i, c in enumerate(export.conversations):
        yield f"conversations[{i}].conversation_id", c.conversation_id
        if c.messages is not UNSET:
            for j, m in enumerate(c.messages):
                yield f"conversations[{i}].messages[{j}].message_id", m.message_id
    for i, p in enumerate(export.practices):
        yield f"practices[{i}].practice_id", p.practice_id


def _timestamps(export: Export):
    yield "exported_at", export.exported_at
    yield "share.consented_at", export.share.consented_at
    yield "share.period.start", export.share.period.start
    yield "share.period.end", export.share.period.end
    for i, c in enumerate(export.checkins):
        yield f"checkins[{i}].at", c.at
    for i, c in enumerate(export.conversations):
        yield f"conversations[{i}].started_at", c.started_at
        if c.messages is not UNSET:
            for j, m in enumerate(c.messages):
                yield f"conversations[{i}].messages[{j}].at", m.at
    for i, p in enumerate(export.practices):
        yield f"practices[{i}].at", p.at


def _duplicate_id(section: str, field: str, records) -> str | None:
    seen: dict[str, int] = {}
    for i, record in enumerate(records):
        record_id = getattr(record, field)
        if record_id in seen:
            return (f"{section}[{i}].{field}: id {_quote(record_id)} appears twice in this export "
                    f"(also at {section}[{seen[record_id]}])")
        seen[record_id] = i
    return None


def _duplicate_message_id(conversations) -> str | None:
    seen: dict[str, str] = {}
    for i, conversation in enumerate(conversations):
        if conversation.messages is UNSET:
            continue
        for j, message in enumerate(conversation.messages):
            path = f"conversations[{i}].messages[{j}]"
            if message.message_id in seen:
                return (f"{path}.message_id: id {_quote(message.message_id)} appears twice in this "
                        f"export (also at {seen[message.message_id]})")
            seen[message.message_id] = path
    return None


# --- turning msgspec's errors into sentences a clinic admin understands ----------------------

_TIMESTAMP_FIELDS = {"at", "started_at", "exported_at", "consented_at", "start", "end"}
_EXPECTED = {
    "stress": "an integer 0–10", "energy": "an integer 0–10",
    "stress_before": "an integer 0–10", "stress_after": "an integer 0–10",
    "mood": "an integer from -3 to 3", "intensity": "an integer 1–10",
    "sleep_hours": "a number of hours from 0 to 24",
    "duration_min": "a number of minutes from 0 to 1440",
    "birth_year": "a year from 1900 to 2100", "helpful": "true or false",
    "scope": '"raw" or "summary"', "role": '"client" or "guide"',
    "format": '"client-export"', "format_version": 'a version "1.x"',
    "note": f"text of at most {MAX_TEXT_CHARS:,} characters",
    "text": f"text of at most {MAX_TEXT_CHARS:,} characters",
    "summary": f"text of at most {MAX_TEXT_CHARS:,} characters",
    "title": "text of at most 500 characters",
    "display_name": "text of at most 200 characters", "name": "text of at most 200 characters",
    "timezone": "an IANA time zone name (at most 64 characters)",
    "label": "text of 1–64 characters", "location": "text of 1–64 characters",
    "sensation": "text of 1–64 characters", "kind": "text of 1–64 characters",
    "version": "text",
}
_LISTS = {"checkins", "conversations", "practices", "messages", "emotions", "body"}
_OBJECTS = {"client", "provider", "share", "period", "source_app"}
_ERROR_RE = re.compile(r"^(?P<what>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.S)
_MISSING_RE = re.compile(r"Object missing required field `(?P<field>[^`]+)`")
_SEGMENT_RE = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def _expected(field: str) -> str:
    if field in _TIMESTAMP_FIELDS:
        return "a timestamp with a UTC offset, like 2026-11-02T21:14:05-06:00"
    if field.endswith("_id"):
        return "an id of 1–128 letters, digits or . _ : -"
    if field in _LISTS:
        return "a list"
    if field in _OBJECTS or field == "":
        return "an object"
    return _EXPECTED.get(field, "a valid value")


def _describe_validation_error(data: bytes, error: msgspec.ValidationError) -> str:
    header = _header(data)
    if header is not None:
        version_problem = _version_problem(header)
        if version_problem:
            return version_problem
    match = _ERROR_RE.match(str(error))
    what, raw_path = match.group("what"), match.group("path") or ""
    path = raw_path.lstrip(".")
    missing = _MISSING_RE.search(what)
    if missing:
        field = missing.group("field")
        where = f"{path}.{field}" if path else field
        return f"{where}: required field is missing (expected {_expected(field)})"
    segments = _segments(raw_path)
    field = next((s for s in reversed(segments) if isinstance(s, str)), "")
    value = _lookup(data, segments)
    if value is _MISSING and "out of range" in what:   # a number no decoder holds
        value = 10**_LARGEST_SHOWN_DIGITS
    if what.startswith("Expected `object`") and not path:
        return f"expected a JSON object at the top of the file, got {_describe_value(field, value)}"
    return f"{path or 'file'}: expected {_expected(field)}, got {_describe_value(field, value)}"


def _version_problem(header: _Header) -> str | None:
    if header.format is UNSET:
        return 'not a client export: the field "format" ("client-export") is missing'
    if header.format != "client-export":
        return 'not a client export: the field "format" is not "client-export"'

    version = header.format_version
    if isinstance(version, str):
        major = version.split(".", 1)[0]
        if re.fullmatch(r"[0-9]+\.[0-9]+", version) and major != str(SUPPORTED_MAJOR_VERSION):
            return (f"format_version: this file is format version {version}; this Interlude "
                    f"reads format {SUPPORTED_MAJOR_VERSION}.x (a newer Interlude is needed)")
    return None


def _describe_decode_error(data: bytes, error: msgspec.DecodeError) -> str:
    if not data.strip():
        return "the file is empty"
    not_utf8 = utf8_problem(data)
    if not_utf8:
        return not_utf8
    text = str(error)
    if text.startswith("JSON is malformed") or "truncated" in text:
        # msgspec names a byte offset: point to line and column, never quote content.
        offset = re.search(r"byte (\d+)", text)
        if offset:
            line, column = _line_column(data, int(offset.group(1)))
            return f"not valid JSON (broken at line {line}, column {column})"
        return "not valid JSON (the file ends early)"
    if "UTF-8" in text or "utf-8" in text:
        return "not UTF-8 text"
    return "not valid JSON"


def _line_column(data: bytes, offset: int) -> tuple[int, int]:
    before = data[:offset]
    line = before.count(b"\n") + 1
    return line, offset - (before.rfind(b"\n") + 1) + 1


def _header(data: bytes) -> _Header | None:
    try:
        return _header_decoder.decode(data)
    except msgspec.MsgspecError:
        return None


def _segments(raw_path: str) -> list[str | int]:
    return [name if name else int(index) for name, index in _SEGMENT_RE.findall(raw_path)]


def _lookup(data: bytes, segments: list[str | int]):
    try:
        node = msgspec.json.decode(data)
        for segment in segments:
            node = node[segment]
        return node
    except (msgspec.MsgspecError, KeyError, IndexError, TypeError):
        return _MISSING


_MISSING = object()
# Fields whose value is one of a fixed set: a wrong one is described, never shown.
_FIXED_SETS = {"scope", "role", "format"}
_LARGEST_SHOWN_DIGITS = 15
_LARGEST_SHOWN_NUMBER = 10**_LARGEST_SHOWN_DIGITS
_SAFE_TEXT = re.compile(r"[0-9.:+ TZ-]{1,32}")   # digits and separators: a number or time, never words


def _describe_value(field: str, value) -> str:
    if value is _MISSING:
        return "something else"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return repr(value) if abs(value) < _LARGEST_SHOWN_NUMBER else "a number too large"
    if isinstance(value, float):
        return repr(value) if abs(value) < _LARGEST_SHOWN_NUMBER else "a number too large"
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, str):
        # Any word might be what a client wrote ("I want to die" as a role): strings are
        # shown only when they are digits and separators (a number or time in quotes).
        if field in _FIXED_SETS:
            return "a value that is not one of them"
        if _SAFE_TEXT.fullmatch(value):
            return _quote(value)
        return f"text of {len(value):,} characters"
    return type(value).__name__


def _quote(value: str, limit: int = 40) -> str:
    shown = value if len(value) <= limit else value[:limit] + "…"
    return msgspec.json.encode(shown).decode()
