"""End to end in headless Chromium, at desktop and phone width: a school admin makes an API
client (docs/api.md), copies its token from the page that shows it once, the token reads the
school's students over HTTP, and the admin revokes the client (after the confirmation), after
which the token is refused. axe checks the list, the form with its errors and the token page;
each fits the phone."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from app.models import Role
from tests import factories
from tests.e2e.helpers import assert_fits, axe_findings, click_and_wait, log_in, path_is

pytestmark = pytest.mark.e2e

SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
NAME = "Studieadministration SENTINEL-4c2e"


def _students(base_url: str, token: str) -> requests.Response:
    return requests.get(
        base_url + "/api/v1/students",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_school_admin_creates_uses_and_revokes_an_api_client(
    live_server, page, browser_problems, world, size
):
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    admin = world.user(Role.SCHOOL_ADMIN, "a")
    blocking: list[str] = []

    log_in(page, live_server, admin.email, factories.PASSWORD)
    page.goto(live_server + "/admin/")
    click_and_wait(
        page,
        page.locator("#main-content a[href='/admin/api-clients']"),
        path_is("/admin/api-clients"),
    )
    assert_fits(page, width)
    blocking += axe_findings(page)
    click_and_wait(page, page.get_by_test_id("new-api-client"), path_is("/admin/api-clients/new"))

    # Sent empty: the error summary and the messages next to the fields.
    page.locator("#main-content form[method=post] button[type=submit]").click()
    expect(page.get_by_test_id("error-summary")).to_be_visible()
    expect(page.get_by_test_id("error-scopes")).to_contain_text("Vælg mindst én")
    assert_fits(page, width)
    blocking += axe_findings(page)

    page.locator("#name").fill(NAME)
    page.locator("#organisation").select_option(str(world.a.school.id))
    page.locator("#role").select_option(Role.COUNSELLOR.value)
    page.locator("#main-content input[name=scopes][value=read]").check()
    page.locator("#main-content form[method=post] button[type=submit]").click()

    # The token, shown this once, as text that can be selected and copied.
    shown = page.get_by_test_id("api-token")
    expect(shown).to_be_visible()
    token = shown.inner_text().strip()
    assert token.startswith("elv_") and len(token) > 20
    shown.click(click_count=3)
    assert page.evaluate("window.getSelection().toString()").strip() == token
    assert_fits(page, width)
    blocking += axe_findings(page)

    # Back on the list (and after a reload) the client is there, its token is not.
    click_and_wait(
        page, page.locator("#main-content a.button-primary"), path_is("/admin/api-clients")
    )
    page.reload()
    row = page.get_by_test_id("api-clients").locator("tbody tr", has_text=NAME)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(token[:12])
    assert token not in page.content()
    assert_fits(page, width)
    blocking += axe_findings(page)  # now with a row in the table

    # The token reads the school's students.
    answer = _students(live_server, token)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("application/json")
    assert world.a.student.id in [s["id"] for s in answer.json()["items"]]

    # Revoking asks first; dismissed, nothing happens.
    questions: list[str] = []

    def dismiss(dialog) -> None:
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    row.get_by_role("button").click()
    assert questions and questions[0].startswith("Spær denne klient?")
    assert _students(live_server, token).status_code == 200

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(row.get_by_role("button")).to_have_count(0)
    assert_fits(page, width)
    blocking += axe_findings(page)
    assert _students(live_server, token).status_code == 401

    assert blocking == [], "\n".join(blocking)
