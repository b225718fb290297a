"""Administration: which organisations, workplaces and users an admin manages.

Anything outside what the admin administers answers 404.
"""

from __future__ import annotations

from flask import abort, current_app
from sqlalchemy import ColumnElement, Select, and_, exists, select

from app.access.roles import ORG_ADMIN_ROLES, WORKPLACE_ADMIN_ROLES
from app.extensions import db
from app.models import ApiClient, Membership, Organisation, OutboxMessage, Role, User, Workplace


def is_system_admin(user: User) -> bool:
    return user.has_role(Role.SYSTEM_ADMIN)


def is_any_admin(user: User) -> bool:
    return is_system_admin(user) or user.has_role(*ORG_ADMIN_ROLES)


def can_admin_workplaces(user: User) -> bool:
    return user.has_role(*WORKPLACE_ADMIN_ROLES)


def administered_organisation_ids(user: User) -> set[int] | None:
    """Organisations whose users/workplaces `user` manages; None means all (system admin)."""
    if is_system_admin(user):
        return None
    return user.organisation_ids(*ORG_ADMIN_ROLES)


def scope_to_administered(query: Select, column: ColumnElement, user: User) -> Select:
    """Limit an admin list to the organisations `user` administers."""
    ids = administered_organisation_ids(user)
    if ids is None:
        return query
    return query.where(column.in_(ids))


def administered_organisations(user: User) -> Select[tuple[Organisation]]:
    return scope_to_administered(select(Organisation), Organisation.id, user).order_by(
        Organisation.name
    )


def get_administered_organisation_or_404(organisation_id: int, user: User) -> Organisation:
    query = administered_organisations(user).where(Organisation.id == organisation_id)
    return db.one_or_404(query)


def administered_workplaces(user: User) -> Select[tuple[Workplace]]:
    return scope_to_administered(select(Workplace), Workplace.organisation_id, user)


def get_administered_workplace_or_404(workplace_id: int, user: User) -> Workplace:
    return db.one_or_404(administered_workplaces(user).where(Workplace.id == workplace_id))


def administered_users(user: User) -> Select[tuple[User]]:
    """Users with a membership in an organisation `user` administers (all for a system admin)."""
    ids = administered_organisation_ids(user)
    # An API client's service user is managed on the API clients page, not as a person.
    query = select(User).where(~exists().where(ApiClient.user_id == User.id))
    if ids is None:
        return query
    return query.where(
        exists().where(and_(Membership.user_id == User.id, Membership.organisation_id.in_(ids)))
    )


def get_administered_user_or_404(user_id: int, user: User) -> User:
    return db.one_or_404(administered_users(user).where(User.id == user_id))


def can_edit_account(actor: User, user: User) -> bool:
    """May `actor` change `user`'s name, e-mail, password or active flag?

    An organisation admin may only when every role the user holds is in an organisation the
    admin administers; otherwise an admin of one municipality could take over an account that
    also works elsewhere (or a system administrator's).
    """
    ids = administered_organisation_ids(actor)
    if ids is None:
        return True
    return all(m.organisation_id in ids for m in user.memberships)


def require_edit_account(actor: User, user: User) -> None:
    """403 unless `actor` may change `user`'s account itself."""
    if not can_edit_account(actor, user):
        abort(403)


def manageable_membership_ids(actor: User, user: User) -> set[int]:
    """The memberships of `user` that `actor` may remove: those in organisations `actor`
    administers (every one for a system admin; a system admin role only by a system admin)."""
    allowed = administered_organisation_ids(actor)
    return {m.id for m in user.memberships if allowed is None or m.organisation_id in allowed}


def get_manageable_membership_or_404(actor: User, user: User, membership_id: int) -> Membership:
    """One of `user`'s (loaded) memberships that `actor` may remove; 404 otherwise."""
    if membership_id not in manageable_membership_ids(actor, user):
        abort(404)
    return next(m for m in user.memberships if m.id == membership_id)


# --- the mail outbox --------------------------------------------------------------------------


def can_see_outbox(user: User) -> bool:
    """The outbox (who was mailed what kind of message, and whether it went) is the system
    administrator's: it holds every organisation's addresses."""
    return is_system_admin(user)


def can_read_outbox_content(user: User) -> bool:
    """The subject and text of each message, and "send now": only where the configuration
    says so (development, where nothing real is mailed and a newcomer wants to see what would
    be)."""
    return can_see_outbox(user) and bool(current_app.config.get("MAIL_OUTBOX_SHOWS_CONTENT"))


def require_outbox_content(user: User) -> None:
    """404 unless `user` may read the messages and send the outbox now (development)."""
    if not can_read_outbox_content(user):
        abort(404)


def get_outbox_message_or_404(message_id: int, user: User) -> OutboxMessage:
    if not can_see_outbox(user):
        abort(404)
    return db.get_or_404(OutboxMessage, message_id)
