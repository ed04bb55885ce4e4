"""Sign-in accounts: who may read what.

Roles: a **therapist** reads their own clients (``provider_id``); a **supervisor** reads
their supervisees' clients and caseload aggregates (``user_supervisees``); an **admin**
reads no client content (users, uploads, the audit trail, de-identified aggregates).

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106's second
recommended profile); a password never appears in an argument, a log or the audit
trail. Five wrong passwords in a row lock the account for ``LOCK_MINUTES``, doubling
with each further lock-out. Every change is written in one transaction with its audit row.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from pipelines import audit, db

ROLES = ("therapist", "supervisor", "admin")
MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 10
DEMO_PASSWORD_ENV = "INTERLUDE_DEMO_PASSWORD"
# The sample's clinicians (sample_data/): the demo accounts `users demo` makes.
DEMO_THERAPISTS = {"rivera": "p-001", "okafor": "p-002", "lindqvist": "p-003"}

_hasher = PasswordHasher()   # argon2id
# Checked against when the username is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


@dataclass(frozen=True)
class User:
    username: str
    role: str
    provider_id: str | None = None
    supervises: tuple[str, ...] = field(default_factory=tuple)
    email: str | None = None

    @property
    def providers(self) -> tuple[str, ...]:
        """The providers whose clients this user may read (none for an admin)."""
        if self.role == "therapist":
            return (self.provider_id,) if self.provider_id else ()
        if self.role == "supervisor":
            return tuple(sorted(set(self.supervises) | ({self.provider_id} if self.provider_id else set())))
        return ()

    @property
    def reads_client_content(self) -> bool:
        return self.role in ("therapist", "supervisor")


class AccountError(ValueError):
    """A request the accounts cannot honour (unknown user, bad role, weak password)."""


def _now() -> datetime:
    return datetime.now(timezone.utc)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def exists(con: duckdb.DuckDBPyConnection, username: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM users WHERE username = ?", [username]).fetchone()[0])


def add(con: duckdb.DuckDBPyConnection, username: str, role: str, password: str | None, *,
        provider_id: str | None = None, supervises: tuple[str, ...] = (), email: str | None = None,
        by: str | None = None) -> User:
    """A new account. A therapist needs a provider id; a supervisor supervises providers."""
    username = username.strip()
    if not username or not username.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise AccountError("a username is letters, digits, '.', '-' or '_'")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if role == "therapist" and not provider_id:
        raise AccountError("a therapist needs --provider (their provider id)")
    if role == "admin" and (provider_id or supervises):
        raise AccountError("an admin reads no client content: no --provider or --supervises")
    if password is None and not email:
        raise AccountError("an account needs a password or an email for single sign-on")
    if password is not None:
        check_password(password)
    with db.transaction(con):
        if exists(con, username):
            raise AccountError(f"user {username} exists")
        now = _now()
        con.execute("INSERT INTO users (username, role, provider_id, email, password_hash, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [username, role, provider_id, email.strip().lower() if email else None,
                     _hasher.hash(password) if password is not None else None, now, now])
        for provider in sorted(set(supervises)):
            con.execute("INSERT INTO user_supervisees VALUES (?, ?)", [username, provider])
        audit.record_in(con, by, "user added", detail=f"{username} as {role}")
    return load(con, username)


def load(con: duckdb.DuckDBPyConnection, username: str) -> User | None:
    """The enabled account of that name, or None."""
    row = con.execute("SELECT username, role, provider_id, email FROM users WHERE username = ? AND NOT disabled",
                      [username]).fetchone()
    if row is None:
        return None
    supervises = tuple(r[0] for r in con.execute(
        "SELECT provider_id FROM user_supervisees WHERE username = ? ORDER BY 1", [username]).fetchall())
    return User(row[0], row[1], row[2], supervises, row[3])


def by_email(con: duckdb.DuckDBPyConnection, email: str | None) -> User | None:
    """The account a single-sign-on identity maps to: the enabled user whose ``email`` equals
    the identity's email claim (case-insensitive, surrounding spaces ignored). No match, or
    more than one, signs no one in."""
    if not email or "@" not in str(email):
        return None
    rows = con.execute("SELECT username FROM users WHERE email = ? AND NOT disabled",
                       [str(email).strip().lower()]).fetchall()
    return load(con, rows[0][0]) if len(rows) == 1 else None


def disable(con: duckdb.DuckDBPyConnection, username: str, by: str | None = None) -> None:
    with db.transaction(con):
        if not exists(con, username):
            raise AccountError(f"no user {username}")
        con.execute("UPDATE users SET disabled = true, updated_at = ? WHERE username = ?", [_now(), username])
        audit.record_in(con, by, "user disabled", detail=username)


def reset(con: duckdb.DuckDBPyConnection, username: str, password: str, by: str | None = None) -> None:
    """A new password; clears failures and any lock-out, re-enables the account."""
    check_password(password)
    with db.transaction(con):
        if not exists(con, username):
            raise AccountError(f"no user {username}")
        con.execute("UPDATE users SET password_hash = ?, failed_attempts = 0, locked_until = NULL, disabled = false, "
                    "updated_at = ? WHERE username = ?", [_hasher.hash(password), _now(), username])
        audit.record_in(con, by, "password reset", detail=username)


def listing(con: duckdb.DuckDBPyConnection):
    """Every account, without password hashes."""
    return con.execute("""
        SELECT u.username, u.role, u.provider_id, string_agg(s.provider_id, ' ' ORDER BY s.provider_id) AS supervises,
               u.email, u.disabled, u.failed_attempts, u.locked_until
        FROM users u LEFT JOIN user_supervisees s USING (username)
        GROUP BY ALL ORDER BY u.username
    """).df()


def authenticate(con: duckdb.DuckDBPyConnection, username: str, password: str,
                 now: datetime | None = None) -> tuple[User | None, str]:
    """Check a sign-in: (the user, "") or (None, why), recording it in the audit trail.
    Why is the same for an unknown name and a wrong password."""
    now = now or _now()
    username = (username or "").strip()
    with db.transaction(con):
        row = con.execute("SELECT password_hash, disabled, failed_attempts, locked_until FROM users "
                          "WHERE username = ?", [username]).fetchone()
        if row is None or row[0] is None or row[1]:
            _verify(_DUMMY_HASH, password)
            audit.record_in(con, username or None, "sign-in failed", detail="unknown or disabled", at=now)
            return None, "Wrong username or password."
        stored, _, failures, locked_until = row
        if locked_until is not None and locked_until > now:
            audit.record_in(con, username, "sign-in failed", detail="locked", at=now)
            return None, f"Too many wrong passwords: try again after {locked_until:%H:%M} UTC, or ask an admin."
        if not _verify(stored, password):
            failures += 1
            lock = None
            if failures % MAX_FAILURES == 0:   # 15, 30, 60 … minutes
                lock = now + timedelta(minutes=LOCK_MINUTES * 2 ** (failures // MAX_FAILURES - 1))
            con.execute("UPDATE users SET failed_attempts = ?, locked_until = coalesce(?, locked_until) "
                        "WHERE username = ?", [failures, lock, username])
            audit.record_in(con, username, "sign-in failed", detail="wrong password", at=now)
            if lock is not None:
                audit.record_in(con, username, "account locked", detail=f"{failures} failures", at=now)
                return None, f"Too many wrong passwords: try again after {lock:%H:%M} UTC, or ask an admin."
            return None, "Wrong username or password."
        con.execute("UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE username = ?", [username])
        if _hasher.check_needs_rehash(stored):
            con.execute("UPDATE users SET password_hash = ? WHERE username = ?", [_hasher.hash(password), username])
        audit.record_in(con, username, "sign-in", at=now)
    return load(con, username), ""


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password or "")
    except (VerificationError, InvalidHashError):
        return False


def demo(con: duckdb.DuckDBPyConnection, password: str) -> list[User]:
    """The sample's demo accounts, made or reset: rivera, okafor and lindqvist (therapists of
    p-001..p-003), supervisor (supervises all three) and admin, all with ``password``."""
    check_password(password)
    made = []
    specs = [(name, "therapist", provider, ()) for name, provider in DEMO_THERAPISTS.items()]
    specs += [("supervisor", "supervisor", None, tuple(DEMO_THERAPISTS.values())), ("admin", "admin", None, ())]
    for name, role, provider, supervises in specs:
        if exists(con, name):
            reset(con, name, password, by="demo")
            made.append(load(con, name))
        else:
            made.append(add(con, name, role, password, provider_id=provider, supervises=supervises, by="demo"))
    return made


def generated_password() -> str:
    return secrets.token_urlsafe(12)
