"""A student in an ongoing training period, and ways to give them each kind of signal."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from app.access.risk import everything
from app.extensions import db
from app.models import (
    Absence,
    AbsenceKind,
    CaseEvent,
    CaseEventKind,
    GoalAssessment,
    GoalLevel,
    GoalRequirement,
    MidEvaluation,
    Organisation,
    OrganisationKind,
    Period,
    PeriodKind,
    RiskRule,
    RiskRuleCode,
    Role,
    Student,
    TrainingGoal,
    User,
    Workplace,
)
from app.models.base import utcnow
from app.risk.rules import DEFAULTS, evaluate
from tests import factories

TODAY = date.today()


@dataclass
class Case:
    school: Organisation
    municipality: Organisation
    workplace: Workplace
    counsellor: User
    teacher: User
    coordinator: User
    supervisor: User
    school_admin: User


def make_case() -> Case:
    school = factories.organisation(OrganisationKind.SCHOOL, "SOSU-skole Risiko")
    municipality = factories.organisation(OrganisationKind.MUNICIPALITY, "Risiko Kommune")
    wp = factories.workplace(municipality, "Plejecenter Risiko")
    factories.ensure_support_categories()
    return Case(
        school,
        municipality,
        wp,
        factories.user(Role.COUNSELLOR, school, email="vejleder.risiko@example.org"),
        factories.user(Role.TEACHER, school, email="laerer.risiko@example.org"),
        factories.user(Role.TRAINING_COORDINATOR, municipality, email="koord.risiko@example.org"),
        factories.user(Role.SUPERVISOR, municipality, wp, email="praktik.risiko@example.org"),
        factories.user(Role.SCHOOL_ADMIN, school, email="admin.risiko@example.org"),
    )


def in_training(case: Case, last_name: str, days_in: int = 40) -> tuple[Student, Period]:
    """A student of the case's school, employed by its municipality, `days_in` days into a
    training period at its workplace (after a school period, with an acknowledged note)."""
    s = factories.student(case.school, last_name=last_name, employer=case.municipality)
    start = TODAY - timedelta(days=days_in)
    school = factories.period(
        s, PeriodKind.SCHOOL, start - timedelta(days=60), start - timedelta(days=1)
    )
    training = factories.period(
        s, PeriodKind.TRAINING, start, start + timedelta(days=120), case.workplace
    )
    training.training_number = 2
    note = factories.handover_note(s, school, training)
    note.acknowledged_at = note.written_at
    db.session.flush()
    return s, training


def absent(period: Period, days: int, kind: AbsenceKind = AbsenceKind.ILLNESS) -> None:
    """`days` days of absence ending yesterday."""
    end = TODAY - timedelta(days=1)
    db.session.add(
        Absence(
            period_id=period.id,
            start_date=end - timedelta(days=days - 1),
            end_date=end,
            kind=kind,
        )
    )
    db.session.flush()


def goals_below(student: Student, period: Period, below: int, met: int = 2) -> None:
    """A signed mid-period evaluation with `below` goals assessed under the level required
    after this training period, and `met` at it."""
    for n in range(below + met):
        goal = TrainingGoal(programme_id=student.programme_id, number=900 + n, text=f"Mål {n}")
        goal.requirements.append(GoalRequirement(training_number=2, level=GoalLevel.ADVANCED))
        db.session.add(goal)
        db.session.flush()
        level = GoalLevel.ROUTINED if n < below else GoalLevel.ADVANCED
        db.session.add(
            GoalAssessment(period_id=period.id, goal_id=goal.id, level=level, assessed_on=TODAY)
        )
    db.session.add(
        MidEvaluation(
            period_id=period.id, evaluated_on=TODAY - timedelta(days=2), on_track=False, comment="."
        )
    )
    db.session.flush()


def extended(student: Student, times: int, days_ago: int = 10) -> None:
    for _ in range(times):
        db.session.add(
            CaseEvent(
                student_id=student.id,
                kind=CaseEventKind.PERIOD_EXTENDED,
                details={},
                at=utcnow() - timedelta(days=days_ago),
            )
        )
    db.session.flush()


def set_rule(
    code: RiskRuleCode, threshold: int | None = None, window: int | None = None, active=True
):
    default = DEFAULTS[code]
    db.session.add(
        RiskRule(
            code=code,
            active=active,
            threshold=default.threshold if threshold is None else threshold,
            window_days=window or default.window_days,
            description=default.description,
        )
    )
    db.session.flush()


def codes_of(student: Student, on: date = TODAY) -> list[RiskRuleCode]:
    """The rules that fire for `student`, seen by no one in particular (everything)."""
    found = evaluate(everything(), on, student_ids=[student.id])
    return [s.code for s in found.signals.get(student.id, [])]


def later_elsewhere(case: Case, student: Student, period: Period, name: str) -> Period:
    """A training period at another workplace of the case's municipality, right after
    `period`."""
    other = factories.workplace(case.municipality, name)
    return factories.period(
        student,
        period.kind,
        period.end_date + timedelta(days=1),
        period.end_date + timedelta(days=90),
        other,
    )


def signals_block(client, student: Student) -> str:
    """The risk signs box of the student page, as the user sees it ("" when there is none)."""
    html = client.get(f"/students/{student.id}").text
    match = re.search(r'data-testid="risk-signals".*?</ul>', html, re.S)
    return match.group(0) if match else ""
