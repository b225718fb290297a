"""The declaration on training (oplæringserklæring) at the end of a training period.

The supervisor at the period's workplace fills it in (a draft may leave goals open) and issues
it once every active goal of the programme has a level and a decision. Issued, it is locked:
it shows read-only, further saves are refused, and it can be printed as a PDF. A declaration
that is not approved adds a new training period to the student's plan (a new course and a new
assessment). The student's school and employer read it; supervisors elsewhere get 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from app import access, audit, dates, editing
from app.access import case_roles_required
from app.attachments.queries import attachments_of
from app.editing import RuleError, StaleEdit
from app.extensions import db
from app.history import log
from app.journey import services as journey
from app.models import (
    AuditAction,
    CaseEventKind,
    Declaration,
    DeclarationLine,
    GoalAssessment,
    GoalLevel,
    Period,
    PeriodKind,
    PeriodStatus,
    Student,
    TrainingGoal,
    TrainingWarning,
    User,
)
from app.models.base import today, utcnow
from app.pdf import pdf_download
from app.training import bp
from app.training.common import period_title, render_declaration_pdf, training_number
from app.training.declaration_forms import APPROVED, NOT_APPROVED, DeclarationForm
from app.training.goals import goals_of

# --- services ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineInput:
    level: GoalLevel | None
    approved: bool | None

    @property
    def complete(self) -> bool:
        return self.level is not None and self.approved is not None


def declaration_of(period: Period) -> Declaration | None:
    return db.session.execute(
        select(Declaration)
        .where(Declaration.period_id == period.id)
        .options(
            selectinload(Declaration.lines),
            joinedload(Declaration.issued_by),
        )
    ).scalar_one_or_none()


def _locked() -> RuleError:
    return RuleError(_("The declaration has been issued and can no longer be changed."))


def save_declaration(
    student: Student,
    period: Period,
    declaration: Declaration | None,
    inputs: dict[int, LineInput],
    needs_next_periods: str,
    seen_version: int,
    user: User,
    log_event: bool = True,
) -> Declaration:
    """Store the declaration as a draft (goals may be open). The caller commits."""
    current_version = declaration.version_id if declaration is not None else 0
    if seen_version != current_version:
        raise StaleEdit
    if declaration is not None and declaration.issued:
        raise _locked()
    if declaration is None:
        declaration = Declaration(period_id=period.id)
        db.session.add(declaration)
    declaration.needs_next_periods = needs_next_periods
    declaration.author_id = user.id
    # Touch the row itself, so its version moves on even when only lines change.
    declaration.updated_at = utcnow()
    existing = {line.goal_id: line for line in declaration.lines}
    for goal_id, value in inputs.items():
        line = existing.get(goal_id)
        if line is None:
            line = DeclarationLine(goal_id=goal_id)
            declaration.lines.append(line)
        line.level, line.approved = value.level, value.approved
    try:
        db.session.flush()
    except IntegrityError as error:  # someone created the declaration at the same moment
        raise StaleEdit from error
    if log_event:
        log(
            student,
            CaseEventKind.DECLARATION_SAVED,
            user,
            period=period_title(period),
            target=declaration,
        )
    return declaration


def missing_goals(goals: list[TrainingGoal], inputs: dict[int, LineInput]) -> list[TrainingGoal]:
    """The goals that still lack a level or a decision."""
    return [g for g in goals if not (g.id in inputs and inputs[g.id].complete)]


def earliest_issue_date(period: Period):
    """The first day the declaration can be issued: DECLARATION_DAYS_BEFORE_END before the
    period ends."""
    return period.end_date - timedelta(days=current_app.config["DECLARATION_DAYS_BEFORE_END"])


def too_early_message(period: Period) -> str | None:
    earliest = earliest_issue_date(period)
    if today() >= earliest:
        return None
    return _(
        "The declaration can be issued at the earliest %(date)s, %(days)d days before the "
        "period ends.",
        date=format_date(earliest),
        days=current_app.config["DECLARATION_DAYS_BEFORE_END"],
    )


@dataclass(frozen=True)
class LevelDifference:
    goal: TrainingGoal
    assessed: GoalLevel
    declared: GoalLevel


@dataclass
class IssueWarnings:
    """What the supervisor should look at before issuing: warnings of the period not followed
    up, and goals whose declared level is not the level of their assessment in the period."""

    open_warnings: list[TrainingWarning]
    differences: list[LevelDifference]


def issue_warnings(
    period: Period, goals: list[TrainingGoal], inputs: dict[int, LineInput]
) -> IssueWarnings:
    warnings = list(
        db.session.execute(
            select(TrainingWarning)
            .where(TrainingWarning.period_id == period.id, TrainingWarning.followed_up_at.is_(None))
            .options(selectinload(TrainingWarning.goals))
            .order_by(TrainingWarning.issued_at)
        ).scalars()
    )
    assessed = {
        a.goal_id: a.level
        for a in db.session.execute(
            select(GoalAssessment).where(GoalAssessment.period_id == period.id)
        ).scalars()
    }
    differences = [
        LevelDifference(goal, assessed[goal.id], inputs[goal.id].level)
        for goal in goals
        if goal.id in assessed
        and goal.id in inputs
        and inputs[goal.id].level is not None
        and inputs[goal.id].level != assessed[goal.id]
    ]
    return IssueWarnings(warnings, differences)


def issue_declaration(
    student: Student,
    period: Period,
    declaration: Declaration | None,
    goals: list[TrainingGoal],
    inputs: dict[int, LineInput],
    needs_next_periods: str,
    seen_version: int,
    user: User,
) -> tuple[Declaration, Period | None]:
    """Save and issue the declaration; lock it. Not approved adds a new training period.

    Returns the declaration and the new period (None when approved). The caller commits."""
    if declaration is not None and declaration.issued:
        raise _locked()
    too_early = too_early_message(period)
    if too_early:
        raise RuleError(too_early)
    if missing_goals(goals, inputs):
        raise RuleError(_incomplete_message())
    declaration = save_declaration(
        student, period, declaration, inputs, needs_next_periods, seen_version, user, False
    )
    active = {g.id for g in goals}
    declaration.approved = all(
        line.approved for line in declaration.lines if line.goal_id in active
    )
    declaration.issued_at = utcnow()
    declaration.issued_by_id = user.id
    log(
        student,
        CaseEventKind.DECLARATION_ISSUED,
        user,
        period=period_title(period),
        target=declaration,
        approved=declaration.approved,
    )
    new_period = None if declaration.approved else plan_new_course(student, period)
    db.session.flush()
    return declaration, new_period


def plan_new_course(student: Student, period: Period) -> Period:
    """A new training period at the same workplace, after the last period of the plan and as
    long as `period`, to plan: the course the student takes again after a not approved
    declaration."""
    last_end = max(p.end_date for p in journey.plan_of(student))
    # The new course must fit in the allowed dates; add_period checks the rest of the rules.
    start = dates.shifted_into_window(last_end, timedelta(days=1), None)
    end = dates.shifted_into_window(start, period.end_date - period.start_date, None)
    responsible = period.responsible
    if responsible is not None and not journey.supervises_at(responsible, period.workplace):
        responsible = None  # e.g. a teacher chosen before that was refused
    title = _("%(title)s – new course", title=period_title(period))[:120]
    new = journey.add_period(
        student,
        journey.PeriodChange(
            title=title,
            kind=PeriodKind.TRAINING,
            start_date=start,
            end_date=end,
            workplace=period.workplace,
            responsible=responsible,
            status=PeriodStatus.PLANNED,
        ),
    )
    new.training_number = training_number(period)
    new.training_area = period.training_area
    return new


def _incomplete_message() -> str:
    return _(
        "The declaration can be issued only when every goal has a level and a decision "
        "(approved or not approved)."
    )


# --- reading the form -------------------------------------------------------------------------


def _read_rows(form: DeclarationForm, goals: list[TrainingGoal]) -> dict[int, LineInput] | None:
    """The posted rows by goal id, or None (with an error on the form) when a row names a goal
    that is not an active goal of the student's programme, or names one twice."""
    allowed = {g.id for g in goals}
    inputs: dict[int, LineInput] = {}
    for row in form.lines:
        try:
            goal_id = int(row.form.goal_id.data)
        except (TypeError, ValueError):
            goal_id = None
        if goal_id not in allowed or goal_id in inputs:
            form.form_errors.append(
                _(
                    "The form contains a goal that is not one of the programme's training "
                    "goals. Reload the page and try again."
                )
            )
            return None
        level = row.form.level.data
        inputs[goal_id] = LineInput(level=level, approved=row.form.decision())
    return inputs


def _mark_missing(form: DeclarationForm, missing: list[TrainingGoal]) -> None:
    missing_ids = {g.id for g in missing}
    for row in form.lines:
        try:
            goal_id = int(row.form.goal_id.data)
        except (TypeError, ValueError):
            continue
        if goal_id in missing_ids:
            if not row.form.level.data:
                row.form.level.errors = [*row.form.level.errors, _("Choose the level reached.")]
            if not row.form.approved.data:
                row.form.approved.errors = [
                    *row.form.approved.errors,
                    _("Choose approved or not approved."),
                ]
    form.form_errors.append(_incomplete_message())
    form.form_errors.append(
        _(
            "Missing: goal %(numbers)s.",
            numbers=", ".join(str(g.number) for g in missing),
        )
    )


def _fill_form(form: DeclarationForm, goals: list[TrainingGoal], declaration) -> None:
    lines = {line.goal_id: line for line in declaration.lines} if declaration else {}
    for goal in goals:
        line = lines.get(goal.id)
        decision = ""
        if line is not None and line.approved is not None:
            decision = APPROVED if line.approved else NOT_APPROVED
        form.lines.append_entry(
            {
                "goal_id": str(goal.id),
                "level": line.level.value if line is not None and line.level else "",
                "approved": decision,
            }
        )
    form.needs_next_periods.data = declaration.needs_next_periods if declaration else ""
    form.version.data = declaration.version_id if declaration else 0


# --- views ------------------------------------------------------------------------------------


def _declaration_url(student: Student, period: Period) -> str:
    return url_for("training.declaration", student_id=student.id, period_id=period.id)


def _period_url(student: Student, period: Period) -> str:
    return url_for("training.period", student_id=student.id, period_id=period.id)


def _save(form, student: Student, period: Period, change, done: str):
    """Save the declaration form's change and reload the declaration (None: show it again)."""
    url = _declaration_url(student, period)
    return editing.save(form, change, stale_url=url, done=done, redirect_to=redirect(url))


def _render(student, period, goals, declaration, form, confirm: IssueWarnings | None = None):
    goals_by_id = {g.id: g for g in goals}
    number = training_number(period)
    rows = []
    for row in form.lines:
        try:
            goal = goals_by_id.get(int(row.form.goal_id.data))
        except (TypeError, ValueError):
            goal = None
        rows.append((row.form, goal))
    lines = {line.goal_id: line for line in declaration.lines} if declaration else {}
    return render_template(
        "training/declaration.html",
        student=student,
        period=period,
        period_title=period_title(period),
        period_url=_period_url(student, period),
        goals=goals,
        rows=rows,
        lines=lines,
        number=number,
        declaration=declaration,
        form=form,
        can_write=access.can_write_training(current_user, period),
        attachments=attachments_of([("declaration", declaration.id)] if declaration else []),
        decisions={True: _("Approved"), False: _("Not approved")},
        confirm=confirm,
        earliest=earliest_issue_date(period),
    )


@bp.route("/students/<int:student_id>/periods/<int:period_id>/declaration", methods=["GET", "POST"])
@case_roles_required
def declaration(student_id: int, period_id: int):
    student = access.training.get_training_student_or_404(student_id)
    if request.method == "POST":
        period = access.training.get_training_period_or_404(student, period_id, write=True)
    else:
        period = access.training.get_training_period_or_404(student, period_id)
    goals = goals_of(student.programme_id)
    existing = declaration_of(period)
    form = DeclarationForm()
    if request.method == "GET":
        _fill_form(form, goals, existing)
        audit.record(AuditAction.VIEW, student=student, obj=existing or period, commit=True)
        return _render(student, period, goals, existing, form)
    if existing is not None and existing.issued:
        flash(_("The declaration has been issued and can no longer be changed."), "error")
        return redirect(_declaration_url(student, period))
    if form.validate_on_submit():
        inputs = _read_rows(form, goals)
        if inputs is not None:
            response = _save(
                form,
                student,
                period,
                lambda: save_declaration(
                    student,
                    period,
                    existing,
                    inputs,
                    form.needs_next_periods.data or "",
                    form.seen_version(),
                    current_user,
                ),
                _("The declaration was saved as a draft."),
            )
            if response:
                return response
    return _render(student, period, goals, existing, form)


@bp.route(
    "/students/<int:student_id>/periods/<int:period_id>/declaration/issue",
    methods=["POST"],
    endpoint="issue_declaration",
)
@case_roles_required
def issue_declaration_view(student_id: int, period_id: int):
    student = access.training.get_training_student_or_404(student_id)
    period = access.training.get_training_period_or_404(student, period_id, write=True)
    goals = goals_of(student.programme_id)
    existing = declaration_of(period)
    if existing is not None and existing.issued:
        flash(_("The declaration has been issued and can no longer be changed."), "error")
        return redirect(_declaration_url(student, period))
    form = DeclarationForm()
    if form.validate_on_submit():
        inputs = _read_rows(form, goals)
        if inputs is not None:
            missing = missing_goals(goals, inputs)
            too_early = too_early_message(period)
            if missing:
                _mark_missing(form, missing)
            elif too_early:
                form.form_errors.append(too_early)
            elif not form.confirm_issue.data:
                # Issuing locks it for good: show what to look at, and ask to confirm.
                return _render(
                    student, period, goals, existing, form, issue_warnings(period, goals, inputs)
                )
            else:
                issued: list[tuple[Declaration, Period | None]] = []
                response = _save(
                    form,
                    student,
                    period,
                    lambda: issued.append(
                        issue_declaration(
                            student,
                            period,
                            existing,
                            goals,
                            inputs,
                            form.needs_next_periods.data or "",
                            form.seen_version(),
                            current_user,
                        )
                    ),
                    _("The declaration was issued. It can no longer be changed."),
                )
                if response:
                    new_period = issued[0][1]
                    if new_period is not None:
                        flash(
                            _(
                                "The declaration is not approved. A new training period was "
                                "added to the plan: %(title)s (%(start)s – %(end)s).",
                                title=new_period.title,
                                start=format_date(new_period.start_date),
                                end=format_date(new_period.end_date),
                            ),
                            "warning",
                        )
                    return response
    return _render(student, period, goals, existing, form)


@bp.route("/students/<int:student_id>/periods/<int:period_id>/declaration.pdf")
@case_roles_required
def declaration_pdf(student_id: int, period_id: int):
    student = access.training.get_training_student_or_404(student_id)
    period = access.training.get_training_period_or_404(student, period_id)
    existing = declaration_of(period)
    access.training.require_issued(existing)
    audit.record(AuditAction.EXPORT, student=student, obj=existing, commit=True)
    pdf = render_declaration_pdf(student, period, existing)
    return pdf_download(pdf, f"oplaeringserklaering-{student.student_number}-{period.id}.pdf")
