"""Two-factor login: required roles are kept out until they enrol, enrolment with a QR code,
logging in with a code, wrong and reused codes, recovery codes, the limit on code entry, and
an administrator's reset."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from app.auth import twofactor
from app.extensions import db as _db
from app.models import AuditAction, AuditEvent, LoginSession, RecoveryCode, Role
from app.models.base import utcnow
from config import Config, DevelopmentConfig, TestConfig
from tests.conftest import PASSWORD, login, post


@pytest.fixture
def required(app):
    """Two-factor login as in production: required for the roles that see support data."""
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = None


def enrolled(user) -> pyotp.TOTP:
    """Give `user` a confirmed two-factor enrolment (no code used yet); its TOTP."""
    user.totp_secret = pyotp.random_base32()
    user.totp_enabled_at = utcnow()
    _db.session.commit()
    return pyotp.TOTP(user.totp_secret)


def code_at(totp: pyotp.TOTP, steps: int = 0) -> str:
    """The code `steps` time steps from now (one step either way is accepted)."""
    return totp.at(utcnow() + timedelta(seconds=30 * steps))


def events(action, criterion: str | None = None):
    rows = _db.session.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars()
    return [e for e in rows if criterion is None or criterion in e.criterion]


def support_url(world) -> str:
    return f"/students/{world.a.student.id}/support"


# --- the setting ------------------------------------------------------------------------------


def test_production_and_development_require_two_factor_for_counsellors(app, world):
    from app.access.twofactor import requires_two_factor

    assert Config.TWO_FACTOR_REQUIRED_ROLES is None
    assert DevelopmentConfig.TWO_FACTOR_REQUIRED_ROLES is None
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = Config.TWO_FACTOR_REQUIRED_ROLES
    for role in (Role.COUNSELLOR, Role.TEACHER, Role.SUPERVISOR, Role.TRAINING_COORDINATOR):
        assert requires_two_factor(world.user(role)), role
    # Roles that never see a named student's support data may choose.
    for role in (Role.ANALYST, Role.LEADER, Role.PARTNERSHIP_COORDINATOR, Role.SYSTEM_ADMIN):
        assert not requires_two_factor(world.user(role)), role


def test_an_installation_can_require_it_of_further_roles_but_not_of_fewer(app, world):
    from app.access.twofactor import requires_two_factor

    app.config["TWO_FACTOR_REQUIRED_ROLES"] = None
    app.config["TWO_FACTOR_EXTRA_ROLES"] = frozenset({"analyst", "leader"})
    assert requires_two_factor(world.user(Role.ANALYST))
    assert requires_two_factor(world.user(Role.LEADER))
    assert requires_two_factor(world.user(Role.COUNSELLOR))  # never fewer
    assert not requires_two_factor(world.user(Role.PARTNERSHIP_COORDINATOR))


def test_a_misspelt_extra_role_stops_the_start():
    class Misspelt(TestConfig):
        TWO_FACTOR_EXTRA_ROLES = frozenset({"analyst", "leder"})

    with pytest.raises(RuntimeError, match="leder"):
        Misspelt.validate()


def test_the_setting_names_the_roles(app, world):
    from app.access.twofactor import requires_two_factor

    app.config["TWO_FACTOR_REQUIRED_ROLES"] = frozenset({"teacher"})
    assert requires_two_factor(world.user(Role.TEACHER))
    assert not requires_two_factor(world.user(Role.COUNSELLOR))


# --- required, not enrolled -------------------------------------------------------------------


def test_counsellor_without_two_factor_cannot_reach_a_support_page(client, world, required):
    counsellor = world.user(Role.COUNSELLOR)
    login(client, counsellor)
    response = client.get(support_url(world))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/two-factor/enrol?next=")
    for url in ("/", "/students/", "/account/sessions", f"/students/{world.a.student.id}"):
        assert client.get(url).headers["Location"].startswith("/account/two-factor/enrol"), url
    # A form elsewhere is refused too (nothing is saved), and the login stays unverified.
    response = post(client, f"/students/{world.a.student.id}/notes/new", {"text": "x"})
    assert response.headers["Location"].startswith("/account/two-factor/enrol")
    enrol = client.get(response.headers["Location"])
    assert enrol.status_code == 200
    assert world.a.student.last_name not in enrol.text
    # Logging out and changing the language still work.
    assert post(client, "/language", {"language": "en", "next": "/"}).status_code == 302
    assert post(client, "/logout").headers["Location"] == "/login"


def test_a_role_that_does_not_require_it_is_let_through(client, world, required):
    login(client, world.user(Role.ANALYST))
    assert client.get("/account/sessions").status_code == 200
    assert "two-factor" not in client.get("/").headers.get("Location", "")


def test_enrolment_shows_a_qr_code_and_turns_on_with_a_right_code(client, db, world, required):
    counsellor = world.user(Role.COUNSELLOR)
    login(client, counsellor)
    page = client.get(f"/account/two-factor/enrol?next={support_url(world)}")
    assert page.status_code == 200
    assert "<svg" in page.text and 'class="two-factor-qr"' in page.text
    db.session.refresh(counsellor)
    secret = counsellor.totp_secret
    assert secret and twofactor.grouped_secret(secret) in page.text  # to type by hand
    assert not counsellor.two_factor_enabled

    wrong = post(client, f"/account/two-factor/enrol?next={support_url(world)}", {"code": "000000"})
    assert wrong.status_code == 200
    assert "Koden er ikke rigtig" in wrong.text
    assert client.get(support_url(world)).status_code == 302  # still not enrolled

    code = pyotp.TOTP(secret).now()
    done = post(client, f"/account/two-factor/enrol?next={support_url(world)}", {"code": code})
    assert done.status_code == 200
    codes = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", done.text)
    assert len(set(codes)) == 10
    assert f'href="{support_url(world)}"' in done.text  # and on to where they were going
    db.session.refresh(counsellor)
    assert counsellor.two_factor_enabled
    stored = db.session.execute(select(RecoveryCode.code_hash)).scalars().all()
    assert len(stored) == 10 and not set(codes) & set(stored)  # only hashes are stored
    assert events(AuditAction.UPDATE, "two-factor login turned on")
    assert client.get(support_url(world)).status_code == 200
    status = client.get("/account/two-factor")
    assert "Totrinslogin er slået til." in status.text
    assert "Gendannelseskoder tilbage: 10." in status.text


# --- logging in with a code -------------------------------------------------------------------


def _password(client, user, next_url: str = ""):
    return post(client, "/login", {"email": user.email, "password": PASSWORD, "next": next_url})


def test_login_asks_for_the_code_and_nothing_else_is_reached_before(client, world):
    teacher = world.user(Role.TEACHER)
    totp = enrolled(teacher)  # optional for the role (the test settings), but turned on
    response = _password(client, teacher, support_url(world))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login/code?next=")
    assert client.get(support_url(world)).headers["Location"].startswith("/login/code")
    assert client.get("/account/two-factor").headers["Location"].startswith("/login/code")

    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and 'name="code"' in page.text
    wrong = post(client, "/login/code", {"code": "123456", "next": support_url(world)})
    assert wrong.status_code == 200
    assert "Koden er ikke rigtig" in wrong.text
    assert events(AuditAction.LOGIN_FAILED, "login: wrong two-factor code")
    assert client.get(support_url(world)).status_code == 302

    right = post(client, "/login/code", {"code": code_at(totp), "next": support_url(world)})
    assert right.status_code == 302
    assert right.headers["Location"] == support_url(world)
    assert client.get(support_url(world)).status_code == 200
    row = _db.session.execute(select(LoginSession)).scalar_one()
    assert row.second_factor == "totp"
    assert events(AuditAction.LOGIN, "two-factor code")


def test_a_code_works_only_once(client, world):
    teacher = world.user(Role.TEACHER)
    totp = enrolled(teacher)
    code = code_at(totp)
    _password(client, teacher)
    assert post(client, "/login/code", {"code": code}).status_code == 302
    post(client, "/logout")
    _password(client, teacher)
    again = post(client, "/login/code", {"code": code})
    assert again.status_code == 200
    assert "Denne kode er allerede brugt" in again.text
    assert events(AuditAction.LOGIN_FAILED, "two-factor code used again")
    # An older code than the last one used is refused too; the next one works.
    assert post(client, "/login/code", {"code": code_at(totp, -1)}).status_code == 200
    assert post(client, "/login/code", {"code": code_at(totp, 1)}).status_code == 302


def test_a_recovery_code_works_once(client, db, world):
    teacher = world.user(Role.TEACHER)
    enrolled(teacher)
    codes = twofactor.new_recovery_codes(teacher)
    db.session.commit()
    _password(client, teacher)
    used = post(client, "/login/code", {"code": codes[0].upper()})  # as typed from paper
    assert used.status_code == 302
    assert "9 tilbage" in client.get("/account/sessions").text  # the flashed notice
    row = db.session.execute(select(LoginSession)).scalar_one()
    assert row.second_factor == "recovery"
    post(client, "/logout")

    _password(client, teacher)
    again = post(client, "/login/code", {"code": codes[0]})
    assert again.status_code == 200
    assert "Denne gendannelseskode er allerede brugt" in again.text
    assert post(client, "/login/code", {"code": codes[1]}).status_code == 302


def test_new_recovery_codes_replace_the_old(client, db, world):
    teacher = world.user(Role.TEACHER)
    totp = enrolled(teacher)
    old = twofactor.new_recovery_codes(teacher)
    db.session.commit()
    _password(client, teacher)
    post(client, "/login/code", {"code": code_at(totp)})
    page = post(client, "/account/two-factor/recovery-codes")
    new = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", page.text)
    assert len(new) == 10 and not set(new) & set(old)
    post(client, "/logout")
    _password(client, teacher)
    assert post(client, "/login/code", {"code": old[0]}).status_code == 200
    assert post(client, "/login/code", {"code": new[0]}).status_code == 302


def test_code_entry_is_limited(client, world):
    teacher = world.user(Role.TEACHER)
    totp = enrolled(teacher)
    _password(client, teacher)
    statuses = [post(client, "/login/code", {"code": "000000"}).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    # Even the right code waits now.
    assert post(client, "/login/code", {"code": code_at(totp)}).status_code == 429
    assert client.get("/").headers["Location"].startswith("/login/code")


def test_an_identity_provider_with_multi_factor_counts_as_the_second_factor(app, world, required):
    from app.access.twofactor import gate
    from app.auth.sessions import start_session

    counsellor = world.user(Role.COUNSELLOR)
    enrolled(counsellor)
    with app.test_request_context("/"):
        start_session(counsellor, second_factor="provider")
        assert gate(counsellor, "support.overview") is None
    with app.test_request_context("/"):
        start_session(counsellor)
        assert gate(counsellor, "support.overview") == "auth.login_code"


# --- turning it off ---------------------------------------------------------------------------


def test_an_optional_role_turns_it_off_with_a_code(client, db, world):
    teacher = world.user(Role.TEACHER)
    totp = enrolled(teacher)
    _password(client, teacher)
    post(client, "/login/code", {"code": code_at(totp)})
    assert post(client, "/account/two-factor/disable", {"code": "000000"}).status_code == 200
    db.session.refresh(teacher)
    assert teacher.two_factor_enabled
    done = post(client, "/account/two-factor/disable", {"code": code_at(totp, 1)})
    assert done.status_code == 302
    db.session.refresh(teacher)
    assert not teacher.two_factor_enabled and teacher.totp_secret is None
    assert events(AuditAction.UPDATE, "two-factor login turned off")


def test_a_required_role_cannot_turn_it_off(client, db, world, required):
    teacher = world.user(Role.TEACHER)
    totp = enrolled(teacher)
    _password(client, teacher)
    post(client, "/login/code", {"code": code_at(totp)})
    assert "Slå totrinslogin fra" not in client.get("/account/two-factor").text
    response = post(client, "/account/two-factor/disable", {"code": code_at(totp, 1)})
    assert response.status_code == 302
    db.session.refresh(teacher)
    assert teacher.two_factor_enabled


# --- an administrator's reset -----------------------------------------------------------------


def test_admin_reset_needs_the_identity_check_is_logged_and_forces_enrolment(
    client, db, world, required
):
    counsellor = world.user(Role.COUNSELLOR)
    totp = enrolled(counsellor)
    twofactor.new_recovery_codes(counsellor)
    db.session.commit()
    other = client.application.test_client()  # the counsellor is logged in elsewhere
    _password(other, counsellor)
    post(other, "/login/code", {"code": code_at(totp)})
    assert other.get(support_url(world)).status_code == 200

    admin = world.user(Role.SCHOOL_ADMIN)
    login(client, admin)
    # (School admins export access requests, so their role requires two-factor login too.)
    enrolled(admin)
    row = db.session.execute(
        select(LoginSession).where(LoginSession.user_id == admin.id)
    ).scalar_one()
    row.second_factor = "totp"
    db.session.commit()
    url = f"/admin/users/{counsellor.id}/two-factor/reset"
    page = client.get(f"/admin/users/{counsellor.id}/edit")
    assert 'data-testid="reset-two-factor"' in page.text

    refused = post(client, url, {"how": "personligt"})
    assert refused.status_code == 200
    assert "Bekræft, at du har kontrolleret personens identitet." in refused.text
    db.session.refresh(counsellor)
    assert counsellor.two_factor_enabled

    done = post(client, url, {"identity_checked": "y", "how": "personligt med kørekort"})
    assert done.status_code == 302
    db.session.refresh(counsellor)
    assert counsellor.totp_secret is None and not counsellor.two_factor_enabled
    assert db.session.execute(select(RecoveryCode)).first() is None
    [event] = events(AuditAction.UPDATE, "two-factor login reset")
    assert event.user_id == admin.id and event.object_id == counsellor.id
    assert "personligt med kørekort" in event.criterion
    # The counsellor's sessions ended; at the next login they enrol again.
    assert other.get(support_url(world)).headers["Location"].startswith("/login")
    _password(other, counsellor)
    assert other.get(support_url(world)).headers["Location"].startswith("/account/two-factor/enrol")


def test_an_admin_of_another_organisation_cannot_reset(client, db, world):
    counsellor = world.user(Role.COUNSELLOR)
    enrolled(counsellor)
    login(client, world.user(Role.SCHOOL_ADMIN, "b"))
    response = post(
        client,
        f"/admin/users/{counsellor.id}/two-factor/reset",
        {"identity_checked": "y", "how": "personligt"},
    )
    assert response.status_code == 404
    db.session.refresh(counsellor)
    assert counsellor.two_factor_enabled
