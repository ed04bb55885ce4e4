"""Small-count suppression: no hidden count can be worked out from what the overview shows.

The attack is a brute-force search, independent of the module's own audit: it tries every
assignment of the hidden cells consistent with the shown cells and totals ("<11" is 1 to 10,
"*" is at least 11) and fails if some hidden value takes only one value in all of them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.suppression import HIDDEN, MIN_CELL, SMALL, TOTAL, suppressed_csv, suppressed_shares, suppressed_table


def values_an_attacker_can_find(shown: pd.DataFrame) -> dict[tuple[int, int], set[int]]:
    """Every value each hidden cell (totals included) takes over all tables consistent with ``shown``.

    Interior hidden cells are enumerated depth first; totals follow from the cells. A line
    whose total is shown and has one unknown cell left forces it. Stops as soon as every hidden
    value has been seen with two different values (none is determined).
    """
    text = shown.to_numpy()
    n_rows, n_cols = text.shape[0] - 1, text.shape[1] - 1
    known = {(i, j): int(text[i, j]) for i in range(n_rows + 1) for j in range(n_cols + 1)
             if text[i, j] not in (SMALL, HIDDEN)}
    grand = known.get((n_rows, n_cols))
    cap = grand if grand is not None else 3 * sum(v for (i, j), v in known.items() if i < n_rows and j < n_cols) + 60

    def domain(cell):
        return range(1, MIN_CELL) if text[cell] == SMALL else range(MIN_CELL, cap + 1)

    unknown = [(i, j) for i in range(n_rows) for j in range(n_cols) if (i, j) not in known]
    lines = ([([(i, j) for j in range(n_cols)], (i, n_cols)) for i in range(n_rows)]
             + [([(i, j) for i in range(n_rows)], (n_rows, j)) for j in range(n_cols)])
    seen: dict[tuple[int, int], set[int]] = {c: set() for c in unknown}
    seen.update({c: set() for c in [(i, n_cols) for i in range(n_rows + 1)] + [(n_rows, j) for j in range(n_cols)]
                 if c not in known})
    assignment = dict(known)

    def total_ok(total_cell, value):
        if total_cell in known:
            return known[total_cell] == value
        return value in domain(total_cell) if value else False  # a hidden total is never zero

    def consistent() -> bool:
        for cells, total_cell in lines:
            values = [assignment.get(c) for c in cells]
            if None in values:
                partial = sum(v for v in values if v is not None)
                if partial > known.get(total_cell, MIN_CELL - 1 if text[total_cell] == SMALL else partial):
                    return False
                continue
            if not total_ok(total_cell, sum(values)):
                return False
        if all(c in assignment for c in unknown):
            row_totals = [sum(assignment[(i, j)] for j in range(n_cols)) for i in range(n_rows)]
            if not total_ok((n_rows, n_cols), sum(row_totals)):
                return False
        return True

    def record():
        for c in seen:
            if c in unknown:
                seen[c].add(assignment[c])
            elif c[1] == n_cols and c[0] < n_rows:
                seen[c].add(sum(assignment[(c[0], j)] for j in range(n_cols)))
            elif c[0] == n_rows and c[1] < n_cols:
                seen[c].add(sum(assignment[(i, c[1])] for i in range(n_rows)))
            else:
                seen[c].add(sum(assignment[(i, j)] for i in range(n_rows) for j in range(n_cols)))

    def search(k: int) -> bool:
        """True when every hidden value has been seen twice (stop searching)."""
        if k == len(unknown):
            record()
            return all(len(v) > 1 for v in seen.values())
        cell = unknown[k]
        candidates = domain(cell)
        for cells, total_cell in lines:  # the last unknown of a line with a shown total is forced
            if cell in cells and total_cell in known and all(c in assignment for c in cells if c != cell):
                forced = known[total_cell] - sum(assignment[c] for c in cells if c != cell)
                candidates = [forced] if forced in candidates else []
                break
        for value in candidates:
            assignment[cell] = value
            if consistent() and search(k + 1):
                del assignment[cell]
                return True
        assignment.pop(cell, None)
        return False

    search(0)
    return seen


def counts_frame(values) -> pd.DataFrame:
    return pd.DataFrame(values, index=[f"p{i}" for i in range(len(values))],
                        columns=[f"k{j}" for j in range(len(values[0]))])


def assert_nothing_disclosed(counts: pd.DataFrame) -> pd.DataFrame:
    shown = suppressed_table(counts)
    truth = counts.copy()
    truth[TOTAL] = truth.sum(axis=1)
    truth.loc[TOTAL] = truth.sum(axis=0)
    for (i, j), value in np.ndenumerate(truth.to_numpy()):
        cell = shown.iat[i, j]
        if 1 <= value < MIN_CELL:
            assert cell == SMALL, f"count {value} at {(i, j)} shows as {cell}"
        elif cell == HIDDEN:
            assert value >= MIN_CELL
        else:
            assert cell == str(value)
    found = values_an_attacker_can_find(shown)
    assert found, "expected hidden cells"
    for cell, values in found.items():
        assert len(values) > 1, f"hidden value at {cell} is determined: {values}\n{shown}"
    return shown


def test_one_small_cell_in_a_row_takes_a_second_cell_with_it():
    # The fewest cells that protect it: a rectangle of four (the complements close each other's lines).
    shown = assert_nothing_disclosed(counts_frame([[5, 30, 40], [20, 12, 33], [14, 25, 31]]))
    assert shown.to_dict("index") == {
        "p0": {"k0": "<11", "k1": "*", "k2": "40", "Total": "75"},
        "p1": {"k0": "20", "k1": "12", "k2": "33", "Total": "65"},
        "p2": {"k0": "*", "k1": "*", "k2": "31", "Total": "70"},
        "Total": {"k0": "39", "k1": "67", "k2": "104", "Total": "210"},
    }


def test_a_complement_just_over_the_threshold_is_not_enough():
    # 1 and 11 in a row: knowing "<11" is 1..10 and "*" is 11 or more, a row total of 12 gives both.
    assert_nothing_disclosed(counts_frame([[1, 11, 40], [30, 30, 30]]))


def test_small_totals_are_small_counts_too():
    shown = assert_nothing_disclosed(counts_frame([[3, 0], [40, 50]]))
    assert shown.loc["p0", TOTAL] == SMALL


def test_zeros_are_shown_and_a_table_without_small_counts_is_unchanged():
    counts = counts_frame([[0, 12], [30, 0]])
    assert suppressed_table(counts).to_numpy().tolist() == [["0", "12", "12"], ["30", "0", "30"],
                                                            ["30", "12", "42"]]


def test_shares_are_hidden_with_their_count_or_their_total():
    counts = counts_frame([[5, 30, 40], [20, 12, 33], [14, 25, 31]])
    shown, shares = suppressed_table(counts), suppressed_shares(counts)
    for row in shares.index:
        for column in shares.columns:
            hidden = shown.loc[row, column] in (SMALL, HIDDEN) or shown.loc[row, TOTAL] in (SMALL, HIDDEN)
            assert (shares.loc[row, column] == HIDDEN) == hidden
    assert shares.loc["p1", "k0"] == "31%" and shares.loc[TOTAL, "k0"] == "19%"


def test_csv_has_the_same_suppression_as_the_table():
    counts = counts_frame([[5, 30, 40], [20, 12, 33]])
    lines = suppressed_csv(counts).splitlines()
    assert lines[0] == ",k0,k1,k2,Total"
    assert lines[1:] == [",".join([label, *row]) for label, row in
                         zip(suppressed_table(counts).index, suppressed_table(counts).to_numpy().tolist())]


def test_input_is_left_unchanged_and_bad_counts_are_refused():
    counts = counts_frame([[5, 30], [20, 12]])
    before = counts.copy()
    suppressed_table(counts)
    pd.testing.assert_frame_equal(counts, before)
    with pytest.raises(ValueError, match="whole numbers"):
        suppressed_table(counts_frame([[-1, 3]]))
    with pytest.raises(ValueError, match="whole numbers"):
        suppressed_table(counts_frame([[1.5, 3]]))


# Mostly small and zero counts, where suppression is hard, with a few large ones.
cell_counts = st.one_of(st.integers(0, 12), st.integers(0, 40))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 3).flatmap(lambda n_cols: st.lists(st.lists(cell_counts, min_size=n_cols, max_size=n_cols),
                                                         min_size=1, max_size=3)))
@pytest.mark.slow   # seconds: a subprocess or a simulation
def test_no_hidden_count_can_be_worked_out(values):
    counts = counts_frame(values)
    truth = np.array(values)
    if not ((truth >= 1) & (truth < MIN_CELL)).any() and not (1 <= truth.sum() < MIN_CELL):
        return  # nothing to hide
    assert_nothing_disclosed(counts)
    assert suppressed_table(counts).equals(suppressed_table(counts.iloc[:, :]))  # same input, same output
