"""The student's own pages. Each loads the logged-in student's own case through
app.access.me, so nothing here can reach another student."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import audit, editing
from app.access.me import get_own_student_or_404, get_own_training_period_or_404, student_only
from app.extensions import db
from app.journey import timeline
from app.me import bp, voice
from app.me.consents import consents_summary
from app.me.plan import plan_of
from app.me.training import training_summary
from app.me.voice import ConversationForm, ReflectionForm
from app.models import ConversationRequest, ConversationWith, Reflection, Student
from app.models.base import today
from app.pagination import paginate


@bp.route("/")
@student_only
def plan():
    """ "My plan": the timeline, the period now and the next, who to talk to, and the review
    meetings the student is invited to."""
    student = get_own_student_or_404(
        joinedload(Student.school),
        joinedload(Student.programme),
        joinedload(Student.contact_teacher),
        joinedload(Student.counsellor),
    )
    on = today()
    enrolments, leaves = timeline.enrolments_and_leaves(student)
    plan = plan_of(student, current_user, on)
    audit.record_view(student)
    return render_template(
        "me/plan.html",
        student=student,
        plan=plan,
        timeline=timeline.build(plan.periods, on, set(), enrolments, leaves),
        today=on,
        consents_summary=consents_summary(student),
        training=training_summary(student),
    )


# --- the learning log -------------------------------------------------------------------------


@bp.route("/periods/<int:period_id>/reflections", methods=["GET", "POST"])
@student_only
def reflections(period_id: int):
    """The student's learning log in one of their training periods: what they wrote, newest
    first, and a form to add to it. The period's supervisors and the school read it."""
    student = get_own_student_or_404()
    period = get_own_training_period_or_404(student, period_id)
    form = ReflectionForm()
    if form.validate_on_submit():
        made = editing.create(
            form, lambda: voice.write_reflection(student, period, form.text.data, current_user)
        )
        if made is not None:
            flash(_("Your reflection was saved. Your practice supervisor can read it."), "success")
            return redirect(url_for("me.reflections", period_id=period.id))
    page = paginate(
        select(Reflection)
        .where(Reflection.period_id == period.id, Reflection.student_id == student.id)
        .order_by(Reflection.created_at.desc(), Reflection.id.desc()),
        current_app.config["STUDENTS_PER_PAGE"],
        entities=True,
    )
    return render_template(
        "me/reflections.html", student=student, period=period, form=form, page=page
    )


# --- asking for a conversation ----------------------------------------------------------------


@bp.route("/conversation", methods=["GET", "POST"])
@student_only
def ask_for_conversation():
    student = get_own_student_or_404(
        joinedload(Student.contact_teacher), joinedload(Student.counsellor)
    )
    form = ConversationForm()
    if form.validate_on_submit():
        made = editing.create(
            form,
            lambda: voice.ask_for_conversation(
                student, ConversationWith(form.with_whom.data), form.topic.data or "", current_user
            ),
        )
        if made is not None:
            flash(
                _("%(name)s has been asked to contact you.", name=made.addressed_to.name),
                "success",
            )
            return redirect(url_for("me.plan"))
    open_requests = (
        db.session.execute(
            select(ConversationRequest)
            .where(
                ConversationRequest.student_id == student.id,
                ConversationRequest.handled_at.is_(None),
            )
            .options(joinedload(ConversationRequest.addressed_to))
            .order_by(ConversationRequest.created_at)
        )
        .scalars()
        .all()
    )
    return render_template(
        "me/conversation.html", student=student, form=form, open_requests=open_requests
    )
