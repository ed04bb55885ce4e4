"""Ingest's `only_provider` option (a therapist's upload): another provider's exports and
appointments are rejected whole, where the files are parsed, and nothing of them is stored."""

import zipfile

from pipelines.ingest import ingest_paths
from tests.conftest import make_export, table_counts, write_export
from tests.test_calendar import calendar, event

MINE, THEIRS = "p-007", "p-002"


def theirs(export_id: str = "exp-theirs", client_id: str = "c-0099") -> dict:
    return make_export(export_id=export_id, client={"client_id": client_id, "timezone": "Europe/London"},
                       provider={"provider_id": THEIRS, "name": "Dr. B"})


def test_an_export_naming_another_provider_is_rejected_and_nothing_is_stored(con, tmp_path):
    mine, other = write_export(tmp_path, make_export()), write_export(tmp_path, theirs())
    report = ingest_paths(con, [mine, other], only_provider=MINE)
    assert [f.status for f in report.files] == ["accepted", "rejected"]
    reason = report.files[1].reason
    assert "provider.provider_id" in reason and "another provider" in reason and "nothing from this file was kept" in reason
    assert con.execute("SELECT list(DISTINCT provider_id) FROM exports").fetchone()[0] == [MINE]
    assert con.execute("SELECT count(*) FROM clients WHERE client_id = 'c-0099'").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM providers WHERE provider_id = ?", [THEIRS]).fetchone()[0] == 0
    # The same files without the option (an admin): both accepted.
    assert [f.status for f in ingest_paths(con, [mine, other]).files] == ["accepted", "accepted"]


def test_a_file_already_ingested_for_another_provider_is_rejected_too(con, tmp_path):
    other = write_export(tmp_path, theirs())
    assert ingest_paths(con, [other]).files[0].status == "accepted"   # an admin's upload
    before = table_counts(con)
    result = ingest_paths(con, [other], only_provider=MINE).files[0]
    assert result.status == "rejected" and "another provider" in result.reason
    assert "already ingested" not in result.reason
    assert table_counts(con) == before


def test_a_duplicate_of_ones_own_export_in_one_run_stays_accepted(con, tmp_path):
    (tmp_path / "copy").mkdir()
    first = write_export(tmp_path, make_export())
    second = write_export(tmp_path / "copy", make_export())
    statuses = [f.status for f in ingest_paths(con, [first, second], only_provider=MINE).files]
    assert statuses == ["accepted", "accepted"]


def test_zip_members_are_judged_one_by_one(con, tmp_path):
    archive = tmp_path / "mixed.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("mine.json", write_export(tmp_path, make_export()).read_bytes())
        zf.writestr("theirs.json", write_export(tmp_path, theirs()).read_bytes())
    report = ingest_paths(con, [archive], only_provider=MINE)
    assert {f.name.rsplit(":", 1)[1]: f.status for f in report.files} == {"mine.json": "accepted",
                                                                         "theirs.json": "rejected"}


def test_an_appointments_csv_with_a_row_for_another_provider_is_rejected_whole(con, tmp_path):
    csv = tmp_path / "appointments.csv"
    csv.write_text("client_id,provider_id,starts_at\n"
                   f"c-0042,{MINE},2026-11-20T10:00:00+00:00\n"
                   f"c-0099,{THEIRS},2026-11-21T10:00:00+00:00\n")
    result = ingest_paths(con, [csv], only_provider=MINE).files[0]
    assert result.status == "rejected"
    assert "line 3, provider_id" in result.reason and "another provider" in result.reason
    assert table_counts(con)["appointments"] == 0
    own = tmp_path / "own.csv"
    own.write_text(f"client_id,provider_id,starts_at\nc-0042,{MINE},2026-11-20T10:00:00+00:00\n")
    result = ingest_paths(con, [own], only_provider=MINE).files[0]
    assert result.status == "accepted" and result.counts["new"] == 1


def test_a_calendar_for_another_provider_is_rejected(con, tmp_path):
    ics = tmp_path / "lee.ics"
    ics.write_bytes(calendar(event("a@cal", "20261103T160000Z", "Session [c-0014]"),
                             name=f"Dr Lee [provider:{THEIRS}]"))
    result = ingest_paths(con, [ics], only_provider=MINE).files[0]
    assert result.status == "rejected" and "session 1, provider_id" in result.reason
    assert table_counts(con)["appointments"] == 0
    assert ingest_paths(con, [ics], only_provider=THEIRS).files[0].status == "accepted"
