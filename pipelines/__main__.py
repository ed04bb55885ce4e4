"""Command line of ../shared/analysis-contract.md: ``python -m pipelines ingest PATH ... --db DB``."""

from __future__ import annotations

import argparse
import logging
import os
import sys

# Nothing here may fetch a model or data set at run time.
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines", description="Interlude pipelines")
    commands = parser.add_subparsers(dest="command", required=True)
    ingest = commands.add_parser("ingest", help="ingest client exports (files, folders, .zip) and appointments CSVs")
    ingest.add_argument("paths", nargs="+", metavar="PATH")
    ingest.add_argument("--db", required=True, help="DuckDB database file (created if missing)")
    ingest.add_argument("-q", "--quiet", action="store_true", help="print only rejected files and the summary")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    if args.command == "ingest":
        return _ingest(args)
    parser.error(f"unknown command {args.command}")
    return 2


def _ingest(args) -> int:
    from . import db
    from .ingest import ingest_paths

    con = db.connect(args.db)
    try:
        report = ingest_paths(con, args.paths)
    finally:
        con.close()
    for result in report.files:
        if not args.quiet or result.status == "rejected":
            print(result.line())
    totals = report.totals()
    print(f"{len(report.accepted)} accepted, {len(report.rejected)} rejected, "
          f"{sum(1 for f in report.files if f.status == 'skipped')} skipped; records: "
          f"{totals['new']} new, {totals['unchanged']} unchanged, {totals['revised']} revised"
          + (f", {totals['stale']} older versions ignored" if totals["stale"] else ""))
    return 1 if report.rejected else 0


if __name__ == "__main__":
    sys.exit(main())
