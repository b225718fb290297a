"""Smoke test of the production profile (`make serve-prod`), run by .ci/run after the suites.

A fresh PostgreSQL database, migrated and filled with a little demo data (`flask demo-data
--students 5 --allow-production`); an aiosmtpd SMTP server on loopback; then scripts/serve-prod
(gunicorn with several workers and `flask mail worker`) on a free port, with Redis for the login
limits and the mail queue. Over HTTP: the demo teacher logs in and writes (sends, not a draft)
the handover note for a student whose next period is a training period with the demo
supervisor as responsible. That commits a notification and, as the supervisor gets that kind
of mail immediately, a queued outbox message pushed to RQ. The test waits until the mail worker
has delivered it to the SMTP server (to the supervisor, with the handover subject and no
student's name), then stops everything, removes its Redis keys and drops the database.

The sweeper is set to 10 minutes, so a delivery within the wait came through the RQ queue.
Run it alone with `.venv/bin/python tests/smoke/prod_smoke.py`; it prints how long each part took.
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
from dataclasses import dataclass
from datetime import date
from html import unescape
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pyotp

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

PG = os.environ.get("SMOKE_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
REDIS = os.environ.get("SMOKE_REDIS", "redis://127.0.0.1:6379/12")
WRITER = "laerer@demo.elevsag.dk"  # app.demo_data.DEMO_LOGINS: the teacher at SOSU Fyn
SUPERVISOR = "oplaeringsvejleder@demo.elevsag.dk"  # ... and the supervisor at Solbakken
# The subject of NotificationKind.HANDOVER_WRITTEN (app/mail/notices.py) in Danish, the
# language of a user who chose none.
SUBJECT = "Elevsag: Der er en overleveringsnote til dig"
STARTED = time.monotonic()


def say(text: str) -> None:
    print(f"[prod-smoke {time.monotonic() - STARTED:5.1f}s] {text}", flush=True)


class Timer:
    """How long each part took, printed at the end (the whole should stay well under 90 s)."""

    def __init__(self) -> None:
        self.parts: list[tuple[str, float]] = []
        self.last = STARTED

    def part(self, name: str) -> None:
        now = time.monotonic()
        self.parts.append((name, now - self.last))
        self.last = now

    def report(self) -> None:
        for name, seconds in self.parts:
            say(f"  {seconds:5.1f}s  {name}")


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


def hidden_fields(page: str) -> dict[str, str]:
    """The hidden inputs of a page's form (the CSRF token, a version), as a browser sends them."""
    fields = {}
    for tag in re.findall(r"<input\b[^>]*>", page):
        if 'type="hidden"' in tag:
            name = re.search(r'name="([^"]+)"', tag)
            value = re.search(r'value="([^"]*)"', tag)
            if name:
                fields[name.group(1)] = unescape(value.group(1)) if value else ""
    return fields


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


@dataclass
class Arrival:
    """A coming transition from school into training whose handover note nobody wrote yet."""

    student_id: int
    period_id: int
    supervisor_email: str
    student_names: list[str]  # every student's first and last name, none of which may be mailed


def arrival(database_url: str) -> Arrival:
    """From the demo data: a student of the writer's school whose next period is a training
    period, starting later, with the demo supervisor responsible (so the supervisor is the one
    told, app.notifications.people_at), and no handover note yet."""
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from app.models import HandoverNote, Period, PeriodKind, Student, User

    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            supervisor = session.execute(select(User).where(User.email == SUPERVISOR)).scalar_one()
            assert supervisor.locale in (None, "da"), supervisor.locale
            candidates = session.execute(
                select(Period)
                .where(
                    Period.kind == PeriodKind.TRAINING,
                    Period.responsible_id == supervisor.id,
                    Period.start_date > date.today(),
                    ~select(HandoverNote.id).where(HandoverNote.to_period_id == Period.id).exists(),
                )
                .order_by(Period.start_date, Period.id)
            ).scalars()
            for to_period in candidates:
                previous = session.execute(
                    select(Period)
                    .where(
                        Period.student_id == to_period.student_id,
                        Period.start_date < to_period.start_date,
                    )
                    .order_by(Period.start_date.desc())
                    .limit(1)
                ).scalar_one_or_none()
                if previous is not None and previous.kind == PeriodKind.SCHOOL:
                    names = [
                        name
                        for first, last in session.execute(
                            select(Student.first_name, Student.last_name)
                        )
                        for name in (first, last)
                    ]
                    return Arrival(to_period.student_id, to_period.id, supervisor.email, names)
    finally:
        engine.dispose()
    raise SystemExit("the demo data has no student on the way from school to the demo supervisor")


def outbox(database_url: str) -> list[tuple]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT id, to_address, kind, status FROM mail_outbox ORDER BY id")
        ).all()
    engine.dispose()
    return [tuple(row) for row in rows]


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

    from app.demo_data import DEMO_PASSWORD
    from tests.mail.conftest import SmtpServer

    timer = Timer()
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
        timer.part("start: imports, a database, the SMTP server")
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("MAIL_", "RATELIMIT_", "TEST_DATABASE"))
            and key not in {"ELEVSAG_SINGLE_PROCESS", "REDIS_URL", "PUBLIC_BASE_URL"}
        }
        env.update(
            ELEVSAG_CONFIG="production",
            SECRET_KEY=secrets.token_hex(32),
            DATABASE_URL=database_url,
            PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
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
        timer.part("flask db upgrade")
        say("loading demo data (5 students, plus those on their way to the demo supervisor)")
        run(env, "demo-data", "--students", "5", "--allow-production")
        timer.part("flask demo-data --students 5")
        target = arrival(database_url)
        assert outbox(database_url) == [], "the demo data left mail in the outbox"

        say(f"starting scripts/serve-prod on port {port}")
        server = subprocess.Popen(  # noqa: S603 - our own script
            [str(ROOT / "scripts/serve-prod")],
            cwd=ROOT,
            env={**env, "SKIP_MIGRATE": "1"},
            start_new_session=True,
        )
        client = Http(port)
        # A few seconds on a quiet machine; generous, as CI may share its CPUs.
        wait_until(lambda: client.request("GET", "/healthz")[0] == 200, 60, "/healthz", server)
        timer.part("serve-prod up (/healthz answers)")

        say(f"logging in as {WRITER}")
        _, _, page = client.request("GET", "/login")
        status, _, _ = client.request(
            "POST", "/login", {"email": WRITER, "password": DEMO_PASSWORD, "csrf_token": csrf(page)}
        )
        assert status == 302, f"login answered {status}"
        timer.part("login")

        # Production requires two-factor login of a teacher: the login reaches only enrolment,
        # which shows the key as text beside the QR code; the code is made as the app would.
        status, headers, _ = client.request("GET", "/")
        assert status == 302 and "/account/two-factor/enrol" in headers["Location"], status
        status, _, page = client.request("GET", "/account/two-factor/enrol")
        secret = re.search(r'data-testid="two-factor-secret">([A-Z2-7 ]+)<', page).group(1)
        code = pyotp.TOTP(secret.replace(" ", "")).now()
        status, _, page = client.request(
            "POST", "/account/two-factor/enrol", {**hidden_fields(page), "code": code}
        )
        assert status == 200 and 'data-testid="recovery-codes"' in page, f"enrolment: {status}"
        timer.part("two-factor enrolment")

        url = f"/students/{target.student_id}/handovers/{target.period_id}/write"
        status, _, page = client.request("GET", url)
        assert status == 200 and 'data-testid="send-handover"' in page, f"{url} answered {status}"
        say(f"writing the handover note at {url} and sending it")
        form = {
            **hidden_fields(page),
            "strengths": "Omsorgsfuld og god til at skabe relationer (røgtest).",
            "challenges": "",
            "agreed_support": "Kontaktlæreren følger op efter to uger.",
            "first_weeks": "En fast kollega de første to uger.",
            "contact_person": "Kontaktlærer, tlf. 70 10 20 30",
            "action": "send",
        }
        status, headers, _ = client.request("POST", url, form)
        assert status == 302, f"sending the handover note answered {status}"
        assert headers["Location"].endswith(url.removesuffix("/write")), headers["Location"]
        timer.part("write and send the handover note")

        def delivered():
            return [m for m in smtp.messages if m.envelope_to == [target.supervisor_email]]

        try:
            wait_until(delivered, 20, "the mail worker to deliver to the supervisor", server)
        except SystemExit:
            timer.part("waiting in vain for the mail")
            received_by = [m.envelope_to for m in smtp.messages]
            say(f"outbox (id, to, kind, status): {outbox(database_url)}; received: {received_by}")
            raise
        timer.part("the mail worker delivers (through RQ)")
        [received] = delivered()
        assert received["Subject"] == SUBJECT, received["Subject"]
        body = received.get_body(("plain",)).get_content()
        named = [n for n in target.student_names if re.search(rf"\b{re.escape(n)}\b", body)]
        assert not named, f"the mail names a student: {named}"
        assert f"http://127.0.0.1:{port}{url.removesuffix('/write')}" in body, body
        wait_until(
            lambda: [row[3] for row in outbox(database_url)] == ["sent"],
            10,
            "the outbox row to be sent (and no other mail)",
        )
        say(f"delivered to {target.supervisor_email}: {received['Subject']!r}; outbox row is sent")
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
        timer.part("stop and drop the database")
        say("stopped; database dropped. Parts:")
        timer.report()


if __name__ == "__main__":
    sys.exit(main())
