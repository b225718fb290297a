"""Seeding and reading the training goals of a programme."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import GoalLevel, GoalRequirement, Programme, TrainingGoal
from app.training.goals_data import GOALS, LEVEL_CODES


def ensure_training_goals() -> int:
    """Add the goals of programmes that have none yet. Safe to run again; never edits goals
    an admin has changed."""
    added = 0
    for programme in db.session.execute(select(Programme)).scalars():
        spec = GOALS.get(programme.code)
        if not spec:
            continue
        has_goals = db.session.execute(
            select(TrainingGoal.id).where(TrainingGoal.programme_id == programme.id).limit(1)
        ).first()
        if has_goals:
            continue
        for number, (text, levels) in enumerate(spec, start=1):
            goal = TrainingGoal(programme_id=programme.id, number=number, text=text)
            goal.requirements = [
                GoalRequirement(training_number=n, level=GoalLevel(LEVEL_CODES[code]))
                for n, code in enumerate(levels, start=1)
            ]
            db.session.add(goal)
            added += 1
    db.session.flush()
    return added


def goals_of(programme_id: int) -> list[TrainingGoal]:
    """The active goals of a programme, in number order, with their required levels."""
    return list(
        db.session.execute(
            select(TrainingGoal)
            .where(TrainingGoal.programme_id == programme_id, TrainingGoal.active.is_(True))
            .options(selectinload(TrainingGoal.requirements))
            .order_by(TrainingGoal.number)
        ).scalars()
    )
