"""An uploaded import file, parsed and checked, waiting for the uploader to confirm it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime, enum_column, utcnow
from app.models.columns import parent_id_column, user_id_column


class ImportKind(enum.StrEnum):
    STUDENTS = "students"  # students and class teams, from the school administration system
    AGREEMENTS = "agreements"  # training agreements, from an employer


class ImportBatch(Base):
    """A parsed import file between upload and confirm (docs/import.md, "What is kept").

    The rows hold personal data (names, e-mail), so a batch lives only until the uploader
    confirms or cancels it, and at most IMPORT_BATCH_HOURS: expired batches are deleted at the
    next upload. Only the uploader sees it. The file itself is never stored."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ImportKind] = mapped_column(enum_column(ImportKind, "import_kind"))
    # The organisation the rows are imported for (the school, or the employer).
    organisation_id: Mapped[int] = parent_id_column("organisation")
    user_id: Mapped[int | None] = user_id_column(index=True)
    file_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # The rows as read: [{"line": 2, "values": {column: text}}, ...].
    rows: Mapped[list] = mapped_column(JSON, default=list)
    # The preview, one entry per checked row, in row order (see app.imports.services).
    results: Mapped[list] = mapped_column(JSON, default=list)

    @property
    def total(self) -> int:
        return len(self.rows or [])

    @property
    def checked(self) -> int:
        return len(self.results or [])

    @property
    def is_checked(self) -> bool:
        return self.checked >= self.total
