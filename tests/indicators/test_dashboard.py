"""The analyst's dashboard (/overview) and its CSV downloads: Danish headings, every table
suppressed, and an attacker who downloads every table of every breakdown recovers nothing."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from app.main.indicators import TABLES, Breakdown
from app.models import MeasureType, PeriodKind, StudentStatus
from tests import factories
from tests.conftest import login
from tests.indicators.data import build, enrolled, measure, warning
from tests.test_statistics import _solver_attack


def _csv(client, name: str, by: Breakdown) -> list[list[str]]:
    response = client.get(f"/overview/{name}.csv?by={by.value}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def _grid(rows: list[list[str]]) -> tuple[list[list[int | None]], list[list[str]], int]:
    """The figures of a CSV (cells and totals, "x" as None), its rates and sums, and how many
    of those."""
    header, body = rows[0], rows[1:]
    n_rates = sum(1 for h in header if h.endswith(("(%)", "(timer)")))
    end = len(header) - n_rates
    grid = [[None if v == "x" else int(v) for v in row[1:end]] for row in body]
    return grid, [row[end:] for row in body], n_rates


@pytest.fixture
def busy(db, world):
    """The constructed data, and enough students more that some figures are shown."""
    data = build()
    world.a.partnership.members += [data.school_a, data.school_b]
    for k in range(40):
        status = [StudentStatus.ACTIVE, StudentStatus.COMPLETED, StudentStatus.DROPPED_OUT][k % 3]
        s = enrolled(
            data.school_a if k % 4 else data.school_b, date(2023, 9, 1), status, 2000 + k % 9
        )
        # Support and warnings enough that some of those figures are shown too.
        if k % 2:
            measure(s, MeasureType.MENTOR, date(2026, 1, 1))
        if k % 5 == 0:
            measure(s, MeasureType.SPS_STUDY_SUPPORT, date(2026, 1, 1), hours=str(k))
        if k % 3 == 0:
            training = factories.period(s, PeriodKind.TRAINING, date(2026, 2, 1), date(2026, 5, 1))
            warning(training, date(2026, 3, 1), date(2026, 4, 1), followed_up=date(2026, 3, 20))
    db.session.commit()
    return data


def test_the_dashboard_shows_every_table_for_every_breakdown(client, busy, world):
    login(client, world.analyst)
    for by in Breakdown:
        html = client.get(f"/overview?by={by.value}").get_data(as_text=True)
        for heading in (
            "Optag",
            "Gennemførelse og frafald",
            "Hvor i forløbet eleverne falder fra",
            "Årsager til frafald",
            "Overleveringsnotater ved overgange",
            "Støtteforanstaltninger i brug",
            "Varslinger og hvad der kom ud af dem",
        ):
            assert heading in html, (by, heading)
        assert 'data-testid="chart-intake"' in html
        assert f'value="{by.value}" selected' in html
        for name in TABLES:
            assert f"/overview/{name}.csv?by={by.value}" in html
    html = client.get("/overview?by=municipality").get_data(as_text=True)
    assert "Indikator-kommune 1" in html and "Ingen uddannelsesaftale" in html
    # An unknown breakdown falls back to schools rather than failing.
    html = client.get("/overview?by=cpr").get_data(as_text=True)
    assert 'value="school" selected' in html


def test_a_csv_download_has_the_page_figures_and_hides_small_ones(client, busy, world):
    login(client, world.analyst)
    rows = _csv(client, "dropout", Breakdown.SCHOOL)
    assert rows[0][:3] == ["Skole", "Skoleperiode", "Oplæringsperiode 1"]
    assert rows[-1][0] == "I alt"
    grid = _grid(rows)[0]
    flat = [v for row in grid for v in row]
    assert None in flat, "small counts are hidden"
    assert all(v is None or v == 0 or v >= 5 for v in flat)
    assert client.get("/overview/students.csv").status_code == 404


def test_no_hidden_figure_can_be_worked_out_from_any_table(client, busy, world):
    """The attacker: every table of every breakdown, as CSV, each hidden figure an unknown of
    at least 1, every row and column an equation; none may be pinned to fewer than 3 values.
    And a rate is shown only where its numerator and denominator both are."""
    login(client, world.analyst)
    hidden_seen = 0
    for by in Breakdown:
        for name in TABLES:
            grid, rates, n_rates = _grid(_csv(client, name, by))
            hidden_seen += sum(v is None for row in grid for v in row)
            assert _solver_attack(grid) == [], (name, by)
            if name == "completion":
                numerators = [0, 1]  # completed, dropped out: the first two columns
            elif name in ("handover", "risk_population"):
                numerators = [0]
            elif name == "risk_dropouts":  # over the flagged / not flagged of risk_population
                assert n_rates == 2
                for row, row_rates in zip(grid, rates, strict=True):
                    for k in (0, 1):
                        if row[k] is None:
                            assert row_rates[k] == "x", (name, by, row, row_rates)
                continue
            else:
                numerators = []
            if name == "support":  # no rate: the SPS hours, a sum (hidden where few are behind)
                assert n_rates == 1
                continue
            assert n_rates == len(numerators)
            for row, row_rates in zip(grid, rates, strict=True):
                for k, shown in zip(numerators, row_rates, strict=True):
                    if row[k] is None or row[-1] is None:
                        assert shown == "x", (name, by, row, row_rates)
    assert hidden_seen, "the data has small counts to protect"


def _more(school, n: int) -> None:
    for k in range(n):
        enrolled(school, date.today() - timedelta(days=30 * k), StudentStatus.ACTIVE, 1995)


def test_computing_the_figures_runs_a_fixed_number_of_queries(app, db, world, count_queries):
    """The nightly computation (app.main.snapshots.compute): one statement per table for
    every breakdown at once, however many students."""
    from app.access.figures import scope_of
    from app.main.snapshots import compute
    from app.models.base import today

    _more(world.a.school, 10)
    db.session.commit()
    with app.test_request_context(), count_queries() as small:
        compute(scope_of(world.a.partnership), today())
    _more(world.a.school, 190)
    db.session.commit()
    with app.test_request_context(), count_queries() as large:
        compute(scope_of(world.a.partnership), today())
    assert large.count == small.count, "the computation's queries grow with the data"
    # The schools (1), programmes (1), one per table (9: each for every breakdown at once),
    # the SPS hours per breakdown (5), the organisations' names (1), the students table (1).
    assert small.count <= 18


def test_a_figure_shared_by_several_tables_is_hidden_in_all_or_in_none(client, busy, world):
    """The same figure in two downloads (a category's total in every breakdown, a cohort's
    intake in every breakdown, a group's dropouts in both dropout tables) is shown the same
    way in both: otherwise one table's visible figure is the key to the other's hidden ones."""
    login(client, world.analyst)
    seen: dict[tuple, set[str]] = {}

    def note(key, shown: str) -> None:
        seen.setdefault(key, set()).add(shown)

    for by in Breakdown:
        for name in TABLES:
            rows = _csv(client, name, by)
            header, body, total_row = rows[0], rows[1:-1], rows[-1]
            end = len(header) - sum(1 for h in header if h.endswith(("(%)", "(timer)")))
            if name == "support":  # the SPS hours in all, the same in every breakdown
                note(("hours", "all"), total_row[-1])
            if name == "intake":
                for row in body:  # the cohort's intake
                    note(("intake", row[0]), row[end - 1])
                note(("intake", "all"), total_row[end - 1])
            else:
                for k in range(1, end):  # the whole scope's count per category, and in all
                    note((name, header[k]), total_row[k])
            if name in ("dropout", "reasons"):
                for row in body:
                    note(("dropouts", by, row[0]), row[end - 1])
                note(("dropouts", "all"), total_row[end - 1])
    mixed = {key: shown for key, shown in seen.items() if len(shown) > 1}
    assert mixed == {}


def _joint_attack(grids: list[tuple[list[list[int | None]], dict]]) -> list:
    """The attacker who downloads every table at once: each grid with the names of its shared
    figures ((row, column) -> name: the same name in two grids is the same figure). Every hidden
    figure is an unknown of at least 1, every line of every grid an equation. Returns the
    hidden figures with fewer than three possible values."""
    import numpy as np
    from scipy.optimize import linprog

    unknowns: dict = {}
    known: dict = {}
    equations = []
    for t, (grid, shared) in enumerate(grids):
        n, m = len(grid) - 1, len(grid[0]) - 1

        def name(p, t=t, shared=shared):
            return shared.get(p, (t, p))

        for i in range(n + 1):
            for j in range(m + 1):
                if grid[i][j] is None:
                    unknowns.setdefault(name((i, j)), len(unknowns))
                else:
                    known[name((i, j))] = grid[i][j]
        lines = [[(i, j) for j in range(m)] + [(i, m)] for i in range(n + 1)]
        lines += [[(i, j) for i in range(n)] + [(n, j)] for j in range(m + 1)]
        equations += [
            [(name(p), 1.0) for p in line[:-1]] + [(name(line[-1]), -1.0)] for line in lines
        ]
    assert not set(unknowns) & set(known), (
        "a shared figure is hidden in one table, shown in another"
    )
    a_eq, b_eq = [], []
    for line in equations:
        row, rhs = [0.0] * len(unknowns), 0.0
        for key, sign in line:
            if key in unknowns:
                row[unknowns[key]] += sign
            else:
                rhs -= sign * known[key]
        if any(row):
            a_eq.append(row)
            b_eq.append(rhs)
    found = []
    for key, k in unknowns.items():
        c = np.zeros(len(unknowns))
        c[k] = 1
        kw = {"A_eq": np.array(a_eq), "b_eq": np.array(b_eq), "bounds": [(1, None)] * len(unknowns)}
        low, high = linprog(c, **kw), linprog(-c, **kw)
        top = float("inf") if high.status == 3 else -high.fun
        if top - round(low.fun) < 2:
            found.append(key)
    return found


def test_no_hidden_figure_can_be_worked_out_from_all_downloads_together(client, busy, world):
    """The attacker with every download of every breakdown at once, the shared figures
    identified: a cohort's intake (in every intake table, and in the completion table by
    cohort where all its enrolments are old enough: the same count), each table's column
    totals and grand total (the same in every breakdown), a group's dropouts (in both dropout
    tables)."""
    from app.access.figures import figure_scope
    from app.main.indicators import Figures
    from app.models.base import today

    login(client, world.analyst)
    with client.application.test_request_context():
        figures = Figures(figure_scope(world.analyst), Breakdown.COHORT, today())
        intake = {
            str(figures.table("intake").row_labels[r]): f.value
            for r, f in figures.table("intake").figures.row_totals.items()
        }
        completion = figures.table("completion")
        mature = {
            str(completion.row_labels[r]): f.value for r, f in completion.figures.row_totals.items()
        }
    grids = []
    for by in Breakdown:
        for name in TABLES:
            rows = _csv(client, name, by)
            grid, _, _ = _grid(rows)
            header = rows[0]
            n, m = len(grid) - 1, len(grid[0]) - 1
            labels = [row[0] for row in rows[1:-1]]
            shared: dict = {(n, m): (name, "all")}
            if name == "intake":
                shared |= {(i, m): ("cohort", label) for i, label in enumerate(labels)}
            else:
                shared |= {(n, j): (name, header[j + 1]) for j in range(m)}
            if name == "completion" and by is Breakdown.COHORT:
                shared |= {
                    (i, m): ("cohort", label)
                    for i, label in enumerate(labels)
                    if mature.get(label) == intake.get(label)
                }
            if name in ("dropout", "reasons"):
                shared |= {(i, m): ("dropouts", by, label) for i, label in enumerate(labels)}
                shared[(n, m)] = ("dropouts", "all")
            grids.append((grid, shared))
    assert _joint_attack(grids) == []
