"""``python -m pipelines analyze``: embeddings, per-text signals and themes, incrementally.

I/O lives here; the NLP itself is pure functions in ``pipelines/nlp``. Everything keyed by
``text_key = md5(text)`` (embeddings, signals) is computed once per distinct text, so a
second run with nothing new does almost nothing.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from . import db
from .nlp.embed import EMBEDDING_DIM, Encoder, default_encoder, text_key

log = logging.getLogger(__name__)

EMBED_CHUNK = 4096  # texts per encode call: bounds memory, and progress is saved per chunk


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
    clients_trended: int = 0
    clients_clinical: int = 0        # clients whose rhythms, episodes and practice effects were recomputed
    seconds: dict[str, float] = field(default_factory=dict)

    def line(self) -> str:
        timing = ", ".join(f"{k} {v:.1f}s" for k, v in self.seconds.items())
        return (f"analyzed {self.n_texts} texts: {self.n_embedded} newly embedded ({self.backend}), "
                f"{self.n_scored} newly scored, {self.clients_reclustered} clients' themes rebuilt, "
                f"caseload themes {'rebuilt' if self.caseload_reclustered else 'updated'}, "
                f"{self.clients_trended} clients' trends refitted, "
                f"{self.clients_clinical} clients' rhythms, episodes and practices recomputed ({timing})")


class EmbeddingStore:
    """Embeddings cached in ``text_embeddings``; computes and saves only what is missing."""

    def __init__(self, con: duckdb.DuckDBPyConnection, encoder: Encoder):
        self.con, self.encoder = con, encoder
        self.n_embedded = 0

    def ensure(self, texts: list[str]) -> None:
        """Embed and store every distinct text not stored yet."""
        keys = {text_key(t): t for t in texts}
        if not keys:
            return
        wanted = pa.table({"text_key": list(keys)})
        self.con.register("wanted_keys", wanted)
        try:
            missing = [row[0] for row in self.con.execute(
                "SELECT text_key FROM wanted_keys ANTI JOIN text_embeddings USING (text_key)").fetchall()]
        finally:
            self.con.unregister("wanted_keys")
        for start in range(0, len(missing), EMBED_CHUNK):
            chunk = missing[start:start + EMBED_CHUNK]
            vectors = self.encoder.encode([keys[k] for k in chunk])
            self._save(chunk, vectors)
            self.n_embedded += len(chunk)

    def _save(self, keys: list[str], vectors: np.ndarray) -> None:
        flat = pa.array(np.ascontiguousarray(vectors, dtype=np.float32).ravel(), pa.float32())
        table = pa.table({
            "text_key": pa.array(keys, pa.string()),
            "backend": pa.array([self.encoder.name] * len(keys), pa.string()),
            "embedding": pa.FixedSizeListArray.from_arrays(flat, EMBEDDING_DIM),
        })
        self.con.register("new_embeddings", table)
        try:
            self.con.execute("INSERT INTO text_embeddings SELECT * FROM new_embeddings")
        finally:
            self.con.unregister("new_embeddings")

    def lookup(self, texts: list[str]) -> np.ndarray:
        """Embeddings for ``texts`` (in order), computing any that are missing."""
        self.ensure(texts)
        keys = [text_key(t) for t in texts]
        order = pa.table({"text_key": keys, "position": pa.array(range(len(keys)), pa.int64())})
        self.con.register("lookup_keys", order)
        try:
            table = self.con.execute("""
                SELECT k.position, e.embedding FROM lookup_keys k
                JOIN (SELECT text_key, any_value(embedding) AS embedding FROM text_embeddings
                      SEMI JOIN lookup_keys USING (text_key) GROUP BY text_key) e USING (text_key)
                ORDER BY k.position
            """).fetch_arrow_table()
        finally:
            self.con.unregister("lookup_keys")
        if table.num_rows != len(texts):
            raise RuntimeError("embedding cache lost rows")
        values = table.column("embedding").combine_chunks().flatten().to_numpy(zero_copy_only=False)
        return values.reshape(len(texts), EMBEDDING_DIM).astype(np.float32, copy=False)

    def embed(self, texts: list[str]) -> np.ndarray:
        """The callable signals and themes use: cached embeddings of arbitrary texts."""
        return self.lookup(list(texts))


def text_units(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every client-authored text unit (see the ``text_units`` view), oldest first."""
    return con.execute("""
        SELECT source, source_id, client_id, provider_id, conversation_id, written_at, text, text_key
        FROM text_units ORDER BY client_id, written_at, source, source_id
    """).df()


def score_missing_signals(con: duckdb.DuckDBPyConnection, store: EmbeddingStore) -> int:
    """Compute signals for distinct texts not scored by the current signals version."""
    from .nlp import signals

    version = signals.SIGNALS_VERSION
    pending = con.execute("""
        SELECT DISTINCT u.text_key, u.text FROM text_units u
        ANTI JOIN (SELECT text_key FROM text_signals WHERE signals_version = ?) s USING (text_key)
    """, [version]).fetchall()
    if not pending:
        return 0
    keys = [k for k, _ in pending]
    scored = signals.text_signals([t for _, t in pending], store.embed)
    frame = scored.assign(text_key=keys, signals_version=version)[
        ["text_key", "signals_version", "valence", "emotion", "stress", "insight", "risk", "risk_reason",
         "evidence"]]
    con.register("new_signals", frame)
    try:
        con.execute("DELETE FROM text_signals WHERE text_key IN (SELECT text_key FROM new_signals)")
        con.execute("INSERT INTO text_signals SELECT * FROM new_signals")
    finally:
        con.unregister("new_signals")
    return len(keys)


# What each client's trends are computed from (daily_measures), as queries with a client
# filter slot, so that the unchanged-input check runs in DuckDB (sql_fingerprints) and
# only changed clients' rows come into Python.
TREND_INPUTS = {
    "checkins": "SELECT client_id, checked_in_at, mood, stress, energy, sleep_hours FROM checkins",
    "valence": """SELECT u.client_id, u.written_at, round(s.valence, 9) AS valence
                  FROM text_units u JOIN text_signals s USING (text_key) WHERE s.valence IS NOT NULL""",
    "zone": "SELECT client_id, timezone FROM clients",
}


def _client_filter(sql: str, clients: list[str] | None) -> tuple[str, list]:
    """The query restricted to ``clients`` (None: all); DuckDB pushes the filter down."""
    if clients is None:
        return sql, []
    return f"SELECT * FROM ({sql}) _rows WHERE client_id IN (SELECT unnest(?::VARCHAR[]))", [clients]


def sql_fingerprints(con: duckdb.DuckDBPyConnection, queries: list[str]) -> dict[str, str]:
    """Per client, a digest of its rows in each query, computed in DuckDB: the sum of row
    hashes (order-free) and the row count per query, joined by '|'. Floats must be rounded
    in the query (a mean can differ in its last bit with row order)."""
    parts = [f"SELECT client_id, {i} AS part, sum(hash(t)::HUGEINT) AS digest, count(*) AS n "
             f"FROM ({_client_filter(q, None)[0]}) t GROUP BY client_id" for i, q in enumerate(queries)]
    by_client: dict[str, list[str]] = {}
    for client_id, part, digest, n in con.execute(" UNION ALL ".join(parts)).fetchall():
        by_client.setdefault(client_id, [""] * len(queries))[part] = f"{digest}:{n}"
    return {client: "|".join(digests) for client, digests in sorted(by_client.items())}


def daily_measures(con: duckdb.DuckDBPyConnection, clients: list[str] | None = None) -> pd.DataFrame:
    """Daily series per client and measure: check-in scales and the valence of what they
    wrote (all clients, or only ``clients``)."""
    from . import trends

    checkins_sql, params = _client_filter(TREND_INPUTS["checkins"], clients)
    valence_sql, valence_params = _client_filter(TREND_INPUTS["valence"], clients)
    values = con.execute(f"""
        WITH c AS ({checkins_sql}), v AS ({valence_sql})
        SELECT client_id, checked_in_at AS at, 'mood' AS measure, CAST(mood AS DOUBLE) AS value FROM c
        UNION ALL SELECT client_id, checked_in_at, 'stress', stress FROM c
        UNION ALL SELECT client_id, checked_in_at, 'energy', energy FROM c
        UNION ALL SELECT client_id, checked_in_at, 'sleep_hours', sleep_hours FROM c
        UNION ALL SELECT client_id, written_at, 'valence', valence FROM v
    """, params + valence_params).df()
    zones = dict(con.execute(*_client_filter(TREND_INPUTS["zone"], clients)).fetchall())
    return trends.daily_series(values, zones)


def refresh_changed_clients(con: duckdb.DuckDBPyConnection, fingerprint_table: str, digests: dict[str, str],
                            compute: Callable[[list[str]], dict[str, pd.DataFrame]]) -> int:
    """Recompute the per-client tables of clients whose input digest changed (or who are gone).

    ``compute(changed)`` returns {table: rows of those clients}; their old rows and those
    of clients no longer in the input are replaced in one transaction, with the new
    digests in ``fingerprint_table`` (client_id, fingerprint). Returns how many clients
    were recomputed.
    """
    stored = dict(con.execute(f"SELECT client_id, fingerprint FROM {fingerprint_table}").fetchall())
    changed = sorted(c for c, d in digests.items() if stored.get(c) != d)
    gone = sorted(set(stored) - set(digests))
    if not changed and not gone:
        return 0
    results = compute(changed)
    fingerprints = pd.DataFrame({"client_id": pd.Series(changed, dtype="str"),
                                 "fingerprint": pd.Series([digests[c] for c in changed], dtype="str")})
    names = {table: f"new_{table}" for table in [*results, fingerprint_table]}
    con.register("refreshed_clients", pd.DataFrame({"client_id": pd.Series(changed + gone, dtype="str")}))
    for table, frame in [*results.items(), (fingerprint_table, fingerprints)]:
        con.register(names[table], frame)
    try:
        with db.transaction(con):
            for table, name in names.items():
                con.execute(f"DELETE FROM {table} WHERE client_id IN (SELECT client_id FROM refreshed_clients)")
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {name}")
    finally:
        for name in ["refreshed_clients", *names.values()]:
            con.unregister(name)
    return len(changed)


def update_trends(con: duckdb.DuckDBPyConnection) -> int:
    """Refit the trends of clients whose daily series changed; returns how many were refitted."""
    from . import trends

    return refresh_changed_clients(
        con, "trend_fingerprints", sql_fingerprints(con, list(TREND_INPUTS.values())),
        lambda changed: {"client_trends": trends.client_trends(daily_measures(con, changed))})


_LOCAL = "timezone(coalesce(cl.timezone, 'UTC'), {})"
# What the clinical analyses read (see clinical_inputs), with a client filter slot and the
# order that makes a client's frames deterministic.
CLINICAL_INPUTS = {
    "checkins": (f"""
        SELECT c.client_id, c.checked_in_at AS at, {_LOCAL.format('c.checked_in_at')} AS local_at,
               c.mood, c.stress, c.energy, c.checkin_id
        FROM checkins c LEFT JOIN clients cl USING (client_id)""",
                 "client_id, \"at\", checkin_id"),
    "texts": (f"""
        SELECT e.client_id, CAST({_LOCAL.format('e.written_at')} AS DATE) AS day, round(e.stress, 9) AS stress,
               e.evidence, t.label AS theme, e.written_at, e.source, e.source_id
        FROM text_evidence e LEFT JOIN clients cl USING (client_id)
        LEFT JOIN text_client_themes ct USING (source, source_id, client_id)
        LEFT JOIN analysis_themes t ON t.theme_id = ct.theme_id""",
              "client_id, written_at, source, source_id"),
    "body": (f"""
        SELECT b.client_id, CAST({_LOCAL.format('c.checked_in_at')} AS DATE) AS day,
               b.location || ' ' || b.sensation AS sensation, b.intensity, c.checked_in_at, b.checkin_id,
               b.position
        FROM checkin_body_sensations b JOIN checkins c USING (client_id, checkin_id)
        LEFT JOIN clients cl USING (client_id)""",
             "client_id, checked_in_at, checkin_id, position"),
    "practices": (f"""
        SELECT p.client_id, p.practiced_at, CAST({_LOCAL.format('p.practiced_at')} AS DATE) AS day, p.kind,
               p.stress_before, p.stress_after, p.helpful, p.practice_id
        FROM practices p LEFT JOIN clients cl USING (client_id)""",
                  "client_id, practiced_at, practice_id"),
}
_HELPER_COLUMNS = {"checkins": ["checkin_id"], "texts": ["written_at", "source", "source_id"], "body": ["checked_in_at", "checkin_id", "position"],
                   "practices": ["practice_id"]}


def clinical_inputs(con: duckdb.DuckDBPyConnection, clients: list[str] | None = None) -> dict[str, pd.DataFrame]:
    """What the clinical analyses read, per client (all, or only ``clients``), with
    client-local times and days.

    checkins (client_id, at, local_at, mood, stress, energy); texts (client_id, day, stress,
    evidence, theme: the client theme's label); body (client_id, day, sensation: 'chest
    tightness', intensity); practices (client_id, practiced_at, day, kind, stress_before,
    stress_after, helpful). Sorted, so equal inputs give equal results.
    """
    out = {}
    for name, (sql, order) in CLINICAL_INPUTS.items():
        query, params = _client_filter(sql, clients)
        frame = con.execute(f"SELECT * FROM ({query}) ORDER BY {order}", params).df()
        out[name] = frame.drop(columns=_HELPER_COLUMNS.get(name, []))
    return out


def clinical_tables(inputs: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The rows of client_rhythms, stress_episodes and practice_effects for these inputs."""
    from . import clinical

    episodes = clinical.stress_episodes(clinical.daily_checkin_stress(inputs["checkins"]))
    return {
        "client_rhythms": clinical.client_rhythms(inputs["checkins"]),
        "stress_episodes": clinical.episode_context(episodes, inputs["texts"], inputs["body"], inputs["practices"]),
        "practice_effects": clinical.practice_effects(inputs["practices"]),
    }


def update_clinical(con: duckdb.DuckDBPyConnection) -> int:
    """Recompute rhythms, stress episodes and practice effects of clients whose inputs changed."""
    digests = sql_fingerprints(con, [sql for sql, _ in CLINICAL_INPUTS.values()])
    return refresh_changed_clients(con, "clinical_fingerprints", digests,
                                   lambda changed: clinical_tables(clinical_inputs(con, changed)))


def run_analysis(con: duckdb.DuckDBPyConnection, *, encoder: Encoder | None = None) -> AnalysisReport:
    """Embed, score and theme everything new; safe to run again at any time."""
    from . import themes_stage

    encoder = encoder or default_encoder()
    report = AnalysisReport(uuid.uuid4().hex, encoder.name)
    started = datetime.now(timezone.utc)
    store = EmbeddingStore(con, encoder)

    clock = time.perf_counter()
    units = text_units(con)
    report.n_texts = len(units)
    store.ensure(units["text"].tolist())
    report.n_embedded_texts = store.n_embedded
    report.seconds["embed"] = time.perf_counter() - clock

    clock = time.perf_counter()
    report.n_scored = score_missing_signals(con, store)
    report.n_embedded = store.n_embedded
    report.seconds["signals"] = time.perf_counter() - clock

    clock = time.perf_counter()
    outcome = themes_stage.update_themes(con, units, store)
    report.clients_reclustered = outcome.clients_reclustered
    report.caseload_reclustered = outcome.caseload_reclustered
    report.seconds["themes"] = time.perf_counter() - clock

    clock = time.perf_counter()
    report.clients_trended = update_trends(con)
    report.seconds["trends"] = time.perf_counter() - clock

    clock = time.perf_counter()
    report.clients_clinical = update_clinical(con)
    report.seconds["clinical"] = time.perf_counter() - clock

    con.execute("INSERT INTO analysis_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [report.run_id, started, datetime.now(timezone.utc), report.n_texts, report.n_embedded,
                 report.n_scored, report.clients_reclustered, report.caseload_reclustered, encoder.name])
    return report
