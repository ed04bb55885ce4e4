"""Deterministic embeddings: a text's vector and signals are a pure function of the text.

Real model runs (the bundled all-MiniLM-L6-v2 through the chosen ONNX backend) on small
project-written texts: the same text alone, beside other texts, in another order and in
another database encodes to the same vector (1e-6) and scores the same signals (3 decimals);
the chooser never picks a batch-dependent variant; a database embedded by the former int8
backend is re-embedded and rescored exactly once.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipelines import db
from pipelines.analyze import EmbeddingStore, run_analysis, score_missing_signals
from pipelines.ingest import ingest_paths
from pipelines.nlp import onnx_backend, signals
from pipelines.nlp.embed import Encoder, default_encoder, model_cache_dir, model_path, text_key
from tests.conftest import make_export, write_export

TOLERANCE = 1e-6

# Varied length and register (2 to ~70 tokens), so batches pad short texts to long ones.
TEXTS = [
    "ok",
    "thanks, see you next week",
    "I barely slept and the presentation is at nine.",
    "My sister keeps calling about the house and I don't know what to tell her anymore.",
    "Went for a run by the canal this morning and felt properly awake for once.",
    "Some nights I lie there wondering whether anyone would notice if I just stopped showing up.",
    "The landlord texted again about the rent, and every time my phone buzzes my stomach drops, "
    "so now I leave it in the other room and then feel guilty for hiding from it all evening.",
    "I think I'm starting to see that I only get angry like this when I feel ignored.",
    "Work was fine. Dinner was fine. Everything is fine, apparently.",
    "Honestly I don't see the point in trying any more, nothing I do changes anything.",
    "My chest gets tight on the bus and I have to get off a stop early to breathe.",
    "We laughed so much at lunch that my face hurt, it was the best day in weeks.",
]
OTHERS = [
    "Spent the afternoon sorting paperwork for the tax return.",
    "I feel like a burden to everyone around me.",
    "The new medication makes me drowsy in the mornings, but the panic attacks are fewer.",
    "hmm",
    "Called my dad for the first time since Christmas; it went better than I feared, though we "
    "still avoided talking about mum, which is the thing we both actually need to talk about.",
]
NUMERIC = ["valence", "stress", "insight"]


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return default_encoder()


def encode_alone(encoder: Encoder, texts: list[str]) -> np.ndarray:
    return np.concatenate([encoder.encode([text]) for text in texts])


def test_chosen_backend_is_onnx_and_batch_invariant(encoder):
    assert encoder.name.startswith("onnx-") and "int8" not in encoder.name
    verdicts = json.loads((model_cache_dir() / onnx_backend.VERDICTS_FILE).read_text())
    variant = encoder.name.split("-")[1]
    assert onnx_backend.eligible(verdicts[variant]), verdicts[variant]
    # and on texts the chooser never probed
    assert onnx_backend.batch_drift(encoder.encode, TEXTS + OTHERS) <= TOLERANCE


def test_text_encodes_identically_alone_beside_others_and_in_another_order(encoder):
    alone = encode_alone(encoder, TEXTS)
    together = encoder.encode(TEXTS)
    with_others = encoder.encode(OTHERS[:2] + TEXTS + OTHERS[2:])[2:2 + len(TEXTS)]
    order = np.random.default_rng(7).permutation(len(TEXTS))
    shuffled = np.empty_like(alone)
    shuffled[order] = encoder.encode([TEXTS[i] for i in order], batch_size=5)
    for batched in (together, with_others, shuffled):
        assert np.abs(batched - alone).max() <= TOLERANCE
    assert np.allclose(np.linalg.norm(alone, axis=1), 1, atol=1e-5)


def test_int8_dynamic_quantization_is_rejected_by_the_chooser(encoder):
    """The former default moves a text's vector with its neighbours; the chooser's test sees it."""
    int8 = onnx_backend.OnnxEncoder(onnx_backend.build_int8(Path(model_path()), model_cache_dir()),
                                    Path(model_path()))
    verdict = onnx_backend.measure_variant(int8, encoder.encode(onnx_backend.PROBE_TEXTS))
    assert verdict["batch_drift"] > 1e-3
    assert not onnx_backend.eligible(verdict)


def rounded_signals(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[["emotion", "risk", "risk_reason", "evidence"]].copy()
    for column in NUMERIC:
        out[column] = frame[column].astype(float).round(3)
    return out.reset_index(drop=True)


def test_signals_identical_alone_and_beside_others(encoder):
    alone = pd.concat([signals.text_signals([text], encoder.encode) for text in TEXTS])
    mixed = OTHERS + TEXTS[::-1]
    beside = signals.text_signals(mixed, encoder.encode).iloc[len(OTHERS):].iloc[::-1]
    pd.testing.assert_frame_equal(rounded_signals(alone), rounded_signals(beside))


def client_export(client: int, texts: list[str]) -> dict:
    messages = [{"message_id": f"c{client}-m-{i}", "at": f"2026-10-01T20:{i:02d}:00+00:00",
                 "role": "client", "text": text} for i, text in enumerate(texts)]
    return make_export(export_id=f"exp-c{client}", client={"client_id": f"c-{client:04d}"},
                       exported_at="2026-10-30T08:00:00+00:00", checkins=[], practices=[],
                       conversations=[{"conversation_id": f"c{client}-cv", "started_at": "2026-10-01T20:00:00+00:00",
                                       "messages": messages}],
                       share={"scope": "raw", "consented_at": "2026-09-01T00:00:00+00:00",
                              "period": {"start": "2026-10-01T00:00:00+00:00",
                                         "end": "2026-10-30T00:00:00+00:00"}})


def stored(con, keys: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Stored embeddings and signals of ``keys``, in that order."""
    frame = con.execute("""
        SELECT e.text_key, e.embedding, s.* EXCLUDE (text_key, signals_version)
        FROM text_embeddings e JOIN text_signals s USING (text_key)
        WHERE e.text_key IN (SELECT unnest(?::VARCHAR[]))
    """, [keys]).df().set_index("text_key").loc[keys]
    assert len(frame) == len(keys)
    return np.stack(frame["embedding"].to_numpy()).astype(np.float32), rounded_signals(frame)


def test_a_client_scores_the_same_alone_or_beside_other_clients(tmp_path, encoder):
    """The issue's experiment in small: one client's database, then the same client beside others."""
    target = client_export(1, TEXTS)
    neighbours = [client_export(2, OTHERS), client_export(3, OTHERS[::-1] + TEXTS[:3])]
    keys = [text_key(t) for t in TEXTS]
    results = []
    for name, exports in (("alone", [target]), ("beside", neighbours + [target])):
        folder = tmp_path / name
        folder.mkdir()
        con = db.connect(folder / "interlude.duckdb")
        try:
            ingest_paths(con, [write_export(folder, export) for export in exports])
            store = EmbeddingStore(con, encoder)
            store.ensure(con.execute("SELECT text FROM text_units ORDER BY random()").df()["text"].tolist())
            score_missing_signals(con, store)
            results.append(stored(con, keys))
        finally:
            con.close()
    (vectors_alone, signals_alone), (vectors_beside, signals_beside) = results
    assert np.abs(vectors_alone - vectors_beside).max() <= TOLERANCE
    pd.testing.assert_frame_equal(signals_alone, signals_beside)


def test_texts_embedded_by_another_backend_are_reembedded_and_rescored_once(tmp_path, encoder):
    folder = tmp_path / "upgrade"
    folder.mkdir()
    paths = [write_export(folder, client_export(1, TEXTS)), write_export(folder, client_export(2, OTHERS))]
    int8 = onnx_backend.OnnxEncoder(onnx_backend.build_int8(Path(model_path()), model_cache_dir()),
                                    Path(model_path()))
    con = db.connect(folder / "interlude.duckdb")
    try:
        ingest_paths(con, paths)
        n_units = con.execute("SELECT count(DISTINCT text_key) FROM text_units").fetchone()[0]
        run_analysis(con, encoder=Encoder("onnx-int8", int8.encode))  # what the old default stored

        upgraded = run_analysis(con, encoder=encoder)
        assert upgraded.n_embedded_texts == n_units
        assert upgraded.n_scored == n_units
        backends = con.execute("SELECT DISTINCT backend FROM text_embeddings").fetchall()
        assert backends == [(encoder.name,)]
        assert con.execute("SELECT count(*) = count(DISTINCT text_key) FROM text_embeddings").fetchone()[0]
        assert con.execute("SELECT count(*) FROM text_signals WHERE NOT ends_with(signals_version, ?)",
                           ["+" + encoder.name]).fetchone()[0] == 0

        again = run_analysis(con, encoder=encoder)
        assert (again.n_embedded, again.n_scored) == (0, 0)

        keys = [text_key(t) for t in TEXTS]
        vectors, scores = stored(con, keys)
        assert np.abs(vectors - encode_alone(encoder, TEXTS)).max() <= TOLERANCE
        fresh = pd.concat([signals.text_signals([text], encoder.encode) for text in TEXTS])
        pd.testing.assert_frame_equal(scores, rounded_signals(fresh))
    finally:
        con.close()


def test_chooser_skips_a_variant_whose_vectors_depend_on_the_batch(tmp_path, encoder):
    """A variant on record as batch-dependent is passed over; the next one is measured and used."""
    cache = tmp_path / "models"
    cache.mkdir()
    paths = onnx_backend.build_variants(Path(model_path()), model_cache_dir())
    for path in paths.values():
        (cache / path.name).symlink_to(path)
    (cache / onnx_backend.VERDICTS_FILE).write_text(json.dumps(
        {"fp32": {"agreement": 1.0, "min_cosine": 1.0, "batch_drift": 0.04}}))
    chosen = onnx_backend.choose_encoder(Path(model_path()), cache, encoder.encode)
    assert chosen.variant == "optimized"
    verdicts = json.loads((cache / onnx_backend.VERDICTS_FILE).read_text())
    assert verdicts["optimized"]["batch_drift"] <= onnx_backend.MAX_BATCH_DRIFT
    assert verdicts["optimized"]["agreement"] >= onnx_backend.MIN_AGREEMENT


# Texts the tokenizer reads alike (it lower-cases and splits on any whitespace): the
# encoder and the store run each token sequence once and hand out the same vector.
ALIKE = ["OK thanks", "ok   thanks", "Ok\tThanks", "I barely slept and the presentation is at nine.",
         "i barely slept and the   presentation is at nine."]


def test_batch_size_order_and_token_dedupe_give_bit_identical_vectors(encoder):
    """Not 1e-6: the very same floats, whatever the batching (the fp32 graph is batch-invariant,
    so sorting by length, another batch size or running a repeated token sequence once must
    not change a bit)."""
    texts = TEXTS + OTHERS + ALIKE
    alone = encode_alone(encoder, texts)
    order = np.random.default_rng(3).permutation(len(texts))
    for batch_size in (1, 2, 5, 32, 128):
        shuffled = np.empty_like(alone)
        shuffled[order] = encoder.encode([texts[i] for i in order], batch_size=batch_size)
        assert np.array_equal(shuffled, alone), batch_size
    assert np.array_equal(encoder.encode_token_ids(encoder.token_ids(texts)), alone)
    assert len({tuple(ids) for ids in encoder.token_ids(ALIKE)}) == 2
    assert np.array_equal(alone[len(TEXTS) + len(OTHERS)], alone[len(TEXTS) + len(OTHERS) + 1])


def test_store_runs_each_token_sequence_once_and_its_memory_matches_the_database(tmp_path, encoder):
    con = db.connect(tmp_path / "store.duckdb")
    try:
        store = EmbeddingStore(con, encoder)
        texts = TEXTS + ALIKE
        store.ensure(texts[:6])
        store.ensure(texts)  # the rest, two of them alike the first ALIKE text or a TEXTS one
        assert store.n_embedded == len(set(texts))
        assert store.n_encoded == len({tuple(ids) for ids in encoder.token_ids(texts)}) < store.n_embedded
        from_memory = store.lookup(texts[::-1])
        from_database = EmbeddingStore(con, encoder).lookup(texts[::-1])  # a new store reads the table
        assert from_memory.dtype == from_database.dtype == np.float32
        assert np.array_equal(from_memory, from_database)
        assert np.array_equal(from_memory, encode_alone(encoder, texts[::-1]))
    finally:
        con.close()


def test_signals_scored_in_chunks_match_one_batch(tmp_path, encoder, monkeypatch):
    """score_missing_signals saves a chunk at a time; a text's signals do not depend on its chunk."""
    from pipelines import analyze

    results = []
    for name, chunk in (("one", 10_000), ("chunks", 4)):
        folder = tmp_path / name
        folder.mkdir()
        con = db.connect(folder / "interlude.duckdb")
        try:
            ingest_paths(con, [write_export(folder, client_export(1, TEXTS + OTHERS)),
                               write_export(folder, client_export(2, ALIKE))])
            monkeypatch.setattr(analyze, "SIGNALS_CHUNK", chunk)
            store = EmbeddingStore(con, encoder)
            store.ensure(con.execute("SELECT text FROM text_units").df()["text"].tolist())
            calls = []
            n = score_missing_signals(con, store, progress=lambda *call: calls.append(call))
            keys = [r[0] for r in con.execute("SELECT text_key FROM text_signals ORDER BY text_key").fetchall()]
            assert n == len(keys) == len(set(TEXTS + OTHERS + ALIKE))
            assert calls == [("signals", min(done, n), n) for done in range(chunk, n + chunk, chunk)]
            results.append(stored(con, keys)[1])
        finally:
            con.close()
    pd.testing.assert_frame_equal(results[0], results[1])
