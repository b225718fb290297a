"""Adding and removing attachments, and removing them with their records (retention).

A file is checked before anything is stored: its size (ATTACHMENT_MAX_BYTES), its type by
content (app.attachments.files), the virus scan (app.attachments.scan). Then the file is put
in the store (app.storage) under a random key and its row is added in the caller's
transaction with a case-history line (app.history.log, which writes the access log too). If
that transaction is not committed, `discard_stored` removes the file again.

Removing goes the other way round: the rows are deleted in the caller's transaction and the
files only after it is committed (a listener on the session). Deleting a file that is gone is
no error, so a failed file delete (logged) is retried safely by deleting the key again; a file
whose row is gone is never served, since every download goes through its row.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from app import audit, history
from app.access import acting_organisation_id
from app.access.attachments import Parent
from app.attachments import files, scan
from app.editing import RuleError
from app.extensions import db
from app.labels import file_size
from app.models import (
    Attachment,
    AttachmentParent,
    AuditAction,
    CaseEvent,
    CaseEventKind,
    ConsentCategory,
    Student,
    User,
)
from app.models.attachment import ScanResult
from app.storage import StorageError, storage

P = AttachmentParent
_PENDING = "attachment_files_to_delete"


def new_key() -> str:
    """A storage key: 256 random bits, never derived from anything the uploader chose."""
    return secrets.token_hex(32)


def _sha256(stream: BinaryIO) -> str:
    digest = hashlib.sha256()
    stream.seek(0)
    for chunk in iter(lambda: stream.read(64 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def check_file(upload: FileStorage) -> tuple[str, int]:
    """The file's type and size if it may be stored; RuleError (at the field `file`) if not."""
    stream = upload.stream
    size = files.size_of(stream)
    if size == 0:
        raise RuleError(_("The file is empty. Choose another file."), "file")
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    if size > limit:
        raise RuleError(
            _(
                "The file is too large (%(size)s). An attachment can be at most %(max)s.",
                size=file_size(size),
                max=file_size(limit),
            ),
            "file",
        )
    mime = files.content_type(stream)
    if mime is None:
        raise RuleError(
            _(
                "The file type is not allowed. Attach a PDF, a picture (PNG or JPEG) or a "
                "document (Word DOCX or OpenDocument ODT)."
            ),
            "file",
        )
    return mime, size


def _line_scope(parent: Parent) -> dict:
    """Who sees the case-history line about an attachment: as those of its record."""
    row = parent.row
    if parent.kind in (P.NEED, P.MEASURE):
        return {"target": row, "data_category": row.consent_category.value}
    if parent.kind == P.SPS_STEP:
        return {"target": row.measure, "data_category": ConsentCategory.SPS.value}
    if parent.kind == P.NOTE:
        # The note's own lines say who may see lines about it (category and visibility).
        line = db.session.execute(
            select(CaseEvent.data_category, CaseEvent.restricted_to_id)
            .where(CaseEvent.note_id == row.id)
            .order_by(CaseEvent.id.desc())
            .limit(1)
        ).first()
        return {
            "note_id": row.id,
            "data_category": line.data_category if line else None,
            "restricted_to_id": line.restricted_to_id if line else None,
        }
    if parent.kind == P.REVIEW:
        return {"review_id": row.id}
    return {"target": row}  # a declaration: the line goes with its training period


def add_attachment(student: Student, parent: Parent, upload: FileStorage, user: User) -> Attachment:
    """Check, scan and store `upload` on `parent`; add its row and case-history line to the
    session (the caller commits, or calls discard_stored on failure)."""
    mime, size = check_file(upload)
    name = files.safe_filename(upload.filename, mime)
    try:
        scanned = scan.scan(upload.stream)
    except scan.Infected as infected:
        _refused(student, user, f"virus found: {infected.signature}"[:200])
        raise RuleError(
            _("The file contains a virus (%(name)s) and was not stored.", name=infected.signature),
            "file",
        ) from infected
    except scan.ScannerUnavailable as error:
        current_app.logger.error("Virus scan failed, upload refused: %s", error)
        _refused(student, user, "virus scan unavailable")
        raise RuleError(
            _(
                "The file could not be checked for viruses right now, so it was not stored. "
                "Try again later."
            ),
            "file",
        ) from error
    digest = _sha256(upload.stream)
    attachment = Attachment(
        student_id=student.id,
        parent_kind=parent.kind,
        parent_id=parent.row.id,
        filename=name,
        content_type=mime,
        size=size,
        sha256=digest,
        storage_key=new_key(),
        scan_result=scanned,
        uploaded_by_id=user.id,
        organisation_id=acting_organisation_id(user, student),
    )
    try:
        storage().put(attachment.storage_key, upload.stream)
    except (StorageError, OSError) as error:
        current_app.logger.error("Attachment store failed: %s", error)
        raise RuleError(
            _("The file could not be stored right now. Try again later."), "file"
        ) from error
    try:
        db.session.add(attachment)
        db.session.flush()
        history.log(
            student,
            CaseEventKind.ATTACHMENT_ADDED,
            user,
            record=parent.kind.value,
            filename=name,
            **_line_scope(parent),
        )
    except Exception:
        discard_stored(attachment)  # no row will point to the file
        raise
    return attachment


def _refused(student: Student, user: User, reason: str) -> None:
    """An upload refused by the virus scan is in the access log, committed even though
    nothing else is."""
    db.session.rollback()
    audit.record(
        AuditAction.CREATE,
        student=student,
        user=user,
        criterion=f"attachment refused: {reason}",
        commit=True,
    )


def discard_stored(attachment: Attachment) -> None:
    """Remove the file of an attachment whose row was not committed."""
    try:
        storage().delete(attachment.storage_key)
    except (StorageError, OSError) as error:
        current_app.logger.warning("Could not remove %s: %s", attachment.storage_key, error)


def remove_attachment(student: Student, attachment: Attachment, parent: Parent, user: User):
    """Delete one attachment (its file once the caller commits), with a case-history line."""
    history.log(
        student,
        CaseEventKind.ATTACHMENT_REMOVED,
        user,
        record=parent.kind.value,
        filename=attachment.filename,
        **_line_scope(parent),
    )
    _delete_rows([attachment.id], [attachment.storage_key])


def record_download(student: Student, attachment: Attachment) -> None:
    audit.record(
        AuditAction.VIEW,
        student=student,
        obj=attachment,
        criterion=f"attachment {attachment.parent_kind.value}",
        commit=True,
    )


# --- removing with the records (retention, deleted records) ------------------------------------


def remove_for(parent_kind: AttachmentParent, parent_ids: Iterable[int]) -> int:
    """Delete the attachments of these records in the caller's transaction; their files go
    once it is committed. Returns how many were deleted."""
    ids = list(parent_ids)
    if not ids:
        return 0
    return _remove(Attachment.parent_kind == parent_kind, Attachment.parent_id.in_(ids))


def remove_for_student(student_id: int) -> int:
    """Delete all of a student's attachments (before the student is deleted, whose rows would
    otherwise go by the foreign key's cascade and leave the files behind)."""
    return _remove(Attachment.student_id == student_id)


def remove_where(*conditions) -> int:
    """Delete the attachments that meet `conditions` (SQL on Attachment, e.g. the retention
    engine's set of records) in the caller's transaction; files after the commit."""
    return _remove(*conditions)


def remove_all() -> int:
    """Delete every attachment (the demo data's reset), files after the commit."""
    return _remove()


def _remove(*conditions) -> int:
    rows = db.session.execute(
        select(Attachment.id, Attachment.storage_key).where(*conditions)
    ).all()
    return _delete_rows([r.id for r in rows], [r.storage_key for r in rows])


def _delete_rows(ids: list[int], keys: list[str]) -> int:
    if not ids:
        return 0
    db.session.execute(delete(Attachment).where(Attachment.id.in_(ids)))
    db.session.info.setdefault(_PENDING, []).extend(keys)
    return len(ids)


@event.listens_for(Session, "after_commit")
def _delete_files(session: Session) -> None:
    keys = session.info.pop(_PENDING, None)
    if not keys:
        return
    store = storage()
    for key in keys:
        try:
            store.delete(key)
        except (StorageError, OSError) as error:  # stays behind, never served; log it
            current_app.logger.warning("Could not remove attachment file %s: %s", key, error)


@event.listens_for(Session, "after_rollback")
def _keep_files(session: Session) -> None:
    session.info.pop(_PENDING, None)


__all__ = [
    "ScanResult",
    "add_attachment",
    "check_file",
    "discard_stored",
    "remove_all",
    "remove_attachment",
    "remove_for",
    "remove_for_student",
    "remove_where",
]
