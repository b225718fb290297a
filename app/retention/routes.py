"""The retention pages: the rules with the last run's counts (every admin reads, the system
admin edits), and a student's legal hold (the school admin of the student's school)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app import audit
from app.access.retention import (
    HOLD_ROLES,
    can_edit_retention_rules,
    get_hold_student_or_404,
)
from app.access.roles import any_admin, roles_required, system_admin_only
from app.editing import RuleError, check_version, save
from app.extensions import db
from app.forms import ButtonForm
from app.models import RetentionKind, RetentionRule
from app.retention import bp, services
from app.retention.forms import LegalHoldForm, rule_form
from app.retention.rules import SPECS, ensure_rules


@bp.route("/admin/retention")
@any_admin
def rules():
    rows = ensure_rules()
    db.session.commit()
    last = services.last_run()
    counts = {c.kind: c for c in last.counts} if last else {}
    return render_template(
        "retention/rules.html",
        rules=rows,
        specs=SPECS,
        last=last,
        counts=counts,
        can_edit=can_edit_retention_rules(current_user),
    )


@bp.route("/admin/retention/<kind>/edit", methods=["GET", "POST"])
@system_admin_only
def edit_rule(kind: str):
    try:
        kind_ = RetentionKind(kind)
    except ValueError:
        abort(404)
    ensure_rules()
    db.session.commit()
    rule = db.session.execute(select(RetentionRule).where(RetentionRule.kind == kind_)).scalar_one()
    spec = SPECS[kind_]
    form = rule_form(spec, obj=rule)
    if form.validate_on_submit():

        def change() -> None:
            check_version(rule, form.seen_version())
            services.change_rule(rule, form.keep.data, current_user)

        response = save(
            form,
            change,
            stale_url=url_for(".edit_rule", kind=kind_.value),
            done=_("The retention rule was saved."),
            redirect_to=redirect(url_for(".rules")),
        )
        if response is not None:
            return response
    return render_template("retention/rule_form.html", form=form, rule=rule, spec=spec)


@bp.route("/students/<int:student_id>/legal-hold", methods=["GET", "POST"])
@roles_required(*HOLD_ROLES)
def legal_hold(student_id: int):
    student = get_hold_student_or_404(student_id, current_user)
    form = LegalHoldForm()
    active = services.active_hold(student)
    if form.validate_on_submit():
        try:
            services.set_hold(student, form.reason.data, current_user)
        except RuleError:
            db.session.rollback()
            flash(_("A legal hold is already in force on this student."), "error")
            return redirect(url_for(".legal_hold", student_id=student.id))
        db.session.commit()
        flash(
            _("The legal hold was set. Nothing of the student is deleted while it is in force."),
            "success",
        )
        return redirect(url_for("students.show", student_id=student.id))
    holds = services.holds_of(student)
    audit.record_view(student)
    return render_template(
        "retention/legal_hold.html",
        student=student,
        form=form,
        active=active,
        holds=holds,
        lift_form=ButtonForm(),
    )


@bp.route("/students/<int:student_id>/legal-hold/lift", methods=["POST"])
@roles_required(*HOLD_ROLES)
def lift_legal_hold(student_id: int):
    student = get_hold_student_or_404(student_id, current_user)
    if ButtonForm().validate_on_submit():
        if services.lift_hold(student, current_user):
            db.session.commit()
            flash(_("The legal hold was lifted."), "success")
        else:
            flash(_("No legal hold is in force on this student."), "error")
    return redirect(url_for(".legal_hold", student_id=student.id))
