"""End to end in headless Chromium, at desktop and phone width: a counsellor opens a student
who completed GF2 as qualified and starts SSA at the same school in a few days, with a leave
ahead. Both enrolments are on the timeline (bands over the bars on a wide screen, the headings
of the list on a phone), and so is the leave; "Uddannelsesforløb" lists them, and the GF2 → SSA
transition asks for a handover note, which the counsellor can go on to write. axe-core finds
nothing serious on the page. All people and places are fictional (tests/factories.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Leave, Role
from tests import factories
from tests.e2e.helpers import assert_fits, axe_problems, click_and_wait, log_in, path_is
from tests.journey.journeys import gf2_then_ssa

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize(
    "size", [pytest.param(DESKTOP, id="desktop"), pytest.param(PHONE, id="phone")]
)
def test_a_counsellor_follows_a_student_from_gf2_into_ssa(
    live_server, page, browser_problems, world, size
):
    j = gf2_then_ssa(world.a, "Overgangsen", days=6, first_name="Freja")
    leave = Leave(
        student_id=j.student.id,
        enrolment_id=j.ssa.id,
        start_date=j.ssa_period.start_date + timedelta(days=20),
        end_date=j.ssa_period.start_date + timedelta(days=34),
    )
    db.session.add(leave)
    db.session.commit()
    page.set_viewport_size(size)
    log_in(page, live_server, world.a.users[Role.COUNSELLOR].email, factories.PASSWORD)
    url = f"/students/{j.student.id}"
    page.goto(live_server + url)
    assert_fits(page, why="the student page is wider than the screen")

    if size is DESKTOP:
        assert page.get_by_test_id("timeline-chart").is_visible()
        for enrolment, code in ((j.gf2, "GF2"), (j.ssa, "SSA")):
            band = page.get_by_test_id(f"tl-band-{enrolment.id}")
            assert band.is_visible()
            assert band.locator("text").text_content() == code
        completed = page.get_by_test_id(f"tl-marker-{j.gf2.id}")
        assert "kvalificeret til hovedforløbet" in completed.get_attribute("aria-label")
        # GF2's band ends where SSA's begins: side by side, not on top of each other.
        gf2_box = page.get_by_test_id(f"tl-band-{j.gf2.id}").bounding_box()
        ssa_box = page.get_by_test_id(f"tl-band-{j.ssa.id}").bounding_box()
        assert gf2_box["x"] + gf2_box["width"] <= ssa_box["x"] + 2
        span = page.get_by_test_id(f"tl-leave-{leave.id}")
        assert span.is_visible() and span.get_attribute("aria-label").startswith("Orlov: ")
    else:
        # On a phone the list is the timeline: each enrolment heads its periods.
        assert not page.get_by_test_id("timeline-chart").is_visible()
        gf2 = page.get_by_test_id(f"tl-enrolment-{j.gf2.id}")
        assert gf2.is_visible()
        assert "Gennemført, kvalificeret til hovedforløbet" in gf2.inner_text()
        assert page.get_by_test_id(f"tl-enrolment-{j.ssa.id}").is_visible()
        assert page.locator(".tl-leave-item", has_text="Orlov: ").is_visible()

    enrolments = page.get_by_test_id("enrolments")
    assert enrolments.get_by_role("heading", name="Uddannelsesforløb").is_visible()
    assert "kvalificeret" in page.get_by_test_id(f"enrolment-status-{j.gf2.id}").inner_text()

    assert axe_problems(page) == ""

    # The GF2 → SSA transition asks for a note; the counsellor opens it and can write it.
    row = page.get_by_test_id("transitions").locator("tr", has_text="GF2 → SSA")
    assert row.get_by_test_id("handover-status").inner_text() == "Mangler"
    handover = f"/students/{j.student.id}/handovers/{j.ssa_period.id}"
    click_and_wait(page, row.get_by_role("link", name="Åbn"), path_is(handover))
    write = page.get_by_test_id("write-handover")
    assert write.is_visible() and write.inner_text() == "Skriv overleveringsnotatet"
    click_and_wait(page, write, path_is(f"{handover}/write"))
    assert page.locator("#strengths").is_visible()
    assert_fits(page)
    browser_problems.assert_none()
