"""Importing training agreements from an employer's file, and the plans of a class team."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    AgreementKind,
    AuditEvent,
    CaseEvent,
    CaseEventKind,
    ClassTeam,
    Period,
    Role,
    Student,
    TrainingAgreement,
)
from tests import factories
from tests.conftest import login, post
from tests.imports.helpers import AGREEMENT_HEADER, confirm, csv_file, preview


def _line(student: Student, employer, start="01-08-2027", end="", kind="", first=None) -> str:
    return ";".join(
        [
            student.student_number,
            first if first is not None else student.first_name,
            student.last_name,
            employer.code,
            kind,
            start,
            end,
        ]
    )


def _agreements(student: Student) -> list[TrainingAgreement]:
    db.session.expire_all()
    query = select(TrainingAgreement).where(TrainingAgreement.student_id == student.id)
    return list(db.session.execute(query.order_by(TrainingAgreement.start_date)).scalars())


def _new_students(world, n: int = 3, programme: str = "SSA") -> list[Student]:
    found = [
        factories.student(world.a.school, programme, first_name=f"Ny{i}", last_name=f"Elevsen{i}")
        for i in range(n)
    ]
    db.session.commit()
    return found


def test_a_coordinator_imports_agreements_and_then_sees_the_students(client, world):
    students = _new_students(world)
    municipality = world.a.municipality
    coordinator = world.user(Role.TRAINING_COORDINATOR)
    login(client, coordinator)
    assert students[0].last_name not in client.get("/students/").text

    data = csv_file(AGREEMENT_HEADER, [_line(s, municipality) for s in students])
    batch_id, page = preview(client, "agreements", data, municipality.id)
    assert "3 oprettes" in page.text
    assert _agreements(students[0]) == []
    done = confirm(client, batch_id)
    assert "3 oprettet, 0 opdateret, 0 uændret, 0 afvist" in done.text
    (agreement,) = _agreements(students[0])
    assert (agreement.employer_id, agreement.start_date, agreement.kind) == (
        municipality.id,
        date(2027, 8, 1),
        AgreementKind.TRAINING,
    )
    line = db.session.execute(
        select(CaseEvent).where(CaseEvent.student_id == students[0].id)
    ).scalar_one()
    assert (line.kind, line.user_id) == (CaseEventKind.AGREEMENT_CREATED, coordinator.id)
    assert client.get("/students/").text.count("Elevsen") == 3
    audit = db.session.execute(
        select(AuditEvent).where(AuditEvent.object_type == "import_batch")
    ).scalar_one()
    assert "import agreements" in audit.criterion and "created=3" in audit.criterion

    # The same file again: nothing changes. An end date: that agreement is updated.
    batch_id, page = preview(client, "agreements", data, municipality.id)
    assert "3 uændret" in page.text
    changed = [_line(students[0], municipality, end="31-07-2029")] + [
        _line(s, municipality) for s in students[1:]
    ]
    batch_id, page = preview(
        client, "agreements", csv_file(AGREEMENT_HEADER, changed), municipality.id
    )
    assert "1 opdateres" in page.text and "slutdato" in page.text
    confirm(client, batch_id)
    (agreement,) = _agreements(students[0])
    assert agreement.end_date == date(2029, 7, 31)


def test_number_and_name_must_match_and_the_message_never_tells_which(client, world):
    (student,) = _new_students(world, 1)
    municipality = world.a.municipality
    login(client, world.user(Role.TRAINING_COORDINATOR))
    lines = [
        _line(student, municipality, first="Forkert"),  # the name does not match
        "ZZ999999;Ny0;Elevsen0;" + municipality.code + ";;01-08-2027;",  # unknown number
    ]
    batch_id, page = preview(
        client, "agreements", csv_file(AGREEMENT_HEADER, lines), municipality.id
    )
    assert page.text.count("Der er ingen elev med dette elevnummer og navn.") == 2
    assert "2 afvist" in page.text
    confirm(client, batch_id)
    assert _agreements(student) == []


def test_a_coordinator_may_only_import_their_own_organisation_as_employer(client, world):
    (student,) = _new_students(world, 1)
    login(client, world.user(Role.TRAINING_COORDINATOR))
    data = csv_file(AGREEMENT_HEADER, [_line(student, world.b.municipality)])
    batch_id, page = preview(client, "agreements", data, world.a.municipality.id)
    assert "Du kan kun importere aftaler med Kommune A som arbejdsgiver." in page.text
    confirm(client, batch_id)
    assert _agreements(student) == []


def test_a_school_admin_imports_for_the_schools_students_with_any_employer(client, world):
    (student,) = _new_students(world, 1)
    login(client, world.user(Role.SCHOOL_ADMIN))
    lines = [
        _line(student, world.b.municipality, kind="voksenaftale"),
        _line(world.b.student, world.b.municipality),  # another school's student
    ]
    batch_id, page = preview(
        client, "agreements", csv_file(AGREEMENT_HEADER, lines), world.a.school.id
    )
    assert "1 oprettes" in page.text
    assert "Der er ingen elev med dette elevnummer og navn." in page.text
    confirm(client, batch_id)
    (agreement,) = _agreements(student)
    assert (agreement.employer_id, agreement.kind) == (
        world.b.municipality.id,
        AgreementKind.ADULT_BASIC,
    )
    assert len(_agreements(world.b.student)) == 1  # unchanged


def test_overlapping_agreements_are_refused(client, world):
    student = world.a.student  # has an open-ended agreement with Kommune A
    login(client, world.user(Role.SCHOOL_ADMIN))
    (second,) = _new_students(world, 1)
    lines = [
        _line(student, world.b.municipality, start=date.today().strftime("%d-%m-%Y")),
        _line(second, world.a.municipality, start="01-08-2027", end="31-12-2027"),
        _line(second, world.b.municipality, start="01-10-2027"),
        _line(second, world.a.municipality, start="01-08-2027", end="bad"),
    ]
    batch_id, page = preview(
        client, "agreements", csv_file(AGREEMENT_HEADER, lines), world.a.school.id
    )
    assert "Datoerne overlapper en anden uddannelsesaftale for eleven." in page.text
    assert "Den samme aftale står i flere rækker i filen (også linje 5)" in page.text
    assert "“bad” i kolonnen “slutdato” er ikke en dato" in page.text
    assert "Ukendt" not in page.text
    confirm(client, batch_id)
    assert len(_agreements(student)) == 1
    # The duplicate rows are both refused, so the third row has nothing to overlap: created.
    assert [a.employer_id for a in _agreements(second)] == [world.b.municipality.id]


def test_unknown_employer_and_agreement_type(client, world):
    (student,) = _new_students(world, 1)
    login(client, world.user(Role.SCHOOL_ADMIN))
    line = ";".join(
        [student.student_number, "Ny0", "Elevsen0", "9999", "praktik", "01-08-2027", ""]
    )
    _batch_id, page = preview(
        client, "agreements", csv_file(AGREEMENT_HEADER, [line]), world.a.school.id
    )
    assert "Ukendt arbejdsgiver “9999”" in page.text
    assert "Ukendt aftaletype “praktik”" in page.text


# --- plans for a class team ---------------------------------------------------------------------


def _team(world, students: list[Student]) -> ClassTeam:
    team = ClassTeam(
        school=world.a.school,
        code="SSA-27B",
        programme=students[0].programme,
        start_date=date.today() + timedelta(days=30),
    )
    db.session.add(team)
    for s in students:
        s.enrolments[-1].class_team = team
    db.session.commit()
    return team


def test_plans_for_a_class_team(client, world):
    students = _new_students(world, 3, "TEST")  # the programme with a plan template
    team = _team(world, [*students, world.a.student])  # world.a.student has a plan already
    counsellor = world.user(Role.COUNSELLOR)
    login(client, counsellor)
    page = client.get("/imports/plans")
    assert "SSA-27B" in page.text and "4 elever" in page.text
    start = date.today() + timedelta(days=30)
    response = post(
        client, "/imports/plans", {"team": str(team.id), "start_date": start.isoformat()}
    )
    assert response.status_code == 200
    assert "3 planer oprettet, 1 elever sprunget over." in response.text
    assert "Eleven har allerede en plan." in response.text
    for s in students:
        periods = (
            db.session.execute(select(Period).where(Period.student_id == s.id)).scalars().all()
        )
        assert periods and min(p.start_date for p in periods) == start
        kinds = db.session.execute(
            select(CaseEvent.kind, CaseEvent.user_id).where(CaseEvent.student_id == s.id)
        ).all()
        assert (CaseEventKind.PLAN_CREATED, counsellor.id) in [tuple(k) for k in kinds]
    audit = db.session.execute(
        select(AuditEvent).where(AuditEvent.object_type == "class_team")
    ).scalar_one()
    assert "created=3" in audit.criterion and "skipped=1" in audit.criterion

    # Again: every student has a plan now.
    response = post(
        client, "/imports/plans", {"team": str(team.id), "start_date": start.isoformat()}
    )
    assert "0 planer oprettet, 4 elever sprunget over." in response.text


def test_plans_need_a_start_date_and_a_team_of_ones_own_school(client, world):
    students = _new_students(world, 1, "TEST")
    team = _team(world, students)
    login(client, world.user(Role.SCHOOL_ADMIN, "b"))
    response = post(client, "/imports/plans", {"team": str(team.id), "start_date": "2027-08-01"})
    assert response.status_code == 200
    assert "Din skole har endnu ingen hold." in response.text and "SSA-27B" not in response.text
    post(client, "/logout")
    login(client, world.user(Role.SCHOOL_ADMIN))
    response = post(client, "/imports/plans", {"team": str(team.id), "start_date": ""})
    assert "Skriv en dato." in response.text
    count = db.session.execute(
        select(func.count()).select_from(Period).where(Period.student_id == students[0].id)
    ).scalar_one()
    assert count == 0


def test_plans_for_a_programme_without_a_template_say_so(client, world):
    team = _team(world, _new_students(world, 1, "SSA"))
    login(client, world.user(Role.SCHOOL_ADMIN))
    response = post(client, "/imports/plans", {"team": str(team.id), "start_date": "2027-08-01"})
    assert "SSA har endnu ingen skabelon for planen." in response.text
