"""Schools, municipalities and regions, and the workplaces where training happens."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, enum_column, utcnow


class OrganisationKind(enum.StrEnum):
    SCHOOL = "school"
    MUNICIPALITY = "municipality"
    REGION = "region"

    @property
    def is_employer(self) -> bool:
        return self in (OrganisationKind.MUNICIPALITY, OrganisationKind.REGION)


class Organisation(Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(
        enum_column(OrganisationKind, "organisation_kind")
    )
    # Short public identifier: the municipality number or the school's institution number.
    code: Mapped[str] = mapped_column(String(20), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    workplaces: Mapped[list[Workplace]] = relationship(
        back_populates="organisation", order_by="Workplace.name"
    )

    def __repr__(self) -> str:
        return f"<Organisation {self.code} {self.name!r}>"


class WorkplaceKind(enum.StrEnum):
    CARE_HOME = "care_home"  # plejecenter
    HOME_CARE = "home_care"  # hjemmepleje
    PSYCHIATRY = "psychiatry"
    HOSPITAL = "hospital"
    DAY_CARE = "day_care"  # daginstitution
    DISABILITY = "disability"  # bosted / specialområdet
    HEALTH_CENTRE = "health_centre"  # sundhedscenter, rehabilitering


class Workplace(Base):
    """A training place (lærested). Belongs to one municipality or region."""

    __tablename__ = "workplace"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[WorkplaceKind] = mapped_column(enum_column(WorkplaceKind, "workplace_kind"))
    address: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="workplaces")

    def __repr__(self) -> str:
        return f"<Workplace {self.name!r}>"
