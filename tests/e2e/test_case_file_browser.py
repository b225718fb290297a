"""End to end in headless Chromium: a case-file line leads to the thing it records, at phone
and desktop width, and the list fits the phone."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import CaseEvent, CaseEventKind, CaseEventTarget, Role
from tests import factories
from tests.e2e.helpers import assert_fits, click_and_wait, log_in, path_is

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width,height", [(390, 844), (1280, 900)])
def test_a_handover_line_opens_the_handover_note(
    live_server, page, browser_problems, world, width, height
):
    a = world.a
    event = CaseEvent(
        student_id=a.student.id,
        user_id=a.users[Role.COUNSELLOR].id,
        organisation_id=a.school.id,
        kind=CaseEventKind.HANDOVER_WRITTEN,
        details={"period": "Oplæringsperiode med et meget langt navn på et plejecenter"},
        target_kind=CaseEventTarget.HANDOVER,
        target_id=a.note.id,
    )
    db.session.add(event)
    db.session.commit()
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, live_server, a.users[Role.SUPERVISOR].email, factories.PASSWORD)
    page.goto(f"{live_server}/students/{a.student.id}/case-file")
    assert_fits(page, why="the case file is wider than the window")
    link = page.get_by_test_id(f"event-link-{event.id}")
    handover = f"/students/{a.student.id}/handovers/{a.training_period.id}"
    click_and_wait(page, link, path_is(handover))
    assert page.get_by_test_id("handover-note").is_visible()
    browser_problems.assert_none()
