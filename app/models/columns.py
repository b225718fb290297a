"""Columns that many tables share: the row (the student, the meeting, ...) a row belongs to, the
user who did something, and the version counter of optimistic locking."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, declared_attr, mapped_column


def parent_id_column(table: str) -> Any:
    """The row of `table` this row belongs to (a meeting's decision, a period's experience):
    indexed, and deleted with it."""
    return mapped_column(ForeignKey(f"{table}.id", ondelete="CASCADE"), index=True)


def student_id_column() -> Any:
    """The student a row belongs to: indexed, and deleted with the student."""
    return parent_id_column("student")


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
