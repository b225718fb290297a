"""Time the pages people use most, in-process, as realistic users (`flask bench`).

Each page is requested COUNT times after a short warm-up, through the app's own test client
with a logged-in session (so login, access checks, audit logging and template rendering all
count); the table shows median and p95 in milliseconds, and each as a multiple of a trivial
route's median from the same run.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

import click
from flask import current_app
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import CaseEvent, Student, SupportMeasure, User

# p95 budgets in milliseconds, per page.
BUDGET_MS = {
    "student list, search": 25,
    "student page": 25,
    "case file, first page": 25,
    "upcoming transitions": 25,
    "my follow-ups": 25,
    # "Elever med risikotegn" (app.risk): every rule over the counsellor's school, one statement.
    "students at risk": 25,
    # The partnership's dashboard (app.main.indicators): the issue asks for the case pages'
    # budget; far over it on the 50,000-student data (docs/indicators.md, "Performance").
    "partnership dashboard": 25,
    "case-file PDF (500 lines)": 2000,
}


class _Client(FlaskClient):
    """Each request in its own app context, as in production (the CLI's context would
    otherwise share `g`, and with it the logged-in user, between requests and clients)."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@dataclass
class Timing:
    name: str
    median: float
    p95: float
    requests: int


def _login(client, email: str, password: str) -> None:
    from app.demo_data import DEMO_PASSWORD

    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/login",
        data={"email": email, "password": password or DEMO_PASSWORD, "csrf_token": token},
    )
    if response.status_code != 302:
        raise click.ClickException(f"could not log in as {email}")


def _time(client, name: str, url: str, count: int) -> Timing:
    for _ in range(max(3, count // 20)):  # warm-up: caches, compiled templates
        client.get(url)
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise click.ClickException(f"{name}: {url} answered {response.status_code}")
    samples.sort()
    p95 = statistics.quantiles(samples, n=20, method="inclusive")[18]
    return Timing(name, statistics.median(samples), p95, count)


def _targets() -> dict[str, str]:
    """The URLs to time, chosen from the data: the student with the longest case file at the
    demo counsellor's school, and a common last name to search for."""
    counsellor = db.session.execute(
        select(User).where(User.email == "vejleder@demo.elevsag.dk")
    ).scalar_one()
    school_id = next(iter(counsellor.organisation_ids(*counsellor.roles)))
    busiest = db.session.execute(
        select(CaseEvent.student_id, func.count(CaseEvent.id).label("n"))
        .join(Student, Student.id == CaseEvent.student_id)
        .where(Student.school_id == school_id)
        .group_by(CaseEvent.student_id)
        .order_by(func.count(CaseEvent.id).desc())
        .limit(1)
    ).first()
    typical = db.session.execute(
        select(Student.id)
        .where(Student.school_id == school_id)
        .order_by(Student.id.desc())
        .limit(1)
    ).scalar_one()
    follow_ups = db.session.execute(
        select(func.count(SupportMeasure.id)).where(SupportMeasure.owner_id == counsellor.id)
    ).scalar_one()
    return {
        "heavy": f"/students/{busiest.student_id}",
        "heavy_lines": busiest.n,
        "typical": f"/students/{typical}",
        "follow_ups": follow_ups,
    }


def run_in_process(count: int, label: str) -> list[Timing]:
    app = current_app._get_current_object()
    app.config["WTF_CSRF_ENABLED"] = True
    app.test_client_class = _Client
    targets = _targets()
    label = label or db.engine.url.get_backend_name()
    counsellor = app.test_client()
    _login(counsellor, "vejleder@demo.elevsag.dk", "")
    coordinator = app.test_client()
    _login(coordinator, "koordinator@demo.elevsag.dk", "")
    analyst = app.test_client()
    _login(analyst, "analytiker@demo.elevsag.dk", "")
    pdf_count = max(10, count // 10)
    timings = [
        _time(counsellor, "trivial route (/healthz)", "/healthz", count),
        _time(counsellor, "student list, search", "/students/?q=hansen", count),
        _time(counsellor, "student page", targets["typical"], count),
        _time(counsellor, "case file, first page", targets["heavy"] + "/case-file", count),
        _time(coordinator, "upcoming transitions", "/transitions", count),
        _time(counsellor, "my follow-ups", "/follow-ups", count),
        _time(counsellor, "students at risk", "/students/at-risk", count),
        _time(analyst, "partnership dashboard", "/overview?by=school", count),
        _time(
            counsellor, "case-file PDF (500 lines)", targets["heavy"] + "/case-file.pdf", pdf_count
        ),
    ]
    base = timings[0].median
    click.echo(
        f"\n{label}: {targets['heavy_lines']} lines in the longest case file; "
        f"{targets['follow_ups']} measures followed up by the counsellor"
    )
    click.echo(f"| {'page':<28} | requests | median ms | p95 ms | median × trivial | p95 budget |")
    click.echo(f"|{'-' * 30}|----------|-----------|--------|------------------|------------|")
    for t in timings:
        budget = BUDGET_MS.get(t.name)
        verdict = (
            ""
            if budget is None
            else (f"≤ {budget} ok" if t.p95 <= budget else f"≤ {budget} MISSED")
        )
        click.echo(
            f"| {t.name:<28} | {t.requests:>8} | {t.median:>9.1f} | {t.p95:>6.1f} | "
            f"{t.median / base:>16.1f} | {verdict:<10} |"
        )
    return timings


def run_load(seconds: int, concurrency: int, port: int) -> None:
    """Start gunicorn (2 workers) on 127.0.0.1, log in, and request the student page from
    `concurrency` client threads for `seconds`: print requests/s and p95."""
    import http.client
    import os
    import subprocess
    import sys
    import threading
    from pathlib import Path

    targets = _targets()
    env = {**os.environ, "ELEVSAG_CONFIG": os.environ.get("ELEVSAG_CONFIG", "development")}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [
            str(gunicorn),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        env=env,
    )
    try:
        for _ in range(100):
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                probe.request("GET", "/healthz")
                if probe.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        cookie = _http_login(port)
        samples: list[float] = []
        errors = [0]
        stop = time.perf_counter() + seconds
        lock = threading.Lock()

        def worker() -> None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            mine = []
            while time.perf_counter() < stop:
                started = time.perf_counter()
                connection.request("GET", targets["typical"], headers={"Cookie": cookie})
                response = connection.getresponse()
                response.read()
                mine.append((time.perf_counter() - started) * 1000)
                if response.status != 200:
                    errors[0] += 1
            with lock:
                samples.extend(mine)

        threads = [threading.Thread(target=worker) for _ in range(concurrency)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=10)
    samples.sort()
    p95 = statistics.quantiles(samples, n=20, method="inclusive")[18]
    click.echo(
        f"\ngunicorn, 2 workers, {concurrency} client threads, {seconds} s, student page: "
        f"{len(samples) / elapsed:.0f} requests/s, p95 {p95:.1f} ms, {errors[0]} errors "
        "(budget: ≥ 400 requests/s, p95 ≤ 30 ms)"
    )


def _http_login(port: int) -> str:
    import http.client
    from http.cookies import SimpleCookie
    from urllib.parse import urlencode

    from app.demo_data import DEMO_PASSWORD

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/login")
    response = connection.getresponse()
    page = response.read().decode()
    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    body = urlencode(
        {"email": "vejleder@demo.elevsag.dk", "password": DEMO_PASSWORD, "csrf_token": token}
    )
    cookie = "; ".join(f"{k}={v.value}" for k, v in jar.items())
    connection.request(
        "POST",
        "/login",
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    response = connection.getresponse()
    response.read()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    if response.status != 302:
        raise click.ClickException("the load test could not log in")
    return "; ".join(f"{k}={v.value}" for k, v in jar.items())
