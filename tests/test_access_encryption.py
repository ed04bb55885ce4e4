"""Encryption at rest by default: `make key` makes an owner-only key outside the repository,
a database written with it holds no plaintext client text in any file, and a wrong or
missing key is one line, not a traceback (command line and app)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from pipelines import db
from tests.conftest import ROOT, SAMPLE

KEY = "0123456789abcdef" * 4


def client_phrases(limit: int = 40) -> list[bytes]:
    """Distinctive stretches of what sample clients wrote (messages and notes)."""
    phrases = []
    for path in sorted((SAMPLE / "exports").rglob("*.json"))[:6]:
        export = json.loads(path.read_text())
        texts = [m["text"] for c in export.get("conversations", []) for m in c.get("messages", [])]
        texts += [c["note"] for c in export.get("checkins", []) if c.get("note")]
        phrases += [t[:40].encode() for t in texts if len(t) >= 40][:limit // 6]
    return phrases


def test_make_key_makes_an_owner_only_key_once(tmp_path):
    folder = tmp_path / "config"
    run = lambda: subprocess.run(["make", "-s", "key", f"KEY_DIR={folder}"], cwd=ROOT, capture_output=True,
                                 text=True, timeout=60)
    assert run().returncode == 0
    key = folder / "db.key"
    first = key.read_text().strip()
    assert len(first) == 64 and key.stat().st_mode & 0o777 == 0o600 and folder.stat().st_mode & 0o777 == 0o700
    assert run().returncode == 0 and key.read_text().strip() == first   # never replaced


@pytest.mark.slow   # seconds: a subprocess
def test_no_file_of_an_encrypted_database_holds_plaintext_client_text(tmp_path):
    folder = tmp_path / "data"
    env = {**os.environ, db.DB_KEY_ENV: KEY}
    result = subprocess.run([sys.executable, "-m", "pipelines", "ingest", str(SAMPLE / "exports"),
                             str(SAMPLE / "appointments.csv"), "--db", str(folder / "interlude.duckdb"), "--quiet"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    phrases = client_phrases()
    assert len(phrases) >= 10
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert files
    for path in files:
        content = path.read_bytes()
        assert not [p for p in phrases if p in content], path.name
    plain = tmp_path / "plain.duckdb"     # the same check finds the text in an unencrypted file
    con = db.connect(plain, key="")
    try:
        con.execute("CREATE TABLE t (x VARCHAR)")
        con.execute("INSERT INTO t VALUES (?)", [phrases[0].decode()])
        con.execute("CHECKPOINT")
    finally:
        con.close()
    assert phrases[0] in plain.read_bytes()


@pytest.fixture(scope="module")
def encrypted_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("encrypted") / "interlude.duckdb"
    db.connect(path, key=KEY).close()
    return path


@pytest.mark.parametrize("key", [None, "the-wrong-key"])
@pytest.mark.slow   # seconds: a subprocess
def test_the_command_line_says_in_one_line_that_the_key_is_wrong_or_missing(encrypted_db, key):
    env = {k: v for k, v in os.environ.items() if k != db.DB_KEY_ENV}
    if key:
        env[db.DB_KEY_ENV] = key
    for args in (["users", "list"], ["audit", "verify"], ["analyze"]):
        result = subprocess.run([sys.executable, "-m", "pipelines", *args, "--db", str(encrypted_db)], cwd=ROOT,
                                env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 2, (args, result.stderr)
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "INTERLUDE_DB_KEY" in result.stderr


@pytest.mark.parametrize("key", [None, "the-wrong-key"])
def test_the_app_says_in_one_line_that_the_key_is_wrong_or_missing(encrypted_db, key, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("INTERLUDE_DB", str(encrypted_db))
    if key:
        monkeypatch.setenv(db.DB_KEY_ENV, key)
    else:
        monkeypatch.delenv(db.DB_KEY_ENV, raising=False)
    app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60).run()
    assert not app.exception
    assert len(app.error) == 1 and "INTERLUDE_DB_KEY" in app.error[0].value and not app.text_input


def test_with_the_right_key_the_app_asks_for_sign_in(encrypted_db, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from pipelines import users

    con = db.connect(encrypted_db, key=KEY)
    try:
        if not users.exists(con, "admin"):
            users.add(con, "admin", "admin", "a-long-enough-password")
    finally:
        con.close()
    monkeypatch.setenv("INTERLUDE_DB", str(encrypted_db))
    monkeypatch.setenv(db.DB_KEY_ENV, KEY)
    app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60).run()
    assert not app.exception and "Username" in [t.label for t in app.text_input]
