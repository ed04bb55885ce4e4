"""Validated exports → columnar Arrow tables, one per database table (pure, no I/O).

Each row carries ``file_idx`` (which file of the batch it came from) so the save step
can resolve overlaps and revisions between files of one batch in set-based SQL.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone

import msgspec
import pyarrow as pa
from msgspec import UNSET

from .export_format import Export

UTC_MICROS = pa.timestamp("us", tz="UTC")
# Timestamp columns travel as ISO 8601 text and are cast by DuckDB (vectorized, exact offsets).
TIMESTAMP_COLUMNS = frozenset({"checked_in_at", "started_at", "sent_at", "practiced_at", "exported_at",
                               "consented_at", "period_start", "period_end"})
DEFAULT_TIMEZONE = "UTC"

_encode = msgspec.json.encode


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


def content_hash(record) -> str:
    """Stable digest of a record's content as exported (unknown fields already dropped)."""
    return hashlib.blake2b(_encode(record), digest_size=16).hexdigest()


def _opt(value):
    return None if value is UNSET else value


def _instants(values: list[str]) -> pa.Array:
    """Validated timestamps as text DuckDB can cast: the seconds-less form gets ':00'."""
    return pa.array([v if v[16] == ":" else v[:16] + ":00" + v[16:] for v in values], pa.string())


def batch_tables(files: list[AcceptedFile]) -> dict[str, pa.Table]:
    """Arrow tables for exports, check-ins (+ emotions, body), conversations, messages, practices."""
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
        "export_id": [e.export_id for e in exports],
        "file_name": [f.name for f in files],
        "file_sha256": [f.sha256 for f in files],
        "client_id": [e.client.client_id for e in exports],
        "provider_id": [e.provider.provider_id for e in exports],
        "format_version": [e.format_version for e in exports],
        "source_app_name": [_opt(e.source_app.name) if e.source_app is not UNSET else None for e in exports],
        "source_app_version": [_opt(e.source_app.version) if e.source_app is not UNSET else None
                               for e in exports],
        "exported_at": _instants([e.exported_at for e in exports]),
        "consented_at": _instants([e.share.consented_at for e in exports]),
        "scope": [e.share.scope for e in exports],
        "period_start": _instants([e.share.period.start for e in exports]),
        "period_end": _instants([e.share.period.end for e in exports]),
        "n_records": pa.array([record_count(e) for e in exports], pa.int32()),
        "ingested_at": pa.array([now] * len(files), UTC_MICROS),
        "client_display_name": [_opt(e.client.display_name) for e in exports],
        "client_timezone": [_opt(e.client.timezone) for e in exports],
        "client_birth_year": pa.array([_opt(e.client.birth_year) for e in exports], pa.int32()),
        "provider_name": [_opt(e.provider.name) for e in exports],
    })


def _provenance(files, records_of) -> tuple[list, list, list, list, list]:
    """Flatten records per file with file_idx, client_id, export_id and exported_at columns."""
    file_idx, client_ids, export_ids, exported_at, records = [], [], [], [], []
    for f in files:
        rows = records_of(f.export)
        n = len(rows)
        records.extend(rows)
        file_idx.extend([f.file_idx] * n)
        client_ids.extend([f.export.client.client_id] * n)
        export_ids.extend([f.export.export_id] * n)
        exported_at.extend([f.export.exported_at] * n)
    return file_idx, client_ids, export_ids, exported_at, records


def _with_provenance(columns: dict, provenance) -> pa.Table:
    file_idx, client_ids, export_ids, exported_at, _ = provenance
    return pa.table({
        "file_idx": pa.array(file_idx, pa.int32()),
        "client_id": pa.array(client_ids, pa.string()),
        **columns,
        "export_id": pa.array(export_ids, pa.string()),
        "exported_at": _instants(exported_at),
    })


def checkins_table(files: list[AcceptedFile]) -> pa.Table:
    prov = _provenance(files, lambda e: e.checkins)
    rows = prov[4]
    return _with_provenance({
        "checkin_id": pa.array([r.checkin_id for r in rows], pa.string()),
        "checked_in_at": _instants([r.at for r in rows]),
        "mood": pa.array([_opt(r.mood) for r in rows], pa.int8()),
        "stress": pa.array([_opt(r.stress) for r in rows], pa.int8()),
        "energy": pa.array([_opt(r.energy) for r in rows], pa.int8()),
        "sleep_hours": pa.array([_opt(r.sleep_hours) for r in rows], pa.float64()),
        "note": pa.array([_opt(r.note) for r in rows], pa.string()),
        "content_hash": pa.array([content_hash(r) for r in rows], pa.string()),
    }, prov)


def _checkin_children(files, attribute: str, fields: tuple[str, ...]) -> dict[str, list]:
    rows = [(f.file_idx, f.export.client.client_id, c.checkin_id, position, child)
            for f in files for c in f.export.checkins if getattr(c, attribute) is not UNSET
            for position, child in enumerate(getattr(c, attribute))]
    out = {"file_idx": [r[0] for r in rows], "client_id": [r[1] for r in rows],
           "checkin_id": [r[2] for r in rows], "position": [r[3] for r in rows]}
    for name in fields:
        out[name] = [getattr(r[4], name) for r in rows]
    return out


def emotions_table(files: list[AcceptedFile]) -> pa.Table:
    cols = _checkin_children(files, "emotions", ("label", "intensity"))
    return pa.table({
        "file_idx": pa.array(cols["file_idx"], pa.int32()),
        "client_id": pa.array(cols["client_id"], pa.string()),
        "checkin_id": pa.array(cols["checkin_id"], pa.string()),
        "position": pa.array(cols["position"], pa.int16()),
        "label": pa.array(cols["label"], pa.string()),
        "intensity": pa.array(cols["intensity"], pa.int8()),
    })


def body_sensations_table(files: list[AcceptedFile]) -> pa.Table:
    cols = _checkin_children(files, "body", ("location", "sensation", "intensity"))
    return pa.table({
        "file_idx": pa.array(cols["file_idx"], pa.int32()),
        "client_id": pa.array(cols["client_id"], pa.string()),
        "checkin_id": pa.array(cols["checkin_id"], pa.string()),
        "position": pa.array(cols["position"], pa.int16()),
        "location": pa.array(cols["location"], pa.string()),
        "sensation": pa.array(cols["sensation"], pa.string()),
        "intensity": pa.array(cols["intensity"], pa.int8()),
    })


def conversations_table(files: list[AcceptedFile]) -> pa.Table:
    prov = _provenance(files, lambda e: e.conversations)
    rows = prov[4]
    return _with_provenance({
        "conversation_id": pa.array([r.conversation_id for r in rows], pa.string()),
        "started_at": _instants([r.started_at for r in rows]),
        "title": pa.array([_opt(r.title) for r in rows], pa.string()),
        "summary": pa.array([_opt(r.summary) for r in rows], pa.string()),
        # Messages are records of their own; a conversation's content is its header.
        "content_hash": pa.array([content_hash((r.conversation_id, r.started_at, _opt(r.title),
                                                _opt(r.summary))) for r in rows], pa.string()),
    }, prov)


def _messages_of(export: Export) -> list:
    return [(c.conversation_id, m) for c in export.conversations
            if c.messages is not UNSET for m in c.messages]


def messages_table(files: list[AcceptedFile]) -> pa.Table:
    prov = _provenance(files, _messages_of)
    rows = prov[4]
    return _with_provenance({
        "message_id": pa.array([m.message_id for _, m in rows], pa.string()),
        "conversation_id": pa.array([c for c, _ in rows], pa.string()),
        "sent_at": _instants([m.at for _, m in rows]),
        "role": pa.array([m.role for _, m in rows], pa.string()),
        "text": pa.array([m.text for _, m in rows], pa.string()),
        "content_hash": pa.array([content_hash((c, m)) for c, m in rows], pa.string()),
    }, prov)


def practices_table(files: list[AcceptedFile]) -> pa.Table:
    prov = _provenance(files, lambda e: e.practices)
    rows = prov[4]
    return _with_provenance({
        "practice_id": pa.array([r.practice_id for r in rows], pa.string()),
        "practiced_at": _instants([r.at for r in rows]),
        "kind": pa.array([r.kind for r in rows], pa.string()),
        "duration_min": pa.array([_opt(r.duration_min) for r in rows], pa.float64()),
        "stress_before": pa.array([_opt(r.stress_before) for r in rows], pa.int8()),
        "stress_after": pa.array([_opt(r.stress_after) for r in rows], pa.int8()),
        "helpful": pa.array([_opt(r.helpful) for r in rows], pa.bool_()),
        "content_hash": pa.array([content_hash(r) for r in rows], pa.string()),
    }, prov)
