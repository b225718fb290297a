"""Making and revoking API clients (the admin pages in app/admin/api_clients.py use these).

A client gets its own service user: inactive (it never logs in, a password reset link for it
does not work), with the password hash of a secret no one knows, and one membership in the client's
organisation in the chosen role. The caller commits.
"""

from __future__ import annotations

import secrets

from app.api.auth import new_token
from app.audit import record
from app.auth.passwords import hash_password
from app.extensions import db
from app.models import ApiClient, AuditAction, Membership, Organisation, Role, User
from app.models.base import utcnow


def create_client(
    organisation: Organisation, name: str, role: Role, scopes: list[str], creator: User
) -> tuple[ApiClient, str]:
    """The new client and its token (shown once; only its hash is kept)."""
    token, prefix, token_hash = new_token()
    user = User(
        email=f"api-client-{prefix.lower()}@api.elevsag.invalid",
        name=f"API: {name}"[:120],
        # The hash of a secret no one knows, as for an invited user: no password logs in.
        password_hash=hash_password(secrets.token_urlsafe(32)),
        active=False,
    )
    user.memberships.append(Membership(role=role, organisation=organisation))
    client = ApiClient(
        organisation=organisation,
        name=name,
        scopes=" ".join(sorted(scopes)),
        token_prefix=prefix,
        token_hash=token_hash,
        user=user,
        created_by=creator,
    )
    db.session.add(client)
    db.session.flush()
    record(AuditAction.CREATE, obj=client, criterion=f"api client {prefix}", user=creator)
    return client, token


def revoke_client(client: ApiClient, actor: User) -> None:
    if client.revoked_at is None:
        client.revoked_at = utcnow()
        record(
            AuditAction.DELETE,
            obj=client,
            criterion=f"api client {client.token_prefix} revoked",
            user=actor,
        )
