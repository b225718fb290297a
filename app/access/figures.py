"""Which enrolments the aggregate figures (the analyst's dashboard, app.main.indicators) count.

One function decides it, so that the figures can later be narrowed to a partnership's member
schools in this one place. Today the partnership analyst sees the figures of every school in
Elevsag (as the overview always did), never a named student; anyone else sees none.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, true

from app.models import Enrolment, Role, Student, User


@dataclass(frozen=True)
class FigureScope:
    """The schools whose enrolments count; None for every school in Elevsag."""

    school_ids: frozenset[int] | None

    def enrolments(self) -> ColumnElement[bool]:
        """The condition on `Enrolment` for the enrolments in scope."""
        if self.school_ids is None:
            return true()
        return Enrolment.school_id.in_(self.school_ids) if self.school_ids else false()

    def students(self) -> ColumnElement[bool]:
        """The condition on `Student` (by the school of their latest enrolment)."""
        if self.school_ids is None:
            return true()
        return Student.school_id.in_(self.school_ids) if self.school_ids else false()


def figure_scope(user: User) -> FigureScope:
    if user.has_role(Role.ANALYST):
        return FigureScope(None)
    return FigureScope(frozenset())
