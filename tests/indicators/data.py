"""Constructed data for the indicator tests, with the figures worked out by hand (see each
test). The dashboard's `today` is fixed at TODAY so the cohorts and windows do not drift."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from app.extensions import db
from app.models import (
    Declaration,
    DropoutReason,
    HandoverNote,
    MeasureStatus,
    MeasureType,
    Organisation,
    OrganisationKind,
    Period,
    PeriodKind,
    Student,
    StudentStatus,
    SupportMeasure,
    TrainingWarning,
)
from app.models.student import new_student
from tests import factories

TODAY = date(2026, 10, 1)
OLD = date(2023, 2, 1)  # cohort 2023-H1: old enough (100 weeks + 1 year before TODAY)
MIDDLE = date(2024, 8, 15)  # cohort 2024-H2: not old enough yet
NEW = date(2026, 1, 10)  # cohort 2026-H1


def enrolled(
    school: Organisation,
    start: date,
    status: StudentStatus = StudentStatus.ACTIVE,
    birth_year: int | None = None,
    programme: str = "SSA",
) -> Student:
    s = new_student(
        student_number=f"I{next(factories._seq):06d}",
        first_name="Test",
        last_name="Elev",
        school=school,
        programme=factories.programme(programme),
        status=status,
        start_date=start,
        birth_year=birth_year,
    )
    db.session.add(s)
    db.session.flush()
    return s


def dropped(s: Student, reason: DropoutReason, period: Period | None, at_transition=False):
    e = s.enrolments[-1]
    e.dropout_reason = reason
    e.dropout_period_id = period.id if period else None
    e.dropout_at_transition = at_transition
    db.session.flush()


def measure(
    s: Student,
    kind: MeasureType,
    start: date,
    end: date | None = None,
    status: MeasureStatus = MeasureStatus.ACTIVE,
    hours: str | None = None,
) -> None:
    db.session.add(
        SupportMeasure(
            student_id=s.id,
            type=kind,
            start_date=start,
            end_date=end,
            status=status,
            hours_used=Decimal(hours) if hours else None,
        )
    )


def warning(
    period: Period,
    issued: date,
    deadline: date,
    followed_up: date | None = None,
    declaration: bool | None = None,
) -> None:
    """A warning on `period`; `declaration`: the period's declaration issued, approved or not."""
    db.session.add(
        TrainingWarning(
            period_id=period.id,
            student_id=period.student_id,
            reason="Risiko for ikke at nå målene",
            agreed_actions="Ugentlig samtale.",
            deadline=deadline,
            issued_at=at(issued),
            followed_up_at=at(followed_up) if followed_up else None,
        )
    )
    if declaration is not None:
        db.session.add(
            Declaration(period_id=period.id, approved=declaration, issued_at=at(period.end_date))
        )


def completion_school(name: str) -> Organisation:
    """A school whose 2023-H1 cohort (20 enrolments, born 2000) has 10 completed, 5 dropped
    out and 5 still active: every count large enough to be shown."""
    school = factories.organisation(OrganisationKind.SCHOOL, name)
    for status, n in (
        (StudentStatus.COMPLETED, 10),
        (StudentStatus.DROPPED_OUT, 5),
        (StudentStatus.ACTIVE, 5),
    ):
        for _ in range(n):
            enrolled(school, OLD, status, 2000)
    db.session.commit()
    return school


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@dataclass
class Constructed:
    school_a: Organisation
    school_b: Organisation
    m1: Organisation
    m2: Organisation


def build() -> Constructed:
    """School A, cohort 2023-H1 (10 SSA enrolments, born 2005 x5, 2001 x3, unknown x2):
    6 completed, 2 dropped out (school period, academic; at a transition, health),
    1 transferred, 1 still active.
    School B, cohort 2024-H2 (6 SSA enrolments, born 1990): 5 active, 1 dropped out in
    training period 2 (workplace). Three have an agreement with M1, three with M2.
    Five of B's active students went from a school period to a training period on 2026-04-01:
    note sent and acknowledged before / sent, not acknowledged / sent after the start / none /
    only a draft. School A's active 2023 student has a transition on 2025-06-01, outside the
    twelve months.
    School A, cohort 2026-H1 (3 SSA enrolments): active; one had an agreement with M1 that
    ended in 2025 (before the enrolment), so it counts as having none.

    Support measures in use in the twelve months to TODAY (from 2025-10-01): B's first active
    student has SPS study support (10 hours used) and an IT package (no hours); B's second had
    SPS study support that ended on 2025-12-31 (20 hours); B's third a mentor. Not counted:
    B's fourth's SPS study support ended on 2025-06-30, B's fifth's mentor is only planned and
    their SPS was cancelled. School A: the active 2023 student has two mentor measures (one
    enrolment, counted once); a 2026 student SPS study support with 5.5 hours.

    Warnings on B's training periods (2026-04-01 to 06-30), given in the twelve months: the
    first student's was followed up and the period approved in its declaration; the second's
    followed up, no declaration; the third's deadline (2026-05-15) passed without a follow-up;
    the fourth's deadline is 2026-12-01, still open; the fifth's period was not approved. The
    leaver's training period 2 has one given on 2025-11-01 (they dropped out) and one on
    2025-05-01, before the twelve months."""
    a = factories.organisation(OrganisationKind.SCHOOL, "Indikator-skole A")
    b = factories.organisation(OrganisationKind.SCHOOL, "Indikator-skole B")
    m1 = factories.organisation(OrganisationKind.MUNICIPALITY, "Indikator-kommune 1")
    m2 = factories.organisation(OrganisationKind.MUNICIPALITY, "Indikator-kommune 2")
    wp = factories.workplace(m1, "Indikator-plejecenter")

    births = [2005] * 5 + [2001] * 3 + [None] * 2
    statuses = (
        [StudentStatus.COMPLETED] * 6
        + [StudentStatus.DROPPED_OUT] * 2
        + [StudentStatus.TRANSFERRED, StudentStatus.ACTIVE]
    )
    old = [enrolled(a, OLD, st, by) for st, by in zip(statuses, births, strict=True)]
    school_period = factories.period(old[6], PeriodKind.SCHOOL, OLD, date(2023, 6, 1))
    dropped(old[6], DropoutReason.ACADEMIC, school_period)
    dropped(old[7], DropoutReason.HEALTH, None, at_transition=True)

    middle = [enrolled(b, MIDDLE, StudentStatus.ACTIVE, 1990) for _ in range(5)]
    leaver = enrolled(b, MIDDLE, StudentStatus.DROPPED_OUT, 1990)
    second = factories.period(leaver, PeriodKind.TRAINING, date(2025, 3, 1), date(2025, 6, 1), wp)
    second.training_number = 2
    dropped(leaver, DropoutReason.WORKPLACE, second)
    for k, s in enumerate([*middle, leaver]):
        factories.agreement(s, m1 if k < 3 else m2, start=MIDDLE)

    notes = [
        (at(date(2026, 3, 20)), at(date(2026, 3, 25)), False),  # acknowledged
        (at(date(2026, 3, 20)), None, False),  # sent
        (at(date(2026, 4, 3)), at(date(2026, 4, 4)), False),  # late
        None,  # missing
        (at(date(2026, 3, 20)), None, True),  # a draft: missing
    ]
    trainings = []
    for s, note in zip(middle, notes, strict=True):
        school = factories.period(s, PeriodKind.SCHOOL, date(2026, 1, 1), date(2026, 3, 31))
        training = factories.period(s, PeriodKind.TRAINING, date(2026, 4, 1), date(2026, 6, 30), wp)
        trainings.append(training)
        if note is not None:
            written, acknowledged, draft = note
            db.session.add(
                HandoverNote(
                    student_id=s.id,
                    from_period_id=school.id,
                    to_period_id=training.id,
                    author_organisation_id=b.id,
                    written_at=written,
                    acknowledged_at=acknowledged,
                    is_draft=draft,
                )
            )
    # School A's active 2023 student: a transition on 2025-06-01, before the twelve months.
    factories.period(old[9], PeriodKind.SCHOOL, date(2025, 1, 1), date(2025, 5, 31))
    factories.period(old[9], PeriodKind.TRAINING, date(2025, 6, 1), date(2025, 12, 31), wp)

    new = [enrolled(a, NEW) for _ in range(3)]
    factories.agreement(new[0], m1, start=date(2024, 1, 1), end=date(2025, 1, 1))

    sps, it, mentor = MeasureType.SPS_STUDY_SUPPORT, MeasureType.IT_PACKAGE, MeasureType.MENTOR
    measure(middle[0], sps, date(2026, 1, 1), hours="10")
    measure(middle[0], it, date(2025, 11, 1))
    measure(middle[1], sps, date(2025, 9, 1), date(2025, 12, 31), MeasureStatus.ENDED, "20")
    measure(middle[2], mentor, date(2026, 2, 1))
    measure(middle[3], sps, date(2025, 1, 1), date(2025, 6, 30), MeasureStatus.ENDED, "30")
    measure(middle[4], mentor, date(2026, 9, 1), status=MeasureStatus.PLANNED)
    measure(middle[4], sps, date(2026, 2, 1), status=MeasureStatus.CANCELLED, hours="7")
    measure(old[9], mentor, date(2025, 1, 1))
    measure(old[9], mentor, date(2026, 3, 1))
    measure(new[0], sps, date(2026, 2, 1), hours="5.5")

    april, may = date(2026, 4, 15), date(2026, 5, 15)
    warning(trainings[0], april, may, followed_up=may, declaration=True)
    warning(trainings[1], april, may, followed_up=may)
    warning(trainings[2], april, may)
    warning(trainings[3], april, date(2026, 12, 1))
    warning(trainings[4], april, may, declaration=False)
    warning(second, date(2025, 11, 1), date(2025, 12, 1))
    warning(second, date(2025, 5, 1), date(2025, 6, 1))
    db.session.commit()
    return Constructed(a, b, m1, m2)
