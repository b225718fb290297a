"""End to end in headless Chromium: a note that looks like it holds a CPR number is saved only
after the writer confirms, with a checkbox drawn beside its label, at desktop and phone width.
Elements are found by id, data-testid or URL, never by their (translated) text."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.models import Role
from tests import factories
from tests.e2e.helpers import click_and_wait, log_in, path_is

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)])
def test_a_note_with_a_cpr_number_needs_a_visible_confirmation(
    live_server, page, browser_problems, world, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    student = world.a.student
    log_in(page, live_server, world.user(Role.COUNSELLOR, "a").email, factories.PASSWORD)
    new_note = f"/students/{student.id}/notes/new"
    page.goto(live_server + new_note)
    page.locator("#body").fill("Ring til eleven. Nummer 010190-1234 er et lånernummer.")
    click_and_wait(page, page.locator("form:has(#body) button[type=submit]"), path_is(new_note))
    expect(page.get_by_test_id("error-body")).to_be_visible()
    expect(page.locator("#body")).to_have_value(
        "Ring til eleven. Nummer 010190-1234 er et lånernummer."
    )

    # The box is drawn beside its own label, not somewhere else on the page.
    confirm = page.get_by_test_id("cpr-confirm-body")
    box = confirm.locator("input[type=checkbox]").bounding_box()
    label = confirm.locator("label").bounding_box()
    assert box and label
    assert label["x"] - 5 <= box["x"] <= label["x"] + 40
    assert abs((box["y"] + box["height"] / 2) - (label["y"] + label["height"] / 2)) < 20

    confirm.locator("label").click()  # a person clicks the label; the box follows
    expect(confirm.locator("input[type=checkbox]")).to_be_checked()
    click_and_wait(
        page,
        page.locator("form:has(#body) button[type=submit]"),
        path_is(f"/students/{student.id}/case-file"),
    )
    expect(page.locator("body")).to_contain_text("lånernummer")
    browser_problems.assert_none()
