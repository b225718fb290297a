"""A pseudonymised meeting's cases (issue 12): the meeting hands out no named page.

The meeting page links each case to a pseudonymised view under the meeting, keyed by its
position on the agenda. Opening the named case is a separate, logged POST, only for those who
may read the review anyway.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask_babel import format_date
from sqlalchemy import select

from app import labels
from app.extensions import db
from app.models import (
    AuditAction,
    AuditEvent,
    CaseReview,
    ConsentCategory,
    MeasureType,
    ReviewMeeting,
    ReviewOutcome,
    Role,
)
from app.models.base import utcnow
from tests import factories
from tests.conftest import login, post

TODAY = date.today()
NAMED_LINK = re.compile(r"/students/\d+")


@pytest.fixture
def meeting(client, world):
    """A pseudonymised meeting of school A with student A's case on it (position 1)."""
    counsellor = world.user(Role.COUNSELLOR, "a")
    coordinator = world.user(Role.TRAINING_COORDINATOR, "a")
    meeting = ReviewMeeting(
        title="Kvartalsmøde",
        on_date=TODAY + timedelta(days=14),
        pseudonymised=True,
        organiser_id=counsellor.id,
        organisation_id=world.a.school.id,
        participants=[counsellor, coordinator],
    )
    db.session.add(meeting)
    # Support: a mentor (support needs, consented to the municipality) besides the world's
    # IT package (SPS, consent withdrawn), and a warning and a concern from the workplace.
    factories.support_measure(world.a.student, MeasureType.MENTOR, counsellor, "Mentor-SECRET")
    factories.consent(
        world.a.student, ConsentCategory.SUPPORT_NEEDS, world.a.municipality, counsellor
    )
    db.session.commit()
    login(client, counsellor)
    response = post(client, f"/meetings/{meeting.id}/cases", {"student": str(world.a.student.id)})
    assert response.status_code == 302
    review = db.session.execute(select(CaseReview)).scalar_one()
    review.outcome = ReviewOutcome.EXTRA_SUPPORT
    db.session.commit()
    post(client, "/logout")
    return meeting


def _identifying(world) -> list[str]:
    s = world.a.student
    return [s.first_name, s.last_name, s.full_name, s.student_number]


@pytest.mark.parametrize("role", [Role.COUNSELLOR, Role.TRAINING_COORDINATOR, Role.TEACHER])
def test_the_meeting_page_links_to_no_named_page(client, world, meeting, role):
    login(client, world.user(role, "a"))
    html = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert NAMED_LINK.findall(html) == []
    assert [s for s in _identifying(world) if s in html] == []
    assert f"/meetings/{meeting.id}/cases/1" in html


def test_the_pseudonymised_case_shows_what_the_meeting_needs_and_nothing_that_names(
    app, client, world, meeting
):
    login(client, world.user(Role.TRAINING_COORDINATOR, "a"))
    response = client.get(f"/meetings/{meeting.id}/cases/1")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    with app.test_request_context():
        mentor = str(labels.MEASURE_TYPE[MeasureType.MENTOR])
        it_package = str(labels.MEASURE_TYPE[MeasureType.IT_PACKAGE])
        outcome = str(labels.REVIEW_OUTCOME[ReviewOutcome.EXTRA_SUPPORT])
        period_kind = str(labels.PERIOD_KIND[world.a.training_period.kind])
        deadline = format_date(world.a.warning.deadline)
    # What the meeting needs.
    assert period_kind in html
    assert mentor in html  # consented to the municipality
    assert deadline in html  # the open warning
    assert outcome in html
    assert 'data-testid="concerns"' in html
    # ...but not a measure without consent, free text, the workplace or anything naming.
    assert it_package not in html
    assert "Mentor-SECRET" not in html and "Bærbar med AppWriter" not in html
    assert world.a.warning.reason not in html
    assert world.a.experience.what_happened not in html
    assert world.a.workplace.name not in html
    assert [s for s in _identifying(world) if s in html] == []
    assert NAMED_LINK.findall(html) == []
    assert f'action="/meetings/{meeting.id}/cases/1/open"' in html


def test_opening_the_named_case_is_a_logged_deliberate_act(client, world, meeting):
    coordinator = world.user(Role.TRAINING_COORDINATOR, "a")
    review = db.session.execute(select(CaseReview)).scalar_one()
    login(client, coordinator)
    before = utcnow()
    # Not by a GET: a link cannot open it.
    assert client.get(f"/meetings/{meeting.id}/cases/1/open").status_code == 405
    response = post(client, f"/meetings/{meeting.id}/cases/1/open")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/students/{world.a.student.id}/reviews/{review.id}"
    )
    rows = (
        db.session.execute(
            select(AuditEvent).where(
                AuditEvent.user_id == coordinator.id,
                AuditEvent.student_id == world.a.student.id,
                AuditEvent.criterion.contains("named"),
            )
        )
        .scalars()
        .all()
    )
    assert len(rows) == 1
    assert rows[0].action == AuditAction.VIEW
    assert rows[0].at >= before
    assert rows[0].object_type == "case_review" and rows[0].object_id == review.id


@pytest.mark.parametrize(
    ("role", "side"),
    [
        (Role.SCHOOL_ADMIN, "a"),  # sees the meeting, may not read the review
        (Role.SUPERVISOR, "a"),
        (Role.COUNSELLOR, "b"),
        (Role.TRAINING_COORDINATOR, "b"),
    ],
)
def test_others_get_404_and_nothing_is_logged(client, world, meeting, role, side):
    user = world.user(role, side)
    login(client, user)
    assert client.get(f"/meetings/{meeting.id}/cases/1").status_code == 404
    assert post(client, f"/meetings/{meeting.id}/cases/1/open").status_code == 404
    logged = db.session.execute(
        select(AuditEvent).where(
            AuditEvent.user_id == user.id, AuditEvent.student_id == world.a.student.id
        )
    ).all()
    assert logged == []


def test_a_position_beyond_the_agenda_is_404(client, world, meeting):
    login(client, world.user(Role.COUNSELLOR, "a"))
    assert client.get(f"/meetings/{meeting.id}/cases/2").status_code == 404
    assert client.get(f"/meetings/{meeting.id}/cases/0").status_code == 404
