"""The case history: the lines people read about what changed in a student's case.

`log` writes a line (and its access-log row) in the caller's transaction; the caller says who
acted, and may say when. `case_history` is the one query that reads the lines a viewer may see,
used by the student page, the history page, the case file and its PDF."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from app import audit
from app.access import SupportView, acting_organisation_id, case_event_visibility
from app.extensions import db
from app.models import AuditAction, CaseEvent, CaseEventKind, CaseNote, Student, User

# How each kind of case change counts in the access log.
_AUDIT_ACTION = {
    CaseEventKind.STUDENT_CREATED: AuditAction.CREATE,
    CaseEventKind.PLAN_CREATED: AuditAction.CREATE,
    CaseEventKind.PERIOD_ADDED: AuditAction.CREATE,
    CaseEventKind.AGREEMENT_CREATED: AuditAction.CREATE,
    CaseEventKind.HANDOVER_WRITTEN: AuditAction.CREATE,
    CaseEventKind.PERIOD_DELETED: AuditAction.DELETE,
}


def log(
    student: Student,
    kind: CaseEventKind,
    user: User,
    data_category: str | None = None,
    *,
    at: datetime | None = None,
    period_id: int | None = None,
    note_id: int | None = None,
    review_id: int | None = None,
    restricted_to_id: int | None = None,
    **details,
) -> CaseEvent:
    """Add a line to the case history (and the access log) for `user`'s change to `student`'s
    case, at `at` (default: now).

    `data_category` (a ConsentCategory) marks a line about support data: the workplace side
    sees it only under the student's consent for that category. `restricted_to_id` keeps a
    line to one organisation. The line records the organisation the user acted for."""
    event = CaseEvent(
        student_id=student.id,
        user_id=user.id,
        kind=kind,
        details=details,
        data_category=data_category,
        organisation_id=acting_organisation_id(user, student),
        period_id=period_id,
        note_id=note_id,
        review_id=review_id,
        restricted_to_id=restricted_to_id,
    )
    if at is not None:
        event.at = at
    db.session.add(event)
    audit.record(_AUDIT_ACTION.get(kind, AuditAction.UPDATE), student=student, user=user)
    return event


def case_history(student: Student, viewer: User, view: SupportView, conditions=()) -> Select:
    """The lines of `student`'s history that `viewer` may see (support lines as `view`, the
    viewer's access.support_view, allows), newest first, with who wrote them, for which
    organisation and the note they are about. `conditions` narrow it (the case file's filters;
    they may test CaseNote, which is outer-joined)."""
    return (
        select(CaseEvent)
        .outerjoin(CaseNote, CaseNote.id == CaseEvent.note_id)
        .where(
            CaseEvent.student_id == student.id,
            case_event_visibility(view, viewer),
            *conditions,
        )
        .options(
            joinedload(CaseEvent.user),
            joinedload(CaseEvent.organisation),
            joinedload(CaseEvent.note),
        )
        .order_by(CaseEvent.at.desc(), CaseEvent.id.desc())
    )
