"""Every validation rule shows the message a clinic admin sees: file, record, field, expectation."""

import json

import pytest

from pipelines.ingest.export_format import ExportRejected, read_export
from tests.conftest import CANARY, ROOT, export_bytes, make_export

FORMAT_DOCS = ROOT / "docs" / "export-format"


def rejection(export: dict | bytes, name: str = "c-0042.json") -> str:
    data = export if isinstance(export, bytes) else export_bytes(export)
    with pytest.raises(ExportRejected) as caught:
        read_export(name, data)
    return str(caught.value)


def mutated(change) -> dict:
    export = make_export()
    change(export)
    return export


def test_valid_export_decodes_every_section():
    export = read_export("c-0042.json", export_bytes(make_export(4, 2, 3)))
    assert export.client.client_id == "c-0042"
    assert (len(export.checkins), len(export.conversations), len(export.practices)) == (4, 2, 3)
    assert export.checkins[0].emotions[0].label == "anxious"


def test_contract_example_is_accepted():
    data = (FORMAT_DOCS / "example.json").read_bytes()
    assert read_export("example.json", data).export_id == "exp-2026-11-16-c0042"


def test_wrong_type_names_file_record_field_and_value():
    export = make_export(5)
    export["checkins"][3]["stress"] = "high"
    assert rejection(export) == 'export c-0042.json: checkins[3].stress: expected an integer 0–10, got text of 4 characters'


@pytest.mark.parametrize("change, message", [
    (lambda e: e["checkins"][0].__setitem__("mood", 4), "checkins[0].mood: expected an integer from -3 to 3, got 4"),
    (lambda e: e["checkins"][1].__setitem__("stress", 11), "checkins[1].stress: expected an integer 0–10, got 11"),
    (lambda e: e["checkins"][1].__setitem__("stress", 7.5), "checkins[1].stress: expected an integer 0–10, got 7.5"),
    (lambda e: e["checkins"][0].__setitem__("sleep_hours", 25), "checkins[0].sleep_hours: expected a number of hours from 0 to 24, got 25"),
    (lambda e: e["checkins"][0]["emotions"][0].__setitem__("intensity", 0), "checkins[0].emotions[0].intensity: expected an integer 1–10, got 0"),
    (lambda e: e["checkins"][0]["body"][0].pop("location"), "checkins[0].body[0].location: required field is missing (expected text of 1–64 characters)"),
    (lambda e: e["conversations"][1]["messages"][0].__setitem__("role", "bot"), 'conversations[1].messages[0].role: expected "client" or "guide", got a value that is not one of them'),
    (lambda e: e["practices"][0].__setitem__("helpful", "yes"), 'practices[0].helpful: expected true or false, got text of 3 characters'),
    (lambda e: e["practices"][1].__setitem__("duration_min", -1), "practices[1].duration_min: expected a number of minutes from 0 to 1440, got -1"),
    (lambda e: e.__setitem__("checkins", {}), "checkins: expected a list, got an object"),
    (lambda e: e["share"].__setitem__("scope", "everything"), 'share.scope: expected "raw" or "summary", got a value that is not one of them'),
    (lambda e: e["client"].__setitem__("client_id", "../../etc"), 'client.client_id: expected an id of 1–128 letters, digits or . _ : -, got text of 9 characters'),
    (lambda e: e["client"].__setitem__("birth_year", 1850), "client.birth_year: expected a year from 1900 to 2100, got 1850"),
])
def test_wrong_values_are_named(change, message):
    assert rejection(mutated(change)) == f"export c-0042.json: {message}"


@pytest.mark.parametrize("path, field", [
    ((), "export_id"), ((), "client"), ((), "share"), (("client",), "client_id"),
    (("share",), "period"), (("checkins", 2), "checkin_id"), (("conversations", 0), "started_at"),
    (("conversations", 0, "messages", 1), "text"), (("practices", 1), "kind"),
])
def test_missing_required_fields_are_named(path, field):
    export = make_export()
    node = export
    for step in path:
        node = node[step]
    del node[field]
    where = ".".join(f"[{s}]" if isinstance(s, int) else s for s in path).replace(".[", "[")
    full = f"{where}.{field}" if where else field
    assert rejection(export).startswith(f"export c-0042.json: {full}: required field is missing")


def test_timestamp_without_offset_is_rejected():
    export = make_export()
    export["checkins"][2]["at"] = "2026-11-10T21:05:00"
    assert rejection(export) == ("export c-0042.json: checkins[2].at: expected a timestamp with a UTC offset, "
                                 'like 2026-11-02T21:14:05-06:00, got "2026-11-10T21:05:00"')


def test_impossible_date_is_rejected():
    export = make_export()
    export["practices"][0]["at"] = "2026-02-30T10:00:00Z"
    assert rejection(export) == 'export c-0042.json: practices[0].at: expected a real date and time, got "2026-02-30T10:00:00Z"'


def test_schema_timestamp_forms_are_accepted():
    export = make_export()
    export["checkins"][0]["at"] = "2026-11-10T21:05Z"                    # no seconds
    export["checkins"][1]["at"] = "2026-11-10T21:05:00.123456789+05:30"  # long fraction
    assert len(read_export("x.json", export_bytes(export)).checkins) == 3


def test_summary_export_with_messages_is_rejected():
    export = make_export()
    export["share"]["scope"] = "summary"
    assert rejection(export) == ("export c-0042.json: conversations[0].messages: a summary-scope export must "
                                 'not carry messages (share.scope is "summary")')


def test_summary_export_without_messages_is_accepted():
    export = make_export()
    export["share"]["scope"] = "summary"
    for conversation in export["conversations"]:
        del conversation["messages"]
    assert read_export("x.json", export_bytes(export)).share.scope == "summary"


def test_unknown_major_version_is_rejected_before_anything_else():
    export = make_export(format_version="2.0")
    export["checkins"][0]["stress"] = "high"  # also wrong, but the version is what matters
    assert rejection(export) == ("export c-0042.json: format_version: this file is format version 2.0; "
                                 "this Interlude reads format 1.x (a newer Interlude is needed)")


def test_unknown_minor_version_and_unknown_fields_are_accepted():
    export = make_export(format_version="1.7", wearable={"steps": 1200})
    export["checkins"][0]["heart_rate"] = 71
    assert read_export("x.json", export_bytes(export)).format_version == "1.7"


def test_not_a_client_export():
    assert rejection(b'{"hello": "world"}') == ('export c-0042.json: not a client export: '
                                                'the field "format" ("client-export") is missing')
    assert rejection(export_bytes(make_export(format="survey"))).endswith(
        'not a client export: the field "format" is not "client-export"')


@pytest.mark.parametrize("data, message", [
    (b"", "the file is empty"),
    (b'{"format": "client-export", ', "not valid JSON (the file ends early)"),
    (b'{"format": "client-export",\n  "export_id": oops}', "not valid JSON (broken at line 2, column 16)"),
    (b"[1, 2]", "expected a JSON object at the top of the file, got a list of 2 items"),
    (b"\xff\xfe{}", "not UTF-8 (looks like UTF-16)"),
])
def test_malformed_json(data, message):
    assert rejection(data) == f"export c-0042.json: {message}"


def test_duplicate_ids_within_one_export():
    export = make_export()
    export["checkins"][2]["checkin_id"] = export["checkins"][0]["checkin_id"]
    assert rejection(export) == ('export c-0042.json: checkins[2].checkin_id: id "ci-0" appears twice in this '
                                 "export (also at checkins[0])")
    export = make_export()
    export["conversations"][1]["messages"][2]["message_id"] = "m-0-1"
    assert "conversations[1].messages[2].message_id: id \"m-0-1\" appears twice" in rejection(export)


@pytest.mark.parametrize("field", ["note", "title", "summary", "text", "stress", "label"])
def test_client_text_never_appears_in_errors(field):
    export = make_export()
    if field == "note":
        export["checkins"][0]["note"] = CANARY * 1000  # too long
    elif field == "title":
        export["conversations"][0]["title"] = [CANARY]
    elif field == "summary":
        export["conversations"][0]["summary"] = {"x": CANARY}
    elif field == "text":
        export["conversations"][0]["messages"][0]["text"] = CANARY * 1000
    elif field == "stress":
        export["checkins"][0]["stress"] = CANARY  # text where a number belongs
    else:
        export["checkins"][0]["emotions"][0]["label"] = CANARY * 10
    message = rejection(export)
    assert "Margot" not in message and "Elm" not in message
    assert "characters" in message or "list" in message or "object" in message


def test_every_required_top_level_field_of_the_shared_schema_is_enforced():
    schema = json.loads((FORMAT_DOCS / "schema.json").read_text())
    assert set(schema["required"]) == {"format", "format_version", "export_id", "exported_at", "client",
                                       "provider", "share"}
    for field in schema["required"]:
        export = make_export()
        del export[field]
        message = rejection(export)
        assert f"{field}: required field is missing" in message or f'"{field}"' in message and "missing" in message
