"""End to end in headless Chromium: what a counsellor, teacher and supervisor actually do.

Elements are found by id, data-testid, role or URL, never by their (translated) text, so the
tests do not depend on the state of the Danish catalogue.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import PeriodKind, Role
from tests import factories
from tests.e2e.helpers import click_and_wait, log_in, log_out, path_is, query_of

pytestmark = pytest.mark.e2e

# The handover badge's colour is the only language-independent sign of its status.
HANDOVER_BADGE = {
    "missing": re.compile(r"\bbadge-warning\b"),
    "written": re.compile(r"\bbadge-info\b"),
    "acknowledged": re.compile(r"\bbadge-success\b"),
}


def test_login_my_students_and_a_student_page(live_server, page, browser_problems, world, tmp_path):
    counsellor = world.user(Role.COUNSELLOR, "a")
    own, other = world.a.student, world.b.student
    # A second student at the same school, so the search has something to leave out.
    classmate = factories.student(world.a.school, first_name="Karla", last_name="Andersen")
    db.session.commit()

    # The front page sends us to the login page; logging in lands on "my overview", and the
    # menu leads on to "my students".
    log_in(page, live_server, counsellor.email, factories.PASSWORD)
    assert page.url == live_server + "/my-overview"
    menu_link = page.locator("header nav.navigation-menu a[href='/students/']")
    click_and_wait(page, menu_link, path_is("/students/"))
    table = page.get_by_test_id("student-table")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(2)
    text = table.inner_text()
    assert f"{own.last_name}, {own.first_name}" in text
    assert f"{classmate.last_name}, {classmate.first_name}" in text
    assert other.last_name not in page.content()  # the other school's student is not shown

    # Search by last name with the search field and the search button.
    page.locator("#q").fill(own.last_name)
    search = page.get_by_role("search").get_by_role("button")
    click_and_wait(page, search, lambda url: query_of(url).get("q") == [own.last_name])
    expect(rows).to_have_count(1)
    assert f"{own.last_name}, {own.first_name}" in rows.first.inner_text()

    # The student's page.
    link = table.get_by_role("link", name=f"{own.last_name}, {own.first_name}")
    click_and_wait(page, link, path_is(f"/students/{own.id}"))
    header = page.get_by_test_id("student-header")
    expect(header).to_be_visible()
    header_text = header.inner_text()
    assert own.full_name in header_text
    assert own.programme.code in header_text
    assert world.a.school.name in header_text
    assert world.a.municipality.name in header_text  # the employer
    expect(page.get_by_test_id("timeline")).to_be_visible()

    # DKFDS's script and ours loaded and ran under the CSP, with nothing refused or failing.
    assert browser_problems.loaded_ok("/static/vendor/dkfds/js/dkfds.min.js")
    assert browser_problems.loaded_ok("/static/js/elevsag.js")
    assert browser_problems.loaded_ok("/static/vendor/dkfds/css/dkfds.min.css")
    assert page.evaluate("typeof window.DKFDS === 'object' && typeof DKFDS.init") == "function"
    browser_problems.assert_none()

    screenshot = tmp_path / "student-page.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 0

    # Log out with the header button; the login page follows and the case is closed to us.
    log_out(page)
    page.goto(f"{live_server}/students/{own.id}")
    assert page.url.startswith(live_server + "/login")
    browser_problems.assert_none()


def test_handover_note_written_read_and_acknowledged(live_server, page, browser_problems, world):
    teacher = world.user(Role.TEACHER, "a")
    supervisor = world.user(Role.SUPERVISOR, "a")
    today = date.today()
    student = factories.student(
        world.a.school, first_name="Freja", last_name="Overgaard", employer=world.a.municipality
    )
    factories.period(
        student, PeriodKind.SCHOOL, today - timedelta(days=30), today + timedelta(days=6)
    )
    training = factories.period(
        student,
        PeriodKind.TRAINING,
        today + timedelta(days=7),
        today + timedelta(days=100),
        world.a.workplace,
    )
    db.session.commit()
    handover_path = f"/students/{student.id}/handovers/{training.id}"

    # The teacher writes the note for the coming move to the workplace.
    log_in(page, live_server, teacher.email, factories.PASSWORD)
    page.goto(live_server + handover_path)
    expect(page.get_by_test_id("handover-status")).to_have_class(HANDOVER_BADGE["missing"])
    click_and_wait(page, page.get_by_test_id("write-handover"), path_is(handover_path + "/write"))
    page.locator("#strengths").fill("Freja er nysgerrig og god til at spørge.")
    page.locator("#challenges").fill("Har brug for ro til dokumentation.")
    page.locator("#first_weeks").fill("Fast følgeskab med samme kollega i uge 1-2.")
    page.locator("#contact_person").fill("Kontaktlærer, tlf. 70 10 20 30")
    click_and_wait(page, page.get_by_test_id("send-handover"), path_is(handover_path))
    expect(page.get_by_test_id("handover-status")).to_have_class(HANDOVER_BADGE["written"])
    log_out(page)

    # The supervisor is notified, finds the student among those starting soon, reads the
    # note and acknowledges it.
    log_in(page, live_server, supervisor.email, factories.PASSWORD)
    click_and_wait(page, page.get_by_test_id("nav-notifications"), path_is("/notifications"))
    expect(page.get_by_test_id("notifications")).to_contain_text(student.full_name)
    page.goto(live_server + "/starting-soon")
    row = page.get_by_test_id("starting-soon-table").locator("tbody tr", has_text="Overgaard")
    expect(row.get_by_test_id("handover-status")).to_have_class(HANDOVER_BADGE["written"])
    click_and_wait(page, row.locator(f"a[href='{handover_path}']"), path_is(handover_path))
    expect(page.get_by_test_id("handover-note")).to_contain_text("Freja er nysgerrig")
    page.get_by_test_id("acknowledge").click()  # comes back to the same page
    expect(page.get_by_test_id("acknowledged")).to_contain_text(supervisor.name)
    expect(page.get_by_test_id("handover-status")).to_have_class(HANDOVER_BADGE["acknowledged"])
    expect(page.get_by_test_id("acknowledge")).to_have_count(0)
    log_out(page)

    # The teacher sees on the student's page that it has been acknowledged.
    log_in(page, live_server, teacher.email, factories.PASSWORD)
    page.goto(f"{live_server}/students/{student.id}")
    transitions = page.get_by_test_id("transitions")
    expect(transitions.get_by_test_id("handover-status")).to_have_class(
        HANDOVER_BADGE["acknowledged"]
    )
    page.goto(live_server + handover_path)
    expect(page.get_by_test_id("acknowledged")).to_contain_text(supervisor.name)
    browser_problems.assert_none()


def test_consent_decides_what_the_supervisor_sees_of_the_support(
    live_server, page, browser_problems, world
):
    """A counsellor flags dyslexia, logs an IT package and records consent for the
    municipality; the supervisor then sees the IT package, and after withdrawal does not."""
    counsellor, supervisor = world.user(Role.COUNSELLOR), world.user(Role.SUPERVISOR)
    student = factories.student(
        world.a.school,
        first_name="Sofie",
        last_name="Støttesen",
        employer=world.a.municipality,
        training_at=world.a.workplace,
    )
    db.session.commit()
    support_url = f"{live_server}/students/{student.id}/support"
    base = f"/students/{student.id}"

    log_in(page, live_server, counsellor.email, factories.PASSWORD)
    page.goto(support_url)
    click_and_wait(
        page,
        page.locator(f"a[href='{base}/support/needs/new']"),
        path_is(f"{base}/support/needs/new"),
    )
    page.locator("#category").select_option(str(factories.category("dyslexia").id))
    page.locator("#description").fill("Ordblind; har brug for oplæsning.")
    page.locator("#documentation_kind").select_option("dyslexia_test")
    page.locator("#documentation_date").fill((date.today() - timedelta(days=90)).isoformat())
    click_and_wait(
        page, page.locator("main form button.button-primary"), path_is(f"{base}/support")
    )
    expect(page.get_by_test_id("needs")).to_contain_text("Ordblind; har brug for oplæsning.")

    click_and_wait(
        page,
        page.locator(f"a[href='{base}/support/measures/new']"),
        path_is(f"{base}/support/measures/new"),
    )
    page.locator("#type").select_option("it_package")
    page.locator("#description").fill("Bærbar med AppWriter (E2E)")
    page.locator("#hours_granted").fill("20")
    click_and_wait(
        page, page.locator("main form button.button-primary"), path_is(f"{base}/support")
    )
    expect(page.get_by_test_id("measures")).to_contain_text("Bærbar med AppWriter (E2E)")

    click_and_wait(
        page, page.locator(f"a[href='{base}/consents/new']"), path_is(f"{base}/consents/new")
    )
    page.locator("input[name=category][value=sps]").check()
    page.locator("#recipient").select_option(str(world.a.municipality.id))
    page.locator("#confirmed").check()
    click_and_wait(
        page, page.locator("main form button.button-primary"), path_is(f"{base}/support")
    )
    expect(page.get_by_test_id("consents")).to_contain_text(world.a.municipality.name)
    log_out(page)

    log_in(page, live_server, supervisor.email, factories.PASSWORD)
    page.goto(f"{live_server}{base}")
    expect(page.get_by_test_id("open-measures")).to_be_visible()
    page.goto(support_url)
    expect(page.get_by_test_id("measures")).to_contain_text("Bærbar med AppWriter (E2E)")
    assert "Ordblind; har brug for oplæsning." not in page.content()  # SPS only, not the need
    log_out(page)

    log_in(page, live_server, counsellor.email, factories.PASSWORD)
    page.goto(support_url)
    page.once("dialog", lambda dialog: dialog.accept())  # "Withdraw this consent?"
    page.get_by_test_id("consents").locator("form button").first.click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("consents").locator("form")).to_have_count(0)
    log_out(page)

    log_in(page, live_server, supervisor.email, factories.PASSWORD)
    page.goto(support_url)
    expect(page.get_by_test_id("support-agreed")).to_contain_text(counsellor.name)
    assert "Bærbar med AppWriter (E2E)" not in page.content()
    assert page.get_by_test_id("measures").count() == 0
    browser_problems.assert_none()


def test_supervisor_logs_a_concern_and_a_warning_and_the_school_sees_both(
    live_server, page, browser_problems, world
):
    supervisor, teacher = world.user(Role.SUPERVISOR), world.user(Role.TEACHER)
    student, period = world.a.student, world.a.training_period
    base = f"/students/{student.id}/periods/{period.id}"

    log_in(page, live_server, supervisor.email, factories.PASSWORD)
    page.goto(f"{live_server}/students/{student.id}")
    click_and_wait(
        page, page.locator(f"a[href='{base}/training']").first, path_is(f"{base}/training")
    )
    click_and_wait(
        page, page.locator(f"a[href='{base}/experiences/new']"), path_is(f"{base}/experiences/new")
    )
    page.locator("#category").select_option("attendance")
    page.locator("#what_happened").fill("Mødte ikke op to dage uden at melde fra (E2E).")
    page.locator("#concern").check()
    click_and_wait(
        page, page.locator("main form button.button-primary"), path_is(f"{base}/training")
    )
    expect(page.get_by_test_id("experiences")).to_contain_text("uden at melde fra (E2E)")

    click_and_wait(
        page, page.locator(f"a[href='{base}/warnings/new']"), path_is(f"{base}/warnings/new")
    )
    page.locator("#reason").fill("Risiko for ikke at nå rutineret niveau i mål 4 (E2E).")
    page.locator("input[name=goals]").nth(3).check()
    page.locator("#agreed_actions").fill("Ugentlig samtale.")
    page.locator("#deadline").fill((date.today() + timedelta(days=14)).isoformat())
    click_and_wait(
        page, page.locator("main form button.button-primary"), path_is(f"{base}/training")
    )
    expect(page.get_by_test_id("warnings")).to_contain_text("mål 4 (E2E)")
    log_out(page)

    log_in(page, live_server, teacher.email, factories.PASSWORD)
    expect(page.get_by_test_id("nav-notifications")).to_be_visible()
    page.goto(f"{live_server}/from-training")
    expect(page.get_by_test_id("open-warnings")).to_contain_text(student.last_name)
    expect(page.get_by_test_id("concerns")).to_contain_text("uden at melde fra (E2E)")
    click_and_wait(
        page,
        page.get_by_test_id("open-warnings").get_by_role("link").first,
        path_is(f"{base}/training"),
    )
    expect(page.get_by_test_id("warnings")).to_contain_text("mål 4 (E2E)")
    browser_problems.assert_none()
