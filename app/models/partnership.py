"""The partnership between schools, municipalities and the region, and its annual action plan.

A partnership (e.g. KKR Syddanmark's agreement) has member organisations, one anchor
municipality that coordinates on behalf of the others, and a period in years. Each year it has
one action plan (handleplan) of initiatives grouped by theme; an initiative not finished at the
end of the year is carried over to the next year's plan (`carried_from_id`).

These are not student cases: nothing here names a student, and changes are recorded in the
audit log (app.audit), with who and when on the rows themselves.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, enum_column, link_table, utcnow
from app.models.columns import Versioned, parent_id_column, user_id_column
from app.models.organisation import Organisation
from app.models.user import User

partnership_member = link_table(
    "partnership_member",
    ("partnership_id", "partnership.id"),
    ("organisation_id", "organisation.id"),
)


class Partnership(Base):
    __tablename__ = "partnership"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # The municipality that coordinates on behalf of the others; always a member.
    anchor_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    start_year: Mapped[int]
    end_year: Mapped[int | None]  # None: until further notice
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    anchor: Mapped[Organisation] = relationship()
    members: Mapped[list[Organisation]] = relationship(
        secondary=partnership_member, order_by="Organisation.name"
    )
    plans: Mapped[list[ActionPlan]] = relationship(
        back_populates="partnership",
        order_by="ActionPlan.year.desc()",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<Partnership {self.name!r}>"


class ActionPlan(Base):
    """The partnership's action plan (handleplan) for one calendar year."""

    __tablename__ = "action_plan"
    __table_args__ = (UniqueConstraint("partnership_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = parent_id_column("partnership")
    year: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = user_id_column()

    partnership: Mapped[Partnership] = relationship(back_populates="plans")
    created_by: Mapped[User | None] = relationship()
    initiatives: Mapped[list[Initiative]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="Initiative.id"
    )


class InitiativeStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"

    @property
    def finished(self) -> bool:
        """Done or dropped: not carried over to next year's plan."""
        return self in (InitiativeStatus.DONE, InitiativeStatus.DROPPED)


class Indicator(enum.StrEnum):
    """The figures an initiative can aim to move (defined in the partnership's figures)."""

    INTAKE = "intake"
    COMPLETION_RATE = "completion_rate"
    DROPOUT_RATE = "dropout_rate"
    HANDOVER_TIMELINESS = "handover_timeliness"
    DIMENSIONING_GAP = "dimensioning_gap"


class Initiative(Versioned, Base):
    """A concrete initiative of an action plan, with its owner, deadline and status."""

    __tablename__ = "initiative"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = parent_id_column("action_plan")
    theme: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # The member organisation that owns the initiative.
    owner_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    # The responsible person: a user of the app, or a name typed in (someone without a login).
    responsible_user_id: Mapped[int | None] = user_id_column()
    responsible_name: Mapped[str] = mapped_column(String(120), default="")
    deadline: Mapped[date | None]
    status: Mapped[InitiativeStatus] = mapped_column(
        enum_column(InitiativeStatus, "initiative_status"), default=InitiativeStatus.PLANNED
    )
    indicator: Mapped[Indicator | None] = mapped_column(enum_column(Indicator, "indicator"))
    baseline: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    target: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    # The initiative of last year's plan that this one continues (carry-over).
    carried_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("initiative.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = user_id_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = user_id_column()

    plan: Mapped[ActionPlan] = relationship(back_populates="initiatives")
    owner: Mapped[Organisation] = relationship()
    responsible_user: Mapped[User | None] = relationship(foreign_keys=[responsible_user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    carried_from: Mapped[Initiative | None] = relationship(remote_side=[id])
    notes: Mapped[list[InitiativeNote]] = relationship(
        back_populates="initiative",
        cascade="all, delete-orphan",
        order_by="(InitiativeNote.noted_on.desc(), InitiativeNote.id.desc())",
    )

    @property
    def responsible(self) -> str:
        if self.responsible_user is not None:
            return self.responsible_user.name
        return self.responsible_name

    def __repr__(self) -> str:
        return f"<Initiative {self.title!r}>"


class InitiativeNote(Base):
    """A progress note on an initiative: what happened, on which day, by whom."""

    __tablename__ = "initiative_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = parent_id_column("initiative")
    text: Mapped[str] = mapped_column(Text)
    noted_on: Mapped[date]
    author_id: Mapped[int | None] = user_id_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    initiative: Mapped[Initiative] = relationship(back_populates="notes")
    author: Mapped[User | None] = relationship()
