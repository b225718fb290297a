"""The case file: which lines a user sees, and who may write and change notes.

Lines about support are shown only in the categories the user's SupportView sees; a note kept
to one organisation is shown only to its staff. A note is changed only by its author; someone
else's note answers 403 to a user who may read it and 404 to one who may not.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import joinedload

from app.access.journey import can_read_handover, can_see_handover_note
from app.access.reviews import can_read_review
from app.access.roles import CASE_ROLES
from app.access.students import acting_organisation_id
from app.access.support import SupportView
from app.access.training import can_read_training
from app.extensions import db
from app.models import (
    CaseEvent,
    CaseEventTarget,
    CaseNote,
    NoteVisibility,
    Organisation,
    Role,
    Student,
    User,
)

T = CaseEventTarget


def case_event_visibility(view: SupportView, user: User | None = None) -> ColumnElement[bool]:
    """A SQL condition on CaseEvent: lines about support only in the categories `view` sees
    (and not those of a student's earlier school, `view.since`), and lines kept to one
    organisation (notes) only for its staff."""
    user = user or current_user
    categories = [c.value for c in view.categories]
    support_line = CaseEvent.data_category.in_(categories)
    if view.since is not None:
        support_line = and_(support_line, CaseEvent.at >= view.since)
    return and_(
        or_(CaseEvent.data_category.is_(None), support_line),
        or_(
            CaseEvent.restricted_to_id.is_(None),
            CaseEvent.restricted_to_id.in_(user.organisation_ids(*Role)),
        ),
    )


def can_read_note(user: User, note: CaseNote) -> bool:
    """A shared note is read by everyone who sees the student; a note kept to its
    organisation only by that organisation's staff."""
    return note.visibility == NoteVisibility.SHARED or note.organisation_id in (
        user.organisation_ids(*CASE_ROLES)
    )


def can_edit_note(user: User, note: CaseNote) -> bool:
    return note.author_id == user.id


def get_note_organisation_or_403(student: Student) -> Organisation:
    """The organisation the user writes a note for in the student's case; 403 if none."""
    organisation_id = acting_organisation_id(current_user, student)
    organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
    if organisation is None:
        abort(403)
    return organisation


def get_own_note_or_404(student: Student, note_id: int) -> CaseNote:
    """One of the student's notes, written by the user. Someone else's note: hidden (404) if
    the user may not read it, refused (403) if they may."""
    note = db.one_or_404(
        select(CaseNote)
        .where(CaseNote.id == note_id, CaseNote.student_id == student.id)
        .options(joinedload(CaseNote.organisation))
    )
    if not can_edit_note(current_user, note):
        abort(403 if can_read_note(current_user, note) else 404)
    return note


def can_read_target(
    user: User, student: Student, view: SupportView, kind: CaseEventTarget, target, period=None
) -> bool:
    """May `user` open (or read in the case-file PDF) the thing a case-history line records?
    `target` is the loaded row (a HandoverNote with its periods, a CaseReview with its
    participants' memberships); training records (TRAINING, WARNING, DECLARATION) come with
    their `period`. The rules are those of the thing's own page."""
    if kind == T.HANDOVER:
        return can_see_handover_note(user, target) and can_read_handover(
            user, student, target.from_period, target.to_period
        )
    if kind == T.NOTE:
        return can_read_note(user, target)
    if kind == T.REVIEW:
        return can_read_review(user, target, student)
    if kind == T.MEASURE:
        return view.sees_measure(target)
    if kind == T.NEED:
        return view.sees_need(target)
    if kind in (T.TRAINING, T.WARNING, T.DECLARATION):
        return period is not None and can_read_training(user, student, period)
    return False
