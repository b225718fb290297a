"""Helpers for the admin tests: sign in (in English), read a re-rendered form, snapshot the data.

The admin pages speak Danish by default; these tests read them in English, so they check the
source texts of the messages and do not depend on the wording of the Danish catalogue.
"""

from __future__ import annotations

from html.parser import HTMLParser

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, LoginSession, Membership, Organisation, User, Workplace
from tests.conftest import login


def sign_in(client, user):
    """Log `user` in on `client` and switch the interface to English."""
    login(client, user)
    with client.session_transaction() as session:
        session["locale"] = "en"
    return client


class _FormReader(HTMLParser):
    """Collects, per field name: the value shown, the error shown next to it, aria-invalid."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str | bool | None] = {}
        self.invalid: set[str] = set()
        self.errors: dict[str, str] = {}
        self._select: str | None = None
        self._error: str | None = None
        self._error_depth = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if self._error is not None:
            self._error_depth += tag == "span"
        if tag == "input" and name:
            if a.get("type") == "checkbox":
                self.values[name] = "checked" in a
            else:
                self.values[name] = a.get("value")
            if a.get("aria-invalid") == "true":
                self.invalid.add(name)
        elif tag == "select" and name:
            self._select = name
            self.values[name] = None
            if a.get("aria-invalid") == "true":
                self.invalid.add(name)
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value")
        elif tag == "span" and (a.get("data-testid") or "").startswith("error-"):
            self._error = a["data-testid"].removeprefix("error-")
            self._error_depth = 1
            self.errors[self._error] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if self._error is not None and tag == "span":
            self._error_depth -= 1
            if self._error_depth == 0:
                self._error = None

    def handle_data(self, data):
        if self._error is not None:
            self.errors[self._error] += data


def read_form(html: str) -> _FormReader:
    reader = _FormReader()
    reader.feed(html)
    return reader


def error_next_to(html: str, field: str) -> str | None:
    """The error message shown with `field`, if the field is also marked invalid; else None."""
    form = read_form(html)
    if field not in form.errors:
        return None
    assert field in form.invalid, f"{field} shows an error but is not marked aria-invalid"
    return " ".join(form.errors[field].split())


def snapshot() -> dict[str, list[tuple]]:
    """Every row the admin pages could write, to prove a refused request stored nothing."""
    tables = {
        "organisation": Organisation,
        "workplace": Workplace,
        "user": User,
        "membership": Membership,
        "login_session": LoginSession,
        "audit_event": AuditEvent,
    }
    db.session.expire_all()
    state = {}
    for name, model in tables.items():
        columns = list(model.__table__.columns)
        rows = db.session.execute(select(*columns).order_by(model.id)).all()
        state[name] = [tuple(row) for row in rows]
    return state
