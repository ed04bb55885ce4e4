"""Validate and normalize a chunk of export files: pure, picklable in and out.

Large ingests run this in a worker process, so Python's parsing and DuckDB's saving use
both cores. (In one process they cannot: DuckDB's Python client takes the GIL between
query tasks to check for Ctrl-C, so a parsing thread slowed every save about fivefold,
measured in bench/ingest.py's development.)
"""

from __future__ import annotations

import gc
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

import hashlib

from .export_format import ExportRejected, read_export
from .normalize import AcceptedFile, batch_tables, record_count
from .sources import SourceRejected, read_disk_file

# sha256 → record count of files already in the database when this ingest started.
_known_files: dict[str, int] = {}


def remember_known_files(known: dict[str, int]) -> None:
    """Worker initializer: files already ingested are recognised without parsing."""
    global _known_files
    _known_files = known


@dataclass
class ParsedFile:
    name: str
    sha256: str | None
    accepted: bool
    reason: str | None = None
    export_id: str | None = None
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
            except ExportRejected as error:
                files.append(ParsedFile(name, sha256, False, reason=str(error)))
                continue
            del data
            n_records = record_count(export)
            files.append(ParsedFile(name, sha256, True, export_id=export.export_id, n_records=n_records))
            accepted.append(AcceptedFile(len(accepted), name, sha256, export, n_records))
        return ParsedChunk(files, batch_tables(accepted))
    finally:
        if gc_was_enabled:
            gc.enable()


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
