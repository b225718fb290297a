"""The JSON API as a client system uses it: tokens, scopes, two organisations, paging,
changes with their history, errors as problem documents, rate limits."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, CaseEvent, CaseEventKind, Role, Student
from tests import factories
from tests.api.helpers import make_client
from tests.conftest import login

PROBLEM = "application/problem+json"


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status
    assert body["title"] and body["detail"] and body["type"]
    return body


# --- tokens -------------------------------------------------------------------------------


def test_a_call_without_a_valid_token_answers_401(client, world):
    _problem(client.get("/api/v1/students"), 401)
    bad = {"Authorization": "Bearer elv_not-a-token"}
    _problem(client.get("/api/v1/students", headers=bad), 401)
    _problem(client.get("/api/v1/students", headers={"Authorization": "Basic eDp5"}), 401)


def test_a_revoked_token_stops_working(client, world):
    api_client, headers = make_client(world.a)
    assert client.get("/api/v1/students", headers=headers).status_code == 200
    from app.api.clients import revoke_client

    revoke_client(api_client, world.a.users[Role.SCHOOL_ADMIN])
    db.session.commit()
    _problem(client.get("/api/v1/students", headers=headers), 401)


def test_a_login_cookie_never_authenticates_an_api_call(client, world):
    login(client, world.a.users[Role.COUNSELLOR])
    assert client.get("/my-overview").status_code == 200
    _problem(client.get("/api/v1/students"), 401)
    _problem(client.get(f"/api/v1/students/{world.a.student.id}"), 401)


def test_only_the_hash_of_the_token_is_stored(client, world):
    api_client, headers = make_client(world.a)
    token = headers["Authorization"].split()[1]
    assert token not in (api_client.token_hash, api_client.token_prefix)
    assert token.startswith(api_client.token_prefix)


def test_the_service_user_cannot_log_in(client, world):
    api_client, _headers = make_client(world.a)
    response = client.post("/login", data={"email": api_client.user.email, "password": "x"})
    assert response.status_code != 302
    assert not api_client.user.active


# --- scopes and organisations ---------------------------------------------------------------


def test_a_read_token_cannot_write(client, world):
    _api_client, headers = make_client(world.a, scopes=("read",))
    assert client.get(f"/api/v1/students/{world.a.student.id}", headers=headers).status_code == 200
    response = client.patch(
        f"/api/v1/students/{world.a.student.id}",
        json={"first_name": "Ny", "version": world.a.student.version_id},
        headers=headers,
    )
    _problem(response, 403)
    db.session.refresh(world.a.student)
    assert world.a.student.first_name != "Ny"


def test_each_organisation_sees_only_its_own_students(client, world):
    _a, headers_a = make_client(world.a)
    _b, headers_b = make_client(world.b)
    ids_a = [s["id"] for s in client.get("/api/v1/students", headers=headers_a).get_json()["items"]]
    ids_b = [s["id"] for s in client.get("/api/v1/students", headers=headers_b).get_json()["items"]]
    assert world.a.student.id in ids_a and world.b.student.id not in ids_a
    assert world.b.student.id in ids_b and world.a.student.id not in ids_b
    other = world.b.student.id
    for url in (
        f"/api/v1/students/{other}",
        f"/api/v1/students/{other}/periods",
        f"/api/v1/students/{other}/agreements",
    ):
        body = _problem(client.get(url, headers=headers_a), 404)
        assert world.b.student.last_name not in str(body)
    response = client.patch(
        f"/api/v1/students/{other}", json={"first_name": "X", "version": 1}, headers=headers_a
    )
    _problem(response, 404)


def test_a_municipality_client_sees_the_students_with_its_agreements(client, world):
    _c, headers = make_client(world.a, Role.TRAINING_COORDINATOR)
    items = client.get("/api/v1/students", headers=headers).get_json()["items"]
    assert [s["id"] for s in items] == [world.a.student.id]
    agreements = client.get(
        f"/api/v1/students/{world.a.student.id}/agreements", headers=headers
    ).get_json()
    assert [a["employer_id"] for a in agreements] == [world.a.municipality.id]


def test_the_api_shows_no_support_data(client, world):
    """Support needs and measures are not part of the API, whatever the client's role."""
    _c, headers = make_client(world.a, Role.COUNSELLOR)
    sid = world.a.student.id
    texts = []
    for url in (
        "/api/v1/students",
        f"/api/v1/students/{sid}",
        f"/api/v1/students/{sid}/periods",
        f"/api/v1/students/{sid}/agreements",
        "/api/v1/transitions?days=183",
    ):
        response = client.get(url, headers=headers)
        assert response.status_code == 200
        texts.append(response.get_data(as_text=True))
    assert world.a.need.description not in "".join(texts)
    assert "Ordblind" not in "".join(texts) and "AppWriter" not in "".join(texts)


# --- paging ---------------------------------------------------------------------------------


def test_the_cursor_walks_every_student_once(client, world):
    for n in range(7):
        factories.student(world.a.school, first_name=f"Side{n}", last_name=f"Elev{n}")
    db.session.commit()
    _c, headers = make_client(world.a)
    seen, cursor, pages = [], None, 0
    while True:
        url = "/api/v1/students?limit=3" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url, headers=headers).get_json()
        seen += [s["id"] for s in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    expected = (
        db.session.execute(
            select(Student.id).where(Student.school_id == world.a.school.id).order_by(Student.id)
        )
        .scalars()
        .all()
    )
    assert seen == list(expected) and len(seen) == 8 and pages == 3


def test_a_made_up_cursor_answers_400(client, world):
    _c, headers = make_client(world.a)
    _problem(client.get("/api/v1/students?cursor=%%%", headers=headers), 400)
    _problem(client.get("/api/v1/students?limit=0", headers=headers), 422)


# --- changes --------------------------------------------------------------------------------


def test_changing_a_student_writes_history_and_access_log_as_the_client(client, world):
    api_client, headers = make_client(world.a)
    student = world.a.student
    version = student.version_id
    response = client.patch(
        f"/api/v1/students/{student.id}",
        json={"phone": "12 34 56 78", "version": version},
        headers=headers,
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["phone"] == "12 34 56 78"
    assert response.get_json()["version"] == version + 1
    event = db.session.execute(
        select(CaseEvent).where(
            CaseEvent.student_id == student.id,
            CaseEvent.kind == CaseEventKind.STUDENT_RECORD_CHANGED,
        )
    ).scalar_one()
    assert event.user_id == api_client.user_id and event.details["fields"] == ["phone"]
    assert event.organisation_id == world.a.school.id
    logged = (
        db.session.execute(select(AuditEvent).where(AuditEvent.user_id == api_client.user_id))
        .scalars()
        .all()
    )
    assert logged


def test_an_old_version_answers_409_and_changes_nothing(client, world):
    _c, headers = make_client(world.a)
    student = world.a.student
    response = client.patch(
        f"/api/v1/students/{student.id}",
        json={"first_name": "Gammel", "version": student.version_id + 5},
        headers=headers,
    )
    _problem(response, 409)
    db.session.refresh(student)
    assert student.first_name != "Gammel"


def test_creating_a_student_copies_the_plan_and_logs_it(client, world):
    api_client, headers = make_client(world.a)
    start = date.today() + timedelta(days=30)
    response = client.post(
        "/api/v1/students",
        json={
            "first_name": "Api",
            "last_name": "Elev",
            "student_number": "API-1",
            "programme": "test",  # the world's programme with a template, any case
            "start_date": start.isoformat(),
        },
        headers=headers,
    )
    assert response.status_code == 201, response.get_json()
    sid = response.get_json()["id"]
    student = db.session.get(Student, sid)
    assert student.school_id == world.a.school.id
    kinds = db.session.execute(
        select(CaseEvent.kind, CaseEvent.user_id).where(CaseEvent.student_id == sid)
    ).all()
    assert (CaseEventKind.STUDENT_CREATED, api_client.user_id) in kinds
    periods = client.get(f"/api/v1/students/{sid}/periods", headers=headers).get_json()
    assert periods and periods[0]["start_date"] == start.isoformat()


def test_a_municipality_client_cannot_create_students(client, world):
    _c, headers = make_client(world.a, Role.TRAINING_COORDINATOR)
    response = client.post(
        "/api/v1/students",
        json={
            "first_name": "A",
            "last_name": "B",
            "student_number": "API-2",
            "programme": "SSA",
            "start_date": date.today().isoformat(),
        },
        headers=headers,
    )
    _problem(response, 403)


def test_the_pages_rules_answer_422_per_field_in_the_callers_language(client, world):
    _c, headers = make_client(world.a)
    body = {
        "first_name": "<b>A</b>",
        "last_name": "B",
        "student_number": world.b.student.student_number,
        "programme": "NOPE",
        "start_date": "1900-01-01",
    }
    english = _problem(
        client.post("/api/v1/students", json=body, headers={**headers, "Accept-Language": "en"}),
        422,
    )
    assert set(english["errors"]) >= {"student_number", "programme", "start_date", "first_name"}
    assert "A student with this number already exists." in english["errors"]["student_number"]
    danish = _problem(
        client.post("/api/v1/students", json=body, headers={**headers, "Accept-Language": "da"}),
        422,
    )
    assert danish["errors"]["student_number"] != english["errors"]["student_number"]
    assert not db.session.execute(select(Student).where(Student.first_name == "<b>A</b>")).first()


def test_a_wrong_type_answers_422_with_the_field(client, world):
    _c, headers = make_client(world.a)
    response = client.patch(
        f"/api/v1/students/{world.a.student.id}",
        json={"birth_year": "nineteen", "version": 1},
        headers=headers,
    )
    assert "birth_year" in _problem(response, 422)["errors"]


def test_agreements_are_made_and_changed_through_the_pages_rules(client, world):
    api_client, headers = make_client(world.a)
    student = world.a.student
    existing = student.agreements[0]
    overlapping = client.post(
        f"/api/v1/students/{student.id}/agreements",
        json={
            "employer_id": world.a.municipality.id,
            "kind": "training",
            "start_date": existing.start_date.isoformat(),
        },
        headers=headers,
    )
    assert "start_date" in _problem(overlapping, 422)["errors"]
    end = existing.start_date + timedelta(days=400)
    changed = client.patch(
        f"/api/v1/students/{student.id}/agreements/{existing.id}",
        json={"end_date": end.isoformat(), "version": existing.version_id},
        headers=headers,
    )
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["end_date"] == end.isoformat()
    event = db.session.execute(
        select(CaseEvent).where(CaseEvent.kind == CaseEventKind.AGREEMENT_CHANGED)
    ).scalar_one()
    assert event.user_id == api_client.user_id


def test_upcoming_transitions_list_the_clients_own(client, world):
    s, _school, training = factories.starting_training(world.a.school, world.a.workplace, 5)
    factories.starting_training(world.b.school, world.b.workplace, 5)
    db.session.commit()
    _c, headers = make_client(world.a)
    items = client.get("/api/v1/transitions?days=14", headers=headers).get_json()["items"]
    assert [(i["student_id"], i["to_period_id"]) for i in items] == [(s.id, training.id)]
    assert items[0]["handover"] == "missing"


# --- errors and limits ----------------------------------------------------------------------


def test_unknown_paths_and_methods_answer_problems(client, world):
    _c, headers = make_client(world.a)
    _problem(client.get("/api/v1/nothing-here", headers=headers), 404)
    _problem(client.delete("/api/v1/students", headers=headers), 405)
    _problem(client.get("/api/v1/students/99999999999", headers=headers), 404)


def test_too_many_calls_answer_429(app, client, world):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    _c, headers = make_client(world.a)
    _d, other = make_client(world.b)
    for _ in range(3):
        assert client.get("/api/v1/students", headers=headers).status_code == 200
    response = client.get("/api/v1/students", headers=headers)
    _problem(response, 429)
    assert response.headers.get("Retry-After")
    # Counted per client: another client still gets through.
    assert client.get("/api/v1/students", headers=other).status_code == 200


def test_a_new_enrolment_after_completion_is_made_as_on_the_page(app, client, world):
    from flask import g

    from app.journey import enrolments

    api_client, headers = make_client(world.a)
    student = world.a.student
    with app.test_request_context():
        g._login_user = world.a.users[Role.COUNSELLOR]  # the page's current user
        enrolments.complete(
            student, date.today() - timedelta(days=2), "Bestået", True, student.version_id
        )
        db.session.commit()
    start = date.today() + timedelta(days=20)
    body = {"programme": "TEST", "start_date": start.isoformat(), "version": 1}
    stale = client.post(f"/api/v1/students/{student.id}/enrolments", json=body, headers=headers)
    _problem(stale, 409)
    db.session.refresh(student)
    body["version"] = student.version_id
    response = client.post(f"/api/v1/students/{student.id}/enrolments", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["start_date"] == start.isoformat()
    listed = client.get(f"/api/v1/students/{student.id}/enrolments", headers=headers).get_json()
    assert [e["status"] for e in listed] == ["completed", "active"]
    event = db.session.execute(
        select(CaseEvent).where(CaseEvent.kind == CaseEventKind.ENROLLED)
    ).scalar_one()
    assert event.user_id == api_client.user_id


def test_an_enrolment_while_still_enrolled_is_refused_with_the_pages_message(client, world):
    _c, headers = make_client(world.a)
    student = world.a.student
    response = client.post(
        f"/api/v1/students/{student.id}/enrolments",
        json={"programme": "SSA", "start_date": "2030-01-01", "version": student.version_id},
        headers={**headers, "Accept-Language": "en"},
    )
    errors = _problem(response, 422)["errors"]
    assert "still enrolled" in errors["_schema"][0]


def test_an_unexpected_error_answers_a_500_problem_and_saves_nothing(
    app, client, world, monkeypatch
):
    from app.api import routes

    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the handler answers
    _c, headers = make_client(world.a)

    def broken(*_args, **_kwargs):
        raise RuntimeError("simulated")

    monkeypatch.setattr(routes.services, "plan_of", broken)
    response = client.get(f"/api/v1/students/{world.a.student.id}/periods", headers=headers)
    _problem(response, 500)
    assert "simulated" not in response.get_data(as_text=True)


def test_a_database_that_is_away_answers_a_503_problem(app, client, world, monkeypatch):
    from sqlalchemy import exc as sa_exc

    from app.api import routes

    _c, headers = make_client(world.a)

    def away(*_args, **_kwargs):
        raise sa_exc.OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr(routes.services, "plan_of", away)
    response = client.get(f"/api/v1/students/{world.a.student.id}/periods", headers=headers)
    _problem(response, 503)
    assert response.headers["Retry-After"]
