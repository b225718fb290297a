"""End to end in headless Chromium, at desktop and phone width: "Forgot password?" from the
login page, the link in the mail, a refused weak password, the new password, and "My
sessions" with the session of another browser ended."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.mail.delivery import deliver_due
from app.models import Role
from tests import factories
from tests.auth.mails import link_in, path_of
from tests.e2e.helpers import assert_fits, click_and_wait, log_in, path_is
from tests.mail.conftest import smtp_server  # noqa: F401

pytestmark = pytest.mark.e2e

WIDTHS = [(1280, 900), (390, 844)]
NEW_PASSWORD = "tre-blå-tekopper-på-hylden"


@pytest.mark.parametrize("width,height", WIDTHS)
def test_forgot_password_to_a_new_password_and_my_sessions(
    browser,
    live_server,
    page,
    browser_problems,
    world,
    smtp_server,  # noqa: F811 (the fixture imported above)
    width,
    height,
):
    page.set_viewport_size({"width": width, "height": height})
    teacher = world.user(Role.TEACHER, "a")
    # Another browser where the teacher is logged in: the new password ends that session too.
    other = browser.new_context()
    other_page = other.new_page()
    log_in(other_page, live_server, teacher.email, factories.PASSWORD)

    page.goto(live_server + "/login")
    click_and_wait(page, page.get_by_test_id("forgot-password"), path_is("/password/forgot"))
    assert_fits(page, width)
    page.locator("#email").fill(teacher.email)
    page.get_by_role("button", name="Send link").click()
    expect(page.get_by_test_id("reset-requested")).to_be_visible()

    deliver_due()
    [message] = smtp_server.messages
    path = path_of(link_in(message))
    page.goto(live_server + path)
    assert_fits(page, width)
    page.locator("#password").fill("password1234")
    page.locator("#confirm").fill("password1234")
    page.get_by_role("button", name="Gem adgangskode").click()
    expect(page.get_by_test_id("error-password")).to_contain_text("mest almindelige")
    page.locator("#password").fill(NEW_PASSWORD)
    page.locator("#confirm").fill(NEW_PASSWORD)
    click_and_wait(page, page.get_by_role("button", name="Gem adgangskode"), path_is("/login"))
    expect(page.get_by_text("du er logget ud overalt")).to_be_visible()

    other_page.goto(live_server + "/students/")
    assert path_is("/login")(other_page.url)
    log_in(other_page, live_server, teacher.email, NEW_PASSWORD)

    log_in(page, live_server, teacher.email, NEW_PASSWORD)
    page.goto(live_server + "/account/sessions")
    assert_fits(page, width)
    expect(page.get_by_test_id("current-session")).to_contain_text("denne session")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Afslut alle andre sessioner").click()
    expect(page.get_by_text("Dine andre sessioner er afsluttet.")).to_be_visible()
    other_page.goto(live_server + "/students/")
    assert path_is("/login")(other_page.url)
    other.close()
    db.session.remove()
    browser_problems.assert_none()
