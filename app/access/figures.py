"""Which enrolments the aggregate figures (the partnership's dashboard, app.main.indicators) count.

The figures belong to the partnership: its analyst, its coordinator and the member
organisations' leaders (PARTNERSHIP_ROLES) see the figures of the partnership's member schools,
never a named student. A user whose organisation is in several partnerships picks one (the
`partnership` query parameter; the first by name by default). Anyone else, and a user of those
roles whose organisation is in no partnership, sees none.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from sqlalchemy import ColumnElement, false, select, true

from app.access.partnership import visible_partnerships
from app.extensions import db
from app.models import (
    Enrolment,
    Organisation,
    OrganisationKind,
    Partnership,
    Student,
    User,
    partnership_member,
)


@dataclass(frozen=True)
class FigureScope:
    """The schools whose enrolments count; None for every school in Elevsag (no user gets
    that: it is for tests and the command line). `partnership` is the partnership whose member
    schools they are, and `partnerships` the ones the user may choose between."""

    school_ids: frozenset[int] | None
    partnership: Partnership | None = None
    partnerships: tuple[Partnership, ...] = ()

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


NO_FIGURES = FigureScope(frozenset())


@dataclass(frozen=True)
class FigureChoice:
    """The partnership whose figures the user looks at (None: they are in none) and the
    ones they may choose between."""

    partnership: Partnership | None
    partnerships: tuple[Partnership, ...] = ()


def figure_choice(user: User, chosen: str | None = None) -> FigureChoice:
    """The partnership `user` looks at: `chosen` (a partnership id from the request) when
    given, else the first of theirs by name. A partnership id the user does not see answers
    404; a user in no partnership gets `partnership` None."""
    partnerships = tuple(db.session.execute(visible_partnerships(user)).scalars())
    if not partnerships:
        return FigureChoice(None)
    partnership = partnerships[0]
    if chosen:
        partnership = next((p for p in partnerships if str(p.id) == chosen.strip()), None)
        if partnership is None:
            abort(404)
    return FigureChoice(partnership, partnerships)


def scope_of(partnership: Partnership, partnerships: tuple[Partnership, ...] = ()) -> FigureScope:
    """The enrolments the figures of `partnership` count: those of its member schools."""
    schools = db.session.execute(
        select(partnership_member.c.organisation_id)
        .join(Organisation, Organisation.id == partnership_member.c.organisation_id)
        .where(
            partnership_member.c.partnership_id == partnership.id,
            Organisation.kind == OrganisationKind.SCHOOL,
        )
    ).scalars()
    return FigureScope(frozenset(schools), partnership, partnerships)


def figure_scope(user: User, chosen: str | None = None) -> FigureScope:
    """The member schools of the partnership `user` looks at (`figure_choice`); a user in no
    partnership gets an empty scope (`partnership` None)."""
    choice = figure_choice(user, chosen)
    if choice.partnership is None:
        return NO_FIGURES
    return scope_of(choice.partnership, choice.partnerships)
