"""The access log: who did what to which student's data, and when. Never the data itself."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, enum_column, utcnow
from app.models.columns import user_id_column
from app.models.user import User


class AuditAction(enum.StrEnum):
    VIEW = "view"
    SEARCH = "search"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    EXPORT = "export"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (
        # The access-log review (app.auditlog) reads an organisation's rows by time.
        Index("ix_audit_event_organisation_id_at", "organisation_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    user_id: Mapped[int | None] = user_id_column(index=True)
    action: Mapped[AuditAction] = mapped_column(enum_column(AuditAction, "audit_action"))
    # What kind of object was touched ("student", "organisation", ...) and its id.
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[int | None]
    # Kept without a foreign key: the log outlives the student record it refers to.
    student_id: Mapped[int | None] = mapped_column(index=True)
    # The organisation the user acted for in the student's case (the school, else the
    # employer), as it was at the time: the student's access request names it (not the
    # user). No foreign key either, for the same reason.
    organisation_id: Mapped[int | None]
    # For searches: the criteria used (field names and values), never result contents.
    criterion: Mapped[str] = mapped_column(String(500), default="")

    user: Mapped[User | None] = relationship()
