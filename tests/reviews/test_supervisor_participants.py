"""Practice supervisors as participants of a student's case review (issue 14): offered for the
students they see, they then read that review, and support details stay under consent."""

from __future__ import annotations

import html
from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import CaseReview, Notification, NotificationKind, PeriodKind, Role
from tests import factories
from tests.conftest import login, post
from tests.reviews.test_reviews import make_review, url

TODAY = date.today()


def _schedule(client, world, *participants) -> CaseReview:
    """Schedule a review as the logged-in user, with the agenda as pre-filled on the form."""
    form = client.get(f"/students/{world.a.student.id}/reviews/new").text
    agenda = form[form.index('id="agenda"') :]
    agenda = html.unescape(agenda[agenda.index(">") + 1 : agenda.index("</textarea>")]).strip()
    response = post(
        client,
        f"/students/{world.a.student.id}/reviews/new",
        {
            "on_date": (TODAY + timedelta(days=5)).isoformat(),
            "at_time": "10.00",
            "participants": [str(p.id) for p in participants],
            "agenda": agenda,
        },
    )
    assert response.status_code == 302
    return db.session.execute(select(CaseReview).order_by(CaseReview.id.desc())).scalars().first()


def test_a_supervisor_takes_part_and_reads_only_that_review(client, world):
    counsellor = world.user(Role.COUNSELLOR, "a")
    supervisor = world.user(Role.SUPERVISOR, "a")
    other_review = make_review(world.a, [counsellor, world.user(Role.TRAINING_COORDINATOR, "a")])
    db.session.commit()
    login(client, counsellor)
    form = client.get(f"/students/{world.a.student.id}/reviews/new").text
    assert f'value="{supervisor.id}"' in form
    assert 'data-testid="supervisor-hint"' in form
    review = _schedule(client, world, supervisor)
    assert {p.id for p in review.participants} == {counsellor.id, supervisor.id}
    assert (
        db.session.execute(
            select(Notification.user_id).where(
                Notification.kind == NotificationKind.REVIEW_SCHEDULED
            )
        ).scalar_one()
        == supervisor.id
    )

    post(client, "/logout")
    login(client, supervisor)
    page = client.get(url(world.a, review))
    assert page.status_code == 200
    assert "kl. 10.00" in page.text
    assert client.get(url(world.a, review, "/minutes.pdf")).status_code == 200
    assert f"/students/{world.a.student.id}/reviews/{review.id}" in client.get("/reviews").text
    # Not the student's other review, where the supervisor does not take part.
    assert client.get(url(world.a, other_review)).status_code == 404
    # The agenda was prepared under the consent to the employer (the SPS consent is withdrawn):
    # whom to contact, not the measure.
    agenda = page.text.split('data-testid="agenda"')[1][:600]
    assert "Bærbar" not in agenda and "IT-pakke" not in agenda
    assert counsellor.name in agenda
    # Taking part opens no support details either.
    support = client.get(f"/students/{world.a.student.id}/support")
    assert "Ordblind, side A" not in support.text
    assert "Bærbar med AppWriter" not in support.text


def test_the_minutes_form_reminds_the_writers_that_the_workplace_reads_along(client, world):
    counsellor = world.user(Role.COUNSELLOR, "a")
    login(client, counsellor)
    with_supervisor = _schedule(client, world, world.user(Role.SUPERVISOR, "a"))
    without = _schedule(client, world, world.user(Role.TRAINING_COORDINATOR, "a"))
    assert (
        'data-testid="workplace-takes-part"'
        in client.get(url(world.a, with_supervisor, "/edit")).text
    )
    assert (
        'data-testid="workplace-takes-part"' not in client.get(url(world.a, without, "/edit")).text
    )


def test_supervisors_are_offered_exactly_while_they_see_the_student(client, world):
    """The supervisor of a period that ended last week still sees the student, and is offered;
    one whose period ended long ago, or whose workplace never had the student, is not."""
    municipality = world.a.municipality
    recent_wp = factories.workplace(municipality, "Hjemmeplejen Nord")
    old_wp = factories.workplace(municipality, "Plejecenter Gammel")
    other_wp = factories.workplace(municipality, "Plejecenter Fremmed")
    student = world.a.student
    # Ended a week ago (still within SUPERVISOR_DAYS_AFTER), and ended long ago.
    for wp, start, end in ((recent_wp, 60, 7), (old_wp, 400, 300)):
        factories.period(
            student,
            PeriodKind.TRAINING,
            TODAY - timedelta(days=start),
            TODAY - timedelta(days=end),
            wp,
        )
    recent = factories.user(Role.SUPERVISOR, municipality, recent_wp)
    old = factories.user(Role.SUPERVISOR, municipality, old_wp)
    other = factories.user(Role.SUPERVISOR, municipality, other_wp)
    db.session.commit()
    login(client, world.user(Role.COUNSELLOR, "a"))
    form = client.get(f"/students/{student.id}/reviews/new").text
    assert f'value="{recent.id}"' in form
    assert f'value="{old.id}"' not in form
    assert f'value="{other.id}"' not in form

    response = post(
        client,
        f"/students/{student.id}/reviews/new",
        {"on_date": (TODAY + timedelta(days=3)).isoformat(), "participants": [str(other.id)]},
    )
    assert response.status_code == 200
    assert 'data-testid="error-participants"' in response.text


def test_a_supervisor_is_not_a_meeting_participant_and_does_not_read_the_meeting(client, world):
    counsellor = world.user(Role.COUNSELLOR, "a")
    login(client, counsellor)
    page = client.get("/meetings/new").text
    assert f'value="{world.user(Role.SUPERVISOR, "a").id}"' not in page
