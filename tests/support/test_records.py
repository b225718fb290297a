"""Recording support needs, measures, SPS steps and consents: validation, history, audit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.models import (
    AuditAction,
    AuditEvent,
    CaseEvent,
    CaseEventKind,
    Consent,
    ConsentCategory,
    MeasureType,
    PeriodKind,
    Role,
    SpsStage,
    SupportMeasure,
    SupportNeed,
)
from tests import factories
from tests.conftest import login, post

TODAY = date.today()


def _count(db, model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _need_form(world, **changes) -> dict:
    data = {
        "category": str(factories.category("dyslexia").id),
        "description": "Læser langsomt; bruger oplæsning.",
        "documentation_kind": "dyslexia_test",
        "documentation_date": (TODAY - timedelta(days=400)).isoformat(),
        "status": "active",
    }
    data.update(changes)
    return data


def _measure_form(world, **changes) -> dict:
    data = {
        "type": "it_package",
        "provider": "school",
        "need": "",
        "description": "Bærbar med AppWriter",
        "start_date": TODAY.isoformat(),
        "end_date": "",
        "hours_granted": "10",
        "hours_used": "2",
        "owner": str(world.user(Role.COUNSELLOR).id),
        "next_follow_up": (TODAY + timedelta(days=7)).isoformat(),
        "evaluation": "",
        "status": "planned",
    }
    data.update(changes)
    return data


def test_counsellor_flags_a_need_and_it_is_in_the_history_and_the_log(client, db, world):
    student = world.a.student
    login(client, world.user(Role.COUNSELLOR))
    response = post(client, f"/students/{student.id}/support/needs/new", _need_form(world))
    assert response.status_code == 302
    need = db.session.execute(
        select(SupportNeed).where(SupportNeed.description.startswith("Læser langsomt"))
    ).scalar_one()
    assert need.flagged_by_id == world.user(Role.COUNSELLOR).id
    page = client.get(f"/students/{student.id}/support").text
    assert "Læser langsomt" in page and "Ordblindetest" in page
    history = client.get(f"/students/{student.id}/history").text
    assert "Støttebehov registreret: Ordblindhed (dysleksi)" in history
    event = db.session.execute(
        select(CaseEvent).where(CaseEvent.kind == CaseEventKind.SUPPORT_NEED_FLAGGED)
    ).scalar_one()
    assert event.data_category == ConsentCategory.SUPPORT_NEEDS
    assert "Læser" not in str(event.details)  # the history never holds the free text


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"category": ""}, "category", "Vælg en kategori."),
        ({"description": "  "}, "description", "Udfyld feltet."),
        (
            {"documentation_date": (TODAY + timedelta(days=3)).isoformat()},
            "documentation_date",
            "kan ikke ligge i fremtiden",
        ),
        ({"documentation_date": ""}, "documentation_date", "Angiv datoen for dokumentationen."),
        ({"documentation_date": "31-31-2024"}, "documentation_date", "dato"),
        ({"status": "gone"}, "status", "gyldigt"),
    ],
)
def test_need_form_refuses_bad_input_and_keeps_what_was_typed(
    client, db, world, changes, field, message
):
    login(client, world.user(Role.COUNSELLOR))
    before = _count(db, SupportNeed)
    data = _need_form(world, **{"description": "Tekst der skal bevares", **changes})
    response = post(client, f"/students/{world.a.student.id}/support/needs/new", data)
    assert response.status_code == 200
    error = response.text.split(f'data-testid="error-{field}"')[1].split("</span>")[1]
    assert message in error or message in response.text.split(f'data-testid="error-{field}"')[1]
    if "description" not in changes:
        assert "Tekst der skal bevares" in response.text
    assert _count(db, SupportNeed) == before


def test_an_old_audiogram_is_flagged(client, db, world):
    login(client, world.user(Role.COUNSELLOR))
    data = _need_form(
        world,
        category=str(factories.category("hearing").id),
        documentation_kind="audiogram",
        documentation_date=(TODAY - timedelta(days=4 * 365 + 30)).isoformat(),
    )
    response = post(
        client, f"/students/{world.a.student.id}/support/needs/new", data, follow_redirects=True
    )
    assert "Audiogrammet er mere end 4 år gammelt" in response.text
    assert 'data-testid="audiogram-outdated"' in response.text


def test_resolving_a_need_is_recorded(client, db, world):
    need = world.a.need
    login(client, world.user(Role.COUNSELLOR))
    url = f"/students/{world.a.student.id}/support/needs/{need.id}/edit"
    form = _need_form(world, status="resolved", version=str(need.version_id))
    assert post(client, url, form).status_code == 302
    db.session.refresh(need)
    assert need.resolved_on == TODAY
    assert "Støttebehov afsluttet" in client.get(f"/students/{world.a.student.id}/history").text
    # A second save from the same (now old) form is refused, not silently overwritten.
    response = post(client, url, {**form, "description": "Andet"}, follow_redirects=True)
    assert "En anden har ændret dette" in response.text
    db.session.refresh(need)
    assert need.description != "Andet"


def test_counsellor_logs_a_measure(client, db, world):
    student = world.a.student
    login(client, world.user(Role.COUNSELLOR))
    form = _measure_form(
        world, need=str(world.a.need.id), periods=[str(world.a.training_period.id)]
    )
    response = post(client, f"/students/{student.id}/support/measures/new", form)
    assert response.status_code == 302
    measure = db.session.execute(
        select(SupportMeasure).order_by(SupportMeasure.id.desc()).limit(1)
    ).scalar_one()
    assert measure.hours_granted == 10 and measure.hours_used == 2
    assert [p.id for p in measure.periods] == [world.a.training_period.id]
    assert measure.created_by_id == world.user(Role.COUNSELLOR).id
    page = client.get(f"/students/{student.id}/support/measures/{measure.id}").text
    assert "Bærbar med AppWriter" in page and "2 / 10" in page


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"hours_used": "12"}, "hours_used", "kan ikke være flere end de bevilgede timer (10)"),
        (
            {"next_follow_up": (TODAY - timedelta(days=1)).isoformat()},
            "next_follow_up",
            "Opfølgningsdatoen kan ikke ligge i fortiden.",
        ),
        (
            {"end_date": (TODAY - timedelta(days=1)).isoformat()},
            "end_date",
            "Slutdatoen skal",
        ),
        ({"hours_granted": "", "hours_used": "3"}, "hours_granted", "bevilgede timer"),
        ({"hours_granted": "-1"}, "hours_granted", "fra 0 til 10000"),
        ({"hours_granted": "mange"}, "hours_granted", "tal"),
        ({"type": ""}, "type", "Vælg en støttetype."),
        ({"type": "therapy"}, "type", "gyldigt"),
        ({"owner": "999999"}, "owner", "gyldigt"),
        ({"need": str(10**6)}, "need", "gyldigt"),
    ],
)
def test_measure_form_refuses_bad_input_and_keeps_what_was_typed(
    client, db, world, changes, field, message
):
    login(client, world.user(Role.COUNSELLOR))
    before = _count(db, SupportMeasure)
    data = _measure_form(world, description="Skal bevares 123", **changes)
    response = post(client, f"/students/{world.a.student.id}/support/measures/new", data)
    assert response.status_code == 200
    after_marker = response.text.split(f'data-testid="error-{field}"')[1]
    assert message in after_marker.split("</span>", 2)[0] + after_marker.split("</span>", 2)[1]
    assert "Skal bevares 123" in response.text
    assert _count(db, SupportMeasure) == before


def test_a_measure_needs_no_follow_up_change_to_be_saved_after_the_date_has_passed(
    client, db, world
):
    """Editing an old measure is not blocked by a follow-up date that has since passed."""
    measure = world.a.measure
    measure.next_follow_up = TODAY - timedelta(days=3)
    db.session.commit()
    login(client, world.user(Role.COUNSELLOR))
    form = _measure_form(
        world,
        next_follow_up=measure.next_follow_up.isoformat(),
        start_date=measure.start_date.isoformat(),
        evaluation="Virker godt",
        version=str(measure.version_id),
    )
    url = f"/students/{world.a.student.id}/support/measures/{measure.id}/edit"
    assert post(client, url, form).status_code == 302
    db.session.refresh(measure)
    assert measure.evaluation == "Virker godt"


def _step(client, world, measure, stage, on, **extra):
    return post(
        client,
        f"/students/{world.a.student.id}/support/measures/{measure.id}/sps",
        {"stage": stage, "date": on.isoformat(), "version": str(measure.version_id), **extra},
    )


def test_sps_application_goes_step_by_step_with_dates_and_names(client, db, world):
    measure = world.a.measure
    login(client, world.user(Role.COUNSELLOR))
    day = TODAY - timedelta(days=40)
    for n, stage in enumerate(["authorisation_signed", "documentation_complete", "applied"]):
        assert _step(client, world, measure, stage, day + timedelta(days=n)).status_code == 302
        db.session.refresh(measure)
    decided = day + timedelta(days=10)
    assert _step(client, world, measure, "granted", decided).status_code == 302
    db.session.refresh(measure)
    assert measure.sps_stage == SpsStage.GRANTED
    assert measure.complaint_deadline == decided + timedelta(weeks=4)
    page = client.get(f"/students/{world.a.student.id}/support/measures/{measure.id}").text
    assert "Klagefrist" in page and "Bevilget" in page
    assert world.user(Role.COUNSELLOR).name in page.split('data-testid="sps-steps"')[1]

    assert _step(client, world, measure, "in_use", decided + timedelta(days=2)).status_code == 302
    db.session.refresh(measure)
    # An IT package must say whether the equipment came back when it ends.
    response = _step(client, world, measure, "ended", TODAY)
    assert "Angiv, om udstyret er afleveret." in response.text
    assert (
        _step(client, world, measure, "ended", TODAY, equipment_returned="yes").status_code == 302
    )
    db.session.refresh(measure)
    assert measure.status.value == "ended" and measure.steps[-1].equipment_returned is True
    history = client.get(f"/students/{world.a.student.id}/history").text
    assert history.count("SPS, IT-pakke") == 6


def test_sps_decision_before_the_application_date_is_refused(client, db, world):
    measure = world.a.measure
    login(client, world.user(Role.COUNSELLOR))
    day = TODAY - timedelta(days=30)
    for stage in ("authorisation_signed", "documentation_complete"):
        _step(client, world, measure, stage, day)
        db.session.refresh(measure)
    _step(client, world, measure, "applied", day + timedelta(days=5))
    db.session.refresh(measure)
    response = _step(client, world, measure, "granted", day + timedelta(days=4))
    assert response.status_code == 200
    assert "Afgørelsesdatoen kan ikke ligge før ansøgningsdatoen." in response.text
    db.session.refresh(measure)
    assert measure.sps_stage == SpsStage.APPLIED
    assert len(measure.steps) == 3


def test_an_sps_step_cannot_be_dated_before_the_previous_one(client, db, world):
    measure = world.a.measure
    login(client, world.user(Role.COUNSELLOR))
    _step(client, world, measure, "authorisation_signed", TODAY - timedelta(days=3))
    db.session.refresh(measure)
    response = _step(client, world, measure, "documentation_complete", TODAY - timedelta(days=4))
    assert "Datoen kan ikke ligge før det forrige trin" in response.text
    db.session.refresh(measure)
    assert [s.stage for s in measure.steps] == [SpsStage.AUTHORISATION_SIGNED]


@pytest.mark.parametrize(
    "stage, on, message",
    [
        ("applied", TODAY, "gyldigt"),  # skipping the authorisation
        ("authorisation_signed", TODAY + timedelta(days=1), "fremtiden"),
        ("authorisation_signed", None, "Skriv en dato."),
    ],
)
def test_sps_steps_refuse_bad_input(client, db, world, stage, on, message):
    measure = world.a.measure
    login(client, world.user(Role.COUNSELLOR))
    data = {"stage": stage, "date": on.isoformat() if on else "", "version": "1"}
    response = post(
        client, f"/students/{world.a.student.id}/support/measures/{measure.id}/sps", data
    )
    assert response.status_code == 200
    assert message in response.text
    db.session.refresh(measure)
    assert measure.steps == []


def test_a_non_sps_measure_has_no_application(client, db, world):
    mentor = factories.support_measure(
        world.a.student, MeasureType.MENTOR, world.user(Role.COUNSELLOR)
    )
    db.session.commit()
    login(client, world.user(Role.COUNSELLOR))
    response = post(
        client,
        f"/students/{world.a.student.id}/support/measures/{mentor.id}/sps",
        {"stage": "authorisation_signed", "date": TODAY.isoformat(), "version": "1"},
    )
    assert response.status_code == 404


def test_counsellor_records_and_withdraws_consent(client, db, world):
    student = world.a.student
    login(client, world.user(Role.COUNSELLOR))
    form = {
        "category": "sps",
        "recipient": str(world.a.municipality.id),
        "valid_from": TODAY.isoformat(),
        "valid_to": "",
        "note": "Givet mundtligt ved samtale",
        "confirmed": "y",
    }
    assert post(client, f"/students/{student.id}/consents/new", form).status_code == 302
    consent = db.session.execute(
        select(Consent).where(Consent.note == "Givet mundtligt ved samtale")
    ).scalar_one()
    assert consent.recorded_by_id == world.user(Role.COUNSELLOR).id
    response = post(client, f"/students/{student.id}/consents/{consent.id}/withdraw")
    assert response.status_code == 302
    db.session.refresh(consent)
    assert consent.withdrawn_at is not None
    actions = (
        db.session.execute(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "consent", AuditEvent.object_id == consent.id)
            .order_by(AuditEvent.id)
        )
        .scalars()
        .all()
    )
    assert actions == [AuditAction.CREATE, AuditAction.UPDATE]
    history = client.get(f"/students/{student.id}/history").text
    assert "Samtykke givet: SPS til Kommune A" in history
    assert "Samtykke trukket tilbage: SPS til Kommune A" in history


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"confirmed": ""}, "confirmed", "Bekræft, at eleven har givet samtykket."),
        ({"category": []}, "category", "Vælg mindst én kategori"),
        ({"category": ["sps", "gossip"]}, "category", "gyldig"),
        ({"recipient": "WORLD_B"}, "recipient", "gyldigt"),
        (
            {"valid_to": (TODAY - timedelta(days=1)).isoformat()},
            "valid_to",
            "Slutdatoen skal",
        ),
        ({"valid_from": "i morgen"}, "valid_from", "dato"),
    ],
)
def test_consent_form_refuses_bad_input(client, db, world, changes, field, message):
    if changes.get("recipient") == "WORLD_B":
        changes = {"recipient": str(world.b.municipality.id)}
    login(client, world.user(Role.COUNSELLOR))
    before = _count(db, Consent)
    form = {
        "category": "sps",
        "recipient": str(world.a.municipality.id),
        "valid_from": TODAY.isoformat(),
        "note": "Bevares",
        "confirmed": "y",
        **changes,
    }
    response = post(client, f"/students/{world.a.student.id}/consents/new", form)
    assert response.status_code == 200
    assert message in response.text.split(f'data-testid="error-{field}"')[1][:400]
    assert "Bevares" in response.text
    assert _count(db, Consent) == before


def _consent_form(world, **changes) -> dict:
    return {
        "category": ["support_needs", "sps", "health"],
        "recipient": str(world.a.municipality.id),
        "valid_from": TODAY.isoformat(),
        "valid_to": "",
        "note": "Underskrevet på papir",
        "confirmed": "y",
        **changes,
    }


def test_several_categories_to_one_organisation_in_one_form(client, db, world):
    """One consent per ticked category, each in the case history under the counsellor's name,
    and the workplace then sees exactly those categories."""
    student = world.a.student
    counsellor = world.user(Role.COUNSELLOR)
    login(client, counsellor)
    page = client.get(f"/students/{student.id}/consents/new").text
    assert page.count('class="form-checkbox"') >= 3  # one checkbox per category
    assert 'type="checkbox"' in page.split('data-testid="consent-categories"')[1]

    before = _count(db, Consent)
    response = post(client, f"/students/{student.id}/consents/new", _consent_form(world))
    assert response.status_code == 302
    new = (
        db.session.execute(select(Consent).where(Consent.note == "Underskrevet på papir"))
        .scalars()
        .all()
    )
    assert _count(db, Consent) == before + 3
    assert {c.category for c in new} == {
        ConsentCategory.SUPPORT_NEEDS,
        ConsentCategory.SPS,
        ConsentCategory.HEALTH,
    }
    assert {c.recipient_id for c in new} == {world.a.municipality.id}
    assert {c.recorded_by_id for c in new} == {counsellor.id}
    events = (
        db.session.execute(
            select(CaseEvent).where(
                CaseEvent.kind == CaseEventKind.CONSENT_GIVEN, CaseEvent.student_id == student.id
            )
        )
        .scalars()
        .all()
    )
    assert len(events) == 3
    assert {e.user_id for e in events} == {counsellor.id}
    assert "3 samtykker blev registreret" in client.get(response.headers["Location"]).text
    history = client.get(f"/students/{student.id}/history").text
    for label in ("Støttebehov", "SPS", "Helbredsoplysninger"):
        assert f"Samtykke givet: {label} til Kommune A" in history


def test_an_active_consent_is_reported_and_nothing_is_recorded(client, db, world):
    student = world.a.student
    counsellor = world.user(Role.COUNSELLOR)
    factories.consent(student, ConsentCategory.SUPPORT_NEEDS, world.a.municipality, counsellor)
    db.session.commit()
    login(client, counsellor)
    before = (_count(db, Consent), _count(db, CaseEvent))
    response = post(client, f"/students/{student.id}/consents/new", _consent_form(world))
    assert response.status_code == 200
    error = response.text.split('data-testid="error-category"')[1][:600]
    assert "allerede givet samtykke til at dele Støttebehov med Kommune A" in error
    assert "SPS" not in error  # the SPS consent was withdrawn: it may be given again
    assert "Underskrevet på papir" in response.text  # what was typed is kept
    assert 'value="sps" checked' in response.text or "checked" in response.text
    assert (_count(db, Consent), _count(db, CaseEvent)) == before

    # Another organisation, or after the existing consent ends, is not a duplicate.
    factories.consent(
        student,
        ConsentCategory.HEALTH,
        world.a.municipality,
        counsellor,
        valid_to=TODAY + timedelta(days=10),
    )
    db.session.commit()
    response = post(
        client,
        f"/students/{student.id}/consents/new",
        _consent_form(
            world, category=["health"], valid_from=(TODAY + timedelta(days=11)).isoformat()
        ),
    )
    assert response.status_code == 302


def test_a_withdrawn_category_can_be_given_again_and_the_rules_still_hold(client, db, world):
    """The student's rules: health data only together with support needs; a withdrawal stops
    the sharing of that one category, not the others recorded with it."""
    student = world.a.student
    login(client, world.user(Role.COUNSELLOR))
    response = post(
        client,
        f"/students/{student.id}/consents/new",
        _consent_form(world, category=["sps", "health"]),
    )
    assert response.status_code == 302
    from app.access.support import consented_to

    assert consented_to(student, {world.a.municipality.id}) == {ConsentCategory.SPS}
    sps = db.session.execute(
        select(Consent).where(
            Consent.category == ConsentCategory.SPS, Consent.withdrawn_at.is_(None)
        )
    ).scalar_one()
    assert post(client, f"/students/{student.id}/consents/{sps.id}/withdraw").status_code == 302
    assert consented_to(student, {world.a.municipality.id}) == frozenset()
    response = post(
        client,
        f"/students/{student.id}/consents/new",
        _consent_form(world, category=["support_needs"]),
    )
    assert response.status_code == 302
    assert consented_to(student, {world.a.municipality.id}) == {
        ConsentCategory.SUPPORT_NEEDS,
        ConsentCategory.HEALTH,
    }


@pytest.mark.parametrize("role", [Role.TEACHER, Role.SCHOOL_ADMIN, Role.SUPERVISOR])
def test_only_the_counsellor_records_support(client, db, world, role):
    login(client, world.user(role))
    before = (_count(db, SupportNeed), _count(db, SupportMeasure), _count(db, Consent))
    s = world.a.student.id
    for url, data in (
        (f"/students/{s}/support/needs/new", _need_form(world)),
        (f"/students/{s}/support/measures/new", _measure_form(world)),
        (f"/students/{s}/consents/new", {"category": "sps"}),
    ):
        assert post(client, url, data).status_code in (403, 404)
    assert (_count(db, SupportNeed), _count(db, SupportMeasure), _count(db, Consent)) == before


def test_new_handover_note_is_prefilled_with_the_consented_support(client, db, world):
    counsellor = world.user(Role.COUNSELLOR)
    s = factories.student(world.a.school, last_name="Overgang", employer=world.a.municipality)
    factories.period(s, PeriodKind.SCHOOL, TODAY - timedelta(days=60), TODAY + timedelta(days=9))
    training = factories.period(
        s,
        PeriodKind.TRAINING,
        TODAY + timedelta(days=10),
        TODAY + timedelta(days=90),
        world.a.workplace,
    )
    factories.support_measure(s, MeasureType.IT_PACKAGE, counsellor, "Bærbar-SENTINEL")
    factories.support_measure(s, MeasureType.MENTOR, counsellor, "Mentor-SENTINEL")
    db.session.commit()
    login(client, world.user(Role.TEACHER))
    url = f"/students/{s.id}/handovers/{training.id}/write"
    form = client.get(url).text
    assert "Bærbar-SENTINEL" not in form and "Mentor-SENTINEL" not in form
    assert "Der er aftalt yderligere støtte" in form and counsellor.name in form

    factories.consent(s, ConsentCategory.SPS, world.a.municipality, counsellor)
    db.session.commit()
    form = client.get(url).text
    assert "IT-pakke (Skole): Bærbar-SENTINEL" in form
    assert "Mentor-SENTINEL" not in form


def test_follow_ups_list_due_and_overdue_measures_of_mine(client, db, world):
    counsellor = world.user(Role.COUNSELLOR)
    s = world.a.student
    factories.support_measure(
        s, MeasureType.MENTOR, counsellor, follow_up=TODAY - timedelta(days=2)
    )
    factories.support_measure(
        s, MeasureType.EXTRA_GUIDANCE, counsellor, follow_up=TODAY + timedelta(days=5)
    )
    factories.support_measure(
        s, MeasureType.LANGUAGE_SUPPORT, counsellor, follow_up=TODAY + timedelta(days=60)
    )
    factories.support_measure(s, MeasureType.NOTA, world.user(Role.TEACHER), follow_up=TODAY)
    db.session.commit()
    login(client, counsellor)
    page = client.get("/follow-ups").text
    table = page.split('data-testid="follow-ups"')[1]
    assert "Mentor" in table and "Ekstra vejledning" in table
    assert "Sprogstøtte" not in table  # not due yet
    assert "NOTA" not in table  # the teacher's
    assert table.count('data-testid="overdue"') == 1


def test_follow_ups_run_a_bounded_number_of_queries(client, db, world, count_queries):
    counsellor = world.user(Role.COUNSELLOR)
    login(client, counsellor)
    factories.support_measure(world.a.student, MeasureType.MENTOR, counsellor, follow_up=TODAY)
    db.session.commit()
    with count_queries() as few:
        client.get("/follow-ups")
    for n in range(12):
        s = factories.student(world.a.school, last_name=f"Opf{n}")
        factories.support_measure(s, MeasureType.MENTOR, counsellor, follow_up=TODAY)
    db.session.commit()
    with count_queries() as many:
        page = client.get("/follow-ups").text
    assert page.count('data-testid="follow-up-') == 10  # a full page
    assert many.count == few.count <= 12


def test_student_list_and_page_run_a_bounded_number_of_queries(client, db, world, count_queries):
    counsellor = world.user(Role.COUNSELLOR)
    # The supervisor sees student A's SPS measure in both runs (and so both log the view).
    factories.consent(world.a.student, ConsentCategory.SPS, world.a.municipality, counsellor)
    db.session.commit()
    login(client, world.user(Role.SUPERVISOR))
    with count_queries() as few:
        client.get("/students/")
        client.get(f"/students/{world.a.student.id}")
        client.get(f"/students/{world.a.student.id}/support")
    for n in range(10):
        s = factories.student(
            world.a.school,
            last_name=f"Mange{n}",
            training_at=world.a.workplace,
            employer=world.a.municipality,
        )
        # ADHD is health data: consent to support needs alone does not reveal it.
        kind = "dyslexia" if n % 2 == 0 else "adhd"
        need = factories.support_need(s, kind, world.user(Role.COUNSELLOR))
        factories.support_measure(s, MeasureType.MENTOR, world.user(Role.COUNSELLOR), need=need)
        factories.consent(s, ConsentCategory.SUPPORT_NEEDS, world.a.municipality, counsellor)
    for _ in range(5):
        factories.support_measure(world.a.student, MeasureType.NOTA, counsellor)
        factories.consent(world.a.student, ConsentCategory.SPS, world.a.municipality, counsellor)
    db.session.commit()
    with count_queries() as many:
        listing = client.get("/students/").text
        client.get(f"/students/{world.a.student.id}")
        client.get(f"/students/{world.a.student.id}/support")
    # Page 1: EfternavnA (SPS consent only: no flag), Mange0..Mange8; the even ones have
    # dyslexia under consent, the odd ones ADHD without health consent.
    assert "Mange8" in listing
    assert listing.count('data-testid="support-flag"') == 5
    assert many.count == few.count


def test_transition_lists_flag_support_the_viewer_may_know_about(client, db, world):
    counsellor = world.user(Role.COUNSELLOR)
    s = factories.student(world.a.school, last_name="Flaget", employer=world.a.municipality)
    factories.period(s, PeriodKind.SCHOOL, TODAY - timedelta(days=60), TODAY + timedelta(days=4))
    factories.period(
        s,
        PeriodKind.TRAINING,
        TODAY + timedelta(days=5),
        TODAY + timedelta(days=90),
        world.a.workplace,
    )
    factories.support_need(s, "dyslexia", counsellor)
    db.session.commit()

    def flagged(page: str) -> bool:
        row = next(r for r in page.split("<tr") if "Flaget," in r)
        return 'data-testid="support-flag"' in row

    login(client, counsellor)
    assert flagged(client.get("/transitions").text)
    post(client, "/logout")
    login(client, world.user(Role.SUPERVISOR))
    assert not flagged(client.get("/starting-soon").text)
    factories.consent(s, ConsentCategory.SUPPORT_NEEDS, world.a.municipality, counsellor)
    db.session.commit()
    assert flagged(client.get("/starting-soon").text)


def test_support_page_marks_an_overdue_follow_up(client, db, world):
    """The measures table on the support page shows follow-up dates and flags overdue ones."""
    world.a.measure.next_follow_up = TODAY - timedelta(days=3)
    db.session.commit()
    login(client, world.user(Role.COUNSELLOR))
    response = client.get(f"/students/{world.a.student.id}/support")
    assert response.status_code == 200
    row = response.text.split(f'data-testid="measure-{world.a.measure.id}"')[1].split("</tr>")[0]
    assert "Overskredet" in row
