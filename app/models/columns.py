"""Columns that many tables share: the student a row belongs to, the user who did something,
and the version counter of optimistic locking."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, declared_attr, mapped_column


def student_id_column() -> Any:
    """The student a row belongs to: indexed, and deleted with the student."""
    return mapped_column(ForeignKey("student.id", ondelete="CASCADE"), index=True)


def user_id_column(*, index: bool | None = None) -> Any:
    """The user who wrote, signed or did something; NULL once that user is deleted."""
    return mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=index)


class Versioned:
    """Optimistic locking: `version_id` goes up on every UPDATE, and an UPDATE of a row that
    someone else changed meanwhile raises StaleDataError."""

    version_id: Mapped[int] = mapped_column(default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version_id}
