"""The journey: the plan (periods, agreements) and handover notes between periods.

The plan is read by everyone who sees the student and edited by the staff of the school and of
the student's employers (403 for others who see it). A handover note is read by the staff of
the school and the employer, and by the supervisors of the two workplaces (404 for others).
A draft of a handover note is seen only by the organisation writing it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from flask import abort, current_app
from flask_login import current_user
from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select
from sqlalchemy.orm import joinedload

from app import dates
from app.access.roles import CASE_ROLES, EMPLOYER_STAFF_ROLES, STUDENT_CREATOR_ROLES, permitted
from app.access.students import (
    get_case_student_or_404,
    is_employer_staff_for,
    is_school_staff_for,
)
from app.extensions import db
from app.models import (
    SCHOOL_ROLES,
    Enrolment,
    HandoverNote,
    Period,
    PeriodKind,
    Role,
    Student,
    TrainingAgreement,
    User,
    Workplace,
)
from app.models.base import today


def can_edit_plan(user: User, student: Student) -> bool:
    """School staff at the student's school and staff of the student's employer edit the plan."""
    return is_school_staff_for(user, student) or is_employer_staff_for(user, student)


def can_change_status(user: User, student: Student) -> bool:
    """Complete, enrol in a new programme, leave, transfer: the school's student
    administration. The counsellors and school admins of the student's school (those who enrol
    students, STUDENT_CREATOR_ROLES) change a student's enrolment and status; teachers do not
    (docs/domain.md, "Who uses it": the contact teacher keeps notes and handovers), nor the
    employer's staff, who may still register a dropout (`can_edit_plan`)."""
    return student.school_id in user.organisation_ids(*STUDENT_CREATOR_ROLES)


def enrolment_school_ids(user: User) -> set[int]:
    """The schools a user may enrol a student at: where they hold a role that enrols."""
    return user.organisation_ids(*STUDENT_CREATOR_ROLES)


def can_edit_agreement(user: User, student: Student, agreement: TrainingAgreement) -> bool:
    """The school edits every agreement; an employer's staff only their own organisation's."""
    return is_school_staff_for(user, student) or agreement.employer_id in (
        user.organisation_ids(*EMPLOYER_STAFF_ROLES)
    )


def _on_side_of(user: User, student: Student, period: Period) -> bool:
    """Does `user` act for the place where `period` happens (the school, or the workplace)?"""
    if period.kind == PeriodKind.SCHOOL:
        return is_school_staff_for(user, student)
    if period.workplace is None:
        return is_employer_staff_for(user, student)
    return period.workplace_id in user.workplace_ids(Role.SUPERVISOR) or (
        period.workplace.organisation_id in user.organisation_ids(*EMPLOYER_STAFF_ROLES)
    )


def on_side_clause(user: User, period, student) -> ColumnElement[bool]:
    """`_on_side_of` as a SQL condition on `period` (the Period entity or an alias of it) and
    its `student` (the Student entity, joined to the statement): true for the periods whose
    place `user` acts for. Lists of handover notes to write or to acknowledge filter with it.

    The school's side reads the joined student's school, not `period.student_id IN (the
    school's students)`: that list holds up to 20,000 ids, built for every statement, for a
    few thousand periods (README, "Performance")."""
    conditions: list[ColumnElement[bool]] = []
    school_ids = user.organisation_ids(*SCHOOL_ROLES)
    if school_ids:
        conditions.append(and_(period.kind == PeriodKind.SCHOOL, student.school_id.in_(school_ids)))
    workplace_ids = user.workplace_ids(Role.SUPERVISOR)
    if workplace_ids:
        conditions.append(
            and_(period.kind == PeriodKind.TRAINING, period.workplace_id.in_(workplace_ids))
        )
    employer_ids = user.organisation_ids(*EMPLOYER_STAFF_ROLES)
    if employer_ids:
        theirs = select(Workplace.id).where(Workplace.organisation_id.in_(employer_ids))
        # Looked up only for a training period with no workplace yet.
        employed = exists().where(
            TrainingAgreement.student_id == student.id,
            TrainingAgreement.employer_id.in_(employer_ids),
            or_(TrainingAgreement.end_date.is_(None), TrainingAgreement.end_date >= today()),
        )
        conditions.append(
            and_(
                period.kind == PeriodKind.TRAINING,
                or_(
                    period.workplace_id.in_(theirs),
                    and_(period.workplace_id.is_(None), employed),
                ),
            )
        )
    return or_(*conditions) if conditions else false()


def can_write_handover(user: User, student: Student, from_period: Period) -> bool:
    """The sending side writes the note."""
    return _on_side_of(user, student, from_period)


def can_acknowledge_handover(user: User, student: Student, to_period: Period) -> bool:
    """The receiving side acknowledges it."""
    return _on_side_of(user, student, to_period)


def can_read_handover(user: User, student: Student, from_period: Period, to_period: Period) -> bool:
    """Staff of the school or the employer read it; a supervisor only at the two workplaces,
    and at the receiving one only from HANDOVER_DAYS_BEFORE days before the period starts."""
    if is_school_staff_for(user, student) or is_employer_staff_for(user, student):
        return True
    supervised = user.workplace_ids(Role.SUPERVISOR)
    if from_period.kind == PeriodKind.TRAINING and from_period.workplace_id in supervised:
        return True
    if to_period.kind == PeriodKind.TRAINING and to_period.workplace_id in supervised:
        # Clamped: a period stored with a date near year 1 must not crash the check.
        opens = dates.add_clamped(
            to_period.start_date, -timedelta(days=current_app.config["HANDOVER_DAYS_BEFORE"])
        )
        return today() >= opens
    return False


def can_see_handover_note(user: User, note: HandoverNote) -> bool:
    """A sent note follows `can_read_handover`. A draft is kept to the organisation that
    writes it (the author and their colleagues there): never the receiving side, never anyone
    else, whatever else they may read."""
    return not note.is_draft or note.author_organisation_id in user.organisation_ids(*CASE_ROLES)


def visible_handover_notes(user: User, notes: list[HandoverNote]) -> list[HandoverNote]:
    """The notes of `notes` the user may know about (drafts of another organisation left out)."""
    return [n for n in notes if can_see_handover_note(user, n)]


def handover_drafts_query(user: User, visible: Select) -> Select:
    """The drafts written by the user's organisations for the students of `visible` (a
    `select(Student)` already limited by the access rules), newest change first."""
    return (
        select(HandoverNote)
        .where(
            HandoverNote.is_draft.is_(True),
            HandoverNote.author_organisation_id.in_(user.organisation_ids(*CASE_ROLES)),
            HandoverNote.student_id.in_(visible.with_only_columns(Student.id).scalar_subquery()),
        )
        .options(
            joinedload(HandoverNote.student),
            joinedload(HandoverNote.to_period),
            joinedload(HandoverNote.author),
        )
        .order_by(HandoverNote.updated_at.desc(), HandoverNote.id.desc())
    )


# --- loaders --------------------------------------------------------------------------------


def get_plan_student_or_404(student_id: int, edit: bool = False) -> Student:
    """The student (404 if hidden); with `edit`, 403 unless the user may edit the plan."""
    return get_case_student_or_404(student_id, may=can_edit_plan if edit else None)


def get_status_student_or_404(student_id: int) -> Student:
    """The student (404 if hidden), 403 unless the user may change their enrolment/status."""
    return get_case_student_or_404(student_id, may=can_change_status)


def get_period_or_404(student: Student, period_id: int) -> Period:
    """One of the student's periods (404 if another student's)."""
    query = (
        select(Period)
        .where(Period.id == period_id, Period.student_id == student.id)
        .options(joinedload(Period.workplace), joinedload(Period.responsible))
    )
    return db.one_or_404(query)


def get_plan_period_or_404(student_id: int, period_id: int) -> tuple[Student, Period]:
    """The student, for editing their plan, and one of their periods."""
    student = get_plan_student_or_404(student_id, edit=True)
    return student, get_period_or_404(student, period_id)


def get_agreement_or_404(student: Student, agreement_id: int) -> TrainingAgreement:
    """One of the student's agreements (loaded with the student) for editing: 404 if another
    student's, 403 unless the user may edit it."""
    agreement = next((a for a in student.agreements if a.id == agreement_id), None)
    return permitted(
        agreement,
        sees=agreement is not None,
        may=agreement is not None and can_edit_agreement(current_user, student, agreement),
    )


def is_transition(previous: Period, following: Period) -> bool:
    """A change of place (school ↔ workplace, or one workplace to another) or of enrolment
    (GF2's last school period → the main programme's first, a change of school, a re-enrolment):
    each asks for a handover note. (Here, not in app.journey, because who may read a handover
    depends on it.) `app.journey.handovers.changed_place` is the same rule in SQL."""
    return (
        previous.place_key() != following.place_key()
        or previous.enrolment_id != following.enrolment_id
    )


def never_held(period) -> ColumnElement[bool]:
    """True for a period (the Period entity or an alias) that starts after its enrolment
    ended: the student left (dropped out, completed, moved) before it, so it is neither
    arrived at nor left from. Its twin in Python is `held_periods`."""
    return exists().where(
        Enrolment.id == period.enrolment_id, Enrolment.end_date < period.start_date
    )


def held_periods(periods: list[Period], enrolments: Sequence[Enrolment]) -> list[Period]:
    """`periods` without those that start after their enrolment ended (`never_held`)."""
    ended = {e.id: e.end_date for e in enrolments if e.end_date is not None}
    return [
        p for p in periods if not (p.enrolment_id in ended and p.start_date > ended[p.enrolment_id])
    ]


def held_before(earlier, later) -> Select:
    """`select(earlier)`: the period just before `later` in the same student's plan, leaving
    out periods never held. `later` is a Period, or the Period entity to correlate with."""
    return (
        select(earlier)
        .where(
            earlier.student_id == later.student_id,
            earlier.start_date < later.start_date,
            ~never_held(earlier),
        )
        .order_by(earlier.start_date.desc())
        .limit(1)
    )


def previous_period(period: Period) -> Period | None:
    """The period before `period` in the student's plan, leaving out periods never held."""
    return db.session.execute(held_before(Period, period)).scalar_one_or_none()


def get_transition_or_404(
    student: Student, period_id: int, write: bool = False, acknowledge: bool = False
) -> tuple[Period, Period, HandoverNote | None]:
    """The period `period_id` (the receiving one), the period before it, and its note.

    404 unless it is a transition the user may read; with `write`, 403 unless the user is on
    the sending side; with `acknowledge`, 403 unless on the receiving side, then 404 if there
    is no note yet.
    """
    to_period = get_period_or_404(student, period_id)
    from_period = previous_period(to_period)
    if from_period is None or not is_transition(from_period, to_period):
        abort(404)
    note = db.session.execute(
        select(HandoverNote)
        .where(HandoverNote.to_period_id == to_period.id)
        .options(
            joinedload(HandoverNote.author),
            joinedload(HandoverNote.acknowledged_by),
            joinedload(HandoverNote.author_organisation),
        )
    ).scalar_one_or_none()
    if not can_read_handover(current_user, student, from_period, to_period):
        abort(404)
    hidden_draft = note is not None and not can_see_handover_note(current_user, note)
    if hidden_draft:
        note = None  # to anyone outside the writing organisation, there is no note yet
    if write and (hidden_draft or not can_write_handover(current_user, student, from_period)):
        abort(403)
    if acknowledge:
        if not can_acknowledge_handover(current_user, student, to_period):
            abort(403)
        if note is None or note.is_draft:
            abort(404)
    return from_period, to_period, note
