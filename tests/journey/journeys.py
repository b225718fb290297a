"""Students whose journey runs across enrolments (GF2, then SSA), for the journey tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from app.extensions import db
from app.models import Enrolment, Period, PeriodKind, Student, StudentStatus
from tests import factories
from tests.factories import Side

TODAY = date.today()


@dataclass
class Journey:
    student: Student
    gf2: Enrolment
    ssa: Enrolment
    gf2_period: Period  # GF2's last school period
    ssa_period: Period  # SSA's first school period


def gf2_then_ssa(side: Side, last_name: str, days: int = 10, first_name: str = "Test") -> Journey:
    """A student of `side`'s school, employed by its municipality, in GF2's school period until
    `days` days from today, then completed as qualified and enrolled in SSA at the same school,
    starting with a school period: one case file across the two enrolments."""
    s = factories.student(
        side.school,
        programme_code="GF2",
        first_name=first_name,
        last_name=last_name,
        employer=side.municipality,
    )
    gf2 = s.enrolments[0]
    gf2.start_date = TODAY - timedelta(days=130)
    gf2.end_date = TODAY + timedelta(days=days - 1)
    gf2.status = StudentStatus.COMPLETED
    gf2.result = "Bestået"
    gf2.qualified = True
    ssa_programme = factories.programme("SSA")
    ssa = Enrolment(
        programme=ssa_programme,
        school=side.school,
        start_date=TODAY + timedelta(days=days),
        status=StudentStatus.ACTIVE,
    )
    s.enrolments.append(ssa)
    s.programme = ssa_programme
    s.start_date = gf2.start_date
    db.session.flush()
    gf2_period = factories.period(s, PeriodKind.SCHOOL, gf2.start_date, gf2.end_date)
    gf2_period.enrolment_id = gf2.id
    gf2_period.title = "GF2 skoleperiode"
    ssa_period = factories.period(
        s, PeriodKind.SCHOOL, ssa.start_date, ssa.start_date + timedelta(days=70)
    )
    ssa_period.title = "Skoleperiode 1"
    db.session.flush()
    return Journey(s, gf2, ssa, gf2_period, ssa_period)
