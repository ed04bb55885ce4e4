"""``python -m pipelines analyze``: embeddings, per-text signals and themes, incrementally.

I/O lives here; the NLP itself is pure functions in ``pipelines/nlp``. Everything keyed by
``text_key = md5(text)`` (embeddings, signals) is computed once per distinct text, so a
second run with nothing new does almost nothing.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from . import db
from .stages import Progress, Stage, StageInput, run_client_stage
from .nlp.embed import EMBEDDING_DIM, Encoder, default_encoder, text_key

log = logging.getLogger(__name__)

# Idle OpenMP threads (scikit-learn's k-means in the theme stage) sleep rather than spin; read
# when scikit-learn first loads libgomp, so set before the theme stage imports it. The theme
# stage of the bench caseload, back to back at load 11-15: 35.9 CPU-s against 59.9 spinning,
# wall 100 s against 132 s, every theme table identical (waiting never enters the arithmetic).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

EMBED_CHUNK = 4096  # texts per encode call: bounds memory, and progress is saved per chunk
# Vectors an EmbeddingStore keeps in memory for the rest of a run (1.5 KiB each: ~100 MiB).
MEMO_VECTORS = 65_536
SIGNALS_CHUNK = 2048  # texts scored and saved per step (each text's signals are its own)


@dataclass
class AnalysisReport:
    run_id: str
    backend: str
    n_texts: int = 0
    n_embedded: int = 0              # texts and sentences newly embedded, all stages
    n_embedded_texts: int = 0        # of which whole text units (the embed stage)
    n_scored: int = 0
    clients_reclustered: int = 0
    caseload_reclustered: bool = False
    clients_per_stage: dict[str, int] = field(default_factory=dict)  # clients recomputed per client stage
    failed_clients: dict[str, tuple[str, ...]] = field(default_factory=dict)  # client id -> stages skipped
    seconds: dict[str, float] = field(default_factory=dict)      # wall clock per stage
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # CPU (user + sys, all threads) per stage

    @contextmanager
    def timed(self, stage: str):
        """Record the wall and CPU seconds of the block as ``stage``'s."""
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.seconds[stage] = time.perf_counter() - wall
            self.cpu_seconds[stage] = time.process_time() - cpu

    def line(self) -> str:
        timing = ", ".join(f"{k} {v:.1f}s" for k, v in self.seconds.items())
        return (f"analyzed {self.n_texts} texts: {self.n_embedded} newly embedded ({self.backend}), "
                f"{self.n_scored} newly scored, {self.clients_reclustered} clients' themes rebuilt, "
                f"caseload themes {'rebuilt' if self.caseload_reclustered else 'updated'}, "
                f"{self.clients_trended} clients' trends refitted, "
                f"{self.clients_clinical} clients' rhythms, episodes and practices recomputed ({timing})"
                + (f"; {len(self.failed_clients)} clients could not be analyzed and were skipped: "
                   + ", ".join(f"{c} ({'/'.join(s)})" for c, s in sorted(self.failed_clients.items()))
                   if self.failed_clients else ""))

    @property
    def clients_trended(self) -> int:
        return self.clients_per_stage.get("trends", 0)

    @property
    def clients_clinical(self) -> int:
        """Clients whose rhythms, episodes and practice effects were recomputed."""
        return self.clients_per_stage.get("clinical", 0)


class EmbeddingStore:
    """Embeddings cached in ``text_embeddings``, one row per text and backend; computes and
    saves only what the current backend has not stored yet.

    A text stored by another backend (the former batch-dependent int8 encoder, another
    runtime) is re-embedded once and its old row replaced, so every stored vector is the
    current encoder's and a text's vector never depends on when or beside what it came in.

    Within one run the store also keeps the vectors it embedded or read (up to
    ``MEMO_VECTORS``), so the signals and theme stages read them from memory rather than
    the database, and, for a backend whose vector depends on the token ids alone, runs each
    distinct token sequence once: a sentence that tokenizes like a text already embedded
    ("I'm tired" and "i'm tired", other spacing) reuses its vector. The vectors are the
    same floats either way (the batch-invariant graph; float32 stored as float32).
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, encoder: Encoder):
        self.con, self.encoder = con, encoder
        self.n_embedded = 0              # texts newly stored
        self.n_encoded = 0               # token sequences (or texts) run through the model
        self._by_key: dict[str, np.ndarray] = {}     # text_key -> its stored vector
        self._by_tokens: dict[bytes, np.ndarray] = {}  # token ids (int32 bytes) -> vector

    def ensure(self, texts: list[str], progress: Progress | None = None) -> None:
        """Embed and store every distinct text the current backend has not stored yet;
        ``progress("embed", done, total)`` after each chunk."""
        keys = {text_key(t): t for t in texts}
        todo = [k for k in keys if k not in self._by_key]  # in memory: stored already
        if not todo:
            return
        wanted = pa.table({"text_key": pa.array(todo, pa.string())})
        self.con.register("wanted_keys", wanted)
        try:
            missing = sorted(row[0] for row in self.con.execute(
                "SELECT text_key FROM wanted_keys ANTI JOIN "
                "(SELECT text_key FROM text_embeddings WHERE backend = ?) USING (text_key)",
                [self.encoder.name]).fetchall())
        finally:
            self.con.unregister("wanted_keys")
        for start in range(0, len(missing), EMBED_CHUNK):
            chunk = missing[start:start + EMBED_CHUNK]
            rows = self._vectors([keys[k] for k in chunk])
            self._save(chunk, np.stack(rows) if rows else np.zeros((0, EMBEDDING_DIM), np.float32))
            self._remember(chunk, rows)
            self.n_embedded += len(chunk)
            if progress:
                progress("embed", start + len(chunk), len(missing))

    def _vectors(self, texts: list[str]) -> list[np.ndarray]:
        """Newly computed vectors of ``texts`` (one row each), each distinct token sequence
        run once this run when the backend allows it."""
        if self.encoder.token_ids is None or self.encoder.encode_token_ids is None:
            self.n_encoded += len(texts)
            return list(self.encoder.encode(texts))
        sequences = self.encoder.token_ids(texts)
        tokens = [np.asarray(s, dtype=np.int32).tobytes() for s in sequences]
        new: dict[bytes, list[int]] = {}
        for token, sequence in zip(tokens, sequences):
            if token not in self._by_tokens and token not in new:
                new[token] = sequence
        fresh = dict(zip(new, self.encoder.encode_token_ids(list(new.values())))) if new else {}
        self.n_encoded += len(fresh)
        for token, vector in fresh.items():
            if len(self._by_tokens) >= MEMO_VECTORS:
                break
            self._by_tokens[token] = vector
        return [fresh[t] if t in fresh else self._by_tokens[t] for t in tokens]

    def _remember(self, keys: list[str], rows) -> None:
        for key, row in zip(keys, rows):
            if len(self._by_key) >= MEMO_VECTORS:
                return
            self._by_key[key] = row

    def _save(self, keys: list[str], vectors: np.ndarray) -> None:
        """Store these keys' vectors, replacing any other backend's rows for them."""
        flat = pa.array(np.ascontiguousarray(vectors, dtype=np.float32).ravel(), pa.float32())
        table = pa.table({
            "text_key": pa.array(keys, pa.string()),
            "backend": pa.array([self.encoder.name] * len(keys), pa.string()),
            "embedding": pa.FixedSizeListArray.from_arrays(flat, EMBEDDING_DIM),
        })
        self.con.register("new_embeddings", table)
        try:
            with db.transaction(self.con):
                self.con.execute("DELETE FROM text_embeddings WHERE text_key IN (SELECT text_key FROM new_embeddings)")
                self.con.execute("INSERT INTO text_embeddings SELECT * FROM new_embeddings")
        finally:
            self.con.unregister("new_embeddings")

    def _stored(self, keys: list[str]) -> dict[str, np.ndarray]:
        """The current backend's stored vectors of ``keys`` (distinct), read from the database."""
        self.con.register("lookup_keys", pa.table({"text_key": pa.array(keys, pa.string())}))
        try:
            table = self.con.execute("""
                SELECT text_key, any_value(embedding) AS embedding FROM text_embeddings
                SEMI JOIN lookup_keys USING (text_key) WHERE backend = ? GROUP BY text_key
            """, [self.encoder.name]).fetch_arrow_table()
        finally:
            self.con.unregister("lookup_keys")
        values = table.column("embedding").combine_chunks().flatten().to_numpy(zero_copy_only=False)
        vectors = values.astype(np.float32, copy=False).reshape(table.num_rows, EMBEDDING_DIM)
        return dict(zip(table.column("text_key").to_pylist(), vectors))

    def lookup(self, texts: list[str]) -> np.ndarray:
        """The current backend's embeddings for ``texts`` (in order), computing any missing."""
        self.ensure(texts)
        keys = [text_key(t) for t in texts]
        if not keys:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        unknown = [k for k in dict.fromkeys(keys) if k not in self._by_key]
        read = self._stored(unknown) if unknown else {}
        if len(read) != len(unknown):
            raise RuntimeError("embedding cache lost rows")
        self._remember(list(read), list(read.values()))
        return np.stack([read[k] if k in read else self._by_key[k] for k in keys])

    def embed(self, texts: list[str]) -> np.ndarray:
        """The callable signals and themes use: cached embeddings of arbitrary texts."""
        return self.lookup(list(texts))


def text_units(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every client-authored text unit (see the ``text_units`` view), oldest first; earlier
    versions since revised are marked ``superseded`` (scored for risk, never themed)."""
    return con.execute("""
        SELECT source, source_id, client_id, provider_id, conversation_id, written_at, text, text_key, superseded
        FROM text_units ORDER BY client_id, written_at, source, source_id
    """).df()


def score_missing_signals(con: duckdb.DuckDBPyConnection, store: EmbeddingStore,
                          progress: Progress | None = None) -> int:
    """Compute signals for distinct texts not scored by the current signals version and
    embedding backend, in text_key order, ``SIGNALS_CHUNK`` texts at a time (each saved as
    it is done; ``progress("signals", done, total)`` after each).

    Stored signals are keyed ``<signals version>+<embedding backend>``: a text's signals come
    from its embeddings, so a backend change (e.g. from the batch-dependent int8 encoder)
    rescores every text once, as a signals-code change does."""
    from .nlp import signals

    version = f"{signals.SIGNALS_VERSION}+{store.encoder.name}"
    pending = con.execute("""
        SELECT DISTINCT u.text_key, u.text FROM text_units u
        ANTI JOIN (SELECT text_key FROM text_signals WHERE signals_version = ?) s USING (text_key)
        ORDER BY u.text_key
    """, [version]).fetchall()
    for start in range(0, len(pending), SIGNALS_CHUNK):
        chunk = pending[start:start + SIGNALS_CHUNK]
        scored = signals.text_signals([t for _, t in chunk], store.embed)
        frame = scored.assign(text_key=[k for k, _ in chunk], signals_version=version)[
            ["text_key", "signals_version", "valence", "emotion", "stress", "insight", "risk", "risk_reason",
             "evidence"]]
        con.register("new_signals", frame)
        try:
            with db.transaction(con):
                con.execute("DELETE FROM text_signals WHERE text_key IN (SELECT text_key FROM new_signals)")
                con.execute("INSERT INTO text_signals SELECT * FROM new_signals")
        finally:
            con.unregister("new_signals")
        if progress:
            progress("signals", start + len(chunk), len(pending))
    return len(pending)


def trend_tables(inputs) -> dict[str, pd.DataFrame]:
    """The client_trends rows for the trends stage's inputs (values, zones)."""
    from . import trends

    zones = dict(zip(inputs["zones"]["client_id"], inputs["zones"]["timezone"]))
    return {"client_trends": trends.client_trends(trends.daily_series(inputs["values"], zones))}


def clinical_tables(inputs) -> dict[str, pd.DataFrame]:
    """The rows of client_rhythms, stress_episodes and practice_effects for these inputs.

    checkins (client_id, at, local_at, mood, stress, energy); texts (client_id, day, stress,
    evidence, theme: the client theme's label); body (client_id, day, location: 'chest',
    sensation: 'tightness', intensity); practices (client_id, practiced_at, day, kind, stress_before,
    stress_after, helpful).
    """
    from . import clinical

    episodes = clinical.stress_episodes(clinical.daily_checkin_stress(inputs["checkins"]))
    return {
        "client_rhythms": clinical.client_rhythms(inputs["checkins"]),
        "stress_episodes": clinical.episode_context(episodes, inputs["texts"], inputs["body"], inputs["practices"]),
        "practice_effects": clinical.practice_effects(inputs["practices"]),
    }


def client_stages() -> tuple[Stage, ...]:
    """The per-client stages, in the order they run (clinical reads the themes' labels)."""
    from . import clinical, trends

    return (
        Stage("trends", inputs=(StageInput("values", "client_id, measure, \"at\", value"),
                                StageInput("zones", "client_id")),
              compute=trend_tables, tables=("client_trends",), version=trends.VERSION),
        Stage("clinical", inputs=(
            StageInput("checkins", "client_id, \"at\", checkin_id", ("checkin_id",)),
            StageInput("texts", "client_id, written_at, source, source_id", ("written_at", "source", "source_id")),
            StageInput("body", "client_id, checked_in_at, checkin_id, position",
                       ("checked_in_at", "checkin_id", "position")),
            StageInput("practices", "client_id, practiced_at, practice_id", ("practice_id",))),
              compute=clinical_tables, tables=("client_rhythms", "stress_episodes", "practice_effects"),
              version=clinical.VERSION),
    )


def stage(name: str) -> Stage:
    """The per-client stage called ``name``."""
    return next(s for s in client_stages() if s.name == name)


def run_analysis(con: duckdb.DuckDBPyConnection, *, encoder: Encoder | None = None,
                 progress: Progress | None = None) -> AnalysisReport:
    """Embed, score and theme everything new, then run the per-client stages; safe to run
    again at any time. ``progress(stage, done, total)`` is called as work is done."""
    from . import themes_stage

    encoder = encoder or default_encoder()
    report = AnalysisReport(uuid.uuid4().hex, encoder.name)
    started = datetime.now(timezone.utc)
    store = EmbeddingStore(con, encoder)

    with report.timed("embed"):
        units = text_units(con)
        report.n_texts = len(units)
        store.ensure(units["text"].tolist(), progress)
        report.n_embedded_texts = store.n_embedded

    with report.timed("signals"):
        report.n_scored = score_missing_signals(con, store, progress)
        report.n_embedded = store.n_embedded

    with report.timed("themes"):
        current = units[~units["superseded"]].drop(columns="superseded").reset_index(drop=True)
        del units
        outcome = themes_stage.update_themes(con, current, store, progress=progress)
        report.clients_reclustered = outcome.clients_reclustered
        report.caseload_reclustered = outcome.caseload_reclustered
        report.failed_clients.update({c: ("themes",) for c in outcome.failed})
        del current

    for client_stage in client_stages():
        with report.timed(client_stage.name):
            outcome = run_client_stage(con, client_stage, progress)
            report.clients_per_stage[client_stage.name] = outcome.recomputed
            report.failed_clients.update({c: report.failed_clients.get(c, ()) + (client_stage.name,)
                                          for c in outcome.failed})

    con.execute("INSERT INTO analysis_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [report.run_id, started, datetime.now(timezone.utc), report.n_texts, report.n_embedded,
                 report.n_scored, report.clients_reclustered, report.caseload_reclustered, encoder.name])
    return report
