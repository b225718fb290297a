"""Retention in headless Chromium, at desktop and phone width: the school admin sets a legal
hold on a student (a missing reason is refused next to the field) and lifts it again, and the
system admin changes a rule (a value below the least is refused). Checked with axe, and no
page may scroll sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.models import Role
from tests import factories
from tests.e2e.helpers import checked, log_in

pytestmark = pytest.mark.e2e

SIZES = [(1280, 900), (390, 844)]


@pytest.mark.parametrize("width,height", SIZES)
def test_the_school_admin_sets_and_lifts_a_legal_hold(
    live_server, page, browser_problems, world, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, live_server, world.a.users[Role.SCHOOL_ADMIN].email, factories.PASSWORD)
    page.goto(f"{live_server}/students/{world.a.student.id}")
    page.wait_for_load_state("load")
    expect(page.get_by_test_id("legal-hold")).to_contain_text("Ikke retligt tilbageholdt")
    checked(page)

    page.get_by_test_id("legal-hold-link").click()
    page.get_by_role("button", name="Tilbagehold retligt").click()
    expect(page.get_by_test_id("error-summary")).to_be_visible()
    page.wait_for_load_state("load")
    checked(page)

    page.get_by_label("Begrundelse for den retlige tilbageholdelse").fill("Klagesag 2026-17")
    page.get_by_role("button", name="Tilbagehold retligt").click()
    expect(page.get_by_test_id("legal-hold-active")).to_contain_text("Retligt tilbageholdt")
    page.wait_for_load_state("load")
    checked(page)

    page.get_by_test_id("legal-hold-link").click()
    expect(page.get_by_test_id("legal-holds")).to_contain_text("Klagesag 2026-17")
    page.get_by_role("button", name="Ophæv den retlige tilbageholdelse").click()
    expect(page.locator("#main-content")).to_contain_text("Den retlige tilbageholdelse er ophævet")
    page.wait_for_load_state("load")
    checked(page)
    browser_problems.assert_none()


@pytest.mark.parametrize("width,height", SIZES)
def test_the_system_admin_changes_a_retention_rule(
    live_server, page, browser_problems, world, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, live_server, world.system_admin.email, factories.PASSWORD)
    page.goto(f"{live_server}/admin/retention")
    page.wait_for_load_state("load")
    expect(page.get_by_test_id("rule-sps_material")).to_contain_text("5 år")
    checked(page)

    page.get_by_test_id("rule-sps_material").get_by_role("link").click()
    page.get_by_label("Opbevares i (år)").fill("4")
    page.get_by_role("button", name="Gem").click()
    expect(page.get_by_test_id("error-summary")).to_contain_text("mellem 5 og 20")
    page.wait_for_load_state("load")
    checked(page)

    page.get_by_label("Opbevares i (år)").fill("6")
    page.get_by_role("button", name="Gem").click()
    expect(page.get_by_test_id("rule-sps_material")).to_contain_text("6 år")
    browser_problems.assert_none()
