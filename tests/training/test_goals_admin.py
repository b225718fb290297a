"""The system admin edits a programme's training goals and their required levels (issue 5)."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape
from sqlalchemy import select

from app.extensions import db
from app.models import (
    AuditAction,
    AuditEvent,
    GoalLevel,
    PeriodKind,
    Role,
    TemplatePeriod,
    TrainingGoal,
)
from tests import factories
from tests.admin.support import error_next_to, read_form, sign_in
from tests.conftest import post


def _goal(world, number: int) -> TrainingGoal:
    return next(g for g in factories.goals(world.a.student) if g.number == number)


def _levels(goal: TrainingGoal) -> dict[int, GoalLevel]:
    db.session.expire_all()
    return {r.training_number: r.level for r in db.session.get(TrainingGoal, goal.id).requirements}


def _valid(goal: TrainingGoal, **changes) -> dict[str, str]:
    data = {
        "number": str(goal.number),
        "text": goal.text,
        "active": "y",
        "level_1": "beginner",
        "level_2": "routined",
        "level_3": "advanced",
    }
    data.update(changes)
    return data


def _error_next_to(html: str, field: str) -> str | None:
    """As tests.admin.support.error_next_to, which does not read a textarea's aria-invalid."""
    if field != "text":
        return error_next_to(html, field)
    assert re.search(r'<textarea[^>]*aria-invalid="true"[^>]*name="text"', html) or re.search(
        r'<textarea[^>]*name="text"[^>]*aria-invalid="true"', html
    ), "the text field shows an error but is not marked aria-invalid"
    error = read_form(html).errors.get(field)
    return " ".join(error.split()) if error is not None else None


def _audit(action: AuditAction) -> list[AuditEvent]:
    return list(
        db.session.execute(
            select(AuditEvent).where(
                AuditEvent.action == action, AuditEvent.object_type == "training_goal"
            )
        ).scalars()
    )


def test_the_programme_page_links_to_its_goals_which_list_number_text_and_levels(client, world):
    sign_in(client, world.system_admin)
    programme_id = world.a.student.programme_id
    page = client.get(f"/admin/programmes/{programme_id}")
    assert f"/admin/programmes/{programme_id}/goals" in page.text

    page = client.get(f"/admin/programmes/{programme_id}/goals")
    assert page.status_code == 200
    assert page.text.count('data-testid="goal-') == 20
    goal = _goal(world, 7)
    assert str(escape(goal.text)) in page.text
    assert "After training period 3" in page.text
    assert "Advanced" in page.text


def test_admin_edits_text_and_level_and_the_progress_view_shows_the_new_level(app, client, world):
    goal = _goal(world, 1)
    assert goal.required_after(1) == GoalLevel.BEGINNER
    sign_in(client, world.system_admin)

    form = client.get(f"/admin/goals/{goal.id}/edit")
    assert form.status_code == 200
    values = read_form(form.text).values
    assert values["number"] == "1"
    assert (values["level_1"], values["level_2"], values["level_3"]) == (
        "beginner",
        "routined",
        "advanced",
    )

    response = post(
        client,
        f"/admin/goals/{goal.id}/edit",
        _valid(goal, text="Eleven kan planlægge sygepleje – ny ordlyd.", level_1="routined"),
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/programmes/{goal.programme_id}/goals")
    assert _levels(goal) == {
        1: GoalLevel.ROUTINED,
        2: GoalLevel.ROUTINED,
        3: GoalLevel.ADVANCED,
    }
    assert (
        db.session.get(TrainingGoal, goal.id).text == "Eleven kan planlægge sygepleje – ny ordlyd."
    )
    [event] = _audit(AuditAction.UPDATE)
    assert event.object_id == goal.id
    assert event.user_id == world.system_admin.id

    teacher = app.test_client()
    sign_in(teacher, world.user(Role.TEACHER))
    page = teacher.get(f"/students/{world.a.student.id}/goals")
    assert page.status_code == 200
    marker = f'data-testid="cell-1-{world.a.training_period.id}"'
    cell = page.text.split(marker)[1].split("</td>")[0]
    assert "Required: Routined" in cell
    assert "ny ordlyd" in page.text


def test_an_empty_level_removes_the_requirement_and_inactive_goals_leave_the_progress_view(
    app, client, world
):
    goal = _goal(world, 2)
    sign_in(client, world.system_admin)
    response = post(client, f"/admin/goals/{goal.id}/edit", _valid(goal, level_2="", active=""))
    assert response.status_code == 302
    assert _levels(goal) == {1: GoalLevel.BEGINNER, 3: GoalLevel.ADVANCED}
    assert db.session.get(TrainingGoal, goal.id).active is False

    teacher = app.test_client()
    sign_in(teacher, world.user(Role.TEACHER))
    page = teacher.get(f"/students/{world.a.student.id}/goals")
    assert 'data-testid="goal-2"' not in page.text
    assert 'data-testid="goal-3"' in page.text


def test_admin_adds_a_goal(client, world):
    programme_id = world.a.student.programme_id
    sign_in(client, world.system_admin)
    form = client.get(f"/admin/programmes/{programme_id}/goals/new")
    assert form.status_code == 200
    assert read_form(form.text).values["number"] == "21"

    response = post(
        client,
        f"/admin/programmes/{programme_id}/goals/new",
        {"number": "21", "text": "Eleven kan noget nyt.", "active": "y", "level_3": "advanced"},
    )
    assert response.status_code == 302
    goal = db.session.execute(
        select(TrainingGoal).where(
            TrainingGoal.programme_id == programme_id, TrainingGoal.number == 21
        )
    ).scalar_one()
    assert goal.text == "Eleven kan noget nyt."
    assert goal.active is True
    assert _levels(goal) == {3: GoalLevel.ADVANCED}
    [event] = _audit(AuditAction.CREATE)
    assert event.object_id == goal.id


def test_one_level_per_training_number_of_the_programme_template(client, world):
    """SSH 1A and 1B share training number 1: two training periods, so two selects."""
    programme = factories.programme("SSH")
    for position, (kind, number) in enumerate(
        [
            (PeriodKind.SCHOOL, None),
            (PeriodKind.TRAINING, 1),
            (PeriodKind.SCHOOL, None),
            (PeriodKind.TRAINING, 1),
            (PeriodKind.TRAINING, 2),
        ],
        start=1,
    ):
        db.session.add(
            TemplatePeriod(
                programme_id=programme.id,
                position=position,
                kind=kind,
                title=f"Periode {position}",
                weeks=10,
                training_number=number,
            )
        )
    db.session.commit()
    sign_in(client, world.system_admin)
    page = client.get(f"/admin/programmes/{programme.id}/goals/new")
    values = read_form(page.text).values
    assert "level_1" in values and "level_2" in values and "level_3" not in values

    # A programme without training periods in its template still gets one select.
    test_programme = world.template_periods[0].programme_id
    values = read_form(client.get(f"/admin/programmes/{test_programme}/goals/new").text).values
    assert "level_1" in values and "level_2" not in values


@pytest.mark.parametrize(
    "role", [r for r in Role if r is not Role.SYSTEM_ADMIN], ids=lambda r: r.value
)
def test_only_the_system_admin_reaches_the_goal_pages(client, world, role):
    goal = _goal(world, 1)
    programme_id = goal.programme_id
    sign_in(client, world.user(role))
    assert client.get(f"/admin/programmes/{programme_id}/goals").status_code == 403
    assert client.get(f"/admin/programmes/{programme_id}/goals/new").status_code == 403
    assert client.get(f"/admin/goals/{goal.id}/edit").status_code == 403
    response = post(client, f"/admin/goals/{goal.id}/edit", _valid(goal, text="Hacket"))
    assert response.status_code == 403
    response = post(
        client,
        f"/admin/programmes/{programme_id}/goals/new",
        {"number": "50", "text": "Hacket", "level_1": "beginner"},
    )
    assert response.status_code == 403
    assert db.session.get(TrainingGoal, goal.id).text != "Hacket"
    assert not db.session.execute(select(TrainingGoal).where(TrainingGoal.number == 50)).first()


def test_missing_goals_and_programmes_answer_404(client, world):
    sign_in(client, world.system_admin)
    assert client.get("/admin/goals/999999/edit").status_code == 404
    assert client.get("/admin/programmes/999999/goals").status_code == 404
    assert client.get("/admin/programmes/999999/goals/new").status_code == 404


BAD = {
    "number taken": ("number", "2", "Another goal of this programme already has this number."),
    "number zero": ("number", "0", "The number must be between 1 and 99."),
    "number too big": ("number", "100", "The number must be between 1 and 99."),
    "number negative": ("number", "-1", "The number must be between 1 and 99."),
    "number not a number": ("number", "fem", "Not a valid integer value."),
    "number empty": ("number", "", "Please enter the goal's number."),
    "text empty": ("text", "   ", "Please fill in this field."),
    "text too long": ("text", "x" * 2001, "Must be at most 2000 characters."),
    "text with markup": ("text", "<b>fed</b>", "Must not contain the characters"),
    "level not a choice": ("level_2", "expert", "Not a valid choice."),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
@pytest.mark.parametrize("new", [False, True], ids=["edit", "new"])
def test_bad_input_is_refused_with_a_message_and_nothing_is_stored(client, world, case, new):
    field, value, message = BAD[case]
    goal = _goal(world, 1)
    before = [
        (g.id, g.number, g.text, g.active, sorted(_levels(g).items()))
        for g in factories.goals(world.a.student)
    ]
    sign_in(client, world.system_admin)
    if new:
        url = f"/admin/programmes/{goal.programme_id}/goals/new"
        data = {
            "number": "21",
            "text": "Eleven kan noget nyt.",
            "active": "y",
            "level_1": "beginner",
        }
    else:
        url = f"/admin/goals/{goal.id}/edit"
        data = _valid(goal, text="Ny ordlyd, der ikke gemmes.")
    data[field] = value

    response = post(client, url, data)

    assert response.status_code == 200
    error = _error_next_to(response.text, field)
    assert error is not None and message in error
    typed = read_form(response.text).values
    if field == "number":
        assert typed["number"] == value
    elif field == "text":
        assert str(escape(value.strip())) in response.text
        assert typed["number"] == data["number"]
    else:
        assert typed["level_1"] == data["level_1"]
        assert "Eleven kan noget nyt." in response.text or "Ny ordlyd" in response.text
    after = [
        (g.id, g.number, g.text, g.active, sorted(_levels(g).items()))
        for g in factories.goals(world.a.student)
    ]
    assert after == before
    assert _audit(AuditAction.CREATE) == [] and _audit(AuditAction.UPDATE) == []
