"""Support needs, support measures (SPS among them), the SPS application steps, and consent.

Support-need details and SPS are school data (docs/domain.md): the workplace side sees them only
under a consent in force for the category, given by the student to its organisation. Which
rows a user may see is decided in app.access (support_view), never here.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Numeric,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, enum_column, link_table, utcnow
from app.models.columns import Versioned, parent_id_column, student_id_column, user_id_column
from app.models.organisation import Organisation

if TYPE_CHECKING:
    from app.models.journey import Period
    from app.models.student import Student
    from app.models.user import User

# An audiogram older than this is no longer valid documentation for an SPS application.
AUDIOGRAM_VALID_YEARS = 4
# The student may complain about an SPS decision within four weeks.
COMPLAINT_WEEKS = 4


class ConsentCategory(enum.StrEnum):
    """What a consent covers. Also the data category of a case-history line about support."""

    SUPPORT_NEEDS = "support_needs"
    SPS = "sps"
    HEALTH = "health"  # support needs whose category is health data (GDPR art. 9)


class ConsentChannel(enum.StrEnum):
    """How a consent was given or withdrawn."""

    APP = "app"  # by the student, in Elevsag
    PAPER = "paper"  # by staff, from a form the student signed


class SupportCategory(Base):
    """A kind of support need (dyslexia, ADHD, ...). Admins keep the list; rows are never
    deleted once used, only made inactive."""

    __tablename__ = "support_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))  # Danish
    name_en: Mapped[str] = mapped_column(String(120), default="")
    # Health data (GDPR art. 9) needs the student's health consent as well to be shared.
    health_data: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    def label(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name


class DocumentationKind(enum.StrEnum):
    NONE = "none"
    DYSLEXIA_TEST = "dyslexia_test"
    DYSCALCULIA_TEST = "dyscalculia_test"
    MEDICAL_CERTIFICATE = "medical_certificate"
    AUDIOGRAM = "audiogram"
    PSYCHOLOGICAL_ASSESSMENT = "psychological_assessment"
    OTHER = "other"


class SupportNeedStatus(enum.StrEnum):
    ACTIVE = "active"
    RESOLVED = "resolved"


class SupportNeed(Versioned, Base):
    __tablename__ = "support_need"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = student_id_column()
    category_id: Mapped[int] = mapped_column(ForeignKey("support_category.id"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    documentation_kind: Mapped[DocumentationKind] = mapped_column(
        enum_column(DocumentationKind, "documentation_kind"), default=DocumentationKind.NONE
    )
    # The date of the document itself (e.g. when the audiogram was taken).
    documentation_date: Mapped[date | None]
    status: Mapped[SupportNeedStatus] = mapped_column(
        enum_column(SupportNeedStatus, "support_need_status"), default=SupportNeedStatus.ACTIVE
    )
    flagged_by_id: Mapped[int | None] = user_id_column()
    flagged_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_on: Mapped[date | None]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    student: Mapped[Student] = relationship()
    category: Mapped[SupportCategory] = relationship()
    flagged_by: Mapped[User | None] = relationship()

    @property
    def consent_category(self) -> ConsentCategory:
        """The consent that lets a workplace see this need (health data needs its own)."""
        return (
            ConsentCategory.HEALTH if self.category.health_data else ConsentCategory.SUPPORT_NEEDS
        )

    def documentation_outdated(self, today: date) -> bool:
        """An audiogram must be no older than four years when used for SPS."""
        if self.documentation_kind != DocumentationKind.AUDIOGRAM or not self.documentation_date:
            return False
        taken = self.documentation_date
        years = AUDIOGRAM_VALID_YEARS
        if taken.year + years > date.max.year:  # a stored typo far in the future: not outdated
            return False
        expires = date(taken.year + years, taken.month, 28 if taken.month == 2 else taken.day)
        return expires < today


class MeasureType(enum.StrEnum):
    SPS_STUDY_SUPPORT = "sps_study_support"  # studiestøttetimer
    IT_PACKAGE = "it_package"  # laptop, AppWriter, ...
    INSTRUCTION_HOURS = "instruction_hours"
    INTERPRETER = "interpreter"  # sign-language or writing interpreter
    NOTE_TAKING = "note_taking"
    NOTA = "nota"
    MENTOR = "mentor"
    EXTRA_GUIDANCE = "extra_guidance"
    LANGUAGE_SUPPORT = "language_support"
    ADJUSTED_TRAINING = "adjusted_training"
    OTHER = "other"
    # What a workplace arranges (docs/domain.md, "Support arranged at the workplace"); MENTOR
    # and LANGUAGE_SUPPORT serve both sides.
    ADJUSTED_TASKS = "adjusted_tasks"
    EXTRA_SUPERVISION = "extra_supervision"  # extra supervision time
    WORK_AIDS = "work_aids"  # aids at work (a lifting aid, a reading pen, ...)


# State-funded SPS, applied for by the school; the rest are the school's or workplace's own.
SPS_TYPES = frozenset(
    {
        MeasureType.SPS_STUDY_SUPPORT,
        MeasureType.IT_PACKAGE,
        MeasureType.INSTRUCTION_HOURS,
        MeasureType.INTERPRETER,
        MeasureType.NOTE_TAKING,
        MeasureType.NOTA,
    }
)


# The kinds of support a workplace records itself (supervisors and training coordinators).
WORKPLACE_TYPES = (
    MeasureType.ADJUSTED_TASKS,
    MeasureType.EXTRA_SUPERVISION,
    MeasureType.MENTOR,
    MeasureType.LANGUAGE_SUPPORT,
    MeasureType.WORK_AIDS,
    MeasureType.OTHER,
)


class MeasureProvider(enum.StrEnum):
    SCHOOL = "school"
    WORKPLACE = "workplace"


class MeasureStatus(enum.StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    ENDED = "ended"
    CANCELLED = "cancelled"


class SpsStage(enum.StrEnum):
    """The steps of an SPS application, in order. GRANTED and REFUSED are the two decisions."""

    AUTHORISATION_SIGNED = "authorisation_signed"
    DOCUMENTATION_COMPLETE = "documentation_complete"
    APPLIED = "applied"
    GRANTED = "granted"
    REFUSED = "refused"
    IN_USE = "in_use"
    ENDED = "ended"


measure_period = link_table(
    "support_measure_period", ("measure_id", "support_measure.id"), ("period_id", "period.id")
)


class SupportMeasure(Versioned, Base):
    __tablename__ = "support_measure"
    __table_args__ = (
        CheckConstraint("hours_granted IS NULL OR hours_granted >= 0", name="hours_granted"),
        CheckConstraint("hours_used IS NULL OR hours_used >= 0", name="hours_used"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = student_id_column()
    # The need it answers, if any.
    need_id: Mapped[int | None] = mapped_column(
        ForeignKey("support_need.id", ondelete="SET NULL"), index=True
    )
    type: Mapped[MeasureType] = mapped_column(enum_column(MeasureType, "measure_type"))
    provider: Mapped[MeasureProvider] = mapped_column(
        enum_column(MeasureProvider, "measure_provider"), default=MeasureProvider.SCHOOL
    )
    description: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    hours_granted: Mapped[Decimal | None] = mapped_column(Numeric(7, 1))
    hours_used: Mapped[Decimal | None] = mapped_column(Numeric(7, 1))
    # The counsellor (or other staff member) who follows the measure up.
    owner_id: Mapped[int | None] = user_id_column(index=True)
    next_follow_up: Mapped[date | None] = mapped_column(index=True)
    evaluation: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[MeasureStatus] = mapped_column(
        enum_column(MeasureStatus, "measure_status"), default=MeasureStatus.PLANNED
    )
    # The employer whose record this is: set for support arranged at the workplace and
    # recorded by the workplace side (its supervisors and training coordinators), who alone
    # change it; None for the school's own records (also of what a workplace provides).
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    # An employer's record that concerns the student's health: the school sees it only under
    # the student's health consent between school and employer (app.access.support).
    health_related: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The latest SPS step reached (SPS types only); the steps themselves are in sps_step.
    sps_stage: Mapped[SpsStage | None] = mapped_column(enum_column(SpsStage, "sps_stage"))
    created_by_id: Mapped[int | None] = user_id_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    student: Mapped[Student] = relationship()
    need: Mapped[SupportNeed | None] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    organisation: Mapped[Organisation | None] = relationship()
    periods: Mapped[list[Period]] = relationship(
        secondary=measure_period, order_by="Period.start_date"
    )
    steps: Mapped[list[SpsStep]] = relationship(
        back_populates="measure",
        order_by="(SpsStep.on_date, SpsStep.id)",
        cascade="all, delete-orphan",
    )

    @property
    def is_sps(self) -> bool:
        return self.type in SPS_TYPES

    @property
    def employer_record(self) -> bool:
        """Support arranged at the workplace, recorded by the employer (not by the school)."""
        return self.organisation_id is not None

    @property
    def consent_category(self) -> ConsentCategory:
        return ConsentCategory.SPS if self.is_sps else ConsentCategory.SUPPORT_NEEDS

    def step(self, stage: SpsStage) -> SpsStep | None:
        return next((s for s in self.steps if s.stage == stage), None)

    @property
    def decision(self) -> SpsStep | None:
        return self.step(SpsStage.GRANTED) or self.step(SpsStage.REFUSED)

    @property
    def complaint_deadline(self) -> date | None:
        decision = self.decision
        if decision is None:
            return None
        try:
            return decision.on_date + timedelta(weeks=COMPLAINT_WEEKS)
        except OverflowError:  # a stored date so late that the deadline is past year 9999
            return None

    @property
    def hours_left(self) -> Decimal | None:
        if self.hours_granted is None:
            return None
        return self.hours_granted - (self.hours_used or 0)


class SpsStep(Base):
    """One dated, attributed step of an SPS application."""

    __tablename__ = "sps_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = parent_id_column("support_measure")
    stage: Mapped[SpsStage] = mapped_column(enum_column(SpsStage, "sps_step_stage"))
    on_date: Mapped[date]
    note: Mapped[str] = mapped_column(String(500), default="")
    # Only for ENDED: was the equipment (laptop, ...) handed back?
    equipment_returned: Mapped[bool | None]
    recorded_by_id: Mapped[int | None] = user_id_column()
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    measure: Mapped[SupportMeasure] = relationship(back_populates="steps")
    recorded_by: Mapped[User | None] = relationship()


class Consent(Base):
    """The student's consent that the school shares one category of data with one organisation.

    In force from `valid_from` to `valid_to` (open-ended if empty) unless withdrawn; a
    withdrawal takes effect at once and is kept, so the record shows who shared what when.
    `channel` says how it was given (by the student in the app, or recorded by staff from a
    signed paper form) and `text_version` which version of the consent text it was given
    under (app.support.consent_text); `withdrawn_channel` how it was withdrawn (None for a
    consent ended by the school, e.g. at a change of school, and for older withdrawals).
    """

    __tablename__ = "consent"
    __table_args__ = (CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="dates"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = student_id_column()
    category: Mapped[ConsentCategory] = mapped_column(
        enum_column(ConsentCategory, "consent_category")
    )
    recipient_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
    note: Mapped[str] = mapped_column(String(500), default="")
    channel: Mapped[ConsentChannel] = mapped_column(enum_column(ConsentChannel, "consent_channel"))
    text_version: Mapped[str] = mapped_column(String(20))
    recorded_by_id: Mapped[int | None] = user_id_column()
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by_id: Mapped[int | None] = user_id_column()
    withdrawn_channel: Mapped[ConsentChannel | None] = mapped_column(
        enum_column(ConsentChannel, "consent_withdrawn_channel")
    )

    recipient: Mapped[Organisation] = relationship()
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])

    def in_force(self, on: date) -> bool:
        return (
            self.withdrawn_at is None
            and self.valid_from <= on
            and (self.valid_to is None or on <= self.valid_to)
        )
