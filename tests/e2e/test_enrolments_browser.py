"""End to end, at phone width (390 px) and on a desktop: a counsellor completes a GF2 student as
qualified, sees what carries over to SSA, enrols them, and registers leave. Each page fits the
screen and axe finds no serious or critical violation. Elements are found by id, data-testid
or URL, never by their (translated) text."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import (
    AgreementKind,
    ConsentCategory,
    OrganisationKind,
    PeriodKind,
    Role,
    StudentStatus,
)
from tests import factories
from tests.e2e.helpers import checked, click_and_wait, log_in, path_is

pytestmark = pytest.mark.e2e

TODAY = date.today()


@pytest.mark.parametrize("width", [390, 1280], ids=["phone", "desktop"])
def test_complete_gf2_enrol_in_ssa_and_register_leave(
    live_server, page, browser_problems, world, width
):
    page.set_viewport_size({"width": width, "height": 844})
    a = world.a
    counsellor = a.users[Role.COUNSELLOR]
    student = factories.student(a.school, "GF2", first_name="Gry", last_name="Grundforløb")
    factories.period(
        student, PeriodKind.SCHOOL, TODAY - timedelta(days=140), TODAY - timedelta(days=1)
    )
    earlier = factories.organisation(OrganisationKind.MUNICIPALITY, "Kommune Før")
    factories.agreement(
        student,
        earlier,
        start=TODAY - timedelta(days=140),
        end=TODAY - timedelta(days=1),
        kind=AgreementKind.ADULT_BASIC,
    )
    factories.agreement(student, a.municipality, start=TODAY + timedelta(days=7))
    factories.support_need(student, "dyslexia", counsellor, "Ordblind")
    factories.consent(student, ConsentCategory.SUPPORT_NEEDS, a.municipality, counsellor)
    factories.consent(student, ConsentCategory.SUPPORT_NEEDS, earlier, counsellor)
    templated = factories.programme("TEST")
    db.session.commit()
    base = f"/students/{student.id}"
    log_in(page, live_server, counsellor.email, factories.PASSWORD)

    # Completion: the qualified question is asked for a basic course; left out, it is refused.
    page.goto(live_server + base + "/complete")
    page.locator("#date").fill((TODAY - timedelta(days=1)).isoformat())
    page.locator("#result").fill("Bestået")
    click_and_wait(
        page, page.locator("main form button.button-primary"), path_is(base + "/complete")
    )
    expect(page.get_by_test_id("error-qualified")).to_be_visible()
    checked(page)
    page.locator("#qualified").select_option("yes")
    click_and_wait(page, page.locator("main form button.button-primary"), path_is(base))
    expect(page.get_by_test_id("student-status")).to_have_attribute("class", "badge badge-info")

    # A new enrolment: the preview of what carries over, then the confirmation.
    click_and_wait(page, page.get_by_test_id("enrol-link"), path_is(base + "/enrol"))
    page.locator("#programme").select_option(str(templated.id))
    page.locator("#start_date").fill((TODAY + timedelta(days=7)).isoformat())
    click_and_wait(page, page.locator("main form button.button-primary"), path_is(base + "/enrol"))
    expect(page.get_by_test_id("carried-over").locator("li")).to_have_count(2)
    expect(page.get_by_test_id("not-carried-over").locator("li")).to_have_count(1)
    checked(page)
    click_and_wait(page, page.get_by_test_id("confirm-enrolment"), path_is(base))
    db.session.expire_all()
    db.session.refresh(student)
    assert [e.programme.code for e in student.enrolments] == ["GF2", "TEST"]

    # Leave from the first day of the new plan.
    page.goto(live_server + base + "/leave")
    checked(page)
    page.locator("#start_date").fill((TODAY + timedelta(days=7)).isoformat())
    page.locator("#end_date").fill((TODAY + timedelta(days=20)).isoformat())
    click_and_wait(page, page.locator("main form button.button-primary"), path_is(base))
    expect(page.get_by_test_id("status-actions")).to_be_visible()
    checked(page)
    db.session.refresh(student)
    assert student.status == StudentStatus.ON_LEAVE
    browser_problems.assert_none()
