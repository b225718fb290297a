"""Case reviews: scheduling with a pre-filled agenda, who may read them, minutes, action items,
the minutes PDF, and the "my reviews" and "my action items" lists."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app import labels
from app.extensions import db
from app.models import (
    ActionItem,
    ActionItemStatus,
    AuditAction,
    AuditEvent,
    CaseEvent,
    CaseEventKind,
    CaseReview,
    ConsentCategory,
    MeasureType,
    Notification,
    NotificationKind,
    PeriodKind,
    ReviewStatus,
    Role,
)
from tests import factories
from tests.conftest import login, post

MINUTES = "SENTINEL-MINUTES-4e1d Eleven har det bedre på vagten."
TODAY = date.today()


def pdf_text(response) -> str:
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    return re.sub(r"\s+", "", text)


def make_review(side, participants, on_date=None, created_by=None) -> CaseReview:
    review = CaseReview(
        student_id=side.student.id,
        on_date=on_date or TODAY + timedelta(days=7),
        location="Mødelokale 2",
        agenda="Dagsorden",
        participants=list(participants),
        created_by_id=(created_by or participants[0]).id,
        organisation_id=side.school.id,
    )
    db.session.add(review)
    db.session.flush()
    return review


def make_item(review, owner, text="Følg op på vagtplanen", due=None, status=None) -> ActionItem:
    item = ActionItem(
        review_id=review.id,
        student_id=review.student_id,
        text=text,
        owner_id=owner.id,
        due_date=due or TODAY + timedelta(days=14),
        status=status or ActionItemStatus.OPEN,
    )
    db.session.add(item)
    db.session.flush()
    return item


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def url(side, review, suffix="") -> str:
    return f"/students/{side.student.id}/reviews/{review.id}{suffix}"


@pytest.fixture
def review_a(world):
    """Student A's review with the counsellor and the municipality's coordinator."""
    review = make_review(
        world.a,
        [world.user(Role.COUNSELLOR, "a"), world.user(Role.TRAINING_COORDINATOR, "a")],
    )
    db.session.commit()
    return review


# --- scheduling -------------------------------------------------------------------------------


def test_counsellor_schedules_a_review_and_participants_are_notified(client, world):
    counsellor = world.user(Role.COUNSELLOR, "a")
    coordinator = world.user(Role.TRAINING_COORDINATOR, "a")
    supervisor = world.user(Role.SUPERVISOR, "a")
    student = world.a.student
    login(client, counsellor)

    page = client.get(f"/students/{student.id}/reviews/new")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # The people who can see the student are offered, the scheduler is not (always included).
    assert f'value="{coordinator.id}"' in html
    assert f'value="{supervisor.id}"' in html
    assert f'value="{world.user(Role.TEACHER, "a").id}"' in html
    assert f'value="{world.user(Role.TRAINING_COORDINATOR, "b").id}"' not in html
    assert f'value="{world.user(Role.SCHOOL_ADMIN, "a").id}"' not in html

    day = TODAY + timedelta(days=5)
    response = post(
        client,
        f"/students/{student.id}/reviews/new",
        {
            "on_date": day.isoformat(),
            "location": "Skolen, lokale 4",
            "participants": [str(coordinator.id)],
            "agenda": "1. Status",
        },
    )
    assert response.status_code == 302
    review = db.session.execute(select(CaseReview)).scalar_one()
    assert response.headers["Location"].endswith(url(world.a, review))
    assert review.on_date == day
    assert {p.id for p in review.participants} == {counsellor.id, coordinator.id}
    assert review.status == ReviewStatus.PLANNED
    assert review.organisation_id == world.a.school.id

    notes = db.session.execute(
        select(Notification).where(Notification.kind == NotificationKind.REVIEW_SCHEDULED)
    ).scalars()
    assert [(n.user_id, n.student_id) for n in notes] == [(coordinator.id, student.id)]
    event = db.session.execute(
        select(CaseEvent).where(CaseEvent.kind == CaseEventKind.REVIEW_SCHEDULED)
    ).scalar_one()
    assert event.review_id == review.id


def test_coordinator_of_the_employer_may_schedule_but_not_a_supervisor(client, world):
    student = world.a.student
    login(client, world.user(Role.TRAINING_COORDINATOR, "a"))
    assert client.get(f"/students/{student.id}/reviews/new").status_code == 200
    post(client, "/logout")
    login(client, world.user(Role.SUPERVISOR, "a"))
    assert client.get(f"/students/{student.id}/reviews/new").status_code == 403
    post(client, "/logout")
    login(client, world.user(Role.COUNSELLOR, "b"))
    assert client.get(f"/students/{student.id}/reviews/new").status_code == 404


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"on_date": (TODAY - timedelta(days=1)).isoformat()}, "on_date"),
        ({"participants": []}, "participants"),
        ({"on_date": ""}, "on_date"),
    ],
)
def test_scheduling_errors_store_nothing(client, world, data, field):
    coordinator = world.user(Role.TRAINING_COORDINATOR, "a")
    login(client, world.user(Role.COUNSELLOR, "a"))
    form = {
        "on_date": (TODAY + timedelta(days=3)).isoformat(),
        "participants": [str(coordinator.id)],
        "agenda": "x",
    } | data
    response = post(client, f"/students/{world.a.student.id}/reviews/new", form)
    assert response.status_code == 200
    assert f'data-testid="error-{field}"' in response.get_data(as_text=True)
    assert count(CaseReview) == 0
    assert count(CaseEvent) == 0


def test_a_participant_who_cannot_see_the_student_is_refused(client, world):
    login(client, world.user(Role.COUNSELLOR, "a"))
    outsider = world.user(Role.TRAINING_COORDINATOR, "b")
    response = post(
        client,
        f"/students/{world.a.student.id}/reviews/new",
        {"on_date": (TODAY + timedelta(days=3)).isoformat(), "participants": [str(outsider.id)]},
    )
    assert response.status_code == 200
    assert count(CaseReview) == 0


# --- the agenda -------------------------------------------------------------------------------


def test_agenda_is_prefilled_from_the_case_without_unconsented_support(app, client, world):
    with app.test_request_context():
        it_package = str(labels.MEASURE_TYPE[MeasureType.IT_PACKAGE])
    counsellor = world.user(Role.COUNSELLOR, "a")
    student = world.a.student
    world.a.training_period.end_date = TODAY + timedelta(days=20)
    school = factories.period(
        student, PeriodKind.SCHOOL, TODAY + timedelta(days=21), TODAY + timedelta(days=80)
    )
    school.title = "Skoleperiode 3"
    world.a.measure.next_follow_up = TODAY - timedelta(days=3)
    db.session.commit()
    login(client, counsellor)
    html = client.get(f"/students/{student.id}/reviews/new").get_data(as_text=True)
    agenda = html[html.index('id="agenda"') :]
    agenda = agenda[: agenda.index("</textarea>")]
    # The SPS consent was withdrawn: no measure type, only whom to contact.
    assert it_package not in agenda
    assert "Bærbar" not in agenda  # descriptions never
    assert counsellor.name in agenda
    assert "Skoleperiode 3" in agenda  # the upcoming transition
    assert "Når ikke mål" not in agenda  # a warning's reason stays in the training record

    # With consent to the employer the type is listed.
    factories.consent(student, ConsentCategory.SPS, world.a.municipality, counsellor)
    db.session.commit()
    html = client.get(f"/students/{student.id}/reviews/new").get_data(as_text=True)
    assert it_package in html


def test_open_action_items_of_the_previous_review_are_on_the_next_agenda(client, world):
    counsellor = world.user(Role.COUNSELLOR, "a")
    coordinator = world.user(Role.TRAINING_COORDINATOR, "a")
    previous = make_review(world.a, [counsellor, coordinator], on_date=TODAY - timedelta(days=30))
    make_item(previous, coordinator, "SENTINEL-OPEN-ITEM-1")
    make_item(previous, counsellor, "SENTINEL-OPEN-ITEM-2", due=TODAY - timedelta(days=2))
    make_item(previous, counsellor, "SENTINEL-DONE-ITEM", status=ActionItemStatus.DONE)
    older = make_review(world.a, [counsellor, coordinator], on_date=TODAY - timedelta(days=90))
    make_item(older, counsellor, "SENTINEL-OLDER-ITEM")
    db.session.commit()
    login(client, world.user(Role.TEACHER, "a"))
    html = client.get(f"/students/{world.a.student.id}/reviews/new").get_data(as_text=True)
    assert "SENTINEL-OPEN-ITEM-1" in html
    assert "SENTINEL-OPEN-ITEM-2" in html
    assert "SENTINEL-DONE-ITEM" not in html
    assert "SENTINEL-OLDER-ITEM" not in html


# --- who may read a review --------------------------------------------------------------------


def test_coordinator_participant_sees_the_minutes_on_the_page_and_in_the_pdf(
    client, world, review_a
):
    review_a.minutes = MINUTES
    review_a.status = ReviewStatus.HELD
    make_item(review_a, world.user(Role.COUNSELLOR, "a"), "SENTINEL-ITEM-PDF")
    db.session.commit()
    login(client, world.user(Role.TRAINING_COORDINATOR, "a"))
    page = client.get(url(world.a, review_a))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert MINUTES in html
    assert world.a.municipality.name in html  # participants with their organisation

    response = client.get(url(world.a, review_a, "/minutes.pdf"))
    text = pdf_text(response)
    assert re.sub(r"\s+", "", MINUTES) in text
    assert "SENTINEL-ITEM-PDF" in text
    assert re.sub(r"\s+", "", world.a.municipality.name) in text
    assert "Side1af1" in text  # page numbers from pdf.css
    export = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT)
    ).scalar_one()
    assert export.student_id == world.a.student.id


@pytest.mark.parametrize(
    ("role", "side"),
    [
        (Role.SUPERVISOR, "a"),  # sees the student, not a participant
        (Role.SCHOOL_ADMIN, "a"),  # sees the student, not counsellor or teacher
        (Role.COUNSELLOR, "b"),  # another school
        (Role.TRAINING_COORDINATOR, "b"),  # another municipality
    ],
)
def test_outsiders_get_404(client, world, review_a, role, side):
    review_a.minutes = MINUTES
    db.session.commit()
    login(client, world.user(role, side))
    for suffix in ("", "/edit", "/minutes.pdf"):
        response = client.get(url(world.a, review_a, suffix))
        assert response.status_code == 404, suffix
        assert MINUTES not in response.get_data(as_text=True)
    response = post(client, url(world.a, review_a, "/edit"), {"minutes": "x", "version": "1"})
    assert response.status_code == 404
    response = post(client, url(world.a, review_a, "/actions"), {"text": "x"})
    assert response.status_code == 404


def test_school_staff_read_but_only_participants_edit(client, world, review_a):
    login(client, world.user(Role.TEACHER, "a"))
    assert client.get(url(world.a, review_a)).status_code == 200
    assert client.get(url(world.a, review_a, "/minutes.pdf")).status_code == 200
    assert client.get(url(world.a, review_a, "/edit")).status_code == 403


def test_municipality_admin_reads_when_a_colleague_takes_part(client, world, review_a):
    login(client, world.user(Role.MUNICIPALITY_ADMIN, "a"))
    assert client.get(url(world.a, review_a)).status_code == 200
    only_school = make_review(world.a, [world.user(Role.COUNSELLOR, "a")])
    db.session.commit()
    assert client.get(url(world.a, only_school)).status_code == 404


def test_review_of_another_student_in_the_url_is_404(client, world, review_a):
    other = factories.student(world.a.school, employer=world.a.municipality)
    db.session.commit()
    login(client, world.user(Role.COUNSELLOR, "a"))
    assert client.get(f"/students/{other.id}/reviews/{review_a.id}").status_code == 404


# --- minutes and action items -----------------------------------------------------------------


def test_minutes_make_the_review_held_and_a_stale_save_is_refused(client, world, review_a):
    review_a.on_date = TODAY  # minutes only from the review's date
    db.session.commit()
    login(client, world.user(Role.TRAINING_COORDINATOR, "a"))
    form = client.get(url(world.a, review_a, "/edit"))
    assert form.status_code == 200
    data = {
        "version": str(review_a.version_id),
        "agenda": "Dagsorden",
        "minutes": MINUTES,
        "decisions": "Ekstra vejledning",
        "outcome": "extra_support",
    }
    response = post(client, url(world.a, review_a, "/edit"), data)
    assert response.status_code == 302
    db.session.refresh(review_a)
    assert review_a.status == ReviewStatus.HELD
    assert review_a.minutes == MINUTES
    kinds = list(db.session.execute(select(CaseEvent.kind, CaseEvent.review_id)))
    assert (CaseEventKind.REVIEW_HELD, review_a.id) in kinds

    # A second save from the form opened before the first: refused, nothing overwritten.
    response = post(client, url(world.a, review_a, "/edit"), data | {"minutes": "Overwritten"})
    assert response.status_code == 302
    db.session.refresh(review_a)
    assert review_a.minutes == MINUTES


def test_action_items_added_and_changed_by_participants(client, world, review_a):
    counsellor = world.user(Role.COUNSELLOR, "a")
    coordinator = world.user(Role.TRAINING_COORDINATOR, "a")
    login(client, coordinator)
    due = TODAY + timedelta(days=10)
    response = post(
        client,
        url(world.a, review_a, "/actions"),
        {"text": "Ring til eleven", "owner": str(counsellor.id), "due_date": due.isoformat()},
    )
    assert response.status_code == 302
    item = db.session.execute(select(ActionItem)).scalar_one()
    assert (item.owner_id, item.due_date, item.status) == (
        counsellor.id,
        due,
        ActionItemStatus.OPEN,
    )
    response = post(
        client,
        url(world.a, review_a, f"/actions/{item.id}"),
        {"status": "done", "version": str(item.version_id)},
    )
    assert response.status_code == 302
    db.session.refresh(item)
    assert item.status == ActionItemStatus.DONE
    assert item.done_at is not None
    kinds = [k for (k,) in db.session.execute(select(CaseEvent.kind))]
    assert CaseEventKind.ACTION_ITEM_ADDED in kinds
    assert CaseEventKind.ACTION_ITEM_CHANGED in kinds


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"due_date": (TODAY - timedelta(days=1)).isoformat()}, "due_date"),
        ({"owner": "supervisor"}, "owner"),
        ({"text": ""}, "text"),
    ],
)
def test_action_item_errors_store_nothing(client, world, review_a, data, field):
    supervisor = world.user(Role.SUPERVISOR, "a")  # not a participant
    login(client, world.user(Role.COUNSELLOR, "a"))
    form = {
        "text": "Ring til eleven",
        "owner": str(world.user(Role.COUNSELLOR, "a").id),
        "due_date": (TODAY + timedelta(days=3)).isoformat(),
    } | data
    if form["owner"] == "supervisor":
        form["owner"] = str(supervisor.id)
    response = post(client, url(world.a, review_a, "/actions"), form)
    assert response.status_code == 200
    assert f'data-testid="error-{field}"' in response.get_data(as_text=True)
    assert count(ActionItem) == 0


def test_action_item_of_another_review_is_404(client, world, review_a):
    other = make_review(world.a, [world.user(Role.COUNSELLOR, "a")])
    item = make_item(other, world.user(Role.COUNSELLOR, "a"))
    db.session.commit()
    login(client, world.user(Role.COUNSELLOR, "a"))
    response = post(
        client, url(world.a, review_a, f"/actions/{item.id}"), {"status": "done", "version": "1"}
    )
    assert response.status_code == 404


# --- lists ------------------------------------------------------------------------------------


def _reviews(world, n: int) -> None:
    counsellor = world.user(Role.COUNSELLOR, "a")
    coordinator = world.user(Role.TRAINING_COORDINATOR, "a")
    for i in range(n):
        s = factories.student(world.a.school, employer=world.a.municipality)
        side = type(world.a)(**{**world.a.__dict__, "student": s})
        review = make_review(side, [counsellor, coordinator], on_date=TODAY + timedelta(days=i - 3))
        make_item(review, counsellor, f"Handling {i}", due=TODAY + timedelta(days=i))
    db.session.commit()


def test_my_reviews_upcoming_first(client, world):
    counsellor = world.user(Role.COUNSELLOR, "a")
    past = make_review(world.a, [counsellor], on_date=TODAY - timedelta(days=10))
    soon = make_review(world.a, [counsellor], on_date=TODAY + timedelta(days=2))
    later = make_review(world.a, [counsellor], on_date=TODAY + timedelta(days=20))
    make_review(world.a, [world.user(Role.TEACHER, "a")])  # not mine
    db.session.commit()
    login(client, counsellor)
    html = client.get("/reviews").get_data(as_text=True)
    positions = [html.index(f'data-testid="review-{r.id}"') for r in (soon, later, past)]
    assert positions == sorted(positions)
    assert html.count('data-testid="review-') == 3


def test_my_action_items_open_and_mine_overdue_first(client, world, review_a):
    counsellor = world.user(Role.COUNSELLOR, "a")
    late = make_item(review_a, counsellor, "Forsinket", due=TODAY - timedelta(days=2))
    soon = make_item(review_a, counsellor, "Snart", due=TODAY + timedelta(days=2))
    make_item(review_a, counsellor, "Færdig", status=ActionItemStatus.DONE)
    make_item(review_a, world.user(Role.TRAINING_COORDINATOR, "a"), "Ikke min")
    db.session.commit()
    login(client, counsellor)
    html = client.get("/action-items").get_data(as_text=True)
    assert html.index(f'data-testid="item-{late.id}"') < html.index(f'data-testid="item-{soon.id}"')
    assert "Færdig" not in html and "Ikke min" not in html
    assert 'data-testid="overdue"' in html


@pytest.mark.parametrize("path", ["/reviews", "/action-items"])
def test_lists_run_a_bounded_number_of_queries(client, world, count_queries, path):
    login(client, world.user(Role.COUNSELLOR, "a"))
    _reviews(world, 1)
    with count_queries() as one:
        assert client.get(path).status_code == 200
    _reviews(world, 9)
    with count_queries() as ten:
        response = client.get(path)
    assert response.status_code == 200
    assert response.get_data(as_text=True).count('data-testid="') >= 10
    assert ten.count == one.count


# --- minutes only from the review's date (issue 12) --------------------------------------------


@pytest.mark.parametrize(
    "data, field",
    [
        ({"minutes": MINUTES}, "minutes"),
        ({"decisions": "Ekstra vejledning"}, "decisions"),
        ({"outcome": "extra_support"}, "outcome"),
    ],
)
def test_minutes_of_a_review_next_week_are_refused(client, world, review_a, data, field):
    login(client, world.user(Role.TRAINING_COORDINATOR, "a"))
    form = {"version": str(review_a.version_id), "agenda": "Dagsorden", **data}
    response = post(client, url(world.a, review_a, "/edit"), form)
    assert response.status_code == 200
    error = response.text.split(f'data-testid="error-{field}"')[1][:400]
    assert "før mødets dato" in error
    assert (data.get("minutes") or data.get("decisions") or "") in response.text
    db.session.refresh(review_a)
    assert review_a.status == ReviewStatus.PLANNED
    assert review_a.minutes == "" and review_a.outcome is None


def test_the_agenda_of_a_coming_review_can_still_be_changed_or_it_cancelled(
    client, world, review_a
):
    login(client, world.user(Role.TRAINING_COORDINATOR, "a"))
    form = {"version": str(review_a.version_id), "agenda": "Ny dagsorden"}
    assert post(client, url(world.a, review_a, "/edit"), form).status_code == 302
    db.session.refresh(review_a)
    assert review_a.agenda == "Ny dagsorden" and review_a.status == ReviewStatus.PLANNED
    form = {"version": str(review_a.version_id), "agenda": "Ny dagsorden", "cancelled": "y"}
    assert post(client, url(world.a, review_a, "/edit"), form).status_code == 302
    db.session.refresh(review_a)
    assert review_a.status == ReviewStatus.CANCELLED


def test_minutes_on_the_day_of_the_review_are_accepted(client, world, review_a):
    review_a.on_date = TODAY
    db.session.commit()
    login(client, world.user(Role.TRAINING_COORDINATOR, "a"))
    form = {"version": str(review_a.version_id), "minutes": MINUTES, "outcome": "continue"}
    assert post(client, url(world.a, review_a, "/edit"), form).status_code == 302
    db.session.refresh(review_a)
    assert review_a.status == ReviewStatus.HELD
