"""Sign-in: who is using the app, kept across reloads and new tabs by a signed cookie.

- The form (Username, Password, Sign in) checks pipelines.users.authenticate: argon2id,
  5 wrong passwords lock the account (15 minutes, doubling), every attempt audited.
- Signed in, the session remembers the user; after `INTERLUDE_IDLE_MINUTES` (15) without
  a page run it signs out. A cookie, `interlude_session`, carries
  ``base64(username|issued ms|expires s)`` and an HMAC-SHA256 over it with a server secret
  kept outside the repository (``$INTERLUDE_COOKIE_SECRET``, else
  ``~/.config/interlude/cookie.key``, made on first use, mode 0600). It expires
  with the idle time-out and is renewed as the user works, so a reload or a link opened in
  a new tab stays signed in; signing out expires it and voids every cookie issued before
  (``users.signed_out_at``).
- Single sign-on: with an ``[auth]`` section in ``.streamlit/secrets.toml`` the form also
  offers "Sign in with the clinic's identity provider" (``st.login``); the identity's
  email claim picks the user row (pipelines.users.by_email: one enabled user with that
  email, case-insensitive, or no one).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path

import streamlit as st

from dashboard import data, writes
from pipelines.users import User

COOKIE = "interlude_session"
IDLE_ENV, SECRET_ENV, CONFIG_ENV = "INTERLUDE_IDLE_MINUTES", "INTERLUDE_COOKIE_SECRET", "INTERLUDE_CONFIG_DIR"
IDLE_MINUTES = 15
COOKIE_RENEW_SECONDS = 60
_USER, _ACTIVE, _COOKIE_AT, _NOTE = "_auth_user", "_auth_active", "_auth_cookie_at", "_auth_note"


def idle_seconds() -> float:
    return 60 * float(os.environ.get(IDLE_ENV) or IDLE_MINUTES)


def config_dir() -> Path:
    """Where Interlude keeps its secrets: $INTERLUDE_CONFIG_DIR, else ~/.config/interlude."""
    return Path(os.environ.get(CONFIG_ENV) or Path.home() / ".config" / "interlude")


def owner_only_secret(path: Path, make=lambda: secrets.token_hex(32)) -> str:
    """The secret in `path`, made on first use, readable by the owner only."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(make())
    return path.read_text().strip()


@st.cache_resource
def _secret() -> bytes:
    return (os.environ.get(SECRET_ENV) or owner_only_secret(config_dir() / "cookie.key")).encode()


def token(username: str, issued: int, expires: int, secret: bytes) -> str:
    """`username|issued|expires`, base64url, then its HMAC-SHA256."""
    body = base64.urlsafe_b64encode(f"{username}|{issued}|{expires}".encode()).decode().rstrip("=")
    return body + "." + hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()


def read_token(value: str | None, secret: bytes, now: float) -> tuple[str, int] | None:
    """(username, issued) of a genuine, unexpired token; None for anything else."""
    if not value or value.count(".") != 1:
        return None
    body, mac = value.split(".")
    if not hmac.compare_digest(mac, hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()):
        return None
    try:
        username, issued, expires = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode().split("|")
        issued, expires = int(issued), int(expires)
    except (ValueError, UnicodeDecodeError):
        return None
    return (username, issued) if expires > now else None


def _set_cookie(value: str, max_age: int) -> None:
    """Set (or, with max_age 0, clear) the cookie from the page: Streamlit's own responses
    cannot set one. The component's frame shares the app's origin."""
    secure = "; Secure" if st.context.headers.get("X-Forwarded-Proto", "") == "https" else ""
    st.iframe(f"<script>document.cookie = '{COOKIE}={value}; Path=/; Max-Age={max_age}; "
              f"SameSite=Strict{secure}';</script>", height=1)


def _from_cookie(path: Path, now: float) -> User | None:
    found = read_token(st.context.cookies.get(COOKIE), _secret(), now)
    if found is None:
        return None
    username, issued = found
    user = data.account(path, username)
    revoked = data.signed_out_at(path, username) if user else None
    if user is None or (revoked is not None and issued <= revoked.timestamp() * 1000):
        return None
    return user


def _remember(user: User, now: float) -> None:
    """Keep the user in the session and the cookie fresh. The cookie frame is drawn on every
    run (unchanged, the browser keeps it and runs nothing again), so a run cut short by a
    rerun never loses it; its token is renewed at most once a minute."""
    st.session_state[_USER], st.session_state[_ACTIVE] = user, now
    idle = int(idle_seconds())
    if now - st.session_state.get(_COOKIE_AT, 0) >= COOKIE_RENEW_SECONDS or "_auth_cookie" not in st.session_state:
        st.session_state["_auth_cookie"] = token(user.username, int(now * 1000), int(now) + idle, _secret())
        st.session_state[_COOKIE_AT] = now
    _set_cookie(st.session_state["_auth_cookie"], idle)


def sign_out(path: Path, why: str | None = None) -> None:
    user = st.session_state.get(_USER)
    for key in (_USER, _ACTIVE, _COOKIE_AT, "_auth_cookie"):
        st.session_state.pop(key, None)
    if user is not None:
        writes.sign_out(path, user, why)
    # This session's cookie (read when the page opened) is never trusted again.
    st.session_state["_auth_clear_cookie"] = st.session_state["_auth_ignore_cookie"] = True


def current_user(path: Path) -> User | None:
    """The signed-in user (session, else a valid cookie, else single sign-on), still enabled,
    with the idle time-out applied; None when no one is."""
    now = time.time()
    user = st.session_state.get(_USER)
    if user is not None and now - st.session_state.get(_ACTIVE, now) > idle_seconds():
        sign_out(path, "idle")
        st.session_state[_NOTE] = "You were signed out after a period without activity."
        return None
    if user is not None:
        user = data.account(path, user.username)   # disabled since? then out
    if user is None and not st.session_state.get("_auth_ignore_cookie"):
        user = _from_cookie(path, now) or _from_identity_provider(path)
    if user is None:
        return None
    _remember(user, now)
    return user


def _sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:   # no secrets.toml: no single sign-on
        return False


def _from_identity_provider(path: Path) -> User | None:
    if not _sso_configured() or not getattr(st.user, "is_logged_in", False):
        return None
    user = data.account_for_email(path, st.user.get("email"))
    if user is None:
        st.session_state[_NOTE] = ("Your identity provider signed you in, but no Interlude account has that "
                                   "email. Ask an admin to add it (`python -m pipelines users add ... --email`).")
        st.logout()
        return None
    writes.record(path, user, "sign-in", detail="single sign-on")
    return user


def sign_in_form(path: Path) -> None:
    """The sign-in page; reruns the app once someone signs in."""
    if st.session_state.pop("_auth_clear_cookie", False):
        _set_cookie("", 0)
    st.title("Interlude")
    st.caption("Between-session insights for therapists and clinical supervisors. Sign in to continue.")
    note = st.session_state.pop(_NOTE, None)
    if note:
        st.info(note)
    with st.form("sign-in"):
        username = st.text_input("Username", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        user, why = writes.authenticate(path, username, password)
        if user is None:
            st.error(why)
        else:
            st.session_state.pop(_COOKIE_AT, None)
            st.session_state.pop("_auth_cookie", None)
            st.session_state[_USER], st.session_state[_ACTIVE] = user, time.time()
            st.rerun()   # the next run draws the cookie frame
    if _sso_configured():
        st.button("Sign in with the clinic's identity provider", on_click=st.login)


def sidebar(path: Path, user: User) -> None:
    """Who is signed in, and the way out."""
    role = {"therapist": "therapist", "supervisor": "supervisor", "admin": "administrator"}[user.role]
    st.sidebar.caption(f"Signed in as **{user.username}** ({role}). Signs out after "
                       f"{idle_seconds() / 60:.0f} idle minutes.")
    if st.sidebar.button("Sign out", icon=":material/logout:"):
        sign_out(path, "button")
        if _sso_configured() and getattr(st.user, "is_logged_in", False):
            st.logout()
        st.rerun()
