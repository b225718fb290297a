"""'Elever med risikotegn' in headless Chromium, at desktop and phone width: the counsellor
opens the list from My overview, sees each student's reasons, filters by one reason and opens
a student, whose page shows the signals. Checked with axe, and no page scrolls sideways."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import Absence, AbsenceKind, Role
from tests import factories
from tests.e2e.helpers import checked, log_in

pytestmark = pytest.mark.e2e

SIZES = [(1280, 900), (390, 844)]


def _absent(side, days: int) -> None:
    end = date.today() - timedelta(days=1)
    db.session.add(
        Absence(
            period_id=side.training_period.id,
            start_date=end - timedelta(days=days - 1),
            end_date=end,
            kind=AbsenceKind.ILLNESS,
        )
    )
    db.session.commit()


@pytest.mark.parametrize("width,height", SIZES)
def test_the_counsellor_finds_students_at_risk_and_their_reasons(
    live_server, page, browser_problems, world, width, height
):
    side = world.a  # its student has a concern and an open warning from training
    _absent(side, 5)  # 5 of the period's 11 days so far: 45 %
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, live_server, side.users[Role.COUNSELLOR].email, factories.PASSWORD)
    page.goto(f"{live_server}/my-overview")
    card = page.get_by_test_id("part-at_risk")
    expect(card).to_contain_text(side.student.last_name)
    card.get_by_test_id("part-link").click()
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", name="Elever med risikotegn")).to_be_visible()
    row = page.get_by_test_id(f"risk-student-{side.student.id}")
    expect(row).to_contain_text("Fravær 45 % af dagene de sidste 4 uger")
    expect(row).to_contain_text("Varsling åben siden")
    expect(row).to_contain_text("bekymring fra oplæringen")
    checked(page)

    page.get_by_label("Årsag").select_option("extensions")
    page.get_by_role("button", name="Vis").click()
    page.wait_for_load_state("load")
    expect(page.get_by_test_id("nothing")).to_be_visible()
    page.get_by_label("Årsag").select_option("absence")
    page.get_by_role("button", name="Vis").click()
    page.wait_for_load_state("load")
    row = page.get_by_test_id(f"risk-student-{side.student.id}")
    row.get_by_role("link").click()
    page.wait_for_load_state("load")
    signals = page.get_by_test_id("risk-signals")
    expect(signals).to_contain_text("Risikotegn")
    expect(signals).to_contain_text("Fravær 45 %")
    checked(page)
    browser_problems.assert_none()
