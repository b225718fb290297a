"""Asking the school for help (docs/domain.md, "Asking for help").

A practice supervisor (while they see the student) or a training coordinator of the student's
employer asks, for the employer (the same people who record support arranged at the
workplace, `app.access.support.workplace_support_periods`). The school answers: its
counsellors and contact teachers (the school contacts, who also schedule case reviews). A
request is read by the student's school and by the people of the employer it was asked for;
anyone else who sees the student gets 404, like anyone who does not.
"""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from app.access.roles import SCHOOL_CONTACT_ROLES, permitted
from app.access.students import get_case_student_or_404, student_visibility
from app.access.support import workplace_support_periods
from app.extensions import db
from app.models import (
    EMPLOYER_ROLES,
    SCHOOL_ROLES,
    HelpRequest,
    HelpStatus,
    Student,
    User,
)


def can_ask_for_help(user: User, student: Student) -> bool:
    return bool(workplace_support_periods(user, student))


def can_answer_help(user: User, student: Student) -> bool:
    return student.school_id in user.organisation_ids(*SCHOOL_CONTACT_ROLES)


def can_read_help_request(user: User, student: Student, request: HelpRequest) -> bool:
    return student.school_id in user.organisation_ids(*SCHOOL_ROLES) or (
        request.organisation_id in user.organisation_ids(*EMPLOYER_ROLES)
    )


def help_requests_to_answer(user: User) -> Select[tuple[HelpRequest]]:
    """The open requests of the students at the schools where `user` is a school contact,
    oldest first (the list page and "My overview" share it)."""
    return (
        select(HelpRequest)
        .join(Student, Student.id == HelpRequest.student_id)
        .where(
            HelpRequest.status == HelpStatus.OPEN,
            Student.school_id.in_(user.organisation_ids(*SCHOOL_CONTACT_ROLES)),
            student_visibility(user),
        )
        .order_by(HelpRequest.requested_at, HelpRequest.id)
    )


def student_help_requests(user: User, student: Student) -> list[HelpRequest]:
    """The requests about `student` that `user` reads (for the support page), newest first.
    One query."""
    query = (
        select(HelpRequest)
        .where(HelpRequest.student_id == student.id)
        .options(
            joinedload(HelpRequest.requested_by),
            joinedload(HelpRequest.answered_by),
            joinedload(HelpRequest.organisation),
            joinedload(HelpRequest.review),
        )
        .order_by(HelpRequest.requested_at.desc(), HelpRequest.id.desc())
    )
    if student.school_id not in user.organisation_ids(*SCHOOL_ROLES):
        query = query.where(HelpRequest.organisation_id.in_(user.organisation_ids(*EMPLOYER_ROLES)))
    return list(db.session.execute(query).scalars())


# --- loaders ------------------------------------------------------------------------------------


def get_asking_student_or_404(student_id: int) -> Student:
    """The student (404 if hidden); 403 unless the user may ask for help in the case."""
    return get_case_student_or_404(student_id, may=can_ask_for_help)


def get_help_request_or_404(help_request_id: int, student: Student | None = None) -> HelpRequest:
    """A request about a student the user sees (of `student`, if given), to answer: 404
    unless the user reads it, 403 unless the user answers for the school."""
    query = (
        select(HelpRequest)
        .join(Student, Student.id == HelpRequest.student_id)
        .where(HelpRequest.id == help_request_id, student_visibility(current_user))
        .options(
            joinedload(HelpRequest.student).joinedload(Student.programme),
            joinedload(HelpRequest.requested_by),
            joinedload(HelpRequest.organisation),
        )
    )
    if student is not None:
        query = query.where(HelpRequest.student_id == student.id)
    request = db.one_or_404(query)
    return permitted(
        request,
        sees=can_read_help_request(current_user, request.student, request),
        may=can_answer_help(current_user, request.student),
    )
