"""Write the access log. One call per read, search, change or export of student data.

Rows record who, when, what kind of action and which student or search criterion, and for a
student's data the organisation the user acted for (the student's access request names it);
never the contents of a field. A read commits its row at once; a change adds its row to the
same transaction as the change, so either both are stored or neither is.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_login import current_user

from app.access import acting_organisation_id
from app.extensions import db
from app.models import AuditAction, AuditEvent, Student, User


def record(
    action: AuditAction,
    *,
    student: Student | int | None = None,
    obj: object | None = None,
    criterion: str = "",
    user: User | None = None,
    commit: bool = False,
    object_type: str | None = None,
) -> AuditEvent:
    """One row. `object_type` names the kind of thing touched where there is no object to
    name it (e.g. "access_log" for reading the access log itself)."""
    if user is None and current_user and current_user.is_authenticated:
        user = current_user
    student_id = student.id if isinstance(student, Student) else student
    organisation_id = None
    if user is not None and isinstance(student, Student):
        organisation_id = acting_organisation_id(user, student)
    event = AuditEvent(
        action=action,
        user_id=user.id if user is not None else None,
        student_id=student_id,
        object_type=object_type or _object_type(obj if obj is not None else student),
        object_id=getattr(obj, "id", None) if obj is not None else student_id,
        criterion=criterion[:500],
        organisation_id=organisation_id,
    )
    db.session.add(event)
    if commit:
        db.session.commit()
    return event


def record_view(student: Student) -> None:
    record(AuditAction.VIEW, student=student, commit=True)


def record_search(criteria: Mapping[str, object]) -> None:
    """Log a search by its criteria (e.g. ``q=Hansen; programme=SSA``)."""
    text = "; ".join(f"{key}={value}" for key, value in criteria.items() if value not in ("", None))
    record(AuditAction.SEARCH, criterion=text or "(all)", commit=True)


def _object_type(obj: object | None) -> str:
    if obj is None:
        return ""
    if isinstance(obj, int):
        return "student"
    return getattr(obj, "__tablename__", type(obj).__name__.lower())
