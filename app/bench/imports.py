"""`flask bench-import`: time an import of 5,000 students and 3,000 training agreements.

Runs the import's own services (read the file, check it in chunks as the progress bar does,
confirm) in one transaction on the current database and rolls it back at the end, so the
benchmark database is left as it was. Prints seconds per phase and each as a multiple of the
bench floor: the median of the trivial route (/healthz) through the test client, as
`flask bench` measures it. Needs a school admin and a training coordinator (the demo or regional
data)."""

from __future__ import annotations

import statistics
import time

import click
from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.imports import reading, services
from app.models import ImportKind, Membership, Organisation, Programme, Role, User


def _floor_ms(count: int = 200) -> float:
    client = current_app.test_client()
    for _ in range(10):
        client.get("/healthz")
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        client.get("/healthz")
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _member(role: Role) -> tuple[User, Organisation]:
    membership = db.session.execute(
        select(Membership).where(Membership.role == role).order_by(Membership.id).limit(1)
    ).scalar_one_or_none()
    if membership is None:
        raise click.ClickException(f"no user with the role {role.value}: load the demo data")
    return membership.user, db.session.get(Organisation, membership.organisation_id)


def _students_file(students: int, programme: str) -> bytes:
    lines = ["elevnummer;fornavn;efternavn;e-mail;telefon;fødselsår;uddannelse;hold;startdato"]
    for n in range(students):
        team = f"BENCH-{n // 28:03d}"
        lines.append(
            f"BENCH{n:06d};Fornavn{n};Bænkesen{n};elev{n}@example.org;20 30 40 50;2004;"
            f"{programme};{team};04-01-2027"
        )
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def _agreements_file(agreements: int, employer: Organisation) -> bytes:
    lines = ["elevnummer;fornavn;efternavn;arbejdsgiver;aftaletype;startdato;slutdato"]
    for n in range(agreements):
        lines.append(f"BENCH{n:06d};Fornavn{n};Bænkesen{n};{employer.code};;01-08-2027;")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _run(kind: ImportKind, data: bytes, organisation: Organisation, user: User) -> dict:
    columns = reading.STUDENT_COLUMNS if kind == ImportKind.STUDENTS else reading.AGREEMENT_COLUMNS
    phases = {}
    started = time.perf_counter()
    rows = reading.read_rows(data, columns)
    batch = services.new_batch(kind, organisation, user, "bench.csv", rows)
    db.session.flush()
    phases["read"] = time.perf_counter() - started
    started = time.perf_counter()
    while not batch.is_checked:
        services.check_next(batch)
        db.session.flush()
    phases["check"] = time.perf_counter() - started
    preview = services.counts(batch.results)
    started = time.perf_counter()
    found = services.apply(batch, user)
    db.session.flush()
    phases["confirm"] = time.perf_counter() - started
    return {"phases": phases, "preview": preview, "applied": found}


@click.command("bench-import")
@click.option("--students", type=click.IntRange(10, 20_000), default=5_000, show_default=True)
@click.option("--agreements", type=click.IntRange(0, 20_000), default=3_000, show_default=True)
def bench_import_command(students: int, agreements: int) -> None:
    """Time importing STUDENTS students and AGREEMENTS agreements (rolled back at the end)."""
    agreements = min(agreements, students)
    floor = _floor_ms()
    admin, school = _member(Role.SCHOOL_ADMIN)
    coordinator, employer = _member(Role.TRAINING_COORDINATOR)
    programme = (
        db.session.execute(
            select(Programme.code).where(Programme.active.is_(True)).order_by(Programme.code)
        )
        .scalars()
        .first()
    )
    label = db.engine.url.get_backend_name()
    click.echo(f"\n{label}: floor (median of /healthz) {floor:.2f} ms")
    click.echo("| import | phase | seconds | × floor |")
    click.echo("|---|---|---|---|")
    total = 0.0
    try:
        runs = [
            (
                "students",
                _run(ImportKind.STUDENTS, _students_file(students, programme), school, admin),
            ),
            (
                "same file again",
                _run(ImportKind.STUDENTS, _students_file(students, programme), school, admin),
            ),
        ]
        if agreements:
            data = _agreements_file(agreements, employer)
            runs.append(("agreements", _run(ImportKind.AGREEMENTS, data, employer, coordinator)))
        for name, run in runs:
            for phase, seconds in run["phases"].items():
                total += seconds
                click.echo(f"| {name} | {phase} | {seconds:.2f} | {seconds * 1000 / floor:,.0f} |")
            click.echo(f"| {name} | result | {run['applied']} | |")
    finally:
        db.session.rollback()
    click.echo(f"\nTotal {total:.1f} s (budget: well under a minute). Rolled back.")
