"""The declaration on training (oplæringserklæring) at the end of a training period.

An SSA student's period-1 declaration needs a level and a decision for all 20 goals before it
can be issued; issued, it is locked; the PDF shows every goal, level, decision and the signature
lines; a declaration that is not approved adds a new training period to plan.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from pypdf import PdfReader
from sqlalchemy import func, select

from app import labels
from app.models import (
    AuditAction,
    AuditEvent,
    CaseEvent,
    CaseEventKind,
    Declaration,
    DeclarationLine,
    GoalLevel,
    Period,
    PeriodKind,
    PeriodStatus,
    Role,
)
from app.training.goals import ensure_training_goals
from tests import factories
from tests.conftest import login, post

LEVELS = [GoalLevel.BEGINNER, GoalLevel.ROUTINED, GoalLevel.ADVANCED]


def _url(side, suffix: str = "") -> str:
    return f"/students/{side.student.id}/periods/{side.training_period.id}/declaration{suffix}"


def _form(goals, filled: int | None = None, *, version: int = 0, needs: str = "", **overrides):
    """The posted declaration: the first `filled` goals (default all) with a level and a
    decision; goal n gets level n mod 3 and is approved. `overrides` maps a row's field name
    (e.g. ``lines-3-approved``) to a value."""
    filled = len(goals) if filled is None else filled
    data = {"version": str(version), "needs_next_periods": needs, "confirm_issue": "y"}
    for i, goal in enumerate(goals):
        data[f"lines-{i}-goal_id"] = str(goal.id)
        data[f"lines-{i}-level"] = LEVELS[goal.number % 3].value if i < filled else ""
        data[f"lines-{i}-approved"] = "approved" if i < filled else ""
    data.update(overrides)
    return data


def _declaration(db, side) -> Declaration | None:
    return db.session.execute(
        select(Declaration).where(Declaration.period_id == side.training_period.id)
    ).scalar_one_or_none()


def _count(db, model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _events(db, kind: CaseEventKind) -> list[CaseEvent]:
    return list(db.session.execute(select(CaseEvent).where(CaseEvent.kind == kind)).scalars())


def _issue(client, world, goals, **overrides):
    login(client, world.user(Role.SUPERVISOR))
    response = post(client, _url(world.a, "/issue"), _form(goals, **overrides))
    assert response.status_code == 302
    return response


def pdf_text(response) -> str:
    """The PDF's text without whitespace, so words broken across lines still match."""
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    return re.sub(r"\s+", "", text)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", str(text))


def _danish(app, text) -> str:
    """A (lazy) message as the Danish catalogue has it."""
    with app.test_request_context(), force_locale("da"):
        return str(text)


@pytest.fixture
def goals(db, world):
    # The period ends in a week, so the declaration may be issued (DECLARATION_DAYS_BEFORE_END).
    world.a.training_period.end_date = date.today() + timedelta(days=7)
    db.session.commit()
    found = factories.goals(world.a.student)
    assert len(found) == 20  # SSA
    return found


# --- the form ---------------------------------------------------------------------------------


def test_supervisor_sees_every_goal_with_the_required_level(app, client, world, goals):
    login(client, world.user(Role.SUPERVISOR))
    response = client.get(_url(world.a))
    assert response.status_code == 200
    html = response.text
    for goal in goals:
        assert f'data-testid="row-{goal.number}"' in html
        assert f'value="{goal.id}"' in html
    # Period 1 of SSA requires "begynder" of every goal.
    assert html.count(f">{_danish(app, labels.GOAL_LEVEL[GoalLevel.BEGINNER])}</td>") == 20
    assert 'data-testid="issue"' in html


def test_a_draft_may_leave_goals_open(client, db, world, goals):
    login(client, world.user(Role.SUPERVISOR))
    response = post(client, _url(world.a), _form(goals, 5, needs="Mere ro i vagtskiftet."))
    assert response.status_code == 302
    declaration = _declaration(db, world.a)
    assert declaration is not None and not declaration.issued
    assert declaration.needs_next_periods == "Mere ro i vagtskiftet."
    assert len(declaration.lines) == 20
    assert sum(1 for line in declaration.lines if line.level is not None) == 5
    [event] = _events(db, CaseEventKind.DECLARATION_SAVED)
    assert event.details == {"period": world.a.training_period.title or "Oplæringsperiode"}

    # The form opens again with what was saved, and a second save moves the version on.
    page = client.get(_url(world.a)).text
    assert 'data-testid="declaration-draft"' in page
    assert f'name="version" type="hidden" value="{declaration.version_id}"' in page
    response = post(client, _url(world.a), _form(goals, 6, version=declaration.version_id))
    assert response.status_code == 302
    assert sum(1 for line in _declaration(db, world.a).lines if line.level is not None) == 6


def test_a_save_from_an_older_version_is_refused(client, db, world, goals):
    login(client, world.user(Role.SUPERVISOR))
    assert post(client, _url(world.a), _form(goals, 5)).status_code == 302
    # A second person opened the empty form (version 0) before the first save.
    response = post(client, _url(world.a), _form(goals, 20))
    assert response.status_code == 302
    declaration = _declaration(db, world.a)
    assert sum(1 for line in declaration.lines if line.level is not None) == 5
    assert len(_events(db, CaseEventKind.DECLARATION_SAVED)) == 1


# --- issuing ----------------------------------------------------------------------------------


def test_issuing_with_one_goal_missing_is_refused(client, db, world, goals):
    login(client, world.user(Role.SUPERVISOR))
    response = post(client, _url(world.a, "/issue"), _form(goals, 19))
    assert response.status_code == 200
    assert 'data-testid="declaration-errors"' in response.text
    assert 'data-testid="error-lines-19-level"' in response.text
    assert 'data-testid="error-lines-19-approved"' in response.text
    assert 'data-testid="error-lines-18-level"' not in response.text
    # What was typed is kept; nothing is stored.
    assert response.text.count('selected value="approved"') == 19
    assert _declaration(db, world.a) is None
    assert _events(db, CaseEventKind.DECLARATION_ISSUED) == []


def test_a_level_without_a_decision_is_not_enough(client, db, world, goals):
    login(client, world.user(Role.SUPERVISOR))
    assert post(client, _url(world.a), _form(goals, 20)).status_code == 302
    version = _declaration(db, world.a).version_id
    data = _form(goals, version=version, **{"lines-7-approved": ""})
    response = post(client, _url(world.a, "/issue"), data)
    assert response.status_code == 200
    assert 'data-testid="error-lines-7-approved"' in response.text
    assert 'data-testid="error-lines-7-level"' not in response.text
    declaration = _declaration(db, world.a)
    assert not declaration.issued and declaration.approved is None
    assert declaration.version_id == version
    assert all(line.approved for line in declaration.lines)  # the draft is untouched


def test_a_goal_left_out_of_the_form_counts_as_missing(client, db, world, goals):
    login(client, world.user(Role.SUPERVISOR))
    data = _form(goals)
    for key in ("goal_id", "level", "approved"):
        del data[f"lines-19-{key}"]
    response = post(client, _url(world.a, "/issue"), data)
    assert response.status_code == 200
    assert 'data-testid="declaration-errors"' in response.text
    assert _declaration(db, world.a) is None


def test_issuing_locks_the_declaration(client, db, world, goals):
    _issue(client, world, goals, needs="Øv dokumentation.")
    declaration = _declaration(db, world.a)
    assert declaration.issued and declaration.approved is True
    assert declaration.issued_by_id == world.user(Role.SUPERVISOR).id
    assert {line.level for line in declaration.lines} == set(LEVELS)
    [event] = _events(db, CaseEventKind.DECLARATION_ISSUED)
    assert event.details["approved"] is True
    # Approved: no new course.
    assert _events(db, CaseEventKind.PERIOD_ADDED) == []

    page = client.get(_url(world.a)).text
    assert 'data-testid="declaration-locked"' in page
    assert 'data-approved="yes"' in page
    assert 'name="lines-0-level"' not in page and 'data-testid="issue"' not in page

    issued_at, version = declaration.issued_at, declaration.version_id
    changed = _form(goals, 3, version=version, needs="Ændret bagefter")
    for url in (_url(world.a), _url(world.a, "/issue")):
        response = post(client, url, changed)
        assert response.status_code == 302
        assert client.get(response.headers["Location"]).status_code == 200
    declaration = _declaration(db, world.a)
    assert declaration.issued_at == issued_at and declaration.version_id == version
    assert declaration.needs_next_periods == "Øv dokumentation."
    assert all(line.level is not None for line in declaration.lines)
    assert len(_events(db, CaseEventKind.DECLARATION_ISSUED)) == 1
    assert _events(db, CaseEventKind.DECLARATION_SAVED) == []


def test_not_approved_adds_a_new_training_period_to_plan(client, db, world, goals):
    period = world.a.training_period
    before = _count(db, Period)
    last_end = max(
        db.session.execute(
            select(Period.end_date).where(Period.student_id == world.a.student.id)
        ).scalars()
    )
    _issue(client, world, goals, **{"lines-3-approved": "not_approved"})
    declaration = _declaration(db, world.a)
    assert declaration.issued and declaration.approved is False
    assert [line.approved for line in declaration.lines].count(False) == 1

    assert _count(db, Period) == before + 1
    new = (
        db.session.execute(
            select(Period).where(Period.student_id == world.a.student.id).order_by(Period.id.desc())
        )
        .scalars()
        .first()
    )
    assert new.id != period.id
    assert new.kind == PeriodKind.TRAINING and new.status == PeriodStatus.PLANNED
    assert new.workplace_id == period.workplace_id
    assert new.training_number == 1
    assert new.start_date == last_end + timedelta(days=1)
    assert new.end_date - new.start_date == period.end_date - period.start_date
    assert new.title.startswith(period.title or "Oplæringsperiode") and new.title != period.title
    [event] = _events(db, CaseEventKind.PERIOD_ADDED)
    assert event.details == {
        "period": new.title,
        "start": new.start_date.isoformat(),
        "end": new.end_date.isoformat(),
    }


# --- the PDF ----------------------------------------------------------------------------------


def test_the_pdf_shows_every_goal_level_decision_and_signature_line(app, client, db, world, goals):
    login(client, world.user(Role.SUPERVISOR))
    assert client.get(_url(world.a, ".pdf")).status_code == 404  # not before it is issued
    _issue(
        client, world, goals, needs="Brug for faste vagter.", **{"lines-4-approved": "not_approved"}
    )
    response = client.get(_url(world.a, ".pdf"))
    text = pdf_text(response)
    level_names = {level: _squash(_danish(app, labels.GOAL_LEVEL[level])) for level in LEVELS}
    approved = _squash(_danish(app, _l("Approved")))
    not_approved = _squash(_danish(app, _l("Not approved")))
    signatures = [_squash(_danish(app, _l("Practice supervisor"))), "Elev", "Dato"]
    student = world.a.student
    for expected in (student.full_name, student.student_number, world.a.workplace.name):
        assert _squash(expected) in text
    for goal in goals:
        # Number, text, the level reached (goal n got level n mod 3) and the decision, in a row.
        decision = not_approved if goal.number == 5 else approved
        level = level_names[LEVELS[goal.number % 3]]
        assert f"{goal.number}{_squash(goal.text)}" in text, goal.number
        assert f"{level}{decision}" in text.split(_squash(goal.text), 1)[1][:200], goal.number
    assert text.count(not_approved) >= 2  # goal 5 and the result
    assert "Brugforfastevagter." in text
    for label in signatures:
        assert label in text
    exports = (
        db.session.execute(select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT))
        .scalars()
        .all()
    )
    assert [(e.object_type, e.student_id) for e in exports] == [("declaration", student.id)]


# --- who may do what --------------------------------------------------------------------------


def test_a_supervisor_at_another_workplace_gets_404_everywhere(client, db, world, goals):
    _issue(client, world, goals)
    post(client, "/logout")
    other = world.user(Role.SUPERVISOR, "b")
    login(client, other)
    assert client.get(_url(world.a)).status_code == 404
    assert client.get(_url(world.a, ".pdf")).status_code == 404
    assert post(client, _url(world.a), _form(goals)).status_code == 404
    assert post(client, _url(world.a, "/issue"), _form(goals)).status_code == 404


def test_a_supervisor_at_another_workplace_cannot_draft_either(client, db, world, goals):
    login(client, world.user(Role.SUPERVISOR, "b"))
    assert client.get(_url(world.a)).status_code == 404
    assert post(client, _url(world.a), _form(goals, 3)).status_code == 404
    assert post(client, _url(world.a, "/issue"), _form(goals)).status_code == 404
    assert _declaration(db, world.a) is None


@pytest.mark.parametrize("role", [Role.COUNSELLOR, Role.TEACHER])
def test_the_school_reads_the_declaration_but_cannot_change_it(client, db, world, goals, role):
    login(client, world.user(Role.SUPERVISOR))
    assert post(client, _url(world.a), _form(goals, 5)).status_code == 302
    version = _declaration(db, world.a).version_id
    post(client, "/logout")

    reader = world.user(role)
    login(client, reader)
    page = client.get(_url(world.a))
    assert page.status_code == 200
    assert 'data-testid="declaration-draft"' in page.text
    assert 'name="lines-0-level"' not in page.text
    assert post(client, _url(world.a), _form(goals, 20, version=version)).status_code == 403
    assert post(client, _url(world.a, "/issue"), _form(goals, version=version)).status_code == 403
    declaration = _declaration(db, world.a)
    assert not declaration.issued and declaration.version_id == version

    post(client, "/logout")
    _issue(client, world, goals, version=version)
    post(client, "/logout")
    login(client, reader)
    page = client.get(_url(world.a))
    assert page.status_code == 200 and 'data-testid="declaration-locked"' in page.text
    assert pdf_text(client.get(_url(world.a, ".pdf")))
    assert post(client, _url(world.a), _form(goals, 3, version=version + 1)).status_code == 403


# --- bad input --------------------------------------------------------------------------------


def test_an_unknown_level_is_refused(client, db, world, goals):
    login(client, world.user(Role.SUPERVISOR))
    for url in (_url(world.a), _url(world.a, "/issue")):
        response = post(client, url, _form(goals, **{"lines-2-level": "xyz"}))
        assert response.status_code == 200
        assert 'data-testid="error-summary"' in response.text
        assert 'data-testid="error-lines-2-level"' in response.text
        assert '<a href="#lines-2-level" class="function-link">' in response.text  # the summary
        assert "Ugyldigt valg." in response.text
    response = post(client, _url(world.a), _form(goals, **{"lines-2-approved": "maybe"}))
    assert response.status_code == 200
    assert 'data-testid="error-lines-2-approved"' in response.text
    assert _declaration(db, world.a) is None
    assert _count(db, DeclarationLine) == 0


def test_a_goal_of_another_programme_is_refused(client, db, world, goals):
    factories.programme("SSH")
    ensure_training_goals()
    db.session.commit()
    [ssh_goal] = [g for g in factories.goals(_Ssh()) if g.number == 1]
    login(client, world.user(Role.SUPERVISOR))
    for url in (_url(world.a), _url(world.a, "/issue")):
        response = post(client, url, _form(goals, **{"lines-0-goal_id": str(ssh_goal.id)}))
        assert response.status_code == 200
        assert 'data-testid="declaration-errors"' in response.text
    # The same goal twice is no better.
    response = post(client, _url(world.a), _form(goals, **{"lines-1-goal_id": str(goals[0].id)}))
    assert response.status_code == 200
    assert _declaration(db, world.a) is None
    assert _count(db, DeclarationLine) == 0


class _Ssh:
    """Stands in for a student of SSH when listing that programme's goals."""

    @property
    def programme_id(self):
        return factories.programme("SSH").id


def test_needs_text_longer_than_allowed_is_refused(client, db, world, goals):
    login(client, world.user(Role.SUPERVISOR))
    response = post(client, _url(world.a), _form(goals, needs="x" * 4001))
    assert response.status_code == 200
    assert 'data-testid="error-needs_next_periods"' in response.text
    assert _declaration(db, world.a) is None


# --- queries ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.COUNSELLOR])
def test_the_page_runs_a_bounded_number_of_queries(client, db, world, goals, count_queries, role):
    supervisor = world.user(Role.SUPERVISOR)
    login(client, supervisor)
    assert post(client, _url(world.a), _form(goals, 5)).status_code == 302
    if role is not Role.SUPERVISOR:
        post(client, "/logout")
        login(client, world.user(role))
    with count_queries() as few:
        assert client.get(_url(world.a)).status_code == 200

    post(client, "/logout")
    login(client, supervisor)
    version = _declaration(db, world.a).version_id
    assert post(client, _url(world.a), _form(goals, 20, version=version)).status_code == 302
    if role is not Role.SUPERVISOR:
        post(client, "/logout")
        login(client, world.user(role))
    with count_queries() as many:
        assert client.get(_url(world.a)).status_code == 200
    assert few.count == many.count
    assert many.count <= 20, many.statements
