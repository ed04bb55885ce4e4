"""The one module that opens DuckDB: connections, bundled extensions, schema migrations.

Everything else takes a connection as an argument. Extensions are loaded from the
PyPI packages installed beside duckdb (e.g. ``duckdb-extension-httpfs``), never
downloaded: clinics, CI and this machine have no route to an extension repository.
"""

from __future__ import annotations

import importlib
import logging
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

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
        # No extension is needed without encryption; loading httpfs costs ~0.3 s a connection.
        con = duckdb.connect(target, read_only=read_only, config=_offline_config())
    if not read_only:
        migrate(con)
        define_views(con)
        rehash_stored(con)
    return con


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Run the block as one transaction: commit if it returns, roll back if it raises.

    Every write in Interlude goes through this helper, so a failed write never leaves part
    of itself behind.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# What a record's content is, for telling an unchanged record from a revised one: DuckDB's
# 64-bit hash() over its stored columns, computed in SQL both for incoming batches and for
# rows stored before (rehash_stored). It only ever compares versions of one record, so 64
# bits are plenty. hash() is deterministic but not promised stable across DuckDB releases:
# connect() recomputes stored digests when the DuckDB version that made them changes.
# A check-in's emotions and body sensations are part of its content, as an order-aware
# multiset digest (sum of hash(position, fields...)) in ``<child table>_content``.
RECORD_CONTENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "checkins": ("checkin_id", "checked_in_at", "mood", "stress", "energy", "sleep_hours", "note",
                 "checkin_emotions_content", "checkin_body_sensations_content"),
    "conversations": ("conversation_id", "started_at", "title", "summary"),
    "messages": ("conversation_id", "message_id", "sent_at", "role", "text"),
    "practices": ("practice_id", "practiced_at", "kind", "duration_min", "stress_before", "stress_after",
                  "helpful"),
}
CHILD_CONTENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "checkin_emotions": ("label", "intensity"),
    "checkin_body_sensations": ("location", "sensation", "intensity"),
}


def content_hash_sql(table: str) -> str:
    """SQL expression of a ``table`` row's content digest (columns referenced unqualified)."""
    return f"hash({', '.join(RECORD_CONTENT_COLUMNS[table])})"


def child_content_sql(child: str) -> str:
    """Aggregate over one check-in's ``child`` rows giving its ``<child>_content`` column."""
    return f"sum(hash(position, {', '.join(CHILD_CONTENT_COLUMNS[child])})) AS {child}_content"


def _rehash_stored_sql() -> str:
    children = "".join(
        f" LEFT JOIN (SELECT client_id, checkin_id, {child_content_sql(child)} FROM {child} GROUP BY ALL)"
        " USING (client_id, checkin_id)" for child in CHILD_CONTENT_COLUMNS)
    statements = [f"""
        UPDATE checkins SET content_hash = d.content_hash
        FROM (SELECT client_id, checkin_id, {content_hash_sql('checkins')} AS content_hash
              FROM checkins{children}) d
        WHERE checkins.client_id = d.client_id AND checkins.checkin_id = d.checkin_id;"""]
    statements += [f"UPDATE {t} SET content_hash = {content_hash_sql(t)};"
                   for t in ("conversations", "messages", "practices")]
    return "\n".join(statements)


def rehash_stored(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute stored content digests if another DuckDB version made them (one transaction)."""
    made_by = con.execute("SELECT duckdb_version FROM content_digests").fetchone()
    if made_by and made_by[0] == duckdb.__version__:
        return
    with transaction(con):
        con.execute(_rehash_stored_sql())
        con.execute("DELETE FROM content_digests")
        con.execute("INSERT INTO content_digests VALUES (?)", [duckdb.__version__])
    log.info("recomputed stored content digests for duckdb %s", duckdb.__version__)


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
    (2, """
    -- Content digests become DuckDB hash() values computed in SQL (see content_hash_sql);
    -- rehash_stored() fills them right after migrating.
    ALTER TABLE checkins ALTER content_hash SET DATA TYPE UBIGINT USING 0;
    ALTER TABLE conversations ALTER content_hash SET DATA TYPE UBIGINT USING 0;
    ALTER TABLE messages ALTER content_hash SET DATA TYPE UBIGINT USING 0;
    ALTER TABLE practices ALTER content_hash SET DATA TYPE UBIGINT USING 0;
    CREATE TABLE content_digests (duckdb_version VARCHAR NOT NULL);
    """),
    (3, """
    -- Client-authored text units, as the analysis contract defines them. text_key = md5(text)
    -- keys everything computed from the text alone (embeddings, signals), so identical
    -- texts are processed once.
    CREATE VIEW text_units AS
    SELECT 'message' AS source, m.message_id AS source_id, m.client_id, e.provider_id,
           m.conversation_id, m.sent_at AS written_at, m.text, md5(m.text) AS text_key
    FROM messages m JOIN exports e USING (export_id)
    WHERE m.role = 'client' AND trim(m.text) <> ''
    UNION ALL
    SELECT 'note', c.checkin_id, c.client_id, e.provider_id, NULL, c.checked_in_at, c.note, md5(c.note)
    FROM checkins c JOIN exports e USING (export_id)
    WHERE c.note IS NOT NULL AND trim(c.note) <> ''
    UNION ALL
    SELECT 'summary', v.conversation_id, v.client_id, e.provider_id, v.conversation_id, v.started_at,
           v.summary, md5(v.summary)
    FROM conversations v JOIN exports e USING (export_id)
    WHERE v.summary IS NOT NULL AND trim(v.summary) <> '';

    CREATE TABLE text_embeddings (
        text_key  VARCHAR NOT NULL,
        backend   VARCHAR NOT NULL,
        embedding FLOAT[384] NOT NULL
    );
    CREATE TABLE text_signals (
        text_key        VARCHAR NOT NULL,
        signals_version VARCHAR NOT NULL,
        valence         DOUBLE,
        emotion         VARCHAR,
        stress          DOUBLE,
        insight         DOUBLE,
        risk            VARCHAR,
        risk_reason     VARCHAR,
        evidence        VARCHAR
    );
    CREATE TABLE themes (
        theme_id   VARCHAR NOT NULL,
        scope      VARCHAR NOT NULL,
        client_id  VARCHAR,
        label      VARCHAR NOT NULL,
        keywords   VARCHAR[] NOT NULL,
        n_texts    INTEGER NOT NULL,
        first_at   TIMESTAMPTZ,
        last_at    TIMESTAMPTZ,
        centroid   FLOAT[384] NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
    );
    -- Which theme each text belongs to, one table per scope (rebuilt independently).
    CREATE TABLE text_client_themes (
        source    VARCHAR NOT NULL,
        source_id VARCHAR NOT NULL,
        client_id VARCHAR NOT NULL,
        theme_id  VARCHAR NOT NULL
    );
    CREATE TABLE text_caseload_themes (
        source    VARCHAR NOT NULL,
        source_id VARCHAR NOT NULL,
        client_id VARCHAR NOT NULL,
        theme_id  VARCHAR NOT NULL
    );
    -- What the themes of a scope were last built from, so unchanged clients are skipped.
    CREATE TABLE theme_fingerprints (
        scope       VARCHAR NOT NULL,
        client_id   VARCHAR,
        fingerprint VARCHAR NOT NULL,
        n_texts     INTEGER NOT NULL,
        built_at    TIMESTAMPTZ NOT NULL
    );
    CREATE TABLE theme_quotes (
        theme_id  VARCHAR NOT NULL,
        rank      INTEGER NOT NULL,
        source    VARCHAR NOT NULL,
        source_id VARCHAR NOT NULL,
        client_id VARCHAR NOT NULL
    );
    CREATE TABLE analysis_runs (
        run_id       VARCHAR NOT NULL,
        started_at   TIMESTAMPTZ NOT NULL,
        finished_at  TIMESTAMPTZ,
        n_texts      INTEGER,
        n_embedded   INTEGER,
        n_scored     INTEGER,
        clients_reclustered INTEGER,
        caseload_reclustered BOOLEAN,
        embedding_backend VARCHAR
    );

    -- The contract's views (docs/analysis-contract.md).
    CREATE VIEW analysis_texts AS
    SELECT u.source, u.source_id, u.client_id, u.provider_id, u.conversation_id, u.written_at, u.text,
           ct.theme_id AS client_theme_id, kt.theme_id AS caseload_theme_id,
           s.valence, s.emotion, s.stress, s.insight, s.risk
    FROM text_units u
    LEFT JOIN text_client_themes ct USING (source, source_id, client_id)
    LEFT JOIN text_caseload_themes kt USING (source, source_id, client_id)
    LEFT JOIN text_signals s USING (text_key);

    CREATE VIEW analysis_themes AS
    SELECT theme_id, scope, client_id, label, keywords, n_texts, first_at, last_at
    FROM themes;
    """),
    (4, """
    -- Theme prevalence per client and week (Monday, in the client's own time zone).
    CREATE VIEW theme_weekly AS
    SELECT u.client_id, t.theme_id,
           CAST(date_trunc('week', timezone(coalesce(c.timezone, 'UTC'), u.written_at)) AS DATE) AS week,
           count(*) AS n_texts
    FROM text_units u
    JOIN text_client_themes t USING (source, source_id, client_id)
    LEFT JOIN clients c USING (client_id)
    GROUP BY ALL;

    -- Each text's signals with the sentence that carried them (risk first, else the most salient).
    CREATE VIEW text_evidence AS
    SELECT u.source, u.source_id, u.client_id, u.conversation_id, u.written_at,
           s.risk, s.risk_reason, s.stress, s.insight, s.emotion, s.valence, s.evidence
    FROM text_units u JOIN text_signals s USING (text_key);
    """),
    (5, """
    -- Trend per client and measure over the latest 8 weeks (pipelines/trends.py), and what
    -- each client's trends were computed from, so unchanged clients are not refitted.
    CREATE TABLE client_trends (
        client_id      VARCHAR NOT NULL,
        measure        VARCHAR NOT NULL,
        window_start   DATE NOT NULL,
        window_end     DATE NOT NULL,
        n_days         INTEGER NOT NULL,
        slope_per_week DOUBLE,
        ci_low         DOUBLE,
        ci_high        DOUBLE,
        verdict        VARCHAR NOT NULL
    );
    CREATE TABLE trend_fingerprints (client_id VARCHAR NOT NULL, fingerprint VARCHAR NOT NULL);
    CREATE VIEW analysis_trends AS
    SELECT client_id, measure, window_start, window_end, n_days, slope_per_week, ci_low, ci_high, verdict
    FROM client_trends;
    """),
    (6, """
    -- Per-client clinical analyses for the pre-session brief (pipelines/clinical.py), and what
    -- each client's rows were computed from, so analyze recomputes only changed clients.
    --
    -- client_rhythms: one row per client x measure x kind, only for significant rhythms
    --   measure      'stress' | 'mood'
    --   kind         'weekday' | 'part_of_day'
    --   peak         'Sunday', 'Monday morning' (weekday x part of day) or 'evening'
    --   effect       points above (+) or below (-) the client's own average at the peak
    --   p_value      F test of the weekday (part-of-day) terms, detrended, AR(1) errors
    --   n_obs        check-ins it rests on
    --   description  'stress is highest on Sundays, about 2.1 points above their average'
    CREATE TABLE client_rhythms (
        client_id   VARCHAR NOT NULL,
        measure     VARCHAR NOT NULL,
        kind        VARCHAR NOT NULL,
        peak        VARCHAR NOT NULL,
        effect      DOUBLE NOT NULL,
        p_value     DOUBLE NOT NULL,
        n_obs       INTEGER NOT NULL,
        description VARCHAR NOT NULL
    );
    -- stress_episodes: spans of check-in stress above the client's own baseline
    --   episode_id   client_id || ':' || start_day ('c-0007:2026-08-14')
    --   start_day, end_day, peak_day: client-local dates; n_days = end - start + 1
    --   peak_stress  highest daily mean stress; baseline_stress the baseline on the peak day
    --   status       'resolved' (resolved_day: first check-in day back near baseline) | 'ongoing'
    --   trigger_themes    client theme labels of texts from 2 days before start to end
    --   trigger_evidence  up to 3 evidence sentences of those texts, highest stress first
    --   body_response     'chest tightness (3x, intensity 7.0)', most frequent first
    --   practices_done    'box breathing: stress 8 → 5', in time order
    CREATE TABLE stress_episodes (
        client_id        VARCHAR NOT NULL,
        episode_id       VARCHAR NOT NULL,
        start_day        DATE NOT NULL,
        end_day          DATE NOT NULL,
        peak_day         DATE NOT NULL,
        peak_stress      DOUBLE NOT NULL,
        baseline_stress  DOUBLE NOT NULL,
        n_days           INTEGER NOT NULL,
        status           VARCHAR NOT NULL,
        resolved_day     DATE,
        trigger_themes   VARCHAR[] NOT NULL,
        trigger_evidence VARCHAR[] NOT NULL,
        body_response    VARCHAR[] NOT NULL,
        practices_done   VARCHAR[] NOT NULL
    );
    -- practice_effects: per client x practice kind; change = stress_after - stress_before
    --   n            sessions with both ratings; ci_* the 95 % paired t interval (n >= 3)
    --   share_helpful  share of rated sessions marked helpful
    --   verdict      'helped' | 'no clear effect' | 'worse'; NULL when n < 3
    CREATE TABLE practice_effects (
        client_id     VARCHAR NOT NULL,
        kind          VARCHAR NOT NULL,
        n             INTEGER NOT NULL,
        mean_before   DOUBLE,
        mean_after    DOUBLE,
        mean_change   DOUBLE,
        ci_low        DOUBLE,
        ci_high       DOUBLE,
        share_helpful DOUBLE,
        verdict       VARCHAR
    );
    CREATE TABLE clinical_fingerprints (client_id VARCHAR NOT NULL, fingerprint VARCHAR NOT NULL);
    """),
    (7, """
    -- Views now live in pipelines/sql/ and are redefined by define_views() on every writer
    -- connection, so a view is edited in its one file and never pasted into a migration.
    DROP VIEW IF EXISTS analysis_texts;
    DROP VIEW IF EXISTS analysis_themes;
    DROP VIEW IF EXISTS analysis_trends;
    DROP VIEW IF EXISTS theme_weekly;
    DROP VIEW IF EXISTS text_evidence;
    DROP VIEW IF EXISTS text_units;
    """),
    (8, """
    -- What a client once wrote is never lost (docs/export-format/, rules beyond the schema):
    -- every version of a client message, check-in note or conversation summary that is no
    -- longer the record's current text, one row per record and distinct text. text_units
    -- shows them, marked superseded, so their signals (and risk language) stay visible.
    CREATE TABLE superseded_texts (
        client_id       VARCHAR NOT NULL,
        source          VARCHAR NOT NULL,   -- 'message' | 'note' | 'summary', as in text_units
        record_id       VARCHAR NOT NULL,   -- message_id, checkin_id or conversation_id
        conversation_id VARCHAR,
        written_at      TIMESTAMPTZ NOT NULL,
        text            VARCHAR NOT NULL,
        text_key        VARCHAR NOT NULL,   -- md5(text)
        export_id       VARCHAR NOT NULL,   -- the earliest export that carried this text
        provider_id     VARCHAR,            -- whose share that export came through
        exported_at     TIMESTAMPTZ NOT NULL,
        superseded_at   TIMESTAMPTZ NOT NULL
    );
    """),
    (9, """
    -- Numbers and codes in the tables, words on the page (trends.VERSION 2, clinical.VERSION 2);
    -- names that claim no more than the data show. The rows are derived: the fingerprints
    -- are cleared so the next analyze recomputes every client with the new rules.
    --
    -- client_rhythms: the dashboard words a rhythm from measure, kind, peak and effect.
    ALTER TABLE client_rhythms DROP COLUMN description;
    -- stress_episodes: as in migration 6, except
    --   themes_before_episode    client theme labels of texts from 2 days before start to end
    --                            (co-occurrence, not a cause; was trigger_themes)
    --   evidence_before_episode  up to 3 evidence sentences of those texts, highest stress first
    --   body_response            one record per location and sensation logged in the episode,
    --                            most frequent first: n check-ins, mean_intensity 1-10
    --   practices_done           practices in the episode, in time order; ratings 0-10 or NULL
    DROP TABLE stress_episodes;
    CREATE TABLE stress_episodes (
        client_id               VARCHAR NOT NULL,
        episode_id              VARCHAR NOT NULL,
        start_day               DATE NOT NULL,
        end_day                 DATE NOT NULL,
        peak_day                DATE NOT NULL,
        peak_stress             DOUBLE NOT NULL,
        baseline_stress         DOUBLE NOT NULL,
        n_days                  INTEGER NOT NULL,
        status                  VARCHAR NOT NULL,
        resolved_day            DATE,
        themes_before_episode   VARCHAR[] NOT NULL,
        evidence_before_episode VARCHAR[] NOT NULL,
        body_response           STRUCT(location VARCHAR, sensation VARCHAR, n INTEGER,
                                       mean_intensity DOUBLE)[] NOT NULL,
        practices_done          STRUCT(kind VARCHAR, stress_before INTEGER, stress_after INTEGER)[] NOT NULL
    );
    -- practice_effects.verdict: 'lower_after' | 'no_clear_change' | 'higher_after' (the 95 %
    -- interval of stress after - before lies below 0, spans it, lies above it); NULL when
    -- n < 3. An uncontrolled before/after change, not an effect of the practice.
    UPDATE practice_effects SET verdict = CASE verdict WHEN 'helped' THEN 'lower_after'
        WHEN 'worse' THEN 'higher_after' WHEN 'no clear effect' THEN 'no_clear_change' END;
    DELETE FROM clinical_fingerprints;
    DELETE FROM trend_fingerprints;
    """),
    (10, """
    -- Sign-in accounts (pipelines/users.py). password_hash is argon2id; NULL for an account
    -- that signs in only through the clinic's identity provider (email claim).
    CREATE TABLE users (
        username        VARCHAR NOT NULL,
        role            VARCHAR NOT NULL,   -- therapist | supervisor | admin
        provider_id     VARCHAR,            -- a therapist's own provider id
        email           VARCHAR,            -- matched case-insensitively to an OIDC email claim
        password_hash   VARCHAR,
        disabled        BOOLEAN NOT NULL DEFAULT false,
        failed_attempts INTEGER NOT NULL DEFAULT 0,
        locked_until    TIMESTAMPTZ,
        signed_out_at   TIMESTAMPTZ,        -- sign-in cookies issued before this are void
        created_at      TIMESTAMPTZ NOT NULL,
        updated_at      TIMESTAMPTZ NOT NULL
    );
    -- Which providers' caseloads a supervisor reads.
    CREATE TABLE user_supervisees (
        username    VARCHAR NOT NULL,
        provider_id VARCHAR NOT NULL
    );
    -- Append-only audit trail (pipelines/audit.py): each row carries the hash of the row
    -- before it; audit_head holds the latest, so deleting the newest row shows too.
    CREATE TABLE audit_log (
        seq       BIGINT NOT NULL,
        at_time   TIMESTAMPTZ NOT NULL,
        username  VARCHAR,
        action    VARCHAR NOT NULL,
        client_id VARCHAR,
        detail    VARCHAR,
        prev_hash VARCHAR NOT NULL,
        row_hash  VARCHAR NOT NULL
    );
    CREATE TABLE audit_head (seq BIGINT NOT NULL, row_hash VARCHAR NOT NULL);
    """),
    (11, """
    -- One table of per-client stage fingerprints (pipelines/stages.py): 'v<version>|<input
    -- digests>', so a client is recomputed when its inputs or the stage's version change.
    CREATE TABLE stage_fingerprints (
        stage       VARCHAR NOT NULL,
        client_id   VARCHAR NOT NULL,
        fingerprint VARCHAR NOT NULL
    );
    DROP TABLE trend_fingerprints;
    DROP TABLE clinical_fingerprints;
    """),
    (12, """
    -- A clinician's review of one risk flag (pipelines/reviews.py). A flag is one text unit's
    -- risk, keyed by the text as well (text_key = md5 of the text): a revised text is a new
    -- flag, unreviewed, while the review of its earlier version stays with that version.
    -- action is a code the dashboard words; note is the clinician's own, optional.
    CREATE TABLE risk_reviews (
        client_id   VARCHAR NOT NULL,
        source      VARCHAR NOT NULL,
        source_id   VARCHAR NOT NULL,
        text_key    VARCHAR NOT NULL,
        reviewed_by VARCHAR NOT NULL,
        reviewed_at TIMESTAMPTZ NOT NULL,
        action      VARCHAR NOT NULL,   -- discussed | safety_plan | referred | other
        note        VARCHAR,
        PRIMARY KEY (client_id, source, source_id, text_key)
    );
    """),
    (13, """
    -- An appointment time a clinician moved away from in the app (pipelines/appointments.py).
    -- Imports only ever add appointments, so the calendar's row stays in appointments (the
    -- same calendar imported again counts it as unchanged) and reads leave these times out:
    -- a calendar that has not caught up with the move cannot bring the old time back.
    CREATE TABLE appointment_cancellations (
        client_id    VARCHAR NOT NULL,
        provider_id  VARCHAR NOT NULL,
        starts_at    TIMESTAMPTZ NOT NULL,
        cancelled_by VARCHAR NOT NULL,
        cancelled_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (client_id, provider_id, starts_at)
    );
    """),
]

# Views in layers, as dbt lays them out: staging (rename and cast only) before marts.
SQL_DIR = Path(__file__).parent / "sql"
VIEW_LAYERS = ("staging", "marts")


def view_files() -> list[Path]:
    """Every view definition, staging first, each layer in name order."""
    return [path for layer in VIEW_LAYERS for path in sorted((SQL_DIR / layer).glob("*.sql"))]


def define_views(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)define every view from its file, in one transaction."""
    with transaction(con):
        for path in view_files():
            con.execute(path.read_text())

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
        with transaction(con):
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations (version) VALUES (?)", [version])
        log.info("applied migration %d", version)
    return SCHEMA_VERSION
