"""Validate and normalize a chunk of export files: pure, picklable in and out.

Large ingests run this in a worker process, so Python's parsing and DuckDB's saving use
both cores. (In one process they cannot: DuckDB's Python client takes the GIL between
query tasks to check for Ctrl-C, so a parsing thread slowed every save about fivefold,
measured in bench/ingest.py's development.)
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import sys
import threading
import time
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from .export_format import ExportRejected, read_export
from .normalize import AcceptedFile, batch_tables, record_count
from .sources import SourceRejected, read_disk_file

log = logging.getLogger(__name__)

# sha256 → record count of files already in the database when this ingest started.
_known_files: dict[str, int] = {}
# How often a worker checks that the ingest that started it is still alive.
PARENT_CHECK_SECONDS = 0.5


def start_worker(known: dict[str, int], parent_pid: int) -> None:
    """Worker initializer: die with the ingest process, recognise files already ingested."""
    global _known_files
    die_with_parent(parent_pid)
    _known_files = known


def die_with_parent(parent_pid: int) -> None:
    """End this process as soon as ``parent_pid`` is gone (killed with -9 included).

    On Linux the kernel does it (prctl PR_SET_PDEATHSIG); everywhere a daemon thread also
    checks the parent pid, which changes when the parent dies and the worker is re-parented.
    """
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            libc = ctypes.CDLL(None, use_errno=True)
            PR_SET_PDEATHSIG = 1
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


@dataclass
class ParsedFile:
    name: str
    sha256: str | None
    accepted: bool
    reason: str | None = None
    export_id: str | None = None
    client_id: str | None = None
    provider_id: str | None = None
    n_records: int = 0
    already_ingested: bool = False   # byte-identical to a stored file: accepted, nothing to save


@dataclass
class ParsedChunk:
    files: list[ParsedFile]
    tables: dict[str, pa.Table]   # rows of accepted files; file_idx = position among them


def parse_chunk(chunk: list[tuple[str, bytes | str]], known: dict[str, int] | None = None) -> ParsedChunk:
    """(name, bytes or a path to read) per file → verdicts, and Arrow tables of the new ones.

    ``known`` (default: what the worker was started with) maps sha256 to record count of
    files already ingested.
    """
    known = _known_files if known is None else known
    gc_was_enabled = gc.isenabled()
    gc.disable()  # millions of small structs, no cycles: the cyclic GC would only rescan them
    try:
        files, accepted = [], []
        for name, payload in chunk:
            try:
                data = read_disk_file(payload) if isinstance(payload, str) else payload
            except (SourceRejected, OSError) as error:
                reason = error if isinstance(error, SourceRejected) else "could not be read"
                files.append(ParsedFile(name, None, False, reason=f"file {name}: {reason}"))
                continue
            sha256 = hashlib.sha256(data).hexdigest()
            if sha256 in known:
                files.append(ParsedFile(name, sha256, True, n_records=known[sha256],
                                        already_ingested=True))
                continue
            try:
                export = read_export(name, data)
                n_records = record_count(export)
            except ExportRejected as error:
                files.append(ParsedFile(name, sha256, False, reason=str(error)))
                continue
            except Exception as error:  # any other failure is this file's verdict, not the run's
                files.append(ParsedFile(name, sha256, False, reason=unreadable(name, error)))
                continue
            del data
            files.append(ParsedFile(name, sha256, True, export_id=export.export_id,
                                    client_id=export.client.client_id,
                                    provider_id=export.provider.provider_id, n_records=n_records))
            accepted.append(AcceptedFile(len(accepted), name, sha256, export, n_records))
        return ParsedChunk(files, _tables_of_readable(files, accepted))
    finally:
        if gc_was_enabled:
            gc.enable()


def unreadable(name: str, error: BaseException) -> str:
    """The verdict of a file whose reading failed unexpectedly; the exception's type goes to
    the log (its text may quote the file), the admin gets a plain sentence."""
    log.error("export %s could not be read (%s)", name, type(error).__name__)
    return f"export {name}: could not be read as a client export (an unexpected error); nothing from this file was kept"


def _tables_of_readable(files: list[ParsedFile], accepted: list[AcceptedFile]) -> dict[str, pa.Table]:
    """The chunk's tables; a file whose records cannot be tabled is rejected alone."""
    try:
        return batch_tables(accepted)
    except Exception:
        pass
    kept = []
    for file in accepted:
        try:
            batch_tables([file])
        except Exception as error:
            verdict = next(f for f in files if f.accepted and f.sha256 == file.sha256 and f.name == file.name)
            verdict.accepted, verdict.reason = False, unreadable(file.name, error)
            continue
        kept.append(AcceptedFile(len(kept), file.name, file.sha256, file.export, file.n_records))
    return batch_tables(kept)


def shift_files(tables: dict[str, pa.Table], offset: int) -> dict[str, pa.Table]:
    """The same tables with ``file_idx`` moved up by ``offset`` (chunks joining one batch)."""
    if offset == 0:
        return tables
    return {name: table.set_column(0, "file_idx", pc.add(table.column("file_idx"),
                                                        pa.scalar(offset, pa.int32())))
            for name, table in tables.items()}


def concat_chunks(parts: list[dict[str, pa.Table]]) -> dict[str, pa.Table]:
    return {name: pa.concat_tables([p[name] for p in parts]) for name in parts[0]}


def one_file(tables: dict[str, pa.Table], file_idx: int) -> dict[str, pa.Table]:
    """Only the rows of one file, renumbered as file 0 (saving it alone after a failed batch)."""
    out = {}
    for name, table in tables.items():
        rows = table.filter(pc.equal(table.column("file_idx"), file_idx))
        out[name] = rows.set_column(0, "file_idx", pa.array([0] * rows.num_rows, pa.int32()))
    return out
