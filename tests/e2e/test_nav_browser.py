"""End to end in headless Chromium: the main menu, the user's name and Log out on phones and
tablets. Below DKFDS's desktop breakpoint (992 px) a menu button opens DKFDS's menu drawer with
the same entries; at desktop width the menu is shown without the button.
Elements are found by id, data-testid or URL, never by their (translated) text."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from app.models import Role
from tests import factories
from tests.e2e.helpers import assert_fits, click_and_wait, log_in, path_is

pytestmark = pytest.mark.e2e

SHOTS = os.environ.get("ELEVSAG_SHOTS_DIR")  # set it to keep screenshots of the open drawer


def open_drawer(page):
    page.get_by_test_id("menu-open").click()
    drawer = page.get_by_test_id("mobile-drawer")
    expect(drawer).to_be_visible()
    expect(page.get_by_test_id("menu-close")).to_be_focused()
    return drawer


@pytest.mark.parametrize("width,height", [(390, 844), (820, 1180)])
def test_a_supervisor_on_a_phone_or_tablet_reaches_the_menu_and_logs_out_in_the_drawer(
    live_server, page, browser_problems, world, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    supervisor = world.user(Role.SUPERVISOR, "a")
    log_in(page, live_server, supervisor.email, factories.PASSWORD)

    # The desktop menu and user box are hidden; the menu button replaces them.
    expect(page.locator("header nav.navigation-menu")).to_be_hidden()
    expect(page.get_by_test_id("current-user")).to_be_hidden()
    expect(page.get_by_test_id("mobile-drawer")).to_be_hidden()
    menu_button = page.get_by_test_id("menu-open")
    expect(menu_button).to_be_visible()
    expect(menu_button).to_have_attribute("aria-haspopup", "dialog")

    # Keyboard: Enter opens, focus is trapped in the drawer, Escape closes and returns focus.
    menu_button.focus()
    page.keyboard.press("Enter")
    drawer = page.get_by_test_id("mobile-drawer")
    expect(drawer).to_be_visible()
    expect(page.get_by_test_id("menu-close")).to_be_focused()
    page.keyboard.press("Shift+Tab")  # from the first stop round to the last: Log out
    expect(page.get_by_test_id("drawer-log-off").get_by_role("button")).to_be_focused()
    page.keyboard.press("Tab")  # and on round to the first again
    expect(page.get_by_test_id("menu-close")).to_be_focused()
    page.keyboard.press("Escape")
    expect(drawer).to_be_hidden()
    expect(menu_button).to_be_focused()

    # The drawer holds the user's name and role, the menu and Log out.
    drawer = open_drawer(page)
    expect(drawer.get_by_test_id("drawer-current-user")).to_contain_text(supervisor.name)
    expect(drawer.locator(".user .small-text")).not_to_have_count(0)
    if SHOTS:  # after the drawer's slide-in and the overlay's fade
        page.evaluate("Promise.all(document.getAnimations().map((a) => a.finished))")
        page.screenshot(path=os.path.join(SHOTS, f"nav-{width}-open.png"))
    page.get_by_test_id("menu-close").click()
    expect(drawer).to_be_hidden()

    # Starting soon, through the drawer; the drawer is closed on the new page.
    drawer = open_drawer(page)
    click_and_wait(page, drawer.locator("a[href='/starting-soon']"), path_is("/starting-soon"))
    expect(page.get_by_test_id("mobile-drawer")).to_be_hidden()
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"nav-{width}-closed.png"))

    # The notifications page, through the drawer.
    drawer = open_drawer(page)
    notifications = drawer.get_by_test_id("drawer-nav-notifications")
    click_and_wait(page, notifications, path_is("/notifications"))

    # Log out of a shared device, through the drawer.
    drawer = open_drawer(page)
    log_out_button = drawer.get_by_test_id("drawer-log-off").get_by_role("button")
    click_and_wait(page, log_out_button, path_is("/login"))
    expect(page.locator("#email")).to_be_visible()
    assert page.get_by_test_id("current-user").count() == 0
    assert page.get_by_test_id("menu-open").count() == 0
    assert_fits(page, width)
    browser_problems.assert_none()


def test_at_desktop_width_the_menu_is_shown_without_the_button(
    live_server, page, browser_problems, world
):
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, world.user(Role.SUPERVISOR, "a").email, factories.PASSWORD)
    expect(page.get_by_test_id("menu-open")).to_be_hidden()
    expect(page.get_by_test_id("mobile-drawer")).to_be_hidden()
    menu = page.locator("header nav.navigation-menu")
    expect(menu).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_be_visible()
    click_and_wait(page, menu.locator("a[href='/starting-soon']"), path_is("/starting-soon"))
    expect(page.get_by_test_id("nav-notifications")).to_be_visible()
    browser_problems.assert_none()
