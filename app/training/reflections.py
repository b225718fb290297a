"""The student's learning log as the school, the employer and the period's supervisors read
it (the student writes it in app.me). Read access is that of the period's training records."""

from __future__ import annotations

from flask import current_app, render_template
from sqlalchemy import Select, select

from app import access, audit
from app.access import case_roles_required
from app.models import AuditAction, Period, Reflection
from app.pagination import first_page, paginate
from app.training import bp

PERIOD = "/students/<int:student_id>/periods/<int:period_id>"
HEAD = 3  # shown on the period page


def _of(period: Period) -> Select[tuple[Reflection]]:
    return (
        select(Reflection)
        .where(Reflection.period_id == period.id)
        .order_by(Reflection.created_at.desc(), Reflection.id.desc())
    )


def latest_reflections(period: Period):
    """The newest few and how many there are, in one statement (for the period page)."""
    return first_page(_of(period), HEAD, entities=True)


@bp.route(PERIOD + "/reflections")
@case_roles_required
def reflections(student_id: int, period_id: int):
    student = access.training.get_training_student_or_404(student_id)
    period = access.training.get_training_period_or_404(student, period_id)
    page = paginate(_of(period), current_app.config["STUDENTS_PER_PAGE"], entities=True)
    audit.record(
        AuditAction.VIEW, student=student, obj=period, criterion="reflections", commit=True
    )
    return render_template("training/reflections.html", student=student, period=period, page=page)
