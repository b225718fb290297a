"""The student's journey: programme templates, the periods of a plan, and the case history."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, enum_column, utcnow
from app.models.columns import Versioned, parent_id_column, student_id_column, user_id_column
from app.models.organisation import Organisation, Workplace

if TYPE_CHECKING:
    from app.models.casefile import CaseNote
    from app.models.student import Enrolment, Student
    from app.models.user import User


class PeriodKind(enum.StrEnum):
    SCHOOL = "school"
    TRAINING = "training"  # oplæringsperiode, formerly praktik


class PeriodStatus(enum.StrEnum):
    PLANNED = "planned"
    ONGOING = "ongoing"
    COMPLETED = "completed"
    INTERRUPTED = "interrupted"


class TrainingArea(enum.StrEnum):
    """The field a training period covers (docs/domain.md, "The student's journey")."""

    HOME_CARE = "home_care"
    CARE_HOME = "care_home"
    LOCAL_HEALTH_CARE = "local_health_care"  # kommunal sundhed og omsorg (SSA period 1)
    PSYCHIATRY = "psychiatry"
    HOSPITAL_SOMATICS = "hospital_somatics"
    DAY_CARE = "day_care"  # children's day care (PA)
    SPECIAL_NEEDS = "special_needs"  # adults with special needs (PA)


class TemplatePeriod(Base):
    """One period of a programme's standard plan. Admins edit these; plans copy them."""

    __tablename__ = "template_period"
    __table_args__ = (
        UniqueConstraint("programme_id", "position"),
        CheckConstraint("weeks BETWEEN 1 AND 104", name="weeks_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    position: Mapped[int]  # 1, 2, 3 ... in the order the student meets them
    kind: Mapped[PeriodKind] = mapped_column(enum_column(PeriodKind, "period_kind"))
    title: Mapped[str] = mapped_column(String(120))
    weeks: Mapped[int]  # typical length
    training_area: Mapped[TrainingArea | None] = mapped_column(
        enum_column(TrainingArea, "training_area")
    )
    # Which training period of the education this is (SSH 1A and 1B are both 1): the
    # training goals' required levels and the declaration refer to it.
    training_number: Mapped[int | None]


class Period(Versioned, Base):
    """A period of one student's plan. Copied from the template, then edited on its own."""

    __tablename__ = "period"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="dates_in_order"),
        # A student's plan in order (the period before another), and periods by start date
        # (upcoming transitions), and "students at these workplaces" (supervisors' access).
        # The first also serves every lookup by student alone: no index on student_id by itself,
        # which PostgreSQL would otherwise pick and then filter by date.
        Index("ix_period_student_id_start_date", "student_id", "start_date"),
        # PostgreSQL reads the transitions' window by date for the whole database and keeps
        # the user's students: with the student, enrolment and id in the index it does so from
        # the index alone, not from every period's row (150,000 students: 15,045 periods).
        Index(
            "ix_period_start_date_student_id",
            "start_date",
            "student_id",
            postgresql_include=["enrolment_id", "id"],
        ),
        Index("ix_period_workplace_id_student_id", "workplace_id", "student_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id", ondelete="CASCADE"))
    # The programme enrolment the period belongs to (GF2, then SSA, ...).
    enrolment_id: Mapped[int] = parent_id_column("enrolment")
    kind: Mapped[PeriodKind] = mapped_column(enum_column(PeriodKind, "period_kind"))
    title: Mapped[str] = mapped_column(String(120), default="")
    training_area: Mapped[TrainingArea | None] = mapped_column(
        enum_column(TrainingArea, "training_area")
    )
    # Copied from the template: which training period of the education this is (1, 2, 3).
    training_number: Mapped[int | None]
    start_date: Mapped[date]
    end_date: Mapped[date]
    # Set on the first extension, so the plan shows how long the period was meant to be.
    original_end_date: Mapped[date | None]
    # Training periods happen at a workplace; a newly generated plan may not have one yet.
    workplace_id: Mapped[int | None] = mapped_column(ForeignKey("workplace.id"), index=True)
    # The contact teacher (school periods) or practice supervisor (training periods).
    responsible_id: Mapped[int | None] = user_id_column()
    status: Mapped[PeriodStatus] = mapped_column(
        enum_column(PeriodStatus, "period_status"), default=PeriodStatus.PLANNED
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    student: Mapped[Student] = relationship()
    enrolment: Mapped[Enrolment] = relationship(foreign_keys=[enrolment_id])
    workplace: Mapped[Workplace | None] = relationship()
    responsible: Mapped[User | None] = relationship()

    def status_on(self, today: date) -> PeriodStatus:
        """The status to show: planned periods become ongoing and then completed as the dates
        pass, without anyone having to change them; an interrupted or completed period stays so.
        A period after the student's dropout will not happen: it shows as interrupted (and as
        planned again if the student is re-admitted)."""
        if self.status in (PeriodStatus.INTERRUPTED, PeriodStatus.COMPLETED):
            return self.status
        dropped_out_on = self.student.dropout_date if self.student is not None else None
        if dropped_out_on is not None and self.start_date > dropped_out_on:
            return PeriodStatus.INTERRUPTED
        if self.end_date < today:
            return PeriodStatus.COMPLETED
        if self.start_date <= today:
            return PeriodStatus.ONGOING
        return PeriodStatus.PLANNED

    @property
    def is_extended(self) -> bool:
        return self.original_end_date is not None and self.original_end_date != self.end_date

    def place_key(self) -> tuple[str, int | None]:
        """Where the period happens: school or a workplace. A change of place is a transition."""
        return (self.kind.value, self.workplace_id if self.kind == PeriodKind.TRAINING else None)


class CaseEventKind(enum.StrEnum):
    STUDENT_CREATED = "student_created"
    STUDENT_RECORD_CHANGED = "student_record_changed"
    PLAN_CREATED = "plan_created"
    PERIOD_ADDED = "period_added"
    PERIOD_CHANGED = "period_changed"
    PERIOD_EXTENDED = "period_extended"
    WORKPLACE_CHANGED = "workplace_changed"
    PERIOD_STATUS_CHANGED = "period_status_changed"
    PERIOD_DELETED = "period_deleted"
    DROPPED_OUT = "dropped_out"
    READMITTED = "readmitted"
    AGREEMENT_CREATED = "agreement_created"
    AGREEMENT_CHANGED = "agreement_changed"
    HANDOVER_WRITTEN = "handover_written"
    HANDOVER_CHANGED = "handover_changed"
    HANDOVER_ACKNOWLEDGED = "handover_acknowledged"
    SUPPORT_NEED_FLAGGED = "support_need_flagged"
    SUPPORT_NEED_CHANGED = "support_need_changed"
    SUPPORT_NEED_RESOLVED = "support_need_resolved"
    MEASURE_ADDED = "measure_added"
    MEASURE_CHANGED = "measure_changed"
    SPS_STEP = "sps_step"
    CONSENT_GIVEN = "consent_given"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    GOALS_ASSESSED = "goals_assessed"
    EXPERIENCE_RECORDED = "experience_recorded"
    EXPERIENCE_CHANGED = "experience_changed"
    LEARNING_AGREEMENT_SAVED = "learning_agreement_saved"
    MID_EVALUATION_SIGNED = "mid_evaluation_signed"
    MID_EVALUATION_ACKNOWLEDGED = "mid_evaluation_acknowledged"
    WARNING_GIVEN = "warning_given"
    WARNING_FOLLOWED_UP = "warning_followed_up"
    DECLARATION_SAVED = "declaration_saved"
    DECLARATION_ISSUED = "declaration_issued"
    ABSENCE_RECORDED = "absence_recorded"
    NOTE_WRITTEN = "note_written"
    NOTE_CHANGED = "note_changed"
    REVIEW_SCHEDULED = "review_scheduled"
    REVIEW_CHANGED = "review_changed"
    REVIEW_HELD = "review_held"
    ACTION_ITEM_ADDED = "action_item_added"
    ACTION_ITEM_CHANGED = "action_item_changed"
    # Imports (app.imports): a student created or changed from a school administration file.
    STUDENT_IMPORTED = "student_imported"
    STUDENT_UPDATED = "student_updated"
    # Enrolments and statuses (app/journey/enrolments.py).
    ENROLMENT_COMPLETED = "enrolment_completed"
    BASIC_COURSE_QUALIFIED = "basic_course_qualified"
    BASIC_COURSE_NOT_QUALIFIED = "basic_course_not_qualified"
    ENROLLED = "enrolled"
    SUPPORT_CARRIED_OVER = "support_carried_over"
    SUPPORT_NOT_CARRIED_OVER = "support_not_carried_over"
    MEASURE_ENDED = "measure_ended"
    CONSENT_ENDED = "consent_ended"
    LEAVE_STARTED = "leave_started"
    LEAVE_ENDED = "leave_ended"
    LEAVE_ENDED_PLAN_MOVED = "leave_ended_plan_moved"
    TRANSFERRED = "transferred"
    EMPLOYER_CHANGED = "employer_changed"
    # The student's own part (app.me).
    STUDENT_ACCOUNT_INVITED = "student_account_invited"
    REFLECTION_WRITTEN = "reflection_written"
    CONVERSATION_REQUESTED = "conversation_requested"
    CONVERSATION_HANDLED = "conversation_handled"
    PLACE_EVALUATED = "place_evaluated"
    # The student's own part: warnings and declarations (app/me/training.py).
    WARNING_READ = "warning_read"
    WARNING_COMMENTED = "warning_commented"
    DECLARATION_CONFIRMED = "declaration_confirmed"
    # Attachments (app.attachments): a file added to or removed from a record.
    ATTACHMENT_ADDED = "attachment_added"
    ATTACHMENT_REMOVED = "attachment_removed"
    # Retention (app.retention): a legal hold suspends deletion of the student's records.
    LEGAL_HOLD_SET = "legal_hold_set"
    LEGAL_HOLD_LIFTED = "legal_hold_lifted"
    # Support arranged at the workplace, and asking the school for help (app.support).
    WORKPLACE_SUPPORT_ADDED = "workplace_support_added"
    WORKPLACE_SUPPORT_CHANGED = "workplace_support_changed"
    HELP_REQUESTED = "help_requested"
    HELP_SCHEDULED = "help_scheduled"
    HELP_DECLINED = "help_declined"


class CaseEventTarget(enum.StrEnum):
    """The kind of thing a case-history line records (with its id in CaseEvent.target_id)."""

    HANDOVER = "handover"  # a HandoverNote
    NOTE = "note"  # a CaseNote
    REVIEW = "review"  # a CaseReview (also for its action items)
    MEASURE = "measure"  # a SupportMeasure (also its SPS steps)
    NEED = "need"  # a SupportNeed
    WARNING = "warning"  # a TrainingWarning
    DECLARATION = "declaration"  # a Declaration
    TRAINING = "training"  # a training Period's records (assessments, evaluations, ...)


class CaseEvent(Base):
    """A line in the case history: who changed what in the student's case, and when.

    `details` holds the facts of the change (period title, old and new dates, place names) for
    display; never free-text content such as a handover note's text.
    """

    __tablename__ = "case_event"
    # The case file pages newest first through one student's lines.
    # The extensions of the last year, whoever's (app.risk: repeated extensions) by kind.
    __table_args__ = (
        Index("ix_case_event_student_id_at", "student_id", "at"),
        Index("ix_case_event_kind_at", "kind", "at"),
        # The note, review and period a line is about: deleting one of them (retention, a
        # period removed from the plan) sets these to NULL, which without an index reads every
        # line of the table for each row deleted. Partial: most lines have none.
        *(
            Index(
                f"ix_case_event_{column}",
                column,
                sqlite_where=text(f"{column} IS NOT NULL"),
                postgresql_where=text(f"{column} IS NOT NULL"),
            )
            for column in ("note_id", "review_id", "period_id")
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = student_id_column()
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Indexed: a deleted account (a student's, at retention) sets it to NULL, and the access-log
    # review asks which lines a person wrote.
    user_id: Mapped[int | None] = user_id_column(index=True)
    kind: Mapped[CaseEventKind] = mapped_column(
        enum_column(CaseEventKind, "case_event_kind", constraint=False)
    )
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    # Lines about support data carry the consent category that lets the workplace see them
    # (a ConsentCategory value); empty for lines every viewer of the case may see.
    data_category: Mapped[str | None] = mapped_column(String(32))
    # The organisation the author acted for, and the period the line is about (for filters).
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    period_id: Mapped[int | None] = mapped_column(ForeignKey("period.id", ondelete="SET NULL"))
    # Set for lines only the author's organisation may see (a note kept to itself).
    restricted_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL")
    )
    # The note or review the line is about; its text is shown in the case file.
    note_id: Mapped[int | None] = mapped_column(ForeignKey("case_note.id", ondelete="SET NULL"))
    review_id: Mapped[int | None] = mapped_column(ForeignKey("case_review.id", ondelete="SET NULL"))
    # The thing the line records (a handover note, a measure, a warning, ...), which the line
    # links to for a viewer who may read it. No foreign key: the kinds live in several tables.
    target_kind: Mapped[CaseEventTarget | None] = mapped_column(
        enum_column(CaseEventTarget, "case_event_target", constraint=False)
    )
    target_id: Mapped[int | None]

    user: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship(foreign_keys=[organisation_id])
    note: Mapped[CaseNote | None] = relationship()
