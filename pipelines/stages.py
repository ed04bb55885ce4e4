"""Per-client analysis stages: input queries → a pure function → output tables, each versioned.

A stage is declared once (``Stage``): the SQL files it reads (``pipelines/sql/inputs/``), the
pure function that turns those frames into its output tables, the tables it owns and an
explicit ``version``. ``run_client_stage`` is the only writer of those tables: it recomputes
a client when the client's inputs or the stage's version changed, and isolates clients, so one
client whose data breaks a computation is reported and skipped while the rest are analyzed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

import duckdb
import pandas as pd

from . import db

log = logging.getLogger(__name__)

INPUTS_DIR = Path(__file__).parent / "sql" / "inputs"
CLIENT_CHUNK = 200  # clients computed and written per transaction: bounds memory, shows progress

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True)
class StageInput:
    """One input query of a stage: ``sql/inputs/<stage>/<name>.sql``, every row has a client_id."""
    name: str
    order: str                          # ORDER BY that makes a client's frame deterministic
    helper_columns: tuple[str, ...] = ()  # columns only there to order rows, dropped before compute


@dataclass(frozen=True)
class Stage:
    name: str
    inputs: tuple[StageInput, ...]
    compute: Callable[[Mapping[str, pd.DataFrame]], dict[str, pd.DataFrame]]
    tables: tuple[str, ...]
    version: int

    def sql(self, stage_input: StageInput) -> str:
        return (INPUTS_DIR / self.name / f"{stage_input.name}.sql").read_text()


@dataclass
class StageOutcome:
    recomputed: int = 0
    failed: list[str] = field(default_factory=list)  # pseudonymous client ids, never content


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
             f"FROM ({q}) t GROUP BY client_id" for i, q in enumerate(queries)]
    by_client: dict[str, list[str]] = {}
    for client_id, part, digest, n in con.execute(" UNION ALL ".join(parts)).fetchall():
        by_client.setdefault(client_id, [""] * len(queries))[part] = f"{digest}:{n}"
    return {client: "|".join(digests) for client, digests in sorted(by_client.items())}


def stage_fingerprints(con: duckdb.DuckDBPyConnection, stage: Stage) -> dict[str, str]:
    """What each client's rows of ``stage`` would be computed from: its version and inputs."""
    digests = sql_fingerprints(con, [stage.sql(i) for i in stage.inputs])
    return {client: f"v{stage.version}|{digest}" for client, digest in digests.items()}


def stage_inputs(con: duckdb.DuckDBPyConnection, stage: Stage,
                 clients: list[str] | None = None) -> dict[str, pd.DataFrame]:
    """The stage's input frames for ``clients`` (all when None), each in its fixed order."""
    frames = {}
    for stage_input in stage.inputs:
        query, params = _client_filter(stage.sql(stage_input), clients)
        frame = con.execute(f"SELECT * FROM ({query}) _q ORDER BY {stage_input.order}", params).df()
        frames[stage_input.name] = frame.drop(columns=list(stage_input.helper_columns))
    return frames


def _compute_isolated(con, stage: Stage, clients: list[str], outcome: StageOutcome) -> tuple[list[str], dict]:
    """Compute ``clients`` together; if that fails, one by one, skipping those that fail."""
    try:
        return clients, stage.compute(stage_inputs(con, stage, clients))
    except Exception as error:  # one client's data must not stop the others
        if len(clients) == 1:
            # The exception text may quote data: only its type is logged.
            log.error("stage %s: client %s skipped (%s)", stage.name, clients[0], type(error).__name__)
            outcome.failed.append(clients[0])
            return [], {}
    done, results = [], {}
    for client in clients:
        ok, result = _compute_isolated(con, stage, [client], outcome)
        done += ok
        for table, frame in result.items():
            results.setdefault(table, []).append(frame)
    return done, {table: pd.concat(frames, ignore_index=True) for table, frames in results.items()}


def _save(con, stage: Stage, clients: list[str], results: dict[str, pd.DataFrame],
          fingerprints: Mapping[str, str]) -> None:
    """Replace ``clients``' rows of every table of the stage, and their fingerprints, at once."""
    keys = pd.DataFrame({"client_id": pd.Series(clients, dtype="str")})
    marks = keys.assign(stage=stage.name, fingerprint=[fingerprints.get(c) for c in clients])
    marks = marks[marks["fingerprint"].notna()]
    con.register("stage_clients", keys)
    con.register("stage_marks", marks)
    registered = ["stage_clients", "stage_marks"]
    try:
        with db.transaction(con):
            for table in stage.tables:
                con.execute(f"DELETE FROM {table} WHERE client_id IN (SELECT client_id FROM stage_clients)")
                frame = results.get(table)
                if frame is not None and len(frame):
                    name = f"new_{table}"
                    con.register(name, frame)
                    registered.append(name)
                    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {name}")
            con.execute("DELETE FROM stage_fingerprints WHERE stage = ? AND client_id IN "
                        "(SELECT client_id FROM stage_clients)", [stage.name])
            con.execute("INSERT INTO stage_fingerprints BY NAME SELECT stage, client_id, fingerprint FROM stage_marks")
    finally:
        for name in registered:
            con.unregister(name)


def run_client_stage(con: duckdb.DuckDBPyConnection, stage: Stage, progress: Progress | None = None) -> StageOutcome:
    """Recompute the clients whose inputs or stage version changed; drop rows of clients gone."""
    fingerprints = stage_fingerprints(con, stage)
    stored = dict(con.execute("SELECT client_id, fingerprint FROM stage_fingerprints WHERE stage = ?",
                              [stage.name]).fetchall())
    changed = sorted(c for c, f in fingerprints.items() if stored.get(c) != f)
    gone = sorted(set(stored) - set(fingerprints))
    outcome = StageOutcome()
    if gone:
        _save(con, stage, gone, {}, {})
    total = len(changed)
    if progress:
        progress(stage.name, 0, total)
    for start in range(0, total, CLIENT_CHUNK):
        chunk = changed[start:start + CLIENT_CHUNK]
        done, results = _compute_isolated(con, stage, chunk, outcome)
        if done:
            _save(con, stage, done, results, fingerprints)
        outcome.recomputed += len(done)
        if progress:
            progress(stage.name, min(start + CLIENT_CHUNK, total), total)
    return outcome
