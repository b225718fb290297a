"""Programmes, students and their training agreements with an employer."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    and_,
    event,
    inspect,
    select,
    true,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.models.base import Base, UTCDateTime, enum_column, utcnow
from app.models.columns import Versioned, student_id_column, user_id_column
from app.models.organisation import Organisation

if TYPE_CHECKING:
    from app.models.journey import Period
    from app.models.user import User


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

    @staticmethod
    def display_code(code: str) -> str:
        """A code as people write it: "EUX PA", not the identifier "EUX_PA"."""
        return code.replace("_", " ")

    @property
    def short_name(self) -> str:
        return self.display_code(self.code)

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
    """Where the student stands now: the status of their latest enrolment."""

    ACTIVE = "active"
    ON_LEAVE = "on_leave"  # orlov
    DROPPED_OUT = "dropped_out"  # afbrudt
    COMPLETED = "completed"
    TRANSFERRED = "transferred"  # moved to a school outside Elevsag; not a dropout


class ClassTeam(Base):
    """A school's class team (hold), as the student administration names it: "SSA-26A"."""

    __tablename__ = "class_team"
    __table_args__ = (UniqueConstraint("school_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"))
    start_date: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    school: Mapped[Organisation] = relationship()
    programme: Mapped[Programme] = relationship()


class Enrolment(Versioned, Base):
    """One programme the student is enrolled in at one school (GF1, GF2, SSA, ...).

    A student has a sequence of these, in start-date order, and one case file across them: a
    change of programme or school and a re-enrolment after dropout each start a new one. The
    student's `programme_id`, `school_id` and `status` are those of the latest enrolment.
    """

    __tablename__ = "enrolment"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_in_order"),
        Index("ix_enrolment_student_id_start_date", "student_id", "start_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id", ondelete="CASCADE"))
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    class_team_id: Mapped[int | None] = mapped_column(
        ForeignKey("class_team.id", ondelete="SET NULL"), index=True
    )
    start_date: Mapped[date]
    # The day it ended: completed, dropped out or transferred. Empty while it runs.
    end_date: Mapped[date | None]
    status: Mapped[StudentStatus] = mapped_column(
        enum_column(StudentStatus, "enrolment_status"), default=StudentStatus.ACTIVE
    )
    # On completion: the result in words (e.g. "Bestået"), and for a basic course whether the
    # student is qualified for the main programme (the partnership's "kvalificeret elev").
    result: Mapped[str] = mapped_column(String(200), default="")
    qualified: Mapped[bool | None]
    dropout_reason: Mapped[DropoutReason | None] = mapped_column(
        enum_column(DropoutReason, "dropout_reason")
    )
    dropout_note: Mapped[str] = mapped_column(Text, default="")
    # The period the dropout happened in; with `dropout_at_transition`, the period the student
    # did not start (the dropout fell between two periods).
    dropout_period_id: Mapped[int | None] = mapped_column(
        ForeignKey("period.id", ondelete="SET NULL", use_alter=True)
    )
    dropout_at_transition: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = user_id_column()

    programme: Mapped[Programme] = relationship()
    school: Mapped[Organisation] = relationship()
    class_team: Mapped[ClassTeam | None] = relationship()
    dropout_period: Mapped[Period | None] = relationship(foreign_keys=[dropout_period_id])

    def __repr__(self) -> str:
        return f"<Enrolment {self.student_id} {self.programme_id} {self.start_date}>"


class Leave(Base):
    """Orlov: the student is away from `start_date` to `end_date` (both included). The plan
    moves: the period under way is lengthened by the leave, later periods start later."""

    __tablename__ = "student_leave"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="dates_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = student_id_column()
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"))
    start_date: Mapped[date]
    end_date: Mapped[date]
    reason: Mapped[str] = mapped_column(Text, default="")
    # Set when the student came back earlier or later than planned.
    ended_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = user_id_column()


class Student(Versioned, Base):
    __tablename__ = "student"
    __table_args__ = (
        # A school's students by id alone: counting a search's matches reads only this index.
        Index("ix_student_school_id_id", "school_id", "id"),
        # A school's active students with their names, from the index alone on PostgreSQL:
        # the students-at-risk list and My overview's part join the open flags to them.
        Index(
            "ix_student_school_id_status_id",
            "school_id",
            "status",
            "id",
            postgresql_include=["last_name", "first_name"],
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The school's own student number. Never a CPR number.
    student_number: Mapped[str] = mapped_column(String(20), unique=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    # Year of birth, so intake "in all age groups" can be followed. Never a CPR number.
    birth_year: Mapped[int | None]
    contact_teacher_id: Mapped[int | None] = user_id_column()
    counsellor_id: Mapped[int | None] = user_id_column()
    school_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
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
    # Set when the retention engine anonymised the student (app/retention): the name, number,
    # contact details and case content are gone; enrolments and periods stay for the figures.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Optimistic locking: a save based on an old version is refused instead of overwriting.

    school: Mapped[Organisation] = relationship()
    programme: Mapped[Programme] = relationship()
    contact_teacher: Mapped[User | None] = relationship(foreign_keys=[contact_teacher_id])
    counsellor: Mapped[User | None] = relationship(foreign_keys=[counsellor_id])
    enrolments: Mapped[list[Enrolment]] = relationship(
        order_by="Enrolment.start_date, Enrolment.id", cascade="all, delete-orphan"
    )
    agreements: Mapped[list[TrainingAgreement]] = relationship(
        back_populates="student", order_by="TrainingAgreement.start_date"
    )
    # Kept in step with the name and number by `_refresh_search_terms` below.
    search_terms: Mapped[list[StudentSearchTerm]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def full_name(self) -> str:
        if self.anonymised_at is not None:
            return str(_l("Anonymised student"))
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


def new_student(*, class_team_id: int | None = None, **fields) -> Student:
    """A new student and their first enrolment, in the programme, school and start date given
    by id or as objects (not yet added to the session)."""
    student = Student(**fields)
    enrolment = Enrolment(
        class_team_id=class_team_id,
        start_date=student.start_date,
        status=student.status or StudentStatus.ACTIVE,
    )
    for name in ("programme", "school"):
        if fields.get(name) is not None:
            setattr(enrolment, name, fields[name])
        else:
            setattr(enrolment, f"{name}_id", fields[f"{name}_id"])
    student.enrolments.append(enrolment)
    return student


# Terms compare byte by byte (PostgreSQL's "C" collation; SQLite's default), so that all terms
# starting with a prefix lie in one range of the index, in the same order on both databases.
_TERM = String(80).with_variant(String(80, collation="C"), "postgresql")


class StudentSearchTerm(Base):
    """One word of a student's name or number, lower-cased, for the student search.

    The search finds the students with a term that starts with each word typed, by a range scan
    of the primary key, instead of reading every visible student's name (`search_condition`).
    """

    __tablename__ = "student_search_term"

    term: Mapped[str] = mapped_column(_TERM, primary_key=True)
    student_id: Mapped[int] = mapped_column(
        ForeignKey("student.id", ondelete="CASCADE"), primary_key=True, index=True
    )


def search_terms(*texts: str) -> set[str]:
    """The terms of a name or number: each word, and each part of a hyphenated word
    ("Anne-Marie" gives "anne-marie", "anne" and "marie")."""
    terms: set[str] = set()
    for word in " ".join(texts).casefold().split():
        terms.add(word[:80])
        terms.update(part[:80] for part in word.split("-") if part)
    return terms


def search_condition(text: str):
    """A condition on `Student`: every word of `text` starts one of the student's terms."""
    conditions = []
    for word in text.casefold().split()[:6]:
        word = word[:80]
        after = word[:-1] + chr(min(ord(word[-1]) + 1, 0x10FFFF))
        conditions.append(
            Student.id.in_(
                select(StudentSearchTerm.student_id).where(
                    StudentSearchTerm.term >= word, StudentSearchTerm.term < after
                )
            )
        )
    return and_(true(), *conditions)


@event.listens_for(Session, "before_flush")
def _refresh_search_terms(session: Session, _context, _instances) -> None:
    for student in list(session.new) + list(session.dirty):
        if not isinstance(student, Student):
            continue
        state = inspect(student)
        if not state.pending and not any(
            state.attrs[name].history.has_changes()
            for name in ("first_name", "last_name", "student_number")
        ):
            continue
        wanted = search_terms(student.first_name, student.last_name, student.student_number)
        current = {t.term: t for t in student.search_terms}
        for term, row in current.items():
            if term not in wanted:
                student.search_terms.remove(row)
        for term in wanted - current.keys():
            student.search_terms.append(StudentSearchTerm(term=term))


class AgreementKind(enum.StrEnum):
    TRAINING = "training"  # uddannelsesaftale for the main course
    ADULT_BASIC = "adult_basic"  # adults 25+, employed already from GF2
    TRIAL_EMPLOYMENT = "trial_employment"  # ansættelsesforløb before the agreement


class TrainingAgreement(Versioned, Base):
    """The student's employment with a municipality or region. Decides who the employer is."""

    __tablename__ = "training_agreement"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_in_order"),
        # "Students employed by these organisations": a lookup per student in the access rule.
        Index("ix_training_agreement_student_id_employer_id", "student_id", "employer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = student_id_column()
    employer_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    kind: Mapped[AgreementKind] = mapped_column(
        enum_column(AgreementKind, "agreement_kind"), default=AgreementKind.TRAINING
    )
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    student: Mapped[Student] = relationship(back_populates="agreements")
    employer: Mapped[Organisation] = relationship()

    def is_current(self, on: date) -> bool:
        return self.start_date <= on and (self.end_date is None or self.end_date >= on)
