"""Write a batch of validated exports into the database, set-based, in one transaction.

Semantics are those of ingesting the batch's files one after another: a record is
``new`` if no earlier version exists, ``unchanged`` if the current version has the same
content, ``revised`` if its content differs and its export is newer (it replaces the
stored one), and ``stale`` if its content differs but a newer export's version is kept.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import duckdb
import pyarrow as pa

STATUSES = ("new", "unchanged", "revised", "stale")


@dataclass(frozen=True)
class RecordTable:
    table: str
    kind: str            # what record_revisions calls it
    key: str             # the export's id field
    children: tuple[str, ...] = ()   # tables replaced together with the record


RECORD_TABLES = (
    RecordTable("checkins", "checkin", "checkin_id", ("checkin_emotions", "checkin_body_sensations")),
    RecordTable("conversations", "conversation", "conversation_id"),
    RecordTable("messages", "message", "message_id"),
    RecordTable("practices", "practice", "practice_id"),
)


def save_batch(con: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> dict[int, Counter]:
    """Merge one batch (``normalize.batch_tables``) into the database; counts per file_idx.

    The caller owns the transaction: this runs inside it and never commits.
    """
    counts: dict[int, Counter] = defaultdict(Counter)
    for spec in RECORD_TABLES:
        _merge_records(con, spec, tables, counts)
    _save_exports(con, tables["exports"])
    return counts


def _merge_records(con, spec: RecordTable, tables: dict[str, pa.Table],
                   counts: dict[int, Counter]) -> None:
    incoming = tables[spec.table]
    if incoming.num_rows == 0:
        return
    t, key = spec.table, spec.key
    con.register("incoming", incoming)
    try:
        # Status of each incoming row against the version current when its file comes up:
        # the stored one (file_idx -1) and those of earlier files, newest export winning,
        # the earlier-seen version winning a tie.
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE incoming_status AS
            WITH stored AS (
                SELECT s.client_id, s.{key}, -1 AS file_idx, s.exported_at, s.content_hash, s.export_id
                FROM {t} s
                SEMI JOIN (SELECT DISTINCT client_id, {key} FROM incoming) i USING (client_id, {key})
            ), versions AS (
                SELECT * FROM stored
                UNION ALL
                SELECT client_id, {key}, file_idx, exported_at, content_hash, export_id FROM incoming
            ), with_previous AS (
                SELECT *, arg_max({{'hash': content_hash, 'exported_at': exported_at, 'export_id': export_id}},
                                  {{'e': exported_at, 'f': -file_idx}})
                          OVER (PARTITION BY client_id, {key} ORDER BY file_idx
                                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous
                FROM versions
            )
            SELECT client_id, {key} AS record_id, file_idx, export_id,
                   previous.export_id AS previous_export_id,
                   CASE WHEN previous IS NULL THEN 'new'
                        WHEN previous.hash = content_hash THEN 'unchanged'
                        WHEN exported_at > previous.exported_at THEN 'revised'
                        ELSE 'stale' END AS status
            FROM with_previous
            WHERE file_idx >= 0
        """)
        for file_idx, status, n in con.execute(
                "SELECT file_idx, status, count(*) FROM incoming_status GROUP BY ALL").fetchall():
            counts[file_idx][status] += n
        con.execute(f"""
            INSERT INTO record_revisions
            SELECT client_id, '{spec.kind}', record_id, previous_export_id, export_id, now()
            FROM incoming_status WHERE status = 'revised'
        """)
        # The version to keep per record: the winning content (newest export, stored version
        # first on a tie), attributed to the earliest export that carries it. Order-independent,
        # so batching files differently gives the same table.
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE to_write AS
            WITH candidates AS (
                SELECT client_id, {key}, content_hash, exported_at, file_idx FROM incoming
                UNION ALL
                SELECT s.client_id, s.{key}, s.content_hash, s.exported_at, -1 FROM {t} s
                SEMI JOIN (SELECT DISTINCT client_id, {key} FROM incoming) i USING (client_id, {key})
            ), winning AS (
                SELECT client_id, {key},
                       arg_max(content_hash, {{'e': exported_at, 'f': -file_idx}}) AS content_hash
                FROM candidates GROUP BY ALL
            ), keeper AS (
                SELECT c.client_id, c.{key},
                       arg_min(c.file_idx, {{'e': c.exported_at, 'f': c.file_idx}}) AS file_idx
                FROM candidates c JOIN winning w USING (client_id, {key}, content_hash)
                GROUP BY ALL
            )
            SELECT i.* FROM incoming i JOIN keeper k USING (client_id, {key}, file_idx)
        """)
        for table in (t, *spec.children):
            con.execute(f"""
                DELETE FROM {table} USING to_write w
                WHERE {table}.client_id = w.client_id AND {table}.{key} = w.{key}
            """)
        con.execute(f"INSERT INTO {t} BY NAME SELECT * EXCLUDE (file_idx) FROM to_write")
        for child in spec.children:
            con.register("incoming_child", tables[child])
            try:
                con.execute(f"""
                    INSERT INTO {child} BY NAME
                    SELECT c.* EXCLUDE (file_idx) FROM incoming_child c
                    SEMI JOIN to_write w USING (file_idx, client_id, {key})
                """)
            finally:
                con.unregister("incoming_child")
    finally:
        con.unregister("incoming")


def _save_exports(con, exports: pa.Table) -> None:
    """Record each export file, then refresh the clients and providers it names."""
    con.register("incoming_exports", exports)
    try:
        # A repeated export_id with new bytes replaces the earlier row: one row per export.
        con.execute("""
            CREATE OR REPLACE TEMP TABLE export_rows AS
            SELECT * EXCLUDE (file_idx) FROM incoming_exports
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
    finally:
        con.unregister("incoming_exports")
