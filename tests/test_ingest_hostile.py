"""Exports that would break, corrupt or impersonate (issue 9): each gets its own verdict, with
the exact message the clinic admin sees, and nothing of a rejected file stays behind."""

import copy
import json
import logging

import pytest

from pipelines import db
from pipelines.ingest import ingest_paths
from tests.conftest import CANARY, make_export, table_counts, write_export


def named(export: dict, export_id: str, exported_at: str | None = None, **changes) -> dict:
    """A copy of ``export`` under another export_id (and exported_at), with top-level changes."""
    other = copy.deepcopy(export)
    other["export_id"] = export_id
    if exported_at:
        other["exported_at"] = exported_at
    other.update(changes)
    return other


def one_rejection(con, tmp_path, data: bytes, name: str = "bad.json") -> str:
    """Ingest ``data`` next to a valid export; the valid one is accepted, the bad one
    rejected with nothing left behind; returns the message (also in ingest_log)."""
    bad = tmp_path / name
    bad.write_bytes(data)
    good = write_export(tmp_path, make_export(client={"client_id": "c-good"}, export_id="exp-good"))
    report = ingest_paths(con, [bad, good])
    assert [f.status for f in report.files] == ["rejected", "accepted"], [f.line() for f in report.files]
    assert con.execute("SELECT count(*) FROM exports WHERE export_id <> 'exp-good'").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM checkins WHERE client_id <> 'c-good'").fetchone()[0] == 0
    logged = con.execute("SELECT status, reason FROM ingest_log WHERE file_name = ?", [str(bad)]).fetchall()
    assert logged == [("rejected", report.files[0].reason)]
    prefix = f"export {bad}: "
    assert report.files[0].reason.startswith(prefix)
    return report.files[0].reason[len(prefix):]


# --- every file gets a verdict -------------------------------------------------------------

def test_invalid_utf8_in_a_string_is_that_files_rejection(con, tmp_path):
    data = json.dumps(make_export()).encode().replace(b"Message 0 of talk 0.", b"Message \xff\xfe of talk 0.")
    line = data[:data.index(b"\xff")].count(b"\n") + 1
    column = data.index(b"\xff") - data.rfind(b"\n", 0, data.index(b"\xff"))
    assert one_rejection(con, tmp_path, data) == (
        f"not UTF-8 (looks like Windows-1252 or Latin-1; invalid byte at line {line}, column {column})")


def test_bytes_of_no_encoding_are_named_not_utf8(con, tmp_path):
    data = json.dumps(make_export()).encode().replace(b"Message 0 of talk 0.", b"Message \x81\xc3 of talk")
    offset = data.index(b"\x81")
    assert one_rejection(con, tmp_path, data) == f"not UTF-8 (invalid byte at line 1, column {offset + 1})"


def test_json_nested_a_thousand_deep_is_rejected_by_the_named_limit(con, tmp_path):
    data = b"[" * 1000 + b"]" * 1000   # 2 KB
    assert one_rejection(con, tmp_path, data) == (
        "lists and objects nest 1,000 levels deep, over the limit of 32 (MAX_JSON_DEPTH)")
    deep_unknown_field = json.dumps(make_export())[:-1] + ', "extra": ' + '{"a": ' * 40 + "1" + "}" * 40 + "}"
    assert one_rejection(con, tmp_path, deep_unknown_field.encode(), "deep.json") == (
        "lists and objects nest 41 levels deep, over the limit of 32 (MAX_JSON_DEPTH)")


def test_brackets_inside_strings_do_not_count_as_nesting(con, tmp_path):
    export = make_export()
    export["checkins"][0]["note"] = "[[[[{{{{" * 10 + ' \\" ' + "]]]]" * 30
    report = ingest_paths(con, [write_export(tmp_path, export)])
    assert [f.status for f in report.files] == ["accepted"]


def test_a_utf8_byte_order_mark_is_allowed(con, tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(make_export()).encode())
    report = ingest_paths(con, [path])
    assert [f.status for f in report.files] == ["accepted"]
    assert table_counts(con)["checkins"] == 3


@pytest.mark.parametrize("encoding, named_as", [
    ("utf-16", "UTF-16"), ("utf-16-le", "UTF-16"), ("utf-16-be", "UTF-16"),
    ("utf-32", "UTF-32"), ("utf-32-le", "UTF-32"), ("utf-32-be", "UTF-32"),
])
def test_other_unicode_encodings_are_named(con, tmp_path, encoding, named_as):
    data = json.dumps(make_export()).encode(encoding)
    assert one_rejection(con, tmp_path, data) == f"not UTF-8 (looks like {named_as})"


# --- rules beyond the schema (the poison that crashed analyze) -------------------------------

@pytest.mark.parametrize("value", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59+00:00", "1899-12-31T23:59:59Z",
                                   "2101-01-01T00:00:00Z"])
def test_timestamps_outside_1900_to_2100_are_rejected(con, tmp_path, value):
    export = make_export()
    export["checkins"][1]["at"] = value
    assert one_rejection(con, tmp_path, json.dumps(export).encode()) == (
        f'checkins[1].at: expected a time between 1900-01-01 and 2100-12-31 (UTC), got "{value}"')


def test_an_offset_that_moves_year_one_off_the_calendar_is_out_of_range(con, tmp_path):
    export = make_export(exported_at="0001-01-01T00:00:00+05:00")
    assert one_rejection(con, tmp_path, json.dumps(export).encode()) == (
        'exported_at: expected a time between 1900-01-01 and 2100-12-31 (UTC), got "0001-01-01T00:00:00+05:00"')


def test_the_edges_of_the_range_are_accepted(con, tmp_path):
    export = make_export()
    export["checkins"][0]["at"] = "1900-01-01T00:00:00Z"
    export["checkins"][1]["at"] = "2100-12-31T23:59:59Z"
    assert [f.status for f in ingest_paths(con, [write_export(tmp_path, export)]).files] == ["accepted"]


def test_an_impossible_calendar_date_is_rejected(con, tmp_path):
    export = make_export()
    export["conversations"][0]["messages"][1]["at"] = "2026-02-30T10:00:00Z"
    assert one_rejection(con, tmp_path, json.dumps(export).encode()) == (
        'conversations[0].messages[1].at: expected a real date and time, got "2026-02-30T10:00:00Z"')


def test_a_time_zone_outside_the_iana_database_is_rejected(con, tmp_path):
    export = make_export(client={"client_id": "c-0042", "timezone": "Mars/Olympus_Mons"})
    assert one_rejection(con, tmp_path, json.dumps(export).encode()) == (
        "client.timezone: expected a name from the IANA time-zone database, like Europe/Berlin; "
        "the value is not one of them")


def test_a_period_ending_before_it_starts_is_rejected(con, tmp_path):
    export = make_export()
    export["share"]["period"] = {"start": "2026-11-16T00:00:00-06:00", "end": "2026-11-09T00:00:00-06:00"}
    assert one_rejection(con, tmp_path, json.dumps(export).encode()) == (
        "share.period.start: the period starts (2026-11-16T00:00:00-06:00) after it ends "
        "(share.period.end 2026-11-09T00:00:00-06:00)")


# --- export_id conflicts: never merged ---------------------------------------------------------

CONFLICT = ('export_id conflict: export_id "exp-1" is already held for another client or provider; '
            "nothing from this file was kept")


@pytest.mark.parametrize("who", ["client", "provider"])
def test_an_export_id_held_in_the_same_run_is_a_conflict(con, tmp_path, who):
    first = make_export()
    other = copy.deepcopy(first)
    if who == "client":
        other["client"] = {"client_id": "c-0099", "display_name": "Other"}
    else:
        other["provider"] = {"provider_id": "p-099"}
    other["checkins"][0]["note"] = "Another person's note."
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    report = ingest_paths(con, [write_export(tmp_path / "a", first), write_export(tmp_path / "b", other)])
    assert [f.status for f in report.files] == ["accepted", "rejected"]
    assert report.files[1].line() == f"rejected  export {tmp_path / 'b' / 'exp-1.json'}: {CONFLICT}"
    assert con.execute("SELECT client_id, provider_id FROM client_providers").fetchall() == [("c-0042", "p-007")]
    assert con.execute("SELECT client_id FROM clients").fetchall() == [("c-0042",)]
    notes = con.execute("SELECT text FROM text_units WHERE source = 'note' ORDER BY source_id").fetchall()
    assert ("Another person's note.",) not in notes


def test_an_export_id_held_in_the_database_is_a_conflict_and_texts_keep_their_provider(db_path, tmp_path):
    first = make_export()
    other = make_export(client={"client_id": "c-0099"}, provider={"provider_id": "p-099"})
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    con = db.connect(db_path)
    ingest_paths(con, [write_export(tmp_path / "a", first)])
    report = ingest_paths(con, [write_export(tmp_path / "b", other)])
    assert report.files[0].line() == f"rejected  export {tmp_path / 'b' / 'exp-1.json'}: {CONFLICT}"
    assert con.execute("SELECT DISTINCT client_id, provider_id FROM text_units").fetchall() == [("c-0042", "p-007")]
    assert con.execute("SELECT count(*) FROM exports").fetchone()[0] == 1
    # The same export_id for the same client and provider is the same export, re-written.
    again = copy.deepcopy(first)
    again["checkins"] = again["checkins"][:2]
    assert [f.status for f in ingest_paths(con, [write_export(tmp_path / "b", again)]).files] == ["accepted"]
    con.close()


# --- revisions never lose what a client wrote ------------------------------------------------------

URGENT = "I have the pills saved up and tonight is the night."


def test_a_revision_via_another_share_is_named_and_the_earlier_text_kept(con, tmp_path):
    first = make_export()
    first["conversations"][0]["messages"][0]["text"] = URGENT
    rewritten = named(first, "exp-2", "2026-11-20T07:30:00-06:00", provider={"provider_id": "p-008"})
    rewritten["conversations"][0]["messages"][0]["text"] = "Work was fine today."
    report = ingest_paths(con, [write_export(tmp_path, first), write_export(tmp_path, rewritten)])
    assert report.files[1].line() == (
        f"accepted  {tmp_path / 'exp-2.json'}: 0 new, 12 unchanged, 1 revised (1 revised via another share "
        "than the one that first sent the record; the earlier versions are kept)")
    units = con.execute("""
        SELECT source_id, provider_id, text, superseded FROM text_units
        WHERE source = 'message' AND source_id LIKE 'm-0-0%' ORDER BY superseded""").fetchall()
    assert units == [("m-0-0", "p-008", "Work was fine today.", False),
                     (f"m-0-0#{__import__('hashlib').md5(URGENT.encode()).hexdigest()}", "p-007", URGENT, True)]
    # The risk view keeps the earlier version, marked; the contract's analysis_texts shows current texts only.
    assert "superseded" in [c[0] for c in con.execute("DESCRIBE text_evidence").fetchall()]
    assert con.execute("SELECT count(*) FROM text_units WHERE superseded AND text = ?", [URGENT]).fetchone()[0] == 1
    assert con.execute("SELECT count(*) FROM analysis_texts WHERE text = ?", [URGENT]).fetchone()[0] == 0


def test_a_revision_through_the_same_share_also_keeps_the_earlier_text(con, tmp_path):
    first = make_export()
    first["checkins"][2]["note"] = URGENT
    revised = named(first, "exp-2", "2026-11-20T07:30:00-06:00")
    revised["checkins"][2]["note"] = "All good."
    report = ingest_paths(con, [write_export(tmp_path, first), write_export(tmp_path, revised)])
    assert report.files[1].line() == f"accepted  {tmp_path / 'exp-2.json'}: 0 new, 12 unchanged, 1 revised"
    assert con.execute("SELECT text, superseded FROM text_units WHERE source = 'note' AND source_id LIKE 'ci-2%' "
                       "ORDER BY superseded").fetchall() == [("All good.", False), (URGENT, True)]


def test_an_older_version_arriving_later_is_kept_too(con, tmp_path):
    first = make_export()
    first["checkins"][2]["note"] = URGENT
    revised = named(first, "exp-2", "2026-11-20T07:30:00-06:00")
    revised["checkins"][2]["note"] = "All good."
    ingest_paths(con, [write_export(tmp_path, revised)])
    report = ingest_paths(con, [write_export(tmp_path, first)])
    assert report.files[0].counts["stale"] == 1
    assert con.execute("SELECT text, superseded FROM text_units WHERE source = 'note' AND source_id LIKE 'ci-2%' "
                       "ORDER BY superseded").fetchall() == [("All good.", False), (URGENT, True)]


def test_a_text_current_again_is_no_longer_superseded(con, tmp_path):
    first = make_export()
    second = named(first, "exp-2", "2026-11-20T07:30:00-06:00")
    second["checkins"][0]["note"] = "Changed."
    third = named(first, "exp-3", "2026-11-21T07:30:00-06:00")
    for export in (first, second, third):
        ingest_paths(con, [write_export(tmp_path, export)])
    assert con.execute("SELECT text, superseded FROM text_units WHERE source = 'note' AND source_id LIKE 'ci-0%' "
                       "ORDER BY superseded").fetchall() == [("Note number 0.", False), ("Changed.", True)]


# --- no client text in any message --------------------------------------------------------------

def test_a_role_outside_the_fixed_set_is_described_not_shown(con, tmp_path, caplog):
    export = make_export()
    export["conversations"][0]["messages"][0]["role"] = "I want to die"
    with caplog.at_level(logging.DEBUG):
        message = one_rejection(con, tmp_path, json.dumps(export).encode())
    assert message == 'conversations[0].messages[0].role: expected "client" or "guide", got a value that is not one of them'
    assert "want to die" not in caplog.text
    assert con.execute("SELECT count(*) FROM ingest_log WHERE reason LIKE '%want to die%'").fetchone()[0] == 0


SHORT_CANARY = "I want to die"


def _plant(path: str):
    def plant(export):
        node = export
        *parents, last = path.split(".")
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[last] = SHORT_CANARY
    return plant


@pytest.mark.parametrize("path", [
    "format", "format_version", "export_id", "exported_at", "client.client_id", "client.timezone",
    "client.birth_year", "provider.provider_id", "share.scope", "share.consented_at", "share.period.start",
    "checkins.0.checkin_id", "checkins.0.at", "checkins.0.mood", "checkins.0.sleep_hours",
    "checkins.0.emotions.0.intensity", "checkins.0.body.0.intensity", "conversations.0.conversation_id",
    "conversations.0.messages.0.role", "conversations.0.messages.0.at", "conversations.0.messages.0.message_id",
    "practices.0.kind", "practices.0.helpful", "practices.0.duration_min",
])
def test_no_field_echoes_a_clients_words(con, tmp_path, caplog, path):
    export = make_export()
    _plant(path)(export)
    with caplog.at_level(logging.DEBUG):
        report = ingest_paths(con, [write_export(tmp_path, export, "planted.json")])
    everything = caplog.text + "\n".join(f.line() for f in report.files)
    everything += "\n".join(str(r) for r in con.execute("SELECT * FROM ingest_log").fetchall())
    assert SHORT_CANARY not in everything and "want to die" not in everything
    if path != "practices.0.kind":  # free text: a valid kind
        assert report.files[0].status == "rejected"


def test_long_free_text_is_never_shown(con, tmp_path, caplog):
    export = make_export()
    export["checkins"][0]["note"] = CANARY * 1000   # over MAX_TEXT_CHARS
    with caplog.at_level(logging.DEBUG):
        message = one_rejection(con, tmp_path, json.dumps(export).encode())
    assert message == f"checkins[0].note: expected text of at most 20,000 characters, got text of {len(CANARY) * 1000:,} characters"
    assert CANARY not in caplog.text


def test_a_number_too_large_to_print_is_described(con, tmp_path):
    data = json.dumps(make_export()).replace('"mood": -3', '"mood": ' + "9" * 5000, 1).encode()
    assert one_rejection(con, tmp_path, data) == "checkins[0].mood: expected an integer from -3 to 3, got a number too large"


@pytest.mark.slow   # seconds: a subprocess or a simulation
def test_the_command_line_reports_every_file_and_exits_non_zero(tmp_path):
    import subprocess
    import sys

    from tests.conftest import ROOT

    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "a-utf8.json").write_bytes(
        json.dumps(make_export(export_id="exp-a")).encode().replace(b"Message 0 of talk 0.", b"\xff\xfe"))
    (folder / "b-deep.json").write_bytes(b"[" * 1000 + b"]" * 1000)
    good = write_export(folder, make_export(export_id="exp-c"), "c-good.json")
    result = subprocess.run([sys.executable, "-m", "pipelines", "ingest", str(folder), "--db", str(tmp_path / "x.duckdb")],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"rejected  export {folder / 'a-utf8.json'}: not UTF-8 (")
    assert lines[1] == (f"rejected  export {folder / 'b-deep.json'}: lists and objects nest 1,000 levels deep, "
                        "over the limit of 32 (MAX_JSON_DEPTH)")
    assert lines[2] == f"accepted  {good}: 13 new, 0 unchanged, 0 revised"
    assert lines[-1] == "1 accepted, 2 rejected, 0 skipped; records: 13 new, 0 unchanged, 0 revised"


def test_files_after_a_conflict_in_the_same_chunk_keep_their_own_rows(con, tmp_path):
    exports = [make_export(export_id="exp-1", client={"client_id": "c-1"}),
               make_export(export_id="exp-1", client={"client_id": "c-2"}),
               make_export(4, 1, 1, export_id="exp-3", client={"client_id": "c-3"})]
    paths = [write_export(tmp_path, e, f"{i}.json") for i, e in enumerate(exports)]
    report = ingest_paths(con, paths)
    assert [f.status for f in report.files] == ["accepted", "rejected", "accepted"]
    assert report.files[1].reason == f"export {paths[1]}: {CONFLICT}"
    rows = con.execute("SELECT client_id, export_id, count(*) FROM checkins GROUP BY ALL ORDER BY 1").fetchall()
    assert rows == [("c-1", "exp-1", 3), ("c-3", "exp-3", 4)]
    assert con.execute("SELECT count(*) FROM messages WHERE client_id = 'c-3'").fetchone()[0] == 3
