"""A new user is invited by e-mail and chooses their own password; an admin never sets one."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from app.models import AccountToken, Role, User
from app.models.base import utcnow
from tests.admin.support import sign_in
from tests.auth.mails import delivered, link_in, path_of
from tests.conftest import login, post

NEW_PASSWORD = "blå-kaffekop-i-regnvejr"


def _create(client, world, email="ny.kollega@example.org"):
    sign_in(client, world.user(Role.SCHOOL_ADMIN, "a"))
    response = post(
        client,
        "/admin/users/new",
        {
            "name": "Ny Kollega",
            "email": email,
            "role": "teacher",
            "organisation": str(world.a.school.id),
            "workplace": "",
        },
    )
    assert response.status_code == 302
    return response


def _choose(client, path, password=NEW_PASSWORD, confirm=None):
    return post(client, path, {"password": password, "confirm": confirm or password})


def test_a_new_user_gets_an_invitation_and_chooses_their_password(
    app, client, db, world, smtp_server
):
    _create(client, world)
    [message] = delivered(smtp_server, "ny.kollega@example.org")
    assert message["Subject"] == "Elevsag: Du er inviteret til Elevsag"  # Danish, whoever sent it
    body = message.get_content()
    assert "Ny Kollega" not in body  # the link, no personal data
    link = link_in(message)
    assert link.startswith("https://elevsag.test/invitation/")  # TestConfig.PUBLIC_BASE_URL

    # Nobody can log in before the user has chosen a password.
    stranger = app.test_client()
    assert (
        post(stranger, "/login", {"email": "ny.kollega@example.org", "password": ""}).status_code
        == 200
    )

    invited = app.test_client()
    page = invited.get(path_of(link))
    assert page.status_code == 200 and "Velkommen til Elevsag" in page.text
    assert page.headers["Referrer-Policy"] == "same-origin"  # the token stays on the site
    response = _choose(invited, path_of(link))
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    user = db.session.execute(select(User).filter_by(email="ny.kollega@example.org")).scalar_one()
    login(invited, user, NEW_PASSWORD)

    # The link works once.
    again = app.test_client().get(path_of(link))
    assert again.status_code == 410
    assert "Linket er allerede brugt" in again.text


def test_the_admin_form_has_no_password_field(client, world):
    sign_in(client, world.user(Role.SCHOOL_ADMIN, "a"))
    assert 'type="password"' not in client.get("/admin/users/new").text
    teacher = world.user(Role.TEACHER, "a")
    assert 'type="password"' not in client.get(f"/admin/users/{teacher.id}/edit").text


def test_a_resent_invitation_replaces_the_old_link(app, client, db, world, smtp_server):
    _create(client, world)
    user = db.session.execute(select(User).filter_by(email="ny.kollega@example.org")).scalar_one()
    [first] = delivered(smtp_server)
    response = post(client, f"/admin/users/{user.id}/invitation")
    assert response.status_code == 302
    assert "A new invitation was sent" in client.get(response.headers["Location"]).text
    second = delivered(smtp_server)[-1]
    assert link_in(second) != link_in(first)

    old = app.test_client().get(path_of(link_in(first)))
    assert old.status_code == 410 and "der er sendt et nyere link" in old.text
    assert _choose(app.test_client(), path_of(link_in(second))).status_code == 302


def test_an_invitation_expires(app, client, db, world, smtp_server):
    _create(client, world)
    [message] = delivered(smtp_server)
    db.session.execute(
        update(AccountToken).values(
            created_at=utcnow() - timedelta(days=8), expires_at=utcnow() - timedelta(days=1)
        )
    )
    db.session.commit()
    invited = app.test_client()
    page = invited.get(path_of(link_in(message)))
    assert page.status_code == 410 and "Linket er udløbet" in page.text
    assert _choose(invited, path_of(link_in(message))).status_code == 410
    user = db.session.execute(select(User).filter_by(email="ny.kollega@example.org")).scalar_one()
    assert "expired" in client.get(f"/admin/users/{user.id}/edit").text


def test_the_link_uses_the_public_address_not_the_requests_host(app, db, world, smtp_server):
    """A forged Host header must not send a link to the attacker's site."""
    from app.auth.account_mail import send_invitation

    teacher = world.user(Role.TEACHER, "a")
    app.config["PUBLIC_BASE_URL"] = "https://elevsag.example.dk/"
    with app.test_request_context("/", base_url="http://angriber.example"):
        send_invitation(teacher)
        db.session.commit()
    [message] = delivered(smtp_server)
    assert link_in(message).startswith("https://elevsag.example.dk/invitation/")


def test_an_admin_of_another_organisation_cannot_resend(client, world, smtp_server):
    sign_in(client, world.user(Role.SCHOOL_ADMIN, "b"))
    teacher = world.user(Role.TEACHER, "a")
    assert post(client, f"/admin/users/{teacher.id}/invitation").status_code == 404
    assert delivered(smtp_server) == []


def test_the_chosen_password_meets_the_policy(app, client, world, smtp_server):
    _create(client, world, email="bente.holm@example.org")
    path = path_of(link_in(delivered(smtp_server)[0]))
    invited = app.test_client()
    cases = [
        ("kort-kode", "mindst 12 tegn"),
        ("password1234", "mest almindelige adgangskoder"),
        ("Password2024!!", "almindeligt ord eller mønster"),
        ("bente.holm-1234567", "ikke indeholde din e-mailadresse"),
    ]
    for password, message in cases:
        response = _choose(invited, path, password)
        assert response.status_code == 200, password
        assert message in response.text, password
        assert 'data-testid="error-password"' in response.text
    response = _choose(invited, path, NEW_PASSWORD, NEW_PASSWORD + "x")
    assert "ikke ens" in response.text or "not the same" in response.text
    assert _choose(invited, path).status_code == 302  # the link still works after mistakes


def test_a_changed_address_stops_the_links_sent_to_the_old_one(app, client, db, world, smtp_server):
    _create(client, world)
    [message] = delivered(smtp_server)
    user = db.session.execute(select(User).filter_by(email="ny.kollega@example.org")).scalar_one()
    response = post(
        client,
        f"/admin/users/{user.id}/edit",
        {"name": user.name, "email": "rettet@example.org", "active": "y"},
    )
    assert response.status_code == 302
    old = app.test_client().get(path_of(link_in(message)))
    assert old.status_code == 410
