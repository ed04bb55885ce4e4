"""Ingest client exports and appointments: read → validate → normalize → save.

``ingest_paths(con, paths)`` is what the command line and the upload page call. Each
file is all-or-nothing: rejected files never reach the database, accepted files are
saved in batches (one transaction each), and a batch that fails to save is rolled back
and retried file by file, so one bad file cannot take others down with it.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import uuid
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterable

import duckdb
import pyarrow as pa

from . import limits
from .appointments import AppointmentsRejected, is_appointments_csv, read_appointments, save_appointments
from .export_format import ExportRejected, read_export
from .normalize import AcceptedFile, batch_tables, record_count
from .save import STATUSES, save_batch
from .sources import Source, SourceRejected, iter_sources

log = logging.getLogger(__name__)

__all__ = ["FileResult", "IngestReport", "ingest_paths", "ingest_sources", "Source"]


@dataclass
class FileResult:
    """What happened to one file. ``reason`` holds ids and field paths only, never client text."""
    name: str
    status: str                      # accepted | rejected | skipped
    reason: str | None = None
    export_id: str | None = None
    sha256: str | None = None
    counts: Counter = field(default_factory=Counter)

    def line(self) -> str:
        """One line for the admin, e.g. ``accepted  a.json: 12 new, 3 unchanged, 0 revised``."""
        if self.status == "accepted":
            parts = [f"{self.counts[s]} {s}" for s in STATUSES if self.counts[s] or s != "stale"]
            text = ", ".join(parts)
            if self.reason:
                text += f" ({self.reason})"
            return f"accepted  {self.name}: {text}"
        if self.status == "rejected":
            return f"rejected  {self.reason}"
        return f"skipped   {self.name}: {self.reason}"


@dataclass
class IngestReport:
    run_id: str
    files: list[FileResult]

    @property
    def accepted(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "accepted"]

    @property
    def rejected(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "rejected"]

    def totals(self) -> Counter:
        total = Counter()
        for f in self.accepted:
            total.update(f.counts)
        return total


def ingest_paths(con: duckdb.DuckDBPyConnection, paths: Iterable) -> IngestReport:
    """Ingest files, folders and .zip archives into the database."""
    return ingest_sources(con, iter_sources(paths))


def ingest_sources(con: duckdb.DuckDBPyConnection, sources: Iterable[Source],
                   *, batch_max_records: int = limits.BATCH_MAX_RECORDS) -> IngestReport:
    """Ingest already-located sources (e.g. uploaded files); see module docstring."""
    gc_was_enabled = gc.isenabled()
    # Millions of small decoded structs make the cyclic GC rescan the heap over and over
    # (a third of ingest time); nothing here builds reference cycles.
    gc.disable()
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-save") as saver:
            return _ingest(con, sources, batch_max_records, saver)
    finally:
        if gc_was_enabled:
            gc.enable()


def _ingest(con, sources, batch_max_records: int, saver: ThreadPoolExecutor) -> IngestReport:
    report = IngestReport(uuid.uuid4().hex, [])
    stored = dict(con.execute("SELECT file_sha256, n_records FROM exports").fetchall())
    batch: list[tuple[FileResult, AcceptedFile]] = []
    batch_records = 0
    saving: Future | None = None  # DuckDB saves one batch while Python reads the next

    def finish_saving() -> None:
        nonlocal saving
        if saving is not None:
            for result, accepted in saving.result():
                if result.status == "accepted":
                    stored[accepted.sha256] = record_count(accepted.export)
            saving = None

    def flush() -> None:
        nonlocal batch, batch_records, saving
        if batch:
            tables = batch_tables([accepted for _, accepted in batch])
            finish_saving()
            saving = saver.submit(_save_files, con, report.run_id, batch, tables)
        batch, batch_records = [], 0

    for source in sources:
        result = FileResult(source.name, source.kind if source.kind in ("rejected", "skipped") else "accepted",
                            reason=source.note)
        report.files.append(result)
        if source.kind in ("rejected", "skipped"):
            if source.kind == "rejected":
                result.reason = f"file {source.name}: {source.note}"
            continue
        try:
            data = source.read()
        except SourceRejected as error:
            result.status, result.reason = "rejected", f"file {source.name}: {error}"
            continue
        result.sha256 = hashlib.sha256(data).hexdigest()
        if source.kind == "appointments":
            finish_saving()  # the connection is the saver's until then
            _ingest_appointments(con, result, data)
            continue
        if result.sha256 in stored:
            # Byte-identical to a file already ingested: by idempotence it changes nothing.
            result.counts["unchanged"] = stored[result.sha256]
            result.reason = "already ingested"
            continue
        try:
            export = read_export(source.name, data)
        except ExportRejected as error:
            result.status, result.reason = "rejected", str(error)
            continue
        del data
        result.export_id = export.export_id
        batch.append((result, AcceptedFile(len(batch), source.name, result.sha256, export)))
        batch_records += record_count(export)
        if batch_records >= batch_max_records:
            flush()
    flush()
    finish_saving()
    _log_unsaved(con, report)
    for result in report.files:
        log.info("ingest %s: %s %s", report.run_id[:8], result.status, result.export_id or "-")
    return report


def _save_files(con, run_id: str, batch: list[tuple[FileResult, AcceptedFile]], tables=None):
    """Save a batch in one transaction; on failure roll back and retry each file alone."""
    try:
        con.execute("BEGIN TRANSACTION")
        counts = save_batch(con, tables or batch_tables([accepted for _, accepted in batch]))
        for result, accepted in batch:
            result.counts = Counter({s: counts.get(accepted.file_idx, Counter())[s] for s in STATUSES})
        _write_log(con, run_id, [result for result, _ in batch])
        con.execute("COMMIT")
    except Exception as error:  # anything: nothing of the batch may stay behind
        con.execute("ROLLBACK")
        for result, _ in batch:
            result.counts = Counter()
        if len(batch) > 1:
            for result, accepted in batch:
                _save_files(con, run_id, [(result, AcceptedFile(0, accepted.name, accepted.sha256,
                                                                accepted.export))])
            return batch
        result = batch[0][0]
        # The exception text may quote data; only its type is reported and logged.
        log.error("ingest %s: saving export %s failed (%s)", run_id[:8], result.export_id,
                  type(error).__name__)
        result.status = "rejected"
        result.reason = (f"export {result.name}: could not be saved ({type(error).__name__}); "
                         "nothing from this file was kept")
    return batch


def _ingest_appointments(con, result: FileResult, data: bytes) -> None:
    if not is_appointments_csv(data):
        result.status = "skipped"
        result.reason = "CSV without the appointments header client_id,provider_id,starts_at"
        return
    try:
        table = read_appointments(result.name, data)
    except AppointmentsRejected as error:
        result.status, result.reason = "rejected", str(error)
        return
    con.execute("BEGIN TRANSACTION")
    try:
        new, unchanged = save_appointments(con, result.name, table)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    result.counts.update(new=new, unchanged=unchanged)


def _write_log(con, run_id: str, results: list[FileResult]) -> None:
    """One ingest_log row per file, inserted in bulk (row-by-row inserts cost ~1.5 ms each)."""
    if not results:
        return
    rows = pa.table({
        "run_id": pa.array([run_id] * len(results), pa.string()),
        "logged_at": pa.array([datetime.now(timezone.utc)] * len(results), pa.timestamp("us", tz="UTC")),
        "file_name": pa.array([r.name for r in results], pa.string()),
        "file_sha256": pa.array([r.sha256 for r in results], pa.string()),
        "export_id": pa.array([r.export_id for r in results], pa.string()),
        "status": pa.array([r.status for r in results], pa.string()),
        "reason": pa.array([r.reason for r in results], pa.string()),
        **{f"n_{status}": pa.array([r.counts[status] for r in results], pa.int32())
           for status in ("new", "unchanged", "revised", "stale")},
    })
    con.register("ingest_log_rows", rows)
    try:
        con.execute("INSERT INTO ingest_log BY NAME SELECT * FROM ingest_log_rows")
    finally:
        con.unregister("ingest_log_rows")


def _log_unsaved(con, report: IngestReport) -> None:
    """Log the files no batch logged: rejected, skipped, already ingested, appointments."""
    batch_logged = {id(r) for r in report.files if r.export_id and r.status == "accepted"
                    and r.reason != "already ingested"}
    _write_log(con, report.run_id, [r for r in report.files if id(r) not in batch_logged])
