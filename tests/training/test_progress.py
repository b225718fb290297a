"""Progress per training goal across the student's training periods (issue 5)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import AuditAction, AuditEvent, GoalAssessment, GoalLevel, PeriodKind, Role
from tests import factories
from tests.admin.support import sign_in


def _period(world, start_in_days: int, wp=None):
    start = date.today() + timedelta(days=start_in_days)
    return factories.period(
        world.a.student,
        PeriodKind.TRAINING,
        start,
        start + timedelta(days=90),
        wp or world.a.workplace,
    )


def _assess(period, goal, level: GoalLevel, by) -> GoalAssessment:
    a = GoalAssessment(
        period_id=period.id,
        goal_id=goal.id,
        level=level,
        assessed_on=period.start_date,
        assessed_by_id=by.id,
    )
    db.session.add(a)
    return a


def _cell(html: str, goal_number: int, period_id: int) -> str:
    marker = f'data-testid="cell-{goal_number}-{period_id}"'
    assert marker in html, f"no cell for goal {goal_number}, period {period_id}"
    return html.split(marker)[1].split("</td>")[0]


def _url(world) -> str:
    return f"/students/{world.a.student.id}/goals"


def test_levels_required_levels_and_marks_below_the_requirement(client, world):
    """SSA requires beginner after period 1, routined after 2, advanced after 3."""
    goals = factories.goals(world.a.student)
    supervisor = world.user(Role.SUPERVISOR)
    first = world.a.training_period
    second = _period(world, 200)
    _assess(first, goals[0], GoalLevel.BEGINNER, supervisor)
    _assess(second, goals[0], GoalLevel.BEGINNER, supervisor)  # below routined
    _assess(second, goals[1], GoalLevel.ADVANCED, supervisor)
    db.session.commit()

    sign_in(client, world.user(Role.TEACHER))
    page = client.get(_url(world))
    assert page.status_code == 200
    html = page.text
    assert html.count('data-testid="goal-') == 20

    cell = _cell(html, 1, first.id)
    assert "Beginner" in cell and "Required: Beginner" in cell and 'data-testid="below"' not in cell
    cell = _cell(html, 1, second.id)
    assert "Required: Routined" in cell and 'data-testid="below"' in cell
    cell = _cell(html, 2, second.id)
    assert "Advanced" in cell and 'data-testid="below"' not in cell
    cell = _cell(html, 3, second.id)
    assert "Not assessed" in cell and 'data-testid="below"' not in cell
    assert html.count('data-testid="below"') == 1
    assert "1 assessment is below the required level." in html

    # Period headers link to the period page.
    for period in (first, second):
        assert f"/students/{world.a.student.id}/periods/{period.id}/training" in html


def test_every_view_is_logged(client, world):
    sign_in(client, world.user(Role.TEACHER))
    assert client.get(_url(world)).status_code == 200
    events = (
        db.session.execute(
            select(AuditEvent).where(
                AuditEvent.action == AuditAction.VIEW, AuditEvent.student_id == world.a.student.id
            )
        )
        .scalars()
        .all()
    )
    assert [e.user_id for e in events] == [world.user(Role.TEACHER).id]


def test_a_supervisor_elsewhere_gets_404(client, world):
    sign_in(client, world.user(Role.SUPERVISOR, "b"))
    assert client.get(_url(world)).status_code == 404
    assert world.a.student.last_name not in client.get(_url(world)).text


def test_a_supervisor_sees_only_the_periods_at_their_own_workplace(app, client, world):
    elsewhere = factories.workplace(world.a.municipality, "Hjemmeplejen Syd")
    other = _period(world, 200, elsewhere)
    _assess(
        other, factories.goals(world.a.student)[0], GoalLevel.ROUTINED, world.a.users[Role.TEACHER]
    )
    db.session.commit()

    sign_in(client, world.user(Role.SUPERVISOR))
    html = client.get(_url(world)).text
    assert f'data-testid="period-{world.a.training_period.id}"' in html
    assert f'data-testid="period-{other.id}"' not in html
    assert "Hjemmeplejen Syd" not in html
    assert "Routined</strong>" not in html

    teacher = app.test_client()
    sign_in(teacher, world.user(Role.TEACHER))
    html = teacher.get(_url(world)).text
    assert f'data-testid="period-{other.id}"' in html
    assert "Hjemmeplejen Syd" in html


def test_roles_outside_the_case_are_refused(client, world):
    for role in (Role.ANALYST, Role.SYSTEM_ADMIN):
        sign_in(client, world.user(role))
        assert client.get(_url(world)).status_code in (403, 404)
    anonymous = client.application.test_client()
    response = anonymous.get(_url(world))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_the_number_of_queries_does_not_grow_with_periods_and_assessments(
    client, world, count_queries
):
    goals = factories.goals(world.a.student)
    supervisor = world.user(Role.SUPERVISOR)
    for goal in goals:
        _assess(world.a.training_period, goal, GoalLevel.BEGINNER, supervisor)
    db.session.commit()
    sign_in(client, world.user(Role.TEACHER))
    url = _url(world)
    client.get(url)  # warm up: the login session, translations

    with count_queries() as one:
        assert client.get(url).status_code == 200

    for start, wp in ((200, world.a.workplace), (400, factories.workplace(world.a.municipality))):
        period = _period(world, start, wp)
        for goal in goals:
            _assess(period, goal, GoalLevel.ROUTINED, supervisor)
    db.session.commit()

    with count_queries() as three:
        page = client.get(url)
    assert page.status_code == 200
    assert page.text.count('data-testid="cell-') == 60
    assert three.count == one.count, three.statements
