"""Support needs, measures, the SPS application steps, consent, follow-ups and exports.

Every view loads through the app.access.support loaders: the student (404 if hidden), then
the support object scoped to that student (404 if another student's or not visible to this
user); a change also needs the right to edit (403).
"""

from __future__ import annotations

import csv
import io

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import access, audit, editing, labels
from app.access import case_roles_required, roles_required
from app.access.twofactor import step_up_required
from app.attachments.queries import attachments_of
from app.csvfile import safe_cell
from app.extensions import db
from app.forms import ButtonForm
from app.models import (
    AuditAction,
    Consent,
    ConsentCategory,
    ConsentChannel,
    MeasureProvider,
    Membership,
    Organisation,
    Period,
    Role,
    SpsStage,
    Student,
    SupportCategory,
    SupportMeasure,
    SupportNeed,
    User,
)
from app.models.base import local_date, today
from app.pagination import paginate
from app.pdf import pdf_download, render_pdf
from app.support import bp, services
from app.support.forms import ArrangementForm, ConsentForm, MeasureForm, NeedForm, SpsStepForm
from app.support.queries import (
    my_follow_ups,
    record_support_view,
    support_summary,
)


def _overview_url(student: Student) -> str:
    return url_for("support.overview", student_id=student.id)


# --- the student's support page ---------------------------------------------------------------


@bp.route("/students/<int:student_id>/support")
@case_roles_required
def overview(student_id: int):
    student = access.support.get_support_student_or_404(student_id)
    summary = support_summary(current_user, student)
    consents = []
    if summary.view.school:
        consents = (
            db.session.execute(
                select(Consent)
                .where(Consent.student_id == student.id)
                .options(
                    joinedload(Consent.recipient),
                    joinedload(Consent.recorded_by),
                    joinedload(Consent.withdrawn_by),
                )
                .order_by(Consent.withdrawn_at.is_not(None), Consent.recorded_at.desc())
            )
            .scalars()
            .all()
        )
    record_support_view(student, summary)
    return render_template(
        "support/overview.html",
        student=student,
        summary=summary,
        consents=consents,
        attachments=attachments_of([("need", n.id) for n in summary.needs]),
        can_record_workplace=access.can_record_workplace_support(current_user, student),
        can_ask_for_help=access.help.can_ask_for_help(current_user, student),
        help_requests=access.help.student_help_requests(current_user, student),
        can_answer_help=access.help.can_answer_help(current_user, student),
        button_form=ButtonForm(),
        today=today(),
    )


# --- support needs ----------------------------------------------------------------------------


def _category_choices(current: SupportCategory | None = None) -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(SupportCategory)
        .where(
            (SupportCategory.active.is_(True))
            | (SupportCategory.id == getattr(current, "id", None))
        )
        .order_by(SupportCategory.position, SupportCategory.name)
    ).scalars()
    locale = str(_locale())
    return [("", _("Choose a category"))] + [(str(c.id), c.label(locale)) for c in rows]


def _locale():
    from flask_babel import get_locale

    return get_locale() or "da"


def _need_change(form: NeedForm) -> services.NeedChange | None:
    category = db.session.get(SupportCategory, int(form.category.data))
    if category is None:
        form.category.errors.append(_l("Please choose a category."))
        return None
    return services.NeedChange(
        category=category,
        description=form.description.data,
        documentation_kind=form.documentation_kind.data,
        documentation_date=form.documentation_date.data,
        status=form.status.data,
    )


def _warn_if_outdated(need: SupportNeed) -> None:
    if need.documentation_outdated(today()):
        flash(
            _("The audiogram is more than 4 years old; SPS needs a newer one."),
            "warning",
        )


@bp.route("/students/<int:student_id>/support/needs/new", methods=["GET", "POST"])
@roles_required(*access.SUPPORT_EDIT_ROLES)
def new_need(student_id: int):
    student = access.support.get_support_student_or_404(student_id, edit=True)
    form = NeedForm()
    form.category.choices = _category_choices()
    if form.validate_on_submit():
        change = _need_change(form)
        if change is not None:
            saved: list[SupportNeed] = []
            response = editing.save(
                form,
                lambda: saved.append(services.flag_need(student, change)),
                stale_url=request.url,
                done=_("The support need was recorded."),
                redirect_to=redirect(_overview_url(student)),
            )
            if response:
                _warn_if_outdated(saved[0])
                return response
    return render_template("support/need_form.html", student=student, form=form, need=None)


@bp.route("/students/<int:student_id>/support/needs/<int:need_id>/edit", methods=["GET", "POST"])
@roles_required(*access.SUPPORT_EDIT_ROLES)
def edit_need(student_id: int, need_id: int):
    student = access.support.get_support_student_or_404(student_id, edit=True)
    need = access.support.get_need_or_404(student, need_id)
    form = NeedForm(obj=need if request.method == "GET" else None)
    form.category.choices = _category_choices(need.category)
    if request.method == "GET":
        form.category.data = str(need.category_id)
    if form.validate_on_submit():
        change = _need_change(form)
        if change is not None:
            response = editing.save(
                form,
                lambda: services.change_need(student, need, change, form.seen_version()),
                stale_url=request.url,
                done=_("The support need was saved."),
                redirect_to=redirect(_overview_url(student)),
            )
            if response:
                _warn_if_outdated(need)
                return response
    return render_template(
        "support/need_form.html",
        student=student,
        form=form,
        need=need,
        attachments=attachments_of([("need", need.id)]),
    )


# --- support measures -------------------------------------------------------------------------


def _owner_choices(student: Student) -> list[tuple[str, str]]:
    """Counsellors and contact teachers at the student's school follow measures up."""
    users = db.session.execute(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            User.active.is_(True),
            Membership.organisation_id == student.school_id,
            Membership.role.in_([Role.COUNSELLOR, Role.TEACHER]),
        )
        .distinct()
        .order_by(User.name)
    ).scalars()
    return [(str(u.id), u.name) for u in users]


def _measure_form(student: Student, measure: SupportMeasure | None) -> MeasureForm:
    form = MeasureForm(obj=measure if request.method == "GET" else None)
    form.owner.choices = _owner_choices(student)
    needs = db.session.execute(
        select(SupportNeed)
        .where(SupportNeed.student_id == student.id)
        .options(joinedload(SupportNeed.category))
        .order_by(SupportNeed.flagged_at)
    ).scalars()
    locale = str(_locale())
    form.need.choices = [("", _("None"))] + [(str(n.id), n.category.label(locale)) for n in needs]
    periods = db.session.execute(
        select(Period).where(Period.student_id == student.id).order_by(Period.start_date)
    ).scalars()
    form.periods.choices = [
        (
            str(p.id),
            f"{p.title or labels.PERIOD_KIND[p.kind]}"
            f" ({p.start_date:%d.%m.%Y}–{p.end_date:%d.%m.%Y})",
        )
        for p in periods
    ]
    if request.method == "GET":
        if measure is None:
            form.owner.data = str(current_user.id)
            form.start_date.data = today()
        else:
            form.owner.data = str(measure.owner_id or "")
            form.need.data = str(measure.need_id or "")
            form.periods.data = [str(p.id) for p in measure.periods]
    return form


def _measure_change(form: MeasureForm, student: Student) -> services.MeasureChange:
    need = None
    if form.need.data:
        need = db.session.execute(
            select(SupportNeed).where(
                SupportNeed.id == int(form.need.data), SupportNeed.student_id == student.id
            )
        ).scalar_one()
    period_ids = [int(p) for p in form.periods.data]
    periods = (
        db.session.execute(
            select(Period).where(Period.id.in_(period_ids), Period.student_id == student.id)
        )
        .scalars()
        .all()
        if period_ids
        else []
    )
    return services.MeasureChange(
        type=form.type.data,
        provider=form.provider.data,
        need=need,
        description=form.description.data,
        start_date=form.start_date.data,
        end_date=form.end_date.data,
        periods=list(periods),
        hours_granted=form.hours_granted.data,
        hours_used=form.hours_used.data,
        owner=db.session.get(User, int(form.owner.data)),
        next_follow_up=form.next_follow_up.data,
        evaluation=form.evaluation.data,
        status=form.status.data,
    )


@bp.route("/students/<int:student_id>/support/measures/new", methods=["GET", "POST"])
@roles_required(*access.SUPPORT_EDIT_ROLES)
def new_measure(student_id: int):
    student = access.support.get_support_student_or_404(student_id, edit=True)
    form = _measure_form(student, None)
    if form.validate_on_submit():
        response = editing.save(
            form,
            lambda: services.add_measure(student, _measure_change(form, student)),
            stale_url=request.url,
            done=_("The support measure was recorded."),
            redirect_to=redirect(_overview_url(student)),
        )
        if response:
            return response
    return render_template("support/measure_form.html", student=student, form=form, measure=None)


@bp.route(
    "/students/<int:student_id>/support/measures/<int:measure_id>/edit", methods=["GET", "POST"]
)
@roles_required(*access.SUPPORT_EDIT_ROLES)
def edit_measure(student_id: int, measure_id: int):
    student = access.support.get_support_student_or_404(student_id, edit=True)
    measure = access.support.get_measure_or_404(student, measure_id, edit=True)
    form = _measure_form(student, measure)
    if form.validate_on_submit():
        response = editing.save(
            form,
            lambda: services.change_measure(
                student, measure, _measure_change(form, student), form.seen_version()
            ),
            stale_url=request.url,
            done=_("The support measure was saved."),
            redirect_to=redirect(
                url_for("support.measure", student_id=student.id, measure_id=measure.id)
            ),
        )
        if response:
            return response
    return render_template("support/measure_form.html", student=student, form=form, measure=measure)


# --- support arranged at the workplace (the employer's record) ---------------------------------


def _employer_owner_choices(employer_ids: set[int]) -> list[tuple[str, str]]:
    """The employer's practice supervisors and training coordinators follow it up."""
    users = db.session.execute(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            User.active.is_(True),
            Membership.organisation_id.in_(employer_ids),
            Membership.role.in_(list(access.WORKPLACE_SUPPORT_ROLES)),
        )
        .distinct()
        .order_by(User.name)
    ).scalars()
    return [(str(u.id), u.name) for u in users]


def _arrangement_form(
    student: Student, periods: list[Period], measure: SupportMeasure | None
) -> ArrangementForm:
    form = ArrangementForm(obj=measure if request.method == "GET" else None)
    form.period.choices = [("", _("Choose a training period"))] + [
        (
            str(p.id),
            f"{p.title or labels.PERIOD_KIND[p.kind]}, {p.workplace.name}"
            f" ({p.start_date:%d.%m.%Y}–{p.end_date:%d.%m.%Y})",
        )
        for p in periods
    ]
    employers = {p.workplace.organisation_id for p in periods}
    form.owner.choices = _employer_owner_choices(employers)
    if request.method == "GET":
        if measure is None:
            current = next((p for p in periods if p.start_date <= today() <= p.end_date), None)
            chosen = current or (periods[-1] if periods else None)
            form.period.data = str(chosen.id) if chosen else ""
            form.start_date.data = max(today(), chosen.start_date) if chosen else today()
            form.owner.data = str(current_user.id)
        else:
            form.period.data = str(measure.periods[0].id) if measure.periods else ""
            form.owner.data = str(measure.owner_id or "")
    return form


def _arrangement_change(form: ArrangementForm, period: Period) -> services.MeasureChange:
    return services.MeasureChange(
        type=form.type.data,
        provider=MeasureProvider.WORKPLACE,
        need=None,
        description=form.description.data,
        start_date=form.start_date.data,
        end_date=form.end_date.data,
        periods=[period],
        hours_granted=None,
        hours_used=None,
        owner=db.session.get(User, int(form.owner.data)),
        next_follow_up=form.next_follow_up.data,
        evaluation=form.evaluation.data or "",
        status=form.status.data,
    )


def _chosen_period(form: ArrangementForm, periods: list[Period]) -> Period | None:
    chosen = next((p for p in periods if str(p.id) == form.period.data), None)
    if chosen is None:
        form.period.errors.append(_l("Please choose the training period."))
    return chosen


@bp.route("/students/<int:student_id>/support/workplace/new", methods=["GET", "POST"])
@roles_required(*access.WORKPLACE_SUPPORT_ROLES)
def new_arrangement(student_id: int):
    student = access.support.get_workplace_support_student_or_404(student_id)
    periods = access.support.workplace_support_periods(current_user, student)
    form = _arrangement_form(student, periods, None)
    if form.validate_on_submit():
        period = _chosen_period(form, periods)
        if period is not None:
            response = editing.save(
                form,
                lambda: services.add_arrangement(
                    student,
                    _arrangement_change(form, period),
                    period.workplace.organisation,
                    form.health_related.data,
                ),
                stale_url=request.url,
                done=_("The support arranged at the workplace was recorded."),
                redirect_to=redirect(_overview_url(student)),
            )
            if response:
                return response
    return render_template(
        "support/arrangement_form.html", student=student, form=form, measure=None
    )


@bp.route(
    "/students/<int:student_id>/support/workplace/<int:arrangement_id>/edit",
    methods=["GET", "POST"],
)
@roles_required(*access.WORKPLACE_SUPPORT_ROLES)
def edit_arrangement(student_id: int, arrangement_id: int):
    student = access.support.get_support_student_or_404(student_id)
    measure = access.support.get_arrangement_or_404(student, arrangement_id)
    periods = [
        p
        for p in access.support.workplace_support_periods(current_user, student)
        if p.workplace.organisation_id == measure.organisation_id
    ]
    form = _arrangement_form(student, periods, measure)
    if form.validate_on_submit():
        period = _chosen_period(form, periods)
        if period is not None:
            url = url_for("support.measure", student_id=student.id, measure_id=measure.id)
            response = editing.save(
                form,
                lambda: services.change_arrangement(
                    student,
                    measure,
                    _arrangement_change(form, period),
                    form.health_related.data,
                    form.seen_version(),
                ),
                stale_url=request.url,
                done=_("The support arranged at the workplace was saved."),
                redirect_to=redirect(url),
            )
            if response:
                return response
    return render_template(
        "support/arrangement_form.html", student=student, form=form, measure=measure
    )


def _step_form(measure: SupportMeasure) -> SpsStepForm:
    form = SpsStepForm(obj=measure if request.method == "GET" else None)
    form.stage.choices = [(s.value, labels.SPS_STAGE[s]) for s in services.next_stages(measure)]
    if request.method == "GET":
        form.date.data = today()
    return form


@bp.route("/students/<int:student_id>/support/measures/<int:measure_id>")
@case_roles_required
def measure(student_id: int, measure_id: int):
    student = access.support.get_support_student_or_404(student_id)
    measure = access.support.get_measure_or_404(student, measure_id)
    audit.record(AuditAction.VIEW, student=student, obj=measure, criterion="support", commit=True)
    return render_template(
        "support/measure.html",
        student=student,
        measure=measure,
        step_form=_step_form(measure),
        can_edit=access.support.can_edit_measure(current_user, student, measure),
        attachments=_measure_attachments(measure),
        today=today(),
    )


def _measure_attachments(measure: SupportMeasure):
    """The files on the measure and on its SPS steps (one query)."""
    return attachments_of(
        [("measure", measure.id)] + [("sps_step", step.id) for step in measure.steps]
    )


@bp.route("/students/<int:student_id>/support/measures/<int:measure_id>/sps", methods=["POST"])
@roles_required(*access.SUPPORT_EDIT_ROLES)
def add_sps_step(student_id: int, measure_id: int):
    student = access.support.get_support_student_or_404(student_id, edit=True)
    measure = access.support.get_measure_or_404(student, measure_id, sps=True, edit=True)
    form = _step_form(measure)
    url = url_for("support.measure", student_id=student.id, measure_id=measure.id)
    if form.validate_on_submit():
        returned = {"yes": True, "no": False}.get(form.equipment_returned.data)
        response = editing.save(
            form,
            lambda: services.add_sps_step(
                student,
                measure,
                SpsStage(form.stage.data),
                form.date.data,
                form.note.data or "",
                returned,
                form.seen_version(),
            ),
            stale_url=url,
            done=_("The step was recorded."),
            redirect_to=redirect(url),
        )
        if response:
            return response
    return render_template(
        "support/measure.html",
        student=student,
        measure=measure,
        step_form=form,
        can_edit=True,
        attachments=_measure_attachments(measure),
        today=today(),
    )


# --- consent ----------------------------------------------------------------------------------


def _recipient_choices(student: Student) -> list[tuple[str, str]]:
    """The student's employers: the organisations whose staff and supervisors see the student."""
    employers = {a.employer for a in student.agreements}
    return [("", _("Choose an organisation"))] + [
        (str(o.id), o.name) for o in sorted(employers, key=lambda o: o.name)
    ]


@bp.route("/students/<int:student_id>/consents/new", methods=["GET", "POST"])
@roles_required(*access.SUPPORT_EDIT_ROLES)
def new_consent(student_id: int):
    student = access.support.get_support_student_or_404(student_id, edit=True)
    form = ConsentForm()
    form.recipient.choices = _recipient_choices(student)
    if request.method == "GET":
        form.valid_from.data = today()
    if form.validate_on_submit():
        recipient = db.session.get(Organisation, int(form.recipient.data))
        response = editing.save(
            form,
            lambda: services.give_consents(
                student,
                [ConsentCategory(c) for c in form.category.data],
                recipient,
                form.valid_from.data,
                form.valid_to.data,
                form.note.data or "",
                ConsentChannel.PAPER,
            ),
            stale_url=request.url,
            done=ngettext(
                "One consent was recorded.",
                "%(num)d consents were recorded, one for each category.",
                len(form.category.data),
            ),
            redirect_to=redirect(_overview_url(student) + "#consents"),
        )
        if response:
            return response
    return render_template("support/consent_form.html", student=student, form=form)


@bp.route("/students/<int:student_id>/consents/<int:consent_id>/withdraw", methods=["POST"])
@roles_required(*access.SUPPORT_EDIT_ROLES)
def withdraw_consent(student_id: int, consent_id: int):
    student = access.support.get_support_student_or_404(student_id, edit=True)
    consent = db.one_or_404(
        select(Consent)
        .where(Consent.id == consent_id, Consent.student_id == student.id)
        .options(joinedload(Consent.recipient))
    )
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.withdraw_consent(student, consent, ConsentChannel.PAPER)
        db.session.commit()
        flash(_("The consent was withdrawn. It stops access at once."), "success")
    except editing.RuleError as error:
        db.session.rollback()
        flash(error.message, "error")
    return redirect(_overview_url(student) + "#consents")


# --- my follow-ups ----------------------------------------------------------------------------


@bp.route("/follow-ups")
@roles_required(*access.SUPPORT_EDIT_ROLES, Role.TEACHER)
def follow_ups():
    """Measures I own whose follow-up is due within two weeks or overdue."""
    query = my_follow_ups(current_user)
    page = paginate(query, current_app.config["STUDENTS_PER_PAGE"], entities=True)
    audit.record_search({"list": "follow-ups"})
    return render_template("support/follow_ups.html", page=page, today=today())


# --- exports ----------------------------------------------------------------------------------


def _exported_summary(student_id: int):
    """The student and what the user sees of their support, its export logged."""
    student = access.support.get_support_student_or_404(student_id)
    summary = support_summary(current_user, student)
    record_support_view(student, summary, AuditAction.EXPORT)
    if not summary.shows_details:
        audit.record(AuditAction.EXPORT, student=student, commit=True)
    return student, summary


@bp.route("/students/<int:student_id>/support.pdf")
@case_roles_required
@step_up_required
def support_pdf(student_id: int):
    student, summary = _exported_summary(student_id)
    pdf = render_pdf(
        "pdf/support.html",
        student=student,
        summary=summary,
        printed_by=current_user,
        today=today(),
    )
    return pdf_download(pdf, f"stoette-{student.student_number}.pdf")


@bp.route("/students/<int:student_id>/support.csv")
@case_roles_required
@step_up_required
def support_csv(student_id: int):
    student, summary = _exported_summary(student_id)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([_("Record"), _("Type"), _("Description"), _("From"), _("To"), _("Status")])
    locale = str(_locale())
    for need in summary.needs:
        writer.writerow(
            safe_row(
                _("Support need"),
                need.category.label(locale),
                need.description,
                local_date(need.flagged_at).isoformat(),
                need.resolved_on.isoformat() if need.resolved_on else "",
                labels.SUPPORT_NEED_STATUS[need.status],
            )
        )
    for m in summary.measures:
        writer.writerow(
            safe_row(
                _("Support measure"),
                labels.MEASURE_TYPE[m.type],
                m.description,
                m.start_date.isoformat(),
                m.end_date.isoformat() if m.end_date else "",
                labels.MEASURE_STATUS[m.status],
            )
        )
    if summary.hidden:
        names = ", ".join(u.name for u in summary.contacts)
        writer.writerow(safe_row(_("Support is agreed"), "", names, "", "", ""))
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="stoette-{student.student_number}.csv"'
        },
    )


def safe_row(*values) -> list[str]:
    return [safe_cell(v) for v in values]
