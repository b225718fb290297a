"""Reads other areas share: my case reviews and my action items."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, case, select

from app.access import student_visibility
from app.models import (
    ActionItem,
    ActionItemStatus,
    CaseReview,
    Programme,
    Student,
    User,
    review_participant,
)


def my_reviews(user: User, on: date, until: date | None = None) -> Select:
    """Rows (review, student, programme code) of the case reviews `user` takes part in: the
    coming ones first, nearest first, then the past ones, latest first. With `until`, only
    the coming ones up to that day."""
    upcoming = CaseReview.on_date >= on
    query = (
        select(CaseReview, Student, Programme.code)
        .join(review_participant, review_participant.c.review_id == CaseReview.id)
        .join(Student, Student.id == CaseReview.student_id)
        .join(Programme, Programme.id == Student.programme_id)
        .where(review_participant.c.user_id == user.id, student_visibility(user, on))
        .order_by(
            case((upcoming, 0), else_=1),
            case((upcoming, CaseReview.on_date)).asc(),
            case((upcoming, CaseReview.at_time)).asc().nulls_last(),
            CaseReview.on_date.desc(),
            CaseReview.at_time.desc().nulls_last(),
            CaseReview.id.desc(),
        )
    )
    if until is not None:
        query = query.where(upcoming, CaseReview.on_date <= until)
    return query


def my_action_items(user: User, on: date) -> Select:
    """Rows (item, student, programme code) of the open action items `user` owns, the
    earliest due first."""
    return (
        select(ActionItem, Student, Programme.code)
        .join(Student, Student.id == ActionItem.student_id)
        .join(Programme, Programme.id == Student.programme_id)
        .where(
            ActionItem.owner_id == user.id,
            ActionItem.status == ActionItemStatus.OPEN,
            student_visibility(user, on),
        )
        .order_by(ActionItem.due_date, ActionItem.id)
    )
