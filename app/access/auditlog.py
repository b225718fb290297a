"""The access-log review (app.auditlog, docs/access-log.md): which rows of the access log an
organisation's admins and its data-protection adviser see.

A reviewer sees the rows of the organisations where they hold a reviewing role
(`ACCESS_LOG_ROLES`): the rows the user acted for that organisation (`organisation_id`), and
the rows that name no organisation (logins, searches, older rows) of users who are members of
it. Never a row another organisation's user made for that organisation, even when the same
person is also a member here: a person who works for a school and a municipality is reviewed
by each for what they did for it. Filters are applied inside this scope, so a filter that
names another organisation's user or student finds nothing.

The data-protection adviser sees nothing of case content: no case page answers them (their
role is in no case role set), and the log names a student by name and number only.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, select

from app.access.roles import ACCESS_LOG_ROLES, roles_required
from app.models import AuditEvent, Membership, Role, User

access_log_reviewers = roles_required(*ACCESS_LOG_ROLES)


def reviewed_organisation_ids(user: User) -> set[int]:
    """The organisations whose access log `user` reviews."""
    return user.organisation_ids(*ACCESS_LOG_ROLES)


def member_ids(organisation_ids: set[int]):
    """The users with a membership in one of `organisation_ids` (a subquery)."""
    return select(Membership.user_id).where(Membership.organisation_id.in_(organisation_ids))


def access_log_scope(user: User) -> ColumnElement[bool]:
    """A SQL condition on `AuditEvent`: the rows `user` may review (none for anyone else)."""
    ids = reviewed_organisation_ids(user)
    if not ids:
        return false()
    # The first arm is read by the index (organisation_id, at); the second only for rows
    # without an organisation, by a subquery of the organisations' members found once.
    return or_(
        AuditEvent.organisation_id.in_(ids),
        and_(AuditEvent.organisation_id.is_(None), AuditEvent.user_id.in_(member_ids(ids))),
    )


def reviewable_users(user: User):
    """`select(User)` of the people whose rows the user may filter by: the members of the
    organisations they review, other than students' own accounts (their rows are found by the
    student filter)."""
    ids = reviewed_organisation_ids(user)
    members = select(Membership.user_id).where(
        Membership.organisation_id.in_(ids), Membership.role != Role.STUDENT
    )
    return select(User).where(User.id.in_(members))
