"""Programmes, students and their training agreements with an employer."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, enum_column, utcnow
from app.models.organisation import Organisation


class ProgrammeLevel(enum.StrEnum):
    BASIC = "basic"  # grundforløb
    MAIN = "main"  # hovedforløb


class Programme(Base):
    """GF1, GF2, SSH, SSA, PA, EUX PA. Data, so an admin can add or rename one."""

    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[ProgrammeLevel] = mapped_column(enum_column(ProgrammeLevel, "programme_level"))
    # Nominal length, for display (e.g. 2 years 9 months 3 weeks = 143 weeks).
    duration_weeks: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)

    def __repr__(self) -> str:
        return f"<Programme {self.code}>"


class DropoutReason(enum.StrEnum):
    PERSONAL = "personal"
    HEALTH = "health"
    ACADEMIC = "academic"
    WORKPLACE = "workplace"  # problems at the training place
    LANGUAGE = "language"
    OTHER_EDUCATION = "other_education"
    WORK = "work"  # left for a job
    MOVED = "moved"
    OTHER = "other"


class StudentStatus(enum.StrEnum):
    ACTIVE = "active"
    ON_LEAVE = "on_leave"  # orlov
    DROPPED_OUT = "dropped_out"  # afbrudt
    COMPLETED = "completed"


class Student(Base):
    __tablename__ = "student"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The school's own student number. Never a CPR number.
    student_number: Mapped[str] = mapped_column(String(20), unique=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    school_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    status: Mapped[StudentStatus] = mapped_column(
        enum_column(StudentStatus, "student_status"), default=StudentStatus.ACTIVE, index=True
    )
    start_date: Mapped[date]
    # Set while the student has dropped out (afbrud); cleared on re-admission. History keeps both.
    dropout_date: Mapped[date | None]
    dropout_reason: Mapped[DropoutReason | None] = mapped_column(
        enum_column(DropoutReason, "dropout_reason")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Optimistic locking: a save based on an old version is refused instead of overwriting.
    version_id: Mapped[int] = mapped_column(default=1)

    school: Mapped[Organisation] = relationship()
    programme: Mapped[Programme] = relationship()
    agreements: Mapped[list[TrainingAgreement]] = relationship(
        back_populates="student", order_by="TrainingAgreement.start_date"
    )

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def employer_agreement(self, on: date) -> TrainingAgreement | None:
        """The agreement in force on `on`, else the next one to start. Uses loaded agreements."""
        current = [a for a in self.agreements if a.is_current(on)]
        if current:
            return current[-1]
        upcoming = [a for a in self.agreements if a.start_date > on]
        return upcoming[0] if upcoming else None

    def __repr__(self) -> str:
        return f"<Student {self.student_number}>"


class AgreementKind(enum.StrEnum):
    TRAINING = "training"  # uddannelsesaftale for the main course
    ADULT_BASIC = "adult_basic"  # adults 25+, employed already from GF2
    TRIAL_EMPLOYMENT = "trial_employment"  # ansættelsesforløb before the agreement


class TrainingAgreement(Base):
    """The student's employment with a municipality or region. Decides who the employer is."""

    __tablename__ = "training_agreement"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_in_order"),
        # "Students employed by these organisations": a lookup per student in the access rule.
        Index("ix_training_agreement_student_id_employer_id", "student_id", "employer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(
        ForeignKey("student.id", ondelete="CASCADE"), index=True
    )
    employer_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    kind: Mapped[AgreementKind] = mapped_column(
        enum_column(AgreementKind, "agreement_kind"), default=AgreementKind.TRAINING
    )
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version_id: Mapped[int] = mapped_column(default=1)

    student: Mapped[Student] = relationship(back_populates="agreements")
    employer: Mapped[Organisation] = relationship()

    __mapper_args__ = {"version_id_col": version_id}

    def is_current(self, on: date) -> bool:
        return self.start_date <= on and (self.end_date is None or self.end_date >= on)
