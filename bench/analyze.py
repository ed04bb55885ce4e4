"""Analyze benchmark: a first run, a second run with nothing new, and one new client-week.

    python bench/analyze.py                    # the committed sample (24 clients)
    python bench/analyze.py --clients 500 --days 365   # a scaled caseload (≥ 100,000 texts)
    python bench/analyze.py --clients 100 --days 365 --themes   # + the theme stage alone, rebuilt

``--themes`` adds a phase that forgets every theme fingerprint and runs only the theme stage
on the analyzed database (every client and the caseload rebuilt, embeddings already stored),
printing its seconds, the seconds of its parts (cProfile, by function) and its peak RSS.

Measured 2026-12-02 on 2 shared cores, 30 clients x 365 days (20,553 texts, 13,912 distinct),
``nice -n 10``: first analyze 127.1 s (embed 43.3, signals 44.1, themes 29.7, trends 1.4,
clinical 8.2), peak RSS 868 MiB, load average 2.3-3.2 (the previous themes-7 code: 193.5 s,
embed 120.5, signals 47.3, themes 18.9, peak 906 MiB, load 4.3: the stage times swing with the
other agents' load). Theme stage alone, back to back at load 4.5 (under cProfile): themes-7
119.7 s / 818 MiB, themes-8 83.6 s / 788 MiB.

Speed branch, 2026-12-02 04:20 UTC, same caseload, ``nice -n 10``, load average 3.2-3.3: first
analyze 191.9 s wall / 180.9 CPU-s (embed 109.7/98.3, signals 36.1/35.7, themes 34.9/36.1,
trends 1.1/1.1, clinical 9.3/9.2; wall ≈ CPU: at that load the process got about one core),
peak RSS 792 MiB; raw encode 150 texts/s. Old and new code run side by side at load 13-17
(same conditions for both): 268.6 → 193.2 CPU-s, 1,082.6 → 889.7 s wall; peak 866 → 792 MiB.

Main after the merge (themes-9 labels without keyword pairs, signals-4), 2026-12-02 04:40 UTC,
same caseload, not niced, load average 1.8 -> 1.4 (quiet machine): first analyze **116.7 s**
(embed 55.1 wall / 97.7 CPU, signals 28.4/39.6, themes 22.6/26.5, trends 1.3/1.4, clinical
8.8/9.4; total CPU 175.1 s), peak RSS 784 MiB; nothing new 2.4 s; one new client-week 4.8 s.

signals-5 (hashed words in the stress and insight text heads, emotion gate, risk rules) and
themes-11 (up to 40 caseload themes, one-client words kept out of caseload labels), 2026-12-02
06:54 UTC, same caseload, not niced, load average 0.6 -> 1.1: first analyze **108.4 s** (embed
52.0/92.4, signals 26.3/38.0, themes 20.6/25.5, trends 1.1/1.1, clinical 7.7/8.2; total CPU
165.8 s), peak RSS 787 MiB; nothing new 2.5 s; one new client-week 6.2 s (themes 4.2 s: 40
caseload themes to relabel, was 30).

Prints texts embedded per second (pipeline) next to raw ``encode`` on the same texts,
end-to-end time per phase, peak memory (RSS) and the database size. Each phase runs in its
own process, as the command line would.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def build_database(out: Path, clients: int | None, days: int) -> Path:
    """An ingested (not analyzed) database, cached by caseload size."""
    from pipelines import db
    from pipelines.ingest import Source, ingest_paths, ingest_sources

    name = "sample" if clients is None else f"{clients}x{days}"
    base = out / f"analyze_{name}_ingested.duckdb"
    if not base.exists():
        con = db.connect(base)
        if clients is None:
            ingest_paths(con, [ROOT / "sample_data" / "exports"])
        else:
            from sample_data.generate import iter_exports

            def sources():
                for relative, export in iter_exports(clients, days, seed=11):
                    data = json.dumps(export).encode()
                    yield Source(str(relative), "export", lambda data=data: data)

            ingest_sources(con, sources())
        con.close()
    return base


def one_new_client_week(con) -> dict:
    """A copy of one client's latest conversations and check-ins, moved a week later."""
    client_id, export_id = con.execute(
        "SELECT client_id, export_id FROM exports WHERE scope = 'raw' ORDER BY exported_at DESC LIMIT 1").fetchone()
    last = con.execute("SELECT max(started_at) FROM conversations WHERE client_id = ?", [client_id]).fetchone()[0]
    rows = con.execute("""
        SELECT v.conversation_id, m.message_id, m.role, m.text FROM conversations v
        JOIN messages m USING (client_id, conversation_id)
        WHERE v.client_id = ? AND v.started_at > ? - INTERVAL 7 DAY ORDER BY m.sent_at""", [client_id, last]).fetchall()
    provider = con.execute("SELECT provider_id FROM exports WHERE export_id = ?", [export_id]).fetchone()[0]
    conversations: dict[str, list] = {}
    for conversation_id, message_id, role, text in rows:
        conversations.setdefault(conversation_id, []).append((message_id, role, text))
    stamp = "2027-01-{:02d}T20:{:02d}:00+00:00"
    return {
        "format": "client-export", "format_version": "1.0", "export_id": f"bench-week-{client_id}",
        "exported_at": "2027-01-09T08:00:00+00:00", "client": {"client_id": client_id},
        "provider": {"provider_id": provider},
        "share": {"scope": "raw", "consented_at": "2026-01-01T00:00:00+00:00",
                  "period": {"start": "2027-01-01T00:00:00+00:00", "end": "2027-01-08T00:00:00+00:00"}},
        "conversations": [{
            "conversation_id": f"bench-{cid}", "started_at": stamp.format(1 + i % 7, 0),
            "messages": [{"message_id": f"bench-{mid}", "at": stamp.format(1 + i % 7, j % 60), "role": role,
                          # a word changed so the week's texts are new to the embedding cache
                          "text": text.replace(".", " again.", 1) if role == "client" else text}
                         for j, (mid, role, text) in enumerate(messages)],
        } for i, (cid, messages) in enumerate(conversations.items())],
    }


def themes_phase(db_path: Path) -> dict:
    """The theme stage alone, every scope rebuilt: seconds, top functions, peak RSS."""
    import cProfile
    import io
    import pstats

    from pipelines import db, themes_stage
    from pipelines.analyze import EmbeddingStore, text_units
    from pipelines.nlp.embed import default_encoder

    con = db.connect(db_path)
    with db.transaction(con):
        con.execute("DELETE FROM theme_fingerprints")
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    store = EmbeddingStore(con, default_encoder())
    started = time.perf_counter()
    profile = cProfile.Profile()
    profile.enable()
    units = text_units(con)
    current = units[~units["superseded"]].drop(columns="superseded").reset_index(drop=True)
    del units
    outcome = themes_stage.update_themes(con, current, store)
    profile.disable()
    seconds = time.perf_counter() - started
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(25)
    con.close()
    return {"phase": "themes", "seconds": seconds, "texts": len(current),
            "clients_rebuilt": outcome.clients_reclustered, "caseload_rebuilt": outcome.caseload_reclustered,
            "phrases_embedded": store.n_embedded, "rss_before_mib": base_rss,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "profile": out.getvalue()}


def phase(db_path: Path, name: str) -> dict:
    """Run one analyze in this process; returns measurements."""
    from pipelines import db
    from pipelines.analyze import run_analysis

    if name == "themes":
        return themes_phase(db_path)
    con = db.connect(db_path)
    if name == "new-week":
        from pipelines.ingest import Source, ingest_sources

        export = one_new_client_week(con)
        data = json.dumps(export).encode()
        ingest_sources(con, [Source("bench-week.json", "export", lambda: data)])
    load_before = os.getloadavg()[0]
    started, cpu = time.perf_counter(), time.process_time()
    report = run_analysis(con)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    result = {"phase": name, "seconds": seconds, "cpu_seconds": cpu, "texts": report.n_texts,
              "embedded": report.n_embedded, "embedded_texts": report.n_embedded_texts,
              "scored": report.n_scored, "clients_rebuilt": report.clients_reclustered,
              "caseload_rebuilt": report.caseload_reclustered, "backend": report.backend,
              "stages": report.seconds, "stages_cpu": report.cpu_seconds,
              "load": (load_before, os.getloadavg()[0])}
    if name == "first":  # raw encode on the same distinct texts, same backend, for the overhead
        from pipelines.nlp.embed import default_encoder

        texts = [r[0] for r in con.execute("SELECT DISTINCT text FROM text_units").fetchall()]
        encoder = default_encoder()
        clock = time.perf_counter()
        encoder.encode(texts)
        result["raw_encode_per_s"] = len(texts) / (time.perf_counter() - clock)
        result["distinct_texts"] = len(texts)
    con.close()
    result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, help="generate a caseload of this many clients (default: sample)")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--themes", action="store_true", help="then time the theme stage alone, every scope rebuilt")
    parser.add_argument("--keep", action="store_true", help="reuse the analyzed database of a previous run")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(phase(args.db, args.phase)))
        return

    args.out.mkdir(parents=True, exist_ok=True)
    clock = time.perf_counter()
    base = build_database(args.out, args.clients, args.days)
    work = args.out / "analyze_bench.duckdb"
    phases = ["first", "unchanged", "new-week"]
    if args.keep and work.exists():
        phases = []
    else:
        for stale in (work, Path(f"{work}.wal")):
            stale.unlink(missing_ok=True)
        shutil.copy(base, work)
    caseload = "sample (24 clients)" if args.clients is None else f"{args.clients} clients x {args.days} days"
    print(f"caseload: {caseload}; ingested database ready in {time.perf_counter() - clock:.0f} s; "
          f"load average {', '.join(f'{v:.1f}' for v in os.getloadavg())} on {os.cpu_count()} cores")
    if args.themes:
        phases.append("themes")
    print(f"{'phase':<10}{'seconds':>9}{'texts':>9}{'embedded':>10}{'embed/s':>9}{'scored':>8}"
          f"{'clients rebuilt':>16}{'caseload':>10}{'peak MiB':>10}{'db MiB':>8}")
    for name in phases:
        child = subprocess.run([sys.executable, __file__, "--phase", name, "--db", str(work)],
                               capture_output=True, text=True, env=os.environ.copy())
        if child.returncode != 0:
            sys.exit(child.stderr[-3000:])
        r = json.loads(child.stdout.strip().splitlines()[-1])
        if name == "themes":
            print(f"themes alone: {r['seconds']:.1f} s for {r['texts']:,} texts ({r['clients_rebuilt']} clients and "
                  f"the caseload rebuilt, {r['phrases_embedded']:,} label phrases embedded); peak RSS "
                  f"{r['peak_rss_mib']:,.0f} MiB ({r['rss_before_mib']:,.0f} MiB after connecting); "
                  f"load average {', '.join(f'{v:.1f}' for v in os.getloadavg())}")
            print("\n".join(r["profile"].splitlines()[:45]))
            continue
        embed_rate = (r["embedded_texts"] / r["stages"]["embed"]
                      if r["embedded_texts"] and r["stages"].get("embed") else 0)
        print(f"{name:<10}{r['seconds']:>9.1f}{r['texts']:>9,}{r['embedded']:>10,}{embed_rate:>9,.0f}"
              f"{r['scored']:>8,}{r['clients_rebuilt']:>16}{'rebuilt' if r['caseload_rebuilt'] else 'kept':>10}"
              f"{r['peak_rss_mib']:>10,.0f}{work.stat().st_size / 2**20:>8,.0f}")
        print(f"{'':<10}stages (wall / CPU s): " + ", ".join(
            f"{k} {v:.1f}/{r['stages_cpu'].get(k, 0):.1f}" for k, v in r["stages"].items())
              + f"; total CPU {r['cpu_seconds']:.1f} s; load average {r['load'][0]:.1f} -> {r['load'][1]:.1f}"
              + f"; backend {r['backend']}")
        if "raw_encode_per_s" in r:
            print(f"{'':<10}raw encode of the {r['distinct_texts']:,} distinct texts: {r['raw_encode_per_s']:,.0f}/s "
                  f"(pipeline embed stage: {embed_rate:,.0f}/s; signals then embed the sentences of longer texts)")


if __name__ == "__main__":
    main()
