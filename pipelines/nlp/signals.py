"""Per-sentence and per-text signals: valence, emotion, stress, insight and risk language.

Pure functions over sentences and their MiniLM embeddings. The fitted heads (logistic
regressions on the 384-d embeddings plus a few lexicon features) are read once from
``models/signals.npz``, written by ``training/fit_signals.py``; inference is numpy only.

Risk is a hybrid: hand-written phrase patterns (``lexicons.RISK_PATTERNS``) scoped for
negation, third-person talk, reported speech ("he said I was worthless": someone else's
words) and idioms, plus an embedding classifier that can raise a first-person sentence that
names the risk topic to ``watch`` (or ``urgent`` when it is very confident) but never
overrides a negation, report or idiom, and never flags a sentence without the topic (the
everyday sadness it confuses with risk).
A text's risk is the maximum over its sentences, so one alarming sentence in a long benign
note is never diluted. Statements that name a plan, means or past attempt only ambiguously
("I have a rope.", "I've tried twice.", ``lexicons.CONTEXT_PATTERNS``) are urgent when another
sentence of the same text carries lexicon risk language, and not flagged by the lexicon alone.
The model thresholds are chosen by cross-validation by user in ``training/fit_signals.py``.

``risk_reason`` says what a flag rests on ('' when risk is none), so a reader can rank
phrase-backed flags above model-only ones (``risk_basis``):

* ``<kind>`` — a risk phrase of that kind sets the level (phrase-backed). Kinds
  (``RISK_KINDS``): ``intent``, ``plan``, ``means``, ``past_attempt``, ``self_harm``
  (current), ``self_harm_history``, ``psychiatric_hold``, ``ideation`` (active),
  ``passive_ideation``, ``hopelessness``. An ambiguous plan / means / intent / past-attempt
  statement made urgent by risk language elsewhere in the text also carries its own kind.
* ``<kind>+model`` — a risk phrase of that kind gives ``watch`` and the classifier raised
  the sentence to ``urgent`` (phrase-backed; the urgency is the model's).
* ``model:topic`` — no risk phrase; the classifier flagged a first-person sentence that
  names the topic (suicide, dying, self-harm, pills, a rope, a bridge…) (model only).
* ``model:no_topic`` — no risk phrase and no topic word (model only): no longer produced
  since signals-2 (``MODEL_NEEDS_TOPIC``); stored rows of older versions may carry it.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from pipelines.nlp import lexicons as L
from pipelines.nlp import ngrams
from pipelines.nlp.sentences import split_sentences

MODEL_PATH = Path(__file__).resolve().parent / "models" / "signals.npz"

# Bump whenever the outputs of ``text_signals`` change (weights, lexicons, gates, rules), so
# stored signals computed by an older version are recomputed by the next ``analyze``.
#   signals-2: heads refitted on fp32 embeddings; model-only watches need the risk topic;
#              reported speech is not the client's risk; courtesy turns are neutral.
#   signals-3: the heads really refitted on fp32 embeddings (signals-2 rows were scored by
#              the previous fit), with text-level stress and insight heads.
#   signals-4: risk look-alikes from the everyday-distress dev proxy are not flagged ("cutting
#              her off", "not cutting it", a gun kept for protection or hunting, "don't want
#              to be here, but…", "want this to be over with"); "worthless" alone is not
#              suicide language; the noun "hopelessness" is; lacking the courage or
#              ability ("not brave enough to…") does not negate the risk words; heads refitted.
#   signals-5: emotion: no per-class macro-F1 offsets (they made sadness chats read as
#              anger); a non-neutral label needs probability EMOTION_MIN_PROB; a
#              conversation's ties go to the first label of EMOTIONS, not the first reached.
#              Risk recall on C-SSRS without new false alarms: relief at having survived
#              ("glad I wasn't able to…") is a past attempt, "I tried to hang me" too; checking
#              oneself in is a voluntary admission; calling a suicide or crisis line, "suicidal
#              feeling" and feeling hopelessness are watch; means given up for one's own safety
#              are means; "cut back", "cuts me deep", "attempting to <verb>", "hang on" and
#              hopeless at / with something are not risk words (the model may not raise them).
#              The text-level stress (and insight) heads add a linear term on the text's hashed
#              words and word pairs (``ngrams``, weights ``<head>_text_hash``); heads refitted.
SIGNALS_VERSION = "signals-5"
EMOTIONS = ("anger", "anxiety", "sadness", "shame", "fear", "joy", "calm", "gratitude", "hope",
            "neutral")
RISK_LEVELS = ("none", "watch", "urgent")
RISK_KINDS = ("intent", "plan", "means", "past_attempt", "self_harm", "self_harm_history",
              "psychiatric_hold", "ideation", "passive_ideation", "hopelessness")
MODEL_TOPIC, MODEL_NO_TOPIC = "model:topic", "model:no_topic"  # model-only reasons
# The classifier raises a sentence on its own only when it names the risk topic (so
# ``model:no_topic`` no longer occurs; kept in the vocabulary for stored older rows).
MODEL_NEEDS_TOPIC = True
RAISED_BY_MODEL = "+model"  # suffix: a phrase's watch raised to urgent by the model
_RANK = {lvl: i for i, lvl in enumerate(RISK_LEVELS)}
# Emotion -> valence prior, blended with the valence head.
EMOTION_VALENCE = np.array([-0.7, -0.6, -0.8, -0.7, -0.7, 0.8, 0.5, 0.8, 0.6, 0.0])
# A sentence carries a non-neutral emotion only when its most probable non-neutral emotion
# beats neutral by EMOTION_MARGIN and has probability EMOTION_MIN_PROB; else it is neutral.
# Chosen on GoEmotions training folds only: heads fitted on three training folds, scored on
# the fourth (folds 1 and 2 in turn, never the held-out fold 0), per-text macro-F1 plus the
# accuracy of pseudo-chats built the bench's way from that fold (bench/signal_quality.py).
# Grid margin 0-0.3 x min prob 0-0.5 (``python training/fit_signals.py --emotion-gate``);
# (0, 0.4) had the best mean: macro-F1 0.456 / 0.449, chat accuracy 0.563 / 0.510 (no gate:
# 0.433 / 0.431 and 0.473 / 0.437). Weak guesses are what made the neutral turns of a chat
# outvote its emotion.
EMOTION_MARGIN = 0.0
EMOTION_MIN_PROB = 0.4
# Insight score from which the brief can show a text as an insight moment
# (``dashboard.briefing``). Chosen on the dev sets, never on the sample's planted texts:
# the best F1 on held-out GoEmotions `realization` comments at their natural 2.75 % rate
# (bench/nlp_quality.py full run, signals-5 heads fitted without that fold): precision 0.19,
# recall 0.27, 3.8 % of texts above it (0.80 gave 0.27 / 0.19 / 1.9 %, 0.825 0.30 / 0.15 /
# 1.4 %; about 78 positives, so noisy).
INSIGHT_THRESHOLD = 0.725
COLUMNS = ["valence", "emotion", "stress", "insight", "risk", "risk_reason"]
TEXT_COLUMNS = COLUMNS + ["evidence"]

_RISK_RX = [(lvl, reason, re.compile(p)) for lvl, reason, p in L.RISK_PATTERNS]
_CONTEXT_RX = [(reason, re.compile(p)) for reason, p in L.CONTEXT_PATTERNS]
_STRESS_RX = L.term_regex(L.STRESS_TERMS)
_CALM_RX = L.term_regex(L.CALM_TERMS)
_INSIGHT_RX = L.term_regex(L.INSIGHT_TERMS)
_CLAUSE_BREAK = re.compile(r"[,;:.!?]|\b(?:but|and|because|cause|so|though|although|yet)\b")
_TOKEN = re.compile(r"[\w']+")
_CANCEL_NEXT = frozenset("stop help sure know understand wait even just only care anymore resist "
                         "afraid scared deny ashamed think".split())
_ABILITY = frozenset("able brave strong courageous guts courage balls nerve strength".split())
_FIRST_PERSON = frozenset("i i'm im i've ive i'll i'd me my myself mine".split())
# Passive-ideation phrasings that contain their own negation ("don't want to live").
_SELF_NEGATED = re.compile(
    r"\b(?:don't|dont|do not|no longer|never|can't|cant|cannot|no|nothing|not|wouldn't|won't)\b")

# Past, resolved self-harm: the model does not raise it to urgent on its own.
_HISTORY = re.compile(r"\b(?:used to|years ago|when i was (?:a kid|younger|\d+|in (?:high )?school)|"
                      r"in high school|(?:i'm|i am|been) (?:\w+ )?(?:clean|free)|i stopped|i quit)\b")
# A negation that is part of the risk statement itself: "the only reason I didn't…", and
# relief at having survived ("glad I wasn't able to…": the attempt failed, it is not denied).
_SELF_NEGATING = re.compile(r"(?:the )?(?:only )?(?:reason|thing)\b|"
                            r"(?:glad|happy|relieved|thankful|grateful|lucky)\b")
# Topic words that only name an object, act or body part that has everyday uses ("after
# spraining my wrist": the refitted urgent head raised it to urgent on the topic gate).
_MEANS_WORD = re.compile(r"rope|pills|tablets|meds|gun|knife|blade|razor|bridge|jump|hang|"
                         r"poison\w*|cut|cuts|do it|wrists?")
_FAILED_MEANS = re.compile(r"(?:it|they|that|the pills) (?:didn't|couldn't|did not|could not|wouldn't)")
# Reasons that make an ambiguous context statement in the same text urgent (see
# ``lexicons.CONTEXT_PATTERNS``): lexicon evidence only, never the model's own raise.
CONTEXT_SUPPORT = L.CONTEXT_SUPPORT

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
            if nxt in _ABILITY or (nxt in ("have", "got") and _ABILITY.intersection(tokens[i + 2:i + 5])):
                # "I'm not brave enough to…", "I wasn't able to…", "I don't have the guts to…":
                # the lack of courage or ability, not a denial of the wish
                continue
            return True
    return False


def _third_person(t: str, start: int, end: int) -> bool:
    """The statement is about someone else (or addressed to 'you'), not the writer."""
    head = t[start:end]
    toks = _TOKEN.findall(head)
    # possessives ("my mom's pills") name an owner, not the actor
    inner = " ".join(tok for tok in toks[1:-1] if not tok.endswith("'s"))
    if toks and toks[0] in ("i've", "i", "i'd") and L.THIRD_PARTY_INSIDE.search(inner):
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


# Risk kinds that are a feeling, wish or will: when another person says them of the writer,
# they are that person's words.
_OPINION_KINDS = frozenset({"hopelessness", "passive_ideation", "ideation", "intent"})
_SUBJECT_I = frozenset("i i'm im i've ive i'd i'll".split())


def _reported(t: str, start: int) -> bool:
    """The words at ``start`` are someone else's, reported: "he said I was worthless",
    "my mom keeps telling me I'm a burden" (the frame closes the clause right before them,
    and the writer is not the one speaking)."""
    clause_start = 0
    for m in _CLAUSE_BREAK.finditer(t, 0, start):
        if m.group(0) not in (",", ":"):  # "he told me, I'm worthless": still his words
            clause_start = m.end()
    region = t[clause_start:start]
    m = L.REPORTED_FRAME.search(region)
    if m is None:
        # the risk words inside the reported clause ("she thinks I should just | kill myself")
        m = L.REPORTED_FRAME.search(re.sub(r"\bi\b[\w' ]{0,25}$", "", region))
    if m is None:
        return False
    after_subject = _TOKEN.findall(m.group(0))[1:]
    return not any(tok in _SUBJECT_I for tok in after_subject)


def risk_lexicon(sentence: str) -> tuple[str, str, dict[str, bool]]:
    """(level, reason, flags) of one sentence by the scoped phrase patterns."""
    t = L.normalize(sentence)
    flags = {"negated": False, "third_person": False, "idiom": False, "topic": False,
             "topic_strong": False, "context": "", "reported": False}
    if not t:
        return "none", "", flags
    idioms = _IdiomSpans(t)
    topics = [m.span() for m in L.RISK_TOPIC.finditer(t) if not idioms.overlap(*m.span())]
    flags["topic"] = bool(topics)
    # the topic named by more than an object ("pills", "rope", "bridge"): suicide, dying, harm
    flags["topic_strong"] = any(not _MEANS_WORD.fullmatch(t[s:e]) for s, e in topics)
    if topics:
        # every topic word negated ("I won't die…") or about someone else: the embedding
        # model may not raise this sentence on its own
        if all(_negated(t, s, e, False) for s, e in topics):
            flags["negated"] = True
        elif all(_third_person(t, s, e) or _reported(t, s) for s, e in topics):
            flags["third_person"] = True
    best_level, best_reason = "none", ""
    for level, reason, rx in _RISK_RX:
        if _RANK[level] < _RANK[best_level] or (best_level == level and best_reason):
            continue
        for m in rx.finditer(t):
            s, e = m.span()
            if idioms.overlap(s, e):
                flags["idiom"] = True
                continue
            self_neg = (reason == "passive_ideation" and bool(_SELF_NEGATED.search(m.group(0)))
                        or _SELF_NEGATING.match(m.group(0)) is not None)
            if _negated(t, s, e, self_neg):
                flags["negated"] = True
                continue
            if _third_person(t, s, e):
                flags["third_person"] = True
                continue
            if reason in _OPINION_KINDS and _reported(t, s):
                # someone else's words about the writer ("he said I was worthless", "she
                # thinks I should just kill myself"). Reported acts (an attempt, a plan, pills
                # saved) stay the client's: those are facts about them.
                flags["reported"] = True
                continue
            if _RANK[level] > _RANK[best_level]:
                best_level, best_reason = level, reason
            break
    if best_level != "urgent":
        flags["context"] = _context_reason(t, idioms)
        if not flags["context"] and best_level == "watch" and best_reason == "means":
            flags["context"] = "means"  # acquiring a gun, standing on a ledge: means in context
        if best_level == "watch" and flags["context"] and best_reason != flags["context"] and (
                best_reason in L.CONTEXT_SUPPORT):
            # "I have a rope and I don't want to be here": means (or plan…) beside ideation
            best_level, best_reason = "urgent", flags["context"]
    return best_level, best_reason, flags


class _IdiomSpans:
    """The idiom spans of a normalized sentence (``lexicons.IDIOMS``), found on first use:
    most sentences have no risk word or phrase to check against them."""

    def __init__(self, t: str):
        self.t, self.spans = t, None

    def overlap(self, start: int, end: int) -> bool:
        if self.spans is None:
            self.spans = [m.span() for m in L.IDIOMS.finditer(self.t)]
        return any(start < ie and is_ < end for is_, ie in self.spans)


def _context_reason(t: str, idioms: _IdiomSpans) -> str:
    """The reason of the first context pattern (``lexicons.CONTEXT_PATTERNS``) that matches
    as a first-person, non-negated, literal statement; '' if none does."""
    for reason, rx in _CONTEXT_RX:
        for m in rx.finditer(t):
            s, e = m.span()
            if idioms.overlap(s, e):
                continue
            # "it didn't work", "the pills couldn't finish the job": the negation is the statement
            self_neg = _FAILED_MEANS.match(m.group(0)) is not None
            if _negated(t, s, e, self_neg) or _third_person(t, s, e):
                continue
            return reason
    return ""


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


def is_courtesy(sentence: str) -> bool:
    """A short acknowledgement or courtesy turn ("ok", "thank you so much, that helps",
    "mm-hmm", "yes I will try that"): every word is a courtesy word (``lexicons``)."""
    toks = re.findall(r"[a-z][a-z'-]*", L.normalize(sentence))
    return 0 < len(toks) <= L.COURTESY_MAX_WORDS and all(tok in L.COURTESY_WORDS for tok in toks)


def emotion_labels(probs: np.ndarray, sentences: list[str], *, margin: float | None = None,
                   min_prob: float | None = None) -> np.ndarray:
    """Index into ``EMOTIONS`` per sentence: the most probable non-neutral emotion when it
    beats neutral by ``EMOTION_MARGIN`` and has probability ``EMOTION_MIN_PROB``, else
    neutral; courtesy turns are always neutral. (``margin`` / ``min_prob``: other values,
    for choosing them in ``training/fit_signals.emotion_gate_table``.)"""
    margin = EMOTION_MARGIN if margin is None else margin
    min_prob = EMOTION_MIN_PROB if min_prob is None else min_prob
    neutral = EMOTIONS.index("neutral")
    other = probs.copy()
    other[:, neutral] = -1.0
    best = other.argmax(axis=1)
    p_best = probs[np.arange(len(probs)), best]
    wins = (p_best >= probs[:, neutral] + margin) & (p_best >= min_prob)
    courtesy = np.array([is_courtesy(s) for s in sentences], dtype=bool)
    return np.where(wins & ~courtesy, best, neutral)


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


def pooled_embeddings(vectors: np.ndarray, index_lists: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Per text, (L2-normalized mean, element-wise max) of its sentences' embeddings."""
    d = vectors.shape[1] if vectors.ndim == 2 else 384
    means = np.zeros((len(index_lists), d), dtype=np.float32)
    maxes = np.zeros((len(index_lists), d), dtype=np.float32)
    for j, idx in enumerate(index_lists):
        if idx:
            v = vectors[idx]
            m = v.mean(axis=0)
            means[j] = m / max(float(np.linalg.norm(m)), 1e-9)
            maxes[j] = v.max(axis=0)
    return means, maxes


def text_design(means: np.ndarray, maxes: np.ndarray, feats: np.ndarray, w: dict,
                whole: np.ndarray | None = None) -> np.ndarray:
    """Input of the text-level heads: pooled sentence embeddings (mean, max), the whole
    text's own embedding when the weights use it (``text_whole``), and standardized lexicon
    features."""
    f = (feats - w["feat_mean"]) / w["feat_scale"]
    parts = [means, maxes] + ([whole] if uses_whole_text(w) else []) + [f]
    return np.hstack(parts).astype(np.float32)


def text_head_scores(x: np.ndarray, texts: list[str], w: dict) -> dict[str, np.ndarray]:
    """The text-level stress and insight heads: a logistic regression on ``text_design`` rows,
    plus, when the weights carry ``<head>_text_hash`` (signals-5), a linear term on the text's
    hashed words and word pairs (``ngrams``), added to the logit. Each row depends on its own
    text only."""
    out: dict[str, np.ndarray] = {}
    rows = None
    for head in ("stress", "insight"):
        if f"{head}_text_w" not in w:
            continue
        z = x @ w[f"{head}_text_w"] + w[f"{head}_text_b"]
        if f"{head}_text_hash" in w:
            if rows is None:
                rows = ngrams.hashed_rows(list(texts), len(w[f"{head}_text_hash"]))
            z = z + ngrams.row_scores(rows, w[f"{head}_text_hash"])
        out[head] = _sigmoid(z)
    return out


def uses_whole_text(w: dict | None) -> bool:
    """Whether the text-level heads of these weights take the whole text's embedding."""
    return w is not None and bool(np.asarray(w.get("text_whole", False)))


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


def risk_gates(sentences: list[str], lex: list[tuple[str, str, dict]],
               first_person: np.ndarray) -> dict[str, np.ndarray]:
    """Per sentence, where the model may raise the lexicon's level (threshold-free part).

    ``lex_rank``: the lexicon's level; ``urgent_topic`` / ``urgent_any``: the model may say
    urgent at the topic / any threshold (first person, not negated, reported, idiomatic or
    resolved history; the topic threshold needs ``topic_strong``); ``watch``: the model may
    say watch: nothing flagged, a first-person sentence that names the risk topic (suicide,
    dying, self-harm, or means such as pills or a rope), none of it negated, idiomatic,
    about someone else or reported. Without the topic the model never flags on its own:
    everyday sadness ("I feel so alone", "I just want to start making a life for myself")
    is what the classifier confuses with risk, and a flag on half a caseload is not read.
    """
    n = len(lex)
    g = {k: np.zeros(n, dtype=bool) for k in ("urgent_topic", "urgent_any", "watch")}
    g["lex_rank"] = np.array([_RANK[level] for level, _, _ in lex], dtype=np.int8)
    for i, (level, reason, flags) in enumerate(lex):
        blocked = (flags["negated"] or flags["third_person"] or flags["idiom"]
                   or flags.get("reported", False))
        fp = bool(first_person[i])
        if level != "urgent" and not blocked and fp and not (
                reason == "self_harm_history" or _HISTORY.search(L.normalize(sentences[i]))):
            g["urgent_topic"][i] = flags.get("topic_strong", flags["topic"])
            g["urgent_any"][i] = flags["topic"] if MODEL_NEEDS_TOPIC else True
        g["watch"][i] = level == "none" and not blocked and fp and (
            flags["topic"] if MODEL_NEEDS_TOPIC else True)
    return g


def risk_ranks(g: dict[str, np.ndarray], p_any: np.ndarray, p_urgent: np.ndarray,
               thresholds) -> tuple[np.ndarray, np.ndarray]:
    """(level rank, raised by the model?) per sentence for thresholds (watch, urgent on the
    topic, urgent anywhere): the lexicon's level, raised where the gates and the model allow.
    "Raised" means the level is above the lexicon's (none -> watch, none or watch -> urgent)."""
    t_watch, t_urgent, t_urgent_any = (float(v) for v in thresholds[:3])
    urgent = (g["urgent_topic"] & (p_urgent >= t_urgent)) | (g["urgent_any"] & (p_urgent >= t_urgent_any))
    watch = g["watch"] & (p_any >= t_watch)
    rank = np.where(urgent, 2, np.maximum(g["lex_rank"], watch.astype(np.int8)))
    return rank.astype(np.int8), rank > g["lex_rank"]


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
    if w is None:
        risk = [level for level, _, _ in lex]
        reason = [why for _, why, _ in lex]
    else:
        gates = risk_gates(list(sentences), lex, feats[:, FEATURES.index("first_person")])
        ranks, by_model = risk_ranks(gates, h["risk_any"], h["risk_urgent"], w["risk_thresholds"])
        risk = [RISK_LEVELS[r] for r in ranks]
        reason = [_reason(bool(m), why, flags) for m, (_, why, flags) in zip(by_model, lex)]
    context = [flags["context"] if risk[i] != "urgent" else "" for i, (_, _, flags) in enumerate(lex)]
    emo_idx = emotion_labels(h["emotion"], list(sentences))
    neutral = EMOTIONS.index("neutral")
    # how strongly a sentence carries its (non-neutral) emotion: the text takes the strongest
    strength = np.where(emo_idx == neutral, 0.0, h["emotion"][np.arange(len(emo_idx)), emo_idx])
    return pd.DataFrame({
        "valence": h["valence"].astype(float),
        "emotion": [EMOTIONS[k] for k in emo_idx],
        "stress": np.clip(h["stress"], 0, 1).astype(float),
        "insight": np.clip(h["insight"], 0, 1).astype(float),
        "risk": risk,
        "risk_reason": reason,
        "_emotion_strength": strength,
        "_context": context,
    })[COLUMNS + ["_emotion_strength", "_context"]].pipe(_drop_private, keep=False, features=feats)


def conversation_emotion(emotions) -> str:
    """The dominant emotion of a conversation (or a client's texts): the most common
    non-neutral per-text emotion, 'neutral' when there is none. Ties go to the label listed
    first in ``EMOTIONS`` (the negative emotions come first), so the answer depends on the
    texts and not on their order. Courtesy turns are neutral already (``is_courtesy``) and
    weak guesses too (``EMOTION_MIN_PROB``), so the "thank you"s, "ok"s and plain turns of
    a chat do not outvote what the client said."""
    counts = {e: 0 for e in EMOTIONS if e != "neutral"}  # in EMOTIONS order
    for emotion in emotions:
        if emotion in counts:
            counts[emotion] += 1
    best = max(counts, key=counts.get)  # max keeps the first of equal counts
    return best if counts[best] else "neutral"


def _reason(raised: bool, why: str, flags: dict) -> str:
    """``risk_reason`` of one sentence (vocabulary in the module docstring)."""
    if not raised:
        return why
    if why:  # the lexicon found a watch-level phrase; the model made it urgent
        return why + RAISED_BY_MODEL
    return MODEL_TOPIC if flags.get("topic") else MODEL_NO_TOPIC


def risk_kind(reason: str | None) -> str:
    """The risk phrase's kind behind a ``risk_reason`` ('' when the flag is model-only)."""
    if not reason or str(reason).startswith("model"):
        return ""
    return str(reason).split("+", 1)[0]


def risk_basis(reason: str | None) -> str:
    """'phrase' when a risk phrase backs the flag, 'model' when the classifier alone does,
    '' for no flag."""
    if not reason:
        return ""
    return "model" if str(reason).startswith("model") else "phrase"


def _drop_private(df: pd.DataFrame, keep: bool, features: np.ndarray | None = None) -> pd.DataFrame:
    if keep:
        return df
    df.attrs["emotion_strength"] = df.pop("_emotion_strength").to_numpy()
    df.attrs["context"] = df.pop("_context").to_numpy()
    df.attrs["features"] = features
    return df


def _empty(columns: list[str]) -> pd.DataFrame:
    types = {"valence": float, "stress": float, "insight": float}
    return pd.DataFrame({c: pd.Series(dtype=types.get(c, object)) for c in columns})


class _SentenceColumns:
    """The per-sentence results of ``sentence_signals`` as plain arrays, so a text's
    aggregate is a few numpy index operations (pandas slicing per text cost ~75 % of
    ``text_signals`` on 3,000 sample texts)."""

    def __init__(self, sig: pd.DataFrame, strength: np.ndarray, context: np.ndarray):
        self.rank = sig["risk"].map(_RANK).to_numpy(dtype=np.int8)
        self.reason = sig["risk_reason"].to_numpy(dtype=object)
        self.emotion = sig["emotion"].to_numpy(dtype=object)
        self.stress = sig["stress"].to_numpy(dtype=float)
        self.insight = sig["insight"].to_numpy(dtype=float)
        self.valence = sig["valence"].to_numpy(dtype=float)
        self.strength = np.asarray(strength, dtype=float)
        self.context = np.asarray(context, dtype=object)
        self.backed = np.array([risk_basis(r) == "phrase" for r in self.reason], dtype=np.int8)
        # lexicon evidence that makes an ambiguous context statement elsewhere urgent
        self.support = np.array([k > 0 and risk_kind(r) in CONTEXT_SUPPORT
                                 for k, r in zip(self.rank, self.reason)], dtype=bool)
        self.has_context = np.array([bool(c) for c in self.context], dtype=bool)


def _aggregate(sents: list[str], idx: np.ndarray, col: _SentenceColumns,
               whole: dict[str, float] | None) -> dict:
    """One text's signals from its sentences (``idx``: their rows in ``col``, in order)."""
    if not sents:
        return {"valence": 0.0, "emotion": "neutral", "stress": 0.0, "insight": 0.0,
                "risk": "none", "risk_reason": "", "evidence": ""}
    ranks = col.rank[idx].astype(int)
    reasons = col.reason[idx]
    backed = col.backed[idx].astype(int)
    if len(idx) >= 2 and col.has_context[idx].any():
        # A sentence naming a plan, means, intent or past attempt only ambiguously ("I have
        # the rope.", "I've tried twice.") is urgent when another sentence of the same text
        # carries risk language (a lexicon match of watch or above).
        support = np.flatnonzero(col.support[idx])
        hits = [i for i in np.flatnonzero(col.has_context[idx]) if (support != i).any()]
        if hits:
            reasons = reasons.copy()
            for i in hits:
                ranks[i], reasons[i], backed[i] = 2, col.context[idx[i]], 1
    stress, insight, valence = col.stress[idx], col.insight[idx], col.valence[idx]
    # the text's level is its highest sentence's; among those, a phrase-backed one is the
    # evidence (and the reason) before a model-only one
    k = int((2 * ranks + backed).argmax())
    risk = RISK_LEVELS[ranks[k]]
    # robust high values: the max, tempered by the second highest in long texts
    top_stress = _high(stress)
    top_insight = _high(insight)
    if whole is not None and "stress" in whole:
        top_stress = whole["stress"]
    elif whole is not None and "whole_stress" in whole:
        top_stress = whole["calib"](0.5 * top_stress + 0.5 * whole["whole_stress"])
    if whole is not None and "insight" in whole:
        top_insight = whole["insight"]
    # valence: the mean, leaning to the most negative sentence
    val = 0.5 * valence.mean() + 0.5 * min(valence.min(), valence.mean())
    emotion = col.emotion[idx[int(col.strength[idx].argmax())]]
    if risk != "none":
        evidence = sents[k]
    else:
        salience = np.maximum.reduce([stress, insight, np.abs(valence)])
        evidence = sents[int(salience.argmax())]
    return {"valence": float(np.clip(val, -1, 1)), "emotion": emotion,
            "stress": float(np.clip(top_stress, 0, 1)), "insight": float(np.clip(top_insight, 0, 1)),
            "risk": risk, "risk_reason": reasons[k] if risk != "none" else "",
            "evidence": evidence}


def _text_features(per_text: list[list[str]], pos: dict[str, int],
                   sentence_feats: np.ndarray | None) -> np.ndarray:
    """Lexicon features of each text (its sentences joined by a space); a one-sentence text
    reuses its sentence's row (the same string), so only longer texts are scanned again."""
    joined = [" ".join(ss) for ss in per_text]
    out = np.zeros((len(per_text), len(FEATURES)), dtype=np.float32)
    todo = []
    for j, ss in enumerate(per_text):
        if len(ss) == 1 and sentence_feats is not None:
            out[j] = sentence_feats[pos[ss[0]]]
        else:
            todo.append(j)
    if todo:
        out[todo], _ = lexicon_features([joined[j] for j in todo])
    return out


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
    context = sig.attrs.get("context", np.array([""] * len(distinct), dtype=object))
    sig_feats = sig.attrs.get("features")
    # pandas deep-copies attrs on every slice: left in place they made this loop quadratic.
    sig.attrs.clear()
    pos = {s: i for i, s in enumerate(distinct)}
    index_lists = [[pos[s] for s in ss] for ss in per_text]
    # text-level heads on the pooled sentence embeddings (mean and max) and the text's
    # lexicon features; older weight files: whole-text stress from the mean embedding
    text_heads: dict[str, np.ndarray] = {}
    if w is not None and distinct:
        means, maxes = pooled_embeddings(vectors, index_lists)
        tfeats = _text_features(per_text, pos, sig_feats)
        if "stress_text_w" in w:
            whole_vecs = None
            if uses_whole_text(w):
                # a one-sentence text is its sentence (same tokens); longer texts are looked
                # up whole (the analyze stage has embedded every text already)
                whole_vecs = means.copy()
                multi = [j for j, ss in enumerate(per_text) if len(ss) > 1]
                if multi:
                    whole_vecs[multi] = np.asarray(embed([texts[j] for j in multi]), dtype=np.float32)
            x = text_design(means, maxes, tfeats, w, whole_vecs)
            text_heads.update(text_head_scores(x, texts, w))
        else:
            x = _design(means, tfeats, w)
            text_heads["whole_stress"] = _sigmoid(x @ w["stress_w"] + w["stress_b"])
    calib = _stress_calibration(w)
    col = _SentenceColumns(sig, strength, context)
    rows = []
    for j, (ss, idx) in enumerate(zip(per_text, index_lists)):
        whole = ({k: float(v[j]) for k, v in text_heads.items()} | {"calib": calib}
                 if text_heads and ss else None)
        rows.append(_aggregate(ss, np.asarray(idx, dtype=int), col, whole))
    return pd.DataFrame(rows, columns=TEXT_COLUMNS)
