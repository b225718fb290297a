"""Insight for the student: which organisations have looked at their case and when (the access
log without staff names), and their own access-request export after confirming who they are."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app import dates
from app.models import AuditAction, AuditEvent, Role
from tests.auth.test_step_up import _age_the_login
from tests.conftest import PASSWORD, login, post
from tests.support.test_privacy import pdf_text

INSIGHT = "/me/insight"
PDF = "/me/insight/export.pdf"
JSON = "/me/insight/export.json"


def _student(world, side="a"):
    return getattr(world, side).users[Role.STUDENT]


def _staff_identities(world) -> list[str]:
    staff = [u for side in (world.a, world.b) for r, u in side.users.items() if r != Role.STUDENT]
    return [u.name for u in staff] + [u.email for u in staff]


def _rows(text: str) -> list[str]:
    return text.split('data-testid="insight-row"')[1:]


def _log(db, student, n: int, organisation=None, user=None, start=None) -> None:
    start = start or datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
    for i in range(n):
        db.session.add(
            AuditEvent(
                at=start + timedelta(hours=i),
                user_id=user.id if user else None,
                action=AuditAction.VIEW,
                object_type="student",
                object_id=student.id,
                student_id=student.id,
                organisation_id=organisation.id if organisation else None,
            )
        )
    db.session.commit()


def test_the_student_sees_the_school_and_the_municipality_but_no_staff(client, world, db):
    side = world.a
    for role in (Role.COUNSELLOR, Role.SUPERVISOR):
        login(client, side.users[role])
        assert client.get(f"/students/{side.student.id}").status_code == 200
        post(client, "/logout")
    # Another student's case is read too: it must not show.
    login(client, world.b.users[Role.COUNSELLOR])
    assert client.get(f"/students/{world.b.student.id}").status_code == 200
    post(client, "/logout")
    reads = db.session.scalars(
        select(AuditEvent).where(AuditEvent.student_id == side.student.id)
    ).all()

    login(client, _student(world))
    plan = client.get("/me/").text
    assert 'href="/me/insight"' in plan and "Hvem har set mine oplysninger?" in plan
    page = client.get(INSIGHT)
    assert page.status_code == 200
    text = page.text
    rows = _rows(text)
    assert len(rows) == 2  # the two reads; the student's own visits are left out
    assert side.school.name in rows[1] and side.municipality.name in rows[0]  # newest first
    assert all(">Set<" in r for r in rows)
    with client.application.test_request_context():
        for event in reads:
            assert dates.datetime_text(event.at) in text
    leaks = [who for who in _staff_identities(world) if who in text]
    assert leaks == []
    assert world.b.school.name not in text and world.b.student.last_name not in text
    # The filter offers the organisations that occur and narrows to one.
    assert f'value="{side.school.id}"' in text and f'value="{side.municipality.id}"' in text
    only = _rows(client.get(f"{INSIGHT}?organisation={side.municipality.id}").text)
    assert len(only) == 1 and side.municipality.name in only[0]
    # A stale or made-up organisation filters nothing.
    assert len(_rows(client.get(f"{INSIGHT}?organisation={world.b.school.id}").text)) == 2
    assert len(_rows(client.get(f"{INSIGHT}?organisation=x").text)) == 2


def test_rows_without_an_organisation(client, world, db):
    side = world.a
    _log(db, side.student, 1)  # a system job
    # An older row by the counsellor, before the organisation was recorded.
    old = datetime(2023, 1, 1, tzinfo=UTC)
    _log(db, side.student, 1, user=side.users[Role.COUNSELLOR], start=old)
    login(client, _student(world))
    rows = _rows(client.get(INSIGHT).text)
    assert len(rows) == 2
    assert "Elevsag" in rows[0] and side.school.name in rows[1]


def test_the_log_is_paged_newest_first(client, world, db):
    side = world.a
    _log(db, side.student, 12, organisation=side.school)
    login(client, _student(world))
    first = client.get(INSIGHT).text
    assert len(_rows(first)) == 10
    assert "12 resultater" in first
    with client.application.test_request_context():
        newest = dates.datetime_text(datetime(2024, 3, 1, 19, 0, tzinfo=UTC))
        oldest = dates.datetime_text(datetime(2024, 3, 1, 8, 0, tzinfo=UTC))
    assert newest in _rows(first)[0]
    second = _rows(client.get(f"{INSIGHT}?page=2").text)
    assert len(second) == 2 and oldest in second[-1]


def test_the_page_runs_a_fixed_number_of_queries(client, world, db, count_queries):
    side = world.a
    old = datetime(2023, 1, 1, tzinfo=UTC)
    _log(db, side.student, 1, user=side.users[Role.COUNSELLOR], start=old)
    _log(db, side.student, 2, organisation=side.school)
    login(client, _student(world))
    with count_queries() as few:
        assert len(_rows(client.get(INSIGHT).text)) == 3
    _log(db, side.student, 27, organisation=side.municipality, start=old - timedelta(days=9))
    with count_queries() as many:
        assert len(_rows(client.get(INSIGHT).text)) == 10
    assert many.count == few.count


def test_the_student_downloads_their_own_export_after_confirming(client, world, db):
    side = world.a
    me = _student(world)
    login(client, side.users[Role.COUNSELLOR])
    client.get(f"/students/{side.student.id}")
    post(client, "/logout")
    login(client, me)
    _age_the_login(me)
    page = client.get(INSIGHT).text
    assert f'href="{PDF}"' in page and f'href="{JSON}"' in page
    asked = client.get(PDF)
    assert asked.status_code == 302
    assert asked.headers["Location"].startswith("/account/confirm?next=")
    assert post(client, "/account/confirm", {"password": PASSWORD, "next": PDF}).status_code == 302

    pdf = pdf_text(client.get(PDF))
    assert f"{side.student.first_name}{side.student.last_name}" in pdf
    response = client.get(JSON)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.get_data(as_text=True))
    assert data["student"]["student_number"] == side.student.student_number
    assert side.school.name in {row["organisation"] for row in data["access_log"]}
    raw = response.get_data(as_text=True)
    assert [who for who in _staff_identities(world) if who in raw + pdf] == []
    assert world.b.student.student_number not in raw

    exports = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.user_id == me.id, AuditEvent.action == AuditAction.EXPORT
        )
    ).all()
    assert {(e.student_id, e.criterion) for e in exports} == {(side.student.id, "access-request")}
    assert len(exports) == 2


@pytest.mark.parametrize("role", [Role.COUNSELLOR, Role.SCHOOL_ADMIN, Role.SUPERVISOR])
def test_staff_are_refused(client, world, role):
    login(client, world.user(role))
    for url in (INSIGHT, PDF, JSON):
        assert client.get(url).status_code == 403
