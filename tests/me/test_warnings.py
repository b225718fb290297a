"""The student's own warnings and declarations (app/me/training.py): the warning as addressed
to the student, reading and commenting on it, the letter as PDF, the school seeing what the
student did, and confirming the issued declaration."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from flask_babel import format_date
from pypdf import PdfReader
from sqlalchemy import select

from app.models import (
    CaseEvent,
    CaseEventKind,
    Declaration,
    DeclarationLine,
    GoalLevel,
    Role,
)
from app.models.base import utcnow
from tests import factories
from tests.conftest import login, post

REASON = "Når ikke rutineret niveau i medicinhåndtering."
ACTIONS = "Ekstra træning med vejlederen to gange om ugen."
COMMENT = "Jeg var syg i to uger og vil gerne have en ekstra samtale."


@pytest.fixture
def warning(db, world):
    """Side A's warning to its student: two goals, a reason, actions and a deadline."""
    w = world.a.warning
    w.reason, w.agreed_actions = REASON, ACTIONS
    w.deadline = world.a.training_period.end_date - timedelta(days=3)
    w.goals = factories.goals(world.a.student)[3:5]
    db.session.commit()
    return w


def _shown(app, day) -> str:
    with app.test_request_context():
        return format_date(day)


def _period_url(side) -> str:
    return f"/students/{side.student.id}/periods/{side.training_period.id}/training"


def _events(db, kind: CaseEventKind) -> list[CaseEvent]:
    return list(db.session.execute(select(CaseEvent).where(CaseEvent.kind == kind)).scalars())


def test_the_student_sees_the_warning_addressed_to_them(app, client, db, world, warning):
    login(client, world.a.users[Role.STUDENT])
    page = client.get(f"/me/warnings/{warning.id}")
    assert page.status_code == 200
    text = page.text
    for goal in warning.goals:
        assert f"Mål {goal.number}." in text and goal.text in text
    assert REASON in text and ACTIONS in text
    deadline = text.split('data-testid="warning-deadline"')[1][:200]
    assert _shown(app, warning.deadline) in deadline
    contacts = text.split('data-testid="warning-contacts"')[1].split("</ul>")[0]
    assert world.a.users[Role.SUPERVISOR].name in contacts
    assert world.a.workplace.name in text
    assert "Jeg har læst varslingen" in text


def test_reading_is_recorded_once_and_the_school_sees_it(app, client, db, world, warning):
    login(client, world.a.users[Role.STUDENT])
    counsellor = world.a.users[Role.COUNSELLOR]
    url = f"/me/warnings/{warning.id}/read"
    assert post(client, url).status_code == 302
    db.session.refresh(warning)
    first = warning.read_at
    assert first is not None
    assert post(client, url).status_code == 302  # idempotent: the first reading stays
    db.session.refresh(warning)
    assert warning.read_at == first
    assert len(_events(db, CaseEventKind.WARNING_READ)) == 1
    assert "Du bekræftede" in client.get(f"/me/warnings/{warning.id}").text

    post(client, "/logout")
    login(client, counsellor)
    page = client.get(_period_url(world.a)).text
    status = page.split(f'data-testid="warning-{warning.id}"')[1].split("</li>")[0]
    assert f"Læst af eleven {_shown(app, warning.read_at)}" in status
    listing = client.get("/from-training").text
    row = listing.split(f'data-testid="open-warning-{warning.id}"')[1].split("</tr>")[0]
    assert "Læst af eleven" in row
    overview = client.get("/my-overview").text
    assert "Læst af eleven" in overview


def test_the_school_sees_an_unread_warning_as_unread(client, db, world, warning):
    login(client, world.a.users[Role.COUNSELLOR])
    page = client.get(_period_url(world.a)).text
    status = page.split(f'data-testid="warning-{warning.id}"')[1].split("</li>")[0]
    assert "Ikke læst af eleven endnu" in status


def test_the_students_comment_shows_to_the_school(client, db, world, warning):
    login(client, world.a.users[Role.STUDENT])
    response = post(client, f"/me/warnings/{warning.id}/comment", {"comment": COMMENT})
    assert response.status_code == 302
    db.session.refresh(warning)
    assert warning.student_comment == COMMENT and warning.commented_at is not None
    [event] = _events(db, CaseEventKind.WARNING_COMMENTED)
    assert COMMENT not in str(event.details)

    post(client, "/logout")
    login(client, world.a.users[Role.TEACHER])
    assert COMMENT in client.get(_period_url(world.a)).text
    assert COMMENT[:40] in client.get("/from-training").text


@pytest.mark.parametrize(
    "text, message",
    [("   ", "Skriv din kommentar"), ("x" * 2001, "højst være 2000 tegn")],
)
def test_a_bad_comment_is_refused_next_to_the_field(client, db, world, warning, text, message):
    login(client, world.a.users[Role.STUDENT])
    response = post(client, f"/me/warnings/{warning.id}/comment", {"comment": text})
    assert response.status_code == 200
    error = response.text.split('data-testid="error-comment"')[1][:300]
    assert message in error
    if text.strip():
        assert text in response.text  # what was typed is kept
    db.session.refresh(warning)
    assert warning.student_comment == "" and warning.commented_at is None
    assert _events(db, CaseEventKind.WARNING_COMMENTED) == []


def test_no_comment_after_the_follow_up(client, db, world, warning):
    warning.followed_up_at = utcnow()
    db.session.commit()
    login(client, world.a.users[Role.STUDENT])
    page = client.get(f"/me/warnings/{warning.id}").text
    assert 'name="comment"' not in page
    response = post(client, f"/me/warnings/{warning.id}/comment", {"comment": COMMENT})
    assert response.status_code == 200
    assert "Der er fulgt op på varslingen; kommentaren kan ikke længere ændres." in response.text
    db.session.refresh(warning)
    assert warning.student_comment == ""


def test_another_students_warning_answers_404(client, db, world, warning):
    login(client, world.b.users[Role.STUDENT])
    base = f"/me/warnings/{warning.id}"
    assert client.get(base).status_code == 404
    assert client.get(base + "/letter.pdf").status_code == 404
    assert post(client, base + "/read").status_code == 404
    assert post(client, base + "/comment", {"comment": COMMENT}).status_code == 404
    db.session.refresh(warning)
    assert warning.read_at is None and warning.student_comment == ""


def test_staff_cannot_use_the_students_pages(client, db, world, warning):
    login(client, world.a.users[Role.COUNSELLOR])
    assert client.get(f"/me/warnings/{warning.id}").status_code == 403


def test_the_letter_is_a_pdf_with_the_deadline(app, client, db, world, warning):
    login(client, world.a.users[Role.STUDENT])
    post(client, f"/me/warnings/{warning.id}/read")
    response = client.get(f"/me/warnings/{warning.id}/letter.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    text = " ".join(text.split())
    assert _shown(app, warning.deadline) in text
    assert REASON in text
    db.session.refresh(warning)
    assert _shown(app, warning.read_at) in text


def test_my_plan_lists_the_warnings_unread_marked(client, db, world, warning):
    login(client, world.a.users[Role.STUDENT])
    section = client.get("/me/").text.split('data-testid="my-warnings"')[1]
    item = section.split(f'data-testid="my-warning-{warning.id}"')[1].split("</li>")[0]
    assert f"/me/warnings/{warning.id}" in item and 'data-testid="unread"' in item
    post(client, f"/me/warnings/{warning.id}/read")
    section = client.get("/me/").text.split('data-testid="my-warnings"')[1]
    item = section.split(f'data-testid="my-warning-{warning.id}"')[1].split("</li>")[0]
    assert 'data-testid="unread"' not in item
    # Side B's warning is not in side A's student's plan.
    assert f'data-testid="my-warning-{world.b.warning.id}"' not in section


def test_my_plan_runs_the_same_number_of_queries_for_more_warnings(
    client, db, world, count_queries
):
    login(client, world.a.users[Role.STUDENT])
    client.get("/me/")
    with count_queries() as few:
        client.get("/me/")
    supervisor = world.a.users[Role.SUPERVISOR]
    for n in range(4):
        factories.warning(world.a.training_period, supervisor, f"Varsling {n}")
    _issue(db, world.a)
    db.session.commit()
    with count_queries() as many:
        page = client.get("/me/").text
    assert page.count('data-testid="my-warning-') == 5
    assert many.count == few.count


# --- the declaration -----------------------------------------------------------------------


def _issue(db, side, issued: bool = True) -> Declaration:
    goal = factories.goals(side.student)[0]
    declaration = Declaration(
        period_id=side.training_period.id,
        approved=True if issued else None,
        needs_next_periods="Fortsæt med dokumentationen.",
        issued_at=utcnow() if issued else None,
        issued_by_id=side.users[Role.SUPERVISOR].id if issued else None,
        lines=[DeclarationLine(goal_id=goal.id, level=GoalLevel.BEGINNER, approved=True)],
    )
    db.session.add(declaration)
    db.session.flush()
    return declaration


def test_the_student_confirms_the_issued_declaration(app, client, db, world):
    declaration = _issue(db, world.a)
    db.session.commit()
    login(client, world.a.users[Role.STUDENT])
    url = f"/me/declarations/{world.a.training_period.id}"
    plan = client.get("/me/").text
    assert 'data-testid="to-confirm"' in plan and url in plan
    page = client.get(url).text
    assert "Fortsæt med dokumentationen." in page and "Godkendt" in page
    assert post(client, url + "/confirm").status_code == 302
    db.session.refresh(declaration)
    confirmed = declaration.student_confirmed_at
    assert confirmed is not None
    post(client, url + "/confirm")
    db.session.refresh(declaration)
    assert declaration.student_confirmed_at == confirmed
    assert len(_events(db, CaseEventKind.DECLARATION_CONFIRMED)) == 1
    assert 'data-testid="to-confirm"' not in client.get("/me/").text
    pdf = client.get(url + "/declaration.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")

    post(client, "/logout")
    login(client, world.a.users[Role.COUNSELLOR])
    staff = client.get(
        f"/students/{world.a.student.id}/periods/{world.a.training_period.id}/declaration"
    ).text
    assert f"Bekræftet af eleven {_shown(app, confirmed)}" in staff


def test_a_draft_declaration_is_404_to_the_student(client, db, world):
    declaration = _issue(db, world.a, issued=False)
    db.session.commit()
    login(client, world.a.users[Role.STUDENT])
    url = f"/me/declarations/{world.a.training_period.id}"
    assert client.get(url).status_code == 404
    assert client.get(url + "/declaration.pdf").status_code == 404
    assert post(client, url + "/confirm").status_code == 404
    db.session.refresh(declaration)
    assert declaration.student_confirmed_at is None
    assert (
        f'data-testid="my-declaration-{world.a.training_period.id}"' not in client.get("/me/").text
    )


def test_another_students_declaration_is_404(client, db, world):
    _issue(db, world.b)
    db.session.commit()
    login(client, world.a.users[Role.STUDENT])
    url = f"/me/declarations/{world.b.training_period.id}"
    assert client.get(url).status_code == 404
    assert post(client, url + "/confirm").status_code == 404


def test_reading_and_commenting_do_not_spoil_a_follow_up_form_the_school_has_open(
    client, world, db
):
    """The student's marks change nothing the staff edit: the warning's version stays."""
    warning = world.a.warning
    before = warning.version_id
    login(client, world.a.users[Role.STUDENT])
    post(client, f"/me/warnings/{warning.id}/read")
    post(client, f"/me/warnings/{warning.id}/comment", {"comment": "Jeg arbejder på det."})
    db.session.expire_all()
    fresh = db.session.get(type(warning), warning.id)
    assert fresh.read_at is not None and fresh.student_comment == "Jeg arbejder på det."
    assert fresh.version_id == before
