"""The partnership's figures: per cohort, dropout among students flagged with signs of risk and
among those not flagged, with the app's small-number suppression."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.access.figures import FigureScope
from app.extensions import db
from app.main.indicators import Breakdown, Figures, cohort_of
from app.models import RiskFlag, StudentStatus
from tests import factories
from tests.indicators.data import enrolled

EVERYWHERE = FigureScope(None)
TODAY = date.today()
START = date(TODAY.year - 1, 9, 1)  # one cohort, H2 of last year
COHORT = cohort_of(START)


def _flag(student, on: date) -> None:
    db.session.add(RiskFlag(student_id=student.id, first_flagged_on=on, last_seen_on=on, rules=[]))


def _cohort(school, flagged_dropped, flagged_stayed, other_dropped, other_stayed) -> None:
    for n, flagged, status in (
        (flagged_dropped, True, StudentStatus.DROPPED_OUT),
        (flagged_stayed, True, StudentStatus.ACTIVE),
        (other_dropped, False, StudentStatus.DROPPED_OUT),
        (other_stayed, False, StudentStatus.ACTIVE),
    ):
        for _ in range(n):
            s = enrolled(school, START, status)
            if status == StudentStatus.DROPPED_OUT:
                s.enrolments[-1].end_date = START + timedelta(days=200)
            if flagged:
                _flag(s, START + timedelta(days=60))
    db.session.flush()


@pytest.fixture
def school(app, db):
    with app.test_request_context():
        yield factories.organisation(name="Figurskolen")


def _tables():
    figures = Figures(EVERYWHERE, Breakdown.COHORT, TODAY)
    return figures.table("risk_population"), figures.table("risk_dropouts")


def test_dropout_rates_of_flagged_and_not_flagged_students_per_cohort(school):
    _cohort(school, flagged_dropped=6, flagged_stayed=4, other_dropped=5, other_stayed=15)
    population, dropouts = _tables()
    cells = population.figures.cells
    assert (cells[(COHORT, "flagged")].value, cells[(COHORT, "not_flagged")].value) == (10, 20)
    assert dropouts.figures.cells[(COHORT, "flagged")].value == 6
    flagged_rate, other_rate = dropouts.rates
    assert dropouts.rate(COHORT, flagged_rate) == pytest.approx(60.0)
    assert dropouts.rate(COHORT, other_rate) == pytest.approx(25.0)
    assert dropouts.rate(None, flagged_rate) == pytest.approx(60.0)


def test_a_flag_after_the_student_left_does_not_count(school):
    s = enrolled(school, START, StudentStatus.DROPPED_OUT)
    s.enrolments[-1].end_date = START + timedelta(days=30)
    _flag(s, START + timedelta(days=40))
    _cohort(school, 0, 0, 5, 5)
    _, dropouts = _tables()
    assert dropouts.figures.cells[(COHORT, "not_flagged")].value == 6


def test_small_numbers_are_hidden_and_so_is_the_rate(school):
    _cohort(school, flagged_dropped=2, flagged_stayed=8, other_dropped=6, other_stayed=14)
    _, dropouts = _tables()
    assert dropouts.figures.cells[(COHORT, "flagged")].hidden
    assert dropouts.rate(COHORT, dropouts.rates[0]) is None
    # The cohort's dropouts (8) minus the not flagged (6) would give the hidden 2 away: so
    # the not flagged count is hidden too, or the dropouts total is.
    row = dropouts.figures
    assert row.cells[(COHORT, "not_flagged")].hidden or row.row_totals[COHORT].hidden


def test_the_dashboard_shows_both_tables(client, school):
    from app.models import Role
    from tests.conftest import login

    _cohort(school, 6, 4, 5, 15)
    municipality = factories.organisation(factories.OrganisationKind.MUNICIPALITY, "Figurby")
    partnership = factories.partnership("Figurpartnerskab", municipality, school)
    analyst = factories.user(Role.ANALYST, municipality, email="analytiker.risiko@example.org")
    db.session.commit()
    login(client, analyst)
    html = client.get(f"/overview?by=cohort&partnership={partnership.id}").text
    assert "Frafald blandt markerede og ikke markerede elever" in html
    assert "60,0 %" in html and "25,0 %" in html
