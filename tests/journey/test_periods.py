"""Editing a plan: dates, overlaps, extensions, change of workplace, dropout, concurrent edits."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.models import (
    CaseEvent,
    CaseEventKind,
    DropoutReason,
    Period,
    PeriodKind,
    PeriodStatus,
    Role,
    StudentStatus,
)
from tests import factories
from tests.conftest import login, post

TODAY = date.today()


@pytest.fixture
def plan(db, world):
    """World student A: school period, training period at Plejecenter A (now), then school."""
    s = world.a.student
    later = factories.period(
        s, PeriodKind.SCHOOL, TODAY + timedelta(days=111), TODAY + timedelta(days=150)
    )
    db.session.commit()
    return world.a.school_period, world.a.training_period, later


def _form(period: Period, **changes) -> dict:
    data = {
        "title": period.title or "Periode",
        "kind": period.kind.value,
        "start_date": period.start_date.isoformat(),
        "end_date": period.end_date.isoformat(),
        "workplace": str(period.workplace_id or ""),
        "responsible": "",
        "status": period.status.value,
        "version": str(period.version_id),
    }
    data.update(changes)
    return data


def _url(world, period, action="edit") -> str:
    return f"/students/{world.a.student.id}/periods/{period.id}/{action}"


def _events(db, student_id, kind):
    return (
        db.session.execute(
            select(CaseEvent).where(CaseEvent.student_id == student_id, CaseEvent.kind == kind)
        )
        .scalars()
        .all()
    )


def test_overlapping_period_is_rejected_with_a_clear_message(client, db, world, plan):
    _school, training, later = plan
    login(client, world.user(Role.TEACHER))
    data = _form(later, start_date=(training.end_date - timedelta(days=5)).isoformat())
    response = post(client, _url(world, later), data)
    assert response.status_code == 200
    assert "Datoerne overlapper" in response.text
    assert 'data-testid="error-start_date"' in response.text
    assert data["start_date"] in response.text  # what was typed is kept
    db.session.refresh(later)
    assert later.start_date == TODAY + timedelta(days=111)


def test_new_period_overlapping_is_rejected(client, db, world, plan):
    login(client, world.user(Role.COUNSELLOR))
    count = len(
        db.session.execute(select(Period.id).where(Period.student_id == world.a.student.id)).all()
    )
    response = post(
        client,
        f"/students/{world.a.student.id}/periods/new",
        {
            "title": "Ekstra",
            "kind": "school",
            "start_date": TODAY.isoformat(),
            "end_date": (TODAY + timedelta(days=3)).isoformat(),
            "status": "planned",
        },
    )
    assert response.status_code == 200 and "Datoerne overlapper" in response.text
    assert (
        len(
            db.session.execute(
                select(Period.id).where(Period.student_id == world.a.student.id)
            ).all()
        )
        == count
    )


def test_end_before_start_is_rejected(client, db, world, plan):
    _, _, later = plan
    login(client, world.user(Role.TEACHER))
    data = _form(later, end_date=(later.start_date - timedelta(days=1)).isoformat())
    response = post(client, _url(world, later), data)
    assert "Slutdatoen skal være samme dag som eller efter startdatoen." in response.text
    assert 'data-testid="error-end_date"' in response.text


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"title": ""}, "title", "Udfyld feltet."),
        ({"title": "x" * 121}, "title", "Må højst være 120 tegn."),
        ({"title": "<script>alert(1)</script>"}, "title", "Må ikke indeholde"),
        ({"title": "{{7*7}}"}, "title", "Må ikke indeholde"),
        ({"start_date": "i morgen"}, "start_date", "Ugyldig dato"),
        ({"kind": "holiday"}, "kind", "Ugyldigt valg."),
        ({"workplace": "abc"}, "workplace", "Ugyldigt valg."),
        ({"status": "lost"}, "status", "Ugyldigt valg."),
    ],
)
def test_period_form_rejects_bad_input(client, db, world, plan, changes, field, message):
    _, training, _ = plan
    login(client, world.user(Role.TEACHER))
    response = post(client, _url(world, training), _form(training, **changes))
    assert response.status_code == 200
    assert f'data-testid="error-{field}"' in response.text and message in response.text
    assert ">49<" not in response.text
    db.session.refresh(training)
    assert training.title == "" and training.version_id == 1


def test_change_of_workplace_is_attributed_and_in_the_history(client, db, world, plan):
    _, training, _ = plan
    new_place = factories.workplace(world.a.municipality, "Hjemmeplejen Nord")
    db.session.commit()
    coordinator = world.user(Role.TRAINING_COORDINATOR)
    login(client, coordinator)
    response = post(client, _url(world, training), _form(training, workplace=str(new_place.id)))
    assert response.status_code == 302
    db.session.refresh(training)
    assert training.workplace_id == new_place.id
    [event] = _events(db, world.a.student.id, CaseEventKind.WORKPLACE_CHANGED)
    assert event.user_id == coordinator.id
    history = client.get(f"/students/{world.a.student.id}/history").text
    assert "Skift af oplæringssted" in history and "Hjemmeplejen Nord" in history
    assert coordinator.name in history


def test_coordinator_can_only_choose_own_workplaces(client, db, world, plan):
    _, training, _ = plan
    login(client, world.user(Role.TRAINING_COORDINATOR))
    response = post(
        client, _url(world, training), _form(training, workplace=str(world.b.workplace.id))
    )
    assert response.status_code == 200 and "Ugyldigt valg." in response.text


def test_extension_moves_the_later_periods(client, db, world, plan):
    _, training, later = plan
    login(client, world.user(Role.TEACHER))
    new_end = training.end_date + timedelta(days=14)
    response = post(
        client,
        _url(world, training, "extend"),
        {
            "new_end_date": new_end.isoformat(),
            "shift_following": "y",
            "version": str(training.version_id),
        },
    )
    assert response.status_code == 302
    db.session.refresh(training)
    db.session.refresh(later)
    assert training.end_date == new_end
    assert training.original_end_date == new_end - timedelta(days=14)
    assert later.start_date == TODAY + timedelta(days=125)
    assert _events(db, world.a.student.id, CaseEventKind.PERIOD_EXTENDED)
    assert "forlænget fra" in client.get(f"/students/{world.a.student.id}").text


def test_extension_into_the_next_period_without_moving_it_is_refused(client, db, world, plan):
    _, training, later = plan
    login(client, world.user(Role.TEACHER))
    response = post(
        client,
        _url(world, training, "extend"),
        {
            "new_end_date": (later.start_date + timedelta(days=3)).isoformat(),
            "version": str(training.version_id),
        },
    )
    assert response.status_code == 200 and "Datoerne overlapper" in response.text
    response = post(
        client,
        _url(world, training, "extend"),
        {"new_end_date": training.end_date.isoformat(), "version": str(training.version_id)},
    )
    assert "En forlængelse skal slutte efter den nuværende slutdato." in response.text


def test_two_people_editing_the_same_period_second_save_is_refused(app, client, db, world, plan):
    _, training, _ = plan
    teacher, coordinator = world.user(Role.TEACHER), world.user(Role.TRAINING_COORDINATOR)
    other = app.test_client()
    login(client, teacher)
    login(other, coordinator)
    # Both open the form and see version 1.
    assert 'name="version" type="hidden" value="1"' in client.get(_url(world, training)).text
    assert 'name="version" type="hidden" value="1"' in other.get(_url(world, training)).text

    opened = _form(training)  # what both forms hold, version 1 included
    first = post(client, _url(world, training), {**opened, "title": "Lærerens titel"})
    assert first.status_code == 302
    second = post(other, _url(world, training), {**opened, "title": "Konsulentens titel"})
    assert second.status_code == 302
    assert second.headers["Location"] == _url(world, training)  # reload the form
    reloaded = other.get(second.headers["Location"]).text
    assert "En anden har ændret dette, mens du redigerede." in reloaded
    assert 'value="Lærerens titel"' in reloaded
    db.session.refresh(training)
    assert training.title == "Lærerens titel" and training.version_id == 2


def test_dropout_needs_a_reason(client, db, world, plan):
    login(client, world.user(Role.COUNSELLOR))
    url = f"/students/{world.a.student.id}/dropout"
    version = str(world.a.student.version_id)
    response = post(client, url, {"date": TODAY.isoformat(), "reason": "", "version": version})
    assert response.status_code == 200
    assert "Vælg en årsag." in response.text
    db.session.refresh(world.a.student)
    assert world.a.student.status == StudentStatus.ACTIVE


def test_dropout_and_readmission_are_recorded(client, db, world, plan):
    _, training, _ = plan
    counsellor = world.user(Role.COUNSELLOR)
    login(client, counsellor)
    student = world.a.student
    response = post(
        client,
        f"/students/{student.id}/dropout",
        {"date": TODAY.isoformat(), "reason": "health", "version": str(student.version_id)},
    )
    assert response.status_code == 302
    db.session.refresh(student)
    db.session.refresh(training)
    assert student.status == StudentStatus.DROPPED_OUT
    assert student.dropout_reason == DropoutReason.HEALTH
    assert training.status == PeriodStatus.INTERRUPTED
    page = client.get(f"/students/{student.id}").text
    assert "Afbrudt" in page and "Helbred" in page

    response = post(
        client,
        f"/students/{student.id}/readmit",
        {"date": (TODAY + timedelta(days=1)).isoformat(), "version": str(student.version_id)},
    )
    assert response.status_code == 302
    db.session.refresh(student)
    assert student.status == StudentStatus.ACTIVE and student.dropout_reason is None
    kinds = [
        e.kind
        for e in db.session.execute(
            select(CaseEvent).where(CaseEvent.student_id == student.id).order_by(CaseEvent.id)
        ).scalars()
    ]
    assert kinds[-2:] == [CaseEventKind.DROPPED_OUT, CaseEventKind.READMITTED]
    history = client.get(f"/students/{student.id}/history").text
    assert "Afbrudt" in history and "Genoptaget" in history and counsellor.name in history


def test_supervisor_reads_the_plan_but_cannot_edit_it(client, world, plan):
    _, training, _ = plan
    login(client, world.user(Role.SUPERVISOR))
    page = client.get(f"/students/{world.a.student.id}").text
    assert 'data-testid="timeline"' in page
    assert "/edit" not in page and "/extend" not in page  # no edit links
    assert client.get(_url(world, training)).status_code == 403


def test_deleting_a_period(client, db, world, plan):
    _, training, later = plan
    later_id, training_id, student_id = later.id, training.id, world.a.student.id
    login(client, world.user(Role.TEACHER))
    post(client, _url(world, later, "delete"))
    db.session.expunge_all()
    assert db.session.get(Period, later_id) is None
    assert _events(db, student_id, CaseEventKind.PERIOD_DELETED)
    # A period with a handover note stays.
    response = post(client, f"/students/{student_id}/periods/{training_id}/delete")
    assert "har et overleveringsnotat" in client.get(response.headers["Location"]).text
    assert db.session.get(Period, training_id) is not None


def test_every_change_is_in_the_access_log_too(client, db, world, plan):
    from app.models import AuditAction, AuditEvent

    _, training, later = plan
    teacher = world.user(Role.TEACHER)
    login(client, teacher)
    post(client, _url(world, training), _form(training, title="Ny titel"))
    post(client, _url(world, later, "delete"))
    rows = db.session.execute(
        select(AuditEvent.action, AuditEvent.student_id, AuditEvent.user_id).where(
            AuditEvent.action.in_([AuditAction.UPDATE, AuditAction.DELETE])
        )
    ).all()
    assert (AuditAction.UPDATE, world.a.student.id, teacher.id) in rows
    assert (AuditAction.DELETE, world.a.student.id, teacher.id) in rows
    criteria = db.session.execute(select(AuditEvent.criterion)).scalars().all()
    assert not any("Ny titel" in c for c in criteria)  # never field contents


@pytest.mark.parametrize(
    "action, data, field, message",
    [
        ("extend", {"new_end_date": "31/12/2027"}, "new_end_date", "Ugyldig dato"),
        ("extend", {"new_end_date": ""}, "new_end_date", "Skriv en dato."),
        ("extend", {"new_end_date": "{{7*7}}"}, "new_end_date", "Ugyldig dato"),
    ],
)
def test_extension_form_rejects_bad_input(client, db, world, plan, action, data, field, message):
    _, training, _ = plan
    login(client, world.user(Role.TEACHER))
    response = post(client, _url(world, training, action), {**data, "version": "1"})
    assert response.status_code == 200
    assert f'data-testid="error-{field}"' in response.text and message in response.text
    assert ">49<" not in response.text
    db.session.refresh(training)
    assert training.original_end_date is None


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"date": "", "reason": "health"}, "date", "Skriv en dato."),
        ({"date": "<script>", "reason": "health"}, "date", "Ugyldig dato"),
        ({"date": TODAY.isoformat(), "reason": "boredom"}, "reason", "Ugyldigt valg."),
    ],
)
def test_dropout_form_rejects_bad_input(client, db, world, plan, data, field, message):
    login(client, world.user(Role.COUNSELLOR))
    response = post(client, f"/students/{world.a.student.id}/dropout", {**data, "version": "1"})
    assert response.status_code == 200
    assert f'data-testid="error-{field}"' in response.text and message in response.text
    assert "<script>" not in response.text.split("<main")[1]
    db.session.refresh(world.a.student)
    assert world.a.student.status == StudentStatus.ACTIVE


def test_readmission_form_rejects_bad_dates(client, db, world, plan):
    student = world.a.student
    student.status = StudentStatus.DROPPED_OUT
    student.dropout_date = TODAY
    student.dropout_reason = DropoutReason.MOVED
    db.session.commit()
    login(client, world.user(Role.COUNSELLOR))
    url = f"/students/{student.id}/readmit"
    version = str(student.version_id)
    response = post(client, url, {"date": "i går", "version": version})
    assert "Ugyldig dato" in response.text
    response = post(
        client, url, {"date": (TODAY - timedelta(days=3)).isoformat(), "version": version}
    )
    assert "Genoptagelse kan ikke ligge før datoen for afbrud." in response.text
    db.session.refresh(student)
    assert student.status == StudentStatus.DROPPED_OUT


def test_planned_periods_show_as_ongoing_and_completed_as_time_passes(db, world):
    from app.models import Period

    period = Period(
        kind=PeriodKind.SCHOOL,
        start_date=TODAY - timedelta(days=5),
        end_date=TODAY + timedelta(days=5),
        status=PeriodStatus.PLANNED,
    )
    assert period.status_on(TODAY) == PeriodStatus.ONGOING
    assert period.status_on(TODAY + timedelta(days=6)) == PeriodStatus.COMPLETED
    assert period.status_on(TODAY - timedelta(days=6)) == PeriodStatus.PLANNED
    period.status = PeriodStatus.INTERRUPTED
    assert period.status_on(TODAY + timedelta(days=6)) == PeriodStatus.INTERRUPTED


def test_a_period_at_an_earlier_employers_workplace_can_still_be_edited(client, db, world, plan):
    _, training, _ = plan
    training.workplace = world.b.workplace  # e.g. the student changed employer since
    db.session.commit()
    login(client, world.user(Role.TEACHER))
    response = post(client, _url(world, training), _form(training, title="Ny titel"))
    assert response.status_code == 302
    db.session.refresh(training)
    assert training.title == "Ny titel" and training.workplace_id == world.b.workplace.id


def test_periods_after_a_dropout_are_not_shown_as_planned_or_completed(client, db, world, plan):
    """The periods the student will not come to are interrupted; re-admission brings them back."""
    _, _, later = plan
    student = world.a.student
    login(client, world.user(Role.COUNSELLOR))
    post(
        client,
        f"/students/{student.id}/dropout",
        {"date": TODAY.isoformat(), "reason": "moved", "version": str(student.version_id)},
    )
    db.session.refresh(student)
    assert later.status_on(TODAY + timedelta(days=200)) == PeriodStatus.INTERRUPTED
    page = client.get(f"/students/{student.id}").text
    row = page.split(f'data-testid="period-{later.id}"')[1].split("</tr>")[0]
    assert "Afbrudt" in row and "Planlagt" not in row

    post(
        client,
        f"/students/{student.id}/readmit",
        {"date": TODAY.isoformat(), "version": str(student.version_id)},
    )
    db.session.refresh(student)
    assert later.status_on(TODAY) == PeriodStatus.PLANNED


# --- the responsible person of a training period (issue 12) -----------------------------------


def _responsible_options(html: str) -> str:
    return html.split('name="responsible"')[1].split("</select>")[0]


def test_a_training_period_offers_only_supervisors_at_its_workplace(client, db, world, plan):
    _school, training, _later = plan
    other_wp = factories.workplace(world.a.municipality, "Hjemmeplejen Nord")
    elsewhere = factories.user(Role.SUPERVISOR, world.a.municipality, other_wp)
    db.session.commit()
    login(client, world.user(Role.TEACHER))
    options = _responsible_options(client.get(_url(world, training)).text)
    assert f'value="{world.user(Role.SUPERVISOR).id}"' in options
    assert f'value="{world.user(Role.TEACHER).id}"' not in options
    assert f'value="{elsewhere.id}"' not in options


def test_a_teacher_posted_as_responsible_for_a_training_period_is_refused(client, db, world, plan):
    _school, training, _later = plan
    teacher = world.user(Role.TEACHER)
    login(client, teacher)
    response = post(client, _url(world, training), _form(training, responsible=str(teacher.id)))
    assert response.status_code == 200
    error = response.text.split('data-testid="error-responsible"')[1][:400]
    assert "oplæringsvejleder" in error
    db.session.refresh(training)
    assert training.responsible_id is None


def test_a_supervisor_at_another_workplace_is_refused_too(client, db, world, plan):
    _school, training, _later = plan
    other_wp = factories.workplace(world.a.municipality, "Hjemmeplejen Syd")
    elsewhere = factories.user(Role.SUPERVISOR, world.a.municipality, other_wp)
    db.session.commit()
    login(client, world.user(Role.TEACHER))
    response = post(client, _url(world, training), _form(training, responsible=str(elsewhere.id)))
    assert response.status_code == 200
    assert 'data-testid="error-responsible"' in response.text
    db.session.refresh(training)
    assert training.responsible_id is None


def test_the_supervisor_at_the_workplace_can_be_responsible(client, db, world, plan):
    _school, training, _later = plan
    supervisor = world.user(Role.SUPERVISOR)
    login(client, world.user(Role.TEACHER))
    data = _form(training, responsible=str(supervisor.id))
    assert post(client, _url(world, training), data).status_code == 302
    db.session.refresh(training)
    assert training.responsible_id == supervisor.id


def test_a_new_training_period_with_a_teacher_as_responsible_is_refused(client, db, world, plan):
    login(client, world.user(Role.TEACHER))
    data = {
        "title": "Oplæring 2",
        "kind": "training",
        "start_date": (TODAY + timedelta(days=200)).isoformat(),
        "end_date": (TODAY + timedelta(days=300)).isoformat(),
        "workplace": str(world.a.workplace.id),
        "responsible": str(world.user(Role.TEACHER).id),
        "status": "planned",
    }
    response = post(client, f"/students/{world.a.student.id}/periods/new", data)
    assert response.status_code == 200
    assert 'data-testid="error-responsible"' in response.text
    assert db.session.execute(select(Period).filter_by(title="Oplæring 2")).first() is None
