"""End to end in headless Chromium: a case review between school and municipality.

The counsellor schedules a review with the municipality's training coordinator and writes the
minutes; the coordinator adds an action item and downloads the minutes as PDF. Elements are
found by id, data-testid or URL, never by their (translated) text.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from app.models import Role
from tests import factories
from tests.e2e.helpers import click_and_wait, log_in, log_out, path_is

pytestmark = pytest.mark.e2e

MINUTES = "Eleven trives bedre efter skift af vagtplan. SENTINEL-REFERAT-5b7e"
ACTION = "Aftal nyt forløb med oplæringsvejlederen. SENTINEL-HANDLING-2c9a"


def test_review_scheduled_minutes_action_item_and_pdf(live_server, page, browser_problems, world):
    counsellor = world.user(Role.COUNSELLOR, "a")
    coordinator = world.user(Role.TRAINING_COORDINATOR, "a")
    student = world.a.student
    day = date.today()  # minutes can be written from the review's date on
    due = date.today() + timedelta(days=21)

    # The counsellor schedules the review with the coordinator.
    log_in(page, live_server, counsellor.email, factories.PASSWORD)
    new_path = f"/students/{student.id}/reviews/new"
    page.goto(live_server + new_path)
    expect(page.locator("#agenda")).not_to_be_empty()  # pre-filled from the case
    page.locator("#on_date").fill(day.isoformat())
    page.locator("#location").fill("Skolen, lokale 12")
    page.locator(f"#participant-{coordinator.id}").check()
    review_path = re.compile(rf"/students/{student.id}/reviews/(\d+)$")
    click_and_wait(
        page,
        page.get_by_test_id("schedule-review"),
        lambda url: review_path.search(url.split("?")[0]) is not None,
    )
    review_id = int(review_path.search(page.url).group(1))
    path = f"/students/{student.id}/reviews/{review_id}"
    expect(page.get_by_test_id("participants")).to_contain_text(coordinator.name)
    expect(page.get_by_test_id("review-status")).to_have_attribute("data-status", "planned")

    # The counsellor writes the minutes; the review is held.
    click_and_wait(page, page.get_by_test_id("edit-review"), path_is(path + "/edit"))
    page.locator("#minutes").fill(MINUTES)
    page.locator("#decisions").fill("Ugentlig opfølgning.")
    page.locator("#outcome").select_option("extra_support")
    click_and_wait(page, page.get_by_test_id("save-minutes"), path_is(path))
    expect(page.get_by_test_id("minutes")).to_contain_text(MINUTES)
    expect(page.get_by_test_id("review-status")).to_have_attribute("data-status", "held")
    log_out(page)

    # The coordinator sees the minutes and adds an action item for the counsellor.
    log_in(page, live_server, coordinator.email, factories.PASSWORD)
    page.goto(live_server + path)
    expect(page.get_by_test_id("minutes")).to_contain_text(MINUTES)
    form = page.get_by_test_id("action-item-form")
    form.locator("#text").fill(ACTION)
    form.locator("#owner").select_option(str(counsellor.id))
    form.locator("#due_date").fill(due.isoformat())
    with page.expect_navigation():
        page.get_by_test_id("add-action-item").click()
    expect(page.get_by_test_id("action-items")).to_contain_text(ACTION)

    # The minutes download as a PDF with the minutes and the action item in it.
    with page.expect_download() as download_info:
        page.get_by_test_id("review-pdf").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages))
    assert re.sub(r"\s+", "", MINUTES) in text
    assert "SENTINEL-HANDLING-2c9a" in text
    log_out(page)

    # The counsellor finds the item among "my action items".
    log_in(page, live_server, counsellor.email, factories.PASSWORD)
    page.goto(live_server + "/action-items")
    expect(page.get_by_test_id("my-action-items")).to_contain_text(ACTION)
    browser_problems.assert_none()


def test_pseudonymised_meeting_case_and_the_deliberate_open(
    live_server, page, browser_problems, world
):
    """The meeting links to the pseudonymised case, never to the named page; the named case
    opens by its button."""
    from app.extensions import db
    from tests.factories import review_objects

    review_objects(world.a)
    world.a.review.meeting_id = world.a.meeting.id
    db.session.commit()
    student = world.a.student
    coordinator = world.user(Role.TRAINING_COORDINATOR, "a")

    log_in(page, live_server, coordinator.email, factories.PASSWORD)
    page.goto(live_server + f"/meetings/{world.a.meeting.id}")
    assert "/students/" + str(student.id) not in page.content()
    case_path = f"/meetings/{world.a.meeting.id}/cases/1"
    click_and_wait(page, page.get_by_test_id("case-1").locator("a"), path_is(case_path))
    expect(page.get_by_test_id("case-facts")).to_be_visible()
    assert student.last_name not in page.content()
    review_path = f"/students/{student.id}/reviews/{world.a.review.id}"
    click_and_wait(
        page, page.get_by_test_id("open-named-case").locator("button"), path_is(review_path)
    )
    expect(page.locator("h1")).to_contain_text(student.last_name)
    browser_problems.assert_none()
