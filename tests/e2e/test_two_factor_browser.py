"""End to end in headless Chromium, at desktop and phone width: a counsellor is sent to set up
two-factor login, scans (reads) the QR code's key, keeps the recovery codes, and logs in again
with a code; the confirmation page before an export fits the phone too."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from playwright.sync_api import expect

from app.models import Role
from app.models.base import utcnow
from tests import factories
from tests.e2e.helpers import assert_fits, click_and_wait, log_in, log_out, path_is

pytestmark = pytest.mark.e2e

WIDTHS = [(1280, 900), (390, 844)]


@pytest.mark.parametrize("width,height", WIDTHS)
def test_set_up_two_factor_login_and_log_in_with_a_code(
    app, live_server, page, browser_problems, world, width, height
):
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = None  # as in production
    page.set_viewport_size({"width": width, "height": height})
    counsellor = world.user(Role.COUNSELLOR, "a")

    log_in(page, live_server, counsellor.email, factories.PASSWORD)
    page.wait_for_url(path_is("/account/two-factor/enrol"))
    expect(page.get_by_test_id("two-factor-required")).to_be_visible()
    expect(page.locator("svg.two-factor-qr")).to_be_visible()
    assert_fits(page, width)
    secret = page.get_by_test_id("two-factor-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.locator("#code").fill("000000")
    page.get_by_role("button", name="Slå totrinslogin til").click()
    expect(page.get_by_test_id("error-code")).to_contain_text("Koden er ikke rigtig")
    page.locator("#code").fill(totp.now())
    page.get_by_role("button", name="Slå totrinslogin til").click()
    expect(page.get_by_test_id("recovery-codes").locator("code")).to_have_count(10)
    assert_fits(page, width)
    # On to the page the counsellor was going to (the front page), then the account page.
    click_and_wait(
        page, page.get_by_role("link", name="Jeg har gemt koderne"), path_is("/my-overview")
    )
    if page.get_by_test_id("two-factor-link").is_visible():  # in the header on a desktop
        page.get_by_test_id("two-factor-link").click()
    else:  # in the menu drawer on a phone
        page.get_by_test_id("menu-open").click()
        page.get_by_test_id("mobile-drawer").get_by_role("link", name="Totrinslogin").click()
    expect(page.get_by_test_id("two-factor-status")).to_contain_text("slået til")

    log_out(page)
    page.goto(live_server + "/")
    page.locator("#email").fill(counsellor.email)
    page.locator("#password").fill(factories.PASSWORD)
    click_and_wait(
        page, page.locator("form[action$='/login']").get_by_role("button"), path_is("/login/code")
    )
    assert_fits(page, width)
    page.locator("#code").fill(totp.at(utcnow() + timedelta(seconds=30)))
    click_and_wait(
        page, page.get_by_role("button", name="Fortsæt"), lambda url: "/login" not in url
    )

    page.goto(live_server + f"/account/confirm?next=/students/{world.a.student.id}/support.csv")
    expect(page.locator("#code")).to_be_visible()
    assert_fits(page, width)
