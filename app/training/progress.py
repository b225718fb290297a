"""Progress per training goal across the student's training periods.

Rows are the programme's active goals; columns are the student's training periods the user
may read (a supervisor sees only the periods at their own workplace). Each cell shows the
level assessed in that period and the level required after it, and marks a level below it.
Three queries whatever the number of goals, periods and assessments: goals (with their
requirements), the periods, the assessments.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import access, audit
from app.access import case_roles_required
from app.extensions import db
from app.models import (
    LEVEL_ORDER,
    AuditAction,
    GoalAssessment,
    GoalLevel,
    Period,
    PeriodKind,
    Student,
    TrainingGoal,
    Workplace,
)
from app.training import bp
from app.training.goals import goals_of


@dataclass(frozen=True)
class Column:
    period: Period
    number: int  # which training period of the education (1, 2, 3 ...)


@dataclass(frozen=True)
class Cell:
    assessment: GoalAssessment | None
    required: GoalLevel | None

    @property
    def below(self) -> bool:
        """Assessed, and at a lower level than the period requires."""
        return (
            self.assessment is not None
            and self.required is not None
            and LEVEL_ORDER[self.assessment.level] < LEVEL_ORDER[self.required]
        )


def _training_periods(student: Student) -> list[Column]:
    """All the student's training periods in date order, numbered as
    app.training.common.training_number numbers them, but from one query."""
    periods = list(
        db.session.execute(
            select(Period)
            .where(Period.student_id == student.id, Period.kind == PeriodKind.TRAINING)
            .options(joinedload(Period.workplace).joinedload(Workplace.organisation))
            .order_by(Period.start_date, Period.id)
        ).scalars()
    )
    columns = []
    for period in periods:
        number = period.training_number or (
            sum(1 for p in periods if p.start_date < period.start_date) + 1
        )
        columns.append(Column(period=period, number=number))
    return columns


def _assessments(period_ids: list[int]) -> dict[tuple[int, int], GoalAssessment]:
    rows = db.session.execute(
        select(GoalAssessment).where(GoalAssessment.period_id.in_(period_ids))
    ).scalars()
    return {(a.goal_id, a.period_id): a for a in rows}


def progress_grid(goals: list[TrainingGoal], columns: list[Column]) -> dict[tuple[int, int], Cell]:
    assessments = _assessments([c.period.id for c in columns])
    return {
        (goal.id, column.period.id): Cell(
            assessment=assessments.get((goal.id, column.period.id)),
            required=goal.required_after(column.number),
        )
        for goal in goals
        for column in columns
    }


@bp.route("/students/<int:student_id>/goals")
@case_roles_required
def progress(student_id: int):
    student = access.training.get_training_student_or_404(student_id)
    goals = goals_of(student.programme_id)
    columns = [
        c
        for c in _training_periods(student)
        if access.can_read_training(current_user, student, c.period)
    ]
    grid = progress_grid(goals, columns)
    audit.record(AuditAction.VIEW, student=student, commit=True)
    return render_template(
        "training/progress.html",
        student=student,
        goals=goals,
        columns=columns,
        grid=grid,
        below_count=sum(1 for cell in grid.values() if cell.below),
    )
