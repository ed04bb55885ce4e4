"""The only place the app reads the database.

Every query runs on its own cursor of one read-only connection per process (a DuckDB
connection must not be shared across Streamlit's script threads). Sign-in, roles and
the audit trail will scope queries here, so pages never open the database themselves.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import streamlit as st

from pipelines import db

ROOT = Path(__file__).resolve().parent.parent

DB_PATH_ENV = "INTERLUDE_DB"


def database_path() -> Path:
    """The database the app shows: $INTERLUDE_DB, else data/interlude.duckdb."""
    return Path(os.environ.get(DB_PATH_ENV) or ROOT / db.DEFAULT_DB_PATH)


@st.cache_resource
def _connection(path: str):
    return db.connect(path, read_only=True)


def _query(path: Path, sql: str, params: list | None = None) -> pd.DataFrame:
    with _connection(str(path)).cursor() as cursor:
        return cursor.execute(sql, params or []).df()


@st.cache_data(ttl=60)
def caseload_overview(path: Path) -> pd.DataFrame:
    """One row: how many providers, clients, exports and records the database holds."""
    return _query(path, """
        SELECT (SELECT count(*) FROM providers)     AS providers,
               (SELECT count(*) FROM clients)       AS clients,
               (SELECT count(*) FROM exports)       AS exports,
               (SELECT count(*) FROM checkins)      AS checkins,
               (SELECT count(*) FROM conversations) AS conversations,
               (SELECT count(*) FROM messages)      AS messages,
               (SELECT count(*) FROM practices)     AS practices,
               (SELECT max(exported_at) FROM exports) AS last_export_at
    """)
