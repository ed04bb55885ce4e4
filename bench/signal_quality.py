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
