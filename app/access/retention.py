"""Retention (app.retention): who sees the retention rules, who changes them, and who sets or
lifts a legal hold on a student.

- The rules and the last run's counts (no student in them): every administrator reads them;
  only the system administrator changes how long a kind is kept.
- A legal hold is set and lifted by a school admin of the student's school (the lead adds
  the data-protection role here when it arrives). Anyone else who sees the student sees that
  a hold is in force, not its reason; another school's student answers 404.
"""

from __future__ import annotations

from app.access.roles import ADMIN_ROLES, permitted
from app.access.students import get_student_or_404
from app.models import Role, Student, User

HOLD_ROLES = frozenset({Role.SCHOOL_ADMIN})


def can_view_retention(user: User) -> bool:
    return user.has_role(*ADMIN_ROLES)


def can_edit_retention_rules(user: User) -> bool:
    return user.has_role(Role.SYSTEM_ADMIN)


def can_manage_legal_hold(user: User, student: Student) -> bool:
    return student.school_id in user.organisation_ids(*HOLD_ROLES)


def get_hold_student_or_404(student_id: int, user: User) -> Student:
    """A student whose legal hold `user` manages: 404 for a student they do not see, 403
    for one they see but whose holds are not theirs to set."""
    student = get_student_or_404(student_id, user=user)
    return permitted(student, sees=True, may=can_manage_legal_hold(user, student))
