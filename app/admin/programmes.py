"""Programme templates: the standard sequence of periods a new student's plan is copied from.

System admins only. Editing a template never touches existing student plans.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from wtforms import SelectField

from app import labels
from app.access.roles import system_admin_only
from app.admin import bp
from app.extensions import db
from app.forms import (
    BaseForm,
    ButtonForm,
    enum_field,
    int_field,
    max_length,
    plain_text,
    required,
    text_field,
)
from app.models import PeriodKind, Programme, TemplatePeriod


class TemplatePeriodForm(BaseForm):
    kind = enum_field(_l("Kind"), labels.PERIOD_KIND)
    title = text_field(_l("Title"), required(), max_length(120), plain_text)
    weeks = int_field(
        _l("Typical length in weeks"),
        1,
        104,
        required_message=_l("Please enter the number of weeks."),
        range_message=_l("Must be between %(min)s and %(max)s weeks."),
    )
    training_area = enum_field(
        _l("Training area"), labels.TRAINING_AREA, default="", blank=_l("None (school period)")
    )

    def validate_training_area(self, field) -> None:
        from wtforms.validators import ValidationError

        if self.kind.data == PeriodKind.TRAINING and not field.data:
            raise ValidationError(_l("Choose the training area of a training period."))
        if self.kind.data == PeriodKind.SCHOOL and field.data:
            raise ValidationError(_l("A school period has no training area."))


class MoveForm(BaseForm):
    direction = SelectField(choices=[("up", "up"), ("down", "down")])


def _programme_or_404(programme_id: int) -> Programme:
    return db.get_or_404(Programme, programme_id)


def _template(programme: Programme) -> list[TemplatePeriod]:
    query = select(TemplatePeriod).where(TemplatePeriod.programme_id == programme.id)
    return list(db.session.execute(query.order_by(TemplatePeriod.position)).scalars())


def _template_period_or_404(programme: Programme, template_period_id: int) -> TemplatePeriod:
    return db.one_or_404(
        select(TemplatePeriod).where(
            TemplatePeriod.id == template_period_id, TemplatePeriod.programme_id == programme.id
        )
    )


def _renumber(periods: list[TemplatePeriod]) -> None:
    """Positions 1..n in list order; moved out of the way first so the unique key holds."""
    for period in periods:
        period.position = -period.id
    db.session.flush()
    for n, period in enumerate(periods, start=1):
        period.position = n


def _fill(period: TemplatePeriod, form: TemplatePeriodForm) -> None:
    period.kind = form.kind.data
    period.title = form.title.data
    period.weeks = form.weeks.data
    period.training_area = form.training_area.data


@bp.route("/programmes")
@system_admin_only
def programmes():
    rows = db.session.execute(
        select(
            Programme,
            func.count(TemplatePeriod.id),
            func.coalesce(func.sum(TemplatePeriod.weeks), 0),
        )
        .outerjoin(TemplatePeriod, TemplatePeriod.programme_id == Programme.id)
        .group_by(Programme.id)
        .order_by(Programme.code)
    ).all()
    return render_template("admin/programmes.html", rows=rows)


@bp.route("/programmes/<int:programme_id>", methods=["GET", "POST"])
@system_admin_only
def programme_template(programme_id: int):
    programme = _programme_or_404(programme_id)
    periods = _template(programme)
    form = TemplatePeriodForm()
    if form.validate_on_submit():
        period = TemplatePeriod(programme_id=programme.id, position=len(periods) + 1)
        _fill(period, form)
        db.session.add(period)
        db.session.commit()
        flash(_("The period was added to the template."), "success")
        return redirect(url_for("admin.programme_template", programme_id=programme.id))
    return render_template(
        "admin/programme_template.html",
        programme=programme,
        periods=periods,
        form=form,
        button=ButtonForm(),
    )


@bp.route(
    "/programmes/<int:programme_id>/periods/<int:template_period_id>/edit", methods=["GET", "POST"]
)
@system_admin_only
def edit_template_period(programme_id: int, template_period_id: int):
    programme = _programme_or_404(programme_id)
    period = _template_period_or_404(programme, template_period_id)
    form = TemplatePeriodForm(obj=period if request.method == "GET" else None)
    if request.method == "GET":
        form.kind.data = period.kind.value
        form.training_area.data = period.training_area.value if period.training_area else ""
    if form.validate_on_submit():
        _fill(period, form)
        db.session.commit()
        flash(_("The template period was saved. Existing plans are not changed."), "success")
        return redirect(url_for("admin.programme_template", programme_id=programme.id))
    return render_template(
        "admin/template_period_form.html", programme=programme, form=form, period=period
    )


@bp.route(
    "/programmes/<int:programme_id>/periods/<int:template_period_id>/delete", methods=["POST"]
)
@system_admin_only
def delete_template_period(programme_id: int, template_period_id: int):
    programme = _programme_or_404(programme_id)
    period = _template_period_or_404(programme, template_period_id)
    if ButtonForm().validate_on_submit():
        db.session.delete(period)
        db.session.flush()
        _renumber(_template(programme))
        db.session.commit()
        flash(_("The period was removed from the template."), "success")
    return redirect(url_for("admin.programme_template", programme_id=programme.id))


@bp.route("/programmes/<int:programme_id>/periods/<int:template_period_id>/move", methods=["POST"])
@system_admin_only
def move_template_period(programme_id: int, template_period_id: int):
    programme = _programme_or_404(programme_id)
    period = _template_period_or_404(programme, template_period_id)
    form = MoveForm()
    if form.validate_on_submit():
        periods = _template(programme)
        i = periods.index(period)
        j = i - 1 if form.direction.data == "up" else i + 1
        if 0 <= j < len(periods):
            periods[i], periods[j] = periods[j], periods[i]
            _renumber(periods)
            db.session.commit()
    return redirect(url_for("admin.programme_template", programme_id=programme.id))
