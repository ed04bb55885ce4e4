"""Theme quality on the dev data: clustering (NMI) and labels, production against baselines.

    python bench/theme_quality.py [--eval-data ../shared/eval-data] [--baselines] [--skip-100k] [--labels]

Data (each skipped with a message when absent):

* ``counselchat sentences``: the 815 CounselChat questions (``../shared/eval-data``) cut into
  sentences ("messages"), grouped by question ("conversation"); truth = the question's
  FIRST ``|``-joined topic. The caseload scope.
* ``counselchat pseudo-clients``: 40 seeded pseudo-clients, each given 3 topics (drawn by
  topic frequency among topics with ≥ 10 questions) and 3 questions of each, as sentences
  grouped by question: the shape of the held-back set (clients with several chats of a few
  problem types). Caseload NMI over all 40, and mean per-client NMI (each client clustered
  on its own, as production does).
* ``sample``: ``sample_data`` texts with the planted ``theme`` of ``ground_truth.csv``,
  caseload and per client. Reported, never tuned on.

Clustering metrics are over the texts the truth calls content: NMI and ARI with "no theme"
(−1) counted as one more cluster; coverage = share given a theme; themes = number of
themes (mean per client). Methods: production (each text blended with its
conversation's mean at 0.8, k-means with k = √(n/2), 2–40), the themes-6 production
(conversations as points, k-means), BERTopic's defaults (UMAP + HDBSCAN, no context), and
the UMAP path (``bench/theme_methods.py``). ``--baselines`` adds agglomerative and k-means
with k by silhouette.

Labels, judged on held-out folds (``judged_label_rows``): the 815 questions are split in
two folds, stratified by topic (seeded). Each fold's sentences are one caseload (themes with
>= 10 texts are judged) and are regrouped into pseudo-clients (every client theme judged);
both are themed and labelled by production. Labels are compared before (themes-6: a keyword
pair from c-TF-IDF keywords) and after (production ``themes.theme_labels``):
  shape   = 2–5 words and no personal name (``names.personal_names`` of the scope's texts or
            the bundled first-name list);
  drawn   = the label occurs word for word in one of the theme's texts;
  topic_terms = "names the problem its texts share": the label holds a word (as a word form:
            lemma or singular) of the vocabulary of the theme's majority topic, its top 15
            unigrams by c-TF-IDF over the OTHER fold's questions (a word counted once per
            question, used by >= 2 of them, stop words and words every topic uses left out;
            ``topic_vocabulary``), so no label is judged by the words of its own texts;
  nearest_topic = among all 29 topic names, the label's embedding is nearest to the name of
            the theme's majority topic (stricter: "save my marriage" on a family-conflict
            theme fails);
  nearest_common = the same among the 16 topics of >= 10 questions (the topics the
            pseudo-clients are drawn from): a topic of 1-5 questions ("human sexuality",
            "children adolescents", "stress", "military issues") is a name no theme's majority
            can carry, yet it drew good labels away ("sex life" on an intimacy theme,
            "posttraumatic stress disorder" on a trauma theme, "child with autism" on a
            parenting theme all failed nearest_topic);
  terms_v1 = topic_terms as first written: its vocabulary also held adverbs, verb-only
            words, numbers and units of time ("easily", "decided", "seven", "months"), so
            "seven months" named the relationships topic. topic_terms now keeps only words
            that can be a noun or adjective (``_can_name_a_problem``), still the top 15.
Fold 0 is the tuning fold (choose parameters on its themes), fold 1 the held-out one
(report it; its texts were never themed while tuning), printed per fold with each theme's
purity (the share of its texts in its majority topic). Then 20 labels, before and after,
beside the theme's majority topic and both verdicts.
``--labels`` runs only production's NMI and the labels. The sample's labels are reported
(the older judges), never tuned on.

Embeddings are cached under ``bench/out/eval_embeddings/`` (texts keyed by a hash of all of
them; label phrases one by one). Last: seconds to cluster a synthetic 100,000 × 384 mixture.
"""

from __future__ import annotations

import argparse
import functools
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
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
warnings.filterwarnings("ignore")

from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score  # noqa: E402

import theme_methods as M  # noqa: E402
from pipelines.nlp import names, themes  # noqa: E402


def _eval_data_default() -> Path:
    """``INTERLUDE_EVAL_DATA``, else ``shared/eval-data`` beside the checkout (or beside a
    worktree folder's parent)."""
    if os.environ.get("INTERLUDE_EVAL_DATA"):
        return Path(os.environ["INTERLUDE_EVAL_DATA"])
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "eval-data").exists():
            return base / "shared" / "eval-data"
    return ROOT.parent / "shared" / "eval-data"


EVAL_DATA = _eval_data_default()
SAMPLE = Path(os.environ.get("INTERLUDE_SAMPLE_DATA", ROOT / "sample_data"))
CACHE = Path(os.environ.get("INTERLUDE_EVAL_CACHE") or ROOT / "bench" / "out" / "eval_embeddings")
SEED = 7
FIT_CAP = 4000
PSEUDO_CLIENTS, TOPICS_PER_CLIENT, QUESTIONS_PER_TOPIC = 40, 3, 3


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
    tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npy")
    np.save(tmp, vectors)
    os.replace(tmp, path)  # atomic: another worktree sharing the cache never reads half a file
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


def pseudo_clients(sentences: pd.DataFrame, n_clients: int = PSEUDO_CLIENTS,
                   topics_per_client: int = TOPICS_PER_CLIENT,
                   questions_per_topic: int = QUESTIONS_PER_TOPIC, seed: int = 0) -> pd.DataFrame:
    """CounselChat sentences regrouped into seeded pseudo-clients (see the module docstring).

    A question is reused only after every question of its topic has been used once; its
    "conversation" is then ``client:question``, so no two clients share a conversation.
    """
    rng = np.random.default_rng(seed)
    questions = sentences.drop_duplicates("group")[["group", "theme"]]
    counts = questions["theme"].value_counts()
    topics = sorted(counts[counts >= 10].index)
    weights = np.array([counts[t] for t in topics], dtype=float)
    pools = {t: list(rng.permutation(questions.loc[questions["theme"] == t, "group"].tolist()))
             for t in topics}
    used = {t: 0 for t in topics}
    rows = []
    for c in range(n_clients):
        for topic in rng.choice(topics, size=topics_per_client, replace=False, p=weights / weights.sum()):
            for _ in range(questions_per_topic):
                rows.append((f"pc-{c:02d}", pools[topic][used[topic] % len(pools[topic])]))
                used[topic] += 1
    chosen = pd.DataFrame(rows, columns=["client_id", "question"])
    out = chosen.merge(sentences.drop(columns=["client_id"]).rename(columns={"group": "question"})
                       .reset_index(names="row"), on="question")
    out["group"] = out["client_id"] + ":" + out["question"]
    return out.drop(columns=["question"]).reset_index(drop=True)


# ---------------------------------------------------------------------------- methods

def _fit_on_sample(points: np.ndarray, fit) -> np.ndarray:
    """``fit(points) -> labels`` on at most FIT_CAP rows; the rest by nearest centroid."""
    idx = M._sample_indices(len(points), FIT_CAP, SEED)
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


def method_umap_path(points, min_size):
    """The UMAP + HDBSCAN + centroid-assignment path (bench/theme_methods.py)."""
    return M.cluster_themes(points, min_theme_size=min_size)


def method_production(points, min_size):
    """Production's clustering step (``themes.kmeans_themes``) on already blended points."""
    return themes.kmeans_themes(points, min_size)


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
    idx = M._sample_indices(len(points), FIT_CAP, SEED)
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




# ---------------------------------------------------------------------------- evaluation

def _content(frame: pd.DataFrame) -> np.ndarray:
    return np.flatnonzero([not themes.is_filler(t) for t in frame["text"]])


def _groups(frame: pd.DataFrame, idx: np.ndarray) -> list:
    return [g if isinstance(g, str) and g else None for g in frame["group"].iloc[idx]]


def production_labels(frame: pd.DataFrame, vectors: np.ndarray) -> np.ndarray:
    """Production (themes-7) on one scope: filler out, blended with the conversation, k-means."""
    labels = np.full(len(frame), -1, dtype=int)
    idx = _content(frame)
    if len(idx) >= 4:
        labels[idx] = themes.text_themes(vectors[idx], _groups(frame, idx),
                                         themes.min_theme_size(len(idx)))[0]
    return labels


def themes6_labels(frame: pd.DataFrame, vectors: np.ndarray) -> np.ndarray:
    """The themes-6 production on one scope: conversations as points, k-means."""
    labels = np.full(len(frame), -1, dtype=int)
    idx = _content(frame)
    if len(idx) >= 4:
        labels[idx] = M.conversation_themes(vectors[idx], _groups(frame, idx),
                                            themes.min_theme_size(len(idx)))
    return labels


def cluster_scope(frame: pd.DataFrame, vectors: np.ndarray, method, weight: float) -> np.ndarray:
    """Labels for every row of one scope: filler out, context blended, clustered."""
    labels = np.full(len(frame), -1, dtype=int)
    idx = _content(frame)
    if len(idx) < 4:
        return labels
    points = vectors[idx]
    if weight > 0:
        points = themes.contextual_embeddings(points, frame["group"].iloc[idx].tolist(), weight)
    labels[idx] = method(points, themes.min_theme_size(len(idx)))
    return labels


def labelers(baselines: bool) -> dict:
    out = {
        "production (text+0.8 conv, k-means)": production_labels,
        "production themes-6 (conversation k-means)": themes6_labels,
        "BERTopic defaults (UMAP+HDBSCAN)": lambda f, v: cluster_scope(f, v, method_bertopic, 0.0),
        "UMAP path +ctx0.5 (theme_methods)": lambda f, v: cluster_scope(f, v, method_umap_path, 0.5),
    }
    if baselines:
        out["agglomerative ward, k by silhouette"] = lambda f, v: cluster_scope(f, v, method_agglomerative, 0.0)
        out["k-means, k by silhouette"] = lambda f, v: cluster_scope(f, v, method_kmeans, 0.0)
    return out


def scores(truth: np.ndarray, labels: np.ndarray) -> tuple[float, float, float, int]:
    return (normalized_mutual_info_score(truth, labels), adjusted_rand_score(truth, labels),
            float(np.mean(labels >= 0)), len(set(labels.tolist()) - {-1}))


def per_client_labels(frame: pd.DataFrame, vectors: np.ndarray, labeler) -> dict[str, np.ndarray]:
    """Each client's texts clustered on their own: client -> labels (in the frame's rows)."""
    out = {}
    for client, part in frame.groupby("client_id", sort=True):
        idx = part.index.to_numpy()
        out[client] = labeler(part.reset_index(drop=True), vectors[idx])
    return out


def evaluate(name: str, frame: pd.DataFrame, vectors: np.ndarray, labeler, per_client: bool) -> dict:
    t0 = time.perf_counter()
    keep = ~frame["filler"].to_numpy()
    if not per_client:
        labels = labeler(frame, vectors)
        seconds = time.perf_counter() - t0
        nmi, ari, cov, k = scores(frame["theme"].to_numpy()[keep], labels[keep])
        return dict(data=name, nmi=nmi, ari=ari, coverage=cov, themes=k, seconds=seconds)
    rows, covered = [], []
    for client, labels in per_client_labels(frame, vectors, labeler).items():
        part = frame[frame["client_id"] == client]
        pk = ~part["filler"].to_numpy()
        rows.append(scores(part["theme"].to_numpy()[pk], labels[pk]))
        covered.append(labels[pk] >= 0)
    return dict(data=name, nmi=float(np.mean([r[0] for r in rows])),
                ari=float(np.mean([r[1] for r in rows])),
                coverage=float(np.mean(np.concatenate(covered))),
                themes=float(np.mean([r[3] for r in rows])), seconds=time.perf_counter() - t0)


# ---------------------------------------------------------------------------- labels

class PhraseCache:
    """Embeddings of label phrases (and topic names), one by one, cached on disk.

    Stored as ``phrases.npy`` (vectors) + ``phrases.json`` (their phrases), each replaced
    atomically, so parallel benchmark runs never read a half-written cache."""

    def __init__(self, path: Path = CACHE / "phrases"):
        self.path = path
        self.vectors: dict[str, np.ndarray] = {}
        try:
            keys = json.loads(path.with_suffix(".json").read_text())
            values = np.load(path.with_suffix(".npy"))
            if len(keys) == len(values):
                self.vectors = dict(zip(keys, values))
        except (OSError, ValueError):
            pass

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = list(self.vectors)
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}")
        np.save(f"{tmp}.npy", np.stack([self.vectors[k] for k in keys]).astype(np.float32))
        Path(f"{tmp}.json").write_text(json.dumps(keys))
        os.replace(f"{tmp}.npy", self.path.with_suffix(".npy"))
        os.replace(f"{tmp}.json", self.path.with_suffix(".json"))

    def __call__(self, phrases: list[str]) -> np.ndarray:
        missing = sorted({p for p in phrases if p not in self.vectors})
        if missing:
            from pipelines.nlp.embed import embed_texts

            self.vectors.update(zip(missing, embed_texts(missing)))
            self._save()
        if not phrases:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([self.vectors[p] for p in phrases])


def scope_labels(frame: pd.DataFrame, vectors: np.ndarray, labels: np.ndarray, embed,
                 owners: list | None = None) -> tuple[dict, dict]:
    """(before, after) label per theme of one scope, on production's themes.

    ``owners`` (the caseload: who wrote each text, here the question's asker): as in
    ``themes_stage.scope_themes``, no keyword or label holds a word fewer than
    ``CASELOAD_MIN_CLIENTS`` of them wrote."""
    from pipelines.nlp.names import personal_names
    from pipelines.themes_stage import CASELOAD_MIN_CLIENTS

    texts = frame["text"].tolist()
    groups = _groups(frame, np.arange(len(frame)))
    exclude = set(personal_names(texts))
    if owners is not None:
        exclude |= themes.rare_words(texts, owners, CASELOAD_MIN_CLIENTS)
    keywords = themes.theme_keywords(texts, labels, exclude=exclude)
    before = {c: themes.keyword_label(keywords[c], [texts[i] for i in np.flatnonzero(labels == c)])
              for c in keywords}
    after = themes.theme_labels(texts, labels, themes.theme_centroids(vectors, labels), embed,
                                groups=groups, keywords=keywords, exclude=exclude)
    return before, after


def _topic_name(topic: str) -> str:
    return topic.replace("-", " ").replace("_", " ")


# ---------------------------------------------------------------------------- the label judges

JUDGE_TERMS = 15   # a topic's vocabulary: its top unigrams by c-TF-IDF on the other fold
FOLDS = 2
TUNING_FOLD = 0    # parameters are chosen on this fold's themes; the other fold is the report
COMMON_TOPIC = 10  # nearest_common: topics of at least this many questions (the pseudo-clients' topics)


def question_folds(frame: pd.DataFrame, folds: int = FOLDS, seed: int = SEED) -> np.ndarray:
    """Fold of each CounselChat question, stratified by topic (seeded)."""
    rng = np.random.default_rng(seed)
    fold = np.empty(len(frame), dtype=int)
    for topic in sorted(frame["theme"].unique()):
        idx = np.flatnonzero(frame["theme"].to_numpy() == topic)
        fold[rng.permutation(idx)] = np.arange(len(idx)) % folds
    return fold


def _word_forms(word: str) -> set[str]:
    """A word and its lemmas (lemminflect's lexicon) and its singular: "marriages" ~ "marriage"."""
    from lemminflect import getAllLemmas

    forms = {word, themes._stem(word)}
    for lemmas in getAllLemmas(word).values():
        forms.update(lemmas)
    return forms


# Words that cannot name a problem on their own: numbers and units of time ("seven months"
# passed the relationships judge through "months" before these were left out).
_JUDGE_GENERIC = frozenset("""one two three four five six seven eight nine ten eleven twelve
    twenty hundred first second third day days week weeks month months year years hour hours
    minute minutes today tonight yesterday tomorrow morning night""".split())


@functools.lru_cache(maxsize=None)
def _can_name_a_problem(word: str) -> bool:
    """A judge word can be a noun or an adjective (lemminflect; unknown words such as "ptsd"
    count) and is no number or unit of time: adverbs and verb-only words ("easily",
    "recently", "hear", "decided", "tells") name no problem, so a label holding one is not
    judged to name its topic."""
    from lemminflect import getAllLemmas

    readings = getAllLemmas(word)
    return word not in _JUDGE_GENERIC and (not readings or bool({"NOUN", "ADJ"} & set(readings)))


def topic_vocabulary(texts: Sequence[str], topics: Sequence[str], n: int = JUDGE_TERMS,
                     content_only: bool = True) -> dict[str, list[str]]:
    """Each topic's top ``n`` unigrams by class-based TF-IDF over the given (held-out) texts.

    Independent of production's keyword code. A word counts once per question (so one
    question repeating "couch" does not make it a topic word) and must be used by at least
    two of the topic's questions; scikit-learn's English stop words and words every topic
    uses are left out. ``w(t, c) = df(t, c)/|c| · log(1 + A / f(t))`` (BERTopic's c-TF-IDF,
    each topic one document, df = questions of the topic using t)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    generic = set(ENGLISH_STOP_WORDS) | set("""feel feeling feels felt like just know don im ve
        want wants wanted think thought thinking really time times does did told tell help
        going things thing make way life people years year ago said say says get got getting
        ll didn doesn isn wasn having need try let lot started asked went came look looked stop
        talk talking usually especially happen different mean sure believe good new left""".split())
    vectorizer = CountVectorizer(token_pattern=r"(?u)\b[a-z][a-z]+\b", stop_words=sorted(generic),
                                 binary=True)
    per_question = vectorizer.fit_transform(list(texts))
    terms = vectorizer.get_feature_names_out()
    names_ = sorted(set(topics))
    topic_of = np.array([names_.index(t) for t in topics])
    counts = np.stack([np.asarray(per_question[topic_of == i].sum(axis=0)).ravel()
                       for i in range(len(names_))]).astype(float)
    counts[counts < 2] = 0
    tf = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    idf = np.log(1 + counts.sum(axis=1).mean() / np.maximum(counts.sum(axis=0), 1))
    weights = tf * idf
    out = {}
    for i, topic in enumerate(names_):
        ranked = [str(terms[j]) for j in np.lexsort((terms, -weights[i])) if weights[i, j] > 0]
        if content_only:
            ranked = [w for w in ranked if _can_name_a_problem(w)]
        out[topic] = ranked[:n]
    return out


def names_topic(label: str, vocabulary: Sequence[str]) -> bool:
    """The label holds a word of the topic's held-out vocabulary (as a word form)."""
    words = set().union(*(_word_forms(w) for w in label.lower().split()))
    return any(words & _word_forms(t) for t in vocabulary)


def label_rows(scope: str, frame: pd.DataFrame, labels: np.ndarray, before: dict, after: dict,
               min_texts: int) -> list[dict]:
    """One row per theme with ≥ ``min_texts`` texts: its majority topic and both labels."""
    texts = frame["text"].tolist()
    banned = names.personal_names(texts) | names.first_names()
    rows = []
    for c in sorted(after):
        members = np.flatnonzero(labels == c)
        if len(members) < min_texts:
            continue
        counts = frame["theme"].iloc[members].value_counts()
        topic = counts.index[0]
        member_texts = [" ".join(themes._PHRASE_TOKEN.findall(texts[i].lower().replace("\u2019", "'")))
                        for i in members]
        for when, label in (("before", before[c]), ("after", after[c])):
            words = label.split()
            rows.append(dict(scope=scope, theme=c, n=len(members), topic=topic, when=when, label=label,
                             purity=counts.iloc[0] / len(members),
                             shape=2 <= len(words) <= 5 and not {themes._bare(w) for w in words} & banned,
                             drawn=any(f" {label} " in f" {t} " for t in member_texts)))
    return rows


def judge(rows: pd.DataFrame, topics: list[str], embed) -> pd.DataFrame:
    """Adds ``topic_word`` and ``nearest_topic`` (see the module docstring)."""
    names_ = [_topic_name(t) for t in topics]
    topic_vectors = embed(names_)
    label_vectors = embed(rows["label"].tolist())
    nearest = [topics[i] for i in (label_vectors @ topic_vectors.T).argmax(axis=1)]
    stems = [{w[:5] for w in _topic_name(t).split()} for t in rows["topic"]]
    return rows.assign(
        topic_word=[any(w[:5] in s for w in label.split()) for label, s in zip(rows["label"], stems)],
        nearest_topic=[n == t for n, t in zip(nearest, rows["topic"])])


def judged_label_rows(counsel: pd.DataFrame, sentences: pd.DataFrame, vectors: np.ndarray,
                      embed) -> pd.DataFrame:
    """Labels of production's themes on each held-out fold, judged two ways.

    For each fold, its questions' sentences are the caseload (themes with >= 10 texts) and
    are regrouped into pseudo-clients (every client theme); the topic vocabulary of the
    ``topic_terms`` judge comes from the *other* fold's questions, so no label is judged by
    words of its own texts. ``nearest_topic``: among all topic names, the label's embedding
    is nearest the name of the theme's majority topic."""
    fold_of = question_folds(counsel)
    question = sentences["group"].str[1:].astype(int).to_numpy()
    topics = sorted(counsel["theme"].unique())
    topic_vectors = _normalize_rows(embed([_topic_name(t) for t in topics]))
    sizes = counsel["theme"].value_counts()
    common = np.array([i for i, t in enumerate(topics) if sizes[t] >= COMMON_TOPIC])
    out = []
    for fold in range(FOLDS):
        vocabulary = topic_vocabulary(counsel["text"][fold_of != fold], counsel["theme"][fold_of != fold])
        vocabulary_v1 = topic_vocabulary(counsel["text"][fold_of != fold], counsel["theme"][fold_of != fold],
                                         content_only=False)
        rows_f = np.flatnonzero(fold_of[question] == fold)
        part = sentences.iloc[rows_f].reset_index(drop=True)
        vec = vectors[rows_f]
        rows = []
        labels = production_labels(part, vec)
        # the caseload's texts were written by as many people as there are questions
        before, after = scope_labels(part, vec, labels, embed, owners=part["group"].tolist())
        rows += label_rows("caseload", part, labels, before, after, min_texts=10)
        clients = pseudo_clients(part, seed=fold)
        cvec = vec[clients["row"].to_numpy()]
        for client, client_labels in per_client_labels(clients, cvec, production_labels).items():
            sub_rows = np.flatnonzero(clients["client_id"].to_numpy() == client)
            sub = clients.iloc[sub_rows].reset_index(drop=True)
            b, a = scope_labels(sub, cvec[sub_rows], client_labels, embed)
            rows += label_rows("client", sub, client_labels, b, a, min_texts=1)
        table = pd.DataFrame(rows)
        label_vectors = _normalize_rows(embed(table["label"].tolist()))
        nearest = [topics[i] for i in (label_vectors @ topic_vectors.T).argmax(axis=1)]
        table["nearest_topic"] = [n == t for n, t in zip(nearest, table["topic"])]
        table["topic_terms"] = [names_topic(l, vocabulary[t]) for l, t in zip(table["label"], table["topic"])]
        table["terms_v1"] = [names_topic(l, vocabulary_v1[t]) for l, t in zip(table["label"], table["topic"])]
        sims = label_vectors @ topic_vectors[common].T
        table["nearest_common"] = [topics[common[i]] == t for i, t in zip(sims.argmax(axis=1), table["topic"])]
        table["fold"] = fold
        out.append(table)
    return pd.concat(out, ignore_index=True)


def _normalize_rows(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float32)
    return m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12)


def print_label_judgement(table: pd.DataFrame, n_samples: int = 20) -> None:
    summary = (table.groupby(["scope", "when"], sort=False)
               .agg(themes=("label", "size"), shape=("shape", "mean"), drawn=("drawn", "mean"),
                    terms_v1=("terms_v1", "mean"), topic_terms=("topic_terms", "mean"),
                    nearest_topic=("nearest_topic", "mean"), nearest_common=("nearest_common", "mean"),
                    distinct=("label", "nunique"))
               .reset_index())
    print("\nLabels on held-out folds (caseload themes with >= 10 texts; client themes all); "
          "before = themes-6 keyword pair, after = production:")
    print(summary.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    per_fold = (table[table["when"] == "after"].groupby(["scope", "fold"], sort=False)
                .agg(themes=("label", "size"), purity=("purity", "mean"), terms_v1=("terms_v1", "mean"),
                     topic_terms=("topic_terms", "mean"), nearest_topic=("nearest_topic", "mean"),
                     nearest_common=("nearest_common", "mean"))
                .reset_index())
    per_fold["fold"] = per_fold["fold"].map({TUNING_FOLD: f"{TUNING_FOLD} (tuning)"}).fillna(
        per_fold["fold"].astype(str) + " (held out)")
    print(f"\nProduction per fold (purity = mean share of a theme's texts in its majority topic; choose "
          f"parameters on fold {TUNING_FOLD}, report the other):")
    print(per_fold.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"\n{n_samples} sample labels (scope, majority topic, judges T = topic_terms, N = nearest_topic, C = nearest_common: before -> after):")
    after = table[table["when"] == "after"]
    picks = []
    for scope in after["scope"].unique():
        part = after[after["scope"] == scope]
        take = n_samples // after["scope"].nunique()
        step = max(1, len(part) // take)
        picks += [part.iloc[i] for i in range(0, len(part), step)][:take]
    for row in picks[:n_samples]:
        b = table[(table["when"] == "before") & (table["scope"] == row["scope"]) & (table["fold"] == row["fold"])
                  & (table["theme"] == row["theme"]) & (table["n"] == row["n"]) & (table["topic"] == row["topic"])]
        marks = (f"{'T' if row['topic_terms'] else '-'}{'N' if row['nearest_topic'] else '-'}"
                 f"{'C' if row['nearest_common'] else '-'}")
        print(f"  {row['scope']:<9} {row['topic'][:24]:<24} {marks}  {b['label'].iloc[0]!r:<32} -> {row['label']!r}")


def label_section(datasets: list[tuple[str, pd.DataFrame, np.ndarray, list[str], tuple[str, ...]]],
                  embed) -> None:
    """Label metrics before/after per scope (the sample: reported, never tuned on)."""
    all_rows = []
    for name, frame, vectors, topics, scopes in datasets:
        rows = []
        if "caseload" in scopes:
            labels = production_labels(frame, vectors)
            before, after = scope_labels(frame, vectors, labels, embed, owners=frame["client_id"].tolist())
            rows += label_rows(f"{name}/caseload", frame, labels, before, after, min_texts=10)
        clients = per_client_labels(frame, vectors, production_labels) if "client" in scopes else {}
        for client, client_labels in clients.items():
            part = frame[frame["client_id"] == client]
            sub = part.reset_index(drop=True)
            b, a = scope_labels(sub, vectors[part.index.to_numpy()], client_labels, embed)
            rows += label_rows(f"{name}/client", sub, client_labels, b, a, min_texts=1)
        if rows:
            all_rows.append(judge(pd.DataFrame(rows), topics, embed))
    if not all_rows:
        return
    table = pd.concat(all_rows, ignore_index=True)
    summary = (table.groupby(["scope", "when"], sort=False)
               .agg(themes=("label", "size"), shape=("shape", "mean"), drawn=("drawn", "mean"),
                    topic_word=("topic_word", "mean"), nearest_topic=("nearest_topic", "mean"),
                    distinct=("label", "nunique"))
               .reset_index())
    print("\nLabels on the sample (reported, never tuned on):")
    print(summary.to_string(index=False, float_format=lambda v: f"{v:.2f}"))


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
    parser.add_argument("--baselines", action="store_true", help="add the silhouette-k baselines")
    parser.add_argument("--skip-100k", action="store_true")
    parser.add_argument("--skip-sample", action="store_true")
    parser.add_argument("--labels", action="store_true",
                        help="labels and production's NMI only (no other clustering methods)")
    args = parser.parse_args()
    EVAL_DATA = args.eval_data

    datasets, label_sets, held_out = [], [], None
    counsel = load_counselchat()
    if counsel is None:
        print(f"SKIP counselchat: {EVAL_DATA / 'counselchat_questions.csv'} not found")
    else:
        sentences = counselchat_sentences(counsel)
        vectors = cached_embed(sentences["text"].tolist())
        clients = pseudo_clients(sentences)
        client_vectors = vectors[clients["row"].to_numpy()]
        topics = sorted(counsel["theme"].unique())
        datasets += [("counselchat sentences/caseload", sentences, vectors, False),
                     ("counselchat pseudo-clients/caseload", clients, client_vectors, False),
                     ("counselchat pseudo-clients/client", clients, client_vectors, True)]
        held_out = (counsel, sentences, vectors)
    sample = None if args.skip_sample else load_sample()
    if sample is None:
        print(f"SKIP sample: {SAMPLE / 'ground_truth.csv'} not found or --skip-sample")
    else:
        vectors = cached_embed(sample["text"].tolist())
        datasets += [("sample/caseload", sample, vectors, False), ("sample/client", sample, vectors, True)]
        label_sets.append(("sample", sample, vectors, sorted(sample["theme"].unique()), ("caseload", "client")))

    if not args.labels:
        import umap  # compile numba code outside the timings

        umap.UMAP(n_neighbors=5, n_components=2, random_state=0).fit_transform(
            np.random.default_rng(0).standard_normal((40, 8)))
    results = []
    for name, frame, vectors, per_client in datasets:
        for label, labeler in labelers(args.baselines).items():
            if args.labels and not label.startswith("production ("):
                continue
            row = evaluate(name, frame, vectors, labeler, per_client)
            row["method"] = label
            results.append(row)
            print(f"  {row['data']:<36} {label:<46} nmi {row['nmi']:.3f} ({row['seconds']:.1f}s)",
                  file=sys.stderr)
    if results:
        table = pd.DataFrame(results)[["data", "method", "nmi", "ari", "coverage", "themes", "seconds"]]
        print("Clustering (NMI per client is the mean over clients):")
        with pd.option_context("display.width", 200, "display.max_colwidth", 60):
            print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))

    phrases = PhraseCache()
    if held_out is not None:
        t0 = time.perf_counter()
        table = judged_label_rows(*held_out, phrases)
        print_label_judgement(table)
        print(f"(labels of {FOLDS} folds in {time.perf_counter() - t0:.0f}s)")
    if label_sets:
        label_section(label_sets, phrases)

    if not args.skip_100k:
        points, truth = synthetic_sphere()
        t0 = time.perf_counter()
        labels = themes.kmeans_themes(points, min_size=100)
        seconds = time.perf_counter() - t0
        keep = truth >= 0
        print(f"\nsynthetic 100,000 x 384 (40 blobs + 10% noise), production k-means: {seconds:.1f}s, "
              f"{len(set(labels.tolist()) - {-1})} themes, "
              f"ARI on blob points {adjusted_rand_score(truth[keep], labels[keep]):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
