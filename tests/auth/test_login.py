"""Logging in and out: wrong passwords, throttling, sessions that really end, CSRF."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.models import AuditAction, AuditEvent, LoginSession, Role
from tests.conftest import PASSWORD, login, post


def _events(db, action):
    return db.session.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars().all()


def test_login_page_is_danish_by_default(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert '<html lang="da">' in response.text
    assert 'name="csrf_token"' in response.text


def test_anonymous_user_is_sent_to_login_with_next(client):
    response = client.get("/students/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_wrong_password_shows_clear_message_and_starts_no_session(client, db, world):
    user = world.user(Role.COUNSELLOR)
    response = post(client, "/login", {"email": user.email, "password": "forkert-kodeord"})
    assert response.status_code == 200
    assert "Forkert e-mail eller adgangskode." in response.text
    assert user.email in response.text  # what was typed is kept
    assert "forkert-kodeord" not in response.text  # ...but never the password
    assert client.get("/students/").status_code == 302
    assert db.session.execute(select(LoginSession)).first() is None
    failed = _events(db, AuditAction.LOGIN_FAILED)
    assert [e.user_id for e in failed] == [user.id]


def test_unknown_email_gets_the_same_message(client, world):
    response = post(client, "/login", {"email": "ingen@example.org", "password": "whatever-12345"})
    assert "Forkert e-mail eller adgangskode." in response.text


def test_deactivated_user_cannot_log_in(client, db, world):
    user = world.user(Role.TEACHER)
    user.active = False
    db.session.commit()
    response = post(client, "/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Forkert e-mail eller adgangskode." in response.text


def test_empty_login_form_shows_danish_errors_next_to_fields(client):
    response = post(client, "/login", {"email": "", "password": ""})
    assert response.status_code == 200
    assert 'data-testid="error-email"' in response.text
    assert "Skriv din e-mailadresse." in response.text
    assert "Skriv din adgangskode." in response.text


def test_login_with_correct_password_lands_on_my_overview_and_is_logged(client, db, world):
    user = world.user(Role.COUNSELLOR)
    response = post(client, "/login", {"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").headers["Location"] == "/my-overview"
    assert [e.user_id for e in _events(db, AuditAction.LOGIN)] == [user.id]


def test_login_follows_next_only_within_the_site(app, client, world):
    user = world.user(Role.COUNSELLOR)
    own_page = f"/students/{world.a.student.id}"
    cases = [("https://evil.example/x", "/"), ("//evil.example/x", "/"), (own_page, own_page)]
    for next_url, expected in cases:
        fresh = app.test_client()
        data = {"email": user.email, "password": PASSWORD, "next": next_url}
        assert post(fresh, "/login", data).headers["Location"] == expected


def test_sixth_failed_login_for_an_account_is_refused_with_429(client, world):
    user = world.user(Role.COUNSELLOR)
    for _ in range(5):
        response = post(client, "/login", {"email": user.email, "password": "wrong-password-1"})
        assert response.status_code == 200
    response = post(client, "/login", {"email": user.email, "password": "wrong-password-1"})
    assert response.status_code == 429
    assert "For mange forsøg" in response.text
    # Even the right password is refused while the account is throttled.
    response = post(client, "/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 429


def test_failed_logins_from_one_address_across_accounts_are_throttled(client, world):
    for n in range(30):
        data = {"email": f"guess{n}@example.org", "password": "wrong-password-1"}
        assert post(client, "/login", data).status_code == 200
    data = {"email": "guess-last@example.org", "password": "wrong-password-1"}
    assert post(client, "/login", data).status_code == 429


def test_successful_logins_do_not_count_against_the_limit(client, world):
    user = world.user(Role.COUNSELLOR)
    for _ in range(7):
        login(client, user)
        post(client, "/logout")


def test_logout_needs_post(client, world):
    login(client, world.user(Role.COUNSELLOR))
    assert client.get("/logout").status_code == 405


def test_replayed_cookie_after_logout_is_refused(app, client, db, world):
    login(client, world.user(Role.COUNSELLOR))
    cookie = client.get_cookie("elevsag_session")
    assert cookie is not None
    assert client.get("/students/").status_code == 200

    post(client, "/logout")
    assert db.session.execute(select(LoginSession.revoked_at)).scalar_one() is not None

    attacker = app.test_client()
    attacker.set_cookie("elevsag_session", cookie.value)
    response = attacker.get("/students/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_idle_session_expires(client, db, world):
    login(client, world.user(Role.COUNSELLOR))
    row = db.session.execute(select(LoginSession)).scalar_one()
    row.last_seen_at -= timedelta(minutes=client.application.config["SESSION_IDLE_MINUTES"] + 1)
    db.session.commit()
    assert client.get("/students/").status_code == 302


def test_login_without_csrf_token_is_refused_and_starts_no_session(client, db, world):
    user = world.user(Role.COUNSELLOR)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert db.session.execute(select(LoginSession)).first() is None
    assert client.get("/students/").status_code == 302


def test_language_can_be_switched_to_english_and_back(client, world):
    login(client, world.user(Role.COUNSELLOR))
    response = post(client, "/language", {"language": "en", "next": "/students/"})
    assert response.headers["Location"] == "/students/"
    assert '<html lang="en">' in client.get("/students/").text
    assert "My students" in client.get("/students/").text
    post(client, "/language", {"language": "da"})
    assert "Mine elever" in client.get("/students/").text


def test_language_choice_is_validated(client):
    response = post(client, "/language", {"language": "xx", "next": "//evil.example"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert '<html lang="da">' in client.get("/login").text


def test_login_limits_can_be_kept_in_redis(db, world):
    """With several worker processes the counts must be shared: RATELIMIT_STORAGE_URI=redis://."""
    import socket
    import uuid

    import pytest

    from app import create_app
    from app.extensions import limiter
    from config import TestConfig

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        pytest.skip("no Redis on 127.0.0.1:6379")

    class RedisConfig(TestConfig):
        RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379"
        RATELIMIT_KEY_PREFIX = f"elevsag-test-{uuid.uuid4().hex}"

    # create_app() points the one shared limiter at Redis; the other tests must get their
    # in-memory storage back afterwards.
    saved = {k: getattr(limiter, k) for k in ("_storage", "_limiter", "_key_prefix")}
    try:
        # Two app instances stand in for two worker processes sharing one Redis.
        first, second = create_app(RedisConfig), create_app(RedisConfig)
        user = world.user(Role.COUNSELLOR)
        statuses = []
        for n in range(6):
            client = (first if n % 2 else second).test_client()
            statuses.append(
                post(
                    client, "/login", {"email": user.email, "password": "wrong-password-1"}
                ).status_code
            )
        assert statuses == [200] * 5 + [429]
    finally:
        for name, value in saved.items():
            setattr(limiter, name, value)


def _failed_logins(client, count: int, address: str) -> list[int]:
    statuses = []
    for n in range(count):
        data = {"email": f"guess{n}@example.org", "password": "wrong-password-1"}
        statuses.append(
            post(client, "/login", data, headers={"X-Forwarded-For": address}).status_code
        )
    return statuses


def test_without_a_trusted_proxy_a_forged_forwarded_address_does_not_escape_the_limit(
    client, world
):
    assert _failed_logins(client, 30, "203.0.113.7") == [200] * 30
    assert _failed_logins(client, 1, "203.0.113.8") == [429]


def test_behind_a_trusted_proxy_each_client_address_is_counted_on_its_own(db, world):
    """Behind the TLS proxy every request comes from the proxy's address: without
    TRUSTED_PROXIES, 30 failures from anyone would lock everyone out."""
    from app import create_app
    from app.extensions import limiter
    from config import TestConfig

    class BehindProxy(TestConfig):
        TRUSTED_PROXIES = 1

    saved = {k: getattr(limiter, k) for k in ("_storage", "_limiter", "_key_prefix")}
    try:
        client = create_app(BehindProxy).test_client()
        assert _failed_logins(client, 30, "203.0.113.7") == [200] * 30
        assert _failed_logins(client, 1, "203.0.113.7") == [429]
        assert _failed_logins(client, 1, "203.0.113.8") == [200]
    finally:
        for name, value in saved.items():
            setattr(limiter, name, value)
        limiter.reset()


def test_a_password_hashed_under_the_production_profile_logs_in_and_is_rehashed(
    app, client, db, world
):
    """Production hashes with RFC 9106's parameters; the tests with argon2's cheapest. A hash
    keeps its parameters, so an account hashed under another profile still logs in, and its
    hash is brought to the configured profile at that login."""
    from argon2 import PasswordHasher, profiles

    from config import Config

    assert Config.PASSWORD_HASH_PROFILE == "RFC_9106_LOW_MEMORY"
    user = world.user(Role.COUNSELLOR)
    production = PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)
    user.password_hash = production.hash(PASSWORD)
    db.session.commit()
    assert login(client, user).status_code == 302
    db.session.refresh(user)
    assert user.password_hash.startswith("$argon2id$v=19$m=8,t=1,p=1$")  # CHEAPEST
    assert production.verify(user.password_hash, PASSWORD)
