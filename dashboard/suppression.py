"""Small-count suppression for the de-identified practice overview (pure; no database, no Streamlit).

A count from 1 to ``MIN_CELL - 1`` shows as ``"<11"`` (primary suppression). So that no hidden
count can be worked out from row or column totals, the other cells or percentages, more cells
are hidden as ``"*"`` (secondary suppression), until no hidden value is determined exactly:

1. In every row and column (its cells and its total), a hidden value alone in that line is
   joined by the line's next-smallest shown non-zero cell, or else by the line's total; repeated
   to a fixed point.
2. An exact audit then solves, for every hidden value, the smallest and largest value it can
   take given everything shown (each row and column adds up to its total, the totals to the
   grand total; ``"<11"`` is 1 to 10; ``"*"`` is at least 11, since zero is never hidden
   as a complement). A hidden value whose smallest and largest agree is disclosed: the smallest
   shown non-zero value in its row or column is hidden too, and the audit runs again.

A percentage is shown only when its count and the total it divides by are both shown.
Zeros are shown: "nobody" is not a small count, and hiding a zero protects nothing.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

MIN_CELL = 11
SMALL = f"<{MIN_CELL}"      # a count from 1 to MIN_CELL - 1
HIDDEN = "*"                # a count hidden so that a small one cannot be worked out
TOTAL = "Total"
# Marks of each cell in a suppression mask.
SHOWN, PRIMARY, SECONDARY = "shown", "small", "hidden"


def suppression_mask(counts: pd.DataFrame, totals: bool = True) -> pd.DataFrame:
    """``shown`` / ``small`` / ``hidden`` for every cell, with a Total row and column if ``totals``."""
    table = _with_totals(_checked(counts)) if totals else _checked(counts)
    values = table.to_numpy(dtype=np.int64)
    mark = np.where((values >= 1) & (values < MIN_CELL), PRIMARY, SHOWN).astype(object)
    if totals:
        while _complete_lines(values, mark):
            pass
        while (disclosed := _first_disclosed(values, mark)) is not None:
            if not _hide_near(values, mark, disclosed):
                break  # every non-zero value is hidden already
            while _complete_lines(values, mark):
                pass
    return pd.DataFrame(mark, index=table.index, columns=table.columns)


def suppressed_table(counts: pd.DataFrame, totals: bool = True) -> pd.DataFrame:
    """Counts as strings, small ones as ``"<11"`` and complements as ``"*"``; totals if asked."""
    table = _with_totals(_checked(counts)) if totals else _checked(counts)
    mask = suppression_mask(counts, totals)
    return pd.DataFrame(np.where(mask == PRIMARY, SMALL, np.where(mask == SECONDARY, HIDDEN,
                                                                    table.astype(np.int64).astype(str))),
                        index=table.index, columns=table.columns)


def suppressed_shares(counts: pd.DataFrame, decimals: int = 0) -> pd.DataFrame:
    """Each cell as a percentage of its row total, hidden where the count or the row total is hidden."""
    table = _with_totals(_checked(counts))
    mask = suppression_mask(counts, totals=True)
    row_totals = table[TOTAL]
    shares = table.div(row_totals.where(row_totals > 0), axis=0) * 100
    text = shares.map(lambda v: "–" if pd.isna(v) else f"{v:.{decimals}f}%")
    hidden = (mask != SHOWN) | (mask[[TOTAL]].to_numpy() != SHOWN)
    return text.mask(hidden, HIDDEN).drop(columns=TOTAL)


def suppressed_csv(counts: pd.DataFrame, totals: bool = True) -> str:
    """The suppressed table as CSV text, with the same suppression as the page."""
    return suppressed_table(counts, totals).to_csv()


def _checked(counts: pd.DataFrame) -> pd.DataFrame:
    values = counts.to_numpy()
    if values.size and (not np.issubdtype(values.dtype, np.number) or np.isnan(values.astype(float)).any()
                        or (values < 0).any() or (values != np.round(values)).any()):
        raise ValueError("counts must be whole numbers, zero or more")
    return counts


def _with_totals(counts: pd.DataFrame) -> pd.DataFrame:
    table = counts.astype(np.int64).copy()
    table[TOTAL] = table.sum(axis=1)
    table.loc[TOTAL] = table.sum(axis=0)
    return table


def _lines(shape: tuple[int, int]) -> list[list[tuple[int, int]]]:
    """Every row and column of a table with totals (last row and column), each with its total last."""
    n_rows, n_cols = shape
    return ([[(i, j) for j in range(n_cols)] for i in range(n_rows)]
            + [[(i, j) for i in range(n_rows)] for j in range(n_cols)])


def _complete_lines(values: np.ndarray, mark: np.ndarray) -> bool:
    """Hide a second value in each line holding exactly one hidden value; True if anything changed."""
    changed = False
    for line in _lines(values.shape):
        hidden = [c for c in line if mark[c] != SHOWN]
        if len(hidden) == 1:
            changed |= _hide_in_line(values, mark, line)
    return changed


def _hide_in_line(values: np.ndarray, mark: np.ndarray, line: list[tuple[int, int]]) -> bool:
    """Hide the line's smallest shown non-zero cell, else its total; False if nothing is left."""
    cells = [c for c in line[:-1] if mark[c] == SHOWN and values[c] > 0]
    if not cells and mark[line[-1]] == SHOWN and values[line[-1]] > 0:
        cells = [line[-1]]
    if not cells:
        return False
    chosen = min(cells, key=lambda c: (_cost(mark, line, c), values[c], c))
    mark[chosen] = PRIMARY if values[chosen] < MIN_CELL else SECONDARY
    return True


def _cost(mark: np.ndarray, line: list[tuple[int, int]], cell: tuple[int, int]) -> int:
    """0 when hiding ``cell`` also completes its other line (which holds one hidden value), 1 when
    that line already holds two or more, 2 when it would leave that line with a new lone hidden value."""
    in_row = all(c[0] == line[0][0] for c in line)
    cross = mark[:, cell[1]] if in_row else mark[cell[0], :]
    hidden = int((cross != SHOWN).sum())
    return 0 if hidden == 1 else 1 if hidden >= 2 else 2


def _hide_near(values: np.ndarray, mark: np.ndarray, cell: tuple[int, int]) -> bool:
    """Hide one more value in the row or column of a disclosed cell (else anywhere)."""
    n_rows, n_cols = values.shape
    row = [(cell[0], j) for j in range(n_cols)]
    col = [(i, cell[1]) for i in range(n_rows)]
    for line in (row, col):
        if _hide_in_line(values, mark, line):
            return True
    rest = [(i, j) for i in range(n_rows) for j in range(n_cols) if mark[i, j] == SHOWN and values[i, j] > 0]
    if not rest:
        return False
    chosen = min(rest, key=lambda c: (values[c], c))
    mark[chosen] = PRIMARY if values[chosen] < MIN_CELL else SECONDARY
    return True


def hidden_ranges(values: np.ndarray, mark: np.ndarray) -> Iterator[tuple[tuple[int, int], tuple[float, float]]]:
    """(cell, (smallest, largest)) for each hidden cell in table order: the values it can take given
    what is shown (exact, by integer programming)."""
    hidden = [(int(i), int(j)) for i, j in np.argwhere(mark != SHOWN)]
    if not hidden:
        return
    index = {c: k for k, c in enumerate(hidden)}
    rows, rhs = [], []
    for line in _lines(values.shape):
        coefficients = np.zeros(len(hidden))
        constant = 0.0
        for position, c in enumerate(line):
            sign = -1.0 if position == len(line) - 1 else 1.0  # cells minus total = 0
            if c in index:
                coefficients[index[c]] += sign
            else:
                constant += sign * values[c]
        if coefficients.any():
            rows.append(coefficients)
            rhs.append(-constant)
    lower = np.array([1.0 if mark[c] == PRIMARY else MIN_CELL for c in hidden])
    # A finite bound for "*" keeps the solver on bounded problems; far above any true value, it
    # only ever narrows what the audit thinks is possible, so it can add suppression, never lose it.
    ceiling = 4.0 * values.max() + 100
    upper = np.array([MIN_CELL - 1.0 if mark[c] == PRIMARY else ceiling for c in hidden])
    constraints = [LinearConstraint(np.array(rows), rhs, rhs)] if rows else []
    integrality = np.ones(len(hidden))
    for c, k in index.items():
        objective = np.zeros(len(hidden))
        objective[k] = 1.0
        ends = []
        for sign in (1.0, -1.0):
            result = milp(sign * objective, constraints=constraints, bounds=Bounds(lower, upper),
                          integrality=integrality)
            if result.status != 0:
                raise RuntimeError(f"suppression audit failed (milp status {result.status})")
            else:
                ends.append(sign * result.fun)
        yield c, (ends[0], ends[1])


def _first_disclosed(values: np.ndarray, mark: np.ndarray) -> tuple[int, int] | None:
    for c, (low, high) in hidden_ranges(values, mark):
        if round(low) == round(high):
            return c
    return None
