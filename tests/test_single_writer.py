"""One writer by design (pipelines/writer.py, README "One writer by design"): with the app
open on a database, `python -m pipelines ingest` and `analyze` succeed by handing their job
to the app, pages drawn during a write show the last committed state, and the next page
load shows the new data."""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pipelines import db, writer
from tests.conftest import CANARY, DEMO_PASSWORD, ROOT, SAMPLE, make_export, write_export

APP = str(ROOT / "dashboard" / "app.py")
FIRST, MORE = ["exports/c-0001"], ["exports/c-0014", "appointments.csv"]
RISK_CLIENT = "c-0014"   # planted urgent statements


def cli(*args: str, db_path: Path, cwd: Path = SAMPLE, extra_env: dict | None = None,
        **popen) -> subprocess.CompletedProcess:
    """`python -m pipelines ARGS --db DB`, as an admin runs it from the sample folder."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", **(extra_env or {})}
    return subprocess.run([sys.executable, "-m", "pipelines", *args, "--db", str(db_path)], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=900, **popen)


def cli_popen(*args: str, db_path: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    return subprocess.Popen([sys.executable, "-m", "pipelines", *args, "--db", str(db_path)], cwd=SAMPLE,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def small_db(tmp_path) -> Path:
    """One sample client's exports ingested (not analyzed), by the command line, no app open."""
    path = tmp_path / "clinic" / "interlude.duckdb"
    done = cli("ingest", *FIRST, db_path=path)
    assert done.returncode == 0, done.stderr
    accounts = cli("users", "demo", db_path=path, extra_env={"INTERLUDE_DEMO_PASSWORD": DEMO_PASSWORD})
    assert accounts.returncode == 0, accounts.stderr
    return path


@pytest.fixture
def app(small_db, monkeypatch):
    """The app (AppTest, in this process) open on `small_db`: it holds the write lock and
    takes handed-over jobs. Closed afterwards, so the file is free again."""
    from dashboard import data

    monkeypatch.setenv("INTERLUDE_DB", str(small_db))
    monkeypatch.setenv("INTERLUDE_TODAY", "latest-data")
    yield small_db
    service = data._writer(str(small_db))
    writer.stop(service.server, small_db)
    service.con.close()
    data._writer.clear()


def page(name: str, **params) -> AppTest:
    """A fresh page load (a new session, as a browser tab opened now)."""
    from tests.test_pages import sign_in

    test = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        test.query_params[key] = value
    sign_in(test, "supervisor")
    test.switch_page(name)
    test.run()
    assert not test.exception, [e.value for e in test.exception]
    return test


def metrics(test: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in test.metric}


def page_text(test: AppTest) -> str:
    return "\n".join([m.value for m in test.markdown] + [i.value for i in test.info]
                     + [c.value for c in test.caption] + [e.label for e in test.expander])


# --- with the app open ------------------------------------------------------------------

def test_ingest_and_analyze_from_the_command_line_while_the_app_is_open(app, tmp_path):
    # What the same ingest prints with no app running (on a copy of the file).
    alone = tmp_path / "alone.duckdb"
    shutil.copyfile(app, alone)
    expected = cli("ingest", *MORE, db_path=alone)

    assert metrics(page("views/database.py"))["Clients"] == "1"   # the app now holds the file
    assert writer.socket_path(app).is_socket()   # beside the file, or in /tmp for a deep path

    ingested = cli("ingest", *MORE, db_path=app)
    assert ingested.returncode == 0 and "Traceback" not in ingested.stderr, ingested.stderr
    assert ingested.stdout == expected.stdout   # the same report lines, files named as typed
    assert "accepted  exports/c-0014/" in ingested.stdout
    assert metrics(page("views/database.py"))["Clients"] == "2"   # the next page load

    assert "not been analyzed" in page_text(page("views/today.py"))
    analyzed = cli("analyze", db_path=app)
    assert analyzed.returncode == 0 and "Traceback" not in analyzed.stderr, analyzed.stderr
    assert analyzed.stdout.startswith("analyzed ")
    brief = page("views/brief.py", client=RISK_CLIENT)
    assert "not been analyzed" not in page_text(brief)
    assert "URGENT" in page_text(brief)


def test_a_page_drawn_during_a_write_shows_the_last_committed_state(app):
    from dashboard import data

    before = metrics(page("views/database.py"))
    assert int(before["Check-ins"]) > 0
    started, release = threading.Event(), threading.Event()

    def forget_checkins(cursor):
        with db.transaction(cursor):
            cursor.execute("DELETE FROM checkin_emotions")
            cursor.execute("DELETE FROM checkin_body_sensations")
            cursor.execute("DELETE FROM checkins")
            started.set()
            release.wait(60)

    service = data._writer(str(app))
    job = threading.Thread(target=service.run, args=(forget_checkins,))
    job.start()
    try:
        assert started.wait(30)
        during = page("views/database.py")   # a fresh session, while the write is open
        assert metrics(during) == before
    finally:
        release.set()
        job.join(30)
    assert metrics(page("views/database.py"))["Check-ins"] == "0"   # committed: the next load


def test_pages_keep_drawing_while_a_handed_over_ingest_runs(app):
    from dashboard import data

    service = data._writer(str(app))
    page("views/database.py")
    ingest = cli_popen("ingest", "exports", "appointments.csv", db_path=app)
    during = 0
    try:
        while ingest.poll() is None:
            if service.lock.locked():   # the handed-over ingest is running in the app
                assert int(metrics(page("views/database.py"))["Clients"]) >= 1
                during += 1
            else:
                time.sleep(0.05)
    finally:
        out, err = ingest.communicate(timeout=300)
    assert ingest.returncode == 0 and "Traceback" not in err, err
    assert during >= 1, "no page was drawn while the ingest ran"
    assert metrics(page("views/database.py"))["Clients"] == "24"


def test_an_app_started_while_a_command_writes_waits_for_it_then_draws(small_db, monkeypatch):
    from dashboard import data

    monkeypatch.setenv("INTERLUDE_DB", str(small_db))
    holder = subprocess.Popen(   # the write lock, held by a process that is not the app
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('open', flush=True); time.sleep(3)", str(small_db)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        test = page("views/database.py")   # says so and retries until the file is free
        assert holder.poll() is not None
        assert metrics(test)["Clients"] == "1"
    finally:
        holder.kill()
        holder.wait()
        service = data._writer(str(small_db))
        writer.stop(service.server, small_db)
        service.con.close()
        data._writer.clear()


# --- the real server, in Chromium ------------------------------------------------------

def test_a_real_server_takes_an_ingest_and_shows_the_new_data(small_db, tmp_path, chromium_browser):
    from tests.browser import StreamlitServer, open_page, sign_in, streamlit_errors

    with StreamlitServer(small_db, tmp_path / "streamlit.log") as server:
        context = chromium_browser.new_context()
        sign_in(context, server.url, "supervisor")
        tab = context.new_page()
        try:
            open_page(tab, server.url, "/database", "Exports received")
            ingest = cli_popen("ingest", "exports", "appointments.csv", db_path=small_db)
            loads = 0
            while ingest.poll() is None and loads < 5:   # pages drawn while it runs
                open_page(tab, server.url, "/database", "Exports received")
                assert not streamlit_errors(tab)
                loads += 1
            out, err = ingest.communicate(timeout=300)
            assert ingest.returncode == 0 and "Traceback" not in err, err
            assert " 0 rejected" in out
            open_page(tab, server.url, "/database", "Exports received")   # the next page load
            clients = tab.locator('[data-testid="stMetric"]').filter(has_text="Clients")
            assert clients.inner_text().split()[-1] == "24"
        finally:
            tab.close()
        log = server.log()
    assert "Traceback" not in log


# --- the channel ------------------------------------------------------------------------

@pytest.fixture
def served(tmp_path):
    """A database opened by `writer.start` in this process, serving the job channel."""
    path = tmp_path / "served.duckdb"
    service = writer.start(path)
    yield path, service
    writer.stop(service.server, path)
    service.con.close()


def raw_request(path: Path, payload: bytes) -> list[dict]:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(str(writer.socket_path(path)))
        sock.sendall(payload)
        sock.shutdown(socket.SHUT_WR)
        return [json.loads(line) for line in sock.makefile("rb")]


def test_a_handed_over_ingest_round_trips(served, tmp_path, monkeypatch):
    path, service = served
    export = write_export(tmp_path, make_export(4, 2, 1))
    monkeypatch.chdir(tmp_path)
    lines, errors = [], []
    before = writer.generation()
    code = writer.submit(path, "ingest", writer.ingest_args([export.name], quiet=False),
                         out=lines.append, err=errors.append)
    assert code == 0 and errors == []
    assert lines == [f"accepted  {export.name}: 13 new, 0 unchanged, 0 revised",
                     "1 accepted, 0 rejected, 0 skipped; records: 13 new, 0 unchanged, 0 revised"]
    assert writer.generation() > before   # the pages' caches are invalidated
    with service.cursor() as cursor:
        assert cursor.execute("SELECT count(*) FROM checkins").fetchone()[0] == 4
    # A rejected file: the job's exit code comes back too.
    (tmp_path / "broken.json").write_text("{")
    assert writer.submit(path, "ingest", writer.ingest_args(["broken.json"], quiet=True),
                         out=lines.append, err=errors.append) == 1
    assert lines[-2].startswith("rejected") and "broken.json" in lines[-2]


def test_users_audit_and_forget_commands_are_handed_to_the_app_too(served, tmp_path):
    """The account, audit and consent-withdrawal commands work while the app holds the file."""
    path, service = served
    added = subprocess.run([sys.executable, "-m", "pipelines", "users", "add", "moreau", "--role", "therapist",
                            "--provider", "p-009", "--db", str(path)], cwd=ROOT, input="a long enough password\n",
                           env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=300)
    assert added.returncode == 0 and "Traceback" not in added.stderr, added.stderr
    assert added.stdout.strip() == "added moreau (therapist)"
    listed = cli("users", "list", db_path=path, cwd=tmp_path)
    assert listed.returncode == 0 and "moreau" in listed.stdout and "p-009" in listed.stdout
    assert "a long enough password" not in listed.stdout + listed.stderr
    verified = cli("audit", "verify", db_path=path, cwd=tmp_path)
    assert verified.returncode == 0 and verified.stdout.strip().endswith("intact"), verified.stdout
    forgot = cli("forget", "c-0404", db_path=path, cwd=tmp_path)
    assert forgot.returncode == 0 and "nothing stored for client c-0404" in forgot.stdout, forgot.stderr
    with service.cursor() as cursor:
        assert cursor.execute("SELECT action FROM audit_log ORDER BY seq").fetchall() == \
            [("user added",)]   # nothing was stored for c-0404, so nothing was withdrawn
    # A job the command line may not send: refused, without echo.
    with pytest.raises(writer.HandOffFailed, match="users takes an action"):
        writer.submit(path, "users", {"action": "drop"})


def test_the_socket_is_private_to_its_user(served):
    path, _ = served
    mode = os.stat(writer.socket_path(path)).st_mode
    assert stat.S_ISSOCK(mode) and stat.S_IMODE(mode) == 0o600


@pytest.mark.parametrize("payload, reason", [
    (json.dumps({"command": f"rm -rf / {CANARY}", "args": {}}), "unknown command"),
    (json.dumps({"command": "__init__", "args": {}}), "unknown command"),
    (json.dumps({"command": "analyze", "args": {"note": CANARY}}), "analyze takes no arguments"),
    (json.dumps({"command": "ingest", "args": {"paths": [CANARY + "\x00"], "cwd": "/", "quiet": False}}),
     "ingest paths must be a non-empty list of path strings"),
    (json.dumps({"command": "ingest", "args": {"paths": ["a"], "cwd": "relative", "quiet": False}}),
     "ingest cwd must be an absolute path"),
    ("not json " + CANARY, "not a JSON request"),
    (json.dumps([CANARY]), "a request has a command and its args"),
])
def test_unknown_commands_and_bad_arguments_are_refused_without_echo(served, caplog, payload, reason):
    path, service = served
    caplog.set_level(logging.DEBUG)
    before = writer.generation()
    assert raw_request(path, payload.encode() + b"\n") == [{"refused": reason}]
    assert writer.generation() == before and not service.lock.locked()
    assert CANARY not in caplog.text and "rm -rf" not in caplog.text
    with pytest.raises(writer.HandOffFailed, match="refused the job: unknown command"):
        writer.submit(path, "drop", {})


def test_without_the_app_the_command_line_opens_the_file_itself(tmp_path):
    path = tmp_path / "interlude.duckdb"
    done = cli("ingest", *FIRST, db_path=path)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert not writer.socket_path(path).exists()
    con = db.connect(path, read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM clients").fetchone()[0] == 1
    finally:
        con.close()


def test_a_lock_held_by_another_program_is_explained_without_a_traceback(tmp_path):
    path = tmp_path / "interlude.duckdb"
    db.connect(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('open', flush=True); time.sleep(120)", str(path)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        done = cli("ingest", *FIRST, db_path=path)
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 75
    assert "Traceback" not in done.stderr
    assert f"the database is open for writing in process {holder.pid}" in done.stderr
    assert "does not take jobs" in done.stderr


def test_a_stale_socket_of_a_dead_app_is_replaced(tmp_path):
    path = tmp_path / "interlude.duckdb"
    stale = writer.socket_path(path)
    stale.parent.mkdir(parents=True, exist_ok=True)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as dead:
        dead.bind(str(stale))   # bound, never listening: what a killed app leaves behind
    service = writer.start(path)
    try:
        assert raw_request(path, b'{"command": "drop", "args": {}}\n') == [{"refused": "unknown command"}]
    finally:
        writer.stop(service.server, path)
        service.con.close()
    assert not stale.exists()


def test_a_database_path_too_long_for_a_socket_gets_a_private_one(tmp_path):
    deep = tmp_path / ("d" * 120) / "interlude.duckdb"
    path = writer.socket_path(deep)
    assert len(os.fsencode(path)) <= writer.MAX_UNIX_PATH
    assert path.parent.name == f"interlude-{os.getuid()}"
    assert writer.socket_path(deep) == path != writer.socket_path(tmp_path / "other.duckdb")


def test_a_deep_temporary_folder_falls_back_to_tmp_for_the_socket(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / ("t" * 90)))
    path = writer.socket_path(tmp_path / ("d" * 120) / "interlude.duckdb")
    assert len(os.fsencode(path)) <= writer.MAX_UNIX_PATH
    assert path.parent == Path("/tmp") / f"interlude-{os.getuid()}"


def test_an_encrypted_database_reads_on_cursors(tmp_path):
    path = tmp_path / "locked.duckdb"
    con = db.connect(path, key="correct horse")
    try:
        service = writer.Writer(con)
        with service.cursor(timezone="UTC") as cursor:
            assert cursor.execute("SELECT count(*) FROM clients").fetchone()[0] == 0
            assert cursor.execute("SELECT current_setting('TimeZone')").fetchone()[0] == "UTC"
    finally:
        con.close()
