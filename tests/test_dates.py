"""Dates typed into forms: every date field is bounded to a plausible window, period lengths
follow the domain, and date arithmetic on what was typed never ends in a server error."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.editing import RuleError
from app.journey import services as journey
from app.models import (
    Absence,
    CaseEvent,
    CaseReview,
    Consent,
    Period,
    PeriodKind,
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
WINDOW = "Datoen skal ligge mellem 1. jan. 2000 og 31. dec. 2100."  # docs/dates.md
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
            "category": ["support_needs"],
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


# --- extending a period -------------------------------------------------------------------


def test_extending_to_9999_and_moving_the_later_periods_is_an_error_not_a_crash(client, db, world):
    later = factories.period(
        world.a.student, PeriodKind.SCHOOL, TODAY + timedelta(days=111), TODAY + timedelta(days=150)
    )
    db.session.commit()
    training = world.a.training_period
    login(client, world.user(Role.TEACHER))
    response = post(
        client,
        _period_url(world, "extend"),
        {"new_end_date": "9999-12-31", "shift_following": "y", "version": "1"},
    )
    assert response.status_code == 200
    assert 'data-testid="error-new_end_date"' in response.text
    db.session.refresh(later)
    db.session.refresh(training)
    assert later.start_date == TODAY + timedelta(days=111)
    assert training.end_date == TODAY + timedelta(days=110)


def test_the_service_refuses_an_extension_past_the_last_date_without_overflowing(app, db, world):
    """The rule holds below the form too: a date that Python cannot shift is a RuleError."""
    factories.period(
        world.a.student, PeriodKind.SCHOOL, TODAY + timedelta(days=111), TODAY + timedelta(days=150)
    )
    db.session.commit()
    training = world.a.training_period
    with app.test_request_context(), pytest.raises(RuleError) as error:
        journey.extend_period(
            world.a.student, training, date(9999, 12, 31), True, training.version_id
        )
    assert error.value.field == "new_end_date"


def test_moving_the_later_periods_out_of_the_window_is_refused(app, db, world):
    s = world.a.student
    last = factories.period(s, PeriodKind.SCHOOL, date(2100, 11, 1), date(2100, 12, 20))
    db.session.commit()
    training = world.a.training_period
    with app.test_request_context(), pytest.raises(RuleError) as error:
        journey.extend_period(
            s, training, training.end_date + timedelta(days=30), True, training.version_id
        )
    assert error.value.field == "new_end_date"
    db.session.rollback()
    db.session.refresh(last)
    assert last.end_date == date(2100, 12, 20)


def test_an_extension_longer_than_a_period_may_last_is_refused(client, db, world):
    training = world.a.training_period
    login(client, world.user(Role.TEACHER))
    response = post(
        client,
        _period_url(world, "extend"),
        {
            "new_end_date": (training.start_date + timedelta(days=450)).isoformat(),
            "version": "1",
        },
    )
    assert response.status_code == 200
    error = response.text.split('data-testid="error-new_end_date"')[1][:400]
    assert "En periode kan højst vare 400 dage." in error
    db.session.refresh(training)
    assert training.end_date == TODAY + timedelta(days=110)


# --- period lengths and start dates ---------------------------------------------------------


@pytest.mark.parametrize(
    "start, days, field, message",
    [
        (
            TODAY + timedelta(days=200),
            2,
            "end_date",
            "En oplæringsperiode skal vare mindst 3 dage.",
        ),
        (TODAY + timedelta(days=200), 401, "end_date", "En periode kan højst vare 400 dage."),
        (TODAY + timedelta(days=365 * 15), 100, "start_date", "højst ligge 10 år fra i dag"),
        (TODAY - timedelta(days=365 * 15), 100, "start_date", "højst ligge 10 år fra i dag"),
    ],
)
def test_a_new_training_period_must_have_a_plausible_length_and_start(
    client, db, world, start, days, field, message
):
    before = _count(db, Period)
    login(client, world.user(Role.TEACHER))
    end = start + timedelta(days=days - 1)  # both days count
    response = post(
        client,
        f"/students/{world.a.student.id}/periods/new",
        {
            "title": "Oplæring",
            "kind": "training",
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
            "workplace": str(world.a.workplace.id),
            "status": "planned",
        },
    )
    assert response.status_code == 200
    assert message in response.text.split(f'data-testid="error-{field}"')[1][:400]
    assert end.isoformat() in response.text
    assert _count(db, Period) == before


def test_shortening_a_training_period_to_two_days_is_refused(client, db, world):
    training = world.a.training_period
    login(client, world.user(Role.TEACHER))
    end = training.start_date + timedelta(days=1)
    response = post(client, _period_url(world, "edit"), _period_form(training, end_date=end))
    assert response.status_code == 200
    assert "mindst 3 dage" in response.text.split('data-testid="error-end_date"')[1][:400]
    db.session.refresh(training)
    assert training.end_date == TODAY + timedelta(days=110)


def test_a_short_school_period_and_a_three_day_training_period_are_fine(client, db, world):
    login(client, world.user(Role.TEACHER))
    start = TODAY + timedelta(days=200)
    for kind, days in (("school", 1), ("training", 3)):
        response = post(
            client,
            f"/students/{world.a.student.id}/periods/new",
            {
                "title": kind,
                "kind": kind,
                "start_date": start.isoformat(),
                "end_date": (start + timedelta(days=days - 1)).isoformat(),
                "workplace": str(world.a.workplace.id) if kind == "training" else "",
                "status": "planned",
            },
        )
        assert response.status_code == 302
        start += timedelta(days=10)


def test_an_old_period_keeps_its_dates_and_can_still_be_renamed(client, db, world):
    """The start-date rule is for new dates: a period that started long ago stays editable."""
    old = factories.period(world.a.student, PeriodKind.SCHOOL, date(2005, 1, 3), date(2005, 3, 1))
    db.session.commit()
    login(client, world.user(Role.TEACHER))
    response = post(client, _period_url(world, "edit", old), _period_form(old, title="Gammel"))
    assert response.status_code == 302


def test_a_plan_that_would_end_after_the_window_is_refused(app, client, db, world):
    s = factories.student(world.a.school, programme_code="TEST")  # two periods of 10 weeks
    db.session.commit()
    with app.test_request_context(), pytest.raises(RuleError):
        journey.plan_from_template(
            s.enrolments[0], world.template_periods, date(2100, 10, 1), TODAY
        )
    login(client, world.user(Role.COUNSELLOR))
    response = post(
        client, f"/students/{s.id}/plan", {"start_date": "2100-10-01"}, follow_redirects=True
    )
    assert response.status_code == 200
    assert _count(db, Period) == 4  # the two sides' own periods only


# --- dates stored before the window existed -------------------------------------------------


def test_dates_stored_before_the_window_do_not_crash_reads(app, world):
    """Issue 12 left periods at year 1 and records at year 9999 in the database: the checks
    and deadlines computed from them answer instead of overflowing."""
    from app import access
    from app.models import (
        DocumentationKind,
        SpsStage,
        SpsStep,
        SupportMeasure,
    )

    year_one = Period(
        kind=PeriodKind.TRAINING, workplace_id=world.a.workplace.id, start_date=date(1, 1, 2)
    )
    with app.test_request_context():
        supervisor = world.user(Role.SUPERVISOR)
        assert access.can_read_handover(
            supervisor, world.a.student, world.a.school_period, year_one
        )
    need = SupportNeed(
        documentation_kind=DocumentationKind.AUDIOGRAM, documentation_date=date(9998, 6, 1)
    )
    assert need.documentation_outdated(TODAY) is False
    measure = SupportMeasure(steps=[SpsStep(stage=SpsStage.GRANTED, on_date=date(9999, 12, 31))])
    assert measure.complaint_deadline is None


def test_today_is_copenhagens_whatever_the_servers_clock_says(app):
    """Every rule's day (deadlines, visibility, the access log's days, the daily digest) is
    Copenhagen's: at 23:30 UTC in December (22:30 in July) it is already the next day there."""
    from datetime import UTC, datetime

    from app.models.base import today

    with app.app_context():
        assert today(datetime(2026, 12, 4, 23, 30, tzinfo=UTC)) == date(2026, 12, 5)
        assert today(datetime(2026, 7, 4, 22, 30, tzinfo=UTC)) == date(2026, 7, 5)
        assert today(datetime(2026, 12, 4, 22, 30, tzinfo=UTC)) == date(2026, 12, 4)


def test_a_stored_moments_day_and_a_days_first_moment_are_danish(app):
    """A help request made at 23:30 UTC on 4 December was made on the 5th in Denmark; the 5th
    begins at 23:00 UTC in winter and 22:00 UTC in summer."""
    from datetime import UTC, datetime

    from app.models.base import day_start, local_date

    with app.app_context():
        assert local_date(datetime(2026, 12, 4, 23, 30, tzinfo=UTC)) == date(2026, 12, 5)
        assert local_date(datetime(2026, 12, 4, 23, 30)) == date(2026, 12, 5)  # naive is UTC
        assert day_start(date(2026, 12, 5)) == datetime(2026, 12, 4, 23, 0, tzinfo=UTC)
        assert day_start(date(2026, 7, 5)) == datetime(2026, 7, 4, 22, 0, tzinfo=UTC)
