"""Themes in client writing: small, pure, swappable stages (the shape of BERTopic, not its class).

    filler -> contextual embeddings -> clusters -> keywords -> label -> quotes -> stable ids

* ``is_filler``: greetings, thanks, "ok" and other content-free texts stay unassigned.
* ``contextual_embeddings``: a chat message rarely names its theme ("it keeps me up at
  night"); its conversation does. Each embedding is blended with its conversation's mean.
* ``cluster_themes``: UMAP (5-d, cosine) + HDBSCAN on at most ``max_cluster_points`` texts
  (a deterministic sample of a large caseload), then every text is assigned to the nearest
  theme centroid in the original embedding space when the cosine similarity reaches
  ``assign_threshold`` (else −1). Near-duplicate themes are merged, themes below
  ``min_theme_size`` dissolved. Chosen by measurement: ``bench/theme_quality.py``.
* ``theme_keywords``: class-based TF-IDF (unigrams and bigrams, stop words removed). The
  personal names of the corpus (``names.personal_names``: tokens capitalized mid-sentence,
  or in the bundled first-name list) are stop words too, so no keyword or label names a
  person ("dana and breakup").
* ``theme_label``: a 2–5 word label from the keywords and how many texts use them.
* ``representative_quotes``: distinct non-filler texts closest to each theme's centroid.
* ``stable_theme_ids``: one-to-one centroid matching (Hungarian) to the previous run's themes.

``find_themes`` runs the whole row for one scope (a client, or the caseload). Every stage is
deterministic for the same input (fixed seeds, stable sorts, no thread-dependent reductions).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from typing import Hashable, Iterable, Mapping, Sequence

import numpy as np

SEED = 42

# Defaults chosen by bench/theme_quality.py (see its closing notes).
CONTEXT_WEIGHT = 0.5       # share of the conversation mean in a message's embedding
ASSIGN_THRESHOLD = 0.35    # cosine to a theme centroid needed to join the theme
MERGE_THRESHOLD = 0.92     # themes whose centroids are this similar become one
MAX_CLUSTER_POINTS = 4000  # larger sets: cluster a deterministic sample, assign the rest
STABLE_ID_THRESHOLD = 0.80  # centroid cosine for a theme to keep its previous id


# ------------------------------------------------------------------------------- filler

# Words that carry no theme on their own: greetings, thanks, acknowledgements, pleasantries
# and the function words that glue them together. A text made only of these is filler.
_FILLER_WORDS = frozenset("""
hi hii hey heya hello hallo yo morning evening afternoon night gn gm goodnight good bye byebye
goodbye later cya see soon tomorrow again talk ttyl bye-bye
thanks thank thx ty tysm thankyou cheers appreciate appreciated appreciated
ok okay okey k kk okk alright allright aight right sure yes yeah yep yup ya yea no nope nah
maybe perhaps hmm hm hmmm mm mhm uh um umm uhh ah oh ooh wow lol lmao haha hahaha hehe
cool nice great fine awesome perfect sounds sound true agreed agree exactly indeed gotcha
got it that this makes sense make will do try done noted understood understand
i i'm im me my you your you're u ur we us it its it's that's thats so very much lot lots
a an the and or but for to of too also just well really totally definitely
is are was be been am do does did have has had can could would should shall
what which how why when where who whatever anyway anyways still here there now then
not don't dont idk know dunno guess suppose same as always ever all one
please welcome sorry excuse pretty kinda sorta bit next week session monday tuesday wednesday
thursday friday saturday sunday weekend tonight everyone everybody all take care chat
""".split())
_WORD = re.compile(r"[a-z]+(?:['\u2019][a-z]+)?")


def is_filler(text: str | None) -> bool:
    """True for content-free texts: greetings, thanks, "ok", emoji, punctuation, "I don't know".

    A text is filler when it has no word outside a small vocabulary of greetings,
    acknowledgements and function words, and is short (long texts always count as content).
    """
    if text is None:
        return True
    lowered = text.lower().replace("\u2019", "'")
    words = _WORD.findall(lowered)
    if not words:
        return True
    if len(words) > 12:
        return False
    return all(w in _FILLER_WORDS for w in words)


# ------------------------------------------------------------------------------- context

def _normalize(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return (matrix / np.where(norms > 0, norms, 1.0)).astype(np.float32)


def _missing(group: Hashable) -> bool:
    return group is None or (isinstance(group, float) and group != group) or group == ""


def contextual_embeddings(embeddings: np.ndarray, group_ids: Sequence[Hashable | None],
                          weight: float = CONTEXT_WEIGHT) -> np.ndarray:
    """Each row blended with the mean of its group (conversation), re-normalized.

    ``out = normalize((1 − weight) · e + weight · normalize(mean of the group))``. Rows
    without a group (None / NaN / ""; e.g. check-in notes) and groups of one are unchanged.
    """
    embeddings = np.asarray(embeddings, dtype=np.float32)
    if len(group_ids) != len(embeddings):
        raise ValueError("one group id per embedding")
    out = embeddings.copy()
    if weight <= 0 or len(embeddings) == 0:
        return out
    members: dict[Hashable, list[int]] = {}
    for i, g in enumerate(group_ids):
        if not _missing(g):
            members.setdefault(g, []).append(i)
    for idx in members.values():
        if len(idx) < 2:
            continue
        rows = embeddings[idx]
        mean = _normalize(rows.mean(axis=0, dtype=np.float64)[None, :])[0]
        out[idx] = (1.0 - weight) * rows + weight * mean
    return _normalize(out)


# ------------------------------------------------------------------------------- clustering

def _sample_indices(n: int, size: int, seed: int) -> np.ndarray:
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=size, replace=False))


def _centroids(embeddings: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ids = np.array(sorted(int(c) for c in set(labels.tolist()) if c >= 0), dtype=int)
    if len(ids) == 0:
        return ids, np.zeros((0, embeddings.shape[1]), dtype=np.float32)
    sums = np.zeros((ids.max() + 1, embeddings.shape[1]), dtype=np.float64)
    keep = labels >= 0
    np.add.at(sums, labels[keep], embeddings[keep])
    return ids, _normalize(sums[ids])


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


def assign_to_centroids(embeddings: np.ndarray, centroids: np.ndarray,
                        threshold: float = ASSIGN_THRESHOLD) -> np.ndarray:
    """Index of the nearest centroid by cosine, or −1 when below ``threshold``."""
    if len(centroids) == 0 or len(embeddings) == 0:
        return np.full(len(embeddings), -1, dtype=int)
    out = np.empty(len(embeddings), dtype=int)
    step = 20000
    for start in range(0, len(embeddings), step):
        sims = embeddings[start:start + step] @ centroids.T
        best = sims.argmax(axis=1)
        ok = sims[np.arange(len(best)), best] >= threshold
        out[start:start + step] = np.where(ok, best, -1)
    return out


def _relabel_by_size(labels: np.ndarray) -> np.ndarray:
    """Themes numbered 0, 1, … by decreasing size (ties: first occurrence)."""
    ids = [c for c in dict.fromkeys(labels.tolist()) if c >= 0]
    sizes = {c: int((labels == c).sum()) for c in ids}
    order = sorted(ids, key=lambda c: -sizes[c])  # stable: ties keep first occurrence
    mapping = {c: i for i, c in enumerate(order)}
    return np.array([mapping.get(c, -1) for c in labels.tolist()], dtype=int)


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


def theme_centroids(embeddings: np.ndarray, labels: np.ndarray) -> dict[int, np.ndarray]:
    """Normalized mean embedding of each theme."""
    ids, cents = _centroids(np.asarray(embeddings, dtype=np.float32), np.asarray(labels))
    return {int(i): c for i, c in zip(ids, cents)}


# ------------------------------------------------------------------------------- keywords

_EXTRA_STOP = frozenset("""
just like really feel feeling feels felt know think thought im ive id ill dont didnt doesnt
isnt wasnt cant wont don didn doesn isn wasn aren weren haven hasn couldn wouldn shouldn ve ll
re got get gets getting going gonna wanna want wanted today yesterday thing things lot bit
little kind sort maybe guess okay ok yeah yes oh um uh lol actually pretty stuff way said say
says tell told make makes made let lets does did doing done come came goes went
client reported described talked wrote mentioned brought reflected followed conversation touched
later moved afterwards
""".split())
_TOKEN = r"(?u)\b[a-z][a-z]+\b"


def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS | _EXTRA_STOP)


def _terms(text: str, stop: frozenset[str]) -> list[str]:
    """Unigrams and bigrams of a text without stop words.

    A bigram is two adjacent words of the text itself ("sleep schedule"), never two words
    that became neighbours because stop words between them were removed ("night sleep"
    from "night of sleep"); sentence punctuation breaks a bigram too.
    """
    out: list[str] = []
    for chunk in re.split(r"[.!?;:,()\n\"]+", _prepare(text)):
        words = re.findall(_TOKEN, chunk)
        for i, w in enumerate(words):
            if w in stop:
                continue
            out.append(w)
            if i + 1 < len(words) and words[i + 1] not in stop:
                out.append(f"{w} {words[i + 1]}")
    return out


def _prepare(text: str) -> str:
    text = (text or "").lower().replace("\u2019", "'")
    return re.sub(r"'(s|m|re|ve|ll|d|t)\b", "", text)


def theme_keywords(texts: Sequence[str], labels: np.ndarray, top_n: int = 10, *,
                   exclude: Iterable[str] | None = None) -> dict[int, list[str]]:
    """Top distinguishing terms of each theme by class-based TF-IDF (BERTopic's c-TF-IDF).

    All texts of a theme form one document; unassigned texts (−1) form their own class, so
    words common everywhere are not distinctive. ``w(t, c) = tf(t, c) / |c| · log(1 + A / f(t))``
    with A the mean class length and f(t) the frequency of t over all classes. A plural that
    duplicates a higher-ranked singular (or the reverse) is dropped.

    ``exclude``: words that never appear in a term, alone or in a bigram; by default the
    personal names found in ``texts`` (``names.personal_names``), so a keyword (and the label
    built from it) never names a person. Pass ``()`` to keep every word.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    labels = np.asarray(labels)
    classes = sorted(set(labels.tolist()))
    themes = [c for c in classes if c >= 0]
    if not themes:
        return {}
    if exclude is None:
        from .names import personal_names

        exclude = personal_names(texts)
    stop = _stop_words() | frozenset(w.lower() for w in exclude)
    docs = [[term for i in np.nonzero(labels == c)[0] for term in _terms(texts[i], stop)]
            for c in classes]
    vectorizer = CountVectorizer(analyzer=lambda terms: terms)
    try:
        counts = vectorizer.fit_transform(docs).toarray().astype(np.float64)
    except ValueError:  # nothing but stop words
        return {c: [] for c in themes}
    terms = vectorizer.get_feature_names_out()
    words_per_class = counts.sum(axis=1, keepdims=True)
    tf = counts / np.where(words_per_class > 0, words_per_class, 1.0)
    average = words_per_class.mean()
    idf = np.log(1.0 + average / np.maximum(counts.sum(axis=0), 1.0))
    weights = tf * idf
    out: dict[int, list[str]] = {}
    for row, c in enumerate(classes):
        if c < 0:
            continue
        order = np.lexsort((terms, -weights[row]))  # by weight, ties alphabetical
        chosen: list[str] = []
        for j in order:
            if weights[row, j] <= 0 or len(chosen) >= top_n:
                break
            term = str(terms[j])
            if _duplicates(term, chosen):
                continue
            chosen.append(term)
        out[int(c)] = chosen
    return out


def _stem(word: str) -> str:
    for suffix in ("ies", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def _duplicates(term: str, chosen: list[str]) -> bool:
    key = " ".join(_stem(w) for w in term.split())
    return any(" ".join(_stem(w) for w in c.split()) == key for c in chosen)


# ------------------------------------------------------------------------------- labels

# Words that name the same thing: a label never joins two of them ("mom and mother").
_SYNONYMS = [
    "mom mother mum mama mommy", "dad father papa daddy", "kids children kid child son daughter",
    "job work career workplace office", "boss manager supervisor", "husband wife spouse partner",
    "boyfriend girlfriend partner", "sleep asleep slept sleeping insomnia", "anxiety anxious",
    "depression depressed", "money finances financial", "drink drinking alcohol",
    "panic panicking", "school class classes college university", "friend friends",
    "parents parent family", "fight fights argument arguments arguing",
]
_CANON = {w: group.split()[0] for group in _SYNONYMS for w in group.split()}


def _concepts(term: str) -> set[str]:
    return {_CANON.get(w, _CANON.get(_stem(w), _stem(w))) for w in term.split()}


def _coverage(term: str, texts: Sequence[str]) -> float:
    if not texts:
        return 0.0
    pattern = re.compile(r"\b" + r"\W+".join(re.escape(w) for w in term.split()) + r"\b")
    return sum(1 for t in texts if pattern.search(_prepare(t))) / len(texts)


def theme_label(keywords: Sequence[str], texts: Sequence[str] = ()) -> str:
    """A short label of 2–5 words from a theme's keywords, e.g. "work pressure and deadlines".

    The head is the keyword (of the top five) used by the most texts of the theme, weighted
    by its c-TF-IDF rank; a bigram containing the head word replaces it (more specific).
    A second keyword sharing no word with the head is joined with "and".
    """
    candidates = [k for k in keywords[:8] if k.strip()]
    if not candidates:
        return "unlabeled theme"
    if texts:
        scores = [(_coverage(k, texts) + 0.05) / (1.0 + 0.25 * r)
                  for r, k in enumerate(candidates[:5])]
        head = candidates[int(np.argmax(scores))]
    else:
        head = candidates[0]
    if len(head.split()) == 1:
        for k in candidates[:6]:
            if len(k.split()) == 2 and head in k.split():
                head = k
                break
    used = _concepts(head)
    second = next((k for k in candidates if k != head and not _concepts(k) & used), None)
    words = head.split()
    if second is not None and len(words) + 1 + len(second.split()) <= 5:
        return f"{head} and {second}"
    if second is not None and len(words) == 1:
        return f"{head} and {second.split()[0]}"
    if len(words) == 1:
        return f"{head} concerns"
    return head


# ------------------------------------------------------------------------------- quotes

def representative_quotes(texts: Sequence[str], embeddings: np.ndarray, labels: np.ndarray,
                          k: int = 3, *, max_similarity: float = 0.95) -> dict[int, list[int]]:
    """Indices of up to ``k`` texts per theme closest to its centroid.

    Filler and repeated texts are skipped, and so is a text nearly identical in meaning
    (cosine ≥ ``max_similarity``) to a quote already chosen.
    """
    embeddings = _normalize(np.asarray(embeddings, dtype=np.float32))
    labels = np.asarray(labels)
    out: dict[int, list[int]] = {}
    for c, centroid in theme_centroids(embeddings, labels).items():
        members = np.nonzero(labels == c)[0]
        sims = embeddings[members] @ centroid
        chosen: list[int] = []
        seen: set[str] = set()
        for j in np.lexsort((members, -sims)):
            i = int(members[j])
            key = " ".join(_WORD.findall((texts[i] or "").lower()))
            if key in seen or is_filler(texts[i]):
                continue
            if chosen and float((embeddings[chosen] @ embeddings[i]).max()) >= max_similarity:
                continue
            seen.add(key)
            chosen.append(i)
            if len(chosen) == k:
                break
        out[c] = chosen
    return out


# ------------------------------------------------------------------------------- stable ids

def stable_theme_ids(previous: Mapping[str, np.ndarray], centroids: Mapping[int, np.ndarray],
                     *, prefix: str, threshold: float = STABLE_ID_THRESHOLD) -> dict[int, str]:
    """Theme id for each new theme: a persisting theme keeps its previous id.

    Themes are matched one-to-one to ``previous`` (id -> centroid) by the Hungarian
    algorithm on centroid cosine; a match below ``threshold`` is no match. Unmatched
    themes get ``prefix + n`` with n counting on from the largest number already used
    under ``prefix`` in ``previous`` (in label order), so ids are deterministic and never
    reused as long as ``previous`` keeps retired themes too.
    """
    from scipy.optimize import linear_sum_assignment

    new_labels = sorted(centroids)
    old_ids = sorted(previous)
    result: dict[int, str] = {}
    if new_labels and old_ids:
        new = _normalize(np.stack([np.asarray(centroids[c], dtype=np.float32) for c in new_labels]))
        old = _normalize(np.stack([np.asarray(previous[t], dtype=np.float32) for t in old_ids]))
        sims = new @ old.T
        rows, cols = linear_sum_assignment(-sims)
        for r, c in zip(rows, cols):
            if sims[r, c] >= threshold:
                result[new_labels[r]] = old_ids[c]
    used = [int(m.group(1)) for t in previous
            if (m := re.fullmatch(re.escape(prefix) + r"(\d+)", t))]
    counter = max(used, default=0)
    for c in new_labels:
        if c not in result:
            counter += 1
            result[c] = f"{prefix}{counter}"
    return result


# ------------------------------------------------------------------------------- the whole row

def default_min_theme_size(n_texts: int) -> int:
    """Smallest theme worth naming: 1 % of the texts, at least 5.

    On CounselChat 1 % balances NMI (rewards many small themes) and ARI (rewards few large
    ones); see bench/theme_quality.py.
    """
    return int(max(5, round(0.01 * n_texts)))


def min_theme_size(n_texts: int, scope: str = "client") -> int:
    """Minimum theme size for a scope (``client`` or ``caseload``): the same 1 % rule."""
    return default_min_theme_size(n_texts)


DEFAULT_CONTEXT_WEIGHT = CONTEXT_WEIGHT
nearest_theme = assign_to_centroids  # new texts -> existing theme centroids (or −1)


@dataclass
class Themes:
    labels: np.ndarray                      # per text: theme number or −1
    keywords: dict[int, list[str]] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)  # human labels
    quotes: dict[int, list[int]] = field(default_factory=dict)  # text indices
    centroids: dict[int, np.ndarray] = field(default_factory=dict)
    ids: dict[int, str] = field(default_factory=dict)


def find_themes(texts: Sequence[str], embeddings: np.ndarray, *,
                group_ids: Sequence[Hashable | None] | None = None,
                context_weight: float = CONTEXT_WEIGHT, min_theme_size: int | None = None,
                previous: Mapping[str, np.ndarray] | None = None, prefix: str = "theme-",
                top_n: int = 10, n_quotes: int = 3, **cluster_options) -> Themes:
    """The whole row for one scope: filler out, context in, cluster, describe, name, id."""
    embeddings = np.asarray(embeddings, dtype=np.float32)
    n = len(texts)
    labels = np.full(n, -1, dtype=int)
    content = np.array([not is_filler(t) for t in texts], dtype=bool)
    idx = np.nonzero(content)[0]
    if len(idx) == 0:
        return Themes(labels=labels)
    points = embeddings[idx]
    if group_ids is not None and context_weight > 0:
        points = contextual_embeddings(points, [group_ids[i] for i in idx], context_weight)
    size = min_theme_size or default_min_theme_size(len(idx))
    labels[idx] = cluster_themes(points, min_theme_size=size, **cluster_options)
    keywords = theme_keywords(texts, labels, top_n)
    members = {c: [texts[i] for i in np.nonzero(labels == c)[0]] for c in keywords}
    names = {c: theme_label(keywords[c], members[c]) for c in keywords}
    quotes = representative_quotes(texts, embeddings, labels, n_quotes)
    centroids = theme_centroids(embeddings, labels)
    ids = stable_theme_ids(previous or {}, centroids, prefix=prefix)
    return Themes(labels, keywords, names, quotes, centroids, ids)
