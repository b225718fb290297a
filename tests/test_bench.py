"""The benchmark's own parts: the floor page, and `flask bench` on a small regional data set
(it prints the floor and every page as a multiple of it, and saves what it printed), and the
load test's wrk run when wrk is installed.

The timings themselves are never asserted: performance claims come from `make bench` on the
regional data (README, "Performance"), not from a test."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.bench import floor
from app.models import CaseEvent, CaseEventKind

ROOT = Path(__file__).resolve().parents[1]


def test_the_floor_page_shows_one_student_and_their_newest_200_lines(world, db):
    student = world.a.student
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(230):
        db.session.add(
            CaseEvent(
                student_id=student.id,
                kind=CaseEventKind.NOTE_WRITTEN,
                at=start + timedelta(hours=n),
                details={"n": n},
            )
        )
    db.session.commit()
    client = floor.create(engine=db.engine).test_client()

    page = client.get(f"/floor/{student.id}").get_data(as_text=True)

    assert student.last_name in page
    assert page.count("<tr><td>") == 200
    assert "&#39;n&#39;: 229" in page and "&#39;n&#39;: 30}" in page  # the newest 200
    assert "&#39;n&#39;: 29}" not in page
    assert client.get("/floor/999999").status_code == 404


@pytest.fixture(scope="module")
def small_region(tmp_path_factory):
    """A migrated SQLite file with 1,000 regional students (the counsellor sees 200+)."""
    path = tmp_path_factory.mktemp("bench") / "bench.sqlite"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "ELEVSAG_CONFIG": "development"}
    env.pop("TEST_DATABASE_URL", None)
    for command in (["db", "upgrade"], ["regional-data", "--students", "1000"]):
        assert _flask(env, *command).returncode == 0
    return env


def _flask(env: dict[str, str], *arguments: str, timeout: int = 600):
    """`flask ARGUMENTS` in a process of its own, on the database in ENV."""
    command = [sys.executable, "-m", "flask", "--app", "wsgi", *arguments]
    return subprocess.run(  # noqa: S603 - our own flask, our arguments
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def test_bench_prints_every_page_as_a_multiple_of_the_floor(small_region, tmp_path):
    saved = tmp_path / "run.json"

    result = _flask(
        small_region, "bench", "--requests", "10", "--label", "Lille", "--save", str(saved)
    )

    assert result.returncode == 0, result.stderr
    rows = {
        line.split("|")[1].strip(): [cell.strip() for cell in line.split("|")[2:-1]]
        for line in result.stdout.splitlines()
        if line.startswith("| ") and not line.startswith("| page")
    }
    assert rows["floor: 1 student, 200 lines"][3] == "1.00"  # the floor is its own unit
    for page in ("student page", "case file, first page", "student list, search"):
        assert rows[page][4].startswith("≤ 2.0×"), rows[page]
        assert float(rows[page][3]) > 0
    assert rows["case-file PDF (500 lines)"][4].endswith("(WeasyPrint)")
    # The fixed cost of a case page is shown beside the floor, with no budget of its own.
    assert rows["fixed cost: search, no match"][4] == ""
    assert "rotating over 200 of the" in result.stdout
    figures = json.loads(saved.read_text())
    assert figures["label"] == "Lille", figures
    assert figures["students"] >= 1000, figures  # and the demo users' own few
    assert set(figures["pages"]) == set(rows), (figures["pages"], rows)

    # Compared with itself, every page's p95 grows by a factor of one.
    same = _flask(small_region, "bench-compare", str(saved), str(saved))
    assert same.returncode == 0, same.stderr
    assert " 1.00 |           1.00 | ok " in same.stdout


def test_bench_profile_splits_every_page_into_its_parts_beside_the_floor(small_region):
    result = _flask(small_region, "bench-profile", "--requests", "10", "--top", "3")

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    head = next(line for line in lines if line.startswith("| page"))
    columns = [cell.strip() for cell in head.split("|")[1:-1]]
    assert columns[4:] == ["driver", "sqlalchemy", "jinja", "babel", "web", "app", "other"]
    rows = {
        cells[0]: cells[1:]
        for line in lines
        if line.startswith("| ") and not line.startswith("| page")
        for cells in [[cell.strip() for cell in line.split("|")[1:-1]]]
    }
    assert set(rows) >= {"floor: 1 student, 200 lines", "student page", "my overview"}
    for page, (median, statements, size, *parts) in rows.items():
        # The parts are shares of the page's own median: together they make it up.
        assert sum(map(float, parts)) == pytest.approx(float(median), abs=0.1 * len(parts))
        assert float(statements) >= 1, page  # every page reads the database
        assert float(size) >= 0, page
    assert float(rows["student page"][2]) > float(rows["fixed cost: search, no match"][2])
    # The costliest functions of each page, with where they are.
    assert "student page: the functions with the most time of their own" in result.stdout

    only = _flask(small_region, "bench-profile", "--requests", "10", "--page", "overview")
    assert only.returncode == 0, only.stderr
    names = [line.split("|")[1].strip() for line in only.stdout.splitlines() if line[:2] == "| "]
    assert names == ["page", "floor: 1 student, 200 lines", "my overview"]


@pytest.mark.parametrize(
    ("filename", "name", "part"),
    [
        ("~", "<method 'execute' of 'sqlite3.Cursor' objects>", "driver"),
        ("~", "<built-in method psycopg_binary._psycopg.wait_c>", "driver"),
        ("~", "<built-in method builtins.isinstance>", "other"),
        ("/v/lib/python3.11/site-packages/sqlalchemy/sql/coercions.py", "expect", "sqlalchemy"),
        ("/r/templates/students/show.html", "root", "jinja"),
        ("/v/lib/python3.11/site-packages/markupsafe/__init__.py", "escape", "jinja"),
        ("/v/lib/python3.11/site-packages/babel/dates.py", "format_date", "babel"),
        ("/v/lib/python3.11/site-packages/werkzeug/routing/map.py", "build", "web"),
        ("/r/app/access/students.py", "student_visibility", "app"),
        ("/usr/lib/python3.11/functools.py", "wrapper", "other"),
    ],
)
def test_a_profiled_function_is_put_in_the_part_its_code_belongs_to(filename, name, part):
    from app.bench.profile import _part

    assert _part(filename, name) == part


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (make bench-tools)")
def test_load_test_serves_the_floor_and_the_student_page_with_wrk(small_region):
    result = _flask(small_region, "bench-load", "--seconds", "1", "--port", "5097", timeout=120)

    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("| ")]
    floor_row = next(line for line in lines if line.startswith("| floor"))
    page_row = next(line for line in lines if line.startswith("| student page"))
    for row in (floor_row, page_row):
        cells = [cell.strip() for cell in row.split("|")[1:-1]]
        assert float(cells[1]) > 0  # requests/s
        assert cells[5] == "0"  # no errors: every rotated student answered 200
    assert "≥ 0.8×" in page_row


def test_more_students_than_a_region_fill_further_regions_with_their_own_staff(db, monkeypatch):
    """The country's worth of students (`make bench-scale`) is more regions of the same shape:
    the demo counsellor's school and caseload stay the size of one region's."""
    from sqlalchemy import func, select

    from app.bench import generate
    from app.models import (
        Organisation,
        OrganisationKind,
        Student,
        SupportMeasure,
        TrainingAgreement,
        User,
    )

    monkeypatch.setattr(generate, "REGION_STUDENTS", 40)

    generate.generate(students=100)

    schools = db.session.scalars(
        select(Organisation).where(Organisation.kind == OrganisationKind.SCHOOL)
    ).all()
    assert len(schools) == 12  # three regions of four schools
    by_school = dict(
        db.session.execute(
            select(Student.school_id, func.count()).group_by(Student.school_id)
        ).all()
    )
    region = {o.id: o.code.rpartition("-R")[2] if "-R" in o.code else "1" for o in schools}
    students = {"1": 0, "2": 0, "3": 0}
    for school_id, count in by_school.items():
        students[region[school_id]] += count
    assert students["2"] == 40 and students["3"] == 20  # students 41-80, 81-100
    assert students["1"] >= 40  # and the demo's own few
    fyn3 = next(o for o in schools if o.code == "SOSU-FYN-R3")
    assert fyn3.name == "SOSU Fyn (region 3)"
    counsellor = db.session.scalar(select(User).where(User.email == "vejleder@demo.elevsag.dk"))
    twin = db.session.scalar(select(User).where(User.email == "vejleder.region3@demo.elevsag.dk"))
    assert [(m.role, m.organisation_id) for m in twin.memberships] == [
        (m.role, fyn3.id) for m in counsellor.memberships
    ]
    # Each region's students are trained by its own municipalities, and their support
    # measures are owned by its own counsellor.
    rows = db.session.execute(
        select(Organisation.code, Student.school_id)
        .join(TrainingAgreement, TrainingAgreement.employer_id == Organisation.id)
        .join(Student, Student.id == TrainingAgreement.student_id)
    ).all()
    assert rows
    for employer_code, school_id in rows:
        assert region[school_id] == (
            employer_code.rpartition("-R")[2] if "-R" in employer_code else "1"
        )
    owners = db.session.execute(
        select(Student.school_id, SupportMeasure.owner_id).join(
            SupportMeasure, SupportMeasure.student_id == Student.id
        )
    ).all()
    twins = {
        "2": db.session.scalar(
            select(User.id).where(User.email == "vejleder.region2@demo.elevsag.dk")
        ),
        "3": twin.id,
    }
    for school_id, owner_id in owners:
        if region[school_id] != "1":
            assert owner_id == twins[region[school_id]]


def test_rows_written_with_their_ids_leave_the_next_id_free(world, db):
    """The regional data is written with explicit ids; on PostgreSQL the id sequences must be
    moved past them, or the app's next insert (the benchmark's import, a new record) collides."""
    from sqlalchemy import func, insert, select

    from app.bench.generate import _advance_sequences
    from app.models import CaseEvent, CaseEventKind

    student = world.a.student
    highest = db.session.execute(select(func.max(CaseEvent.id))).scalar() or 0
    db.session.execute(
        insert(CaseEvent),
        [
            {"id": highest + n, "student_id": student.id, "kind": CaseEventKind.NOTE_WRITTEN}
            for n in range(1, 4)
        ],
    )
    _advance_sequences()
    event = CaseEvent(student_id=student.id, kind=CaseEventKind.NOTE_WRITTEN, details={})
    db.session.add(event)
    db.session.flush()
    assert event.id == highest + 4
