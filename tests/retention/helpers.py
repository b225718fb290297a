"""Helpers for the retention tests: a frozen clock, students who left, and row counts."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    DropoutReason,
    MeasureStatus,
    MeasureType,
    SpsStage,
    SpsStep,
    Student,
    StudentStatus,
    SupportMeasure,
)
from app.retention.rules import years_before

# The day the engine runs on in these tests: years after the factories' "today", so that
# records made around today are old.
TODAY = date.today() + timedelta(days=6 * 366)
FIVE_YEARS_AGO = years_before(TODAY, 5)


def freeze(monkeypatch, day: date = TODAY) -> None:
    """Move the engine's clock (`today` where app.retention.services looks it up)."""
    monkeypatch.setattr("app.retention.services.today", lambda: day)


def sps_measure(
    student: Student, ended: date | None, kind=MeasureType.IT_PACKAGE
) -> SupportMeasure:
    """An SPS measure (ended on `ended`) with two steps."""
    start = (ended or TODAY) - timedelta(days=300)
    measure = SupportMeasure(
        student_id=student.id,
        type=kind,
        description="Bærbar med AppWriter",
        start_date=start,
        end_date=ended,
        status=MeasureStatus.ENDED if ended else MeasureStatus.ACTIVE,
        sps_stage=SpsStage.ENDED if ended else SpsStage.IN_USE,
    )
    db.session.add(measure)
    db.session.flush()
    db.session.add_all(
        [
            SpsStep(measure_id=measure.id, stage=SpsStage.APPLIED, on_date=start, note="Søgt"),
            SpsStep(measure_id=measure.id, stage=SpsStage.GRANTED, on_date=start, note="Bevilget"),
        ]
    )
    db.session.flush()
    return measure


def left(student: Student, on: date, status=StudentStatus.DROPPED_OUT) -> Student:
    """The student completed or dropped out on `on` (their only enrolment ended)."""
    enrolment = student.enrolments[-1]
    enrolment.status = status
    enrolment.end_date = on
    student.status = status
    if status is StudentStatus.DROPPED_OUT:
        enrolment.dropout_reason = student.dropout_reason = DropoutReason.HEALTH
        enrolment.dropout_note = "Langvarig sygdom, ryg"
        student.dropout_date = on
    else:
        enrolment.result = "Bestået"
    db.session.flush()
    return student


def row_counts() -> dict[str, int]:
    """The number of rows in every table."""
    return {
        table.name: db.session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in db.metadata.sorted_tables
    }
