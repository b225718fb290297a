"""Training records (goals, experiences, evaluations, warnings, declarations).

A training period's records are read by the student's school and employer, and by the
supervisors of the period's workplace; supervisors elsewhere get 404. Only a supervisor at the
period's workplace writes them (403 for other readers). The school contact (counsellor or
teacher) acknowledges.
"""

from __future__ import annotations

from datetime import date

from flask import abort
from flask_login import current_user
from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import joinedload

from app.access.roles import SCHOOL_CONTACT_ROLES, permitted
from app.access.students import (
    get_case_student_or_404,
    is_employer_staff_for,
    is_school_staff_for,
    staff_conditions,
)
from app.extensions import db
from app.models import (
    Period,
    PeriodKind,
    Role,
    Student,
    User,
    Workplace,
)
from app.models.base import today


def can_read_training(user: User, student: Student, period: Period) -> bool:
    if period.kind != PeriodKind.TRAINING:
        return False
    if is_school_staff_for(user, student) or is_employer_staff_for(user, student):
        return True
    return period.workplace_id is not None and period.workplace_id in user.workplace_ids(
        Role.SUPERVISOR
    )


def can_write_training(user: User, period: Period) -> bool:
    return (
        period.kind == PeriodKind.TRAINING
        and period.workplace_id is not None
        and period.workplace_id in user.workplace_ids(Role.SUPERVISOR)
    )


def is_school_contact_for(user: User, student: Student) -> bool:
    return student.school_id in user.organisation_ids(*SCHOOL_CONTACT_ROLES)


def can_follow_up_warning(user: User, student: Student, period: Period) -> bool:
    """The supervisor who writes the records, or the school contact."""
    return can_write_training(user, period) or is_school_contact_for(user, student)


# --- loaders and checks -------------------------------------------------------------------------


def get_training_student_or_404(student_id: int) -> Student:
    return get_case_student_or_404(student_id)


def get_training_period_or_404(student: Student, period_id: int, write: bool = False) -> Period:
    """One of the student's training periods: 404 unless the user may read its records; with
    `write`, 403 unless the user may write them."""
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
    return permitted(
        period,
        sees=can_read_training(current_user, student, period),
        may=not write or can_write_training(current_user, period),
    )


def require_school_contact(student: Student) -> None:
    """403 unless the user is the student's school contact (counsellor or teacher there)."""
    if not is_school_contact_for(current_user, student):
        abort(403)


def require_warning_follow_up(student: Student, period: Period) -> None:
    if not can_follow_up_warning(current_user, student, period):
        abort(403)


def require_issued(declaration) -> None:
    """A declaration is handed out (as PDF) only once issued; a draft answers 404."""
    if declaration is None or not declaration.issued:
        abort(404)


def training_record_visibility(user: User, on: date | None = None) -> ColumnElement[bool]:
    """`can_read_training` in SQL, for a statement over `Period` joined to `Student` (the
    student being one the user sees): a training period whose records the user may read. The
    school's staff and the employer's staff read every training period of their students; a
    supervisor only those at their workplaces."""
    conditions = staff_conditions(user, on or today())
    workplace_ids = user.workplace_ids(Role.SUPERVISOR)
    if workplace_ids:
        conditions.append(Period.workplace_id.in_(workplace_ids))
    if not conditions:
        return false()
    return and_(Period.kind == PeriodKind.TRAINING, or_(*conditions))
