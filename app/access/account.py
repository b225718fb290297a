"""A person's own account: their login sessions.

Anyone logged in manages their own sessions and no one else's; another person's session
answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import LoginSession, User


def get_own_login_session_or_404(session_id: int, user: User) -> LoginSession:
    query = select(LoginSession).where(
        LoginSession.id == session_id,
        LoginSession.user_id == user.id,
        LoginSession.revoked_at.is_(None),
    )
    return db.one_or_404(query)
