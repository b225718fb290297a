"""Training goals (oplæringsmål) of a programme: numbered texts with the level required after
each training period.

System admins only. The goals are shared by every school; changing a required level changes
what every student's progress view and declaration expect from then on.
"""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import selectinload
from wtforms import BooleanField
from wtforms.validators import ValidationError

from app import labels
from app.admin import bp
from app.admin.routes import saved, system_admin_only
from app.extensions import db
from app.forms import (
    BaseForm,
    enum_field,
    int_field,
    max_length,
    plain_text,
    required,
    text_field,
)
from app.models import (
    GoalRequirement,
    PeriodKind,
    Programme,
    TemplatePeriod,
    TrainingGoal,
)

MAX_TEXT = 2000
MAX_NUMBER = 99
# GoalRequirement.training_number is checked to lie in 1..6.
MAX_TRAINING_PERIODS = 6


class GoalForm(BaseForm):
    """The goal itself; one `level_<n>` select per training period is added per programme."""

    number = int_field(
        _l("Number"),
        1,
        MAX_NUMBER,
        required_message=_l("Please enter the goal's number."),
        range_message=_l("The number must be between %(min)s and %(max)s."),
    )
    text = text_field(
        _l("Text of the goal"),
        required(),
        max_length(MAX_TEXT),
        plain_text,
        multiline=True,
        render_kw={"rows": 5},
    )
    active = BooleanField(_l("Active (assessed and shown on declarations)"), default=True)

    def __init__(self, *args, programme_id: int, goal_id: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.programme_id = programme_id
        self.goal_id = goal_id

    def validate_number(self, field) -> None:
        if field.errors or field.data is None:
            return
        query = select(TrainingGoal.id).where(
            TrainingGoal.programme_id == self.programme_id, TrainingGoal.number == field.data
        )
        if self.goal_id is not None:
            query = query.where(TrainingGoal.id != self.goal_id)
        if db.session.execute(query.limit(1)).first() is not None:
            raise ValidationError(_l("Another goal of this programme already has this number."))

    def level_fields(self) -> list:
        return [self[f"level_{n}"] for n in range(1, self.training_periods + 1)]


def _form_class(training_periods: int) -> type[GoalForm]:
    """GoalForm with one level select per training period of the programme."""
    attrs: dict[str, object] = {"training_periods": training_periods}
    for n in range(1, training_periods + 1):
        attrs[f"level_{n}"] = enum_field(
            _l("Required level after training period %(n)d", n=n),
            labels.GOAL_LEVEL,
            blank=_l("No requirement"),
            default="",
        )
    return type("ProgrammeGoalForm", (GoalForm,), attrs)


def training_periods_of(programme: Programme) -> int:
    """How many training periods the programme has: the distinct training numbers of its
    template, at least 1 - and never fewer than the levels already recorded for its goals, so
    editing a goal cannot silently drop a requirement."""
    in_template = db.session.execute(
        select(func.count(distinct(TemplatePeriod.training_number))).where(
            TemplatePeriod.programme_id == programme.id,
            TemplatePeriod.kind == PeriodKind.TRAINING,
        )
    ).scalar_one()
    recorded = db.session.execute(
        select(func.max(GoalRequirement.training_number))
        .join(TrainingGoal, TrainingGoal.id == GoalRequirement.goal_id)
        .where(TrainingGoal.programme_id == programme.id)
    ).scalar_one()
    return min(MAX_TRAINING_PERIODS, max(1, in_template or 0, recorded or 0))


def _fill(goal: TrainingGoal, form: GoalForm) -> None:
    goal.number = form.number.data
    goal.text = form.text.data
    goal.active = form.active.data
    existing = {r.training_number: r for r in goal.requirements}
    for n, field in enumerate(form.level_fields(), start=1):
        requirement = existing.get(n)
        if not field.data:
            if requirement is not None:
                goal.requirements.remove(requirement)
        elif requirement is None:
            goal.requirements.append(GoalRequirement(training_number=n, level=field.data))
        else:
            requirement.level = field.data


@bp.route("/programmes/<int:programme_id>/goals")
@system_admin_only
def programme_goals(programme_id: int):
    programme = db.get_or_404(Programme, programme_id)
    goals = list(
        db.session.execute(
            select(TrainingGoal)
            .where(TrainingGoal.programme_id == programme.id)
            .options(selectinload(TrainingGoal.requirements))
            .order_by(TrainingGoal.number)
        ).scalars()
    )
    return render_template(
        "admin/goals.html",
        programme=programme,
        goals=goals,
        training_periods=range(1, training_periods_of(programme) + 1),
    )


@bp.route("/programmes/<int:programme_id>/goals/new", methods=["GET", "POST"])
@system_admin_only
def new_goal(programme_id: int):
    programme = db.get_or_404(Programme, programme_id)
    return _goal_form(programme, None)


@bp.route("/goals/<int:goal_id>/edit", methods=["GET", "POST"])
@system_admin_only
def edit_goal(goal_id: int):
    goal = db.one_or_404(
        select(TrainingGoal)
        .where(TrainingGoal.id == goal_id)
        .options(selectinload(TrainingGoal.requirements))
    )
    return _goal_form(db.session.get(Programme, goal.programme_id), goal)


def _goal_form(programme: Programme, goal: TrainingGoal | None):
    form_class = _form_class(training_periods_of(programme))
    form = form_class(
        obj=goal if request.method == "GET" else None,
        programme_id=programme.id,
        goal_id=goal.id if goal else None,
    )
    if request.method == "GET":
        if goal is None:
            last = db.session.execute(
                select(func.max(TrainingGoal.number)).where(
                    TrainingGoal.programme_id == programme.id
                )
            ).scalar()
            form.number.data = min((last or 0) + 1, MAX_NUMBER)
        else:
            for n, field in enumerate(form.level_fields(), start=1):
                level = goal.required_after(n)
                field.data = level.value if level else ""
    if form.validate_on_submit():
        created = goal is None
        if created:
            goal = TrainingGoal(programme_id=programme.id)
            db.session.add(goal)
        _fill(goal, form)
        return saved(
            goal,
            created,
            _("Goal %(number)d was saved.", number=goal.number),
            url_for("admin.programme_goals", programme_id=programme.id),
        )
    return render_template("admin/goal_form.html", programme=programme, goal=goal, form=form)
