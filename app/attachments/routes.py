"""Adding, downloading and removing the attachments of a record.

Every route loads the student and then the record (or the attachment and its record) through
app.access.attachments, which applies the record's own rules: 404 for what the user may not
see, 403 for a change to a record the user may only read. A download is always a download
(never shown inline), of the type found in the file's content, with `nosniff` and a sandbox.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import access
from app.access import case_roles_required
from app.attachments import bp, files, services
from app.attachments.forms import AttachmentForm
from app.editing import RuleError, field_error
from app.extensions import db, talisman
from app.forms import ButtonForm
from app.models import Attachment, AttachmentParent, Student
from app.storage import StorageError, storage

P = AttachmentParent
# A download is never a page: were a browser to render it anyway, it could run nothing.
DOWNLOAD_CSP = "default-src 'none'; sandbox"
KINDS = "any(" + ", ".join(k.value for k in AttachmentParent) + ")"


def record_url(student: Student, parent: access.attachments.Parent) -> str:
    """The page that shows the record and its attachments."""
    row = parent.row
    if parent.kind == P.NEED:
        return url_for("support.overview", student_id=student.id, _anchor=f"need-{row.id}")
    if parent.kind == P.MEASURE:
        return url_for("support.measure", student_id=student.id, measure_id=row.id)
    if parent.kind == P.SPS_STEP:
        return url_for(
            "support.measure", student_id=student.id, measure_id=row.measure_id, _anchor="sps"
        )
    if parent.kind == P.NOTE:
        return url_for("casefile.case_file", student_id=student.id)
    if parent.kind == P.REVIEW:
        return url_for("reviews.review", student_id=student.id, review_id=row.id)
    return url_for("training.declaration", student_id=student.id, period_id=row.period_id)


@bp.route(
    f"/students/<int:student_id>/attachments/<{KINDS}:kind>/<int:parent_id>",
    methods=["GET", "POST"],
)
@case_roles_required
def upload(student_id: int, kind: str, parent_id: int):
    student = access.attachments.get_attachment_student_or_404(student_id)
    parent = access.attachments.get_editable_parent_or_404(student, P(kind), parent_id)
    form = AttachmentForm()
    back = record_url(student, parent)
    if form.validate_on_submit():
        try:
            attachment = services.add_attachment(student, parent, form.file.data, current_user)
        except RuleError as error:
            db.session.rollback()
            field_error(form, error)
        else:
            try:
                db.session.commit()
            except Exception:
                db.session.rollback()
                services.discard_stored(attachment)
                raise
            flash(_("The file %(name)s was attached.", name=attachment.filename), "success")
            return redirect(back)
    return render_template(
        "attachments/upload.html", student=student, parent=parent, form=form, back=back
    )


@bp.route("/students/<int:student_id>/attachments/<int:attachment_id>")
@talisman(content_security_policy=DOWNLOAD_CSP)
@case_roles_required
def download(student_id: int, attachment_id: int):
    student = access.attachments.get_attachment_student_or_404(student_id)
    attachment, _parent = access.attachments.get_attachment_or_404(student, attachment_id)
    try:
        stream = storage().open(attachment.storage_key)
    except (StorageError, OSError) as error:
        current_app.logger.error("Attachment %s has no file: %s", attachment.id, error)
        abort(404)
    services.record_download(student, attachment)
    return _as_download(stream, attachment)


def _as_download(stream, attachment: Attachment):
    """Always a download, never rendered: the allowed type found in the content (an
    unexpected stored type goes out as plain bytes), the name as RFC 5987 `filename*`."""
    mimetype = (
        attachment.content_type
        if attachment.content_type in files.ALLOWED
        else "application/octet-stream"
    )
    response = send_file(
        stream,
        mimetype=mimetype,
        as_attachment=True,
        download_name=attachment.filename,
        conditional=False,
        etag=False,
        max_age=0,
    )
    response.headers["Content-Length"] = str(attachment.size)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@bp.route("/students/<int:student_id>/attachments/<int:attachment_id>/delete", methods=["POST"])
@case_roles_required
def delete(student_id: int, attachment_id: int):
    student = access.attachments.get_attachment_student_or_404(student_id)
    attachment, parent = access.attachments.get_removable_attachment_or_404(student, attachment_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    name = attachment.filename
    services.remove_attachment(student, attachment, parent, current_user)
    db.session.commit()
    flash(_("The file %(name)s was removed.", name=name), "success")
    return redirect(record_url(student, parent))
