"""Embedding backends: texts per second and agreement with PyTorch, on the sample's texts.

    python bench/embedding.py [--n 4000] [--repeat 2]

Backends: sentence-transformers (PyTorch, the reference), and the ONNX exports of the same
model (fp32, graph-optimized, dynamic int8; see pipelines/nlp/onnx_backend.py). Agreement is
the mean cosine between a backend's embedding and PyTorch's for the same text; the pipeline
uses the fastest backend with agreement ≥ 0.99.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=2, help="best of this many timed runs")
    args = parser.parse_args()

    import numpy as np
    import torch

    from pipelines.nlp import onnx_backend
    from pipelines.nlp.embed import embed_texts, model_cache_dir, model_path

    texts = sample_texts(args.n)
    words = np.mean([len(t.split()) for t in texts])
    print(f"{len(texts):,} distinct sample texts, {words:.1f} words on average; "
          f"{os.cpu_count()} CPUs, torch threads {torch.get_num_threads()}")
    paths = onnx_backend.build_variants(Path(model_path()), model_cache_dir())
    backends = {"torch": embed_texts}
    for variant in ("fp32", "optimized", "int8"):
        if variant == "int8" and not onnx_backend.cpu_supports_int8():
            print("int8: this CPU lacks the instructions (VNNI/AVX2); skipped")
            continue
        backends[f"onnx-{variant}"] = onnx_backend.OnnxEncoder(paths[variant], Path(model_path())).encode
    reference = None
    print(f"{'backend':<16}{'texts/s':>10}{'vs torch':>10}{'agreement':>11}{'min cosine':>12}")
    for name, encode in backends.items():
        encode(texts[:64])  # warm up
        best = float("inf")
        for _ in range(args.repeat):
            clock = time.perf_counter()
            vectors = encode(texts)
            best = min(best, time.perf_counter() - clock)
        if reference is None:
            reference, torch_rate = vectors, len(texts) / best
        cosines = np.sum(reference * vectors, axis=1)
        rate = len(texts) / best
        print(f"{name:<16}{rate:>10,.0f}{rate / torch_rate:>9.2f}x{cosines.mean():>11.4f}{cosines.min():>12.4f}")


if __name__ == "__main__":
    main()
