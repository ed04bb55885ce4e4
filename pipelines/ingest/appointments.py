"""Appointments CSV (``client_id,provider_id,starts_at``): read, validate, save."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

import duckdb
import pyarrow as pa

from .export_format import ID_PATTERN, TIMESTAMP_PATTERN
from .normalize import UTC_MICROS

APPOINTMENT_COLUMNS = ("client_id", "provider_id", "starts_at")
_ID = re.compile(ID_PATTERN)
_TIMESTAMP = re.compile(TIMESTAMP_PATTERN)


class AppointmentsRejected(ValueError):
    """The CSV is not a valid appointments file; ``str()`` is the message for the admin."""


def is_appointments_csv(data: bytes) -> bool:
    """True when the first line is the appointments header (other CSVs are skipped)."""
    first = data.split(b"\n", 1)[0].decode("utf-8-sig", "replace").strip().replace(" ", "")
    return tuple(first.split(",")[:3]) == APPOINTMENT_COLUMNS


def read_appointments(name: str, data: bytes) -> pa.Table:
    """Validated appointments as an Arrow table, or AppointmentsRejected naming row and field."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AppointmentsRejected(f"appointments {name}: not UTF-8 text") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in APPOINTMENT_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise AppointmentsRejected(
            f"appointments {name}: header must name {', '.join(APPOINTMENT_COLUMNS)}; missing {', '.join(missing)}")
    rows = {c: [] for c in APPOINTMENT_COLUMNS}
    for line_no, row in enumerate(reader, start=2):
        for column in ("client_id", "provider_id"):
            value = (row.get(column) or "").strip()
            if not (_ID.match(value) and len(value) <= 128):
                raise AppointmentsRejected(
                    f"appointments {name}: line {line_no}, {column}: expected an id of 1–128 letters, "
                    f"digits or . _ : -")
            rows[column].append(value)
        starts_at = (row.get("starts_at") or "").strip()
        try:
            if not _TIMESTAMP.match(starts_at):
                raise ValueError
            rows["starts_at"].append(datetime.fromisoformat(starts_at))
        except ValueError:
            raise AppointmentsRejected(
                f"appointments {name}: line {line_no}, starts_at: expected a timestamp with a UTC offset, "
                "like 2026-11-02T15:00:00-06:00") from None
    return pa.table({
        "client_id": pa.array(rows["client_id"], pa.string()),
        "provider_id": pa.array(rows["provider_id"], pa.string()),
        "starts_at": pa.array(rows["starts_at"], UTC_MICROS),
    })


def save_appointments(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> tuple[int, int]:
    """Insert appointments not already stored; returns (new, unchanged)."""
    con.register("incoming_appointments", table)
    try:
        con.execute("""
            CREATE OR REPLACE TEMP TABLE new_appointments AS
            SELECT DISTINCT client_id, provider_id, starts_at FROM incoming_appointments
            ANTI JOIN appointments USING (client_id, provider_id, starts_at)
        """)
        new = con.execute("SELECT count(*) FROM new_appointments").fetchone()[0]
        con.execute("INSERT INTO appointments SELECT *, ? FROM new_appointments", [name])
    finally:
        con.unregister("incoming_appointments")
    return new, table.num_rows - new
