"""End to end in headless Chromium: a form sent with a forged CSRF token comes back with what
was typed and an error summary that moves focus to the field; the idle-logout warning appears
before the logout, "Stay logged in" keeps the session, and the end is announced; the language
is changed only by its button. At desktop and phone width."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.models import Role
from tests import factories
from tests.e2e.helpers import log_in, path_is

pytestmark = pytest.mark.e2e

WIDTHS = [(1280, 900), (390, 844)]
TEXT = "Samtale om praktikken – eleven vil gerne have mere vejledning."


@pytest.mark.parametrize("width,height", WIDTHS)
def test_a_forged_token_keeps_the_typed_note_and_the_summary_links_to_it(
    live_server, page, browser_problems, world, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, live_server, world.user(Role.COUNSELLOR, "a").email, factories.PASSWORD)
    new_note = f"/students/{world.a.student.id}/notes/new"
    page.goto(live_server + new_note)
    page.locator("#body").fill(TEXT)
    # As if the page had been open too long: the form's token no longer matches.
    page.locator("form:has(#body) input[name=csrf_token]").evaluate("e => e.value = 'forged'")
    page.locator("form:has(#body) button[type=submit]").click()
    page.wait_for_url(path_is(new_note))
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_visible()
    expect(page.locator("#body")).to_have_value(TEXT)
    assert page.evaluate(
        "document.querySelector('[data-testid=\"error-summary\"]').contains(document.activeElement)"
    )
    link = summary.locator('a[href="#body"]')
    expect(link).to_have_count(1)
    link.click()
    expect(page.locator("#body")).to_be_focused()
    # Sending again (the page has a fresh token) saves the note.
    page.locator("form:has(#body) button[type=submit]").click()
    page.wait_for_url(path_is(f"/students/{world.a.student.id}/case-file"))
    expect(page.get_by_text(TEXT)).to_be_visible()
    # The refused page answered 400 on purpose; Chromium reports that as a console error.
    refused = f"status of 400 (BAD REQUEST) ({new_note})"
    browser_problems.console_errors[:] = [
        e for e in browser_problems.console_errors if not e.endswith(refused)
    ]
    browser_problems.assert_none()


@pytest.mark.parametrize("width,height", WIDTHS)
def test_the_idle_warning_keeps_the_session_and_then_says_logged_out(
    app, live_server, page, browser_problems, world, width, height, monkeypatch
):
    # 12 seconds of idle time, the warning 8 seconds before the end.
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 0.2)
    monkeypatch.setitem(app.config, "SESSION_WARN_MINUTES", 8 / 60)
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, live_server, world.user(Role.COUNSELLOR, "a").email, factories.PASSWORD)
    page.goto(live_server + "/students/")
    warning = page.get_by_test_id("session-warning")
    ended = page.get_by_test_id("session-ended")
    expect(warning).to_be_hidden()
    expect(warning).to_be_visible(timeout=10_000)
    expect(warning.get_by_role("button")).to_be_in_viewport()
    with page.expect_response(lambda r: r.url.endswith("/session/keep-alive")) as answer:
        page.get_by_test_id("session-extend").click()
    assert answer.value.status == 200
    expect(warning).to_be_hidden()
    expect(warning).to_be_visible(timeout=10_000)  # counted from the button press
    expect(ended).to_be_visible(timeout=15_000)
    expect(warning).to_be_hidden()
    page.wait_for_timeout(1000)
    page.reload()
    assert path_is("/login")(page.url)  # the server logged the person out too
    browser_problems.assert_none()


def test_the_language_changes_only_with_its_button(live_server, page, browser_problems, world):
    log_in(page, live_server, world.user(Role.COUNSELLOR, "a").email, factories.PASSWORD)
    page.goto(live_server + "/students/")
    page.locator("#language").select_option("en")
    page.wait_for_timeout(500)
    assert page.evaluate("document.documentElement.lang") == "da"  # nothing was sent
    page.get_by_test_id("language-submit").click()
    page.wait_for_url(path_is("/students/"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    browser_problems.assert_none()
