from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app.access import CASE_ROLES, ORG_ADMIN_ROLES, is_system_admin, roles_required
from app.extensions import db
from app.main import bp
from app.models import Programme, Role, Student, StudentStatus

# Counts below this are shown as "fewer than" so no single student can be singled out.
SMALL_COUNT = 5


@bp.route("/")
@login_required
def index():
    if current_user.has_role(*CASE_ROLES):
        return redirect(url_for("students.index"))
    if is_system_admin(current_user) or current_user.has_role(*ORG_ADMIN_ROLES):
        return redirect(url_for("admin.index"))
    if current_user.has_role(Role.ANALYST):
        return redirect(url_for("main.overview"))
    return render_template("main/no_access.html")


@bp.route("/overview")
@roles_required(Role.ANALYST)
def overview():
    """Aggregate figures for the partnership: students per programme and status, no names."""
    rows = db.session.execute(
        select(Programme.code, Programme.name, Student.status, func.count(Student.id))
        .join(Student, Student.programme_id == Programme.id)
        .group_by(Programme.code, Programme.name, Student.status)
        .order_by(Programme.code)
    ).all()
    table: dict[str, dict] = {}
    for code, name, status, count in rows:
        entry = table.setdefault(code, {"name": name, "counts": {}, "total": 0})
        entry["counts"][StudentStatus(status)] = count
        entry["total"] += count
    peak = max((entry["total"] for entry in table.values()), default=0)
    return render_template(
        "main/overview.html",
        table=table,
        statuses=list(StudentStatus),
        small=SMALL_COUNT,
        peak=peak,
    )


@bp.route("/healthz")
def health():
    """For the load balancer and the benchmark's baseline: answers without a database."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}
