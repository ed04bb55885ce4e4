"""The practice overview as one pure model: de-identified counts and rates, suppressed.

``overview_model(reads)`` turns the aggregate reads (dashboard/data.py, "practice overview")
into tables of counts, each suppressed by dashboard/suppression.py: a count from 1 to 10 shows
as "<11", and complements as "*" so that no hidden count can be worked out from the totals or
the other cells. A percentage is shown only when its count and the total it divides by are
both shown. The page (views/overview.py) and the CSV download lay out the same model, so the
screen and the file cannot disagree. No client id, name or text ever reaches this module: the
reads are counts by clinician and by category only.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard import suppression
from dashboard.suppression import HIDDEN, SHOWN, TOTAL

SCOPE_WORDS = {"raw": "Own words shared", "summary": "Summaries only"}
RECENCY_WORDS = {"7d": "In the last 7 days", "28d": "8 to 28 days ago", "older": "More than 28 days ago",
                 "never": "Nothing shared yet"}
# A trend's direction in words that say which way is better: stress rising is worsening.
TREND_WORDS = {"worsening": "Worsening", "improving": "Improving", "flat": "No clear trend",
               "no_data": "Not enough data"}
WORSENING_WHEN = {"stress": "rising", "mood": "falling"}
TREND_MEASURES = {"stress": "Stress", "mood": "Mood"}
RISK_WORDS = {"urgent": "Urgent", "watch": "Watch"}
REVIEW_WORDS = {False: "Not reviewed yet", True: "Reviewed"}
PERIOD_WORDS = {True: "Last 28 days", False: "Earlier"}
OTHER_PRACTICES = "other"   # data.py pools kinds done by fewer than MIN_CELL clients under this
# A complement ("*" in dashboard/suppression.py) in words, on the page and in the CSV alike
# (a bare asterisk also reads as markdown).
HIDDEN_WORD = "hidden"


@dataclass(frozen=True)
class OverviewReads:
    """Aggregate reads (dashboard/data.py, practice overview): label columns and a count ``n``."""
    clinician_scope: pd.DataFrame   # clinician, scope, n (clients)
    sharing: pd.DataFrame           # recency (7d | 28d | older | never), n (clients)
    trends: pd.DataFrame            # measure, verdict (rising | falling | no clear trend | NULL), n (clients)
    flags: pd.DataFrame             # risk, reviewed (bool), n (flags)
    practices: pd.DataFrame         # kind, recent (bool), n (practices)


@dataclass(frozen=True)
class OverviewTable:
    """One suppressed table: the counts, what shows in each cell, and its percentages."""
    key: str
    title: str
    unit: str                       # what a count counts, e.g. "clients"
    counts: pd.DataFrame            # whole numbers, without totals
    mask: pd.DataFrame              # suppression.suppression_mask, with the Total row and column
    cells: pd.DataFrame             # the shown strings: numbers, "<11", "*" (Total row; Total column if kept)
    shares: pd.DataFrame | None     # "45%" or "*" per cell (same shape as cells), None if no percentages
    share_of: str = ""              # what a percentage is of, e.g. "of all clients"
    note: str = ""
    share_by: str = ""              # row | column: which total a percentage divides by

    def display(self) -> pd.DataFrame:
        """The table as the page shows it: each count with its percentage when both are shown."""
        joined = self.cells.replace(HIDDEN, HIDDEN_WORD)
        if self.shares is None:
            return joined
        for row in joined.index:
            for column in joined.columns:
                share = self.shares.loc[row, column] if column in self.shares.columns else None
                cell = self.cells.loc[row, column]
                of_itself = (row == TOTAL) if self.share_by == "column" else (column == TOTAL)
                if share not in (None, HIDDEN, "–") and cell not in (suppression.SMALL, HIDDEN, "0") and not of_itself:
                    joined.loc[row, column] = f"{self.cells.loc[row, column]} ({share})"
        return joined


@dataclass(frozen=True)
class OverviewModel:
    tables: list[OverviewTable]

    def table(self, key: str) -> OverviewTable:
        return next(t for t in self.tables if t.key == key)

    def csv(self) -> str:
        """Every table as one long CSV (table, row, column, count, percent), suppressed as on the page."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["table", "unit", "row", "column", "count", "percent"])
        for t in self.tables:
            for row in t.cells.index:
                for column in t.cells.columns:
                    share = t.shares.loc[row, column] if t.shares is not None and column in t.shares.columns else ""
                    writer.writerow([t.title, t.unit, row, column, t.cells.loc[row, column].replace(HIDDEN, HIDDEN_WORD),
                                     "" if share in ("–", None, HIDDEN) else share])
        return out.getvalue()


# --- count tables (wide, whole numbers, fixed categories so that zeros show) -------------------

def clinician_scope_counts(rows: pd.DataFrame) -> pd.DataFrame:
    """Clients by clinician and share scope (a client seen by two clinicians counts for each)."""
    return _wide(rows, "clinician", "scope", None, list(SCOPE_WORDS), SCOPE_WORDS)


def sharing_counts(rows: pd.DataFrame) -> pd.DataFrame:
    """Clients by when they last shared anything, one column."""
    return _wide(rows.assign(all="Clients"), "recency", "all", list(RECENCY_WORDS), ["Clients"],
                 {"Clients": "Clients"}, RECENCY_WORDS)


def trend_category(measure: str, verdict) -> str:
    """'worsening', 'improving', 'flat' or 'no_data' for a measure's 8-week trend verdict."""
    if verdict is None or (isinstance(verdict, float) and np.isnan(verdict)):
        return "no_data"
    if verdict not in ("rising", "falling"):
        return "flat"
    return "worsening" if verdict == WORSENING_WHEN[measure] else "improving"


def trend_counts(rows: pd.DataFrame) -> pd.DataFrame:
    """Clients by the direction of their 8-week stress and mood trends (rows), per measure (columns)."""
    rows = rows[rows["measure"].isin(list(TREND_MEASURES))]
    rows = rows.assign(category=[trend_category(m, v) for m, v in zip(rows["measure"], rows["verdict"])])
    rows = rows.groupby(["category", "measure"], as_index=False)["n"].sum()
    return _wide(rows, "category", "measure", list(TREND_WORDS), list(TREND_MEASURES), TREND_MEASURES, TREND_WORDS)


def flag_counts(rows: pd.DataFrame) -> pd.DataFrame:
    """Risk flags by level (rows) and review status (columns)."""
    return _wide(rows, "risk", "reviewed", list(RISK_WORDS), [False, True], REVIEW_WORDS, RISK_WORDS)


def practice_counts(rows: pd.DataFrame) -> pd.DataFrame:
    """Practices done by kind (rows; rare kinds pooled by data.py) in the last 28 days and earlier."""
    kinds = sorted(k for k in rows["kind"].unique() if k != OTHER_PRACTICES) if len(rows) else []
    if len(rows) and (rows["kind"] == OTHER_PRACTICES).any():
        kinds.append(OTHER_PRACTICES)
    words = {k: ("Other (each done by under 11 clients)" if k == OTHER_PRACTICES
                 else str(k).replace("_", " ").replace("-", " ").capitalize()) for k in kinds}
    return _wide(rows, "kind", "recent", kinds, [True, False], PERIOD_WORDS, words)


def _wide(rows: pd.DataFrame, row: str, column: str, row_order: list | None, column_order: list,
          column_words: dict, row_words: dict | None = None) -> pd.DataFrame:
    """Long counts (row, column, n) as a wide table of whole numbers in a fixed order, worded."""
    if row_order is None:
        row_order = sorted(rows[row].unique()) if len(rows) else []
    table = (rows.pivot_table(index=row, columns=column, values="n", aggfunc="sum", fill_value=0)
             if len(rows) else pd.DataFrame())
    table = table.reindex(index=row_order, columns=column_order, fill_value=0).fillna(0).astype(np.int64)
    table.index = [row_words.get(r, r) if row_words else r for r in table.index]
    table.columns = [column_words.get(c, c) for c in table.columns]
    return table


# --- suppression and percentages -------------------------------------------------------------

def suppressed(key: str, title: str, unit: str, counts: pd.DataFrame, shares: str | None = None,
               keep_total_column: bool = True, share_of: str = "", note: str = "") -> OverviewTable:
    """A count table suppressed (primary and secondary), with percentages from shown cells only:
    ``shares='row'`` (of the row's total) or ``'column'`` (of the column's total)."""
    mask = suppression.suppression_mask(counts)
    cells = suppression.suppressed_table(counts)
    table = _with_totals(counts)
    share_frame = None
    if shares == "row":
        share_frame = _shares(table, mask, table[[TOTAL]].to_numpy(), mask[[TOTAL]].to_numpy())
    elif shares == "column":
        share_frame = _shares(table, mask, table.loc[[TOTAL]].to_numpy(), mask.loc[[TOTAL]].to_numpy())
    if not keep_total_column:   # a repeat (one column) or a sum of nothing (stress + mood): not shown,
                                # which only hides more than the audit assumed
        cells = cells.drop(columns=TOTAL)
        share_frame = share_frame.drop(columns=TOTAL) if share_frame is not None else None
    return OverviewTable(key, title, unit, counts, mask, cells, share_frame, share_of, note, shares or "")


def _with_totals(counts: pd.DataFrame) -> pd.DataFrame:
    table = counts.astype(np.int64).copy()
    table[TOTAL] = table.sum(axis=1)
    table.loc[TOTAL] = table.sum(axis=0)
    return table


def _shares(table: pd.DataFrame, mask: pd.DataFrame, totals: np.ndarray, total_marks: np.ndarray) -> pd.DataFrame:
    """Each cell over its total as a percentage, "*" unless the cell and the total are both shown."""
    values = table.to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(totals > 0, values / np.where(totals > 0, totals, 1) * 100, np.nan)
    text = np.where(np.isnan(ratio), "–", np.vectorize(lambda v: f"{v:.0f}%")(np.nan_to_num(ratio)))
    shown = (mask.to_numpy() == SHOWN) & (np.broadcast_to(total_marks, values.shape) == SHOWN)
    return pd.DataFrame(np.where(shown, text, HIDDEN), index=table.index, columns=table.columns)


def linked_totals_consistent(tables: list[OverviewTable]) -> list[OverviewTable]:
    """Tables whose Total row counts the same people (every client once: sharing, trends, and
    the clinicians table when no client shares with two) must all show that number or all
    hide it: a shown total in one would let the hidden cells of another be worked out. If any
    hides it, every such table is hidden whole (it only happens with very few clients)."""
    everyone = [t for t in tables if t.key in ("sharing", "trends")]
    if not everyone:
        return tables
    n = int(everyone[0].counts.iloc[:, 0].sum())
    linked = everyone + [t for t in tables if t.key == "clinicians" and int(t.counts.to_numpy().sum()) == n]
    # The Total-row cells that hold n (every client once), in every linked table.
    marks = [m for t in linked for m, v in zip(t.mask.loc[TOTAL], _with_totals(t.counts).loc[TOTAL]) if v == n]
    if all(m == SHOWN for m in marks) or all(m != SHOWN for m in marks):
        return tables
    out = []
    for t in tables:
        if t in linked:
            zero = _with_totals(t.counts).to_numpy() == 0
            mask = t.mask.mask((t.mask == SHOWN) & ~zero, suppression.SECONDARY)
            t = OverviewTable(t.key, t.title, t.unit, t.counts, mask,
                              t.cells.map(lambda v: v if v == "0" else HIDDEN),
                              t.shares.map(lambda v: HIDDEN) if t.shares is not None else None,
                              t.share_of, (t.note + " " if t.note else "") + "Too few clients to show safely.",
                              t.share_by)
        out.append(t)
    return out


def overview_model(reads: OverviewReads) -> OverviewModel:
    """Every table of the practice overview, suppressed, from the aggregate reads alone."""
    tables = [
        suppressed("clinicians", "Clients by clinician", "client-clinician pairs",
                   clinician_scope_counts(reads.clinician_scope),
                   note="A client who shares with two clinicians counts once for each."),
        suppressed("sharing", "Clients by when they last shared data", "clients", sharing_counts(reads.sharing),
                   shares="column", keep_total_column=False, share_of="of all clients"),
        suppressed("trends", "Clients by 8-week trend", "clients", trend_counts(reads.trends), shares="column",
                   keep_total_column=False, share_of="of all clients, per measure",
                   note="Worsening means stress rising or mood falling; a direction counts only when "
                        "its 95 % interval excludes zero."),
        suppressed("flags", "Risk flags by level and review", "flags", flag_counts(reads.flags), shares="row",
                   share_of="of the level's flags"),
        suppressed("practices", "Practices done", "practices", practice_counts(reads.practices)),
    ]
    return OverviewModel(linked_totals_consistent(tables))
