"""API clients: the systems around Elevsag that call its JSON API (app.api).

A client belongs to one organisation and acts through its own service user (`user`): a user
that never logs in with a password (inactive, no usable password hash) and holds one
membership in the client's organisation, in the role chosen when the client was made. So the
API sees exactly what a person in that role sees (app.access), and the access log and the case
history name that user. The bearer token is random; only its SHA-256 hash is stored, with a
short prefix that lets an admin tell tokens apart.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, utcnow
from app.models.organisation import Organisation
from app.models.user import User

API_SCOPES = ("read", "write")


class ApiClient(Base):
    __tablename__ = "api_client"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    # Space-separated, from API_SCOPES ("read", "read write").
    scopes: Mapped[str] = mapped_column(String(40))
    token_prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the token
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), unique=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    @property
    def role(self):
        """The role the client's service user holds in the organisation."""
        return self.user.memberships[0].role if self.user.memberships else None
