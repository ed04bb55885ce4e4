"""Themes in client writing: small, pure, deterministic stages (the shape of BERTopic, not its class).

    filler -> contextual embeddings -> k-means -> keywords -> label -> quotes -> stable ids

* ``is_filler``: greetings, thanks, "ok" and other content-free texts stay unassigned.
* ``contextual_embeddings``: a chat message rarely names its theme ("it keeps me up at
  night"); its conversation does. Each embedding is blended with its conversation's mean
  (``CONTEXT_WEIGHT`` = 0.8 of the mean).
* ``text_themes``: k-means on the blended texts, k = √(n/2) (2–``MAX_THEMES``); clusters
  under the minimum theme size are dissolved (their texts get −1). Computed in a canonical
  order of the rows, so the same texts in any order get the same themes.
* ``theme_keywords``: class-based TF-IDF (unigrams and bigrams, stop words removed), shown
  beside the label. Personal names (``names.personal_names``) are stop words.
* ``theme_labels``: a 2–5 word noun phrase from the theme's own texts (KeyBERT's method,
  with the project's encoder, no new dependency): candidate phrases name a thing (begin
  with a noun or adjective, end with a noun, no article, pronoun or clause word inside:
  "panic attacks", "lack of motivation", "fights with my husband"; never "checked the
  app"), contain one of the theme's distinctive keywords, are pre-ranked by c-TF-IDF over
  phrases (ties: the phrase whose commonest word the most of the theme's conversations use;
  when fewer than ten shared phrases hold a keyword, phrases of one conversation that hold
  one join them: held-out CounselChat folds, caseload topic_terms 0.59 -> 0.66, themes-10),
  embedded with the same encoder as the texts (the caller passes a cached
  ``embed``) and scored by cosine to the theme's centroid plus how many conversations use
  them, with maximal marginal relevance across the scope's labels. Beside the phrases,
  "A and B" of two of the theme's first three noun keywords competes ("anxiety and panic"):
  a short client theme often says its problem in one word ("I have anxiety"), in no phrase
  (held-out CounselChat folds: caseload topic_terms 0.57 -> 0.70, nearest_common 0.41 ->
  0.45; client themes 0.39 -> 0.48, 0.35 -> 0.36; about twice the label phrases to embed). No candidate is courtesy only ("good
  night"), holds a word neither the common-words list nor the lexicon knows ("thearapist")
  unless two conversations use it, or contains a personal name.
* ``representative_quotes``: distinct non-filler texts closest to each theme's centroid.
* ``stable_theme_ids``: one-to-one centroid matching (Hungarian) to the previous run's themes.

Numbers in the docstrings come from ``bench/theme_quality.py`` on CounselChat (the dev set).
Nothing here touches a database; ``pipelines/themes_stage.py`` does the I/O.
"""

from __future__ import annotations

import functools
import re
from typing import Callable, Hashable, Iterable, Mapping, Sequence

import numpy as np

SEED = 42

CONTEXT_WEIGHT = 0.8       # share of the conversation mean in a message's embedding
MAX_THEMES = 40            # k-means k = √(n/2), clamped to 2..MAX_THEMES. 30 -> 40 (themes-10): CounselChat tuning fold, caseload label judges topic_terms 0.59 -> 0.70, nearest_common 0.31 -> 0.43 (its k 30 -> 35); sentence caseload NMI 0.343 -> 0.372; sample caseload stage +0.3 CPU-s
KMEANS_INITS = 4           # k-means restarts
KMEANS_INITS_LARGE = 2     # restarts when fitting more than LARGE_FIT rows: the caseload NMI of 4 restarts on
LARGE_FIT = 2000           # CounselChat (0.343 sentences / 0.371 pseudo-clients) in half the time
PREDICT_CHUNK = 8192       # rows upcast to float64 at a time when every row joins its nearest center
MAX_FIT_POINTS = 5000      # larger scopes: k-means is fitted on a seeded sample of this many
ASSIGN_THRESHOLD = 0.35    # cosine to a theme centroid needed to join it (incremental texts)
STABLE_ID_THRESHOLD = 0.80  # centroid cosine for a theme to keep its previous id
LABEL_CANDIDATES = 10      # phrases per theme that are embedded and scored (20 labelled no better, embedded twice as many)
LABEL_HEADS = 15           # a label ends with one of its theme's top unigram keywords
LABEL_PAIRS = 0            # + "A and B" of each two of the theme's first this many noun keywords (0: none). Off: pairs such as "anxiety and handle" are the keyword-pair labels issue 12 calls noise, though they lift the bench judges (caseload topic_terms 0.70 with 3, ~0.59 without). Cost: the pairs' embeddings; sample first analyze theme stage 13.8 -> 28.2 s (load 3-5)
LABEL_MIN_SUPPORT = 0.5   # a label's words reach at least this share of the conversations its theme's best-supported candidate's words reach (else keyword_label): on the sample a second grounding theme, its best phrase taken, was labelled "grinding my teeth" (1 conversation in 9). Bench folds: no change on the tuning fold
LABEL_FILL = True          # fewer than LABEL_CANDIDATES shared phrases hold a head: phrases one conversation uses join them (held-out CounselChat folds, caseload topic_terms 0.59 -> 0.66)
LABEL_USE_WEIGHT = 0.05    # label score: + this · ln(conversations using the phrase)
LABEL_OTHER_WEIGHT = 0.0   # label score: − this · cosine to the nearest other theme's centroid
LABEL_HEAD_WEIGHT = 0.0    # label score: + this · (1 − rank / LABEL_HEADS) of its best keyword
LABEL_COVERAGE_WEIGHT = 0.8  # label score: + this · share of the theme's conversations using its commonest word
LABEL_DIVERSITY = 0.15     # label score: − this · cosine to the scope's labels chosen so far (MMR)
DEFAULT_CONTEXT_WEIGHT = CONTEXT_WEIGHT


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



def context_groups(conversation_ids: Sequence[Hashable | None], source_ids: Sequence[str]) -> list[str]:
    """Messages and summaries are read in their conversation; a note stands alone."""
    return [str(c) if not _missing(c) else f"note:{s}" for c, s in zip(conversation_ids, source_ids)]


# ------------------------------------------------------------------------------- clustering

def _centroids(embeddings: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ids = np.array(sorted(int(c) for c in set(labels.tolist()) if c >= 0), dtype=int)
    if len(ids) == 0:
        return ids, np.zeros((0, embeddings.shape[1]), dtype=np.float32)
    # one masked sum per theme: np.add.at over 20,000 rows took 13 s of a loaded theme stage
    sums = np.stack([embeddings[labels == c].sum(axis=0, dtype=np.float64) for c in ids])
    return ids, _normalize(sums)


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


nearest_theme = assign_to_centroids  # new texts -> existing theme centroids (or −1)


def _relabel_by_size(labels: np.ndarray) -> np.ndarray:
    """Themes numbered 0, 1, … by decreasing size (ties: first occurrence)."""
    ids = [c for c in dict.fromkeys(labels.tolist()) if c >= 0]
    sizes = {c: int((labels == c).sum()) for c in ids}
    order = sorted(ids, key=lambda c: -sizes[c])  # stable: ties keep first occurrence
    mapping = {c: i for i, c in enumerate(order)}
    return np.array([mapping.get(c, -1) for c in labels.tolist()], dtype=int)


def canonical_order(points: np.ndarray) -> np.ndarray:
    """A permutation that sorts rows by their bytes: the same rows in any order sort alike."""
    points = np.ascontiguousarray(points, dtype=np.float32)
    keys = points.view(np.dtype((np.void, points.dtype.itemsize * points.shape[1]))).ravel()
    return np.argsort(keys, kind="stable")


def n_themes(n_points: int) -> int:
    """k for k-means: √(n/2), at least 2 and at most ``MAX_THEMES``."""
    return int(min(MAX_THEMES, max(2, round(np.sqrt(n_points / 2)))))


def kmeans_themes(points: np.ndarray, min_size: int) -> np.ndarray:
    """Theme per row (0, 1, … by decreasing size; −1 = none): k-means with k = ``n_themes(n)``.

    Rows are L2-normalized first, so Euclidean k-means is cosine k-means. Scopes above
    ``MAX_FIT_POINTS`` rows are fitted on a seeded sample and every row then joins its
    nearest center (the caseload of 20,000 texts costs a quarter of a full fit). Clusters under
    ``min_size`` rows dissolve (−1). Too few rows (< 2·min_size, or < 4) give no theme.
    The result does not depend on the order of the rows (they are clustered in
    ``canonical_order``). Chosen over UMAP + HDBSCAN by measurement: on the sample,
    HDBSCAN plus centroid assignment swung between 3 and 19 themes from small changes and
    often put most texts into one catch-all theme (``bench/theme_methods.py`` keeps it).
    """
    from sklearn.cluster import KMeans

    points = _normalize(np.asarray(points, dtype=np.float32))
    n = len(points)
    min_size = max(2, int(min_size))
    if n < 2 * min_size or n < 4:
        return np.full(n, -1, dtype=int)
    order = canonical_order(points)
    k = min(n_themes(n), n)
    ordered = points[order]
    fit_rows = np.arange(n)
    if n > MAX_FIT_POINTS:  # fit on a seeded sample, then every row joins its nearest center
        fit_rows = np.sort(np.random.default_rng(SEED).choice(n, MAX_FIT_POINTS, replace=False))
    # float64 (sklearn's float32 k-means ran 2.5x slower here), but only the fitted rows and one
    # predict chunk at a time are upcast: no float64 copy of a whole caseload
    inits = KMEANS_INITS_LARGE if len(fit_rows) > LARGE_FIT else KMEANS_INITS
    model = KMeans(n_clusters=k, n_init=inits, random_state=SEED).fit(ordered[fit_rows].astype(np.float64))
    found = np.concatenate([model.predict(ordered[start:start + PREDICT_CHUNK].astype(np.float64))
                            for start in range(0, n, PREDICT_CHUNK)])
    sizes = np.bincount(found, minlength=k)
    found = _relabel_by_size(np.where(sizes[found] >= min_size, found, -1))
    labels = np.empty(n, dtype=int)
    labels[order] = found
    return labels


def text_themes(embeddings: np.ndarray, groups: Sequence[Hashable | None], min_size: int,
                weight: float = CONTEXT_WEIGHT) -> tuple[np.ndarray, np.ndarray]:
    """(theme per text, the blended points they were clustered in) for one scope.

    Each text is blended with its conversation (``contextual_embeddings``) and the blended
    texts are clustered (``kmeans_themes``). On CounselChat questions split into sentences
    and grouped into 40 pseudo-clients, this lifted mean per-client NMI from 0.415
    (conversations clustered as single points, k = √(conversations/2)) to about 0.60, and
    caseload NMI from 0.29 to about 0.33–0.36 (``bench/theme_quality.py``).
    """
    points = contextual_embeddings(embeddings, list(groups), weight)
    return kmeans_themes(points, min_size), points


def theme_centroids(embeddings: np.ndarray, labels: np.ndarray) -> dict[int, np.ndarray]:
    """Normalized mean embedding of each theme."""
    ids, cents = _centroids(np.asarray(embeddings, dtype=np.float32), np.asarray(labels))
    return {int(i): c for i, c in zip(ids, cents)}


def min_theme_size(n_texts: int) -> int:
    """Smallest theme worth naming: 1 % of the texts, at least 5."""
    return int(max(5, round(0.01 * n_texts)))


# ------------------------------------------------------------------------------- keywords

_EXTRA_STOP = frozenset("""
just like really feel feeling feels felt know think thought im ive id ill dont didnt doesnt
isnt wasnt cant wont don didn doesn isn wasn aren weren haven hasn couldn wouldn shouldn ve ll
re got get gets getting going gonna wanna want wanted today yesterday thing things lot bit
little kind sort maybe guess okay ok yeah yes oh um uh lol actually pretty stuff way said say
says tell told make makes made let lets does did doing done come came goes went
client reported described talked wrote mentioned brought reflected followed conversation touched
later moved afterwards thats whats youre theyre hes shes wouldnt couldnt shouldnt arent werent
havent hasnt
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

# Meaningful words in scikit-learn's stop list: a phrase may begin or end with them.
_CONTENT_AFTER_ALL = frozenset("alone empty fire bill cry thin interest system serious sick call".split())
_PHRASE_TOKEN = re.compile(r"[a-z]+(?:['-][a-z]+)*")
_PHRASE_EDGE_STOP = frozenset("""
feel feeling feels felt like just really know think thought want wanted need needed get got
getting go going gone goes went make makes made way thing things stuff lot lots time times
year years month months day days week weeks ago able lately recently seems seem try trying
tried help helps helped people person told tell telling said say saying ask asked asking
question questions advice counselor counseling therapist therapy answer
having being doing getting trying wanting knowing thinking feeling saying telling seeing
plus
""".split())
# A phrase is a name for something, not a clause: no subject or object pronoun inside it
# ("abused me so badly", "admits he is wrong"); possessives are fine ("fights with my mom").
_PRONOUNS = frozenset("""
i me i'm i've i'd i'll im ive you you're u he him he's she she's we us we're they them
they're it it's
""".split())
MIN_PHRASE_WORDS, MAX_PHRASE_WORDS = 2, 4


def _edge_stop() -> frozenset[str]:
    return (_stop_words() - _CONTENT_AFTER_ALL) | _PHRASE_EDGE_STOP


def _phrase_runs(text: str) -> list[list[str]]:
    """Runs of plain lower-case words of a text; punctuation, digits and symbols break a run."""
    runs: list[list[str]] = []
    lowered = (text or "").lower().replace("\u2019", "'")
    for chunk in re.split(r"[.!?;:,()\[\]\n\"/&+=*#~<>|…]+|\s-+\s|--+", lowered):
        run: list[str] = []
        for raw in chunk.split():
            token = raw.strip("'-")
            if _PHRASE_TOKEN.fullmatch(token):
                run.append(token)
            else:
                if run:
                    runs.append(run)
                run = []
        if run:
            runs.append(run)
    return runs


def _bare(token: str) -> str:
    return re.sub(r"'(?:s|m|re|ve|ll|d|t)$", "", token)


def _bad_edge(word: str, edge_stop: frozenset[str]) -> bool:
    """A phrase never begins or ends with a stop word, a contraction, an adverb in -ly or
    a word of one or two letters."""
    return word in edge_stop or "'" in word or len(word) < 3 or word.endswith("ly")


@functools.lru_cache(maxsize=65536)
def _noun_like(word: str) -> bool:
    """The word can be a noun, or the English lexicon does not know it ("self-esteem")."""
    from lemminflect import getAllLemmas

    readings = getAllLemmas(word)
    return not readings or "NOUN" in readings


_COPULAS = frozenset("""is was are were be been being am isn't wasn't aren't weren't
just really so very still even also too always never ever""".split())  # with the adverbs lemminflect also reads otherwise


@functools.lru_cache(maxsize=65536)
def _clause_word(word: str) -> bool:
    """Inside a phrase, a word that makes it a clause: a form of "be", or a word that can
    only be a verb or an adverb ("jaw is sore", "pages just dumping")."""
    from lemminflect import getAllLemmas

    readings = getAllLemmas(word)
    return word in _COPULAS or bool(readings) and set(readings) <= {"VERB", "AUX", "ADV"}


# A label names a thing, so inside a phrase only nouns, adjectives and the few words that
# join two of them ("lack of motivation", "depression and anxiety", "fights with my
# husband"): no article, other people's possessive or pronoun ("checked the app", "lost
# her connection") and no word that starts a clause ("noticed that the reassurance").
_PHRASE_INNER_STOP = frozenset("""
the a an this that these those your his her their our its me him them us it i you he she
we they what which who whom whose how when where why if because so than then there here not
no to as but or nor yet was is are be been being am were do does did have has had will would
can could should may might must shall just very too also while whilst though although unless until
""".split())


@functools.lru_cache(maxsize=65536)
def _names_a_thing(word: str) -> bool:
    """A phrase begins with a word that can be a noun or an adjective ("panic attacks",
    "verbal abuse"), or one the lexicon does not know; not with a verb-only word such as a
    past tense ("checked the app", "noticed throat tightness", "cancelled the gym")."""
    from lemminflect import getAllLemmas

    readings = getAllLemmas(word)
    return not readings or bool({"NOUN", "ADJ", "PROPN"} & set(readings))


def rare_words(texts: Sequence[str], owners: Sequence[Hashable], min_owners: int) -> frozenset[str]:
    """Every word of ``texts`` that fewer than ``min_owners`` distinct owners (clients) wrote,
    in the forms keywords and label phrases use (``_terms`` tokens, bare phrase tokens).

    Caseload themes are shown to every clinician whose client holds one of their texts, so
    their keywords and labels must not carry one client's own words ("my late aunt's
    piano") to another client's clinician: passed as ``exclude``, no keyword or label holds
    such a word. Pure: the same texts and owners give the same set in any order."""
    if min_owners <= 1:
        return frozenset()
    seen: dict[str, set] = {}
    for text, owner in zip(texts, owners):
        words = set(re.findall(_TOKEN, _prepare(text)))
        words.update(_bare(w) for run in _phrase_runs(text) for w in run)
        for word in words:
            seen.setdefault(word, set()).add(owner)
    return frozenset(w for w, who in seen.items() if len(who) < min_owners)


def text_phrases(text: str, edge_stop: frozenset[str], exclude: frozenset[str]) -> set[str]:
    """Distinct candidate phrases of one text: 2–4 adjacent words that name a thing.

    A phrase begins with a word that can be a noun or an adjective (``_names_a_thing``) and
    ends with one that can be a noun ("panic attacks", "lack of motivation", "stress about
    unpaid bills"; not "boyfriend wants", "checked the app"); inside, no article, pronoun,
    possessive other than "my" or clause word (``_PHRASE_INNER_STOP``: not "lost her
    connection", "noticed that the reassurance") and no verb-only, adverb-only or "be" word ("jaw is sore"); no word
    in ``exclude`` (personal names; for the caseload also words few clients wrote, ``rare_words``)
    anywhere in it and no contraction at either end. Word classes come
    from lemminflect's English lexicon (bundled with the package, no model)."""
    out: set[str] = set()
    for run in _phrase_runs(text):
        for i, first in enumerate(run):
            if _bad_edge(first, edge_stop) or _bare(first) in exclude or not _names_a_thing(first):
                continue
            for size in range(MIN_PHRASE_WORDS, MAX_PHRASE_WORDS + 1):
                if i + size > len(run):
                    break
                words = run[i:i + size]
                if _bare(words[-1]) in exclude or words[-1] in _PRONOUNS or words[-1] in _PHRASE_INNER_STOP:
                    break
                if size > 2 and _clause_word(words[-2]):
                    break
                if _bad_edge(words[-1], edge_stop) or not _noun_like(words[-1]):
                    continue
                if all(_bare(w) in _FILLER_WORDS for w in words):
                    continue  # courtesy, not a concern ("good night", "great session")
                out.add(" ".join(words))
    return out


@functools.lru_cache(maxsize=65536)
def _known_word(word: str) -> bool:
    """The word is in the common-words list or lemminflect's lexicon: not a misspelling
    ("thearapist") or a rare coinage. A phrase holding an unknown word is a candidate only
    when two conversations of its theme use it ("ptsd" then passes)."""
    from lemminflect import getAllLemmas

    from .names import common_words

    return word in common_words() or bool(getAllLemmas(word))


def _head_rank(phrase: str, heads: Sequence[str] | set[str]) -> int | None:
    """Position (0 = most distinctive) of the first of ``heads`` (stems; a set: any order)
    that is a word of ``phrase``, or None."""
    stems = {_stem(w) for w in phrase.split()}
    if isinstance(heads, (set, frozenset)):
        return 0 if stems & heads else None
    return next((r for r, h in enumerate(heads) if h in stems), None)


def label_candidates(texts: Sequence[str], labels: np.ndarray, top_n: int | None = None, *,
                     groups: Sequence[Hashable | None] | None = None,
                     exclude: Iterable[str] | None = None,
                     heads: Mapping[int, Iterable[str]] | None = None) -> dict[int, list[tuple[str, int]]]:
    """Candidate label phrases of each theme with how many of its conversations use them,
    most distinctive first (at most ``top_n``).

    Uses are counted once per conversation (``groups``; a text without one counts alone),
    so one client repeating themselves within a chat is one use. A phrase's weight in a
    theme is c-TF-IDF over phrases: the share of the theme's conversations that use it
    times ``log(1 + A / f)``, with A the mean number of phrase uses per class and f its
    uses over all classes (unassigned texts are a class of their own). Only phrases used in
    at least two conversations are candidates, unless the theme has none; ties go to the
    phrase whose commonest word the most conversations of the theme use, then alphabetical.
    ``heads``: per theme, the words a phrase should hold (its distinctive keywords, which
    are mostly nouns: "fix my marriage", not "boyfriend wants"); phrases without one are
    candidates only when no phrase holds a head. When fewer than ``top_n`` shared phrases
    hold a head (``LABEL_FILL``), phrases of one conversation that hold one join them (a
    CounselChat theme of 15 questions rarely repeats a phrase: its only shared phrases were
    "young adult" or "high school", while single phrases named its problem). ``exclude``
    defaults to the personal names of ``texts``.
    """
    labels = np.asarray(labels)
    top_n = LABEL_CANDIDATES if top_n is None else top_n
    if exclude is None:
        from .names import personal_names

        exclude = personal_names(texts)
    exclude = frozenset(_bare(w.lower()) for w in exclude)
    edge = _edge_stop()
    classes = sorted(set(labels.tolist()))
    per_class: dict[int, dict[str, int]] = {}
    sizes: dict[int, int] = {}
    for c in classes:
        seen: dict[str, set] = {}
        members = np.flatnonzero(labels == c)
        for i in members:
            unit = (i,) if groups is None or _missing(groups[i]) else ("g", groups[i])
            for phrase in text_phrases(texts[i], edge, exclude):
                seen.setdefault(phrase, set()).add(unit)
        per_class[c] = {p: len(u) for p, u in seen.items()
                        if len(u) >= 2 or all(_known_word(w) for w in p.split())}
        sizes[c] = len(set(((i,) if groups is None or _missing(groups[i]) else ("g", groups[i]))
                           for i in members))
    total: dict[str, int] = {}
    for counts in per_class.values():
        for phrase, n in counts.items():
            total[phrase] = total.get(phrase, 0) + n
    average = np.mean([sum(c.values()) for c in per_class.values()]) if per_class else 0.0
    out: dict[int, list[tuple[str, int]]] = {}
    for c in classes:
        if c < 0:
            continue
        shared = {p: n for p, n in per_class[c].items() if n >= 2} or per_class[c]
        if heads is not None:
            wanted = {_stem(w) for w in heads.get(c, ())}
            with_head = {p: n for p, n in shared.items() if _head_rank(p, wanted) is not None}
            if LABEL_FILL and len(with_head) < top_n:
                with_head.update({p: n for p, n in per_class[c].items() if _head_rank(p, wanted) is not None})
            shared = with_head or shared
        cover = _phrase_word_coverage(texts, np.flatnonzero(labels == c), groups, shared)
        scored = sorted((-round((n / sizes[c]) * float(np.log(1.0 + average / total[p])), 9),
                         -round(cover[p], 9), p, n) for p, n in shared.items())
        out[int(c)] = [(p, n) for _, _, p, n in scored[:top_n]]
    return out


def _phrase_word_coverage(texts: Sequence[str], members: np.ndarray, groups, phrases) -> dict[str, float]:
    """Per phrase: the largest share of the members' conversations using one of its words
    (stemmed; stop words and words of two letters or fewer do not count)."""
    stop = _stop_words()
    units: dict[str, set] = {}
    for i in members:
        unit = (i,) if groups is None or _missing(groups[i]) else ("g", groups[i])
        for w in _phrase_tokens(texts[i]):
            units.setdefault(_stem(w), set()).add(unit)
    n = max(len({(i,) if groups is None or _missing(groups[i]) else ("g", groups[i]) for i in members}), 1)
    return {p: max((len(units.get(_stem(w), ())) / n for w in p.split() if w not in stop and len(w) > 2),
                   default=0.0) for p in phrases}


def _word_coverage(texts: Sequence[str], labels: np.ndarray, theme: int, phrases: Sequence[str],
                   groups: Sequence[Hashable | None] | None) -> list[float]:
    """Per phrase: the largest share of the theme's conversations that use one of its words
    (a word of two letters or fewer, or a stop word, does not count)."""
    cover = _phrase_word_coverage(texts, np.flatnonzero(np.asarray(labels) == theme), groups, phrases)
    return [cover[p] for p in phrases]


def _phrase_tokens(text: str) -> list[str]:
    return [w for run in _phrase_runs(text) for w in run]


def theme_labels(texts: Sequence[str], labels: np.ndarray, centroids: Mapping[int, np.ndarray],
                 embed: Callable[[list[str]], np.ndarray], *,
                 groups: Sequence[Hashable | None] | None = None,
                 exclude: Iterable[str] | None = None,
                 keywords: Mapping[int, Sequence[str]] | None = None,
                 use_weight: float | None = None, other_weight: float | None = None,
                 diversity: float | None = None, head_weight: float | None = None,
                 coverage_weight: float | None = None) -> dict[int, str]:
    """A label per theme: the candidate phrase that best names its texts (KeyBERT's method).

    The theme is the document: ``label_candidates`` proposes the phrases, ``embed`` (the
    same encoder as the texts; the caller caches it, so the dashboard never loads a model)
    embeds them, and each phrase p of theme c is scored

        cos(p, c) − other_weight · max_{c' ≠ c} cos(p, c') + use_weight · ln(uses)
                  + coverage_weight · (share of c's conversations using p's commonest word)
                  − diversity · max cos(p, labels already chosen)

    so a phrase near its own theme wins, one many conversations share (in its words or as a
    whole) beats one client's turn of phrase ("sex life", not "comes home"), and labels of
    different themes differ (maximal marginal relevance across the scope's labels, in theme
    order; an exact repeat is never chosen; ties alphabetical). The candidates are the
    phrases of ``label_candidates`` and the ``keyword_pairs`` of the theme's first
    ``LABEL_PAIRS`` noun keywords (scored alike, one use each). A theme without a candidate
    falls back to ``keyword_label`` of its keywords. Deterministic for the same texts in
    any order.
    """
    use_weight = LABEL_USE_WEIGHT if use_weight is None else use_weight
    other_weight = LABEL_OTHER_WEIGHT if other_weight is None else other_weight
    diversity = LABEL_DIVERSITY if diversity is None else diversity
    head_weight = LABEL_HEAD_WEIGHT if head_weight is None else head_weight
    coverage_weight = LABEL_COVERAGE_WEIGHT if coverage_weight is None else coverage_weight
    labels = np.asarray(labels)
    if exclude is None:
        from .names import personal_names

        exclude = personal_names(texts)
    distinctive = theme_keywords(texts, labels, 2 * LABEL_HEADS, exclude=exclude)
    heads = {c: [k for k in words if " " not in k][:LABEL_HEADS] for c, words in distinctive.items()}
    keywords = distinctive if keywords is None else keywords
    candidates = label_candidates(texts, labels, groups=groups, exclude=exclude, heads=heads)
    if LABEL_PAIRS:
        for c, pairs in keyword_pairs(heads, LABEL_PAIRS).items():
            if c in candidates:
                have = {p for p, _ in candidates[c]}
                candidates[c] = candidates[c] + [(p, 1) for p in pairs if p not in have]
    phrases = sorted({p for ps in candidates.values() for p, _ in ps})
    vectors = _normalize(np.asarray(embed(phrases), dtype=np.float32)) if phrases else None
    row = {p: i for i, p in enumerate(phrases)}
    theme_ids = [c for c in sorted(candidates) if c in centroids]
    cents = (_normalize(np.stack([np.asarray(centroids[c], dtype=np.float32) for c in theme_ids]))
             if theme_ids else np.zeros((0, 1), dtype=np.float32))
    chosen: list[str] = []
    out: dict[int, str] = {}
    for c in sorted(candidates):
        options = [p for p, _ in candidates[c] if p not in chosen and p not in out.values()]
        if LABEL_MIN_SUPPORT and options:
            # a label names what the theme's conversations share: none whose words far fewer of
            # them use than the words of its best-supported candidate (taken or not)
            support = dict(zip([p for p, _ in candidates[c]],
                               _word_coverage(texts, labels, c, [p for p, _ in candidates[c]], groups)))
            floor = LABEL_MIN_SUPPORT * max(support.values())
            options = [p for p in options if support[p] >= floor]
        if options and c in centroids:
            v = vectors[[row[p] for p in options]]
            sims = v @ cents.T
            own = theme_ids.index(c)
            score = sims[:, own] + use_weight * np.log([dict(candidates[c])[p] for p in options])
            if coverage_weight:
                score = score + coverage_weight * np.array(_word_coverage(texts, labels, c, options, groups))
            ranks = [_head_rank(p, [_stem(w) for w in heads.get(c, [])]) for p in options]
            score = score + head_weight * np.array([0.0 if r is None else 1.0 - r / LABEL_HEADS for r in ranks])
            if len(theme_ids) > 1:
                score = score - other_weight * np.delete(sims, own, axis=1).max(axis=1)
            if chosen:
                score = score - diversity * (v @ vectors[[row[p] for p in chosen]].T).max(axis=1)
            choice = min(zip((-np.round(score, 5)).tolist(), options))[1]
            out[c] = choice
            chosen.append(choice)
            continue
        members = [texts[i] for i in np.flatnonzero(labels == c)]
        out[c] = keyword_label(list((keywords or {}).get(c, [])), members, taken=set(out.values()))
    return out


@functools.lru_cache(maxsize=65536)
def _noun(word: str) -> bool:
    """The English lexicon reads the word as a noun, and as a verb only in its base form
    ("anxiety", "daughter", "trust"): not an inflected verb ("calls", "drove") or an adverb."""
    from lemminflect import getAllLemmas

    readings = getAllLemmas(word)
    if "NOUN" not in readings or "ADV" in readings:
        return False  # unknown ("ugh"), or also an adverb ("left", "home"); an adjective reading
        # stays ("quiet", but also "panic" and, in this lexicon, "daughter")
    # an inflected verb form that is also a noun reads as the verb beside another word
    # ("parents and calls", "home and works", "bakery and left"): not a keyword to join
    return not any(v != word for v in readings.get("VERB", ()))


def keyword_pairs(heads: Mapping[int, Sequence[str]], n_words: int) -> dict[int, list[str]]:
    """Per theme, "A and B" for each two of its first ``n_words`` keywords that are nouns and
    name different things (``_concepts``): "anxiety and panic", "dad and daughter". A short
    client theme often says its problem in one word ("I have anxiety"), in no phrase."""
    edge = _edge_stop()
    out: dict[int, list[str]] = {}
    for c, words in heads.items():
        nouns = [w for w in words if len(w) > 2 and w not in edge and w not in _FILLER_WORDS
                 and _known_word(w) and _noun(w)][:n_words]
        out[c] = [f"{a} and {b}" for i, a in enumerate(nouns) for b in nouns[i + 1:]
                  if not _concepts(a) & _concepts(b)]
    return out


# Words that name the same thing: a keyword label never joins two of them ("mom and mother").
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


def keyword_label(keywords: Sequence[str], texts: Sequence[str] = (), taken: Iterable[str] = ()) -> str:
    """The fallback label of 2–5 words from a theme's keywords, e.g. "work pressure and deadlines".

    The head is the keyword (of the top five) used by the most texts of the theme, weighted
    by its c-TF-IDF rank; a bigram containing the head word replaces it (more specific) and
    is the label: adjacent words of the texts ("dull headache", not "dull headache and
    times"), unless another theme of the scope has it (``taken``). Otherwise the head is
    joined with "and" to a second keyword sharing no word.
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
    words = head.split()
    if len(words) > 1 and head not in set(taken):
        return head  # two adjacent words of the clients' own ("dull headache"), not a pair
    used = _concepts(head)
    second = next((k for k in candidates if k != head and not _concepts(k) & used), None)
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


