"""Small-number suppression for aggregate tables (docs/domain.md: "Cells under 5 are suppressed so
that no total, breakdown or download lets anyone derive them").

`suppress()` is the one rule. It takes a two-way table of counts, adds its row totals, column
totals and grand total, and decides which of all these figures to hide:

1. **Zeros are shown.** A true 0 names nobody, and hiding every zero would hide most small
   tables. The price: a reader knows every hidden figure is at least 1. The rules below are
   built with that in mind (3.), and a complementary cell is never a zero (hiding a 0 next to
   visible zeros would not protect anything, since the reader knows hidden figures are >= 1).
2. **Primary suppression**: every figure from 1 to `small - 1` (1-4) is hidden, totals too.
3. **Complementary (secondary) suppression.** The table is read as lines: each row with its
   row total, each column with its column total, the row of column totals with the grand total
   and the column of row totals with the grand total. In every line the cells add up to the
   total. A line gives a hidden figure away when it has exactly one hidden figure (total minus
   the visible cells), or when its total is visible and its hidden cells add up to their
   number (they must then all be 1). In such a line the smallest visible non-zero figure is
   hidden as well (a cell before the total, then the first in table order), and the lines are
   checked again until nothing changes.
4. **A final check by bounds.** What an attacker can do line by line, repeated: start every
   hidden figure at [1, unlimited], narrow it from each line's sum, and repeat until nothing
   narrows. If a hidden figure is pinned to one value, the smallest visible non-zero figure in
   one of its lines is hidden too, and everything is checked again.

Every hidden figure looks the same on the page ("x"): a reader cannot tell a small count from
a complementary one, so the label says nothing beyond "at least 1". Hiding only ever adds
figures, so the loop ends (at worst with every non-zero figure hidden).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from math import inf
from typing import Generic, TypeVar

SMALL_COUNT = 5

R = TypeVar("R", bound=Hashable)
C = TypeVar("C", bound=Hashable)

Position = tuple[int, int]  # (row index, column index); index len(rows) / len(columns) = total


@dataclass(frozen=True)
class Figure:
    """One figure of the table: the true value and whether it is hidden."""

    value: int
    hidden: bool

    @property
    def shown(self) -> int | None:
        """What a reader may see: the value, or None when hidden."""
        return None if self.hidden else self.value


@dataclass(frozen=True)
class SuppressedTable(Generic[R, C]):
    rows: list[R]
    columns: list[C]
    cells: dict[tuple[R, C], Figure]
    row_totals: dict[R, Figure]
    column_totals: dict[C, Figure]
    grand_total: Figure

    def cell(self, row: R, column: C) -> Figure:
        return self.cells[(row, column)]


def lines(n_rows: int, n_columns: int) -> list[list[Position]]:
    """Every line of a table with totals: its cells, then its total last."""
    result = [[(i, j) for j in range(n_columns + 1)] for i in range(n_rows + 1)]
    result += [[(i, j) for i in range(n_rows + 1)] for j in range(n_columns + 1)]
    return result


def pinned(values: Mapping[Position, int], hidden: set[Position], all_lines) -> set[Position]:
    """The hidden figures whose value the visible ones give away, by narrowing the bounds of
    every hidden figure (at least 1, as zeros are shown) line by line until nothing narrows."""
    low = {p: (1 if p in hidden else values[p]) for p in values}
    high = {p: (inf if p in hidden else values[p]) for p in values}
    for _ in range(1000):
        changed = False
        for line in all_lines:
            *cells, total = line
            for p in line:
                if p not in hidden:
                    continue
                if p == total:
                    lo, hi = sum(low[c] for c in cells), sum(high[c] for c in cells)
                else:
                    others = [c for c in cells if c != p]
                    lo = low[total] - sum(high[c] for c in others)
                    hi = high[total] - sum(low[c] for c in others)
                if lo > low[p]:
                    low[p], changed = lo, True
                if hi < high[p]:
                    high[p], changed = hi, True
        if not changed:
            break
    return {p for p in hidden if low[p] == high[p]}


def _smallest_visible(line: list[Position], values, hidden: set[Position]) -> Position | None:
    total = line[-1]
    candidates = [p for p in line if p not in hidden and values[p] > 0]
    if not candidates:
        return None
    return min(candidates, key=lambda p: (values[p], p == total, p))


def _gives_away(line: list[Position], values, hidden: set[Position]) -> bool:
    hidden_here = [p for p in line if p in hidden]
    if not hidden_here:
        return False
    if len(hidden_here) == 1:
        return True
    total = line[-1]
    return total not in hidden and sum(values[p] for p in hidden_here) == len(hidden_here)


def suppression(
    values: Mapping[Position, int], n_rows: int, n_columns: int, small: int = SMALL_COUNT
) -> set[Position]:
    """The positions to hide in a table with totals (see the module's rule)."""
    all_lines = lines(n_rows, n_columns)
    hidden = {p for p, v in values.items() if 0 < v < small}
    while True:
        changed = False
        for line in all_lines:
            if _gives_away(line, values, hidden):
                extra = _smallest_visible(line, values, hidden)
                if extra is not None:
                    hidden.add(extra)
                    changed = True
        if changed:
            continue
        for p in sorted(pinned(values, hidden, all_lines)):
            for line in (ln for ln in all_lines if p in ln):
                extra = _smallest_visible(line, values, hidden)
                if extra is not None:
                    hidden.add(extra)
                    changed = True
                    break
            if changed:
                break
        if not changed:
            return hidden


def suppress(
    counts: Mapping[tuple[R, C], int],
    rows: Sequence[R],
    columns: Sequence[C],
    small: int = SMALL_COUNT,
) -> SuppressedTable[R, C]:
    """`counts` by (row, column) (missing means 0) as a table with totals, suppressed."""
    n, m = len(rows), len(columns)
    values: dict[Position, int] = {}
    for i, row in enumerate(rows):
        for j, column in enumerate(columns):
            values[(i, j)] = int(counts.get((row, column), 0))
        values[(i, m)] = sum(values[(i, j)] for j in range(m))
    for j in range(m + 1):
        values[(n, j)] = sum(values[(i, j)] for i in range(n))
    hidden = suppression(values, n, m, small)

    def figure(p: Position) -> Figure:
        return Figure(values[p], p in hidden)

    return SuppressedTable(
        rows=list(rows),
        columns=list(columns),
        cells={(r, c): figure((i, j)) for i, r in enumerate(rows) for j, c in enumerate(columns)},
        row_totals={r: figure((i, m)) for i, r in enumerate(rows)},
        column_totals={c: figure((n, j)) for j, c in enumerate(columns)},
        grand_total=figure((n, m)),
    )
