from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app import audit
from app.access import (
    CASE_ROLES,
    ORG_ADMIN_ROLES,
    case_roles_required,
    is_system_admin,
    roles_required,
)
from app.extensions import db
from app.main import bp
from app.main.tasks import overview_of
from app.models import Programme, Role, Student, StudentStatus
from app.models.base import today
from app.statistics import SMALL_COUNT, suppress


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
    return render_template("main/no_access.html")


@bp.route("/my-overview")
@case_roles_required
def my_overview():
    """ "My overview", where every case role lands: what needs the user today, each part with
    its count, its first entries and a link to the whole list (app.main.tasks)."""
    parts = overview_of(current_user, today())
    audit.record_search({"list": "my-overview"})
    return render_template("main/my_overview.html", parts=parts, today=today())


@bp.route("/overview")
@roles_required(Role.ANALYST)
def overview():
    """Aggregate figures for the partnership: students per programme and status, no names.

    Small counts are hidden with app.statistics.suppress, and so are the figures that would
    give them away (totals minus the visible cells). Only the figures it leaves visible reach
    the template; a bar is drawn only for a visible row total, scaled to the largest visible
    one, so its length gives nothing hidden away either."""
    rows = db.session.execute(
        select(Programme.code, Programme.name, Student.status, func.count(Student.id))
        .join(Student, Student.programme_id == Programme.id)
        .group_by(Programme.code, Programme.name, Student.status)
        .order_by(Programme.code)
    ).all()
    names: dict[str, str] = {}
    counts: dict[tuple[str, StudentStatus], int] = {}
    for code, name, status, count in rows:
        names[code] = name
        counts[(code, StudentStatus(status))] = count
    statuses = list(StudentStatus)
    table = suppress(counts, list(names), statuses)
    shown = {code: table.row_totals[code].shown for code in names}
    peak = max((t for t in shown.values() if t is not None), default=0)
    return render_template(
        "main/overview.html",
        names=names,
        statuses=statuses,
        cells={key: figure.shown for key, figure in table.cells.items()},
        row_totals=shown,
        column_totals={s: table.column_totals[s].shown for s in statuses},
        grand_total=table.grand_total.shown,
        small=SMALL_COUNT,
        peak=peak,
    )


@bp.route("/healthz")
def health():
    """For the load balancer and the benchmark's baseline: answers without a database."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}
