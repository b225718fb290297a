"""Time the pages people use most against a floor measured in the same run (`flask bench`,
`flask bench-load`; README, "Performance").

In-process (`run_in_process`): each page is requested COUNT times after a warm-up, through the
app's own test client with a logged-in session (login, access checks, the access log and
template rendering all count), rotating over ROTATE students the user may see where the page
is about one student, so a single cached student cannot hide the cost. The floor
(app.bench.floor: one student and their newest 200 case-file lines, bare Flask + SQLAlchemy +
Jinja) is timed the same way over the same students, and every page's p95 is printed as a
multiple of the floor's. The case-file PDF is compared with WeasyPrint's own time to render the
same HTML.

Under load (`run_load`): gunicorn with 2 workers serves the floor, then the app, and wrk (a
load generator in its own process, written in C: it shares neither the app's interpreter nor
its GIL) requests the pages for a fixed time over 4 connections, rotating over the same
students, and reports requests/s, p50, p95, p99 and errors; the student page's requests/s are
given as a multiple of the floor's.

Each run can be saved as JSON (`--save`), and `flask bench-compare` puts two saved runs side
by side (the same pages at 50,000 and 150,000 students: time must stay nearly flat in size).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from itertools import cycle
from pathlib import Path

import click
import pyotp
from flask import current_app
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app import access
from app.bench import floor
from app.extensions import db
from app.models import CaseEvent, Student, SupportMeasure, User
from app.models.base import utcnow

FLOOR = "floor: 1 student, 200 lines"
FIXED_COST = "fixed cost: search, no match"
NO_ONE = "Qzxqv"  # a surname no generated or demo student has
ROTATE = 200  # students to rotate over: at least 200, as the issue asks
COUNSELLOR = "vejleder@demo.elevsag.dk"
COORDINATOR = "koordinator@demo.elevsag.dk"
ANALYST = "analytiker@demo.elevsag.dk"
BENCH_USERS = (COUNSELLOR, COORDINATOR, ANALYST)

# Budgets, as multiples of a floor measured in the same run (README, "Performance").
CASE_PAGE_BUDGET = 2.0  # p95 of a case page at most twice the floor page's p95, in-process
PDF_BUDGET = 1.2  # the case-file PDF at most 1.2 times WeasyPrint's own time, same HTML
LOAD_BUDGET = 0.8  # the student page under gunicorn: at least 0.8 of the floor's requests/s
LOAD_P95_MS = 30.0  # ... with p95 at most 30 ms
SCALE_BUDGET = 1.25  # p95 at three times the students at most 1.25 times p95 at 50,000


class _Client(FlaskClient):
    """Each request in its own app context, as in production (the CLI's context would
    otherwise share `g`, and with it the logged-in user, between requests and clients)."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@dataclass
class Timing:
    name: str
    samples: list[float] = field(repr=False)
    budget: float | None = None  # the ratio to the floor it must stay within
    floor: str = "floor"  # which floor it is compared with
    sizes: list[int] = field(default_factory=list, repr=False)  # bytes of each response

    @property
    def requests(self) -> int:
        return len(self.samples)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.samples, n=20, method="inclusive")[18]


@dataclass
class Targets:
    students: list[int]  # ROTATE students the counsellor may see, spread over their school
    last_names: list[str]  # their last names, for the search
    heavy: int  # the counsellor's student with the longest case file (the PDF)
    heavy_lines: int
    follow_ups: int  # measures the counsellor follows up
    school_students: int


def prepare_logins() -> dict[str, str]:
    """The bench users' two-factor secrets, enrolling them on the benchmark's own database
    where needed (the counsellor must use two-factor login), and letting each log in again:
    a code is accepted once per 30-second step, and the bench logs in several times."""
    secrets = {}
    for user in db.session.scalars(select(User).where(User.email.in_(BENCH_USERS))):
        if user.totp_secret is None or user.totp_enabled_at is None:
            user.totp_secret = pyotp.random_base32()
            user.totp_enabled_at = utcnow()
        user.totp_last_step = None
        secrets[user.email] = user.totp_secret
    db.session.commit()
    return secrets


def _csrf(page: str) -> str:
    return page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]


def _login(client, email: str, secret: str) -> None:
    """Log in through the login page, and the code page when it asks for the second factor."""
    from app.demo_data import DEMO_PASSWORD

    token = _csrf(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token}
    )
    if response.status_code == 302 and "/login/code" in response.headers["Location"]:
        token = _csrf(client.get(response.headers["Location"]).get_data(as_text=True))
        code = pyotp.TOTP(secret).now()
        response = client.post("/login/code", data={"code": code, "csrf_token": token})
    if response.status_code != 302 or "/login" in response.headers["Location"]:
        raise click.ClickException(f"could not log in as {email}")


def targets() -> Targets:
    """What to request, chosen from the data: ROTATE students the demo counsellor may see,
    evenly spread over their ids (old and new cohorts alike), and the longest case file."""
    counsellor = db.session.execute(select(User).where(User.email == COUNSELLOR)).scalar_one()
    visible = access.visible_students(counsellor).with_only_columns(Student.id)
    ids = list(db.session.scalars(visible.order_by(Student.id)))
    if len(ids) < ROTATE:
        raise click.ClickException(f"the counsellor sees {len(ids)} students, fewer than {ROTATE}")
    step = len(ids) / ROTATE
    chosen = [ids[int(i * step)] for i in range(ROTATE)]
    names = dict(
        db.session.execute(select(Student.id, Student.last_name).where(Student.id.in_(chosen)))
        .tuples()
        .all()
    )
    busiest = db.session.execute(
        select(CaseEvent.student_id, func.count(CaseEvent.id).label("n"))
        .where(CaseEvent.student_id.in_(visible))
        .group_by(CaseEvent.student_id)
        .order_by(func.count(CaseEvent.id).desc())
        .limit(1)
    ).one()
    follow_ups = db.session.execute(
        select(func.count(SupportMeasure.id)).where(SupportMeasure.owner_id == counsellor.id)
    ).scalar_one()
    return Targets(
        students=chosen,
        last_names=[names[i] for i in chosen],
        heavy=busiest.student_id,
        heavy_lines=busiest.n,
        follow_ups=follow_ups,
        school_students=len(ids),
    )


def time_page(
    client,
    name: str,
    urls: Sequence[str],
    count: int,
    budget: float | None = None,
    during: Callable[[], AbstractContextManager] = nullcontext,
) -> Timing:
    """COUNT requests rotating over URLS, after a warm-up (compiled templates, caches); the
    timed requests, not the warm-up, run inside `during()` (`flask bench-profile` watches
    their statements)."""
    rotation = cycle(urls)
    for _ in range(max(3, count // 20)):
        client.get(next(rotation))
    samples, sizes = [], []
    with during():
        for _ in range(count):
            url = next(rotation)
            started = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise click.ClickException(f"{name}: {url} answered {response.status_code}")
            sizes.append(len(response.get_data()))
    return Timing(name, samples, budget, sizes=sizes)


def _step_up(client, email: str, then: str) -> None:
    """Confirm with a code before an export of a whole case, as the route asks."""
    secret = prepare_logins()[email]  # a fresh code: the login's was used in this 30-second step
    token = _csrf(client.get(f"/account/confirm?next={then}").get_data(as_text=True))
    code = pyotp.TOTP(secret).now()
    answer = client.post("/account/confirm", data={"code": code, "next": then, "csrf_token": token})
    if answer.status_code != 302:
        raise click.ClickException(f"{email} could not confirm before the PDF")


def _time_pdf(client, url: str, count: int, confirm: Callable[[], None]) -> tuple[Timing, Timing]:
    """The case-file PDF through the app, and WeasyPrint alone on the same HTML (the PDF's
    floor): the HTML the route hands to WeasyPrint is captured once, then rendered COUNT
    times with the same stylesheets, fetcher and PDF/UA variant."""
    import app.pdf as pdf

    captured: list[tuple] = []
    original = pdf.HTML

    def recording_html(*args, **kwargs):
        document = original(*args, **kwargs)
        real_write = document.write_pdf

        def write_pdf(*w_args, **w_kwargs):
            captured.append((args, kwargs, w_args, w_kwargs))
            return real_write(*w_args, **w_kwargs)

        document.write_pdf = write_pdf
        return document

    confirm()
    pdf.HTML = recording_html
    try:
        if client.get(url).status_code != 200:
            raise click.ClickException(f"{url} did not answer 200")
    finally:
        pdf.HTML = original
    route = time_page(client, "case-file PDF (500 lines)", [url], count, PDF_BUDGET)
    route.floor = "WeasyPrint"
    args, kwargs, w_args, w_kwargs = captured[-1]
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        original(*args, **kwargs).write_pdf(*w_args, **w_kwargs)
        samples.append((time.perf_counter() - started) * 1000)
    return route, Timing("WeasyPrint alone, same HTML", samples, floor="WeasyPrint")


@dataclass(frozen=True)
class Page:
    name: str
    user: str  # who requests it (a BENCH_USERS e-mail)
    urls: list[str]  # rotated over
    budget: float | None = CASE_PAGE_BUDGET


def pages(found: Targets) -> list[Page]:
    """The pages `flask bench` times (and `flask bench-profile` takes apart), after the floor."""
    students = [f"/students/{i}" for i in found.students]
    return [
        Page("trivial route (/healthz)", COUNSELLOR, ["/healthz"], None),
        # What every case page pays before its own content: the login session and user, the
        # two-factor gate, the menu and its unread count, the layout and the access-log
        # write. A search that finds no one adds only the search form and two small
        # statements (README, "Performance").
        Page(FIXED_COST, COUNSELLOR, [f"/students/?q={NO_ONE}"], None),
        Page("student list, search", COUNSELLOR, [f"/students/?q={n}" for n in found.last_names]),
        Page("student page", COUNSELLOR, students),
        Page("case file, first page", COUNSELLOR, [f"{s}/case-file" for s in students]),
        Page("upcoming transitions", COORDINATOR, ["/transitions"]),
        Page("my follow-ups", COUNSELLOR, ["/follow-ups"]),
        Page("my overview", COUNSELLOR, ["/my-overview"]),
        Page("students at risk", COUNSELLOR, ["/students/at-risk"]),
        Page("partnership dashboard", ANALYST, ["/overview?by=school"]),
    ]


def floor_page(found: Targets) -> tuple[FlaskClient, Page]:
    """A client of the floor app over the same database, and its page over the same students."""
    client = floor.create(db.engine.url.render_as_string(hide_password=False)).test_client()
    return client, Page(FLOOR, "", [f"/floor/{i}" for i in found.students], None)


def logged_in_clients() -> dict[str, FlaskClient]:
    """A test client per bench user, logged in (with the second factor), each request in its
    own app context."""
    app = current_app._get_current_object()
    app.config["WTF_CSRF_ENABLED"] = True
    app.test_client_class = _Client
    secrets = prepare_logins()
    clients = {}
    for email in BENCH_USERS:
        clients[email] = app.test_client()
        _login(clients[email], email, secrets[email])
    return clients


def run_in_process(count: int, label: str, save: str | None = None) -> list[Timing]:
    found = targets()
    label = label or db.engine.url.get_backend_name()
    clients = logged_in_clients()
    counsellor = clients[COUNSELLOR]

    pdf_url = f"/students/{found.heavy}/case-file.pdf"
    bare, floor_entry = floor_page(found)
    pdf_count = max(3, count // 10)
    timings = [
        time_page(bare, FLOOR, floor_entry.urls, count),
        *(
            time_page(clients[page.user], page.name, page.urls, count, page.budget)
            for page in pages(found)
        ),
        *_time_pdf(
            counsellor,
            pdf_url,
            pdf_count,
            confirm=lambda: _step_up(counsellor, COUNSELLOR, pdf_url),
        ),
    ]
    click.echo(
        f"\n{label}: rotating over {ROTATE} of the {found.school_students} students the demo "
        f"counsellor may see; the longest case file has {found.heavy_lines} lines; the "
        f"counsellor follows up {found.follow_ups} measures."
    )
    print_table(timings)
    if save:
        Path(save).write_text(
            json.dumps(
                {
                    "label": label,
                    "students": db.session.scalar(select(func.count(Student.id))),
                    "pages": {t.name: {"median": t.median, "p95": t.p95} for t in timings},
                },
                indent=1,
            )
        )
    return timings


def print_table(timings: list[Timing]) -> None:
    floors = {"floor": timings[0].p95}
    for t in timings:
        if t.name.startswith("WeasyPrint"):
            floors["WeasyPrint"] = t.p95
    click.echo(f"| {'page':<30} | requests | median ms | p95 ms | p95 × floor | budget           |")
    click.echo(f"|{'-' * 32}|----------|-----------|--------|-------------|------------------|")
    for t in timings:
        ratio = t.p95 / floors[t.floor]
        if t.budget is None:
            verdict = ""
        else:
            verdict = f"≤ {t.budget}× {'ok' if ratio <= t.budget else 'MISSED'}"
            if t.floor != "floor":
                verdict += f" ({t.floor})"
        click.echo(
            f"| {t.name:<30} | {t.requests:>8} | {t.median:>9.1f} | {t.p95:>6.1f} | "
            f"{ratio:>11.2f} | {verdict:<16} |"
        )


def compare(smaller: str, larger: str) -> bool:
    """Two saved runs side by side: each page's p95 at the larger size as a multiple of its
    p95 at the smaller one, raw and measured against each run's own floor. The machine's speed
    moves between runs (the trivial route, which reads no data, has been 1.5 times slower in
    one run than in the next), so the budget is judged on the floor-relative ratio: the page's
    p95 as a multiple of its run's floor, larger run over smaller. True when every case page
    stays within SCALE_BUDGET."""
    a, b = (json.loads(Path(p).read_text()) for p in (smaller, larger))
    floor_a, floor_b = (
        next(v["p95"] for k, v in r["pages"].items() if k.startswith("floor")) for r in (a, b)
    )
    click.echo(
        f"| {'page':<30} | p95 ms at {a['students']:>7} | p95 ms at {b['students']:>7} | "
        f"ratio | × floor, ratio | budget ≤ {SCALE_BUDGET}× |"
    )
    click.echo(
        f"|{'-' * 32}|-------------------|-------------------|-------|----------------|"
        "----------------|"
    )
    ok = True
    for name, page in a["pages"].items():
        if name not in b["pages"]:
            continue
        ratio = b["pages"][name]["p95"] / page["p95"]
        relative = (b["pages"][name]["p95"] / floor_b) / (page["p95"] / floor_a)
        within = relative <= SCALE_BUDGET
        ok &= within or name.startswith(("floor", "trivial", "WeasyPrint", FIXED_COST))
        click.echo(
            f"| {name:<30} | {page['p95']:>17.1f} | {b['pages'][name]['p95']:>17.1f} | "
            f"{ratio:>5.2f} | {relative:>14.2f} | {'ok' if within else 'MISSED':<14} |"
        )
    return ok


# --- under load ---------------------------------------------------------------------------

WRK_SCRIPT = """
local paths = {%(paths)s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i], {["Cookie"] = "%(cookie)s"})
end
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    "RESULT %%d %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), errors))
end
"""


@dataclass
class Load:
    name: str
    requests: int
    seconds: float
    p50: float
    p95: float
    p99: float
    errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def _wait_for(port: int, path: str) -> None:
    import http.client

    for _ in range(200):
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            probe.request("GET", path)
            probe.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
    raise click.ClickException(f"nothing answers on port {port}")


def _check_free(port: int) -> None:
    """Refuse a port something else listens on (its answers would be timed instead)."""
    import socket

    with socket.socket() as probe:
        # As gunicorn binds: a port left in TIME_WAIT by the previous server is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise click.ClickException(f"port {port} is in use: choose another (--port)") from None


def _serve(app_spec: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    arguments = ["--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
    arguments += ["--graceful-timeout", "2"]
    return subprocess.Popen([str(gunicorn), *arguments, app_spec], env=env)  # noqa: S603


def _wrk(
    name: str, port: int, paths: list[str], cookie: str, seconds: int, connections: int
) -> Load:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise click.ClickException("wrk is not installed (Debian: apt-get install wrk)")
    script = WRK_SCRIPT % {"paths": ", ".join(json.dumps(p) for p in paths), "cookie": cookie}
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        command = [wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "-s", lua.name]
        output = subprocess.run(  # noqa: S603 - wrk, fixed arguments
            [*command, f"http://127.0.0.1:{port}"], capture_output=True, text=True, check=True
        ).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    requests, micros, p50, p95, p99, errors = map(int, line.split()[1:])
    return Load(name, requests, micros / 1e6, p50 / 1000, p95 / 1000, p99 / 1000, errors)


def run_load(seconds: int, connections: int, port: int, label: str = "") -> list[Load]:
    """The floor, then the student page, each under gunicorn (2 workers) with wrk."""
    found = targets()
    secret = prepare_logins()[COUNSELLOR]
    label = label or db.engine.url.get_backend_name()
    url = db.engine.url.render_as_string(hide_password=False)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "ELEVSAG_CONFIG": os.environ.get("ELEVSAG_CONFIG", "development"),
    }
    results = []
    runs: list[tuple[str, str, Callable[[int], str], str]] = [
        ("floor: 1 student, 200 lines", "app.bench.floor:create()", lambda i: f"/floor/{i}", ""),
        ("student page", "wsgi:app", lambda i: f"/students/{i}", "login"),
    ]
    for name, spec, path, login in runs:
        _check_free(port)
        server = _serve(spec, port, env)
        try:
            _wait_for(port, "/healthz" if login else path(found.students[0]))
            cookie = _http_login(port, secret) if login else ""
            paths = [path(i) for i in found.students]
            _wrk(name, port, paths, cookie, 2, connections)  # warm-up
            results.append(_wrk(name, port, paths, cookie, seconds, connections))
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    floor_rate = results[0].per_second
    click.echo(
        f"\n{label} under load: gunicorn, 2 workers; wrk, 1 thread, {connections} connections, "
        f"{seconds} s each, rotating over {ROTATE} students"
    )
    click.echo(
        "| served page                  | requests/s | p50 ms | p95 ms | p99 ms | errors "
        "| × floor | budget                     |"
    )
    click.echo(
        "|------------------------------|------------|--------|--------|--------|--------"
        "|---------|----------------------------|"
    )
    for r in results:
        ratio = r.per_second / floor_rate
        verdict = ""
        if r is not results[0]:
            met = ratio >= LOAD_BUDGET and r.p95 <= LOAD_P95_MS and r.errors == 0
            verdict = f"≥ {LOAD_BUDGET}×, p95 ≤ {LOAD_P95_MS:.0f} ms {'ok' if met else 'MISSED'}"
        click.echo(
            f"| {r.name:<28} | {r.per_second:>10.0f} | {r.p50:>6.1f} | {r.p95:>6.1f} | "
            f"{r.p99:>6.1f} | {r.errors:>6} | {ratio:>7.2f} | {verdict:<26} |"
        )
    return results


def _http_login(port: int, secret: str) -> str:
    """The counsellor's session cookie, logged in over HTTP (password, then the code)."""
    import http.client
    from http.cookies import SimpleCookie
    from urllib.parse import urlencode

    from app.demo_data import DEMO_PASSWORD

    jar = SimpleCookie()

    def request(method: str, path: str, form: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        headers = {"Cookie": "; ".join(f"{k}={v.value}" for k, v in jar.items())}
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=form and urlencode(form), headers=headers)
        response = connection.getresponse()
        body = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        return response, body

    token = _csrf(request("GET", "/login")[1])
    credentials = {"email": COUNSELLOR, "password": DEMO_PASSWORD, "csrf_token": token}
    response, _ = request("POST", "/login", credentials)
    if response.status == 302 and "/login/code" in response.headers["Location"]:
        token = _csrf(request("GET", response.headers["Location"])[1])
        code = {"code": pyotp.TOTP(secret).now(), "csrf_token": token}
        response, _ = request("POST", "/login/code", code)
    if response.status != 302 or "/login" in response.headers["Location"]:
        where = response.headers.get("Location")
        raise click.ClickException(f"the load test could not log in ({response.status}, {where})")
    return "; ".join(f"{k}={v.value}" for k, v in jar.items())
