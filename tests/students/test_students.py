"""'My students' and the student page: who sees whom, search, filters, paging, query counts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.models import (
    AuditAction,
    AuditEvent,
    CaseEvent,
    CaseEventKind,
    Role,
    Student,
    StudentStatus,
)
from app.models.student import search_condition
from tests import factories
from tests.conftest import login


def _names(response) -> str:
    return response.text


@pytest.mark.parametrize(
    "role",
    [
        Role.COUNSELLOR,
        Role.TEACHER,
        Role.SCHOOL_ADMIN,
        Role.TRAINING_COORDINATOR,
        Role.MUNICIPALITY_ADMIN,
        Role.SUPERVISOR,
    ],
)
def test_each_case_role_sees_its_own_student_and_not_the_other_organisations(client, world, role):
    login(client, world.user(role, "a"))
    listing = client.get("/students/")
    assert listing.status_code == 200
    assert world.a.student.last_name in listing.text
    assert world.b.student.last_name not in listing.text

    assert client.get(f"/students/{world.a.student.id}").status_code == 200
    other = client.get(f"/students/{world.b.student.id}")
    assert other.status_code == 404
    assert world.b.student.last_name not in other.text


@pytest.mark.parametrize("role", [Role.ANALYST, Role.SYSTEM_ADMIN])
def test_analyst_and_system_admin_see_no_named_students(client, world, role):
    login(client, world.user(role))
    assert client.get("/students/").status_code == 403
    response = client.get(f"/students/{world.a.student.id}")
    assert response.status_code == 403
    assert world.a.student.last_name not in response.text


def test_missing_student_answers_404_like_a_hidden_one(client, world):
    login(client, world.user(Role.COUNSELLOR))
    assert client.get("/students/999999").status_code == 404


def test_student_page_header_shows_programme_status_school_and_employer(client, world):
    login(client, world.user(Role.TEACHER))
    response = client.get(f"/students/{world.a.student.id}")
    header = response.text.split('data-testid="student-header"')[1].split("</section>")[0]
    assert world.a.student.full_name in header
    assert "SSA" in header
    assert "Aktiv" in header
    assert world.a.school.name in header
    assert world.a.municipality.name in header


def test_student_page_is_never_cached(client, world):
    login(client, world.user(Role.TEACHER))
    response = client.get(f"/students/{world.a.student.id}")
    assert response.headers["Cache-Control"] == "no-store"


def test_coordinator_sees_students_employed_by_the_municipality_from_any_school(client, db, world):
    other_school_student = factories.student(
        world.b.school, last_name="Tværkommunal", employer=world.a.municipality
    )
    db.session.commit()
    login(client, world.user(Role.TRAINING_COORDINATOR, "a"))
    assert "Tværkommunal" in client.get("/students/").text
    assert client.get(f"/students/{other_school_student.id}").status_code == 200


def test_coordinator_no_longer_sees_a_student_whose_agreement_ended(client, db, world):
    s = factories.student(world.a.school, last_name="Fratrådt")
    factories.agreement(
        s,
        world.a.municipality,
        start=date.today() - timedelta(days=400),
        end=date.today() - timedelta(days=1),
    )
    db.session.commit()
    login(client, world.user(Role.TRAINING_COORDINATOR, "a"))
    assert "Fratrådt" not in client.get("/students/").text
    assert client.get(f"/students/{s.id}").status_code == 404


def test_supervisor_sees_student_only_around_the_training_period(client, db, world, app):
    before = app.config["SUPERVISOR_DAYS_BEFORE"]
    after = app.config["SUPERVISOR_DAYS_AFTER"]
    wp = world.a.workplace
    factories.student(
        world.a.school,
        last_name="Snart",
        employer=world.a.municipality,
        training_at=wp,
        training_start=date.today() + timedelta(days=before),
    )
    later = factories.student(
        world.a.school,
        last_name="Senere",
        employer=world.a.municipality,
        training_at=wp,
        training_start=date.today() + timedelta(days=before + 1),
    )
    ended = factories.student(
        world.a.school,
        last_name="Afsluttet",
        employer=world.a.municipality,
        training_at=wp,
        training_start=date.today() - timedelta(days=100 + after + 1),
        training_days=100,
    )
    elsewhere = factories.student(
        world.a.school,
        last_name="Andetsted",
        employer=world.a.municipality,
        training_at=factories.workplace(world.a.municipality),
    )
    db.session.commit()
    login(client, world.user(Role.SUPERVISOR, "a"))
    page = client.get("/students/").text
    assert "Snart" in page
    for hidden in (later, ended, elsewhere):
        assert hidden.last_name not in page
        assert client.get(f"/students/{hidden.id}").status_code == 404


def test_search_by_name_number_and_filters(client, db, world):
    school = world.a.school
    factories.student(school, first_name="Mette", last_name="Kjær", programme_code="SSH")
    factories.student(
        school,
        first_name="Ahmad",
        last_name="Nielsen",
        programme_code="PA",
        status=StudentStatus.ON_LEAVE,
    )
    db.session.commit()
    login(client, world.user(Role.COUNSELLOR))

    page = client.get("/students/?q=mette kj").text
    assert "Kjær" in page and "Nielsen" not in page

    number = world.a.student.student_number
    page = client.get(f"/students/?q={number.lower()}").text
    assert world.a.student.last_name in page and "Kjær" not in page

    page = client.get("/students/?programme=PA").text
    assert "Nielsen" in page and "Kjær" not in page

    page = client.get("/students/?status=on_leave").text
    assert "Nielsen" in page and "Kjær" not in page


def test_search_matches_the_start_of_each_word_in_any_order(client, db, world):
    school = world.a.school
    factories.student(school, first_name="Anne-Marie", last_name="Østergaard")
    factories.student(school, first_name="Marie", last_name="Holm")
    factories.student(school, first_name="Rosa", last_name="Damsgaard")
    db.session.commit()
    login(client, world.user(Role.COUNSELLOR))

    def found(q: str) -> set[str]:
        page = client.get("/students/", query_string={"q": q}).text
        return {n for n in ("Østergaard", "Holm", "Damsgaard") if n in page}

    assert found("ØSTER") == {"Østergaard"}  # case does not matter, Danish letters included
    assert found("marie") == {"Østergaard", "Holm"}  # a part of a hyphenated name counts
    assert found("anne-m øst") == {"Østergaard"}
    assert found("holm marie") == {"Holm"}  # words in any order
    assert found("gaard") == set()  # words are matched from their start
    assert found("d%") == set() and found("_olm") == set()  # no wildcards


def test_search_follows_a_change_of_name(db, world):
    """The search terms are kept in step with the name and number whenever a student is saved."""

    def ids(q: str) -> set[int]:
        return set(db.session.execute(select(Student.id).where(search_condition(q))).scalars())

    student = world.a.student
    student.last_name = "Skovbo"
    db.session.commit()
    assert ids("skovbo") == {student.id}
    student.last_name = "Bøgh"
    student.student_number = "NY-123"
    db.session.commit()
    assert ids("skovbo") == set()
    assert ids("bøgh ny-1") == {student.id}


def test_list_is_paginated_and_keeps_filters(client, db, world, app):
    for n in range(app.config["STUDENTS_PER_PAGE"] + 3):
        factories.student(world.a.school, last_name=f"Side{n:02d}", programme_code="SSH")
    db.session.commit()
    login(client, world.user(Role.COUNSELLOR))
    first = client.get("/students/?programme=SSH")
    assert "Side00" in first.text and "Side12" not in first.text
    assert "programme=SSH" in first.text.split('rel="next"')[0].rsplit("href=", 1)[1]
    second = client.get("/students/?programme=SSH&page=2")
    assert "Side12" in second.text and "Side00" not in second.text
    assert "13 resultater" in second.text
    # Past the last page: no rows, but the total and the way back are still shown.
    beyond = client.get("/students/?programme=SSH&page=9")
    assert beyond.status_code == 200 and "Side0" not in beyond.text and "Side1" not in beyond.text
    assert "13 resultater" in beyond.text and 'rel="prev"' in beyond.text
    assert "0 resultater" in client.get("/students/?q=ingen-saadan").text


@pytest.mark.parametrize(
    "query",
    [
        "q=" + "x" * 101,
        "q=%3Cscript%3Ealert(1)%3C/script%3E",
        "q=%7B%7B7*7%7D%7D",
        "programme=NOPE",
        "status=bogus",
        "page=abc",
        "page=-1",
    ],
)
def test_bad_search_input_shows_a_danish_error_and_never_a_500(client, world, query):
    login(client, world.user(Role.COUNSELLOR))
    response = client.get(f"/students/?{query}")
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.text
    assert ">49<" not in response.text
    if query.startswith(("q=", "programme", "status")):
        assert "form-error-message" in response.text
        assert any(
            msg in response.text
            for msg in ("Må højst være 100 tegn.", "Må ikke indeholde", "Ugyldigt valg.")
        )
        assert world.a.student.last_name not in response.text  # errors shown, not a list


def test_search_keeps_what_was_typed(client, world):
    login(client, world.user(Role.COUNSELLOR))
    response = client.get("/students/?q=%3Cb%3Efed%3C/b%3E")
    assert 'value="&lt;b&gt;fed&lt;/b&gt;"' in response.text


def test_searches_and_views_are_written_to_the_audit_log(client, db, world):
    user = world.user(Role.COUNSELLOR)
    login(client, user)
    client.get("/students/?q=Efternavn&status=active")
    client.get(f"/students/{world.a.student.id}")
    client.get(f"/students/{world.b.student.id}")  # 404: nothing seen, nothing logged as a view
    events = (
        db.session.execute(
            select(AuditEvent)
            .where(AuditEvent.action.in_([AuditAction.SEARCH, AuditAction.VIEW]))
            .order_by(AuditEvent.id)
        )
        .scalars()
        .all()
    )
    # The student page also shows the counsellor the student's support: the view is marked so.
    assert [(e.action, e.user_id, e.criterion) for e in events][1:] == [
        (AuditAction.VIEW, user.id, "support"),
    ]
    search, view = events
    assert search.criterion == "q=Efternavn; status=active"
    assert search.student_id is None
    assert view.student_id == world.a.student.id
    assert view.at.tzinfo is not None
    # The log names no field contents of the student.
    for event in events:
        assert world.a.student.first_name not in event.criterion


def _students(numbers, world):
    for i in numbers:
        s = factories.student(
            world.a.school,
            last_name=f"Mange{i:03d}",
            employer=world.a.municipality,
            training_at=world.a.workplace,
        )
        factories.agreement(
            s,
            world.b.municipality,
            start=date.today() - timedelta(days=900),
            end=date.today() - timedelta(days=500),
        )


@pytest.mark.parametrize("role", [Role.COUNSELLOR, Role.TRAINING_COORDINATOR, Role.SUPERVISOR])
def test_student_list_runs_a_bounded_number_of_queries(client, db, world, count_queries, role):
    login(client, world.user(role))
    _students(range(2), world)
    db.session.commit()
    with count_queries() as small:
        client.get("/students/?q=Mange")
    _students(range(2, 11), world)
    db.session.commit()
    with count_queries() as large:
        response = client.get("/students/?q=Mange")
    assert "Mange009" in response.text and "11 resultater" in response.text
    assert large.count == small.count
    assert large.count <= 12  # 10, and the student's support needs and measures


def test_student_page_runs_a_bounded_number_of_queries(client, db, world, count_queries):
    login(client, world.user(Role.COUNSELLOR))
    s = world.a.student
    url = f"/students/{s.id}"
    with count_queries() as small:
        client.get(url)
    for i in range(6):
        start = date.today() + timedelta(days=200 + 30 * i)
        factories.period(
            s,
            factories.PeriodKind.TRAINING,
            start,
            start + timedelta(days=20),
            factories.workplace(world.a.municipality),
        )
        factories.agreement(s, world.b.municipality, start=start, end=start + timedelta(days=20))
    db.session.commit()
    with count_queries() as large:
        client.get(url)
    assert large.count == small.count
    # 10, the student's support needs and measures, the student's own access (which the
    # counsellor sees: app.students.accounts.access_of, one statement), the legal hold in force
    # (app.retention.services.active_hold, one statement) and the signs of risk (app.risk: the
    # rules, and every rule in one statement).
    assert large.count <= 16


@pytest.mark.parametrize(
    ("role", "schedules", "exports"),
    [
        (Role.COUNSELLOR, True, False),
        (Role.TRAINING_COORDINATOR, True, False),
        (Role.SCHOOL_ADMIN, False, True),
        (Role.SUPERVISOR, False, False),
    ],
)
def test_student_page_offers_only_the_actions_the_user_may_take(
    client, db, world, role, schedules, exports
):
    student = factories.student(
        world.a.school,
        employer=world.a.municipality,
        training_at=world.a.workplace,
        training_start=date.today(),
    )
    # The case's links are shown under its history.
    db.session.add(CaseEvent(student_id=student.id, kind=CaseEventKind.STUDENT_CREATED))
    db.session.commit()
    login(client, world.user(role, "a"))
    page = client.get(f"/students/{student.id}").text
    assert (f"/students/{student.id}/reviews/new" in page) is schedules
    assert (f"/students/{student.id}/access-request" in page) is exports
