"""NLP quality benchmark: every method × metric in ONE table, baselines in the same run.

    python bench/nlp_quality.py [--quick] [--eval-data ../shared/eval-data] [--json PATH]

Reads the labeled public data in ``../shared/eval-data/`` (skipped, with a message, when
absent) and the planted labels of ``sample_data/ground_truth.csv``; prints one aligned table
(rows: task, then method; columns: metrics; a blank cell = metric not applicable) followed
by the C-SSRS confusion tables, and writes the same numbers to
``bench/out/nlp_quality.json``. The measurement code is imported, not copied:
``bench/theme_quality.py`` (data loaders, baselines, scoring), ``bench/signal_quality.py``
(stress, emotion, insight, C-SSRS risk) and ``training/fit_signals.py`` (embedding cache, heads).

Themes (NMI, ARI, coverage = share of content texts given a theme, k = number of themes;
computed over the texts the truth calls content, "unassigned" counted as one more cluster,
as in theme_quality.py). Nothing is trained on the truth, so no split is needed.
  * data: sample_data caseload (all client texts, truth = planted ``theme``), sample_data per
    client (mean NMI/ARI over clients; full run only), CounselChat questions (truth = first
    topic) and CounselChat sentences grouped by question (full run only: the eval-data
    case where context exists).
  * methods: Interlude production (``theme_quality.production_labels``: each conversation
    pooled to its mean embedding, k-means, notes joined by centroid; CounselChat questions,
    which have no conversations, are one-text conversations), Interlude
    ``theme_methods.find_themes`` (UMAP + HDBSCAN + centroid assignment, context weight 0.5), the
    same without context, BERTopic-style UMAP + HDBSCAN (no context), agglomerative (ward)
    and k-means with k chosen by silhouette.
  * "Δ context" rows: with minus without context, for production (conversation pooling vs
    every text on its own) and for find_themes (blend 0.5 vs 0).

Everyday distress (the false-alarm side of risk): held-out GoEmotions sadness / grief /
disappointment / nervousness / remorse / fear / embarrassment comments, held-out Dreaddit
stressed posts and AnnoMI client turns that never mention death, dying, suicide or self-harm,
grouped (seeded) into pseudo-clients of 20–60 texts; the share of pseudo-clients with any flag
(goal ≤ 10 %), with the keyword list and the lexicon alone on the same texts.
Dominant emotion of a chat: seeded pseudo-chats of held-out GoEmotions comments (6 of the
chat's emotion, drawn with ESConv-like shares so "always sadness" scores about half, 3 of
another negative emotion, 7 neutral, 6 courtesy turns, 2 positive); the chat's emotion is the
most common non-neutral per-text label (``signals.conversation_emotion``). Accuracy and
macro-F1 of the plain argmax per text (the rule before) and of Interlude's rule.
The brief's insight threshold: precision and recall on held-out GoEmotions realization.

Signals (``Interlude text_signals`` uses heads refitted WITHOUT the evaluation fold; the
split is fit_signals' fixed one: Dreaddit / GoEmotions a seeded 20 % of rows, AnnoMI 20 %
of transcripts; C-SSRS 5-fold cross-validation by user):
  * stress (Dreaddit, held-out 20 %): VADER negative compound, logistic regression on the
    whole-post MiniLM embedding (trained on the other 80 %), ours. AUC, F1 at 0.5.
  * emotion (GoEmotions mapped to 10 labels, held-out): majority class, emotion word list,
    ours. Macro-F1 (and accuracy).
  * insight (held-out GoEmotions ``realization``, held-out AnnoMI change talk): the word
    list (realize, notice, understand, makes sense…) vs ours. AUC.
  * risk (C-SSRS, per user = the highest level over the user's posts): keyword list,
    Interlude lexicon only, Interlude hybrid (CV by user). B+A ≥watch = share of
    Behavior/Attempt users flagged at least watch (recall), B+A urgent, Supportive urgent
    (false alarm), Supportive ≥watch.
  * sample_data planted (the heads fitted without the held-out fold; sample data is never
    in training): insight AUC (explicit + subtle vs the rest) and planted risk on client-
    written texts (messages, notes; summaries are the app's third-person text and excluded):
    recall at the planted level, recall at ≥watch, false alarms (≥watch) among the other
    client texts, decoys (negation, someone else's story, idioms) flagged.

``--quick`` (a few minutes): seeded subsets of the eval data (Dreaddit 1,000 posts,
GoEmotions 4,000 + realization rows, 40 % of the AnnoMI transcripts and of the C-SSRS
users, the sample's first 5 clients) and only the caseload / question scopes for themes. Numbers move a little against the full run.
Harness only (results unchanged): ``signals.text_signals`` is called in chunks of 200 texts
(its per-text slicing copies a DataFrame.attrs array of every sentence, so one big call is
quadratic) and ``fit_signals.fit_weights`` is memoized (the nested C-SSRS CV repeats fits).
Embeddings are cached under ``bench/out/eval_embeddings/`` (units keyed by a hash of their
text; the sample's sentences as ``sample.npz``), so reruns embed nothing new.
"""

from __future__ import annotations

import argparse
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

from training import fit_signals as F  # noqa: E402
import signal_quality as SQ  # noqa: E402
import theme_methods as TM  # noqa: E402
import theme_quality as TQ  # noqa: E402

from pipelines.nlp import signals as S  # noqa: E402

OUT_JSON = ROOT / "bench" / "out" / "nlp_quality.json"
HOLDOUT = SQ.HOLDOUT
T0 = time.perf_counter()
QUICK_CLIENTS = 5          # --quick: the sample's theme scope uses the first 5 clients
QUICK_SAMPLE_OTHERS = 2000  # --quick: sample texts kept besides the planted / decoy ones

# Column order of the printed table (short header, metric name used in the rows).
COLUMNS = [
    ("NMI", "NMI"), ("ARI", "ARI"), ("cover", "coverage"), ("k", "themes"),
    ("AUC", "AUC"), ("F1", "F1"), ("macroF1", "macro-F1"), ("acc", "accuracy"),
    ("BA≥watch", "B+A ≥watch"), ("BA urg", "B+A urgent"), ("Sup urg", "Supportive urgent"),
    ("Sup≥watch", "Supportive ≥watch"), ("Ind urg", "Indicator urgent"), ("Ide urg", "Ideation urgent"),
    ("rec@lvl", "planted recall @level"), ("rec≥watch", "planted recall ≥watch"),
    ("FA≥watch", "false alarm ≥watch"), ("decoys", "decoys flagged"),
    ("clients", "clients flagged"), ("texts", "texts flagged"), ("urgent", "urgent texts"),
    ("model-only", "model-only texts"), ("calm", "calm share"),
    ("prec", "precision"), ("recall", "recall"), ("shown", "texts shown"), ("base", "base rate"),
]


def _chunked(text_signals, size: int = 200):
    """``signals.text_signals`` called on chunks of ``size`` texts, results concatenated.

    Same per-text results (each text's signals depend only on its own sentences; floats
    agree to ~1e-7 from BLAS batch order). Why: ``sentence_signals`` keeps an array of every
    distinct sentence in ``DataFrame.attrs``, which pandas deep-copies on each per-text
    slice in ``text_signals``, so one call costs O(texts × sentences) (8,000 sample texts:
    ~170 s, of which ~75 % is copying attrs). Chunking bounds that without touching
    pipelines/.
    """
    def call(texts, embed, **kwargs):
        texts = list(texts)
        if len(texts) <= size:
            return text_signals(texts, embed, **kwargs)
        parts = [text_signals(texts[i:i + size], embed, **kwargs) for i in range(0, len(texts), size)]
        return pd.concat(parts, ignore_index=True)

    call.__wrapped__ = text_signals
    return call


S.text_signals = _chunked(S.text_signals)  # also used by signal_quality / fit_signals via S


def _memoized(fit_weights):
    """``fit_signals.fit_weights`` remembered by its arguments (a fresh dict per call).

    The nested C-SSRS evaluation fits the risk heads without folds {k, j} both as outer k /
    inner j and as outer j / inner k: the same fit, done once. Identical results.
    """
    import inspect

    signature = inspect.signature(fit_weights)
    cache: dict = {}

    def call(*args, **kwargs):
        try:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            a = dict(bound.arguments)
            out = a.pop("risk_holdout", None)
            out = () if out is None else tuple(sorted({int(o) for o in np.atleast_1d(out) if o is not None}))
            base = a.pop("base", None)
            key = (id(a.pop("prep")), out, None if base is None else id(base), a.pop("verbose", None) and 0,
                   tuple(sorted((k, repr(v)) for k, v in a.items())))
        except (TypeError, ValueError):
            return fit_weights(*args, **kwargs)
        if key not in cache:
            cache[key] = (fit_weights(*args, **kwargs), base)  # keep base alive: its id is in the key
        return dict(cache[key][0])

    call.__wrapped__ = fit_weights
    return call


F.fit_weights = _memoized(F.fit_weights)


def log(message: str) -> None:
    print(f"[{time.perf_counter() - T0:6.0f}s] {message}", file=sys.stderr, flush=True)


# =============================================================================== themes

def production_labeler(pooled: bool):
    """Interlude's production theme path (``theme_quality.production_labels``: filler out,
    each text blended with its conversation, k-means).

    ``pooled=False`` is the no-context ablation: every text is its own "conversation".
    """
    def label(frame: pd.DataFrame, vectors: np.ndarray) -> np.ndarray:
        if not pooled:
            frame = frame.assign(group=[f"text-{i}" for i in range(len(frame))])
        return TQ.production_labels(frame, vectors)

    return label


def find_themes_labeler(weight: float):
    """``themes.find_themes`` on one scope (filler out, context blended, UMAP+HDBSCAN)."""
    def label(frame: pd.DataFrame, vectors: np.ndarray) -> np.ndarray:
        return TM.find_themes(frame["text"].tolist(), vectors, group_ids=frame["group"].tolist(),
                              context_weight=weight).labels
    return label


def baseline_labeler(method):
    """A theme_quality.py baseline, no context (filler dropped first, same minimum size)."""
    def label(frame: pd.DataFrame, vectors: np.ndarray) -> np.ndarray:
        return TQ.cluster_scope(frame, vectors, method, 0.0)
    return label


PROD = "Interlude production (conv → k-means)"
PROD_NO_CTX = "Interlude production, no context"
FIND = "Interlude find_themes (ctx 0.5)"
FIND_NO_CTX = "Interlude find_themes, no context"


def theme_methods(has_groups: bool) -> list[tuple[str, object]]:
    methods = [(PROD, production_labeler(True))]
    if has_groups:
        methods.append((PROD_NO_CTX, production_labeler(False)))
    methods.append((FIND if has_groups else "Interlude find_themes",
                    find_themes_labeler(TM.CONTEXT_WEIGHT)))
    if has_groups:
        methods.append((FIND_NO_CTX, find_themes_labeler(0.0)))
    methods += [
        ("BERTopic-style UMAP+HDBSCAN", baseline_labeler(TQ.method_bertopic)),
        ("agglomerative ward, k by silhouette", baseline_labeler(TQ.method_agglomerative)),
        ("k-means, k by silhouette", baseline_labeler(TQ.method_kmeans)),
    ]
    return methods


def evaluate_themes(frame: pd.DataFrame, vectors: np.ndarray, labeler, per_client: bool) -> dict:
    """NMI, ARI (means over clients when ``per_client``), coverage, number of themes."""
    t0 = time.perf_counter()
    keep = ~frame["filler"].to_numpy()
    if not per_client:
        labels = labeler(frame.reset_index(drop=True), vectors)
        nmi, ari, cov, k = TQ.scores(frame["theme"].to_numpy()[keep], labels[keep])
        return dict(nmi=nmi, ari=ari, coverage=cov, themes=float(k), seconds=time.perf_counter() - t0)
    per, labels_all = [], np.full(len(frame), -1, dtype=int)
    for _, part in frame.groupby("client_id", sort=True):
        idx = part.index.to_numpy()
        labels = labeler(part.reset_index(drop=True), vectors[idx])
        labels_all[idx] = labels
        pk = ~part["filler"].to_numpy()
        per.append(TQ.scores(part["theme"].to_numpy()[pk], labels[pk]))
    return dict(nmi=float(np.mean([r[0] for r in per])), ari=float(np.mean([r[1] for r in per])),
                coverage=float(np.mean(labels_all[keep] >= 0)),
                themes=float(np.mean([r[3] for r in per])), seconds=time.perf_counter() - t0)


def theme_section(rows: SQ.Rows, quick: bool, notes: list[str]) -> None:
    datasets = []
    sample = TQ.load_sample()
    if sample is None:
        notes.append(f"themes: {TQ.SAMPLE / 'ground_truth.csv'} not found, sample scopes skipped")
    else:
        vectors = TQ.cached_embed(sample["text"].tolist())  # cached for the whole sample
        if quick:  # the first QUICK_CLIENTS clients only
            chosen = sorted(sample["client_id"].unique())[:QUICK_CLIENTS]
            keep = sample["client_id"].isin(chosen).to_numpy()
            datasets.append((f"sample/caseload ({len(chosen)} clients)",
                             sample[keep].reset_index(drop=True), vectors[keep], False))
        else:
            datasets.append(("sample/caseload", sample, vectors, False))
            datasets.append(("sample/client (mean)", sample, vectors, True))
    counsel = TQ.load_counselchat()
    if counsel is None:
        notes.append(f"themes: {TQ.EVAL_DATA / 'counselchat_questions.csv'} not found, CounselChat skipped")
    else:
        datasets.append(("counselchat questions (first topic)", counsel, None, False))
        if not quick:
            datasets.append(("counselchat sentences (by question)", TQ.counselchat_sentences(counsel),
                             None, False))
    if not datasets:
        return
    import umap  # compile numba code once, outside the per-method timings

    umap.UMAP(n_neighbors=5, n_components=2, random_state=0).fit_transform(
        np.random.default_rng(0).standard_normal((40, 8)))
    for name, frame, vectors, per_client in datasets:
        frame = frame.reset_index(drop=True)
        if vectors is None:
            vectors = TQ.cached_embed(frame["text"].tolist())
        has_groups = frame["group"].notna().any()
        task = f"themes: {name}"
        results = {}
        for label, labeler in theme_methods(has_groups):
            r = evaluate_themes(frame, vectors, labeler, per_client)
            results[label] = r
            log(f"{task:<48} {label:<50} NMI {r['nmi']:.3f} ARI {r['ari']:.3f} ({r['seconds']:.0f}s)")
            for metric in ("nmi", "ari", "coverage"):
                rows.add(task, label, {"nmi": "NMI", "ari": "ARI"}.get(metric, metric), r[metric])
            rows.add(task, label, "themes", r["themes"], "{:.0f}" if not per_client else "{:.1f}")
        if has_groups:
            pairs = [("Δ context, production (pooled − not)", PROD, PROD_NO_CTX),
                     ("Δ context, find_themes (0.5 − 0)", FIND, FIND_NO_CTX)]
            for label, with_ctx, without in pairs:
                for metric in ("nmi", "ari", "coverage"):
                    rows.add(task, label, {"nmi": "NMI", "ari": "ARI"}.get(metric, metric),
                             results[with_ctx][metric] - results[without][metric], "{:+.3f}")


# =============================================================================== signals

def use_quick_subsets() -> None:
    """Seeded subsets of the eval data for --quick (the embedding cache still applies)."""
    rng = np.random.default_rng(F.SEED)
    load_dreaddit, load_annomi, load_cssrs = F.load_dreaddit, F.load_annomi, F.load_cssrs

    def dreaddit():
        df = load_dreaddit()
        keep = np.sort(rng.choice(len(df), min(len(df), 1000), replace=False))
        return df.iloc[keep].reset_index(drop=True)

    def by_group(df, column, share):
        groups = np.array(sorted(df[column].unique()))
        chosen = set(np.random.default_rng(F.SEED).choice(groups, int(len(groups) * share), replace=False))
        return df[df[column].isin(chosen)].reset_index(drop=True)

    load_goemotions = F.load_goemotions

    def goemotions():
        # 4,000 of the full run's sample (so the cached embeddings cover them) + realization rows
        df = load_goemotions()
        sample = np.flatnonzero(df["in_sample"].to_numpy())
        keep = np.zeros(len(df), dtype=bool)
        keep[np.random.default_rng(F.SEED).choice(sample, min(len(sample), 4000), replace=False)] = True
        df["in_sample"] = keep
        return df[keep | (df["realization"] == 1).to_numpy()].reset_index(drop=True)

    F.load_dreaddit = dreaddit
    F.load_goemotions = goemotions
    F.load_annomi = lambda: by_group(load_annomi(), "transcript_id", 0.4)
    F.load_cssrs = lambda: by_group(load_cssrs(), "user_id", 0.4)


def signal_section(rows: SQ.Rows, quick: bool, notes: list[str]):
    """Stress, emotion, insight and C-SSRS risk on the eval data; (held-out weights, confusions)."""
    if not F.have_eval_data():
        notes.append(f"signals: eval data not found at {F.EVAL_DATA}; stress, emotion, insight "
                     "and C-SSRS rows skipped")
        return None, {}
    if quick:
        use_quick_subsets()
    prep = F.Prepared()
    log("signals: eval data loaded, embeddings from the cache, lexicon features computed")
    w0 = F.fit_weights(prep, holdout=HOLDOUT, risk_holdout=-1)
    log("signals: heads fitted without the held-out fold")
    SQ.eval_stress(prep, w0, rows, holdout=HOLDOUT)
    log("signals: stress done")
    gall = SQ._goemotions_test(prep, w0, HOLDOUT)
    SQ.eval_emotion(prep, w0, rows, holdout=HOLDOUT, gall=gall)
    SQ.eval_insight(prep, w0, rows, holdout=HOLDOUT, gall=gall)
    log("signals: emotion and insight done")
    confusions = SQ.eval_risk(prep, w0, rows, holdout=HOLDOUT)
    # Supportive users flagged at least watch (the false-alarm side of recall).
    for name, c in confusions.items():
        sup = c.loc["Supportive"]
        rows.add("risk: C-SSRS per user", name, "Supportive ≥watch",
                 100 * float(sup[["watch", "urgent"]].sum() / max(sup.sum(), 1)), "{:.1f} %")
    log("signals: C-SSRS risk (5-fold CV by user) done")
    # everyday distress: the heads without the held-out fold, thresholds as shipped (tuned by
    # CV over every C-SSRS user; the nested fits above are reused)
    ws = dict(w0)
    ws["risk_thresholds"] = F.tune_risk_thresholds(prep, w0, np.unique(prep.fold["cssrs"]))
    alarms = SQ.eval_false_alarms(prep, ws, rows, holdout=HOLDOUT)
    log("signals: everyday-distress false alarms done")
    chats = SQ.eval_dominant_emotion(prep, w0, rows, holdout=HOLDOUT)
    SQ.eval_insight_threshold(prep, w0, rows, holdout=HOLDOUT, gall=gall)
    if os.environ.get("INTERLUDE_BENCH_DUMP"):
        # the scored dev texts, for error analysis outside the repo (never committed)
        import pickle

        with open(os.environ["INTERLUDE_BENCH_DUMP"], "wb") as f:
            pickle.dump({"alarms": alarms, "chats": chats, "w0": w0, "ws": ws,
                         "goemotions_test": gall}, f)
    log("signals: dominant emotion (pseudo-chats) and the brief's insight threshold done")
    return w0, confusions


def sample_signal_section(rows: SQ.Rows, weights, notes: list[str], quick: bool) -> None:
    """Planted insight and risk of sample_data (never used in training)."""
    gt = SQ.sample_ground_truth()
    if gt is None:
        notes.append("signals: sample_data/ground_truth.csv absent (or no planted insight); "
                     "planted rows skipped")
        return
    if quick:  # every planted / decoy text, a seeded subset of the others
        special = ((gt["insight"] != "none") | (gt["risk"] != "none")
                   | gt["decoy"].str.lower().eq("true")).to_numpy()
        rest = np.flatnonzero(~special)
        pick = np.random.default_rng(F.SEED).choice(rest, min(len(rest), QUICK_SAMPLE_OTHERS), replace=False)
        keep = special.copy()
        keep[pick] = True
        gt = gt[keep].reset_index(drop=True)
    if weights is None:
        weights = S.load_weights()
        notes.append("sample_data planted rows use the shipped weights (no eval data to refit)")
    texts = gt["text"].tolist()
    store = F.UnitStore("sample", texts)
    sig = S.text_signals(texts, store.embed, weights=weights)
    SQ.eval_sample_insight(weights, rows, gt=gt, sig=sig)
    client = (gt["source"] != "summary").to_numpy()
    planted = client & (gt["risk"] != "none").to_numpy()
    others = client & ~planted
    decoy = client & gt["decoy"].str.lower().eq("true").to_numpy()
    truth = gt["risk"].to_numpy()
    task = "risk: sample_data planted"
    if not planted.any():
        notes.append("sample_data has no planted risk texts; planted risk rows skipped")
        return
    for name, pred in (("keyword list", np.array(SQ.keyword_risk(texts))),
                       ("Interlude lexicon only", np.array(SQ.lexicon_risk(texts))),
                       ("Interlude text_signals", sig["risk"].to_numpy())):
        rows.add(task, name, "planted recall @level", f"{int((pred[planted] == truth[planted]).sum())}/{planted.sum()}")
        rows.add(task, name, "planted recall ≥watch", f"{int((pred[planted] != 'none').sum())}/{planted.sum()}")
        rows.add(task, name, "false alarm ≥watch", 100 * float((pred[others] != "none").mean()), "{:.2f} %")
        rows.add(task, name, "decoys flagged", f"{int((pred[decoy] != 'none').sum())}/{decoy.sum()}")


# =============================================================================== output

def format_table(rows: list[tuple]) -> str:
    """Aligned plain text: a task line, then one line per method; blank = not applicable."""
    cells: dict[tuple[str, str], dict[str, str]] = {}  # (task, method) in first-seen order
    for task, method, metric, value in rows:
        cells.setdefault((task, method), {}).setdefault(metric, str(value))
    metrics = list(dict.fromkeys(m for _, _, m, _ in rows))
    known = [m for _, m in COLUMNS]
    cols = [(h, m) for h, m in COLUMNS if m in metrics] + [(m, m) for m in metrics if m not in known]
    name_w = max([len(m) + 2 for _, m in cells] + [len(t) for t, _ in cells] + [6])
    widths = [max(len(h), *(len(cells[k].get(m, "")) for k in cells)) for h, m in cols]
    lines = ["".ljust(name_w) + "  " + "  ".join(h.rjust(w) for (h, _), w in zip(cols, widths))]
    lines.append("-" * len(lines[0]))
    last_task = None
    for task, method in cells:
        if task != last_task:
            lines.append(task)
            last_task = task
        lines.append(("  " + method).ljust(name_w) + "  " + "  ".join(
            cells[(task, method)].get(m, "").rjust(w) for (_, m), w in zip(cols, widths)))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="seeded subsets, a few minutes")
    parser.add_argument("--eval-data", type=Path, default=F.EVAL_DATA)
    parser.add_argument("--json", type=Path, default=OUT_JSON, help="where to write the numbers")
    parser.add_argument("--skip-themes", action="store_true")
    parser.add_argument("--skip-signals", action="store_true")
    args = parser.parse_args()
    F.EVAL_DATA = TQ.EVAL_DATA = args.eval_data
    notes: list[str] = []
    if not (args.eval_data / "dreaddit_train.csv").exists():
        print(f"eval data not found at {args.eval_data}: skipping the eval-data rows "
              "(themes on CounselChat, stress, emotion, insight, C-SSRS risk); "
              "sample_data rows only")

    rows = SQ.Rows()
    timings = {}
    confusions: dict[str, pd.DataFrame] = {}
    if not args.skip_themes:
        t = time.perf_counter()
        theme_section(rows, args.quick, notes)
        timings["themes"] = time.perf_counter() - t
    if not args.skip_signals:
        t = time.perf_counter()
        w0, confusions = signal_section(rows, args.quick, notes)
        timings["signals (eval data)"] = time.perf_counter() - t
        t = time.perf_counter()
        sample_signal_section(rows, w0, notes, args.quick)
        timings["signals (sample_data)"] = time.perf_counter() - t
        log("sample_data planted signals done")
    total = time.perf_counter() - T0

    mode = "quick (seeded subsets)" if args.quick else "full"
    print(f"\nInterlude NLP quality — {mode} run, {total / 60:.1f} min "
          f"({', '.join(f'{k} {v:.0f}s' for k, v in timings.items())})\n")
    if rows:
        print(format_table(rows))
    for name, c in confusions.items():
        print(f"\nC-SSRS users, user_risk × predicted level — {name}")
        print(c.rename_axis(index="C-SSRS class", columns="level").to_string())
    print("\nLegend: cover = share of content texts given a theme; k = themes (mean per client "
          "for per-client scopes); BA / Sup / Ind / Ide = Behavior+Attempt / Supportive / "
          "Indicator / Ideation users (per user, % of the class); rec@lvl / rec≥watch = planted risk texts found at their level / at "
          "≥watch; FA≥watch = other client texts flagged ≥watch; decoys = decoy texts flagged.")
    for note in notes:
        print(f"note: {note}")

    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({
        "mode": "quick" if args.quick else "full", "seconds": round(total, 1),
        "timings": {k: round(v, 1) for k, v in timings.items()},
        "rows": [dict(zip(("task", "method", "metric", "value"), r)) for r in rows],
        "confusions": {k: c.to_dict() for k, c in confusions.items()},
        "notes": notes,
    }, indent=1, ensure_ascii=False))
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
