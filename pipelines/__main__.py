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


def _analyze(args) -> int:
    from pathlib import Path

    from . import db
    from .analyze import run_analysis

    if not Path(args.db).exists():
        print(f"no database at {args.db}: ingest exports first (python -m pipelines ingest PATH --db {args.db})",
              file=sys.stderr)
        return 2
    con = db.connect(args.db)
    bars = ProgressBars()
    try:
        report = run_analysis(con, progress=bars)
    finally:
        bars.close()
        con.close()
    print(report.line())
    return 0


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


class ProgressBars:
    """A tqdm bar per analysis stage on stderr: stage, n/total, rate and time left.

    Only on a terminal: a piped or logged run gets the one report line and nothing else.
    """

    def __init__(self, enabled: bool | None = None):
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.bars: dict = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        bar = self.bars.get(stage)
        if bar is None:
            bar = self.bars[stage] = tqdm(total=total, desc=f"{stage:>9}", unit="item", file=sys.stderr,
                                          dynamic_ncols=True, leave=True)
        bar.total = total
        bar.update(done - bar.n)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


if __name__ == "__main__":
    sys.exit(main())
