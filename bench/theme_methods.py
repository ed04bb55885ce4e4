"""Theme methods that only benchmarks use: the UMAP + HDBSCAN path production never runs.

Moved out of ``pipelines/nlp/themes.py`` (production clusters with
``themes.kmeans_themes``). ``bench/theme_quality.py`` and ``bench/nlp_quality.py`` compare
against it: ``cluster_themes`` (UMAP 5-d + HDBSCAN on a seeded sample of at most 4,000
points, every text then joins its nearest centroid when close enough, near-duplicate
themes merged, small ones dissolved) and ``find_themes`` (the whole row for one scope,
with the production keywords and a keyword-pair label).
"""

from __future__ import annotations

import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Hashable, Mapping, Sequence

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines.nlp import themes  # noqa: E402
from pipelines.nlp.themes import (SEED, _centroids, _normalize, _relabel_by_size,  # noqa: E402
                                  assign_to_centroids)

ASSIGN_THRESHOLD = themes.ASSIGN_THRESHOLD
CONTEXT_WEIGHT = 0.5       # the UMAP path's share of the conversation mean
MERGE_THRESHOLD = 0.92     # themes whose centroids are this similar become one
MAX_CLUSTER_POINTS = 4000  # larger sets: cluster a deterministic sample, assign the rest


def _sample_indices(n: int, size: int, seed: int) -> np.ndarray:
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=size, replace=False))


def _raw_clusters(points: np.ndarray, min_cluster_size: int, *, n_neighbors: int,
                  n_components: int, seed: int) -> np.ndarray:
    """UMAP to a few dimensions, then HDBSCAN; agglomerative fallback for tiny sets."""
    from sklearn.cluster import HDBSCAN

    m = len(points)
    if m < max(3 * min_cluster_size, 30):
        return _agglomerative(points, min_cluster_size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import umap

        # Cosine distances precomputed with one matrix product: UMAP's own small-data path
        # calls a Python distance function per pair (≈ 60 s for 4,000 points).
        distances = np.clip(1.0 - points @ points.T, 0.0, 2.0).astype(np.float32)
        np.fill_diagonal(distances, 0.0)
        reducer = umap.UMAP(n_neighbors=min(n_neighbors, m - 1), n_components=n_components,
                            min_dist=0.0, metric="precomputed", random_state=seed, n_jobs=1)
        reduced = reducer.fit_transform(distances)
    return HDBSCAN(min_cluster_size=min_cluster_size, min_samples=None,
                   cluster_selection_method="eom", copy=True).fit_predict(reduced)


def _agglomerative(points: np.ndarray, min_cluster_size: int,
                   distance_threshold: float = 0.7) -> np.ndarray:
    from sklearn.cluster import AgglomerativeClustering

    if len(points) < 2:
        return np.full(len(points), -1)
    labels = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                     distance_threshold=distance_threshold).fit_predict(points)
    sizes = np.bincount(labels)
    return np.where(sizes[labels] >= min_cluster_size, labels, -1)


def _merge_similar(centroids: np.ndarray, threshold: float) -> np.ndarray:
    """Index of the surviving theme for each centroid (single-link merge above threshold)."""
    k = len(centroids)
    parent = list(range(k))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    if k > 1:
        sims = centroids @ centroids.T
        for a, b in zip(*np.nonzero(np.triu(sims, 1) >= threshold)):
            ra, rb = find(int(a)), find(int(b))
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    return np.array([find(a) for a in range(k)], dtype=int)



def cluster_themes(embeddings: np.ndarray, *, min_theme_size: int,
                   assign_threshold: float = ASSIGN_THRESHOLD,
                   merge_threshold: float = MERGE_THRESHOLD,
                   max_cluster_points: int = MAX_CLUSTER_POINTS,
                   n_neighbors: int = 15, n_components: int = 5,
                   seed: int = SEED) -> np.ndarray:
    """Theme label per row (0, 1, … by decreasing size; −1 = unassigned).

    1. Cluster at most ``max_cluster_points`` rows (a seeded sample of larger sets) with
       UMAP + HDBSCAN; the sample's minimum cluster size is ``min_theme_size`` scaled to
       the sample (at least 3).
    2. Theme centroids in the original (cosine) space; centroids closer than
       ``merge_threshold`` are merged.
    3. Every row goes to its nearest centroid if the cosine reaches ``assign_threshold``.
    4. Themes with fewer than ``min_theme_size`` rows are dissolved, the centroids recomputed
       and the rows assigned once more.
    Cost: UMAP on the sample plus one n × k product, so 100,000+ rows stay tractable.
    """
    embeddings = _normalize(np.asarray(embeddings, dtype=np.float32))
    n = len(embeddings)
    min_theme_size = max(2, int(min_theme_size))
    if n < 2 * min_theme_size:
        return np.full(n, -1, dtype=int)
    sample = _sample_indices(n, max_cluster_points, seed)
    scaled = max(3, int(round(min_theme_size * len(sample) / n)))
    raw = _raw_clusters(embeddings[sample], scaled, n_neighbors=n_neighbors,
                        n_components=n_components, seed=seed)
    ids, centroids = _centroids(embeddings[sample], raw)
    if len(ids) == 0:
        return np.full(n, -1, dtype=int)
    root = _merge_similar(centroids, merge_threshold)
    if len(set(root.tolist())) < len(root):
        position = {int(c): i for i, c in enumerate(ids)}
        raw = np.array([root[position[c]] if c >= 0 else -1 for c in raw.tolist()], dtype=int)
        _, centroids = _centroids(embeddings[sample], raw)
    labels = assign_to_centroids(embeddings, centroids, assign_threshold)
    for _ in range(5):  # dissolve themes below the minimum size, reassign their texts
        sizes = np.bincount(labels[labels >= 0], minlength=len(centroids))
        keep = sizes >= min_theme_size
        if keep.all():
            break
        centroids = centroids[keep]
        if len(centroids) == 0:
            return np.full(n, -1, dtype=int)
        labels = assign_to_centroids(embeddings, centroids, assign_threshold)
    return _relabel_by_size(labels)


@dataclass
class Themes:
    labels: np.ndarray                      # per text: theme number or −1
    keywords: dict[int, list[str]] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    quotes: dict[int, list[int]] = field(default_factory=dict)  # text indices
    centroids: dict[int, np.ndarray] = field(default_factory=dict)
    ids: dict[int, str] = field(default_factory=dict)


def find_themes(texts: Sequence[str], embeddings: np.ndarray, *,
                group_ids: Sequence[Hashable | None] | None = None,
                context_weight: float = CONTEXT_WEIGHT, min_theme_size: int | None = None,
                previous: Mapping[str, np.ndarray] | None = None, prefix: str = "theme-",
                top_n: int = 10, n_quotes: int = 3, **cluster_options) -> Themes:
    """The UMAP path for one scope: filler out, context in, cluster, describe, name, id."""
    embeddings = np.asarray(embeddings, dtype=np.float32)
    n = len(texts)
    labels = np.full(n, -1, dtype=int)
    content = np.array([not themes.is_filler(t) for t in texts], dtype=bool)
    idx = np.nonzero(content)[0]
    if len(idx) == 0:
        return Themes(labels=labels)
    points = embeddings[idx]
    if group_ids is not None and context_weight > 0:
        points = themes.contextual_embeddings(points, [group_ids[i] for i in idx], context_weight)
    size = min_theme_size or themes.min_theme_size(len(idx))
    labels[idx] = cluster_themes(points, min_theme_size=size, **cluster_options)
    keywords = themes.theme_keywords(texts, labels, top_n)
    members = {c: [texts[i] for i in np.nonzero(labels == c)[0]] for c in keywords}
    names = {c: themes.keyword_label(keywords[c], members[c]) for c in keywords}
    quotes = themes.representative_quotes(texts, embeddings, labels, n_quotes)
    centroids = themes.theme_centroids(embeddings, labels)
    ids = themes.stable_theme_ids(previous or {}, centroids, prefix=prefix)
    return Themes(labels, keywords, names, quotes, centroids, ids)


def conversation_themes(embeddings: np.ndarray, groups: Sequence[Hashable | None],
                        min_theme_size: int) -> np.ndarray:
    """The production path of themes-6 (the "before" of ``bench/theme_quality.py``).

    Each conversation became one point (the mean of its texts), the points were clustered
    by k-means with k = √(conversations/2) (2–20), every text took its conversation's theme,
    and texts without a conversation joined the nearest theme when close enough.
    """
    from sklearn.cluster import KMeans

    embeddings = np.asarray(embeddings, dtype=np.float32)
    labels = np.full(len(embeddings), -1, dtype=int)
    in_conversation = np.array([not themes._missing(g) for g in groups], dtype=bool)
    keys = [g for g, ok in zip(groups, in_conversation) if ok]
    if not keys:
        return labels
    order = {g: i for i, g in enumerate(dict.fromkeys(keys))}
    codes = np.array([order[g] for g in keys])
    points = np.zeros((len(order), embeddings.shape[1]), dtype=np.float64)
    np.add.at(points, codes, embeddings[in_conversation])
    points = _normalize(points)
    n = len(points)
    min_size = max(2, int(round(min_theme_size * n / max(len(embeddings), 1))))
    if n < 2 * min_size or n < 4:
        return labels
    k = int(min(20, max(2, round(np.sqrt(n / 2)))))
    point_labels = KMeans(n_clusters=k, n_init=4, random_state=SEED).fit_predict(points)
    sizes = np.bincount(point_labels, minlength=k)
    point_labels = _relabel_by_size(np.where(sizes[point_labels] >= min_size, point_labels, -1))
    labels[in_conversation] = point_labels[codes]
    ids, cents = _centroids(points, point_labels)
    if len(ids) and (~in_conversation).any():
        nearest = assign_to_centroids(embeddings[~in_conversation], cents)
        labels[~in_conversation] = [ids[i] if i >= 0 else -1 for i in nearest]
    return labels
