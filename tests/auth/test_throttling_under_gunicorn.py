"""Login throttling in the documented deployment: real gunicorn, two workers, Redis (issue 12).

With the in-memory store each worker counted its own failures: 10 of 20 wrong passwords were
answered normally and the right password was accepted right after a 429. This test starts
gunicorn the way the README does (production config, REDIS_URL) and talks HTTP to it.
It takes a few seconds; run it alone with `pytest -m gunicorn`.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

pytestmark = pytest.mark.gunicorn

ROOT = Path(__file__).resolve().parent.parent.parent
REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 14
EMAIL, PASSWORD = "gunicorn-test@example.org", "rigtig-adgangskode-123"


def _database_with_one_user(path: Path) -> str:
    """A fresh SQLite file with the tables and one system administrator, made here (a second
    interpreter would add seconds of start-up on a busy CI machine)."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from app.auth.passwords import hash_password
    from app.models import Membership, Role, User
    from app.models.base import Base

    url = f"sqlite:///{path}"
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        user = User(email=EMAIL, name="Gunicorn Test", password_hash=hash_password(PASSWORD))
        user.memberships.append(Membership(role=Role.SYSTEM_ADMIN))
        session.add(user)
        session.commit()
    engine.dispose()
    return url


def _redis_or_skip():
    redis = pytest.importorskip("redis")
    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        reason = f"no Redis on {REDIS_HOST}:{REDIS_PORT} ({error})"
        if os.environ.get("ELEVSAG_TEST_REQUIRE_REDIS"):
            pytest.fail(f"{reason}, and ELEVSAG_TEST_REQUIRE_REDIS is set (CI)")
        pytest.skip(f"{reason}; CI runs this test")
    return client


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _request(port, method, path, body=None, cookie=None):
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
    if cookie:
        # The production session cookie is Secure; a browser would not send it over plain
        # http, so the test carries it itself.
        headers["Cookie"] = cookie
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        connection.close()


def _attempt(port, password) -> int:
    """One login as a browser does it: fetch the form (cookie + CSRF token), then post it."""
    _, headers, page = _request(port, "GET", "/login")
    jar = SimpleCookie()
    for header in headers.get_all("Set-Cookie") or []:
        jar.load(header)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in jar.items())
    body = urlencode({"email": EMAIL, "password": password, "csrf_token": token})
    status, _, _ = _request(port, "POST", "/login", body=body, cookie=cookie)
    return status


def _wait_until_serving(server, port, deadline):
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn exited with {server.returncode}: {server.stderr.read()}")
        try:
            if _request(port, "GET", "/healthz")[0] == 200:
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail("gunicorn did not answer within 20 s")


def test_failed_logins_are_counted_across_two_gunicorn_workers(tmp_path):
    redis_client = _redis_or_skip()
    prefix = f"elevsag-test-{uuid.uuid4().hex}"
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"RATELIMIT_STORAGE_URI", "ELEVSAG_SINGLE_PROCESS", "TEST_DATABASE_URL"}
    }
    env.update(
        ELEVSAG_CONFIG="production",
        SECRET_KEY="gunicorn-test-secret-" + "x" * 32,
        DATABASE_URL=_database_with_one_user(tmp_path / "gunicorn.sqlite"),
        REDIS_URL=f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}",
        RATELIMIT_KEY_PREFIX=prefix,
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
    )

    gunicorn = Path(sys.executable).with_name("gunicorn")
    # --preload: both workers are forked with the app loaded, so both serve from the start.
    # Memory storage would still be per worker after the fork.
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [
            str(gunicorn),
            "-w",
            "2",
            "--preload",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _wait_until_serving(server, port, time.monotonic() + 20)
        statuses = [_attempt(port, "forkert-adgangskode") for _ in range(20)]
        after_429 = _attempt(port, PASSWORD)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=5)
        server.stderr.close()
        for key in redis_client.scan_iter(match=f"*{prefix}*"):
            redis_client.delete(key)
        redis_client.close()

    assert set(statuses) <= {200, 429}, statuses
    assert statuses.count(200) <= 5, f"{statuses.count(200)} of 20 answered normally: {statuses}"
    assert statuses[-1] == 429
    assert after_429 == 429, "the right password was accepted while the account was throttled"
