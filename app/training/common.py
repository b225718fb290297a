"""Helpers shared by the training views. Loading a student and a training period goes through
app.access.training (get_training_student_or_404, get_training_period_or_404)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app import labels
from app.extensions import db
from app.models import Period, PeriodKind
from app.models.base import today
from app.pdf import render_pdf
from app.training.goals import goals_of


def history_title(period: Period) -> str:
    """A period as the training lines of the case history name it."""
    return period.title or str(period.start_date)


def period_title(period: Period) -> str:
    """A period as the declaration's lines and PDF name it."""
    return period.title or str(labels.PERIOD_KIND[period.kind])


def declaration_pdf_context(student, period: Period, declaration) -> dict:
    """What the declaration's page and PDF show, for the staff's and the student's."""
    return {
        "student": student,
        "period": period,
        "period_title": period_title(period),
        "number": training_number(period),
        "goals": goals_of(student.programme_id),
        "lines": {line.goal_id: line for line in declaration.lines},
        "declaration": declaration,
        "decisions": {True: _("Approved"), False: _("Not approved")},
        "today": today(),
    }


def render_declaration_pdf(student, period: Period, declaration) -> bytes:
    return render_pdf(
        "pdf/declaration.html",
        printed_by=current_user,
        **declaration_pdf_context(student, period, declaration),
    )


def training_number(period: Period) -> int:
    """Which training period of the education this is; counted in the plan if not recorded."""
    if period.training_number:
        return period.training_number
    earlier = db.session.execute(
        select(Period.id).where(
            Period.student_id == period.student_id,
            Period.kind == PeriodKind.TRAINING,
            Period.start_date < period.start_date,
        )
    ).all()
    return len(earlier) + 1


def check_in_period(period: Period, on) -> str | None:
    """A Danish-ready message if `on` lies outside the period, else None."""
    from app.dates import date_text

    if on is None:
        return None
    if on < period.start_date or on > period.end_date:
        return _(
            "The date must be within the period (%(start)s – %(end)s).",
            start=date_text(period.start_date),
            end=date_text(period.end_date),
        )
    return None
