"""The shared case file's own records: notes, case reviews with their action items, and group
review meetings. Everything else in the case file is a CaseEvent written by its own area."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, enum_column, link_table, utcnow
from app.models.columns import Versioned, parent_id_column, student_id_column, user_id_column
from app.models.organisation import Organisation

if TYPE_CHECKING:
    from app.models.student import Student
    from app.models.user import User


class NoteVisibility(enum.StrEnum):
    OWN = "own"  # the author's organisation only
    SHARED = "shared"  # shared with the partner (school ↔ municipality)


class NoteCategory(enum.StrEnum):
    GENERAL = "general"
    ATTENDANCE = "attendance"
    WELLBEING = "wellbeing"
    ACADEMIC = "academic"
    PRACTICAL = "practical"
    HEALTH = "health"  # health-related: the partner sees it only under the health consent


class CaseNote(Versioned, Base):
    """A note in the case file. `body` holds sanitised HTML (a few safe tags only)."""

    __tablename__ = "case_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = student_id_column()
    author_id: Mapped[int | None] = user_id_column()
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    visibility: Mapped[NoteVisibility] = mapped_column(
        enum_column(NoteVisibility, "note_visibility")
    )
    category: Mapped[NoteCategory] = mapped_column(enum_column(NoteCategory, "note_category"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    author: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation] = relationship()


class ReviewStatus(enum.StrEnum):
    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"


class ReviewOutcome(enum.StrEnum):
    CONTINUE = "continue"
    EXTRA_SUPPORT = "extra_support"
    EXTENSION = "extension"
    CHANGE_OF_WORKPLACE = "change_of_workplace"
    DROPOUT_RISK = "dropout_risk"


review_participant = link_table(
    "review_participant", ("review_id", "case_review.id"), ("user_id", "user_account.id")
)

meeting_participant = link_table(
    "meeting_participant", ("meeting_id", "review_meeting.id"), ("user_id", "user_account.id")
)


class ReviewMeeting(Versioned, Base):
    """A group meeting (e.g. the quarterly school-municipality meeting) with several cases."""

    __tablename__ = "review_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    on_date: Mapped[date] = mapped_column(index=True)
    at_time: Mapped[time | None]  # the time of day it starts; rows from before it have none
    location: Mapped[str] = mapped_column(String(200), default="")
    # Show the cases with initials only, no student number, for joint evaluation.
    pseudonymised: Mapped[bool] = mapped_column(default=True)
    organiser_id: Mapped[int | None] = user_id_column()
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    participants: Mapped[list[User]] = relationship(secondary=meeting_participant)
    reviews: Mapped[list[CaseReview]] = relationship(back_populates="meeting")
    organiser: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation] = relationship()


class CaseReview(Versioned, Base):
    """A case review (sagsgennemgang) of one student, alone or within a group meeting."""

    __tablename__ = "case_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = student_id_column()
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_meeting.id", ondelete="SET NULL"), index=True
    )
    on_date: Mapped[date] = mapped_column(index=True)
    at_time: Mapped[time | None]  # the time of day it starts; rows from before it have none
    location: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[ReviewStatus] = mapped_column(
        enum_column(ReviewStatus, "review_status"), default=ReviewStatus.PLANNED
    )
    agenda: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[str] = mapped_column(Text, default="")
    decisions: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[ReviewOutcome | None] = mapped_column(
        enum_column(ReviewOutcome, "review_outcome")
    )
    created_by_id: Mapped[int | None] = user_id_column()
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    student: Mapped[Student] = relationship()
    meeting: Mapped[ReviewMeeting | None] = relationship(back_populates="reviews")
    participants: Mapped[list[User]] = relationship(secondary=review_participant)
    action_items: Mapped[list[ActionItem]] = relationship(
        back_populates="review", order_by="ActionItem.due_date", cascade="all, delete-orphan"
    )
    created_by: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation] = relationship()


class ActionItemStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class ActionItem(Versioned, Base):
    """A follow-up action decided at a review: who does what by when."""

    __tablename__ = "action_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = parent_id_column("case_review")
    student_id: Mapped[int] = student_id_column()
    text: Mapped[str] = mapped_column(String(1000))
    owner_id: Mapped[int | None] = user_id_column(index=True)
    due_date: Mapped[date]
    status: Mapped[ActionItemStatus] = mapped_column(
        enum_column(ActionItemStatus, "action_item_status"), default=ActionItemStatus.OPEN
    )
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = user_id_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    review: Mapped[CaseReview] = relationship(back_populates="action_items")
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
