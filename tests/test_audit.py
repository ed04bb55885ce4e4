"""The audit trail is append-only and hash-chained: `python -m pipelines audit verify` exits
non-zero once any row is edited or deleted, the newest included."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pipelines import audit, db
from tests.conftest import ROOT


@pytest.fixture
def trail_db(db_path):
    con = db.connect(db_path)
    for i in range(6):
        audit.record(con, "rivera", "brief viewed" if i % 2 else "search", f"c-000{i}")
    con.close()
    return db_path


def verify_cli(path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipelines", "audit", "verify", "--db", str(path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def verify(path) -> audit.Verification:
    """What `audit verify` reports, in this process (the command itself: the tests above)."""
    con = db.connect(path)
    try:
        return audit.verify(con)
    finally:
        con.close()


def tamper(path, sql: str) -> None:
    con = db.connect(path)
    try:
        con.execute(sql)
    finally:
        con.close()


@pytest.mark.slow   # seconds: a subprocess
def test_an_intact_trail_verifies(trail_db):
    result = verify_cli(trail_db)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "6 audit rows" in result.stdout and "intact" in result.stdout


@pytest.mark.parametrize("sql", [
    "UPDATE audit_log SET client_id = 'c-0099' WHERE seq = 3",             # who was looked at
    "UPDATE audit_log SET username = 'okafor' WHERE seq = 1",              # who looked
    "UPDATE audit_log SET at_time = at_time + INTERVAL 1 HOUR WHERE seq = 6",   # when, newest row
])
def test_an_edited_row_fails_verification(trail_db, sql):
    tamper(trail_db, sql)
    result = verify(trail_db)
    assert not result.ok and any("edited" in p for p in result.problems), result.problems


@pytest.mark.parametrize("seq", [1, 3, 6])   # first, middle, newest
def test_a_deleted_row_fails_verification(trail_db, seq):
    tamper(trail_db, f"DELETE FROM audit_log WHERE seq = {seq}")
    assert not verify(trail_db).ok


@pytest.mark.slow   # seconds: a subprocess
def test_the_command_exits_1_on_a_broken_chain(trail_db):
    tamper(trail_db, "DELETE FROM audit_log WHERE seq = 6")   # the newest: only the head shows it
    result = verify_cli(trail_db)
    assert result.returncode == 1 and "BROKEN" in result.stdout, result.stdout


def test_a_rewritten_row_with_a_fresh_hash_still_breaks_the_chain(trail_db):
    con = db.connect(trail_db)
    try:
        seq, at_us, user, action, _, detail, prev = con.execute(
            "SELECT seq, epoch_us(at_time), username, action, client_id, detail, prev_hash FROM audit_log "
            "WHERE seq = 2").fetchone()
        forged = audit.row_hash(prev, seq, at_us, user, action, "c-0042", detail)
        con.execute("UPDATE audit_log SET client_id = 'c-0042', row_hash = ? WHERE seq = 2", [forged])
    finally:
        con.close()
    assert not verify(trail_db).ok   # row 3 no longer follows row 2


def test_rows_carry_the_previous_rows_hash_and_no_unknown_action(con):
    audit.record(con, "admin", "user added", detail="x as admin")
    audit.record(con, "admin", "audit viewed")
    rows = con.execute("SELECT prev_hash, row_hash FROM audit_log ORDER BY seq").fetchall()
    assert rows[0][0] == audit.GENESIS and rows[1][0] == rows[0][1]
    with pytest.raises(ValueError):
        audit.record(con, "admin", "something else")
    assert audit.verify(con).ok
