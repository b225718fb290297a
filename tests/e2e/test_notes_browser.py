"""End to end in headless Chromium: long text fields are big enough to write in and fit a
phone, and a note's formatting buttons insert their markers around what is selected.
Elements are found by id, data-testid or data-format, never by their (translated) text."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from app.models import PeriodKind, Role
from tests import factories
from tests.e2e.helpers import TABLES_FIT, assert_fits, click_and_wait, log_in, path_is

pytestmark = pytest.mark.e2e

SIZES = [(1280, 900), (390, 844)]


def _open(page, base_url: str, user, path: str, width: int, height: int) -> None:
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, base_url, user.email, factories.PASSWORD)
    page.goto(base_url + path)


@pytest.mark.parametrize("width,height", SIZES)
def test_handover_text_areas_are_big_enough_and_fit_the_screen(
    live_server, page, browser_problems, world, width, height
):
    student, period = world.a.student, world.a.training_period
    write = f"/students/{student.id}/handovers/{period.id}/write"
    _open(page, live_server, world.user(Role.TEACHER, "a"), write, width, height)
    for field in ("strengths", "challenges", "agreed_support", "first_weeks"):
        box = page.locator(f"#{field}").bounding_box()
        assert box is not None
        assert box["height"] >= 180, (field, box)  # about eight lines, not two or three
        assert box["width"] >= (min(width - 60, 460)), (field, box)  # not 270 px
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (field, box)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    browser_problems.assert_none()


@pytest.mark.parametrize("width,height", SIZES)
def test_the_bold_button_wraps_the_selection_and_the_note_shows_it_bold(
    live_server, page, browser_problems, world, width, height
):
    student = world.a.student
    new_note = f"/students/{student.id}/notes/new"
    _open(page, live_server, world.user(Role.COUNSELLOR, "a"), new_note, width, height)
    toolbar = page.locator("[data-format-toolbar]")
    expect(toolbar).to_be_visible()
    body = page.locator("#body")
    body.fill("Eleven mødte op til tiden")
    # Select "mødte" as a person would with the mouse or shift+arrows.
    body.evaluate("el => el.setSelectionRange(7, 12)")
    toolbar.locator("[data-format=bold]").click()
    expect(body).to_have_value("Eleven **mødte** op til tiden")
    assert body.evaluate("el => el.value.slice(el.selectionStart, el.selectionEnd)") == "mødte"

    # A list: each selected line gets its marker.
    body.press("End")
    body.evaluate("el => { el.value += '\\nmadpakke\\ngummisko'; el.setSelectionRange(30, 47); }")
    toolbar.locator("[data-format=bullets]").click()
    expect(body).to_have_value("Eleven **mødte** op til tiden\n- madpakke\n- gummisko")
    for button in toolbar.locator("button").all():
        b = button.bounding_box()
        assert b and b["x"] >= 0 and b["x"] + b["width"] <= width

    click_and_wait(
        page,
        page.locator("form:has(#body) button[type=submit]"),
        path_is(f"/students/{student.id}/case-file"),
    )
    note = page.locator("[data-testid^=note-]").first
    expect(note.locator("strong")).to_have_text("mødte")
    expect(note.locator("li")).to_have_count(2)
    browser_problems.assert_none()


@pytest.mark.parametrize("width,height", SIZES)
def test_a_handover_draft_is_saved_listed_and_sent_later(
    live_server, page, browser_problems, db, world, width, height
):
    # At school now, at the workplace in five days: the school writes the handover note.
    s = factories.student(world.a.school, first_name="Ida", last_name="Kladde")
    plan = [(PeriodKind.SCHOOL, -60, 4, None), (PeriodKind.TRAINING, 5, 90, world.a.workplace)]
    for kind, first, last, workplace in plan:
        days = [date.today() + timedelta(days=n) for n in (first, last)]
        training = factories.period(s, kind, *days, workplace)
    db.session.commit()
    handover = f"/students/{s.id}/handovers/{training.id}"
    _open(page, live_server, world.user(Role.TEACHER, "a"), handover + "/write", width, height)
    page.locator("#strengths").fill("Halvt skrevet")
    click_and_wait(page, page.get_by_test_id("save-draft"), path_is(handover))
    expect(page.get_by_test_id("draft-notice")).to_be_visible()

    page.goto(live_server + "/handovers/drafts")
    assert_fits(page, check=TABLES_FIT, why="the page or the list is wider than the screen")
    draft = page.locator("[data-testid^=draft-]").filter(has_text="Kladde, Ida")
    click_and_wait(page, draft.locator("a[href$='/write']"), path_is(handover + "/write"))
    expect(page.locator("#strengths")).to_have_value("Halvt skrevet")
    page.locator("#first_weeks").fill("Følg en fast kollega.")
    page.locator("#contact_person").fill("Kontaktlærer, tlf. 70 10 20 30")
    click_and_wait(page, page.get_by_test_id("send-handover"), path_is(handover))
    expect(page.get_by_test_id("handover-status")).to_have_class(re.compile("badge-info"))
    expect(page.get_by_test_id("draft-notice")).to_have_count(0)
    browser_problems.assert_none()
