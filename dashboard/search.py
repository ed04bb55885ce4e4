"""Semantic search over one client's texts with their stored embeddings.

Only the query is embedded, by the same bundled model the analysis used; the model
loads on the first search of the process, never to draw a page.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MIN_SCORE = 0.25  # cosine below this is unrelated text for MiniLM


def rank(query_vector: np.ndarray, frame: pd.DataFrame, vectors: np.ndarray, k: int = 10,
         min_score: float = MIN_SCORE) -> pd.DataFrame:
    """The k texts closest in meaning to the query (cosine; vectors are L2-normalized)."""
    if frame.empty:
        return frame.assign(score=pd.Series(dtype=float))
    scores = vectors @ np.asarray(query_vector, dtype=np.float32).ravel()
    order = np.argsort(-scores)[:k]
    out = frame.iloc[order].assign(score=scores[order])
    return out[out["score"] >= min_score].reset_index(drop=True)


def embed_query(text: str) -> np.ndarray:
    """The query's embedding (loads the bundled model once per process; no network)."""
    from pipelines.nlp.embed import default_encoder

    return default_encoder().encode([text])[0]
