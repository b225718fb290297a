"""End to end in headless Chromium: "My overview" at phone and desktop width. It fits the
screen, each part shows its count, and its links lead to the lists and cases they name."""

from __future__ import annotations

import os
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import MeasureType, Role
from tests import factories
from tests.e2e.helpers import assert_fits, click_and_wait, log_in, path_is

pytestmark = pytest.mark.e2e

SHOTS = os.environ.get("ELEVSAG_SHOTS_DIR")  # set it to keep screenshots of the overview


@pytest.mark.parametrize("width,height", [(390, 844), (1280, 900)])
def test_the_overview_fits_and_its_links_work(
    live_server, page, browser_problems, world, width, height
):
    counsellor = world.user(Role.COUNSELLOR, "a")
    student = factories.student(
        world.a.school, first_name="Maja", last_name="Opfølgningsen-Langenavnsdatter"
    )
    measure = factories.support_measure(
        student, MeasureType.MENTOR, counsellor, follow_up=date.today() - timedelta(days=2)
    )
    db.session.commit()
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, live_server, counsellor.email, factories.PASSWORD)
    assert page.url == live_server + "/my-overview"
    assert_fits(page, why="the overview is wider than the screen")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/my-overview-{width}.png", full_page=True)

    follow_ups = page.get_by_test_id("part-follow_ups")
    expect(follow_ups.get_by_test_id("count")).to_have_text("1")
    expect(follow_ups.get_by_test_id("overdue-count")).to_be_visible()
    # An empty part says so instead of disappearing.
    expect(page.get_by_test_id("part-action_items").get_by_test_id("nothing")).to_be_visible()

    # The entry opens the measure; the part's link opens the whole list.
    measure_path = f"/students/{student.id}/support/measures/{measure.id}"
    click_and_wait(page, follow_ups.locator(f"a[href='{measure_path}']"), path_is(measure_path))
    page.go_back()
    page.wait_for_url(path_is("/my-overview"))
    link = page.get_by_test_id("part-follow_ups").get_by_test_id("part-link")
    click_and_wait(page, link, path_is("/follow-ups"))
    assert student.last_name in page.content()
    browser_problems.assert_none()
