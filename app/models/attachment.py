"""Files attached to a record of a student's case: a dyslexia test on a support need, the
agency's decision letter on an SPS step, a signed form on a declaration.

An attachment belongs to one record (`parent_kind`, `parent_id`; no foreign key, the kinds live
in several tables) and is read and changed exactly as that record is (app.access.attachments).
The file itself is kept in the attachment store (app.storage) under `storage_key`, a random
name that never comes from the uploaded file's name.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, enum_column, utcnow
from app.models.columns import student_id_column, user_id_column
from app.models.organisation import Organisation

if TYPE_CHECKING:
    from app.models.student import Student
    from app.models.user import User


class AttachmentParent(enum.StrEnum):
    """The kind of record an attachment belongs to."""

    NEED = "need"  # a SupportNeed
    MEASURE = "measure"  # a SupportMeasure
    SPS_STEP = "sps_step"  # an SpsStep of an SPS measure
    NOTE = "note"  # a CaseNote
    REVIEW = "review"  # a CaseReview
    DECLARATION = "declaration"  # a Declaration (training)


class ScanResult(enum.StrEnum):
    """What the virus scan said before the file was stored (only clean files are stored)."""

    CLEAN = "clean"
    NOT_SCANNED = "not_scanned"  # no scanner configured


class Attachment(Base):
    __tablename__ = "attachment"
    # Each record page lists its attachments.
    __table_args__ = (Index("ix_attachment_parent", "parent_kind", "parent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = student_id_column()
    parent_kind: Mapped[AttachmentParent] = mapped_column(
        enum_column(AttachmentParent, "attachment_parent")
    )
    parent_id: Mapped[int]
    # The uploaded name made safe for display and for the download's file name.
    filename: Mapped[str] = mapped_column(String(120))
    # The type found in the content (one of app.attachments.files.ALLOWED), never the
    # browser's claim or the name's extension.
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    # The file's name in the store: random, unique, never derived from `filename`.
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    scan_result: Mapped[ScanResult] = mapped_column(enum_column(ScanResult, "scan_result"))
    uploaded_by_id: Mapped[int | None] = user_id_column()
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The organisation the uploader acted for (the school, or the employer side).
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL")
    )

    student: Mapped[Student] = relationship()
    uploaded_by: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
