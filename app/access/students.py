"""Which students a user sees, and on which side of a student's case the user acts.

Every list, search, choice list, detail view and export of students goes through
`visible_students()` or `get_student_or_404()`. A student the user may not see answers 404,
so its existence does not leak.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from flask import abort, current_app
from flask_login import current_user
from sqlalchemy import ColumnElement, Select, and_, false, or_, select
from sqlalchemy.orm import joinedload

from app.access.roles import EMPLOYER_STAFF_ROLES, STUDENT_CREATOR_ROLES
from app.extensions import db
from app.models import (
    EMPLOYER_ROLES,
    SCHOOL_ROLES,
    Period,
    PeriodKind,
    Role,
    Student,
    TrainingAgreement,
    User,
)
from app.models.base import today


def staff_conditions(user: User, on: date) -> list[ColumnElement[bool]]:
    """Conditions on `Student` for the school's and the employer's staff among `user`'s roles:
    the students of their school, and those with an agreement with their organisation."""
    conditions: list[ColumnElement[bool]] = []
    school_ids = user.organisation_ids(*SCHOOL_ROLES)
    if school_ids:
        conditions.append(Student.school_id.in_(school_ids))
    employer_ids = user.organisation_ids(*EMPLOYER_STAFF_ROLES)
    if employer_ids:
        # IN (subquery), not a correlated EXISTS: the agreements of a few employers are found
        # once by index instead of looked up for every student of the region.
        conditions.append(Student.id.in_(employed_by(employer_ids, on)))
    return conditions


def student_visibility(user: User, on: date | None = None) -> ColumnElement[bool]:
    """A SQL condition on `Student` that is true exactly for the students `user` may see."""
    on = on or today()
    conditions = staff_conditions(user, on)

    workplace_ids = user.workplace_ids(Role.SUPERVISOR)
    if workplace_ids:
        conditions.append(
            Student.id.in_(
                select(Period.student_id).where(
                    Period.workplace_id.in_(workplace_ids), supervised_period(on)
                )
            )
        )

    return or_(*conditions) if conditions else false()


def employed_by(employer_ids: set[int], on: date) -> Select:
    """The ids of the students with a current or future training agreement (on `on`) with one
    of `employer_ids`."""
    return select(TrainingAgreement.student_id).where(
        TrainingAgreement.employer_id.in_(employer_ids),
        or_(TrainingAgreement.end_date.is_(None), TrainingAgreement.end_date >= on),
    )


def supervised_period(on: date) -> ColumnElement[bool]:
    """A condition on `Period`: a training period whose workplace's supervisors see the student
    on `on` (from SUPERVISOR_DAYS_BEFORE days before it starts until SUPERVISOR_DAYS_AFTER days
    after it ends)."""
    config = current_app.config
    return and_(
        Period.kind == PeriodKind.TRAINING,
        Period.start_date <= on + timedelta(days=config["SUPERVISOR_DAYS_BEFORE"]),
        Period.end_date >= on - timedelta(days=config["SUPERVISOR_DAYS_AFTER"]),
    )


def visible_students(user: User | None = None) -> Select[tuple[Student]]:
    """`select(Student)` limited to the students `user` (default: current user) may see."""
    user = user or current_user
    return select(Student).where(student_visibility(user))


def get_student_or_404(student_id: int, *options, user: User | None = None) -> Student:
    """Load a student the user may see, or answer 404 whether it exists or not.

    `options` are loader options (``joinedload(Student.agreements)``) for what the page shows;
    a collection may be joined (the rows are made unique).
    """
    query = visible_students(user).where(Student.id == student_id).options(*options)
    student = db.session.execute(query).unique().scalar_one_or_none()
    if student is None:
        abort(404)
    return student


def get_case_student_or_404(
    student_id: int,
    user: User | None = None,
    may: Callable[[User, Student], bool] | None = None,
) -> Student:
    """A student for a page about their case, with what every such page shows (school,
    programme, agreements with their employers) loaded in the same round trips. With `may`
    (a can_* predicate of the area), 403 unless the user may act on the student's case."""
    student = get_student_or_404(
        student_id,
        joinedload(Student.school),
        joinedload(Student.programme),
        # Joined, not a second statement: a student has a few agreements.
        joinedload(Student.agreements).joinedload(TrainingAgreement.employer),
        user=user,
    )
    if may is not None and not may(user or current_user, student):
        abort(403)
    return student


def lists_as_supervisor(user: User) -> bool:
    """Does `user` see the student list as a practice supervisor only (when each student is
    at their workplace and what is due), not with the school and employer of staff lists?"""
    return user.has_role(Role.SUPERVISOR) and not user.has_role(
        *(SCHOOL_ROLES | EMPLOYER_STAFF_ROLES)
    )


def can_create_student(user: User) -> bool:
    return user.has_role(*STUDENT_CREATOR_ROLES)


def can_edit_student_record(user: User, student: Student) -> bool:
    """The student's school corrects the record (name, number, contact details, contact
    teacher and counsellor): its counsellors and school admins, who also create students."""
    return student.school_id in user.organisation_ids(*STUDENT_CREATOR_ROLES)


def get_record_student_or_404(student_id: int) -> Student:
    """A student whose record the user may edit: 404 if not visible, 403 if not editable."""
    return get_case_student_or_404(student_id, may=can_edit_student_record)


# --- which side of the case the user is on ---------------------------------------------------


def is_school_staff_for(user: User, student: Student) -> bool:
    return student.school_id in user.organisation_ids(*SCHOOL_ROLES)


def employer_ids_of(student: Student, on: date | None = None) -> set[int]:
    """Organisations with a current or future agreement with the student (loaded agreements)."""
    on = on or today()
    return {a.employer_id for a in student.agreements if a.end_date is None or a.end_date >= on}


def is_employer_staff_for(user: User, student: Student) -> bool:
    return bool(user.organisation_ids(*EMPLOYER_STAFF_ROLES) & employer_ids_of(student))


def acting_organisation_id(user: User, student: Student) -> int | None:
    """The organisation `user` acts for in `student`'s case: the school, else the employer."""
    if student.school_id in user.organisation_ids(*SCHOOL_ROLES):
        return student.school_id
    mine = user.organisation_ids(*EMPLOYER_ROLES)
    if not mine:
        return None
    shared = mine & {a.employer_id for a in student.agreements}
    return min(shared or mine)
