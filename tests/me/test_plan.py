"""The student's own access: the school invites the student, the student sees "My plan" of
their own case and nothing of anyone else's."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.models import CaseEvent, CaseEventKind, Membership, OutboxMessage, Role, User
from tests.conftest import login, post


def _student_of(world, side="a"):
    return getattr(world, side).users[Role.STUDENT]


def test_a_student_lands_on_my_plan_with_their_period_workplace_and_contacts(client, world, db):
    side = world.a
    side.student.counsellor_id = side.users[Role.COUNSELLOR].id
    side.student.contact_teacher_id = side.users[Role.TEACHER].id
    side.training_period.responsible_id = side.users[Role.SUPERVISOR].id
    db.session.commit()
    login(client, _student_of(world))
    page = client.get("/", follow_redirects=True)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Mit forløb" in text
    current = text[text.index('data-testid="current-period"') :]
    assert side.workplace.name in current[:2000]
    assert side.users[Role.SUPERVISOR].name in current[:2000]
    contacts = text[text.index('data-testid="contacts"') :]
    assert side.users[Role.COUNSELLOR].name in contacts
    assert side.users[Role.TEACHER].name in contacts
    assert world.b.student.last_name not in text


def test_a_student_reaches_no_staff_page_and_no_other_student(client, world):
    login(client, _student_of(world))
    assert client.get("/students/").status_code == 403
    assert client.get(f"/students/{world.a.student.id}").status_code == 403
    assert client.get("/my-overview").status_code == 403
    other = world.b.training_period
    assert client.get(f"/me/periods/{other.id}/reflections").status_code == 404
    # The menu offers the student's own pages only.
    menu = client.get("/me/").get_data(as_text=True)
    assert "/students/" not in menu and "Min oversigt" not in menu


def test_the_plan_lists_review_meetings_the_student_is_invited_to(client, world, db):
    from tests.factories import review_objects

    review_objects(world.a)
    review = world.a.review
    review.participants.append(_student_of(world))
    db.session.commit()
    login(client, _student_of(world))
    text = client.get("/me/").get_data(as_text=True)
    assert f'data-testid="my-review-{review.id}"' in text


def _invite(client, world, db, email="ida.elev@example.org"):
    side = world.a
    side.student.email = email
    db.session.commit()
    login(client, side.users[Role.COUNSELLOR])
    return post(client, f"/students/{side.student.id}/account", follow_redirects=True)


def test_the_school_invites_the_student_who_then_chooses_a_password_and_logs_in(
    client, world, db, app
):
    # Side A's student already has an account in the world; a fresh student here.
    from tests.factories import student

    side = world.a
    fresh = student(side.school, first_name="Ida", last_name="Nyelev", employer=side.municipality)
    fresh.email = "Ida.Nyelev@example.org"
    db.session.commit()
    login(client, side.users[Role.COUNSELLOR])
    page = client.get(f"/students/{fresh.id}")
    assert "Eleven har endnu ikke adgang til Elevsag" in page.get_data(as_text=True)
    response = post(client, f"/students/{fresh.id}/account", follow_redirects=True)
    assert "Der er sendt en invitation til ida.nyelev@example.org" in response.get_data(
        as_text=True
    )
    account = db.session.execute(
        select(User).join(Membership).where(Membership.student_id == fresh.id)
    ).scalar_one()
    assert account.email == "ida.nyelev@example.org"
    assert account.memberships[0].role is Role.STUDENT
    mail = db.session.execute(
        select(OutboxMessage).where(OutboxMessage.to_address == account.email)
    ).scalar_one()
    assert "Nyelev" not in mail.body and "Nyelev" not in mail.subject
    lines = db.session.execute(
        select(CaseEvent).where(
            CaseEvent.student_id == fresh.id,
            CaseEvent.kind == CaseEventKind.STUDENT_ACCOUNT_INVITED,
        )
    ).scalars()
    assert [line.user_id for line in lines] == [side.users[Role.COUNSELLOR].id]
    # The student follows the link and chooses a password.
    token = re.search(r"/invitation/([\w-]+)", mail.body).group(1)
    post(client, "/logout")
    new_password = "Solsikke-Havregryn-42"
    chosen = post(
        client,
        f"/invitation/{token}",
        {"password": new_password, "confirm": new_password},
    )
    assert chosen.status_code == 302
    post(client, "/logout")
    login(client, account, new_password)
    assert "Nyelev" in client.get("/me/").get_data(as_text=True)


def test_an_address_of_another_account_is_refused_by_name(client, world, db):
    response = _invite(client, world, db, email=world.a.users[Role.TEACHER].email)
    text = response.get_data(as_text=True)
    assert "tilhører allerede en anden konto" in text


def test_no_address_no_invitation(client, world, db):
    response = _invite(client, world, db, email="")
    assert "Skriv først elevens e-mailadresse" in response.get_data(as_text=True)


def test_a_teacher_or_another_school_cannot_invite(client, world, db):
    world.a.student.email = "x.elev@example.org"
    db.session.commit()
    login(client, world.a.users[Role.TEACHER])
    assert post(client, f"/students/{world.a.student.id}/account").status_code == 403
    post(client, "/logout")
    login(client, world.b.users[Role.COUNSELLOR])
    assert post(client, f"/students/{world.a.student.id}/account").status_code == 404


def test_student_accounts_are_not_bound_by_the_schools_staff_single_sign_on(app, world, db):
    from app.auth import sso
    from app.models import OrganisationSso

    school = world.b.school
    db.session.add(
        OrganisationSso(
            organisation_id=school.id,
            provider_name="Skolens login",
            issuer="https://idp.example.org",
            client_id="elevsag",
            client_secret="hemmelig",
            required=True,
        )
    )
    db.session.commit()
    assert [r.organisation_id for r in sso.required_for(world.b.users[Role.TEACHER])] == [school.id]
    assert sso.required_for(world.b.users[Role.STUDENT]) == []


def test_the_admin_cannot_hand_out_the_student_role(client, world):
    login(client, world.a.users[Role.SCHOOL_ADMIN])
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert 'value="student"' not in page


def test_no_page_of_the_students_own_shows_notes_or_what_staff_keep_internal(client, world, db):
    from app.models import CaseNote, NoteCategory, NoteVisibility

    side = world.a
    secret = "Intern vurdering kun til skolen"
    db.session.add(
        CaseNote(
            student_id=side.student.id,
            author_id=side.users[Role.COUNSELLOR].id,
            organisation_id=side.school.id,
            visibility=NoteVisibility.OWN,
            category=NoteCategory.GENERAL,
            body=f"<p>{secret}</p>",
        )
    )
    db.session.commit()
    login(client, _student_of(world))
    pages = [
        "/me/",
        "/me/consents",
        f"/me/warnings/{side.warning.id}",
        f"/me/periods/{side.training_period.id}/reflections",
        "/me/conversation",
        "/me/insight",
    ]
    for url in pages:
        text = client.get(url).get_data(as_text=True)
        assert secret not in text and "Samtale med eleven, side A" not in text, url
        assert side.experience.what_happened not in text, url  # the supervisor's own record
    case_file = f"/students/{side.student.id}/case-file"
    assert client.get(case_file).status_code in (403, 404)
    note = f"/students/{side.student.id}/notes/{side.case_note.id}/edit"
    assert client.get(note).status_code in (403, 404)


def test_the_school_invites_the_student_to_their_own_review(client, world, db):
    from datetime import date, timedelta

    side = world.a
    student_user = _student_of(world)
    other_student = world.b.users[Role.STUDENT]
    login(client, side.users[Role.COUNSELLOR])
    form = client.get(f"/students/{side.student.id}/reviews/new").get_data(as_text=True)
    assert f'value="{student_user.id}"' in form
    assert f'value="{other_student.id}"' not in form
    day = date.today() + timedelta(days=6)
    response = post(
        client,
        f"/students/{side.student.id}/reviews/new",
        {
            "on_date": day.isoformat(),
            "location": "Skolen, lokale 4",
            "participants": [str(student_user.id)],
            "agenda": "1. Status",
        },
    )
    assert response.status_code == 302
    mail = db.session.execute(
        select(OutboxMessage).where(OutboxMessage.to_address == student_user.email)
    ).scalar_one()
    assert mail.subject == "Elevsag: Du er inviteret til et møde om din uddannelse"
    assert "/me/" in mail.body and "/reviews/" not in mail.body
    assert side.student.last_name not in mail.body + mail.subject
    post(client, "/logout")
    login(client, student_user)
    plan = client.get("/me/").get_data(as_text=True)
    assert "Skolen, lokale 4" in plan
