"""The case history: the lines people read about what changed in a student's case.

`log` writes a line (and its access-log row) in the caller's transaction; the caller says who
acted, and may say when, and which thing the line records (`target`). `case_history` is the
one query that reads the lines a viewer may see, used by the student page, the history page,
the case file and its PDF. `targets_of` loads the things a page's lines record, in one query
per kind of thing, keeping those the viewer may read (app.access decides), with their
addresses: the lines link to them, and the case-file PDF prints their content."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload

from app import audit
from app.access import SupportView, acting_organisation_id, case_event_visibility
from app.access.casefile import can_read_target
from app.extensions import db
from app.models import (
    ActionItem,
    AuditAction,
    CaseEvent,
    CaseEventKind,
    CaseEventTarget,
    CaseNote,
    CaseReview,
    Declaration,
    DeclarationLine,
    HandoverNote,
    Membership,
    Period,
    Student,
    SupportMeasure,
    SupportNeed,
    TrainingWarning,
    User,
)

T = CaseEventTarget
# The kind of thing each model is, as a line's target.
_TARGET_KIND = {
    HandoverNote: T.HANDOVER,
    CaseNote: T.NOTE,
    CaseReview: T.REVIEW,
    SupportMeasure: T.MEASURE,
    SupportNeed: T.NEED,
    TrainingWarning: T.WARNING,
    Declaration: T.DECLARATION,
    Period: T.TRAINING,
}

# How each kind of case change counts in the access log.
_AUDIT_ACTION = {
    CaseEventKind.STUDENT_CREATED: AuditAction.CREATE,
    CaseEventKind.PLAN_CREATED: AuditAction.CREATE,
    CaseEventKind.PERIOD_ADDED: AuditAction.CREATE,
    CaseEventKind.AGREEMENT_CREATED: AuditAction.CREATE,
    CaseEventKind.HANDOVER_WRITTEN: AuditAction.CREATE,
    CaseEventKind.PERIOD_DELETED: AuditAction.DELETE,
    CaseEventKind.ATTACHMENT_ADDED: AuditAction.CREATE,
    CaseEventKind.ATTACHMENT_REMOVED: AuditAction.DELETE,
    CaseEventKind.WORKPLACE_SUPPORT_ADDED: AuditAction.CREATE,
    CaseEventKind.HELP_REQUESTED: AuditAction.CREATE,
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
    target=None,
    **details,
) -> CaseEvent:
    """Add a line to the case history (and the access log) for `user`'s change to `student`'s
    case, at `at` (default: now).

    `data_category` (a ConsentCategory) marks a line about support data: the workplace side
    sees it only under the student's consent for that category. `restricted_to_id` keeps a
    line to one organisation. The line records the organisation the user acted for, and the
    thing it is about: `target` (a HandoverNote, SupportMeasure, TrainingWarning, ..., or the
    training Period whose records changed), else the note or review of `note_id`/`review_id`."""
    target_kind = target_id = None
    if target is not None:
        if target.id is None:
            db.session.flush()  # a new row: its id
        target_kind, target_id = _TARGET_KIND[type(target)], target.id
        if period_id is None:
            period_id = (
                target.id
                if isinstance(target, Period)
                else getattr(target, "to_period_id", None) or getattr(target, "period_id", None)
            )
    elif note_id is not None:
        target_kind, target_id = T.NOTE, note_id
    elif review_id is not None:
        target_kind, target_id = T.REVIEW, review_id
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
        target_kind=target_kind,
        target_id=target_id,
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


# --- what the lines record ----------------------------------------------------------------------


@dataclass
class Target:
    """A thing a line records, readable by the viewer: its row and the page that shows it."""

    kind: CaseEventTarget
    row: object
    url: str


def _load(kind: CaseEventTarget, ids: set[int], student: Student, content: bool) -> list[tuple]:
    """(row, period) of the student's things of one kind, in one statement (and the
    selectinloads of their parts)."""
    if kind == T.HANDOVER:
        query = select(HandoverNote).options(
            joinedload(HandoverNote.from_period), joinedload(HandoverNote.to_period)
        )
    elif kind == T.REVIEW:
        query = select(CaseReview).options(
            selectinload(CaseReview.participants)
            .selectinload(User.memberships)
            .joinedload(Membership.organisation)
        )
        if content:
            query = query.options(
                selectinload(CaseReview.action_items).joinedload(ActionItem.owner)
            )
    elif kind == T.MEASURE:
        query = select(SupportMeasure).options(joinedload(SupportMeasure.owner))
    elif kind == T.NEED:
        query = select(SupportNeed).options(joinedload(SupportNeed.category))
    elif kind == T.TRAINING:
        rows = db.session.execute(
            select(Period).where(Period.id.in_(ids), Period.student_id == student.id)
        ).scalars()
        return [(p, p) for p in rows]
    else:
        model = TrainingWarning if kind == T.WARNING else Declaration
        query = (
            select(model, Period)
            .join(Period, Period.id == model.period_id)
            .where(model.id.in_(ids), Period.student_id == student.id)
        )
        if content and model is TrainingWarning:
            query = query.options(selectinload(TrainingWarning.goals))
        if content and model is Declaration:
            query = query.options(selectinload(Declaration.lines).joinedload(DeclarationLine.goal))
        return [tuple(row) for row in db.session.execute(query).unique()]
    model = query.column_descriptions[0]["entity"]
    rows = (
        db.session.execute(query.where(model.id.in_(ids), model.student_id == student.id))
        .unique()
        .scalars()
    )
    return [(row, None) for row in rows]


# The page of a training period's record, by the kind of line.
_TRAINING_PAGE = {
    CaseEventKind.GOALS_ASSESSED: "training.assess",
    CaseEventKind.LEARNING_AGREEMENT_SAVED: "training.learning_agreement",
    CaseEventKind.MID_EVALUATION_SIGNED: "training.mid_evaluation",
    CaseEventKind.MID_EVALUATION_ACKNOWLEDGED: "training.mid_evaluation",
}


def _url(kind: CaseEventTarget, row, student: Student) -> str:
    s = student.id
    if kind == T.HANDOVER:
        return url_for("journey.handover", student_id=s, period_id=row.to_period_id)
    if kind == T.NOTE:
        return url_for("casefile.case_file", student_id=s, kind="notes", _anchor=f"note-{row.id}")
    if kind == T.REVIEW:
        return url_for("reviews.review", student_id=s, review_id=row.id)
    if kind == T.MEASURE:
        return url_for("support.measure", student_id=s, measure_id=row.id)
    if kind == T.NEED:
        return url_for("support.overview", student_id=s)
    if kind == T.WARNING:
        return url_for("training.period", student_id=s, period_id=row.period_id, _anchor="warnings")
    if kind == T.DECLARATION:
        return url_for("training.declaration", student_id=s, period_id=row.period_id)
    return url_for("training.period", student_id=s, period_id=row.id)


def targets_of(
    events: Iterable[CaseEvent],
    student: Student,
    viewer: User,
    view: SupportView,
    content: bool = False,
) -> dict[int, Target]:
    """For each of `events` (lines of `student`'s history the viewer sees) that records a
    thing `viewer` may read, that thing: {event id: Target}. One query per kind of thing
    (a few more with `content`, which also loads the parts the PDF prints), whatever the
    number of lines; a thing the viewer may not read is left out, so no link or content of
    it shows."""
    events = [e for e in events if e.target_kind is not None and e.target_id is not None]
    wanted: dict[CaseEventTarget, set[int]] = {}
    for e in events:
        wanted.setdefault(CaseEventTarget(e.target_kind), set()).add(e.target_id)
    readable: dict[tuple[CaseEventTarget, int], object] = {}
    for kind, ids in wanted.items():
        if kind == T.NOTE:  # loaded with the lines
            rows = [(n, None) for n in {e.note for e in events if e.note and e.note.id in ids}]
        else:
            rows = _load(kind, ids, student, content)
        for row, period in rows:
            if can_read_target(viewer, student, view, kind, row, period):
                readable[kind, row.id] = row
    found = {}
    for e in events:
        key = (CaseEventTarget(e.target_kind), e.target_id)
        if key in readable:
            row = readable[key]
            url = _url(key[0], row, student)
            if key[0] == T.TRAINING and e.kind in _TRAINING_PAGE:
                url = url_for(_TRAINING_PAGE[e.kind], student_id=student.id, period_id=row.id)
            found[e.id] = Target(key[0], row, url)
    return found
