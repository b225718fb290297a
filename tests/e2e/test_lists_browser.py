"""End to end in headless Chromium: the lists people use on a phone fit its width. Below
768 px DKFDS stacks each row, with the column headers beside the values."""

from __future__ import annotations

import pytest

from app.models import Role
from tests import factories
from tests.e2e.helpers import TABLES_FIT, assert_fits, log_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    "role,path,table",
    [
        (Role.SUPERVISOR, "/students/", "student-table"),
        (Role.COUNSELLOR, "/students/", "student-table"),
        (Role.TRAINING_COORDINATOR, "/students/", "student-table"),
    ],
)
def test_lists_fit_a_phone_and_label_each_value(
    live_server, page, browser_problems, world, role, path, table
):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, world.user(role, "a").email, factories.PASSWORD)
    page.goto(live_server + path)
    rows = page.get_by_test_id(table).locator("tbody tr")
    assert rows.count() >= 1
    assert_fits(page, check=TABLES_FIT, why="the page or a table is wider than the phone")
    # Each stacked value carries its column's header (DKFDS writes it into data-title).
    first_cell = rows.first.locator("td").first
    assert first_cell.get_attribute("data-title")
    browser_problems.assert_none()
