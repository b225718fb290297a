"""The student's own pages. Each loads the logged-in student's own case through
app.access.me, so nothing here can reach another student."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from sqlalchemy.orm import joinedload

from app import audit
from app.access.me import get_own_student_or_404, student_only
from app.journey import timeline
from app.me import bp
from app.me.plan import plan_of
from app.me.training import training_summary
from app.models import Student
from app.models.base import today


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
        training=training_summary(student),
    )
