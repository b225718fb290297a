"""The student's own voice in the case (app.me): reflections written during a training period
(a learning log the period's supervisors and the school read), and requests for a
conversation with the counsellor or contact teacher."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, enum_column, utcnow
from app.models.columns import parent_id_column, student_id_column, user_id_column

if TYPE_CHECKING:
    from app.models.journey import Period
    from app.models.student import Student
    from app.models.user import User

REFLECTION_MAX = 4000
TOPIC_MAX = 500


class Reflection(Base):
    """One entry of the student's learning log in a training period. Written by the student;
    not changed afterwards (a later entry adds to it)."""

    __tablename__ = "reflection"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = parent_id_column("period")
    student_id: Mapped[int] = student_id_column()
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = user_id_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User | None] = relationship()
    period: Mapped[Period] = relationship()


class ConversationWith(enum.StrEnum):
    COUNSELLOR = "counsellor"
    CONTACT_TEACHER = "contact_teacher"


class ConversationRequest(Base):
    """The student asks for a conversation; it is a task on the list of the person asked (the
    student's counsellor or contact teacher) until they mark it handled."""

    __tablename__ = "conversation_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = student_id_column()
    with_whom: Mapped[ConversationWith] = mapped_column(
        enum_column(ConversationWith, "conversation_with")
    )
    addressed_to_id: Mapped[int | None] = user_id_column(index=True)
    topic: Mapped[str] = mapped_column(String(TOPIC_MAX), default="")
    asked_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    handled_by_id: Mapped[int | None] = user_id_column()

    student: Mapped[Student] = relationship()
    addressed_to: Mapped[User | None] = relationship(foreign_keys=[addressed_to_id])
    handled_by: Mapped[User | None] = relationship(foreign_keys=[handled_by_id])


class PlaceQuestion(enum.StrEnum):
    """The statements of the end-of-period evaluation of the training place, each answered on
    a scale from 1 (strongly disagree) to 5 (strongly agree)."""

    WELCOMED = "welcomed"
    SUPERVISION = "supervision"
    LEARNING = "learning"
    HEARD = "heard"


class PlaceEvaluation(Base):
    """The student's evaluation of the training place at the end of a training period: one
    per period, not changed afterwards. No free text. Shown to no one one by one: the
    partnership sees it only as suppressed counts per employer (app.partnership.evaluations)."""

    __tablename__ = "place_evaluation"
    __table_args__ = tuple(
        CheckConstraint(f"{q.value} BETWEEN 1 AND 5", name=f"{q.value}_on_scale")
        for q in PlaceQuestion
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id", ondelete="CASCADE"), unique=True)
    student_id: Mapped[int] = student_id_column()
    # The employer whose workplace it was, when the student answered (for the aggregates).
    employer_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    answered_on: Mapped[date] = mapped_column(index=True)
    welcomed: Mapped[int] = mapped_column(SmallInteger)
    supervision: Mapped[int] = mapped_column(SmallInteger)
    learning: Mapped[int] = mapped_column(SmallInteger)
    heard: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
