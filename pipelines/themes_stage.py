"""The theme stage of analyze: what to rebuild, and the reads and writes of the theme tables.

The theme code itself is pure (``pipelines/nlp/themes.py``); this module owns its I/O.
A client's themes are rebuilt only when that client's texts changed (fingerprint); the
caseload's are extended by nearest-centroid assignment while new texts are a small share,
and re-clustered (ids kept by centroid matching) when they are not. Fingerprints carry
``THEMES_VERSION``, so themes built by an older version are rebuilt once, ids kept, on the
next run. Every write is inside ``db.transaction(con)``.

Label phrases are embedded through the analysis's ``EmbeddingStore``, so they land in
``text_embeddings`` beside the texts and are never embedded twice; the dashboard reads the
stored label and never loads the model.
"""

from __future__ import annotations

import logging

from dataclasses import dataclass, field
from datetime import datetime, timezone

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from . import db
from .nlp import themes
from .nlp.embed import EMBEDDING_DIM
from .nlp.names import personal_names

# Bump when the themes, their labels or their numbering change: every scope is rebuilt once.
# 7: texts blended with their conversation (0.8) and clustered by k-means; labels are
#    phrases from the texts scored against the theme centroid (KeyBERT's method).
# 8: label phrases name a thing: they begin with a noun or adjective, hold no article,
#    pronoun or clause word, contain one of the theme's keywords, and are scored
#    against the theme centroid with MMR across the scope's labels.
# 9: labels may also be "A and B" of two of the theme's noun keywords; no courtesy-only or
#    misspelled-word phrase; "thats", "youre" and the like are stop words of the keywords.
# 10: up to 40 caseload themes; single-conversation label candidates when shared ones are few;
#     a label's words must be used by half as many conversations as the best candidate's.
# 11: a caseload keyword or label holds no word that only one client wrote (CASELOAD_MIN_CLIENTS);
#     a keyword label is a bigram of the texts ("dull headache") unless another theme has it.
THEMES_VERSION = "themes-11"
# Caseload themes are shown to every clinician with a client in them: their keywords and labels
# use only words at least this many clients wrote (``themes.rare_words``), never one client's.
# 2, not 3: on CounselChat's tuning fold (each question one asker) 3 cost caseload labels
# topic_terms 0.700 -> 0.633 and 2 cost nothing (held-out fold 0.714 either way; 0.607 at 3).
CASELOAD_MIN_CLIENTS = 2
# Re-cluster the caseload when texts not seen by its last clustering exceed this share.
CASELOAD_RECLUSTER_SHARE = 0.10
QUOTES_PER_THEME = 3


log = logging.getLogger(__name__)


@dataclass
class ThemeUpdate:
    clients_reclustered: int = 0
    caseload_reclustered: bool = False
    failed: list[str] = field(default_factory=list)  # clients whose own themes could not be built


def _row_digests(units: pd.DataFrame) -> pd.Series:
    """A 64-bit digest per text of its ids and content (text_key)."""
    return pd.util.hash_pandas_object(units[["source", "source_id", "text_key"]], index=False)


def _digest(row_sum: int, n: int, backend: str = "") -> str:
    """The themes' version, the embedding backend they were built from, and the texts'."""
    return f"{THEMES_VERSION}{'+' + backend if backend else ''}:{row_sum:016x}:{n}"


def fingerprint(units: pd.DataFrame) -> str:
    """Digest of which texts (ids and content) a set of units holds, in any order: the sum
    of per-row 64-bit digests (vectorized: sorting 100k strings per run cost 2 s)."""
    return _digest(int(_row_digests(units).to_numpy().sum(dtype=np.uint64)), len(units))


def context_groups(units: pd.DataFrame) -> np.ndarray:
    """Messages and summaries are read in their conversation; a note stands alone."""
    return np.array(themes.context_groups(units["conversation_id"].tolist(),
                                          units["source_id"].astype(str).tolist()), dtype=object)


@dataclass
class ScopeThemes:
    """One scope's themes, computed (pure) and ready to store."""
    labels: np.ndarray                   # per unit: theme number or −1
    centroids: dict[int, np.ndarray]     # in the blended space texts are assigned in
    keywords: dict[int, list[str]]
    names: dict[int, str]
    quotes: dict[int, list[int]]


def scope_themes(units: pd.DataFrame, embeddings: np.ndarray, embed, min_clients: int = 1) -> ScopeThemes:
    """Themes of one scope (a client, or the caseload): cluster, describe, label, quote.

    ``min_clients``: keywords and labels use only words that many of the scope's clients
    wrote (the caseload's ``CASELOAD_MIN_CLIENTS``; a client's own scope: 1)."""
    texts = units["text"].tolist()
    groups = context_groups(units)
    labels, points = themes.text_themes(embeddings, groups, themes.min_theme_size(len(units)))
    centroids = themes.theme_centroids(points, labels)
    people = personal_names(texts)  # once per scope: keywords and labels never name them
    if min_clients > 1:  # the caseload: no one client's own words in what every clinician sees
        people = set(people) | themes.rare_words(texts, units["client_id"].tolist(), min_clients)
    keywords = themes.theme_keywords(texts, labels, exclude=people)
    names = themes.theme_labels(texts, labels, themes.theme_centroids(embeddings, labels), embed,
                                groups=groups, keywords=keywords, exclude=people)
    # Quotes are the client's own sentences closest to the theme: raw embeddings, never summaries.
    # (A summary-scope client has only summaries: then they are what there is to quote.)
    quotable = labels.copy()
    summary = (units["source"] == "summary").to_numpy()
    for label in centroids:
        members = labels == label
        if (members & ~summary).sum() >= QUOTES_PER_THEME:
            quotable[members & summary] = -1
    quotes = themes.representative_quotes(texts, embeddings, quotable, k=QUOTES_PER_THEME)
    return ScopeThemes(labels, centroids, keywords, names, quotes)


def update_themes(con: duckdb.DuckDBPyConnection, units: pd.DataFrame, store, progress=None) -> ThemeUpdate:
    """Rebuild what changed; see module docstring. ``progress("themes", done, total)`` as the
    changed clients and then the caseload are done."""
    outcome = ThemeUpdate()
    filler = units["text"].map(themes.is_filler).astype(bool).to_numpy()
    content = units.loc[~filler].reset_index(drop=True)
    stored = dict(((scope, client), fp) for scope, client, fp in con.execute(
        "SELECT scope, coalesce(client_id, ''), fingerprint FROM theme_fingerprints").fetchall())
    rows = _row_digests(content).to_numpy()
    per_client = pd.DataFrame({"client_id": content["client_id"].to_numpy(), "digest": rows})
    sums = per_client.groupby("client_id", sort=True)["digest"].agg(lambda d: int(d.to_numpy().sum(dtype=np.uint64)))
    sizes = per_client.groupby("client_id", sort=True).size()
    # Another embedding backend means other vectors (and label phrases): themes are rebuilt once.
    backend = getattr(getattr(store, "encoder", None), "name", "")
    changed = [c for c in sums.index if stored.get(("client", c)) != _digest(sums[c], sizes[c], backend)]
    rows_of = content.groupby("client_id", sort=True).indices  # one pass, not a mask per client
    steps = len(changed) + 1  # the changed clients, then the caseload
    for done, client_id in enumerate(changed):
        if progress:
            progress("themes", done, steps)
        client_units = content.take(rows_of[client_id]).reset_index(drop=True)
        try:
            _rebuild(con, "client", client_id, client_units, store, _digest(sums[client_id], sizes[client_id], backend))
        except Exception as error:  # one client's texts must not stop the others' themes
            # The exception text may quote data: only its type is logged. The fingerprint is
            # not stored, so the client is tried again next run.
            log.error("themes: client %s skipped (%s)", client_id, type(error).__name__)
            outcome.failed.append(client_id)
            continue
        outcome.clients_reclustered += 1
    if progress:
        progress("themes", len(changed), steps)
    _drop_absent_clients(con, content["client_id"].unique())

    digest = _digest(int(rows.sum(dtype=np.uint64)), len(content), backend)
    old = stored.get(("caseload", ""))
    if old != digest and len(content):
        # themes of an older version are re-clustered (and re-labelled), never just extended
        stale = old is not None and not old.startswith(digest.split(":")[0] + ":")
        outcome.caseload_reclustered = _update_caseload(con, content, store, digest, stale)
    if progress:
        progress("themes", steps, steps)
    return outcome


def _drop_absent_clients(con, present: np.ndarray) -> None:
    """Clients whose texts all disappeared lose their themes."""
    con.register("present_clients", pd.DataFrame({"client_id": pd.Series(present, dtype=object)}))
    try:
        with db.transaction(con):
            for table in ("themes", "text_client_themes", "theme_fingerprints"):
                scope_filter = "scope = 'client' AND " if table in ("themes", "theme_fingerprints") else ""
                con.execute(f"DELETE FROM {table} WHERE {scope_filter}client_id NOT IN "
                            "(SELECT client_id FROM present_clients)")
    finally:
        con.unregister("present_clients")


def _rebuild(con, scope: str, client_id: str | None, units: pd.DataFrame, store, digest: str) -> None:
    embeddings = store.lookup(units["text"].tolist())
    found = scope_themes(units, embeddings, store.embed,
                         min_clients=CASELOAD_MIN_CLIENTS if scope == "caseload" else 1)
    previous = _previous_centroids(con, scope, client_id)
    prefix = f"{client_id}:t" if scope == "client" else "k:t"
    _store_themes(con, scope, client_id, units, found, previous, prefix, digest)


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
        blended = themes.contextual_embeddings(embeddings, list(groups[affected]), themes.CONTEXT_WEIGHT)
        new_in_affected = new_mask[affected]
        rows = _caseload_assignments(units[affected][new_in_affected], blended[new_in_affected], previous)
        with db.transaction(con):
            if len(rows):
                _insert(con, "text_caseload_themes", pa.Table.from_pandas(rows, preserve_index=False))
            _refresh_caseload_stats(con)
            _store_fingerprint(con, "caseload", None, digest, seen[0])
        return False
    _rebuild(con, "caseload", None, units, store, digest)
    return True


def _previous_centroids(con, scope: str, client_id: str | None) -> dict[str, np.ndarray]:
    rows = con.execute("SELECT theme_id, centroid FROM themes WHERE scope = ? AND client_id IS NOT DISTINCT FROM ?",
                       [scope, client_id]).fetchall()
    return {theme_id: np.asarray(centroid, dtype=np.float32) for theme_id, centroid in rows}


def _store_themes(con, scope: str, client_id: str | None, units: pd.DataFrame, found: ScopeThemes,
                  previous: dict[str, np.ndarray], prefix: str, digest: str) -> None:
    labels = found.labels
    centroids = {label: c for label, c in found.centroids.items() if (labels == label).any()}
    ids = themes.stable_theme_ids(previous, centroids, prefix=prefix)
    now = datetime.now(timezone.utc)
    theme_rows, quote_rows = [], []
    for label, centroid in centroids.items():
        members = np.flatnonzero(labels == label)
        when = units["written_at"].iloc[members]
        theme_rows.append({
            "theme_id": ids[label], "scope": scope, "client_id": client_id,
            "label": found.names[label], "keywords": found.keywords.get(label, []),
            "n_texts": len(members), "first_at": when.min(), "last_at": when.max(),
            "centroid": centroid.tolist(), "updated_at": now,
        })
        for rank, index in enumerate(found.quotes.get(label, [])):
            quote_rows.append({"theme_id": ids[label], "rank": rank, "source": units["source"].iloc[index],
                               "source_id": units["source_id"].iloc[index],
                               "client_id": units["client_id"].iloc[index]})
    assigned = units.loc[labels >= 0, ["source", "source_id", "client_id"]].assign(
        theme_id=[ids[label] for label in labels[labels >= 0]])
    link_table = "text_client_themes" if scope == "client" else "text_caseload_themes"
    where = "scope = ? AND client_id IS NOT DISTINCT FROM ?"
    with db.transaction(con):
        old_ids = [r[0] for r in con.execute(f"SELECT theme_id FROM themes WHERE {where}", [scope, client_id]).fetchall()]
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
        _store_fingerprint(con, scope, client_id, digest, len(units))


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


def _caseload_assignments(units: pd.DataFrame, blended: np.ndarray, previous: dict[str, np.ndarray]) -> pd.DataFrame:
    """(source, source_id, client_id, theme_id) of new texts close enough to a caseload theme."""
    columns = ["source", "source_id", "client_id"]
    if not len(units):
        return pd.DataFrame(columns=columns + ["theme_id"])
    theme_ids = list(previous)
    best = themes.nearest_theme(blended, np.stack([previous[t] for t in theme_ids]))
    keep = best >= 0
    return units.loc[keep, columns].assign(theme_id=[theme_ids[i] for i in best[keep]])


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
