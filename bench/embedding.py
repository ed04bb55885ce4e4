"""Embedding backends: speed, peak memory, agreement with PyTorch, and batch invariance.

    python bench/embedding.py [--db COPY.duckdb] [--n 4000] [--repeat 2] [--threads N]

Texts: the distinct client texts of a database (``--db``: a copy of an analyzed or ingested
database, opened read-only; the ``text_units`` the analysis embeds), else of the committed
sample exports; plus a second set of ~14-word texts (12–16 words) from the same source.

Backends: sentence-transformers (PyTorch, the reference) and the ONNX exports of the same
model: fp32 and graph-optimized (the chooser's candidates) and dynamic int8 (the former
default, measured for comparison: it is batch-dependent, so the chooser never takes it).
Each backend runs in its own process, so its peak RSS is its own. Columns:

- texts/s: best of ``--repeat`` timed ``encode`` calls, wall clock (the machine's load shows);
- /CPU-s: texts per CPU-second of the process in that run (all its threads; less sensitive
  to other processes on a shared machine, but counts ONNX Runtime's spin-waiting);
- agreement / min cos: mean and minimum cosine to PyTorch's vector for the same text;
- drift: max |difference| between a text's vector encoded alone and in the batched,
  length-sorted, padded run; shuffled: the same texts in a shuffled order, batch size 17;
- peak MB: the process's maximum RSS after loading and encoding everything.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

BACKENDS = ("torch", "onnx-fp32", "onnx-optimized", "onnx-int8")
N_ALONE = 200  # texts also encoded one at a time, for the drift columns


def sample_texts(n: int) -> list[str]:
    """Distinct client-written texts of the committed sample exports (messages and notes)."""
    texts: dict[str, None] = {}
    for path in sorted((ROOT / "sample_data" / "exports").rglob("*.json")):
        export = json.loads(path.read_text())
        for checkin in export.get("checkins", []):
            if checkin.get("note"):
                texts[checkin["note"]] = None
        for conversation in export.get("conversations", []):
            for message in conversation.get("messages", []):
                if message["role"] == "client":
                    texts[message["text"]] = None
    return list(texts)[:n]


def database_texts(path: Path, n: int) -> list[str]:
    """Distinct texts of a database's ``text_units`` (what analyze embeds), in text_key order."""
    from pipelines import db

    con = db.connect(path, read_only=True)
    try:
        rows = con.execute("SELECT text FROM text_units GROUP BY text_key, text ORDER BY text_key").fetchall()
    finally:
        con.close()
    return [r[0] for r in rows][:n]


def make_encode(backend: str, threads: int | None):
    from pipelines.nlp import onnx_backend
    from pipelines.nlp.embed import embed_texts, model_cache_dir, model_path

    if backend == "torch":
        if threads:
            import torch
            torch.set_num_threads(threads)
        return embed_texts
    variant = backend.removeprefix("onnx-")
    model_dir, cache = Path(model_path()), model_cache_dir()
    path = (onnx_backend.build_int8(model_dir, cache) if variant == "int8"
            else onnx_backend.build_variants(model_dir, cache)[variant])
    return onnx_backend.OnnxEncoder(path, model_dir, threads=threads).encode


def child(args) -> None:
    """One backend: time each text set, save vectors, print a JSON line of measurements."""
    import numpy as np

    sets = json.loads(Path(args.texts_file).read_text())
    encode = make_encode(args.child, args.threads)
    encode(sets["sample"][:64])  # warm up
    result = {}
    for name, texts in sets.items():
        best, best_cpu = float("inf"), float("inf")
        for _ in range(args.repeat):
            clock, cpu = time.perf_counter(), time.process_time()
            vectors = encode(texts)
            best = min(best, time.perf_counter() - clock)
            best_cpu = min(best_cpu, time.process_time() - cpu)
        np.save(Path(args.out_dir) / f"{args.child}-{name}.npy", vectors)
        k = min(N_ALONE, len(texts))
        alone = np.concatenate([encode([t]) for t in texts[:k]])
        order = np.random.default_rng(0).permutation(len(texts))
        shuffled = np.empty_like(vectors)
        shuffled[order] = encode([texts[i] for i in order], batch_size=17)
        result[name] = {"rate": len(texts) / best, "cpu_rate": len(texts) / best_cpu,
                        "drift": float(np.abs(alone - vectors[:k]).max()),
                        "shuffled": float(np.abs(shuffled - vectors).max())}
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, help="a COPY of a database: embed its text_units")
    parser.add_argument("--n", type=int, default=4000, help="at most this many texts per set")
    parser.add_argument("--repeat", type=int, default=2, help="best of this many timed runs")
    parser.add_argument("--threads", type=int, help="intra-op threads (default: all CPUs)")
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--texts-file", help=argparse.SUPPRESS)
    parser.add_argument("--out-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)

    import numpy as np

    pool = database_texts(args.db, 10 ** 9) if args.db else sample_texts(10 ** 9)
    sets = {"sample": pool[:args.n],
            "14 words": [t for t in pool if 12 <= len(t.split()) <= 16][:args.n]}
    source = f"{args.db.name} text_units" if args.db else "sample exports"
    for name, texts in sets.items():
        words = np.mean([len(t.split()) for t in texts])
        print(f"{name}: {len(texts):,} distinct texts from the {source}, {words:.1f} words on average")
    print(f"{os.cpu_count()} CPUs, threads {args.threads or 'all'}, load average "
          f"{os.getloadavg()[0]:.1f}; each backend in its own process")
    with tempfile.TemporaryDirectory() as tmp:
        texts_file = Path(tmp) / "texts.json"
        texts_file.write_text(json.dumps(sets))
        results = {}
        for backend in args.backends.split(","):
            command = [sys.executable, __file__, "--child", backend, "--texts-file", str(texts_file),
                       "--out-dir", tmp, "--repeat", str(args.repeat)]
            if args.threads:
                command += ["--threads", str(args.threads)]
            done = subprocess.run(command, capture_output=True, text=True, env=os.environ)
            if done.returncode:
                print(f"{backend}: failed\n{done.stderr[-2000:]}")
                continue
            results[backend] = json.loads(done.stdout.strip().splitlines()[-1])
        header = (f"{'backend':<16}{'set':<10}{'texts/s':>9}{'/CPU-s':>8}{'agreement':>11}{'min cos':>9}"
                  f"{'drift':>10}{'shuffled':>10}{'peak MB':>9}")
        print(header)
        for backend, result in results.items():
            for name in sets:
                vectors = np.load(Path(tmp) / f"{backend}-{name}.npy")
                if (Path(tmp) / f"torch-{name}.npy").exists():
                    cosines = np.sum(np.load(Path(tmp) / f"torch-{name}.npy") * vectors, axis=1)
                    agree = f"{cosines.mean():>11.4f}{cosines.min():>9.4f}"
                else:
                    agree = f"{'-':>11}{'-':>9}"
                r = result[name]
                print(f"{backend:<16}{name:<10}{r['rate']:>9,.0f}{r['cpu_rate']:>8,.0f}{agree}{r['drift']:>10.1e}"
                      f"{r['shuffled']:>10.1e}{result['peak_mb']:>9,.0f}")
    print("drift/shuffled 0 = the text's vector does not depend on its batch; the chooser requires ≤ 1e-6")


if __name__ == "__main__":
    main()
