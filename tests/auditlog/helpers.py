"""Access-log rows for the review's tests, written as app.audit writes them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from app.extensions import db
from app.models import AuditAction, AuditEvent, Student, User


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """A moment on `day` in the working day (UTC, well inside the local day)."""
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def view(
    user: User,
    student: Student,
    when: datetime,
    organisation_id: int | None = None,
    action: AuditAction = AuditAction.VIEW,
) -> AuditEvent:
    event = AuditEvent(
        at=when,
        user_id=user.id,
        action=action,
        object_type="student",
        object_id=student.id,
        student_id=student.id,
        organisation_id=organisation_id if organisation_id is not None else student.school_id,
    )
    db.session.add(event)
    return event


def days_back(today: date, n: int) -> list[date]:
    """The `n` working days (Monday to Friday) before `today`, oldest first."""
    days, day = [], today - timedelta(days=1)
    while len(days) < n:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    return sorted(days)
