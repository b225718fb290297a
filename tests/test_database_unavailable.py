"""A database that is briefly away answers 503 "try again", keeps what was typed, and the app
recovers by itself (issue 12: a 2.5 s PostgreSQL restart gave 19 x 500)."""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from app.extensions import db as _db
from app.models import CaseNote, Role
from tests.conftest import PASSWORD, csrf_token, login, post

DANISH = "Databasen svarer ikke lige nu. Prøv igen om et øjeblik."
TYPED = "Eleven <b>mødte</b> op & var glad – æøå"


@contextmanager
def failing_statement(db, matches, action):
    """Run `action(conn)` before the first SQL statement that `matches`, once."""
    fired = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if not fired and matches(statement):
            fired.append(statement)
            action(conn)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield fired
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def _raise_operational_error(conn):
    """What the driver raises when the server went away (the dialect's own DBAPI class)."""
    raise conn.dialect.loaded_dbapi.OperationalError("simulated: the server closed the connection")


def _is_insert_into_case_note(statement: str) -> bool:
    return statement.lstrip().upper().startswith("INSERT INTO CASE_NOTE")


def _note_data():
    return {"category": "general", "visibility": "shared", "body": TYPED, "version": ""}


def _assert_unavailable_page(response):
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert DANISH in response.text
    assert "Traceback" not in response.text


def _form_fields(page: str) -> dict[str, str]:
    """The re-post form's fields, as a browser would send them."""
    import html

    fields = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page):
        fields[name] = html.unescape(value)
    for name, value in re.findall(
        r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S
    ):
        fields[name] = html.unescape(value)
    return fields


def _notes(db) -> int:
    return db.session.execute(select(func.count(CaseNote.id))).scalar_one()


# --- on any backend: the driver's error raised inside a request ------------------------------


def test_a_form_posted_while_the_database_is_away_comes_back_with_what_was_typed(
    client, db, world, caplog
):
    login(client, world.user(Role.COUNSELLOR))
    url = f"/students/{world.a.student.id}/notes/new"
    before = _notes(db)
    posted_token = csrf_token(client)
    with (
        failing_statement(db, _is_insert_into_case_note, _raise_operational_error),
        caplog.at_level(logging.WARNING),
    ):
        response = client.post(url, data={**_note_data(), "csrf_token": posted_token})
    _assert_unavailable_page(response)
    # What was typed is there, escaped, in a form that posts to the same address again.
    assert "Eleven &lt;b&gt;mødte&lt;/b&gt; op &amp; var glad – æøå" in response.text
    assert "<b>mødte</b>" not in response.text
    assert f'action="{url}"' in response.text
    fields = _form_fields(response.text)
    assert fields["body"] == TYPED
    assert fields["category"] == "general" and fields["visibility"] == "shared"
    assert ">category<" not in response.text  # choices go back unseen, never under a raw name
    assert fields["csrf_token"]  # the page's own; the re-post below shows it is valid
    assert response.text.count('name="csrf_token"') == 1
    # Logged as a warning, not as an error with a traceback.
    assert any("503" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert "mødte" not in caplog.text  # the log names the error, not the statement's values
    assert _notes(db) == before

    # "Send again" once the database is back: the form as shown is accepted.
    again = client.post(url, data=fields)
    assert again.status_code == 302
    assert _notes(db) == before + 1


def test_a_login_form_comes_back_without_the_password(client, db, world):
    user = world.user(Role.COUNSELLOR)
    with failing_statement(db, lambda s: "user_account" in s, _raise_operational_error):
        response = post(client, "/login", {"email": user.email, "password": PASSWORD})
    _assert_unavailable_page(response)
    fields = _form_fields(response.text)
    assert fields["email"] == user.email
    assert fields.get("password", "") == ""
    assert PASSWORD not in response.text
    assert 'type="password"' in response.text  # to be typed again
    assert client.post("/login", data={**fields, "password": PASSWORD}).status_code == 302


def test_logins_answered_503_do_not_count_against_the_login_limits(client, db, world):
    """No password was checked: a person retrying through a restart is not locked out."""
    data = {"email": world.user(Role.COUNSELLOR).email, "password": PASSWORD}
    for _ in range(6):
        with failing_statement(db, lambda s: "user_account" in s, _raise_operational_error):
            response = post(client, "/login", data)
        assert response.status_code == 503
        # The database's retry time, not the login limit's 15-minute window.
        assert response.headers["Retry-After"] == "5"
    assert post(client, "/login", data).status_code == 302


def test_no_password_field_is_echoed_whatever_its_name(client, db, world):
    """The new-user form's second password field is called "confirm"."""
    login(client, world.user(Role.SYSTEM_ADMIN))
    data = {
        "name": "Ny Bruger",
        "email": "ny.bruger@example.org",
        "password": "Hemmelig-kode-123456",
        "confirm": "Hemmelig-kode-123456",
    }
    with failing_statement(db, lambda s: "login_session" not in s, _raise_operational_error):
        response = post(client, "/admin/users/new", data)
    _assert_unavailable_page(response)
    assert "Hemmelig-kode-123456" not in response.text
    assert response.text.count('type="password"') == 2
    assert 'value="Ny Bruger"' in response.text
    assert ">E-mail</label>" in response.text  # the field's own label, where unambiguous


def test_the_user_loader_failing_gives_503_not_500(client, db, world):
    login(client, world.user(Role.COUNSELLOR))
    with failing_statement(db, lambda s: "FROM login_session" in s, _raise_operational_error):
        response = client.get("/students/")
    _assert_unavailable_page(response)
    assert '<a href="/students/">Prøv igen</a>' in response.text
    assert "current-user" not in response.text  # the page asks nothing of the database
    assert client.get("/students/").status_code == 200


# --- PostgreSQL: the server really drops the app's connections mid-request -------------------


def _plain_url(db) -> str:
    return db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _terminate_the_apps_connections(db):
    import psycopg

    def terminate(_conn):
        with psycopg.connect(_plain_url(db), autocommit=True) as admin:
            rows = admin.execute(
                "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchall()
            pids = [pid for pid, terminated in rows if terminated]
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:  # wait until they are really gone
                left = admin.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", [pids]
                ).fetchone()[0]
                if not left:
                    break
                time.sleep(0.02)

    return terminate


@pytest.fixture
def postgresql(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL); CI runs the suite on it too")
    return db


def test_connections_terminated_mid_request_give_503_and_the_app_recovers(
    client, postgresql, world, caplog
):
    db = postgresql
    login(client, world.user(Role.COUNSELLOR))
    url = f"/students/{world.a.student.id}/notes/new"
    before = _notes(db)
    db.session.rollback()  # the test's own connection goes back to the pool, as after a request
    with (
        failing_statement(db, _is_insert_into_case_note, _terminate_the_apps_connections(db)),
        caplog.at_level(logging.WARNING),
    ):
        response = post(client, url, _note_data())
    _assert_unavailable_page(response)
    assert "Eleven &lt;b&gt;mødte&lt;/b&gt; op &amp; var glad – æøå" in response.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    # The next requests are served: the pool replaced the dead connections by itself.
    assert client.get("/students/").status_code == 200
    again = client.post(url, data=_form_fields(response.text))
    assert again.status_code == 302
    assert _notes(db) == before + 1


def test_the_user_loader_after_a_restart_gives_503_then_recovers(client, postgresql, world):
    db = postgresql
    login(client, world.user(Role.COUNSELLOR))
    terminate = _terminate_the_apps_connections(db)
    with failing_statement(db, lambda s: "FROM login_session" in s, terminate):
        response = client.get("/students/")
    # The connection passed its ping at checkout; the statement then meets the dead backend.
    _assert_unavailable_page(response)
    assert client.get("/students/").status_code == 200


# --- a database server that does not answer, or is not there --------------------------------


@contextmanager
def _silent_server():
    """Accepts connections and never says a word, like a hung database server."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted, stop = [], threading.Event()

    def serve():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=2)
        for conn in accepted:
            conn.close()
        listener.close()


@contextmanager
def _closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    yield port


@pytest.mark.parametrize("server", [_silent_server, _closed_port], ids=["hung", "refused"])
def test_a_database_that_does_not_answer_gives_503_not_500(server):
    import config
    from app import create_app
    from app.extensions import limiter
    from config import TestConfig

    saved = {k: getattr(limiter, k) for k in ("_storage", "_limiter", "_key_prefix")}
    started = time.monotonic()
    try:
        with server() as port:
            url = f"postgresql+psycopg://elevsag@127.0.0.1:{port}/elevsag"

            class Unreachable(TestConfig):
                SQLALCHEMY_DATABASE_URI = url
                SQLALCHEMY_ENGINE_OPTIONS = config._engine_options(url, connect_timeout=2)

            app = create_app(Unreachable)
            client = app.test_client()
            data = {"email": "someone@example.org", "password": "secret-password-1"}
            response = post(client, "/login", data)
            with app.app_context():
                _db.engine.dispose()
    finally:
        for name, value in saved.items():
            setattr(limiter, name, value)
    _assert_unavailable_page(response)
    assert "someone@example.org" in response.text
    assert "secret-password-1" not in response.text
    assert time.monotonic() - started < 15, "the connect timeout did not hold"
