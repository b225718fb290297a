"""Helpers for the browser tests: what counts as a problem in the browser, and navigation."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from axe_playwright_python.sync_playwright import Axe

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


def settled(page) -> None:
    """Wait until the page has loaded, stylesheets and fonts included: before that the layout
    is not the one people see (every link text-sized, the phone's menu button shown on a
    desktop)."""
    page.wait_for_load_state("load")
    page.evaluate("() => document.fonts.ready.then(() => true)")


def assert_fits(page, width: int | None = None, check: str | None = None, why: str = "") -> None:
    """Nothing on the page is wider than the viewport (WCAG 1.4.10, reflow), once it has
    settled: measured before the stylesheet has applied, an unstyled table is wider than a
    phone (seen in CI: 552 px at 390, right after a form's redirect). `width`: the viewport's
    width, where the test knows it; `check`: a stricter test than FITS (TABLES_FIT)."""
    settled(page)
    message = why or f"{page.url} is wider than the screen"
    if width is not None:
        assert page.evaluate("document.documentElement.scrollWidth") <= width, message
    assert page.evaluate(check or FITS), message


def log_out(page) -> None:
    """Log out with the button in the page header; the login page must follow.

    Below DKFDS's desktop breakpoint the button is in the menu drawer, so open that first
    (which one is shown is only known once the stylesheet has applied)."""
    settled(page)
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


# --- axe-core -------------------------------------------------------------------------------

AXE_BLOCKING = frozenset({"serious", "critical"})
# axe's default rules, and three it leaves off by default: WCAG 2.2's minimum target size
# (24 px, for fingers on phones) and duplicate ids, which break labels and aria references.
AXE_OPTIONS = {
    "resultTypes": ["violations"],  # details of violations only
    "rules": {
        rule: {"enabled": True} for rule in ("target-size", "duplicate-id", "duplicate-id-active")
    },
}
FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"
# The page fits, and so does every table (a table may overflow a container that clips it).
TABLES_FIT = """() => document.documentElement.scrollWidth <= window.innerWidth && [
  ...document.querySelectorAll('table')].every(
    t => t.getBoundingClientRect().right <= window.innerWidth + 1)"""
_AXE = Axe()  # reads axe.min.js once


def violations_text(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"  {v['id']} ({v['impact']}): {v['help']}")
        lines.extend(f"    {node['target']}" for node in v["nodes"])
    return "\n".join(lines)


def axe_problems(page) -> str:
    """What axe-core finds serious or critical on the page, "" when nothing.

    It waits for the page to have loaded, fonts included: a page whose stylesheet has not
    applied yet has every link at text size, and target-size then flags all of them (a form
    posted and shown again answers before its stylesheet's revalidation comes back)."""
    settled(page)
    results = _AXE.run(page, options=AXE_OPTIONS).response
    if not results["passes"]:
        return f"axe found nothing to check on {page.url}"
    return violations_text([v for v in results["violations"] if v["impact"] in AXE_BLOCKING])


def checked(page) -> None:
    """For the flow tests: axe finds nothing serious on the page, and it fits the screen."""
    problems = axe_problems(page)
    assert problems == "", f"{page.url}:\n{problems}"
    assert page.evaluate(FITS), f"{page.url} is wider than the screen"


def axe_findings(page) -> list[str]:
    """`axe_problems` for a flow that collects and asserts at its end: one entry per page."""
    problems = axe_problems(page)
    return [f"{urlsplit(page.url).path}:\n{problems}"] if problems else []
