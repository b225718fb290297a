"""A live server and headless Chromium (Debian's package, driven by Playwright).

Playwright's own browser download is not used: the tests launch the Chromium that Debian
installs at /usr/bin/chromium (or CHROMIUM_PATH). Without it the browser tests are skipped,
with the reason in the pytest summary (`make test` installs it when run as root).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from werkzeug.serving import make_server

from tests.e2e.helpers import BrowserProblems

CHROMIUM = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests may run as root (CI containers)
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Chromium must not try to reach Google's services from the test machine.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000  # for each action or wait; a healthy run needs a fraction of that

# Runs in every page before the page's own scripts. Playwright's init scripts are not subject
# to the page's Content-Security-Policy, so this reports every violation the page causes.
_REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__elevsagCspViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} on ${location.pathname}`
  );
});
"""


@contextmanager
def serve(app) -> Iterator[str]:
    """Serve `app` over HTTP on a free port in a background thread; yield the base URL.

    Requests run in their own app contexts, as in production, on the same database as the
    test (commit test data before the browser needs it).
    """
    server = make_server("127.0.0.1", 0, app, threaded=True)  # port 0: the OS picks a free one
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The session's app served over HTTP for one test; yields the base URL."""
    with serve(app) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def browser():
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(
            f"Chromium not found at {CHROMIUM}; install Debian's chromium "
            "(make test does it as root) or set CHROMIUM_PATH"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_problems() -> BrowserProblems:
    return BrowserProblems()


@pytest.fixture
def page(browser, browser_problems):
    """A fresh browser context (no cookies). Any browser problem fails the test at the end."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)

    def report_csp_violation(description: str) -> None:
        browser_problems.csp_violations.append(description)

    context.expose_function("__elevsagCspViolation", report_csp_violation)
    context.add_init_script(_REPORT_CSP_VIOLATIONS)
    page = context.new_page()
    browser_problems.watch(page)
    yield page
    context.close()
    browser_problems.assert_none()
