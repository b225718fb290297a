"""The student's consent page in headless Chromium, at desktop and phone width: the student
gives SPS consent to their employer and withdraws it again. Checked with axe, and the page
must not scroll sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.models import Role
from tests import factories
from tests.e2e.helpers import checked, log_in

pytestmark = pytest.mark.e2e

SIZES = [(1280, 900), (390, 844)]


@pytest.mark.parametrize("width,height", SIZES)
def test_the_student_gives_and_withdraws_consent(
    live_server, page, browser_problems, world, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, live_server, world.a.users[Role.STUDENT].email, factories.PASSWORD)
    page.goto(f"{live_server}/me/")
    expect(page.get_by_test_id("consent-summary")).to_contain_text("intet samtykke")
    checked(page)
    page.get_by_role("link", name="Se og ændr dine samtykker").click()
    expect(page.get_by_test_id("consent-text-version")).to_contain_text("Samtykketekst version")
    checked(page)

    card = page.get_by_test_id(f"consent-sps-{world.a.municipality.id}")
    card.get_by_role("button", name="Giv samtykke").click()
    expect(page.locator("#main-content")).to_contain_text("Dit samtykke er givet")
    expect(card).to_contain_text("Givet af eleven i Elevsag")
    checked(page)

    page.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="Træk samtykke tilbage").click()
    expect(page.locator("#main-content")).to_contain_text("Dit samtykke er trukket tilbage")
    expect(card).to_contain_text("Deles ikke")
    browser_problems.assert_none()
