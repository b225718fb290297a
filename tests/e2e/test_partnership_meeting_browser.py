"""End to end in headless Chromium, at desktop and phone width: the partnership coordinator of
the anchor municipality looks at the dashboard, opens the action plan, holds a quarterly
meeting that records a decision marking an initiative done, and downloads the minutes as PDF.
axe checks the pages. Elements are found by id, data-testid or URL, never by their
(translated) text."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from app.extensions import db
from app.models import InitiativeStatus, Role
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

DECISION = "Mentorordningen er gennemført. SENTINEL-DECISION-4b2e"


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_coordinator_holds_a_meeting_that_marks_an_initiative_done(
    live_server, page, browser_problems, world, size
):
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    coordinator = world.user(Role.PARTNERSHIP_COORDINATOR, "a")
    partnership, plan, initiative = world.a.partnership, world.a.plan, world.a.initiative
    initiative.deadline = date.today() + timedelta(days=20)  # due: on the agenda
    db.session.commit()
    log_in(page, live_server, coordinator.email, factories.PASSWORD)
    problems: list[str] = []

    # The dashboard of the coordinator's partnership, with its charts. Wide tables scroll in
    # their own container; the page itself must not.
    page.goto(live_server + "/overview")
    expect(page.locator("figure.indicator-chart svg").first).to_be_visible()
    assert_fits(page, why=f"the dashboard overflows at {width} px")
    problems += axe_findings(page)

    page.goto(live_server + f"/partnership/{partnership.id}")
    click_and_wait(
        page,
        page.get_by_test_id("plans").locator("a").first,
        path_is(f"/partnership/plans/{plan.id}"),
    )
    expect(page.get_by_test_id(f"initiative-{initiative.id}")).to_be_visible()

    page.goto(live_server + f"/partnership/{partnership.id}")
    click_and_wait(
        page,
        page.get_by_test_id("new-meeting"),
        path_is(f"/partnership/{partnership.id}/meetings/new"),
    )
    page.locator("#on_date").fill(date.today().isoformat())
    page.locator("#at_time").fill("10.00")
    page.locator("#place").fill("Rådhuset, lokale 2")
    problems += axe_findings(page)
    click_and_wait(
        page, page.get_by_test_id("save-meeting"), lambda url: url.endswith("/invitations")
    )
    meeting_path = page.url.split(live_server, 1)[1].rsplit("/invitations", 1)[0]
    problems += axe_findings(page)
    click_and_wait(page, page.get_by_test_id("save-invitations"), path_is(meeting_path))

    agenda = page.get_by_test_id("agenda")
    expect(agenda.locator(f"a[href='/partnership/initiatives/{initiative.id}']")).to_be_visible()
    assert_fits(page, check=TABLES_FIT, why=f"the meeting page overflows at {width} px")
    problems += axe_findings(page)

    page.locator("#decision_text").fill(DECISION)
    page.locator("#decision_initiative").select_option(str(initiative.id))
    page.locator("#decision_new_status").select_option("done")
    with page.expect_navigation():
        page.get_by_test_id("add-decision").click()
    expect(page.get_by_test_id("decisions")).to_contain_text(DECISION)

    page.once("dialog", lambda dialog: dialog.accept())  # "Mark the meeting as held?"
    with page.expect_navigation():
        page.locator(f"form[action='{meeting_path}/held'] button").click()
    expect(page.locator(f"form[action='{meeting_path}/held']")).to_have_count(0)
    problems += axe_findings(page)

    with page.expect_download() as download:
        page.get_by_test_id("minutes-pdf").click()
    with open(download.value.path(), "rb") as pdf:
        text = "".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "SENTINEL-DECISION-4b2e" in text.replace("\n", "")

    db.session.expire_all()
    assert initiative.status == InitiativeStatus.DONE
    page.goto(live_server + f"/partnership/initiatives/{initiative.id}")
    expect(page.get_by_test_id("notes")).to_contain_text(DECISION)
    assert problems == []
    browser_problems.assert_none()
