"""The Upload page (AppTest, and once in Chromium) and its pure model (dashboard/upload_model.py).

The tests use a small database of factory exports (rivera's p-001, with the demo accounts), so
the analysis after an upload runs the real model on a handful of texts."""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import upload_model
from pipelines import db, users
from pipelines.ingest import FileResult, IngestReport, ingest_paths, limits
from tests.conftest import CANARY, DEMO_PASSWORD, export_bytes, make_export, write_export
from tests.test_calendar import calendar, event
from tests.test_pages import APP, open_page, sign_in

RIVERA, OKAFOR = "p-001", "p-002"     # the demo therapists rivera and okafor


def export_of(provider: str, client_id: str, export_id: str, **overrides) -> dict:
    return make_export(export_id=export_id, client={"client_id": client_id, "display_name": "T. U.",
                                                    "timezone": "Europe/London"},
                       provider={"provider_id": provider, "name": f"Dr. {provider}"}, **overrides)


def small_db(folder: Path) -> Path:
    """A database with one client of rivera's (ingested, not analyzed) and the demo accounts."""
    path = folder / "interlude.duckdb"
    con = db.connect(path)
    try:
        report = ingest_paths(con, [write_export(folder, export_of(RIVERA, "c-0100", "exp-base"))])
        assert not report.rejected
        users.demo(con, DEMO_PASSWORD)
    finally:
        con.close()
    return path


@pytest.fixture
def upload_db(tmp_path, monkeypatch) -> Path:
    """small_db as the app's database."""
    path = small_db(tmp_path)
    monkeypatch.setenv("INTERLUDE_DB", str(path))
    monkeypatch.setenv("INTERLUDE_TODAY", "latest-data")
    monkeypatch.setenv("INTERLUDE_MODEL_CACHE", os.environ.get("INTERLUDE_MODEL_CACHE", "/work/main/data/models"))
    return path


def rows(path, sql: str, params: list | None = None):
    """Read through the app's own connection (it holds the file once a page has run)."""
    from dashboard import data

    return data._query(path, sql, params)


def upload_page(user: str) -> AppTest:
    return open_page("views/upload.py", user, timeout=300)


def upload(app: AppTest, *files: tuple[str, bytes]) -> AppTest:
    app.file_uploader[0].set_value([(name, content, "application/octet-stream") for name, content in files]).run()
    next(b for b in app.button if b.label.startswith("Upload ")).click().run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def page_text(app: AppTest) -> str:
    parts = [m.value for m in app.markdown] + [c.value for c in app.caption] + [s.value for s in app.success]
    parts += [w.value for w in app.warning] + [i.value for i in app.info] + [e.value for e in app.error]
    return "\n".join(parts)


def table(app: AppTest):
    return app.dataframe[0].value


# --- the page ------------------------------------------------------------------------------

def test_the_page_states_the_ingest_limits_from_the_ingest_constants(upload_db):
    app = upload_page("admin")
    text = page_text(app)
    assert upload_model.human_bytes(limits.MAX_EXPORT_BYTES) in text
    assert f"{limits.MAX_ARCHIVE_MEMBERS:,} files" in text
    assert f"{limits.MAX_JSON_DEPTH} levels" in text
    assert app.file_uploader[0].accept_multiple_files
    assert set(app.file_uploader[0].allowed_type) == {".json", ".zip", ".csv", ".ics"}


def test_a_valid_export_is_accepted_analyzed_and_the_next_page_read_sees_the_new_client(upload_db):
    from dashboard import data

    rivera = users.User("rivera", "therapist", RIVERA)
    app = upload_page("rivera")
    assert "c-0200" not in set(data.clients(upload_db, rivera)["client_id"])   # cached before the upload
    upload(app, ("c-0200.json", export_bytes(export_of(RIVERA, "c-0200", "exp-new"))))
    frame = table(app)
    assert frame.to_dict("records")[0] == {"File": "c-0200.json", "Result": "accepted", "New": 13, "Unchanged": 0,
                                           "Revised": 0, "Error or note": ""}
    text = page_text(app)
    assert "1 file: 1 accepted, 0 rejected, 0 skipped. Records: 13 new" in text
    assert "Analysis updated" in text
    # The writer's generation moved: the same cached read now sees the new client, analyzed.
    assert "c-0200" in set(data.clients(upload_db, rivera)["client_id"])
    assert rows(upload_db, "SELECT count(*) AS n FROM analysis_texts WHERE client_id = 'c-0200' "
                           "AND valence IS NOT NULL").iloc[0, 0] > 0
    audit_rows = rows(upload_db, "SELECT username, client_id, detail FROM audit_log WHERE action = 'upload'")
    assert audit_rows.to_dict("records") == [{"username": "rivera", "client_id": None, "detail":
                                              "1 file: 1 accepted, 0 rejected, 0 skipped; records 13 new, "
                                              "0 unchanged, 0 revised"}]
    # The other pages show it without a restart: the client explorer lists the client.
    app.switch_page("views/explorer.py")
    app.run()
    assert not app.exception
    assert any(option.endswith("· c-0200") for option in app.selectbox[0].options), app.selectbox[0].options


def test_an_invalid_export_is_rejected_with_its_field_path_and_nothing_is_stored(upload_db, caplog):
    import logging

    bad = export_of(RIVERA, "c-0300", "exp-bad")
    bad["checkins"][1]["stress"] = CANARY
    app = upload_page("rivera")
    with caplog.at_level(logging.DEBUG):
        upload(app, ("bad.json", export_bytes(bad)))
    assert CANARY not in caplog.text
    assert not rows(upload_db, "SELECT * FROM ingest_log WHERE contains(coalesce(reason, ''), ?)", [CANARY]).shape[0]
    text = page_text(app)
    assert "1 rejected" in text and "nothing from these files was kept" in text
    assert "checkins&#91;1&#93;&#46;stress" in text          # the field path, as inert text
    frame = table(app)
    assert frame["Result"].tolist() == ["rejected"]
    assert frame["Error or note"][0].startswith("checkins[1].stress: expected")
    assert CANARY not in text and CANARY not in frame.to_string()
    assert rows(upload_db, "SELECT count(*) FROM clients WHERE client_id = 'c-0300'").iloc[0, 0] == 0
    assert "nothing new to analyze" in text                  # nothing to analyze


def test_a_zip_with_mixed_members_is_reported_member_by_member(upload_db):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("week/c-0400.json", export_bytes(export_of(RIVERA, "c-0400", "exp-400")))
        zf.writestr("week/broken.json", b'{"format": "client-export", ')
        zf.writestr("week/readme.txt", b"hello")
        zf.writestr("week/appointments.csv",
                    f"client_id,provider_id,starts_at\nc-0400,{RIVERA},2026-11-20T10:00:00+00:00\n")
        zf.writestr("week/rivera.ics", calendar(event("a@cal", "20261103T160000Z", "Session [c-0400]"),
                                                name=f"Dr Rivera [provider:{RIVERA}]"))
    app = upload_page("admin")
    upload(app, ("week 47.zip", archive.getvalue()))
    results = {r["File"]: r["Result"] for r in table(app).to_dict("records")}
    assert results == {"week 47.zip:week/c-0400.json": "accepted", "week 47.zip:week/broken.json": "rejected",
                       "week 47.zip:week/readme.txt": "skipped", "week 47.zip:week/appointments.csv": "accepted",
                       "week 47.zip:week/rivera.ics": "accepted"}
    text = page_text(app)
    assert "5 files: 3 accepted, 1 rejected, 1 skipped" in text
    assert "broken&#46;json" in text
    assert rows(upload_db, "SELECT count(*) FROM appointments WHERE client_id = 'c-0400'").iloc[0, 0] == 2


def test_a_therapist_uploading_another_providers_export_is_rejected_and_nothing_is_stored(upload_db):
    app = upload_page("rivera")
    before = rows(upload_db, "SELECT (SELECT count(*) FROM exports) AS e, (SELECT count(*) FROM checkins) AS c, "
                             "(SELECT count(*) FROM appointments) AS a")
    upload(app, ("okafor.json", export_bytes(export_of(OKAFOR, "c-0500", "exp-okafor"))),
           ("appointments.csv", f"client_id,provider_id,starts_at\nc-0500,{OKAFOR},2026-11-20T10:00:00+00:00\n"
                                .encode()))
    frame = table(app)
    assert frame["Result"].tolist() == ["rejected", "rejected"]
    assert "another provider" in frame["Error or note"][0] and "another provider" in frame["Error or note"][1]
    text = page_text(app)
    assert "you can upload only your own clients" in text
    after = rows(upload_db, "SELECT (SELECT count(*) FROM exports) AS e, (SELECT count(*) FROM checkins) AS c, "
                            "(SELECT count(*) FROM appointments) AS a")
    assert after.equals(before)
    assert rows(upload_db, "SELECT count(*) FROM clients WHERE client_id = 'c-0500'").iloc[0, 0] == 0
    # An admin may upload the same file.
    admin = upload_page("admin")
    upload(admin, ("okafor.json", export_bytes(export_of(OKAFOR, "c-0500", "exp-okafor"))))
    assert table(admin)["Result"].tolist() == ["accepted"]


def test_supervisors_have_no_upload_page_and_cannot_upload(upload_db):
    from dashboard import data, writes

    app = AppTest.from_file(APP, default_timeout=120)
    sign_in(app, "supervisor")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("views/upload.py")
    supervisor = users.User("supervisor", "supervisor", supervises=(RIVERA, OKAFOR))
    with pytest.raises(data.AccessDenied):
        writes.upload(upload_db, supervisor, [("a.json", export_bytes(export_of(RIVERA, "c-0600", "exp-600")))])
    assert rows(upload_db, "SELECT count(*) FROM clients WHERE client_id = 'c-0600'").iloc[0, 0] == 0


def test_the_upload_folder_is_private_and_deleted(upload_db, monkeypatch, tmp_path):
    """The bytes go to a 0700 folder under safe names, ingest reads them there, and the folder
    is gone when the upload returns; a name with a path in it cannot leave the folder."""
    import tempfile

    from dashboard import writes

    seen = {}
    real_sources = writes._uploaded_sources

    def watching(folder, names, progress):
        seen["mode"] = folder.stat().st_mode & 0o777
        seen["files"] = {p.name: p.stat().st_mode & 0o777 for p in folder.iterdir()}
        seen["folder"] = folder
        yield from real_sources(folder, names, progress)

    monkeypatch.setattr(writes, "_uploaded_sources", watching)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    upload_page("admin")   # the app opens the database
    admin = users.User("admin", "admin")
    report = writes.upload(upload_db, admin, [("../../etc/x.json", b"{}"), ("x.json", b"[]")])
    assert seen["mode"] == 0o700 and set(seen["files"].values()) == {0o600}
    assert set(seen["files"]) == {"x.json", "x (2).json"}
    assert [f.name for f in report.files] == ["x.json", "x (2).json"]
    assert not seen["folder"].exists()


# --- the pure model ---------------------------------------------------------------------------

def test_safe_names_strip_folders_and_odd_characters_and_stay_distinct():
    assert upload_model.safe_names(["a.json", "A.JSON", "../x/<b>.ZIP", "C:\\Users\\me\\c.csv", "", "noext",
                                    "x." + "y" * 30]) == [
        "a.json", "A (2).json", "_b_.zip", "c.csv", "upload", "noext", "x." + "y" * 30]
    long = upload_model.safe_names(["n" * 300 + ".json"])[0]
    assert len(long) == upload_model.MAX_NAME_CHARS and long.endswith(".json")


def test_the_report_strips_the_file_prefix_and_counts_accepted_records_only():
    accepted = FileResult("a.json", "accepted", export_id="e1",
                          counts=Counter(new=5, unchanged=2, revised=1, stale=0))
    rejected = FileResult("b.json", "rejected", reason="export b.json: checkins[0].mood: expected an integer")
    conflict = FileResult("d.json", "rejected", reason="export d.json: export_id conflict: export_id \"e1\" is "
                                                       "already held; nothing from this file was kept")
    skipped = FileResult("c.txt", "skipped", reason="not an export (.json), appointments (.csv, .ics) or .zip file")
    report = upload_model.upload_report(IngestReport("run", [accepted, rejected, skipped, conflict]))
    assert report.headline() == ("4 files: 1 accepted, 2 rejected, 1 skipped. Records: 5 new, 2 unchanged, "
                                 "1 revised.")
    assert [r.message for r in report.files] == ["", "checkins[0].mood: expected an integer",
                                                 "not an export (.json), appointments (.csv, .ics) or .zip file",
                                                 "export_id conflict: export_id \"e1\" is already held"]
    assert upload_model.audit_detail(report) == ("4 files: 1 accepted, 2 rejected, 1 skipped; records 5 new, "
                                                 "2 unchanged, 1 revised")
    assert upload_model.needs_analysis(IngestReport("run", [accepted]))
    unchanged = FileResult("a.json", "accepted", export_id="e1", counts=Counter(unchanged=3))
    appointments = FileResult("x.csv", "accepted", counts=Counter(new=3))
    assert not upload_model.needs_analysis(IngestReport("run", [unchanged, appointments, rejected]))


def test_progress_moves_forward_through_the_phases():
    steps = [upload_model.progress_step(*s) for s in
             [("ingest", 0, 2), ("ingest", 2, 2), ("analysis", 0, 1), ("embed", 0, 40), ("embed", 40, 40),
              ("signals", 10, 20), ("themes", 3, 3), ("trends", 0, 4), ("trends", 4, 4), ("clinical", 3, 3)]]
    fractions = [s[0] for s in steps]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert steps[7][1] == "Refitting 8-week trends (0 of 4)"
    assert steps[5][1].endswith("(10 of 20)")
    # every stage run_analysis reports has its place on the bar
    from pipelines import analyze
    import inspect
    for stage in ("embed", "signals", "themes", "trends", "clinical"):
        assert f'"{stage}"' in inspect.getsource(analyze) + inspect.getsource(__import__("pipelines.themes_stage").themes_stage)
        assert upload_model.progress_step(stage, 1, 2) is not None
        assert upload_model.progress_step(stage, 1, 2, upload_model.FORGET_PHASES) is not None
    assert upload_model.progress_step("unknown", 0, 1) is None
    assert upload_model.progress_step("waiting", 0, 1)[1].startswith("Waiting for another write")


def test_limit_lines_name_every_ingest_limit_a_file_can_hit():
    text = " ".join(upload_model.limit_lines(200))
    for value in (upload_model.human_bytes(limits.MAX_EXPORT_BYTES), upload_model.human_bytes(limits.MAX_APPOINTMENTS_BYTES),
                  upload_model.human_bytes(limits.MAX_ARCHIVE_UNCOMPRESSED_BYTES), f"{limits.MAX_ARCHIVE_MEMBERS:,}",
                  f"{limits.MAX_COMPRESSION_RATIO}:1", f"{limits.MAX_JSON_DEPTH} levels",
                  f"{limits.MAX_ICS_EVENTS:,} events", "200 MB"):
        assert value in text


def test_progress_state_never_moves_back_and_ignores_unknown_stages():
    progress = upload_model.Progress()
    progress("analysis", 0, 1)
    at = progress.fraction
    progress("ingest", 0, 3)            # a late call from an earlier stage
    progress("parse", 5, 9)             # not a phase of the upload
    assert progress.fraction == at and progress.words.startswith("Analyzing")


def test_withdrawal_words_say_what_happened_with_ids_and_counts_only():
    from pipelines.forget import ForgetReport

    found = ForgetReport("c-0042", "admin", client_tables=("checkins",), deleted={"checkins": 3}, audited=True)
    kind, line, note = upload_model.withdrawal_words((found, object()), None, "admin")
    assert kind == "success" and line.startswith("Forgot client c-0042: 3 rows")
    assert "derived again" in note and '"consent withdrawn" by admin' in note
    assert "could not be derived" in upload_model.withdrawal_words((found, None), None, "admin")[2]
    missing = ForgetReport("c-0043", "admin", client_tables=("checkins",), deleted={"checkins": 0})
    assert upload_model.withdrawal_words((missing, None), None, "admin")[0] == "info"
    assert upload_model.withdrawal_words(None, "TransactionException", "admin")[0] == "error"


def test_an_upload_left_running_is_picked_up_when_the_page_is_opened_again(upload_db):
    """The job runs on its own thread: a page switch mid-upload loses neither the files nor the report."""
    from dashboard import writes

    app = upload_page("rivera")
    rivera = users.User("rivera", "therapist", RIVERA)
    progress = upload_model.Progress()
    job = writes.Background(writes.upload, upload_db, rivera,
                            [("c-0900.json", export_bytes(export_of(RIVERA, "c-0900", "exp-900")))], progress=progress)
    app.session_state["upload_running"] = (job, progress)   # as the page left it when the user went elsewhere
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert job.finished.is_set() and progress.fraction == 1.0
    assert table(app)["Result"].tolist() == ["accepted"]
    assert "upload_running" not in app.session_state


def test_an_upload_behind_another_write_says_it_waits_then_runs(upload_db):
    import time

    from dashboard import data, writes

    upload_page("admin")   # the app opens the database
    writer = data._writer_or_wait(upload_db)
    progress = upload_model.Progress()
    with writer.lock:      # another write holds the database
        job = writes.Background(writes.upload, upload_db, users.User("admin", "admin"),
                                [("c-0901.json", export_bytes(export_of(RIVERA, "c-0901", "exp-901")))],
                                progress=progress)
        deadline = time.monotonic() + 60
        while not progress.words.startswith("Waiting") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert progress.words.startswith("Waiting for another write") and not job.finished.is_set()
    assert job.wait(300) and job.failed is None
    assert job.result.count("accepted") == 1


def test_withdrawal_needs_a_client_id_typed_twice():
    assert upload_model.withdrawal_problem("", "") == "Enter the client id."
    assert "not a client id" in upload_model.withdrawal_problem("c 42; DROP", "c 42; DROP")
    assert "again" in upload_model.withdrawal_problem("c-0042", "c-0024")
    assert upload_model.withdrawal_problem("c-0042", "c-0042") is None


# --- in a real browser -----------------------------------------------------------------------

def test_upload_in_chromium_shows_accepted_and_rejected_files(chromium_browser, tmp_path):
    """Drop two files on the real uploader's input as admin; the report names both verdicts."""
    from tests.browser import SCREENSHOTS, StreamlitServer, full_page_screenshot, open_page, settle
    from tests.browser import sign_in as browser_sign_in, streamlit_errors

    (tmp_path / "server").mkdir()
    copy = small_db(tmp_path / "server")
    good = write_export(tmp_path, export_of(RIVERA, "c-0700", "exp-700"), "c-0700.json")
    bad = tmp_path / "broken.json"
    bad.write_text(json.dumps({"format": "client-export"}))
    with StreamlitServer(copy, tmp_path / "streamlit.log") as server:
        context = chromium_browser.new_context(viewport={"width": 1400, "height": 900})
        try:
            browser_sign_in(context, server.url, "admin")
            page = context.new_page()
            open_page(page, server.url, "/upload", "Drop files here")
            page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files([str(good), str(bad)])
            page.get_by_role("button", name="Upload 2 files").click(timeout=60_000)
            page.get_by_text("Last upload").wait_for(state="visible", timeout=300_000)
            settle(page)
            main = page.locator('[data-testid="stMain"]').inner_text()
            full_page_screenshot(page, SCREENSHOTS / "upload.png")
            assert "2 files: 1 accepted, 1 rejected" in main
            assert "broken.json" in main and "Analysis updated" in main
            assert streamlit_errors(page) == []
        finally:
            context.close()
