"""Bearer tokens: who is calling, and may it.

Only `Authorization: Bearer <token>` authenticates an API call; a login cookie never does
(`current_user` is set to the client's service user, or to nobody, before anything reads the
session). A missing, unknown or revoked token answers 401; a token without the scope the
method needs (GET: read; anything else: write) answers 403.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import abort, current_app, g, request
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.access.api import READ, WRITE, require_scope
from app.extensions import db, login_manager
from app.models import ApiClient, Membership, User
from app.models.base import utcnow

TOKEN_START = "elv_"  # noqa: S105 (the start of every token, not a secret)
# last_used_at is written at most this often.
_TOUCH = timedelta(minutes=1)


def new_token() -> tuple[str, str, str]:
    """(token, its prefix for the admin list, its hash for the database)."""
    token = TOKEN_START + secrets.token_urlsafe(32)
    return token, token[:12], token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def rate_limit_key() -> str:
    """Flask-Limiter's key for API calls: the client (its token's hash), else the address."""
    token = bearer_token()
    if token:
        return "api:" + token_hash(token)[:32]
    return "api-anonymous:" + (request.remote_addr or "")


def authenticate() -> None:
    """The blueprint's before_request: find the client, make its service user the current
    user, check the scope."""
    g._login_user = login_manager.anonymous_user()  # never the session's user
    token = bearer_token()
    if token is None or len(token) > 200:
        abort(401)
    client = db.session.execute(
        select(ApiClient)
        .where(ApiClient.token_hash == token_hash(token), ApiClient.revoked_at.is_(None))
        .options(
            joinedload(ApiClient.user)
            .selectinload(User.memberships)
            .joinedload(Membership.organisation),
            selectinload(ApiClient.organisation),
        )
    ).scalar_one_or_none()
    if client is None:
        abort(401)
    scope = READ if request.method in ("GET", "HEAD", "OPTIONS") else WRITE
    require_scope(client, scope)
    now = utcnow()
    if client.last_used_at is None or now - client.last_used_at > _TOUCH:
        client.last_used_at = now
        db.session.commit()
    g.api_client = client
    g._login_user = client.user


def rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]
