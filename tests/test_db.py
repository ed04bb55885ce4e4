"""The database owner: migrations, bundled extensions, encryption at rest, offline settings."""

import duckdb
import pytest

from pipelines import db


def test_new_database_is_migrated_once(db_path):
    con = db.connect(db_path)
    assert db.schema_version(con) == db.SCHEMA_VERSION
    con.close()
    con = db.connect(db_path)
    assert con.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(db.MIGRATIONS)


def test_refuses_a_database_from_a_newer_interlude(db_path):
    con = db.connect(db_path)
    con.execute("INSERT INTO schema_migrations (version) VALUES (999)")
    con.close()
    with pytest.raises(RuntimeError, match="newer than this code"):
        db.connect(db_path)


def test_extensions_come_from_installed_packages_not_the_network(db_path):
    path = db.bundled_extension_path("httpfs")
    assert "site-packages" in str(path) and path.exists()
    con = db.connect(db_path, key="a key")  # encryption is what needs httpfs (its OpenSSL)
    loaded = con.execute("SELECT loaded FROM duckdb_extensions() WHERE extension_name = 'httpfs'").fetchone()
    assert loaded == (True,)
    settings = dict(con.execute(
        "SELECT name, value FROM duckdb_settings() WHERE name IN "
        "('autoinstall_known_extensions', 'autoload_known_extensions')").fetchall())
    assert settings == {"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"}


def test_encrypted_database_needs_its_key(db_path):
    con = db.connect(db_path, key="correct horse")
    con.execute("INSERT INTO providers VALUES ('p-1', 'Dr. Secret Name')")
    con.close()
    assert b"Secret Name" not in db_path.read_bytes()
    with pytest.raises(duckdb.Error):
        db.connect(db_path)  # no key
    with pytest.raises(duckdb.Error):
        db.connect(db_path, key="wrong key")
    con = db.connect(db_path, key="correct horse", read_only=True)
    assert con.execute("SELECT name FROM providers").fetchone() == ("Dr. Secret Name",)


def test_key_from_environment(db_path, monkeypatch):
    monkeypatch.setenv(db.DB_KEY_ENV, "from-env")
    db.connect(db_path).close()
    monkeypatch.delenv(db.DB_KEY_ENV)
    with pytest.raises(duckdb.Error):
        db.connect(db_path)


def test_content_digests_recomputed_from_stored_rows_match_those_made_at_ingest(db_path, sample_ingested_db_path):
    """A DuckDB upgrade recomputes digests from stored rows; they must equal the ingest's own,
    or every record would read as revised after an upgrade."""
    import shutil

    shutil.copyfile(sample_ingested_db_path, db_path)
    con = db.connect(db_path)
    tables = ("checkins", "conversations", "messages", "practices")
    before = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}
    assert all(before.values())
    con.execute("UPDATE content_digests SET duckdb_version = 'older'")
    con.execute("UPDATE messages SET content_hash = 0")
    con.close()
    con = db.connect(db_path)  # notices the version and recomputes
    for table in tables:
        assert con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall() == before[table], table
    assert con.execute("SELECT duckdb_version FROM content_digests").fetchone()[0] == duckdb.__version__
