"""End to end in headless Chromium, at phone and desktop width: a supervisor opens
"E-mail-notifikationer" from the user menu, turns one kind off and saves. The page fits the
phone and axe finds no serious or critical violation."""

from __future__ import annotations

import pytest

from app.mail import notices
from app.models import MailChoice, NotificationKind, Role
from tests import factories
from tests.e2e.helpers import checked, click_and_wait, log_in, path_is

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", [390, 1280], ids=["phone", "desktop"])
def test_a_supervisor_turns_off_mail_about_concerns(
    live_server, page, browser_problems, world, width
):
    supervisor = world.a.users[Role.SUPERVISOR]
    page.set_viewport_size({"width": width, "height": 844})
    log_in(page, live_server, supervisor.email, factories.PASSWORD)
    if width < 1000:
        page.get_by_test_id("menu-open").click()
        link = page.get_by_test_id("drawer-mail-preferences-link")
    else:
        link = page.get_by_test_id("mail-preferences-link")
    click_and_wait(page, link, path_is("/account/e-mail"))
    checked(page)
    page.get_by_test_id("concern_recorded-off").check()
    with page.expect_navigation():  # saved, and shown again (the same address)
        page.get_by_test_id("save-mail-preferences").click()
    assert page.get_by_test_id("concern_recorded-off").is_checked()
    assert notices.choices(supervisor)[NotificationKind.CONCERN_RECORDED] == MailChoice.OFF
    browser_problems.assert_none()
