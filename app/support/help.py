"""Asking the school for help (docs/domain.md, "Asking for help"): the workplace side asks for
a case review or a conversation with the counsellor; the school's list of open requests; and
declining one with a reason. Scheduling one is the case-review form (reviews.new_review with
`help_request`), which links the review to the request. Access: app.access.help."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from app import access, audit, editing
from app.access import roles_required
from app.access.roles import SCHOOL_CONTACT_ROLES, WORKPLACE_SUPPORT_ROLES
from app.models import AuditAction, HelpRequest, Student
from app.models.base import today
from app.pagination import paginate
from app.support import bp, services
from app.support.forms import DeclineHelpForm, HelpRequestForm


def _overview_url(student: Student) -> str:
    return url_for("support.overview", student_id=student.id) + "#help-requests"


@bp.route("/students/<int:student_id>/help/new", methods=["GET", "POST"])
@roles_required(*WORKPLACE_SUPPORT_ROLES)
def ask_for_help(student_id: int):
    student = access.help.get_asking_student_or_404(student_id)
    periods = access.support.workplace_support_periods(current_user, student)
    on = today()
    # The period it is about: the one under way, else the next, else the latest.
    period = next((p for p in periods if p.end_date >= on), periods[-1])
    form = HelpRequestForm()
    if form.validate_on_submit():
        response = editing.save(
            form,
            lambda: services.ask_for_help(student, form.kind.data, form.reason.data, period),
            stale_url=request.url,
            done=_("Your request was sent to the school."),
            redirect_to=redirect(_overview_url(student)),
        )
        if response:
            return response
    return render_template("support/help_form.html", student=student, form=form)


@bp.route("/help-requests")
@roles_required(*SCHOOL_CONTACT_ROLES)
def help_requests():
    """The open requests from the workplace side at my school, oldest first."""
    query = access.help.help_requests_to_answer(current_user).options(
        joinedload(HelpRequest.student).joinedload(Student.programme),
        joinedload(HelpRequest.student).joinedload(Student.counsellor),
        joinedload(HelpRequest.requested_by),
        joinedload(HelpRequest.organisation),
    )
    page = paginate(query, current_app.config["STUDENTS_PER_PAGE"], entities=True)
    audit.record_search({"list": "help-requests"})
    return render_template("support/help_requests.html", page=page)


@bp.route("/help-requests/<int:help_request_id>/decline", methods=["GET", "POST"])
@roles_required(*SCHOOL_CONTACT_ROLES)
def decline_help(help_request_id: int):
    help_request = access.help.get_help_request_or_404(help_request_id)
    student = help_request.student
    form = DeclineHelpForm(obj=help_request if request.method == "GET" else None)
    if request.method == "GET":
        form.reason.data = ""
        audit.record(AuditAction.VIEW, student=student, criterion="help-request", commit=True)
    if form.validate_on_submit():
        response = editing.save(
            form,
            lambda: services.decline_help(
                help_request, form.reason.data, current_user, form.seen_version()
            ),
            stale_url=request.url,
            done=_("The request was declined, and the person who asked was told."),
            redirect_to=redirect(url_for("support.help_requests")),
        )
        if response:
            return response
    return render_template(
        "support/decline_help.html", student=student, help_request=help_request, form=form
    )
