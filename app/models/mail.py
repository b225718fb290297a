"""The outbox: every e-mail Elevsag sends is first a row here.

A message is written in the same database transaction as the event that causes it, so an
event is never recorded without its mail, nor a mail sent for an event that was rolled back.
A worker (app.mail.delivery) delivers queued messages; its claim on a row is one conditional
UPDATE, so several workers on several hosts never send the same message twice.

A message holds no personal data about students: the subject and body say what kind of thing
happened and link to the page (docs/mail.md). The recipient's address is kept so that an admin
can see where a failed message was going.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, enum_column, utcnow
from app.models.user import User


class MailStatus(enum.StrEnum):
    QUEUED = "queued"  # waiting for a worker (again, after a failed attempt)
    SENDING = "sending"  # claimed by a worker
    SENT = "sent"
    FAILED = "failed"  # given up after MAIL_MAX_ATTEMPTS attempts


class OutboxMessage(Base):
    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The user it is for, if any (an invitation to a new address has one; the address is
    # what counts). SET NULL: deleting a user keeps the record that mail went out.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    to_address: Mapped[str] = mapped_column(String(254))
    # What kind of mail (a NotificationKind, "digest", "invitation", "password_reset", ...).
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # An iCalendar invitation sent with it (text/calendar), if any.
    calendar: Mapped[str | None] = mapped_column(Text)
    status: Mapped[MailStatus] = mapped_column(
        enum_column(MailStatus, "mail_status"), default=MailStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Which worker holds it while SENDING, and since when (a worker that died is noticed).
    claimed_by: Mapped[str] = mapped_column(String(120), default="")
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} {self.status}>"
