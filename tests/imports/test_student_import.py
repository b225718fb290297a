"""Importing students and class teams from a school administration file (docs/import.md)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    AuditEvent,
    CaseEvent,
    CaseEventKind,
    ClassTeam,
    Enrolment,
    ImportBatch,
    Role,
    Student,
)
from tests import factories
from tests.conftest import login, post
from tests.imports.helpers import (
    STUDENT_HEADER,
    confirm,
    csv_file,
    latest_batch,
    preview,
    student_line,
    upload,
)


@pytest.fixture
def school_admin(client, world):
    for code in ("GF2", "SSA", "EUX_PA"):
        factories.programme(code)
    db.session.commit()
    login(client, world.user(Role.SCHOOL_ADMIN))
    return world.user(Role.SCHOOL_ADMIN)


def _imported() -> list[Student]:
    db.session.expire_all()
    query = select(Student).where(Student.student_number.like("IMP%")).order_by(Student.id)
    return list(db.session.execute(query).scalars())


def _count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_good_file_is_previewed_then_created_with_enrolment_class_team_and_history(
    client, world, school_admin
):
    data = csv_file(STUDENT_HEADER, [student_line(n) for n in range(1, 6)])
    batch_id, page = preview(client, "students", data, world.a.school.id)
    assert page.status_code == 200
    assert "5 oprettes" in page.text
    assert "Opret" in page.text
    # The preview is a dry run: nothing but the batch is stored.
    assert _imported() == []
    assert db.session.execute(select(ClassTeam).where(ClassTeam.code == "SSA-27A")).first() is None

    done = confirm(client, batch_id)
    assert "Importen er gennemført: 5 oprettet, 0 opdateret, 0 uændret, 0 afvist." in done.text
    students = _imported()
    assert [s.student_number for s in students] == [f"IMP{n:05d}" for n in range(1, 6)]
    first = students[0]
    assert (first.first_name, first.email, first.phone, first.birth_year) == (
        "Fornavn1",
        "elev1@example.org",
        "20 30 40 50",
        2004,
    )
    assert first.school_id == world.a.school.id
    assert first.start_date == date(2027, 1, 4)
    team = db.session.execute(select(ClassTeam).where(ClassTeam.code == "SSA-27A")).scalar_one()
    assert team.school_id == world.a.school.id
    assert team.programme.code == "SSA"
    enrolments = db.session.execute(
        select(Enrolment).where(Enrolment.student_id.in_([s.id for s in students]))
    ).scalars()
    assert {e.class_team_id for e in enrolments} == {team.id}
    lines = (
        db.session.execute(select(CaseEvent).where(CaseEvent.student_id == first.id))
        .scalars()
        .all()
    )
    assert [(e.kind, e.user_id) for e in lines] == [
        (CaseEventKind.STUDENT_IMPORTED, school_admin.id)
    ]
    # The import itself is one access-log row: counts and file name, no personal data.
    audit = db.session.execute(
        select(AuditEvent).where(AuditEvent.object_type == "import_batch")
    ).scalar_one()
    assert "created=5" in audit.criterion and "elever.csv" in audit.criterion
    assert "Fornavn" not in audit.criterion and "IMP0" not in audit.criterion
    # The batch (the file's rows) is gone once confirmed.
    assert _count(ImportBatch) == 0
    history = client.get(f"/students/{first.id}/history")
    assert "Elev oprettet ved import (hold SSA-27A)" in history.text


def test_the_same_file_twice_changes_nothing_the_second_time(client, world, school_admin):
    data = csv_file(STUDENT_HEADER, [student_line(n) for n in range(1, 6)])
    batch_id, _ = preview(client, "students", data, world.a.school.id)
    confirm(client, batch_id)
    students_before, events_before = _count(Student), _count(CaseEvent)

    batch_id, page = preview(client, "students", data, world.a.school.id)
    assert "5 uændret" in page.text
    done = confirm(client, batch_id)
    assert "0 oprettet, 0 opdateret, 5 uændret, 0 afvist" in done.text
    assert (_count(Student), _count(CaseEvent)) == (students_before, events_before)
    assert _count(ClassTeam) == 1


def test_a_reimport_updates_only_what_changed(client, world, school_admin):
    data = csv_file(STUDENT_HEADER, [student_line(1), student_line(2)])
    batch_id, _ = preview(client, "students", data, world.a.school.id)
    confirm(client, batch_id)
    changed = csv_file(
        STUDENT_HEADER,
        [student_line(1, phone="+45 11 22 33 44", email=""), student_line(2)],
    )
    batch_id, page = preview(client, "students", changed, world.a.school.id)
    assert "1 opdateres" in page.text and "1 uændret" in page.text
    assert "telefon" in page.text
    confirm(client, batch_id)
    first, second = _imported()
    assert first.phone == "+45 11 22 33 44"
    assert first.email == "elev1@example.org"  # an empty cell changes nothing
    kinds = db.session.execute(
        select(CaseEvent.kind, CaseEvent.details).where(CaseEvent.student_id == first.id)
    ).all()
    assert (CaseEventKind.STUDENT_UPDATED, {"fields": ["phone"]}) in [tuple(k) for k in kinds]
    assert first.version_id == 2 and second.version_id == 1
    history = client.get(f"/students/{first.id}/history")
    assert "Elevens stamdata opdateret ved import: telefon" in history.text


def test_bad_rows_are_refused_row_by_row_and_only_good_rows_are_stored(client, world, school_admin):
    lines = [
        student_line(1),  # line 2: good
        student_line(2, programme="Frisør"),  # line 3: unknown programme
        student_line(3, start="31-02-2027"),  # line 4: bad date
        student_line(4),  # line 5 and 6: the same number twice
        student_line(4, first="Anden"),
        student_line(6, phone="010203-1234"),  # line 7: a CPR-shaped number
        "2412049999;Cpr;Nummer;;;;SSA;SSA-27A;04-01-2027",  # line 8: CPR as the number
        student_line(8, first=""),  # line 9: missing first name
        student_line(9, last="x" * 81),  # line 10: too long
        student_line(10, programme="EUX PA", team="EUX-27A"),  # line 11: good, "EUX PA"
    ]
    batch_id, page = preview(client, "students", csv_file(STUDENT_HEADER, lines), world.a.school.id)
    assert "2 oprettes" in page.text and "8 afvist" in page.text
    assert "Ukendt uddannelse “Frisør”" in page.text
    assert "“31-02-2027” i kolonnen “startdato” er ikke en dato" in page.text
    assert "Elevnummeret står i flere rækker i filen (også linje 6)" in page.text
    assert "Elevnummeret står i flere rækker i filen (også linje 5)" in page.text
    assert "Kolonnen “telefon” indeholder et tal, der ligner et CPR-nummer" in page.text
    assert "Kolonnen “elevnummer” indeholder et tal, der ligner et CPR-nummer" in page.text
    assert "Kolonnen “fornavn” er tom." in page.text
    assert "Kolonnen “efternavn” er for lang (højst 80 tegn)." in page.text
    # A CPR-shaped number is never stored, not even in the batch waiting for confirmation.
    assert "010203-1234" not in str(latest_batch().rows)
    assert "2412049999" not in str(latest_batch().rows)
    assert "010203-1234" not in page.text
    assert _imported() == []

    done = confirm(client, batch_id)
    assert "2 oprettet, 0 opdateret, 0 uændret, 8 afvist" in done.text
    assert [s.student_number for s in _imported()] == ["IMP00001", "IMP00010"]
    assert _imported()[1].programme.code == "EUX_PA"


def test_a_number_of_another_schools_student_is_refused_without_naming_them(
    client, world, school_admin
):
    other = world.b.student
    line = student_line(1, number=other.student_number.lower())
    batch_id, page = preview(
        client, "students", csv_file(STUDENT_HEADER, [line]), world.a.school.id
    )
    assert "Elevnummeret tilhører en elev, der ikke går på denne skole." in page.text
    assert other.last_name not in page.text and world.b.school.name not in page.text
    confirm(client, batch_id)
    db.session.refresh(other)
    assert other.first_name == "ElevB"


@pytest.mark.parametrize(
    ("sep", "encoding", "bom"),
    [(";", "utf-8", False), (",", "utf-8", True), (";", "cp1252", False), (",", "cp1252", False)],
)
def test_separators_and_encodings(client, world, school_admin, sep, encoding, bom):
    line = student_line(1, first="Søren Åge", last="Ærø")
    data = csv_file(STUDENT_HEADER, [line], sep=sep, encoding=encoding)
    if bom:
        data = "\ufeff".encode() + data
    batch_id, page = preview(client, "students", data, world.a.school.id)
    assert "Søren Åge Ærø" in page.text
    confirm(client, batch_id)
    (student,) = _imported()
    assert (student.first_name, student.last_name) == ("Søren Åge", "Ærø")


@pytest.mark.parametrize(
    "data",
    [
        csv_file(STUDENT_HEADER, [student_line(1, first="Søren")], encoding="utf-16"),
        # Not UTF-8, and bytes Windows-1252 leaves undefined (0x81, 0x8d).
        csv_file(STUDENT_HEADER, [student_line(1)]) + b"\x81\x8d;\xff\r\n",
    ],
    ids=["utf-16", "undefined-bytes"],
)
def test_a_file_in_another_encoding_is_refused_with_a_danish_message(
    client, world, school_admin, data
):
    response = upload(client, "students", data, world.a.school.id)
    assert response.status_code == 200
    assert "Filen er ikke en CSV-tekstfil i UTF-8 eller Windows-1252." in response.text
    assert _count(ImportBatch) == 0


def test_a_file_without_a_required_column_is_refused(client, world, school_admin):
    data = b"elevnummer;fornavn;efternavn\r\nIMP1;A;B\r\n"
    response = upload(client, "students", data, world.a.school.id)
    assert "Filen har ingen kolonne “uddannelse”, “startdato”." in response.text
    assert _count(ImportBatch) == 0


def test_a_file_that_is_too_large_is_refused(client, world, school_admin):
    data = csv_file(STUDENT_HEADER, [student_line(1)]) + b"x" * (5 * 1024 * 1024)
    response = upload(client, "students", data, world.a.school.id)
    assert "Filen er for stor (højst 5 MB)." in response.text
    assert _count(ImportBatch) == 0


def test_no_file_says_so_next_to_the_field(client, world, school_admin):
    response = post(client, "/imports/students", {"organisation": str(world.a.school.id)})
    assert response.status_code == 200
    assert "Vælg en fil." in response.text


def test_cancel_deletes_the_batch_and_stores_nothing(client, world, school_admin):
    data = csv_file(STUDENT_HEADER, [student_line(1)])
    batch_id, _ = preview(client, "students", data, world.a.school.id)
    response = post(client, f"/imports/{batch_id}/cancel", follow_redirects=True)
    assert "Importen blev annulleret. Intet blev gemt." in response.text
    assert _count(ImportBatch) == 0 and _imported() == []


def test_the_progress_bar_checks_chunk_by_chunk(client, world, school_admin, monkeypatch):
    from app.imports import services

    monkeypatch.setattr(services, "CHUNK", 4)
    data = csv_file(STUDENT_HEADER, [student_line(n) for n in range(1, 11)])
    response = upload(client, "students", data, world.a.school.id)
    page = client.get(response.headers["Location"])
    assert 'max="10" value="0"' in page.text
    batch_id = latest_batch().id
    states = [post(client, f"/imports/{batch_id}/check?chunk=1").get_json() for _ in range(3)]
    assert [(s["checked"], s["done"]) for s in states] == [(4, False), (8, False), (10, True)]
    page = client.get(f"/imports/{batch_id}")
    assert "10 oprettes" in page.text


def test_confirm_before_the_check_is_done_stores_nothing(client, world, school_admin):
    data = csv_file(STUDENT_HEADER, [student_line(1)])
    upload(client, "students", data, world.a.school.id)
    batch_id = latest_batch().id
    response = post(client, f"/imports/{batch_id}/confirm", follow_redirects=True)
    assert "Kontrollér rækkerne, før du importerer dem." in response.text
    assert _imported() == []


def test_another_users_batch_answers_404(client, world, school_admin):
    data = csv_file(STUDENT_HEADER, [student_line(1)])
    batch_id, _ = preview(client, "students", data, world.a.school.id)
    post(client, "/logout")
    login(client, world.user(Role.COUNSELLOR))  # same school, another person
    assert client.get(f"/imports/{batch_id}").status_code == 404
    assert post(client, f"/imports/{batch_id}/confirm").status_code == 404


def test_another_school_cannot_be_chosen(client, world, school_admin):
    data = csv_file(STUDENT_HEADER, [student_line(1)])
    response = upload(client, "students", data, world.b.school.id)
    assert response.status_code == 200
    assert "Ugyldigt valg." in response.text
    assert _count(ImportBatch) == 0


def test_the_preview_runs_the_same_number_of_queries_for_10_and_200_rows(
    client, world, school_admin, count_queries
):
    counts = []
    for rows in (10, 200):
        data = csv_file(STUDENT_HEADER, [student_line(n) for n in range(1, rows + 1)])
        upload(client, "students", data, world.a.school.id)
        batch_id = latest_batch().id
        with count_queries() as counter:
            post(client, f"/imports/{batch_id}/check")
            client.get(f"/imports/{batch_id}")
        counts.append(counter.count)
    assert counts[0] == counts[1]


def test_an_expired_batch_is_deleted(client, world, school_admin, runner):
    from datetime import timedelta

    from app.models.base import utcnow

    data = csv_file(STUDENT_HEADER, [student_line(1)])
    batch_id, _ = preview(client, "students", data, world.a.school.id)
    batch = db.session.get(ImportBatch, batch_id)
    batch.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    result = runner.invoke(args=["imports", "prune"])
    assert "Deleted 1 expired import batches." in result.output
    assert _count(ImportBatch) == 0
    assert client.get(f"/imports/{batch_id}").status_code == 404


def test_the_documented_example_file_imports(client, world, school_admin):
    from pathlib import Path

    data = (Path(__file__).parents[2] / "docs" / "examples" / "elever.csv").read_bytes()
    batch_id, page = preview(client, "students", data, world.a.school.id)
    assert "5 oprettes" in page.text and "0 afvist" in page.text
    confirm(client, batch_id)
    teams = db.session.execute(select(ClassTeam.code).order_by(ClassTeam.code)).scalars().all()
    assert teams == ["EUX-PA-27A", "GF2-27A", "SSA-27A"]
