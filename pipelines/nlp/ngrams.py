"""Hashed word and word-pair (bigram) features of a text, for the text-level heads.

A text's words (lower case, straight apostrophes, ``[\\w']+`` tokens) and its adjacent word
pairs are hashed into ``BUCKETS`` buckets by CRC-32 (``zlib.crc32``: the same bucket on every
machine and every run, unlike Python's salted ``hash()``). A text's vector holds
``1 + log(count)`` per bucket, L2-normalized, so it depends on the text alone.

A linear head over these buckets is a weight per bucket: ``hashed_scores`` sums the weights of
a text's buckets without building a matrix (numpy only, a few microseconds a text).
"""

from __future__ import annotations

import re
import zlib

import numpy as np

BUCKETS = 1 << 15  # 32,768 buckets: few collisions for the ~20k distinct words and pairs of the dev data
_TOKEN = re.compile(r"[\w']+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})


def tokens(text: str) -> list[str]:
    """The text's word tokens, lower case with straight apostrophes."""
    if not text:
        return []
    return _TOKEN.findall(str(text).lower().translate(_APOSTROPHES))


def _bucket(term: str, buckets: int) -> int:
    return zlib.crc32(term.encode("utf-8")) % buckets


def text_buckets(text: str, buckets: int = BUCKETS) -> tuple[np.ndarray, np.ndarray]:
    """(sorted distinct bucket ids, L2-normalized 1 + log(count) values) of one text's words
    and word pairs; two empty arrays for a text without words."""
    indptr, indices, values = hashed_rows([text], buckets)
    return indices, values


def _term_buckets(text: str, buckets: int) -> list[int]:
    """Bucket ids of the text's words, then of its word pairs ("a b"). A pair's CRC-32 is the
    first word's continued over " " and the second word (``zlib.crc32(data, value)``): the
    same number as ``crc32(b"a b")``, without building the pair strings."""
    crc = zlib.crc32
    words = [t.encode("utf-8") for t in tokens(text)]
    single = [crc(t) for t in words]
    pairs = [crc(b, crc(b" ", a)) for a, b in zip(single, words[1:])]
    return [h % buckets for h in single + pairs]


def hashed_rows(texts: list[str], buckets: int = BUCKETS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(indptr, indices, values) of the texts' bucket vectors in CSR layout: row j holds the
    sorted distinct buckets of ``texts[j]``'s words and word pairs with their L2-normalized
    1 + log(count). Each row depends on its own text only."""
    ids: list[int] = []
    lengths = np.zeros(len(texts), dtype=np.int64)
    for j, text in enumerate(texts):
        row = _term_buckets(text, buckets)
        lengths[j] = len(row)
        ids.extend(row)
    if not ids:
        return (np.zeros(len(texts) + 1, dtype=np.int64), np.zeros(0, dtype=np.int64),
                np.zeros(0, dtype=np.float32))
    rows = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    keys, counts = np.unique(rows * buckets + np.asarray(ids, dtype=np.int64), return_counts=True)
    row_of = keys // buckets
    values = 1.0 + np.log(counts.astype(np.float64))
    per_row = np.bincount(row_of, weights=values * values, minlength=len(texts))
    values /= np.sqrt(per_row[row_of])
    indptr = np.r_[0, np.cumsum(np.bincount(row_of, minlength=len(texts)))].astype(np.int64)
    return indptr, (keys % buckets).astype(np.int64), values.astype(np.float32)


def hashed_matrix(texts: list[str], buckets: int = BUCKETS):
    """The texts' bucket vectors as a scipy CSR matrix (for fitting)."""
    from scipy.sparse import csr_matrix

    indptr, indices, values = hashed_rows(texts, buckets)
    return csr_matrix((values, indices, indptr), shape=(len(texts), buckets), dtype=np.float32)


def row_scores(rows: tuple[np.ndarray, np.ndarray, np.ndarray], weights: np.ndarray) -> np.ndarray:
    """Per row of ``hashed_rows`` output, the dot product of its bucket vector with
    ``weights`` (one weight a bucket)."""
    indptr, indices, values = rows
    weights = np.asarray(weights, dtype=np.float32)
    out = np.zeros(len(indptr) - 1, dtype=np.float32)
    if len(indices):
        if int(indices.max()) >= len(weights):
            raise ValueError(f"bucket ids up to {int(indices.max())} for {len(weights)} weights")
        nonempty = np.flatnonzero(np.diff(indptr) > 0)
        out[nonempty] = np.add.reduceat(values * weights[indices], indptr[nonempty])
    return out


def hashed_scores(texts: list[str], weights: np.ndarray) -> np.ndarray:
    """Per text, the dot product of its bucket vector with ``weights`` (one weight a bucket)."""
    return row_scores(hashed_rows(texts, len(weights)), weights)
