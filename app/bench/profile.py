"""Where a page's time goes: `flask bench-profile` (README, "Performance").

`flask bench` says how long each page takes against the floor; this says what the time is
spent on, page by page, so a page over its budget can be read against the floor's own parts.
For each page of `flask bench` (the same users, the same rotation over 200 students):

- its median over COUNT requests without a profiler, the SQL statements one request runs and
  the size of the HTML it sends;
- the time inside the driver's execute (the statements themselves, network round trips
  included), timed in those same requests;
- the rest of the time split by the same requests run under cProfile, each function's own
  time (not its callees') put in one of a few parts by the code it belongs to: the rest of
  the database driver (fetching rows), SQLAlchemy (building statements, the ORM's objects),
  Jinja (the templates and their escaping), Babel (translated labels, dates), Flask and the
  other web libraries (routing, `url_for`, the session, forms), the app's own code, and the
  rest (the standard library). The profiler slows every Python call, so its shares, not its
  times, are what is used: each part is given as milliseconds of the unprofiled median.

`--top N` also prints, per page, the N functions with the most time of their own.
"""

from __future__ import annotations

import cProfile
import pstats
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import cycle
from pathlib import Path

import click
from sqlalchemy import Engine, event

from app.bench.run import Page, floor_page, logged_in_clients, pages, targets, time_page

# (part, what its name says) in the order of the table; `_part` decides which a function is.
PARTS = (
    ("driver", "the database driver: the statements (timed), round trips included, and fetching"),
    ("sqlalchemy", "SQLAlchemy: building statements, the ORM's objects"),
    ("jinja", "Jinja: the templates and their escaping"),
    ("babel", "Babel: translated labels, dates and numbers"),
    ("web", "Flask, Werkzeug, Flask-Login, WTForms: routing, url_for, session, forms"),
    ("app", "the app's own Python (views, access rules, services, the access log)"),
    ("other", "the rest: the standard library"),
)
_LIBRARIES = (
    ("driver", ("/sqlite3/", "/psycopg/", "/psycopg_binary/", "/psycopg_pool/")),
    ("sqlalchemy", ("/sqlalchemy/", "/flask_sqlalchemy/")),
    ("jinja", ("/jinja2/", "/markupsafe/")),
    ("babel", ("/babel/", "/flask_babel/", "/gettext.py", "/pytz/", "/zoneinfo/")),
    (
        "web",
        (
            "/flask/",
            "/werkzeug/",
            "/flask_login/",
            "/flask_wtf/",
            "/wtforms/",
            "/itsdangerous/",
            "/click/",
            "/blinker/",
        ),
    ),
)


_ROOT = Path(__file__).resolve().parents[2]


def _part(filename: str, name: str) -> str:
    if filename == "~":  # a built-in: the database driver's C, or the interpreter's
        return "driver" if ("sqlite3" in name or "psycopg" in name) else "other"
    if filename.endswith(".html") or filename == "<template>":  # compiled template code
        return "jinja"
    for part, markers in _LIBRARIES:
        if any(marker in filename for marker in markers):
            return part
    if "/site-packages/" not in filename and "/app/" in filename:  # this project's app/
        return "app"
    return "other"


@dataclass
class Breakdown:
    name: str
    median: float  # ms, without the profiler
    statements: float  # SQL statements a request, on average
    size: float  # KB of HTML a request, on average
    shares: dict[str, float] = field(default_factory=dict)  # part -> share of profiled time
    top: list[tuple[float, str]] = field(default_factory=list)  # (share, function)

    def ms(self, part: str) -> float:
        return self.shares.get(part, 0.0) * self.median


@dataclass
class _Statements:
    count: int = 0
    seconds: float = 0.0  # inside the driver's execute, round trip included
    started: float = 0.0


@contextmanager
def _watching(seen: _Statements) -> Iterator[None]:
    """Counts and times into `seen` the statements run on any engine (the floor has its own)
    while open."""

    def before(*_args) -> None:
        seen.count += 1
        seen.started = time.perf_counter()

    def after(*_args) -> None:
        seen.seconds += time.perf_counter() - seen.started

    event.listen(Engine, "before_cursor_execute", before)
    event.listen(Engine, "after_cursor_execute", after)
    try:
        yield
    finally:
        event.remove(Engine, "before_cursor_execute", before)
        event.remove(Engine, "after_cursor_execute", after)


def _executes(filename: str, name: str) -> bool:
    """The driver's execute, as the statement timing above wraps it."""
    if filename == "~":
        return "execute' of 'sqlite3.Cursor" in name
    return filename.endswith("/psycopg/cursor.py") and name == "execute"


def _where(filename: str, line: int, name: str) -> str:
    """A function's place, short: relative to the project or to site-packages."""
    if filename == "~":
        return name
    for prefix in (f"{_ROOT}/", "/site-packages/"):
        if prefix in filename:
            filename = filename.split(prefix, 1)[1]
            break
    return f"{filename}:{line} {name}"


def take_apart(client, page: Page, count: int, top: int = 0) -> Breakdown:
    statements = _Statements()
    timing = time_page(client, page.name, page.urls, count, during=lambda: _watching(statements))
    rotation = cycle(page.urls)
    # The statements' share is timed without the profiler, which slows Python more than the
    # driver's C and so would understate it; the profile splits the rest of the time.
    executing = min(1.0, statements.seconds * 1000 / (sum(timing.samples) or 1.0))
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(count):
        client.get(next(rotation))
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    own: dict[str, float] = {}
    in_execute = 0.0
    functions = []
    for (filename, line, name), (_cc, _nc, tottime, cumtime, _callers) in stats.items():
        part = _part(filename, name)
        own[part] = own.get(part, 0.0) + tottime
        if _executes(filename, name):
            in_execute += cumtime
        functions.append((tottime, _where(filename, line, name)))
    total = sum(own.values()) or 1.0
    own["driver"] = max(0.0, own.get("driver", 0.0) - in_execute)  # the execute is timed above
    rest = sum(own.values()) or 1.0
    shares = {part: (1 - executing) * seconds / rest for part, seconds in own.items()}
    shares["driver"] += executing
    functions.sort(reverse=True)
    return Breakdown(
        name=page.name,
        median=timing.median,
        statements=statements.count / count,
        size=statistics.mean(timing.sizes) / 1024,
        shares=shares,
        top=[(seconds / total, where) for seconds, where in functions[:top]],
    )


def run(count: int, only: str = "", top: int = 0) -> list[Breakdown]:
    found = targets()
    clients = logged_in_clients()
    bare, floor_entry = floor_page(found)
    chosen = [floor_entry, *pages(found)]
    if only:
        chosen = [chosen[0], *(p for p in chosen[1:] if only in p.name)]
    results = [
        take_apart(bare if not page.user else clients[page.user], page, count, top)
        for page in chosen
    ]
    print_breakdown(results)
    return results


def print_breakdown(results: list[Breakdown]) -> None:
    heads = [name for name, _ in PARTS]
    click.echo(
        "\nWhere the time goes: the median (ms, without the profiler), split by the profile's "
        "shares of own time:"
    )
    for name, meaning in PARTS:
        click.echo(f"  {name:<10} {meaning}")
    click.echo(
        f"| {'page':<30} | median | stmts |   KB | " + " | ".join(f"{h:>10}" for h in heads) + " |"
    )
    click.echo(
        f"|{'-' * 32}|-------:|------:|-----:|" + "|".join("-----------:" for _ in heads) + "|"
    )
    for r in results:
        click.echo(
            f"| {r.name:<30} | {r.median:>6.1f} | {r.statements:>5.1f} | {r.size:>4.0f} | "
            + " | ".join(f"{r.ms(h):>10.1f}" for h in heads)
            + " |"
        )
    for r in results:
        if r.top:
            click.echo(f"\n{r.name}: the functions with the most time of their own")
            for share, where in r.top:
                click.echo(f"  {share * 100:5.1f} %  {where}")
