"""Retention: how long each kind of record is kept, legal holds, and the log of deletion runs.

The rules are data (one row per kind, edited by the system admin); what each kind covers and
what its clock starts from is decided in app/retention/rules.py. A run's log holds kinds and
counts only, never content (docs/retention.md).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, enum_column, utcnow
from app.models.columns import Versioned, user_id_column

if TYPE_CHECKING:
    from app.models.student import Student
    from app.models.user import User


class RetentionKind(enum.StrEnum):
    """The kinds of record a retention rule covers, in the order a run handles them."""

    SPS_MATERIAL = "sps_material"  # SPS measures and their steps
    OTHER_SUPPORT = "other_support"  # other measures, support needs, consents
    CASE_CONTENT = "case_content"  # everything else about a student who has left
    ACCESS_LOG = "access_log"  # the access log (audit_event)


class RetentionRule(Versioned, Base):
    """How long one kind of record is kept: `keep` years (days for the access log) after its
    clock starts (app/retention/rules.py says what starts it)."""

    __tablename__ = "retention_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[RetentionKind] = mapped_column(
        enum_column(RetentionKind, "retention_kind"), unique=True
    )
    keep: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = user_id_column()

    updated_by: Mapped[User | None] = relationship()


class LegalHold(Base):
    """A legal hold on a student (e.g. a complaint or a court case): while it is in force
    (`lifted_at` empty) no retention rule deletes or anonymises anything of the student."""

    __tablename__ = "legal_hold"
    __table_args__ = (Index("ix_legal_hold_student_id_lifted_at", "student_id", "lifted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    set_by_id: Mapped[int | None] = user_id_column()
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lifted_by_id: Mapped[int | None] = user_id_column()

    student: Mapped[Student] = relationship()
    set_by: Mapped[User | None] = relationship(foreign_keys=[set_by_id])
    lifted_by: Mapped[User | None] = relationship(foreign_keys=[lifted_by_id])


class RetentionRun(Base):
    """One run of the retention engine (`flask retention run`): when, and the counts per kind
    in `counts`. A dry run stores nothing, so every row here is a run that deleted."""

    __tablename__ = "retention_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    counts: Mapped[list[RetentionRunCount]] = relationship(
        back_populates="run", order_by="RetentionRunCount.id", cascade="all, delete-orphan"
    )


class RetentionRunCount(Base):
    """How many records of one kind a run deleted (or students it anonymised): a count,
    never what they held."""

    __tablename__ = "retention_run_count"
    __table_args__ = (UniqueConstraint("run_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("retention_run.id", ondelete="CASCADE"))
    kind: Mapped[RetentionKind] = mapped_column(enum_column(RetentionKind, "retention_count_kind"))
    count: Mapped[int] = mapped_column(default=0)
    # The rows behind the count per table ("support_measure": 3, ...): names and numbers only.
    detail: Mapped[str] = mapped_column(String(500), default="")

    run: Mapped[RetentionRun] = relationship(back_populates="counts")


__all__ = [
    "LegalHold",
    "RetentionKind",
    "RetentionRule",
    "RetentionRun",
    "RetentionRunCount",
]
