"""Import pages: upload a file, see what it will do row by row (the dry run), confirm or cancel;
and create the plans of a class team. See docs/import.md."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select

from app.access import imports as rules
from app.access.roles import roles_required
from app.editing import RuleError, field_error
from app.extensions import db
from app.forms import ButtonForm
from app.imports import bp, services
from app.imports.forms import TeamPlanForm, UploadForm
from app.imports.reading import (
    AGREEMENT_COLUMNS,
    MAX_BYTES,
    STUDENT_COLUMNS,
    FileRefused,
    read_rows,
)
from app.models import ClassTeam, Enrolment, ImportKind, Programme

ROWS_PER_PAGE = 50

_COLUMNS = {ImportKind.STUDENTS: STUDENT_COLUMNS, ImportKind.AGREEMENTS: AGREEMENT_COLUMNS}


class ListPagination(Pagination):
    """A page of a list held in memory (the preview's rows), for the pagination macro."""

    def _query_items(self) -> list:
        items = self._query_args["items"]
        return items[self._query_offset : self._query_offset + self.per_page]

    def _query_count(self) -> int:
        return len(self._query_args["items"])


def _links() -> dict[str, bool]:
    return {
        "can_import_students": rules.can_import_students(current_user),
        "can_import_agreements": rules.can_import_agreements(current_user),
        "can_create_team_plans": rules.can_create_team_plans(current_user),
    }


@bp.route("/")
@roles_required(*rules.IMPORT_ROLES)
def index():
    services.delete_expired()  # also `flask imports prune`, for when nobody comes here
    db.session.commit()
    return render_template("imports/index.html", **_links())


def _upload(kind: ImportKind):
    form = UploadForm()
    organisations = rules.importable_organisations(current_user, kind)
    form.organisation.choices = [(str(o.id), o.name) for o in organisations]
    if form.validate_on_submit():
        organisation = rules.get_import_organisation_or_404(
            current_user, kind, form.organisation.data
        )
        upload = form.file.data
        try:
            # One byte past the limit is enough to refuse a file that is too large.
            rows = read_rows(upload.read(MAX_BYTES + 1), _COLUMNS[kind])
        except FileRefused as refused:
            form.file.errors.append(refused.message)
        else:
            batch = services.new_batch(
                kind, organisation, current_user, upload.filename or "", rows
            )
            db.session.commit()
            return redirect(url_for("imports.batch", batch_id=batch.id))
    return render_template(
        "imports/upload.html", form=form, kind=kind.value, columns=_COLUMNS[kind]
    )


@bp.route("/students", methods=["GET", "POST"])
@roles_required(*rules.STUDENT_IMPORT_ROLES)
def students():
    return _upload(ImportKind.STUDENTS)


@bp.route("/agreements", methods=["GET", "POST"])
@roles_required(*rules.AGREEMENT_IMPORT_ROLES)
def agreements():
    return _upload(ImportKind.AGREEMENTS)


@bp.route("/<int:batch_id>")
@roles_required(*rules.IMPORT_ROLES)
def batch(batch_id: int):
    """The preview: how far the check has come, and once it is done, every row's outcome."""
    batch = rules.get_batch_or_404(current_user, batch_id)
    show = request.args.get("show", "")
    results = batch.results or []
    listed = [r for r in results if r["action"] == show] if show else results
    page = ListPagination(
        items=listed,
        page=request.args.get("page", 1, type=int),
        per_page=ROWS_PER_PAGE,
        max_per_page=None,
        error_out=False,
    )
    return render_template(
        "imports/batch.html",
        batch=batch,
        counts=services.counts(results),
        page=page,
        show=show,
        form=ButtonForm(),
        chunk=services.CHUNK,
    )


@bp.route("/<int:batch_id>/check", methods=["POST"])
@roles_required(*rules.IMPORT_ROLES)
def check(batch_id: int):
    """Check the next rows: one chunk for the progress bar's script (answers JSON), or, from
    the plain form without JavaScript, every row that is left."""
    batch = rules.get_batch_or_404(current_user, batch_id)
    form = ButtonForm()
    if not form.validate_on_submit():
        flash(_("The form had expired. Try again."), "error")
        return redirect(url_for("imports.batch", batch_id=batch.id))
    wants_json = request.args.get("chunk") == "1"
    services.check_next(batch, services.CHUNK if wants_json else None)
    db.session.commit()
    if wants_json:
        return jsonify(checked=batch.checked, total=batch.total, done=batch.is_checked)
    return redirect(url_for("imports.batch", batch_id=batch.id))


@bp.route("/<int:batch_id>/confirm", methods=["POST"])
@roles_required(*rules.IMPORT_ROLES)
def confirm(batch_id: int):
    batch = rules.get_batch_or_404(current_user, batch_id)
    form = ButtonForm()
    if not form.validate_on_submit() or not batch.is_checked:
        flash(_("Check the rows before you import them."), "error")
        return redirect(url_for("imports.batch", batch_id=batch.id))
    kind = batch.kind
    found = services.apply(batch, current_user)
    db.session.commit()
    flash(
        _(
            "The import is done: %(created)d created, %(updated)d updated, %(unchanged)d "
            "unchanged, %(refused)d refused.",
            created=found[services.CREATE],
            updated=found[services.UPDATE],
            unchanged=found[services.UNCHANGED],
            refused=found[services.REFUSED],
        ),
        "success",
    )
    if kind == ImportKind.STUDENTS and rules.can_create_team_plans(current_user):
        return redirect(url_for("imports.plans"))
    return redirect(url_for("imports.index"))


@bp.route("/<int:batch_id>/cancel", methods=["POST"])
@roles_required(*rules.IMPORT_ROLES)
def cancel(batch_id: int):
    batch = rules.get_batch_or_404(current_user, batch_id)
    if ButtonForm().validate_on_submit():
        db.session.delete(batch)
        db.session.commit()
        flash(_("The import was cancelled. Nothing was stored."), "success")
    return redirect(url_for("imports.index"))


@bp.route("/plans", methods=["GET", "POST"])
@roles_required(*rules.BULK_PLAN_ROLES)
def plans():
    """Create the plans of a whole class team from the programme's template."""
    form = TeamPlanForm()
    size = (
        select(func.count(Enrolment.id))
        .where(Enrolment.class_team_id == ClassTeam.id)
        .scalar_subquery()
    )
    teams = db.session.execute(
        rules.team_plan_teams(current_user)
        .add_columns(Programme.code, size)
        .join(Programme, Programme.id == ClassTeam.programme_id)
        .order_by(ClassTeam.start_date.desc(), ClassTeam.code)
    ).all()
    form.team.choices = [
        (
            str(team.id),
            _(
                "%(team)s (%(programme)s, %(count)d students)",
                team=team.code,
                programme=Programme.display_code(code),
                count=count,
            ),
        )
        for team, code, count in teams
    ]
    result = None
    if form.validate_on_submit():
        team = rules.get_team_or_404(current_user, form.team.data)
        try:
            result = services.create_team_plans(team, form.start_date.data, current_user)
        except RuleError as error:
            db.session.rollback()
            field_error(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "%(created)d plans created, %(skipped)d students skipped.",
                    created=result.created,
                    skipped=len(result.skipped),
                ),
                "success",
            )
    return render_template("imports/plans.html", form=form, result=result, has_teams=bool(teams))
