"""Loading a student's training period for a training view: 404 unless the user may read its
records; 403 where they may read but not write."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import access
from app.extensions import db
from app.models import Period, PeriodKind, Student, Workplace


def training_student(student_id: int) -> Student:
    return access.get_case_student_or_404(student_id)


def readable_period(student: Student, period_id: int) -> Period:
    period = db.one_or_404(
        select(Period)
        .where(
            Period.id == period_id,
            Period.student_id == student.id,
            Period.kind == PeriodKind.TRAINING,
        )
        .options(
            joinedload(Period.workplace).joinedload(Workplace.organisation),
            joinedload(Period.responsible),
        )
    )
    if not access.can_read_training(current_user, student, period):
        abort(404)
    return period


def writable_period(student: Student, period_id: int) -> Period:
    period = readable_period(student, period_id)
    if not access.can_write_training(current_user, period):
        abort(403)
    return period


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

    if on is None:
        return None
    if on < period.start_date or on > period.end_date:
        return _(
            "The date must be within the period (%(start)s – %(end)s).",
            start=period.start_date.strftime("%d.%m.%Y"),
            end=period.end_date.strftime("%d.%m.%Y"),
        )
    return None
