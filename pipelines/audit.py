"""The audit trail: who did what, when, about which client. Append-only, hash-chained.

Each row's hash covers its own fields and the previous row's hash, so editing or deleting
any row breaks the chain from there on; ``audit_head`` keeps the newest row's number and
hash, so deleting the newest row (which no later row would betray) shows too.
``python -m pipelines audit verify --db DB`` checks it. Someone who can write the file
could rebuild the whole chain: note the head hash ``verify`` prints somewhere else (a
ticket, the backup log) to anchor it.

Rows name a user, an action and at most a client id: never client text, never what was
searched for.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import duckdb
import pandas as pd

from pipelines import db

GENESIS = "0" * 64
ACTIONS = ("sign-in", "sign-in failed", "sign-out", "account locked", "brief viewed", "caseload viewed",
           "conversation viewed",
           "explorer viewed", "search", "print", "upload", "user added", "user disabled", "password reset",
           "demo users", "risk flag reviewed", "appointment changed", "access denied", "audit viewed",
           "consent withdrawn")


def row_hash(prev_hash: str, seq: int, at_us: int, username: str | None, action: str,
             client_id: str | None, detail: str | None) -> str:
    """SHA-256 over the row's fields (time as epoch microseconds) and the previous hash."""
    payload = json.dumps([prev_hash, seq, at_us, username, action, client_id, detail], separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def record(con: duckdb.DuckDBPyConnection, username: str | None, action: str, client_id: str | None = None,
           detail: str | None = None, at: datetime | None = None) -> None:
    """Append one row (its own transaction)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    with db.transaction(con):
        record_in(con, username, action, client_id, detail, at)


EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def record_in(con, username: str | None, action: str, client_id: str | None = None, detail: str | None = None,
              at: datetime | None = None) -> None:
    """Append one row inside the caller's transaction."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    at = (at or datetime.now(timezone.utc)).astimezone(timezone.utc)
    at_us = (at - EPOCH) // timedelta(microseconds=1)
    head = con.execute("SELECT seq, row_hash FROM audit_head").fetchone()
    seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS)
    digest = row_hash(prev, seq, at_us, username, action, client_id, detail)
    con.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [seq, at, username, action, client_id, detail, prev, digest])
    con.execute("DELETE FROM audit_head")
    con.execute("INSERT INTO audit_head VALUES (?, ?)", [seq, digest])


@dataclass
class Verification:
    rows: int
    head: str
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(con: duckdb.DuckDBPyConnection) -> Verification:
    """Recompute the chain; every broken link is a problem (row numbers, never contents)."""
    rows = con.execute("SELECT seq, epoch_us(at_time), username, action, client_id, detail, prev_hash, row_hash "
                       "FROM audit_log ORDER BY seq").fetchall()
    problems, prev, expected_seq = [], GENESIS, 1
    for seq, at_us, username, action, client_id, detail, prev_hash, stored in rows:
        if seq != expected_seq:
            problems.append(f"row {expected_seq}" + (f"-{seq - 1}" if seq - 1 > expected_seq else "")
                            + " missing" if seq > expected_seq else f"row {seq} duplicated or out of order")
        if prev_hash != prev:
            problems.append(f"row {seq}: does not follow the row before it")
        if row_hash(prev_hash, seq, at_us, username, action, client_id, detail) != stored:
            problems.append(f"row {seq}: edited (its hash no longer matches its contents)")
        prev, expected_seq = stored, seq + 1
    head = con.execute("SELECT seq, row_hash FROM audit_head").fetchone()
    last_seq = rows[-1][0] if rows else 0
    if head is None and rows:
        problems.append("the chain's head record is missing")
    elif head is not None and (head[0] != last_seq or head[1] != prev):
        problems.append(f"the newest row is {last_seq} but the head says {head[0]}: rows deleted or replaced")
    return Verification(len(rows), prev, problems)


def trail(con: duckdb.DuckDBPyConnection, *, username: str | None = None, action: str | None = None,
          client_id: str | None = None, since: datetime | None = None, limit: int = 500) -> pd.DataFrame:
    """The newest rows first, filtered."""
    where, params = [], []
    for column, value in (("username", username), ("action", action), ("client_id", client_id)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    if since is not None:
        where.append("at_time >= ?")
        params.append(since)
    sql = ("SELECT seq, at_time AS at, username, action, client_id, detail FROM audit_log"
           + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY seq DESC LIMIT ?")
    return con.execute(sql, params + [limit]).df()
