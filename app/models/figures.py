"""The partnership dashboard's figures, computed ahead (`flask figures refresh`, nightly).

One row per partnership: every table of the dashboard in every breakdown, already through
app.statistics' suppression. A hidden figure is stored as null, never as its count, so what
is stored can be shown as it is (docs/indicators.md, "Performance").
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime, utcnow


class FigureSnapshot(Base):
    __tablename__ = "figure_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnership.id", ondelete="CASCADE"), unique=True
    )
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The day the figures were counted as of (windows and cohorts are relative to it).
    as_of: Mapped[date]
    # The suppressed tables (app.main.snapshots): hidden figures are null.
    figures: Mapped[dict] = mapped_column(JSON)
