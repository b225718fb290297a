"""Rules for organisations, workplaces, memberships and accounts, shared by the admin pages.

Who may reach which object is decided in app/access/; this module holds what follows once an
object is reached: which role fits where, what a change would break, how to log someone out.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select, update

from app.access.admin import administered_organisation_ids
from app.extensions import db
from app.models import (
    LoginSession,
    Membership,
    Organisation,
    OrganisationKind,
    Period,
    Role,
    Student,
    TrainingAgreement,
    User,
    Workplace,
)
from app.models.base import utcnow


class MembershipError(ValueError):
    def __init__(self, message, field: str) -> None:
        super().__init__(str(message))
        self.message, self.field = message, field


def grantable_roles(actor: User) -> list[Role]:
    """Roles `actor` may hand out: all but system admin for organisation admins. A student's
    own account is made from the student's page (app.students), never as a role here."""
    if actor.has_role(Role.SYSTEM_ADMIN):
        return [r for r in Role if r is not Role.STUDENT]
    return [r for r in Role if r not in (Role.SYSTEM_ADMIN, Role.STUDENT)]


def check_membership(
    actor: User,
    user: User | None,
    role: Role,
    organisation_id: int | None,
    workplace_id: int | None,
) -> Membership:
    """A new membership, if `actor` may grant it and it makes sense; else MembershipError."""
    if role not in grantable_roles(actor):
        raise MembershipError(_l("You cannot give this role."), "role")
    organisation = workplace = None
    if role is Role.SYSTEM_ADMIN:
        if organisation_id or workplace_id:
            raise MembershipError(
                _l("A system administrator belongs to no organisation."), "organisation"
            )
    else:
        allowed = administered_organisation_ids(actor)
        if organisation_id is None or (allowed is not None and organisation_id not in allowed):
            raise MembershipError(_l("Choose an organisation you administer."), "organisation")
        organisation = db.session.get(Organisation, organisation_id)
        if organisation is None or organisation.kind not in role.organisation_kinds:
            raise MembershipError(
                _l("The role does not fit this kind of organisation."), "organisation"
            )
        if role is Role.SUPERVISOR:
            workplace = db.session.get(Workplace, workplace_id) if workplace_id else None
            if workplace is None or workplace.organisation_id != organisation.id:
                raise MembershipError(
                    _l("A practice supervisor needs a workplace in the chosen organisation."),
                    "workplace",
                )
        elif workplace_id:
            raise MembershipError(_l("Only a practice supervisor has a workplace."), "workplace")
    if user is not None and any(
        m.role == role
        and m.organisation_id == organisation_id
        and m.workplace_id == (workplace.id if workplace else None)
        for m in user.memberships
    ):
        raise MembershipError(_l("The user already has this role there."), "role")
    return Membership(role=role, organisation=organisation, workplace=workplace)


def is_own_last_system_admin_role(actor: User, user: User, membership: Membership) -> bool:
    """Removing it would take the actor's own system administration away from them."""
    return (
        user.id == actor.id
        and membership.role is Role.SYSTEM_ADMIN
        and sum(m.role is Role.SYSTEM_ADMIN for m in user.memberships) <= 1
    )


def kind_change_conflicts(organisation_id: int, new_kind: OrganisationKind) -> bool:
    """Would changing the organisation to `new_kind` leave something that fits only the old one?

    Roles must fit the kind of their organisation, workplaces belong to employers, students
    are enrolled at schools and training agreements are made with employers.
    """
    misfits = [role for role in Role if new_kind not in role.organisation_kinds]
    checks = [
        exists().where(Membership.organisation_id == organisation_id, Membership.role.in_(misfits)),
    ]
    if not new_kind.is_employer:
        checks.append(exists().where(Workplace.organisation_id == organisation_id))
        checks.append(exists().where(TrainingAgreement.employer_id == organisation_id))
    if new_kind is not OrganisationKind.SCHOOL:
        checks.append(exists().where(Student.school_id == organisation_id))
    return any(db.session.execute(select(check)).scalar() for check in checks)


def workplace_is_in_use(workplace_id: int) -> bool:
    """Practice supervisors or training periods tie the workplace to its organisation."""
    query = select(
        exists().where(Membership.workplace_id == workplace_id)
        | exists().where(Period.workplace_id == workplace_id)
    )
    return bool(db.session.execute(query).scalar())


def end_sessions(user: User) -> None:
    """Log the user out everywhere at once (on deactivation or a new password)."""
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
