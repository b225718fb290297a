"""End to end in headless Chromium, at desktop and phone width: a school admin imports a class
team from a file (the progress bar checks the rows, the preview shows them), creates the team's
plans, and the training coordinator of the employer sees the new students once their agreements
are imported. Each page is checked with axe. Elements are found by id or data-testid."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Period, Role, Student
from tests import factories
from tests.e2e.helpers import checked, click_and_wait, log_in, log_out, path_is

pytestmark = pytest.mark.e2e

SIZES = [(1280, 900), (390, 844)]
NAMES = [("Ida", "Importsen"), ("Omar", "Filsen"), ("Åse", "Ærtebjerg")]


def _upload(page, base_url: str, kind: str, name: str, data: bytes) -> None:
    page.goto(f"{base_url}/imports/{kind}")
    page.locator("#file").set_input_files({"name": name, "mimeType": "text/csv", "buffer": data})
    click_and_wait(
        page,
        page.locator("#main-content form button[type=submit]").first,
        lambda url: "/imports/" in url and url.rstrip("/").split("/")[-1].isdigit(),
    )
    # The progress bar's script checks the rows a chunk at a time, then shows the preview.
    expect(page.get_by_test_id("import-progress")).to_have_attribute("value", "0")
    with page.expect_response(lambda r: "chunk=1" in r.url and r.status == 200):
        page.get_by_test_id("import-check-button").click()
    expect(page.get_by_test_id("import-rows")).to_be_visible()


@pytest.mark.parametrize("width,height", SIZES)
def test_school_imports_a_team_creates_plans_and_the_employer_sees_the_students(
    live_server, page, browser_problems, world, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    factories.programme("TEST")  # the programme with a plan template in the test world
    db.session.commit()
    start = date.today() + timedelta(days=30)
    team = f"TEST-{width}"
    students = "\r\n".join(
        ["elevnummer;fornavn;efternavn;e-mail;telefon;fødselsår;uddannelse;hold;startdato"]
        + [
            f"B{width}{n};{first};{last};;;2005;TEST;{team};{start:%d-%m-%Y}"
            for n, (first, last) in enumerate(NAMES)
        ]
    ).encode("cp1252")

    log_in(page, live_server, world.user(Role.SCHOOL_ADMIN).email, factories.PASSWORD)
    _upload(page, live_server, "students", "hold.csv", students)
    assert page.get_by_test_id("import-counts").inner_text().startswith("3 oprettes")
    expect(page.get_by_test_id("import-rows")).to_contain_text("Ærtebjerg")
    checked(page)
    click_and_wait(page, page.get_by_test_id("import-confirm"), path_is("/imports/plans"))
    expect(page.locator("#main-content")).to_contain_text("3 oprettet")

    page.locator("#team").select_option(label=f"{team} (TEST, 3 elever)")
    page.locator("#start_date").fill(start.isoformat())
    page.get_by_test_id("team-plan-submit").click()
    expect(page.get_by_test_id("team-plan-result")).to_contain_text("3 planer oprettet")
    checked(page)
    db.session.expire_all()
    imported = (
        db.session.execute(select(Student).where(Student.student_number.like(f"B{width}%")))
        .scalars()
        .all()
    )
    assert len(imported) == 3
    for s in imported:
        assert db.session.execute(select(Period).where(Period.student_id == s.id)).first()
    log_out(page)

    coordinator = world.user(Role.TRAINING_COORDINATOR)
    log_in(page, live_server, coordinator.email, factories.PASSWORD)
    page.goto(live_server + "/students/")
    expect(page.get_by_test_id("student-table")).not_to_contain_text("Importsen")
    agreements = "\r\n".join(
        ["elevnummer,fornavn,efternavn,arbejdsgiver,aftaletype,startdato,slutdato"]
        + [
            f"B{width}{n},{first},{last},{world.a.municipality.code},uddannelsesaftale,"
            f"{start + timedelta(days=140):%d-%m-%Y},"
            for n, (first, last) in enumerate(NAMES)
        ]
    ).encode("utf-8")
    _upload(page, live_server, "agreements", "aftaler.csv", agreements)
    assert page.get_by_test_id("import-counts").inner_text().startswith("3 oprettes")
    checked(page)
    click_and_wait(page, page.get_by_test_id("import-confirm"), path_is("/imports/"))
    page.goto(live_server + "/students/")
    table = page.get_by_test_id("student-table")
    for _first, last in NAMES:
        expect(table).to_contain_text(last)
    browser_problems.assert_none()
