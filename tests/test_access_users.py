"""Accounts: the `users` command line, argon2id hashes, lock-out after five wrong passwords,
and the single-sign-on mapping from an email claim to a user row."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from pipelines import audit, db, users
from tests.conftest import ROOT

PASSWORD = "a-long-enough-password"


def cli(*args, stdin: str = "", env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-m", "pipelines", *args], cwd=ROOT, input=stdin, capture_output=True,
                          text=True, timeout=120, env={**os.environ, **(env or {})})


@pytest.mark.slow   # seconds: a subprocess or a simulation
def test_users_command_line_adds_lists_disables_and_resets(db_path):
    db.connect(db_path).close()
    added = cli("users", "add", "alice", "--role", "therapist", "--provider", "p-001", "--db", str(db_path),
                stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    sup = cli("users", "add", "sam", "--role", "supervisor", "--supervises", "p-001", "p-002", "--db", str(db_path),
              stdin=PASSWORD + "\n")
    assert sup.returncode == 0, sup.stderr
    listed = cli("users", "list", "--db", str(db_path))
    assert "alice" in listed.stdout and "p-001 p-002" in listed.stdout
    assert PASSWORD not in listed.stdout and "argon2" not in listed.stdout
    assert cli("users", "disable", "alice", "--db", str(db_path)).returncode == 0
    con = db.connect(db_path)
    try:
        assert users.authenticate(con, "alice", PASSWORD)[0] is None
        stored = con.execute("SELECT password_hash FROM users WHERE username = 'sam'").fetchone()[0]
        assert stored.startswith("$argon2id$") and PASSWORD not in stored
    finally:
        con.close()
    assert cli("users", "reset", "alice", "--db", str(db_path), stdin="another-password-1\n").returncode == 0
    con = db.connect(db_path)
    try:
        assert users.authenticate(con, "alice", "another-password-1")[0].role == "therapist"
        actions = audit.trail(con)["action"].tolist()
        assert {"user added", "user disabled", "password reset", "sign-in"} <= set(actions)
        assert audit.verify(con).ok
    finally:
        con.close()


@pytest.mark.slow   # seconds: a subprocess
def test_a_password_is_never_an_argument_and_a_short_one_is_refused(db_path):
    db.connect(db_path).close()
    as_argument = cli("users", "add", "bob", "--role", "admin", "--password", PASSWORD, "--db", str(db_path))
    assert as_argument.returncode != 0
    short = cli("users", "add", "bob", "--role", "admin", "--db", str(db_path), stdin="short\n")
    assert short.returncode == 2 and "at least" in short.stderr and "Traceback" not in short.stderr


@pytest.mark.slow   # seconds: a subprocess or a simulation
def test_users_demo_makes_the_sample_accounts_with_the_given_or_a_printed_password(db_path):
    db.connect(db_path).close()
    given = cli("users", "demo", "--db", str(db_path), env={users.DEMO_PASSWORD_ENV: PASSWORD})
    assert given.returncode == 0 and PASSWORD not in given.stdout
    con = db.connect(db_path)
    try:
        rivera = users.authenticate(con, "rivera", PASSWORD)[0]
        assert (rivera.role, rivera.providers) == ("therapist", ("p-001",))
        assert users.load(con, "okafor").providers == ("p-002",) and users.load(con, "lindqvist").providers == ("p-003",)
        assert users.load(con, "supervisor").providers == ("p-001", "p-002", "p-003")
        assert users.load(con, "admin").providers == () and not users.load(con, "admin").reads_client_content
    finally:
        con.close()
    generated = cli("users", "demo", "--db", str(db_path), env={users.DEMO_PASSWORD_ENV: ""})
    password = generated.stdout.split("password: ")[1].split()[0]
    con = db.connect(db_path)
    try:
        assert users.authenticate(con, "admin", password)[0] is not None
        assert users.authenticate(con, "admin", PASSWORD)[0] is None
    finally:
        con.close()


def test_five_wrong_passwords_lock_the_account_then_it_unlocks_later(con):
    users.add(con, "rivera", "therapist", PASSWORD, provider_id="p-001")
    now = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
    for i in range(users.MAX_FAILURES):
        user, why = users.authenticate(con, "rivera", "wrong-password", now=now + timedelta(seconds=i))
        assert user is None
    assert "Too many" in why
    # Locked: even the right password is refused until the lock-out ends.
    assert users.authenticate(con, "rivera", PASSWORD, now=now + timedelta(minutes=5))[0] is None
    assert users.authenticate(con, "rivera", PASSWORD, now=now + timedelta(minutes=16))[0] is not None
    actions = audit.trail(con)["action"].tolist()
    assert actions.count("sign-in failed") == 6 and "account locked" in actions and actions[0] == "sign-in"


def test_an_unknown_user_and_a_wrong_password_read_the_same(con):
    users.add(con, "rivera", "therapist", PASSWORD, provider_id="p-001")
    assert users.authenticate(con, "nobody", PASSWORD)[1] == users.authenticate(con, "rivera", "nope-nope-nope")[1]


@pytest.mark.parametrize(("claim", "expected"), [
    ("s.okafor@clinic.example", "okafor"), ("  S.Okafor@Clinic.EXAMPLE ", "okafor"),
    ("someone@clinic.example", None), ("", None), (None, None), ("okafor", None)])
def test_single_sign_on_maps_an_email_claim_to_one_enabled_user(con, claim, expected):
    users.add(con, "okafor", "therapist", None, provider_id="p-002", email="s.okafor@clinic.example")
    users.add(con, "gone", "therapist", PASSWORD, provider_id="p-003", email="someone@clinic.example")
    users.disable(con, "gone")
    user = users.by_email(con, claim)
    assert (user.username if user else None) == expected


def test_a_password_less_account_cannot_sign_in_with_a_password(con):
    users.add(con, "okafor", "therapist", None, provider_id="p-002", email="s.okafor@clinic.example")
    assert users.authenticate(con, "okafor", "")[0] is None


def test_roles_are_checked(con):
    with pytest.raises(users.AccountError):
        users.add(con, "x", "therapist", PASSWORD)             # no provider
    with pytest.raises(users.AccountError):
        users.add(con, "y", "admin", PASSWORD, provider_id="p-001")
    with pytest.raises(users.AccountError):
        users.add(con, "z", "root", PASSWORD)


@pytest.mark.slow   # seconds: a subprocess or a simulation
def test_a_database_held_by_another_process_is_one_line_not_a_traceback(db_path):
    """Held by a program that takes no jobs (the app takes them: tests/test_single_writer.py):
    one line, and EX_TEMPFAIL as for ingest and analyze."""
    held = db.connect(db_path)
    try:
        result = cli("users", "list", "--db", str(db_path))
    finally:
        held.close()
    assert result.returncode == 75 and "does not take jobs" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
