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
4. **A final audit by linear programming**, as an attacker with a solver would do it: the
   hidden figures are unknowns, every line is an equation, every hidden figure is at least 1.
   For each hidden figure the solver finds the smallest and the largest value consistent with
   the whole table (all lines at once: sums across several rows and columns included, which a
   line-by-line check misses). Every hidden figure must keep at least three possible values
   (largest minus smallest at least `SPREAD`): not pinned, nor narrowed to "1 or 2". Where
   that fails, the smallest visible non-zero figure in one of its lines is hidden
   too, and the audit runs again. The table's equations form a network (each cell is in one
   row and one column), so the solver's bounds are whole numbers: exact, not estimates.

Tables that share figures (the same count in several tables, e.g. a category's total in every
breakdown of an indicator) are suppressed together (`suppress_together`): the rule runs once on
all their figures, a shared figure being one figure, every line of every table a line, and the
audit solving for all hidden figures of all the tables at once. A shared figure is hidden only
when no other figure will do, since it is then hidden in every table that has it.

Every hidden figure looks the same on the page ("x"): a reader cannot tell a small count from
a complementary one, so the label says nothing beyond "at least 1". Hiding only ever adds
figures, so the loop ends (at worst with every non-zero figure hidden).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from math import inf
from typing import Generic, TypeVar

import numpy as np
from scipy.optimize import linprog

SMALL_COUNT = 5
# The least spread (largest minus smallest possible value) a hidden figure must keep.
SPREAD = 2

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


def _components(hidden: set, all_lines) -> list[tuple[list, list]]:
    """The hidden figures in groups that share no line with another group's hidden figures
    (each group's equations are independent of the others'), each with its lines."""
    parent = {p: p for p in hidden}

    def root(p):
        while parent[p] != p:
            parent[p] = parent[parent[p]]
            p = parent[p]
        return p

    used = []
    for line in all_lines:
        here = [p for p in line if p in hidden]
        if here:
            used.append((line, here))
            for p in here[1:]:
                parent[root(p)] = root(here[0])
    groups: dict = {}
    for p in sorted(hidden):
        groups.setdefault(root(p), ([], []))[0].append(p)
    for line, here in used:
        groups[root(here[0])][1].append(line)
    return list(groups.values())


def _bounds(values: Mapping, order: list, all_lines) -> Iterator[tuple[Hashable, float, float]]:
    """For each hidden figure of `order` (a group of `_components`), the smallest and the
    largest value an attacker with a solver finds consistent with the visible figures (see
    rule 4): every hidden figure an unknown of at least 1, every line an equation. (-inf, inf)
    reads "no solution", which the true table rules out; it is reported as exposed all the
    same, to be safe."""
    index = {p: k for k, p in enumerate(order)}
    equations, constants = [], []
    for line in all_lines:
        *cells, total = line
        row = np.zeros(len(order))
        constant = 0
        for p, sign in [*((c, 1) for c in cells), (total, -1)]:
            if p in index:
                row[index[p]] += sign
            else:
                constant -= sign * values[p]
        equations.append(row)
        constants.append(constant)
    a_eq, b_eq = np.array(equations), np.array(constants)
    bounds = [(1, None)] * len(order)  # zeros are shown, so a hidden figure is at least 1
    for k, p in enumerate(order):
        objective = np.zeros(len(order))
        objective[k] = 1
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        if low.status != 0:
            yield p, -inf, inf
            continue
        yield p, round(low.fun), inf if high.status == 3 else round(-high.fun)  # 3: unbounded


def exposed(
    values: Mapping, hidden: set, all_lines, known: dict | None = None
) -> Iterator[Hashable]:
    """The hidden figures an attacker can narrow to fewer than SPREAD + 1 possible values from
    the visible ones (see rule 4), in table order. A generator: the caller that widens the
    suppression at the first one found does not pay for solving the rest. The hidden figures
    are solved in independent groups; `known` keeps each group's answer (a group whose hidden
    figures have not changed has the same answer) for the next call."""
    known = {} if known is None else known
    for order, group_lines in _components(hidden, all_lines):
        key = frozenset(order)
        if key not in known:
            known[key] = [
                p
                for p, low, high in _bounds(values, order, group_lines)
                if low == -inf or high - low < SPREAD
            ]
        yield from known[key]


def _gives_away(line: list, values, hidden: set) -> bool:
    hidden_here = [p for p in line if p in hidden]
    if not hidden_here:
        return False
    if len(hidden_here) == 1:
        return True
    total = line[-1]
    return total not in hidden and sum(values[p] for p in hidden_here) == len(hidden_here)


def _hide(values: Mapping, all_lines: list[list], small: int, dear: frozenset = frozenset()) -> set:
    """Rules 2-4 on figures (any keys, in a stable order) and the lines they add up in.
    `dear`: figures to hide only when no other will do (the figures several tables share: one
    hidden there is hidden in every table). With `dear` figures (tables suppressed together)
    the audit widens at every exposed figure of a pass at once, not one per pass: the joint
    system is large, and each pass solves two linear programs per hidden figure."""
    hidden = {p for p, v in values.items() if 0 < v < small}
    known: dict = {}  # the audit's answers per group of hidden figures

    def smallest(line: list):
        """The line's cheapest visible non-zero figure to hide: not a dear one, the smallest,
        a cell before the total, then the first in order."""
        free = [p for p in line if p not in hidden and values[p] > 0]
        key = lambda p: (p in dear, values[p], p == line[-1], p)  # noqa: E731
        return min(free, key=key) if free else None

    while True:
        changed = False
        for line in all_lines:
            if _gives_away(line, values, hidden) and (extra := smallest(line)) is not None:
                hidden.add(extra)
                changed = True
        if changed:
            continue
        found = exposed(values, hidden, all_lines, known)
        widen = set()
        for p in found if dear else itertools.islice(found, 1):
            options = [c for ln in all_lines if p in ln if (c := smallest(ln)) is not None]
            if not options:  # every figure next to it is hidden: widen anywhere
                options = [c for c in values if c not in hidden and values[c] > 0]
            if options:
                widen.add(min(options, key=lambda c: (c in dear, values[c], c)))
        if not widen:
            return hidden
        hidden |= widen


def suppression(
    values: Mapping[Position, int], n_rows: int, n_columns: int, small: int = SMALL_COUNT
) -> set[Position]:
    """The positions to hide in a table with totals (see the module's rule)."""
    return _hide(values, lines(n_rows, n_columns), small)


def table_values(
    counts: Mapping[tuple[R, C], int], rows: Sequence[R], columns: Sequence[C]
) -> dict[Position, int]:
    """`counts` by (row, column) (missing means 0) by position, with the totals added."""
    n, m = len(rows), len(columns)
    values: dict[Position, int] = {}
    for i, row in enumerate(rows):
        for j, column in enumerate(columns):
            values[(i, j)] = int(counts.get((row, column), 0))
        values[(i, m)] = sum(values[(i, j)] for j in range(m))
    for j in range(m + 1):
        values[(n, j)] = sum(values[(i, j)] for i in range(n))
    return values


def _table(rows: Sequence[R], columns: Sequence[C], values, hidden) -> SuppressedTable[R, C]:
    n, m = len(rows), len(columns)

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


@functools.lru_cache(maxsize=64)
def _cached_suppression(
    values: tuple[tuple[Position, int], ...], n_rows: int, n_columns: int, small: int
) -> frozenset[Position]:
    """The audit solves a few hundred small linear programs (about 0.1 s for the overview);
    the same figures give the same answer, so a page shown again reuses it."""
    return frozenset(suppression(dict(values), n_rows, n_columns, small))


def suppress(
    counts: Mapping[tuple[R, C], int],
    rows: Sequence[R],
    columns: Sequence[C],
    small: int = SMALL_COUNT,
) -> SuppressedTable[R, C]:
    """`counts` by (row, column) (missing means 0) as a table with totals, suppressed."""
    values = table_values(counts, rows, columns)
    hidden = _cached_suppression(tuple(sorted(values.items())), len(rows), len(columns), small)
    return _table(rows, columns, values, hidden)


# --- figures shared by several tables ------------------------------------------------------


@dataclass(frozen=True)
class Linked:
    """One of several tables suppressed together (`suppress_together`): its counts, rows
    and columns as for `suppress`, and the names of its figures that other tables show too
    (position -> name; the same name in two tables is the same figure, e.g. a category's
    total over the whole scope in every breakdown of an indicator)."""

    counts: Mapping
    rows: Sequence
    columns: Sequence
    shared: Mapping[Position, Hashable]


def suppress_together(tables: Sequence[Linked], small: int = SMALL_COUNT) -> list[SuppressedTable]:
    """Tables that share figures, suppressed as one: a reader who downloads all of them knows
    that a shared figure is the same in each, and combines their lines. So the rule runs once
    on all their figures at once, a shared figure being one figure (hidden everywhere or
    nowhere), every line of every table one line, and the audit (rule 4) solves for all the
    hidden figures of all the tables together."""
    key = tuple(
        (
            tuple(sorted(table_values(t.counts, t.rows, t.columns).items())),
            len(t.rows),
            len(t.columns),
            tuple(sorted(t.shared.items(), key=repr)),
        )
        for t in tables
    )
    hidden = _cached_together(key, small)
    return [
        _table(t.rows, t.columns, table_values(t.counts, t.rows, t.columns), hidden[k])
        for k, t in enumerate(tables)
    ]


@functools.lru_cache(maxsize=64)
def _cached_together(key: tuple, small: int) -> tuple[frozenset[Position], ...]:
    numbers: dict[Hashable, int] = {}  # a figure's name in the joint system -> its number
    values: dict[int, int] = {}
    all_lines: list[list[int]] = []
    positions: list[dict[Position, int]] = []
    for t, (table_values_, n, m, shared) in enumerate(key):
        names = dict(shared)
        at = {
            p: numbers.setdefault(("shared", names[p]) if p in names else (t, p), len(numbers))
            for p, _ in table_values_
        }
        for p, v in table_values_:
            values[at[p]] = v
        all_lines += [[at[p] for p in line] for line in lines(n, m)]
        positions.append(at)
    dear = frozenset(k for name, k in numbers.items() if name[0] == "shared")
    hidden = _hide(values, all_lines, small, dear)
    return tuple(frozenset(p for p, k in at.items() if k in hidden) for at in positions)


def sums(counts: Mapping, axis: int) -> dict:
    """The totals of `counts` (by (row, column)) per row (axis 0) or per column (axis 1)."""
    out: dict = {}
    for key, n in counts.items():
        out[key[axis]] = out.get(key[axis], 0) + n
    return out
