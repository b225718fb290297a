"""The access-log review in headless Chromium, at desktop and phone width: the school admin
opens the flags, reads the explanation of a constructed unusual day, follows it to the rows,
and filters the log by student. Checked with axe, and no page scrolls sideways."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import Role
from tests import factories
from tests.auditlog.helpers import at, view
from tests.e2e.helpers import checked, log_in

pytestmark = pytest.mark.e2e

SIZES = [(1280, 900), (390, 844)]


@pytest.mark.parametrize("width,height", SIZES)
def test_the_school_admin_finds_unusual_reading_in_the_access_log(
    live_server, page, browser_problems, world, width, height
):
    a = world.a
    teacher = factories.user(Role.TEACHER, a.school, name="Lærer Lund")
    yesterday = date.today() - timedelta(days=1)
    students = [factories.student(a.school) for _ in range(16)]
    for s in students:
        view(teacher, s, at(yesterday))
    view(a.users[Role.COUNSELLOR], a.student, at(yesterday))
    db.session.commit()

    page.set_viewport_size({"width": width, "height": height})
    log_in(page, live_server, a.users[Role.SCHOOL_ADMIN].email, factories.PASSWORD)
    page.goto(f"{live_server}/admin/")
    page.get_by_test_id("admin-sections").get_by_role("link", name="Adgangslog").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Adgangslog")
    checked(page)

    page.get_by_test_id("flags-link").click()
    page.wait_for_load_state("load")
    burst = page.get_by_test_id("flag-many_students")
    expect(burst).to_have_count(1)
    expect(burst).to_contain_text("Lærer Lund åbnede 16 elevers sager den")
    expect(burst).to_contain_text("læste ingen i de 8 uger før")
    expect(page.get_by_test_id("flag-outside_relations")).to_have_count(16)
    checked(page)

    burst.get_by_test_id("flag-rows").click()
    page.wait_for_load_state("load")
    expect(page.get_by_test_id("log-row")).to_have_count(10)  # the first page of 16
    expect(page.get_by_test_id("log-total")).to_have_text("16 rækker")
    checked(page)

    page.get_by_label("Bruger").select_option("")
    page.get_by_label("Elev (navn eller elevnummer)").fill(a.student.student_number)
    page.get_by_label("Handling").select_option("view")
    page.get_by_test_id("log-show").click()
    page.wait_for_load_state("load")
    expect(page.get_by_test_id("log-row")).to_have_count(1)
    expect(page.get_by_test_id("log-user")).to_have_text(a.users[Role.COUNSELLOR].name)
    checked(page)
    browser_problems.assert_none()
