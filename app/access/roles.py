"""Roles and role sets, and the coarse role gates for views.

A role gate only checks that the user holds one of the roles somewhere; which student or object
the user may reach is decided by the area modules (`app.access.students`, `.journey`, ...).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import abort
from flask_login import current_user, login_required

from app.models import EMPLOYER_ROLES, SCHOOL_ROLES, Role

P = ParamSpec("P")
R = TypeVar("R")

# Roles that work with named students' cases. The analyst and system admin are not among them.
CASE_ROLES = SCHOOL_ROLES | EMPLOYER_ROLES
EMPLOYER_STAFF_ROLES = frozenset({Role.TRAINING_COORDINATOR, Role.MUNICIPALITY_ADMIN})
ORG_ADMIN_ROLES = frozenset({Role.SCHOOL_ADMIN, Role.MUNICIPALITY_ADMIN})

# Administration: organisation admins manage their own organisation; a school has no
# workplaces, so its admin has no workplace section.
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN}) | ORG_ADMIN_ROLES
WORKPLACE_ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.MUNICIPALITY_ADMIN})

# Students are enrolled by the school's counsellors and admins.
STUDENT_CREATOR_ROLES = frozenset({Role.COUNSELLOR, Role.SCHOOL_ADMIN})

# The journey: supervisors read plans, not edit them.
PLAN_EDITOR_ROLES = SCHOOL_ROLES | EMPLOYER_STAFF_ROLES

# Support needs and SPS: school data.
SUPPORT_READ_ROLES = frozenset({Role.COUNSELLOR, Role.TEACHER})
SUPPORT_EDIT_ROLES = frozenset({Role.COUNSELLOR})

# Support arranged at the workplace (the employer's record) and asking the school for help:
# the practice supervisors and training coordinators (app.access.support, app.access.help).
WORKPLACE_SUPPORT_ROLES = frozenset({Role.SUPERVISOR, Role.TRAINING_COORDINATOR})

# Training records: the school contact acknowledges.
SCHOOL_CONTACT_ROLES = frozenset({Role.COUNSELLOR, Role.TEACHER})

# Case reviews and group meetings.
REVIEW_SCHOOL_ROLES = frozenset({Role.COUNSELLOR, Role.TEACHER})
REVIEW_SCHEDULER_ROLES = frozenset({Role.COUNSELLOR, Role.TEACHER, Role.TRAINING_COORDINATOR})
MEETING_ORGANISER_ROLES = frozenset({Role.COUNSELLOR, Role.TRAINING_COORDINATOR})
MEETING_STAFF_ROLES = frozenset(
    {
        Role.COUNSELLOR,
        Role.TEACHER,
        Role.SCHOOL_ADMIN,
        Role.TRAINING_COORDINATOR,
        Role.MUNICIPALITY_ADMIN,
    }
)


# The access-log review (app.access.auditlog): the organisation's admins and its
# data-protection adviser, each for their own organisation.
ACCESS_LOG_ROLES = frozenset({Role.SCHOOL_ADMIN, Role.MUNICIPALITY_ADMIN, Role.DATA_PROTECTION})


# The partnership (app.access.partnership): its coordinator, the member organisations' leaders
# and the analyst. None of them is a case role.
PARTNERSHIP_ROLES = frozenset({Role.PARTNERSHIP_COORDINATOR, Role.LEADER, Role.ANALYST})


def roles_required(*roles: Role) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Coarse gate: the user must be logged in and hold one of `roles` somewhere, else 403."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        @login_required
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


case_roles_required = roles_required(*CASE_ROLES)
any_admin = roles_required(*ADMIN_ROLES)
system_admin_only = roles_required(Role.SYSTEM_ADMIN)
workplace_admins = roles_required(*WORKPLACE_ADMIN_ROLES)


T = TypeVar("T")


def permitted(thing: T, *, sees: bool, may: bool = True) -> T:
    """`thing`, when the user sees it and may do what they asked. 404 when they do not see it
    (its existence does not leak), 403 when they see it but may not do it."""
    if not sees:
        abort(404)
    if not may:
        abort(403)
    return thing
