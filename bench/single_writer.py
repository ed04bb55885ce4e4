"""Single-writer benchmark: pages while the command line writes through the running app.

    python bench/single_writer.py

The app runs in this process (Streamlit AppTest, as bench/pages.py) on the sample's first 12
clients, ingested and analyzed (built once, kept in --out). Then, as an admin would:
`python -m pipelines ingest` of the other 12 clients and `python -m pipelines analyze`,
each a subprocess that hands its job to the app. Printed: the command's wall time handed
over and with the file to itself (no app), page render times idle and while each job runs
(cold: the page's queries run on DuckDB; warm: served from the cache), and the time from
the command's exit to a page showing the new data. Pages are drawn back to back during each
job, a heavier load than a clinic's; the same jobs are then handed over with no page drawn.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")   # AppTest outside a server warns per cache
APP = str(ROOT / "dashboard" / "app.py")
SAMPLE = ROOT / "sample_data"
FIRST = [f"exports/c-{i:04d}" for i in range(1, 13)]
REST = [f"exports/c-{i:04d}" for i in range(13, 25)]
BRIEF_CLIENT = "c-0007"


def base_database(out: Path) -> Path:
    """The first 12 sample clients and the appointments, ingested and analyzed (cached)."""
    path = out / "single_writer_base.duckdb"
    if not path.exists():
        out.mkdir(parents=True, exist_ok=True)
        building = path.with_suffix(".building")
        building.unlink(missing_ok=True)
        for command in (["ingest", *FIRST, "appointments.csv"], ["analyze"]):
            subprocess.run(cli(command, building), cwd=SAMPLE, env=env(), check=True, stdout=subprocess.DEVNULL)
        building.rename(path)
    return path


def cli(command: list[str], db_path: Path) -> list[str]:
    return [sys.executable, "-m", "pipelines", *command, "--db", str(db_path)]


def env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}


def render(page: str, cold: bool, **params) -> float:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    if cold:
        st.cache_data.clear()
    app = AppTest.from_file(APP, default_timeout=300)
    for key, value in params.items():
        app.query_params[key] = value
    app.switch_page(page)
    clock = time.perf_counter()
    app.run()
    seconds = time.perf_counter() - clock
    if app.exception:
        raise RuntimeError(f"{page} raised: {app.exception[0].value}")
    return seconds


def clients_shown() -> int:
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(APP, default_timeout=300)
    app.switch_page("views/database.py")
    app.run()
    return int({m.label: m.value for m in app.metric}["Clients"])


def summary(values: list[float]) -> str:
    if not values:
        return "   (none)"
    return f"{statistics.median(values):6.2f} {max(values):6.2f}  n={len(values)}"


def during(command: list[str], db_path: Path, lock, draw: bool = True) -> tuple[float, float, dict[str, list[float]]]:
    """Run the command handed over; render pages, in turn, while the app's write lock is held
    (a page counts if its render started during the write)."""
    times: dict[str, list[float]] = {"today cold": [], "today warm": [], "brief cold": []}
    pages = [("today cold", "views/today.py", True, {}), ("today warm", "views/today.py", False, {}),
             ("brief cold", "views/brief.py", True, {"client": BRIEF_CLIENT})]
    clock = time.perf_counter()
    process = subprocess.Popen(cli(command, db_path), cwd=SAMPLE, env=env(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    turn = 0
    while process.poll() is None:
        if not draw or not lock.locked():
            time.sleep(0.01)
            continue
        name, page, cold, params = pages[turn % len(pages)]
        times[name].append(render(page, cold, **params))
        turn += 1
    out, err = process.communicate()
    wall = time.perf_counter() - clock
    if process.returncode != 0 or "Traceback" in err:
        raise RuntimeError(f"{command[0]} exited {process.returncode}: {err[-2000:]}")
    return wall, time.perf_counter(), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    base = base_database(args.out)

    with tempfile.TemporaryDirectory() as tmp:
        alone = Path(tmp) / "alone.duckdb"
        shutil.copyfile(base, alone)
        clock = time.perf_counter()
        subprocess.run(cli(["ingest", *REST], alone), cwd=SAMPLE, env=env(), check=True, stdout=subprocess.DEVNULL)
        alone_ingest = time.perf_counter() - clock
        clock = time.perf_counter()
        subprocess.run(cli(["analyze"], alone), cwd=SAMPLE, env=env(), check=True, stdout=subprocess.DEVNULL)
        alone_analyze = time.perf_counter() - clock

        served = Path(tmp) / "served.duckdb"
        shutil.copyfile(base, served)
        os.environ["INTERLUDE_DB"] = str(served)
        os.environ["INTERLUDE_TODAY"] = "latest-data"
        from dashboard import data

        clock = time.perf_counter()
        render("views/database.py", cold=True)   # the app's first page: opens the file, starts serving
        first_page = time.perf_counter() - clock
        lock = data._writer(str(served)).lock
        idle = {"today cold": [render("views/today.py", True) for _ in range(3)],
                "today warm": [render("views/today.py", False) for _ in range(3)],
                "brief cold": [render("views/brief.py", True, client=BRIEF_CLIENT) for _ in range(3)]}

        ingest_wall, exited, ingest_pages = during(["ingest", *REST], served, lock)
        shown = clients_shown()   # a fresh session right after the command exited
        to_page = time.perf_counter() - exited
        analyze_wall, _, analyze_pages = during(["analyze"], served, lock)

        quiet = Path(tmp) / "quiet.duckdb"   # the same jobs handed over, no page drawn meanwhile
        shutil.copyfile(base, quiet)
        os.environ["INTERLUDE_DB"] = str(quiet)
        render("views/database.py", cold=True)
        quiet_lock = data._writer(str(quiet)).lock
        quiet_ingest, _, _ = during(["ingest", *REST], quiet, quiet_lock, draw=False)
        quiet_analyze, _, _ = during(["analyze"], quiet, quiet_lock, draw=False)

    print(f"app's first page (opens the database, starts the channel): {first_page:.2f} s")
    print(f"ingest of 12 clients: {alone_ingest:5.1f} s with the file to itself, {quiet_ingest:5.1f} s handed "
          f"to the app, {ingest_wall:5.1f} s handed over while pages render")
    print(f"analyze of them:      {alone_analyze:5.1f} s with the file to itself, {quiet_analyze:5.1f} s handed "
          f"to the app, {analyze_wall:5.1f} s handed over while pages render")
    print(f"after the ingest exited, the next page load showed {shown} clients, {to_page:.2f} s later")
    print("page render, seconds (median max):")
    for name in idle:
        print(f"  {name:11s} idle {summary(idle[name])} | during ingest {summary(ingest_pages[name])}"
              f" | during analyze {summary(analyze_pages[name])}")


if __name__ == "__main__":
    main()
