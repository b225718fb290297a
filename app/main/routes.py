from __future__ import annotations

import csv
import io

from flask import Response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import NotFound

from app import audit
from app.access import (
    CASE_ROLES,
    ORG_ADMIN_ROLES,
    case_roles_required,
    is_system_admin,
    roles_required,
)
from app.access.figures import figure_choice
from app.access.roles import PARTNERSHIP_ROLES, permitted
from app.csvfile import safe_cell
from app.main import bp, indicators, snapshots
from app.main.tasks import overview_of
from app.models import Role
from app.models.base import today
from app.statistics import SMALL_COUNT


@bp.route("/")
@login_required
def index():
    if current_user.has_role(*CASE_ROLES):
        return redirect(url_for("main.my_overview"))
    if is_system_admin(current_user) or current_user.has_role(*ORG_ADMIN_ROLES):
        return redirect(url_for("admin.index"))
    if current_user.has_role(Role.ANALYST):
        return redirect(url_for("main.overview"))
    if current_user.has_role(Role.PARTNERSHIP_COORDINATOR, Role.LEADER):
        return redirect(url_for("partnership.index"))
    if current_user.has_role(Role.DATA_PROTECTION):
        return redirect(url_for("auditlog.index"))
    if current_user.has_role(Role.STUDENT):
        return redirect(url_for("me.plan"))
    return render_template("main/no_access.html")


@bp.route("/my-overview")
@case_roles_required
def my_overview():
    """ "My overview", where every case role lands: what needs the user today, each part with
    its count, its first entries and a link to the whole list (app.main.tasks)."""
    parts = overview_of(current_user, today())
    audit.record_search({"list": "my-overview"})
    return render_template("main/my_overview.html", parts=parts, today=today())


def _choice():
    """The partnership whose figures the current user looks at (`?partnership=`)."""
    return figure_choice(current_user, request.args.get("partnership"))


@bp.route("/overview")
@roles_required(*PARTNERSHIP_ROLES)
def overview():
    """The partnership's dashboard: aggregate figures, no names (docs/indicators.md).

    First students per programme and status, then the indicators of app.main.indicators by
    the breakdown chosen (`?by=`). Every table has gone through app.statistics' suppression:
    small counts are hidden, and so are the figures that would give them away (totals minus
    the visible cells). The figures are computed ahead (app.main.snapshots, nightly) and
    stored suppressed, so the page reads only what may be shown; a bar is drawn only for a
    visible figure, scaled to the largest visible one, so its length gives nothing hidden
    away either, and a rate only where its numerator and denominator are both visible.

    The figures are the partnership's (app.access.figures); a user in no partnership gets a
    page that says so."""
    scope = _choice()
    if scope.partnership is None:
        return render_template("main/no_partnership.html")
    snapshot = snapshots.current(scope.partnership)
    by = _breakdown()
    return render_template(
        "main/overview.html",
        **snapshot.students(),
        small=SMALL_COUNT,
        by=by,
        breakdowns=indicators.BREAKDOWN_LABEL,
        tables=snapshot.tables(by),
        computed_at=snapshot.computed_at,
        scope=scope,
    )


def _breakdown() -> indicators.Breakdown:
    try:
        return indicators.Breakdown(request.args.get("by", ""))
    except ValueError:
        return indicators.Breakdown.SCHOOL


@bp.route("/overview/<name>.csv")
@roles_required(*PARTNERSHIP_ROLES)
def overview_csv(name: str):
    """One table of the dashboard as CSV: the same figures, the same suppression ("x")."""
    if name not in indicators.TABLES:
        raise NotFound()  # no such table (not an access decision)
    by = _breakdown()
    scope = _choice()
    # A partnership user whose organisation is in no partnership has no figures to download.
    permitted(scope, sees=scope.partnership is not None)
    table = snapshots.current(scope.partnership).table(name, by)
    figures = table.figures

    def shown(figure) -> str:
        return "x" if figure.hidden else str(figure.value)

    def rates(row) -> list[str]:
        values = [table.rate(row, rate) for rate in table.rates]
        return ["x" if v is None else f"{v:.1f}".replace(".", ",") for v in values]

    def sums(row) -> list[str]:
        if table.sums is None:
            return []
        figure = table.sums.total if row is None else table.sums.rows[row]
        return ["x" if figure.hidden else f"{figure.value:.1f}".replace(".", ",")]

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        safe_cell(h)
        for h in [
            table.row_heading,
            *(table.column_labels[c] for c in table.columns),
            _("Total"),
            *(f"{rate.label} (%)" for rate in table.rates),
            *([f"{table.sums.label} ({_('hours')})"] if table.sums else []),
        ]
    )
    for row in table.rows:
        writer.writerow(
            [
                safe_cell(table.row_labels[row]),
                *(shown(figures.cells[(row, c)]) for c in table.columns),
                shown(figures.row_totals[row]),
                *rates(row),
                *sums(row),
            ]
        )
    writer.writerow(
        [
            _("Total"),
            *(shown(figures.column_totals[c]) for c in table.columns),
            shown(figures.grand_total),
            *rates(None),
            *sums(None),
        ]
    )
    audit.record_search(
        {"list": f"overview-{name}", "by": by.value, "partnership": scope.partnership.id}
    )
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": (
                f'attachment; filename="elevsag-{name}-{by.value}-{scope.partnership.id}.csv"'
            )
        },
    )


@bp.route("/healthz")
def health():
    """For the load balancer and the benchmark's baseline: answers without a database."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}
