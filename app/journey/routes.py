"""Plan editing, dropout, agreements, handover notes, transition lists and notifications."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from app import access, audit, editing
from app.access import case_roles_required, get_student_or_404, roles_required
from app.editing import RuleError
from app.extensions import db
from app.forms import ButtonForm, without_required
from app.history import case_history, targets_of
from app.journey import bp, enrolments, services
from app.journey import handovers as ho
from app.journey.forms import (
    AcknowledgeForm,
    AgreementForm,
    CompleteForm,
    DropoutForm,
    EndLeaveForm,
    EnrolForm,
    ExtendForm,
    HandoverForm,
    LeaveForm,
    PeriodForm,
    PlanForm,
    ReadmitForm,
    TransferForm,
    UpcomingForm,
)
from app.models import (
    AuditAction,
    ClassTeam,
    Membership,
    Notification,
    NotificationKind,
    Organisation,
    OrganisationKind,
    Period,
    PeriodKind,
    Programme,
    ProgrammeLevel,
    Role,
    Student,
    TrainingAgreement,
    User,
    Workplace,
)
from app.models.base import today, utcnow
from app.pagination import paginate
from app.support.queries import agreed_support_text


def _back(student: Student):
    return redirect(url_for("students.show", student_id=student.id))


def _save(form, change, student: Student, *, stale_url: str, done: str):
    """Save a valid post of a plan form and go back to the student page (None: show the form)."""
    return editing.submit(form, change, stale_url=stale_url, done=done, redirect_to=_back(student))


# --- choice lists -------------------------------------------------------------------------


def _workplace_choices(student: Student) -> list[tuple[str, str]]:
    """Workplaces of the student's employers; staff of an employer only see their own."""
    employers = access.employer_ids_of(student)
    if not access.is_school_staff_for(current_user, student):
        employers &= current_user.organisation_ids(*access.EMPLOYER_STAFF_ROLES)
    rows = db.session.execute(
        select(Workplace)
        .where(Workplace.organisation_id.in_(employers), Workplace.active.is_(True))
        .options(joinedload(Workplace.organisation))
        .order_by(Workplace.name)
    ).scalars()
    return [("", _("No workplace yet"))] + [
        (str(w.id), f"{w.name} ({w.organisation.name})") for w in rows
    ]


def _responsible_choices(student: Student) -> list[tuple[str, str]]:
    """Contact teachers at the school and supervisors at the student's employers' workplaces."""
    employers = access.employer_ids_of(student)
    query = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            User.active.is_(True),
            ((Membership.role == Role.TEACHER) & (Membership.organisation_id == student.school_id))
            | ((Membership.role == Role.SUPERVISOR) & Membership.organisation_id.in_(employers)),
        )
        .distinct()
        .order_by(User.name)
    )
    return [("", _("Nobody yet"))] + [
        (str(u.id), u.name) for u in db.session.execute(query).scalars()
    ]


def _narrow_responsible(form: PeriodForm) -> None:
    """For showing the form: a training period at a known workplace offers only the practice
    supervisors there (the posted choice is checked by services.check_responsible)."""
    if form.kind.data != PeriodKind.TRAINING.value:
        return
    try:
        workplace_id = int(form.workplace.data)
    except (TypeError, ValueError):
        return
    query = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            User.active.is_(True),
            Membership.role == Role.SUPERVISOR,
            Membership.workplace_id == workplace_id,
        )
        .distinct()
        .order_by(User.name)
    )
    form.responsible.choices = [("", _("Nobody yet"))] + [
        (str(u.id), u.name) for u in db.session.execute(query).scalars()
    ]


def _period_change(form: PeriodForm, student: Student) -> services.PeriodChange | None:
    workplace = responsible = None
    if form.workplace.data:
        workplace = db.session.get(Workplace, int(form.workplace.data))
    if form.responsible.data:
        responsible = db.session.get(User, int(form.responsible.data))
    kind = form.kind.data
    return services.PeriodChange(
        title=form.title.data,
        kind=kind,
        start_date=form.start_date.data,
        end_date=form.end_date.data,
        workplace=workplace if kind == PeriodKind.TRAINING else None,
        responsible=responsible,
        status=form.status.data,
    )


# --- the plan -----------------------------------------------------------------------------


@bp.route("/students/<int:student_id>/plan", methods=["POST"])
@case_roles_required
def generate_plan(student_id: int):
    student = access.journey.get_plan_student_or_404(student_id, edit=True)
    form = PlanForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return _back(student)
    try:
        services.generate_plan(student, form.start_date.data, today())
    except RuleError as error:
        flash(error.message, "error")
        return _back(student)
    db.session.commit()
    flash(_("The plan was created from the programme template."), "success")
    return _back(student)


@bp.route("/students/<int:student_id>/periods/new", methods=["GET", "POST"])
@case_roles_required
def new_period(student_id: int):
    student = access.journey.get_plan_student_or_404(student_id, edit=True)
    form = PeriodForm()
    form.workplace.choices = _workplace_choices(student)
    form.responsible.choices = _responsible_choices(student)
    return _period_page(
        student,
        None,
        form,
        lambda: services.add_period(student, _period_change(form, student)),
        request.path,
        _("The period was added."),
    )


@bp.route("/students/<int:student_id>/periods/<int:period_id>/edit", methods=["GET", "POST"])
@case_roles_required
def edit_period(student_id: int, period_id: int):
    student, period = access.journey.get_plan_period_or_404(student_id, period_id)
    form = PeriodForm(obj=None if request.method == "POST" else period)
    form.workplace.choices = _workplace_choices(student)
    form.responsible.choices = _responsible_choices(student)
    # The period's own workplace and responsible person stay choosable even if they are no
    # longer among the usual choices (e.g. an earlier employer), so other edits can be saved.
    current = {
        form.workplace: (period.workplace_id, period.workplace and period.workplace.name),
        form.responsible: (period.responsible_id, period.responsible and period.responsible.name),
    }
    for field, (value, label) in current.items():
        if value and str(value) not in dict(field.choices):
            field.choices.append((str(value), label))
    if request.method == "GET":
        form.kind.data = period.kind.value
        form.status.data = period.status.value
        form.workplace.data = str(period.workplace_id or "")
        form.responsible.data = str(period.responsible_id or "")
    url = url_for("journey.edit_period", student_id=student.id, period_id=period.id)
    return _period_page(
        student,
        period,
        form,
        lambda: services.update_period(
            student, period, _period_change(form, student), form.seen_version()
        ),
        url,
        _("The period was saved."),
    )


def _period_page(student: Student, period: Period | None, form: PeriodForm, change, url, done):
    response = _save(form, change, student, stale_url=url, done=done)
    if response:
        return response
    _narrow_responsible(form)
    return render_template("journey/period_form.html", student=student, form=form, period=period)


@bp.route("/students/<int:student_id>/periods/<int:period_id>/extend", methods=["GET", "POST"])
@case_roles_required
def extend_period(student_id: int, period_id: int):
    student, period = access.journey.get_plan_period_or_404(student_id, period_id)
    form = ExtendForm(obj=period if request.method == "GET" else None)
    url = url_for("journey.extend_period", student_id=student.id, period_id=period.id)
    return _save(
        form,
        lambda: services.extend_period(
            student, period, form.new_end_date.data, form.shift_following.data, form.seen_version()
        ),
        student,
        stale_url=url,
        done=_("The period was extended."),
    ) or render_template("journey/extend.html", student=student, form=form, period=period)


@bp.route("/students/<int:student_id>/periods/<int:period_id>/delete", methods=["POST"])
@case_roles_required
def delete_period(student_id: int, period_id: int):
    student, period = access.journey.get_plan_period_or_404(student_id, period_id)
    if ButtonForm().validate_on_submit():
        try:
            services.delete_period(student, period)
        except RuleError as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("The period was deleted."), "success")
    return _back(student)


@bp.route("/students/<int:student_id>/dropout", methods=["GET", "POST"])
@case_roles_required
def dropout(student_id: int):
    return _status_page(
        access.journey.get_plan_student_or_404(student_id, edit=True),
        DropoutForm,
        "journey/dropout.html",
        lambda student, form: services.drop_out(
            student, form.date.data, form.reason.data, form.seen_version(), form.note.data
        ),
        _("The dropout was registered."),
    )


@bp.route("/students/<int:student_id>/readmit", methods=["GET", "POST"])
@case_roles_required
def readmit(student_id: int):
    return _status_page(
        access.journey.get_plan_student_or_404(student_id, edit=True),
        ReadmitForm,
        "journey/readmit.html",
        lambda student, form: services.readmit(student, form.date.data, form.seen_version()),
        _("The student was re-admitted."),
    )


# --- enrolments and statuses (app/journey/enrolments.py) ------------------------------------


def _status_page(student: Student, form_class, template: str, change, done: str, **context):
    """A dated change of the student's status (dropout, re-admission, completion, leave,
    transfer) of a `student` loaded by the access rule of the change: the form, dated today
    when first shown, and `change(student, form)` on a valid submission."""
    enrolment = services.current_enrolment(student)
    form = form_class(obj=student if request.method == "GET" else None)
    if request.method == "GET":
        for name in ("date", "start_date"):
            if name in form:
                form[name].data = today()
    return _save(
        form,
        lambda: change(student, form),
        student,
        stale_url=url_for(request.endpoint, student_id=student.id),
        done=done,
    ) or render_template(
        template, student=student, enrolment=enrolment, form=form, today=today(), **context
    )


@bp.route("/students/<int:student_id>/complete", methods=["GET", "POST"])
@case_roles_required
def complete_enrolment(student_id: int):
    return _status_page(
        access.journey.get_status_student_or_404(student_id),
        CompleteForm,
        "journey/complete.html",
        lambda student, form: enrolments.complete(
            student,
            form.date.data,
            form.result.data,
            form.qualified_value(),
            form.seen_version(),
        ),
        _("The completion was registered."),
        basic=ProgrammeLevel.BASIC,
    )


@bp.route("/students/<int:student_id>/leave", methods=["GET", "POST"])
@case_roles_required
def start_leave(student_id: int):
    return _status_page(
        access.journey.get_status_student_or_404(student_id),
        LeaveForm,
        "journey/leave.html",
        lambda student, form: enrolments.start_leave(
            student,
            form.start_date.data,
            form.end_date.data,
            form.reason.data,
            form.seen_version(),
        ),
        _("The leave was registered and the plan moved."),
    )


@bp.route("/students/<int:student_id>/leave/end", methods=["GET", "POST"])
@case_roles_required
def end_leave(student_id: int):
    student = access.journey.get_status_student_or_404(student_id)
    return _status_page(
        student,
        EndLeaveForm,
        "journey/end_leave.html",
        lambda student, form: enrolments.end_leave(student, form.date.data, form.seen_version()),
        _("The student is back from leave."),
        leave=enrolments.open_leave(student),
    )


@bp.route("/students/<int:student_id>/transfer", methods=["GET", "POST"])
@case_roles_required
def transfer(student_id: int):
    return _status_page(
        access.journey.get_status_student_or_404(student_id),
        TransferForm,
        "journey/transfer.html",
        lambda student, form: enrolments.transfer(
            student, form.date.data, form.destination.data, form.seen_version()
        ),
        _("The transfer was registered."),
    )


def _enrol_choices(form: EnrolForm) -> None:
    schools = access.journey.enrolment_school_ids(current_user)
    form.programme.choices = [
        (str(p.id), f"{p.short_name} – {p.name}")
        for p in db.session.execute(
            select(Programme).where(Programme.active.is_(True)).order_by(Programme.code)
        ).scalars()
    ]
    form.school.choices = [
        (str(o.id), o.name)
        for o in db.session.execute(
            select(Organisation)
            .where(Organisation.id.in_(schools), Organisation.kind == OrganisationKind.SCHOOL)
            .order_by(Organisation.name)
        ).scalars()
    ]
    teams = db.session.execute(
        select(ClassTeam)
        .where(ClassTeam.school_id.in_(schools))
        .options(joinedload(ClassTeam.school))
        .order_by(ClassTeam.start_date.desc(), ClassTeam.code)
        .limit(200)
    ).scalars()
    form.class_team.choices = [("", _("No class team"))] + [
        (str(t.id), f"{t.code} ({t.school.name})") for t in teams
    ]


def _enrolment_change(form: EnrolForm) -> enrolments.EnrolmentChange:
    team = db.session.get(ClassTeam, int(form.class_team.data)) if form.class_team.data else None
    return enrolments.EnrolmentChange(
        programme=db.session.get(Programme, int(form.programme.data)),
        school=db.session.get(Organisation, int(form.school.data)),
        start_date=form.start_date.data,
        class_team=team,
        create_plan=form.create_plan.data,
    )


@bp.route("/students/<int:student_id>/enrol", methods=["GET", "POST"])
@case_roles_required
def enrol(student_id: int):
    """A new enrolment: first a preview of what carries over, then the confirmation."""
    student = access.journey.get_status_student_or_404(student_id)
    previous = services.current_enrolment(student)
    form = EnrolForm()
    _enrol_choices(form)
    if request.method == "GET":
        form.version.data = student.version_id
        form.programme.data = str(previous.programme_id)
        form.school.data = str(student.school_id)
        if previous.end_date is not None:
            form.start_date.data = previous.end_date + timedelta(days=1)
    preview = None
    if form.validate_on_submit():
        change = _enrolment_change(form)
        key = f"{change.school.id}:{change.start_date.isoformat()}"
        try:
            enrolments.check_enrolment(student, change, today())
        except RuleError as error:
            editing.field_error(form, error)
        else:
            if request.form.get("action") == "confirm" and form.previewed.data == key:
                response = editing.save(
                    form,
                    lambda: enrolments.enrol(student, change, form.seen_version()),
                    stale_url=request.path,
                    done=_(
                        "The student was enrolled in %(programme)s.",
                        programme=change.programme.short_name,
                    ),
                    redirect_to=_back(student),
                )
                if response is not None:
                    return response
            else:
                preview = enrolments.carry_over(student, change.school.id, change.start_date)
                form.previewed.data = key
    view = access.support_view(current_user, student)
    if preview is not None and preview.anything and view.school:
        # The preview names support needs, measures and consents: a read of support data.
        audit.record(AuditAction.VIEW, student=student, criterion="support", commit=True)
    return render_template(
        "journey/enrol.html",
        student=student,
        previous=previous,
        running=previous.status in enrolments.RUNNING,
        form=form,
        preview=preview,
        view=view,
    )


@bp.route("/students/<int:student_id>/history")
@case_roles_required
def history(student_id: int):
    student = access.journey.get_plan_student_or_404(student_id)
    view = access.support_view(current_user, student)
    query = case_history(student, current_user, view)
    page = paginate(query, current_app.config["STUDENTS_PER_PAGE"], entities=True)
    targets = targets_of(page.items, student, current_user, view)
    audit.record_view(student)
    return render_template("journey/history.html", student=student, page=page, targets=targets)


# --- training agreements ----------------------------------------------------------------


def _employer_choices(student: Student) -> list[tuple[str, str]]:
    query = select(Organisation).where(
        Organisation.kind.in_([OrganisationKind.MUNICIPALITY, OrganisationKind.REGION]),
        Organisation.active.is_(True),
    )
    if not access.is_school_staff_for(current_user, student):
        query = query.where(
            Organisation.id.in_(current_user.organisation_ids(*access.EMPLOYER_STAFF_ROLES))
        )
    return [
        (str(o.id), o.name) for o in db.session.execute(query.order_by(Organisation.name)).scalars()
    ]


@bp.route("/students/<int:student_id>/agreements/new", methods=["GET", "POST"])
@case_roles_required
def new_agreement(student_id: int):
    return _agreement_form(access.journey.get_plan_student_or_404(student_id, edit=True), None)


@bp.route("/students/<int:student_id>/agreements/<int:agreement_id>/edit", methods=["GET", "POST"])
@case_roles_required
def edit_agreement(student_id: int, agreement_id: int):
    student = access.journey.get_plan_student_or_404(student_id, edit=True)
    agreement = access.journey.get_agreement_or_404(student, agreement_id)
    return _agreement_form(student, agreement)


def _agreement_form(student: Student, agreement: TrainingAgreement | None):
    form = AgreementForm()
    form.employer.choices = _employer_choices(student)
    if request.method == "GET" and agreement is not None:
        form.employer.data = str(agreement.employer_id)
        form.kind.data = agreement.kind.value
        form.start_date.data = agreement.start_date
        form.end_date.data = agreement.end_date
        form.version.data = agreement.version_id
    return _save(
        form,
        lambda: services.save_agreement(
            student,
            agreement,
            db.session.get(Organisation, int(form.employer.data)),
            form.kind.data,
            form.start_date.data,
            form.end_date.data,
            form.seen_version(),
        ),
        student,
        stale_url=request.path,
        done=_("The training agreement was saved."),
    ) or render_template(
        "journey/agreement_form.html", student=student, form=form, agreement=agreement
    )


# --- handover notes -----------------------------------------------------------------------


@bp.route("/students/<int:student_id>/handovers/<int:period_id>")
@case_roles_required
def handover(student_id: int, period_id: int):
    student = access.journey.get_plan_student_or_404(student_id)
    from_period, to_period, note = access.journey.get_transition_or_404(student, period_id)
    ack_form = AcknowledgeForm(obj=note)
    audit.record(audit.AuditAction.VIEW, student=student, obj=note or to_period, commit=True)
    return render_template(
        "journey/handover.html",
        student=student,
        from_period=from_period,
        to_period=to_period,
        note=note,
        ack_form=ack_form,
        status=ho.status_of(note),
        can_write=access.can_write_handover(current_user, student, from_period),
        can_acknowledge=access.can_acknowledge_handover(current_user, student, to_period),
    )


@bp.route("/students/<int:student_id>/handovers/<int:period_id>/write", methods=["GET", "POST"])
@case_roles_required
def write_handover(student_id: int, period_id: int):
    student = access.journey.get_plan_student_or_404(student_id)
    from_period, to_period, note = access.journey.get_transition_or_404(
        student, period_id, write=True
    )
    form = HandoverForm(obj=note if request.method == "GET" else None)
    if request.method == "GET" and note is None:
        form.agreed_support.data = agreed_support_text(current_user, student, to_period)
    url = url_for("journey.write_handover", student_id=student.id, period_id=to_period.id)
    # "Save as draft" keeps a new note or a draft to the own organisation; a sent note stays sent.
    draft = request.form.get("action") == "draft" and (note is None or note.is_draft)
    if draft:
        without_required(form)
    if form.validate_on_submit():
        content = ho.NoteContent(
            strengths=form.strengths.data,
            challenges=form.challenges.data,
            agreed_support=form.agreed_support.data,
            first_weeks=form.first_weeks.data,
            contact_person=form.contact_person.data,
        )
        try:
            ho.save_note(
                student,
                from_period,
                to_period,
                note,
                content,
                current_user,
                form.seen_version() if note is not None else None,
                draft=draft,
            )
            db.session.commit()
        except (editing.StaleEdit, StaleDataError):
            return editing.stale(form, url)
        if draft:
            flash(
                _(
                    "The draft was saved. Only your organisation can see it; "
                    "no one has been notified."
                ),
                "success",
            )
        else:
            flash(
                _("The handover note was saved. The receiving side has been notified."), "success"
            )
        return redirect(url_for("journey.handover", student_id=student.id, period_id=to_period.id))
    return render_template(
        "journey/handover_form.html",
        student=student,
        form=form,
        from_period=from_period,
        to_period=to_period,
        note=note,
    )


@bp.route("/handovers/drafts")
@case_roles_required
def handover_drafts():
    """The drafts of handover notes written by the user's organisation, to open and send."""
    query = access.journey.handover_drafts_query(
        current_user, access.visible_students(current_user)
    )
    page = paginate(query, current_app.config["STUDENTS_PER_PAGE"], entities=True)
    audit.record_search({"list": "handover-drafts"})
    return render_template("journey/handover_drafts.html", page=page)


@bp.route("/students/<int:student_id>/handovers/<int:period_id>/acknowledge", methods=["POST"])
@case_roles_required
def acknowledge_handover(student_id: int, period_id: int):
    student = access.journey.get_plan_student_or_404(student_id)
    _from_period, to_period, note = access.journey.get_transition_or_404(
        student, period_id, acknowledge=True
    )
    form = AcknowledgeForm()
    url = url_for("journey.handover", student_id=student.id, period_id=to_period.id)
    if form.validate_on_submit():
        try:
            ho.acknowledge(student, note, to_period, current_user, form.seen_version())
            db.session.commit()
        except (editing.StaleEdit, StaleDataError):
            return editing.stale(form, url)
        flash(_("You have acknowledged the handover note."), "success")
    return redirect(url)


# --- lists --------------------------------------------------------------------------------


def _upcoming(query_for_user, template: str, endpoint: str):
    form = UpcomingForm(request.args)
    valid = form.validate()
    weeks = form.weeks.data if valid and form.weeks.data else 4
    status = ho.HandoverStatus(form.status.data) if valid and form.status.data else None
    start = today()
    query = ho.filter_status(query_for_user(start, start + timedelta(weeks=weeks)), status)
    page = paginate(query, current_app.config["STUDENTS_PER_PAGE"])
    rows = page.items
    students = {
        s.id: s
        for s in db.session.execute(
            select(Student)
            .where(Student.id.in_({r[0].student_id for r in rows}))
            .options(joinedload(Student.programme), joinedload(Student.school))
        ).scalars()
    }
    audit.record_search({"list": endpoint, "weeks": weeks, "status": form.status.data})
    return render_template(
        template,
        form=form,
        page=page,
        rows=rows,
        students=students,
        weeks=weeks,
        handover_status=ho.status_of,
        with_support=access.students_with_visible_support(current_user, students),
    )


@bp.route("/transitions")
@roles_required(*access.PLAN_EDITOR_ROLES)
def upcoming_transitions():
    return _upcoming(
        lambda start, end: ho.upcoming_transitions(
            access.visible_students(current_user), start, end
        ),
        "journey/transitions.html",
        "transitions",
    )


@bp.route("/starting-soon")
@roles_required(Role.SUPERVISOR)
def starting_soon():
    return _upcoming(
        lambda start, end: ho.starting_at_my_workplaces(current_user, start, end),
        "journey/starting_soon.html",
        "starting-soon",
    )


@bp.route("/notifications")
@login_required
def notifications():
    query = (
        select(Notification)
        .where(
            Notification.user_id == current_user.id,
            Notification.student_id.in_(
                access.visible_students(current_user)
                .with_only_columns(Student.id)
                .scalar_subquery()
            ),
        )
        .options(joinedload(Notification.student), joinedload(Notification.period))
        .order_by(Notification.read_at.is_not(None), Notification.created_at.desc())
    )
    page = paginate(query, current_app.config["STUDENTS_PER_PAGE"], entities=True)
    return render_template("journey/notifications.html", page=page, form=ButtonForm())


@bp.route("/notifications/<int:notification_id>/open", methods=["POST"])
@login_required
def open_notification(notification_id: int):
    notification = db.one_or_404(
        select(Notification).where(
            Notification.id == notification_id, Notification.user_id == current_user.id
        )
    )
    student = get_student_or_404(notification.student_id)
    if ButtonForm().validate_on_submit() and notification.read_at is None:
        notification.read_at = utcnow()
        db.session.commit()
    if notification.kind == NotificationKind.REVIEW_SCHEDULED:
        return redirect(url_for("reviews.my_reviews"))
    if notification.kind == NotificationKind.ACTION_ITEM_DUE:
        return redirect(url_for("reviews.my_action_items"))
    if notification.kind == NotificationKind.HELP_ANSWERED:
        return redirect(url_for("support.overview", student_id=student.id, _anchor="help-requests"))
    if notification.kind == NotificationKind.RISK_SIGNS:
        return redirect(url_for("students.show", student_id=student.id))
    if notification.kind in (NotificationKind.WARNING_GIVEN, NotificationKind.CONCERN_RECORDED):
        return redirect(
            url_for("training.period", student_id=student.id, period_id=notification.period_id)
        )
    return redirect(
        url_for("journey.handover", student_id=student.id, period_id=notification.period_id)
    )
