""" "My sessions": the user sees where they are logged in and ends sessions."""

from __future__ import annotations

from sqlalchemy import select

from app.models import LoginSession, Role
from tests.conftest import PASSWORD, csrf_token, login, post

FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


def _login_with(app, user, agent):
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = agent
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 302
    return client


def _session_of(db, user, agent) -> LoginSession:
    return db.session.execute(
        select(LoginSession).where(
            LoginSession.user_id == user.id, LoginSession.user_agent == agent
        )
    ).scalar_one()


def test_the_page_lists_the_sessions_and_ends_another(app, db, world):
    teacher = world.user(Role.TEACHER, "a")
    desk = _login_with(app, teacher, FIREFOX_WINDOWS)
    phone = _login_with(app, teacher, SAFARI_IPHONE)
    page = desk.get("/account/sessions")
    assert page.status_code == 200
    assert "Mine sessioner" in page.text
    assert "Firefox på Windows" in page.text and "Safari på iPhone" in page.text
    current = page.text.split('data-testid="current-session"')[1].split("</tr>")[0]
    assert "Firefox på Windows" in current and "denne session" in current
    assert 'href="/account/sessions"' in page.text  # in the header

    other = _session_of(db, teacher, SAFARI_IPHONE)
    response = post(desk, f"/account/sessions/{other.id}/end")
    assert response.status_code == 302
    assert "Sessionen er afsluttet." in desk.get("/account/sessions").text
    assert phone.get("/students/").headers["Location"].startswith("/login")
    assert desk.get("/students/").status_code == 200
    assert "Safari på iPhone" not in desk.get("/account/sessions").text


def test_end_all_other_sessions_keeps_this_one(app, db, world):
    teacher = world.user(Role.TEACHER, "a")
    desk = _login_with(app, teacher, FIREFOX_WINDOWS)
    others = [_login_with(app, teacher, SAFARI_IPHONE) for _ in range(2)]
    assert post(desk, "/account/sessions/end-others").status_code == 302
    for other in others:
        assert other.get("/students/").headers["Location"].startswith("/login")
    assert desk.get("/students/").status_code == 200


def test_ending_this_session_logs_out(app, world):
    teacher = world.user(Role.TEACHER, "a")
    desk = _login_with(app, teacher, FIREFOX_WINDOWS)
    own = desk.get("/account/sessions").text
    session_id = own.split("/account/sessions/")[1].split("/end")[0]
    response = post(desk, f"/account/sessions/{session_id}/end")
    assert response.headers["Location"] == "/login"
    assert desk.get("/students/").headers["Location"].startswith("/login")


def test_another_persons_session_answers_404_and_stays(app, client, db, world):
    teacher, counsellor = world.user(Role.TEACHER, "a"), world.user(Role.COUNSELLOR, "a")
    victim = _login_with(app, counsellor, SAFARI_IPHONE)
    login(client, teacher)
    row = _session_of(db, counsellor, SAFARI_IPHONE)
    assert post(client, f"/account/sessions/{row.id}/end").status_code == 404
    assert "Safari" not in client.get("/account/sessions").text
    assert victim.get("/students/").status_code == 200


def test_an_unknown_browser_is_named_as_such(app, world):
    desk = _login_with(app, world.user(Role.TEACHER, "a"), "curl/8.0")
    assert "Ukendt browser" in desk.get("/account/sessions").text
