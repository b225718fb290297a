"""The student's warning and declaration pages, and the school's view of what the student did,
in headless Chromium at desktop and phone width: checked with axe, and no page scrolls
sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import Declaration, Role
from app.models.base import utcnow
from tests import factories
from tests.e2e.helpers import checked, log_in, log_out

pytestmark = pytest.mark.e2e

SIZES = [(1280, 900), (390, 844)]
LONG = "Kommunikationen med borgerne og kollegerne skal være tydeligere og mere respektfuld. " * 3


@pytest.mark.parametrize("width,height", SIZES)
def test_the_student_reads_comments_and_confirms_and_the_school_sees_it(
    live_server, page, browser_problems, world, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    side = world.a
    warning = side.warning
    warning.goals = factories.goals(side.student)[:3]
    warning.agreed_actions = LONG
    db.session.add(
        Declaration(
            period_id=side.training_period.id,
            approved=True,
            issued_at=utcnow(),
            issued_by_id=side.users[Role.SUPERVISOR].id,
        )
    )
    db.session.commit()
    student = side.users[Role.STUDENT]

    log_in(page, live_server, student.email, factories.PASSWORD)
    page.goto(f"{live_server}/me/")
    expect(page.get_by_test_id(f"my-warning-{warning.id}")).to_contain_text("Ikke læst")
    checked(page)
    page.get_by_test_id(f"my-warning-{warning.id}").get_by_role("link").click()
    expect(page.get_by_test_id("warning-actions")).to_contain_text("Kommunikationen")
    checked(page)
    page.get_by_role("button", name="Jeg har læst varslingen").click()
    expect(page.get_by_test_id("warning-read")).to_contain_text("Du bekræftede")
    page.get_by_role("button", name="Gem kommentar").click()  # empty: refused at the field
    expect(page.get_by_test_id("error-comment")).to_contain_text("Skriv din kommentar")
    checked(page)
    page.locator("#comment").fill("Jeg vil gerne have en ekstra samtale.")
    page.get_by_role("button", name="Gem kommentar").click()
    expect(page.locator("#main-content")).to_contain_text("Din kommentar er gemt.")

    page.goto(f"{live_server}/me/declarations/{side.training_period.id}")
    checked(page)
    page.get_by_role("button", name="Jeg har set erklæringen").click()
    expect(page.get_by_test_id("declaration-confirmed")).to_contain_text("Du bekræftede")
    log_out(page)

    log_in(page, live_server, side.users[Role.COUNSELLOR].email, factories.PASSWORD)
    page.goto(f"{live_server}/from-training")
    row = page.get_by_test_id(f"open-warning-{warning.id}")
    expect(row).to_contain_text("Læst af eleven")
    expect(row).to_contain_text("ekstra samtale")
    checked(page)
    page.goto(
        f"{live_server}/students/{side.student.id}/periods/{side.training_period.id}/training"
    )
    expect(page.get_by_test_id(f"warning-{warning.id}")).to_contain_text("Læst af eleven")
    checked(page)
