"""The only place the app reads the database.

The app process owns the database's one read-write connection (pipelines/writer.py,
opened once per process) and every query runs on its own cursor of it: DuckDB shows each
cursor the last committed state, so a page drawn while an ingest or analyze runs (handed
over by the command line, or from an upload) shows the data as it was before, never an
error. Pages never open the database themselves, and nothing here writes: the app's writes
(sign-in, the audit trail, uploads, reviews) are in dashboard/writes.py. Every read of client data takes the
signed-in user (pipelines.users.User) and is scoped by it here, where the data is read,
not by hiding widgets: a therapist reads their own clients, a supervisor their
supervisees' clients, an admin no client content at all (AccessDenied). Results are cached
per database file, user, arguments and data generation (a counter every finished write
bumps), so a page rerun reads nothing again and the next page load after a write reads
the new data.

Timestamps come back in UTC; `local_dates` turns them into the client's own calendar
days, which is what every clinical view counts in.
"""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from dashboard.brief_model import BriefReads
from pipelines import appointments as appointment_changes
from pipelines import audit, db, trends, users, writer

ROOT = Path(__file__).resolve().parent.parent

DB_PATH_ENV = "INTERLUDE_DB"
# The day the app treats as today: a date (2026-11-20), or `latest-data` for the last day
# with data, which `make run` sets for the sample database so the demo always has
# upcoming appointments and a period since the last session with data in it.
TODAY_ENV = "INTERLUDE_TODAY"
LATEST_DATA = "latest-data"
# Cached results are keyed on the data generation, so this only bounds how long results
# of older generations (never read again) take memory.
CACHE_SECONDS = 300
# While another process (a command started before the app) writes the file, a page says
# so and tries again this often.
BUSY_RETRY_SECONDS = 2
# If the newest data is older than this, the database is a demo or an archive: "today"
# becomes its last day of data, so upcoming appointments and "since last session" mean
# something.
STALE_AFTER_DAYS = 14


def database_path() -> Path:
    """The database the app shows: $INTERLUDE_DB, else data/interlude.duckdb."""
    return Path(os.environ.get(DB_PATH_ENV) or ROOT / db.DEFAULT_DB_PATH)


@st.cache_resource(show_spinner=False)
def _writer(path: str) -> writer.Writer:
    """The process's connection to the database and its job channel (once per process)."""
    return writer.start(path)


def open_database() -> None:
    """Open the app's database and take handed-over writes, if the file exists (app start).
    While another process holds the file, say so and try again (pages cannot read it)."""
    path = database_path()
    if path.exists():
        _writer_or_wait(path)


def _writer_or_wait(path: Path) -> writer.Writer:
    try:
        return _writer(str(path))
    except writer.DatabaseBusy as busy:
        st.info("Another program has the database open for writing (an ingest or analyze "
                f"started before the app: {busy}). This page loads as soon as it has finished.",
                icon=":material/hourglass_top:")
        time.sleep(BUSY_RETRY_SECONDS)
        st.rerun()


def open_error(error: BaseException, path: Path | str) -> str | None:
    """One line for a database that cannot be opened because of its key, else None."""
    text = str(error)
    if "without a key" in text:
        return (f"{path} is encrypted and no key was given: set ${db.DB_KEY_ENV} (make run reads it from "
                "~/.config/interlude/db.key).")
    if "Wrong encryption key" in text:
        return f"The key in ${db.DB_KEY_ENV} does not open {path}."
    if "is not encrypted" in text:
        return f"{path} is not encrypted, but ${db.DB_KEY_ENV} is set: unset it, or encrypt the file."
    return None


def open_problem(path: Path) -> str | None:
    """Why the app cannot open the database (a key problem, or another process holding
    it), as one line; None when it opens."""
    try:
        _writer(str(path))
    except writer.DatabaseBusy:
        return None   # pages say so and try again (_writer_or_wait)
    except Exception as error:   # duckdb raises several types for these
        known = open_error(error, path)
        if known:
            return known
        if "lock" in str(error).lower():
            return f"{path} is open in another process (an ingest or analyze?); try again when it has finished."
        raise
    return None


def _query(path: Path, sql: str, params: list | None = None) -> pd.DataFrame:
    with _writer_or_wait(path).cursor(timezone="UTC") as cursor:
        return cursor.execute(sql, params or []).df()


def _cached(func):
    """``st.cache_data`` keyed also on the data generation: a write clears it for all."""
    def cached_read(generation: int, *args, **kwargs):
        return func(*args, **kwargs)

    # Streamlit names a cache by the function's module and qualified name.
    cached_read.__module__, cached_read.__qualname__ = func.__module__, func.__qualname__
    cached_read.__name__, cached_read.__doc__ = func.__name__, func.__doc__
    cached = st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)(cached_read)

    def read(*args, **kwargs):
        return cached(writer.generation(), *args, **kwargs)

    read.__module__, read.__qualname__ = func.__module__, func.__qualname__
    read.__name__, read.__doc__, read.__wrapped__ = func.__name__, func.__doc__, func
    read.clear = cached.clear
    return read


# Calendar days in the client's own time zone: the pipelines' one definition.
local_dates = trends.local_dates


# --- who may read what ------------------------------------------------------------------

class AccessDenied(PermissionError):
    """The signed-in user may not read this (another caseload's client, or client content
    for an admin). Says nothing about whether the client exists."""


def _providers(user: users.User | None) -> tuple[str, ...]:
    """The providers whose clients `user` reads; AccessDenied for an admin or nobody."""
    if user is None or not user.reads_client_content:
        raise AccessDenied("this account reads no client content")
    return user.providers


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join('?' for _ in values)})" if values else "false"


def _require_client(path: Path, user: users.User | None, client_id: str) -> None:
    if client_id not in allowed_clients(path, user):
        raise AccessDenied("not on this account's caseload")


def allowed_clients(path: Path, user: users.User | None) -> frozenset[str]:
    """Every client id the user may read."""
    return frozenset(clients(path, user)["client_id"])


def _require_admin(user: users.User | None) -> None:
    if user is None or user.role != "admin":
        raise AccessDenied("admins only")


# --- accounts and the audit trail (reads; the app's writes are in dashboard/writes.py) ----

def _read(path: Path, action):
    """Run ``action(cursor)`` (a pipelines/users.py or audit.py read) on a cursor of the app's
    connection: the last committed state, never waiting for a write."""
    with _writer_or_wait(path).cursor(timezone="UTC") as cursor:
        return action(cursor)


def has_accounts(path: Path) -> bool:
    if not has_tables(path, ("users",)):
        return False
    return bool(_query(path, "SELECT count(*) AS n FROM users WHERE NOT disabled").iloc[0, 0])


def account(path: Path, username: str) -> users.User | None:
    """The enabled account of that name (never cached: a disabled account stops at once)."""
    return _read(path, lambda con: users.load(con, username))


def account_for_email(path: Path, email: str | None) -> users.User | None:
    return _read(path, lambda con: users.by_email(con, email))


def signed_out_at(path: Path, username: str):
    row = _query(path, "SELECT signed_out_at FROM users WHERE username = ?", [username])
    return None if row.empty or pd.isna(row.iloc[0, 0]) else row.iloc[0, 0]


def audit_trail(path: Path, user: users.User | None, **filters) -> pd.DataFrame:
    """The newest audit rows, filtered (pipelines.audit.trail): admins only."""
    _require_admin(user)
    return _read(path, lambda con: audit.trail(con, **filters))


def audit_check(path: Path, user: users.User | None) -> audit.Verification:
    _require_admin(user)
    return _read(path, audit.verify)


def accounts(path: Path, user: users.User | None) -> pd.DataFrame:
    """Every account, without password hashes: admins only."""
    _require_admin(user)
    return _read(path, users.listing)


# --- the whole database -------------------------------------------------------------

@_cached
def caseload_overview(path: Path) -> pd.DataFrame:
    """One row: how many providers, clients, exports and records the database holds (a
    de-identified aggregate: every role reads it)."""
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


@_cached
def has_tables(path: Path, names: tuple[str, ...]) -> bool:
    """Whether the database has these tables or views (an older schema may not)."""
    found = _query(path, "SELECT table_name FROM information_schema.tables WHERE table_name IN "
                         f"({', '.join('?' for _ in names)})", list(names))
    return len(set(found["table_name"])) == len(set(names))


@_cached
def analyzed(path: Path) -> bool:
    """Whether `python -m pipelines analyze` has run on this database."""
    if not has_tables(path, ("analysis_runs",)):
        return False
    return bool(_query(path, "SELECT count(*) AS n FROM analysis_runs").iloc[0, 0])


@_cached
def latest_data_day(path: Path) -> date | None:
    """The last calendar day (UTC) with a check-in, message or practice."""
    row = _query(path, """
        SELECT greatest((SELECT max(checked_in_at) FROM checkins),
                        (SELECT max(sent_at) FROM messages),
                        (SELECT max(started_at) FROM conversations),
                        (SELECT max(practiced_at) FROM practices)) AS latest
    """).iloc[0]
    return None if pd.isna(row.latest) else pd.Timestamp(row.latest).date()


def default_today(path: Path, real_today: date | None = None) -> date:
    """The day the app treats as today: $INTERLUDE_TODAY (a date, or `latest-data`), else
    the calendar's today, unless the newest data is more than two weeks old (an archive
    or a demo): then its last day of data."""
    wanted = os.environ.get(TODAY_ENV, "").strip()
    latest = latest_data_day(path)
    if wanted == LATEST_DATA and latest is not None:
        return latest
    if wanted and wanted != LATEST_DATA:
        return date.fromisoformat(wanted)
    real_today = real_today or date.today()
    if latest is not None and (real_today - latest).days > STALE_AFTER_DAYS:
        return latest
    return real_today


@_cached
def providers(path: Path, user: users.User | None) -> pd.DataFrame:
    """The providers whose caseloads the user reads."""
    scope = _providers(user)
    return _query(path, "SELECT provider_id, coalesce(name, provider_id) AS name FROM providers "
                        f"WHERE {_in('provider_id', scope)} ORDER BY provider_id", list(scope))


@_cached
def clients(path: Path, user: users.User | None) -> pd.DataFrame:
    """One row per client and provider they share with (the user's providers only): name,
    time zone, share scope."""
    scope = _providers(user)
    return _query(path, f"""
        SELECT c.client_id, coalesce(c.display_name, c.client_id) AS display_name,
               coalesce(c.timezone, 'UTC') AS timezone, cp.provider_id,
               coalesce(p.name, cp.provider_id) AS provider_name, cp.scope
        FROM clients c
        JOIN client_providers cp USING (client_id)
        LEFT JOIN providers p USING (provider_id)
        WHERE {_in('cp.provider_id', scope)}
        ORDER BY c.client_id, cp.provider_id
    """, list(scope))


def client(path: Path, user: users.User | None, client_id: str) -> pd.Series | None:
    rows = clients(path, user)
    rows = rows[rows["client_id"] == client_id]
    return None if rows.empty else rows.iloc[0]


# --- appointments and the caseload's status ------------------------------------------

def _clients_where(path: Path, user: users.User | None, client_id: str | None,
                   column: str = "client_id") -> tuple[str, list]:
    """`column IN (the user's clients)`, or `= client_id` once it is checked to be one of them."""
    if client_id:
        _require_client(path, user, client_id)
        return f"{column} = ?", [client_id]
    ids = tuple(sorted(allowed_clients(path, user)))
    return _in(column, ids), list(ids)


@_cached
def client_appointments(path: Path, user: users.User | None, client_id: str) -> pd.DataFrame:
    """One of the user's clients' appointments: provider and start (UTC), oldest first."""
    _require_client(path, user, client_id)
    return _query(path, f"""
        SELECT DISTINCT client_id, provider_id, starts_at FROM ({_live_appointments(path)}) WHERE client_id = ?
        ORDER BY starts_at
    """, [client_id])


@_cached
def appointments(path: Path, user: users.User | None) -> pd.DataFrame:
    """The user's clients' appointments with the user's providers: client, provider, start (UTC)."""
    scope = _providers(user)
    where, params = _clients_where(path, user, None)
    return _query(path, f"""
        SELECT DISTINCT client_id, provider_id, starts_at FROM ({_live_appointments(path)})
        WHERE {where} AND {_in('provider_id', scope)} ORDER BY starts_at
    """, params + list(scope))


def _live_appointments(path: Path) -> str:
    """The stored appointments but the times moved away from in the app (pipelines/appointments.py)."""
    return appointment_changes.LIVE_APPOINTMENTS if has_tables(path, ("appointment_cancellations",)) \
        else "SELECT * FROM appointments"


@_cached
def client_activity(path: Path, user: users.User | None, client_id: str | None = None) -> pd.DataFrame:
    """Per client (the user's, or one of them) and kind of record, its timestamps: for
    'data since last session' and days of use."""
    where, params = _clients_where(path, user, client_id)
    return _query(path, f"""
        SELECT * FROM (
            SELECT client_id, 'check-in' AS kind, checked_in_at AS at FROM checkins
            UNION ALL SELECT client_id, 'conversation', started_at FROM conversations
            UNION ALL SELECT client_id, 'practice', practiced_at FROM practices)
        WHERE {where}
    """, params)


@_cached
def risk_flags(path: Path, user: users.User | None, client_id: str | None = None) -> pd.DataFrame:
    """Every text flagged `watch` or `urgent`, with the sentence that carried the flag and
    why, and its review (reviewed_by, reviewed_at, review_action, review_note; NULL while
    unreviewed). Unreviewed first, then urgent before watch, then newest. Never filtered by
    period, theme or review: callers show them all."""
    where, params = _clients_where(path, user, client_id, "e.client_id")
    reviewed = has_tables(path, ("risk_reviews",))
    review_columns = ("r.reviewed_by, r.reviewed_at, r.action AS review_action, r.note AS review_note"
                      if reviewed else "NULL::VARCHAR AS reviewed_by, NULL::TIMESTAMPTZ AS reviewed_at, "
                      "NULL::VARCHAR AS review_action, NULL::VARCHAR AS review_note")
    review_join = ("LEFT JOIN risk_reviews r ON r.client_id = e.client_id AND r.source = e.source "
                   "AND r.source_id = e.source_id AND r.text_key = u.text_key" if reviewed else "")
    return _query(path, f"""
        SELECT e.client_id, e.source, e.source_id, e.conversation_id, e.written_at, e.risk,
               e.risk_reason, e.evidence, u.text, e.superseded, u.text_key, {review_columns}
        FROM text_evidence e
        JOIN text_units u USING (source, source_id, client_id)
        {review_join}
        WHERE e.risk IN ('watch', 'urgent') AND {where}
        ORDER BY {"r.reviewed_at IS NOT NULL," if reviewed else ""} CASE e.risk WHEN 'urgent' THEN 0 ELSE 1 END,
                 e.written_at DESC
    """, params)


@_cached
def trend_verdicts(path: Path, user: users.User | None, client_id: str | None = None) -> pd.DataFrame:
    where, params = _clients_where(path, user, client_id)
    return _query(path, f"SELECT * FROM analysis_trends WHERE {where} ORDER BY client_id, measure", params)


@_cached
def caseload_status(path: Path, user: users.User | None, today: date) -> pd.DataFrame:
    """Every one of the user's clients' one-line status as of `today`
    (dashboard.briefing.caseload_status), computed once per database, user and day."""
    from dashboard import briefing

    return briefing.caseload_status(clients(path, user), appointments(path, user), client_activity(path, user),
                                    risk_flags(path, user), trend_verdicts(path, user), today)


# --- the caseload -----------------------------------------------------------------------

@_cached
def caseload_activity_days(path: Path, user: users.User | None) -> pd.DataFrame:
    """Every day (client-local calendar day) on which each of the user's clients shared any
    record (check-in, conversation or practice): client_id, day. For engagement."""
    where, params = _clients_where(path, user, None, "a.client_id")
    return _query(path, f"""
        SELECT DISTINCT a.client_id,
               CAST(timezone(coalesce(c.timezone, 'UTC'), a.at) AS DATE) AS day
        FROM (SELECT client_id, checked_in_at AS at FROM checkins
              UNION ALL SELECT client_id, started_at FROM conversations
              UNION ALL SELECT client_id, practiced_at FROM practices) a
        LEFT JOIN clients c USING (client_id)
        WHERE {where}
        ORDER BY a.client_id, day
    """, params)


@_cached
def caseload_theme_weekly(path: Path, user: users.User | None) -> pd.DataFrame:
    """Texts per client, client-local week (Monday) and caseload theme (NULL for texts in
    no caseload theme, so weekly totals are complete): client_id, week, theme_id, n_texts.
    The theme_weekly mart's shape, over the caseload-scope assignments; counts only. The
    week is found in pandas, one time zone at a time: DuckDB's per-row timezone() cost
    two thirds of this read at 500 clients (0.83 s of CPU against 0.25 s)."""
    where, params = _clients_where(path, user, None, "u.client_id")
    texts = _query(path, f"""
        SELECT u.client_id, k.theme_id, u.written_at
        FROM text_units u
        LEFT JOIN text_caseload_themes k USING (source, source_id, client_id)
        WHERE {where} AND NOT coalesce(u.superseded, false)
    """, params)
    if texts.empty:
        return pd.DataFrame({"client_id": pd.Series([], dtype=object), "week": pd.Series([], dtype="datetime64[ns]"),
                             "theme_id": pd.Series([], dtype=object), "n_texts": pd.Series([], dtype=int)})
    zone = clients(path, user).drop_duplicates("client_id").set_index("client_id")["timezone"]
    stamps = pd.to_datetime(texts["written_at"], utc=True)
    zones = texts["client_id"].map(zone).fillna("UTC")
    day = pd.Series(pd.NaT, index=texts.index, dtype="datetime64[ns]")
    for tz, idx in zones.groupby(zones, sort=False).groups.items():
        day.loc[idx] = stamps.loc[idx].dt.tz_convert(tz).dt.tz_localize(None).dt.normalize().astype("datetime64[ns]")
    week = day - pd.to_timedelta(day.dt.weekday, unit="D")
    counts = (texts.assign(week=week).groupby(["client_id", "week", "theme_id"], dropna=False, sort=True).size()
              .rename("n_texts").reset_index())
    return counts.sort_values(["week", "client_id"], kind="stable").reset_index(drop=True)


@_cached
def caseload_themes(path: Path, user: users.User | None) -> pd.DataFrame:
    """The caseload themes (analysis_themes scope 'caseload') that hold a text of one of the
    user's clients: theme_id, label, keywords. Labels and keywords only, never quotes."""
    where, params = _clients_where(path, user, None, "k.client_id")
    return _query(path, f"""
        SELECT t.theme_id, t.label, t.keywords
        FROM analysis_themes t
        WHERE t.scope = 'caseload'
          AND t.theme_id IN (SELECT DISTINCT k.theme_id FROM text_caseload_themes k WHERE {where})
        ORDER BY t.theme_id
    """, params)


def caseload_reads(path: Path, user: users.User | None, today: date) -> caseload_model.CaseloadReads:
    """Everything the caseload page reads about the user's clients (each read cached and
    scoped to the user like every other)."""
    from dashboard import caseload_model

    _providers(user)
    return caseload_model.CaseloadReads(
        clients=clients(path, user), activity_days=caseload_activity_days(path, user),
        flags=risk_flags(path, user), trends=trend_verdicts(path, user),
        status=caseload_status(path, user, today), theme_weekly=caseload_theme_weekly(path, user),
        themes=caseload_themes(path, user))


@_cached
def caseload(path: Path, user: users.User | None, today: date, filters: caseload_model.Filters
             ) -> caseload_model.CaseloadModel:
    """The caseload page's model for these filters (dashboard.caseload_model), computed once
    per database, user, day and filters: a rerun draws it without recomputing."""
    from dashboard import caseload_model

    return caseload_model.caseload_model(caseload_reads(path, user, today), filters, today)


# --- one client -----------------------------------------------------------------------

@_cached
def daily_measures(path: Path, user: users.User | None, client_id: str, tz: str) -> pd.DataFrame:
    """The client's daily series (day, measure, value, n): check-in scales and the mean
    valence of what they wrote that day, from the view analyze's trends read too."""
    _require_client(path, user, client_id)
    values = _query(path, 'SELECT client_id, "at", measure, value FROM measure_values WHERE client_id = ?',
                    [client_id])
    return trends.daily_series(values, {client_id: tz})


@_cached
def texts(path: Path, user: users.User | None, client_id: str) -> pd.DataFrame:
    """Everything the client wrote, with signals, evidence sentence and themes."""
    _require_client(path, user, client_id)
    return _query(path, """
        SELECT t.source, t.source_id, t.conversation_id, t.written_at, t.text,
               t.client_theme_id, t.caseload_theme_id, t.valence, t.emotion, t.stress,
               t.insight, t.risk, e.risk_reason, e.evidence
        FROM analysis_texts t
        LEFT JOIN text_evidence e USING (source, source_id, client_id)
        WHERE t.client_id = ?
        ORDER BY t.written_at
    """, [client_id])


@_cached
def client_themes(path: Path, user: users.User | None, client_id: str) -> pd.DataFrame:
    """The client's own themes: label, keywords, size, first and last seen."""
    _require_client(path, user, client_id)
    return _query(path, """
        SELECT theme_id, label, keywords, n_texts, first_at, last_at
        FROM analysis_themes WHERE scope = 'client' AND client_id = ?
        ORDER BY n_texts DESC
    """, [client_id])


@_cached
def theme_quotes(path: Path, user: users.User | None, client_id: str) -> pd.DataFrame:
    """Representative quotes of the client's themes, in rank order."""
    _require_client(path, user, client_id)
    return _query(path, """
        SELECT q.theme_id, q.rank, u.source, u.written_at, u.text
        FROM theme_quotes q
        JOIN themes t ON t.theme_id = q.theme_id AND t.scope = 'client'
        JOIN text_units u ON u.source = q.source AND u.source_id = q.source_id
                         AND u.client_id = q.client_id
        WHERE q.client_id = ?
        ORDER BY q.theme_id, q.rank
    """, [client_id])


@_cached
def body_sensations(path: Path, user: users.User | None, client_id: str) -> pd.DataFrame:
    """Every body sensation logged in a check-in, with when and the stress of that check-in."""
    _require_client(path, user, client_id)
    return _query(path, """
        SELECT c.checked_in_at, b.location, b.sensation, b.intensity, c.stress
        FROM checkin_body_sensations b
        JOIN checkins c USING (client_id, checkin_id)
        WHERE b.client_id = ?
        ORDER BY c.checked_in_at
    """, [client_id])


@_cached
def practices(path: Path, user: users.User | None, client_id: str) -> pd.DataFrame:
    _require_client(path, user, client_id)
    return _query(path, """
        SELECT practice_id, practiced_at, kind, duration_min, stress_before, stress_after, helpful
        FROM practices WHERE client_id = ? ORDER BY practiced_at
    """, [client_id])


@_cached
def stress_episodes(path: Path, user: users.User | None, client_id: str) -> pd.DataFrame:
    _require_client(path, user, client_id)
    if not has_tables(path, ("stress_episodes",)):
        return pd.DataFrame()
    return _query(path, "SELECT * FROM stress_episodes WHERE client_id = ? ORDER BY start_day",
                  [client_id])


@_cached
def practice_effects(path: Path, user: users.User | None, client_id: str) -> pd.DataFrame:
    _require_client(path, user, client_id)
    if not has_tables(path, ("practice_effects",)):
        return pd.DataFrame()
    return _query(path, "SELECT * FROM practice_effects WHERE client_id = ?", [client_id])


@_cached
def rhythms(path: Path, user: users.User | None, client_id: str) -> pd.DataFrame:
    _require_client(path, user, client_id)
    if not has_tables(path, ("client_rhythms",)):
        return pd.DataFrame()
    return _query(path, "SELECT * FROM client_rhythms WHERE client_id = ?", [client_id])


@_cached
def theme_weekly(path: Path, user: users.User | None, client_id: str) -> pd.DataFrame:
    """Texts per theme and client-local week (Monday)."""
    _require_client(path, user, client_id)
    return _query(path, """
        SELECT w.week, w.theme_id, t.label, w.n_texts
        FROM theme_weekly w JOIN themes t USING (theme_id)
        WHERE w.client_id = ? ORDER BY w.week
    """, [client_id])


@_cached
def conversation(path: Path, user: users.User | None, client_id: str, conversation_id: str) -> pd.DataFrame:
    """One conversation's messages in order, the client's with their signals."""
    _require_client(path, user, client_id)
    return _query(path, """
        SELECT m.message_id, m.sent_at, m.role, m.text,
               e.risk, e.risk_reason, e.stress, e.insight, e.emotion, e.evidence
        FROM messages m
        LEFT JOIN text_evidence e ON e.source = 'message' AND e.source_id = m.message_id
                                  AND e.client_id = m.client_id
        WHERE m.client_id = ? AND m.conversation_id = ?
        ORDER BY m.sent_at, m.message_id
    """, [client_id, conversation_id])


@_cached
def conversations(path: Path, user: users.User | None, client_id: str) -> pd.DataFrame:
    """The client's conversations: when, title, summary, number of messages."""
    _require_client(path, user, client_id)
    return _query(path, """
        SELECT v.conversation_id, v.started_at, v.title, v.summary, count(m.message_id) AS n_messages
        FROM conversations v
        LEFT JOIN messages m USING (client_id, conversation_id)
        WHERE v.client_id = ?
        GROUP BY ALL ORDER BY v.started_at DESC
    """, [client_id])


@_cached
def text_embeddings(path: Path, user: users.User | None, client_id: str) -> tuple[pd.DataFrame, np.ndarray]:
    """The client's texts and their stored embeddings, for semantic search. Every backend
    kept agrees with PyTorch's embeddings (cosine >= 0.99), so a query embedded by any
    of them is comparable."""
    _require_client(path, user, client_id)
    frame = _query(path, """
        SELECT u.source, u.source_id, u.conversation_id, u.written_at, u.text, e.embedding
        FROM text_units u
        JOIN (SELECT text_key, any_value(embedding) AS embedding FROM text_embeddings GROUP BY text_key) e
          USING (text_key)
        WHERE u.client_id = ?
        ORDER BY u.written_at
    """, [client_id])
    if frame.empty:
        return frame, np.zeros((0, 384), dtype=np.float32)
    vectors = np.vstack(frame.pop("embedding").to_numpy()).astype(np.float32)
    return frame, vectors


def brief_reads(path: Path, user: users.User | None, client_id: str, tz: str) -> BriefReads:
    """Everything the pre-session brief reads about one of the user's clients (each read
    cached and scoped to the user like every other)."""
    _require_client(path, user, client_id)
    return BriefReads(
        appointments=client_appointments(path, user, client_id), risk_flags=risk_flags(path, user, client_id),
        daily=daily_measures(path, user, client_id, tz),
        activity_at=client_activity(path, user, client_id)["at"],
        texts=texts(path, user, client_id), theme_weekly=theme_weekly(path, user, client_id),
        theme_quotes=theme_quotes(path, user, client_id), episodes=stress_episodes(path, user, client_id),
        practice_effects=practice_effects(path, user, client_id), trends=trend_verdicts(path, user, client_id),
        rhythms=rhythms(path, user, client_id), body_sensations=body_sensations(path, user, client_id))


# --- practice overview ------------------------------------------------------------------
# De-identified counts for admins and supervisors (views/overview.py, dashboard/overview_model.py).
# Unlike client content, an admin may read these: every query groups inside DuckDB, so no
# client's row, id, name or text leaves the database, and `_aggregates_only` checks each
# result holds nothing but its label columns and a whole-number count `n`.

OVERVIEW_ROLES = ("admin", "supervisor")
# A practice kind is client-written text: it is named only once this many clients did it
# (suppression.MIN_CELL); rarer kinds are pooled, so a one-off label cannot point at anyone.
PRACTICE_KIND_MIN_CLIENTS = 11


def _overview_providers(path: Path, user: users.User | None) -> tuple[str, ...]:
    """Whose clients the overview counts: every provider for an admin, a supervisor's own
    supervisees; AccessDenied for anyone else."""
    if user is None or user.role not in OVERVIEW_ROLES:
        raise AccessDenied("the practice overview is for admins and supervisors")
    if user.role == "admin":
        return tuple(_query(path, "SELECT provider_id FROM providers ORDER BY provider_id")["provider_id"])
    return user.providers


def _aggregates_only(frame: pd.DataFrame, labels: tuple[str, ...]) -> pd.DataFrame:
    """The frame, if it holds only these label columns and a whole-number count `n`."""
    if tuple(frame.columns) != labels + ("n",) or not pd.api.types.is_integer_dtype(frame["n"]):
        raise AccessDenied("the practice overview reads counts only")
    return frame


@_cached
def practice_overview(path: Path, user: users.User | None, today: date):
    """The overview's counts (overview_model.OverviewReads) over the user's providers' clients,
    as of `today`: clients by clinician and share scope, by when they last shared data (UTC
    days), by 8-week stress and mood trend; risk flags by level and review; practices by kind."""
    from dashboard.overview_model import OTHER_PRACTICES, OverviewReads

    scope = _overview_providers(path, user)
    within = f"client_id IN (SELECT client_id FROM client_providers WHERE {_in('provider_id', scope)})"
    params = list(scope)
    clinician_scope = _query(path, f"""
        SELECT coalesce(p.name, cp.provider_id) AS clinician, cp.scope, count(DISTINCT cp.client_id)::BIGINT AS n
        FROM client_providers cp LEFT JOIN providers p USING (provider_id)
        WHERE {_in('cp.provider_id', scope)} GROUP BY ALL ORDER BY clinician, cp.scope
    """, params)
    sharing = _query(path, f"""
        WITH clients_here AS (SELECT DISTINCT client_id FROM clients WHERE {within}),
        last_shared AS (
            SELECT client_id, max(shared_at)::DATE AS day FROM (
                SELECT client_id, checked_in_at AS shared_at FROM checkins
                UNION ALL SELECT client_id, started_at FROM conversations
                UNION ALL SELECT client_id, practiced_at FROM practices)
            WHERE shared_at::DATE <= ?::DATE GROUP BY client_id)
        SELECT CASE WHEN l.day IS NULL THEN 'never'
                    WHEN l.day > ?::DATE - 7 THEN '7d'
                    WHEN l.day > ?::DATE - 28 THEN '28d' ELSE 'older' END AS recency,
               count(*)::BIGINT AS n
        FROM clients_here c LEFT JOIN last_shared l USING (client_id) GROUP BY ALL ORDER BY recency
    """, params + [today, today, today])
    trends_read = _query(path, f"""
        WITH clients_here AS (SELECT DISTINCT client_id FROM clients WHERE {within})
        SELECT m.measure, t.verdict, count(*)::BIGINT AS n
        FROM clients_here c CROSS JOIN (VALUES ('stress'), ('mood')) m(measure)
        LEFT JOIN analysis_trends t ON t.client_id = c.client_id AND t.measure = m.measure
        GROUP BY ALL ORDER BY m.measure, t.verdict
    """, params) if has_tables(path, ("analysis_trends",)) else pd.DataFrame(
        {"measure": pd.Series(dtype=str), "verdict": pd.Series(dtype=str), "n": pd.Series(dtype="int64")})
    reviewed = has_tables(path, ("risk_reviews",))
    flags = _query(path, f"""
        SELECT e.risk, {"r.reviewed_at IS NOT NULL" if reviewed else "false"} AS reviewed, count(*)::BIGINT AS n
        FROM text_evidence e JOIN text_units u USING (source, source_id, client_id)
        {"LEFT JOIN risk_reviews r ON r.client_id = e.client_id AND r.source = e.source "
         "AND r.source_id = e.source_id AND r.text_key = u.text_key" if reviewed else ""}
        WHERE e.risk IN ('watch', 'urgent') AND e.{within}
        GROUP BY ALL ORDER BY e.risk, reviewed
    """, params) if has_tables(path, ("text_evidence",)) else pd.DataFrame(
        {"risk": pd.Series(dtype=str), "reviewed": pd.Series(dtype=bool), "n": pd.Series(dtype="int64")})
    practices_read = _query(path, f"""
        WITH done AS (SELECT client_id, lower(trim(kind)) AS kind, practiced_at FROM practices WHERE {within}),
        named AS (SELECT kind FROM done GROUP BY kind HAVING count(DISTINCT client_id) >= ?)
        SELECT CASE WHEN kind IN (SELECT kind FROM named) THEN kind ELSE ? END AS kind,
               practiced_at::DATE > ?::DATE - 28 AS recent, count(*)::BIGINT AS n
        FROM done WHERE practiced_at::DATE <= ?::DATE GROUP BY ALL ORDER BY kind, recent
    """, params + [PRACTICE_KIND_MIN_CLIENTS, OTHER_PRACTICES, today, today])
    return OverviewReads(
        clinician_scope=_aggregates_only(clinician_scope, ("clinician", "scope")),
        sharing=_aggregates_only(sharing, ("recency",)),
        trends=_aggregates_only(trends_read, ("measure", "verdict")),
        flags=_aggregates_only(flags, ("risk", "reviewed")),
        practices=_aggregates_only(practices_read, ("kind", "recent")))
