"""What happens in a training period at the workplace: goals and their assessment, training
experiences, the learning agreement, the mid-period evaluation, warnings (varsling), the
declaration on training (oplæringserklæring) and absence.

Training goals (oplæringsmål) are data per programme, with the level required after each
training period. Everything else belongs to one training period of one student.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, enum_column, link_table, utcnow
from app.models.columns import Versioned, parent_id_column, student_id_column, user_id_column

if TYPE_CHECKING:
    from app.models.journey import Period
    from app.models.student import Programme
    from app.models.user import User


class GoalLevel(enum.StrEnum):
    """The three levels of the SOSU training goals, in order."""

    BEGINNER = "beginner"  # begynder
    ROUTINED = "routined"  # rutineret
    ADVANCED = "advanced"  # avanceret


LEVEL_ORDER = {GoalLevel.BEGINNER: 1, GoalLevel.ROUTINED: 2, GoalLevel.ADVANCED: 3}


class TrainingGoal(Base):
    """One numbered training goal of a programme (e.g. SSA goal 7)."""

    __tablename__ = "training_goal"
    __table_args__ = (UniqueConstraint("programme_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)

    programme: Mapped[Programme] = relationship()
    requirements: Mapped[list[GoalRequirement]] = relationship(
        back_populates="goal",
        order_by="GoalRequirement.training_number",
        cascade="all, delete-orphan",
    )

    def required_after(self, training_number: int) -> GoalLevel | None:
        """The level required at the end of the student's n-th training period."""
        return next(
            (r.level for r in self.requirements if r.training_number == training_number), None
        )


class GoalRequirement(Base):
    """The level a goal requires after the n-th training period of the programme."""

    __tablename__ = "goal_requirement"
    __table_args__ = (
        UniqueConstraint("goal_id", "training_number"),
        CheckConstraint("training_number BETWEEN 1 AND 6", name="training_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("training_goal.id", ondelete="CASCADE"))
    training_number: Mapped[int]
    level: Mapped[GoalLevel] = mapped_column(enum_column(GoalLevel, "goal_level"))

    goal: Mapped[TrainingGoal] = relationship(back_populates="requirements")


class GoalAssessment(Base):
    """The supervisor's assessment of one goal in one training period."""

    __tablename__ = "goal_assessment"
    __table_args__ = (UniqueConstraint("period_id", "goal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = parent_id_column("period")
    goal_id: Mapped[int] = mapped_column(ForeignKey("training_goal.id"), index=True)
    level: Mapped[GoalLevel] = mapped_column(enum_column(GoalLevel, "assessment_level"))
    assessed_on: Mapped[date]
    comment: Mapped[str] = mapped_column(Text, default="")
    assessed_by_id: Mapped[int | None] = user_id_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    goal: Mapped[TrainingGoal] = relationship()
    assessed_by: Mapped[User | None] = relationship()


class ExperienceCategory(enum.StrEnum):
    PROFESSIONAL = "professional"
    PERSONAL = "personal"
    SOCIAL = "social"
    ATTENDANCE = "attendance"


class TrainingExperience(Versioned, Base):
    """A dated entry by the supervisor: what happened, what was learned, what to work on."""

    __tablename__ = "training_experience"
    # The school's "From training" list and My overview read the newest concerns of a school's
    # students. Concerns are a few percent of the experiences: a partial index holds only them,
    # so the planner knows the range of recent concerns is small (with (concern, on_date) it
    # counted half the table as concerns and walked the school's students instead).
    __table_args__ = (
        Index(
            "ix_training_experience_concern_recent",
            "on_date",
            sqlite_where=text("concern IS 1"),
            postgresql_where=text("concern IS true"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = parent_id_column("period")
    student_id: Mapped[int] = student_id_column()
    on_date: Mapped[date]
    category: Mapped[ExperienceCategory] = mapped_column(
        enum_column(ExperienceCategory, "experience_category")
    )
    what_happened: Mapped[str] = mapped_column(Text)
    learned: Mapped[str] = mapped_column(Text, default="")
    work_on: Mapped[str] = mapped_column(Text, default="")
    # A concern shows in the school's "From training" list.
    concern: Mapped[bool] = mapped_column(default=False)
    author_id: Mapped[int | None] = user_id_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User | None] = relationship()
    period: Mapped[Period] = relationship()


class LearningAgreement(Versioned, Base):
    """Læringsaftale, made at the start of a training period."""

    __tablename__ = "learning_agreement"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id", ondelete="CASCADE"), unique=True)
    goals_for_period: Mapped[str] = mapped_column(Text)
    agreed_support: Mapped[str] = mapped_column(Text, default="")
    # Up to four planned meetings (start, mid-period, end, ...).
    meeting_1: Mapped[date | None]
    meeting_2: Mapped[date | None]
    meeting_3: Mapped[date | None]
    meeting_4: Mapped[date | None]
    author_id: Mapped[int | None] = user_id_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    author: Mapped[User | None] = relationship()

    @property
    def meetings(self) -> list[date]:
        return sorted(
            d for d in (self.meeting_1, self.meeting_2, self.meeting_3, self.meeting_4) if d
        )


class MidEvaluation(Versioned, Base):
    """Midtvejsevaluering: signed by the supervisor, acknowledged by the school contact."""

    __tablename__ = "mid_evaluation"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id", ondelete="CASCADE"), unique=True)
    evaluated_on: Mapped[date]
    on_track: Mapped[bool]
    comment: Mapped[str] = mapped_column(Text)
    next_steps: Mapped[str] = mapped_column(Text, default="")
    signed_by_id: Mapped[int | None] = user_id_column()
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    acknowledged_by_id: Mapped[int | None] = user_id_column()
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    signed_by: Mapped[User | None] = relationship(foreign_keys=[signed_by_id])
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])


warning_goal = link_table(
    "training_warning_goal", ("warning_id", "training_warning.id"), ("goal_id", "training_goal.id")
)


class TrainingWarning(Versioned, Base):
    """Varsling: the workplace judges that a required level may not be reached."""

    __tablename__ = "training_warning"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = parent_id_column("period")
    student_id: Mapped[int] = student_id_column()
    reason: Mapped[str] = mapped_column(Text)
    agreed_actions: Mapped[str] = mapped_column(Text)
    deadline: Mapped[date]
    issued_by_id: Mapped[int | None] = user_id_column()
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Open until someone records the follow-up.
    followed_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    followed_up_by_id: Mapped[int | None] = user_id_column()
    follow_up_note: Mapped[str] = mapped_column(Text, default="")
    # The student's side (app.me): when they acknowledged reading it, and their comment (which
    # they may change until the warning is followed up).
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    student_comment: Mapped[str] = mapped_column(Text, default="", server_default="")
    commented_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    goals: Mapped[list[TrainingGoal]] = relationship(
        secondary=warning_goal, order_by="TrainingGoal.number"
    )
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    followed_up_by: Mapped[User | None] = relationship(foreign_keys=[followed_up_by_id])
    period: Mapped[Period] = relationship()


class Declaration(Versioned, Base):
    """Oplæringserklæring at the end of a training period. Locked once issued."""

    __tablename__ = "declaration"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id", ondelete="CASCADE"), unique=True)
    approved: Mapped[bool | None]  # the period as a whole; decided when issued
    needs_next_periods: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = user_id_column()
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    issued_by_id: Mapped[int | None] = user_id_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # The student's digital acknowledgement that they have seen the issued declaration.
    student_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    lines: Mapped[list[DeclarationLine]] = relationship(
        back_populates="declaration", cascade="all, delete-orphan"
    )
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    period: Mapped[Period] = relationship()

    @property
    def issued(self) -> bool:
        return self.issued_at is not None


class DeclarationLine(Base):
    """One goal on the declaration: the level reached and whether it is approved."""

    __tablename__ = "declaration_line"
    __table_args__ = (UniqueConstraint("declaration_id", "goal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = parent_id_column("declaration")
    goal_id: Mapped[int] = mapped_column(ForeignKey("training_goal.id"))
    level: Mapped[GoalLevel | None] = mapped_column(enum_column(GoalLevel, "declaration_level"))
    approved: Mapped[bool | None]

    declaration: Mapped[Declaration] = relationship(back_populates="lines")
    goal: Mapped[TrainingGoal] = relationship()


class AbsenceKind(enum.StrEnum):
    ILLNESS = "illness"
    CHILD_ILLNESS = "child_illness"
    APPROVED_LEAVE = "approved_leave"
    UNAUTHORISED = "unauthorised"
    OTHER = "other"


class Absence(Base):
    """Absence during a training period, whole days from `start_date` to `end_date`."""

    __tablename__ = "absence"
    # The absences of the last weeks, whoever's (app.risk: absence), by their end date.
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="dates"),
        Index("ix_absence_end_date", "end_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = parent_id_column("period")
    start_date: Mapped[date]
    end_date: Mapped[date]
    kind: Mapped[AbsenceKind] = mapped_column(enum_column(AbsenceKind, "absence_kind"))
    note: Mapped[str] = mapped_column(String(500), default="")
    recorded_by_id: Mapped[int | None] = user_id_column()
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1
