"""The small-number rule (app/statistics.py), checked the way an attacker would use a table."""

from __future__ import annotations

import itertools
import random

import pytest

from app.statistics import SMALL_COUNT, SuppressedTable, suppress


def _grid(table: SuppressedTable) -> list[list[int | None]]:
    """What the reader sees: every row with its total last, then the totals row."""
    rows = [
        [table.cell(r, c).shown for c in table.columns] + [table.row_totals[r].shown]
        for r in table.rows
    ]
    rows.append([table.column_totals[c].shown for c in table.columns] + [table.grand_total.shown])
    return rows


def _truth(table: SuppressedTable) -> list[list[int]]:
    rows = [
        [table.cell(r, c).value for c in table.columns] + [table.row_totals[r].value]
        for r in table.rows
    ]
    rows.append([table.column_totals[c].value for c in table.columns] + [table.grand_total.value])
    return rows


def _lines(grid):
    rows = [(f"row {i}", list(row)) for i, row in enumerate(grid)]
    columns = [(f"column {j}", [row[j] for row in grid]) for j in range(len(grid[0]))]
    return rows + columns


def attackers_subtraction(grid) -> list[str]:
    """Every hidden figure the attacker recovers as a line's total minus its visible cells
    (or as a cell summed into a hidden total), or as one of hidden cells that must all be 1."""
    recovered = []
    for name, line in _lines(grid):
        hidden = [k for k, v in enumerate(line) if v is None]
        if len(hidden) == 1:
            recovered.append(f"{name}, figure {hidden[0]}")
        elif hidden and line[-1] is not None:
            rest = line[-1] - sum(v for v in line[:-1] if v is not None)
            if rest == len(hidden):
                recovered.append(f"{name}: all hidden are 1")
    return recovered


def _table(rows: list[list[int]]) -> SuppressedTable:
    counts = {(i, j): v for i, row in enumerate(rows) for j, v in enumerate(row)}
    return suppress(counts, list(range(len(rows))), list(range(len(rows[0]))))


def _check(table: SuppressedTable) -> None:
    grid = _grid(table)
    assert attackers_subtraction(grid) == []
    for row, truth in zip(grid, _truth(table), strict=True):
        for shown, value in zip(row, truth, strict=True):
            if 0 < value < SMALL_COUNT:
                assert shown is None, "a small count is shown"
            if value == 0:
                assert shown == 0, "a zero is hidden"


def test_the_issue_example_is_no_longer_undone_by_subtraction():
    # GF1: 8 active, 1 on leave... completed = 9 - 8 - 0 - 0 = 1 before the fix.
    table = _table([[8, 0, 0, 1], [12, 6, 7, 9], [20, 5, 0, 11]])
    _check(table)
    assert table.cell(0, 3).hidden
    # The complementary figure in GF1's row is the smallest other non-zero one (8), or the
    # total: one more figure of that row is hidden.
    assert sum(f.hidden for f in (table.cell(0, j) for j in range(4))) >= 2 or (
        table.row_totals[0].hidden
    )
    # Nothing of SSH's row needs hiding... unless a column forces it; its total stays.
    assert table.row_totals[1].shown == 34


def test_figures_without_small_counts_are_all_shown():
    table = _table([[10, 5, 7], [6, 9, 0]])
    assert not any(f.hidden for f in table.cells.values())
    assert table.grand_total.shown == 37


def test_zeros_are_shown_and_never_used_as_complements():
    table = _table([[3, 0, 0], [9, 8, 0]])
    _check(table)
    assert table.cell(0, 1).shown == 0 and table.cell(1, 2).shown == 0


def test_a_small_total_is_hidden_and_cannot_be_added_up():
    # A row of 1 + 2: both cells and the total are small; the column of row totals then
    # needs another hidden total, or the grand total minus the visible totals gives it away.
    table = _table([[1, 2, 0], [10, 6, 5], [7, 8, 9]])
    _check(table)
    assert table.row_totals[0].hidden
    assert sum(t.hidden for t in table.row_totals.values()) + table.grand_total.hidden >= 2


def test_hidden_cells_of_one_are_not_given_away_by_their_sum():
    # Two ones in a row with a visible total: the reader knows hidden figures are >= 1, so
    # total 10 - 8 = 2 over two hidden cells would mean both are 1.
    table = _table([[1, 1, 8], [9, 9, 9], [9, 9, 9]])
    _check(table)


def test_an_empty_table():
    table = suppress({}, [], ["a", "b"])
    assert table.grand_total.shown == 0
    assert table.column_totals["a"].shown == 0


@pytest.mark.parametrize("seed", range(200))
def test_random_tables_resist_subtraction(seed):
    rng = random.Random(seed)
    n, m = rng.randint(1, 5), rng.randint(1, 5)
    values = [0, 1, 2, 3, 4, 5, 6, 8, 12, 30]
    rows = [[rng.choice(values) for _ in range(m)] for _ in range(n)]
    _check(_table(rows))


def _bounds_attack(grid) -> list[tuple[int, int]]:
    """Brute force on small tables: the hidden figures that have only one value consistent with
    every line, given that hidden figures are >= 1. The unknowns are the hidden cells; each
    guess fills in the totals, which must match the visible ones. Cells are tried up to the
    grand total (or the largest visible figure when it is hidden)."""
    n, m = len(grid) - 1, len(grid[0]) - 1
    cells = [(i, j) for i in range(n) for j in range(m) if grid[i][j] is None]
    grand = grid[n][m]
    shown = [v for row in grid for v in row if v is not None]
    top = grand if grand is not None else max([*shown, 2 * SMALL_COUNT])
    possible: dict[tuple[int, int], set[int]] = {
        (i, j): set() for i in range(n + 1) for j in range(m + 1) if grid[i][j] is None
    }
    for guess in itertools.product(range(1, top + 1), repeat=len(cells)):
        filled = [list(row) for row in grid]
        for (i, j), v in zip(cells, guess, strict=True):
            filled[i][j] = v
        for i in range(n):
            filled[i][m] = sum(filled[i][:m])
        for j in range(m + 1):
            filled[n][j] = sum(filled[i][j] for i in range(n))
        if all(
            (filled[i][j] == grid[i][j]) if grid[i][j] is not None else filled[i][j] >= 1
            for i in range(n + 1)
            for j in range(m + 1)
        ):
            for p in possible:
                possible[p].add(filled[p[0]][p[1]])
    assert all(possible.values()), "the true table is always a solution"
    return [p for p, vs in possible.items() if len(vs) == 1]


@pytest.mark.parametrize(
    "rows",
    [
        [[5, 0, 1], [6, 5, 0]],
        [[1, 1, 6]],
        [[1, 1, 5], [0, 5, 0]],
        [[2, 0], [0, 3]],
        [[4, 5], [6, 1]],
    ],
)
def test_no_hidden_figure_has_only_one_possible_value(rows):
    grid = _grid(_table(rows))
    assert _bounds_attack(grid) == []


def _solver_attack(grid) -> list[tuple[int, int]]:
    """An attacker with a linear-programming solver: every hidden figure is an unknown >= 1,
    every row and column (with its total) an equation. Returns the hidden figures with only
    fewer than three possible values (spread below 2)."""
    import numpy as np
    from scipy.optimize import linprog

    n, m = len(grid) - 1, len(grid[0]) - 1
    unknown = [(i, j) for i in range(n + 1) for j in range(m + 1) if grid[i][j] is None]
    col = {p: k for k, p in enumerate(unknown)}
    a_eq, b_eq = [], []
    lines = [[(i, j) for j in range(m)] + [(i, m)] for i in range(n + 1)]
    lines += [[(i, j) for i in range(n)] + [(n, j)] for j in range(m + 1)]
    for line in lines:
        row, rhs = [0.0] * len(unknown), 0.0
        for p, sign in [*((c, 1.0) for c in line[:-1]), (line[-1], -1.0)]:
            if p in col:
                row[col[p]] += sign
            else:
                rhs -= sign * grid[p[0]][p[1]]
        if any(row):
            a_eq.append(row)
            b_eq.append(rhs)
    found = []
    for k, p in enumerate(unknown):
        c = np.zeros(len(unknown))
        c[k] = 1
        kw = {"A_eq": np.array(a_eq), "b_eq": np.array(b_eq), "bounds": [(1, None)] * len(unknown)}
        low, high = linprog(c, **kw), linprog(-c, **kw)
        top = float("inf") if high.status == 3 else -high.fun
        if top - round(low.fun) < 2:
            found.append(p)
    return found


def test_sums_across_several_lines_do_not_give_a_hidden_figure_away():
    """The demo data's overview, where the Active column and the Total column together gave
    EUX PA on leave, EUX PA completed and GF1 completed away as exactly 1 each."""
    # active, on leave, dropped out, completed
    rows = [
        [4, 1, 0, 1],  # EUX PA
        [8, 0, 0, 1],  # GF1
        [26, 0, 3, 10],  # GF2
        [30, 0, 1, 2],  # PA
        [107, 0, 10, 6],  # SSA
        [74, 2, 3, 15],  # SSH
    ]
    table = _table(rows)
    _check(table)
    assert _solver_attack(_grid(table)) == []


@pytest.mark.parametrize("seed", range(60))
def test_random_tables_resist_a_solver(seed):
    rng = random.Random(1000 + seed)
    n, m = rng.randint(2, 6), rng.randint(2, 5)
    values = [0, 0, 1, 2, 3, 4, 5, 6, 9, 14, 30, 120]
    rows = [[rng.choice(values) for _ in range(m)] for _ in range(n)]
    table = _table(rows)
    _check(table)
    assert _solver_attack(_grid(table)) == []
