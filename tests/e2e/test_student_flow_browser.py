"""Issue 19's main flow in headless Chromium at phone width: the student logs in, gives
consent for SPS to the workplace's municipality, reads and acknowledges a warning and writes a
reflection; the practice supervisor then sees the SPS measure and the reflection. Every page
is checked with axe and must not scroll sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.models import Role
from tests import factories
from tests.e2e.helpers import checked, log_in

pytestmark = pytest.mark.e2e

MEASURE = "Bærbar med AppWriter, side A"  # the world's SPS measure of side A's student
REFLECTION = "Jeg lærte at bruge liften sikkert, men aftenvagten var hård."


def test_the_student_consents_acknowledges_and_reflects_and_the_supervisor_sees_it(
    live_server, page, browser_problems, world
):
    side = world.a
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, side.users[Role.STUDENT].email, factories.PASSWORD)
    expect(page.locator("h1")).to_have_text("Mit forløb")
    checked(page)

    # Consent: SPS to the employer that runs the workplace.
    page.get_by_role("link", name="Se og ændr dine samtykker").click()
    card = page.get_by_test_id(f"consent-sps-{side.municipality.id}")
    card.get_by_role("button", name="Giv samtykke").click()
    expect(card).to_contain_text("Givet af eleven i Elevsag")
    checked(page)

    # The warning: read it and acknowledge.
    page.goto(f"{live_server}/me/")
    page.get_by_test_id(f"my-warning-{side.warning.id}").get_by_role("link").click()
    expect(page.get_by_test_id("warning-deadline")).to_be_visible()
    checked(page)
    page.get_by_role("button", name="Jeg har læst varslingen").click()
    expect(page.get_by_test_id("warning-read")).to_contain_text("Du bekræftede")

    # A reflection in the learning log of the training period under way.
    page.goto(f"{live_server}/me/")
    page.get_by_test_id("write-reflection").click()
    page.get_by_label("Din refleksion").fill(REFLECTION)
    page.get_by_role("button", name="Gem refleksion").click()
    expect(page.get_by_test_id("reflections")).to_contain_text(REFLECTION)
    checked(page)
    browser_problems.assert_none()

    # The practice supervisor, on the next request, sees the measure and the reflection.
    page.context.clear_cookies()
    log_in(page, live_server, side.users[Role.SUPERVISOR].email, factories.PASSWORD)
    page.goto(f"{live_server}/students/{side.student.id}/support")
    expect(page.locator("#main-content")).to_contain_text(MEASURE)
    checked(page)
    page.goto(
        f"{live_server}/students/{side.student.id}/periods/{side.training_period.id}/training"
    )
    expect(page.get_by_test_id("reflections")).to_contain_text(REFLECTION)
    expect(page.get_by_test_id(f"warning-{side.warning.id}")).to_contain_text("Læst af eleven")
    checked(page)
    browser_problems.assert_none()
