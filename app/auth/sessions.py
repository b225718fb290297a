"""Server-side login sessions.

The signed Flask cookie holds only a random token. The token's hash is a `LoginSession` row;
logout, idle timeout or deactivation revokes that row, and a replayed cookie finds nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, has_request_context, request, session
from flask_login import login_user, logout_user
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import LoginSession, Membership, User
from app.models.base import utcnow

# last_seen_at is written at most this often, so ordinary page views do not all write.
_TOUCH_INTERVAL = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, *, second_factor: str | None = None) -> None:
    """Log `user` in. `second_factor` says how a second factor was already shown ("provider":
    the organisation's identity provider did multi-factor); without it, a user with two-factor
    login enrolled must still give a code (app.access.twofactor.gate)."""
    token = secrets.token_urlsafe(32)
    agent = request.headers.get("User-Agent", "")[:255] if has_request_context() else ""
    now = utcnow()
    # The login itself proves who the person is, for the step-up before exports; not while
    # the code is still to come.
    verified = now if second_factor is not None or not user.two_factor_enabled else None
    row = LoginSession(
        user_id=user.id,
        token_hash=_hash(token),
        user_agent=agent,
        second_factor=second_factor,
        verified_at=verified,
    )
    db.session.add(row)
    user.last_login_at = now
    db.session.commit()
    session.clear()  # a fresh session: nothing from before login survives (fixation)
    session.permanent = True
    user.login_token = token
    user.login_session = row
    login_user(user)


def mark_verified(user: User, second_factor: str | None) -> None:
    """The person just proved who they are in this session: with a second factor (its kind),
    or, with None, their password again (step-up; the session's second factor is kept).
    The caller commits."""
    row = user.login_session
    if row is None:
        return
    if second_factor is not None:
        row.second_factor = second_factor
    row.verified_at = utcnow()


def end_session() -> None:
    token = session.get("_user_id")
    if token:
        row = db.session.execute(
            select(LoginSession).where(LoginSession.token_hash == _hash(token))
        ).scalar_one_or_none()
        if row is not None and row.revoked_at is None:
            row.revoked_at = utcnow()
            db.session.commit()
    logout_user()
    session.clear()


# Every request loads its user with this statement: built once (SQLAlchemy then also keeps
# its cache key), the token's hash bound at execution. One round trip: the user's few
# memberships come joined (a row each) rather than in a second statement.
_SESSION_AND_USER = (
    select(LoginSession)
    .where(LoginSession.token_hash == bindparam("token_hash"), LoginSession.revoked_at.is_(None))
    .options(
        joinedload(LoginSession.user)
        .joinedload(User.memberships)
        .joinedload(Membership.organisation),
    )
)


def load_user_from_session(token: str) -> User | None:
    """Flask-Login's user loader: one statement for the session, its user, the user's
    memberships and their organisations."""
    row = (
        db.session.execute(_SESSION_AND_USER, {"token_hash": _hash(token)})
        .unique()
        .scalar_one_or_none()
    )
    if row is None or not row.user.active:
        return None
    row.user.login_token = token
    row.user.login_session = row
    now = utcnow()
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"]
    if now - row.last_seen_at > idle or now - row.created_at > lifetime:
        row.revoked_at = now
        db.session.commit()
        return None
    if now - row.last_seen_at > _TOUCH_INTERVAL:
        row.last_seen_at = now
        db.session.commit()
    row.user.session_ends_at = min(row.last_seen_at + idle, row.created_at + lifetime)
    return row.user


def seconds_left(user: User) -> int | None:
    """How long the user's login session lasts without another request (None if unknown):
    the page's idle-logout warning counts down from this (static/js/session-timeout.js)."""
    ends = getattr(user, "session_ends_at", None)
    return None if ends is None else max(0, int((ends - utcnow()).total_seconds()))


def keep_alive(user: User) -> int:
    """The person pressed "Stay logged in": the idle time starts again now. Returns the
    seconds left."""
    row = db.session.execute(
        select(LoginSession).where(LoginSession.token_hash == _hash(user.login_token))
    ).scalar_one()
    row.last_seen_at = utcnow()
    db.session.commit()
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"]
    user.session_ends_at = min(row.last_seen_at + idle, row.created_at + lifetime)
    return seconds_left(user) or 0


# --- "My sessions" ----------------------------------------------------------------------------


def _alive_clause():
    """A session that is neither revoked nor past its idle or absolute lifetime."""
    now = utcnow()
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"]
    return (
        LoginSession.revoked_at.is_(None),
        LoginSession.last_seen_at > now - idle,
        LoginSession.created_at > now - lifetime,
    )


def active_sessions(user: User) -> list[LoginSession]:
    """The user's login sessions that still work, the most recently used first. They end
    after SESSION_HOURS at most, so the list stays short."""
    query = (
        select(LoginSession)
        .where(LoginSession.user_id == user.id, *_alive_clause())
        .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())
    )
    return list(db.session.execute(query).scalars())


def is_current(row: LoginSession, user: User) -> bool:
    """Is `row` the session this request runs in?"""
    return bool(user.login_token) and row.token_hash == _hash(user.login_token)


def end_all_sessions(user: User, keep_current: bool = False) -> int:
    """Revoke the user's sessions (all, or all but this request's); the caller commits.
    The number ended."""
    query = update(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None)
    )
    if keep_current and user.login_token:
        query = query.where(LoginSession.token_hash != _hash(user.login_token))
    result = db.session.execute(
        query.values(revoked_at=utcnow()).execution_options(synchronize_session=False)
    )
    return result.rowcount


def revoke(row: LoginSession) -> None:
    if row.revoked_at is None:
        row.revoked_at = utcnow()


_BROWSERS = (  # the first match wins: Edge and Opera also say "Chrome", Chrome says "Safari"
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def browser_summary(user_agent: str) -> tuple[str | None, str | None]:
    """(browser, system) named from a User-Agent header, e.g. ("Firefox", "Windows"); None for
    what it does not tell."""
    browser = next((name for key, name in _BROWSERS if key in user_agent), None)
    system = next((name for key, name in _SYSTEMS if key in user_agent), None)
    return browser, system
