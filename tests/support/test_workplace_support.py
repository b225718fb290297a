"""Support arranged at the workplace: the employer's record, in the same list as the school's.

Supervisors (while they see the student) and training coordinators record and change it; the
school reads it, a health-related one only under the student's health consent to that
employer; it goes into the handover note's pre-fill and the review agenda.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import g
from sqlalchemy import select

from app.extensions import db
from app.models import (
    CaseEvent,
    CaseEventKind,
    ConsentCategory,
    MeasureProvider,
    MeasureType,
    PeriodKind,
    Role,
    SupportMeasure,
)
from tests import factories
from tests.conftest import post, switch_to

TODAY = date.today()
SENTINEL = "SENTINEL-LIFT-AID-4c1e"


def _url(world, suffix="/new"):
    return f"/students/{world.a.student.id}/support/workplace{suffix}"


def _form(world, **changes) -> dict:
    data = {
        "type": "extra_supervision",
        "period": str(world.a.training_period.id),
        "description": "30 minutter med vejlederen hver fredag",
        "start_date": TODAY.isoformat(),
        "owner": str(world.user(Role.SUPERVISOR).id),
        "next_follow_up": (TODAY + timedelta(days=14)).isoformat(),
        "status": "active",
    }
    data.update(changes)
    return data


def test_supervisor_records_support_at_the_workplace_in_the_same_list(client, world):
    supervisor = world.user(Role.SUPERVISOR)
    switch_to(client, supervisor)
    page = client.get(f"/students/{world.a.student.id}/support").text
    assert 'data-testid="new-arrangement"' in page

    response = post(client, _url(world), _form(world))
    assert response.status_code == 302
    measure = db.session.execute(
        select(SupportMeasure).where(SupportMeasure.organisation_id.is_not(None))
    ).scalar_one()
    assert measure.provider == MeasureProvider.WORKPLACE
    assert measure.type == MeasureType.EXTRA_SUPERVISION
    assert measure.organisation_id == world.a.municipality.id
    assert [p.id for p in measure.periods] == [world.a.training_period.id]
    assert measure.created_by_id == supervisor.id
    event = db.session.execute(
        select(CaseEvent).where(CaseEvent.kind == CaseEventKind.WORKPLACE_SUPPORT_ADDED)
    ).scalar_one()
    assert event.user_id == supervisor.id and event.restricted_to_id is None

    # The school's counsellor reads it in the same list as the school's measures, marked.
    switch_to(client, world.user(Role.COUNSELLOR))
    page = client.get(f"/students/{world.a.student.id}/support").text
    assert f'data-testid="measure-{measure.id}"' in page
    assert f'data-testid="measure-{world.a.measure.id}"' in page
    assert "Ekstra vejledningstid" in page
    provider = page.split(f'data-testid="provider-{measure.id}">')[1].split("</td>")[0]
    assert "Oplæringssted" in provider and world.a.municipality.name in provider
    measure_page = client.get(f"/students/{world.a.student.id}/support/measures/{measure.id}")
    assert measure_page.status_code == 200
    # ... but does not change it: the employer's record.
    assert 'data-testid="edit-measure"' not in measure_page.text
    history = client.get(f"/students/{world.a.student.id}/history").text
    assert "Støtte på oplæringsstedet registreret: Ekstra vejledningstid" in history


def test_training_coordinator_records_and_the_supervisor_changes_it(client, world):
    switch_to(client, world.user(Role.TRAINING_COORDINATOR))
    response = post(client, _url(world), _form(world, type="work_aids"))
    assert response.status_code == 302
    measure = db.session.execute(
        select(SupportMeasure).where(SupportMeasure.organisation_id.is_not(None))
    ).scalar_one()

    switch_to(client, world.user(Role.SUPERVISOR))
    form = client.get(_url(world, f"/{measure.id}/edit"))
    assert form.status_code == 200
    response = post(
        client,
        _url(world, f"/{measure.id}/edit"),
        _form(
            world,
            type="work_aids",
            evaluation="Løftehjælpen virker",
            version=str(measure.version_id),
        ),
    )
    assert response.status_code == 302
    db.session.refresh(measure)
    assert measure.evaluation == "Løftehjælpen virker"
    assert (
        db.session.execute(
            select(CaseEvent).where(CaseEvent.kind == CaseEventKind.WORKPLACE_SUPPORT_CHANGED)
        ).scalar_one()
        is not None
    )


def test_who_may_record_support_at_the_workplace(client, world):
    arrangement = factories.workplace_arrangement(world.a)
    db.session.commit()
    edit = _url(world, f"/{arrangement.id}/edit")
    # The school reads, does not record: 403 (role gate) on both, and 403 on its own form.
    switch_to(client, world.user(Role.COUNSELLOR))
    assert client.get(_url(world)).status_code == 403
    assert client.get(edit).status_code == 403
    school_edit = f"/students/{world.a.student.id}/support/measures/{arrangement.id}/edit"
    assert client.get(school_edit).status_code == 403
    # A supervisor elsewhere does not see the student: 404.
    switch_to(client, world.user(Role.SUPERVISOR, "b"))
    assert client.get(_url(world)).status_code == 404
    assert client.get(edit).status_code == 404
    # Side B's own arrangement is not reachable through side A's student either.
    other = factories.workplace_arrangement(world.b)
    db.session.commit()
    switch_to(client, world.user(Role.SUPERVISOR))
    assert client.get(_url(world, f"/{other.id}/edit")).status_code == 404
    # A school record is not the employer's to change through this form.
    assert client.get(_url(world, f"/{world.a.measure.id}/edit")).status_code == 404


def test_a_supervisor_no_longer_records_once_the_period_is_long_over(client, world, monkeypatch):
    switch_to(client, world.user(Role.SUPERVISOR))
    later = world.a.training_period.end_date + timedelta(days=200)
    monkeypatch.setattr("app.access.support.today", lambda: later)
    monkeypatch.setattr("app.access.students.today", lambda: later)
    assert client.get(_url(world)).status_code in (403, 404)


def test_a_health_related_record_reaches_the_school_only_with_health_consent(client, world):
    arrangement = factories.workplace_arrangement(
        world.a, MeasureType.WORK_AIDS, health_related=True, description=SENTINEL
    )
    db.session.commit()
    counsellor = world.user(Role.COUNSELLOR)
    switch_to(client, counsellor)
    support = f"/students/{world.a.student.id}/support"
    page = client.get(support).text
    assert SENTINEL not in page
    assert 'data-testid="workplace-support-withheld"' in page
    measure_url = f"{support}/measures/{arrangement.id}"
    assert client.get(measure_url).status_code == 404
    # The employer's own people see it.
    switch_to(client, world.user(Role.TRAINING_COORDINATOR))
    assert SENTINEL in client.get(support).text

    # With consent to support needs and health to the employer, the school reads it.
    factories.consent(
        world.a.student, ConsentCategory.SUPPORT_NEEDS, world.a.municipality, counsellor
    )
    health = factories.consent(
        world.a.student, ConsentCategory.HEALTH, world.a.municipality, counsellor
    )
    db.session.commit()
    switch_to(client, counsellor)
    page = client.get(support).text
    assert SENTINEL in page
    assert 'data-testid="workplace-support-withheld"' not in page
    assert client.get(measure_url).status_code == 200
    # Withdrawn: gone again on the next request.
    health.withdrawn_at = health.recorded_at
    db.session.commit()
    assert SENTINEL not in client.get(support).text


def test_a_health_related_records_history_line_stays_with_the_employer(client, world):
    switch_to(client, world.user(Role.SUPERVISOR))
    response = post(client, _url(world), _form(world, type="work_aids", health_related="y"))
    assert response.status_code == 302
    event = db.session.execute(
        select(CaseEvent).where(CaseEvent.kind == CaseEventKind.WORKPLACE_SUPPORT_ADDED)
    ).scalar_one()
    assert event.restricted_to_id == world.a.municipality.id
    assert "Hjælpemidler på arbejdet" in client.get(f"/students/{world.a.student.id}/history").text
    switch_to(client, world.user(Role.COUNSELLOR))
    history = client.get(f"/students/{world.a.student.id}/history").text
    assert "Hjælpemidler på arbejdet" not in history


def test_handover_pre_fill_includes_support_at_the_workplace(app, world):
    from app.support.queries import agreed_support_text

    factories.workplace_arrangement(world.a, description="Fast mentor på afdelingen")
    hidden = factories.workplace_arrangement(
        world.a, MeasureType.WORK_AIDS, health_related=True, description=SENTINEL
    )
    end = world.a.training_period.end_date
    back_to_school = factories.period(
        world.a.student, PeriodKind.SCHOOL, end + timedelta(days=1), end + timedelta(days=60)
    )
    db.session.commit()
    with app.test_request_context():
        g._login_user = None
        supervisor = world.user(Role.SUPERVISOR)
        # The employer writes to the school: the school's rule (no health consent: left out).
        text = agreed_support_text(supervisor, world.a.student, back_to_school)
        assert "Ekstra vejledningstid (Oplæringssted: Kommune A)" in text
        assert "Fast mentor på afdelingen" in text
        assert SENTINEL not in text
        # The school writes to the employer's workplace: the employer's record it reads goes
        # back to it; the health-related one the school cannot read, so cannot write either.
        text = agreed_support_text(
            world.user(Role.COUNSELLOR), world.a.student, world.a.training_period
        )
        assert "Fast mentor på afdelingen" in text
        assert SENTINEL not in text
    assert hidden.health_related


def test_review_agenda_includes_support_at_the_workplace(app, world):
    from app.reviews.services import build_agenda

    factories.workplace_arrangement(world.a)
    factories.workplace_arrangement(world.a, MeasureType.WORK_AIDS, health_related=True)
    db.session.commit()
    with app.test_request_context():
        agenda = build_agenda(world.a.student, TODAY)
    assert "Støtte på oplæringsstedet:" in agenda
    assert "- Ekstra vejledningstid (Kommune A)" in agenda
    # Both sides read the agenda: the health-related one needs the consent.
    assert "Hjælpemidler på arbejdet" not in agenda


def test_bad_input_is_refused_with_messages_and_kept(client, world):
    switch_to(client, world.user(Role.SUPERVISOR))
    response = post(
        client,
        _url(world),
        _form(
            world,
            type="sps_study_support",  # a school kind: not offered here
            description="",
            start_date=TODAY.isoformat(),
            end_date=(TODAY - timedelta(days=3)).isoformat(),
            period="999999",
        ),
    )
    assert response.status_code == 200
    page = response.text
    assert "Ugyldigt valg." in page  # the school's SPS kind, and an unknown period
    assert "Udfyld feltet." in page  # what is agreed
    assert 'class="error-summary' in page or "error-summary" in page
    stored = select(SupportMeasure.id).where(SupportMeasure.organisation_id.is_not(None))
    assert db.session.execute(stored).first() is None
    response = post(
        client,
        _url(world),
        _form(world, end_date=(TODAY - timedelta(days=3)).isoformat(), evaluation="Behold mig"),
    )
    assert response.status_code == 200
    assert "Slutdatoen skal være samme dag som eller efter startdatoen." in response.text
    assert "Behold mig" in response.text
    assert db.session.execute(stored).first() is None


def test_another_employer_of_the_student_does_not_see_the_record(client, world):
    """The student also has an agreement with municipality B (a later period there): B's
    coordinator sees the student, not municipality A's record of support at its workplace."""
    arrangement = factories.workplace_arrangement(world.a, description=SENTINEL)
    factories.agreement(world.a.student, world.b.municipality)
    db.session.commit()
    switch_to(client, world.user(Role.TRAINING_COORDINATOR, "b"))
    support = f"/students/{world.a.student.id}/support"
    page = client.get(support)
    assert page.status_code == 200
    assert SENTINEL not in page.text
    assert client.get(f"{support}/measures/{arrangement.id}").status_code == 404
    assert client.get(f"{support}/workplace/{arrangement.id}/edit").status_code == 404


def test_the_supervisor_sees_their_record_on_the_student_page_without_consent(client, world):
    factories.workplace_arrangement(world.a, description=SENTINEL)
    db.session.commit()
    switch_to(client, world.user(Role.SUPERVISOR))
    page = client.get(f"/students/{world.a.student.id}").text
    assert 'data-testid="open-measures"' in page and "Ekstra vejledningstid" in page
    # The school's IT package stays hidden: only that support is agreed.
    assert 'data-testid="support-agreed"' in page
    assert "IT-pakke" not in page
    assert f"/students/{world.a.student.id}/support" in page
