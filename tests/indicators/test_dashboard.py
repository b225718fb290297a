"""The analyst's dashboard (/overview) and its CSV downloads: Danish headings, every table
suppressed, and an attacker who downloads every table of every breakdown recovers nothing."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from app.main.indicators import TABLES, Breakdown
from app.models import StudentStatus
from tests.conftest import login
from tests.indicators.data import build, enrolled
from tests.test_statistics import _solver_attack


def _csv(client, name: str, by: Breakdown) -> list[list[str]]:
    response = client.get(f"/overview/{name}.csv?by={by.value}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def _grid(rows: list[list[str]]) -> tuple[list[list[int | None]], list[list[str]], int]:
    """The figures of a CSV (cells and totals, "x" as None), its rates, and how many rates."""
    header, body = rows[0], rows[1:]
    n_rates = sum(1 for h in header if h.endswith("(%)"))
    end = len(header) - n_rates
    grid = [[None if v == "x" else int(v) for v in row[1:end]] for row in body]
    return grid, [row[end:] for row in body], n_rates


@pytest.fixture
def busy(db, world):
    """The constructed data, and enough students more that some figures are shown."""
    data = build()
    for k in range(40):
        status = [StudentStatus.ACTIVE, StudentStatus.COMPLETED, StudentStatus.DROPPED_OUT][k % 3]
        enrolled(data.school_a if k % 4 else data.school_b, date(2023, 9, 1), status, 2000 + k % 9)
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
            elif name == "handover":
                numerators = [0]
            else:
                numerators = []
            assert n_rates == len(numerators)
            for row, row_rates in zip(grid, rates, strict=True):
                for k, shown in zip(numerators, row_rates, strict=True):
                    if row[k] is None or row[-1] is None:
                        assert shown == "x", (name, by, row, row_rates)
    assert hidden_seen, "the data has small counts to protect"


def _more(school, n: int) -> None:
    for k in range(n):
        enrolled(school, date.today() - timedelta(days=30 * k), StudentStatus.ACTIVE, 1995)


def test_the_dashboard_runs_a_fixed_number_of_queries(client, db, world, count_queries):
    login(client, world.analyst)
    _more(world.a.school, 10)
    db.session.commit()
    with count_queries() as small:
        assert client.get("/overview?by=municipality").status_code == 200
    _more(world.b.school, 190)
    db.session.commit()
    with count_queries() as large:
        assert client.get("/overview?by=municipality").status_code == 200
    assert large.count == small.count, "the dashboard's queries grow with the data"
    assert small.count <= 15


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
            end = len(header) - sum(1 for h in header if h.endswith("(%)"))
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
