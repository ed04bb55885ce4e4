"""Ingest benchmark: a generated caseload, first ingest and re-ingest of the same files.

    python bench/ingest.py [--clients 500] [--days 365] [--out bench/out]

Prints records/second, peak memory (RSS of the ingesting process) and database size.
"Records" are what the files carry: check-ins, conversations, messages and practices
(overlapping exports repeat records, and each repeat is read, validated and compared).
Each phase runs in a fresh process so its peak memory is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def write_caseload(folder: Path, reexported: Path, clients: int, days: int, seed: int) -> tuple[int, int]:
    """Write the generated exports once, compact in ``folder`` and pretty-printed in
    ``reexported`` (same records, different bytes); returns (files, bytes) of ``folder``."""
    from sample_data.generate import iter_exports

    marker = folder / ".complete"
    if marker.exists() and (reexported / ".complete").exists():
        files = [p for p in folder.rglob("*.json")]
        return len(files), sum(p.stat().st_size for p in files)
    n_files = n_bytes = 0
    for relative, export in iter_exports(clients, days, seed=seed):
        data = json.dumps(export, separators=(",", ":"), ensure_ascii=False).encode()
        for root, text in ((folder, data), (reexported, json.dumps(export, indent=1).encode())):
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text)
        n_files += 1
        n_bytes += len(data)
    marker.touch()
    (reexported / ".complete").touch()
    return n_files, n_bytes


def run_phase(data: Path, db_path: Path) -> dict:
    """Ingest ``data`` into ``db_path`` in this process; returns measurements."""
    from pipelines import db
    from pipelines.ingest import ingest_paths

    con = db.connect(db_path)
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    report = ingest_paths(con, [data])
    con.execute("CHECKPOINT")
    seconds = time.perf_counter() - started
    con.close()
    cpu = _cpu_seconds() - cpu_before
    totals = report.totals()
    return {
        "seconds": seconds,
        "files": len(report.files),
        "rejected": len(report.rejected),
        "records": sum(totals.values()),
        # user + system CPU of this process and its (finished) parsing workers: less
        # sensitive than wall time to other processes sharing the machine
        "cpu_seconds": cpu,
        "new": totals["new"], "unchanged": totals["unchanged"], "revised": totals["revised"],
        # the ingesting process, and separately its largest parsing worker
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worker_peak_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase:  # child process: one measured ingest
        print(json.dumps(run_phase(args.data, args.db)))
        return

    data = args.out / f"caseload_{args.clients}x{args.days}_seed{args.seed}"
    reexported = args.out / f"caseload_{args.clients}x{args.days}_seed{args.seed}_reexported"
    started = time.perf_counter()
    n_files, n_bytes = write_caseload(data, reexported, args.clients, args.days, args.seed)
    print(f"caseload: {args.clients} clients x {args.days} days, {n_files:,} export files, "
          f"{n_bytes / 2**20:,.0f} MiB of JSON (ready in {time.perf_counter() - started:.0f} s)")
    db_path = args.out / "bench.duckdb"
    for stale in (db_path, Path(f"{db_path}.wal")):
        stale.unlink(missing_ok=True)

    print(f"{'phase':<12}{'seconds':>9}{'records':>12}{'records/s':>12}{'new':>11}{'unchanged':>11}"
          f"{'peak MiB':>10}{'worker MiB':>11}{'db MiB':>8}{'cpu s':>8}{'cpu µs/rec':>11}")
    results = {}
    # first: everything new; re-ingest: the same files again (skipped by file hash after
    # the export is recognised); re-exported: the same records in files with other bytes,
    # so every record is parsed, validated and compared with what is stored.
    for phase, folder in (("first", data), ("re-ingest", data), ("re-exported", reexported)):
        child = subprocess.run(
            [sys.executable, __file__, "--phase", phase, "--data", str(folder), "--db", str(db_path)],
            capture_output=True, text=True, check=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
        result = json.loads(child.stdout.strip().splitlines()[-1])
        results[phase] = result
        size = db_path.stat().st_size / 2**20
        print(f"{phase:<12}{result['seconds']:>9.2f}{result['records']:>12,}"
              f"{result['records'] / result['seconds']:>12,.0f}{result['new']:>11,}{result['unchanged']:>11,}"
              f"{result['peak_rss_mib']:>10,.0f}{result['worker_peak_rss_mib']:>11,.0f}{size:>8,.0f}"
              f"{result['cpu_seconds']:>8.1f}{1e6 * result['cpu_seconds'] / max(result['records'], 1):>11.1f}")
        assert result["rejected"] == 0, "generated exports must all be accepted"
    for phase in ("re-ingest", "re-exported"):
        speedup = results["first"]["seconds"] / results[phase]["seconds"]
        print(f"{phase} is {speedup:.1f}x faster than the first ingest")


if __name__ == "__main__":
    main()
