"""Fixtures. One app and one database per test session; every test starts with empty tables.

Set TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/elevsag_test) to run
the suite against PostgreSQL; by default it runs on a temporary SQLite file.
"""

from __future__ import annotations

import os
import re
import tempfile
from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import event

from tests import clock

if not os.environ.get("TEST_DATABASE_URL"):
    _tmpdir = tempfile.mkdtemp(prefix="elevsag-test-")
    os.environ["TEST_DATABASE_URL"] = f"sqlite:///{_tmpdir}/test.sqlite"

# Imported only now: config.TestConfig reads TEST_DATABASE_URL when it is first imported.
from app import create_app
from app.extensions import db as _db
from app.extensions import limiter
from config import TestConfig
from tests import factories
from tests.world_snapshot import WorldCache

PASSWORD = factories.PASSWORD

# Before any test module takes its "today": a run near midnight is moved past it (tests/clock.py).
_CLOCK_MOVED_TO = clock.hold_the_day(TestConfig.BABEL_DEFAULT_TIMEZONE)


def pytest_report_header(config):
    if _CLOCK_MOVED_TO is not None:
        return f"clock: moved to {_CLOCK_MOVED_TO:%Y-%m-%d %H:%M} UTC so the run sees one day"
    return None


@pytest.fixture(scope="session")
def app():
    app = create_app(TestConfig)
    app.extensions["test_world_cache"] = WorldCache()
    # Attachments are stored in a folder of this test session's own.
    app.config["ATTACHMENT_DIR"] = tempfile.mkdtemp(prefix="elevsag-attachments-")
    with app.app_context():
        _db.drop_all()
        _db.create_all()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_state(app):
    """Empty every table, reset the login limits and undo any change to the app's settings
    after each test (the app is shared by the whole session)."""
    settings = dict(app.config)
    with app.app_context():
        yield
        _db.session.rollback()
        with _db.engine.begin() as conn:
            for table in reversed(_db.metadata.sorted_tables):
                conn.execute(table.delete())
        _db.session.remove()
    limiter.reset()
    app.config.clear()
    app.config.update(settings)


@pytest.fixture
def db(app):
    return _db


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production.

    Tests hold an app context for the database; without this, requests would share its `g`
    (and Flask-Login's cached user) and its database session.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        _db.session.expire_all()  # the test's own objects reload what the request changed
        return response


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- logging in and posting forms ---------------------------------------------------------


def csrf_token(client) -> str:
    """A valid CSRF token for `client`'s session, as a rendered form would carry it."""
    from flask import current_app

    with client.session_transaction() as session:
        raw = session.get("csrf_token")
        if raw is None:
            import hashlib

            raw = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324 (as Flask-WTF does)
            session["csrf_token"] = raw
    serializer = URLSafeTimedSerializer(current_app.secret_key, salt="wtf-csrf-token")
    return serializer.dumps(raw)


def post(client, url: str, data: dict | None = None, **kwargs):
    """POST a form the way a browser would: with the CSRF token."""
    data = dict(data or {})
    data.setdefault("csrf_token", csrf_token(client))
    return client.post(url, data=data, **kwargs)


def login(client, user, password: str = PASSWORD):
    response = post(client, "/login", {"email": user.email, "password": password})
    assert response.status_code == 302, f"login failed for {user.email}"
    return response


def switch_to(client, user):
    """Log out whoever is logged in on `client`, and log in as `user`."""
    post(client, "/logout")
    return login(client, user)


@pytest.fixture
def login_as(client):
    def _login(user):
        login(client, user)
        return client

    return _login


# --- counting SQL statements ---------------------------------------------------------------


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(db):
    @contextmanager
    def _count():
        counter = QueryCounter()

        def before(conn, cursor, statement, parameters, context, executemany):
            if not re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK)", statement):
                counter.statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return _count


@pytest.fixture
def world(app, db):
    """Two schools, two municipalities with workplaces, one user per role in each, students.

    Built once per session and copied back in for each test (tests/world_snapshot.py)."""
    return app.extensions["test_world_cache"].world()
