"""Group review meetings: several students' cases on one agenda, pseudonymised by default."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import CaseReview, ReviewMeeting, Role
from tests import factories
from tests.conftest import login, post

TODAY = date.today()


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def make_meeting(world, organiser, participants, pseudonymised=True) -> ReviewMeeting:
    meeting = ReviewMeeting(
        title="Kvartalsmøde skole og kommune",
        on_date=TODAY + timedelta(days=14),
        location="Rådhuset",
        pseudonymised=pseudonymised,
        organiser_id=organiser.id,
        organisation_id=world.a.school.id,
        participants=[organiser, *participants],
    )
    db.session.add(meeting)
    db.session.commit()
    return meeting


@pytest.fixture
def meeting_a(world):
    return make_meeting(
        world, world.user(Role.COUNSELLOR, "a"), [world.user(Role.TRAINING_COORDINATOR, "a")]
    )


def test_counsellor_creates_a_meeting_pseudonymised_by_default(client, world):
    counsellor = world.user(Role.COUNSELLOR, "a")
    coordinator = world.user(Role.TRAINING_COORDINATOR, "a")
    login(client, counsellor)
    page = client.get("/meetings/new")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="pseudonymised" name="pseudonymised" value="y" checked' in html
    assert f'value="{coordinator.id}"' in html  # the partner municipality's coordinator
    assert f'value="{world.user(Role.TRAINING_COORDINATOR, "b").id}"' not in html
    response = post(
        client,
        "/meetings/new",
        {
            "title": "Kvartalsmøde",
            "on_date": (TODAY + timedelta(days=30)).isoformat(),
            "location": "Skolen",
            "participants": [str(coordinator.id)],
            "pseudonymised": "y",
        },
    )
    assert response.status_code == 302
    meeting = db.session.execute(select(ReviewMeeting)).scalar_one()
    assert meeting.pseudonymised
    assert meeting.organisation_id == world.a.school.id
    assert {p.id for p in meeting.participants} == {counsellor.id, coordinator.id}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"on_date": (TODAY - timedelta(days=1)).isoformat()}, "on_date"),
        ({"participants": []}, "participants"),
        ({"title": ""}, "title"),
    ],
)
def test_meeting_errors_store_nothing(client, world, data, field):
    login(client, world.user(Role.TRAINING_COORDINATOR, "a"))
    form = {
        "title": "Kvartalsmøde",
        "on_date": (TODAY + timedelta(days=30)).isoformat(),
        "participants": [str(world.user(Role.COUNSELLOR, "a").id)],
    } | data
    response = post(client, "/meetings/new", form)
    assert response.status_code == 200
    assert f'data-testid="error-{field}"' in response.get_data(as_text=True)
    assert count(ReviewMeeting) == 0


def test_teacher_and_supervisor_may_not_create_meetings(client, world):
    login(client, world.user(Role.SUPERVISOR, "a"))
    assert client.get("/meetings/new").status_code == 403


def test_pseudonymised_meeting_shows_initials_but_no_number_or_name(client, world, meeting_a):
    student = world.a.student
    other = factories.student(
        world.a.school, first_name="Aase", last_name="Hjortkjær", employer=world.a.municipality
    )
    db.session.commit()
    login(client, world.user(Role.COUNSELLOR, "a"))
    for s in (student, other):
        response = post(client, f"/meetings/{meeting_a.id}/cases", {"student": str(s.id)})
        assert response.status_code == 302
    reviews = db.session.execute(select(CaseReview).order_by(CaseReview.id)).scalars().all()
    assert [r.student_id for r in reviews] == [student.id, other.id]
    assert all(r.meeting_id == meeting_a.id and r.on_date == meeting_a.on_date for r in reviews)

    for user in (world.user(Role.COUNSELLOR, "a"), world.user(Role.TRAINING_COORDINATOR, "a")):
        post(client, "/logout")
        login(client, user)
        html = client.get(f"/meetings/{meeting_a.id}").get_data(as_text=True)
        assert "A. H." in html
        for s in (student, other):
            assert s.student_number not in html
            assert s.last_name not in html
            assert s.full_name not in html
        assert "SSA" in html


def test_meeting_without_pseudonyms_shows_names_to_those_who_see_the_student(client, world):
    meeting = make_meeting(
        world,
        world.user(Role.COUNSELLOR, "a"),
        [world.user(Role.TRAINING_COORDINATOR, "a")],
        pseudonymised=False,
    )
    login(client, world.user(Role.COUNSELLOR, "a"))
    post(client, f"/meetings/{meeting.id}/cases", {"student": str(world.a.student.id)})
    assert count(CaseReview) == 1
    html = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert world.a.student.full_name in html
    assert world.a.student.student_number not in html


def test_a_student_the_user_cannot_see_is_not_added(client, world, meeting_a):
    login(client, world.user(Role.COUNSELLOR, "a"))
    response = post(
        client,
        f"/meetings/{meeting_a.id}/cases",
        {"student": str(world.b.student.id)},
    )
    assert response.status_code == 200
    assert "Vælg en af dine elever." in response.text.split('data-testid="error-student"')[1][:300]
    assert world.b.student.last_name not in response.text
    assert count(CaseReview) == 0
    html = client.get(f"/meetings/{meeting_a.id}").get_data(as_text=True)
    assert world.b.student.last_name not in html


@pytest.mark.parametrize(
    ("role", "side"),
    [
        (Role.SUPERVISOR, "a"),  # municipality side, not a participant
        (Role.MUNICIPALITY_ADMIN, "a"),  # not the organiser's organisation
        (Role.COUNSELLOR, "b"),
        (Role.TRAINING_COORDINATOR, "b"),
    ],
)
def test_outsiders_get_404_on_the_meeting(client, world, meeting_a, role, side):
    login(client, world.user(role, side))
    assert client.get(f"/meetings/{meeting_a.id}").status_code == 404
    response = post(
        client,
        f"/meetings/{meeting_a.id}/cases",
        {"student": str(world.b.student.id)},
    )
    assert response.status_code == 404
    assert count(CaseReview) == 0


def test_organisers_colleagues_see_the_meeting(client, world, meeting_a):
    login(client, world.user(Role.TEACHER, "a"))
    assert client.get(f"/meetings/{meeting_a.id}").status_code == 200


def test_my_reviews_lists_my_coming_meetings(client, world, meeting_a):
    login(client, world.user(Role.TRAINING_COORDINATOR, "a"))
    html = client.get("/reviews").get_data(as_text=True)
    assert f"/meetings/{meeting_a.id}" in html
    post(client, "/logout")
    login(client, world.user(Role.TEACHER, "a"))
    assert f"/meetings/{meeting_a.id}" not in client.get("/reviews").get_data(as_text=True)


# --- adding a case: a choice among one's students, searched (issue 14) --------------------------


def test_the_case_is_chosen_from_the_users_students_not_typed(client, world, meeting_a):
    login(client, world.user(Role.COUNSELLOR, "a"))
    page = client.get(f"/meetings/{meeting_a.id}")
    assert f'href="/meetings/{meeting_a.id}/cases/new"' in page.text
    assert 'name="student_number"' not in page.text
    page = client.get(f"/meetings/{meeting_a.id}/cases/new")
    assert page.status_code == 200
    choices = page.text.split('data-testid="case-choices"')[1].split("</ul>")[0]
    assert f'id="student-0" name="student" value="{world.a.student.id}"' in choices
    assert world.a.student.last_name in choices
    assert world.b.student.last_name not in choices  # another school's student
    response = post(client, f"/meetings/{meeting_a.id}/cases", {"student": str(world.a.student.id)})
    assert response.status_code == 302
    assert db.session.execute(select(CaseReview.student_id)).scalar_one() == world.a.student.id

    # The same student again: the reason beside the field, nothing added.
    response = post(client, f"/meetings/{meeting_a.id}/cases", {"student": str(world.a.student.id)})
    assert response.status_code == 200
    assert "allerede" in response.text.split('data-testid="error-student"')[1][:300]
    assert count(CaseReview) == 1


@pytest.mark.parametrize("chosen", ["", "abc", "999999", "-1", "²", "9" * 30])
def test_no_or_a_wrong_choice_is_refused_beside_the_field(client, world, meeting_a, chosen):
    login(client, world.user(Role.COUNSELLOR, "a"))
    response = post(client, f"/meetings/{meeting_a.id}/cases?q=Hansen", {"student": chosen})
    assert response.status_code == 200
    assert "Vælg en af dine elever." in response.text.split('data-testid="error-student"')[1][:300]
    assert 'value="Hansen"' in response.text  # the search is kept
    assert count(CaseReview) == 0


def test_the_choices_are_limited_and_searched_and_the_search_is_logged(client, world, meeting_a):
    from app.models import AuditAction, AuditEvent
    from app.reviews.routes import AGENDA_CHOICES

    for i in range(AGENDA_CHOICES + 5):
        factories.student(
            world.a.school,
            first_name=f"Elev{i:02d}",
            last_name="Aabenraa",
            employer=world.a.municipality,
        )
    needle = factories.student(
        world.a.school, first_name="Yrsa", last_name="Zøllner", employer=world.a.municipality
    )
    db.session.commit()
    login(client, world.user(Role.COUNSELLOR, "a"))
    page = client.get(f"/meetings/{meeting_a.id}/cases/new").text
    choices = page.split('data-testid="case-choices"')[1].split("</ul>")[0]
    assert choices.count('type="radio"') == AGENDA_CHOICES
    assert "Zøllner" not in choices
    assert 'data-testid="more-choices"' in page

    page = client.get(f"/meetings/{meeting_a.id}/cases/new?q=zøl").text
    choices = page.split('data-testid="case-choices"')[1].split("</ul>")[0]
    assert choices.count('type="radio"') == 1
    assert f'value="{needle.id}"' in choices
    assert 'data-testid="more-choices"' not in page
    searches = (
        db.session.execute(
            select(AuditEvent.criterion).where(AuditEvent.action == AuditAction.SEARCH)
        )
        .scalars()
        .all()
    )
    assert f"q=zøl; meeting={meeting_a.id}" in searches

    page = client.get(f"/meetings/{meeting_a.id}/cases/new?q={world.b.student.last_name}").text
    assert 'data-testid="no-choices"' in page


def test_the_choice_page_runs_a_bounded_number_of_queries(client, world, meeting_a, count_queries):
    login(client, world.user(Role.COUNSELLOR, "a"))
    with count_queries() as few:
        assert client.get(f"/meetings/{meeting_a.id}/cases/new").status_code == 200
    for i in range(15):
        factories.student(world.a.school, first_name=f"Elev{i}", employer=world.a.municipality)
    db.session.commit()
    with count_queries() as many:
        assert client.get(f"/meetings/{meeting_a.id}/cases/new").status_code == 200
    assert many.count == few.count
