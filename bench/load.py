"""Load check: N signed-in browser sessions read pre-session briefs for S seconds.

    python bench/load.py --db data/interlude.duckdb [--sessions 10] [--seconds 60] [--ingest]

Serves the database with `streamlit run` (as `make run` does) on a free port and drives it
from Debian's Chromium (Playwright), one browser context per session, each signed in as
a demo account (round robin over rivera, okafor, lindqvist and supervisor: `users demo`
with $INTERLUDE_DEMO_PASSWORD). Sessions sign in first (one browser each); the clock starts once all have. Each session
opens its caseload's briefs one after another
(/brief?client=..., a fresh page load each time, so Streamlit starts a new session from
the sign-in cookie) until time is up. A page time is from navigation until the brief's
"Worth exploring today" panel is drawn and the script has finished; a failure is a page
that did not get there within 60 s or showed an error box. Prints p50/p95/max page time,
pages per minute and failures. --ingest runs `python -m pipelines ingest` of the sample
exports into a scratch database alongside (the app owns its own file's write lock, so an
ingest into it waits for the writer hand-off of issue 9): CPU and disk contention as during
an ingest. The database is copied first; the copy is served.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

ACCOUNTS = {"rivera": "p-001", "okafor": "p-002", "lindqvist": "p-003", "supervisor": None}


def caseloads(path: Path) -> dict[str | None, list[str]]:
    from pipelines import db

    con = db.connect(path, read_only=True)
    try:
        rows = con.execute("SELECT provider_id, client_id FROM client_providers ORDER BY 1, 2").fetchall()
    finally:
        con.close()
    out: dict[str | None, list[str]] = {None: sorted({c for _, c in rows})}
    for provider, client in rows:
        out.setdefault(provider, []).append(client)
    return out


def session(browser_factory, base: str, username: str, password: str, clients: list[str], clock: dict,
            times: list[float], failures: list[str], lock: threading.Lock, ready: threading.Barrier | None) -> None:
    """Sign in (before the clock starts: every session waits at `ready`), then read briefs
    until clock["until"]. A sign-in that fails is a failure too."""
    from tests.browser import open_page, sign_in, streamlit_errors

    playwright, browser = browser_factory()
    try:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        try:
            sign_in(context, base, username, password, timeout_ms=180_000)
        except Exception as error:
            with lock:
                failures.append(f"{username}: sign-in {type(error).__name__}")
            if ready is not None:
                ready.abort()
            return
        if ready is not None:
            ready.wait()
        page = context.new_page()
        i = 0
        while time.monotonic() < clock["until"]:
            client = clients[i % len(clients)]
            i += 1
            start = time.monotonic()
            try:
                open_page(page, base, f"/brief?client={client}", "Worth exploring today", timeout_ms=60_000)
                errors = streamlit_errors(page)
                elapsed = time.monotonic() - start
                with lock:
                    (failures.append(f"{username} {client}: error box") if errors else times.append(elapsed))
            except Exception as error:   # a timeout is a failure, counted, not a crash
                with lock:
                    failures.append(f"{username} {client}: {type(error).__name__}")
        context.close()
    finally:
        browser.close()
        playwright.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=ROOT / "data" / "interlude.duckdb")
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--ingest", action="store_true", help="an ingest of the sample exports runs alongside")
    args = parser.parse_args()
    password = os.environ.get("INTERLUDE_DEMO_PASSWORD")
    if not password:
        print("set INTERLUDE_DEMO_PASSWORD to the demo accounts' password (python -m pipelines users demo)")
        return 2

    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM_ARGS, StreamlitServer, find_chromium

    work = Path(tempfile.mkdtemp(prefix="interlude-load-"))
    served = work / "interlude.duckdb"
    shutil.copyfile(args.db, served)
    loads = caseloads(served)
    names = list(ACCOUNTS)
    chromium = find_chromium()

    def browser_factory():
        playwright = sync_playwright().start()
        return playwright, playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)

    times: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    with StreamlitServer(served, work / "streamlit.log") as server:
        # One warm-up view, so the first session does not pay the process's imports alone.
        session(browser_factory, server.url, "okafor", password, loads["p-002"][:1],
                {"until": time.monotonic() + 1}, [], [], lock, None)
        ingest = None
        if args.ingest:
            ingest = subprocess.Popen([sys.executable, "-m", "pipelines", "ingest", str(ROOT / "sample_data" / "exports"),
                                       "--db", str(work / "scratch.duckdb"), "--quiet"], cwd=ROOT,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        clock = {"until": float("inf")}
        ready = threading.Barrier(args.sessions + 1)
        threads = []
        for i in range(args.sessions):
            name = names[i % len(names)]
            clients = loads[ACCOUNTS[name]]
            clients = clients[i // len(names):] + clients[:i // len(names)]   # sessions start apart
            threads.append(threading.Thread(target=session, args=(browser_factory, server.url, name, password,
                                                                  clients, clock, times, failures, lock, ready)))
        for thread in threads:
            thread.start()
        try:
            ready.wait()              # every session signed in: the clock starts
        except threading.BrokenBarrierError:
            pass
        start = time.monotonic()
        clock["until"] = start + args.seconds
        for thread in threads:
            thread.join()
        wall = time.monotonic() - start
        ingest_rc = None
        if ingest is not None:
            ingest_rc = ingest.wait()
    shutil.rmtree(work, ignore_errors=True)
    print(f"{args.sessions} signed-in sessions reading briefs for {args.seconds:.0f} s "
          f"({wall:.0f} s with the last pages), load average {os.getloadavg()[0]:.1f}"
          + (f", ingest alongside (exit {ingest_rc})" if args.ingest else ""))
    if times:
        ordered = sorted(times)
        p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
        print(f"pages: {len(times)} ({len(times) / wall * 60:.0f}/min)  p50 {statistics.median(times):.2f} s  "
              f"p95 {p95:.2f} s  max {ordered[-1]:.2f} s")
    print(f"failures: {len(failures)}" + (": " + "; ".join(failures[:10]) if failures else ""))
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
