"""The student's access request: a page and two downloads (PDF and JSON).

Who may export it is decided in app.access.export: only an admin of the student's school (404
if the user may not see the student at all, 403 for anyone else who sees the student).
"""

from __future__ import annotations

import json

from flask import Response, render_template

from app import access, audit
from app.access import case_roles_required
from app.access.twofactor import step_up_required
from app.export import bp
from app.export.collect import (
    AUDIT_ACTION,
    OBJECT_TYPE,
    SECTIONS,
    collect,
    period_names,
    to_json,
)
from app.models import AuditAction, Student
from app.models.base import today
from app.pdf import pdf_download, render_pdf

CRITERION = "access-request"


def _filename(student: Student, extension: str) -> str:
    return f"indsigt-{student.student_number}.{extension}"


@bp.route("/students/<int:student_id>/access-request")
@case_roles_required
@step_up_required
def access_request(student_id: int):
    student = access.export.get_access_request_student_or_404(student_id)
    audit.record(AuditAction.VIEW, student=student, criterion=CRITERION, commit=True)
    return render_template("export/request.html", student=student)


def _export(student_id: int):
    """The student and everything collected about them. The export is logged first, so it is
    the last line of its own access log."""
    student = access.export.get_access_request_student_or_404(student_id)
    audit.record(AuditAction.EXPORT, student=student, criterion=CRITERION, commit=True)
    return student, collect(student)


@bp.route("/students/<int:student_id>/access-request.pdf")
@case_roles_required
@step_up_required
def access_request_pdf(student_id: int):
    student, data = _export(student_id)
    pdf = render_pdf(
        "pdf/access_request.html",
        data=data,
        periods=period_names(data),
        audit_actions=AUDIT_ACTION,
        object_types=OBJECT_TYPE,
        today=today(),
    )
    return pdf_download(pdf, _filename(student, "pdf"))


@bp.route("/students/<int:student_id>/access-request.json")
@case_roles_required
@step_up_required
def access_request_json(student_id: int):
    student, data = _export(student_id)
    body = {"generated_at": data["generated_at"], "student": data["student"]}
    body.update({section: data[section] for section in SECTIONS})
    return Response(
        json.dumps(to_json(body), ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{_filename(student, "json")}"'},
    )
