"""The student's access request (indsigt): only an admin of the student's school exports it.

The student is loaded first (404 if the user may not see the student at all); anyone else who
sees the student gets 403. The system admin sees no case content and is refused by the role
gate.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from app.access.students import get_student_or_404
from app.models import Role, Student, TrainingAgreement, User


def can_export_access_request(user: User, student: Student) -> bool:
    return student.school_id in user.organisation_ids(Role.SCHOOL_ADMIN)


def access_request_load() -> tuple:
    """What the export reads of the student itself (app.export.collect): school, programme
    and agreements with their employers. The student's own export (app.access.me) loads the
    same."""
    return (
        joinedload(Student.school),
        joinedload(Student.programme),
        selectinload(Student.agreements).joinedload(TrainingAgreement.employer),
    )


def get_access_request_student_or_404(student_id: int) -> Student:
    student = get_student_or_404(student_id, *access_request_load())
    if not can_export_access_request(current_user, student):
        abort(403)
    return student
