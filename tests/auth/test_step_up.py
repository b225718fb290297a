"""Before a whole case is exported (case-file PDF, support PDF and CSV, the access request), a
person who has not proved who they are in the last STEP_UP_MINUTES gives their code again
(or their password, without two-factor login) and then gets the export."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db as _db
from app.models import AuditAction, AuditEvent, LoginSession, Role
from app.models.base import utcnow
from tests.auth.test_two_factor import code_at, enrolled
from tests.conftest import PASSWORD, login, post


def _age_the_login(user, minutes: int = 6) -> None:
    """The person last proved who they are `minutes` ago (STEP_UP_MINUTES is 5)."""
    row = _db.session.execute(
        select(LoginSession).where(
            LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None)
        )
    ).scalar_one()
    row.verified_at = utcnow() - timedelta(minutes=minutes)
    _db.session.commit()


def _exports(student_id: int) -> list[tuple[Role, str]]:
    return [
        (Role.COUNSELLOR, f"/students/{student_id}/case-file.pdf"),
        (Role.COUNSELLOR, f"/students/{student_id}/support.pdf"),
        (Role.COUNSELLOR, f"/students/{student_id}/support.csv"),
        (Role.SCHOOL_ADMIN, f"/students/{student_id}/access-request"),
        (Role.SCHOOL_ADMIN, f"/students/{student_id}/access-request.pdf"),
        (Role.SCHOOL_ADMIN, f"/students/{student_id}/access-request.json"),
    ]


def test_a_fresh_login_exports_at_once(client, world):
    login(client, world.user(Role.COUNSELLOR))
    response = client.get(f"/students/{world.a.student.id}/support.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"


@pytest.mark.parametrize("index", range(6))
def test_every_whole_case_export_asks_again_after_a_while(client, world, index):
    role, url = _exports(world.a.student.id)[index]
    user = world.user(role)
    login(client, user)
    _age_the_login(user)
    exported = len(_events(AuditAction.EXPORT))
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/confirm?next=")
    assert len(_events(AuditAction.EXPORT)) == exported  # nothing was exported


def _events(action, criterion: str = ""):
    rows = _db.session.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars()
    return [e for e in rows if criterion in e.criterion]


def test_without_two_factor_the_password_confirms_and_the_export_follows(client, world):
    counsellor = world.user(Role.COUNSELLOR)
    login(client, counsellor)
    _age_the_login(counsellor)
    url = f"/students/{world.a.student.id}/support.csv?x=1"
    page = client.get(client.get(url).headers["Location"])
    assert page.status_code == 200
    assert 'type="password"' in page.text and 'name="code"' not in page.text

    wrong = post(client, "/account/confirm", {"password": "forkert-kodeord", "next": url})
    assert wrong.status_code == 200
    assert "Adgangskoden er ikke rigtig." in wrong.text
    assert _events(AuditAction.LOGIN_FAILED, "confirming before an export: wrong password")

    right = post(client, "/account/confirm", {"password": PASSWORD, "next": url})
    assert right.status_code == 302
    assert right.headers["Location"] == url
    assert client.get(url).status_code == 200
    assert _events(AuditAction.LOGIN, "confirmed before an export: password")


def test_with_two_factor_the_code_confirms_before_the_case_file_pdf(client, world):
    teacher = world.user(Role.TEACHER)
    totp = enrolled(teacher)
    post(client, "/login", {"email": teacher.email, "password": PASSWORD})
    post(client, "/login/code", {"code": code_at(totp)})
    _age_the_login(teacher)
    url = f"/students/{world.a.student.id}/case-file.pdf"
    confirm = client.get(url).headers["Location"]
    page = client.get(confirm)
    assert 'name="code"' in page.text and 'type="password"' not in page.text
    # The code already used at login does not confirm again.
    reused = post(client, "/account/confirm", {"code": code_at(totp), "next": url})
    assert "Denne kode er allerede brugt" in reused.text
    right = post(client, "/account/confirm", {"code": code_at(totp, 1), "next": url})
    assert right.headers["Location"] == url
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"


def test_the_confirm_page_goes_back_only_to_this_site(client, world):
    counsellor = world.user(Role.COUNSELLOR)
    login(client, counsellor)
    response = post(client, "/account/confirm", {"password": PASSWORD, "next": "//evil.example/x"})
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]


def test_wrong_passwords_on_the_confirm_page_are_limited(client, world):
    login(client, world.user(Role.COUNSELLOR))
    statuses = [
        post(client, "/account/confirm", {"password": "forkert-kodeord"}).status_code
        for _ in range(6)
    ]
    assert statuses == [200] * 5 + [429]
