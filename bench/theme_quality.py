"""Theme clustering quality: pick the method by measurement.

    python bench/theme_quality.py [--eval-data ../shared/eval-data] [--skip-100k]

Prints ONE table, method × metric, on each data set that exists:

* ``counselchat``: the 815 CounselChat questions (``../shared/eval-data``), truth = the
  FIRST of the ``|``-joined topics. No conversations, so no context blending.
  Skipped with a message when the eval data is absent.
* ``sample/caseload``: every client text of ``sample_data`` clustered together, truth =
  ``theme`` of ``sample_data/ground_truth.csv``; groups = conversation_id (messages and
  the conversation's summary), notes have none.
* ``sample/client``: each client's texts clustered on their own; NMI / ARI are the mean over
  clients, coverage over all texts, seconds the total.

Metrics are computed over the texts the truth calls content (not filler): NMI and ARI with
"unassigned" (−1) counted as one more cluster, so leaving texts out is not free; coverage =
share of those texts given a theme; n themes (mean per client for the per-client scope).
Every method drops ``is_filler`` texts first and uses the same minimum theme size
(``themes.default_min_theme_size``). Baselines on more than 4,000 texts fit on a seeded
sample of 4,000 and assign the rest to the nearest centroid (as the chosen method does).

Embeddings are cached under ``bench/out/eval_embeddings/`` keyed by a hash of the texts.
Last: seconds to cluster a synthetic 100,000 × 384 mixture on the sphere.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
warnings.filterwarnings("ignore")

from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score  # noqa: E402

from pipelines.nlp import themes  # noqa: E402

EVAL_DATA = Path(os.environ.get("INTERLUDE_EVAL_DATA", ROOT.parent / "shared" / "eval-data"))
SAMPLE = Path(os.environ.get("INTERLUDE_SAMPLE_DATA", ROOT / "sample_data"))
CACHE = ROOT / "bench" / "out" / "eval_embeddings"
SEED = 7
FIT_CAP = 4000


# ---------------------------------------------------------------------------- embeddings

def cached_embed(texts: list[str]) -> np.ndarray:
    """Embeddings of ``texts``, cached in one file named by a hash of all of them."""
    digest = hashlib.sha1("\x1e".join(texts).encode("utf-8")).hexdigest()[:16]
    path = CACHE / f"themes-{digest}.npy"
    if path.exists():
        return np.load(path)
    from pipelines.nlp.embed import embed_texts

    t0 = time.time()
    vectors = embed_texts(texts)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    print(f"  embedded {len(texts)} texts in {time.time() - t0:.0f}s", file=sys.stderr)
    return vectors


# ---------------------------------------------------------------------------- data sets

def load_counselchat() -> pd.DataFrame | None:
    path = EVAL_DATA / "counselchat_questions.csv"
    if not path.exists():
        return None
    frame = pd.read_csv(path)
    return pd.DataFrame({"text": frame["text"].astype(str),
                         "theme": frame["topic"].astype(str).str.split("|").str[0],
                         "group": None, "client_id": "all", "filler": False})


def counselchat_sentences(frame: pd.DataFrame) -> pd.DataFrame:
    """Each question cut into sentences ("messages"), grouped by question ("conversation").

    A proxy for chat: a single sentence rarely names the topic, its question does.
    """
    from pipelines.nlp.sentences import split_sentences

    rows = []
    for q, (text, theme) in enumerate(zip(frame["text"], frame["theme"])):
        for sentence in split_sentences(text)[:12]:
            rows.append((sentence, theme, f"q{q}"))
    out = pd.DataFrame(rows, columns=["text", "theme", "group"])
    out["client_id"], out["filler"] = "all", False
    return out


def load_sample() -> pd.DataFrame | None:
    truth_path = SAMPLE / "ground_truth.csv"
    if not truth_path.exists():
        return None
    texts: dict[tuple[str, str], str] = {}
    for path in sorted((SAMPLE / "exports").glob("*/*.json")):
        export = json.loads(path.read_text())
        for checkin in export.get("checkins") or []:
            if checkin.get("note"):
                texts.setdefault(("note", checkin["checkin_id"]), checkin["note"])
        for conv in export.get("conversations") or []:
            if conv.get("summary"):
                texts.setdefault(("summary", conv["conversation_id"]), conv["summary"])
            for msg in conv.get("messages") or []:
                if msg.get("role") == "client" and msg.get("text"):
                    texts.setdefault(("message", msg["message_id"]), msg["text"])
    truth = pd.read_csv(truth_path, dtype=str, keep_default_na=False)
    truth = truth.drop_duplicates(["source", "source_id"])
    truth["text"] = [texts.get((s, i)) for s, i in zip(truth["source"], truth["source_id"])]
    missing = truth["text"].isna().sum()
    if missing:
        print(f"  {missing} ground-truth rows without a text in the exports: dropped",
              file=sys.stderr)
    truth = truth[truth["text"].notna()].reset_index(drop=True)
    flag = truth["filler"].astype(str).str.lower().isin(["1", "true", "yes"])
    theme = truth["theme"].where(truth["theme"] != "", "none")
    group = truth["conversation_id"].where(truth["conversation_id"] != "", None)
    return pd.DataFrame({"text": truth["text"], "theme": theme, "group": group,
                         "client_id": truth["client_id"], "filler": flag,
                         "source": truth["source"]})


# ---------------------------------------------------------------------------- methods

def _fit_on_sample(points: np.ndarray, fit) -> np.ndarray:
    """``fit(points) -> labels`` on at most FIT_CAP rows; the rest by nearest centroid."""
    idx = themes._sample_indices(len(points), FIT_CAP, SEED)
    labels = fit(points[idx])
    if len(idx) == len(points):
        return labels
    _, centroids = themes._centroids(points[idx], labels)
    return themes.assign_to_centroids(points, centroids, threshold=-1.0)


def _k_grid(n: int, min_size: int) -> list[int]:
    top = max(2, min(40, n // max(min_size, 2)))
    return [k for k in (2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40) if k <= top]


def _best_by_silhouette(points: np.ndarray, min_size: int, make) -> np.ndarray:
    from sklearn.metrics import silhouette_score

    best, best_score = np.zeros(len(points), dtype=int), -2.0
    for k in _k_grid(len(points), min_size):
        if k >= len(points):
            break
        labels = make(k).fit_predict(points)
        if len(set(labels.tolist())) < 2:
            continue
        score = silhouette_score(points, labels, metric="cosine", sample_size=min(len(points), 2000),
                                 random_state=SEED)
        if score > best_score:
            best, best_score = labels, score
    return best


def method_interlude(points, min_size):
    return themes.cluster_themes(points, min_theme_size=min_size)


def method_bertopic(points, min_size):
    """BERTopic's defaults: UMAP(15 neighbours, 5-d, cosine) + HDBSCAN; noise stays noise."""
    def fit(p):
        import umap
        from sklearn.cluster import HDBSCAN

        if len(p) < 3 * min_size:
            return np.full(len(p), -1)
        reduced = umap.UMAP(n_neighbors=min(15, len(p) - 1), n_components=5, min_dist=0.0,
                            metric="cosine", random_state=themes.SEED,  # UMAP as BERTopic calls it
                            n_jobs=1).fit_transform(p)
        return HDBSCAN(min_cluster_size=min_size).fit_predict(reduced)
    idx = themes._sample_indices(len(points), FIT_CAP, SEED)
    if len(idx) == len(points):
        return fit(points)
    fitted = fit(points[idx])  # the rest as BERTopic's .transform: nearest topic, no noise
    _, centroids = themes._centroids(points[idx], fitted)
    labels = themes.assign_to_centroids(points, centroids, threshold=-1.0)
    labels[idx] = fitted
    return labels


def method_agglomerative(points, min_size):
    from sklearn.cluster import AgglomerativeClustering

    return _fit_on_sample(points, lambda p: _best_by_silhouette(
        p, min_size, lambda k: AgglomerativeClustering(n_clusters=k, linkage="ward")))


def method_kmeans(points, min_size):
    from sklearn.cluster import KMeans

    return _fit_on_sample(points, lambda p: _best_by_silhouette(
        p, min_size, lambda k: KMeans(n_clusters=k, n_init=2, random_state=SEED)))


METHODS = {
    "interlude: umap+hdbscan+centroid assign": method_interlude,
    "bertopic-style umap+hdbscan": method_bertopic,
    "agglomerative ward, k by silhouette": method_agglomerative,
    "k-means, k by silhouette": method_kmeans,
}


# ---------------------------------------------------------------------------- evaluation

def cluster_scope(frame: pd.DataFrame, vectors: np.ndarray, method, weight: float) -> np.ndarray:
    """Labels for every row of one scope: filler out, context blended, clustered."""
    labels = np.full(len(frame), -1, dtype=int)
    content = np.array([not themes.is_filler(t) for t in frame["text"]])
    idx = np.nonzero(content)[0]
    if len(idx) < 4:
        return labels
    points = vectors[idx]
    if weight > 0:
        points = themes.contextual_embeddings(points, frame["group"].iloc[idx].tolist(), weight)
    labels[idx] = method(points, themes.default_min_theme_size(len(idx)))
    return labels


def scores(truth: np.ndarray, labels: np.ndarray) -> tuple[float, float, float, int]:
    return (normalized_mutual_info_score(truth, labels), adjusted_rand_score(truth, labels),
            float(np.mean(labels >= 0)), len(set(labels.tolist()) - {-1}))


def evaluate(name: str, frame: pd.DataFrame, vectors: np.ndarray, method, weight: float,
             per_client: bool) -> dict:
    t0 = time.perf_counter()
    if not per_client:
        labels = cluster_scope(frame, vectors, method, weight)
        seconds = time.perf_counter() - t0
        keep = ~frame["filler"].to_numpy()
        nmi, ari, cov, k = scores(frame["theme"].to_numpy()[keep], labels[keep])
        return dict(data=name, nmi=nmi, ari=ari, coverage=cov, themes=k, seconds=seconds)
    rows = []
    labels_all = np.full(len(frame), -1, dtype=int)
    for _, part in frame.groupby("client_id", sort=True):
        idx = part.index.to_numpy()
        labels = cluster_scope(part.reset_index(drop=True), vectors[idx], method, weight)
        labels_all[idx] = labels
        keep = ~part["filler"].to_numpy()
        rows.append(scores(part["theme"].to_numpy()[keep], labels[keep]))
    seconds = time.perf_counter() - t0
    keep = ~frame["filler"].to_numpy()
    return dict(data=name, nmi=float(np.mean([r[0] for r in rows])),
                ari=float(np.mean([r[1] for r in rows])),
                coverage=float(np.mean(labels_all[keep] >= 0)),
                themes=float(np.mean([r[3] for r in rows])), seconds=seconds)


def synthetic_sphere(n: int = 100_000, dim: int = 384, k: int = 40, seed: int = 0) -> np.ndarray:
    """A mixture of ``k`` von-Mises-like blobs on the unit sphere, plus 10 % uniform noise."""
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((k, dim)).astype(np.float32)
    centers /= np.linalg.norm(centers, axis=1, keepdims=True)
    sizes = rng.dirichlet(np.full(k, 2.0)) * n * 0.9
    which = np.repeat(np.arange(k), np.maximum(1, sizes.astype(int)))
    noise = n - len(which)
    points = centers[which] + rng.standard_normal((len(which), dim)).astype(np.float32) * 0.045
    points = np.vstack([points, rng.standard_normal((noise, dim)).astype(np.float32)])
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    truth = np.concatenate([which, np.full(noise, -1)])
    order = rng.permutation(n)
    return points[order], truth[order]


def main() -> int:
    global EVAL_DATA
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--eval-data", type=Path, default=EVAL_DATA)
    parser.add_argument("--skip-100k", action="store_true")
    parser.add_argument("--weights", default="0.3,0.5,0.7", help="context weights to try, comma-separated")
    args = parser.parse_args()
    EVAL_DATA = args.eval_data
    weights = [float(w) for w in args.weights.split(",")]

    datasets = []
    counsel = load_counselchat()
    if counsel is None:
        print(f"SKIP counselchat: {EVAL_DATA / 'counselchat_questions.csv'} not found")
    else:
        datasets.append(("counselchat (first topic)", counsel, False))
        datasets.append(("counselchat sentences", counselchat_sentences(counsel), False))
    sample = load_sample()
    if sample is None:
        print(f"SKIP sample: {SAMPLE / 'ground_truth.csv'} not found")
    else:
        datasets.append(("sample/caseload", sample, False))
        datasets.append(("sample/client (mean)", sample, True))
        content = ~sample["filler"].to_numpy()
        flagged = np.array([themes.is_filler(t) for t in sample["text"]])
        print(f"is_filler on sample: precision {np.mean(~content[flagged]):.2f}, "
              f"recall {np.mean(flagged[~content]):.2f} "
              f"({flagged.sum()} flagged, {(~content).sum()} filler in truth)")

    import umap  # compile numba code outside the timings

    umap.UMAP(n_neighbors=5, n_components=2, random_state=0).fit_transform(
        np.random.default_rng(0).standard_normal((40, 8)))
    results = []
    for name, frame, per_client in datasets:
        vectors = cached_embed(frame["text"].tolist())
        has_groups = frame["group"].notna().any()
        for label, method in METHODS.items():
            for weight in [0.0] + (weights if has_groups else []):
                row = evaluate(name, frame, vectors, method, weight, per_client)
                row["method"] = label + (f" +ctx{weight:g}" if weight else "")
                results.append(row)
                print(f"  {row['data']:<26} {row['method']:<48} nmi {row['nmi']:.3f} "
                      f"ari {row['ari']:.3f} ({row['seconds']:.1f}s)", file=sys.stderr)
    if results:
        table = pd.DataFrame(results)[["data", "method", "nmi", "ari", "coverage", "themes",
                                       "seconds"]]
        with pd.option_context("display.width", 200, "display.max_colwidth", 60):
            print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))

    if not args.skip_100k:
        points, truth = synthetic_sphere()
        t0 = time.perf_counter()
        labels = themes.cluster_themes(points, min_theme_size=100)
        seconds = time.perf_counter() - t0
        keep = truth >= 0
        print(f"synthetic 100,000 x 384 (40 blobs + 10% noise): {seconds:.1f}s, "
              f"{len(set(labels.tolist()) - {-1})} themes, "
              f"ARI on blob points {adjusted_rand_score(truth[keep], labels[keep]):.3f}, "
              f"noise left unassigned {np.mean(labels[~keep] < 0):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
