""" "Forgot password?": a single-use link by mail; choosing a new password logs out everywhere."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, update

from app.auth import tokens
from app.models import AccountToken, AuditEvent, LoginSession, Role, TokenPurpose
from app.models.base import utcnow
from tests.auth.mails import delivered, link_in, path_of
from tests.conftest import login, post

NEW_PASSWORD = "grøn-cykel-ved-søen-7"


def _ask(client, email):
    return post(client, "/password/forgot", {"email": email})


def _page(response) -> str:
    """The page without its CSRF tokens, which differ from request to request."""
    return re.sub(r'value="[^"]*"', "", response.text)


def test_the_login_page_links_to_forgot_password(client):
    page = client.get("/login").text
    assert 'href="/password/forgot"' in page and "Glemt adgangskode?" in page


def test_a_known_address_gets_a_link_and_an_unknown_one_the_same_answer(
    app, client, world, smtp_server
):
    teacher = world.user(Role.TEACHER, "a")
    known = _ask(client, teacher.email.upper())
    unknown = _ask(app.test_client(), "findes.ikke@example.org")
    assert known.status_code == unknown.status_code == 200
    assert _page(known) == _page(unknown)
    assert "Tjek din e-mail" in known.text

    messages = delivered(smtp_server)
    assert [m.envelope_to for m in messages] == [[teacher.email]]  # no mail for the unknown
    [message] = messages
    assert message["Subject"] == "Elevsag: Vælg en ny adgangskode"
    assert teacher.name not in message.get_content()
    assert link_in(message).startswith("https://elevsag.test/password/reset/")


def test_a_deactivated_account_gets_no_link(app, client, db, world, smtp_server):
    teacher = world.user(Role.TEACHER, "a")
    teacher.active = False
    db.session.commit()
    response = _ask(client, teacher.email)
    assert response.status_code == 200 and "Tjek din e-mail" in response.text
    assert delivered(smtp_server) == []


def test_a_new_password_ends_every_session_and_is_audited(app, client, db, world, smtp_server):
    teacher = world.user(Role.TEACHER, "a")
    office, phone = app.test_client(), app.test_client()
    login(office, teacher)
    login(phone, teacher)
    _ask(client, teacher.email)
    path = path_of(link_in(delivered(smtp_server)[0]))

    page = client.get(path)
    assert page.status_code == 200 and "Vælg en ny adgangskode" in page.text
    response = post(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "du er logget ud overalt" in client.get("/login").text

    for old in (office, phone):
        assert old.get("/students/").headers["Location"].startswith("/login")
    open_sessions = select(LoginSession).where(
        LoginSession.user_id == teacher.id, LoginSession.revoked_at.is_(None)
    )
    assert db.session.execute(open_sessions).first() is None
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.criterion.contains("password reset"))
    ).scalar_one()
    assert event.user_id == teacher.id and event.object_id == teacher.id

    fresh = app.test_client()
    assert (
        post(
            fresh, "/login", {"email": teacher.email, "password": "korrekt-hest-batteri-42"}
        ).status_code
        == 200
    )
    login(fresh, teacher, NEW_PASSWORD)

    used = app.test_client().get(path)
    assert used.status_code == 410 and "Linket er allerede brugt" in used.text


def test_a_reset_link_lasts_an_hour(app, client, db, world, smtp_server):
    teacher = world.user(Role.TEACHER, "a")
    _ask(client, teacher.email)
    path = path_of(link_in(delivered(smtp_server)[0]))
    token = db.session.execute(select(AccountToken)).scalar_one()
    assert timedelta(minutes=59) < token.expires_at - token.created_at <= timedelta(minutes=60)
    db.session.execute(
        update(AccountToken).values(
            created_at=utcnow() - timedelta(minutes=61), expires_at=utcnow() - timedelta(minutes=1)
        )
    )
    db.session.commit()
    response = post(app.test_client(), path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 410 and "Linket er udløbet" in response.text
    assert 'href="/password/forgot"' in response.text  # ask for a new one


def test_a_newer_link_replaces_the_older(app, client, world, smtp_server):
    teacher = world.user(Role.TEACHER, "a")
    _ask(client, teacher.email)
    _ask(client, teacher.email)
    first, second = delivered(smtp_server)
    assert app.test_client().get(path_of(link_in(first))).status_code == 410
    assert app.test_client().get(path_of(link_in(second))).status_code == 200


def test_a_forged_or_wrong_purpose_token_gets_a_clear_message(app, client, db, world):
    teacher = world.user(Role.TEACHER, "a")
    invitation = tokens.issue(teacher, TokenPurpose.INVITATION)
    db.session.commit()
    for path in (
        "/password/reset/forfalsket",
        "/password/reset/" + "A" * 43,
        "/password/reset/" + "x" * 5000,
        f"/password/reset/{invitation}",  # an invitation's token is not a reset token
    ):
        for response in (client.get(path), post(client, path, {"password": NEW_PASSWORD})):
            assert response.status_code == 404, path
            assert "Linket er ikke gyldigt" in response.text


def test_the_request_form_is_rate_limited(app, client, world, smtp_server):
    teacher = world.user(Role.TEACHER, "a")
    for _ in range(3):
        assert _ask(client, teacher.email).status_code == 200
    assert _ask(client, teacher.email).status_code == 429
    assert _ask(client, "findes.ikke@example.org").status_code == 200  # another address
    assert len(delivered(smtp_server)) == 3


def test_the_address_is_checked(client, smtp_server):
    response = _ask(client, "")
    assert response.status_code == 200 and 'data-testid="error-email"' in response.text
    assert delivered(smtp_server) == []


def test_hostile_input_to_the_password_form_is_refused_without_an_error(app, db, world):
    from tests.test_bad_input import BAD_VALUES

    teacher = world.user(Role.TEACHER, "a")
    client = app.test_client()
    for value in BAD_VALUES:
        token = tokens.issue(teacher, TokenPurpose.PASSWORD_RESET)
        db.session.commit()
        response = post(client, f"/password/reset/{token}", {"password": value, "confirm": value})
        assert response.status_code in (200, 302), value[:20]
        assert "<script>alert(" not in response.text
