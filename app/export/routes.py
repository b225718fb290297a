"""The student's access request: a page and three downloads (PDF, JSON, and the attached
files as a ZIP).

Who may export it is decided in app.access.export: only an admin of the student's school (404
if the user may not see the student at all, 403 for anyone else who sees the student). The
downloads are built in app.export.download, which the student's own downloads share.
"""

from __future__ import annotations

from flask import render_template

from app import access, audit
from app.access import case_roles_required
from app.access.twofactor import step_up_required
from app.export import bp, download
from app.export.download import CRITERION
from app.models import AuditAction


@bp.route("/students/<int:student_id>/access-request")
@case_roles_required
@step_up_required
def access_request(student_id: int):
    student = access.export.get_access_request_student_or_404(student_id)
    audit.record(AuditAction.VIEW, student=student, criterion=CRITERION, commit=True)
    return render_template("export/request.html", student=student)


@bp.route("/students/<int:student_id>/access-request.pdf")
@case_roles_required
@step_up_required
def access_request_pdf(student_id: int):
    student = access.export.get_access_request_student_or_404(student_id)
    return download.access_request_pdf(student)


@bp.route("/students/<int:student_id>/access-request.json")
@case_roles_required
@step_up_required
def access_request_json(student_id: int):
    student = access.export.get_access_request_student_or_404(student_id)
    return download.access_request_json(student)


@bp.route("/students/<int:student_id>/access-request-files.zip")
@case_roles_required
@step_up_required
def access_request_files(student_id: int):
    student = access.export.get_access_request_student_or_404(student_id)
    return download.access_request_files(student)
