"""End to end in headless Chromium, at desktop and phone width: the partnership coordinator of
the anchor municipality opens the action plan, adds a progress note to an initiative and marks
it done. axe checks the plan and the initiative page. Elements are found by id, data-testid or
URL, never by their (translated) text."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.models import Role
from tests import factories
from tests.e2e.helpers import (
    TABLES_FIT,
    assert_fits,
    axe_findings,
    click_and_wait,
    log_in,
    path_is,
)

pytestmark = pytest.mark.e2e

SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
NOTE = "Tre mentorer er fundet. SENTINEL-NOTE-7d1f"


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_coordinator_opens_the_plan_adds_a_note_and_marks_an_initiative_done(
    live_server, page, browser_problems, world, size
):
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    coordinator = world.user(Role.PARTNERSHIP_COORDINATOR, "a")
    partnership, plan, initiative = world.a.partnership, world.a.plan, world.a.initiative
    log_in(page, live_server, coordinator.email, factories.PASSWORD)

    page.goto(live_server + "/partnership/")
    click_and_wait(
        page,
        page.get_by_test_id("partnerships").locator("a").first,
        path_is(f"/partnership/{partnership.id}"),
    )
    click_and_wait(
        page,
        page.get_by_test_id("plans").locator("a").first,
        path_is(f"/partnership/plans/{plan.id}"),
    )
    row = page.get_by_test_id(f"initiative-{initiative.id}")
    expect(row.get_by_test_id("status")).to_be_visible()
    assert_fits(page, check=TABLES_FIT, why=f"the plan overflows at {width} px")
    problems = axe_findings(page)

    initiative_path = f"/partnership/initiatives/{initiative.id}"
    click_and_wait(page, row.locator("a").first, path_is(initiative_path))
    page.locator("#text").fill(NOTE)
    click_and_wait(page, page.get_by_test_id("add-note"), path_is(initiative_path))
    expect(page.get_by_test_id("notes")).to_contain_text(NOTE)
    assert_fits(page, check=TABLES_FIT, why=f"the initiative page overflows at {width} px")
    problems += axe_findings(page)

    click_and_wait(page, page.get_by_test_id("edit-initiative"), path_is(initiative_path + "/edit"))
    page.locator("#status").select_option("done")
    click_and_wait(page, page.get_by_test_id("save-initiative"), path_is(initiative_path))

    page.goto(live_server + f"/partnership/plans/{plan.id}?status=done")
    expect(page.get_by_test_id(f"initiative-{initiative.id}")).to_be_visible()
    page.goto(live_server + f"/partnership/plans/{plan.id}?status=planned")
    expect(page.get_by_test_id(f"initiative-{initiative.id}")).to_have_count(0)
    assert problems == []
    browser_problems.assert_none()
