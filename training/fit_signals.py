"""Fit the per-text signal weights from the labeled public eval data.

    python training/fit_signals.py [--embed-only]      # eval data: $INTERLUDE_EVAL_DATA or ../shared/eval-data
    python training/fit_signals.py --emotion-gate      # the emotion gate's validation table

Writes ``pipelines/nlp/models/signals.npz`` (logistic-regression heads on the 384-d
MiniLM embeddings, plus lexicon-feature weights; the text-level stress and insight heads also
carry a weight per hashed word / word-pair bucket, ``pipelines/nlp/ngrams.py``). Skips with a message when the eval data
is absent. Deterministic: fixed seeds, fixed subsamples, liblinear/lbfgs solvers.

Embeddings are fp32 (the exported fp32 ONNX graph when it is in the model cache, which
agrees with PyTorch at cosine ≈ 1.0 and is batch invariant; PyTorch otherwise), never the
int8 graph, whose per-batch activation quantization makes a text's vector depend on its
neighbours. Embeddings of the eval data are cached under ``bench/out/eval_embeddings/`` (one .npy per
data set, keyed by a hash of its distinct texts and sentences), so reruns are fast; so are
the units' lexicon features, keyed by the units and a digest of lexicons.py, sentences.py and
the lexicon part of signals.py (any change to them recomputes).
``bench/signal_quality.py`` and ``bench/nlp_quality.py`` import the loaders, the cache and
the fitting code from here (they measure; this module fits).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from pipelines.nlp import lexicons  # noqa: E402
from pipelines.nlp.ngrams import hashed_matrix  # noqa: E402
from pipelines.nlp.sentences import split_sentences  # noqa: E402

def _default_eval_data() -> Path:
    """``../shared/eval-data`` beside the project (or beside the folder of worktrees)."""
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "eval-data").exists():
            return base / "shared" / "eval-data"
    return ROOT.parent / "shared" / "eval-data"


EVAL_DATA = Path(os.environ.get("INTERLUDE_EVAL_DATA") or _default_eval_data())
# INTERLUDE_EVAL_CACHE: one cache shared by several worktrees (writes are atomic renames).
CACHE = Path(os.environ.get("INTERLUDE_EVAL_CACHE") or ROOT / "bench" / "out" / "eval_embeddings")
MODEL_OUT = ROOT / "pipelines" / "nlp" / "models" / "signals.npz"
SEED = 13
EVAL_FOLD = 0  # the held-out fold of the benches (bench/signal_quality.HOLDOUT)
MAX_SENTENCES = 40  # sentences per post kept for embedding (the head of the post)
GOEMO_SAMPLE = 14000  # GoEmotions rows embedded (plus every `realization` row; --quick uses fewer)

# GoEmotions 27 labels -> Interlude's 10-word vocabulary: the GoEmotions paper's Ekman
# grouping (anger <- anger, annoyance, disapproval, disgust), with confusion as anxiety (the
# uncertainty of "I don't know what to do"; nervousness alone is 67 of 14,735 rows, too few
# to learn anxiety from). Tried in signals-4 and reverted: disapproval and confusion as
# neutral (a judgement / a state of knowing) emptied anxiety and cut the pseudo-chats'
# dominant-emotion accuracy 0.463 -> 0.197 and GoEmotions macro-F1 (bench --quick).
GOEMO_MAP = {
    "anger": "anger", "annoyance": "anger", "disapproval": "anger", "disgust": "anger",
    "nervousness": "anxiety", "confusion": "anxiety",
    "sadness": "sadness", "grief": "sadness", "disappointment": "sadness", "remorse": "shame",
    "embarrassment": "shame",
    "fear": "fear",
    "joy": "joy", "amusement": "joy", "excitement": "joy", "love": "joy", "admiration": "joy",
    "pride": "joy", "surprise": "joy",
    "relief": "calm", "caring": "calm", "approval": "calm",
    "gratitude": "gratitude",
    "optimism": "hope", "desire": "hope",
    "curiosity": "neutral", "realization": "neutral", "neutral": "neutral",
}
# GoEmotions' own sentiment grouping, for the valence head.
GOEMO_POSITIVE = {"admiration", "amusement", "approval", "caring", "desire", "excitement",
                  "gratitude", "joy", "love", "optimism", "pride", "relief"}
GOEMO_NEGATIVE = {"anger", "annoyance", "disappointment", "disapproval", "disgust",
                  "embarrassment", "fear", "grief", "nervousness", "remorse", "sadness"}


def have_eval_data() -> bool:
    return (EVAL_DATA / "dreaddit_train.csv").exists()


# ---------------------------------------------------------------------------- embedding cache

@functools.lru_cache(maxsize=1)
def fp32_encode():
    """An fp32 ``encode(texts)``: the cached fp32 ONNX export when present (same numbers as
    PyTorch to ~1e-6, ~2x faster on a CPU), else PyTorch itself."""
    from pipelines.nlp import embed

    try:
        from pipelines.nlp.onnx_backend import OnnxEncoder

        path = embed.model_cache_dir() / "minilm-fp32.onnx"
        if path.exists():
            return OnnxEncoder(path, Path(embed.model_path())).encode
    except Exception as error:  # noqa: BLE001 - fall back to PyTorch, say so
        print(f"  fp32 ONNX graph unusable ({type(error).__name__}); embedding with PyTorch",
              file=sys.stderr)
    return embed.embed_texts


def _hash(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).digest()


def cached_embed(name: str, texts: list[str]) -> np.ndarray:
    """Embeddings of ``texts``; units already in ``CACHE/<name>.npz`` are not embedded again.

    The cache is keyed by a hash of each unit's text, so a change to the sentence splitter
    only embeds the sentences that changed.
    """
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{name}.npz"
    keys = np.array([_hash(t) for t in texts], dtype="S12")
    known: dict[bytes, int] = {}
    old_keys = np.zeros(0, dtype="S12")
    old_vecs = np.zeros((0, 384), dtype=np.float32)
    if path.exists():
        with np.load(path) as z:
            old_keys, old_vecs = z["keys"], z["vectors"]
        known = {k: i for i, k in enumerate(old_keys.tolist())}
    missing = [i for i, k in enumerate(keys.tolist()) if k not in known]
    if missing:
        embed_texts = fp32_encode()
        t0 = time.time()
        new_vecs = np.zeros((0, 384), dtype=np.float32)
        step = 4000  # save progress in chunks
        for start in range(0, len(missing), step):
            idx = missing[start:start + step]
            new_vecs = np.vstack([new_vecs, embed_texts([texts[i] for i in idx])])
            all_keys = np.concatenate([old_keys, keys[missing[:start + len(idx)]]])
            all_vecs = np.vstack([old_vecs, new_vecs])
            tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
            np.savez(tmp, keys=all_keys, vectors=all_vecs)
            os.replace(tmp, path)  # atomic: a reader in another process never sees half a file
        print(f"  embedded {len(missing)} units of {name} in {time.time() - t0:.0f}s",
              file=sys.stderr)
        old_keys, old_vecs = all_keys, all_vecs
        known = {k: i for i, k in enumerate(old_keys.tolist())}
    return old_vecs[[known[k] for k in keys.tolist()]]


class UnitStore:
    """Every distinct text unit of a data set (whole texts and their sentences), embedded once.

    ``store.embed`` is an ``embed`` callable for ``signals.text_signals``: a dict lookup,
    falling back to the live model for a unit outside the cached set.
    """

    def __init__(self, name: str, texts: list[str], *, whole: bool = True,
                 max_sentences: int = MAX_SENTENCES, split_rows=None):
        # ``split_rows``: only these rows are split into sentences (the others are their own
        # single unit): GoEmotions comments are short, and only the held-out ones are scored
        # sentence by sentence through text_signals.
        self.whole, self.max_sentences = whole, max_sentences
        self.sentences = [split_sentences(t)[:max_sentences] if split_rows is None or split_rows[i]
                          else [t] for i, t in enumerate(texts)]
        units: dict[str, None] = {}
        if whole:
            for t in texts:
                units.setdefault(t, None)
        for ss in self.sentences:
            for s in ss:
                units.setdefault(s, None)
        self.units = list(units)
        self.index = {u: i for i, u in enumerate(self.units)}
        self.vectors = cached_embed(name, self.units)

    def vec(self, texts: list[str]) -> np.ndarray:
        return self.vectors[[self.index[t] for t in texts]]

    def embed(self, texts: list[str]) -> np.ndarray:
        if not self.whole:
            # a store built without whole texts (C-SSRS: risk reads sentences only) answers
            # for a whole text with its sentences' normalized mean instead of encoding it
            texts = list(texts)
            out = np.zeros((len(texts), 384), dtype=np.float32)
            known = [i for i, t in enumerate(texts) if t in self.index]
            if known:
                out[known] = self.vec([texts[i] for i in known])
            for i in (i for i, t in enumerate(texts) if t not in self.index):
                ss = [s for s in split_sentences(texts[i])[:self.max_sentences] if s in self.index]
                if ss:
                    m = self.vec(ss).mean(axis=0)
                    out[i] = m / max(float(np.linalg.norm(m)), 1e-9)
            return out
        missing = [t for t in texts if t not in self.index]
        if missing:
            extra = fp32_encode()(missing)
            for t, v in zip(missing, extra):
                self.index[t] = len(self.units)
                self.units.append(t)
            self.vectors = np.vstack([self.vectors, extra])
        return self.vec(texts)


# ------------------------------------------------------------------------------- data loaders

def load_dreaddit() -> pd.DataFrame:
    return pd.read_csv(EVAL_DATA / "dreaddit_train.csv")


def load_goemotions() -> pd.DataFrame:
    """A fixed subsample: GOEMO_SAMPLE random rows (``in_sample``) plus every realization row."""
    df = pd.read_csv(EVAL_DATA / "goemotions_train.csv")
    rng = np.random.default_rng(SEED)
    sample = np.zeros(len(df), dtype=bool)
    sample[rng.choice(len(df), min(len(df), GOEMO_SAMPLE), replace=False)] = True
    df["in_sample"] = sample
    df = df[sample | (df["realization"] == 1)].reset_index(drop=True)
    labels = df["emotions"].str.split("|")
    df["emotion10"] = [_map_emotions(ls) for ls in labels]
    pos = labels.map(lambda ls: any(l in GOEMO_POSITIVE for l in ls))
    neg = labels.map(lambda ls: any(l in GOEMO_NEGATIVE for l in ls))
    df["sentiment"] = np.where(pos & ~neg, 1, np.where(neg & ~pos, -1, 0))
    return df


def _map_emotions(labels: list[str]) -> str:
    """Several labels: the first non-neutral one in GoEmotions' order (its label order)."""
    mapped = [GOEMO_MAP.get(l, "neutral") for l in labels]
    for m in mapped:
        if m != "neutral":
            return m
    return "neutral"


def load_annomi() -> pd.DataFrame:
    return pd.read_csv(EVAL_DATA / "annomi_client.csv")


def load_cssrs() -> pd.DataFrame:
    return pd.read_csv(EVAL_DATA / "cssrs_dev.csv")


def stores() -> dict[str, tuple[pd.DataFrame, UnitStore]]:
    """Every data set with its embedded units (embeds what is not cached yet)."""
    out = {}
    dd = load_dreaddit()
    out["dreaddit"] = (dd, UnitStore("dreaddit", dd["text"].tolist()))
    ge = load_goemotions()
    out["goemotions"] = (ge, UnitStore("goemotions", ge["text"].tolist(),
                                       split_rows=folds_for(ge["doc_id"]) == EVAL_FOLD))
    an = load_annomi()
    out["annomi"] = (an, UnitStore("annomi", an["text"].tolist()))
    cs = load_cssrs()
    out["cssrs"] = (cs, UnitStore("cssrs", cs["text"].tolist(), whole=False))
    return out


# ------------------------------------------------------------------ hand-written examples
# Written for Interlude (not taken from any data set): anchors for the risk heads, so the
# embedding classifier learns first-person risk statements against hard look-alikes.
OWN_URGENT = [
    "I'm going to kill myself tonight.", "I have the pills saved up and I know how many to take.",
    "I wrote a note for my parents and I'm ready to end it.", "I tried to hang myself last year.",
    "Last spring I overdosed on my meds and woke up in the hospital.",
    "I cut my arms again last night.", "I've been cutting every night this week.",
    "I bought a rope and I keep looking at it.", "I decided I'm going to end my life this weekend.",
    "I have a plan and a date.", "I want to kill myself and I know how I'd do it.",
    "I stood on the bridge for an hour tonight thinking about jumping.",
    "I've been researching painless ways to die.", "My last attempt was in March.",
    "I took a whole bottle of pills after the fight.", "I burned myself with a lighter again.",
    "I'm done, tonight is the night.", "I gave my cat to my sister so she's looked after when I'm gone.",
    "I keep a razor in my drawer for when it gets bad.", "I survived my second suicide attempt.",
    "I'm going to take all of my sleeping pills.", "I drove to the cliff and sat there for a long time ready to go.",
    "i really want to kill myself right now", "i have enough tablets to do it",
    "I hurt myself on purpose again today.", "I put the gun to my head last night.",
]
OWN_WATCH = [
    "I don't want to be here anymore.", "Some days I wish I could just not wake up.",
    "Everyone would be better off without me.", "I keep thinking about dying.",
    "What's the point of any of this.", "I'm so tired of being alive.",
    "I wish I could disappear for good.", "I have been having suicidal thoughts again.",
    "I don't see a future for myself.", "I feel like a burden to everyone around me.",
    "Sometimes I think about not existing.", "I can't keep living like this.",
    "there's no reason for me to keep going", "I used to cut in high school.",
    "i just want it all to stop", "I feel completely hopeless and trapped.",
    "Nobody would even notice if I was gone.", "I'd rather be dead than feel like this.",
]
OWN_NONE = [
    "This commute is killing me.", "My feet are killing me after that shift.",
    "I would never kill myself, I love my kids too much.", "I'm not suicidal, just exhausted.",
    "My friend tried to kill herself last year and I still worry about her.",
    "My brother cuts himself and I don't know how to help him.",
    "I nearly died laughing at that video.", "I'd kill for a coffee right now.",
    "The deadline is going to be the death of me.", "I'm dying to see that movie.",
    "We watched a documentary about suicide prevention.", "If you ever feel like hurting yourself, call a hotline.",
    "My grandmother died last spring and I miss her.", "I cut my finger chopping onions.",
    "I'm planning a trip to see my sister.", "My phone died in the middle of the call.",
    "I take my pills every morning with breakfast.", "I'm scared of dying in a car crash.",
    "My review is on Thursday and my chest is tight.", "I slept badly and snapped at my partner.",
    "Work has been overwhelming and I can't switch off.", "I had a good walk by the river.",
    "Thank you for listening to me today.", "I realized I expect to be criticized like my dad did.",
    "I'm bored to death in these meetings.", "My dad said he wanted to die when he was sick.",
    "She attempted the exam twice before passing.", "I'm cutting back on sugar.",
    "I killed it at the presentation today.", "The heat is unbearable, I'm dying out here.",
    "I have not hurt myself in two years and I'm proud of that.", "I don't want to die, I want things to change.",
    "I tried to end things with him but he kept calling.", "I'm done with this job.",
]
OWN_INSIGHT = [
    "I think I realize now that it's not the job, it's that I'm scared of failing.",
    "It just clicked that I go quiet whenever someone raises their voice, like I did as a kid.",
    "I noticed I only skip meals when my mom calls.", "That makes sense now, I've been avoiding the real issue.",
    "Looking back, I see that I pushed people away before they could leave me.",
    "Maybe the reason I overwork is that I don't feel worth anything otherwise.",
    "I'm starting to understand why weekends make me anxious.", "It hit me that I've been copying my father's temper.",
]
OWN_PLAIN = [
    "I went to work and then came home.", "The meeting was moved to Thursday.",
    "I had pasta for dinner.", "My sister called in the afternoon.", "It rained most of the day.",
    "I did the laundry and watched a show.", "Traffic was bad this morning.", "I have a review on Friday.",
]


# ------------------------------------------------------------------------------- fitting

def _lr(x, y, *, c=1.0, weight=None, balanced=False, multi=False, max_iter=400):
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, max_iter=max_iter, class_weight="balanced" if balanced else None,
                               random_state=SEED)
    model.fit(x, y, sample_weight=weight)
    return model


def folds_for(ids, k: int = 5) -> np.ndarray:
    """Fold id (0..k-1) of each row from a hash of its id (or group id: a user, a transcript),
    so a row keeps its fold in every subset of the data (the --quick benches' subsets too)."""
    return np.array([int.from_bytes(hashlib.blake2b(f"{SEED}:{i}".encode(), digest_size=4).digest(),
                                    "big") % k for i in ids], dtype=int)


def _lexicon_code_key() -> str:
    """Cache key of the bench's lexicon-feature cache: a digest of the code the features are
    computed by, so a cache written under other code is never read. A cache key only: the
    version of the signals is ``signals.SIGNALS_VERSION``, an explicit constant."""
    here = ROOT / "pipelines" / "nlp"
    digest = hashlib.md5()
    for name in ("lexicons.py", "sentences.py"):
        digest.update((here / name).read_bytes())
    # signals.py up to the end of ``lexicon_features`` (the features and the risk lexicon);
    # the heads, gates and aggregation below it do not change the cached features
    source = (here / "signals.py").read_text()
    digest.update(source[:source.index("\ndef is_courtesy(")].encode())
    return digest.hexdigest()[:12]


def cached_lexicon_features(name: str, units: list[str]):
    """``signals.lexicon_features(units)``, remembered on disk under ``CACHE`` per unit (by the
    unit's hash) and the lexicon code's key: a rerun, or a subset (the --quick benches), with
    the same lexicon code skips the ~80,000 regex-scoped sentences (minutes); any change to
    lexicons.py / signals.py / sentences.py starts a new cache."""
    import pickle

    from pipelines.nlp.signals import FEATURES, lexicon_features

    code = _lexicon_code_key()
    keys = [_hash(u) for u in units]
    known: dict[bytes, tuple] = {}
    for path in sorted(CACHE.glob(f"{name}.*lexicon-{code}.pkl")):
        with path.open("rb") as f:
            saved = pickle.load(f)
        if isinstance(saved, dict):  # {"keys", "feat", "lex"}
            known.update(zip(saved["keys"], zip(saved["feat"], saved["lex"])))
        elif len(saved[1]) == len(units):  # older layout: one file per exact list of units
            digest = hashlib.md5()
            for k in keys:
                digest.update(k)
            if path.name.startswith(f"{name}.{digest.hexdigest()[:12]}."):
                known.update(zip(keys, zip(saved[0], saved[1])))
    missing = [i for i, k in enumerate(keys) if k not in known]
    if missing:
        feat, lex = lexicon_features([units[i] for i in missing])
        for j, i in enumerate(missing):
            known[keys[i]] = (feat[j], lex[j])
        CACHE.mkdir(parents=True, exist_ok=True)
        path = CACHE / f"{name}.lexicon-{code}.pkl"
        all_keys = list(known)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as f:
            pickle.dump({"keys": all_keys, "feat": np.array([known[k][0] for k in all_keys]),
                         "lex": [known[k][1] for k in all_keys]}, f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    feats = np.array([known[k][0] for k in keys], dtype=np.float32).reshape(len(keys), len(FEATURES))
    return feats, [known[k][1] for k in keys]


class Prepared:
    """Every data set's units with embeddings and lexicon features, computed once."""

    def __init__(self):
        from pipelines.nlp.signals import lexicon_features

        self.data = stores()
        self.feat: dict[str, np.ndarray] = {}
        self.lex: dict[str, list] = {}
        for name, (_, store) in self.data.items():
            f, lex = cached_lexicon_features(name, store.units)
            self.feat[name], self.lex[name] = f, lex
        own = OWN_URGENT + OWN_WATCH + OWN_NONE + OWN_INSIGHT + OWN_PLAIN
        self.own_units = own
        self.own_vec = cached_embed("own", own)
        self.own_feat, self.own_lex = lexicon_features(own)
        dd, _ = self.data["dreaddit"]
        ge, _ = self.data["goemotions"]
        an, _ = self.data["annomi"]
        cs, _ = self.data["cssrs"]
        self.fold = {
            "dreaddit": folds_for(dd["doc_id"]),
            "goemotions": folds_for(ge["doc_id"]),
            "annomi": folds_for(an["transcript_id"]),
            "cssrs": folds_for(cs["user_id"]),
        }

    def pooled(self, name: str, mask) -> tuple[np.ndarray, np.ndarray]:
        """(mean, max) of the sentence embeddings of the data set's rows in ``mask``."""
        from pipelines.nlp.signals import pooled_embeddings

        store = self.data[name][1]
        rows = np.flatnonzero(np.asarray(mask))
        return pooled_embeddings(store.vectors, [[store.index[u] for u in store.sentences[i]]
                                                 for i in rows])

    def rows(self, name: str, texts: list[str]):
        store = self.data[name][1]
        idx = [store.index[t] for t in texts]
        return store.vectors[idx], self.feat[name][idx]


def feature_scaling(prep: Prepared) -> tuple[np.ndarray, np.ndarray]:
    """(mean, scale) standardizing the lexicon features, from every unit of every data set."""
    allf = np.vstack([prep.feat[k] for k in prep.feat] + [prep.own_feat])
    return allf.mean(axis=0), allf.std(axis=0) + 1e-6


def fit_weights(prep: Prepared, holdout: int | None = None, risk_holdout=None,
                verbose: bool = False, base: dict | None = None) -> dict[str, np.ndarray]:
    """All heads, fitted on every row whose fold is not ``holdout`` (cssrs: not in
    ``risk_holdout``, one fold id or several).

    With ``base``, only the risk heads are refitted; the other heads are copied from it.
    """
    from pipelines.nlp.signals import EMOTIONS, FEATURES

    t0 = time.time()
    keep = {k: (f != holdout) for k, f in prep.fold.items()}
    out = np.atleast_1d(np.asarray(risk_holdout if risk_holdout is not None else [], dtype=object))
    keep["cssrs"] = ~np.isin(prep.fold["cssrs"], [o for o in out if o is not None])
    # feature standardization from all units
    mean, scale = feature_scaling(prep)
    w: dict[str, np.ndarray] = {"feat_mean": mean, "feat_scale": scale,
                                "feature_names": np.array(FEATURES)}

    def design(v, f):
        return np.hstack([v, (f - w["feat_mean"]) / w["feat_scale"]]).astype(np.float32)

    def store_head(prefix, model, binary=True):
        if binary:
            w[f"{prefix}_w"] = model.coef_[0].astype(np.float32)
            w[f"{prefix}_b"] = np.float32(model.intercept_[0])
        else:
            w[f"{prefix}_W"] = model.coef_.astype(np.float32)
            w[f"{prefix}_b"] = model.intercept_.astype(np.float32)

    own_x = design(prep.own_vec, prep.own_feat)
    n_u, n_w, n_n, n_i = len(OWN_URGENT), len(OWN_WATCH), len(OWN_NONE), len(OWN_INSIGHT)
    off = n_u + n_w + n_n
    if base is not None:
        w = {k: v for k, v in base.items() if not k.startswith("risk")}
        return _fit_risk(prep, w, keep, design, own_x, off, n_u, n_w, n_n, store_head, verbose, t0)
    # --- emotion and valence: GoEmotions (the random sample only)
    ge = prep.data["goemotions"][0]
    m = keep["goemotions"] & ge["in_sample"].to_numpy()
    v, f = prep.rows("goemotions", ge.loc[m, "text"].tolist())
    x = design(v, f)
    y = ge.loc[m, "emotion10"].map(EMOTIONS.index).to_numpy()
    full, fb = fit_emotion_head(x, y)
    if EMOTION_OFFSETS:
        # per-class offsets of the logits for macro-F1, chosen on a validation fold of the
        # training rows by a head fitted on the rest (never on the held-out fold)
        folds = prep.fold["goemotions"][m]
        val = folds == (1 if holdout in (None, 0) else 0)
        inner = _lr(x[~val], y[~val], c=0.5, balanced=True)
        p = np.zeros((int(val.sum()), len(EMOTIONS)))
        p[:, inner.classes_] = inner.predict_proba(x[val])
        fb = (fb + emotion_offsets(p, y[val])).astype(np.float32)
    w["emotion_W"], w["emotion_b"] = full, fb
    val = _lr(x, ge.loc[m, "sentiment"].to_numpy() + 1, c=0.5, balanced=True)
    store_head("valence", val, binary=False)
    # --- stress: Dreaddit posts (whole-text embedding) plus their sentences at low weight
    dd = prep.data["dreaddit"][0]
    md = keep["dreaddit"]
    v, f = prep.rows("dreaddit", dd.loc[md, "text"].tolist())
    xs = [design(v, f)]
    ys = [dd.loc[md, "stress"].to_numpy()]
    ws = [np.ones(int(md.sum()))]
    stress = _lr(np.vstack(xs), np.concatenate(ys), c=1.0, weight=np.concatenate(ws))
    store_head("stress", stress)
    # --- insight: GoEmotions realization + AnnoMI change talk + own examples
    v, f = prep.rows("goemotions", ge.loc[keep["goemotions"], "text"].tolist())
    xi = [design(v, f)]
    yi = [ge.loc[keep["goemotions"], "realization"].to_numpy()]
    wi = [np.ones(len(yi[0]))]
    an = prep.data["annomi"][0]
    ma = keep["annomi"]
    v, f = prep.rows("annomi", an.loc[ma, "text"].tolist())
    xi.append(design(v, f))
    yi.append((an.loc[ma, "talk_type"] == "change").astype(int).to_numpy())
    wi.append(np.full(int(ma.sum()), 0.5))
    xi.append(own_x[off:])
    yi.append(np.r_[np.ones(n_i), np.zeros(len(OWN_PLAIN))].astype(int))
    wi.append(np.full(n_i + len(OWN_PLAIN), 5.0))
    ins = _lr(np.vstack(xi), np.concatenate(yi), c=0.5, weight=np.concatenate(wi), balanced=True)
    store_head("insight", ins)
    # --- text-level heads on pooled sentence embeddings (mean, max) + lexicon features:
    # what text_signals computes for a text from the sentences it has embedded anyway.
    # Stress on Dreaddit posts; insight as above (GoEmotions, AnnoMI, own examples).
    w["text_whole"] = np.array(TEXT_WHOLE)
    def tdesign(name, mask):
        means, maxes = prep.pooled(name, mask)
        whole, f = prep.rows(name, prep.data[name][0].loc[mask, "text"].tolist())
        parts = [means, maxes] + ([whole] if TEXT_WHOLE else [])
        return np.hstack(parts + [(f - w["feat_mean"]) / w["feat_scale"]]).astype(np.float32)

    def store_text_head(prefix, dense, hashed, share):
        """One text head from two: (1 - share) × the dense head's logit + share × the hashed
        words-and-pairs head's logit (``signals.text_head_scores`` adds them back up)."""
        if hashed is None or share <= 0:
            store_head(prefix, dense)
            return
        w[f"{prefix}_w"] = ((1 - share) * dense.coef_[0]).astype(np.float32)
        w[f"{prefix}_b"] = np.float32((1 - share) * dense.intercept_[0] + share * hashed.intercept_[0])
        w[f"{prefix}_hash"] = (share * hashed.coef_[0]).astype(np.float32)

    ys = dd.loc[md, "stress"].to_numpy()
    st_text = _lr(tdesign("dreaddit", md), ys, c=STRESS_TEXT_C)
    st_hash = (_lr(hashed_matrix(dd.loc[md, "text"].tolist()), ys, c=STRESS_HASH_C, max_iter=2000)
               if STRESS_HASH_SHARE > 0 else None)
    store_text_head("stress_text", st_text, st_hash, STRESS_HASH_SHARE)
    own_t = np.hstack([prep.own_vec[off:]] * (3 if TEXT_WHOLE else 2)
                      + [(prep.own_feat[off:] - w["feat_mean"]) / w["feat_scale"]]).astype(np.float32)
    xt = [tdesign("goemotions", keep["goemotions"]), tdesign("annomi", ma), own_t]
    # the text head weighs AnnoMI change talk less than the sentence head does (see
    # INSIGHT_TEXT_ANNOMI_WEIGHT)
    wt = np.concatenate([wi[0], np.full(int(ma.sum()), INSIGHT_TEXT_ANNOMI_WEIGHT), wi[2]])
    ins_t = _lr(np.vstack(xt), np.concatenate(yi), c=INSIGHT_TEXT_C, weight=wt, balanced=True)
    ins_hash = None
    if INSIGHT_HASH_SHARE > 0:
        texts = (ge.loc[keep["goemotions"], "text"].tolist() + an.loc[ma, "text"].tolist()
                 + prep.own_units[off:])
        ins_hash = _lr(hashed_matrix(texts), np.concatenate(yi), c=INSIGHT_HASH_C,
                       weight=wt, balanced=True, max_iter=2000)
    store_text_head("insight_text", ins_t, ins_hash, INSIGHT_HASH_SHARE)
    w.update(_zero_risk())
    return _fit_risk(prep, w, keep, design, own_x, off, n_u, n_w, n_n, store_head, verbose, t0)


def fit_emotion_head(x: np.ndarray, y: np.ndarray, c: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """(W, b) of the emotion head: a class-balanced multinomial logistic regression; a class
    absent from ``y`` gets bias -10 (never predicted)."""
    from pipelines.nlp.signals import EMOTIONS

    emo = _lr(x, y, c=c, balanced=True)
    full = np.zeros((len(EMOTIONS), x.shape[1]), np.float32)
    fb = np.full(len(EMOTIONS), -10.0, np.float32)
    full[emo.classes_] = emo.coef_
    fb[emo.classes_] = emo.intercept_
    return full, fb


EMOTION_GATE_GRID = {"margin": (0.0, 0.1, 0.2, 0.3), "min_prob": (0.0, 0.3, 0.4, 0.5)}


def emotion_gate_table(prep: Prepared, folds=(1, 2), grid=EMOTION_GATE_GRID) -> pd.DataFrame:
    """``signals.EMOTION_MARGIN`` x ``EMOTION_MIN_PROB`` scored on validation folds, never on
    ``EVAL_FOLD``: per fold v (a training fold), an emotion head fitted on the other training
    folds labels fold v's comments sentence by sentence (a text takes its strongest
    sentence's label, as ``text_signals``): per-text macro-F1, and the accuracy of
    pseudo-chats built from fold v the bench's way (``bench.signal_quality.pseudo_chats``)
    with ``signals.conversation_emotion``. One row per (fold, margin, min_prob)."""
    from sklearn.metrics import f1_score

    from bench.signal_quality import MultiStore, pseudo_chats
    from pipelines.nlp import signals as S

    ge, gstore = prep.data["goemotions"]
    fold, sample = prep.fold["goemotions"], ge["in_sample"].to_numpy()
    mean, scale = feature_scaling(prep)

    def design(v, f):
        return np.hstack([v, (f - mean) / scale]).astype(np.float32)

    def sentence_units(texts, embed):
        per = [split_sentences(t) for t in texts]
        distinct = list(dict.fromkeys(s for ss in per for s in ss))
        pos = {s: i for i, s in enumerate(distinct)}
        feats, _ = S.lexicon_features(distinct)
        return distinct, [[pos[s] for s in ss] for ss in per], design(np.asarray(embed(distinct)), feats)

    def text_labels(units, W, b, margin, min_prob):
        distinct, index_lists, x = units
        p = S._softmax(x @ W.T + b)
        lab = S.emotion_labels(p, distinct, margin=margin, min_prob=min_prob)
        strength = np.where(lab == S.EMOTIONS.index("neutral"), 0.0, p[np.arange(len(p)), lab])
        return [S.EMOTIONS[lab[ix[int(strength[ix].argmax())]]] if ix else "neutral"
                for ix in index_lists]

    rows = []
    for v in folds:
        assert v != EVAL_FOLD
        train = sample & (fold != EVAL_FOLD) & (fold != v)
        vx, vf = prep.rows("goemotions", ge.loc[train, "text"].tolist())
        W, b = fit_emotion_head(design(vx, vf), ge.loc[train, "emotion10"].map(S.EMOTIONS.index).to_numpy())
        val = sample & (fold == v)
        texts = sentence_units(ge.loc[val, "text"].tolist(), gstore.embed)
        truth = ge.loc[val, "emotion10"].tolist()
        chats = pseudo_chats(prep, holdout=v)
        chat_units = sentence_units(chats["text"].tolist(), MultiStore(gstore, prep.data["annomi"][1]).embed)
        chat_truth = chats.groupby("chat")["emotion"].first()
        for margin in grid["margin"]:
            for min_prob in grid["min_prob"]:
                pred = text_labels(texts, W, b, margin, min_prob)
                per_text = pd.Series(text_labels(chat_units, W, b, margin, min_prob))
                chat = per_text.groupby(chats["chat"].to_numpy()).agg(S.conversation_emotion)
                rows.append({"fold": v, "margin": margin, "min_prob": min_prob,
                             "macro_f1": f1_score(truth, pred, labels=list(S.EMOTIONS),
                                                  average="macro", zero_division=0),
                             "chat_accuracy": float((chat == chat_truth).mean())})
    return pd.DataFrame(rows)


def emotion_offsets(p: np.ndarray, y: np.ndarray, grid=np.linspace(-1.5, 1.5, 13),
                    passes: int = 2) -> np.ndarray:
    """Per-class additive offsets of the log-probabilities that maximize macro-F1 of the
    argmax (coordinate ascent over ``grid``; offset 0 kept on ties)."""
    from sklearn.metrics import f1_score

    from pipelines.nlp.signals import EMOTIONS

    labels = list(range(len(EMOTIONS)))
    logp = np.log(np.clip(p, 1e-9, 1))
    b = np.zeros(len(EMOTIONS))

    def score(off):
        return f1_score(y, (logp + off).argmax(axis=1), labels=labels, average="macro", zero_division=0)

    for _ in range(passes):
        for k in labels:
            best, best_v = score(b), b[k]
            for v in grid:
                trial = b.copy()
                trial[k] = v
                sc = score(trial)
                if sc > best + 1e-9:
                    best, best_v = sc, v
            b[k] = best_v
    return b


def _zero_risk() -> dict[str, np.ndarray]:
    from pipelines.nlp.signals import FEATURES

    d = 384 + len(FEATURES)
    return {"risk_any_w": np.zeros(d, np.float32), "risk_any_b": np.float32(-10),
            "risk_urgent_w": np.zeros(d, np.float32), "risk_urgent_b": np.float32(-10),
            "risk_thresholds": np.array(RISK_THRESHOLDS, dtype=np.float32)}


def _fit_risk(prep, w, keep, design, own_x, off, n_u, n_w, n_n, store_head, verbose, t0):
    from pipelines.nlp.signals import FEATURES, RISK_BLIND_FEATURES

    # --- risk: weak sentence labels from the scoped lexicon on C-SSRS, everyday negatives
    xr, yany, yurg, wr = [], [], [], []
    cs = prep.data["cssrs"][0]
    st = prep.data["cssrs"][1]
    fi = FEATURES.index("first_person")
    for risk_user, sents, use in zip(cs["user_risk"], st.sentences, keep["cssrs"]):
        if not use:
            continue
        for s in sents:
            j = st.index[s]
            level, _, flags = prep.lex["cssrs"][j]
            blocked = flags["negated"] or flags["third_person"] or flags["idiom"]
            if level != "none":
                lab_any, lab_urg, wt = 1, int(level == "urgent"), 2.0
            elif risk_user == "Supportive" or blocked:
                lab_any, lab_urg, wt = 0, 0, 1.0
            elif flags["topic"] and prep.feat["cssrs"][j, fi]:
                # first-person talk on the topic that the lexicon does not flag: weak labels
                # from the user's C-SSRS level
                # (a watch-level signal only: urgent stays anchored to explicit statements)
                if risk_user in ("Behavior", "Attempt", "Ideation"):
                    lab_any, lab_urg, wt = 1, 0, WEAK_WEIGHT
                else:
                    lab_any, lab_urg, wt = 0, 0, WEAK_WEIGHT
            else:
                continue
            xr.append(j)
            yany.append(lab_any)
            yurg.append(lab_urg)
            wr.append(wt)
    xr_arr = design(st.vectors[xr], prep.feat["cssrs"][xr])
    # everyday negatives: Dreaddit sentences and GoEmotions comments without any risk match
    neg_x = []
    for name in ("dreaddit", "goemotions"):
        df, store = prep.data[name]
        texts = df.loc[keep[name], "text"].tolist()
        rows = np.flatnonzero(keep[name])
        units = sorted({s for i in rows for s in store.sentences[i]})
        idx = [store.index[u] for u in units if prep.lex[name][store.index[u]][0] == "none"]
        rng = np.random.default_rng(SEED)
        idx = rng.choice(idx, min(len(idx), 8000), replace=False)
        neg_x.append(design(store.vectors[idx], prep.feat[name][idx]))
    neg = np.vstack(neg_x)
    own_any = np.r_[np.ones(n_u + n_w), np.zeros(n_n)]
    own_urg = np.r_[np.ones(n_u), np.zeros(n_w + n_n)]
    X = np.vstack([xr_arr, neg, own_x[:off]])
    W = np.concatenate([wr, np.ones(len(neg)), np.full(off, 8.0)])
    Ya = np.concatenate([yany, np.zeros(len(neg)), own_any]).astype(int)
    Yu = np.concatenate([yurg, np.zeros(len(neg)), own_urg]).astype(int)
    blind = [384 + FEATURES.index(f) for f in RISK_BLIND_FEATURES]
    X[:, blind] = 0.0
    store_head("risk_any", _lr(X, Ya, c=0.5, weight=W))
    store_head("risk_urgent", _lr(X, Yu, c=0.5, weight=W))
    w["risk_thresholds"] = np.array(RISK_THRESHOLDS, dtype=np.float32)
    if verbose:
        print(f"fitted heads in {time.time() - t0:.1f}s ({len(X)} risk rows)", file=sys.stderr)
    return w


# ------------------------------------------------------------------ risk thresholds

class RiskTable:
    """C-SSRS posts prepared for fast threshold search: the threshold-free gates of every
    sentence unit, and per post its units and whether an ambiguous context statement is
    raised by another risk sentence of the post (independent of the model)."""

    def __init__(self, prep: Prepared):
        from pipelines.nlp.signals import CONTEXT_SUPPORT, FEATURES, risk_gates

        cs, st = prep.data["cssrs"]
        lex = prep.lex["cssrs"]
        feat = prep.feat["cssrs"]
        self.gates = risk_gates(st.units[:len(feat)], lex, feat[:, FEATURES.index("first_person")])
        self.post_units = [np.array([st.index[s] for s in ss], dtype=int) for ss in st.sentences]
        self.escalated = np.zeros(len(cs), dtype=bool)
        for i, idx in enumerate(self.post_units):
            support = [j for j in idx if lex[j][0] != "none" and lex[j][1] in CONTEXT_SUPPORT]
            self.escalated[i] = any(lex[j][0] != "urgent" and lex[j][2].get("context")
                                    and any(k != j for k in support) for j in idx)
        self.users = cs["user_id"].to_numpy()
        self.truth = cs["user_risk"].to_numpy()
        self.prep = prep
        # every post's units laid end to end, for one vectorized max per post
        lengths = np.array([len(idx) for idx in self.post_units], dtype=int)
        self.flat = (np.concatenate(self.post_units) if len(self.post_units) else np.zeros(0, dtype=int))
        self.starts = np.r_[0, np.cumsum(lengths)[:-1]].astype(int)
        self.nonempty = lengths > 0

    def probabilities(self, w: dict) -> tuple[np.ndarray, np.ndarray]:
        from pipelines.nlp.signals import head_scores

        st = self.prep.data["cssrs"][1]
        feat = self.prep.feat["cssrs"]  # the store may have grown past the prepared units
        h = head_scores(st.vectors[:len(feat)], feat, w)
        return h["risk_any"], h["risk_urgent"]

    def post_ranks(self, p_any, p_urgent, thresholds, posts) -> np.ndarray:
        from pipelines.nlp.signals import risk_ranks

        ranks, _ = risk_ranks(self.gates, p_any, p_urgent, thresholds)
        # the highest unit level of each post (0 for a post without units), 2 if escalated;
        # the same numbers as a loop over posts, without the Python loop
        per_post = np.zeros(len(self.post_units), dtype=np.int8)
        if len(self.flat):
            maxima = np.maximum.reduceat(ranks[self.flat], self.starts[self.nonempty])
            per_post[self.nonempty] = maxima
        per_post[self.escalated] = 2
        return per_post[np.asarray(posts, dtype=int)]


def user_rates(users, truth, post_rank) -> dict[str, float]:
    """Per-user (highest post level) rates: B+A ≥watch, B+A urgent, urgent of each class."""
    df = pd.DataFrame({"u": users, "t": truth, "r": post_rank}).groupby("u").agg(
        t=("t", "first"), r=("r", "max"))
    ba = df["t"].isin(["Behavior", "Attempt"])
    out = {"ba_watch": float((df.loc[ba, "r"] >= 1).mean()), "ba_urgent": float((df.loc[ba, "r"] == 2).mean())}
    for cls in ("Supportive", "Indicator", "Ideation"):
        out[cls] = float((df.loc[df["t"] == cls, "r"] == 2).mean())
    return out


THRESHOLD_GRID = {"watch": (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5),
                  "urgent": (0.1, 0.125, 0.15, 0.175, 0.2, 0.25, 0.3, 0.4),
                  "urgent_any": (0.35, 0.45, 0.6, 0.8)}
# Search target (on training users only): Supportive users urgent <= MAX_SUPPORTIVE_URGENT
# (kept well under the 15 % budget so unseen text has headroom); within it, B+A users flagged
# at least watch up to MIN_BA_WATCH (the most when no grid point reaches it), then the most
# B+A users urgent, then the fewest Supportive users urgent; remaining ties go to the higher
# (more conservative) thresholds.
MIN_BA_WATCH = 0.97
MAX_SUPPORTIVE_URGENT = 0.08


def threshold_key(r: dict[str, float], thr) -> tuple:
    """Sort key of one grid point (higher is better): within the Supportive budget, B+A users
    flagged at least watch up to the target first (when no grid point reaches it, the most:
    ranking on urgent alone used to pick the highest watch threshold and lose recall), then
    B+A urgent, then fewer Supportive urgent, then the higher thresholds."""
    return (r["Supportive"] <= MAX_SUPPORTIVE_URGENT, round(min(r["ba_watch"], MIN_BA_WATCH), 6),
            round(r["ba_urgent"], 6), -round(r["Supportive"], 6), tuple(thr))


def tune_risk_thresholds(prep: Prepared, base: dict, folds, table: RiskTable | None = None,
                         verbose: bool = False) -> np.ndarray:
    """Risk thresholds chosen on the C-SSRS users of ``folds`` only, by an inner cross-
    validation over those folds (each fold scored by risk heads fitted on the others)."""
    import itertools

    table = table or RiskTable(prep)
    folds = sorted(set(int(f) for f in folds))
    all_folds = set(int(f) for f in np.unique(prep.fold["cssrs"]))
    scored = []  # (posts, p_any, p_urgent)
    for j in folds:
        wj = fit_weights(prep, risk_holdout=sorted(all_folds - set(folds)) + [j], base=base)
        pa, pu = table.probabilities(wj)
        scored.append((np.flatnonzero(prep.fold["cssrs"] == j), pa, pu))
    posts = np.concatenate([p for p, _, _ in scored])
    best, best_key = None, None
    for thr in itertools.product(*THRESHOLD_GRID.values()):
        if thr[2] < thr[1]:
            continue
        ranks = np.concatenate([table.post_ranks(pa, pu, thr, p) for p, pa, pu in scored])
        r = user_rates(table.users[posts], table.truth[posts], ranks)
        key = threshold_key(r, thr)
        if best_key is None or key > best_key:
            best, best_key = (thr, r), key
    thr, r = best
    if verbose:
        print(f"  risk thresholds {thr} on folds {folds}: inner-CV B+A ≥watch {r['ba_watch']:.1%}, "
              f"B+A urgent {r['ba_urgent']:.1%}, Supportive urgent {r['Supportive']:.1%}",
              file=sys.stderr)
    return np.array(thr, dtype=np.float32)


WEAK_WEIGHT = float(os.environ.get("INTERLUDE_WEAK_WEIGHT", "0.5"))
# Regularization of the text-level heads (Dreaddit 5-fold CV: C = 1 gives AUC 0.876 on the
# pooled design against 0.858 for the whole-post embedding alone).
STRESS_TEXT_C = 1.0
# Per-class emotion offsets tuned for per-text macro-F1 (see fit_weights): off since
# signals-5. They lifted held-out GoEmotions macro-F1 0.430 -> 0.473 by pushing sadness,
# shame, fear and gratitude down (-1 to -1.25) and anger and neutral up, and so turned the
# sadness chats into anger chats: held-out pseudo-chat accuracy 0.543 -> 0.253 (full data,
# shuffled chats). signals.EMOTION_MIN_PROB buys the macro-F1 back without that cost.
EMOTION_OFFSETS = False
INSIGHT_TEXT_C = 0.5
# The text heads' hashed words-and-pairs part (``pipelines.nlp.ngrams``, signals-5): its own
# logistic regression (regularization ``*_HASH_C``), its logit blended into the dense head's
# with weight ``*_HASH_SHARE`` (0: no hashed part). Chosen by 4-fold CV on the training folds
# (never the held-out fold): see the commit that set them for the numbers.
STRESS_HASH_C = 4.0
STRESS_HASH_SHARE = 0.35
INSIGHT_HASH_C = 4.0
INSIGHT_HASH_SHARE = 0.5
# Sample weight of an AnnoMI client turn in the insight text head (the sentence head keeps
# 0.5): change talk ("I want to cut down") is readiness more than realization, and at 0.5 it
# cost the head realization AUC (training-fold CV: 0.7709 at 0.5, 0.7826 at 0.1, 0.7864 at 0;
# 0.1 kept within noise of 0 so the head still learns from change talk).
INSIGHT_TEXT_ANNOMI_WEIGHT = 0.1
# The text-level heads also take the whole text's embedding (stored by analyze for every
# text anyway): see the commit that set it for the dev-set numbers.
TEXT_WHOLE = os.environ.get("INTERLUDE_TEXT_WHOLE", "0") == "1"
# Model-only raises: p(any risk) for watch; p(urgent) for urgent on a first-person sentence
# that names the topic (suicide, dying, means, cutting…); p(urgent) for urgent without it.
# Defaults only: ``main`` (and the nested benchmark) replace them by ``tune_risk_thresholds``,
# a grid search scored by cross-validation by user on the training users.
RISK_THRESHOLDS = (0.3, 0.2, 0.45)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.parse_known_args()
    if not have_eval_data():
        print(f"eval data not found at {EVAL_DATA}; skipping the fit (the existing "
              f"{MODEL_OUT.relative_to(ROOT)} is kept)")
        return 0
    if "--embed-only" in sys.argv:
        stores()
        return 0
    if "--emotion-gate" in sys.argv:  # choose signals.EMOTION_MARGIN / EMOTION_MIN_PROB
        table = emotion_gate_table(Prepared())
        table["sum"] = table["macro_f1"] + table["chat_accuracy"]
        print(table.pivot_table(index=["margin", "min_prob"], columns="fold",
                                values=["macro_f1", "chat_accuracy"]).round(3).to_string())
        print(table.groupby(["margin", "min_prob"])["sum"].mean().round(3).sort_values().to_string())
        return 0
    t0 = time.time()
    prep = Prepared()
    t1 = time.time()
    w = fit_weights(prep, verbose=True)
    # thresholds: chosen by cross-validation over every C-SSRS fold (the shipped heads see all)
    w["risk_thresholds"] = tune_risk_thresholds(prep, w, np.unique(prep.fold["cssrs"]), verbose=True)
    MODEL_OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(MODEL_OUT, **w)
    print(f"wrote {MODEL_OUT.relative_to(ROOT)} ({MODEL_OUT.stat().st_size / 1024:.0f} KiB); "
          f"data+embeddings {t1 - t0:.0f}s, fit {time.time() - t1:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
