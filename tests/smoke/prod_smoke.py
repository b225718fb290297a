"""Smoke test of the production profile (`make serve-prod`), run by .ci/run after the suites.

A fresh PostgreSQL database, migrated; one system administrator (`flask create-user`); an
aiosmtpd SMTP server on loopback; then scripts/serve-prod (gunicorn with several workers and
`flask mail worker`) on a free port, with Redis for the login limits and the mail queue. Over
HTTP: log in, open the outbox page, and send a failed message again, which commits it queued
and pushes it to RQ. The test waits until the mail worker has delivered it to the SMTP server,
then stops everything, removes its Redis keys and drops the database.

The sweeper is set to 10 minutes, so a delivery within the wait came through the RQ queue.
Run it alone with `.venv/bin/python tests/smoke/prod_smoke.py`.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

PG = os.environ.get("SMOKE_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
REDIS = os.environ.get("SMOKE_REDIS", "redis://127.0.0.1:6379/12")
EMAIL, PASSWORD = "smoke-admin@example.org", "smoke-adgangskode-" + secrets.token_hex(8)
RECIPIENT = "modtager@example.invalid"
STARTED = time.monotonic()


def say(text: str) -> None:
    print(f"[prod-smoke {time.monotonic() - STARTED:5.1f}s] {text}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def admin_connection():
    import psycopg

    return psycopg.connect(PG.replace("+psycopg", "") + "/postgres", autocommit=True)


class Http:
    """A client that keeps its cookies itself (the production cookie is Secure, which a
    browser would not send over plain http to 127.0.0.1)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.jar = SimpleCookie()

    def request(self, method: str, path: str, form: dict | None = None):
        headers = {}
        if self.jar:
            headers["Cookie"] = "; ".join(f"{k}={m.value}" for k, m in self.jar.items())
        body = urlencode(form) if form is not None else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            for header in response.headers.get_all("Set-Cookie") or []:
                self.jar.load(header)
            return response.status, response.headers, response.read().decode()
        finally:
            connection.close()


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def run(env: dict, *args: str, stdin: str | None = None) -> None:
    done = subprocess.run(  # noqa: S603 - our own flask, fixed arguments
        [str(ROOT / ".venv/bin/flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        text=True,
        capture_output=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"flask {args[0]} failed ({done.returncode}):\n{done.stdout}{done.stderr}")


def failed_message(database_url: str) -> int:
    """A message that failed earlier, as the worker leaves it after its last attempt."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from app.models import MailStatus, OutboxMessage

    engine = create_engine(database_url)
    with Session(engine) as session:
        message = OutboxMessage(
            to_address=RECIPIENT,
            subject="Elevsag: røgtest",
            body="Røgtest af produktionsprofilen.",
            kind="smoke_test",
            status=MailStatus.FAILED,
            attempts=8,
            last_error="SMTPServerDisconnected: before the smoke test",
        )
        session.add(message)
        session.commit()
        message_id = message.id
    engine.dispose()
    return message_id


def status_of(database_url: str, message_id: int) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        status = connection.execute(
            text("SELECT status FROM mail_outbox WHERE id = :id"), {"id": message_id}
        ).scalar_one()
    engine.dispose()
    return status


def wait_until(check, seconds: float, what: str, server=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            raise SystemExit(f"serve-prod exited with {server.returncode} while waiting for {what}")
        try:
            result = check()
            if result:
                return result
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"timed out after {seconds:.0f} s waiting for {what}")


def main() -> int:
    from redis import Redis

    from tests.mail.conftest import SmtpServer

    database = f"elevsag_smoke_{os.getpid()}"
    prefix = f"elevsag-smoke-{uuid.uuid4().hex[:12]}"
    database_url = f"{PG}/{database}"
    port = free_port()
    smtp = SmtpServer()
    server = None
    redis = Redis.from_url(REDIS, socket_timeout=2)
    redis.ping()
    with admin_connection() as pg:
        pg.execute(f'CREATE DATABASE "{database}"')
    try:
        smtp.start()
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("MAIL_", "RATELIMIT_", "TEST_DATABASE"))
            and key not in {"ELEVSAG_SINGLE_PROCESS", "REDIS_URL"}
        }
        env.update(
            ELEVSAG_CONFIG="production",
            SECRET_KEY=secrets.token_hex(32),
            DATABASE_URL=database_url,
            REDIS_URL=REDIS,
            RATELIMIT_KEY_PREFIX=prefix,
            MAIL_QUEUE_URL=REDIS,
            MAIL_QUEUE_NAME=f"{prefix}-mail",
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=str(smtp.port),
            MAIL_SWEEP_SECONDS="600",
            PORT=str(port),
            WEB_CONCURRENCY="2",
            LOG_LEVEL="warning",
        )
        say(f"database {database}: migrating")
        run(env, "db", "upgrade")
        run(
            env,
            "create-user",
            "--email",
            EMAIL,
            "--name",
            "Røgtest Admin",
            "--role",
            "system_admin",
            "--password-stdin",
            stdin=PASSWORD + "\n",
        )
        message_id = failed_message(database_url)

        say(f"starting scripts/serve-prod on port {port}")
        server = subprocess.Popen(  # noqa: S603 - our own script
            [str(ROOT / "scripts/serve-prod")],
            cwd=ROOT,
            env={**env, "SKIP_MIGRATE": "1"},
            start_new_session=True,
        )
        client = Http(port)
        wait_until(lambda: client.request("GET", "/healthz")[0] == 200, 30, "/healthz", server)

        say("logging in")
        _, _, page = client.request("GET", "/login")
        status, _, _ = client.request(
            "POST", "/login", {"email": EMAIL, "password": PASSWORD, "csrf_token": csrf(page)}
        )
        assert status == 302, f"login answered {status}"

        status, _, page = client.request("GET", "/admin/outbox?status=failed")
        assert status == 200 and f'data-testid="message-{message_id}"' in page, status
        say("sending the failed message again from the outbox page")
        status, _, _ = client.request(
            "POST", f"/admin/outbox/{message_id}/send-again", {"csrf_token": csrf(page)}
        )
        assert status == 302, f"send again answered {status}"

        wait_until(lambda: smtp.messages, 20, "the mail worker to deliver", server)
        received = smtp.messages[0]
        assert received["To"] == RECIPIENT, received["To"]
        wait_until(lambda: status_of(database_url, message_id) == "sent", 10, "status sent")
        say(f"delivered to {received['To']} through RQ; outbox row {message_id} is sent")
        return 0
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=5)
        smtp.stop()
        for key in redis.scan_iter(match=f"*{prefix}*"):
            redis.delete(key)
        redis.srem("rq:queues", f"rq:queue:{prefix}-mail")
        redis.close()
        with admin_connection() as pg:
            pg.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        say("stopped; database dropped")


if __name__ == "__main__":
    sys.exit(main())
