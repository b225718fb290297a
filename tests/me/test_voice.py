"""The student's own voice: the learning log the supervisor reads, and asking the counsellor
or contact teacher for a conversation (a task on their list)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from app.models import CaseEvent, CaseEventKind, ConversationRequest, Reflection, Role
from tests.conftest import login, post


def _log_url(period) -> str:
    return f"/me/periods/{period.id}/reflections"


def test_a_reflection_reaches_the_supervisor_and_the_school(client, world, db):
    side = world.a
    login(client, side.users[Role.STUDENT])
    text = "I dag hjalp jeg med forflytning og lærte at bruge liften."
    response = post(client, _log_url(side.training_period), {"text": text}, follow_redirects=True)
    assert "Din refleksion er gemt" in response.get_data(as_text=True)
    assert text in response.get_data(as_text=True)
    line = db.session.execute(
        select(CaseEvent).where(CaseEvent.kind == CaseEventKind.REFLECTION_WRITTEN)
    ).scalar_one()
    assert line.user_id == side.users[Role.STUDENT].id
    assert line.details == {}  # no free text in the case history
    post(client, "/logout")
    period_url = f"/students/{side.student.id}/periods/{side.training_period.id}/training"
    for role in (Role.SUPERVISOR, Role.COUNSELLOR):
        login(client, side.users[role])
        assert text in client.get(period_url).get_data(as_text=True)
        post(client, "/logout")
    # A supervisor at another workplace does not see the period at all.
    login(client, world.b.users[Role.SUPERVISOR])
    assert client.get(period_url).status_code == 404


def test_an_empty_or_too_long_reflection_is_refused_by_the_field_and_kept(client, world, db):
    login(client, world.a.users[Role.STUDENT])
    url = _log_url(world.a.training_period)
    empty = post(client, url, {"text": "   "})
    assert empty.status_code == 200
    assert "Udfyld feltet." in empty.get_data(as_text=True)
    long_text = "Langt " * 1000
    too_long = post(client, url, {"text": long_text}).get_data(as_text=True)
    assert "Må højst være 4000 tegn." in too_long
    assert "Langt Langt Langt" in too_long  # what was typed is still there
    assert db.session.execute(select(func.count(Reflection.id))).scalar_one() == 0


def test_no_reflection_before_the_period_has_started(client, world, db):
    period = world.a.training_period
    period.start_date = date.today() + timedelta(days=3)
    db.session.commit()
    login(client, world.a.users[Role.STUDENT])
    page = post(client, _log_url(period), {"text": "Glæder mig"}).get_data(as_text=True)
    assert "når perioden er begyndt" in page
    assert "Glæder mig" in page
    assert db.session.execute(select(func.count(Reflection.id))).scalar_one() == 0


def test_a_student_cannot_write_in_another_students_log(client, world, db):
    login(client, world.a.users[Role.STUDENT])
    response = post(client, _log_url(world.b.training_period), {"text": "Hej"})
    assert response.status_code == 404
    assert db.session.execute(select(func.count(Reflection.id))).scalar_one() == 0


def test_asking_for_a_conversation_puts_a_task_on_the_counsellors_list(client, world, db):
    side = world.a
    counsellor = side.users[Role.COUNSELLOR]
    side.student.counsellor_id = counsellor.id
    db.session.commit()
    login(client, side.users[Role.STUDENT])
    response = post(
        client,
        "/me/conversation",
        {"with_whom": "counsellor", "topic": "Det er svært på aftenvagterne"},
        follow_redirects=True,
    )
    assert f"{counsellor.name} er blevet bedt om at kontakte dig" in response.get_data(as_text=True)
    post(client, "/logout")
    login(client, counsellor)
    overview = client.get("/my-overview").get_data(as_text=True)
    part = overview[overview.index('data-testid="part-conversations"') :]
    assert side.student.last_name in part[:3000]
    listing = client.get("/students/conversations").get_data(as_text=True)
    assert "Det er svært på aftenvagterne" in listing
    request = db.session.execute(select(ConversationRequest)).scalar_one()
    post(client, f"/students/conversations/{request.id}/handled")
    assert "Ingen elev venter" in client.get("/students/conversations").get_data(as_text=True)
    kinds = db.session.execute(
        select(CaseEvent.kind).where(CaseEvent.student_id == side.student.id)
    ).scalars()
    assert {CaseEventKind.CONVERSATION_REQUESTED, CaseEventKind.CONVERSATION_HANDLED} <= set(kinds)
    # The teacher at the school was not asked: nothing on their list.
    post(client, "/logout")
    login(client, side.users[Role.TEACHER])
    assert "Ingen elev venter" in client.get("/students/conversations").get_data(as_text=True)


def test_asking_someone_the_school_has_not_named_says_so(client, world, db):
    login(client, world.a.users[Role.STUDENT])
    page = post(client, "/me/conversation", {"with_whom": "contact_teacher", "topic": "Hej"})
    text = page.get_data(as_text=True)
    assert "Din skole har ikke angivet denne person endnu" in text
    assert db.session.execute(select(func.count(ConversationRequest.id))).scalar_one() == 0


def test_another_schools_counsellor_cannot_handle_the_request(client, world, db):
    request = ConversationRequest(
        student_id=world.a.student.id,
        with_whom="counsellor",
        addressed_to_id=world.a.users[Role.COUNSELLOR].id,
        asked_on=date.today(),
    )
    db.session.add(request)
    db.session.commit()
    login(client, world.b.users[Role.COUNSELLOR])
    assert post(client, f"/students/conversations/{request.id}/handled").status_code == 404
    assert request.handled_at is None
