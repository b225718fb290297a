"""Handover notes at transitions, and in-app notifications."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, enum_column, utcnow
from app.models.columns import Versioned, parent_id_column, student_id_column, user_id_column
from app.models.journey import Period
from app.models.organisation import Organisation

if TYPE_CHECKING:
    from app.models.student import Student
    from app.models.user import User


class HandoverNote(Versioned, Base):
    """Overleveringsnotat: written by the sending side before a period at a new place starts.

    One note per receiving period. The receiving side acknowledges it.
    """

    __tablename__ = "handover_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = student_id_column()
    from_period_id: Mapped[int] = mapped_column(ForeignKey("period.id", ondelete="CASCADE"))
    to_period_id: Mapped[int] = mapped_column(
        ForeignKey("period.id", ondelete="CASCADE"), unique=True
    )
    strengths: Mapped[str] = mapped_column(Text, default="")
    challenges: Mapped[str] = mapped_column(Text, default="")
    agreed_support: Mapped[str] = mapped_column(Text, default="")
    first_weeks: Mapped[str] = mapped_column(Text, default="")  # what to do in the first weeks
    contact_person: Mapped[str] = mapped_column(String(200), default="")
    author_id: Mapped[int | None] = user_id_column()
    # The organisation that wrote it: the school or the employer of the sending workplace.
    author_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    acknowledged_by_id: Mapped[int | None] = user_id_column()
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A draft ("kladde") is kept to the author's organisation: no one else sees it, no one is
    # notified, and no line goes into the case history until it is sent.
    is_draft: Mapped[bool] = mapped_column(default=False, server_default=false())

    student: Mapped[Student] = relationship()
    from_period: Mapped[Period] = relationship(foreign_keys=[from_period_id])
    to_period: Mapped[Period] = relationship(foreign_keys=[to_period_id])
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    author_organisation: Mapped[Organisation] = relationship()
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])


class NotificationKind(enum.StrEnum):
    HANDOVER_WRITTEN = "handover_written"  # a note was written for a period you receive
    HANDOVER_MISSING = "handover_missing"  # a transition you send is near and has no note
    WARNING_GIVEN = "warning_given"  # the workplace warns that a goal may not be reached
    CONCERN_RECORDED = "concern_recorded"  # an experience flagged as a concern
    REVIEW_SCHEDULED = "review_scheduled"  # you take part in a case review
    NOTE_ACKNOWLEDGED = "note_acknowledged"  # the receiving side acknowledged your note
    ACTION_ITEM_DUE = "action_item_due"  # an action item you own is due
    HELP_ANSWERED = "help_answered"  # the school answered your request for help
    # A partnership meeting's follow-up point you are responsible for is past its deadline.
    # It has no student: it is e-mailed (app.mail.notices) but is never an in-app notification.
    FOLLOW_UP_OVERDUE = "follow_up_overdue"
    # A student first shows signs of risk (app.risk): names no reason, only the student.
    RISK_SIGNS = "risk_signs"


class Notification(Base):
    __tablename__ = "notification"
    # One notification of a kind per person and period: reminders are not repeated.
    __table_args__ = (UniqueConstraint("user_id", "kind", "period_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = parent_id_column("user_account")
    kind: Mapped[NotificationKind] = mapped_column(
        enum_column(NotificationKind, "notification_kind", constraint=False)
    )
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id", ondelete="CASCADE"))
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    student: Mapped[Student] = relationship()
    period: Mapped[Period] = relationship()
