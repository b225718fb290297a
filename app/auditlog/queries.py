"""Reading the access log for review: the filtered rows (page and CSV) and the choices of the
filter. Every query is limited by app.access.auditlog.access_log_scope first."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import Select, select

from app.access.auditlog import access_log_scope, reviewable_users
from app.extensions import db
from app.models import AuditAction, AuditEvent, Student, User
from app.models.base import day_start
from app.models.student import search_condition

# The kind of object a row of the review itself is recorded with (reading and exporting the
# log are logged too).
ACCESS_LOG = "access_log"


def in_period(date_from: date | None, date_to: date | None):
    """Conditions on `AuditEvent.at`: from the start of `date_from` to the end of `date_to`
    (local days, both included)."""
    conditions = []
    if date_from is not None:
        conditions.append(AuditEvent.at >= day_start(date_from))
    if date_to is not None:
        conditions.append(AuditEvent.at < day_start(date_to + timedelta(days=1)))
    return conditions


class LogRow(NamedTuple):
    id: int
    at: datetime
    action: AuditAction
    object_type: str
    object_id: int | None
    criterion: str
    user_id: int | None
    user_name: str | None
    user_email: str | None
    student_id: int | None
    student_name: str | None
    student_number: str | None


def filtered_log(
    reviewer: User,
    *,
    user_id: int | None = None,
    student: str | None = None,
    action: AuditAction | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Select:
    """The rows `reviewer` may see that match the filters, newest first, with the user's and
    the student's names: one statement."""
    query = (
        select(
            AuditEvent.id,
            AuditEvent.at,
            AuditEvent.action,
            AuditEvent.object_type,
            AuditEvent.object_id,
            AuditEvent.criterion,
            AuditEvent.user_id,
            User.name,
            User.email,
            AuditEvent.student_id,
            (Student.first_name + " " + Student.last_name).label("student_name"),
            Student.student_number,
        )
        .outerjoin(User, User.id == AuditEvent.user_id)
        .outerjoin(Student, Student.id == AuditEvent.student_id)
        .where(access_log_scope(reviewer), *in_period(date_from, date_to))
    )
    if user_id is not None:
        query = query.where(AuditEvent.user_id == user_id)
    if student:
        query = query.where(
            AuditEvent.student_id.in_(select(Student.id).where(search_condition(student)))
        )
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def user_choices(reviewer: User) -> list[tuple[str, str]]:
    """The people the reviewer may filter by, as (id, "name (e-mail)"), by name."""
    users = db.session.execute(
        reviewable_users(reviewer)
        .with_only_columns(User.id, User.name, User.email)
        .order_by(User.name, User.id)
    ).all()
    return [(str(u.id), f"{u.name} ({u.email})") for u in users]
