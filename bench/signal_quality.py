"""Quality of the per-text signals against labeled public data, baselines in the same run.

    python bench/signal_quality.py

Held-out data only: the heads are refitted without the evaluation fold (Dreaddit,
GoEmotions: a fixed random 20 %; AnnoMI: 20 % of transcripts; C-SSRS: 5-fold
cross-validation BY USER, every user judged once by weights that never saw them).
Prints one table, method × metric, then the C-SSRS confusion tables and the throughput
of ``sentence_signals`` (embedding time excluded). Skips when the eval data is absent.

Emotion mapping (GoEmotions 27 labels -> 10): anger <- anger, annoyance, disapproval,
disgust; anxiety <- nervousness, confusion; sadness <- sadness, grief, disappointment;
shame <- remorse, embarrassment; fear <- fear; joy <- joy, amusement, excitement, love,
admiration, pride, surprise; calm <- relief, caring, approval; gratitude <- gratitude;
hope <- optimism, desire; neutral <- neutral, curiosity, realization. A comment with several
labels takes its first non-neutral one.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fit_signals as F  # noqa: E402

from pipelines.nlp import lexicons as L  # noqa: E402
from pipelines.nlp import signals as S  # noqa: E402

HOLDOUT = 0
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


def main() -> int:
    if not F.have_eval_data():
        print(f"eval data not found at {F.EVAL_DATA}; skipping the signal quality benchmark")
        return 0
    prep = F.Prepared()
    w0 = F.fit_weights(prep, holdout=HOLDOUT, risk_holdout=-1)
    rows: list[tuple[str, str, str, str]] = []  # (task, method, metric, value)

    def add(task, method, metric, value, fmt="{:.3f}"):
        rows.append((task, method, metric, fmt.format(value) if isinstance(value, float) else value))

    # ------------------------------------------------------------------ stress (Dreaddit)
    dd, dstore = prep.data["dreaddit"]
    test = prep.fold["dreaddit"] == HOLDOUT
    y = dd.loc[test, "stress"].to_numpy()
    texts = dd.loc[test, "text"].tolist()
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()
    comp = np.array([vader.polarity_scores(t)["compound"] for t in texts])
    add("stress (Dreaddit)", "VADER negative compound", "AUC", auc(y, -comp))
    add("stress (Dreaddit)", "VADER negative compound", "F1", f1(y, comp < 0))
    tr = ~test
    lr = F._lr(dstore.vec(dd.loc[tr, "text"].tolist()), dd.loc[tr, "stress"].to_numpy())
    p = lr.predict_proba(dstore.vec(texts))[:, 1]
    add("stress (Dreaddit)", "LR on MiniLM (whole post)", "AUC", auc(y, p))
    add("stress (Dreaddit)", "LR on MiniLM (whole post)", "F1", f1(y, p >= 0.5))
    ours = S.text_signals(texts, dstore.embed, weights=w0)
    add("stress (Dreaddit)", "Interlude text_signals", "AUC", auc(y, ours["stress"]))
    add("stress (Dreaddit)", "Interlude text_signals", "F1", f1(y, ours["stress"] >= 0.5))

    # ------------------------------------------------------------------ emotion (GoEmotions)
    ge, gstore = prep.data["goemotions"]
    gtest = prep.fold["goemotions"] == HOLDOUT
    et = gtest & ge["in_sample"].to_numpy()
    gtexts = ge.loc[et, "text"].tolist()
    gy = ge.loc[et, "emotion10"].tolist()
    add("emotion (GoEmotions→10)", "majority (neutral)", "macro-F1", macro_f1(gy, ["neutral"] * len(gy)))
    lex_pred = []
    emo_rx = {k: L.term_regex(v) for k, v in L.EMOTION_TERMS.items()}
    for t in gtexts:
        n = L.normalize(t)
        hits = {k: len(rx.findall(n)) for k, rx in emo_rx.items()}
        best = max(hits, key=hits.get)
        lex_pred.append(best if hits[best] else "neutral")
    add("emotion (GoEmotions→10)", "emotion word list", "macro-F1", macro_f1(gy, lex_pred))
    gall = S.text_signals(ge.loc[gtest, "text"].tolist(), gstore.embed, weights=w0)
    gsig = gall[et[gtest]]
    add("emotion (GoEmotions→10)", "Interlude text_signals", "macro-F1", macro_f1(gy, gsig["emotion"].tolist()))
    add("emotion (GoEmotions→10)", "Interlude text_signals", "accuracy",
        float(np.mean(np.array(gy) == gsig["emotion"].to_numpy())))

    # ------------------------------------------------------------------ insight
    ry = ge.loc[gtest, "realization"].to_numpy()
    rtexts = ge.loc[gtest, "text"].tolist()
    add("insight: GoEmotions realization", "word list (realize, notice…)", "AUC",
        auc(ry, word_count(rtexts, L.INSIGHT_BASELINE_TERMS)))
    add("insight: GoEmotions realization", "Interlude text_signals", "AUC", auc(ry, gall["insight"]))
    an, astore = prep.data["annomi"]
    atest = prep.fold["annomi"] == HOLDOUT
    ay = (an.loc[atest, "talk_type"] == "change").to_numpy()
    atexts = an.loc[atest, "text"].tolist()
    add("insight: AnnoMI change talk", "word list (realize, notice…)", "AUC",
        auc(ay, word_count(atexts, L.INSIGHT_BASELINE_TERMS)))
    asig = S.text_signals(atexts, astore.embed, weights=w0)
    add("insight: AnnoMI change talk", "Interlude text_signals", "AUC", auc(ay, asig["insight"]))
    gt = sample_ground_truth()
    if gt is None:
        add("insight: sample_data planted", "(sample_data/ground_truth.csv absent)", "AUC", "n/a")
    else:
        from pipelines.nlp.embed import embed_texts

        gy2 = (gt["insight"] != "none").to_numpy()
        add("insight: sample_data planted", "word list (realize, notice…)", "AUC",
            auc(gy2, word_count(gt["text"].tolist(), L.INSIGHT_BASELINE_TERMS)))
        gsig2 = S.text_signals(gt["text"].tolist(), embed_texts, weights=w0)
        add("insight: sample_data planted", "Interlude text_signals", "AUC", auc(gy2, gsig2["insight"]))
        sub = gt["insight"] != "explicit"
        if sub.sum() and (gt.loc[sub, "insight"] == "subtle").any():
            add("insight: sample_data planted", "Interlude (subtle vs none)", "AUC",
                auc((gt.loc[sub, "insight"] == "subtle").to_numpy(), gsig2.loc[sub.to_numpy(), "insight"]))

    # ------------------------------------------------------------------ risk (C-SSRS, per user)
    cs, cstore = prep.data["cssrs"]
    users = cs["user_id"].to_numpy()
    truth = cs.groupby("user_id")["user_risk"].first()
    pred_ours = pd.Series("none", index=cs.index, dtype=object)
    pred_lex = pd.Series("none", index=cs.index, dtype=object)
    for k in range(5):
        wk = F.fit_weights(prep, holdout=HOLDOUT, risk_holdout=k, base=w0)
        m = prep.fold["cssrs"] == k
        ts = cs.loc[m, "text"].tolist()
        pred_ours[m] = S.text_signals(ts, cstore.embed, weights=wk)["risk"].to_numpy()
    lex_texts = cs["text"].tolist()
    for i, t in enumerate(lex_texts):
        lv = max((S.risk_lexicon(s)[0] for s in F.split_sentences(t)), key=S._RANK.get, default="none")
        pred_lex.iloc[i] = lv
    urg_rx = L.term_regex(L.RISK_BASELINE_URGENT)
    wat_rx = L.term_regex(L.RISK_BASELINE_WATCH)
    pred_kw = pd.Series(["urgent" if urg_rx.search(L.normalize(t)) else
                         "watch" if wat_rx.search(L.normalize(t)) else "none" for t in lex_texts],
                        index=cs.index)
    confusions = {}
    for name, pred in (("keyword list", pred_kw), ("Interlude lexicon only", pred_lex),
                       ("Interlude hybrid (CV by user)", pred_ours)):
        lvl = pred.map(S._RANK).groupby(users).max().map(dict(enumerate(S.RISK_LEVELS)))
        lvl = lvl.reindex(truth.index)
        ba = truth.isin(["Behavior", "Attempt"])
        sup = truth == "Supportive"
        add("risk: C-SSRS per user", name, "B+A ≥watch", 100 * float((lvl[ba] != "none").mean()), "{:.1f} %")
        add("risk: C-SSRS per user", name, "B+A urgent", 100 * float((lvl[ba] == "urgent").mean()), "{:.1f} %")
        add("risk: C-SSRS per user", name, "Supportive urgent", 100 * float((lvl[sup] == "urgent").mean()), "{:.1f} %")
        confusions[name] = pd.crosstab(truth, lvl).reindex(
            index=["Supportive", "Indicator", "Ideation", "Behavior", "Attempt"],
            columns=list(S.RISK_LEVELS), fill_value=0)

    # ------------------------------------------------------------------ throughput
    sents = list(dict.fromkeys(s for ss in dstore.sentences for s in ss))[:5000]
    vecs = dstore.vec(sents)
    S.sentence_signals(sents[:50], vecs[:50], weights=w0)
    t0 = time.perf_counter()
    S.sentence_signals(sents, vecs, weights=w0)
    rate = len(sents) / (time.perf_counter() - t0)
    add("throughput", "sentence_signals (no embedding)", "sentences/s", f"{rate:,.0f}")

    table = pd.DataFrame(rows, columns=["task", "method", "metric", "value"])
    wide = table.pivot_table(index=["task", "method"], columns="metric", values="value",
                             aggfunc="first", sort=False).fillna("")
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
