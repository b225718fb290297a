"""Fields say what they hold, so browsers and password managers fill the right thing
(WCAG 1.3.5), and the language is changed by a button, not by choosing (WCAG 3.2.2)."""

from __future__ import annotations

import re
from pathlib import Path

from app.models import Role
from tests.conftest import login


def _input(page: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    assert tag, f"no input {name}"
    return tag.group(0)


def test_the_login_fields_are_an_email_and_the_current_password(client):
    page = client.get("/login").text
    email = _input(page, "email")
    assert 'type="email"' in email and 'autocomplete="username"' in email
    password = _input(page, "password")
    assert 'type="password"' in password and 'autocomplete="current-password"' in password


def test_a_new_users_email_is_typed_as_email(client, world):
    login(client, world.user(Role.SCHOOL_ADMIN))
    page = client.get("/admin/users/new").text
    email = _input(page, "email")
    assert 'type="email"' in email and 'autocomplete="off"' in email  # not the admin's own


def test_a_password_chosen_through_a_link_is_a_new_password_for_the_account(client, db, world):
    from app.auth import tokens
    from app.models import TokenPurpose

    teacher = world.user(Role.TEACHER)
    token = tokens.issue(teacher, TokenPurpose.PASSWORD_RESET)
    db.session.commit()
    page = client.get(f"/password/reset/{token}").text
    for name in ("password", "confirm"):
        assert 'autocomplete="new-password"' in _input(page, name)
    username = _input(page, "username")
    assert 'autocomplete="username"' in username and teacher.email in username


def test_a_students_email_is_typed_as_email(client, world):
    login(client, world.user(Role.SCHOOL_ADMIN))
    page = client.get("/students/new").text
    assert 'type="email"' in _input(page, "email")


def test_the_language_is_changed_by_its_button_only(client):
    page = client.get("/login").text
    form = re.search(r'<form[^>]*action="/language".*?</form>', page, flags=re.S).group(0)
    assert "data-autosubmit" not in form and "onchange" not in form
    assert re.search(r'<button type="submit"[^>]*>Skift sprog</button>', form)
    script = Path(__file__).resolve().parents[1] / "app" / "static" / "js" / "elevsag.js"
    assert ".submit()" not in script.read_text()
