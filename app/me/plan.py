"""What "My plan" shows: the student's periods, the one under way and the next, the people to
talk to, and the review meetings the student is invited to. A fixed number of statements,
however long the plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.me.evaluation import is_open as evaluation_open
from app.models import (
    CaseReview,
    Membership,
    Period,
    PeriodKind,
    PlaceEvaluation,
    ReviewStatus,
    Role,
    Student,
    User,
    Workplace,
)
from app.models.casefile import review_participant


@dataclass
class Plan:
    periods: list[Period]
    current: Period | None
    next: Period | None
    # The practice supervisors of the current and next training periods' workplaces, by
    # workplace id: the period's responsible supervisor first.
    supervisors: dict[int, list[User]] = field(default_factory=dict)
    reviews: list[CaseReview] = field(default_factory=list)
    # Training periods whose place the student may evaluate now and has not yet.
    to_evaluate: list[Period] = field(default_factory=list)

    def supervisors_of(self, period: Period | None) -> list[User]:
        if period is None or period.workplace_id is None:
            return []
        people = list(self.supervisors.get(period.workplace_id, []))
        if period.responsible is not None:
            people = [period.responsible] + [p for p in people if p.id != period.responsible_id]
        return people


def plan_of(student: Student, user: User, on: date) -> Plan:
    periods = list(
        db.session.execute(
            select(Period)
            .where(Period.student_id == student.id)
            .options(
                joinedload(Period.workplace).joinedload(Workplace.organisation),
                joinedload(Period.responsible),
            )
            .order_by(Period.start_date)
        ).scalars()
    )
    current = next((p for p in periods if p.start_date <= on <= p.end_date), None)
    upcoming = next((p for p in periods if p.start_date > on), None)
    workplace_ids = {
        p.workplace_id
        for p in (current, upcoming)
        if p is not None and p.kind == PeriodKind.TRAINING and p.workplace_id is not None
    }
    supervisors: dict[int, list[User]] = {}
    if workplace_ids:
        rows = db.session.execute(
            select(Membership.workplace_id, User)
            .join(User, User.id == Membership.user_id)
            .where(
                Membership.role == Role.SUPERVISOR,
                Membership.workplace_id.in_(workplace_ids),
                User.active.is_(True),
            )
            .order_by(User.name)
        ).all()
        for workplace_id, person in rows:
            supervisors.setdefault(workplace_id, []).append(person)
    reviews = list(
        db.session.execute(
            select(CaseReview)
            .join(review_participant, review_participant.c.review_id == CaseReview.id)
            .where(
                CaseReview.student_id == student.id,
                review_participant.c.user_id == user.id,
                CaseReview.status == ReviewStatus.PLANNED,
                CaseReview.on_date >= on,
            )
            .order_by(CaseReview.on_date, CaseReview.at_time)
        ).scalars()
    )
    open_now = [
        p
        for p in periods
        if p.kind == PeriodKind.TRAINING and p.workplace_id is not None and evaluation_open(p, on)
    ]
    if open_now:
        answered = set(
            db.session.execute(
                select(PlaceEvaluation.period_id).where(
                    PlaceEvaluation.period_id.in_([p.id for p in open_now])
                )
            ).scalars()
        )
        open_now = [p for p in open_now if p.id not in answered]
    return Plan(periods, current, upcoming, supervisors, reviews, open_now)
