"""The student's access request: a page and two downloads (PDF and JSON).

Only an admin of the student's school exports it. The student is loaded through the access
module first (404 if the user may not see the student at all); anyone else who sees the
student gets 403. The system admin sees no case content and is refused by the role gate.
"""

from __future__ import annotations

import json

from flask import Response, abort, render_template
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from app import audit
from app.access import case_roles_required, get_student_or_404, today
from app.export import bp
from app.export.collect import (
    AUDIT_ACTION,
    OBJECT_TYPE,
    SECTIONS,
    collect,
    period_names,
    to_json,
)
from app.models import AuditAction, Role, Student, TrainingAgreement
from app.pdf import pdf_download, render_pdf

CRITERION = "access-request"


def load_student(student_id: int) -> Student:
    student = get_student_or_404(
        student_id,
        joinedload(Student.school),
        joinedload(Student.programme),
        selectinload(Student.agreements).joinedload(TrainingAgreement.employer),
    )
    if student.school_id not in current_user.organisation_ids(Role.SCHOOL_ADMIN):
        abort(403)
    return student


def _filename(student: Student, extension: str) -> str:
    return f"indsigt-{student.student_number}.{extension}"


@bp.route("/students/<int:student_id>/access-request")
@case_roles_required
def access_request(student_id: int):
    student = load_student(student_id)
    audit.record(AuditAction.VIEW, student=student, criterion=CRITERION, commit=True)
    return render_template("export/request.html", student=student)


def _export(student_id: int):
    """The student and everything collected about them. The export is logged first, so it is
    the last line of its own access log."""
    student = load_student(student_id)
    audit.record(AuditAction.EXPORT, student=student, criterion=CRITERION, commit=True)
    return student, collect(student)


@bp.route("/students/<int:student_id>/access-request.pdf")
@case_roles_required
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
def access_request_json(student_id: int):
    student, data = _export(student_id)
    body = {"generated_at": data["generated_at"], "student": data["student"]}
    body.update({section: data[section] for section in SECTIONS})
    return Response(
        json.dumps(to_json(body), ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{_filename(student, "json")}"'},
    )
