"""End to end in headless Chromium, at desktop and phone width: the partnership coordinator of
the anchor municipality opens the dimensioning from the partnership page, enters the agreed
places, is refused a number that is not whole and sees it saved in the table. Both pages fit
the width and pass axe. Elements are found by id, data-testid or URL, never by their text."""

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
from tests.e2e.test_partnership_browser import SIZES

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_coordinator_enters_the_agreed_places(live_server, page, browser_problems, world, size):
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    coordinator = world.user(Role.PARTNERSHIP_COORDINATOR, "a")
    partnership, municipality = world.a.partnership, world.a.municipality
    log_in(page, live_server, coordinator.email, factories.PASSWORD)

    table_path = f"/partnership/{partnership.id}/dimensioning"
    page.goto(live_server + f"/partnership/{partnership.id}")
    click_and_wait(page, page.get_by_test_id("dimensioning-link"), path_is(table_path))
    assert_fits(page, check=TABLES_FIT, why=f"the dimensioning table overflows at {width} px")
    problems = axe_findings(page)

    click_and_wait(page, page.get_by_test_id("edit-dimensioning"), path_is(table_path + "/edit"))
    page.locator(f"#ssa_{municipality.id}").fill("12,5")
    page.locator(f"#ssh_{municipality.id}").fill("4")
    click_and_wait(page, page.get_by_test_id("save-agreed"), path_is(table_path + "/edit"))
    expect(page.get_by_test_id(f"error-ssa_{municipality.id}")).to_be_visible()
    expect(page.locator(f"#ssa_{municipality.id}")).to_have_value("12,5")
    # The form comes back at the same address (click_and_wait's URL was already matched):
    # assert_fits lets it settle before measuring.
    assert_fits(page, check=TABLES_FIT, why=f"the form overflows at {width} px")
    problems += axe_findings(page)

    page.locator(f"#ssa_{municipality.id}").fill("12")
    click_and_wait(page, page.get_by_test_id("save-agreed"), path_is(table_path))
    row = page.get_by_test_id(f"row-{municipality.id}")
    expect(row.get_by_test_id("agreed-SSA")).to_have_text("12")
    expect(row.get_by_test_id("agreed-SSH")).to_have_text("4")
    assert problems == []
    browser_problems.assert_none()
