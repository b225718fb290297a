"""Support arranged at the workplace and asking the school for help, in headless Chromium at
desktop and phone width: the supervisor records extra supervision time and asks for a case
review; the counsellor sees both and schedules the review from the request. Axe checks each
page, and no page scrolls sideways. Elements are found by id, data-testid or URL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from app.models import Role
from tests import factories
from tests.e2e.helpers import checked, click_and_wait, log_in, log_out, path_is

pytestmark = pytest.mark.e2e

SIZES = [(1280, 900), (390, 844)]
REASON = "Eleven er presset og har brug for en plan med skolen"


@pytest.mark.parametrize("width,height", SIZES)
def test_supervisor_arranges_support_and_asks_the_counsellor_schedules(
    live_server, page, browser_problems, world, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    student = world.a.student
    support = f"/students/{student.id}/support"

    # The supervisor records what the workplace does.
    log_in(page, live_server, world.user(Role.SUPERVISOR).email, factories.PASSWORD)
    page.goto(live_server + support)
    page.wait_for_load_state("load")
    checked(page)
    click_and_wait(
        page, page.get_by_test_id("new-arrangement"), path_is(support + "/workplace/new")
    )
    page.wait_for_load_state("load")
    checked(page)
    page.locator("#type").select_option("extra_supervision")
    page.locator("#description").fill("30 minutter med vejlederen hver fredag")
    click_and_wait(page, page.get_by_test_id("save-arrangement"), path_is(support))
    expect(page.get_by_test_id("measures")).to_contain_text("Ekstra vejledningstid")

    # ... and asks the school for a case review.
    click_and_wait(
        page, page.get_by_test_id("ask-for-help"), path_is(f"/students/{student.id}/help/new")
    )
    page.wait_for_load_state("load")
    page.locator("#kind").select_option("case_review")
    page.locator("#reason").fill(REASON)
    click_and_wait(page, page.get_by_test_id("send-help-request"), path_is(support))
    expect(page.get_by_test_id("student-help-requests")).to_contain_text(REASON)
    page.wait_for_load_state("load")
    checked(page)
    log_out(page)

    # The counsellor sees both and schedules the review from the request.
    log_in(page, live_server, world.user(Role.COUNSELLOR).email, factories.PASSWORD)
    page.goto(live_server + support)
    expect(page.get_by_test_id("measures")).to_contain_text("Ekstra vejledningstid")
    expect(page.get_by_test_id("student-help-requests")).to_contain_text(REASON)
    page.goto(live_server + "/help-requests")
    page.wait_for_load_state("load")
    checked(page)
    row = page.locator("[data-testid^=help-request-]").first
    expect(row).to_contain_text(REASON)
    click_and_wait(
        page,
        row.locator("[data-testid^=schedule-help-]"),
        path_is(f"/students/{student.id}/reviews/new"),
    )
    page.wait_for_load_state("load")
    expect(page.get_by_test_id("answers-help-request")).to_be_visible()
    expect(page.locator("#agenda")).to_contain_text(REASON)
    expect(page.locator(f"#participant-{world.user(Role.SUPERVISOR).id}")).to_be_checked()
    checked(page)
    page.locator("#on_date").fill((date.today() + timedelta(days=4)).isoformat())
    page.locator("#location").fill("Plejecentret")
    click_and_wait(
        page,
        page.get_by_test_id("schedule-review"),
        lambda url: "/reviews/" in url and not url.endswith("/new") and "help_request" not in url,
    )
    page.goto(live_server + support)
    expect(page.get_by_test_id("student-help-requests")).to_contain_text("Planlagt")
    page.goto(live_server + "/help-requests")
    expect(page.get_by_test_id("nothing")).to_be_visible()
    browser_problems.assert_none()
