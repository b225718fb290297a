"""The training period page and the supervisor's records.

Every view loads the student (404 if hidden), then the training period (404 unless the user
may read its records), and requires the right to write (403) before a change. Declarations live
in app/training/declarations.py, the progress view in app/training/progress.py.
"""

from __future__ import annotations

from collections import Counter

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app import access, audit, editing, labels
from app.access import case_roles_required, roles_required
from app.extensions import db
from app.models import (
    Absence,
    AuditAction,
    Declaration,
    GoalAssessment,
    LearningAgreement,
    MidEvaluation,
    Period,
    Role,
    Student,
    TrainingExperience,
    TrainingWarning,
)
from app.models.base import today
from app.pagination import paginate
from app.training import bp, services
from app.training.common import training_number
from app.training.forms import (
    AbsenceForm,
    AcknowledgeForm,
    AssessmentForm,
    ExperienceForm,
    FollowUpForm,
    LearningAgreementForm,
    MidEvaluationForm,
    WarningForm,
)
from app.training.goals import goals_of
from app.training.queries import concerns as recorded_concerns
from app.training.queries import open_warnings
from app.training.reflections import latest_reflections

PERIOD = "/students/<int:student_id>/periods/<int:period_id>"


def _period_url(student: Student, period: Period) -> str:
    return url_for("training.period", student_id=student.id, period_id=period.id)


def _load(student_id: int, period_id: int, write: bool = False) -> tuple[Student, Period]:
    student = access.training.get_training_student_or_404(student_id)
    period = access.training.get_training_period_or_404(student, period_id, write=write)
    return student, period


def _record_form(
    template: str,
    student: Student,
    period: Period,
    form,
    change,
    *,
    done: str,
    anchor: str,
    **context,
):
    """A supervisor's record form: a valid post saves `change` and returns to the period page at
    `anchor`; otherwise (or when a rule is broken) `template` shows the form (again)."""
    back = redirect(_period_url(student, period) + anchor)
    return editing.submit(
        form, change, stale_url=request.url, done=done, redirect_to=back
    ) or render_template(template, student=student, period=period, form=form, **context)


# --- the period page --------------------------------------------------------------------------


@bp.route(PERIOD + "/training")
@case_roles_required
def period(student_id: int, period_id: int):
    student, period = _load(student_id, period_id)
    number = training_number(period)
    goals = goals_of(student.programme_id)
    assessments = {
        a.goal_id: a
        for a in db.session.execute(
            select(GoalAssessment)
            .where(GoalAssessment.period_id == period.id)
            .options(joinedload(GoalAssessment.assessed_by))
        ).scalars()
    }
    experiences = paginate(
        select(TrainingExperience)
        .where(TrainingExperience.period_id == period.id)
        .options(joinedload(TrainingExperience.author))
        .order_by(TrainingExperience.on_date.desc(), TrainingExperience.id.desc()),
        current_app.config["STUDENTS_PER_PAGE"],
        entities=True,
    )
    agreement = db.session.execute(
        select(LearningAgreement).where(LearningAgreement.period_id == period.id)
    ).scalar_one_or_none()
    evaluation = db.session.execute(
        select(MidEvaluation)
        .where(MidEvaluation.period_id == period.id)
        .options(joinedload(MidEvaluation.signed_by), joinedload(MidEvaluation.acknowledged_by))
    ).scalar_one_or_none()
    warnings = (
        db.session.execute(
            select(TrainingWarning)
            .where(TrainingWarning.period_id == period.id)
            .options(
                selectinload(TrainingWarning.goals),
                joinedload(TrainingWarning.issued_by),
                joinedload(TrainingWarning.followed_up_by),
            )
            .order_by(TrainingWarning.issued_at.desc())
        )
        .scalars()
        .all()
    )
    declaration = db.session.execute(
        select(Declaration).where(Declaration.period_id == period.id)
    ).scalar_one_or_none()
    absences = (
        db.session.execute(
            select(Absence).where(Absence.period_id == period.id).order_by(Absence.start_date)
        )
        .scalars()
        .all()
    )
    totals = Counter()
    for absence in absences:
        totals[absence.kind] += absence.days
    audit.record(AuditAction.VIEW, student=student, obj=period, criterion="training", commit=True)
    can_write = access.can_write_training(current_user, period)
    is_contact = access.is_school_contact_for(current_user, student)
    ack_form = AcknowledgeForm(obj=evaluation)
    return render_template(
        "training/period.html",
        student=student,
        period=period,
        number=number,
        goals=goals,
        assessments=assessments,
        experiences=experiences,
        reflections=latest_reflections(period),
        agreement=agreement,
        evaluation=evaluation,
        warnings=warnings,
        declaration=declaration,
        absences=absences,
        totals=totals,
        total_days=sum(totals.values()),
        can_write=can_write,
        is_contact=is_contact,
        can_follow_up=can_write or is_contact,
        ack_form=ack_form,
        absence_form=AbsenceForm(formdata=None),
        today=today(),
    )


# --- goal assessments -------------------------------------------------------------------------


@bp.route(PERIOD + "/assessments", methods=["GET", "POST"])
@roles_required(Role.SUPERVISOR)
def assess(student_id: int, period_id: int):
    student, period = _load(student_id, period_id, write=True)
    goals = goals_of(student.programme_id)
    by_id = {str(g.id): g for g in goals}
    current = {
        a.goal_id: a
        for a in db.session.execute(
            select(GoalAssessment).where(GoalAssessment.period_id == period.id)
        ).scalars()
    }
    form = AssessmentForm()
    if request.method == "GET":
        form.assessed_on.data = min(max(today(), period.start_date), period.end_date)
        for goal in goals:
            assessment = current.get(goal.id)
            form.rows.append_entry(
                {
                    "goal": str(goal.id),
                    "level": assessment.level.value if assessment else "",
                    "comment": assessment.comment if assessment else "",
                }
            )
    if form.validate_on_submit() and _rows_match(form, by_id):
        marks = [
            services.GoalMark(
                goal=by_id[row.form.goal.data],
                level=row.form.level.data,
                comment=row.form.comment.data or "",
            )
            for row in form.rows
        ]
        response = editing.save(
            form,
            lambda: services.assess_goals(
                student, period, form.assessed_on.data, marks, current_user
            ),
            stale_url=request.url,
            done=_("The assessments were saved."),
            redirect_to=redirect(_period_url(student, period) + "#goals"),
        )
        if response:
            return response
    return render_template(
        "training/assess.html",
        student=student,
        period=period,
        form=form,
        rows=[(row, by_id.get(row.form.goal.data)) for row in form.rows],
        number=training_number(period),
    )


def _rows_match(form: AssessmentForm, by_id: dict) -> bool:
    """The posted rows must be exactly the programme's goals, each once."""
    posted = [row.form.goal.data for row in form.rows]
    if sorted(posted) != sorted(by_id):
        form.assessed_on.errors = [
            *form.assessed_on.errors,
            _l("The list of goals has changed. Reload the page and try again."),
        ]
        return False
    return True


# --- experiences ------------------------------------------------------------------------------


def _experience_change(form: ExperienceForm) -> services.ExperienceChange:
    return services.ExperienceChange(
        on_date=form.on_date.data,
        category=form.category.data,
        what_happened=form.what_happened.data,
        learned=form.learned.data or "",
        work_on=form.work_on.data or "",
        concern=form.concern.data,
    )


@bp.route(PERIOD + "/experiences/new", methods=["GET", "POST"])
@roles_required(Role.SUPERVISOR)
def new_experience(student_id: int, period_id: int):
    student, period = _load(student_id, period_id, write=True)
    form = ExperienceForm()
    if request.method == "GET":
        form.on_date.data = min(max(today(), period.start_date), period.end_date)
    return _record_form(
        "training/experience_form.html",
        student,
        period,
        form,
        lambda: services.record_experience(student, period, _experience_change(form), current_user),
        done=_("The experience was recorded."),
        anchor="#experiences",
    )


@bp.route(PERIOD + "/experiences/<int:experience_id>/edit", methods=["GET", "POST"])
@roles_required(Role.SUPERVISOR)
def edit_experience(student_id: int, period_id: int, experience_id: int):
    student, period = _load(student_id, period_id, write=True)
    experience = db.one_or_404(
        select(TrainingExperience).where(
            TrainingExperience.id == experience_id, TrainingExperience.period_id == period.id
        )
    )
    form = ExperienceForm(obj=experience if request.method == "GET" else None)
    return _record_form(
        "training/experience_form.html",
        student,
        period,
        form,
        lambda: services.record_experience(
            student, period, _experience_change(form), current_user, experience, form.seen_version()
        ),
        done=_("The experience was saved."),
        anchor="#experiences",
        experience=experience,
    )


# --- learning agreement and mid-period evaluation ---------------------------------------------

_AGREEMENT_FIELDS = (
    "goals_for_period",
    "agreed_support",
    "meeting_1",
    "meeting_2",
    "meeting_3",
    "meeting_4",
)


@bp.route(PERIOD + "/learning-agreement", methods=["GET", "POST"])
@roles_required(Role.SUPERVISOR)
def learning_agreement(student_id: int, period_id: int):
    student, period = _load(student_id, period_id, write=True)
    agreement = db.session.execute(
        select(LearningAgreement).where(LearningAgreement.period_id == period.id)
    ).scalar_one_or_none()
    form = LearningAgreementForm(obj=agreement if request.method == "GET" else None)
    return _record_form(
        "training/learning_agreement.html",
        student,
        period,
        form,
        lambda: services.save_learning_agreement(
            student,
            period,
            agreement,
            _agreement_values(form),
            current_user,
            form.seen_version() if agreement else None,
        ),
        done=_("The learning agreement was saved."),
        anchor="#agreement",
    )


def _agreement_values(form: LearningAgreementForm) -> dict:
    values = {name: getattr(form, name).data for name in _AGREEMENT_FIELDS}
    values["agreed_support"] = values["agreed_support"] or ""
    return values


@bp.route(PERIOD + "/mid-evaluation", methods=["GET", "POST"])
@roles_required(Role.SUPERVISOR)
def mid_evaluation(student_id: int, period_id: int):
    student, period = _load(student_id, period_id, write=True)
    evaluation = db.session.execute(
        select(MidEvaluation).where(MidEvaluation.period_id == period.id)
    ).scalar_one_or_none()
    form = MidEvaluationForm(obj=evaluation if request.method == "GET" else None)
    if request.method == "GET":
        if evaluation is not None:
            form.on_track.data = "yes" if evaluation.on_track else "no"
        else:
            form.evaluated_on.data = min(max(today(), period.start_date), period.end_date)
        form.signed.data = False
    return _record_form(
        "training/mid_evaluation.html",
        student,
        period,
        form,
        lambda: services.sign_mid_evaluation(
            student,
            period,
            evaluation,
            _evaluation_values(form),
            current_user,
            form.seen_version() if evaluation else None,
        ),
        done=_("The evaluation was signed. The school has been asked to acknowledge it."),
        anchor="#evaluation",
    )


def _evaluation_values(form: MidEvaluationForm) -> dict:
    return {
        "evaluated_on": form.evaluated_on.data,
        "on_track": form.on_track.data == "yes",
        "comment": form.comment.data,
        "next_steps": form.next_steps.data or "",
    }


@bp.route(PERIOD + "/mid-evaluation/acknowledge", methods=["POST"])
@roles_required(*access.SCHOOL_CONTACT_ROLES)
def acknowledge_mid_evaluation(student_id: int, period_id: int):
    student, period = _load(student_id, period_id)
    access.training.require_school_contact(student)
    evaluation = db.one_or_404(select(MidEvaluation).where(MidEvaluation.period_id == period.id))
    form = AcknowledgeForm()
    url = _period_url(student, period) + "#evaluation"
    if not form.validate_on_submit():
        abort(400)
    response = editing.save(
        form,
        lambda: services.acknowledge_mid_evaluation(
            student, period, evaluation, current_user, form.seen_version()
        ),
        stale_url=url,
        done=_("You have acknowledged the evaluation."),
        redirect_to=redirect(url),
    )
    return response or redirect(url)


# --- warnings ---------------------------------------------------------------------------------


@bp.route(PERIOD + "/warnings/new", methods=["GET", "POST"])
@roles_required(Role.SUPERVISOR)
def new_warning(student_id: int, period_id: int):
    student, period = _load(student_id, period_id, write=True)
    goals = goals_of(student.programme_id)
    form = WarningForm()
    form.goals.choices = [(str(g.id), f"{g.number}. {g.text}") for g in goals]
    if request.method == "GET":
        form.deadline.data = period.end_date
    if form.validate_on_submit():
        if not form.goals.data:
            form.goals.errors = [_l("Choose at least one goal.")]
        else:
            chosen = [g for g in goals if str(g.id) in set(form.goals.data)]
            response = editing.save(
                form,
                lambda: services.give_warning(
                    student,
                    period,
                    form.reason.data,
                    chosen,
                    form.agreed_actions.data,
                    form.deadline.data,
                    current_user,
                ),
                stale_url=request.url,
                done=_("The warning was given. The school has been notified."),
                redirect_to=redirect(_period_url(student, period) + "#warnings"),
            )
            if response:
                return response
    return render_template("training/warning_form.html", student=student, period=period, form=form)


@bp.route(PERIOD + "/warnings/<int:warning_id>/follow-up", methods=["POST"])
@roles_required(Role.SUPERVISOR, *access.SCHOOL_CONTACT_ROLES)
def follow_up_warning(student_id: int, period_id: int, warning_id: int):
    student, period = _load(student_id, period_id)
    access.training.require_warning_follow_up(student, period)
    warning = db.one_or_404(
        select(TrainingWarning).where(
            TrainingWarning.id == warning_id, TrainingWarning.period_id == period.id
        )
    )
    form = FollowUpForm()
    url = _period_url(student, period) + "#warnings"
    if form.validate_on_submit():
        return editing.save(
            form,
            lambda: services.follow_up_warning(
                student, period, warning, form.note.data, current_user, form.seen_version()
            ),
            stale_url=url,
            done=_("The follow-up was recorded."),
            redirect_to=redirect(url),
        ) or redirect(url)
    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")
    return redirect(url)


# --- absence ----------------------------------------------------------------------------------


@bp.route(PERIOD + "/absence", methods=["POST"])
@roles_required(Role.SUPERVISOR)
def add_absence(student_id: int, period_id: int):
    student, period = _load(student_id, period_id, write=True)
    form = AbsenceForm()
    url = _period_url(student, period) + "#absence"
    if form.validate_on_submit():
        try:
            services.record_absence(
                student,
                period,
                form.start_date.data,
                form.end_date.data,
                form.kind.data,
                form.note.data or "",
                current_user,
            )
            db.session.commit()
            flash(_("The absence was recorded."), "success")
            return redirect(url)
        except editing.RuleError as error:
            db.session.rollback()
            editing.field_error(form, error)
    return render_template(
        "training/absence_form.html", student=student, period=period, form=form
    ), 200


# --- the school's list ------------------------------------------------------------------------


@bp.route("/from-training")
@roles_required(*access.SCHOOL_CONTACT_ROLES)
def from_training():
    """Open warnings and recent concerns about students of my school."""
    warnings = paginate(
        open_warnings(current_user),
        current_app.config["STUDENTS_PER_PAGE"],
        entities=True,
        page_arg="warnings_page",
    )
    concerns = paginate(
        recorded_concerns(current_user),
        current_app.config["STUDENTS_PER_PAGE"],
        entities=True,
        page_arg="concerns_page",
    )
    ids = {w.student_id for w in warnings.items} | {c.student_id for c in concerns.items}
    students = {
        s.id: s
        for s in db.session.execute(
            select(Student).where(Student.id.in_(ids)).options(joinedload(Student.programme))
        ).scalars()
    }
    audit.record_search({"list": "from-training"})
    return render_template(
        "training/from_training.html",
        warnings=warnings,
        concerns=concerns,
        students=students,
        today=today(),
        labels=labels,
    )
