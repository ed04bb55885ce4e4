"""Ingest client exports and appointments: read → validate → normalize → save.

``ingest_paths(con, paths)`` is what the command line and the upload page call. Every
file gets a verdict: any failure inside one file's reading, validation or saving is that
file's rejection (a plain message for the admin, the exception's type in the log, never
its text), and the run goes on. Each file is all-or-nothing: rejected files never reach
the database, accepted files are saved in batches (one transaction each), and a batch
that fails to save is rolled back and retried file by file, so one bad file cannot take
others down with it. An export_id already held for another client or provider (stored,
or earlier in the run) is a conflict: rejected, never merged. The parsing worker ends
when this process ends, however it ends.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import multiprocessing
import sys
import types
import os
import uuid
from collections import Counter, deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterable

import duckdb
import msgspec
import pyarrow as pa

from .. import db
from . import limits
from . import calendar
from .sources import CALENDAR_SUFFIX as calendar_suffix
from .appointments import AppointmentsRejected, is_appointments_csv, read_appointments, save_appointments
from .parse import ParsedFile, concat_chunks, one_file, parse_chunk, shift_files, start_worker
from .save import STATUSES, ExportIdConflict, save_batch
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
            notes = [self.reason] if self.reason else []
            if self.counts["other_share"]:
                notes.append(f"{self.counts['other_share']} revised via another share than the one that "
                             "first sent the record; the earlier versions are kept")
            if notes:
                text += f" ({'; '.join(notes)})"
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


def ingest_paths(con: duckdb.DuckDBPyConnection, paths: Iterable, *,
                 only_provider: str | None = None) -> IngestReport:
    """Ingest files, folders and .zip archives into the database (``only_provider``: see
    ``ingest_sources``)."""
    return ingest_sources(con, iter_sources(paths), only_provider=only_provider)


def ingest_sources(con: duckdb.DuckDBPyConnection, sources: Iterable[Source],
                   *, batch_max_records: int = limits.BATCH_MAX_RECORDS,
                   worker_after_bytes: int = limits.WORKER_AFTER_BYTES,
                   only_provider: str | None = None) -> IngestReport:
    """Ingest already-located sources (e.g. uploaded files); see module docstring.

    Once ``worker_after_bytes`` of new exports have been parsed, parsing moves to a
    worker process so that it overlaps with DuckDB saving the previous batch.

    ``only_provider`` (a therapist's upload): an export naming another provider, and an
    appointments file with any row for another provider, is rejected whole (nothing of it is
    stored), also when the file is byte-identical to one already ingested.
    """
    gc_was_enabled = gc.isenabled()
    # Millions of small decoded structs make the cyclic GC rescan the heap over and over
    # (a third of ingest time); nothing here builds reference cycles.
    gc.disable()
    threads, threshold = con.execute(
        "SELECT current_setting('threads'), current_setting('checkpoint_threshold')").fetchone()
    # The parsing worker has a core of its own; DuckDB's saving queries gain little from a
    # second thread and lose more to sharing it (measured).
    con.execute(f"SET threads = {max(1, threads - 1)}")
    # Batches are committed to the write-ahead log (durable) and compressed into the file
    # once at the end: checkpointing after every batch took twice as long and left a
    # database file twice the size (measured with bench/ingest.py).
    con.execute(f"SET checkpoint_threshold = '{limits.INGEST_CHECKPOINT_THRESHOLD}'")
    try:
        stored = dict(con.execute("SELECT file_sha256, n_records FROM exports").fetchall())
        held = {export_id: (client_id, provider_id) for export_id, client_id, provider_id
                in con.execute("SELECT export_id, client_id, provider_id FROM exports").fetchall()}
        stored_providers = (dict(con.execute("SELECT file_sha256, provider_id FROM exports").fetchall())
                            if only_provider is not None else {})
        with _Parser(worker_after_bytes, stored) as parser:
            report = _ingest(con, sources, batch_max_records, parser, stored, held,
                             _ProviderRule(only_provider, stored_providers))
        con.execute("CHECKPOINT")
        return report
    finally:
        con.execute(f"SET threads = {threads}")
        con.execute(f"SET checkpoint_threshold = '{threshold}'")
        if gc_was_enabled:
            gc.enable()


class _Parser:
    """Parses chunks of files in this process until enough bytes of new files have been
    parsed, then in a worker process (spawned, never forked: DuckDB's threads must not be
    forked)."""

    def __init__(self, worker_after_bytes: int, known: dict[str, int]):
        self.worker_after_bytes = worker_after_bytes
        self.known = known
        self.bytes_seen = 0
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> "_Parser":
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def submit(self, chunk: list[tuple[str, bytes | str]], n_bytes: int) -> Future:
        if self.pool is None and self.bytes_seen >= self.worker_after_bytes:
            self._start_pool()
        if self.pool is not None:
            try:
                with _plain_main():
                    return self.pool.submit(parse_chunk, chunk)
            except BrokenProcessPool:  # the worker died (e.g. out of memory): start another
                self._start_pool()
                with _plain_main():
                    return self.pool.submit(parse_chunk, chunk)
        parsed = parse_chunk(chunk, self.known)
        # Only files that needed parsing count towards starting a worker: a re-ingest of
        # files already stored (recognised by their hash) is over before a worker would be up.
        n_parsed = sum(1 for f in parsed.files if not f.already_ingested)
        self.bytes_seen += n_bytes * n_parsed // max(len(parsed.files), 1)
        done: Future = Future()
        done.set_result(parsed)
        return done

    def _start_pool(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
        # The worker ends itself when this process ends, however it ends (start_worker).
        self.pool = ProcessPoolExecutor(max_workers=limits.PARSE_WORKERS,
                                        mp_context=multiprocessing.get_context("spawn"),
                                        initializer=start_worker, initargs=(dict(self.known), os.getpid()))


@contextlib.contextmanager
def _plain_main():
    """While a worker is spawned, ``__main__`` is a bare module. A spawned child re-imports the
    parent's main module, and inside the app (Streamlit, or AppTest) that is the page script
    dashboard/app.py: the worker would run the app and die, and every file it parsed would be
    rejected. The worker needs nothing from ``__main__``."""
    saved = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if saved is not None:
            sys.modules["__main__"] = saved


@dataclass
class _ProviderRule:
    """Whose files this ingest takes: every provider's (``only`` is None), or one provider's."""
    only: str | None = None
    stored: dict[str, str] = field(default_factory=dict)   # sha256 -> provider_id, files already held

    def export_problem(self, name: str, file: ParsedFile) -> str | None:
        """Why this parsed export may not be stored by this ingest, or None."""
        if self.only is None:
            return None
        provider = self.stored.get(file.sha256) if file.already_ingested else file.provider_id
        if provider == self.only:
            return None
        return (f"export {name}: provider.provider_id: the export is shared with another provider, "
                f"not {self.only}; you can upload only your own clients' exports; nothing from this "
                "file was kept")

    def appointments_problem(self, name: str, table: pa.Table, row_label: str, first_row: int) -> str | None:
        """Why these appointments may not be stored by this ingest, or None."""
        if self.only is None:
            return None
        for position, provider in enumerate(table.column("provider_id").to_pylist()):
            if provider != self.only:
                return (f"appointments {name}: {row_label} {position + first_row}, provider_id: an "
                        f"appointment with another provider, not {self.only}; you can upload only your "
                        "own appointments; nothing from this file was kept")
        return None


@dataclass
class _Batch:
    """Parsed files waiting to be saved together in one transaction."""
    results: list[FileResult] = field(default_factory=list)
    parsed: list[ParsedFile] = field(default_factory=list)
    tables: list[dict] = field(default_factory=list)
    n_records: int = 0


def _ingest(con, sources, batch_max_records: int, parser: _Parser, stored: dict[str, int],
            held: dict[str, tuple[str, str]], rule: _ProviderRule) -> IngestReport:
    """``stored``: sha256 → record count of files in the database; ``held``: export_id →
    (client_id, provider_id) of exports in the database or accepted earlier in this run."""
    report = IngestReport(uuid.uuid4().hex, [])
    in_flight: deque[tuple[list[FileResult], Future, int]] = deque()
    chunk: list[tuple[str, bytes | str]] = []
    chunk_results: list[FileResult] = []
    chunk_bytes = 0
    batch = _Batch()
    # Batches start small and double up to batch_max_records, so saving (the slower half of
    # a big ingest) starts as soon as the first files are parsed instead of waiting for a
    # full batch. The sizes depend on record counts only, never on timing.
    batch_limit = min(limits.BATCH_FIRST_RECORDS, batch_max_records)

    def save_batch_now() -> None:
        nonlocal batch, batch_limit
        if batch.results:
            batch_limit = min(2 * batch_limit, batch_max_records)
            _save_files(con, report.run_id, batch.results, concat_chunks(batch.tables))
            for result, parsed in zip(batch.results, batch.parsed):
                if result.status == "accepted":
                    stored[parsed.sha256] = parsed.n_records
                    rule.stored[parsed.sha256] = parsed.provider_id
        batch = _Batch()

    def absorb_oldest() -> None:
        """Take the oldest parsed chunk into the batch; save the batch when it is full."""
        results, future, _ = in_flight.popleft()
        try:
            parsed = future.result()
        except Exception as error:  # the worker died or could not return: these files' verdict
            log.error("ingest %s: parsing %d files failed (%s)", report.run_id[:8], len(results),
                      type(error).__name__)
            for result in results:
                result.status = "rejected"
                result.reason = (f"export {result.name}: could not be parsed (the parsing worker stopped); "
                                 "nothing from this file was kept")
            return
        kept = []
        for file_idx, (result, file) in enumerate(zip(results, parsed.files)):
            result.sha256 = file.sha256
            if not file.accepted:
                result.status, result.reason = "rejected", file.reason
                continue
            problem = rule.export_problem(result.name, file)
            if problem:
                result.status, result.reason = "rejected", problem
                continue
            if file.already_ingested:
                # Byte-identical to a file already ingested: by idempotence it changes nothing.
                result.counts["unchanged"] = file.n_records
                result.reason = "already ingested"
                continue
            owner = held.setdefault(file.export_id, (file.client_id, file.provider_id))
            if owner != (file.client_id, file.provider_id):
                result.status, result.reason = "rejected", export_id_conflict(result.name, file.export_id)
                continue
            result.export_id = file.export_id
            batch.results.append(result)
            batch.parsed.append(file)
            batch.n_records += file.n_records
            kept.append(sum(1 for f in parsed.files[:file_idx] if f.accepted and not f.already_ingested))
        if kept:
            tables = parsed.tables
            if len(kept) < sum(1 for f in parsed.files if f.accepted and not f.already_ingested):
                # Some were refused here (export_id conflicts): keep only the others' rows.
                tables = concat_chunks([shift_files(one_file(tables, i), n) for n, i in enumerate(kept)])
            batch.tables.append(shift_files(tables, len(batch.results) - len(kept)))
        if batch.n_records >= batch_limit:
            save_batch_now()

    def submit_chunk() -> None:
        nonlocal chunk, chunk_results, chunk_bytes
        if chunk:
            in_flight.append((chunk_results, parser.submit(chunk, chunk_bytes), chunk_bytes))
            chunk, chunk_results, chunk_bytes = [], [], 0
        # Bounded read-ahead: parsed chunks are absorbed once done or when too much is pending.
        while in_flight and (in_flight[0][1].done()
                             or sum(n for _, _, n in in_flight) > limits.PARSE_AHEAD_BYTES):
            absorb_oldest()

    for source in sources:
        result = FileResult(source.name, source.kind if source.kind in ("rejected", "skipped") else "accepted",
                            reason=source.note)
        report.files.append(result)
        if source.kind in ("rejected", "skipped"):
            if source.kind == "rejected":
                result.reason = f"file {source.name}: {source.note}"
            continue
        if source.kind == "export":
            if source.disk is not None:  # read where it is parsed
                payload, n_bytes = source.disk
            else:
                try:
                    payload = source.read()
                except Exception as error:
                    result.status, result.reason = "rejected", _read_failure(source.name, error)
                    continue
                n_bytes = len(payload)
            chunk.append((source.name, payload))
            chunk_results.append(result)
            chunk_bytes += n_bytes
            if chunk_bytes >= limits.PARSE_CHUNK_BYTES:
                submit_chunk()
            continue
        # Appointments: files listed before them are saved before them.
        submit_chunk()
        while in_flight:
            absorb_oldest()
        save_batch_now()
        try:
            data = source.read()
        except Exception as error:
            result.status, result.reason = "rejected", _read_failure(source.name, error)
            continue
        result.sha256 = hashlib.sha256(data).hexdigest()
        try:
            _ingest_appointments(con, result, data, rule)
        except Exception as error:  # rolled back by db.transaction: nothing of it is kept
            log.error("ingest %s: appointments %s failed (%s)", report.run_id[:8], source.name,
                      type(error).__name__)
            result.counts = Counter()
            result.status = "rejected"
            result.reason = (f"appointments {source.name}: could not be saved (an unexpected error); "
                             "nothing from this file was kept")
    submit_chunk()
    while in_flight:
        absorb_oldest()
    save_batch_now()
    with db.transaction(con):
        _log_unsaved(con, report)
    for result in report.files:
        log.info("ingest %s: %s %s", report.run_id[:8], result.status, result.export_id or "-")
    return report


def _save_files(con, run_id: str, results: list[FileResult], tables: dict) -> None:
    """Save a batch in one transaction; on failure roll back and retry each file alone.

    ``results[i]`` is the file whose rows carry ``file_idx == i`` in ``tables``.
    """
    try:
        with db.transaction(con):
            counts = save_batch(con, tables)
            for file_idx, result in enumerate(results):
                result.counts = Counter({s: 0 for s in STATUSES})
                result.counts.update(counts.get(file_idx, Counter()))   # statuses, and other_share
            _write_log(con, run_id, results)
    except Exception as error:  # anything: nothing of the batch may stay behind
        for result in results:
            result.counts = Counter()
        if len(results) > 1:
            for file_idx, result in enumerate(results):
                _save_files(con, run_id, [result], one_file(tables, file_idx))
            return
        result = results[0]
        result.status = "rejected"
        if isinstance(error, ExportIdConflict):
            result.reason = export_id_conflict(result.name, result.export_id)
            return
        # The exception text may quote data; only its type is logged.
        log.error("ingest %s: saving export %s failed (%s)", run_id[:8], result.export_id,
                  type(error).__name__)
        result.reason = (f"export {result.name}: could not be saved (an unexpected database error); "
                         "nothing from this file was kept")


def export_id_conflict(name: str, export_id: str) -> str:
    """The rejection of a file whose export_id is held for another client or provider."""
    return (f"export {name}: export_id conflict: export_id {msgspec.json.encode(export_id).decode()} "
            "is already held for another client or provider; nothing from this file was kept")


def _read_failure(name: str, error: Exception) -> str:
    if isinstance(error, SourceRejected):
        return f"file {name}: {error}"
    log.error("reading %s failed (%s)", name, type(error).__name__)
    return f"file {name}: could not be read"


def _ingest_appointments(con, result: FileResult, data: bytes, rule: _ProviderRule) -> None:
    # --- Calendar (.ics) appointments: chosen by content (a .ics name only to reject non-calendars).
    if calendar.is_calendar(data) or result.name.lower().endswith(calendar_suffix):
        try:
            read = calendar.read_calendar(result.name, data)
        except calendar.CalendarRejected as error:
            result.status, result.reason = "rejected", str(error)
            return
        problem = rule.appointments_problem(result.name, read.table, "session", 1)
        if problem:
            result.status, result.reason = "rejected", problem
            return
        with db.transaction(con):
            new, unchanged = save_appointments(con, result.name, read.table)
        result.counts.update(new=new, unchanged=unchanged)
        result.reason = read.note()
        return
    # --- CSV appointments.
    if not is_appointments_csv(data):
        result.status = "skipped"
        result.reason = "CSV without the appointments header client_id,provider_id,starts_at"
        return
    try:
        table = read_appointments(result.name, data)
    except AppointmentsRejected as error:
        result.status, result.reason = "rejected", str(error)
        return
    problem = rule.appointments_problem(result.name, table, "line", 2)
    if problem:
        result.status, result.reason = "rejected", problem
        return
    with db.transaction(con):
        new, unchanged = save_appointments(con, result.name, table)
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
