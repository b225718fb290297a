"""The students' evaluations of the training places (app.me.evaluation), as the partnership
sees them: per member employer and year, for each statement how many agreed, neither, or
disagreed. Never an answer one by one, and never a count from 1 to 4: the four tables share
their row totals (the number of evaluations of an employer), so they are suppressed together
(app.statistics.suppress_together), and the audit solves for every hidden figure of all four.
The counts come from one GROUP BY statement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import and_, case, func, select

from app import labels
from app.access.partnership import get_partnership_or_404
from app.access.roles import PARTNERSHIP_ROLES, roles_required
from app.extensions import db
from app.models import Organisation, Partnership, PlaceEvaluation, PlaceQuestion
from app.partnership import bp
from app.partnership.dimensioning import employers
from app.partnership.dimensioning_routes import _year, _years
from app.statistics import Linked, SuppressedTable, suppress_together

LEVELS = ("agree", "neutral", "disagree")
LEVEL_LABEL = {
    "agree": _l("Agree (4–5)"),
    "neutral": _l("Neither (3)"),
    "disagree": _l("Disagree (1–2)"),
}


@dataclass(frozen=True)
class QuestionTable:
    question: PlaceQuestion
    text: str
    table: SuppressedTable


def counts(partnership: Partnership, year: int) -> dict[tuple[int, PlaceQuestion, str], int]:
    """(employer id, statement, level) -> number of evaluations answered in `year`."""
    member_ids = [o.id for o in employers(partnership)]
    if not member_ids:
        return {}
    columns = []
    for q in PlaceQuestion:
        answer = getattr(PlaceEvaluation, q.value)
        columns += [
            func.sum(case((answer >= 4, 1), else_=0)),
            func.sum(case((answer == 3, 1), else_=0)),
            func.sum(case((answer <= 2, 1), else_=0)),
        ]
    rows = db.session.execute(
        select(PlaceEvaluation.employer_id, *columns)
        .where(
            PlaceEvaluation.employer_id.in_(member_ids),
            and_(
                PlaceEvaluation.answered_on >= date(year, 1, 1),
                PlaceEvaluation.answered_on < date(year + 1, 1, 1),
            ),
        )
        .group_by(PlaceEvaluation.employer_id)
    ).all()
    found = {}
    for employer_id, *values in rows:
        for k, q in enumerate(PlaceQuestion):
            for j, level in enumerate(LEVELS):
                found[(employer_id, q, level)] = int(values[3 * k + j] or 0)
    return found


def tables(partnership: Partnership, year: int) -> tuple[list[Organisation], list[QuestionTable]]:
    rows = employers(partnership)
    ids = [o.id for o in rows]
    found = counts(partnership, year)
    # Every table's row total is the employer's number of evaluations, its grand total all of
    # them: the same figures in each table, hidden everywhere or nowhere.
    shared = {(i, len(LEVELS)): ("evaluations", org_id) for i, org_id in enumerate(ids)}
    shared[(len(ids), len(LEVELS))] = ("evaluations", "all")
    linked = [
        Linked(
            counts={(e, level): found.get((e, q, level), 0) for e in ids for level in LEVELS},
            rows=ids,
            columns=list(LEVELS),
            shared=shared,
        )
        for q in PlaceQuestion
    ]
    suppressed = suppress_together(linked) if ids else []
    return rows, [
        QuestionTable(q, str(labels.PLACE_QUESTION[q]), t)
        for q, t in zip(PlaceQuestion, suppressed, strict=True)
    ]


@bp.route("/<int:partnership_id>/place-evaluations")
@roles_required(*PARTNERSHIP_ROLES)
def place_evaluations(partnership_id: int):
    partnership = get_partnership_or_404(current_user, partnership_id)
    year = _year()
    organisations, question_tables = tables(partnership, year)
    return render_template(
        "partnership/place_evaluations.html",
        partnership=partnership,
        year=year,
        years=_years(partnership, year),
        organisations=organisations,
        tables=question_tables,
        levels=LEVELS,
        level_label=LEVEL_LABEL,
    )
