"""Ingest into a real DuckDB file: idempotence, overlaps, revisions, rollback, the command line."""

import copy
import logging
import subprocess
import sys

import pytest

from pipelines import db
from pipelines.ingest import ingest_paths, save
from tests.conftest import CANARY, ROOT, make_checkin, make_export, table_counts, write_export


def later(export: dict, export_id: str, exported_at: str) -> dict:
    newer = copy.deepcopy(export)
    newer["export_id"], newer["exported_at"] = export_id, exported_at
    return newer


def test_ingest_writes_every_record(con, tmp_path):
    export = make_export(4, 3, 2)
    report = ingest_paths(con, [write_export(tmp_path, export)])
    assert [f.status for f in report.files] == ["accepted"]
    # 4 check-ins + 3 conversations + 9 messages + 2 practices
    assert report.files[0].counts == {"new": 18, "unchanged": 0, "revised": 0, "stale": 0}
    counts = table_counts(con)
    assert counts["checkins"] == 4 and counts["messages"] == 9
    assert counts["checkin_emotions"] == 4 and counts["checkin_body_sensations"] == 4
    assert counts["clients"] == counts["providers"] == counts["client_providers"] == counts["exports"] == 1
    row = con.execute("SELECT client_id, display_name, timezone FROM clients").fetchone()
    assert row == ("c-0042", "R. M.", "America/Chicago")


def test_reingesting_the_same_file_changes_nothing(db_path, tmp_path):
    path = write_export(tmp_path, make_export())
    con = db.connect(db_path)
    ingest_paths(con, [path])
    before = table_counts(con)
    report = ingest_paths(con, [path])
    assert report.files[0].counts["new"] == 0 and report.files[0].counts["unchanged"] == 13
    assert table_counts(con) == before


def test_same_content_under_a_new_file_is_all_unchanged(con, tmp_path):
    export = make_export()
    ingest_paths(con, [write_export(tmp_path, export)])
    report = ingest_paths(con, [write_export(tmp_path, later(export, "exp-2", "2026-11-17T07:30:00-06:00"))])
    assert report.files[0].counts == {"new": 0, "unchanged": 13, "revised": 0, "stale": 0}
    assert table_counts(con)["checkins"] == 3 and table_counts(con)["exports"] == 2


def test_overlapping_exports_keep_one_copy_of_each_record(con, tmp_path):
    first = make_export(6, 2, 2)
    second = later(first, "exp-2", "2026-11-23T07:30:00-06:00")
    second["checkins"] = first["checkins"][3:] + [make_checkin(i) for i in range(6, 9)]
    report = ingest_paths(con, [write_export(tmp_path, first), write_export(tmp_path, second)])
    assert report.files[1].counts["new"] == 3 and report.files[1].counts["unchanged"] == 3 + 2 + 6 + 2
    assert table_counts(con)["checkins"] == 9
    dupes = con.execute("SELECT count(*) FROM (SELECT client_id, checkin_id FROM checkins GROUP BY ALL HAVING count(*) > 1)")
    assert dupes.fetchone()[0] == 0


def test_revised_record_replaces_the_old_one_and_is_reported(con, tmp_path):
    first = make_export()
    revised = later(first, "exp-2", "2026-11-20T07:30:00-06:00")
    revised["checkins"][1]["stress"] = 2
    revised["checkins"][1]["emotions"] = [{"label": "relieved", "intensity": 5}, {"label": "tired", "intensity": 3}]
    report = ingest_paths(con, [write_export(tmp_path, first), write_export(tmp_path, revised)])
    assert report.files[1].counts == {"new": 0, "unchanged": 12, "revised": 1, "stale": 0}
    assert con.execute("SELECT stress, export_id FROM checkins WHERE checkin_id = 'ci-1'").fetchone() == (2, "exp-2")
    labels = con.execute("SELECT label FROM checkin_emotions WHERE checkin_id = 'ci-1' ORDER BY position").fetchall()
    assert labels == [("relieved",), ("tired",)]
    assert con.execute("SELECT record_kind, record_id, old_export_id, new_export_id FROM record_revisions").fetchall() \
        == [("checkin", "ci-1", "exp-1", "exp-2")]
    assert "1 revised" in report.files[1].line()


def test_an_older_export_arriving_later_does_not_overwrite(con, tmp_path):
    current = make_export()
    older = later(current, "exp-0", "2026-11-10T07:30:00-06:00")
    older["checkins"][0]["note"] = "an earlier draft"
    ingest_paths(con, [write_export(tmp_path, current)])
    report = ingest_paths(con, [write_export(tmp_path, older)])
    assert report.files[0].counts["stale"] == 1 and report.files[0].counts["revised"] == 0
    assert con.execute("SELECT note FROM checkins WHERE checkin_id = 'ci-0'").fetchone() == ("Note number 0.",)


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (1, 0, 2)])
def test_final_state_does_not_depend_on_arrival_order(tmp_path, order):
    base = make_export()
    versions = [later(base, f"exp-{i}", f"2026-11-1{6 + i}T07:30:00-06:00") for i in range(3)]
    for i, version in enumerate(versions):
        version["checkins"][0]["stress"] = i
    con = db.connect(None)
    paths = [write_export(tmp_path, v) for v in versions]
    ingest_paths(con, [paths[i] for i in order])
    assert con.execute("SELECT stress, export_id FROM checkins WHERE checkin_id = 'ci-0'").fetchone() == (2, "exp-2")
    assert table_counts(con)["checkins"] == 3


def test_rejected_file_leaves_nothing_and_others_still_ingest(con, tmp_path):
    bad = make_export(export_id="exp-bad")
    bad["client"]["client_id"] = "c-0099"
    bad["checkins"][2]["stress"] = "high"
    good = make_export(export_id="exp-good")
    report = ingest_paths(con, [write_export(tmp_path, bad), write_export(tmp_path, good)])
    assert [f.status for f in report.files] == ["rejected", "accepted"]
    assert report.files[0].reason == 'export ' + str(tmp_path / "exp-bad.json") + \
        ': checkins[2].stress: expected an integer 0–10, got text of 4 characters'
    assert con.execute("SELECT count(*) FROM checkins WHERE client_id = 'c-0099'").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM clients WHERE client_id = 'c-0099'").fetchone()[0] == 0
    logged = con.execute("SELECT status, reason FROM ingest_log ORDER BY status").fetchall()
    assert [s for s, _ in logged] == ["accepted", "rejected"]


def test_a_crash_while_saving_rolls_back_that_file_only(con, tmp_path, monkeypatch):
    exports = [make_export(export_id=f"exp-{i}", client={"client_id": f"c-{i}"}) for i in range(3)]
    original = save.save_batch

    def crash_on_client_1(connection, tables):
        result = original(connection, tables)  # everything written, then the crash
        if "c-1" in tables["exports"].column("client_id").to_pylist():
            raise OSError("disk full")
        return result

    monkeypatch.setattr("pipelines.ingest.save_batch", crash_on_client_1)
    report = ingest_paths(con, [write_export(tmp_path, e) for e in exports])
    assert [f.status for f in report.files] == ["accepted", "rejected", "accepted"]
    assert "could not be saved (an unexpected database error); nothing from this file was kept" in report.files[1].reason
    clients = con.execute("SELECT DISTINCT client_id FROM checkins ORDER BY 1").fetchall()
    assert clients == [("c-0",), ("c-2",)]
    assert con.execute("SELECT count(*) FROM exports WHERE client_id = 'c-1'").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM messages WHERE client_id = 'c-1'").fetchone()[0] == 0


def test_many_files_split_into_batches_give_the_same_result(tmp_path):
    exports = [make_export(export_id=f"exp-{i}", client={"client_id": f"c-{i % 4}"},
                           exported_at=f"2026-11-{16 + i}T07:30:00-06:00") for i in range(8)]
    for i, export in enumerate(exports):
        export["checkins"][0]["stress"] = i
    paths = [write_export(tmp_path, e) for e in exports]
    one_batch, small_batches = db.connect(None), db.connect(None)
    from pipelines.ingest import ingest_sources
    from pipelines.ingest.sources import iter_sources
    first = ingest_paths(one_batch, paths)
    second = ingest_sources(small_batches, iter_sources(paths), batch_max_records=5)
    assert [f.counts for f in first.files] == [f.counts for f in second.files]
    query = "SELECT * EXCLUDE (content_hash) FROM checkins ORDER BY client_id, checkin_id"
    assert one_batch.execute(query).fetchall() == small_batches.execute(query).fetchall()


def test_appointments_csv_is_ingested_once(con, tmp_path):
    csv = tmp_path / "appointments.csv"
    csv.write_text("client_id,provider_id,starts_at\nc-0042,p-007,2026-11-20T15:00:00-06:00\n"
                   "c-0042,p-007,2026-11-27T15:00:00-06:00\n")
    assert ingest_paths(con, [csv]).files[0].counts["new"] == 2
    assert ingest_paths(con, [csv]).files[0].counts == {"new": 0, "unchanged": 2}
    assert table_counts(con)["appointments"] == 2


def test_bad_appointments_row_is_named(con, tmp_path):
    csv = tmp_path / "appointments.csv"
    csv.write_text("client_id,provider_id,starts_at\nc-0042,p-007,2026-11-20T15:00:00-06:00\n"
                   "c-0042,p-007,next tuesday\n")
    result = ingest_paths(con, [csv]).files[0]
    assert result.status == "rejected"
    assert result.reason.endswith("line 3, starts_at: expected a timestamp with a UTC offset, "
                                  "like 2026-11-02T15:00:00-06:00")
    assert table_counts(con)["appointments"] == 0


def test_other_csv_files_are_skipped_with_a_note(con, tmp_path):
    (tmp_path / "notes.csv").write_text("a,b\n1,2\n")
    result = ingest_paths(con, [tmp_path / "notes.csv"]).files[0]
    assert result.status == "skipped" and "appointments header" in result.reason


def test_no_client_text_in_logs_or_report(con, tmp_path, caplog):
    good = make_export()
    good["checkins"][0]["note"] = CANARY
    bad = make_export(export_id="exp-bad")
    bad["checkins"][0]["stress"] = CANARY
    with caplog.at_level(logging.DEBUG):
        report = ingest_paths(con, [write_export(tmp_path, good), write_export(tmp_path, bad)])
    everything = caplog.text + "\n".join(f.line() for f in report.files)
    everything += str(con.execute("SELECT * FROM ingest_log").fetchall())
    assert "Margot" not in everything


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "pipelines", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.slow   # seconds: a subprocess or a simulation
def test_cli_reports_each_file_and_exits_non_zero_on_rejection(tmp_path, db_path):
    tmp_path = tmp_path / "exports"
    tmp_path.mkdir()
    good = write_export(tmp_path, make_export())
    bad_export = make_export(export_id="exp-bad")
    bad_export["checkins"][1]["mood"] = "low"
    bad = write_export(tmp_path, bad_export)
    (tmp_path / "README.md").write_text("not an export")
    result = run_cli("ingest", tmp_path, "--db", db_path)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert f"rejected  export {bad}: checkins[1].mood: expected an integer from -3 to 3, got text of 3 characters" in lines
    assert f"accepted  {good}: 13 new, 0 unchanged, 0 revised" in lines
    assert any(line.startswith("skipped   ") and "README.md" in line for line in lines)
    assert lines[-1] == "1 accepted, 1 rejected, 1 skipped; records: 13 new, 0 unchanged, 0 revised"
    again = run_cli("ingest", good, "--db", db_path)
    assert again.returncode == 0
    assert again.stdout.splitlines()[0] == f"accepted  {good}: 0 new, 13 unchanged, 0 revised (already ingested)"


@pytest.mark.slow   # seconds: a subprocess or a simulation
def test_parsing_in_a_worker_process_gives_the_same_result(tmp_path):
    """Large ingests parse in a spawned worker; verdicts and tables must not change."""
    exports = [make_export(export_id=f"exp-{i}", client={"client_id": f"c-{i % 3}"},
                           exported_at=f"2026-11-{16 + i}T07:30:00-06:00") for i in range(6)]
    for i, export in enumerate(exports):
        export["checkins"][0]["stress"] = i
    paths = [write_export(tmp_path, e) for e in exports]
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    paths.insert(2, bad)
    from pipelines.ingest import ingest_sources
    from pipelines.ingest.sources import iter_sources
    in_process, in_worker = db.connect(None), db.connect(None)
    first = ingest_sources(in_process, iter_sources(paths))
    second = ingest_sources(in_worker, iter_sources(paths), worker_after_bytes=0, batch_max_records=7)
    assert [(f.status, f.counts, f.sha256) for f in first.files] == \
        [(f.status, f.counts, f.sha256) for f in second.files]
    assert second.files[2].status == "rejected" and "bad.json" in second.files[2].reason
    for table in ("checkins", "messages", "checkin_emotions", "exports"):
        query = f"SELECT * EXCLUDE ({'ingested_at' if table == 'exports' else 'client_id'}) FROM {table} ORDER BY ALL"
        assert in_process.execute(query).fetchall() == in_worker.execute(query).fetchall()
    again = ingest_sources(in_worker, iter_sources(paths), worker_after_bytes=0)
    assert {f.reason for f in again.files if f.status == "accepted"} == {"already ingested"}


@pytest.mark.slow   # seconds: a subprocess or a simulation
def test_small_first_batches_and_small_chunks_give_the_same_result(tmp_path, monkeypatch):
    """Batches grow from BATCH_FIRST_RECORDS; with one file per chunk and a worker process,
    verdicts, counts and stored rows are those of one batch in this process."""
    from pipelines.ingest import ingest_sources, limits
    from pipelines.ingest.sources import iter_sources
    exports = [make_export(export_id=f"exp-{i}", client={"client_id": f"c-{i % 2}"},
                           exported_at=f"2026-11-{16 + i}T07:30:00-06:00") for i in range(8)]
    for i, export in enumerate(exports):
        export["checkins"][0]["stress"] = i
        export["checkins"][1]["stress"] = 10 - i // 2
    paths = [write_export(tmp_path, e) for e in exports]
    one_batch = db.connect(None)
    first = ingest_sources(one_batch, iter_sources(paths))
    monkeypatch.setattr(limits, "PARSE_CHUNK_BYTES", 1)
    monkeypatch.setattr(limits, "BATCH_FIRST_RECORDS", 1)
    growing = db.connect(None)
    second = ingest_sources(growing, iter_sources(paths), worker_after_bytes=0)
    assert [(f.status, f.counts) for f in first.files] == [(f.status, f.counts) for f in second.files]
    assert sum(f.counts["revised"] for f in second.files) == 6 + 6
    for table in ("checkins", "messages", "checkin_emotions", "record_revisions", "exports"):
        # content digests are compared through the statuses; timestamps of the run differ
        drop = {"exports": " EXCLUDE (ingested_at)", "record_revisions": " EXCLUDE (revised_at)",
                "checkin_emotions": ""}.get(table, " EXCLUDE (content_hash)")
        query = f"SELECT *{drop} FROM {table} ORDER BY ALL"
        assert one_batch.execute(query).fetchall() == growing.execute(query).fetchall()


@pytest.mark.slow   # seconds: a subprocess or a simulation
def test_a_worker_spawned_inside_the_app_does_not_run_the_app(tmp_path, monkeypatch):
    """Streamlit (and AppTest) make the page script the process's __main__; a spawned parse
    worker re-imports __main__, so without care it ran dashboard/app.py and died."""
    import sys
    import types

    from pipelines.ingest import ingest_sources
    from pipelines.ingest.sources import iter_sources

    app_main = types.ModuleType("__main__")
    app_main.__file__ = str(ROOT / "dashboard" / "app.py")
    monkeypatch.setitem(sys.modules, "__main__", app_main)
    report = ingest_sources(db.connect(None), iter_sources([write_export(tmp_path, make_export())]),
                            worker_after_bytes=0)
    assert [f.status for f in report.files] == ["accepted"]
