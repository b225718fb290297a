"""Helpers shared by the training views. Loading a student and a training period goes through
app.access.training (get_training_student_or_404, get_training_period_or_404)."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Period, PeriodKind


def training_number(period: Period) -> int:
    """Which training period of the education this is; counted in the plan if not recorded."""
    if period.training_number:
        return period.training_number
    earlier = db.session.execute(
        select(Period.id).where(
            Period.student_id == period.student_id,
            Period.kind == PeriodKind.TRAINING,
            Period.start_date < period.start_date,
        )
    ).all()
    return len(earlier) + 1


def check_in_period(period: Period, on) -> str | None:
    """A Danish-ready message if `on` lies outside the period, else None."""
    from flask_babel import gettext as _

    from app.dates import date_text

    if on is None:
        return None
    if on < period.start_date or on > period.end_date:
        return _(
            "The date must be within the period (%(start)s – %(end)s).",
            start=date_text(period.start_date),
            end=date_text(period.end_date),
        )
    return None
