"""Helpers for the browser tests: what counts as a problem in the browser, and navigation."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

UrlMatcher = str | re.Pattern | Callable[[str], bool]

# Sub-resources that must load; a page itself may answer 4xx on purpose.
SUBRESOURCES = {"script", "stylesheet", "font", "image"}


@dataclass
class BrowserProblems:
    """What went wrong in the browser: console errors (Chromium logs CSP refusals and failed
    loads there too), uncaught script errors, CSP violations reported by the page, and
    sub-resources that did not load. `responses` keeps (path, status) of every response."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    failed_resources: list[str] = field(default_factory=list)
    responses: list[tuple[str, int]] = field(default_factory=list)

    def all(self) -> list[str]:
        return [
            *(f"console error: {m}" for m in self.console_errors),
            *(f"page error: {m}" for m in self.page_errors),
            *(f"CSP violation: {m}" for m in self.csp_violations),
            *(f"failed to load: {m}" for m in self.failed_resources),
        ]

    def assert_none(self) -> None:
        assert self.all() == [], "problems in the browser:\n" + "\n".join(self.all())

    def loaded_ok(self, path: str) -> bool:
        return (path, 200) in self.responses

    def watch(self, page) -> None:
        def on_console(message) -> None:
            if message.type == "error":
                self.console_errors.append(f"{message.text} ({urlsplit(page.url).path})")

        def on_response(response) -> None:
            path = urlsplit(response.url).path
            self.responses.append((path, response.status))
            if response.status >= 400 and response.request.resource_type in SUBRESOURCES:
                self.failed_resources.append(f"{path} ({response.status})")

        def on_request_failed(request) -> None:
            # Leaving a page can abort what it was still loading; that is not a fault.
            if request.failure and "ERR_ABORTED" not in request.failure:
                self.failed_resources.append(f"{urlsplit(request.url).path} ({request.failure})")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("response", on_response)
        page.on("requestfailed", on_request_failed)


def path_is(path: str) -> Callable[[str], bool]:
    """A URL matcher for page.wait_for_url: exactly this path, any query string."""
    return lambda url: urlsplit(url).path == path


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def click_and_wait(page, locator, url: UrlMatcher) -> None:
    """Click something that navigates and wait until the page at `url` has loaded.

    `url` must not match the current page, or the wait ends at once.
    """
    locator.click()
    page.wait_for_url(url)


def log_in(page, base_url: str, email: str, password: str) -> None:
    """Open the front page, get sent to the login page, log in and land behind it."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.goto(base_url + "/")
    assert urlsplit(page.url).path == "/login", f"expected the login page, got {page.url}"
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("form[action$='/login']").get_by_role("button").click()
    try:
        page.wait_for_url(lambda url: urlsplit(url).path != "/login")
    except PlaywrightTimeout:
        errors = page.locator(".form-error-message").all_inner_texts()
        raise AssertionError(f"logging in as {email} failed: {errors}") from None


def log_out(page) -> None:
    """Log out with the button in the page header; the login page must follow.

    Below DKFDS's desktop breakpoint the button is in the menu drawer, so open that first."""
    menu_button = page.get_by_test_id("menu-open")
    if menu_button.is_visible():
        menu_button.click()
        button = page.get_by_test_id("drawer-log-off").get_by_role("button")
    else:
        button = page.locator("header .portal-user form.log-off").get_by_role("button")
    click_and_wait(page, button, path_is("/login"))
    assert page.locator("#email").is_visible()
    assert page.locator("#password").is_visible()
    assert page.get_by_test_id("current-user").count() == 0
