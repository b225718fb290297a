"""Asking the school for help from the workplace (docs/domain.md, "Asking for help"): a
practice supervisor or training coordinator asks for a case review or a conversation with the
counsellor, with a reason. It waits on the school's list until a counsellor or contact teacher
answers it: scheduled (as a case review, linked here) or declined with a reason."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, enum_column, utcnow
from app.models.columns import Versioned, student_id_column, user_id_column

if TYPE_CHECKING:
    from app.models.casefile import CaseReview
    from app.models.journey import Period
    from app.models.organisation import Organisation
    from app.models.student import Student
    from app.models.user import User

HELP_REASON_MAX = 1000
DECLINE_REASON_MAX = 500


class HelpKind(enum.StrEnum):
    CASE_REVIEW = "case_review"
    CONVERSATION = "conversation"  # a conversation with the counsellor


class HelpStatus(enum.StrEnum):
    OPEN = "open"
    SCHEDULED = "scheduled"
    DECLINED = "declined"


class HelpRequest(Versioned, Base):
    __tablename__ = "help_request"
    __table_args__ = (
        # Answered requests say by whom and when; a declined one why, a scheduled one when.
        CheckConstraint(
            "status = 'open' OR answered_at IS NOT NULL", name="answered_when_not_open"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = student_id_column()
    kind: Mapped[HelpKind] = mapped_column(enum_column(HelpKind, "help_kind"))
    reason: Mapped[str] = mapped_column(String(HELP_REASON_MAX))
    # The employer the asker acts for, and the training period it is about (the answer's
    # notification names it).
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    period_id: Mapped[int | None] = mapped_column(ForeignKey("period.id", ondelete="SET NULL"))
    requested_by_id: Mapped[int | None] = user_id_column()
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    status: Mapped[HelpStatus] = mapped_column(
        enum_column(HelpStatus, "help_status"), default=HelpStatus.OPEN, index=True
    )
    answered_by_id: Mapped[int | None] = user_id_column()
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decline_reason: Mapped[str] = mapped_column(String(DECLINE_REASON_MAX), default="")
    # The case review that answers it (scheduled).
    review_id: Mapped[int | None] = mapped_column(ForeignKey("case_review.id", ondelete="SET NULL"))

    student: Mapped[Student] = relationship()
    organisation: Mapped[Organisation] = relationship()
    period: Mapped[Period | None] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
    review: Mapped[CaseReview | None] = relationship()
