"""Each indicator's value on constructed data (tests/indicators/data.py), against figures
worked out by hand. The true counts (`Figure.value`), whether shown or hidden: suppression
is tested in test_suppression.py."""

from __future__ import annotations

from datetime import date

import pytest

from app.access.figures import FigureScope
from app.main.indicators import NO_EMPLOYER, Breakdown, Figures, cohort_of
from tests.indicators.data import TODAY, build

EVERYWHERE = FigureScope(None)


def values(table) -> dict:
    """{(row label, column): true count} for the non-zero cells."""
    return {
        (str(table.row_labels[r]), c): f.value
        for (r, c), f in table.figures.cells.items()
        if f.value
    }


def totals(table) -> dict:
    return {str(table.row_labels[r]): f.value for r, f in table.figures.row_totals.items()}


@pytest.fixture
def data(app, db):
    with app.test_request_context():  # the tables' labels are translated
        yield build()


def test_the_cohort_is_the_start_term():
    assert cohort_of(date(2026, 8, 1)) == 20262
    assert cohort_of(date(2026, 12, 31)) == 20262
    assert cohort_of(date(2027, 1, 1)) == 20271
    assert cohort_of(date(2027, 7, 31)) == 20271


def test_intake_per_cohort_and_programme(data):
    table = Figures(EVERYWHERE, Breakdown.COHORT, TODAY).intake()
    assert totals(table) == {"2023-H1": 10, "2024-H2": 6, "2026-H1": 3}
    assert values(table) == {
        ("2023-H1", table.columns[0]): 10,
        ("2024-H2", table.columns[0]): 6,
        ("2026-H1", table.columns[0]): 3,
    }
    assert table.figures.grand_total.value == 19


def test_intake_by_age_band_at_the_start(data):
    table = Figures(EVERYWHERE, Breakdown.AGE, TODAY).intake()
    # 2023 - 2005 = 18, 2023 - 2001 = 22, 2024 - 1990 = 34; the 2026 students have no year.
    assert values(table) == {
        ("2023-H1", "under_20"): 5,
        ("2023-H1", "20_24"): 3,
        ("2023-H1", "unknown"): 2,
        ("2024-H2", "30_plus"): 6,
        ("2026-H1", "unknown"): 3,
    }


def test_intake_by_employer_municipality(data):
    table = Figures(EVERYWHERE, Breakdown.MUNICIPALITY, TODAY).intake()
    assert values(table) == {
        ("2023-H1", NO_EMPLOYER): 10,
        ("2024-H2", data.m1.id): 3,
        ("2024-H2", data.m2.id): 3,
        # The agreement that ended before the enrolment started does not count.
        ("2026-H1", NO_EMPLOYER): 3,
    }


def test_completion_counts_only_cohorts_old_enough(data):
    table = Figures(EVERYWHERE, Breakdown.COHORT, TODAY).completion()
    assert values(table) == {
        ("2023-H1", "completed"): 6,
        ("2023-H1", "dropped_out"): 2,
        ("2023-H1", "transferred"): 1,
        ("2023-H1", "enrolled"): 1,
    }
    (row,) = table.rows
    completion, dropout = table.rates
    # 6 of 10 and 2 of 10; the rates may be hidden, but the counts behind them are these.
    assert table.figures.row_totals[row].value == 10
    shown = table.rate(row, completion)
    assert shown is None or shown == pytest.approx(60.0)
    assert table.rate(row, dropout) in (None, pytest.approx(20.0))


def test_dropout_by_period_and_at_transition(data):
    table = Figures(EVERYWHERE, Breakdown.SCHOOL, TODAY).dropout()
    assert values(table) == {
        ("Indikator-skole A", "school"): 1,
        ("Indikator-skole A", "transition"): 1,
        ("Indikator-skole B", "training_2"): 1,
    }
    # The transferred student is not a dropout: three in all, not four.
    assert table.figures.grand_total.value == 3


def test_dropout_reasons(data):
    table = Figures(EVERYWHERE, Breakdown.SCHOOL, TODAY).reasons()
    assert values(table) == {
        ("Indikator-skole A", "academic"): 1,
        ("Indikator-skole A", "health"): 1,
        ("Indikator-skole B", "workplace"): 1,
    }


def test_handover_timeliness(data):
    table = Figures(EVERYWHERE, Breakdown.SCHOOL, TODAY).handover()
    # The draft counts as missing; school A's transition of 2025-06-01 is before the window.
    assert values(table) == {
        ("Indikator-skole B", "acknowledged"): 1,
        ("Indikator-skole B", "sent"): 1,
        ("Indikator-skole B", "late"): 1,
        ("Indikator-skole B", "missing"): 2,
    }


def test_an_empty_scope_counts_nothing(data):
    tables = Figures(FigureScope(frozenset()), Breakdown.SCHOOL, TODAY).tables()
    assert all(t.figures.grand_total.value == 0 for t in tables.values())


def test_rates_are_shown_when_their_figures_are(app, db):
    from app.models import OrganisationKind, StudentStatus
    from tests import factories
    from tests.indicators.data import OLD, enrolled

    school = factories.organisation(OrganisationKind.SCHOOL, "Rate-skole")
    for status, n in ((StudentStatus.COMPLETED, 10), (StudentStatus.DROPPED_OUT, 5)):
        for _ in range(n):
            enrolled(school, OLD, status, 2000)
    for _ in range(5):
        enrolled(school, OLD, StudentStatus.ACTIVE, 2000)
    db.session.commit()
    with app.test_request_context():
        table = Figures(EVERYWHERE, Breakdown.SCHOOL, TODAY).completion()
    (row,) = table.rows
    completion, dropout = table.rates
    # 10 of 20 completed, 5 of 20 dropped out; the transferred column is 0.
    assert table.rate(row, completion) == pytest.approx(50.0)
    assert table.rate(row, dropout) == pytest.approx(25.0)
    assert table.rate(None, completion) == pytest.approx(50.0)


def test_the_completion_chart_by_cohort_draws_the_visible_rates(client, db):
    # Without the shared world: its students form a small cohort of this term, and a small
    # cohort hides every cohort's intake (shared figures are hidden all or nothing).
    from app.models import OrganisationKind, Role, StudentStatus
    from tests import factories
    from tests.conftest import login
    from tests.indicators.data import OLD, enrolled

    school = factories.organisation(OrganisationKind.SCHOOL, "Diagram-skole")
    analyst = factories.user(Role.ANALYST, school, email="diagram.analytiker@example.org")
    for status, n in ((StudentStatus.COMPLETED, 10), (StudentStatus.DROPPED_OUT, 5)):
        for _ in range(n):
            enrolled(school, OLD, status, 2000)
    for _ in range(5):
        enrolled(school, OLD, StudentStatus.ACTIVE, 2000)
    db.session.commit()
    login(client, analyst)
    html = client.get("/overview?by=cohort").get_data(as_text=True)
    chart = html.split('data-testid="chart-completion"')[1].split("</figure>")[0]
    assert "2023-H1" in chart and "50,0 %" in chart
    assert "chart-completion" not in client.get("/overview?by=school").get_data(as_text=True)
