"""Single-use links that let a person choose a password: an invitation or a password reset.

The link carries a random token; only its SHA-256 hash is stored, as for login sessions, so
a copy of the database holds no usable link. A token serves one purpose, expires, is used at
most once, and a new token of the same purpose for the same user revokes the older ones.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, enum_column, utcnow
from app.models.columns import parent_id_column
from app.models.user import User


class TokenPurpose(enum.StrEnum):
    INVITATION = "invitation"  # a new user chooses their first password
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a purpose: "Forgot password?")


class AccountToken(Base):
    __tablename__ = "account_token"
    __table_args__ = (Index("ix_account_token_user_purpose", "user_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    purpose: Mapped[TokenPurpose] = mapped_column(enum_column(TokenPurpose, "token_purpose"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the token
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when a newer token of the same purpose was issued, or the password was chosen
    # another way, so this link no longer works.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<AccountToken {self.id} {self.purpose}>"


class RecoveryCode(Base):
    """One of a user's one-time recovery codes for two-factor login (app.auth.twofactor).
    Only the SHA-256 of the code is stored; a used code keeps its row with `used_at`."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = parent_id_column("user_account")
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
