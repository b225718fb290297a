"""The access-log review (docs/access-log.md): the filtered log, its CSV export and the flags
for unusual reading. Who sees which rows is decided in app.access.auditlog; reading and
exporting the log are themselves logged (object type "access_log")."""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from app import audit
from app.access.auditlog import access_log_reviewers
from app.access.twofactor import step_up_required
from app.auditlog import bp, flags, queries
from app.auditlog.forms import FlagPeriodForm, LogFilterForm
from app.csvfile import csv_download
from app.export.collect import AUDIT_ACTION, OBJECT_TYPE
from app.extensions import db
from app.models import AuditAction
from app.models.base import local_zone, today
from app.pagination import paginate


def _criterion(criteria: dict[str, object]) -> str:
    text = "; ".join(f"{k}={v}" for k, v in criteria.items() if v not in ("", None))
    return text or "(all)"


def _filter_form() -> LogFilterForm:
    form = LogFilterForm(request.args)
    form.user.choices = [("", _("All users")), *queries.user_choices(current_user)]
    return form


def _filtered(form: LogFilterForm):
    """The filtered log, or nothing while the filters have errors (they are shown instead)."""
    if not form.validate():
        return None
    return queries.filtered_log(
        current_user,
        user_id=form.user_id(),
        student=form.student.data,
        action=form.action.data,
        date_from=form.date_from.data,
        date_to=form.date_to.data,
    )


@bp.route("/")
@access_log_reviewers
def index():
    form = _filter_form()
    query = _filtered(form)
    page = None
    if query is not None:
        page = paginate(query, current_app.config["ADMIN_ROWS_PER_PAGE"])
    audit.record(
        AuditAction.VIEW,
        object_type=queries.ACCESS_LOG,
        criterion=_criterion(form.criteria()) if query is not None else "(invalid filter)",
        commit=True,
    )
    return render_template(
        "auditlog/index.html",
        form=form,
        page=page,
        rows=[queries.LogRow(*row) for row in page.items] if page else [],
        actions=AUDIT_ACTION,
        object_types=OBJECT_TYPE,
        export_args={k: v for k, v in request.args.items() if k != "page"},
    )


@bp.route("/export.csv")
@access_log_reviewers
@step_up_required
def export_csv():
    """The filtered rows as CSV (all of them, not one page). Logged as an export first."""
    form = _filter_form()
    query = _filtered(form)
    if query is None:
        return index()  # the page, with the errors at the fields
    audit.record(
        AuditAction.EXPORT,
        object_type=queries.ACCESS_LOG,
        criterion=_criterion(form.criteria()),
        commit=True,
    )
    rows = [queries.LogRow(*row) for row in db.session.execute(query)]
    zone = local_zone()
    header = [
        _("Date and time"),
        _("User"),
        _("E-mail"),
        _("Action"),
        _("Information"),
        _("Object id"),
        _("Student"),
        _("Student number"),
        _("Criterion"),
    ]
    body = (
        [
            r.at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
            r.user_name or "",
            r.user_email or "",
            AUDIT_ACTION.get(r.action, r.action),
            OBJECT_TYPE.get(r.object_type, r.object_type),
            r.object_id if r.object_id is not None else "",
            r.student_name or "",
            r.student_number or "",
            r.criterion,
        ]
        for r in rows
    )
    return csv_download(f"adgangslog-{today().isoformat()}.csv", header, body)


@bp.route("/flags")
@access_log_reviewers
def flag_list():
    """Flags for unusual reading over a period (by default the last 30 days)."""
    args = request.args if request.args else None
    form = FlagPeriodForm(args)
    if args is None:
        form.date_from.data, form.date_to.data = flags.default_period(today())
        valid = True
    else:
        valid = form.validate()
    found = flags.flags_for(current_user, *form.period()) if valid else []
    audit.record(
        AuditAction.VIEW,
        object_type=queries.ACCESS_LOG,
        criterion=_criterion(
            {"list": "flags", "from": form.date_from.data, "to": form.date_to.data}
        )
        if valid
        else "flags (invalid period)",
        commit=True,
    )
    return render_template(
        "auditlog/flags.html",
        form=form,
        valid=valid,
        flags=found,
        rules=flags,
    )
