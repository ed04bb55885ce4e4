"""Quality of the per-text signals against labeled public data, baselines in the same run.

    python bench/signal_quality.py

Held-out data only: the heads are refitted without the evaluation fold (Dreaddit,
GoEmotions: a fixed random 20 %; AnnoMI: 20 % of transcripts; C-SSRS: 5-fold
cross-validation BY USER, every user judged once by weights that never saw them).
Prints one table, method × metric, then the C-SSRS confusion tables and the throughput
of ``sentence_signals`` (embedding time excluded). Skips when the eval data is absent.

Emotion mapping (GoEmotions 27 labels -> 10, ``fit_signals.GOEMO_MAP``): anger <- anger,
annoyance, disapproval, disgust; anxiety <- nervousness, confusion; sadness <- sadness, grief,
disappointment; shame <- remorse, embarrassment; fear <- fear; joy <- joy, amusement,
excitement, love, admiration, pride, surprise; calm <- relief, caring, approval; gratitude <-
gratitude; hope <- optimism, desire; neutral <- neutral, curiosity, realization. A comment
with several labels takes its first non-neutral one.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from training import fit_signals as F  # noqa: E402

from pipelines.nlp import lexicons as L  # noqa: E402
from pipelines.nlp import signals as S  # noqa: E402

HOLDOUT = F.EVAL_FOLD
SAMPLE = F.ROOT / "sample_data"


def auc(y, s) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(np.asarray(y), np.asarray(s)))


def f1(y, pred) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(np.asarray(y), np.asarray(pred)))


def macro_f1(y, pred) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(y, pred, labels=list(S.EMOTIONS), average="macro", zero_division=0))


def word_count(texts, terms) -> np.ndarray:
    rx = L.term_regex(terms)
    return np.array([len(rx.findall(L.normalize(t))) for t in texts], dtype=float)


class Rows(list):
    """Collected (task, method, metric, value) rows; ``add`` formats floats."""

    def add(self, task, method, metric, value, fmt="{:.3f}"):
        self.append((task, method, metric, fmt.format(value) if isinstance(value, float) else value))


def eval_stress(prep, w0, rows: Rows, holdout: int = HOLDOUT) -> None:
    """Dreaddit, held-out fold: VADER, LR on whole-post MiniLM, Interlude text_signals."""
    dd, dstore = prep.data["dreaddit"]
    test = prep.fold["dreaddit"] == holdout
    y = dd.loc[test, "stress"].to_numpy()
    texts = dd.loc[test, "text"].tolist()
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()
    comp = np.array([vader.polarity_scores(t)["compound"] for t in texts])
    rows.add("stress (Dreaddit)", "VADER negative compound", "AUC", auc(y, -comp))
    rows.add("stress (Dreaddit)", "VADER negative compound", "F1", f1(y, comp < 0))
    tr = ~test
    lr = F._lr(dstore.vec(dd.loc[tr, "text"].tolist()), dd.loc[tr, "stress"].to_numpy())
    p = lr.predict_proba(dstore.vec(texts))[:, 1]
    rows.add("stress (Dreaddit)", "LR on MiniLM (whole post)", "AUC", auc(y, p))
    rows.add("stress (Dreaddit)", "LR on MiniLM (whole post)", "F1", f1(y, p >= 0.5))
    ours = S.text_signals(texts, dstore.embed, weights=w0)
    rows.add("stress (Dreaddit)", "Interlude text_signals", "AUC", auc(y, ours["stress"]))
    rows.add("stress (Dreaddit)", "Interlude text_signals", "F1", f1(y, ours["stress"] >= 0.5))


def _goemotions_test(prep, w0, holdout: int = HOLDOUT):
    """(held-out mask, text_signals of the held-out GoEmotions comments)."""
    ge, gstore = prep.data["goemotions"]
    gtest = prep.fold["goemotions"] == holdout
    return gtest, S.text_signals(ge.loc[gtest, "text"].tolist(), gstore.embed, weights=w0)


def eval_emotion(prep, w0, rows: Rows, holdout: int = HOLDOUT, gall=None) -> None:
    """GoEmotions mapped to 10 labels, held-out fold of the random sample: macro-F1."""
    ge, _ = prep.data["goemotions"]
    gtest, gall = _goemotions_test(prep, w0, holdout) if gall is None else gall
    et = gtest & ge["in_sample"].to_numpy()
    gtexts = ge.loc[et, "text"].tolist()
    gy = ge.loc[et, "emotion10"].tolist()
    rows.add("emotion (GoEmotions→10)", "majority (neutral)", "macro-F1",
             macro_f1(gy, ["neutral"] * len(gy)))
    lex_pred = []
    emo_rx = {k: L.term_regex(v) for k, v in L.EMOTION_TERMS.items()}
    for t in gtexts:
        n = L.normalize(t)
        hits = {k: len(rx.findall(n)) for k, rx in emo_rx.items()}
        best = max(hits, key=hits.get)
        lex_pred.append(best if hits[best] else "neutral")
    rows.add("emotion (GoEmotions→10)", "emotion word list", "macro-F1", macro_f1(gy, lex_pred))
    gsig = gall[et[gtest]]
    rows.add("emotion (GoEmotions→10)", "Interlude text_signals", "macro-F1",
             macro_f1(gy, gsig["emotion"].tolist()))
    rows.add("emotion (GoEmotions→10)", "Interlude text_signals", "accuracy",
             float(np.mean(np.array(gy) == gsig["emotion"].to_numpy())))


def eval_insight(prep, w0, rows: Rows, holdout: int = HOLDOUT, gall=None) -> None:
    """Held-out GoEmotions `realization` and AnnoMI change talk: AUC vs the word list."""
    ge, _ = prep.data["goemotions"]
    gtest, gall = _goemotions_test(prep, w0, holdout) if gall is None else gall
    ry = ge.loc[gtest, "realization"].to_numpy()
    rtexts = ge.loc[gtest, "text"].tolist()
    rows.add("insight: GoEmotions realization", "word list (realize, notice…)", "AUC",
             auc(ry, word_count(rtexts, L.INSIGHT_BASELINE_TERMS)))
    rows.add("insight: GoEmotions realization", "Interlude text_signals", "AUC", auc(ry, gall["insight"]))
    an, astore = prep.data["annomi"]
    atest = prep.fold["annomi"] == holdout
    ay = (an.loc[atest, "talk_type"] == "change").to_numpy()
    atexts = an.loc[atest, "text"].tolist()
    rows.add("insight: AnnoMI change talk", "word list (realize, notice…)", "AUC",
             auc(ay, word_count(atexts, L.INSIGHT_BASELINE_TERMS)))
    asig = S.text_signals(atexts, astore.embed, weights=w0)
    rows.add("insight: AnnoMI change talk", "Interlude text_signals", "AUC", auc(ay, asig["insight"]))


def eval_sample_insight(w0, rows: Rows, gt: pd.DataFrame | None = None, sig=None) -> None:
    """Planted insight of sample_data (explicit + subtle vs the rest): AUC."""
    gt = sample_ground_truth() if gt is None else gt
    if gt is None:
        rows.add("insight: sample_data planted", "(sample_data/ground_truth.csv absent)", "AUC", "n/a")
        return
    gy2 = (gt["insight"] != "none").to_numpy()
    rows.add("insight: sample_data planted", "word list (realize, notice…)", "AUC",
             auc(gy2, word_count(gt["text"].tolist(), L.INSIGHT_BASELINE_TERMS)))
    if sig is None:
        from pipelines.nlp.embed import embed_texts

        sig = S.text_signals(gt["text"].tolist(), embed_texts, weights=w0)
    rows.add("insight: sample_data planted", "Interlude text_signals", "AUC", auc(gy2, sig["insight"]))
    sub = gt["insight"] != "explicit"
    if sub.sum() and (gt.loc[sub, "insight"] == "subtle").any():
        rows.add("insight: sample_data planted", "Interlude (subtle vs none)", "AUC",
                 auc((gt.loc[sub, "insight"] == "subtle").to_numpy(), sig.loc[sub.to_numpy(), "insight"]))


def keyword_risk(texts: list[str]) -> list[str]:
    """The keyword-list baseline: urgent / watch / none by any listed term."""
    urg_rx = L.term_regex(L.RISK_BASELINE_URGENT)
    wat_rx = L.term_regex(L.RISK_BASELINE_WATCH)
    return ["urgent" if urg_rx.search(L.normalize(t)) else
            "watch" if wat_rx.search(L.normalize(t)) else "none" for t in texts]


def lexicon_risk(texts: list[str]) -> list[str]:
    """Interlude's scoped risk lexicon alone (no model): the highest sentence level."""
    return [max((S.risk_lexicon(s)[0] for s in F.split_sentences(t)), key=S._RANK.get, default="none")
            for t in texts]


def eval_risk(prep, w0, rows: Rows, holdout: int = HOLDOUT) -> dict[str, pd.DataFrame]:
    """C-SSRS per user (highest level over the user's posts), 5-fold CV by user.

    Nested: for each outer fold the risk thresholds are chosen by an inner CV over the other
    four folds (``fit_signals.tune_risk_thresholds``), the heads are refitted without the
    outer fold, and only then are its users scored.

    Returns the confusion table (C-SSRS class × predicted level) of each method.
    """
    cs, cstore = prep.data["cssrs"]
    users = cs["user_id"].to_numpy()
    truth = cs.groupby("user_id")["user_risk"].first()
    pred_ours = pd.Series("none", index=cs.index, dtype=object)
    table = F.RiskTable(prep)
    folds = sorted(set(int(f) for f in np.unique(prep.fold["cssrs"])))
    for k in folds:
        # nested: thresholds chosen by an inner CV on the other four folds' users only
        thr = F.tune_risk_thresholds(prep, w0, [f for f in folds if f != k], table=table, verbose=True)
        wk = F.fit_weights(prep, holdout=holdout, risk_holdout=k, base=w0)
        wk["risk_thresholds"] = thr
        m = prep.fold["cssrs"] == k
        ts = cs.loc[m, "text"].tolist()
        pred_ours[m] = S.text_signals(ts, cstore.embed, weights=wk)["risk"].to_numpy()
    lex_texts = cs["text"].tolist()
    pred_lex = pd.Series(lexicon_risk(lex_texts), index=cs.index, dtype=object)
    pred_kw = pd.Series(keyword_risk(lex_texts), index=cs.index)
    confusions = {}
    for name, pred in (("keyword list", pred_kw), ("Interlude lexicon only", pred_lex),
                       ("Interlude hybrid (CV by user)", pred_ours)):
        lvl = pred.map(S._RANK).groupby(users).max().map(dict(enumerate(S.RISK_LEVELS)))
        lvl = lvl.reindex(truth.index)
        ba = truth.isin(["Behavior", "Attempt"])
        sup = truth == "Supportive"
        rows.add("risk: C-SSRS per user", name, "B+A ≥watch", 100 * float((lvl[ba] != "none").mean()), "{:.1f} %")
        rows.add("risk: C-SSRS per user", name, "B+A urgent", 100 * float((lvl[ba] == "urgent").mean()), "{:.1f} %")
        rows.add("risk: C-SSRS per user", name, "Supportive urgent", 100 * float((lvl[sup] == "urgent").mean()), "{:.1f} %")
        for cls in ("Indicator", "Ideation"):
            rows.add("risk: C-SSRS per user", name, f"{cls} urgent",
                     100 * float((lvl[truth == cls] == "urgent").mean()), "{:.1f} %")
        confusions[name] = pd.crosstab(truth, lvl).reindex(
            index=["Supportive", "Indicator", "Ideation", "Behavior", "Attempt"],
            columns=list(S.RISK_LEVELS), fill_value=0)
    return confusions


# --------------------------------------------------------------- everyday-distress proxy

# Texts that mention death, dying, suicide or self-harm (the held-back measure's exclusion:
# the proxy is everyday distress that never touches the topic). A way of dying named of
# oneself ("shoot myself", "hang myself") and the wish not to wake up are mentions of
# suicide too (added with signals-4; "hurt myself" is not excluded: accidents stay in).
DEATH_MENTION = re.compile(
    r"\b(?:die|dies|died|dying|dead|death|deaths|deadly|suicid\w*|self[- ]?harm\w*|"
    r"kill(?:ing|ed)? (?:my|your|him|her|them|our)sel(?:f|ves)|kms|overdos\w*|"
    r"cut(?:ting)? (?:myself|my (?:wrists?|arms?|legs?|skin))|end (?:my|his|her) life|"
    r"take my (?:own )?life|not (?:want to|wanna) (?:live|be alive|be here)|"
    r"(?:shoot|shot|shooting|hang|hung|hanging|drown|drowning|stab|stabbing|poison|poisoning|"
    r"gas|gassing) myself|(?:wish|hope|pray|want)\w* (?:that )?i (?:\w+ )?(?:wouldn't|would not|"
    r"won't|didn't|did not|couldn't|never|not) wake up)\b")
DISTRESS_GOEMOTIONS = {"sadness", "grief", "disappointment", "nervousness", "remorse", "fear",
                       "embarrassment"}
PSEUDO_CLIENT_SIZES = (20, 60)


class MultiStore:
    """One ``embed`` over several data sets' cached units (the first store that has a text)."""

    def __init__(self, *stores):
        self.stores = stores

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 384), dtype=np.float32)
        todo = list(range(len(texts)))
        for store in self.stores:
            hit = [i for i in todo if texts[i] in store.index]
            if hit:
                out[hit] = store.vec([texts[i] for i in hit])
            todo = [i for i in todo if texts[i] not in store.index]
        if todo:
            out[todo] = self.stores[0].embed([texts[i] for i in todo])
        return out


def distress_pseudo_clients(prep, holdout: int = HOLDOUT, max_annomi: int = 1500,
                            seed: int = F.SEED) -> pd.DataFrame:
    """Everyday distress that never mentions death, dying, suicide or self-harm, grouped into
    pseudo-clients of 20–60 texts (seeded): held-out GoEmotions comments labelled sadness,
    grief, disappointment, nervousness, remorse, fear or embarrassment; held-out Dreaddit
    posts labelled stressed; AnnoMI client turns (never in the risk heads' training).
    Columns: client, source, text."""
    ge = prep.data["goemotions"][0]
    dd = prep.data["dreaddit"][0]
    an = prep.data["annomi"][0]
    gtest = prep.fold["goemotions"] == holdout
    labels = ge["emotions"].str.split("|")
    g = ge.loc[gtest & labels.map(lambda ls: bool(DISTRESS_GOEMOTIONS & set(ls))).to_numpy(), "text"]
    d = dd.loc[(prep.fold["dreaddit"] == holdout) & (dd["stress"] == 1).to_numpy(), "text"]
    rng = np.random.default_rng(seed)
    a = an["text"]
    a = a.iloc[np.sort(rng.choice(len(a), min(len(a), max_annomi), replace=False))]
    pool = pd.DataFrame({"source": ["goemotions"] * len(g) + ["dreaddit"] * len(d) + ["annomi"] * len(a),
                         "text": list(g) + list(d) + list(a)})
    pool = pool[~pool["text"].map(lambda t: bool(DEATH_MENTION.search(L.normalize(t))))]
    pool = pool.iloc[rng.permutation(len(pool))].reset_index(drop=True)
    client, start, k = np.zeros(len(pool), dtype=int), 0, 0
    while start < len(pool):
        size = int(rng.integers(PSEUDO_CLIENT_SIZES[0], PSEUDO_CLIENT_SIZES[1] + 1))
        client[start:start + size] = k
        start, k = start + size, k + 1
    pool["client"] = client
    if k > 1 and (pool["client"] == k - 1).sum() < PSEUDO_CLIENT_SIZES[0]:
        pool.loc[pool["client"] == k - 1, "client"] = k - 2  # no undersized last client
    return pool


def eval_false_alarms(prep, w, rows: Rows, holdout: int = HOLDOUT, old=None) -> dict:
    """Share of everyday-distress pseudo-clients with any risk flag (and of texts), by basis.

    ``w``: heads fitted without the held-out fold, risk thresholds as shipped (tuned on every
    C-SSRS user). ``old``: optional (name, level list) of another method on the same texts."""
    pool = distress_pseudo_clients(prep, holdout)
    stores = MultiStore(prep.data["goemotions"][1], prep.data["dreaddit"][1], prep.data["annomi"][1])
    sig = S.text_signals(pool["text"].tolist(), stores.embed, weights=w)
    S.MODEL_NEEDS_TOPIC = False  # the signals-1 gate: the model may flag without the topic
    try:
        sig_old = S.text_signals(pool["text"].tolist(), stores.embed, weights=w)
    finally:
        S.MODEL_NEEDS_TOPIC = True
    task = f"risk: everyday distress, no death/suicide words ({pool['client'].nunique()} pseudo-clients)"
    out = {}
    for name, levels, reasons in (
            ("keyword list", np.array(keyword_risk(pool["text"].tolist())), None),
            ("Interlude lexicon only", np.array(lexicon_risk(pool["text"].tolist())), None),
            ("model may flag without the topic (signals-1 gate)", sig_old["risk"].to_numpy(),
             sig_old["risk_reason"].to_numpy()),
            ("Interlude text_signals", sig["risk"].to_numpy(), sig["risk_reason"].to_numpy())):
        flagged = levels != "none"
        per_client = pd.Series(flagged).groupby(pool["client"]).any()
        rows.add(task, name, "clients flagged", 100 * float(per_client.mean()), "{:.1f} %")
        rows.add(task, name, "texts flagged", 100 * float(flagged.mean()), "{:.2f} %")
        rows.add(task, name, "urgent texts", f"{int((levels == 'urgent').sum())}/{len(levels)}")
        if reasons is not None:
            model = np.array([S.risk_basis(r) == "model" for r in reasons]) & flagged
            rows.add(task, name, "model-only texts", f"{int(model.sum())}/{len(levels)}")
        out[name] = float(per_client.mean())
    return {"pool": pool, "signals": sig, "shares": out}


# --------------------------------------------------------------- dominant emotion of a chat

# Emotion of an emotional-support chat, ESConv-like shares (depression, sadness, pain ->
# sadness; anxiety, nervousness -> anxiety; anger, disgust, jealousy -> anger; shame, guilt
# -> shame): always "sadness" scores about half, as on real chats.
CHAT_EMOTIONS = {"sadness": 0.48, "anxiety": 0.27, "anger": 0.12, "fear": 0.07, "shame": 0.06}
CHAT_MIX = {"target": 6, "other_negative": 3, "neutral": 7, "courtesy": 6, "positive": 2}


def pseudo_chats(prep, holdout: int = HOLDOUT, n_chats: int = 300, seed: int = F.SEED) -> pd.DataFrame:
    """Pseudo emotional-support chats with a known emotion (seeded), from held-out texts:
    per chat 6 GoEmotions comments of the chat's emotion, 3 of another negative emotion,
    7 neutral ones, 6 courtesy / acknowledgement turns (short GoEmotions gratitude and
    approval comments, short AnnoMI client turns such as "Okay." or "Yeah, thanks") and
    2 positive ones, shuffled within the chat. Columns: chat, emotion (the chat's label), text.

    ``holdout``: the GoEmotions fold the comments come from (the bench's held-out fold; a
    training fold for validation chats, ``fit_signals``)."""
    ge = prep.data["goemotions"][0]
    an = prep.data["annomi"][0]
    test = ge[(prep.fold["goemotions"] == holdout) & ge["in_sample"].to_numpy()]
    by = {k: v["text"].tolist() for k, v in test.groupby("emotion10")}
    raw = test["emotions"].str.split("|")
    short = test["text"].str.split().str.len() <= 8
    courtesy = test.loc[short & raw.map(lambda ls: bool({"gratitude", "approval"} & set(ls))), "text"].tolist()
    acks = an.loc[an["text"].str.split().str.len() <= 4, "text"].tolist()
    rng = np.random.default_rng(seed)
    labels = rng.choice(list(CHAT_EMOTIONS), n_chats, p=list(CHAT_EMOTIONS.values()))
    negatives = list(CHAT_EMOTIONS)
    positive = [t for k in ("joy", "hope", "calm") for t in by.get(k, [])]
    rows = []

    def pick(pool, k):
        return [pool[i] for i in rng.choice(len(pool), min(k, len(pool)), replace=False)] if pool else []

    for c, label in enumerate(labels):
        texts = pick(by.get(label, []), CHAT_MIX["target"])
        others = [t for k in negatives if k != label for t in by.get(k, [])]
        texts += pick(others, CHAT_MIX["other_negative"])
        texts += pick(by.get("neutral", []), CHAT_MIX["neutral"])
        half = CHAT_MIX["courtesy"] // 2
        texts += pick(courtesy, half) + pick(acks, CHAT_MIX["courtesy"] - half)
        texts += pick(positive, CHAT_MIX["positive"])
        # in a seeded random order: a chat does not open with its emotional turns (built in
        # this order, the old first-reached tie rule handed the chat's own emotion every tie)
        rows += [(c, label, texts[i]) for i in rng.permutation(len(texts))]
    return pd.DataFrame(rows, columns=["chat", "emotion", "text"])


def eval_dominant_emotion(prep, w, rows: Rows, holdout: int = HOLDOUT) -> None:
    """Pseudo-chats: accuracy and macro-F1 (over the chat labels) of the most common
    non-neutral per-text emotion, for the argmax rule (before) and Interlude's rule."""
    from sklearn.metrics import f1_score

    chats = pseudo_chats(prep, holdout)
    stores = MultiStore(prep.data["goemotions"][1], prep.data["annomi"][1])
    sig = S.text_signals(chats["text"].tolist(), stores.embed, weights=w)
    truth = chats.groupby("chat")["emotion"].first()
    labels = list(CHAT_EMOTIONS)
    task = f"dominant emotion: pseudo-chats ({len(truth)} chats of {len(chats) // len(truth)} texts)"
    # the per-text argmax without the courtesy gate or the margin: the rule before signals-2
    vec = stores.embed(chats["text"].tolist())
    feats, _ = S.lexicon_features(chats["text"].tolist())
    argmax = np.array(S.EMOTIONS)[S.head_scores(vec, feats, w)["emotion"].argmax(axis=1)]
    for name, per_text in (("always sadness", None),
                           ("most common non-neutral, argmax per text", argmax),
                           ("Interlude text_signals (courtesy neutral, margin)", sig["emotion"].to_numpy())):
        if per_text is None:
            pred = pd.Series("sadness", index=truth.index)
        else:
            pred = pd.Series(per_text).groupby(chats["chat"]).agg(S.conversation_emotion)
        rows.add(task, name, "accuracy", float((pred == truth).mean()))
        rows.add(task, name, "macro-F1", float(f1_score(truth, pred, labels=labels, average="macro",
                                                         zero_division=0)))
    share = pd.Series(sig["emotion"]).value_counts(normalize=True)
    rows.add(task, "Interlude text_signals (courtesy neutral, margin)", "calm share",
             100 * float(share.get("calm", 0.0)), "{:.1f} %")
    rows.add(task, "most common non-neutral, argmax per text", "calm share",
             100 * float(np.mean(argmax == "calm")), "{:.1f} %")
    return {"chats": chats, "signals": sig}


# --------------------------------------------------------------- the brief's insight threshold

def eval_insight_threshold(prep, w0, rows: Rows, holdout: int = HOLDOUT, gall=None) -> None:
    """Precision and recall of ``briefing.INSIGHT_THRESHOLD`` on held-out GoEmotions
    ``realization`` (its natural 2.6 % base rate) and AnnoMI change talk."""
    from dashboard.briefing import INSIGHT_THRESHOLD

    ge, _ = prep.data["goemotions"]
    gtest, gall = _goemotions_test(prep, w0, holdout) if gall is None else gall
    # the natural rate: the random sample only (every realization row was added to it)
    nat = ge.loc[gtest, "in_sample"].to_numpy()
    y = ge.loc[gtest, "realization"].to_numpy()[nat]
    p = gall["insight"].to_numpy()[nat]
    task = f"insight threshold {INSIGHT_THRESHOLD:.2f} (briefing)"
    sel = p >= INSIGHT_THRESHOLD
    rows.add(task, "GoEmotions realization (held out)", "precision",
             float(y[sel].mean()) if sel.any() else float("nan"))
    rows.add(task, "GoEmotions realization (held out)", "recall", float(sel[y == 1].mean()))
    rows.add(task, "GoEmotions realization (held out)", "texts shown", 100 * float(sel.mean()), "{:.2f} %")
    rows.add(task, "GoEmotions realization (held out)", "base rate", 100 * float(y.mean()), "{:.2f} %")
    # the curve around it, and the threshold of the best F1 on these dev texts
    task = "insight thresholds (GoEmotions realization, held out)"
    grid = np.round(np.arange(0.5, 0.99, 0.025), 3)
    f1s = [(2 * y[p >= t].sum() / max((p >= t).sum() + y.sum(), 1), t) for t in grid]
    best = max(f1s)[1]
    for t in sorted({0.7, 0.8, 0.85, 0.9, 0.95, float(best)}):
        sel = p >= t
        name = f"≥ {t:.3f}" + (" (best F1)" if t == best else "")
        rows.add(task, name, "precision", float(y[sel].mean()) if sel.any() else float("nan"))
        rows.add(task, name, "recall", float(sel[y == 1].mean()))
        rows.add(task, name, "texts shown", 100 * float(sel.mean()), "{:.2f} %")


def eval_throughput(prep, w0, rows: Rows) -> None:
    """sentence_signals on up to 5,000 Dreaddit sentences, embeddings precomputed."""
    _, dstore = prep.data["dreaddit"]
    sents = list(dict.fromkeys(s for ss in dstore.sentences for s in ss))[:5000]
    vecs = dstore.vec(sents)
    S.sentence_signals(sents[:50], vecs[:50], weights=w0)
    t0 = time.perf_counter()
    S.sentence_signals(sents, vecs, weights=w0)
    rate = len(sents) / (time.perf_counter() - t0)
    rows.add("throughput", "sentence_signals (no embedding)", "sentences/s", f"{rate:,.0f}")


def wide_table(rows: list[tuple], columns: list[str] | None = None) -> pd.DataFrame:
    """(task, method, metric, value) rows -> one row per task × method, one column per metric."""
    table = pd.DataFrame(rows, columns=["task", "method", "metric", "value"])
    wide = table.pivot_table(index=["task", "method"], columns="metric", values="value",
                             aggfunc="first", sort=False).fillna("")
    if columns is not None:
        wide = wide[[c for c in columns if c in wide.columns]
                    + [c for c in wide.columns if c not in columns]]
    return wide


def main() -> int:
    if not F.have_eval_data():
        print(f"eval data not found at {F.EVAL_DATA}; skipping the signal quality benchmark")
        return 0
    prep = F.Prepared()
    w0 = F.fit_weights(prep, holdout=HOLDOUT, risk_holdout=-1)
    rows = Rows()
    eval_stress(prep, w0, rows)
    gall = _goemotions_test(prep, w0)
    eval_emotion(prep, w0, rows, gall=gall)
    eval_insight(prep, w0, rows, gall=gall)
    eval_sample_insight(w0, rows)
    confusions = eval_risk(prep, w0, rows)
    ws = dict(w0)
    ws["risk_thresholds"] = F.tune_risk_thresholds(prep, w0, np.unique(prep.fold["cssrs"]))
    eval_false_alarms(prep, ws, rows)
    eval_dominant_emotion(prep, w0, rows)
    eval_insight_threshold(prep, w0, rows, gall=gall)
    eval_throughput(prep, w0, rows)

    wide = wide_table(rows)
    with pd.option_context("display.width", 200, "display.max_columns", 20,
                           "display.max_colwidth", 40):
        print(wide.to_string())
        for name, c in confusions.items():
            print(f"\nC-SSRS users, user_risk × predicted level — {name}")
            print(c.to_string())
    return 0


def sample_ground_truth() -> pd.DataFrame | None:
    """Planted insight labels of the generated sample data, joined to their texts."""
    gt_path = SAMPLE / "ground_truth.csv"
    if not gt_path.exists():
        return None
    gt = pd.read_csv(gt_path, dtype=str).fillna("")
    texts: dict[tuple[str, str], str] = {}
    for path in sorted((SAMPLE / "exports").rglob("*.json")):
        try:
            doc = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        for c in doc.get("checkins", []) or []:
            if c.get("note"):
                texts[("note", c["checkin_id"])] = c["note"]
        for conv in doc.get("conversations", []) or []:
            if conv.get("summary"):
                texts[("summary", conv["conversation_id"])] = conv["summary"]
            for msg in conv.get("messages", []) or []:
                if msg.get("role") == "client" and msg.get("text"):
                    texts[("message", msg["message_id"])] = msg["text"]
    gt["text"] = [texts.get((s, i), "") for s, i in zip(gt["source"], gt["source_id"])]
    gt = gt[gt["text"] != ""].reset_index(drop=True)
    if gt.empty or gt["insight"].nunique() < 2:
        return None
    return gt


if __name__ == "__main__":
    sys.exit(main())
