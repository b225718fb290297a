"""Asking the school for help: a supervisor or coordinator asks for a case review or a
conversation with the counsellor; it lands on the school's list and "My overview"; the school
schedules it (through the review form) or declines it with a reason; attributed, in the case
history, and the asker is told."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import (
    CaseEvent,
    CaseEventKind,
    CaseReview,
    HelpKind,
    HelpRequest,
    HelpStatus,
    Notification,
    NotificationKind,
    OutboxMessage,
    Role,
)
from tests import factories
from tests.conftest import post, switch_to

TODAY = date.today()
REASON = "Eleven virker stresset og har meldt sig syg tre gange"


def _ask(client, world, kind="case_review", reason=REASON):
    return post(
        client, f"/students/{world.a.student.id}/help/new", {"kind": kind, "reason": reason}
    )


def _history(kind: CaseEventKind) -> list[CaseEvent]:
    return list(db.session.execute(select(CaseEvent).where(CaseEvent.kind == kind)).scalars())


def test_supervisor_asks_and_the_counsellor_schedules_a_review(client, world):
    supervisor = world.user(Role.SUPERVISOR)
    counsellor = world.user(Role.COUNSELLOR)
    switch_to(client, supervisor)
    assert (
        'data-testid="ask-for-help"' in client.get(f"/students/{world.a.student.id}/support").text
    )
    assert _ask(client, world).status_code == 302
    request = db.session.execute(select(HelpRequest)).scalar_one()
    assert (request.kind, request.status) == (HelpKind.CASE_REVIEW, HelpStatus.OPEN)
    assert request.requested_by_id == supervisor.id
    assert request.organisation_id == world.a.municipality.id
    [asked] = _history(CaseEventKind.HELP_REQUESTED)
    assert asked.user_id == supervisor.id
    assert REASON not in str(asked.details)  # the history says what, not the reason

    switch_to(client, counsellor)
    overview = client.get("/my-overview").text
    assert "Anmodninger om hjælp fra oplæringssteder" in overview
    assert world.a.student.last_name in overview
    listing = client.get("/help-requests").text
    assert f'data-testid="help-request-{request.id}"' in listing
    assert REASON in listing and supervisor.name in listing

    form = client.get(f"/students/{world.a.student.id}/reviews/new?help_request={request.id}")
    assert form.status_code == 200
    assert REASON in form.text  # heads the agenda
    assert 'data-testid="answers-help-request"' in form.text
    day = TODAY + timedelta(days=3)
    response = post(
        client,
        f"/students/{world.a.student.id}/reviews/new?help_request={request.id}",
        {
            "on_date": day.isoformat(),
            "location": "Plejecentret",
            "participants": [str(supervisor.id)],
            "agenda": REASON,
        },
    )
    assert response.status_code == 302
    review = db.session.execute(select(CaseReview)).scalar_one()
    db.session.refresh(request)
    assert request.status == HelpStatus.SCHEDULED
    assert request.review_id == review.id
    assert request.answered_by_id == counsellor.id and request.answered_at is not None
    [scheduled] = _history(CaseEventKind.HELP_SCHEDULED)
    assert scheduled.user_id == counsellor.id and scheduled.review_id == review.id
    told = db.session.execute(
        select(Notification).where(Notification.kind == NotificationKind.HELP_ANSWERED)
    ).scalar_one()
    assert told.user_id == supervisor.id
    # No longer waiting.
    assert f'data-testid="help-request-{request.id}"' not in client.get("/help-requests").text
    # A second review from the same request does not answer it again.
    again = client.get(f"/students/{world.a.student.id}/reviews/new?help_request={request.id}")
    assert "Anmodningen er allerede besvaret." in again.text
    assert 'data-testid="answers-help-request"' not in again.text

    switch_to(client, supervisor)
    page = client.get(f"/students/{world.a.student.id}/support").text
    assert "Planlagt" in page.split(f'data-testid="help-status-{request.id}">')[1][:400]
    history = client.get(f"/students/{world.a.student.id}/history").text
    assert "Oplæringsstedet bad skolen om en sagsgennemgang" in history
    assert "Skolen besvarede en anmodning om en sagsgennemgang" in history


def test_the_counsellor_declines_with_a_reason(client, world):
    request = factories.help_request(world.a, HelpKind.CONVERSATION)
    db.session.commit()
    switch_to(client, world.user(Role.COUNSELLOR))
    url = f"/help-requests/{request.id}/decline"
    page = client.get(url)
    assert page.status_code == 200 and request.reason in page.text
    refused = post(client, url, {"reason": "  ", "version": str(request.version_id)})
    assert refused.status_code == 200
    assert "Udfyld feltet." in refused.text
    db.session.refresh(request)
    assert request.status == HelpStatus.OPEN

    response = post(
        client,
        url,
        {"reason": "Kontaktlæreren ringer i stedet", "version": str(request.version_id)},
    )
    assert response.status_code == 302
    db.session.refresh(request)
    assert request.status == HelpStatus.DECLINED
    assert request.decline_reason == "Kontaktlæreren ringer i stedet"
    assert len(_history(CaseEventKind.HELP_DECLINED)) == 1
    told = db.session.execute(
        select(Notification).where(Notification.kind == NotificationKind.HELP_ANSWERED)
    ).scalar_one()
    assert told.user_id == world.user(Role.SUPERVISOR).id
    # ... and mailed, without the student's name or the case's text.
    mail = db.session.execute(
        select(OutboxMessage).where(OutboxMessage.to_address == world.user(Role.SUPERVISOR).email)
    ).scalar_one()
    assert mail.subject == "Elevsag: Skolen har besvaret din anmodning om hjælp"
    assert world.a.student.last_name not in mail.body
    assert "Kontaktlæreren" not in mail.body
    assert f"/students/{world.a.student.id}/support#help-requests" in mail.body
    # Answered once only.
    again = post(client, url, {"reason": "Igen", "version": str(request.version_id)})
    assert "Anmodningen er allerede besvaret." in again.text
    assert len(_history(CaseEventKind.HELP_DECLINED)) == 1

    switch_to(client, world.user(Role.SUPERVISOR))
    page = client.get(f"/students/{world.a.student.id}/support").text
    assert "Kontaktlæreren ringer i stedet" in page


def test_a_second_request_of_the_same_kind_waits_on_the_first(client, world):
    switch_to(client, world.user(Role.TRAINING_COORDINATOR))
    assert _ask(client, world).status_code == 302
    again = _ask(client, world)
    assert again.status_code == 200
    assert "En anmodning af denne slags venter allerede på skolens svar." in again.text
    assert REASON in again.text  # what was typed is kept
    assert _ask(client, world, kind="conversation").status_code == 302
    assert len(list(db.session.execute(select(HelpRequest)).scalars())) == 2


def test_bad_input_is_refused(client, world):
    switch_to(client, world.user(Role.SUPERVISOR))
    response = _ask(client, world, kind="everything", reason="x" * 1001)
    assert response.status_code == 200
    assert "Ugyldigt valg." in response.text
    assert "Må højst være 1000 tegn." in response.text
    assert db.session.execute(select(HelpRequest)).first() is None


def test_who_may_ask_and_answer(client, world):
    request = factories.help_request(world.a)
    db.session.commit()
    # The school does not ask; the supervisor of another workplace does not see the student.
    switch_to(client, world.user(Role.COUNSELLOR))
    assert client.get(f"/students/{world.a.student.id}/help/new").status_code == 403
    switch_to(client, world.user(Role.SUPERVISOR, "b"))
    assert client.get(f"/students/{world.a.student.id}/help/new").status_code == 404
    # The workplace side does not answer; another school does not know of it.
    switch_to(client, world.user(Role.SUPERVISOR))
    assert client.get("/help-requests").status_code == 403
    assert client.get(f"/help-requests/{request.id}/decline").status_code == 403
    switch_to(client, world.user(Role.COUNSELLOR, "b"))
    assert client.get(f"/help-requests/{request.id}/decline").status_code == 404
    assert request.reason not in client.get("/help-requests").text
    response = client.get(f"/students/{world.a.student.id}/reviews/new?help_request={request.id}")
    assert response.status_code == 404
    # The contact teacher answers too.
    switch_to(client, world.user(Role.TEACHER))
    assert request.reason in client.get("/help-requests").text


def test_the_list_runs_a_bounded_number_of_queries(client, world, count_queries):
    factories.help_request(world.a)
    db.session.commit()
    switch_to(client, world.user(Role.COUNSELLOR))
    with count_queries() as few:
        client.get("/help-requests")
        client.get("/my-overview")
    for n in range(12):
        s = factories.student(
            world.a.school,
            last_name=f"Hjaelp{n}",
            training_at=world.a.workplace,
            employer=world.a.municipality,
        )
        db.session.add(
            HelpRequest(
                student_id=s.id,
                kind=HelpKind.CONVERSATION,
                reason=f"Grund {n}",
                organisation_id=world.a.municipality.id,
                requested_by_id=world.user(Role.SUPERVISOR).id,
            )
        )
    db.session.commit()
    with count_queries() as many:
        listing = client.get("/help-requests").text
        client.get("/my-overview")
    assert listing.count('data-testid="help-request-') == 10  # a full page
    assert many.count == few.count
