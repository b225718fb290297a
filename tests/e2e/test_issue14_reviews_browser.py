"""End to end at phone width (390 px): a consent of several categories in one form, a review
at a time of day, and a case added to a group meeting by searching among one's students.
Elements are found by id, data-testid or URL, never by their (translated) text."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from app.models import Role
from tests import factories
from tests.e2e.helpers import assert_fits, click_and_wait, log_in, path_is

pytestmark = pytest.mark.e2e


def test_consent_of_several_categories_on_a_phone(live_server, page, browser_problems, world):
    page.set_viewport_size({"width": 390, "height": 844})
    student = world.a.student
    base = f"/students/{student.id}"
    log_in(page, live_server, world.user(Role.COUNSELLOR, "a").email, factories.PASSWORD)
    page.goto(live_server + base + "/consents/new")
    assert_fits(page, why="the form is wider than the phone")
    # Nothing ticked: the error beside the field, nothing saved.
    page.locator("#recipient").select_option(str(world.a.municipality.id))
    page.locator("#confirmed").check()
    click_and_wait(
        page, page.locator("main form button.button-primary"), path_is(base + "/consents/new")
    )
    expect(page.get_by_test_id("error-category")).to_be_visible()
    page.locator("input[name=category][value=support_needs]").check()
    page.locator("input[name=category][value=sps]").check()
    click_and_wait(
        page, page.locator("main form button.button-primary"), path_is(base + "/support")
    )
    expect(page.get_by_test_id("consents").locator("form")).to_have_count(2)  # one per category
    browser_problems.assert_none()


def test_review_time_and_adding_a_meeting_case_by_search_on_a_phone(
    live_server, page, browser_problems, world
):
    from app.extensions import db
    from tests.factories import review_objects

    page.set_viewport_size({"width": 390, "height": 844})
    review_objects(world.a)
    other = factories.student(
        world.a.school, first_name="Yrsa", last_name="Zøllner", employer=world.a.municipality
    )
    db.session.commit()
    counsellor = world.user(Role.COUNSELLOR, "a")
    coordinator = world.user(Role.TRAINING_COORDINATOR, "a")
    log_in(page, live_server, counsellor.email, factories.PASSWORD)

    # A review at a time of day.
    new_path = f"/students/{world.a.student.id}/reviews/new"
    page.goto(live_server + new_path)
    page.locator("#on_date").fill((date.today() + timedelta(days=3)).isoformat())
    page.locator("#at_time").fill("25.00")
    page.locator(f"#participant-{coordinator.id}").check()
    click_and_wait(page, page.get_by_test_id("schedule-review"), path_is(new_path))
    expect(page.get_by_test_id("error-at_time")).to_be_visible()
    expect(page.locator("#at_time")).to_have_value("25.00")
    page.locator("#at_time").fill("13:30")
    click_and_wait(
        page,
        page.get_by_test_id("schedule-review"),
        lambda url: "/reviews/" in url and "new" not in url,
    )
    expect(page.get_by_test_id("review-facts")).to_contain_text("13.30")
    assert_fits(page)

    # A case added to the meeting: searched among the counsellor's students, then chosen.
    meeting = world.a.meeting
    page.goto(live_server + f"/meetings/{meeting.id}")
    click_and_wait(
        page, page.get_by_test_id("add-case"), path_is(f"/meetings/{meeting.id}/cases/new")
    )
    assert_fits(page, why="the choice page is wider than the phone")
    page.locator("#q").fill("zøl")
    click_and_wait(
        page,
        page.get_by_test_id("case-search").locator("button"),
        path_is(f"/meetings/{meeting.id}/cases/new"),
    )
    choices = page.get_by_test_id("case-choices").locator("input[type=radio]")
    expect(choices).to_have_count(1)
    page.locator(f"input[name=student][value='{other.id}']").check()
    click_and_wait(page, page.get_by_test_id("add-case"), path_is(f"/meetings/{meeting.id}"))
    expect(page.get_by_test_id("meeting-cases")).to_contain_text("Y. Z.")
    browser_problems.assert_none()
