"""Plans copied from programme templates; the new-student page; the template editor."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.journey.programmes import ensure_programmes
from app.models import (
    CaseEvent,
    CaseEventKind,
    Period,
    PeriodKind,
    PeriodStatus,
    Programme,
    Role,
    Student,
    TemplatePeriod,
    TrainingArea,
)
from tests import factories
from tests.conftest import login, post


@pytest.fixture
def programmes(db):
    result = ensure_programmes()
    db.session.commit()
    return result


def _new_student(client, world, programmes, **overrides):
    data = {
        "first_name": "Sofie",
        "last_name": "Holm",
        "student_number": "E2026-00001",
        "email": "sofie.holm@elev.example.dk",
        "phone": "+45 12 34 56 78",
        "school": str(world.a.school.id),
        "programme": str(programmes["SSA"].id),
        "start_date": "2027-01-04",
        "create_plan": "y",
    }
    data.update(overrides)
    return post(client, "/students/new", data)


def _plan(db, student_id):
    return (
        db.session.execute(
            select(Period).where(Period.student_id == student_id).order_by(Period.start_date)
        )
        .scalars()
        .all()
    )


def test_new_ssa_student_gets_three_training_periods_in_order(client, db, world, programmes):
    login(client, world.user(Role.COUNSELLOR))
    response = _new_student(client, world, programmes)
    assert response.status_code == 302
    student = db.session.execute(
        select(Student).filter_by(student_number="E2026-00001")
    ).scalar_one()
    assert response.headers["Location"] == f"/students/{student.id}"

    plan = _plan(db, student.id)
    training = [p for p in plan if p.kind == PeriodKind.TRAINING]
    assert [p.training_area for p in training] == [
        TrainingArea.LOCAL_HEALTH_CARE,
        TrainingArea.PSYCHIATRY,
        TrainingArea.HOSPITAL_SOMATICS,
    ]
    assert [(p.end_date - p.start_date).days + 1 for p in training] == [40 * 7, 18 * 7, 40 * 7]
    # Back to back from the start date, school first, all planned, 2 years 9 months 3 weeks.
    assert plan[0].kind == PeriodKind.SCHOOL and plan[0].start_date == date(2027, 1, 4)
    for before, after in itertools.pairwise(plan):
        assert after.start_date == before.end_date + timedelta(days=1)
    assert (plan[-1].end_date - plan[0].start_date).days + 1 == 143 * 7
    assert {p.status for p in plan} == {PeriodStatus.PLANNED}

    kinds = (
        db.session.execute(select(CaseEvent.kind).where(CaseEvent.student_id == student.id))
        .scalars()
        .all()
    )
    assert sorted(kinds) == sorted([CaseEventKind.STUDENT_CREATED, CaseEventKind.PLAN_CREATED])
    page = client.get(f"/students/{student.id}").text
    assert 'data-testid="timeline"' in page
    assert "Oplæringsperiode 2 – psykiatri" in page
    assert "Plan oprettet fra uddannelsens skabelon" in page


def test_plan_in_the_past_is_marked_completed_and_ongoing(client, db, world, programmes):
    login(client, world.user(Role.COUNSELLOR))
    start = date.today() - timedelta(weeks=12)
    _new_student(client, world, programmes, start_date=start.isoformat())
    plan = _plan(
        db,
        db.session.execute(select(Student.id).filter_by(student_number="E2026-00001")).scalar_one(),
    )
    assert [p.status for p in plan[:3]] == [
        PeriodStatus.COMPLETED,
        PeriodStatus.ONGOING,
        PeriodStatus.PLANNED,
    ]


def test_changing_the_template_leaves_existing_plans_alone(client, db, world, programmes):
    login(client, world.user(Role.COUNSELLOR))
    _new_student(client, world, programmes)
    student_id = db.session.execute(
        select(Student.id).filter_by(student_number="E2026-00001")
    ).scalar_one()
    before = [(p.title, p.start_date, p.end_date) for p in _plan(db, student_id)]

    admin = world.system_admin
    admin_client = client.application.test_client()
    login(admin_client, admin)
    ssa = programmes["SSA"]
    first_training = db.session.execute(
        select(TemplatePeriod).filter_by(programme_id=ssa.id, position=2)
    ).scalar_one()
    response = post(
        admin_client,
        f"/admin/programmes/{ssa.id}/periods/{first_training.id}/edit",
        {
            "kind": "training",
            "title": "Oplæring 1 (ny)",
            "weeks": "30",
            "training_area": "local_health_care",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(TemplatePeriod, first_training.id).weeks == 30
    assert [(p.title, p.start_date, p.end_date) for p in _plan(db, student_id)] == before

    # ...while a new student gets the new template.
    _new_student(client, world, programmes, student_number="E2026-00002")
    new_id = db.session.execute(
        select(Student.id).filter_by(student_number="E2026-00002")
    ).scalar_one()
    second = _plan(db, new_id)[1]
    assert second.title == "Oplæring 1 (ny)"
    assert (second.end_date - second.start_date).days + 1 == 30 * 7


def test_template_editor_moves_and_removes_periods(client, db, world, programmes):
    login(client, world.system_admin)
    ssa = programmes["SSA"]
    rows = (
        db.session.execute(
            select(TemplatePeriod).filter_by(programme_id=ssa.id).order_by(TemplatePeriod.position)
        )
        .scalars()
        .all()
    )
    post(client, f"/admin/programmes/{ssa.id}/periods/{rows[1].id}/move", {"direction": "up"})
    db.session.expire_all()
    titles = (
        db.session.execute(
            select(TemplatePeriod.title)
            .filter_by(programme_id=ssa.id)
            .order_by(TemplatePeriod.position)
        )
        .scalars()
        .all()
    )
    assert titles[0].startswith("Oplæringsperiode 1") and titles[1] == "Skoleperiode 1"
    post(client, f"/admin/programmes/{ssa.id}/periods/{rows[0].id}/delete")
    positions = (
        db.session.execute(
            select(TemplatePeriod.position)
            .filter_by(programme_id=ssa.id)
            .order_by(TemplatePeriod.position)
        )
        .scalars()
        .all()
    )
    assert positions == list(range(1, 7))
    page = client.get(f"/admin/programmes/{ssa.id}").text
    assert "Skoleperiode 1<" not in page


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"title": "", "weeks": "10"}, "title", "Udfyld feltet."),
        ({"title": "x" * 121, "weeks": "10"}, "title", "Må højst være 120 tegn."),
        ({"title": "<script>alert(1)</script>", "weeks": "10"}, "title", "Må ikke indeholde"),
        ({"title": "{{7*7}}", "weeks": "10"}, "title", "Må ikke indeholde"),
        ({"title": "Skole", "weeks": "ti"}, "weeks", "Skal være et helt tal."),
        ({"title": "Skole", "weeks": "0"}, "weeks", "Skal være mellem 1 og 104 uger."),
        (
            {"title": "Oplæring", "weeks": "10", "kind": "training"},
            "training_area",
            "Vælg oplæringsområdet",
        ),
    ],
)
def test_template_editor_rejects_bad_input(client, db, world, programmes, data, field, message):
    login(client, world.system_admin)
    ssa = programmes["SSA"]
    count = db.session.execute(select(func.count(TemplatePeriod.id))).scalar_one()
    form = {"kind": "school", "training_area": "", **data}
    response = post(client, f"/admin/programmes/{ssa.id}", form)
    assert response.status_code == 200
    assert f'data-testid="error-{field}"' in response.text
    assert message in response.text
    if data["title"] and len(data["title"]) < 50:
        assert 'value="' + data["title"].replace("<", "&lt;").replace(">", "&gt;") in response.text
    assert db.session.execute(select(func.count(TemplatePeriod.id))).scalar_one() == count


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"first_name": ""}, "first_name", "Udfyld feltet."),
        ({"last_name": "x" * 81}, "last_name", "Må højst være 80 tegn."),
        ({"first_name": "<script>alert(1)</script>"}, "first_name", "Må ikke indeholde"),
        ({"last_name": "{{7*7}}"}, "last_name", "Må ikke indeholde"),
        ({"start_date": "31-12-2026"}, "start_date", "Ugyldig dato"),
        ({"start_date": ""}, "start_date", "Skriv en dato."),
        ({"email": "ikke-en-mail"}, "email", "Ugyldig e-mailadresse."),
        ({"phone": "12<34>"}, "phone", "Brug 8 til 20 cifre"),
        ({"programme": "999"}, "programme", "Ugyldigt valg."),
        ({"school": "abc"}, "school", "Ugyldigt valg."),
        ({"student_number": "E 1"}, "student_number", "Brug kun bogstaver, cifre og -."),
    ],
)
def test_new_student_form_rejects_bad_input(
    client, db, world, programmes, overrides, field, message
):
    login(client, world.user(Role.COUNSELLOR))
    count = db.session.execute(select(func.count(Student.id))).scalar_one()
    response = _new_student(client, world, programmes, **overrides)
    assert response.status_code == 200
    assert f'data-testid="error-{field}"' in response.text
    assert message in response.text
    assert ">49<" not in response.text
    assert "Sofie" in response.text or overrides.get("first_name") is not None
    assert db.session.execute(select(func.count(Student.id))).scalar_one() == count


def test_student_number_must_be_unique(client, world, programmes):
    login(client, world.user(Role.COUNSELLOR))
    number = world.a.student.student_number.lower()
    response = _new_student(client, world, programmes, student_number=number)
    assert "Der findes allerede en elev med dette nummer." in response.text


def test_counsellor_cannot_create_a_student_at_another_school(client, db, world, programmes):
    login(client, world.user(Role.COUNSELLOR))
    response = _new_student(client, world, programmes, school=str(world.b.school.id))
    assert response.status_code == 200
    assert "Ugyldigt valg." in response.text
    assert (
        db.session.execute(select(Student).filter_by(student_number="E2026-00001")).first() is None
    )


def test_plan_can_be_generated_for_a_student_without_periods(client, db, world, programmes):
    s = factories.student(world.a.school)
    s.programme = s.enrolments[0].programme = programmes["PA"]
    db.session.commit()
    login(client, world.user(Role.TEACHER))
    page = client.get(f"/students/{s.id}").text
    assert "Opret plan ud fra PA-skabelonen" in page
    response = post(client, f"/students/{s.id}/plan", {"start_date": "2027-08-02"})
    assert response.status_code == 302
    plan = _plan(db, s.id)
    assert [p.kind for p in plan] == [
        PeriodKind.SCHOOL,
        PeriodKind.TRAINING,
        PeriodKind.SCHOOL,
        PeriodKind.TRAINING,
        PeriodKind.SCHOOL,
    ]
    # A second plan is refused: the student already has one.
    post(client, f"/students/{s.id}/plan", {"start_date": "2027-08-02"})
    assert len(_plan(db, s.id)) == 5


def test_seeded_programmes_match_the_domain(db, programmes):
    weeks = dict(db.session.execute(select(Programme.code, Programme.duration_weeks)).all())
    assert weeks["SSA"] == 143 and weeks["GF1"] == 20 and weeks["GF2"] == 20
    ssh = (
        db.session.execute(select(TemplatePeriod).filter_by(programme_id=programmes["SSH"].id))
        .scalars()
        .all()
    )
    assert sum(p.kind == PeriodKind.SCHOOL for p in ssh) == 4
    assert sum(p.kind == PeriodKind.TRAINING for p in ssh) == 4  # two periods, each split A/B
    ensure_programmes()  # running it again adds nothing
    db.session.commit()
    assert (
        db.session.execute(
            select(func.count(TemplatePeriod.id)).where(
                TemplatePeriod.programme_id == programmes["SSH"].id
            )
        ).scalar_one()
        == 8
    )
