"""ONNX Runtime backends for all-MiniLM-L6-v2: fp32 and graph-optimized (dynamic int8 for benchmarks).

The ONNX files are exported locally from the bundled PyTorch weights (nothing is
downloaded) and cached next to the database. A variant is used only if its embeddings
agree with PyTorch's (mean cosine ≥ ``MIN_AGREEMENT`` on a fixed probe set) *and* a text's
embedding does not depend on its batch: encoded alone, beside other texts (padded to their
length) and in another order, every probe vector must match to ``MAX_BATCH_DRIFT``.

Dynamic int8 quantization fails that test by design: it quantizes activations with one
scale per batch tensor, so a text's vector moves with its neighbours (cosine 0.96–0.99 to
itself alone). It stays exportable (``build_int8``) for ``bench/embedding.py`` only.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

MAX_SEQ_LENGTH = 256
MIN_AGREEMENT = 0.99
# Largest |difference| allowed between a probe text's vector alone and in a batch. The fp32
# and optimized graphs measure exactly 0 here (ORT 1.32, x86): padding is masked with the
# dtype's minimum, so padded positions add exact zeros, and each row's arithmetic does not
# depend on the rows beside it.
MAX_BATCH_DRIFT = 1e-6
# Candidates in order of preference: measured on the sample with bench/embedding.py, the
# plain export is the faster of the two (ORT applies its own fusions at load time).
VARIANTS = ("fp32", "optimized")
VERDICTS_FILE = "verdicts.json"  # per variant: agreement, min cosine, batch drift
# Texts per run: measured on 3,000 sample texts (fp32, one thread, CPU time), batches of
# 8–32 gave 164 texts/CPU-s against 140–151 for 64 (less padding, smaller working set).
ENCODE_BATCH = 32

# Probe texts for the agreement check: varied length and register, written for this purpose.
PROBE_TEXTS = [
    "hi", "thanks, that helped a bit",
    "My review got moved to Thursday and my chest has been tight all evening.",
    "I keep replaying what my manager said last time and I can't switch it off.",
    "Slept maybe four hours. Mum called twice about the appointment and I just couldn't pick up.",
    "I think I realize it isn't the review itself, it's that I expect to be criticized the way my dad used to.",
    "Walked to the river after work, breathing felt easier by the time I got home.",
    "Some days I don't really see the point of any of it.",
    "The bills are piling up on the counter and I avoid even looking at them, which makes it worse, "
    "and then I lie awake doing sums in my head until three in the morning.",
    "funny how it only hits me on sunday evenings",
] * 3


def export_fp32(model_dir: Path, target: Path) -> Path:
    """Export the transformer (token ids → last hidden state) to ONNX with dynamic shapes."""
    import torch
    from transformers import AutoModel

    bert = AutoModel.from_pretrained(str(model_dir), local_files_only=True).eval()

    class HiddenStates(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                             token_type_ids=token_type_ids).last_hidden_state

    names = ["input_ids", "attention_mask", "token_type_ids"]
    dummy = (torch.ones(2, 16, dtype=torch.long), torch.ones(2, 16, dtype=torch.long),
             torch.zeros(2, 16, dtype=torch.long))
    target.parent.mkdir(parents=True, exist_ok=True)
    axes = {0: "batch", 1: "sequence"}
    with torch.no_grad():
        torch.onnx.export(HiddenStates().eval(), dummy, str(target), input_names=names,
                          output_names=["last_hidden_state"], opset_version=17, dynamo=False,
                          dynamic_axes={**{name: axes for name in names}, "last_hidden_state": axes})
    return target


def optimize_graph(source: Path, target: Path) -> Path:
    """Transformer-specific fusions (attention, GELU, layer norm), as optimum's O3 does."""
    from onnxruntime.transformers.optimizer import optimize_model

    optimized = optimize_model(str(source), model_type="bert", num_heads=12, hidden_size=384,
                               opt_level=2)
    optimized.save_model_to_file(str(target))
    return target


def quantize_int8(source: Path, target: Path) -> Path:
    """Dynamic int8 quantization of the weight MatMuls (activations quantized at run time).

    Per-channel scales, and the feed-forward output projections kept in fp32: measured here,
    that lifts mean cosine to PyTorch from 0.955 (defaults) to 0.991 at most of the speed.
    """
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(source), load_external_data=False).graph
    sensitive = [n.name for n in graph.node
                 if n.op_type == "MatMul" and "/output/dense/" in n.name and "/attention/" not in n.name]
    quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=True,
                     op_types_to_quantize=["MatMul"], nodes_to_exclude=sensitive)
    return target


class OnnxEncoder:
    """Tokenize, run the ONNX transformer, mean-pool and L2-normalize, like sentence-transformers."""

    def __init__(self, onnx_path: Path, model_dir: Path, threads: int | None = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or os.cpu_count() or 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Idle threads block rather than spin: on 2 cores shared with other work, spinning
        # threads burn the CPU the busy thread waits for. Measured on 2,000 caseload texts,
        # back to back at load 8-9: 133-139 texts per CPU-second against 96-98 spinning,
        # wall 33-38 s against 53-57 s; the vectors are bit-identical (threads' scheduling
        # never enters the arithmetic).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        self.input_names = {i.name for i in self.session.get_inputs()}
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_SEQ_LENGTH)
        self.tokenizer.no_padding()
        self.path = onnx_path
        self.variant = onnx_path.stem.split("-")[-1]

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        """Each text's token ids, as the model reads them (truncated to ``MAX_SEQ_LENGTH``)."""
        return [e.ids for e in self.tokenizer.encode_batch(list(texts))]

    def encode(self, texts: list[str], batch_size: int = ENCODE_BATCH) -> np.ndarray:
        """Vectors of ``texts``; texts that tokenize alike ("OK" and "ok", other spacing) are
        run once (the graph is batch-invariant, so the copy is the very same vector)."""
        unique, owner = distinct_sequences(self.token_ids(texts))
        return self.encode_token_ids(unique, batch_size)[owner]

    def encode_token_ids(self, sequences: list[list[int]], batch_size: int = ENCODE_BATCH) -> np.ndarray:
        """Vectors of token-id sequences (from ``token_ids``), one row each, in order."""
        lengths = np.array([len(s) for s in sequences], dtype=np.int64)
        # Sort by length so each batch pads little, then restore the order.
        order = np.argsort(-lengths, kind="stable")
        out = np.empty((len(sequences), 384), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            index = order[start:start + batch_size]
            sizes = lengths[index]
            ids = np.zeros((len(index), int(sizes.max())), dtype=np.int64)
            for row, i in enumerate(index):
                ids[row, :sizes[row]] = sequences[i]
            mask = (np.arange(ids.shape[1]) < sizes[:, None]).astype(np.int64)
            feeds = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self.input_names:
                feeds["token_type_ids"] = np.zeros_like(ids)
            hidden = self.session.run(None, feeds)[0]
            out[index] = mean_pooled([hidden[row, :size] for row, size in enumerate(sizes)])
        return out


def distinct_sequences(sequences: list[list[int]]) -> tuple[list[list[int]], np.ndarray]:
    """(the distinct sequences in first-seen order, per input the index of its sequence)."""
    position: dict[tuple[int, ...], int] = {}
    unique: list[list[int]] = []
    owner = np.empty(len(sequences), dtype=np.int64)
    for i, sequence in enumerate(sequences):
        key = tuple(sequence)
        j = position.get(key)
        if j is None:
            j = position[key] = len(unique)
            unique.append(sequence)
        owner[i] = j
    return unique, owner


def mean_pooled(token_states: list[np.ndarray]) -> np.ndarray:
    """L2-normalized mean of each text's own token vectors (float64 sums, float32 result).

    Pooled per row over its real tokens only, so the padding a batch adds never enters the
    arithmetic, not even as a different summation order."""
    pooled = np.stack([states.astype(np.float64).mean(axis=0) if len(states) else
                       np.zeros(token_states[0].shape[-1]) for states in token_states])
    return (pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)).astype(np.float32)


def _quietly(build):
    """Run an exporter; its tracing chatter and warnings are not for the admin."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        previous = logging.getLogger().level
        logging.getLogger().setLevel(logging.ERROR)
        try:
            return build()
        finally:
            logging.getLogger().setLevel(previous)


def build_variants(model_dir: Path, cache_dir: Path) -> dict[str, Path]:
    """Export (once per machine, cached in ``cache_dir``) the candidate variants; variant → path."""
    return _quietly(lambda: _build_variants(model_dir, cache_dir))


def _partial(path: Path) -> Path:
    """Where ``path`` is written before its atomic rename: one name per process, so two
    processes exporting at once (test workers, a command beside the app) never mix their bytes."""
    return path.with_suffix(f".{os.getpid()}.tmp")


def _build_variants(model_dir: Path, cache_dir: Path) -> dict[str, Path]:
    cache_dir.mkdir(parents=True, exist_ok=True)
    fp32 = cache_dir / "minilm-fp32.onnx"
    optimized = cache_dir / "minilm-optimized.onnx"
    if not fp32.exists():
        export_fp32(model_dir, _partial(fp32)).rename(fp32)
    if not optimized.exists():
        optimize_graph(fp32, _partial(optimized)).rename(optimized)
    return {"fp32": fp32, "optimized": optimized}


def build_int8(model_dir: Path, cache_dir: Path) -> Path:
    """The dynamic int8 export (the former default), for benchmarks and migration tests only:
    it is batch-dependent, so ``choose_encoder`` never offers it."""
    fp32 = build_variants(model_dir, cache_dir)["fp32"]
    int8 = cache_dir / "minilm-int8.onnx"
    if not int8.exists():
        _quietly(lambda: quantize_int8(fp32, _partial(int8)).rename(int8))
    return int8


def agreement(reference: np.ndarray, candidate: np.ndarray) -> float:
    """Mean cosine between matching rows of two L2-normalized matrices."""
    return float(np.mean(np.sum(reference * candidate, axis=1)))


def batch_drift(encode, texts: list[str]) -> float:
    """Largest |difference| between a text's vector encoded alone and the same text encoded
    beside the others: all in one batch (padded to the longest), and shuffled and reversed
    in small batches (other neighbours, other padding)."""
    texts = list(dict.fromkeys(texts))
    alone = np.concatenate([encode([text]) for text in texts])
    forward = np.arange(len(texts))
    shuffled = np.random.default_rng(0).permutation(len(texts))
    drift = 0.0
    for order, batch_size in ((forward, 64), (shuffled, 3), (forward[::-1], 2)):
        batched = np.empty_like(alone)
        batched[order] = encode([texts[i] for i in order], batch_size=batch_size)
        drift = max(drift, float(np.abs(batched - alone).max()))
    return drift


def measure_variant(encoder: OnnxEncoder, reference: np.ndarray) -> dict[str, float]:
    """Agreement with PyTorch on the probe set, and batch drift."""
    vectors = encoder.encode(PROBE_TEXTS)
    cosines = np.sum(reference * vectors, axis=1)
    return {"agreement": float(cosines.mean()), "min_cosine": float(cosines.min()),
            "batch_drift": batch_drift(encoder.encode, PROBE_TEXTS)}


def eligible(verdict: dict[str, float]) -> bool:
    """Agrees with PyTorch and does not depend on the batch."""
    return verdict["agreement"] >= MIN_AGREEMENT and verdict["batch_drift"] <= MAX_BATCH_DRIFT


def choose_encoder(model_dir: Path, cache_dir: Path, reference_encode) -> OnnxEncoder | None:
    """The first ONNX variant (in ``VARIANTS`` order) that agrees with PyTorch and is
    batch-invariant, or None (use PyTorch). Verdicts are measured once per cache folder
    (one per torch/onnxruntime pair) and kept in ``verdicts.json``."""
    verdict_file = cache_dir / VERDICTS_FILE
    try:
        paths = build_variants(model_dir, cache_dir)
    except Exception as error:  # export needs torch.onnx; fall back rather than fail analysis
        log.warning("ONNX export failed (%s); using PyTorch", type(error).__name__)
        return None
    verdicts = json.loads(verdict_file.read_text()) if verdict_file.exists() else {}
    reference = None
    for variant in VARIANTS:
        encoder = OnnxEncoder(paths[variant], model_dir)
        if variant not in verdicts:
            if reference is None:
                reference = reference_encode(PROBE_TEXTS)
            verdicts[variant] = measure_variant(encoder, reference)
            _partial(verdict_file).write_text(json.dumps(verdicts, indent=1))
            _partial(verdict_file).replace(verdict_file)
        if eligible(verdicts[variant]):
            return encoder
        log.warning("ONNX %s not used: agreement with PyTorch %.4f, batch drift %.2g", variant,
                    verdicts[variant]["agreement"], verdicts[variant]["batch_drift"])
    return None
