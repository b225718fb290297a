"""End to end in headless Chromium: what a counsellor, teacher and supervisor actually do."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.extensions import db
from app.models import PeriodKind, Role
from tests import factories
from tests.e2e.conftest import log_in, log_out

pytestmark = pytest.mark.e2e


def test_login_my_students_and_a_student_page(live_server, page, world, tmp_path):
    counsellor = world.user(Role.COUNSELLOR, "a")
    own, other = world.a.student, world.b.student
    log_in(page, live_server, counsellor.email, factories.PASSWORD)

    assert page.url.endswith("/students/")
    table = page.get_by_test_id("student-table")
    assert own.last_name in table.inner_text()
    assert other.last_name not in page.content()

    page.fill("#q", own.last_name)
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_load_state()
    assert f"q={own.last_name}" in page.url
    page.get_by_role("link", name=f"{own.last_name}, {own.first_name}").click()
    page.wait_for_load_state()

    header = page.get_by_test_id("student-header").inner_text()
    assert own.full_name in header
    assert "SSA" in header
    assert world.a.school.name in header
    assert world.a.municipality.name in header
    assert page.get_by_test_id("timeline").is_visible()
    page.screenshot(path=str(tmp_path / "student.png"), full_page=True)

    log_out(page)
    page.goto(live_server + f"/students/{own.id}")
    assert "/login" in page.url


def test_handover_note_written_read_and_acknowledged(live_server, browser, page, world):
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

    # The teacher writes the note for the coming move to the workplace.
    log_in(page, live_server, teacher.email, factories.PASSWORD)
    page.goto(live_server + f"/students/{student.id}/handovers/{training.id}")
    assert page.get_by_test_id("handover-status").inner_text() == "Mangler"
    page.get_by_test_id("write-handover").click()
    page.fill("#strengths", "Freja er nysgerrig og god til at spørge.")
    page.fill("#challenges", "Har brug for ro til dokumentation.")
    page.fill("#first_weeks", "Fast følgeskab med samme kollega i uge 1-2.")
    page.fill("#contact_person", "Kontaktlærer, tlf. 70 10 20 30")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("handover-status").inner_text() == "Skrevet"
    log_out(page)

    # The supervisor sees it among those starting soon, reads it and acknowledges it.
    log_in(page, live_server, supervisor.email, factories.PASSWORD)
    page.get_by_test_id("nav-notifications").click()
    assert "Freja Overgaard" in page.get_by_test_id("notifications").inner_text()
    page.goto(live_server + "/starting-soon")
    row = page.get_by_test_id("starting-soon-table").locator("tr", has_text="Overgaard")
    assert "Skrevet" in row.inner_text()
    row.get_by_role("link", name="Åbn").click()
    page.wait_for_load_state()
    assert "Freja er nysgerrig" in page.get_by_test_id("handover-note").inner_text()
    page.get_by_test_id("acknowledge").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("handover-status").inner_text() == "Kvitteret"
    log_out(page)

    # The teacher sees that it has been acknowledged.
    log_in(page, live_server, teacher.email, factories.PASSWORD)
    page.goto(live_server + f"/students/{student.id}")
    transitions = page.get_by_test_id("transitions").inner_text()
    assert "Kvitteret" in transitions
    page.goto(live_server + f"/students/{student.id}/handovers/{training.id}")
    assert supervisor.name in page.get_by_test_id("acknowledged").inner_text()
