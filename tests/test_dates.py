"""Dates typed into forms: every date field is bounded to a plausible window, period lengths
follow the domain, and date arithmetic on what was typed never ends in a server error."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.models import (
    Absence,
    CaseEvent,
    CaseReview,
    Consent,
    Period,
    ReviewMeeting,
    Role,
    Student,
    SupportMeasure,
    SupportNeed,
    TrainingAgreement,
    TrainingExperience,
    TrainingWarning,
)
from tests import factories
from tests.conftest import login, post

TODAY = date.today()
WINDOW = "Datoen skal ligge mellem 1. januar 2000 og 31. december 2100."
BAD_DATES = ["0001-01-01", "9999-12-31"]


def _count(db, model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _period_url(world, action: str, period=None) -> str:
    period = period or world.a.training_period
    return f"/students/{world.a.student.id}/periods/{period.id}/{action}"


def _period_form(period: Period, **changes) -> dict:
    return {
        "title": "Oplæring",
        "kind": period.kind.value,
        "start_date": period.start_date.isoformat(),
        "end_date": period.end_date.isoformat(),
        "workplace": str(period.workplace_id or ""),
        "responsible": "",
        "status": period.status.value,
        "version": str(period.version_id),
        **changes,
    }


def _soon(days: int = 5) -> str:
    return (TODAY + timedelta(days=days)).isoformat()


# Each form with a date field: who fills it in, where it is posted, what a valid post holds,
# and the table a save would add to (None: the form changes an existing row).
FORMS = {
    "period-new": (
        Role.TEACHER,
        lambda w: f"/students/{w.a.student.id}/periods/new",
        lambda w: {"title": "Ny", "kind": "school", "end_date": _soon(200), "status": "planned"},
        "start_date",
        Period,
    ),
    "period-edit": (
        Role.TEACHER,
        lambda w: _period_url(w, "edit"),
        lambda w: _period_form(w.a.training_period),
        "start_date",
        None,
    ),
    "period-edit-end": (
        Role.TEACHER,
        lambda w: _period_url(w, "edit"),
        lambda w: _period_form(w.a.training_period),
        "end_date",
        None,
    ),
    "extend": (
        Role.TEACHER,
        lambda w: _period_url(w, "extend"),
        lambda w: {"shift_following": "y", "version": "1"},
        "new_end_date",
        None,
    ),
    "agreement": (
        Role.COUNSELLOR,
        lambda w: f"/students/{w.a.student.id}/agreements/new",
        lambda w: {"employer": str(w.b.municipality.id), "kind": "training", "end_date": ""},
        "start_date",
        TrainingAgreement,
    ),
    "absence": (
        Role.SUPERVISOR,
        lambda w: _period_url(w, "absence"),
        lambda w: {"end_date": "", "kind": "illness", "note": ""},
        "start_date",
        Absence,
    ),
    "review": (
        Role.COUNSELLOR,
        lambda w: f"/students/{w.a.student.id}/reviews/new",
        lambda w: {"participants": [str(w.user(Role.TRAINING_COORDINATOR).id)], "agenda": "x"},
        "on_date",
        CaseReview,
    ),
    "meeting": (
        Role.COUNSELLOR,
        lambda w: "/meetings/new",
        lambda w: {"title": "Møde", "participants": [str(w.user(Role.TRAINING_COORDINATOR).id)]},
        "on_date",
        ReviewMeeting,
    ),
    "measure": (
        Role.COUNSELLOR,
        lambda w: f"/students/{w.a.student.id}/support/measures/new",
        lambda w: {
            "type": "mentor",
            "provider": "school",
            "need": "",
            "description": "Mentor",
            "end_date": "",
            "owner": str(w.user(Role.COUNSELLOR).id),
            "status": "planned",
        },
        "start_date",
        SupportMeasure,
    ),
    "measure-follow-up": (
        Role.COUNSELLOR,
        lambda w: f"/students/{w.a.student.id}/support/measures/new",
        lambda w: {
            "type": "mentor",
            "provider": "school",
            "need": "",
            "description": "Mentor",
            "start_date": TODAY.isoformat(),
            "end_date": "",
            "owner": str(w.user(Role.COUNSELLOR).id),
            "status": "planned",
        },
        "next_follow_up",
        SupportMeasure,
    ),
    "need": (
        Role.COUNSELLOR,
        lambda w: f"/students/{w.a.student.id}/support/needs/new",
        lambda w: {
            "category": str(factories.category("dyslexia").id),
            "description": "Læser langsomt.",
            "documentation_kind": "dyslexia_test",
            "status": "active",
        },
        "documentation_date",
        SupportNeed,
    ),
    "consent": (
        Role.COUNSELLOR,
        lambda w: f"/students/{w.a.student.id}/consents/new",
        lambda w: {
            "category": "support_needs",
            "recipient": str(w.a.municipality.id),
            "valid_to": "",
            "note": "",
            "confirmed": "y",
        },
        "valid_from",
        Consent,
    ),
    "experience": (
        Role.SUPERVISOR,
        lambda w: _period_url(w, "experiences/new"),
        lambda w: {"category": "professional", "what_happened": "Morgenpleje.", "version": ""},
        "on_date",
        TrainingExperience,
    ),
    "warning": (
        Role.SUPERVISOR,
        lambda w: _period_url(w, "warnings/new"),
        lambda w: {"reason": "Mål 4.", "goals": [], "agreed_actions": "Samtale."},
        "deadline",
        TrainingWarning,
    ),
    "dropout": (
        Role.COUNSELLOR,
        lambda w: f"/students/{w.a.student.id}/dropout",
        lambda w: {"reason": "health", "version": "1"},
        "date",
        None,
    ),
    "new-student": (
        Role.COUNSELLOR,
        lambda w: "/students/new",
        lambda w: {
            "first_name": "Ny",
            "last_name": "Elev",
            "student_number": "NY-1",
            "school": str(w.a.school.id),
            "programme": str(factories.programme("SSA").id),
            "create_plan": "y",
        },
        "start_date",
        Student,
    ),
}


@pytest.mark.parametrize("typed", BAD_DATES)
@pytest.mark.parametrize("name", FORMS)
def test_a_date_outside_the_window_is_refused_at_its_field(client, db, world, name, typed):
    role, url, data, field, model = FORMS[name]
    period = world.a.training_period
    dates_before = (period.start_date, period.end_date)
    rows_before = _count(db, model) if model else None
    events_before = _count(db, CaseEvent)
    login(client, world.user(role))
    response = post(client, url(world), {**data(world), field: typed})
    assert response.status_code == 200
    assert WINDOW in response.text.split(f'data-testid="error-{field}"')[1][:400]
    assert f'value="{typed}"' in response.text  # what was typed is kept
    assert _count(db, CaseEvent) == events_before
    if model is not None:
        assert _count(db, model) == rows_before
    db.session.refresh(period)
    assert (period.start_date, period.end_date) == dates_before


def test_the_window_edges_are_allowed(client, db, world):
    login(client, world.user(Role.COUNSELLOR))
    url = f"/students/{world.a.student.id}/support/needs/new"
    _role, _url, data, field, _model = FORMS["need"]
    response = post(client, url, {**data(world), field: "2000-01-01"})
    assert response.status_code == 302
