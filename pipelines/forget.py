"""Consent withdrawal: delete a client's records and everything derived from them.

``forget_client(con, client_id, actor)`` deletes, in one transaction:

- every row of every table with a ``client_id`` column, found in ``information_schema`` (so
  tables added later are covered): records, exports, appointments, revisions, the client's own
  themes and theme membership, quotes, trends, rhythms, episodes, practice effects and stage
  fingerprints; the audit trail is the one exception (below);
- embeddings and signals keyed by ``text_key`` (md5 of a text, or of one of its sentences) that
  no other client's text still uses;
- ``ingest_log`` rows about the client's files (their export ids and file digests), whose
  names and reasons may carry the client's id;
- the caseload themes (labels, keywords, quotes, membership), which were derived partly from
  the client's texts: ``rederive(con)`` (the CLI runs it next) rebuilds them without them.

The audit trail (``audit_log``, hash-chained) is never edited: it keeps who did what and when,
and gains one ``consent withdrawn`` row naming the actor, if ``pipelines.audit`` knows that action.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from . import db

log = logging.getLogger(__name__)

AUDIT_TABLES = ("audit_log", "audit_head")  # hash-chained: never edited, only appended to
AUDIT_ACTION = "consent withdrawn"
# Caseload-wide derived tables, emptied so the next analysis re-derives them without the client.
CASELOAD_THEME_SQL = (
    ("theme_quotes", "DELETE FROM theme_quotes WHERE theme_id IN (SELECT theme_id FROM themes WHERE scope = 'caseload')"),
    ("text_caseload_themes", "DELETE FROM text_caseload_themes"),
    ("theme_fingerprints", "DELETE FROM theme_fingerprints WHERE scope = 'caseload'"),
    ("themes", "DELETE FROM themes WHERE scope = 'caseload'"),
)


@dataclass
class ForgetReport:
    client_id: str
    actor: str
    client_tables: tuple[str, ...] = ()                      # the tables with a client_id column
    deleted: dict[str, int] = field(default_factory=dict)   # table -> rows deleted
    audited: bool = False

    @property
    def found(self) -> bool:
        """False when nothing of the client was stored (unknown, or forgotten before)."""
        return any(n for table, n in self.deleted.items() if table in self.client_tables)

    def line(self) -> str:
        if not self.found:
            return (f"nothing stored for client {self.client_id}: already forgotten, or never ingested; "
                    "nothing was changed")
        rows = sum(n for t, n in self.deleted.items() if t in self.client_tables)
        keys = self.deleted.get("text_embeddings", 0) + self.deleted.get("text_signals", 0)
        return (f"forgot client {self.client_id}: {rows:,} rows in {sum(1 for t in self.client_tables if self.deleted.get(t))} "
                f"tables, {keys:,} embeddings and signals"
                + ("" if self.audited else "; the audit trail has no 'consent withdrawn' action yet (not recorded)"))


def forget_client(con: duckdb.DuckDBPyConnection, client_id: str, actor: str) -> ForgetReport:
    """Delete the client's records and what was derived from them, in one transaction."""
    tables = client_id_tables(con)
    report = ForgetReport(client_id, actor, client_tables=tuple(name for _, name in tables))
    audit = _audit_module()
    with db.transaction(con):
        keys = _text_keys_only_of(con, client_id)
        files = con.execute("SELECT export_id, file_sha256 FROM exports WHERE client_id = ?", [client_id]).fetchall()
        for qualified, name in tables:
            report.deleted[name] = report.deleted.get(name, 0) + _delete(
                con, f"DELETE FROM {qualified} WHERE client_id = ?", [client_id])
        if not report.found:
            return report  # committed empty: nothing to change, and nothing to audit
        con.register("forgotten_keys", pd.DataFrame({"text_key": sorted(keys)}, dtype=object))
        try:
            for table in ("text_embeddings", "text_signals"):
                if _exists(con, table):
                    report.deleted[table] = _delete(
                        con, f"DELETE FROM {table} WHERE text_key IN (SELECT text_key FROM forgotten_keys)")
        finally:
            con.unregister("forgotten_keys")
        if _exists(con, "ingest_log"):
            report.deleted["ingest_log"] = _delete(con, """
                DELETE FROM ingest_log WHERE export_id IN (SELECT unnest(?::VARCHAR[]))
                   OR file_sha256 IN (SELECT unnest(?::VARCHAR[]))
                   OR (export_id IS NULL AND (contains(file_name, ?) OR contains(coalesce(reason, ''), ?)))
            """, [[e for e, _ in files], [s for _, s in files], client_id, client_id])
        for table, sql in CASELOAD_THEME_SQL:
            if _exists(con, table) and _exists(con, "themes"):
                report.deleted[f"caseload {table}"] = _delete(con, sql)
        if audit is not None and hasattr(audit, "record_in"):  # the fact, in the same transaction
            audit.record_in(con, actor, AUDIT_ACTION, client_id)
            report.audited = True
    if audit is not None and not report.audited and hasattr(audit, "record"):
        audit.record(con, actor, AUDIT_ACTION, client_id)
        report.audited = True
    log.info("forgot a client: %d rows", sum(report.deleted.values()))  # no id, no text
    return report


def rederive(con: duckdb.DuckDBPyConnection, **options):
    """Re-derive the caseload themes (and anything else stale) without the forgotten client.

    This is the whole incremental analysis: unchanged clients are skipped by their fingerprints,
    so in practice it re-clusters the caseload; it loads the embedding model (acceptable for a
    command run once per withdrawal; the embeddings it needs are all cached).
    """
    from .analyze import run_analysis

    return run_analysis(con, **options)


def client_id_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(qualified name, name) of every base table with a ``client_id`` column, audit excluded."""
    rows = con.execute("""
        SELECT DISTINCT t.table_catalog, t.table_schema, t.table_name
        FROM information_schema.tables t
        JOIN information_schema.columns c USING (table_catalog, table_schema, table_name)
        WHERE c.column_name = 'client_id' AND t.table_type IN ('BASE TABLE', 'LOCAL TEMPORARY')
          AND t.table_catalog IN (current_database(), 'temp')
        ORDER BY ALL
    """).fetchall()
    return [(".".join(_quoted(p) for p in row), row[2]) for row in rows if row[2] not in AUDIT_TABLES]


def _text_keys_only_of(con, client_id: str) -> set[str]:
    """Keys of the client's texts and of their sentences that no other client's text uses."""
    from .nlp.sentences import split_sentences

    def keys(texts) -> set[str]:
        found = set()
        for text in texts:
            found.add(_md5(text))
            found.update(_md5(s) for s in split_sentences(text))
        return found

    own = keys(t for (t,) in con.execute("SELECT DISTINCT text FROM text_units WHERE client_id = ?",
                                         [client_id]).fetchall())
    others = keys(t for (t,) in con.execute("SELECT DISTINCT text FROM text_units WHERE client_id <> ?",
                                            [client_id]).fetchall())
    return own - others


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()  # = DuckDB's md5(text), embed.text_key


def _delete(con, sql: str, params: list | None = None) -> int:
    return con.execute(sql, params or []).fetchone()[0]


def _exists(con, table: str) -> bool:
    return con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ? "
                       "AND table_catalog = current_database()", [table]).fetchone()[0] > 0


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _audit_module():
    """pipelines.audit if it exists and knows the 'consent withdrawn' action, else None."""
    try:
        from . import audit
    except ImportError:
        return None
    if (hasattr(audit, "record_in") or hasattr(audit, "record")) and AUDIT_ACTION in getattr(audit, "ACTIONS", (AUDIT_ACTION,)):
        return audit
    return None
