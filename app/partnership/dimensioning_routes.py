"""The dimensioning pages: the table per member employer and year (agreed SSA and SSH places,
agreements made, the gap, qualified GF2 completers waiting), its CSV download, and the form on
which the coordinator at the anchor municipality enters the agreed numbers.

Access: app.access.partnership (`get_dimensioning_or_404`). The figures:
app.partnership.dimensioning; their definitions: docs/indicators.md, "Dimensionering".
"""

from __future__ import annotations

import csv
import io

from flask import Response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import audit, editing
from app.access.partnership import can_edit_dimensioning, get_dimensioning_or_404
from app.access.roles import PARTNERSHIP_ROLES, roles_required
from app.csvfile import safe_cell
from app.models import AuditAction, Partnership, PlaceKind, Role
from app.models.base import today
from app.partnership import bp
from app.partnership.dimensioning import (
    Line,
    agreed_places,
    dimensioning,
    employers,
    fingerprint,
    save_agreed,
)
from app.partnership.forms import agreed_places_form, places_field_name

FIRST_YEAR, LAST_YEAR = 2000, 2100


def _year() -> int:
    """The year asked for (`?year=`), or this year when it is missing or not a plausible year."""
    year = request.args.get("year", type=int)
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        return today().year
    return year


def _years(partnership: Partnership, year: int) -> list[int]:
    """The years to choose from: the partnership's period (until next year when it has no
    end), and the year shown; newest first."""
    this = today().year
    last = partnership.end_year or max(this + 1, partnership.start_year)
    years = set(range(partnership.start_year, last + 1)) | {year, this}
    return sorted((y for y in years if FIRST_YEAR <= y <= LAST_YEAR), reverse=True)


@bp.route("/<int:partnership_id>/dimensioning")
@roles_required(*PARTNERSHIP_ROLES)
def dimensioning_table(partnership_id: int):
    partnership = get_dimensioning_or_404(current_user, partnership_id)
    year = _year()
    return render_template(
        "partnership/dimensioning/table.html",
        partnership=partnership,
        year=year,
        years=_years(partnership, year),
        table=dimensioning(partnership, year),
        kinds=list(PlaceKind),
        can_edit=can_edit_dimensioning(current_user, partnership),
    )


def _name(line: Line) -> str:
    if line.organisation is None:
        return _("Not attributed to a member")
    return line.organisation.name


@bp.route("/<int:partnership_id>/dimensioning.csv")
@roles_required(*PARTNERSHIP_ROLES)
def dimensioning_csv(partnership_id: int):
    """The table as CSV: the same figures, the same suppression ("x")."""
    partnership = get_dimensioning_or_404(current_user, partnership_id)
    year = _year()
    table = dimensioning(partnership, year)

    def number(value: int | None) -> str:
        return "" if value is None else str(value)

    def row(name: str, line: Line) -> list[str]:
        cells = [safe_cell(name)]
        for kind in PlaceKind:
            cells += [number(line.agreed[kind]), number(line.made[kind]), number(line.gap(kind))]
        cells.append("x" if line.waiting.hidden else str(line.waiting.value))
        return cells

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    header = [_("Employer")]
    for kind in PlaceKind:
        header += [
            _("%(programme)s agreed", programme=kind.value),
            _("%(programme)s made", programme=kind.value),
            _("%(programme)s gap", programme=kind.value),
        ]
    header.append(_("Qualified, waiting"))
    writer.writerow(header)
    for line in table.lines:
        writer.writerow(row(_name(line), line))
    writer.writerow(row(_("Total"), table.total))
    audit.record(
        AuditAction.EXPORT, obj=partnership, criterion=f"dimensioning year={year}", commit=True
    )
    filename = f"dimensionering-{partnership.id}-{year}.csv"
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/<int:partnership_id>/dimensioning/edit", methods=["GET", "POST"])
@roles_required(Role.PARTNERSHIP_COORDINATOR)
def edit_dimensioning(partnership_id: int):
    """The agreed numbers of one year: a row per member employer, an SSA and an SSH field."""
    partnership = get_dimensioning_or_404(current_user, partnership_id, edit=True)
    year = _year()
    rows = employers(partnership)
    data = {}
    if request.method == "GET":
        stored = agreed_places(partnership.id, year)
        data = {places_field_name(o, kind): n for (o, kind), n in stored.items()}
        data["seen"] = fingerprint(stored)
    form = agreed_places_form(rows, data=data)
    if form.validate_on_submit():
        values = {
            (o.id, kind): form[places_field_name(o.id, kind)].data
            for o in rows
            for kind in PlaceKind
        }
        here = url_for("partnership.edit_dimensioning", partnership_id=partnership.id, year=year)
        done = redirect(
            url_for("partnership.dimensioning_table", partnership_id=partnership.id, year=year)
        )
        response = editing.save(
            form,
            lambda: save_agreed(partnership, year, values, current_user, seen=form.seen.data or ""),
            stale_url=here,
            done=_("The agreed places for %(year)s were saved.", year=year),
            redirect_to=done,
        )
        if response is not None:
            return response
    return render_template(
        "partnership/dimensioning/edit.html",
        partnership=partnership,
        year=year,
        rows=rows,
        kinds=list(PlaceKind),
        form=form,
        field_name=places_field_name,
    )
