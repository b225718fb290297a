"""CPR numbers: never accepted as an identifier, and a warning before free text that contains
one is saved (issue 12)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.forms import looks_like_cpr
from app.journey.programmes import ensure_programmes
from app.models import CaseNote, Role, Student
from tests.conftest import login, post

IDENTIFIER_MESSAGE = "Må ikke være et CPR-nummer"
TEXT_WARNING = "Teksten ser ud til at indeholde et CPR-nummer"


@pytest.mark.parametrize(
    "text",
    [
        "010190-1234",
        "0101901234",
        "311299 1234",
        "Elevens cpr er 010190-1234.",
        "<p>290200-1234</p>",  # 29 February 2000
        "Nr.: 121285‑1234",  # a non-breaking hyphen
    ],
)
def test_cpr_shaped_numbers_match(text):
    assert looks_like_cpr(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        None,
        "999999-1234",  # not a date
        "320190-1234",  # day 32
        "011390-1234",  # month 13
        "000190-1234",  # day 0
        "310490-1234",  # 31 April
        "290201-1234",  # 29 February 2001 (and 1901): not a leap year
        "+45 12345678",  # a phone number
        "+45 12 34 56 78",
        "010190123456",  # 12 digits
        "12010190-1234",  # longer digit run before
        "010190-12345",  # longer digit run after
        "E2026-00001",
        "S000123",
        "Mødet er 01-01-90 kl. 12",
    ],
)
def test_other_numbers_do_not_match(text):
    assert not looks_like_cpr(text)


# --- identifier fields ------------------------------------------------------------------------


@pytest.fixture
def programmes(db):
    result = ensure_programmes()
    db.session.commit()
    return result


def _new_student(client, world, programmes, number):
    return post(
        client,
        "/students/new",
        {
            "first_name": "Sofie",
            "last_name": "Holm",
            "student_number": number,
            "school": str(world.a.school.id),
            "programme": str(programmes["SSA"].id),
            "start_date": "2027-01-04",
        },
    )


@pytest.mark.parametrize("number", ["010190-1234", "0101901234"])
def test_a_cpr_number_is_refused_as_student_number(client, db, world, programmes, number):
    login(client, world.user(Role.COUNSELLOR))
    before = db.session.execute(select(func.count(Student.id))).scalar_one()
    response = _new_student(client, world, programmes, number)
    assert response.status_code == 200
    error = response.text.split('data-testid="error-student_number"')[1][:400]
    assert IDENTIFIER_MESSAGE in error
    assert db.session.execute(select(func.count(Student.id))).scalar_one() == before


def test_an_ordinary_student_number_is_still_accepted(client, db, world, programmes):
    login(client, world.user(Role.COUNSELLOR))
    assert _new_student(client, world, programmes, "E2026-00002").status_code == 302


def test_a_cpr_number_is_refused_in_the_student_search(client, world):
    login(client, world.user(Role.COUNSELLOR))
    response = client.get("/students/?q=010190-1234")
    assert response.status_code == 200
    assert IDENTIFIER_MESSAGE in response.text.split('data-testid="error-q"')[1][:400]


def test_a_cpr_number_is_refused_as_organisation_code(client, db, world):
    login(client, world.system_admin)
    response = post(
        client,
        "/admin/organisations/new",
        {"name": "Ny skole", "kind": "school", "code": "010190-1234", "active": "y"},
    )
    assert response.status_code == 200
    assert IDENTIFIER_MESSAGE in response.text.split('data-testid="error-code"')[1][:400]


# --- free text --------------------------------------------------------------------------------


def _note(client, world, body, **extra):
    data = {"category": "general", "visibility": "shared", "body": body, "version": ""}
    data.update(extra)
    return post(client, f"/students/{world.a.student.id}/notes/new", data)


def _notes(db) -> int:
    return db.session.execute(select(func.count(CaseNote.id))).scalar_one()


def test_a_note_with_a_cpr_number_is_not_saved_without_confirmation(client, db, world):
    login(client, world.user(Role.COUNSELLOR))
    before = _notes(db)
    response = _note(client, world, "Ring til eleven, 010190-1234, om vagtplanen.")
    assert response.status_code == 200
    error = response.text.split('data-testid="error-body"')[1][:400]
    assert TEXT_WARNING in error
    # What was typed is kept, and a checkbox to confirm is shown.
    assert "Ring til eleven, 010190-1234, om vagtplanen." in response.text
    assert 'name="body-cpr_confirmed"' in response.text
    assert _notes(db) == before


def test_a_note_with_a_confirmed_number_is_saved(client, db, world):
    login(client, world.user(Role.COUNSELLOR))
    before = _notes(db)
    response = _note(
        client, world, "Sagsnummer 010190-1234 hos kommunen.", **{"body-cpr_confirmed": "y"}
    )
    assert response.status_code == 302
    assert _notes(db) == before + 1


def test_a_note_without_a_cpr_number_needs_no_confirmation(client, db, world):
    login(client, world.user(Role.COUNSELLOR))
    assert _note(client, world, "Ring til eleven på +45 12345678.").status_code == 302


def test_the_warning_covers_other_free_text_too(client, db, world):
    """The check lives in the base form: a handover note's text is checked the same way."""
    from app.journey.forms import HandoverForm

    with client.application.test_request_context(
        method="POST",
        data={
            "strengths": "God til borgerkontakt",
            "challenges": "cpr 0101901234",
            "agreed_support": "",
            "first_weeks": "Følg en kollega",
            "contact_person": "Kontaktlærer",
        },
    ):
        form = HandoverForm(meta={"csrf": False})
        assert not form.validate()
        assert any(TEXT_WARNING in str(e) for e in form.challenges.errors)
        assert not form.strengths.errors
