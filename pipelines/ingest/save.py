"""Write a batch of validated exports into the database, set-based, in one transaction.

Semantics are those of ingesting the batch's files one after another: a record is
``new`` if no earlier version exists, ``unchanged`` if the current version has the same
content, ``revised`` if its content differs and its export is newer (it replaces the
stored one), and ``stale`` if its content differs but a newer export's version is kept.

What a client once wrote is never lost: every version of a text (client message, check-in
note, conversation summary) that is not the current one is kept in ``superseded_texts``,
and the ``text_units`` view shows it marked ``superseded``. A revision that arrives through
another share (provider) than the one that first sent the record is counted as
``other_share`` for the report. An export_id held for another client or provider is an
``ExportIdConflict``: nothing of the batch is written (the caller retries file by file).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from ..db import child_content_sql, content_hash_sql
from .normalize import TIMESTAMP_COLUMNS

STATUSES = ("new", "unchanged", "revised", "stale")


class ExportIdConflict(ValueError):
    """An incoming export_id is held (stored, or in the same batch) for another client or provider."""


@dataclass(frozen=True)
class TextOf:
    """Where a record keeps client-authored text, as the text_units view reads it."""
    source: str              # text_units.source
    text: str                # column holding the text
    written_at: str          # column of when it was written
    conversation_id: str     # SQL for the conversation (NULL for notes)
    only: str = "TRUE"       # which rows are text units


@dataclass(frozen=True)
class RecordTable:
    table: str
    kind: str            # what record_revisions calls it
    key: str             # the export's id field
    children: tuple[str, ...] = ()   # tables replaced together with the record
    text: TextOf | None = None


RECORD_TABLES = (
    RecordTable("checkins", "checkin", "checkin_id", ("checkin_emotions", "checkin_body_sensations"),
                TextOf("note", "note", "checked_in_at", "NULL")),
    RecordTable("conversations", "conversation", "conversation_id",
                text=TextOf("summary", "summary", "started_at", "conversation_id")),
    RecordTable("messages", "message", "message_id",
                text=TextOf("message", "text", "sent_at", "conversation_id", "role = 'client'")),
    RecordTable("practices", "practice", "practice_id"),
)


def save_batch(con: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> dict[int, Counter]:
    """Merge one batch (``normalize.batch_tables``) into the database; counts per file_idx.

    The caller owns the transaction: this runs inside it and never commits.
    """
    counts: dict[int, Counter] = defaultdict(Counter)
    con.register("arrow_exports", tables["exports"])
    try:
        _refuse_export_id_conflicts(con)
        # Whose records each file holds: joined onto every record row by file_idx.
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE batch_files AS
            SELECT file_idx, client_id, provider_id, export_id, {_timestamp('exported_at')} AS exported_at
            FROM arrow_exports
        """)
        for spec in RECORD_TABLES:
            _merge_records(con, spec, tables, counts)
        _save_exports(con, tables["exports"])
    finally:
        con.unregister("arrow_exports")
    return counts


def _refuse_export_id_conflicts(con) -> None:
    """Raise ExportIdConflict if an export_id of the batch (``arrow_exports``) is held for
    another client or provider, in the database or by another file of the batch."""
    conflicts = con.execute("""
        SELECT count(*) FROM (
            SELECT export_id FROM arrow_exports a JOIN exports e USING (export_id)
            WHERE e.client_id <> a.client_id OR e.provider_id <> a.provider_id
            UNION ALL
            SELECT export_id FROM arrow_exports GROUP BY export_id
            HAVING count(DISTINCT (client_id, provider_id)) > 1)
    """).fetchone()[0]
    if conflicts:
        raise ExportIdConflict(f"{conflicts} export_id conflict(s)")


def _timestamp(column: str) -> str:
    """Validated ISO 8601 text as TIMESTAMPTZ; the seconds-less form (``…T10:00+02:00``) gets ':00'."""
    return (f"CAST(CASE WHEN {column}[17] = ':' THEN {column} "
            f"ELSE {column}[1:16] || ':00' || {column}[17:] END AS TIMESTAMPTZ)")


def _casts(table: pa.Table) -> str:
    """``REPLACE (...)`` turning the ISO 8601 text columns of ``table`` into TIMESTAMPTZ."""
    casts = [c for c in table.column_names
             if c in TIMESTAMP_COLUMNS and pa.types.is_string(table.schema.field(c).type)]
    return f" REPLACE ({', '.join(f'{_timestamp(c)} AS {c}' for c in casts)})" if casts else ""


def _merge_records(con, spec: RecordTable, tables: dict[str, pa.Table],
                   counts: dict[int, Counter]) -> None:
    incoming = tables[spec.table]
    if incoming.num_rows == 0:
        return
    t, key = spec.table, spec.key
    con.register("arrow_batch", incoming)
    children = "".join(
        f""" LEFT JOIN (SELECT file_idx, checkin_id, {child_content_sql(child)}
                        FROM {child}_batch GROUP BY ALL) USING (file_idx, checkin_id)"""
        for child in spec.children)
    child_columns = "".join(f", {child}_content" for child in spec.children)
    exclude = f" EXCLUDE ({child_columns[2:]})" if spec.children else ""
    for child in spec.children:
        con.register(f"{child}_batch", tables[child])
    try:
        # The batch's rows with their owner joined in, timestamps cast and content digested.
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE staged AS
            SELECT *{exclude}, {content_hash_sql(t)} AS content_hash
            FROM (SELECT f.client_id, i.*{_casts(incoming)}, f.export_id, f.exported_at{child_columns}
                  FROM arrow_batch i JOIN batch_files f USING (file_idx){children})
        """)
        # Every version of each incoming record: the stored one (file_idx -1) and the batch's.
        # Narrow columns only: message text is not carried through the grouping.
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE versions AS
            SELECT client_id, {key}, file_idx, exported_at, content_hash, export_id
            FROM staged
            UNION ALL
            SELECT s.client_id, s.{key}, -1, s.exported_at, s.content_hash, s.export_id
            FROM {t} s
            SEMI JOIN (SELECT DISTINCT client_id, {key} FROM staged) i USING (client_id, {key})
        """)
        # Each incoming row gets
        #   status:    against the version current when its file comes up (newest export wins,
        #              the earlier-seen version wins a tie): new, unchanged, revised or stale;
        #   is_keeper: whether it is the version to store: the winning content, attributed to
        #              the earliest export carrying it (so batching cannot change the result).
        # Records whose versions all agree (nearly all) take a grouped fast path; records with
        # differing versions are ranked with window functions.
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE merged AS
            WITH record_groups AS (
                SELECT client_id, {key},
                       min(content_hash) <> max(content_hash) AS differs,
                       min(file_idx) AS first_idx,
                       arg_min(file_idx, {{'e': exported_at, 'f': file_idx}}) AS keeper_idx,
                       bool_or(file_idx = -1) AS has_stored
                FROM versions GROUP BY ALL
            ), agreeing AS (
                SELECT v.client_id, v.{key}, v.file_idx, v.export_id, g.has_stored,
                       CASE WHEN v.file_idx = g.first_idx THEN 'new' ELSE 'unchanged' END AS status,
                       NULL::VARCHAR AS previous_export_id,
                       v.file_idx = g.keeper_idx AS is_keeper,
                       NULL::UBIGINT AS winning_hash
                FROM versions v JOIN record_groups g USING (client_id, {key})
                WHERE NOT g.differs AND v.file_idx >= 0
            ), differing AS (
                SELECT v.*, g.has_stored FROM versions v JOIN record_groups g USING (client_id, {key})
                WHERE g.differs
            ), ranked AS (
                SELECT *,
                    arg_max({{'hash': content_hash, 'exported_at': exported_at, 'export_id': export_id}},
                            {{'e': exported_at, 'f': -file_idx}})
                        OVER (PARTITION BY client_id, {key} ORDER BY file_idx
                              ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous,
                    arg_max(content_hash, {{'e': exported_at, 'f': -file_idx}})
                        OVER (PARTITION BY client_id, {key}) AS winning_hash
                FROM differing
            ), keyed AS (
                SELECT *,
                    min(CASE WHEN content_hash = winning_hash THEN {{'e': exported_at, 'f': file_idx}} END)
                        OVER (PARTITION BY client_id, {key}) AS keeper
                FROM ranked
            )
            SELECT * FROM agreeing
            UNION ALL
            SELECT client_id, {key}, file_idx, export_id, has_stored,
                   CASE WHEN previous IS NULL THEN 'new'
                        WHEN previous.hash = content_hash THEN 'unchanged'
                        WHEN exported_at > previous.exported_at THEN 'revised'
                        ELSE 'stale' END,
                   previous.export_id,
                   keeper = {{'e': exported_at, 'f': file_idx}},
                   winning_hash
            FROM keyed
            WHERE file_idx >= 0
        """)
        replaced, differing = 0, 0
        for file_idx, status, n, n_replacing, n_differing in con.execute(
                "SELECT file_idx, status, count(*), count(*) FILTER (WHERE is_keeper AND has_stored), "
                "count(*) FILTER (WHERE winning_hash IS NOT NULL) FROM merged GROUP BY ALL").fetchall():
            counts[file_idx][status] += n
            replaced += n_replacing
            differing += n_differing
        if differing:  # records whose versions differ: few, so this costs nothing on the usual path
            _count_other_share(con, spec, counts)
            if spec.text is not None:
                _keep_superseded_texts(con, spec)
        con.execute(f"""
            INSERT INTO record_revisions
            SELECT client_id, '{spec.kind}', {key}, previous_export_id, export_id, now()
            FROM merged WHERE status = 'revised'
        """)
        if replaced:  # only revisions and re-attributions touch stored rows
            for table in (t, *spec.children):
                con.execute(f"""
                    DELETE FROM {table} USING merged m
                    WHERE m.is_keeper AND m.has_stored
                      AND {table}.client_id = m.client_id AND {table}.{key} = m.{key}
                """)
        con.execute(f"""
            INSERT INTO {t} BY NAME
            SELECT i.* EXCLUDE (file_idx) FROM staged i
            SEMI JOIN (SELECT file_idx, client_id, {key} FROM merged WHERE is_keeper) k
                USING (file_idx, client_id, {key})
        """)
        for child in spec.children:
            con.execute(f"""
                INSERT INTO {child} BY NAME
                SELECT f.client_id, c.* EXCLUDE (file_idx) FROM {child}_batch c
                JOIN batch_files f USING (file_idx)
                SEMI JOIN (SELECT file_idx, client_id, {key} FROM merged WHERE is_keeper) k
                    USING (file_idx, client_id, {key})
            """)
        if differing and spec.text is not None:
            # A text that is current again (A, then B, then A once more) is no longer superseded.
            text = spec.text
            con.execute(f"""
                DELETE FROM superseded_texts s
                USING {t} c, (SELECT DISTINCT client_id, {key} FROM merged WHERE winning_hash IS NOT NULL) d
                WHERE s.source = '{text.source}' AND s.client_id = c.client_id AND s.record_id = c.{key}
                  AND s.text = c.{text.text} AND d.client_id = c.client_id AND d.{key} = c.{key}
            """)
    finally:
        con.unregister("arrow_batch")
        for child in spec.children:
            con.unregister(f"{child}_batch")


def _version_providers_sql(spec: RecordTable, which: str) -> str:
    """The ``versions`` rows of records in ``which`` (a query of client_id, key), each with
    the provider whose share carried it (batch rows: their file; stored rows: their export)."""
    key = spec.key
    return f"""
        SELECT v.*, coalesce(f.provider_id, e.provider_id) AS provider_id
        FROM versions v
        SEMI JOIN ({which}) w USING (client_id, {key})
        LEFT JOIN batch_files f ON v.file_idx >= 0 AND f.file_idx = v.file_idx
        LEFT JOIN exports e ON v.file_idx = -1 AND e.export_id = v.export_id AND e.client_id = v.client_id
    """


def _count_other_share(con, spec: RecordTable, counts: dict[int, Counter]) -> None:
    """Count, per file, revisions arriving through another provider than the one that first
    sent the record: the export with the earliest exported_at among every export known to
    have carried a version of it (stored, earlier revisions, this batch)."""
    key = spec.key
    revised = f"SELECT DISTINCT client_id, {key} FROM merged WHERE status = 'revised'"
    rows = con.execute(f"""
        WITH known AS (
            SELECT client_id, {key}, exported_at, export_id, provider_id
            FROM ({_version_providers_sql(spec, revised)})
            UNION ALL
            SELECT r.client_id, r.record_id, e.exported_at, e.export_id, e.provider_id
            FROM record_revisions r
            JOIN exports e ON e.export_id = r.old_export_id AND e.client_id = r.client_id
            JOIN ({revised}) d ON d.client_id = r.client_id AND d.{key} = r.record_id
            WHERE r.record_kind = '{spec.kind}'
        ), origins AS (
            SELECT client_id, {key}, arg_min(provider_id, {{'e': exported_at, 'x': export_id}}) AS origin
            FROM known GROUP BY ALL
        )
        SELECT m.file_idx, count(*)
        FROM merged m JOIN batch_files f USING (file_idx)
        JOIN origins o ON o.client_id = m.client_id AND o.{key} = m.{key}
        WHERE m.status = 'revised' AND f.provider_id IS DISTINCT FROM o.origin
        GROUP BY ALL
    """).fetchall()
    for file_idx, n in rows:
        counts[file_idx]["other_share"] += n


def _keep_superseded_texts(con, spec: RecordTable) -> None:
    """Keep every text version of records whose versions differ that is not the winning one:
    the stored version about to be replaced, and batch versions that lose (older or earlier
    in the batch). Runs before stored rows are replaced; one row per record and text."""
    t, key, text = spec.table, spec.key, spec.text
    differing = f"SELECT DISTINCT client_id, {key} FROM merged WHERE winning_hash IS NOT NULL"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE losing AS
        SELECT v.* FROM ({_version_providers_sql(spec, differing)}) v
        JOIN (SELECT DISTINCT client_id, {key}, winning_hash FROM merged WHERE winning_hash IS NOT NULL) w
            USING (client_id, {key})
        WHERE v.content_hash <> w.winning_hash
    """)
    columns = (f"client_id, {key}, {text.conversation_id} AS conversation_id, {text.written_at} AS written_at, "
               f"{text.text} AS text, export_id, exported_at")
    con.execute(f"""
        INSERT INTO superseded_texts
        SELECT client_id, '{text.source}', {key}, arg_min(conversation_id, {{'e': exported_at, 'x': export_id}}),
               arg_min(written_at, {{'e': exported_at, 'x': export_id}}), text,
               md5(text), arg_min(export_id, {{'e': exported_at, 'x': export_id}}),
               arg_min(provider_id, {{'e': exported_at, 'x': export_id}}), min(exported_at), now()
        FROM (
            SELECT s.*, l.provider_id FROM (SELECT {columns}, -1 AS file_idx FROM {t} WHERE {text.only}) s
            JOIN losing l ON l.file_idx = -1 AND l.client_id = s.client_id AND l.{key} = s.{key}
            UNION ALL
            SELECT s.*, l.provider_id FROM (SELECT {columns}, file_idx FROM staged WHERE {text.only}) s
            JOIN losing l ON l.file_idx = s.file_idx AND l.client_id = s.client_id AND l.{key} = s.{key}
        ) v
        WHERE text IS NOT NULL AND trim(text) <> ''
          AND NOT EXISTS (SELECT 1 FROM superseded_texts k
                          WHERE k.source = '{text.source}' AND k.client_id = v.client_id
                            AND k.record_id = v.{key} AND k.text = v.text)
        GROUP BY client_id, {key}, text
    """)


def _save_exports(con, exports: pa.Table) -> None:
    """Record each export file (registered as ``arrow_exports``), then refresh its clients and providers."""
    # A repeated export_id with new bytes replaces the earlier row: one row per export.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE export_rows AS
        SELECT * EXCLUDE (file_idx){_casts(exports)} FROM arrow_exports
        QUALIFY row_number() OVER (PARTITION BY export_id ORDER BY file_idx DESC) = 1
    """)
    con.execute("DELETE FROM exports USING export_rows r WHERE exports.export_id = r.export_id")
    con.execute("INSERT INTO exports BY NAME SELECT * FROM export_rows")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE touched AS
        SELECT DISTINCT client_id, provider_id FROM export_rows
    """)
    con.execute("DELETE FROM clients WHERE client_id IN (SELECT client_id FROM touched)")
    con.execute("""
        INSERT INTO clients
        SELECT client_id,
               arg_max(client_display_name, exported_at) FILTER (WHERE client_display_name IS NOT NULL),
               coalesce(arg_max(client_timezone, exported_at) FILTER (WHERE client_timezone IS NOT NULL), 'UTC'),
               arg_max(client_birth_year, exported_at) FILTER (WHERE client_birth_year IS NOT NULL),
               max(exported_at)
        FROM exports WHERE client_id IN (SELECT client_id FROM touched)
        GROUP BY client_id
    """)
    con.execute("DELETE FROM providers WHERE provider_id IN (SELECT provider_id FROM touched)")
    con.execute("""
        INSERT INTO providers
        SELECT provider_id, arg_max(provider_name, exported_at) FILTER (WHERE provider_name IS NOT NULL)
        FROM exports WHERE provider_id IN (SELECT provider_id FROM touched)
        GROUP BY provider_id
    """)
    con.execute("""
        DELETE FROM client_providers USING touched t
        WHERE client_providers.client_id = t.client_id AND client_providers.provider_id = t.provider_id
    """)
    con.execute("""
        INSERT INTO client_providers
        SELECT e.client_id, e.provider_id, arg_max(e.scope, e.exported_at),
               arg_max(e.consented_at, e.exported_at), max(e.exported_at)
        FROM exports e SEMI JOIN touched t USING (client_id, provider_id)
        GROUP BY e.client_id, e.provider_id
    """)
