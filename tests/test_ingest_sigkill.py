"""kill -9 of `python -m pipelines ingest` mid-ingest: the database opens and holds only whole
files, and no parsing worker outlives the ingest."""

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest

from pipelines import db
from pipelines.ingest import limits
from tests.conftest import ROOT, make_export, write_export

pytestmark = [pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"), pytest.mark.slow]


def processes_with(marker: str) -> dict[int, int]:
    """pid → parent pid of every process whose environment holds ``marker``."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as handle:
                if marker.encode() not in handle.read():
                    continue
            with open(f"/proc/{entry}/stat") as handle:
                found[int(entry)] = int(handle.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
    return found


def test_sigkill_mid_ingest_leaves_whole_files_and_no_worker(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    n_files, n_bytes = 0, 0
    while n_bytes < 2.5 * limits.WORKER_AFTER_BYTES:   # enough that a worker parses
        export = make_export(300, 30, 30, export_id=f"exp-{n_files}",
                             client={"client_id": f"c-{n_files:04d}"})
        n_bytes += write_export(folder, export).stat().st_size
        n_files += 1
    db_path = tmp_path / "interlude.duckdb"
    marker = f"INTERLUDE_KILL_TEST={uuid.uuid4().hex}"
    key, value = marker.split("=")
    ingest = subprocess.Popen([sys.executable, "-m", "pipelines", "ingest", str(folder), "--db", str(db_path), "-q"],
                              cwd=ROOT, env={**os.environ, key: value, "HF_HUB_OFFLINE": "1"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not any(parent == ingest.pid for parent in processes_with(marker).values()):
            assert ingest.poll() is None, "ingest finished before its worker was seen"
            assert time.monotonic() < deadline, "no parsing worker started"
            time.sleep(0.05)
        time.sleep(1.0)   # some batches saved, others being parsed and saved
        assert ingest.poll() is None
        os.kill(ingest.pid, signal.SIGKILL)
        ingest.wait(10)
    finally:
        if ingest.poll() is None:
            ingest.kill()
    deadline = time.monotonic() + 10
    while processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert processes_with(marker) == {}, "a parsing worker outlived the killed ingest"

    con = db.connect(db_path)
    try:
        per_client = con.execute("""
            SELECT e.client_id, e.n_records,
                   (SELECT count(*) FROM checkins c WHERE c.client_id = e.client_id)
                   + (SELECT count(*) FROM conversations v WHERE v.client_id = e.client_id)
                   + (SELECT count(*) FROM messages m WHERE m.client_id = e.client_id)
                   + (SELECT count(*) FROM practices p WHERE p.client_id = e.client_id)
            FROM exports e
        """).fetchall()
        assert all(n == stored for _, n, stored in per_client), "a file was saved in part"
        orphans = con.execute("""
            SELECT count(*) FROM (SELECT client_id FROM checkins UNION SELECT client_id FROM messages
                                  UNION SELECT client_id FROM practices UNION SELECT client_id FROM conversations)
            WHERE client_id NOT IN (SELECT client_id FROM exports)
        """).fetchone()[0]
        assert orphans == 0, "records of a file whose export row was not saved"
        assert len(per_client) < n_files, "the ingest finished before it was killed"
        clients = con.execute("SELECT count(*) FROM clients").fetchone()[0]
        assert clients == len(per_client)
    finally:
        con.close()
