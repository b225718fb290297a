"""Each indicator's value on constructed data (tests/indicators/data.py), against figures
worked out by hand. The true counts (`Figure.value`), whether shown or hidden: suppression
is tested in test_suppression.py."""

from __future__ import annotations

from datetime import date

import pytest

from app.access.figures import FigureScope
from app.main.indicators import NO_EMPLOYER, Breakdown, Figures, cohort_of
from app.models import Role
from tests import factories
from tests.conftest import login
from tests.indicators.data import TODAY, build, completion_school

EVERYWHERE = FigureScope(None)


def table(name: str, by: Breakdown = Breakdown.SCHOOL, scope: FigureScope = EVERYWHERE):
    """One table of the dashboard on TODAY."""
    return Figures(scope, by, TODAY).table(name)


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
    t = table("intake", Breakdown.COHORT)
    assert totals(t) == {"2023-H1": 10, "2024-H2": 6, "2026-H1": 3}
    assert values(t) == {
        ("2023-H1", t.columns[0]): 10,
        ("2024-H2", t.columns[0]): 6,
        ("2026-H1", t.columns[0]): 3,
    }
    assert t.figures.grand_total.value == 19


def test_intake_by_age_band_at_the_start(data):
    t = table("intake", Breakdown.AGE)
    # 2023 - 2005 = 18, 2023 - 2001 = 22, 2024 - 1990 = 34; the 2026 students have no year.
    assert values(t) == {
        ("2023-H1", "under_20"): 5,
        ("2023-H1", "20_24"): 3,
        ("2023-H1", "unknown"): 2,
        ("2024-H2", "30_plus"): 6,
        ("2026-H1", "unknown"): 3,
    }


def test_intake_by_employer_municipality(data):
    t = table("intake", Breakdown.MUNICIPALITY)
    assert values(t) == {
        ("2023-H1", NO_EMPLOYER): 10,
        ("2024-H2", data.m1.id): 3,
        ("2024-H2", data.m2.id): 3,
        # The agreement that ended before the enrolment started does not count.
        ("2026-H1", NO_EMPLOYER): 3,
    }


def test_completion_counts_only_cohorts_old_enough(data):
    t = table("completion", Breakdown.COHORT)
    assert values(t) == {
        ("2023-H1", "completed"): 6,
        ("2023-H1", "dropped_out"): 2,
        ("2023-H1", "transferred"): 1,
        ("2023-H1", "enrolled"): 1,
    }
    (row,) = t.rows
    completion, dropout = t.rates
    # 6 of 10 and 2 of 10; the rates may be hidden, but the counts behind them are these.
    assert t.figures.row_totals[row].value == 10
    shown = t.rate(row, completion)
    assert shown is None or shown == pytest.approx(60.0)
    assert t.rate(row, dropout) in (None, pytest.approx(20.0))


def test_dropout_by_period_and_at_transition(data):
    t = table("dropout")
    assert values(t) == {
        ("Indikator-skole A", "school"): 1,
        ("Indikator-skole A", "transition"): 1,
        ("Indikator-skole B", "training_2"): 1,
    }
    # The transferred student is not a dropout: three in all, not four.
    assert t.figures.grand_total.value == 3


def test_dropout_reasons(data):
    t = table("reasons")
    assert values(t) == {
        ("Indikator-skole A", "academic"): 1,
        ("Indikator-skole A", "health"): 1,
        ("Indikator-skole B", "workplace"): 1,
    }


def test_handover_timeliness(data):
    t = table("handover")
    # The draft counts as missing; school A's transition of 2025-06-01 is before the window.
    assert values(t) == {
        ("Indikator-skole B", "acknowledged"): 1,
        ("Indikator-skole B", "sent"): 1,
        ("Indikator-skole B", "late"): 1,
        ("Indikator-skole B", "missing"): 2,
    }


def test_an_empty_scope_counts_nothing(data):
    tables = Figures(FigureScope(frozenset()), Breakdown.SCHOOL, TODAY).tables()
    assert all(t.figures.grand_total.value == 0 for t in tables.values())


def test_support_measures_in_use_in_the_last_twelve_months(data):
    t = table("support")
    # An enrolment counts once per kind: school A's two mentor measures are one enrolment.
    assert values(t) == {
        ("Indikator-skole A", "sps_study_support"): 1,
        ("Indikator-skole A", "mentor"): 1,
        ("Indikator-skole B", "sps_study_support"): 2,
        ("Indikator-skole B", "it_package"): 1,
        ("Indikator-skole B", "mentor"): 1,
    }
    # SPS hours used of the SPS measures counted: 10 + 20 at B (the IT package has none
    # recorded); 5.5 at A. The ended, planned and cancelled ones outside the rule do not count.
    hours = {str(t.row_labels[r]): f.value for r, f in t.sums.rows.items()}
    assert hours == {"Indikator-skole A": 5.5, "Indikator-skole B": 30}
    assert t.sums.total.value == 35.5
    # Behind each figure fewer than five enrolments: every hour figure is hidden.
    assert all(f.hidden for f in t.sums.rows.values()) and t.sums.total.hidden


def test_support_by_cohort(data):
    t = table("support", Breakdown.COHORT)
    assert totals(t) == {"2023-H1": 1, "2024-H2": 4, "2026-H1": 1}


def test_warnings_by_what_came_of_them(data):
    t = table("warnings")
    # The leaver's warning of 2025-05-01 is before the twelve months; the one of 2025-11-01
    # counts as a dropout, whatever else happened.
    assert values(t) == {
        ("Indikator-skole B", "approved"): 1,
        ("Indikator-skole B", "followed_up"): 1,
        ("Indikator-skole B", "overdue"): 1,
        ("Indikator-skole B", "open"): 1,
        ("Indikator-skole B", "not_approved"): 1,
        ("Indikator-skole B", "dropped_out"): 1,
    }
    by_municipality = table("warnings", Breakdown.MUNICIPALITY)
    assert totals(by_municipality) == {"Indikator-kommune 1": 3, "Indikator-kommune 2": 3}


def test_an_empty_scope_counts_nothing_in_the_new_tables(data):
    scope = FigureScope(frozenset({data.school_a.id}))
    assert table("warnings", scope=scope).figures.grand_total.value == 0
    assert table("support", scope=scope).figures.grand_total.value == 2


def test_hours_are_shown_where_five_enrolments_are_behind_them():
    from decimal import Decimal

    from app.main.indicators import hour_sums

    used = {"a": (Decimal(50), 6), "b": (Decimal(40), 5), "c": (Decimal(3), 1), "d": (0, 0)}
    sums = hour_sums("SPS", list(used), used)
    shown = {r: f.shown for r, f in sums.rows.items()}
    # c alone would be the total minus the rest: b (fewest behind it) is hidden with it.
    assert shown == {"a": 50, "b": None, "c": None, "d": 0}
    assert sums.total.shown == 93


def test_rates_are_shown_when_their_figures_are(app, db):
    completion_school("Rate-skole")
    with app.test_request_context():
        t = table("completion")
    (row,) = t.rows
    completion, dropout = t.rates
    # 10 of 20 completed, 5 of 20 dropped out; the transferred column is 0.
    assert t.rate(row, completion) == pytest.approx(50.0)
    assert t.rate(row, dropout) == pytest.approx(25.0)
    assert t.rate(None, completion) == pytest.approx(50.0)


def test_the_completion_chart_by_cohort_draws_the_visible_rates(client, db):
    # Without the shared world: its students form a small cohort of this term.
    school = completion_school("Diagram-skole")
    analyst = factories.user(Role.ANALYST, school, email="diagram.analytiker@example.org")
    factories.partnership("Diagram-partnerskab", school)
    db.session.commit()
    login(client, analyst)
    html = client.get("/overview?by=cohort").get_data(as_text=True)
    chart = html.split('data-testid="chart-completion"')[1].split("</figure>")[0]
    assert "2023-H1" in chart and "50,0 %" in chart
    assert "chart-completion" not in client.get("/overview?by=school").get_data(as_text=True)
