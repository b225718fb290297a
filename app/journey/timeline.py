"""The journey as a picture: periods laid out on a time axis, for an inline SVG, under bands
for the student's enrolments (GF2, then SSA, ...), with leave spans and the points where an
enrolment was completed or dropped out of. And the enrolments as rows for the student page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db
from app.models import (
    Enrolment,
    Leave,
    Period,
    PeriodKind,
    PeriodStatus,
    Student,
    StudentStatus,
)

WIDTH = 1000  # SVG user units; the picture scales to the page width


@dataclass
class Bar:
    period: Period
    x: float
    width: float
    current: bool
    css: str


@dataclass
class Tick:
    """The first day of a month on the axis; `labelled` ticks carry the month's short name."""

    x: float
    month: date
    labelled: bool


@dataclass
class Band:
    """An enrolment over the bars: its programme's short name ("GF2") where it fits."""

    enrolment: Enrolment
    x: float
    width: float
    show_label: bool
    css: str
    dropout_period: Period | None = None


@dataclass
class Span:
    """A leave (orlov) across both rows of bars, to the day it ended if that was recorded."""

    leave: Leave
    x: float
    width: float

    @property
    def last(self) -> date:
        return leave_end(self.leave)


@dataclass
class LeaveDays:
    """A leave as the student page lists it: its first and last day."""

    leave: Leave

    @property
    def last(self) -> date:
        return leave_end(self.leave)


def leave_end(leave: Leave) -> date:
    """The leave's last day: the day before the student came back (`ended_on`, set when the
    leave is ended, early, late or as planned), else the planned end."""
    if leave.ended_on is None:
        return leave.end_date
    return max(leave.ended_on - timedelta(days=1), leave.start_date)


@dataclass
class Marker:
    """Where an enrolment ended: completed (and qualified, for a basic course), dropped out or
    transferred; with the period the dropout happened in (or did not start, at a transition)."""

    enrolment: Enrolment
    x: float
    status: StudentStatus
    dropout_period: Period | None


@dataclass
class Timeline:
    bars: list[Bar]
    today_x: float | None
    transitions_x: list[float]
    years: list[tuple[float, int]]
    months: list[Tick]
    start: date
    end: date
    bands: list[Band] = field(default_factory=list)
    leaves: list[Span] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)

    @property
    def periods_by_enrolment(self) -> list[tuple[Band | None, list[Bar]]]:
        """The bars grouped under their enrolment's band, in order (for the list on a phone)."""
        groups: list[tuple[Band | None, list[Bar]]] = []
        bands = {b.enrolment.id: b for b in self.bands}
        for bar in self.bars:
            band = bands.get(bar.period.enrolment_id)
            if groups and groups[-1][0] is band:
                groups[-1][1].append(bar)
            else:
                groups.append((band, [bar]))
        return groups


# A label in the band is drawn only where the band is this wide (SVG units; ~4 characters).
LABEL_MIN_WIDTH = 36
ENDED = (StudentStatus.COMPLETED, StudentStatus.DROPPED_OUT, StudentStatus.TRANSFERRED)


def build(
    periods: list[Period],
    today: date,
    transition_ids: set[int],
    enrolments: Sequence[Enrolment] = (),
    leaves: Sequence[Leave] = (),
) -> Timeline | None:
    """Place `periods` (in date order) on a 0..WIDTH axis; None if there is nothing to draw.

    The axis runs from the first period's start to the last day of a period, a leave or an
    enrolment's end; the enrolments' bands are cut to it. The periods an earlier enrolment had
    planned after it ended are left out: a later enrolment's periods take their place (the
    latest enrolment's are drawn, greyed as interrupted, as they always were)."""
    planned = periods  # all of them: a dropout names the period it fell before
    if enrolments:
        latest = enrolments[-1].id
        ended = {e.id: e.end_date for e in enrolments if e.end_date is not None}
        periods = [
            p
            for p in periods
            if p.enrolment_id == latest
            or p.enrolment_id not in ended
            or p.start_date <= ended[p.enrolment_id]
        ]
    if not periods:
        return None
    start = min(p.start_date for p in periods)
    end = max(
        [p.end_date for p in periods]
        + [leave_end(leave) for leave in leaves]
        + [e.end_date for e in enrolments if e.end_date is not None]
    )
    span = max((end - start).days + 1, 1)

    def x(day: date) -> float:
        return round(WIDTH * (min(max(day, start), end) - start).days / span, 1)

    bars = []
    for p in periods:
        # An interrupted period is not under way, whatever its dates say.
        current = p.start_date <= today <= p.end_date and p.status != PeriodStatus.INTERRUPTED
        css = "tl-school" if p.kind == PeriodKind.SCHOOL else "tl-training"
        if p.status == PeriodStatus.INTERRUPTED:
            css += " tl-interrupted"
        if current:
            css += " tl-current"
        width = max(round(WIDTH * ((p.end_date - p.start_date).days + 1) / span, 1), 2)
        bars.append(Bar(p, x(p.start_date), width, current, css))
    years = [(x(date(y, 1, 1)), y) for y in range(start.year + 1, end.year + 1)]
    months = _month_ticks(start, end)
    return Timeline(
        bars=bars,
        today_x=x(today) if start <= today <= end else None,
        transitions_x=[x(p.start_date) for p in periods if p.id in transition_ids],
        years=years,
        months=[Tick(x(m), m, labelled) for m, labelled in months],
        start=start,
        end=end,
        bands=_bands(enrolments, periods, planned, x, end),
        leaves=[
            Span(leave, x(leave.start_date), _width(x, leave.start_date, leave_end(leave), span))
            for leave in leaves
            if leave_end(leave) >= start and leave.start_date <= end
        ],
        markers=[
            Marker(e, x(e.end_date), e.status, _by_id(planned, e.dropout_period_id))
            for e in enrolments
            if e.status in ENDED and e.end_date is not None and start <= e.end_date <= end
        ],
    )


def _width(x, first: date, last: date, span: int) -> float:
    """The width of the days `first`..`last` (both included), at least 2 units to be seen."""
    return max(round(x(last) - x(first) + WIDTH / span, 1), 2)


def _bands(
    enrolments: Sequence[Enrolment], periods: list[Period], planned: list[Period], x, end: date
) -> list[Band]:
    """One band per enrolment that has periods on the axis: from its start (or its first
    period, whichever is earlier) to its end (or its last period's end, or the axis's end)."""
    bands = []
    span = max((end - min(p.start_date for p in periods)).days + 1, 1)
    for e in enrolments:
        own = [p for p in periods if p.enrolment_id == e.id]
        if not own:
            continue
        first = min([e.start_date] + [p.start_date for p in own])
        last = e.end_date or max(p.end_date for p in own)
        last = max(last, first)
        width = _width(x, first, last, span)
        css = f"tl-band tl-band-{e.status.value}"
        dropout_period = _by_id(planned, e.dropout_period_id)
        bands.append(Band(e, x(first), width, width >= LABEL_MIN_WIDTH, css, dropout_period))
    return bands


def _by_id(periods: list[Period], period_id: int | None) -> Period | None:
    return next((p for p in periods if p.id == period_id), None)


# --- the enrolments as rows on the student page ---------------------------------------------


@dataclass
class EnrolmentRow:
    """One enrolment of the student, with its periods and leaves (loaded once for the page)."""

    enrolment: Enrolment
    periods: list[Period]
    leaves: list[LeaveDays]
    dropout_period: Period | None


def enrolment_rows(
    enrolments: Sequence[Enrolment], periods: list[Period], leaves: Sequence[Leave]
) -> list[EnrolmentRow]:
    """The student's enrolments in order, each with its own periods and leaves: from rows
    already loaded, no query per enrolment."""
    return [
        EnrolmentRow(
            e,
            [p for p in periods if p.enrolment_id == e.id],
            [LeaveDays(leave) for leave in leaves if leave.enrolment_id == e.id],
            _by_id(periods, e.dropout_period_id),
        )
        for e in enrolments
    ]


def _month_ticks(start: date, end: date) -> list[tuple[date, bool]]:
    """Every first of a month after `start` up to `end`. Short spans label every month; a
    longer one every third (Jan, Apr, Jul, Oct) or sixth, so the names never run together."""
    n_months = (end.year - start.year) * 12 + end.month - start.month
    every = 1 if n_months <= 18 else 3 if n_months <= 48 else 6
    ticks = []
    year, month = (start.year, start.month + 1) if start.month < 12 else (start.year + 1, 1)
    while (first := date(year, month, 1)) <= end:
        ticks.append((first, (month - 1) % every == 0))
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return ticks


def enrolments_and_leaves(student: Student) -> tuple[list[Enrolment], list[Leave]]:
    """The student's enrolments (GF2, SSA, ...) in order, with what a page shows of them,
    and their leaves: one statement, however many there are. `student.enrolments` is filled
    from it, so nothing on the page loads them again."""
    rows = db.session.execute(
        select(Enrolment, Leave)
        .outerjoin(Leave, Leave.enrolment_id == Enrolment.id)
        .where(Enrolment.student_id == student.id)
        .options(
            joinedload(Enrolment.programme),
            joinedload(Enrolment.school),
            joinedload(Enrolment.class_team),
        )
        .order_by(Enrolment.start_date, Enrolment.id, Leave.start_date, Leave.id)
    ).all()
    enrolments = list(dict.fromkeys(enrolment for enrolment, _leave in rows))
    leaves = [leave for _enrolment, leave in rows if leave is not None]
    set_committed_value(student, "enrolments", enrolments)
    return enrolments, leaves
