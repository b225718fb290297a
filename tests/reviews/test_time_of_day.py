"""Reviews and group meetings have a time of day as well as a date (issue 14): typed as 13.30
or 13:30, shown as "kl. 13.30" wherever the date is, and used to order the lists."""

from __future__ import annotations

import io
import re
from datetime import date, time, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.extensions import db
from app.models import CaseReview, ReviewMeeting, Role
from tests.conftest import login, post
from tests.reviews.test_reviews import make_review, url

TODAY = date.today()


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _review_form(world, **changes) -> dict:
    return {
        "on_date": (TODAY + timedelta(days=5)).isoformat(),
        "location": "Skolen, lokale 4",
        "participants": [str(world.user(Role.TRAINING_COORDINATOR, "a").id)],
        "agenda": "1. Status",
        **changes,
    }


@pytest.mark.parametrize(("typed", "stored"), [("13.30", time(13, 30)), ("9:05", time(9, 5))])
def test_a_review_is_scheduled_at_a_time_of_day_shown_as_kl(client, world, typed, stored):
    login(client, world.user(Role.COUNSELLOR, "a"))
    response = post(
        client, f"/students/{world.a.student.id}/reviews/new", _review_form(world, at_time=typed)
    )
    assert response.status_code == 302
    review = db.session.execute(select(CaseReview)).scalar_one()
    assert review.at_time == stored
    shown = f"kl. {stored.strftime('%H.%M')}"
    page = client.get(url(world.a, review)).text
    assert shown in page.split('data-testid="review-facts"')[1][:600]
    assert shown in client.get("/reviews").text
    pdf = client.get(url(world.a, review, "/minutes.pdf"))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert re.sub(r"\s+", "", shown) in re.sub(r"\s+", "", text)


def test_a_review_without_a_time_shows_only_the_date(client, world):
    review = make_review(world.a, [world.user(Role.COUNSELLOR, "a")])  # as rows from before
    db.session.commit()
    login(client, world.user(Role.COUNSELLOR, "a"))
    page = client.get(url(world.a, review))
    assert page.status_code == 200
    assert "kl." not in page.text.split('data-testid="review-facts"')[1][:600]


@pytest.mark.parametrize("typed", ["25.00", "13.3", "halv to", "13,30", "1330", "12.60"])
def test_a_time_that_is_not_a_time_is_refused_in_danish(client, world, typed):
    login(client, world.user(Role.COUNSELLOR, "a"))
    response = post(
        client, f"/students/{world.a.student.id}/reviews/new", _review_form(world, at_time=typed)
    )
    assert response.status_code == 200
    error = response.text.split('data-testid="error-at_time"')[1][:300]
    assert "Skriv klokkeslættet som tt.mm, fx 13.30." in error
    assert f'value="{typed}"' in response.text  # what was typed is kept
    assert count(CaseReview) == 0


def test_a_meeting_has_a_time_its_cases_take_it_and_lists_order_by_it(client, world):
    counsellor = world.user(Role.COUNSELLOR, "a")
    coordinator = world.user(Role.TRAINING_COORDINATOR, "a")
    login(client, counsellor)
    day = (TODAY + timedelta(days=30)).isoformat()
    for title, at in (("Eftermiddag", "14:00"), ("Formiddag", "09.15")):
        response = post(
            client,
            "/meetings/new",
            {
                "title": title,
                "on_date": day,
                "at_time": at,
                "participants": [str(coordinator.id)],
                "pseudonymised": "y",
            },
        )
        assert response.status_code == 302
    afternoon, morning = db.session.execute(
        select(ReviewMeeting).order_by(ReviewMeeting.id)
    ).scalars()
    assert (afternoon.at_time, morning.at_time) == (time(14, 0), time(9, 15))
    assert "kl. 14.00" in client.get(f"/meetings/{afternoon.id}").text
    mine = client.get("/reviews").text.split('data-testid="my-meetings"')[1]
    assert mine.index("Formiddag") < mine.index("Eftermiddag")
    assert "kl. 09.15" in mine

    post(
        client,
        f"/meetings/{afternoon.id}/cases",
        {"student": str(world.a.student.id)},
    )
    review = db.session.execute(select(CaseReview)).scalar_one()
    assert review.at_time == time(14, 0)


def test_my_reviews_on_the_same_day_are_ordered_by_time(client, world):
    counsellor = world.user(Role.COUNSELLOR, "a")
    day = TODAY + timedelta(days=3)
    late = make_review(world.a, [counsellor], on_date=day)
    late.at_time = time(15, 0)
    early = make_review(world.a, [counsellor], on_date=day)
    early.at_time = time(8, 30)
    untimed = make_review(world.a, [counsellor], on_date=day)
    db.session.commit()
    login(client, counsellor)
    html = client.get("/reviews").text
    positions = [html.index(f'data-testid="review-{r.id}"') for r in (early, late, untimed)]
    assert positions == sorted(positions)
