"""E-mail notices: what each person wants to hear by mail, and what they were told.

A `MailPreference` is one person's choice for one kind of notice (immediately, in the daily
digest, or not at all); without one, the defaults of their roles apply (app.mail.notices).
A `MailNotice` records that a person was to be told about one event, and how: it is the daily
digest's source (a notice waiting for the digest has no `digest_id` yet) and keeps the daily
reminders from repeating themselves. A `MailDigest` records that a person's digest for a day
was written, so a second run the same day sends nothing.

No row holds a student's name or case text: a notice keeps the kind, the place's name and the
link to the page.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime, enum_column, utcnow
from app.models.columns import parent_id_column


class MailChoice(enum.StrEnum):
    IMMEDIATELY = "immediately"
    DIGEST = "digest"
    OFF = "off"


class MailPreference(Base):
    __tablename__ = "mail_preference"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = parent_id_column("user_account")
    kind: Mapped[str] = mapped_column(String(32))  # a NotificationKind value
    choice: Mapped[MailChoice] = mapped_column(enum_column(MailChoice, "mail_choice"))


class MailDigest(Base):
    __tablename__ = "mail_digest"
    __table_args__ = (UniqueConstraint("user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    day: Mapped[date]  # the day the digest was written (it covers what came before that day)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MailNotice(Base):
    __tablename__ = "mail_notice"
    __table_args__ = (
        Index("ix_mail_notice_waiting", "choice", "digest_id"),
        Index("ix_mail_notice_ref", "kind", "ref"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = parent_id_column("user_account")
    kind: Mapped[str] = mapped_column(String(32))  # a NotificationKind value
    # What it is about, for the daily reminders ("action_item:7:2026-12-04"); "" otherwise.
    ref: Mapped[str] = mapped_column(String(64), default="")
    link: Mapped[str] = mapped_column(String(500))
    place: Mapped[str] = mapped_column(String(200), default="")  # organisation or workplace
    choice: Mapped[MailChoice] = mapped_column(enum_column(MailChoice, "mail_choice"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("mail_digest.id", ondelete="SET NULL"))
