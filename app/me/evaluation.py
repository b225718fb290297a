"""The student's end-of-period evaluation of the training place: four statements on a scale
from 1 to 5, once per training period, from EVALUATION_OPENS days before the period ends until
EVALUATION_CLOSES days after. No one sees an answer one by one: the partnership sees only
suppressed counts per employer (app.partnership.evaluations)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import RadioField

from app import editing, labels
from app.access.me import get_own_student_or_404, get_own_training_period_or_404, student_only
from app.dates import date_text
from app.editing import RuleError
from app.extensions import db
from app.forms import BaseForm, required
from app.history import log
from app.me import bp
from app.models import CaseEventKind, Period, PlaceEvaluation, PlaceQuestion, Student, User
from app.models.base import today

EVALUATION_OPENS = timedelta(days=14)
EVALUATION_CLOSES = timedelta(days=90)


def _question(question: PlaceQuestion) -> RadioField:
    return RadioField(
        labels.PLACE_QUESTION[question],
        choices=labels.PLACE_SCALE,
        validators=[required(_l("Choose an answer."))],
    )


class PlaceEvaluationForm(BaseForm):
    welcomed = _question(PlaceQuestion.WELCOMED)
    supervision = _question(PlaceQuestion.SUPERVISION)
    learning = _question(PlaceQuestion.LEARNING)
    heard = _question(PlaceQuestion.HEARD)

    def answers(self) -> list:
        return [getattr(self, q.value) for q in PlaceQuestion]


def window(period: Period) -> tuple[date, date]:
    return period.end_date - EVALUATION_OPENS, period.end_date + EVALUATION_CLOSES


def is_open(period: Period, on: date) -> bool:
    opens, closes = window(period)
    return opens <= on <= closes


def evaluate(student: Student, period: Period, answers: dict[str, int], user: User):
    on = today()
    opens, closes = window(period)
    if on < opens:
        raise RuleError(
            _("You can evaluate the training place from %(date)s.", date=date_text(opens))
        )
    if on > closes:
        raise RuleError(
            _("The evaluation of this period closed on %(date)s.", date=date_text(closes))
        )
    if period.workplace is None:
        raise RuleError(_("The period has no workplace to evaluate."))
    if _answer_of(period) is not None:
        raise RuleError(_("You have already evaluated this training place."))
    evaluation = PlaceEvaluation(
        period_id=period.id,
        student_id=student.id,
        employer_id=period.workplace.organisation_id,
        answered_on=on,
        **answers,
    )
    db.session.add(evaluation)
    # The history says that it was answered, never how.
    log(student, CaseEventKind.PLACE_EVALUATED, user, target=period)
    return evaluation


def _answer_of(period: Period) -> PlaceEvaluation | None:
    return db.session.execute(
        select(PlaceEvaluation).where(PlaceEvaluation.period_id == period.id)
    ).scalar_one_or_none()


@bp.route("/periods/<int:period_id>/evaluation", methods=["GET", "POST"])
@student_only
def evaluate_place(period_id: int):
    student = get_own_student_or_404()
    period = get_own_training_period_or_404(student, period_id)
    answered = _answer_of(period)
    form = PlaceEvaluationForm()
    if answered is None and form.validate_on_submit():
        answers = {q.value: int(getattr(form, q.value).data) for q in PlaceQuestion}
        made = editing.create(form, lambda: evaluate(student, period, answers, current_user))
        if made is not None:
            flash(_("Thank you. Your evaluation was saved."), "success")
            return redirect(url_for("me.evaluate_place", period_id=period.id))
    opens, closes = window(period)
    return render_template(
        "me/evaluation.html",
        period=period,
        form=form,
        answered=answered,
        questions=labels.PLACE_QUESTION,
        scale=dict(labels.PLACE_SCALE),
        is_open=is_open(period, today()),
        today=today(),
        opens=opens,
        closes=closes,
    )
