"""The one module that opens DuckDB: connections, bundled extensions, schema migrations.

Everything else takes a connection as an argument. Extensions are loaded from the
PyPI packages installed beside duckdb (e.g. ``duckdb-extension-httpfs``), never
downloaded: clinics, CI and this machine have no route to an extension repository.
"""

from __future__ import annotations

import importlib
import logging
import os
from pathlib import Path

import duckdb

log = logging.getLogger(__name__)

DEFAULT_DB_PATH = Path("data/interlude.duckdb")

# Extensions shipped as Python packages named duckdb-extension-<name>, same version as duckdb.
BUNDLED_EXTENSIONS = ("httpfs",)

# Environment variable holding the key for an encrypted database file (optional).
DB_KEY_ENV = "INTERLUDE_DB_KEY"


def bundled_extension_path(name: str) -> Path:
    """Path of the extension binary shipped in the ``duckdb-extension-<name>`` package."""
    package = importlib.import_module(f"duckdb_extension_{name}")
    base = Path(package.__file__).parent / "extensions" / f"v{duckdb.__version__}"
    path = base / f"{name}.duckdb_extension"
    if not path.exists():
        raise RuntimeError(
            f"the {name} extension for duckdb {duckdb.__version__} is not installed "
            f"(expected {path}); install duckdb-extension-{name}=={duckdb.__version__}"
        )
    return path


def load_bundled_extensions(con: duckdb.DuckDBPyConnection, names=BUNDLED_EXTENSIONS) -> None:
    """Load extensions from installed packages; signatures stay checked."""
    for name in names:
        con.execute(f"LOAD '{bundled_extension_path(name)}'")


def _offline_config() -> dict:
    # Never reach for an extension repository: autoloading would try the network.
    return {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


def connect(path: str | os.PathLike | None = None, *, read_only: bool = False,
            key: str | None = None) -> duckdb.DuckDBPyConnection:
    """Open the Interlude database (creating and migrating it unless read-only).

    ``path=None`` or ``":memory:"`` gives an in-memory database (tests). With ``key``
    (or ``INTERLUDE_DB_KEY`` in the environment) the file is encrypted at rest.
    """
    key = key if key is not None else os.environ.get(DB_KEY_ENV) or None
    target = ":memory:" if path is None else str(path)
    if target != ":memory:":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    if key and target != ":memory:":
        con = duckdb.connect(":memory:", config=_offline_config())
        load_bundled_extensions(con)  # httpfs brings OpenSSL, so encryption is secure
        options = f"ENCRYPTION_KEY {_sql_literal(key)}" + (", READ_ONLY" if read_only else "")
        con.execute(f"ATTACH {_sql_literal(target)} AS interlude ({options})")
        con.execute("USE interlude")
    else:
        con = duckdb.connect(target, read_only=read_only, config=_offline_config())
        load_bundled_extensions(con)
    if not read_only:
        migrate(con)
    return con


def _sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# Versioned migrations: append, never edit a released one.
MIGRATIONS: list[tuple[int, str]] = [
    (1, """
    CREATE TABLE providers (
        provider_id VARCHAR NOT NULL,
        name        VARCHAR
    );
    CREATE TABLE clients (
        client_id      VARCHAR NOT NULL,
        display_name   VARCHAR,
        timezone       VARCHAR NOT NULL,
        birth_year     INTEGER,
        last_export_at TIMESTAMPTZ
    );
    -- Which provider a client shares with, in which scope (raw or summary).
    CREATE TABLE client_providers (
        client_id        VARCHAR NOT NULL,
        provider_id      VARCHAR NOT NULL,
        scope            VARCHAR NOT NULL,
        consented_at     TIMESTAMPTZ,
        last_exported_at TIMESTAMPTZ
    );
    CREATE TABLE exports (
        export_id          VARCHAR NOT NULL,
        file_name          VARCHAR NOT NULL,
        file_sha256        VARCHAR NOT NULL,
        client_id          VARCHAR NOT NULL,
        provider_id        VARCHAR NOT NULL,
        format_version     VARCHAR NOT NULL,
        source_app_name    VARCHAR,
        source_app_version VARCHAR,
        exported_at        TIMESTAMPTZ NOT NULL,
        consented_at       TIMESTAMPTZ NOT NULL,
        scope              VARCHAR NOT NULL,
        period_start       TIMESTAMPTZ NOT NULL,
        period_end         TIMESTAMPTZ NOT NULL,
        n_records          INTEGER NOT NULL,
        ingested_at        TIMESTAMPTZ NOT NULL,
        -- Who the export says it is about and for; clients and providers are derived
        -- from the latest export that names each value.
        client_display_name VARCHAR,
        client_timezone     VARCHAR,
        client_birth_year   INTEGER,
        provider_name       VARCHAR
    );
    -- Record tables: (client_id, <id>) identifies a record across exports; export_id and
    -- exported_at say which export's version is stored; content_hash detects revisions.
    CREATE TABLE checkins (
        client_id     VARCHAR NOT NULL,
        checkin_id    VARCHAR NOT NULL,
        checked_in_at TIMESTAMPTZ NOT NULL,
        mood          TINYINT,
        stress        TINYINT,
        energy        TINYINT,
        sleep_hours   DOUBLE,
        note          VARCHAR,
        export_id     VARCHAR NOT NULL,
        exported_at   TIMESTAMPTZ NOT NULL,
        content_hash  VARCHAR NOT NULL
    );
    CREATE TABLE checkin_emotions (
        client_id  VARCHAR NOT NULL,
        checkin_id VARCHAR NOT NULL,
        position   SMALLINT NOT NULL,
        label      VARCHAR NOT NULL,
        intensity  TINYINT NOT NULL
    );
    CREATE TABLE checkin_body_sensations (
        client_id  VARCHAR NOT NULL,
        checkin_id VARCHAR NOT NULL,
        position   SMALLINT NOT NULL,
        location   VARCHAR NOT NULL,
        sensation  VARCHAR NOT NULL,
        intensity  TINYINT NOT NULL
    );
    CREATE TABLE conversations (
        client_id       VARCHAR NOT NULL,
        conversation_id VARCHAR NOT NULL,
        started_at      TIMESTAMPTZ NOT NULL,
        title           VARCHAR,
        summary         VARCHAR,
        export_id       VARCHAR NOT NULL,
        exported_at     TIMESTAMPTZ NOT NULL,
        content_hash    VARCHAR NOT NULL
    );
    CREATE TABLE messages (
        client_id       VARCHAR NOT NULL,
        message_id      VARCHAR NOT NULL,
        conversation_id VARCHAR NOT NULL,
        sent_at         TIMESTAMPTZ NOT NULL,
        role            VARCHAR NOT NULL,
        text            VARCHAR NOT NULL,
        export_id       VARCHAR NOT NULL,
        exported_at     TIMESTAMPTZ NOT NULL,
        content_hash    VARCHAR NOT NULL
    );
    CREATE TABLE practices (
        client_id     VARCHAR NOT NULL,
        practice_id   VARCHAR NOT NULL,
        practiced_at  TIMESTAMPTZ NOT NULL,
        kind          VARCHAR NOT NULL,
        duration_min  DOUBLE,
        stress_before TINYINT,
        stress_after  TINYINT,
        helpful       BOOLEAN,
        export_id     VARCHAR NOT NULL,
        exported_at   TIMESTAMPTZ NOT NULL,
        content_hash  VARCHAR NOT NULL
    );
    CREATE TABLE appointments (
        client_id   VARCHAR NOT NULL,
        provider_id VARCHAR NOT NULL,
        starts_at   TIMESTAMPTZ NOT NULL,
        source_file VARCHAR NOT NULL
    );
    -- One row per record whose content changed in a later export.
    CREATE TABLE record_revisions (
        client_id     VARCHAR NOT NULL,
        record_kind   VARCHAR NOT NULL,
        record_id     VARCHAR NOT NULL,
        old_export_id VARCHAR NOT NULL,
        new_export_id VARCHAR NOT NULL,
        revised_at    TIMESTAMPTZ NOT NULL
    );
    -- What each ingest did with each file. Ids and reasons only: never client text.
    CREATE TABLE ingest_log (
        run_id      VARCHAR NOT NULL,
        logged_at   TIMESTAMPTZ NOT NULL,
        file_name   VARCHAR NOT NULL,
        file_sha256 VARCHAR,
        export_id   VARCHAR,
        status      VARCHAR NOT NULL,
        reason      VARCHAR,
        n_new       INTEGER NOT NULL,
        n_unchanged INTEGER NOT NULL,
        n_revised   INTEGER NOT NULL,
        n_stale     INTEGER NOT NULL
    );
    """),
]

SCHEMA_VERSION = MIGRATIONS[-1][0]


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """Highest migration applied, 0 for an empty database."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_name = 'schema_migrations' AND table_catalog = current_database()"
    ).fetchone()[0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply pending migrations, each in its own transaction; returns the schema version."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
    )
    current = schema_version(con)
    if current > SCHEMA_VERSION:
        raise RuntimeError(
            f"database schema version {current} is newer than this code ({SCHEMA_VERSION}); "
            "upgrade Interlude before opening it"
        )
    for version, sql in MIGRATIONS:
        if version <= current:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations (version) VALUES (?)", [version])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        log.info("applied migration %d", version)
    return SCHEMA_VERSION
