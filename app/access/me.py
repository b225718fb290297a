"""The student's own part (app.me): a student's account opens exactly one case, their own.

A student's membership (Role.STUDENT) names the student (`Membership.student_id`). The
student is not a school or employer role, so `app.access.students.student_visibility` gives
them no student at all: every staff page answers 403 (role gate) or 404. Their own pages load
through the loaders here, which only ever look inside their own case; anything of another
student's answers 404.

What a student sees of their case is listed in docs/domain.md ("What the student sees"):
never a case note kept to one organisation, never a handover draft, never another
organisation's internal working notes.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.access.export import access_request_load
from app.access.roles import (
    permitted,
    roles_required,
)
from app.access.students import can_edit_student_record, student_visibility
from app.access.training import is_school_contact_for
from app.extensions import db
from app.models import (
    AuditEvent,
    Consent,
    ConversationRequest,
    Declaration,
    Membership,
    Organisation,
    Period,
    PeriodKind,
    Role,
    Student,
    TrainingAgreement,
    TrainingWarning,
    User,
    Workplace,
)
from app.models.base import today

STUDENT_ROLES = frozenset({Role.STUDENT})

student_only = roles_required(Role.STUDENT)


def own_student_id(user: User) -> int | None:
    """The student whose own account `user` is, else None (no query)."""
    return user.own_student_id if getattr(user, "is_authenticated", False) else None


def is_own_student(user: User, student: Student) -> bool:
    return own_student_id(user) == student.id


def get_own_student_or_404(*options) -> Student:
    """The logged-in student's own case (with `options` loaded). A student account whose
    student is gone answers 404."""
    student_id = own_student_id(current_user)
    if student_id is None:
        abort(404)
    return db.one_or_404(select(Student).where(Student.id == student_id).options(*options))


def get_own_training_period_or_404(student: Student, period_id: int) -> Period:
    """One of the student's own training periods; another student's period answers 404."""
    return db.one_or_404(
        select(Period)
        .where(
            Period.id == period_id,
            Period.student_id == student.id,
            Period.kind == PeriodKind.TRAINING,
        )
        .options(joinedload(Period.workplace).joinedload(Workplace.organisation))
    )


# --- the school's side ---------------------------------------------------------------------


def can_handle_conversation(user: User, student: Student) -> bool:
    """The student's counsellor or contact teacher (a school contact at the student's school)
    marks a request for a conversation handled."""
    return is_school_contact_for(user, student)


def my_conversation_requests(user: User) -> Select[tuple[ConversationRequest]]:
    """The open requests for a conversation addressed to `user`, of students they see."""
    return (
        select(ConversationRequest)
        .join(Student, Student.id == ConversationRequest.student_id)
        .where(
            ConversationRequest.addressed_to_id == user.id,
            ConversationRequest.handled_at.is_(None),
            student_visibility(user),
        )
    )


def get_conversation_request_or_404(request_id: int) -> ConversationRequest:
    """A request of a student the user sees (else 404); 403 unless the user may handle it."""
    request = db.one_or_404(
        select(ConversationRequest)
        .join(Student, Student.id == ConversationRequest.student_id)
        .where(ConversationRequest.id == request_id, student_visibility(current_user))
        .options(joinedload(ConversationRequest.student))
    )
    return permitted(request, sees=True, may=can_handle_conversation(current_user, request.student))


def can_invite_student(user: User, student: Student) -> bool:
    """The student's school invites the student: those who enrol students there and keep
    the record (its counsellors and school admins)."""
    return can_edit_student_record(user, student)


def student_accounts(student_id: int) -> Select[tuple[User]]:
    """The student's own account (at most one: `membership.student_id` is unique)."""
    return (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.role == Role.STUDENT, Membership.student_id == student_id)
    )


# --- consent ---------------------------------------------------------------------------------
#
# The student gives consent to share their support data with the organisations that employ
# them: those with a current or future training agreement (as app.access.students.
# employer_ids_of). The student withdraws any consent of their own, also one to an earlier
# employer; another student's consent answers 404.


def consent_recipients(student: Student) -> list[Organisation]:
    """The organisations the student may give consent to, by name."""
    on = today()
    return list(
        db.session.execute(
            select(Organisation)
            .join(TrainingAgreement, TrainingAgreement.employer_id == Organisation.id)
            .where(
                TrainingAgreement.student_id == student.id,
                (TrainingAgreement.end_date.is_(None)) | (TrainingAgreement.end_date >= on),
            )
            .distinct()
            .order_by(Organisation.name)
        ).scalars()
    )


def may_consent_to(recipients: list[Organisation], organisation_id: int | None) -> bool:
    """`organisation_id` is one of `recipients` (from consent_recipients)."""
    return organisation_id is not None and any(o.id == organisation_id for o in recipients)


def get_own_consent_or_404(student: Student, consent_id: int) -> Consent:
    """One of the student's own consents; another student's answers 404."""
    return db.one_or_404(
        select(Consent)
        .where(Consent.id == consent_id, Consent.student_id == student.id)
        .options(joinedload(Consent.recipient))
    )


# --- warnings and declarations ----------------------------------------------------------------
# A warning (varsling) is addressed to the student: they read it, acknowledge it and may comment
# on it. The issued declaration on training is theirs to see and to confirm; a draft is not.


def get_own_warning_or_404(student: Student, warning_id: int) -> TrainingWarning:
    """A warning given to the student (with its goals, who gave it and the workplace);
    another student's warning answers 404."""
    return db.one_or_404(
        select(TrainingWarning)
        .where(TrainingWarning.id == warning_id, TrainingWarning.student_id == student.id)
        .options(
            selectinload(TrainingWarning.goals),
            joinedload(TrainingWarning.issued_by),
            joinedload(TrainingWarning.period)
            .joinedload(Period.workplace)
            .joinedload(Workplace.organisation),
        )
    )


def can_comment_on_warning(warning: TrainingWarning) -> bool:
    """The student comments (and changes the comment) until the warning is followed up."""
    return warning.followed_up_at is None


def get_own_declaration_or_404(student: Student, period_id: int) -> tuple[Period, Declaration]:
    """The issued declaration of one of the student's own training periods, with the period.
    Another student's period, a period without one and a draft (not issued) answer 404."""
    period = get_own_training_period_or_404(student, period_id)
    declaration = db.session.execute(
        select(Declaration)
        .where(Declaration.period_id == period.id)
        .options(selectinload(Declaration.lines), joinedload(Declaration.issued_by))
    ).scalar_one_or_none()
    if declaration is None or not declaration.issued:
        abort(404)
    return period, declaration


def can_confirm_declaration(declaration: Declaration) -> bool:
    """The student confirms once that they have seen the issued declaration."""
    return declaration.issued and declaration.student_confirmed_at is None


# --- insight ---
# The student sees who has looked at their case (the access log, by organisation, never by
# person) and downloads their own access-request export: always their own case, never one
# named in the URL. Their own use of Elevsag is left out of the page (it is in the export).


def get_own_access_request_student_or_404() -> Student:
    """The student's own case, loaded as the access-request export reads it."""
    return get_own_student_or_404(*access_request_load())


def own_access_log(student: Student) -> Select[tuple[AuditEvent]]:
    """The access-log rows about `student` written by anyone but the student themselves (any
    student account of theirs), system jobs included."""
    own_accounts = student_accounts(student.id).with_only_columns(User.id)
    return select(AuditEvent).where(
        AuditEvent.student_id == student.id,
        or_(AuditEvent.user_id.is_(None), AuditEvent.user_id.not_in(own_accounts)),
    )
