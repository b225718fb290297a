"""End to end in headless Chromium: a form submitted with errors shows DKFDS's error summary,
focused, with a link per error that moves focus to its field; at desktop and phone width.
Elements are found by id, data-testid or URL, never by their (translated) text."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.models import Role
from tests import factories
from tests.e2e.helpers import click_and_wait, log_in, path_is

pytestmark = pytest.mark.e2e

# Set ELEVSAG_SHOTS to a folder to keep a screenshot of each width (for a person to look at).
SHOTS = os.environ.get("ELEVSAG_SHOTS")


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)])
def test_an_empty_note_shows_a_focused_error_summary_that_links_to_the_field(
    live_server, page, browser_problems, world, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    student = world.a.student
    log_in(page, live_server, world.user(Role.COUNSELLOR, "a").email, factories.PASSWORD)
    new_note = f"/students/{student.id}/notes/new"
    page.goto(live_server + new_note)
    expect(page.get_by_test_id("error-summary")).to_have_count(0)
    expect(page.get_by_test_id("required-body")).to_be_visible()  # marked before any error

    click_and_wait(page, page.locator("form:has(#body) button[type=submit]"), path_is(new_note))
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_visible()
    expect(page.get_by_test_id("error-body")).to_be_visible()
    # DKFDS's JavaScript moved focus to the summary when the page loaded.
    assert page.evaluate(
        "document.querySelector('[data-testid=\"error-summary\"]').contains(document.activeElement)"
    )
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/errs-{width}.png", full_page=True)

    link = summary.locator('a[href="#body"]')
    expect(link).to_have_count(1)
    link.click()
    expect(page.locator("#body")).to_be_focused()
    expect(page.locator("label[for=body]")).to_be_in_viewport()
    browser_problems.assert_none()
