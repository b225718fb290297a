"""The partnership's dimensioning (dimensionering): the agreed number of SSA and SSH training
agreements per member employer (municipality or region) and year, set through the partnership's
dimensioning committee and entered by the coordinator at the anchor municipality.

The figures compared with it (agreements made, qualified GF2 completers still waiting) are
computed from the students' enrolments and agreements (app.partnership.dimensioning); only the
agreed numbers are stored here. Changes are attributed on the row and in the audit log.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, enum_column, utcnow
from app.models.columns import parent_id_column, user_id_column
from app.models.organisation import Organisation
from app.models.partnership import Partnership

# The most places one employer can agree to in a year: far above any real figure, so a typo
# of a few extra digits is refused instead of stored.
MAX_AGREED = 10000


class PlaceKind(enum.StrEnum):
    """The programmes the dimensioning counts; each value is the programme's code."""

    SSA = "SSA"
    SSH = "SSH"


class AgreedPlaces(Base):
    """The number of training agreements `organisation` agreed to make in `year` for `kind`."""

    __tablename__ = "agreed_places"
    __table_args__ = (
        UniqueConstraint("partnership_id", "organisation_id", "year", "kind"),
        CheckConstraint(f"agreed >= 0 AND agreed <= {MAX_AGREED}", name="agreed_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = parent_id_column("partnership")
    organisation_id: Mapped[int] = parent_id_column("organisation")
    year: Mapped[int]
    kind: Mapped[PlaceKind] = mapped_column(enum_column(PlaceKind, "place_kind"))
    agreed: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = user_id_column()

    partnership: Mapped[Partnership] = relationship()
    organisation: Mapped[Organisation] = relationship()

    def __repr__(self) -> str:
        return f"<AgreedPlaces {self.organisation_id} {self.year} {self.kind} {self.agreed}>"
