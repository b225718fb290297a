"""Issuing the declaration on training (issue 12): not too long before the period ends, only
after an explicit confirmation, and with a warning about open warnings and about levels that
differ from the assessment of the goals."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask_babel import format_date
from sqlalchemy import select

from app.models import Declaration, GoalAssessment, GoalLevel, Role
from tests import factories
from tests.conftest import login, post

TODAY = date.today()


def _url(side, suffix: str = "") -> str:
    return f"/students/{side.student.id}/periods/{side.training_period.id}/declaration{suffix}"


def _form(goals, **overrides) -> dict:
    data = {"version": "0", "needs_next_periods": "Øv dokumentation."}
    for i, goal in enumerate(goals):
        data[f"lines-{i}-goal_id"] = str(goal.id)
        data[f"lines-{i}-level"] = GoalLevel.ROUTINED.value
        data[f"lines-{i}-approved"] = "approved"
    data.update(overrides)
    return data


def _declaration(db, side):
    return db.session.execute(
        select(Declaration).where(Declaration.period_id == side.training_period.id)
    ).scalar_one_or_none()


@pytest.fixture
def goals(world):
    return factories.goals(world.a.student)


@pytest.fixture
def ending_soon(db, world):
    """World A's training period ends in a week; its warning has been followed up."""
    world.a.training_period.end_date = TODAY + timedelta(days=7)
    world.a.warning.followed_up_at = world.a.warning.issued_at
    db.session.commit()


def test_issuing_months_before_the_period_ends_is_refused(app, client, db, world, goals):
    login(client, world.user(Role.SUPERVISOR))
    response = post(client, _url(world.a, "/issue"), _form(goals, confirm_issue="y"))
    assert response.status_code == 200
    earliest = world.a.training_period.end_date - timedelta(days=14)
    with app.test_request_context():
        shown = format_date(earliest)
    errors = response.text.split('data-testid="declaration-errors"')[1][:800]
    assert "tidligst udstedes" in errors and shown in errors
    declaration = _declaration(db, world.a)
    assert declaration is None or not declaration.issued


def test_the_earliest_day_is_a_setting(app, client, db, world, goals, monkeypatch):
    monkeypatch.setitem(app.config, "DECLARATION_DAYS_BEFORE_END", 200)
    world.a.warning.followed_up_at = world.a.warning.issued_at
    db.session.commit()
    login(client, world.user(Role.SUPERVISOR))
    response = post(client, _url(world.a, "/issue"), _form(goals, confirm_issue="y"))
    assert response.status_code == 302
    assert _declaration(db, world.a).issued


def test_issuing_asks_for_confirmation_first(client, db, world, goals, ending_soon):
    login(client, world.user(Role.SUPERVISOR))
    response = post(client, _url(world.a, "/issue"), _form(goals))
    assert response.status_code == 200
    step = response.text.split('data-testid="declaration-confirm"')[1]
    assert 'name="confirm_issue"' in step
    assert "låses" in step
    declaration = _declaration(db, world.a)
    assert declaration is None or not declaration.issued
    # With the box ticked it is issued.
    response = post(client, _url(world.a, "/issue"), _form(goals, confirm_issue="y"))
    assert response.status_code == 302
    assert _declaration(db, world.a).issued


def test_open_warnings_and_differing_levels_are_listed_before_issuing(
    client, db, world, goals, ending_soon
):
    world.a.warning.followed_up_at = None  # still open
    world.a.warning.goals = [goals[3]]
    db.session.add(
        GoalAssessment(
            period_id=world.a.training_period.id,
            goal_id=goals[0].id,
            level=GoalLevel.BEGINNER,
            assessed_on=TODAY,
        )
    )
    db.session.commit()
    login(client, world.user(Role.SUPERVISOR))
    response = post(client, _url(world.a, "/issue"), _form(goals))
    assert response.status_code == 200
    step = response.text.split('data-testid="declaration-confirm"')[1]
    warnings = step.split('data-testid="open-warnings"')[1].split("</ul>")[0]
    assert "Når ikke mål 4, side A" in warnings
    assert f"{goals[3].number}" in warnings
    differences = step.split('data-testid="level-differences"')[1].split("</ul>")[0]
    assert f'data-goal="{goals[0].number}"' in differences
    assert "Begynder" in differences and "Rutineret" in differences
    assert f'data-goal="{goals[1].number}"' not in differences  # not assessed: nothing to compare
    assert not (_declaration(db, world.a) or Declaration(issued_at=None)).issued

    # Confirmed, it is issued in spite of them: the supervisor decides.
    response = post(client, _url(world.a, "/issue"), _form(goals, confirm_issue="y"))
    assert response.status_code == 302
    assert _declaration(db, world.a).issued
