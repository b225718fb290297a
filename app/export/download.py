"""The access request as a download, PDF or JSON: one body for the school admin's routes
(app.export.routes) and the student's own (app.me.insight).

The caller has decided who may export and loaded the student with their school, programme
and agreements (app.access.export.ACCESS_REQUEST_LOAD). The export is logged first, so it is
the last line of its own access log.
"""

from __future__ import annotations

import json
import tempfile
import zipfile

from flask import Response, send_file

from app import audit, labels
from app.attachments.queries import student_attachments
from app.export.collect import AUDIT_ACTION, OBJECT_TYPE, SECTIONS, collect, period_names, to_json
from app.models import AuditAction, Student
from app.models.base import today
from app.pdf import pdf_download, render_pdf

CRITERION = "access-request"


def _filename(student: Student, extension: str) -> str:
    return f"indsigt-{student.student_number}.{extension}"


def _collected(student: Student) -> dict:
    audit.record(AuditAction.EXPORT, student=student, criterion=CRITERION, commit=True)
    return collect(student)


def access_request_pdf(student: Student) -> Response:
    data = _collected(student)
    pdf = render_pdf(
        "pdf/access_request.html",
        data=data,
        periods=period_names(data),
        audit_actions=AUDIT_ACTION,
        object_types=OBJECT_TYPE,
        place_scale=dict(labels.PLACE_SCALE),
        today=today(),
    )
    return pdf_download(pdf, _filename(student, "pdf"))


def access_request_json(student: Student) -> Response:
    data = _collected(student)
    body = {"generated_at": data["generated_at"], "student": data["student"]}
    body.update({section: data[section] for section in SECTIONS})
    return Response(
        json.dumps(to_json(body), ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{_filename(student, "json")}"'},
    )


def access_request_files(student: Student) -> Response:
    """Every file attached to the student's records, in one ZIP: `<id>-<name>`, the id being
    the one the JSON's and the PDF's list of attachments gives. Built in a temporary file (at
    most a few files are kept in memory), stored without compression (PDFs and pictures are
    compressed already)."""
    from app.storage import storage

    audit.record(AuditAction.EXPORT, student=student, criterion=CRITERION + " files", commit=True)
    store = storage()
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 (sent, then closed)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for attachment in student_attachments(student.id):
            with (
                store.open(attachment.storage_key) as source,
                archive.open(f"{attachment.id}-{attachment.filename}", "w") as target,
            ):
                for chunk in iter(lambda source=source: source.read(64 * 1024), b""):
                    target.write(chunk)
    out.seek(0)
    response = send_file(
        out,
        mimetype="application/zip",
        as_attachment=True,
        download_name=_filename(student, "zip").replace("indsigt-", "indsigt-bilag-"),
        conditional=False,
        etag=False,
        max_age=0,
    )
    response.headers["Cache-Control"] = "no-store"
    return response
