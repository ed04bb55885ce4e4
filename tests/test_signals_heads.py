"""The text-level stress and insight heads and their hashed words-and-pairs part (signals-5)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from pipelines.nlp import ngrams, signals
from pipelines.nlp.embed import embed_texts
from pipelines.nlp.signals import text_signals

TEXTS = [
    "Work was awful. I cried in the car and my chest was tight all evening.",
    "I realized I only snap at my partner when I haven't slept.",
    "We had pasta for dinner.",
    "",
    "ok",
    "Deadlines, deadlines, deadlines!! I can't keep up with any of it.",
]


def test_buckets_are_sorted_distinct_unit_vectors():
    ids, values = ngrams.text_buckets("I can't sleep, I can't eat, I can't think.")
    assert ids.dtype == np.int64 and values.dtype == np.float32
    assert np.all(np.diff(ids) > 0)
    assert ids.min() >= 0 and ids.max() < ngrams.BUCKETS
    assert np.isclose(float(values @ values), 1.0, atol=1e-6)
    # 5 distinct words (i can't sleep eat think) + 6 distinct pairs, before collisions
    assert 9 <= len(ids) <= 11
    # a repeated term weighs more than a single one
    counts = dict(zip(*ngrams.text_buckets("i can't sleep i can't")))
    assert counts[ngrams._bucket("i can't", ngrams.BUCKETS)] > counts[ngrams._bucket("sleep", ngrams.BUCKETS)]


def test_buckets_ignore_case_and_curly_apostrophes_and_empty_text_has_none():
    a = ngrams.text_buckets("I CAN\u2019T Sleep")
    b = ngrams.text_buckets("i can't sleep")
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    for empty in ("", None, "   ", "!!!"):
        ids, values = ngrams.text_buckets(empty)
        assert len(ids) == 0 and len(values) == 0


def test_rows_match_one_text_at_a_time_and_the_matrix():
    indptr, indices, values = ngrams.hashed_rows(TEXTS)
    assert len(indptr) == len(TEXTS) + 1 and indptr[-1] == len(indices) == len(values)
    for j, text in enumerate(TEXTS):
        ids, vals = ngrams.text_buckets(text)
        np.testing.assert_array_equal(indices[indptr[j]:indptr[j + 1]], ids)
        np.testing.assert_array_equal(values[indptr[j]:indptr[j + 1]], vals)
    m = ngrams.hashed_matrix(TEXTS)
    assert m.shape == (len(TEXTS), ngrams.BUCKETS)
    weights = np.random.default_rng(0).normal(size=ngrams.BUCKETS).astype(np.float32)
    np.testing.assert_allclose(ngrams.hashed_scores(TEXTS, weights), m @ weights, atol=1e-5)
    assert ngrams.hashed_scores(["", ""], weights).tolist() == [0.0, 0.0]


def test_buckets_are_the_same_in_another_process():
    """CRC-32, not Python's salted hash(): a fresh interpreter (another hash seed) agrees."""
    code = ("from pipelines.nlp import ngrams; "
            "print(ngrams.text_buckets('my boss keeps yelling at me')[0].tolist())")
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": seed, "PATH": ""}, cwd=str(_root())).stdout
            for seed in ("1", "2")}
    assert len(runs) == 1
    assert runs.pop().strip() == str(ngrams.text_buckets("my boss keeps yelling at me")[0].tolist())


def _root():
    from pathlib import Path

    return Path(ngrams.__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def weights():
    w = signals.load_weights()
    if w is None:
        pytest.skip("pipelines/nlp/models/signals.npz missing")
    return w


def test_shipped_stress_head_has_a_hashed_part(weights):
    h = weights["stress_text_hash"]
    assert h.shape == (ngrams.BUCKETS,) and h.dtype == np.float32
    assert np.isfinite(h).all() and np.abs(h).max() > 0


@pytest.mark.parametrize("head", ["stress", "insight"])
def test_text_head_uses_the_hashed_part(weights, head):
    """Zeroing a head's hashed weights changes its scores (only that head's)."""
    if f"{head}_text_hash" not in weights:
        pytest.skip(f"the shipped {head} text head has no hashed part")
    other = "insight" if head == "stress" else "stress"
    base = text_signals(TEXTS, embed_texts, weights=weights)
    flat = dict(weights)
    flat[f"{head}_text_hash"] = np.zeros_like(weights[f"{head}_text_hash"])
    out = text_signals(TEXTS, embed_texts, weights=flat)
    worded = [j for j, t in enumerate(TEXTS) if ngrams.tokens(t)]
    assert np.abs(out[head].to_numpy()[worded] - base[head].to_numpy()[worded]).min() > 1e-6
    np.testing.assert_allclose(out[other], base[other], atol=1e-9)
    # the same as the dense logit plus the hashed one, by hand
    p = out[head].to_numpy()[worded]
    z_hash = ngrams.hashed_scores([TEXTS[j] for j in worded], weights[f"{head}_text_hash"])
    expected = 1 / (1 + np.exp(-(np.log(p / (1 - p)) + z_hash)))
    np.testing.assert_allclose(base[head].to_numpy()[worded], expected, atol=1e-4)


def test_text_heads_do_not_depend_on_batch_or_order(weights):
    together = text_signals(TEXTS, embed_texts, weights=weights)
    alone = [text_signals([t], embed_texts, weights=weights) for t in TEXTS]
    reverse = text_signals(TEXTS[::-1], embed_texts, weights=weights).iloc[::-1].reset_index(drop=True)
    for head in ("stress", "insight"):
        np.testing.assert_allclose(together[head], [a.loc[0, head] for a in alone], atol=1e-6)
        np.testing.assert_allclose(together[head], reverse[head], atol=1e-6)


def test_stress_head_separates_plain_stress_from_plain_calm(weights):
    out = text_signals([
        "I'm so stressed about rent, I can't sleep and I keep panicking about losing my job.",
        "We had a quiet walk by the lake and then read on the sofa.",
    ], embed_texts, weights=weights)
    assert out.loc[0, "stress"] > 0.5 > out.loc[1, "stress"]
