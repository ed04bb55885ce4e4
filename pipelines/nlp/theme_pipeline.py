"""Build and store themes per client and across the caseload, incrementally (I/O side).

The clustering itself is pure (``themes.py``); this module decides what to rebuild:
a client's themes are rebuilt only when that client's texts changed (fingerprint), and
the caseload's are extended by nearest-centroid assignment while new texts are a small
share, and re-clustered (ids kept by centroid matching) when they are not. Fingerprints
carry ``THEMES_VERSION`` (a digest of the theme code and the name list), so themes built by
an older version are rebuilt, ids kept, on the next run.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from .. import db
from . import themes
from .embed import EMBEDDING_DIM

CONTEXT_WEIGHT = themes.DEFAULT_CONTEXT_WEIGHT
# Re-cluster the caseload when texts not seen by its last clustering exceed this share.
CASELOAD_RECLUSTER_SHARE = 0.10
QUOTES_PER_THEME = 3


def _version() -> str:
    digest = hashlib.md5()
    here = Path(__file__).resolve().parent
    for name in ("themes.py", "names.py", "first_names.txt", "theme_pipeline.py"):
        part = here / name
        digest.update(part.read_bytes() if part.exists() else b"-")
    return "themes-" + digest.hexdigest()[:8]


THEMES_VERSION = _version()


@dataclass
class ThemeUpdate:
    clients_reclustered: int = 0
    caseload_reclustered: bool = False


def _row_digests(units: pd.DataFrame) -> pd.Series:
    """A 64-bit digest per text of its ids and content (text_key)."""
    return pd.util.hash_pandas_object(units[["source", "source_id", "text_key"]], index=False)


def _digest(row_sum: int, n: int) -> str:
    return f"{THEMES_VERSION}:{row_sum:016x}:{n}"


def fingerprint(units: pd.DataFrame) -> str:
    """Digest of which texts (ids and content) a set of units holds, in any order: the sum
    of per-row 64-bit digests (vectorized: sorting 100k strings per run cost 2 s)."""
    return _digest(int(_row_digests(units).to_numpy().sum(dtype=np.uint64)), len(units))


def context_groups(units: pd.DataFrame) -> np.ndarray:
    """Messages and summaries are read in their conversation; a note stands alone."""
    return np.where(units["conversation_id"].notna(), units["conversation_id"].astype(object),
                    "note:" + units["source_id"]).astype(str)


def conversation_themes(embeddings: np.ndarray, units: pd.DataFrame, min_theme_size: int,
                        ) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """Theme per text, clustering conversations rather than single messages (pure).

    A message rarely names its theme; its conversation does. Each conversation (its client
    messages and summary) becomes one point, the mean of their embeddings; those points are
    clustered (``themes.cluster_themes``), every text of a conversation takes its theme, and
    check-in notes, which stand alone, join the nearest theme if close enough. On the sample
    ground truth this lifted caseload NMI from 0.04 (messages blended with their
    conversation) to about 0.3 (bench/nlp_quality.py).
    Returns labels (−1 = no theme) and each theme's centroid in that space.
    """
    groups = context_groups(units)
    in_conversation = units["conversation_id"].notna().to_numpy()
    codes, _ = pd.factorize(pd.Series(groups)[in_conversation])
    labels = np.full(len(units), -1, dtype=int)
    if not len(codes):
        return labels, {}
    points = np.zeros((codes.max() + 1, embeddings.shape[1]), dtype=np.float64)
    np.add.at(points, codes, embeddings[in_conversation])
    points = themes._normalize(points)
    n_conversations = len(points)
    scaled = max(2, int(round(min_theme_size * n_conversations / max(len(units), 1))))
    point_labels = kmeans_themes(points, scaled)
    labels[in_conversation] = point_labels[codes]
    centroids = _centroids(points, point_labels)
    if centroids and (~in_conversation).any():
        order = sorted(centroids)
        nearest = themes.nearest_theme(embeddings[~in_conversation], np.stack([centroids[k] for k in order]))
        labels[~in_conversation] = [order[i] if i >= 0 else -1 for i in nearest]
    return labels, centroids


def kmeans_themes(points: np.ndarray, min_size: int) -> np.ndarray:
    """k-means on unit vectors with k = √(n/2) (2–20); clusters under ``min_size`` dissolve.

    Chosen over UMAP+HDBSCAN for conversation points: on the sample, HDBSCAN plus centroid
    assignment swung between 3 and 19 themes from small changes and often put most texts
    into one catch-all theme; k-means was stable at the same NMI (≈0.3).
    """
    from sklearn.cluster import KMeans

    n = len(points)
    if n < 2 * min_size or n < 4:
        return np.full(n, -1, dtype=int)
    k = int(min(20, max(2, round(np.sqrt(n / 2)))))
    labels = KMeans(n_clusters=k, n_init=4, random_state=themes.SEED).fit_predict(points)
    sizes = np.bincount(labels, minlength=k)
    labels = np.where(sizes[labels] >= min_size, labels, -1)
    return themes._relabel_by_size(labels)


def update_themes(con: duckdb.DuckDBPyConnection, units: pd.DataFrame, store) -> ThemeUpdate:
    """Rebuild what changed; see module docstring."""
    outcome = ThemeUpdate()
    filler = units["text"].map(themes.is_filler).astype(bool).to_numpy()
    content = units.loc[~filler].reset_index(drop=True)
    stored = dict(((scope, client), fp) for scope, client, fp in con.execute(
        "SELECT scope, coalesce(client_id, ''), fingerprint FROM theme_fingerprints").fetchall())
    rows = _row_digests(content).to_numpy()
    per_client = pd.DataFrame({"client_id": content["client_id"].to_numpy(), "digest": rows})
    sums = per_client.groupby("client_id", sort=True)["digest"].agg(lambda d: int(d.to_numpy().sum(dtype=np.uint64)))
    sizes = per_client.groupby("client_id", sort=True).size()
    changed = [c for c in sums.index if stored.get(("client", c)) != _digest(sums[c], sizes[c])]
    for client_id in changed:
        client_units = content[content["client_id"] == client_id].reset_index(drop=True)
        _rebuild_client(con, client_id, client_units, store, _digest(sums[client_id], sizes[client_id]))
        outcome.clients_reclustered += 1
    # Clients whose texts all disappeared lose their themes.
    con.register("present_clients", pd.DataFrame({"client_id": content["client_id"].unique()}))
    try:
        for table in ("themes", "text_client_themes", "theme_fingerprints"):
            scope_filter = "scope = 'client' AND " if table in ("themes", "theme_fingerprints") else ""
            con.execute(f"DELETE FROM {table} WHERE {scope_filter}client_id NOT IN "
                        "(SELECT client_id FROM present_clients)")
    finally:
        con.unregister("present_clients")

    digest = _digest(int(rows.sum(dtype=np.uint64)), len(content))
    old = stored.get(("caseload", ""))
    if old != digest and len(content):
        # themes of an older version are re-clustered (and re-labelled), never just extended
        stale = old is not None and not old.startswith(f"{THEMES_VERSION}:")
        outcome.caseload_reclustered = _update_caseload(con, content, store, digest, stale)
    return outcome


def _rebuild_client(con, client_id: str, units: pd.DataFrame, store, digest: str) -> None:
    embeddings = store.lookup(units["text"].tolist())
    labels, centroids = conversation_themes(embeddings, units, themes.min_theme_size(len(units)))
    previous = _previous_centroids(con, "client", client_id)
    _store_themes(con, "client", client_id, units, embeddings, labels, centroids, previous,
                  prefix=f"{client_id}:t")
    _store_fingerprint(con, "client", client_id, digest, len(units))


def _update_caseload(con, units: pd.DataFrame, store, digest: str, stale: bool = False) -> bool:
    """Assign new texts to existing caseload themes, or re-cluster; True when re-clustered."""
    previous = _previous_centroids(con, "caseload", None)
    assigned = con.execute("SELECT source, source_id, client_id FROM text_caseload_themes").df()
    seen = con.execute("SELECT n_texts FROM theme_fingerprints WHERE scope = 'caseload'").fetchone()
    known = units.merge(assigned, on=["source", "source_id", "client_id"], how="left", indicator=True)
    new_mask = (known["_merge"] == "left_only").to_numpy()
    if previous and seen and not stale and new_mask.sum() <= CASELOAD_RECLUSTER_SHARE * seen[0]:
        # Only the conversations holding new texts matter for placing them: a new message
        # is read in its conversation; everything else keeps its theme.
        groups = context_groups(units)
        affected = np.isin(groups, np.unique(groups[new_mask]))
        embeddings = store.lookup(units.loc[affected, "text"].tolist())
        blended = themes.contextual_embeddings(embeddings, groups[affected], 1.0)
        new_in_affected = new_mask[affected]
        _assign_to_caseload(con, units[affected][new_in_affected], blended[new_in_affected], previous)
        _refresh_caseload_stats(con)
        _store_fingerprint(con, "caseload", None, digest, seen[0])
        return False
    embeddings = store.lookup(units["text"].tolist())
    labels, centroids = conversation_themes(embeddings, units, themes.min_theme_size(len(units), scope="caseload"))
    _store_themes(con, "caseload", None, units, embeddings, labels, centroids, previous, prefix="k:t")
    _store_fingerprint(con, "caseload", None, digest, len(units))
    return True


def _previous_centroids(con, scope: str, client_id: str | None) -> dict[str, np.ndarray]:
    rows = con.execute("SELECT theme_id, centroid FROM themes WHERE scope = ? AND client_id IS NOT DISTINCT FROM ?",
                       [scope, client_id]).fetchall()
    return {theme_id: np.asarray(centroid, dtype=np.float32) for theme_id, centroid in rows}


def _centroids(vectors: np.ndarray, labels: np.ndarray) -> dict[int, np.ndarray]:
    out = {}
    for label in sorted(set(labels.tolist()) - {-1}):
        centroid = vectors[labels == label].mean(axis=0)
        out[label] = (centroid / max(np.linalg.norm(centroid), 1e-12)).astype(np.float32)
    return out


def _store_themes(con, scope: str, client_id: str | None, units: pd.DataFrame, embeddings: np.ndarray,
                  labels: np.ndarray, centroids: dict[int, np.ndarray], previous: dict[str, np.ndarray],
                  prefix: str) -> None:
    centroids = {label: c for label, c in centroids.items() if (labels == label).any()}
    ids = themes.stable_theme_ids(previous, centroids, prefix=prefix)
    texts = units["text"].tolist()
    keywords = themes.theme_keywords(texts, labels)
    # Quotes are the client's own sentences closest to the theme: raw embeddings, never summaries.
    # (A summary-scope client has only summaries: then they are what there is to quote.)
    quotable = labels.copy()
    summary = (units["source"] == "summary").to_numpy()
    for label in centroids:
        members = labels == label
        if (members & ~summary).sum() >= QUOTES_PER_THEME:
            quotable[members & summary] = -1
    quotes = themes.representative_quotes(texts, embeddings, quotable, k=QUOTES_PER_THEME)
    now = datetime.now(timezone.utc)
    theme_rows, quote_rows = [], []
    for label, centroid in centroids.items():
        members = np.flatnonzero(labels == label)
        when = units["written_at"].iloc[members]
        words = keywords.get(label, [])
        theme_rows.append({
            "theme_id": ids[label], "scope": scope, "client_id": client_id,
            "label": themes.theme_label(words, [texts[i] for i in members]),
            "keywords": words, "n_texts": len(members), "first_at": when.min(), "last_at": when.max(),
            "centroid": centroid.tolist(), "updated_at": now,
        })
        for rank, index in enumerate(quotes.get(label, [])):
            quote_rows.append({"theme_id": ids[label], "rank": rank, "source": units["source"].iloc[index],
                               "source_id": units["source_id"].iloc[index],
                               "client_id": units["client_id"].iloc[index]})
    assigned = units.loc[labels >= 0, ["source", "source_id", "client_id"]].assign(
        theme_id=[ids[label] for label in labels[labels >= 0]])
    link_table = "text_client_themes" if scope == "client" else "text_caseload_themes"
    where = "scope = ? AND client_id IS NOT DISTINCT FROM ?"
    old_ids = [r[0] for r in con.execute(f"SELECT theme_id FROM themes WHERE {where}", [scope, client_id]).fetchall()]
    with db.transaction(con):
        con.execute(f"DELETE FROM themes WHERE {where}", [scope, client_id])
        con.execute("DELETE FROM theme_quotes WHERE theme_id IN (SELECT unnest(?::VARCHAR[]))", [old_ids])
        if scope == "client":
            con.execute("DELETE FROM text_client_themes WHERE client_id = ?", [client_id])
        else:
            con.execute("DELETE FROM text_caseload_themes")
        _insert(con, "themes", _themes_arrow(theme_rows))
        if quote_rows:
            _insert(con, "theme_quotes", pa.Table.from_pylist(quote_rows))
        if len(assigned):
            _insert(con, link_table, pa.Table.from_pandas(assigned, preserve_index=False))


def _themes_arrow(rows: list[dict]) -> pa.Table:
    schema = pa.schema([
        ("theme_id", pa.string()), ("scope", pa.string()), ("client_id", pa.string()),
        ("label", pa.string()), ("keywords", pa.list_(pa.string())), ("n_texts", pa.int32()),
        ("first_at", pa.timestamp("us", tz="UTC")), ("last_at", pa.timestamp("us", tz="UTC")),
        ("centroid", pa.list_(pa.float32(), EMBEDDING_DIM)), ("updated_at", pa.timestamp("us", tz="UTC")),
    ])
    return pa.Table.from_pylist(rows, schema=schema)


def _insert(con, table: str, rows: pa.Table) -> None:
    con.register("rows_to_insert", rows)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM rows_to_insert")
    finally:
        con.unregister("rows_to_insert")


def _assign_to_caseload(con, units: pd.DataFrame, blended: np.ndarray, previous: dict[str, np.ndarray]) -> None:
    if not len(units):
        return
    theme_ids = list(previous)
    centroids = np.stack([previous[t] for t in theme_ids])
    best = themes.nearest_theme(blended, centroids)
    keep = best >= 0
    rows = units.loc[keep, ["source", "source_id", "client_id"]].assign(
        theme_id=[theme_ids[i] for i in best[keep]])
    if len(rows):
        _insert(con, "text_caseload_themes", pa.Table.from_pandas(rows, preserve_index=False))


def _refresh_caseload_stats(con) -> None:
    con.execute("""
        UPDATE themes SET n_texts = s.n, first_at = s.first_at, last_at = s.last_at, updated_at = now()
        FROM (SELECT k.theme_id, count(*) AS n, min(u.written_at) AS first_at, max(u.written_at) AS last_at
              FROM text_caseload_themes k JOIN text_units u USING (source, source_id, client_id)
              GROUP BY k.theme_id) s
        WHERE themes.theme_id = s.theme_id AND themes.scope = 'caseload'
    """)


def _store_fingerprint(con, scope: str, client_id: str | None, digest: str, n_texts: int) -> None:
    con.execute("DELETE FROM theme_fingerprints WHERE scope = ? AND client_id IS NOT DISTINCT FROM ?",
                [scope, client_id])
    con.execute("INSERT INTO theme_fingerprints VALUES (?, ?, ?, ?, now())", [scope, client_id, digest, n_texts])
