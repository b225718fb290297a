"""Early signs that a student is at risk of dropping out (docs/risk.md).

Each rule is a row an admin tunes (`RiskRule`): active or not, a threshold and, where the rule
looks back, a window in days. The rules are evaluated as SQL by app.risk.rules over the students
a viewer sees. `RiskFlag` keeps, per student, the runs during which at least one rule fired:
`flask risk refresh` (nightly) opens a flag when a student first crosses the threshold (and
notifies the school contacts and the employer's coordinators), and clears it when no rule fires.
The partnership's figures compare the dropout of flagged and not flagged students.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime, enum_column, utcnow
from app.models.columns import Versioned, student_id_column, user_id_column


class RiskRuleCode(enum.StrEnum):
    """The seven rules, in the order the pages show them."""

    ABSENCE = "absence"  # threshold: % of the training days in the window; window: days
    CONCERN = "concern"  # threshold: concerns recorded in the window; window: days
    OPEN_WARNING = "open_warning"  # threshold: open warnings (not followed up)
    MID_EVALUATION = "mid_evaluation"  # threshold: goals below the required level
    TRANSITION = "transition"  # threshold: days before/after the start of a new period
    FOLLOW_UP = "follow_up"  # threshold: days a support measure's follow-up is overdue
    EXTENSIONS = "extensions"  # threshold: period extensions in the window; window: days


# Rules built from support data: seen only by those who see the student's support measures
# (app.access.support.measure_visibility); never counted for anyone else.
SUPPORT_RULES = frozenset({RiskRuleCode.FOLLOW_UP})


class RiskRule(Versioned, Base):
    __tablename__ = "risk_rule"
    __table_args__ = (
        CheckConstraint("threshold BETWEEN 0 AND 1000", name="threshold_range"),
        CheckConstraint(
            "window_days IS NULL OR window_days BETWEEN 1 AND 730", name="window_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[RiskRuleCode] = mapped_column(
        enum_column(RiskRuleCode, "risk_rule_code", constraint=False), unique=True
    )
    active: Mapped[bool] = mapped_column(default=True)
    threshold: Mapped[int]
    # How far back the rule looks, for the rules that look back; None for the others.
    window_days: Mapped[int | None]
    # Why the rule is there, in the admin's words (shown with the rules).
    description: Mapped[str] = mapped_column(String(500), default="")
    updated_by_id: Mapped[int | None] = user_id_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class RiskFlag(Base):
    """One run of days during which at least one rule fired for the student."""

    __tablename__ = "risk_flag"
    # The open flags, which the pages read (app.risk.queries); the cleared ones only add up.
    __table_args__ = (
        Index(
            "ix_risk_flag_open",
            "last_seen_on",
            sqlite_where=text("cleared_on IS NULL"),
            postgresql_where=text("cleared_on IS NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = student_id_column()
    first_flagged_on: Mapped[date]
    last_seen_on: Mapped[date]
    cleared_on: Mapped[date | None]  # the first refresh that found no rule firing
    # The rule codes that fired at the last refresh (to tell the employer's coordinators only
    # when a rule they may see fires, never for a support-based one alone).
    rules: Mapped[list] = mapped_column(JSON, default=list)
    # The signals that fired at the last refresh, with what explains each (app.risk.rules.Signal
    # as JSON): the lists read them instead of evaluating every rule again (app.risk.queries).
    # None on a cleared flag, and on flags refreshed before this column existed.
    signals: Mapped[list | None] = mapped_column(JSON)
    # Set once the school contacts / the employer's coordinators were told of this run.
    school_told: Mapped[bool] = mapped_column(default=False)
    employer_told: Mapped[bool] = mapped_column(default=False)


class RiskRefresh(Base):
    """One finished run of `flask risk refresh`: the day it evaluated the rules as of, and the
    moment it began. The flags it left are current for a student whose case has no line since
    `started_at`, as long as no rule changed after it (app.risk.queries)."""

    __tablename__ = "risk_refresh"

    id: Mapped[int] = mapped_column(primary_key=True)
    on: Mapped[date] = mapped_column(index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
