"""Validated exports → columnar Arrow tables, one per database table (pure, no I/O).

Each row carries ``file_idx`` (which file of the batch it came from) so the save step
can resolve overlaps and revisions between files of one batch in set-based SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from operator import attrgetter

import numpy as np
import pyarrow as pa
from msgspec import UNSET

from .export_format import Export

UTC_MICROS = pa.timestamp("us", tz="UTC")
# Timestamp columns travel as ISO 8601 text and are cast by DuckDB (vectorized, exact offsets).
TIMESTAMP_COLUMNS = frozenset({"checked_in_at", "started_at", "sent_at", "practiced_at", "exported_at",
                               "consented_at", "period_start", "period_end"})
DEFAULT_TIMEZONE = "UTC"


@dataclass(frozen=True)
class AcceptedFile:
    """A validated export and where it came from."""
    file_idx: int
    name: str
    sha256: str
    export: Export


def record_count(export: Export) -> int:
    """Records in an export: check-ins, conversations, messages and practices."""
    messages = sum(len(c.messages) for c in export.conversations if c.messages is not UNSET)
    return len(export.checkins) + len(export.conversations) + messages + len(export.practices)


def _optional(values: tuple, arrow_type: pa.DataType) -> pa.Array:
    """Column of an optional field: UNSET (absent in the export) becomes NULL."""
    array = np.array(values, dtype=object)
    array[array == UNSET] = None
    return pa.array(array, arrow_type)


def batch_tables(files: list[AcceptedFile]) -> dict[str, pa.Table]:
    """Arrow tables for exports, check-ins (+ emotions, body), conversations, messages, practices.

    Record tables carry ``file_idx`` and their own fields only; who the record belongs to
    (client, export, exported_at) is joined from the exports table by ``file_idx`` in SQL,
    where timestamps are cast and content digests computed (see ``save``).
    """
    return {
        "exports": exports_table(files),
        "checkins": checkins_table(files),
        "checkin_emotions": emotions_table(files),
        "checkin_body_sensations": body_sensations_table(files),
        "conversations": conversations_table(files),
        "messages": messages_table(files),
        "practices": practices_table(files),
    }


def exports_table(files: list[AcceptedFile]) -> pa.Table:
    """One row per file: export metadata plus who it is about and for."""
    exports = [f.export for f in files]
    now = datetime.now(timezone.utc)
    return pa.table({
        "file_idx": pa.array([f.file_idx for f in files], pa.int32()),
        "export_id": pa.array([e.export_id for e in exports], pa.string()),
        "file_name": pa.array([f.name for f in files], pa.string()),
        "file_sha256": pa.array([f.sha256 for f in files], pa.string()),
        "client_id": pa.array([e.client.client_id for e in exports], pa.string()),
        "provider_id": pa.array([e.provider.provider_id for e in exports], pa.string()),
        "format_version": pa.array([e.format_version for e in exports], pa.string()),
        "source_app_name": pa.array([_opt(e.source_app.name) if e.source_app is not UNSET else None
                                     for e in exports], pa.string()),
        "source_app_version": pa.array([_opt(e.source_app.version) if e.source_app is not UNSET else None
                                        for e in exports], pa.string()),
        "exported_at": pa.array([e.exported_at for e in exports], pa.string()),
        "consented_at": pa.array([e.share.consented_at for e in exports], pa.string()),
        "scope": pa.array([e.share.scope for e in exports], pa.string()),
        "period_start": pa.array([e.share.period.start for e in exports], pa.string()),
        "period_end": pa.array([e.share.period.end for e in exports], pa.string()),
        "n_records": pa.array([record_count(e) for e in exports], pa.int32()),
        "ingested_at": pa.array([now] * len(files), UTC_MICROS),
        "client_display_name": pa.array([_opt(e.client.display_name) for e in exports], pa.string()),
        "client_timezone": pa.array([_opt(e.client.timezone) for e in exports], pa.string()),
        "client_birth_year": pa.array([_opt(e.client.birth_year) for e in exports], pa.int32()),
        "provider_name": pa.array([_opt(e.provider.name) for e in exports], pa.string()),
    })


def _opt(value):
    return None if value is UNSET else value


def _records(files: list[AcceptedFile], records_of, fields: tuple[str, ...]) -> tuple[np.ndarray, list[tuple]]:
    """``file_idx`` per record and one tuple of values per field (column-wise)."""
    per_file = [records_of(f.export) for f in files]
    file_idx = np.repeat(np.array([f.file_idx for f in files], dtype=np.int32),
                         [len(records) for records in per_file])
    get = attrgetter(*fields)
    rows = [get(record) for records in per_file for record in records]
    columns = list(zip(*rows)) if rows else [()] * len(fields)
    return file_idx, columns


def _table(file_idx: np.ndarray, columns: list, spec: list[tuple[str, pa.DataType, bool]]) -> pa.Table:
    """Arrow table from ``_records`` columns; ``spec`` is (name, type, optional) per column."""
    arrays = {"file_idx": pa.array(file_idx, pa.int32())}
    for values, (name, arrow_type, optional) in zip(columns, spec):
        arrays[name] = _optional(values, arrow_type) if optional else pa.array(values, arrow_type)
    return pa.table(arrays)


_CHECKIN_SPEC = [("checkin_id", pa.string(), False), ("checked_in_at", pa.string(), False),
                 ("mood", pa.int8(), True), ("stress", pa.int8(), True), ("energy", pa.int8(), True),
                 ("sleep_hours", pa.float64(), True), ("note", pa.string(), True)]


def checkins_table(files: list[AcceptedFile]) -> pa.Table:
    file_idx, columns = _records(files, lambda e: e.checkins,
                                 ("checkin_id", "at", "mood", "stress", "energy", "sleep_hours", "note"))
    return _table(file_idx, columns, _CHECKIN_SPEC)


def _checkin_children(files, attribute: str, fields: tuple[str, ...], types: tuple) -> pa.Table:
    get = attrgetter(*fields)
    rows = [(f.file_idx, c.checkin_id, position, *get(child))
            for f in files for c in f.export.checkins if getattr(c, attribute) is not UNSET
            for position, child in enumerate(getattr(c, attribute))]
    columns = list(zip(*rows)) if rows else [()] * (3 + len(fields))
    names = ("file_idx", "checkin_id", "position", *fields)
    arrow_types = (pa.int32(), pa.string(), pa.int16(), *types)
    return pa.table({name: pa.array(values, t) for name, values, t in zip(names, columns, arrow_types)})


def emotions_table(files: list[AcceptedFile]) -> pa.Table:
    return _checkin_children(files, "emotions", ("label", "intensity"), (pa.string(), pa.int8()))


def body_sensations_table(files: list[AcceptedFile]) -> pa.Table:
    return _checkin_children(files, "body", ("location", "sensation", "intensity"),
                             (pa.string(), pa.string(), pa.int8()))


def conversations_table(files: list[AcceptedFile]) -> pa.Table:
    file_idx, columns = _records(files, lambda e: e.conversations,
                                 ("conversation_id", "started_at", "title", "summary"))
    return _table(file_idx, columns, [("conversation_id", pa.string(), False), ("started_at", pa.string(), False),
                                      ("title", pa.string(), True), ("summary", pa.string(), True)])


def _messages_of(export: Export) -> list:
    return [(c.conversation_id, m) for c in export.conversations
            if c.messages is not UNSET for m in c.messages]


def messages_table(files: list[AcceptedFile]) -> pa.Table:
    per_file = [_messages_of(f.export) for f in files]
    file_idx = np.repeat(np.array([f.file_idx for f in files], dtype=np.int32), [len(m) for m in per_file])
    get = attrgetter("message_id", "at", "role", "text")
    rows = [(conversation_id, *get(m)) for messages in per_file for conversation_id, m in messages]
    columns = list(zip(*rows)) if rows else [()] * 5
    return _table(file_idx, columns, [("conversation_id", pa.string(), False), ("message_id", pa.string(), False),
                                      ("sent_at", pa.string(), False), ("role", pa.string(), False),
                                      ("text", pa.string(), False)])


def practices_table(files: list[AcceptedFile]) -> pa.Table:
    file_idx, columns = _records(files, lambda e: e.practices,
                                 ("practice_id", "at", "kind", "duration_min", "stress_before", "stress_after",
                                  "helpful"))
    return _table(file_idx, columns, [
        ("practice_id", pa.string(), False), ("practiced_at", pa.string(), False), ("kind", pa.string(), False),
        ("duration_min", pa.float64(), True), ("stress_before", pa.int8(), True),
        ("stress_after", pa.int8(), True), ("helpful", pa.bool_(), True)])
