"""One writer per database file: the process that holds the read-write connection, and the
local channel through which the command line hands it a job when that process is the app.

DuckDB lets one process open a file read-write, and no other process may then open it at
all, not even read-only. So the dashboard owns the one connection (``Writer``) and draws
pages from cursors on it: DuckDB's MVCC shows each cursor the last committed state while
a write runs on another cursor. Writes in that process run one at a time under
``Writer.lock``, and every finished write bumps ``generation()``, which keys the pages'
caches, so the next page load reads the new data.

``python -m pipelines ingest|analyze|users|audit|forget`` first opens the file itself (``run``). If another
process holds the lock and that process serves the channel (a Unix socket beside the
database, mode 0600, same user only), the job goes there (``submit``): the app runs the
same ``COMMANDS`` entry on its connection and streams the report lines back, and the
command prints them and exits with the job's code. See the README, "One writer by design".

Protocol (one connection per job, UTF-8 JSON, one object per line): the client sends
``{"command": NAME, "args": {...}}``; the server answers ``{"out": LINE}`` (stdout of the
command), ``{"err": LINE}`` (stderr) and finally ``{"exit": CODE}``, or ``{"refused":
REASON}``. Unknown commands and malformed arguments are refused. No log line holds what a
client sent: commands are logged by their registered name, paths never.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import socket
import socketserver
import stat
import struct
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

import duckdb

log = logging.getLogger(__name__)

SOCKET_SUFFIX = ".writer.sock"
SOCKET_MODE = 0o600
MAX_REQUEST_BYTES = 16 * 1024 * 1024   # a request names files; 16 MiB is ~100k paths
REQUEST_SECONDS = 10                   # a client has this long to send its request
SEND_SECONDS = 30                      # a report line the command does not take by then ends its report
CONNECT_SECONDS = 5                    # the CLI waits this long for an app that holds the lock to answer
MAX_UNIX_PATH = 100                    # sun_path is 108 bytes on Linux, 104 on macOS

Out = Callable[[str], None]


class DatabaseBusy(RuntimeError):
    """Another process holds the database's write lock. The message is for the admin."""


class HandOffFailed(RuntimeError):
    """The app holding the database could not take the job. The message is for the admin."""


# --- the one connection of a process --------------------------------------------------

_generation = 0
_generation_lock = threading.Lock()


def generation() -> int:
    """How many writes this process has finished: the pages' caches are keyed on it.

    While a process holds the write lock no other process can change the file, so this
    counter changes exactly when the data can have changed."""
    return _generation


def _bump_generation() -> None:
    global _generation
    with _generation_lock:
        _generation += 1


# Small writes that append to the audit trail (sign-in, reviews, accounts, forget) run one
# at a time in a process: the chain's head is one row, and two transactions appending at
# once would conflict. Held around the whole transaction (dashboard/writes.py, the
# handed-over account commands below).
AUDIT_WRITES = threading.RLock()


def data_changed() -> None:
    """A small write outside the job queue (a risk-flag review, an appointment change) has
    committed: the pages' caches read again."""
    _bump_generation()


def is_lock_error(error: BaseException) -> bool:
    """Whether DuckDB refused to open a file because another process holds its lock."""
    return isinstance(error, duckdb.IOException) and "Could not set lock" in str(error)


def busy_message(error: BaseException) -> str:
    """The admin's words for DuckDB's lock error, with the holder's PID when DuckDB gives it."""
    text = str(error)
    pid = text.split("(PID ", 1)[1].split(")", 1)[0] if "(PID " in text else None
    holder = f"process {pid}" if pid and pid.isdigit() else "another process"
    return f"the database is open for writing in {holder}"


def open_database(path: str | os.PathLike) -> duckdb.DuckDBPyConnection:
    """``db.connect(path)``, with DuckDB's lock error as ``DatabaseBusy``."""
    from . import db

    try:
        return db.connect(path)
    except duckdb.IOException as error:
        if is_lock_error(error):
            raise DatabaseBusy(busy_message(error)) from None
        raise


class Writer:
    """A process's read-write connection: page reads on cursors, writes one at a time."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self.lock = threading.Lock()
        # Cursors start in the default catalog; an encrypted database is attached under
        # another name (db.connect), so each cursor is pointed at the connection's own.
        self.server: _Server | None = None
        self.catalog = con.execute("SELECT current_database()").fetchone()[0]
        with con.cursor() as probe:
            self._default_catalog = probe.execute("SELECT current_database()").fetchone()[0]

    def cursor(self, timezone: str | None = None) -> duckdb.DuckDBPyConnection:
        """A new cursor on the connection (its own transactions; settings start at defaults)."""
        cursor = self.con.cursor()
        if self.catalog != self._default_catalog:
            cursor.execute(f'USE "{self.catalog.replace(chr(34), chr(34) * 2)}"')
        if timezone:
            cursor.execute(f"SET TimeZone = '{timezone.replace(chr(39), chr(39) * 2)}'")
        return cursor

    def run(self, job: Callable, *args, on_wait: Callable[[], None] | None = None):
        """Run ``job(cursor, *args)`` as this process's only write; bump the generation after."""
        if not self.lock.acquire(blocking=False):
            if on_wait:
                on_wait()
            self.lock.acquire()
        try:
            cursor = self.cursor()
            try:
                return job(cursor, *args)
            finally:
                cursor.close()
        finally:
            _bump_generation()   # even a failed job may have committed some batches
            self.lock.release()


# --- the commands: the same code whether the CLI runs them or hands them to the app --------

def ingest_command(con: duckdb.DuckDBPyConnection, args: dict, out: Out, err: Out) -> int:
    """``ingest``: files are named in the report as the user typed them, relative to ``cwd``."""
    from .ingest import ingest_sources

    report = ingest_sources(con, _sources_as_typed(args["paths"], args["cwd"]))
    for result in report.files:
        if not args["quiet"] or result.status == "rejected":
            out(result.line())
    totals = report.totals()
    out(f"{len(report.accepted)} accepted, {len(report.rejected)} rejected, "
        f"{sum(1 for f in report.files if f.status == 'skipped')} skipped; records: "
        f"{totals['new']} new, {totals['unchanged']} unchanged, {totals['revised']} revised"
        + (f", {totals['stale']} older versions ignored" if totals["stale"] else ""))
    return 1 if report.rejected else 0


def _sources_as_typed(paths: list[str], cwd: str):
    """``iter_sources(paths)`` as if run in ``cwd``, without changing this process's directory
    (the app's threads share it): files are named by the path the user typed."""
    from .ingest.sources import iter_sources

    for raw in paths:
        full = os.path.join(cwd, raw)
        for source in iter_sources([full]):
            if full != raw and source.name.startswith(full):
                source = dataclasses.replace(source, name=raw + source.name[len(full):])
            yield source


def analyze_command(con: duckdb.DuckDBPyConnection, args: dict, out: Out, err: Out) -> int:
    """``analyze``: loads the model here, when the job runs (never to draw a page)."""
    from .analyze import run_analysis
    from .progress import ProgressBars

    bars = ProgressBars()  # drawn only where stderr is a terminal: the CLI's own run, not the app
    try:
        out(run_analysis(con, progress=bars).line())
    finally:
        bars.close()
    return 0


def _ingest_args(args: dict) -> dict:
    paths, cwd, quiet = args.get("paths"), args.get("cwd"), args.get("quiet")
    if set(args) != {"paths", "cwd", "quiet"} or not isinstance(quiet, bool):
        raise ValueError("ingest takes paths, cwd and quiet")
    if not isinstance(paths, list) or not paths or not all(_clean_path(p) for p in paths):
        raise ValueError("ingest paths must be a non-empty list of path strings")
    if not _clean_path(cwd) or not os.path.isabs(cwd):
        raise ValueError("ingest cwd must be an absolute path")
    return args


def _analyze_args(args: dict) -> dict:
    if args:
        raise ValueError("analyze takes no arguments")
    return args


def _clean_path(value) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 4096 and "\x00" not in value


def users_command(con: duckdb.DuckDBPyConnection, args: dict, out: Out, err: Out) -> int:
    """``users add|disable|reset|list|demo``: the password (when the action takes one) was read
    by the command line and comes over the same-user channel; it is hashed here."""
    from . import users

    action, name = args["action"], args.get("name")
    try:
        with AUDIT_WRITES:
            if action == "add":
                user = users.add(con, name, args["role"], args.get("password"), provider_id=args.get("provider"),
                                 supervises=tuple(args.get("supervises") or ()), email=args.get("email"), by="cli")
                out(f"added {user.username} ({user.role})")
            elif action == "disable":
                users.disable(con, name, by="cli")
                out(f"disabled {name}")
            elif action == "reset":
                users.reset(con, name, args["password"], by="cli")
                out(f"new password set for {name}")
            elif action == "list":
                for line in users.listing(con).astype(object).fillna("").to_string(index=False).splitlines():
                    out(line)
            elif action == "demo":
                made = users.demo(con, args["password"])
                out("demo accounts: " + ", ".join(f"{u.username} ({u.role})" for u in made))
                out(args.get("password_note") or "")
    except users.AccountError as error:
        err(f"error: {error}")
        return 2
    return 0


def audit_command(con: duckdb.DuckDBPyConnection, args: dict, out: Out, err: Out) -> int:
    """``audit verify``: exit 1 if any row was edited or deleted."""
    from . import audit

    result = audit.verify(con)
    for problem in result.problems:
        out(problem)
    out(f"{result.rows} audit rows, head {result.head[:16]}: " + ("intact" if result.ok else "BROKEN"))
    return 0 if result.ok else 1


def forget_command(con: duckdb.DuckDBPyConnection, args: dict, out: Out, err: Out) -> int:
    """``forget CLIENT``: the client and everything derived, then the caseload themes re-derived."""
    from .forget import forget_client, rederive

    with AUDIT_WRITES:
        report = forget_client(con, args["client"], args["by"])
    out(report.line())
    if report.found:
        # Caseload themes were derived partly from the client's texts: rebuild them now
        # (loads the embedding model; every embedding it needs is cached).
        out(rederive(con).line())
    return 0


USER_ACTIONS = ("add", "disable", "reset", "list", "demo")
ROLES = ("therapist", "supervisor", "admin")


def _optional_text(value) -> bool:
    return value is None or (isinstance(value, str) and len(value) <= 4096 and "\x00" not in value)


def _users_args(args: dict) -> dict:
    allowed = {"action", "name", "role", "provider", "supervises", "email", "password", "password_note"}
    if not set(args) <= allowed or args.get("action") not in USER_ACTIONS:
        raise ValueError("users takes an action of " + ", ".join(USER_ACTIONS))
    if not all(_optional_text(args.get(k)) for k in allowed - {"action", "supervises"}):
        raise ValueError("users arguments must be short strings")
    if args["action"] in ("add", "disable", "reset") and not args.get("name"):
        raise ValueError("users " + args["action"] + " takes a name")
    if args["action"] == "add" and args.get("role") not in ROLES:
        raise ValueError("users add takes a role of " + ", ".join(ROLES))
    if args["action"] in ("reset", "demo") and not isinstance(args.get("password"), str):
        raise ValueError("users " + args["action"] + " takes a password")
    supervises = args.get("supervises") or []
    if not isinstance(supervises, list) or not all(_clean_path(p) for p in supervises):
        raise ValueError("supervises must be a list of provider ids")
    return args


def _audit_args(args: dict) -> dict:
    if args != {"action": "verify"}:
        raise ValueError("audit takes the action verify")
    return args


def _forget_args(args: dict) -> dict:
    if set(args) != {"client", "by"} or not all(_clean_path(args[k]) for k in ("client", "by")):
        raise ValueError("forget takes a client id and who withdraws it")
    return args


# name -> (run, check the arguments a client sent)
COMMANDS: dict[str, tuple[Callable[..., int], Callable[[dict], dict]]] = {
    "ingest": (ingest_command, _ingest_args),
    "analyze": (analyze_command, _analyze_args),
    "users": (users_command, _users_args),
    "audit": (audit_command, _audit_args),
    "forget": (forget_command, _forget_args),
}


def ingest_args(paths: list[str], quiet: bool) -> dict:
    """The ``ingest`` job's arguments, as the CLI hands them over."""
    return {"paths": [str(p) for p in paths], "cwd": os.getcwd(), "quiet": bool(quiet)}


# --- the command line's side ----------------------------------------------------------

def run(db_path: str | os.PathLike, command: str, args: dict, *, out: Out = print,
        err: Out | None = None) -> int:
    """Run a command on the database: opened here, or handed to the app that holds it."""
    err = err or (lambda line: print(line, file=sys.stderr))
    job, check = COMMANDS[command]
    check(args)
    try:
        con = open_database(db_path)
    except DatabaseBusy as busy:
        try:
            return submit(db_path, command, args, out=out, err=err)
        except HandOffFailed as failed:
            err(f"{busy}; {failed}")
            return 75   # EX_TEMPFAIL: try again later
    try:
        return job(con, args, out, err)
    finally:
        con.close()


def socket_path(db_path: str | os.PathLike) -> Path:
    """Where the app holding ``db_path`` listens: beside the file, or (a path too long for a
    Unix socket) in a per-user folder of the temporary directory."""
    db_file = Path(os.path.abspath(db_path))
    beside = db_file.parent / f".{db_file.name}{SOCKET_SUFFIX}"
    if len(os.fsencode(beside)) <= MAX_UNIX_PATH:
        return beside
    digest = hashlib.sha256(os.fsencode(db_file)).hexdigest()[:32]
    name = Path(f"interlude-{os.getuid()}") / f"{digest}.sock"
    folder = Path(tempfile.gettempdir())
    if len(os.fsencode(folder / name)) > MAX_UNIX_PATH:
        folder = Path("/tmp")   # $TMPDIR itself is deep: the one short folder every Unix has
    return folder / name


def submit(db_path: str | os.PathLike, command: str, args: dict, *, out: Out = print,
           err: Out | None = None, connect_seconds: float = CONNECT_SECONDS) -> int:
    """Hand a job to the app serving ``db_path``; print its lines; return its exit code."""
    err = err or (lambda line: print(line, file=sys.stderr))
    path = socket_path(db_path)
    sock = _connect(path, connect_seconds)
    with sock, sock.makefile("rb") as replies:
        sock.sendall(json.dumps({"command": command, "args": args}).encode() + b"\n")
        sock.shutdown(socket.SHUT_WR)
        for raw in replies:
            try:
                message = json.loads(raw)
            except ValueError:
                raise HandOffFailed("the app sent an unreadable reply") from None
            if "out" in message:
                out(message["out"])
            elif "err" in message:
                err(message["err"])
            elif "exit" in message:
                return int(message["exit"])
            elif "refused" in message:
                raise HandOffFailed(f"the app refused the job: {message['refused']}")
    raise HandOffFailed("the app stopped before the job finished; run the command again")


def _connect(path: Path, seconds: float) -> socket.socket:
    # The app opens the database a moment before it listens: wait a little for it.
    deadline = time.monotonic() + seconds
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(str(path))
            return sock
        except (FileNotFoundError, ConnectionRefusedError):
            sock.close()
            if time.monotonic() >= deadline:
                raise HandOffFailed("and it does not take jobs (it is not the Interlude app, or it is "
                                    "starting or stopping); wait for it to finish and run the command "
                                    "again") from None
            time.sleep(0.1)
        except OSError:
            sock.close()
            raise HandOffFailed("and its job channel cannot be reached") from None


# --- the app's side ------------------------------------------------------------------

class _Handler(socketserver.StreamRequestHandler):
    server: "_Server"

    def handle(self) -> None:
        try:
            request = self._request()
        except ValueError as refused:
            log.warning("refused a job: %s", refused)
            self._send(refused=str(refused))
            return
        name = request["command"]
        job, _check = COMMANDS[name]
        log.info("running a handed-over %s job", name)
        try:
            code = self.server.writer.run(
                job, request["args"], lambda line: self._send(out=line), lambda line: self._send(err=line),
                on_wait=lambda: self._send(err="waiting for another write to the database to finish"))
        except Exception as error:   # the job's own failure; its message may quote data
            log.error("handed-over %s job failed: %s", name, type(error).__name__)
            self._send(err=f"the {name} job failed in the app ({type(error).__name__}); see the app's log")
            code = 1
        self._send(exit=code)

    def _request(self) -> dict:
        # Fixed texts only: nothing the client sent is echoed or logged.
        if not _same_user(self.request):
            raise ValueError("not the same user as the app")
        self.request.settimeout(REQUEST_SECONDS)
        try:
            raw = self.rfile.readline(MAX_REQUEST_BYTES + 1)
        except OSError:
            raise ValueError("no request within the time allowed") from None
        if len(raw) > MAX_REQUEST_BYTES:
            raise ValueError("request too large")
        # A command that stops reading its report cannot hold the write lock for long.
        self.request.settimeout(SEND_SECONDS)
        try:
            request = json.loads(raw)
        except ValueError:
            raise ValueError("not a JSON request") from None
        if not isinstance(request, dict) or set(request) != {"command", "args"}:
            raise ValueError("a request has a command and its args")
        if not isinstance(request["command"], str) or request["command"] not in COMMANDS:
            raise ValueError("unknown command")
        if not isinstance(request["args"], dict):
            raise ValueError("args must be an object")
        COMMANDS[request["command"]][1](request["args"])
        return request

    def _send(self, **message) -> None:
        if getattr(self, "gone", False):
            return
        try:
            self.wfile.write(json.dumps(message).encode() + b"\n")
            self.wfile.flush()
        except OSError:   # the command was interrupted or stopped reading: the job goes on
            self.gone = True


def _same_user(sock: socket.socket) -> bool:
    if not hasattr(socket, "SO_PEERCRED"):
        return True   # the socket's mode 0600 already admits only its owner
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return uid == os.getuid()


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    block_on_close = False   # exit does not wait for a job; its open transaction rolls back

    def __init__(self, path: Path, writer: Writer):
        self.writer = writer
        super().__init__(str(path), _Handler)

    def server_bind(self) -> None:
        super().server_bind()
        os.chmod(self.server_address, SOCKET_MODE)   # before listen(): no one connects earlier


def start(db_path: str | os.PathLike) -> Writer:
    """The app's writer: the database opened read-write (``DatabaseBusy`` if another
    process holds it) and the job channel served on a daemon thread. Once per process."""
    writer = Writer(open_database(db_path))
    writer.server = serve(writer, db_path)
    return writer


def serve(writer: Writer, db_path: str | os.PathLike) -> _Server:
    """Take handed-over jobs for ``db_path`` on a daemon thread (call once per process,
    while holding the database's write lock, which proves no other live server owns it)."""
    path = socket_path(db_path)
    if path.parent.name.startswith("interlude-"):
        path.parent.mkdir(mode=0o700, exist_ok=True)
    _remove_stale_socket(path)
    server = _Server(path, writer)
    thread = threading.Thread(target=server.serve_forever, name="interlude-writer", daemon=True)
    thread.start()
    identity = os.stat(path).st_ino
    import atexit

    atexit.register(_close, server, path, identity)
    return server


def _remove_stale_socket(path: Path) -> None:
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(mode):
        raise RuntimeError(f"{path} exists and is not a socket; remove it to let the app take jobs")
    os.unlink(path)   # left by an app that died: we hold the write lock, so it is not serving


def _close(server: _Server, path: Path, identity: int) -> None:
    if getattr(server, "closed", False):
        return
    server.closed = True
    server.shutdown()
    server.server_close()
    try:
        if os.stat(path).st_ino == identity:
            os.unlink(path)
    except FileNotFoundError:
        pass


def stop(server: _Server, db_path: str | os.PathLike) -> None:
    """Stop serving and remove the socket (tests; the app's socket goes at exit)."""
    path = socket_path(db_path)
    _close(server, path, os.stat(path).st_ino if path.exists() else -1)
