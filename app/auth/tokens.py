"""Invitation and password-reset links: issue a token, check it, use it once.

The token is 32 random bytes (`secrets.token_urlsafe`) in the link; the database keeps only
its SHA-256 hash (`AccountToken.token_hash`), like a login session's. A token is bound to
one purpose, expires (INVITATION_DAYS, PASSWORD_RESET_MINUTES), works once (the use is a
conditional UPDATE, so two requests with the same link cannot both use it), and issuing a
new one revokes the user's older ones of the same purpose.
"""

from __future__ import annotations

import enum
import hashlib
import re
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from app.extensions import db
from app.models import AccountToken, TokenPurpose, User
from app.models.base import utcnow

# What secrets.token_urlsafe(32) makes: 43 characters of the URL-safe base64 alphabet.
_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


class LinkProblem(enum.Enum):
    """Why a link does not work; each has its own message (templates/auth/link_problem.html)."""

    UNKNOWN = "unknown"  # never issued, mistyped, cut off, or for another purpose
    USED = "used"
    EXPIRED = "expired"
    REPLACED = "replaced"  # a newer link was sent, or the password was chosen meanwhile
    INACTIVE = "inactive"  # the account was deactivated


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def lifetime(purpose: TokenPurpose) -> timedelta:
    config = current_app.config
    if purpose is TokenPurpose.INVITATION:
        return timedelta(days=config["INVITATION_DAYS"])
    return timedelta(minutes=config["PASSWORD_RESET_MINUTES"])


def latest_expiry(purpose: TokenPurpose):
    """When a token of `purpose` issued now expires."""
    return utcnow() + lifetime(purpose)


def new_token() -> tuple[str, str]:
    """A fresh random token and its hash."""
    token = secrets.token_urlsafe(32)
    return token, _hash(token)


def issue(user: User, purpose: TokenPurpose, token: tuple[str, str] | None = None) -> str:
    """A new link token for `user`; the user's older unused tokens of `purpose` stop working.
    Added to the session; the caller commits (with the mail that carries the link)."""
    raw, token_hash = token or new_token()
    now = utcnow()
    revoke(user, purpose, now=now)
    db.session.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=token_hash,
            created_at=now,
            expires_at=now + lifetime(purpose),
        )
    )
    return raw


def revoke(user: User, *purposes: TokenPurpose, now=None) -> None:
    """Make the user's unused tokens of `purposes` (all purposes if none given) stop working."""
    db.session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose.in_(purposes or list(TokenPurpose)),
            AccountToken.used_at.is_(None),
            AccountToken.revoked_at.is_(None),
        )
        .values(revoked_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )


def check(token: str, purpose: TokenPurpose) -> AccountToken | LinkProblem:
    """The token's row if the link works now, else why not. Changes nothing."""
    if not isinstance(token, str) or not _SHAPE.fullmatch(token):
        return LinkProblem.UNKNOWN
    row = db.session.execute(
        select(AccountToken).where(
            AccountToken.token_hash == _hash(token), AccountToken.purpose == purpose
        )
    ).scalar_one_or_none()
    if row is None:
        return LinkProblem.UNKNOWN
    if row.used_at is not None:
        return LinkProblem.USED
    if row.revoked_at is not None:
        return LinkProblem.REPLACED
    if utcnow() >= row.expires_at:
        return LinkProblem.EXPIRED
    if not row.user.active:
        return LinkProblem.INACTIVE
    return row


def use(row: AccountToken) -> bool:
    """Mark the token used, unless another request used or revoked it first. True if this
    call used it. In the caller's transaction."""
    now = utcnow()
    result = db.session.execute(
        update(AccountToken)
        .where(
            AccountToken.id == row.id,
            AccountToken.used_at.is_(None),
            AccountToken.revoked_at.is_(None),
            AccountToken.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def latest(user: User, purpose: TokenPurpose) -> AccountToken | None:
    """The user's newest token of `purpose` (for the admin's view of an invitation)."""
    return db.session.execute(
        select(AccountToken)
        .where(AccountToken.user_id == user.id, AccountToken.purpose == purpose)
        .order_by(AccountToken.created_at.desc(), AccountToken.id.desc())
        .limit(1)
    ).scalar_one_or_none()
