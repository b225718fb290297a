"""Attachments: read, added and removed exactly as the record they belong to.

An attachment has no rules of its own. Whoever may read its record (a support need or
measure, an SPS step, a note, a case review, a declaration on training) may download it;
whoever may change that record may add and remove its attachments. The rules are those of
the record's own page, reused here (app.access.support with the student's consents,
app.access.casefile for notes, app.access.reviews, app.access.training); another
organisation's student, a record the user may not see and an attachment of another record
all answer 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.access.casefile import can_edit_note, can_read_note
from app.access.reviews import can_edit_review, get_review_or_404
from app.access.students import get_case_student_or_404
from app.access.support import (
    can_edit_measure,
    can_edit_support,
    get_measure_or_404,
    get_need_or_404,
    support_view,
)
from app.access.training import can_read_training, can_write_training
from app.extensions import db
from app.models import (
    Attachment,
    AttachmentParent,
    CaseNote,
    ConsentCategory,
    Declaration,
    NoteCategory,
    OrganisationKind,
    Period,
    SpsStep,
    Student,
    SupportMeasure,
    User,
)

P = AttachmentParent


@dataclass(frozen=True)
class Parent:
    """The record an attachment belongs to, loaded for a user who may read it."""

    kind: AttachmentParent
    row: object  # SupportNeed, SupportMeasure, SpsStep, CaseNote, CaseReview or Declaration
    can_edit: bool  # may the user add and remove its attachments?


def _note_or_404(student: Student, note_id: int) -> CaseNote:
    """A note the user may read. A health-related note written by the school reaches the
    workplace side only under the student's health consent, as its case-history line does
    (app.casefile.routes._note_event, app.access.casefile.case_event_visibility)."""
    note = db.one_or_404(
        select(CaseNote)
        .where(CaseNote.id == note_id, CaseNote.student_id == student.id)
        .options(joinedload(CaseNote.organisation))
    )
    if not can_read_note(current_user, note):
        abort(404)
    if (
        note.category == NoteCategory.HEALTH
        and note.organisation.kind == OrganisationKind.SCHOOL
        and not support_view(current_user, student).sees_category(ConsentCategory.HEALTH)
    ):
        abort(404)
    return note


def _sps_step_or_404(student: Student, step_id: int) -> SpsStep:
    step = db.one_or_404(
        select(SpsStep)
        .join(SupportMeasure, SupportMeasure.id == SpsStep.measure_id)
        .where(SpsStep.id == step_id, SupportMeasure.student_id == student.id)
    )
    get_measure_or_404(student, step.measure_id)  # 404 unless the user sees the measure
    return step


def _declaration_or_404(student: Student, declaration_id: int) -> Declaration:
    declaration = db.one_or_404(
        select(Declaration)
        .join(Period, Period.id == Declaration.period_id)
        .where(Declaration.id == declaration_id, Period.student_id == student.id)
        .options(joinedload(Declaration.period))
    )
    if not can_read_training(current_user, student, declaration.period):
        abort(404)
    return declaration


_SUPPORT_LOADERS = {
    P.NEED: get_need_or_404,
    P.SPS_STEP: _sps_step_or_404,
}


def get_parent_or_404(student: Student, kind: AttachmentParent, parent_id: int) -> Parent:
    """The student's record of `kind` and `parent_id`, 404 unless the user may read it, with
    whether the user may change its attachments."""
    user: User = current_user
    if kind == P.MEASURE:  # the school's, or the employer's own (support at the workplace)
        row = get_measure_or_404(student, parent_id)
        return Parent(kind, row, can_edit_measure(user, student, row))
    if kind in _SUPPORT_LOADERS:  # the school's support records: who records support edits
        row = _SUPPORT_LOADERS[kind](student, parent_id)
        return Parent(kind, row, can_edit_support(user, student))
    if kind == P.NOTE:
        row = _note_or_404(student, parent_id)
        return Parent(kind, row, can_edit_note(user, row))
    if kind == P.REVIEW:
        row = get_review_or_404(student, parent_id)
        return Parent(kind, row, can_edit_review(user, row))
    if kind == P.DECLARATION:
        row = _declaration_or_404(student, parent_id)
        return Parent(kind, row, can_write_training(user, row.period))
    abort(404)


def get_attachment_student_or_404(student_id: int) -> Student:
    return get_case_student_or_404(student_id)


def get_attachment_or_404(student: Student, attachment_id: int) -> tuple[Attachment, Parent]:
    """One of the student's attachments with its record, 404 unless the user may read the
    record (an attachment of another organisation's student is not found either)."""
    attachment = db.one_or_404(
        select(Attachment).where(
            Attachment.id == attachment_id, Attachment.student_id == student.id
        )
    )
    return attachment, get_parent_or_404(student, attachment.parent_kind, attachment.parent_id)


def get_editable_parent_or_404(student: Student, kind: AttachmentParent, parent_id: int) -> Parent:
    """A record whose attachments the user may change: 404 if hidden, 403 if only readable."""
    parent = get_parent_or_404(student, kind, parent_id)
    if not parent.can_edit:
        abort(403)
    return parent


def get_removable_attachment_or_404(
    student: Student, attachment_id: int
) -> tuple[Attachment, Parent]:
    """An attachment the user may remove (whoever may change its record): 404 if hidden, 403
    if only readable."""
    attachment, parent = get_attachment_or_404(student, attachment_id)
    if not parent.can_edit:
        abort(403)
    return attachment, parent
