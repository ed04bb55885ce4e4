"""Command line of ../shared/analysis-contract.md: ``python -m pipelines ingest PATH ... --db DB``."""

from __future__ import annotations

import argparse
import logging
import os
import sys

# Nothing here may fetch a model or data set at run time.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
# Progress bars of model loading are noise in a command's report.
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines", description="Interlude pipelines")
    commands = parser.add_subparsers(dest="command", required=True)
    ingest = commands.add_parser("ingest", help="ingest client exports (files, folders, .zip) and appointments CSVs")
    ingest.add_argument("paths", nargs="+", metavar="PATH")
    ingest.add_argument("--db", required=True, help="DuckDB database file (created if missing)")
    ingest.add_argument("-q", "--quiet", action="store_true", help="print only rejected files and the summary")
    analyze = commands.add_parser("analyze", help="embeddings, themes and signals for everything new")
    analyze.add_argument("--db", required=True, help="DuckDB database file")
    _add_forget(commands)
    _add_access_commands(commands)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    if args.command == "ingest":
        return _ingest(args)
    if args.command == "analyze":
        return _analyze(args)
    if args.command == "forget":
        return _forget(args)
    if args.command in ("users", "audit"):
        return _access(args)
    parser.error(f"unknown command {args.command}")
    return 2


def _ingest(args) -> int:
    from . import writer

    return _write(args.db, "ingest", writer.ingest_args(args.paths, args.quiet))


def _analyze(args) -> int:
    from pathlib import Path

    if not Path(args.db).exists():
        print(f"no database at {args.db}: ingest exports first (python -m pipelines ingest PATH --db {args.db})",
              file=sys.stderr)
        return 2
    return _write(args.db, "analyze", {})


# --- forget (consent withdrawal): pipelines/forget.py ---

def _add_forget(commands) -> None:
    forget = commands.add_parser("forget", help="consent withdrawn: delete a client's records and everything "
                                                "derived from them, then re-derive the caseload themes")
    forget.add_argument("client", metavar="CLIENT", help="the client id, e.g. c-0042")
    forget.add_argument("--db", required=True, help="DuckDB database file")
    forget.add_argument("--by", default=None, help="who withdraws it, for the audit trail (default: your login)")


def _forget(args) -> int:
    import getpass
    from pathlib import Path

    if not Path(args.db).exists():
        print(f"no database at {args.db}", file=sys.stderr)
        return 2
    return _write(args.db, "forget", {"client": args.client, "by": args.by or getpass.getuser()})


def _write(db_path: str, command: str, job_args: dict) -> int:
    """Run a writing command on the database, or hand it to the running app that holds it
    (pipelines/writer.py; the README's "One writer by design")."""
    from . import writer

    return writer.run(db_path, command, job_args)
# --- accounts and the audit trail (pipelines/users.py, pipelines/audit.py) ---------------------

def _add_access_commands(commands) -> None:
    users = commands.add_parser("users", help="sign-in accounts: add, disable, reset, list, demo")
    actions = users.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="a new account (password from a prompt or stdin)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=("therapist", "supervisor", "admin"))
    add.add_argument("--provider", help="a therapist's own provider id")
    add.add_argument("--supervises", nargs="+", default=[], metavar="ID", help="provider ids a supervisor reads")
    add.add_argument("--email", help="the identity provider's email claim for single sign-on")
    add.add_argument("--sso-only", action="store_true", help="no password: signs in only through single sign-on")
    for name, text in (("disable", "disable an account"), ("reset", "a new password (from a prompt or stdin)")):
        action = actions.add_parser(name, help=text)
        action.add_argument("name")
    actions.add_parser("list", help="every account (never a password)")
    actions.add_parser("demo", help="the sample's demo accounts ($INTERLUDE_DEMO_PASSWORD, else one generated)")
    for action in actions.choices.values():
        action.add_argument("--db", required=True, help="DuckDB database file")
    audit = commands.add_parser("audit", help="the audit trail")
    audit_actions = audit.add_subparsers(dest="action", required=True)
    verify = audit_actions.add_parser("verify", help="exit 1 if any row was edited or deleted")
    verify.add_argument("--db", required=True, help="DuckDB database file")


def _password(prompt: str = "Password: ") -> str:
    """From a prompt (twice, not echoed) on a terminal, else the first line of stdin."""
    import getpass

    if sys.stdin.isatty():
        first = getpass.getpass(prompt)
        if getpass.getpass("Again: ") != first:
            raise SystemExit("the passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _access(args) -> int:
    """``users`` and ``audit``: run here, or handed to the app that holds the database."""
    from pathlib import Path

    from . import users

    if not Path(args.db).exists():
        print(f"no database at {args.db}: ingest exports first", file=sys.stderr)
        return 2
    if args.command == "audit":
        return _write(args.db, "audit", {"action": "verify"})
    job = {"action": args.action}
    if args.action == "add":
        job.update(name=args.name, role=args.role, provider=args.provider, supervises=list(args.supervises),
                   email=args.email, password=None if args.sso_only else _password())
    elif args.action == "disable":
        job.update(name=args.name)
    elif args.action == "reset":
        job.update(name=args.name, password=_password("New password: "))
    elif args.action == "demo":
        password = os.environ.get(users.DEMO_PASSWORD_ENV) or None
        job.update(password=password or users.generated_password())
        job.update(password_note=f"password: ${users.DEMO_PASSWORD_ENV}" if password else
                   f"password: {job['password']}  (shown once; `users reset NAME` sets another)")
    return _write(args.db, "users", job)


def _key_problem(error: BaseException) -> str | None:
    """One line for a database that its key (INTERLUDE_DB_KEY) does not open, or that another
    process holds."""
    text = str(error)
    for marker, line in (("without a key", "the database is encrypted: set INTERLUDE_DB_KEY (make run reads "
                                           "~/.config/interlude/db.key)"),
                         ("Wrong encryption key", "INTERLUDE_DB_KEY does not open this database (wrong key)"),
                         ("is not encrypted", "INTERLUDE_DB_KEY is set but this database is not encrypted")):
        if marker in text:
            return line
    if "Could not set lock" in text:
        return ("the database is open in another process (the app, or another ingest or analyze): "
                "try again when it has finished")
    return None


def run() -> int:
    """main(), with a database key or lock problem as one line instead of a traceback."""
    try:
        return main()
    except Exception as error:
        line = _key_problem(error)
        if line is None:
            raise
        print(f"error: {line}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(run())
