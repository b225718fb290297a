from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, selectinload

from app import access, audit, editing
from app.access import (
    case_roles_required,
    get_student_or_404,
    roles_required,
    visible_students,
)
from app.editing import RuleError, field_error
from app.extensions import db
from app.forms import ButtonForm
from app.history import case_history, log, targets_of
from app.journey import handovers, services, timeline
from app.models import (
    CaseEventKind,
    HandoverNote,
    Membership,
    Organisation,
    Period,
    Programme,
    Role,
    Student,
    TrainingAgreement,
    User,
)
from app.models.base import today
from app.models.student import new_student, search_condition
from app.pagination import paginate
from app.retention import services as retention
from app.risk.queries import student_signals
from app.students import accounts, bp
from app.students.forms import NewStudentForm, PlanForm, StudentRecordForm, StudentSearchForm
from app.students.services import StudentRecord, update_record
from app.support.queries import record_support_view, support_summary
from app.training.queries import supervised_periods


def _search_form() -> StudentSearchForm:
    form = StudentSearchForm(request.args)
    programmes = db.session.execute(select(Programme).order_by(Programme.code)).scalars()
    form.programme.choices = [("", _l("All programmes"))] + [
        (p.code, f"{p.short_name} – {p.name}") for p in programmes
    ]
    return form


@bp.route("/")
@case_roles_required
def index():
    form = _search_form()
    query = visible_students(current_user)
    if form.validate():
        if form.q.data:
            query = query.where(search_condition(form.q.data))
        if form.programme.data:
            query = query.join(Programme, Student.programme_id == Programme.id).where(
                Programme.code == form.programme.data
            )
        if form.status.data:
            query = query.where(Student.status == form.status.data)
    else:
        query = query.where(False)  # show the errors, not an unfiltered list
    # A supervisor's list shows when each student is with them instead of school and employer.
    as_supervisor = access.students.lists_as_supervisor(current_user)
    query = query.options(joinedload(Student.programme)).order_by(
        Student.last_name, Student.first_name, Student.id
    )
    if not as_supervisor:
        query = query.options(
            joinedload(Student.school),
            selectinload(Student.agreements).joinedload(TrainingAgreement.employer),
        )
    page = paginate(query, current_app.config["STUDENTS_PER_PAGE"], entities=True)
    audit.record_search(
        {
            "q": form.q.data,
            "programme": form.programme.data,
            "status": form.status.data,
            "page": page.page if page.page > 1 else None,
        }
    )
    return render_template(
        "students/index.html",
        form=form,
        can_create_student=access.students.can_create_student(current_user),
        page=page,
        today=today(),
        with_me=(
            supervised_periods(current_user, [s.id for s in page.items], today())
            if as_supervisor
            else None
        ),
        with_support=access.students_with_visible_support(current_user, [s.id for s in page.items]),
    )


# The student page's own reads, built once rather than on every request (SQLAlchemy also keeps
# a statement's cache key with it); the student is bound when they run.
_SHOWN_WITH_STUDENT = (
    joinedload(Student.programme),
    joinedload(Student.school),
    joinedload(Student.agreements).joinedload(TrainingAgreement.employer),
    joinedload(Student.contact_teacher),
    joinedload(Student.counsellor),
)
_PERIODS = (
    select(Period)
    .where(Period.student_id == bindparam("student_id"))
    .options(joinedload(Period.workplace), joinedload(Period.responsible))
    .order_by(Period.start_date)
)
_HANDOVER_NOTES = select(HandoverNote).where(HandoverNote.student_id == bindparam("student_id"))


@bp.route("/<int:student_id>")
@case_roles_required
def show(student_id: int):
    student = get_student_or_404(student_id, *_SHOWN_WITH_STUDENT)
    this_student = {"student_id": student.id}
    periods = db.session.execute(_PERIODS, this_student).scalars().all()
    notes = db.session.execute(_HANDOVER_NOTES, this_student).scalars().all()
    enrolments, leaves = timeline.enrolments_and_leaves(student)
    transitions = handovers.transitions_of(
        periods, access.journey.visible_handover_notes(current_user, notes), enrolments
    )
    journey = timeline.enrolment_rows(enrolments, periods, leaves)
    support = support_summary(current_user, student)
    history = (
        db.session.execute(case_history(student, current_user, support.view).limit(5))
        .unique()
        .scalars()
        .all()
    )
    on = today()
    # One line in the access log; marked "support" when support details were shown.
    if support.shows_details:
        record_support_view(student, support)
    else:
        audit.record_view(student)
    return render_template(
        "students/show.html",
        student=student,
        support=support,
        training_readable={
            p.id for p in periods if access.can_read_training(current_user, student, p)
        },
        agreements=student.agreements,
        periods=periods,
        transitions=transitions,
        readable={
            t.to_period.id
            for t in transitions
            if access.can_read_handover(current_user, student, t.from_period, t.to_period)
        },
        timeline=timeline.build(
            periods, on, {t.to_period.id for t in transitions}, enrolments, leaves
        ),
        enrolments=journey,
        enrolment_of={e.enrolment.id: e.enrolment for e in journey},
        history=history,
        risk=student_signals(current_user, student.id, on),
        targets=targets_of(history, student, current_user, support.view),
        can_edit=access.can_edit_plan(current_user, student),
        can_change_status=access.journey.can_change_status(current_user, student),
        can_edit_record=access.students.can_edit_student_record(current_user, student),
        can_schedule_review=access.can_schedule_review(current_user, student),
        can_export_access_request=access.export.can_export_access_request(current_user, student),
        student_access=(
            accounts.access_of(student)
            if access.me.can_invite_student(current_user, student)
            else None
        ),
        plan_form=PlanForm(),
        button_form=ButtonForm(),
        today=on,
        legal_hold=retention.active_hold(student),
        can_manage_legal_hold=access.retention.can_manage_legal_hold(current_user, student),
    )


@bp.route("/<int:student_id>/account", methods=["POST"])
@case_roles_required
def invite_account(student_id: int):
    """The school gives the student their own access: an account for the record's address,
    and an invitation by e-mail (again: a new link, the old one stops working)."""
    student = access.students.get_case_student_or_404(student_id, may=access.me.can_invite_student)
    if ButtonForm().validate_on_submit():
        try:
            account = accounts.invite(student, current_user)
        except RuleError as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("An invitation was sent to %(email)s.", email=account.email), "success")
    return redirect(url_for("students.show", student_id=student.id, _anchor="student-access"))


def _record_values(form) -> dict:
    """The student's own details as typed on the new-student or the record form."""
    return {
        "student_number": form.student_number.data,
        "first_name": form.first_name.data,
        "last_name": form.last_name.data,
        "email": form.email.data or "",
        "phone": form.phone.data or "",
        "birth_year": form.birth_year.data,
    }


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*access.roles.STUDENT_CREATOR_ROLES)
def new():
    """A school registers a new student; the plan is copied from the programme's template."""
    form = NewStudentForm()
    schools = db.session.execute(
        select(Organisation)
        .where(
            Organisation.id.in_(current_user.organisation_ids(Role.COUNSELLOR, Role.SCHOOL_ADMIN))
        )
        .order_by(Organisation.name)
    ).scalars()
    form.school.choices = [(str(s.id), s.name) for s in schools]
    programmes = db.session.execute(
        select(Programme).where(Programme.active.is_(True)).order_by(Programme.code)
    ).scalars()
    form.programme.choices = [(str(p.id), f"{p.short_name} – {p.name}") for p in programmes]
    if form.validate_on_submit():
        student = new_student(
            **_record_values(form),
            school_id=int(form.school.data),
            programme_id=int(form.programme.data),
            start_date=form.start_date.data,
        )
        db.session.add(student)
        db.session.flush()
        log(student, CaseEventKind.STUDENT_CREATED, current_user)
        try:
            if form.create_plan.data:
                services.generate_plan(student, form.start_date.data, today())
        except RuleError as error:
            # E.g. a start date from which the plan would end after the allowed dates: the
            # student is not created either, and the form shows what was typed.
            db.session.rollback()
            field_error(form, error)
            return render_template("students/new.html", form=form)
        db.session.commit()
        flash(_("The student was created."), "success")
        return redirect(url_for("students.show", student_id=student.id))
    return render_template("students/new.html", form=form)


def _staff(student: Student, role: Role, current: User | None) -> dict[int, User]:
    """Active users with `role` at the student's school, and whoever holds the post now."""
    users = db.session.execute(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.organisation_id == student.school_id,
            Membership.role == role,
            User.active.is_(True),
        )
        .order_by(User.name)
    ).scalars()
    people = {u.id: u for u in users}
    if current is not None:
        people.setdefault(current.id, current)
    return people


def _offer(field, people: dict[int, User]) -> None:
    field.choices = [("", _("– None –"))] + [(str(i), u.name) for i, u in people.items()]


def _chosen(field, people: dict[int, User]) -> User | None:
    return people.get(int(field.data)) if field.data else None


@bp.route("/<int:student_id>/edit", methods=["GET", "POST"])
@case_roles_required
def edit(student_id: int):
    """Correct the student record: name, number, contact details, year of birth, and who the
    contact teacher and counsellor are."""
    student = access.students.get_record_student_or_404(student_id)
    form = StudentRecordForm(obj=student if request.method == "GET" else None)
    form.editing_id = student.id
    teachers = _staff(student, Role.TEACHER, student.contact_teacher)
    counsellors = _staff(student, Role.COUNSELLOR, student.counsellor)
    _offer(form.contact_teacher, teachers)
    _offer(form.counsellor, counsellors)
    if request.method == "GET":
        form.contact_teacher.data = str(student.contact_teacher_id or "")
        form.counsellor.data = str(student.counsellor_id or "")
    return editing.submit(
        form,
        lambda: update_record(
            student,
            StudentRecord(
                **_record_values(form),
                contact_teacher=_chosen(form.contact_teacher, teachers),
                counsellor=_chosen(form.counsellor, counsellors),
            ),
            current_user,
            form.seen_version(),
        ),
        stale_url=request.path,
        done=_("The student record was saved."),
        redirect_to=redirect(url_for("students.show", student_id=student.id)),
    ) or render_template("students/edit.html", student=student, form=form)
