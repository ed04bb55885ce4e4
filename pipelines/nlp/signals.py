"""Per-sentence and per-text signals: valence, emotion, stress, insight and risk language.

Pure functions over sentences and their MiniLM embeddings. The fitted heads (logistic
regressions on the 384-d embeddings plus a few lexicon features) are read once from
``models/signals.npz``, written by ``bench/fit_signals.py``; inference is numpy only.

Risk is a hybrid: hand-written phrase patterns (``lexicons.RISK_PATTERNS``) scoped for
negation, third-person/reported speech and idioms, plus an embedding classifier that can
raise a sentence to ``watch`` (or ``urgent`` when it is very confident and the sentence is a
first-person statement on the topic) but never overrides a negation, report or idiom.
A text's risk is the maximum over its sentences, so one alarming sentence in a long benign
note is never diluted.
"""

from __future__ import annotations

import functools
import hashlib
import re
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from pipelines.nlp import lexicons as L
from pipelines.nlp.sentences import split_sentences

MODEL_PATH = Path(__file__).resolve().parent / "models" / "signals.npz"

def _version() -> str:
    """Changes whenever the weights, the lexicons or this code change, so stored signals
    computed by an older version are recomputed by the next ``analyze``."""
    digest = hashlib.md5()
    here = Path(__file__).resolve().parent
    for part in (MODEL_PATH, here / "lexicons.py", here / "sentences.py", Path(__file__).resolve()):
        digest.update(part.read_bytes() if part.exists() else b"-")
    return "signals-" + digest.hexdigest()[:12]


SIGNALS_VERSION = _version()
EMOTIONS = ("anger", "anxiety", "sadness", "shame", "fear", "joy", "calm", "gratitude", "hope",
            "neutral")
RISK_LEVELS = ("none", "watch", "urgent")
_RANK = {lvl: i for i, lvl in enumerate(RISK_LEVELS)}
# Emotion -> valence prior, blended with the valence head.
EMOTION_VALENCE = np.array([-0.7, -0.6, -0.8, -0.7, -0.7, 0.8, 0.5, 0.8, 0.6, 0.0])
COLUMNS = ["valence", "emotion", "stress", "insight", "risk", "risk_reason"]
TEXT_COLUMNS = COLUMNS + ["evidence"]

_RISK_RX = [(lvl, reason, re.compile(p)) for lvl, reason, p in L.RISK_PATTERNS]
_STRESS_RX = L.term_regex(L.STRESS_TERMS)
_CALM_RX = L.term_regex(L.CALM_TERMS)
_INSIGHT_RX = L.term_regex(L.INSIGHT_TERMS)
_CLAUSE_BREAK = re.compile(r"[,;:.!?]|\b(?:but|and|because|cause|so|though|although|yet)\b")
_TOKEN = re.compile(r"[\w']+")
_CANCEL_NEXT = frozenset("stop help sure know wait even just only care anymore resist "
                         "afraid scared deny ashamed think".split())
_FIRST_PERSON = frozenset("i i'm im i've ive i'll i'd me my myself mine".split())
# Passive-ideation phrasings that contain their own negation ("don't want to live").
_SELF_NEGATED = re.compile(
    r"\b(?:don't|dont|do not|no longer|never|can't|cant|cannot|no|nothing|not)\b")

# Past, resolved self-harm: the model does not raise it to urgent on its own.
_HISTORY = re.compile(r"\b(?:used to|years ago|when i was (?:a kid|younger|\d+|in (?:high )?school)|"
                      r"in high school|(?:i'm|i am|been) (?:\w+ )?(?:clean|free)|i stopped|i quit)\b")
# "the only reason I didn't…": a negation that is part of the risk statement itself.
_REASON_CLAUSE = re.compile(r"(?:the )?(?:only )?(?:reason|thing)\b")

FEATURES = ("lex_stress", "lex_calm", "lex_insight", "lex_watch", "lex_urgent", "first_person",
            "negated", "third_person", "idiom", "question", "exclaim", "log_len") + tuple(
            f"emo_{k}" for k in L.EMOTION_TERMS)
# The risk heads never see the risk lexicon's own verdicts (they are trained to generalize
# beyond it); these columns are zero in their weights.
RISK_BLIND_FEATURES = ("lex_watch", "lex_urgent", "negated", "third_person", "idiom")
_EMO_RX = [L.term_regex(v) for v in L.EMOTION_TERMS.values()]


# ------------------------------------------------------------------------------ weights

@functools.lru_cache(maxsize=1)
def load_weights(path: str | None = None) -> dict[str, np.ndarray] | None:
    """The fitted heads, or None when the weights file is missing (lexicon-only fallback)."""
    p = Path(path) if path else MODEL_PATH
    if not p.exists():
        return None
    with np.load(p, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


# ------------------------------------------------------------------------------ risk lexicon

def _negated(t: str, start: int, end: int, self_negated: bool) -> bool:
    """A negation cue scopes over the match (same clause, close before the risk words)."""
    clause_start = 0
    for m in _CLAUSE_BREAK.finditer(t, 0, start):
        clause_start = m.end()
    region = t[clause_start:start]
    if L.NEGATION_PHRASES.search(t[clause_start:end]):
        return True
    tokens = _TOKEN.findall(region)[-L.NEG_WINDOW:]
    if not self_negated:
        # cues inside the match itself, except in its last two words (the risk words)
        inner = _TOKEN.findall(t[start:end])
        tokens = tokens + inner[:-2]
    for i, tok in enumerate(tokens):
        if tok in L.NEGATION_CUES:
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            if nxt in _CANCEL_NEXT:
                continue
            return True
    return False


def _third_person(t: str, start: int, end: int) -> bool:
    """The statement is about someone else (or addressed to 'you'), not the writer."""
    head = t[start:end]
    toks = _TOKEN.findall(head)
    if toks and toks[0] in ("i've", "i", "i'd") and L.THIRD_PARTY_INSIDE.search(" ".join(toks[1:-1])):
        return True
    # the third party must be named in the same sentence part as the risk words
    lo = max(0, start - 60)
    for m in re.finditer(r"[.;!?]|\bbut\b", t[lo:start]):
        lo_new = lo + m.end()
        lo = max(lo, lo_new)
    if not L.THIRD_PERSON.search(t[lo:min(len(t), end + 40)]):
        return False
    match_tokens = set(_TOKEN.findall(t[start:end]))
    if match_tokens & _FIRST_PERSON:
        # "my friend found out I tried to…": the writer is the subject of the risk words
        before = _TOKEN.findall(t[max(0, start - 40):start])
        subj = _TOKEN.findall(t[start:end])[:1]
        if subj and subj[0] in ("i", "i'm", "im", "i've", "ive", "i'll", "my"):
            return False
        if before and before[-1] in ("i", "i'm", "im", "i've", "ive", "i'll", "i'd"):
            return False
        if "myself" in match_tokens or "my" in match_tokens:
            return False
    return True


def risk_lexicon(sentence: str) -> tuple[str, str, dict[str, bool]]:
    """(level, reason, flags) of one sentence by the scoped phrase patterns."""
    t = L.normalize(sentence)
    flags = {"negated": False, "third_person": False, "idiom": False, "topic": False}
    if not t:
        return "none", "", flags
    idioms = [m.span() for m in L.IDIOMS.finditer(t)]
    topics = [m.span() for m in L.RISK_TOPIC.finditer(t)
              if not any(m.start() < ie and is_ < m.end() for is_, ie in idioms)]
    flags["topic"] = bool(topics)
    if topics:
        # every topic word negated ("I won't die…") or about someone else: the embedding
        # model may not raise this sentence on its own
        if all(_negated(t, s, e, False) for s, e in topics):
            flags["negated"] = True
        elif all(_third_person(t, s, e) for s, e in topics):
            flags["third_person"] = True
    best_level, best_reason = "none", ""
    for level, reason, rx in _RISK_RX:
        if _RANK[level] < _RANK[best_level] or (best_level == level and best_reason):
            continue
        for m in rx.finditer(t):
            s, e = m.span()
            if any(s < ie and is_ < e for is_, ie in idioms):
                flags["idiom"] = True
                continue
            self_neg = (reason == "passive_ideation" and bool(_SELF_NEGATED.search(m.group(0)))
                        or _REASON_CLAUSE.match(m.group(0)) is not None)
            if _negated(t, s, e, self_neg):
                flags["negated"] = True
                continue
            if _third_person(t, s, e):
                flags["third_person"] = True
                continue
            if _RANK[level] > _RANK[best_level]:
                best_level, best_reason = level, reason
            break
    return best_level, best_reason, flags


# ------------------------------------------------------------------------------ features

def lexicon_features(sentences: list[str]) -> tuple[np.ndarray, list[tuple[str, str, dict]]]:
    """(n × len(FEATURES) matrix, per-sentence risk-lexicon results)."""
    feats = np.zeros((len(sentences), len(FEATURES)), dtype=np.float32)
    risks = []
    for i, s in enumerate(sentences):
        t = L.normalize(s)
        level, reason, flags = risk_lexicon(s)
        risks.append((level, reason, flags))
        toks = _TOKEN.findall(t)
        feats[i] = (
            min(len(_STRESS_RX.findall(t)), 3),
            min(len(_CALM_RX.findall(t)), 3),
            min(len(_INSIGHT_RX.findall(t)), 3),
            level == "watch",
            level == "urgent",
            any(tok in _FIRST_PERSON for tok in toks),
            flags["negated"],
            flags["third_person"],
            flags["idiom"],
            "?" in s,
            "!" in s,
            np.log1p(len(toks)),
            *(min(len(rx.findall(t)), 3) for rx in _EMO_RX),
        )
    return feats, risks


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _design(embeddings: np.ndarray, feats: np.ndarray, w: dict) -> np.ndarray:
    """Embeddings plus standardized lexicon features: the input of every head."""
    f = (feats - w["feat_mean"]) / w["feat_scale"]
    return np.hstack([embeddings.astype(np.float32), f.astype(np.float32)])


def head_scores(embeddings: np.ndarray, feats: np.ndarray, w: dict | None) -> dict[str, np.ndarray]:
    """Raw head outputs: emotion probabilities, valence, stress, insight, risk probabilities."""
    n = len(feats)
    if w is None:  # no fitted weights: lexicon-only estimates
        emo = np.zeros((n, len(EMOTIONS)))
        emo[:, EMOTIONS.index("neutral")] = 1.0
        stress = np.clip(0.2 + 0.25 * feats[:, 0] - 0.15 * feats[:, 1], 0, 1)
        insight = np.clip(0.1 + 0.3 * feats[:, 2], 0, 1)
        return {"emotion": emo, "valence": np.clip(0.3 * feats[:, 1] - 0.3 * feats[:, 0], -1, 1),
                "stress": stress, "insight": insight, "risk_any": feats[:, 3] + feats[:, 4],
                "risk_urgent": feats[:, 4]}
    x = _design(embeddings, feats, w)
    emo = _softmax(x @ w["emotion_W"].T + w["emotion_b"])
    sent = _softmax(x @ w["valence_W"].T + w["valence_b"])  # classes: negative, neutral, positive
    valence = 0.6 * (sent[:, 2] - sent[:, 0]) + 0.4 * (emo @ EMOTION_VALENCE)
    return {
        "emotion": emo,
        "valence": np.clip(valence, -1, 1),
        "stress": _sigmoid(x @ w["stress_w"] + w["stress_b"]),
        "insight": _sigmoid(x @ w["insight_w"] + w["insight_b"]),
        "risk_any": _sigmoid(x @ w["risk_any_w"] + w["risk_any_b"]),
        "risk_urgent": _sigmoid(x @ w["risk_urgent_w"] + w["risk_urgent_b"]),
    }


def _risk_level(sentence: str, lex: tuple[str, str, dict], p_any: float, p_urgent: float, first_person: bool,
                w: dict | None) -> tuple[str, str]:
    level, reason, flags = lex
    if w is None:
        return level, reason
    t_watch, t_urgent, t_urgent_any = (float(v) for v in w["risk_thresholds"][:3])
    blocked = flags["negated"] or flags["third_person"] or flags["idiom"]
    history = reason == "self_harm_history" or bool(_HISTORY.search(L.normalize(sentence)))
    if level != "urgent" and not blocked and not history and first_person and (
            (flags["topic"] and p_urgent >= t_urgent) or p_urgent >= t_urgent_any):
        return "urgent", "model"
    if level == "none" and not (flags["idiom"] or flags["negated"]) and p_any >= t_watch and (
            first_person or flags["topic"]):
        return "watch", "model"
    return level, reason


# ------------------------------------------------------------------------------ public API

def sentence_signals(sentences: list[str], embeddings: np.ndarray, *,
                     weights: dict | None = None) -> pd.DataFrame:
    """One row per sentence: valence, emotion, stress, insight, risk, risk_reason."""
    if len(sentences) == 0:
        return _empty(COLUMNS)
    w = weights if weights is not None else load_weights()
    emb = np.asarray(embeddings, dtype=np.float32).reshape(len(sentences), -1)
    feats, lex = lexicon_features(list(sentences))
    h = head_scores(emb, feats, w)
    risk, reason = [], []
    for i in range(len(sentences)):
        lvl, why = _risk_level(sentences[i], lex[i], float(h["risk_any"][i]), float(h["risk_urgent"][i]),
                               bool(feats[i, FEATURES.index("first_person")]), w)
        risk.append(lvl)
        reason.append(why)
    emo_idx = h["emotion"].argmax(axis=1)
    return pd.DataFrame({
        "valence": h["valence"].astype(float),
        "emotion": [EMOTIONS[k] for k in emo_idx],
        "stress": np.clip(h["stress"], 0, 1).astype(float),
        "insight": np.clip(h["insight"], 0, 1).astype(float),
        "risk": risk,
        "risk_reason": reason,
        "_emotion_strength": 1.0 - h["emotion"][:, EMOTIONS.index("neutral")],
    })[COLUMNS + ["_emotion_strength"]].pipe(_drop_private, keep=False)


def _drop_private(df: pd.DataFrame, keep: bool) -> pd.DataFrame:
    if keep:
        return df
    df.attrs["emotion_strength"] = df.pop("_emotion_strength").to_numpy()
    return df


def _empty(columns: list[str]) -> pd.DataFrame:
    types = {"valence": float, "stress": float, "insight": float}
    return pd.DataFrame({c: pd.Series(dtype=types.get(c, object)) for c in columns})


def _aggregate(text: str, sents: list[str], sig: pd.DataFrame, strength: np.ndarray,
               whole: dict[str, float] | None) -> dict:
    if not sents:
        return {"valence": 0.0, "emotion": "neutral", "stress": 0.0, "insight": 0.0,
                "risk": "none", "risk_reason": "", "evidence": ""}
    ranks = sig["risk"].map(_RANK).to_numpy()
    stress = sig["stress"].to_numpy()
    insight = sig["insight"].to_numpy()
    valence = sig["valence"].to_numpy()
    k = int(ranks.argmax())
    risk = RISK_LEVELS[ranks[k]]
    # robust high values: the max, tempered by the second highest in long texts
    top_stress = _high(stress)
    top_insight = _high(insight)
    if whole is not None:
        top_stress = whole["calib"](0.5 * top_stress + 0.5 * whole["stress"])
    # valence: the mean, leaning to the most negative sentence
    val = 0.5 * valence.mean() + 0.5 * min(valence.min(), valence.mean())
    emotion = sig["emotion"].iloc[int(strength.argmax())]
    if risk != "none":
        evidence = sents[k]
    else:
        salience = np.maximum.reduce([stress, insight, np.abs(valence)])
        evidence = sents[int(salience.argmax())]
    return {"valence": float(np.clip(val, -1, 1)), "emotion": emotion,
            "stress": float(np.clip(top_stress, 0, 1)), "insight": float(np.clip(top_insight, 0, 1)),
            "risk": risk, "risk_reason": sig["risk_reason"].iloc[k] if risk != "none" else "",
            "evidence": evidence}


def _stress_calibration(w: dict | None) -> Callable[[float], float]:
    """Platt scaling of the aggregated text stress (fitted on Dreaddit posts), identity if absent."""
    if w is None or "stress_calib" not in w:
        return lambda p: p
    a, b = (float(v) for v in w["stress_calib"])

    def calib(p: float) -> float:
        p = min(max(p, 1e-6), 1 - 1e-6)
        return float(_sigmoid(np.array(a * np.log(p / (1 - p)) + b)))

    return calib


def _high(x: np.ndarray) -> float:
    if len(x) <= 2:
        return float(x.max())
    top = np.sort(x)[::-1]
    return float(0.7 * top[0] + 0.3 * top[1])


def text_signals(texts: list[str], embed: Callable[[list[str]], np.ndarray], *,
                 weights: dict | None = None) -> pd.DataFrame:
    """One row per text; each distinct sentence is embedded once through ``embed``."""
    if len(texts) == 0:
        return _empty(TEXT_COLUMNS)
    w = weights if weights is not None else load_weights()
    per_text = [split_sentences(t) for t in texts]
    distinct = list(dict.fromkeys(s for ss in per_text for s in ss))
    vectors = embed(distinct) if distinct else np.zeros((0, 384), dtype=np.float32)
    vectors = np.asarray(vectors, dtype=np.float32)
    sig = sentence_signals(distinct, vectors, weights=w) if distinct else _empty(COLUMNS)
    strength = sig.attrs.get("emotion_strength", np.zeros(len(distinct)))
    pos = {s: i for i, s in enumerate(distinct)}
    # whole-text stress from the mean sentence embedding (a text-level view of the same head)
    whole_stress = None
    if w is not None and distinct:
        idx_lists = [[pos[s] for s in ss] for ss in per_text]
        means = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
        for j, idx in enumerate(idx_lists):
            if idx:
                m = vectors[idx].mean(axis=0)
                means[j] = m / max(float(np.linalg.norm(m)), 1e-9)
        tfeats, _ = lexicon_features([" ".join(ss) for ss in per_text])
        x = _design(means, tfeats, w)
        whole_stress = _sigmoid(x @ w["stress_w"] + w["stress_b"])
    calib = _stress_calibration(w)
    rows = []
    for j, (text, ss) in enumerate(zip(texts, per_text)):
        idx = [pos[s] for s in ss]
        sub = sig.iloc[idx].reset_index(drop=True)
        whole = ({"stress": float(whole_stress[j]), "calib": calib}
                 if whole_stress is not None and ss else None)
        rows.append(_aggregate(text, ss, sub, strength[idx] if idx else np.zeros(0), whole))
    return pd.DataFrame(rows, columns=TEXT_COLUMNS)
