"""The journey timeline on the student page: month ticks, and every period's details reachable
from its bar (a link) and in the list that is the timeline on a phone."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.dates import date_text
from app.journey.timeline import _month_ticks, build
from app.models import (
    DropoutReason,
    Enrolment,
    Leave,
    PeriodKind,
    PeriodStatus,
    Role,
    StudentStatus,
)
from tests import factories
from tests.conftest import login
from tests.journey.journeys import TODAY, gf2_then_ssa


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


# --- across enrolments: bands, leave, the points where an enrolment ended --------------------


def _chart(page: str) -> str:
    return page.split('data-testid="timeline-chart"')[1].split("</svg>")[0]


def test_enrolments_are_labelled_bands_and_a_qualified_gf2_completion_is_marked(client, db, world):
    j = gf2_then_ssa(world.a, "Båndsen", days=-5)
    db.session.commit()
    login(client, world.user(Role.COUNSELLOR))
    page = client.get(f"/students/{j.student.id}").text
    chart = _chart(page)
    for enrolment, code in ((j.gf2, "GF2"), (j.ssa, "SSA")):
        band = chart.split(f'data-testid="tl-band-{enrolment.id}"')[0].rsplit("<g", 1)[1]
        assert f"{code}, {world.a.school.name}" in band  # the band's text alternative
        label = chart.split(f'data-testid="tl-band-{enrolment.id}"')[1].split("</g>")[0]
        assert f">{code}</text>" in label
    marker = chart.split(f'data-testid="tl-marker-{j.gf2.id}"')[0].rsplit("<g", 1)[1]
    assert "GF2: Gennemført, kvalificeret til hovedforløbet" in marker
    # SSA runs on: no end marker; the GF2 → SSA step is a transition on the picture.
    assert f'data-testid="tl-marker-{j.ssa.id}"' not in chart
    assert 'class="tl-transition"' in chart
    # On a phone the list is the timeline: each enrolment heads its periods.
    listing = page.split('data-testid="timeline-periods"')[1].split("</ol>")[0]
    assert listing.index(f"tl-enrolment-{j.gf2.id}") < listing.index(f"tl-period-{j.gf2_period.id}")
    assert listing.index(f"tl-period-{j.gf2_period.id}") < listing.index(f"tl-enrolment-{j.ssa.id}")
    assert listing.index(f"tl-enrolment-{j.ssa.id}") < listing.index(f"tl-period-{j.ssa_period.id}")


def test_a_leave_is_a_hatched_span_with_a_text_alternative(app, client, db, world):
    j = gf2_then_ssa(world.a, "Orlovsen", days=-20)
    leave = Leave(
        student_id=j.student.id,
        enrolment_id=j.ssa.id,
        start_date=TODAY + timedelta(days=5),
        end_date=TODAY + timedelta(days=30),
        reason="Barsel",
    )
    db.session.add(leave)
    db.session.commit()
    login(client, world.user(Role.TRAINING_COORDINATOR))
    page = client.get(f"/students/{j.student.id}").text
    span = _chart(page).split(f'data-testid="tl-leave-{leave.id}"')
    assert len(span) == 2
    with app.test_request_context():
        alt = f"Orlov: {date_text(leave.start_date)} – {date_text(leave.end_date)}"
    assert alt in span[0].rsplit("<g", 1)[1]
    assert 'fill="url(#tl-hatch)"' in span[1].split("</g>")[0]
    listing = page.split('data-testid="timeline-periods"')[1].split("</ol>")[0]
    assert alt in listing
    assert "Orlov" in page.split("<figcaption")[1].split("</figcaption>")[0]  # the legend


def test_a_dropout_between_two_periods_and_a_re_enrolment_show_on_the_timeline(client, db, world):
    s = factories.student(world.a.school, programme_code="SSA", last_name="Genoptagsen")
    first = s.enrolments[0]
    first.start_date = TODAY - timedelta(days=300)
    school = factories.period(
        s, PeriodKind.SCHOOL, TODAY - timedelta(days=300), TODAY - timedelta(days=201)
    )
    school.title = "Skoleperiode 1"
    not_started = factories.period(
        s, PeriodKind.TRAINING, TODAY - timedelta(days=200), TODAY - timedelta(days=100)
    )
    not_started.title = "Oplæringsperiode 1"
    not_started.status = PeriodStatus.INTERRUPTED
    first.status = StudentStatus.DROPPED_OUT
    first.end_date = TODAY - timedelta(days=201)
    first.dropout_reason = DropoutReason.PERSONAL
    first.dropout_period_id = not_started.id
    first.dropout_at_transition = True
    again = Enrolment(
        programme=first.programme,
        school=world.a.school,
        start_date=TODAY - timedelta(days=30),
        status=StudentStatus.ACTIVE,
    )
    s.enrolments.append(again)
    db.session.flush()
    restart = factories.period(
        s, PeriodKind.SCHOOL, TODAY - timedelta(days=30), TODAY + timedelta(days=60)
    )
    restart.title = "Skoleperiode 1 (igen)"
    db.session.commit()

    login(client, world.user(Role.COUNSELLOR))
    page = client.get(f"/students/{s.id}").text
    chart = _chart(page)
    marker = chart.split(f'data-testid="tl-marker-{first.id}"')
    assert "Afbrudt, ved overgangen til Oplæringsperiode 1" in marker[0].rsplit("<g", 1)[1]
    assert "tl-marker-dropped_out" in marker[0].rsplit("<g", 1)[1]
    assert f'data-testid="tl-band-{again.id}"' in chart
    assert "tl-band tl-band-dropped_out" in chart
    # The re-enrolment starts with a transition: a handover note is asked for.
    transitions = page.split('data-testid="transitions"')[1].split("</table>")[0]
    assert "Skoleperiode 1 (igen)" in transitions and "SSA → SSA" in transitions


def test_build_stretches_the_axis_to_an_enrolments_end_and_cuts_bands_to_it(db, world):
    j = gf2_then_ssa(world.a, "Aksesen", days=10)
    j.ssa.status = StudentStatus.DROPPED_OUT
    j.ssa.end_date = j.ssa_period.end_date + timedelta(days=100)
    tl = build([j.gf2_period, j.ssa_period], TODAY, {j.ssa_period.id}, [j.gf2, j.ssa], [])
    assert tl.end == j.ssa.end_date
    assert [b.enrolment for b in tl.bands] == [j.gf2, j.ssa]
    # GF2 started before its first period: its band starts at the axis's start, not before.
    assert tl.bands[0].x == 0
    assert tl.bands[1].x + tl.bands[1].width == pytest.approx(1000, abs=1)
    assert [m.enrolment for m in tl.markers] == [j.gf2, j.ssa]
    # Without enrolments the picture is the periods alone, as before.
    plain = build([j.gf2_period, j.ssa_period], TODAY, set())
    assert plain.bands == [] and plain.end == j.ssa_period.end_date


def test_a_leave_that_ended_early_is_drawn_to_the_day_it_ended(app, client, db, world):
    j = gf2_then_ssa(world.a, "Tidligsen", days=-60)
    leave = Leave(
        student_id=j.student.id,
        enrolment_id=j.ssa.id,
        start_date=TODAY - timedelta(days=30),
        end_date=TODAY + timedelta(days=30),
        ended_on=TODAY - timedelta(days=9),  # back on this day: the last day of leave before
    )
    db.session.add(leave)
    db.session.commit()
    tl = build([j.gf2_period, j.ssa_period], TODAY, set(), [j.gf2, j.ssa], [leave])
    (span,) = tl.leaves
    day = 1000 / ((tl.end - tl.start).days + 1)
    assert span.width == pytest.approx(21 * day, abs=0.2)  # 30 days back to 10 days back
    login(client, world.user(Role.COUNSELLOR))
    page = client.get(f"/students/{j.student.id}").text
    with app.test_request_context():
        ended, planned = date_text(TODAY - timedelta(days=10)), date_text(leave.end_date)
    assert f"– {ended} (planlagt til {planned})" in page.split('data-testid="enrolments"')[1]


def test_an_earlier_enrolments_plan_after_it_ended_is_not_drawn(db, world):
    s = factories.student(world.a.school, last_name="Overlapsen")
    old = s.enrolments[0]
    held = factories.period(
        s, PeriodKind.SCHOOL, TODAY - timedelta(days=90), TODAY - timedelta(days=31)
    )
    never = factories.period(
        s, PeriodKind.TRAINING, TODAY - timedelta(days=30), TODAY + timedelta(days=90)
    )
    old.status, old.end_date = StudentStatus.DROPPED_OUT, TODAY - timedelta(days=40)
    again = Enrolment(programme=old.programme, school=world.a.school, start_date=TODAY)
    s.enrolments.append(again)
    db.session.flush()
    new = factories.period(s, PeriodKind.TRAINING, TODAY, TODAY + timedelta(days=60))
    tl = build([held, never, new], TODAY, set(), s.enrolments, [])
    assert [b.period for b in tl.bars] == [held, new]
    assert [b.current for b in tl.bars] == [False, True]
    # The latest enrolment keeps its interrupted plan on the picture.
    never.status = PeriodStatus.INTERRUPTED
    alone = build([held, never], TODAY, set(), [old], [])
    assert [b.period for b in alone.bars] == [held, never]
    # Interrupted, it is not the current period, though today lies within its dates.
    assert not alone.bars[1].current and "tl-current" not in alone.bars[1].css
