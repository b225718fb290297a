"""Reads other areas share: the school's open warnings and concerns from training, and what a
practice supervisor has due for the students at their workplace."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload

from app.access import SCHOOL_CONTACT_ROLES
from app.extensions import db
from app.models import (
    Declaration,
    HandoverNote,
    MidEvaluation,
    Period,
    PeriodKind,
    Role,
    Student,
    TrainingExperience,
    TrainingWarning,
    User,
)

# --- "From training": the school's list --------------------------------------------------------


def _of_my_school(model, user: User, *conditions) -> Select:
    """Rows of `model` (a warning or an experience) about students of `user`'s school, with
    their period, workplace and author."""
    author = model.issued_by if model is TrainingWarning else model.author
    return (
        select(model)
        .join(Student, Student.id == model.student_id)
        .where(Student.school_id.in_(user.organisation_ids(*SCHOOL_CONTACT_ROLES)), *conditions)
        .options(joinedload(model.period).joinedload(Period.workplace), joinedload(author))
    )


def open_warnings(user: User) -> Select:
    """Warnings about students of `user`'s school that nobody has followed up yet, the nearest
    deadline first."""
    return (
        _of_my_school(TrainingWarning, user, TrainingWarning.followed_up_at.is_(None))
        .options(selectinload(TrainingWarning.goals))
        .order_by(TrainingWarning.deadline, TrainingWarning.id)
    )


def concerns(user: User, since: date | None = None) -> Select:
    """Concerns recorded in training about students of `user`'s school (from `since` on), the
    newest first."""
    query = _of_my_school(TrainingExperience, user, TrainingExperience.concern.is_(True)).order_by(
        TrainingExperience.on_date.desc(), TrainingExperience.id.desc()
    )
    if since is not None:
        query = query.where(TrainingExperience.on_date >= since)
    return query


# --- the supervisor's students ------------------------------------------------------------------


@dataclass(frozen=True)
class WithMe:
    """A student's training period at the supervisor's workplace and what is due next in it."""

    period: Period
    due: str | None  # what the supervisor has to do next, None when nothing is due
    due_on: date | None


def _next_due(
    period: Period, note: HandoverNote | None, evaluated: bool, issued: bool
) -> tuple[str | None, date | None]:
    """In the order a period asks for them: acknowledge the handover note before it starts,
    the mid-period evaluation by its middle, the declaration on training by its end."""
    if note is not None and note.acknowledged_at is None:
        return _("Acknowledge the handover note"), period.start_date
    if not evaluated:
        middle = period.start_date + (period.end_date - period.start_date) / 2
        return _("Mid-period evaluation"), middle
    if not issued:
        return _("Declaration on training"), period.end_date
    return None, None


def supervised_periods(user: User, student_ids: list[int], on: date) -> dict[int, WithMe]:
    """For each of `student_ids`, the training period at one of `user`'s workplaces that is
    ongoing or next (else the last one that ended), with what is due in it. One query for any
    number of students."""
    if not student_ids:
        return {}
    after = timedelta(days=current_app.config["SUPERVISOR_DAYS_AFTER"])
    rows = db.session.execute(
        select(Period, HandoverNote, MidEvaluation.id, Declaration.issued_at)
        .outerjoin(HandoverNote, HandoverNote.to_period_id == Period.id)
        .outerjoin(MidEvaluation, MidEvaluation.period_id == Period.id)
        .outerjoin(Declaration, Declaration.period_id == Period.id)
        .where(
            Period.student_id.in_(student_ids),
            Period.kind == PeriodKind.TRAINING,
            Period.workplace_id.in_(user.workplace_ids(Role.SUPERVISOR)),
            Period.end_date >= on - after,
        )
        .options(joinedload(Period.workplace))
        .order_by(Period.student_id, Period.start_date)
    ).all()
    chosen: dict[int, tuple] = {}
    for row in rows:
        period = row[0]
        current = chosen.get(period.student_id)
        # The first period not yet over wins; until one is found, the latest that ended.
        if current is None or current[0].end_date < on:
            chosen[period.student_id] = row
    result = {}
    for student_id, (period, note, evaluation_id, issued_at) in chosen.items():
        due, due_on = _next_due(period, note, evaluation_id is not None, issued_at is not None)
        result[student_id] = WithMe(period, due, due_on)
    return result
