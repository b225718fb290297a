"""Correcting the student record: name, number, contact details, year of birth, contact
teacher and counsellor. Versioned, attributed, in the history (which names the fields only)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.journey.programmes import ensure_programmes
from app.models import CaseEvent, CaseEventKind, Role, Student
from tests import factories
from tests.conftest import login, post


def _form(student: Student, **changes) -> dict:
    values = {
        "first_name": student.first_name,
        "last_name": student.last_name,
        "student_number": student.student_number,
        "email": student.email,
        "phone": student.phone,
        "birth_year": str(student.birth_year or ""),
        "contact_teacher": str(student.contact_teacher_id or ""),
        "counsellor": str(student.counsellor_id or ""),
        "version": str(student.version_id),
    }
    values.update(changes)
    return values


def _login_anew(client, user) -> None:
    post(client, "/logout")
    login(client, user)


def _lines(db, student: Student) -> list[CaseEvent]:
    return list(
        db.session.execute(
            select(CaseEvent).where(
                CaseEvent.student_id == student.id,
                CaseEvent.kind == CaseEventKind.STUDENT_RECORD_CHANGED,
            )
        ).scalars()
    )


def test_a_counsellor_corrects_the_name_and_sets_contact_teacher_and_counsellor(client, db, world):
    student = world.a.student
    teacher, counsellor = world.a.users[Role.TEACHER], world.a.users[Role.COUNSELLOR]
    login(client, counsellor)
    page = client.get(f"/students/{student.id}/edit").text
    assert teacher.name in page and counsellor.name in page
    response = post(
        client,
        f"/students/{student.id}/edit",
        _form(
            student,
            first_name="Aisha",
            phone="+45 70 10 20 30",
            birth_year="2004",
            contact_teacher=str(teacher.id),
            counsellor=str(counsellor.id),
        ),
        follow_redirects=True,
    )
    assert "Elevoplysningerne blev gemt." in response.text
    assert "Aisha" in response.text
    db.session.refresh(student)
    assert (student.first_name, student.phone, student.birth_year) == (
        "Aisha",
        "+45 70 10 20 30",
        2004,
    )
    assert student.contact_teacher_id == teacher.id and student.counsellor_id == counsellor.id
    (line,) = _lines(db, student)
    assert line.user_id == counsellor.id
    assert set(line.details["fields"]) == {
        "first_name",
        "phone",
        "birth_year",
        "contact_teacher",
        "counsellor",
    }
    history = client.get(f"/students/{student.id}/history").text
    assert "Elevoplysninger ændret: fornavn" in history
    assert "+45 70 10 20 30" not in history  # the history names fields, not their values


def test_the_new_number_finds_the_student_and_the_old_one_does_not(client, db, world):
    student = world.a.student
    old_number = student.student_number
    login(client, world.a.users[Role.SCHOOL_ADMIN])
    post(client, f"/students/{student.id}/edit", _form(student, student_number="E2027-777"))
    _login_anew(client, world.a.users[Role.COUNSELLOR])
    listed = f"{student.last_name}, {student.first_name}"
    assert listed in client.get("/students/?q=E2027-777").text
    assert listed not in client.get(f"/students/?q={old_number}").text


def test_bad_input_is_shown_at_the_field_and_nothing_is_saved(client, db, world):
    student = world.a.student
    other = factories.student(world.a.school)
    db.session.commit()
    before = (student.first_name, student.student_number, student.version_id)
    login(client, world.a.users[Role.COUNSELLOR])
    for changes, message in (
        ({"first_name": ""}, "Udfyld feltet."),
        ({"student_number": "010190-1234"}, "CPR"),
        ({"student_number": other.student_number.lower()}, "findes allerede"),
        ({"birth_year": "1890"}, "mellem"),
        ({"birth_year": "abc"}, "helt tal"),
        ({"contact_teacher": str(world.b.users[Role.TEACHER].id)}, "Ugyldigt valg."),
    ):
        response = post(client, f"/students/{student.id}/edit", _form(student, **changes))
        assert response.status_code == 200, changes
        assert message in response.text, changes
    db.session.refresh(student)
    assert (student.first_name, student.student_number, student.version_id) == before
    assert _lines(db, student) == []


def test_a_save_from_an_old_version_is_refused(client, db, world):
    student = world.a.student
    login(client, world.a.users[Role.COUNSELLOR])
    seen = _form(student)
    post(client, f"/students/{student.id}/edit", _form(student, last_name="Først"))
    response = post(
        client,
        f"/students/{student.id}/edit",
        dict(seen, last_name="Bagefter"),
        follow_redirects=True,
    )
    assert "En anden har ændret dette" in response.text
    db.session.refresh(student)
    assert student.last_name == "Først"


def test_nothing_changed_writes_no_history(client, db, world):
    student = world.a.student
    login(client, world.a.users[Role.COUNSELLOR])
    response = post(client, f"/students/{student.id}/edit", _form(student))
    assert response.status_code == 302
    assert _lines(db, student) == []


def test_only_the_schools_counsellors_and_admins_see_the_edit_link(client, db, world):
    student = world.a.student
    for role, shown in (
        (Role.COUNSELLOR, True),
        (Role.SCHOOL_ADMIN, True),
        (Role.TEACHER, False),
        (Role.TRAINING_COORDINATOR, False),
    ):
        _login_anew(client, world.a.users[role])
        page = client.get(f"/students/{student.id}").text
        assert ('data-testid="edit-record"' in page) is shown, role


def test_a_new_student_can_get_a_year_of_birth(client, db, world):
    programmes = ensure_programmes()
    db.session.commit()
    login(client, world.a.users[Role.COUNSELLOR])
    response = post(
        client,
        "/students/new",
        {
            "first_name": "Noor",
            "last_name": "Fiktiv",
            "student_number": "E2027-0042",
            "school": str(world.a.school.id),
            "programme": str(programmes["SSA"].id),
            "start_date": date.today().isoformat(),
            "birth_year": "2001",
        },
    )
    assert response.status_code == 302
    query = select(Student).filter_by(student_number="E2027-0042")
    student = db.session.execute(query).scalar_one()
    assert student.birth_year == 2001
    assert [e.programme_id for e in student.enrolments] == [programmes["SSA"].id]
