"""The access-log review: who sees which rows, the filters, the export, and that reading the
log is logged itself."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditAction, AuditEvent, Role
from tests.auditlog.helpers import at, view
from tests.conftest import login
from tests.factories import student, user


@pytest.fixture
def log(world):
    """Rows of both sides: side A's teacher read side A's student two days ago and changed
    them yesterday; side B's teacher read side B's student; side A's coordinator read side
    A's student for the municipality."""
    a, b = world.a, world.b
    today = date.today()
    view(a.users[Role.TEACHER], a.student, at(today - timedelta(days=2)))
    view(a.users[Role.TEACHER], a.student, at(today - timedelta(days=1)), action=AuditAction.UPDATE)
    view(b.users[Role.TEACHER], b.student, at(today - timedelta(days=1)))
    view(
        a.users[Role.TRAINING_COORDINATOR],
        a.student,
        at(today - timedelta(days=1)),
        organisation_id=a.municipality.id,
    )
    db.session.commit()
    return world


def _rows(page: str) -> int:
    return page.count('data-testid="log-row"')


def test_the_data_protection_adviser_lands_on_the_access_log(client, world):
    login(client, world.user(Role.DATA_PROTECTION))
    response = client.get("/")
    assert response.headers["Location"].endswith("/access-log/")
    page = client.get("/access-log/").text
    assert "Adgangslog" in page


def test_the_school_sees_its_own_rows_only(client, log):
    login(client, log.a.users[Role.DATA_PROTECTION])
    page = client.get("/access-log/?action=view").text
    assert log.a.student.student_number in page
    assert log.b.student.student_number not in page
    assert log.b.users[Role.TEACHER].name not in page
    # The municipality's read of the school's student is the municipality's row.
    assert log.a.users[Role.TRAINING_COORDINATOR].name not in page


def test_the_municipality_sees_what_its_staff_did_for_it(client, log):
    login(client, log.a.users[Role.MUNICIPALITY_ADMIN])
    page = client.get("/access-log/?action=view").text
    assert log.a.users[Role.TRAINING_COORDINATOR].name in page
    assert log.a.users[Role.TEACHER].name not in page


def test_filters_naming_another_organisation_find_nothing(client, log):
    login(client, log.a.users[Role.SCHOOL_ADMIN])
    other_teacher = log.b.users[Role.TEACHER]
    page = client.get(f"/access-log/?user={other_teacher.id}").text
    assert _rows(page) == 0
    assert "Ugyldigt valg." in page
    page = client.get(f"/access-log/?student={log.b.student.student_number}").text
    assert _rows(page) == 0
    assert log.b.student.last_name not in page


def test_each_filter_narrows_the_rows(client, log):
    a = log.a
    teacher = a.users[Role.TEACHER]
    login(client, a.users[Role.DATA_PROTECTION])
    everything = _rows(client.get("/access-log/").text)
    by_user = client.get(f"/access-log/?user={teacher.id}").text
    assert _rows(by_user) == 2
    by_student = client.get(f"/access-log/?student={a.student.last_name}").text
    assert _rows(by_student) == 2
    by_number = client.get(f"/access-log/?student={a.student.student_number}").text
    assert _rows(by_number) == 2
    by_action = client.get("/access-log/?action=update").text
    assert _rows(by_action) == 1
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    by_day = client.get(f"/access-log/?user={teacher.id}&date_from={yesterday}&date_to={yesterday}")
    assert _rows(by_day.text) == 1
    assert everything > 2  # the logins and the reviewer's own reading are rows too


def test_a_period_ending_before_it_starts_is_refused_in_danish(client, log):
    login(client, log.a.users[Role.SCHOOL_ADMIN])
    response = client.get("/access-log/?date_from=2026-03-10&date_to=2026-03-01&student=Hansen")
    assert response.status_code == 200
    assert "Slutdatoen må ikke ligge før startdatoen." in response.text
    assert 'data-testid="error-summary"' in response.text
    assert 'value="Hansen"' in response.text  # what was typed is kept
    assert _rows(response.text) == 0


@pytest.mark.parametrize(
    "query",
    [
        "date_from=2026-02-30",
        "date_from=0001-01-01",
        "date_to=99999-01-01",
        "user=abc",
        "user=-1",
        "action=sudo",
        "student=" + "x" * 500,
        "student=<script>alert(1)</script>",
        "student=%00%01",
        "page=-3",
        "page=abc",
    ],
)
def test_bad_filters_are_answered_with_a_message_not_an_error(client, log, query):
    login(client, log.a.users[Role.DATA_PROTECTION])
    response = client.get(f"/access-log/?{query}")
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.text
    flags = client.get(f"/access-log/flags?{query}")
    assert flags.status_code == 200


def test_the_flags_period_is_checked(client, log):
    login(client, log.a.users[Role.DATA_PROTECTION])
    page = client.get("/access-log/flags?date_from=2026-01-01&date_to=2026-12-31").text
    assert "Vælg en periode på højst 92 dage." in page
    page = client.get("/access-log/flags?date_from=&date_to=2026-12-31").text
    assert "Skriv en dato." in page


def test_reading_the_log_is_logged(client, log):
    reviewer = log.a.users[Role.DATA_PROTECTION]
    login(client, reviewer)
    client.get(f"/access-log/?student={log.a.student.student_number}&action=view")
    row = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.user_id == reviewer.id, AuditEvent.object_type == "access_log")
        .order_by(AuditEvent.id.desc())
    ).first()
    assert row.action is AuditAction.VIEW
    assert f"student={log.a.student.student_number}" in row.criterion
    assert "action=view" in row.criterion
    # ... and the reviewer sees their own reading in the log.
    assert "Adgangslog" in client.get("/access-log/").text


def test_the_export_holds_the_filtered_rows_and_is_logged(client, log):
    a = log.a
    reviewer = a.users[Role.SCHOOL_ADMIN]
    login(client, reviewer)
    response = client.get(f"/access-log/export.csv?user={a.users[Role.TEACHER].id}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "adgangslog-" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True).lstrip("\ufeff")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert lines[0][:4] == ["Dato og tid", "Bruger", "E-mail", "Handling"]
    assert len(lines) == 3  # the header and the teacher's two rows
    assert {line[3] for line in lines[1:]} == {"Set", "Ændret"}
    assert all(line[7] == a.student.student_number for line in lines[1:])
    exported = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.user_id == reviewer.id, AuditEvent.action == AuditAction.EXPORT
        )
    ).one()
    assert exported.object_type == "access_log"
    assert f"user={a.users[Role.TEACHER].id}" in exported.criterion


def test_the_export_defuses_cells_a_spreadsheet_would_run(client, log):
    a = log.a
    evil = user(Role.TEACHER, a.school, name="=HYPERLINK(1)")
    view(evil, a.student, at(date.today()))
    db.session.commit()
    login(client, a.users[Role.SCHOOL_ADMIN])
    text = client.get(f"/access-log/export.csv?user={evil.id}").get_data(as_text=True)
    assert "'=HYPERLINK(1)" in text


def test_the_export_asks_for_the_password_again_after_a_while(client, log, monkeypatch):
    from app.access import twofactor

    login(client, log.a.users[Role.SCHOOL_ADMIN])
    monkeypatch.setattr(twofactor, "needs_step_up", lambda user: True)
    response = client.get("/access-log/export.csv")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/confirm")


def test_the_page_runs_the_same_number_of_queries_however_long_the_log(client, log, count_queries):
    a = log.a
    login(client, a.users[Role.DATA_PROTECTION])
    client.get("/access-log/")

    def counted() -> int:
        with count_queries() as counter:
            assert client.get("/access-log/").status_code == 200
        return counter.count

    small = counted()
    more = [student(a.school) for _ in range(15)]
    for n, s in enumerate(more * 4):
        view(a.users[Role.COUNSELLOR], s, at(date.today() - timedelta(days=n % 20)))
    db.session.commit()
    assert counted() == small
    assert small <= 12


def test_the_data_protection_adviser_must_use_two_factor_login(app, world):
    from app.access.twofactor import requires_two_factor

    app.config["TWO_FACTOR_REQUIRED_ROLES"] = None
    assert requires_two_factor(world.user(Role.DATA_PROTECTION))


def test_an_admin_may_make_someone_the_data_protection_adviser(world):
    from app.admin.services import check_membership

    a = world.a
    membership = check_membership(
        a.users[Role.SCHOOL_ADMIN], a.users[Role.TEACHER], Role.DATA_PROTECTION, a.school.id, None
    )
    assert membership.role is Role.DATA_PROTECTION
