"""The journey timeline on the student page: month ticks, and every period's details reachable
from its bar (a link) and in the list that is the timeline on a phone."""

from __future__ import annotations

from datetime import date

from app.journey.timeline import _month_ticks
from app.models import Role
from tests.conftest import login


def test_a_short_span_names_every_month_a_long_one_every_third():
    short = _month_ticks(date(2026, 1, 15), date(2026, 6, 30))
    assert [(m.month, labelled) for m, labelled in short] == [(n, True) for n in range(2, 7)]

    long = _month_ticks(date(2026, 1, 15), date(2028, 9, 30))
    assert len(long) == 32  # Feb 2026 .. Sep 2028
    assert {m.month for m, labelled in long if labelled} == {1, 4, 7, 10}
    assert all(m.day == 1 for m, _ in long)


def test_a_span_within_one_month_has_no_ticks():
    assert _month_ticks(date(2026, 3, 2), date(2026, 3, 30)) == []


def test_each_bar_links_to_its_periods_details(client, world):
    side = world.a
    login(client, side.users[Role.SUPERVISOR])
    page = client.get(f"/students/{side.student.id}").text
    for period in (side.school_period, side.training_period):
        assert f'href="#tl-period-{period.id}" class="tl-bar' in page
        assert f'<details id="tl-period-{period.id}"' in page
    assert 'class="tl-month-label"' in page
    # The details say where the period is spent.
    facts = page.split(f'data-testid="tl-facts-{side.training_period.id}"')[1].split("</dl>")[0]
    assert side.workplace.name in facts
    assert "<script" not in page.split('data-testid="timeline"')[1].split("</figure>")[0]
