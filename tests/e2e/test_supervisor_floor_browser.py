"""End to end in headless Chromium, on a phone (390x844) and a tablet (820x1180): a supervisor
on the floor opens the menu, acknowledges the handover note of a student who starts soon,
records an experience that is a concern, assesses the goals with every dropdown in reach, and
logs out. Also: the student page and its timeline fit a phone, and the paging of a long list
can be used on one. All people and places are fictional (tests/factories.py)."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.models import Role
from tests import factories
from tests.e2e.helpers import assert_fits, click_and_wait, log_in, log_out, path_is

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 820, "height": 1180}
SIZES = [pytest.param(PHONE, id="phone"), pytest.param(TABLET, id="tablet")]


def _starts_soon(world) -> tuple:
    """A fictional student who leaves school in a few days for a training period at supervisor
    A's workplace; the school has written the handover note."""
    side = world.a
    student, school, training = factories.starts_training_soon(side, "Maja", "Snartstart")
    factories.handover_note(student, school, training, side.users[Role.TEACHER])
    db.session.commit()
    return student, training


def _within_width(page, locator) -> bool:
    """After scrolling it into view, the element lies wholly inside the viewport's width."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    width = page.viewport_size["width"]
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


def _tab_to(page, locator, what: str) -> None:
    """Press Tab until `locator` has the keyboard focus."""
    for _ in range(60):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            return
    pytest.fail(f"Tab never reached {what}")


def _open_menu_entry(page, name: str) -> None:
    page.get_by_test_id("menu-open").click()
    drawer = page.get_by_test_id("mobile-drawer")
    assert drawer.is_visible(), "the menu drawer did not open"
    link = drawer.get_by_role("link", name=name)
    assert link.is_visible()
    link.click()


@pytest.mark.parametrize("size", SIZES)
def test_a_supervisor_works_through_the_day_on_a_phone_or_tablet(
    live_server, page, browser_problems, world, size
):
    student, training = _starts_soon(world)
    side = world.a
    page.set_viewport_size(size)
    log_in(page, live_server, side.users[Role.SUPERVISOR].email, factories.PASSWORD)

    # The menu opens and leads to "Starter snart".
    _open_menu_entry(page, "Starter snart")
    page.wait_for_url(path_is("/starting-soon"))
    assert_fits(page, why="the list is wider than the screen")
    row = page.get_by_test_id("starting-soon-table").locator("tbody tr", has_text="Snartstart")
    status = row.get_by_test_id("handover-status")
    assert _within_width(page, status) and status.inner_text() == "Skrevet"
    open_link = row.get_by_role("link", name="Åbn")
    assert _within_width(page, open_link), "Åbn is outside the screen"

    # Acknowledging the handover note.
    click_and_wait(page, open_link, path_is(f"/students/{student.id}/handovers/{training.id}"))
    assert page.get_by_test_id("handover-note").is_visible()
    acknowledge = page.get_by_test_id("acknowledge")
    assert _within_width(page, acknowledge)
    acknowledge.click()
    page.get_by_test_id("acknowledged").wait_for()
    assert "Kvitteret af" in page.get_by_test_id("acknowledged").inner_text()

    # Recording an experience that is a concern: the box is beside its label and shows it is on.
    period_path = f"/students/{side.student.id}/periods/{side.training_period.id}/training"
    page.goto(live_server + period_path)
    assert_fits(page)
    click_and_wait(
        page,
        page.get_by_role("link", name="Registrér en oplevelse"),
        path_is(period_path.replace("/training", "/experiences/new")),
    )
    page.locator("#what_happened").fill("Hjalp en borger op efter et fald og sagde det videre.")
    box = page.locator("#concern")
    label = page.locator("label[for='concern']")
    label.click()
    assert box.is_checked()
    # DKFDS draws the box at the label's left edge, level with its first line, and starts the
    # label's text after it.
    box_at, label_at = box.bounding_box(), label.bounding_box()
    assert label_at["x"] - 5 <= box_at["x"] <= label_at["x"] + 40, "the box is not by its label"
    assert label_at["y"] - 5 <= box_at["y"] <= label_at["y"] + 20, "the box is not level with it"
    text_starts = label.evaluate("el => parseFloat(getComputedStyle(el).paddingLeft)")
    assert text_starts >= box_at["width"], "the label's text runs over the box"
    assert _within_width(page, label)
    assert_fits(page)
    # The ticked state is drawn (DKFDS draws the box on the label's ::before).
    drawn = page.evaluate(
        "() => getComputedStyle(document.querySelector(\"label[for='concern']\"), '::before')"
        ".backgroundImage"
    )
    assert drawn and drawn != "none", "a ticked box must look ticked"
    click_and_wait(page, page.get_by_role("button", name="Gem"), path_is(period_path))
    experiences = page.get_by_test_id("experiences")
    entry = experiences.locator("li", has_text="Hjalp en borger op")
    assert entry.get_by_test_id("concern").is_visible()

    # Assessing the goals: every row's dropdown can be reached, is labelled, and takes a value.
    click_and_wait(
        page,
        page.get_by_role("link", name="Vurdér målene"),
        path_is(period_path.replace("/training", "/assessments")),
    )
    assert_fits(page, why="the assessment table is wider than the screen")
    selects = page.get_by_test_id("assessment-rows").locator("select")
    count = selects.count()
    assert count >= 3
    levels = ["beginner", "routined", "advanced"]
    for i in range(count):
        select = selects.nth(i)
        assert _within_width(page, select), f"dropdown {i + 1} is outside the screen"
        assert re.match(r"Opnået niveau, mål \d+", select.get_attribute("aria-label"))
        # The stacked row shows the column's name above the dropdown.
        cell = select.locator("xpath=ancestor::td[1]")
        assert cell.get_attribute("data-title") == "Opnået niveau"
        select.select_option(levels[i % 3])
    click_and_wait(page, page.get_by_role("button", name="Gem"), path_is(period_path))
    goals = page.get_by_test_id("goals")
    assert_fits(page)
    for number, level in [(1, "Begynder"), (2, "Rutineret"), (3, "Avanceret")]:
        row = goals.get_by_test_id(f"goal-{number}")
        assert level in row.inner_text()

    log_out(page)
    browser_problems.assert_none()


def test_the_student_page_and_its_timeline_on_a_phone(live_server, page, browser_problems, world):
    side = world.a
    page.set_viewport_size(PHONE)
    log_in(page, live_server, side.users[Role.SUPERVISOR].email, factories.PASSWORD)
    page.goto(f"{live_server}/students/{side.student.id}")
    assert_fits(page, why="the student page is wider than the phone")
    timeline = page.get_by_test_id("timeline-periods")
    assert timeline.is_visible()
    # The picture is for wider screens; on a phone the periods are a list with readable text.
    assert not page.get_by_test_id("timeline-chart").is_visible()
    size = page.evaluate(
        "() => parseFloat(getComputedStyle(document.querySelector('.timeline-periods summary'))"
        ".fontSize)"
    )
    assert size >= 14

    # The keyboard reaches a period, Enter opens its details.
    facts = page.get_by_test_id(f"tl-facts-{side.training_period.id}")
    assert not facts.is_visible()
    summary = page.get_by_test_id(f"tl-period-{side.training_period.id}").locator("summary")
    _tab_to(page, summary, "the training period in the timeline")
    page.keyboard.press("Enter")
    assert facts.is_visible()
    assert side.workplace.name in facts.inner_text()
    assert _within_width(page, facts)
    assert_fits(page)
    browser_problems.assert_none()


def test_a_timeline_bar_opens_its_details_by_keyboard_on_a_wide_screen(
    live_server, page, browser_problems, world
):
    side = world.a
    log_in(page, live_server, side.users[Role.SUPERVISOR].email, factories.PASSWORD)
    page.goto(f"{live_server}/students/{side.student.id}")
    chart = page.get_by_test_id("timeline-chart")
    assert chart.is_visible()
    # Month ticks carry the months' names.
    assert chart.locator("text.tl-month-label").count() >= 3
    facts = page.get_by_test_id(f"tl-facts-{side.training_period.id}")
    assert not facts.is_visible()
    bar = page.get_by_test_id(f"tl-bar-{side.training_period.id}")
    _tab_to(page, bar, "the training period's bar")
    page.keyboard.press("Enter")
    facts.wait_for(state="visible")
    assert side.workplace.name in facts.inner_text()
    browser_problems.assert_none()


@pytest.mark.parametrize(
    "size", [*SIZES, pytest.param({"width": 1280, "height": 900}, id="desktop")]
)
def test_page_two_of_a_long_list_can_be_reached(live_server, page, browser_problems, world, size):
    side = world.a
    for n in range(113):
        factories.student(side.school, first_name="Liste", last_name=f"Elev{n:03d}")
    db.session.commit()
    page.set_viewport_size(size)
    log_in(page, live_server, side.users[Role.COUNSELLOR].email, factories.PASSWORD)
    page.goto(f"{live_server}/students/")
    pagination = page.get_by_test_id("pagination")
    pagination.scroll_into_view_if_needed()
    assert pagination.is_visible()
    assert_fits(page)
    if size["width"] < 768:
        # DKFDS's phone pagination: "Side 1 af 12" between the arrows.
        assert re.fullmatch(r"Side 1 af \d+", page.get_by_test_id("page-of").inner_text())
        step = page.get_by_test_id("page-next")
    else:
        step = pagination.get_by_role("link", name="Side 2", exact=True)
    assert step.is_visible() and _within_width(page, step)
    step.click()
    page.wait_for_url(re.compile(r"[?&]page=2\b"))
    assert page.get_by_test_id("student-table").locator("tbody tr").count() >= 1
    if size["width"] < 768:
        assert re.fullmatch(r"Side 2 af \d+", page.get_by_test_id("page-of").inner_text())
        assert page.get_by_test_id("page-previous").is_visible()
    else:
        current = pagination.locator("[aria-current='page']")
        assert current.inner_text() == "2"
    browser_problems.assert_none()
