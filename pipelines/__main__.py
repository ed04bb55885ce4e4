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
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    if args.command == "ingest":
        return _ingest(args)
    if args.command == "analyze":
        return _analyze(args)
    if args.command == "forget":
        return _forget(args)
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

    from . import db
    from .forget import forget_client, rederive

    if not Path(args.db).exists():
        print(f"no database at {args.db}", file=sys.stderr)
        return 2
    con = db.connect(args.db)
    try:
        report = forget_client(con, args.client, args.by or getpass.getuser())
        print(report.line())
        if report.found:
            # Caseload themes were derived partly from the client's texts: rebuild them now
            # (loads the embedding model; every embedding it needs is cached).
            print(rederive(con).line())
    finally:
        con.close()
    return 0


def _write(db_path: str, command: str, job_args: dict) -> int:
    """Run a writing command on the database, or hand it to the running app that holds it
    (pipelines/writer.py; the README's "One writer by design")."""
    from . import writer

    return writer.run(db_path, command, job_args)


if __name__ == "__main__":
    sys.exit(main())
