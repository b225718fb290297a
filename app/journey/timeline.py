"""The journey as a picture: periods laid out on a time axis, for an inline SVG."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.models import Period, PeriodKind, PeriodStatus

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
class Timeline:
    bars: list[Bar]
    today_x: float | None
    transitions_x: list[float]
    years: list[tuple[float, int]]
    months: list[Tick]
    start: date
    end: date


def build(periods: list[Period], today: date, transition_ids: set[int]) -> Timeline | None:
    """Place `periods` (in date order) on a 0..WIDTH axis; None if there is nothing to draw."""
    if not periods:
        return None
    start = min(p.start_date for p in periods)
    end = max(p.end_date for p in periods)
    span = max((end - start).days + 1, 1)

    def x(day: date) -> float:
        return round(WIDTH * (day - start).days / span, 1)

    bars = []
    for p in periods:
        current = p.start_date <= today <= p.end_date
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
    )


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
