"""Insight for the student (docs/domain.md, "Insight for the student"): who has looked at
their case and when, from the access log, by organisation and never by person; and their own
access-request export, the same as the school admin's for them (app.export.download).

The page leaves out the student's own use of Elevsag (their own visits would crowd out
everyone else's); the export has every row. Its queries do not grow with the rows shown.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from flask import current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased, selectinload
from wtforms import SelectField

from app import audit
from app.access.me import (
    get_own_access_request_student_or_404,
    get_own_student_or_404,
    own_access_log,
    student_only,
)
from app.access.twofactor import step_up_required
from app.export import download
from app.export.collect import AUDIT_ACTION, OBJECT_TYPE, acting_organisation_names
from app.extensions import db
from app.forms import BaseForm
from app.me import bp
from app.models import AuditAction, AuditEvent, Organisation, Student
from app.pagination import paginate


class LogRow(NamedTuple):
    """One line of the table: no user but their id, to name the organisation of older rows."""

    id: int
    at: datetime
    action: AuditAction
    object_type: str
    user_id: int | None
    name: str | None  # the organisation recorded with the row


class InsightFilterForm(BaseForm):
    """The organisation filter above the table. Sent by GET, so no CSRF token."""

    class Meta:
        csrf = False

    organisation = SelectField(_l("Organisation"), default="")


@bp.route("/insight")
@student_only
def insight():
    """The access log about the student, newest first: when, which organisation, what kind of
    access and to what kind of information."""
    student = get_own_student_or_404(selectinload(Student.agreements))
    log = own_access_log(student)
    organisation = aliased(Organisation)
    organisations = db.session.execute(
        log.with_only_columns(organisation.id, organisation.name)
        .join_from(AuditEvent, organisation, organisation.id == AuditEvent.organisation_id)
        .distinct()
        .order_by(organisation.name)
    ).all()
    form = InsightFilterForm(request.args)
    form.organisation.choices = [("", _("All organisations"))] + [
        (str(o.id), o.name) for o in organisations
    ]
    # A value that is not one of the choices filters nothing (a stale bookmark, a typo).
    chosen = request.args.get("organisation", type=int)
    if chosen in {o.id for o in organisations}:
        log = log.where(AuditEvent.organisation_id == chosen)
    page = paginate(
        log.with_only_columns(
            AuditEvent.id,
            AuditEvent.at,
            AuditEvent.action,
            AuditEvent.object_type,
            AuditEvent.user_id,
            organisation.name,
        )
        .join_from(
            AuditEvent,
            organisation,
            organisation.id == AuditEvent.organisation_id,
            isouter=True,
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()),
        current_app.config["STUDENTS_PER_PAGE"],
    )
    rows = [LogRow(*row) for row in page.items]
    names = acting_organisation_names(student, rows)
    audit.record_view(student)
    return render_template(
        "me/insight.html",
        student=student,
        form=form,
        page=page,
        rows=rows,
        names=names,
        actions=AUDIT_ACTION,
        object_types=OBJECT_TYPE,
    )


# --- the student's own access-request export ------------------------------------------------
# As the staff export: the student confirms who they are first (their password again), and
# the download is logged as an export.


@bp.route("/insight/export.pdf")
@student_only
@step_up_required
def export_pdf():
    return download.access_request_pdf(get_own_access_request_student_or_404())


@bp.route("/insight/export.json")
@student_only
@step_up_required
def export_json():
    return download.access_request_json(get_own_access_request_student_or_404())


@bp.route("/insight/export-files.zip")
@student_only
@step_up_required
def export_files():
    return download.access_request_files(get_own_access_request_student_or_404())
