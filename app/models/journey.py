"""The periods of a student's education: school periods and training periods."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, enum_column
from app.models.organisation import Workplace


class PeriodKind(enum.StrEnum):
    SCHOOL = "school"
    TRAINING = "training"  # oplæringsperiode, formerly praktik


class PeriodStatus(enum.StrEnum):
    PLANNED = "planned"
    ONGOING = "ongoing"
    COMPLETED = "completed"
    INTERRUPTED = "interrupted"


class Period(Base):
    __tablename__ = "period"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="dates_in_order"),
        CheckConstraint(
            "kind = 'school' OR workplace_id IS NOT NULL", name="training_has_workplace"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(
        ForeignKey("student.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[PeriodKind] = mapped_column(enum_column(PeriodKind, "period_kind"))
    start_date: Mapped[date]
    end_date: Mapped[date]
    workplace_id: Mapped[int | None] = mapped_column(ForeignKey("workplace.id"), index=True)
    status: Mapped[PeriodStatus] = mapped_column(
        enum_column(PeriodStatus, "period_status"), default=PeriodStatus.PLANNED
    )
    version_id: Mapped[int] = mapped_column(default=1)

    workplace: Mapped[Workplace | None] = relationship()

    __mapper_args__ = {"version_id_col": version_id}
