"""The committed sample data ingests as documented: the demo database every newcomer builds."""

import json

import pytest

from pipelines import db
from pipelines.ingest import ingest_paths
from tests.conftest import SAMPLE, table_counts


@pytest.fixture(scope="module")
def sample_db(sample_ingest, tmp_path_factory):
    """A copy of the session's one ingest of the sample, with that ingest's report."""
    import shutil

    path, report = sample_ingest
    copy = tmp_path_factory.mktemp("sample") / "interlude.duckdb"
    shutil.copyfile(path, copy)
    con = db.connect(copy)
    yield con, report
    con.close()


def test_every_sample_file_is_accepted(sample_db):
    _, report = sample_db
    assert report.rejected == []
    assert len(report.accepted) == len(list((SAMPLE / "exports").rglob("*.json"))) + 1


def test_sample_caseload_shape(sample_db):
    con, _ = sample_db
    counts = table_counts(con)
    assert counts["providers"] == 3 and counts["clients"] == 24
    assert counts["appointments"] > 24 * 10
    span = con.execute("SELECT date_diff('day', min(checked_in_at), max(checked_in_at)) FROM checkins").fetchone()[0]
    assert span >= 180
    scopes = dict(con.execute("SELECT scope, count(*) FROM client_providers GROUP BY scope").fetchall())
    assert scopes["summary"] >= 4 and scopes["raw"] >= 12
    assert con.execute("SELECT count(*) FROM messages m JOIN client_providers c USING (client_id) "
                       "WHERE c.scope = 'summary'").fetchone()[0] == 0


def test_overlapping_sample_exports_keep_one_copy_and_report_the_revision(sample_db):
    con, report = sample_db
    totals = report.totals()
    assert totals["unchanged"] > 0, "sample exports overlap"
    assert totals["revised"] == 1
    for table, key in [("checkins", "checkin_id"), ("messages", "message_id"), ("practices", "practice_id"),
                       ("conversations", "conversation_id")]:
        dupes = con.execute(f"SELECT count(*) FROM (SELECT client_id, {key} FROM {table} GROUP BY ALL "
                            "HAVING count(*) > 1)").fetchone()[0]
        assert dupes == 0, table
    assert con.execute("SELECT count(*) FROM record_revisions").fetchone()[0] == 1


def test_reingesting_the_sample_changes_nothing(sample_db):
    con, _ = sample_db
    before = table_counts(con)
    again = ingest_paths(con, [SAMPLE / "exports", SAMPLE / "appointments.csv"])
    assert again.rejected == [] and again.totals()["new"] == 0 and again.totals()["revised"] == 0
    assert table_counts(con) == before


def test_the_invalid_sample_export_is_rejected_with_a_clear_message(con):
    invalid = sorted((SAMPLE / "invalid").glob("*.json"))
    assert invalid, "sample_data/invalid/ holds the deliberately invalid export"
    report = ingest_paths(con, invalid)
    assert [f.status for f in report.files] == ["rejected"] * len(invalid)
    assert report.files[0].reason.endswith('checkins[3].stress: expected an integer 0–10, got text of 4 characters')
    assert table_counts(con)["checkins"] == 0
    assert json.loads(invalid[0].read_text())["checkins"][3]["stress"] == "high"
