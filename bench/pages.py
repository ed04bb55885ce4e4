"""Page benchmark: server-side render time of the clinician pages (Streamlit AppTest).

    python bench/pages.py                          # the committed sample (24 clients)
    python bench/pages.py --clients 500 --days 120  # a generated 500-client caseload
    python bench/pages.py --clients 500 --providers 10 --only caseload   # issue 11: under 2 s

For each page it opens N clients (a spread of raw and summary scope, the risk client
first) and prints the time of the first view of each client (its queries run; the
process's caches are warm for the rest of the database, as on a running server) and
of a rerun (a widget click: everything cached), as median / p90 / max, plus peak
memory. AppTest runs the page script as `streamlit run` would, without a browser.

The caseload page reads the whole caseload at once, so it is timed three ways: cold (every
cache cleared first, as after an ingest or a review, when the data generation changes),
a new session's first view with the caches warm, and a filter change (one clinician
chosen: the model is recomputed from cached reads).
The generated caseload is built once (generate → ingest → analyze) and kept in --out.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
APP = str(ROOT / "dashboard" / "app.py")
# Pages are measured as a supervisor of every clinician, signed in through the form first
# (sign-in is not timed). The account is made in the bench's own database copy.
BENCH_USER, BENCH_PASSWORD = "bench-supervisor", "bench-password-not-secret"


def build_database(out: Path, clients: int | None, days: int, providers: int | None = None) -> Path:
    """The analyzed database to measure: the sample, or a generated caseload of `providers`
    clinicians (default: one per 8 clients, at least 3), cached in `out`."""
    from pipelines import db
    from pipelines.analyze import run_analysis
    from pipelines.ingest import ingest_paths

    if clients is not None and providers is None:
        providers = max(3, round(clients / 8))
    name = "sample" if clients is None else f"{clients}x{days}" + ("" if providers == max(3, round(clients / 8))
                                                                    else f"x{providers}p")
    path = out / f"pages_{name}.duckdb"
    if path.exists():
        return path
    out.mkdir(parents=True, exist_ok=True)
    building = path.with_suffix(".building")
    building.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        if clients is None:
            sources = [ROOT / "sample_data" / "exports", ROOT / "sample_data" / "appointments.csv"]
        else:
            from sample_data.generate import generate

            clock = time.perf_counter()
            generate(Path(tmp), n_clients=clients, n_providers=providers, n_days=days, seed=11)
            print(f"generated {clients} clients x {days} days in {time.perf_counter() - clock:.0f} s", flush=True)
            sources = [Path(tmp) / "exports", Path(tmp) / "appointments.csv"]
        con = db.connect(building)
        try:
            clock = time.perf_counter()
            report = ingest_paths(con, sources)
            print(f"ingested in {time.perf_counter() - clock:.0f} s ({len(report.rejected)} rejected)", flush=True)
            clock = time.perf_counter()
            analysis = run_analysis(con)
            print(f"analyzed {analysis.n_texts} texts in {time.perf_counter() - clock:.0f} s", flush=True)
        finally:
            con.close()
    building.rename(path)
    return path


def ensure_bench_account(path: Path) -> None:
    """A supervisor of every provider in the database, for signing in (idempotent)."""
    from pipelines import db, users

    con = db.connect(path)
    try:
        if BENCH_USER in set(users.listing(con)["username"]):
            return
        providers = [r[0] for r in con.execute("SELECT DISTINCT provider_id FROM client_providers").fetchall()]
        users.add(con, BENCH_USER, "supervisor", BENCH_PASSWORD, supervises=tuple(providers), by="bench")
    finally:
        con.close()


def pick_clients(path: Path, n: int) -> list[str]:
    """The client with the most risk flags first, then a spread across the caseload,
    summary-scope clients included."""
    from pipelines import db

    con = db.connect(path, read_only=True)
    try:
        rows = con.execute("""
            SELECT c.client_id, any_value(cp.scope) AS scope,
                   (SELECT count(*) FROM text_evidence e WHERE e.client_id = c.client_id
                      AND e.risk = 'urgent') AS urgent
            FROM clients c JOIN client_providers cp USING (client_id)
            GROUP BY c.client_id ORDER BY c.client_id
        """).fetchall()
    finally:
        con.close()
    first = max(rows, key=lambda r: r[2])[0]
    summary = [r[0] for r in rows if r[1] == "summary"][:2]
    step = max(1, len(rows) // n)
    spread = [r[0] for r in rows[::step]]
    chosen = [first] + summary + [c for c in spread if c != first and c not in summary]
    return chosen[:n]


def render(page: str, client: str | None) -> tuple[float, float]:
    from streamlit.testing.v1 import AppTest

    from tests.test_pages import sign_in

    app = AppTest.from_file(APP, default_timeout=300)
    if client:
        app.query_params["client"] = client
    sign_in(app, BENCH_USER, BENCH_PASSWORD)
    app.switch_page(page)
    clock = time.perf_counter()
    app.run()
    first = time.perf_counter() - clock
    if app.exception:
        raise RuntimeError(f"{page} raised for {client}: {app.exception[0].value}")
    clock = time.perf_counter()
    app.run()
    return first, time.perf_counter() - clock


class Clock:
    """Wall and CPU seconds (this process, every thread) of a block: on a shared machine the
    CPU time says what the page costs, the wall time what a clinician waits."""

    def __init__(self, wall: list[float], cpu: list[float]):
        self.wall, self.cpu = wall, cpu

    def __enter__(self):
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def __exit__(self, *exc):
        self.wall.append(time.perf_counter() - self._wall)
        self.cpu.append(time.process_time() - self._cpu)


def time_caseload(repeats: int) -> dict[str, list[float]]:
    """Caseload page timings (seconds, wall and CPU): cold, warm first view, rerun, filter change."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from tests.test_pages import sign_in

    kinds = ("cold", "first view", "rerun", "filter change")
    times: dict[str, list[float]] = {f"{k} {c}": [] for k in kinds for c in ("wall", "cpu")}

    def clock(kind: str) -> Clock:
        return Clock(times[f"{kind} wall"], times[f"{kind} cpu"])

    for i in range(repeats):
        app = AppTest.from_file(APP, default_timeout=300)
        sign_in(app, BENCH_USER, BENCH_PASSWORD)
        app.switch_page("views/caseload.py")
        st.cache_data.clear()
        with clock("cold"):
            app.run()
        if app.exception:
            raise RuntimeError(f"caseload raised: {app.exception[0].value}")
        with clock("rerun"):
            app.run()
        picker = next(s for s in app.sidebar.selectbox if s.label == "Clinician")
        picker.set_value(picker.options[1 + i % (len(picker.options) - 1)])
        with clock("filter change"):
            app.run()
        fresh = AppTest.from_file(APP, default_timeout=300)
        sign_in(fresh, BENCH_USER, BENCH_PASSWORD)
        fresh.switch_page("views/caseload.py")
        with clock("first view"):
            fresh.run()
    return times


def summarize(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
    return f"{statistics.median(ordered):6.2f} {p90:6.2f} {ordered[-1]:6.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, help="generate a caseload of this many clients (default: sample)")
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--providers", type=int, help="clinicians of the generated caseload (default: one per 8 clients)")
    parser.add_argument("--only", choices=["caseload"], help="time only this page")
    parser.add_argument("--views", type=int, default=12, help="clients opened per page")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()

    path = build_database(args.out, args.clients, args.days, args.providers)
    ensure_bench_account(path)
    os.environ["INTERLUDE_DB"] = str(path)
    os.environ["INTERLUDE_TODAY"] = "latest-data"
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    clients = pick_clients(path, args.views)
    from pipelines import db

    con = db.connect(path, read_only=True)
    n_clients, n_texts, n_providers = con.execute(
        "SELECT (SELECT count(*) FROM clients), (SELECT count(*) FROM text_units), "
        "(SELECT count(DISTINCT provider_id) FROM client_providers)").fetchone()
    con.close()
    print(f"database: {path.name}, {n_clients} clients of {n_providers} clinicians, {n_texts} texts, "
          f"{path.stat().st_size / 2**20:.0f} MiB; {len(clients)} clients opened per page")
    clock = time.perf_counter()
    render("views/today.py", None)  # process start: imports, connection, caseload-wide queries
    print(f"app warm-up (imports, first Today): {time.perf_counter() - clock:.2f} s")
    print(f"{'page':18s} {'first view: median p90 max (s)':>32s} {'rerun: median p90 max (s)':>28s}")
    pages = () if args.only else (("views/today.py", False), ("views/brief.py", True), ("views/explorer.py", True))
    for page, per_client in pages:
        firsts, reruns = [], []
        for client in (clients if per_client else [None] * 3):
            first, rerun = render(page, client)
            firsts.append(first)
            reruns.append(rerun)
        print(f"{page[6:-3]:18s} {summarize(firsts):>32s} {summarize(reruns):>28s}")
    caseload = time_caseload(max(3, min(args.views, 8)))
    print(f"caseload, {len(caseload['cold wall'])} runs each: median p90 max (s); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for kind, values in caseload.items():
        print(f"  {kind:20s} {summarize(values)}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (RSS): {peak:.0f} MiB")


if __name__ == "__main__":
    main()
