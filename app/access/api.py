"""The JSON API's clients (app.api) and who manages them.

A client acts through its own service user, who holds one membership in the client's
organisation; every rule about students, plans and agreements then applies to it unchanged
(`visible_students`, the area loaders), so a client sees exactly what a person in that role
sees, and another organisation's object answers 404. Which roles a client may be given depends
on the organisation's kind (`CLIENT_ROLES`): never a supervisor (tied to a workplace), an
analyst or a system administrator.

Clients are managed by the admins of their organisation and by the system administrator
(the same scope as `app.access.admin`): another organisation's client answers 404.
"""

from __future__ import annotations

from sqlalchemy import Select, exists, select

from app.access.admin import administered_organisation_ids, is_any_admin
from app.access.roles import permitted
from app.extensions import db
from app.models import ApiClient, OrganisationKind, Role, User

_EMPLOYER_CLIENT_ROLES = (Role.TRAINING_COORDINATOR, Role.MUNICIPALITY_ADMIN)
CLIENT_ROLES: dict[OrganisationKind, tuple[Role, ...]] = {
    OrganisationKind.SCHOOL: (Role.COUNSELLOR, Role.TEACHER, Role.SCHOOL_ADMIN),
    OrganisationKind.MUNICIPALITY: _EMPLOYER_CLIENT_ROLES,
    OrganisationKind.REGION: _EMPLOYER_CLIENT_ROLES,
}

READ, WRITE = "read", "write"


def client_roles(kind: OrganisationKind) -> tuple[Role, ...]:
    return CLIENT_ROLES.get(kind, ())


def can_manage_api_clients(user: User) -> bool:
    return is_any_admin(user)


def administered_api_clients(user: User) -> Select[tuple[ApiClient]]:
    """The clients of the organisations `user` administers (all for a system admin)."""
    query = select(ApiClient)
    ids = administered_organisation_ids(user)
    if ids is not None:
        query = query.where(ApiClient.organisation_id.in_(ids))
    return query


def get_administered_api_client_or_404(client_id: int, user: User) -> ApiClient:
    return db.one_or_404(administered_api_clients(user).where(ApiClient.id == client_id))


def has_scope(client: ApiClient, scope: str) -> bool:
    """A "write" client also reads."""
    scopes = client.scope_set
    return scope in scopes or (scope == READ and WRITE in scopes)


def require_scope(client: ApiClient, scope: str) -> None:
    """403 (a problem document) unless the client's token carries `scope`."""
    permitted(client, sees=True, may=has_scope(client, scope))


def is_service_user():
    """A SQL condition on `User`: the user is an API client's service user (kept out of the
    admin's list of people and from every choice of a person)."""
    return exists().where(ApiClient.user_id == User.id)
