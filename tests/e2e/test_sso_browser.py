"""End to end in headless Chromium, at desktop and phone width: a municipality admin sets up
single sign-on with the organisation's OpenID Connect provider (the real in-test one of
tests/auth/oidc_provider.py, on loopback); logged out, an invited training coordinator presses
the organisation's button on the login page, the browser goes to the provider, which approves
at once, and comes back logged in. Someone the organisation has not invited gets the clear
Danish message instead. axe checks the settings page, the login page with its button and the
problem page; each fits the phone."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from app.models import Role
from tests import factories
from tests.auth.oidc_provider import Provider
from tests.e2e.helpers import assert_fits, axe_findings, click_and_wait, log_in, log_out, path_is

pytestmark = pytest.mark.e2e

SIZES = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.fixture
def provider(live_server, app):
    """The provider, accepting the live server's callbacks; Elevsag sends those (it builds its
    redirect URI from PUBLIC_BASE_URL, which the autouse fixture restores after the test)."""
    running = Provider().start()
    running.client.app_base = live_server
    app.config["PUBLIC_BASE_URL"] = live_server
    yield running
    running.stop()


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_admin_sets_up_single_sign_on_and_an_invited_user_logs_in_through_it(
    live_server, page, browser_problems, world, provider, size
):
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    municipality = world.a.municipality
    admin = world.user(Role.MUNICIPALITY_ADMIN, "a")
    coordinator = world.user(Role.TRAINING_COORDINATOR, "a")
    provider.user = {
        "sub": "broker-42",
        "email": coordinator.email.upper(),  # matched regardless of case
        "email_verified": True,
        "name": coordinator.name,
    }
    blocking: list[str] = []

    # The admin finds the settings from the administration page and saves the provider.
    settings = f"/admin/organisations/{municipality.id}/sso"
    log_in(page, live_server, admin.email, factories.PASSWORD)
    page.goto(live_server + "/admin/")
    click_and_wait(page, page.locator(f"#main-content a[href='{settings}']"), path_is(settings))
    # The redirect URI to register is the live server's, the one Elevsag will send.
    expect(page.get_by_test_id("sso-addresses")).to_contain_text(
        f"{live_server}/login/sso/{municipality.id}/callback"
    )
    assert_fits(page, width)
    page.locator("#provider_name").fill("MitID Erhverv")
    page.locator("#issuer").fill(provider.issuer)
    page.locator("#client_id").fill(provider.client.client_id)
    page.locator("#client_secret").fill(provider.client.client_secret)
    expect(page.locator("#enabled")).to_be_checked()
    expect(page.locator("#scopes")).to_have_value("openid email profile")
    page.locator("#main-content form[method=post] button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert urlsplit(page.url).path == settings
    # The secret is kept but never shown back.
    expect(page.locator("#client_secret")).to_have_value("")
    assert_fits(page, width)
    blocking += axe_findings(page)
    log_out(page)

    # Logged out, the invited coordinator presses the organisation's button.
    button = page.get_by_test_id("sso-choices").locator(f"a[href^='/login/sso/{municipality.id}']")
    expect(button).to_contain_text(f"{municipality.name} – MitID Erhverv")
    assert_fits(page, width)
    blocking += axe_findings(page)
    visited: list[str] = []
    page.on("request", lambda request: visited.append(request.url))
    click_and_wait(
        page,
        button,
        lambda url: url.startswith(live_server) and not urlsplit(url).path.startswith("/login"),
    )
    # The browser went to the provider and back through the callback.
    assert any(url.startswith(provider.issuer + "/authorize?") for url in visited)
    assert any(f"/login/sso/{municipality.id}/callback?" in url for url in visited)
    expect(page.get_by_test_id("current-user")).to_contain_text(coordinator.name)
    assert_fits(page, width)
    log_out(page)

    # Someone with no invitation in the municipality is refused with a clear message.
    provider.user = {**provider.user, "email": "ukendt@example.org", "sub": "broker-43"}
    page.get_by_test_id("sso-choices").locator(f"a[href^='/login/sso/{municipality.id}']").click()
    problem = page.get_by_test_id("sso-problem")
    expect(problem).to_be_visible()
    expect(problem).to_contain_text(
        f"Ingen inviteret konto i {municipality.name} passer til e-mailen ukendt@example.org. "
        "Bed din administrator om at invitere dig."
    )
    callback = urlsplit(page.url).path
    assert (callback, 403) in browser_problems.responses
    assert page.get_by_test_id("current-user").count() == 0
    assert_fits(page, width)
    blocking += axe_findings(page)

    assert blocking == [], "\n".join(blocking)
    # The problem page answered 403 on purpose; Chromium reports that as a console error.
    refused = f"status of 403 (FORBIDDEN) ({callback})"
    browser_problems.console_errors[:] = [
        e for e in browser_problems.console_errors if not e.endswith(refused)
    ]
