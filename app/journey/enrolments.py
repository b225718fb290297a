"""A student's enrolments and statuses, as explicit actions: completion, a new enrolment (with
what carries over), leave, transfer to a school outside Elevsag.

A student has a sequence of enrolments (GF1 → GF2 → SSA, a change of programme or school, a
re-enrolment after dropout) and one case file across them: the history, notes and reviews are
keyed by the student and simply run on. The student's `programme`, `school`, `status`,
`dropout_date` and `dropout_reason` mirror the latest enrolment (access rules and lists read
them); every change here keeps them in step (`_mirror`).

Each change writes its case-history line with the acting user; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import audit, dates
from app.editing import RuleError, check_version
from app.extensions import db
from app.history import log
from app.journey.services import (
    check_start,
    current_enrolment,
    not_before_start,
    plan_from_template,
    plan_of,
    template_for,
)
from app.models import (
    AuditAction,
    CaseEventKind,
    ClassTeam,
    Consent,
    ConsentCategory,
    Enrolment,
    Leave,
    MeasureStatus,
    Organisation,
    Period,
    PeriodStatus,
    Programme,
    ProgrammeLevel,
    Student,
    StudentStatus,
    SupportMeasure,
    SupportNeed,
    SupportNeedStatus,
)
from app.models.base import today as _today
from app.models.base import utcnow
from app.support.queries import OPEN_MEASURE
from app.support.services import log_measure, log_need

RUNNING = (StudentStatus.ACTIVE, StudentStatus.ON_LEAVE)


def _mirror(student: Student, enrolment: Enrolment) -> None:
    """The student's own fields follow their latest enrolment."""
    student.programme = enrolment.programme
    student.school = enrolment.school
    student.status = enrolment.status
    if enrolment.status == StudentStatus.DROPPED_OUT:
        student.dropout_date = enrolment.end_date
        student.dropout_reason = enrolment.dropout_reason
    else:
        student.dropout_date = None
        student.dropout_reason = None


def _close_plan(student: Student, enrolment: Enrolment, on: date) -> None:
    """Periods of `enrolment` after `on` will not happen: interrupted."""
    for period in plan_of(student, enrolment):
        if period.start_date > on and period.status != PeriodStatus.COMPLETED:
            period.status = PeriodStatus.INTERRUPTED


# --- completion ---------------------------------------------------------------------------------


def complete(
    student: Student, on: date, result: str, qualified: bool | None, seen_version: int
) -> Enrolment:
    """The current enrolment is completed on `on` with `result` ("Bestået"). A basic course
    (GF1, GF2) says whether the student is qualified for the main programme (the partnership's
    "kvalificeret elev", whom municipalities are obliged to employ for SSA)."""
    check_version(student, seen_version)
    enrolment = current_enrolment(student)
    if enrolment.status != StudentStatus.ACTIVE:
        raise RuleError(_("Only an active enrolment can be completed."))
    not_before_start(enrolment, on, "date")
    basic = enrolment.programme.level == ProgrammeLevel.BASIC
    if basic and qualified is None:
        raise RuleError(
            _("Please say whether the student is qualified for the main programme."), "qualified"
        )
    enrolment.status = StudentStatus.COMPLETED
    enrolment.end_date = on
    enrolment.result = result
    enrolment.qualified = qualified if basic else None
    _close_plan(student, enrolment, on)
    _mirror(student, enrolment)
    kind = CaseEventKind.ENROLMENT_COMPLETED
    if basic:
        kind = (
            CaseEventKind.BASIC_COURSE_QUALIFIED
            if qualified
            else CaseEventKind.BASIC_COURSE_NOT_QUALIFIED
        )
    log(
        student,
        kind,
        current_user,
        programme=enrolment.programme.short_name,
        date=on.isoformat(),
        result=result,
    )
    return enrolment


# --- what carries over to a new enrolment -------------------------------------------------------


@dataclass
class CarryOver:
    """What a new enrolment at `school_id` from `start` does to the student's support: shown
    on the form before the user confirms, then applied by `enrol`."""

    same_school: bool
    start: date
    needs_kept: list[SupportNeed] = field(default_factory=list)
    measures_kept: list[SupportMeasure] = field(default_factory=list)
    consents_kept: list[Consent] = field(default_factory=list)
    needs_resolved: list[SupportNeed] = field(default_factory=list)
    measures_ended: list[SupportMeasure] = field(default_factory=list)
    consents_ended: list[Consent] = field(default_factory=list)

    @property
    def last_day(self) -> date:
        """What does not continue ends the day before the new start."""
        return self.start - timedelta(days=1)

    @property
    def anything(self) -> bool:
        return bool(
            self.needs_kept
            or self.measures_kept
            or self.consents_kept
            or self.needs_resolved
            or self.measures_ended
            or self.consents_ended
        )


def continuing_recipients(student: Student, school_id: int, start: date) -> set[int]:
    """Who a consent may continue to: the school, and every employer with a training agreement
    in force on `start` or starting after it."""
    employers = {
        a.employer_id for a in student.agreements if a.is_current(start) or a.start_date > start
    }
    return {school_id} | employers


def carry_over(student: Student, school_id: int, start: date) -> CarryOver:
    """What continues into an enrolment at `school_id` from `start`, and what ends.

    Same school: active support needs and planned or active measures continue; a consent
    continues when its recipient does (`continuing_recipients`), else it ends the day before.
    Another school: nothing continues; needs are resolved, measures and consents end."""
    same = school_id == student.school_id
    plan = CarryOver(same_school=same, start=start)
    needs = db.session.execute(
        select(SupportNeed)
        .where(SupportNeed.student_id == student.id, SupportNeed.status == SupportNeedStatus.ACTIVE)
        .options(joinedload(SupportNeed.category))
        .order_by(SupportNeed.flagged_at, SupportNeed.id)
    ).scalars()
    measures = db.session.execute(
        select(SupportMeasure)
        .where(SupportMeasure.student_id == student.id, SupportMeasure.status.in_(OPEN_MEASURE))
        .order_by(SupportMeasure.start_date, SupportMeasure.id)
    ).scalars()
    consents = db.session.execute(
        select(Consent)
        .where(
            Consent.student_id == student.id,
            Consent.withdrawn_at.is_(None),
            (Consent.valid_to.is_(None)) | (Consent.valid_to >= start),
        )
        .options(joinedload(Consent.recipient))
        .order_by(Consent.valid_from, Consent.id)
    ).scalars()
    for need in needs:
        (plan.needs_kept if same else plan.needs_resolved).append(need)
    for measure in measures:
        (plan.measures_kept if same else plan.measures_ended).append(measure)
    recipients = continuing_recipients(student, school_id, start) if same else set()
    for consent in consents:
        kept = consent.recipient_id in recipients
        (plan.consents_kept if kept else plan.consents_ended).append(consent)
    return plan


def _apply_carry_over(student: Student, plan: CarryOver, change: EnrolmentChange) -> None:
    """End what does not continue, each with its history line, and sum up in one more."""
    last_day = plan.last_day
    for need in plan.needs_resolved:
        need.status = SupportNeedStatus.RESOLVED
        need.resolved_on = last_day
        log_need(student, CaseEventKind.SUPPORT_NEED_RESOLVED, current_user, need)
    for measure in plan.measures_ended:
        if measure.start_date > last_day:
            measure.status = MeasureStatus.CANCELLED  # it never started
        else:
            measure.status = MeasureStatus.ENDED
            if measure.end_date is None or measure.end_date > last_day:
                measure.end_date = last_day
        measure.next_follow_up = None
        log_measure(student, CaseEventKind.MEASURE_ENDED, current_user, measure)
    for consent in plan.consents_ended:
        if consent.valid_from > last_day:
            # It had not begun: ended as a withdrawal on the student's behalf, kept on record.
            consent.withdrawn_at = utcnow()
            consent.withdrawn_by_id = current_user.id
        else:
            consent.valid_to = last_day
        log(
            student,
            CaseEventKind.CONSENT_ENDED,
            current_user,
            data_category=consent.category,
            category=consent.category.value,
            recipient=consent.recipient.name,
            date=last_day.isoformat(),
        )
        audit.record(AuditAction.UPDATE, student=student, obj=consent)
    if plan.same_school:
        kind, where = CaseEventKind.SUPPORT_CARRIED_OVER, {"programme": change.programme.short_name}
        needs, measures, consents = plan.needs_kept, plan.measures_kept, plan.consents_kept
    else:
        kind, where = CaseEventKind.SUPPORT_NOT_CARRIED_OVER, {"school": change.school.name}
        needs, measures, consents = plan.needs_resolved, plan.measures_ended, plan.consents_ended
    if needs or measures or consents:
        log(
            student,
            kind,
            current_user,
            data_category=ConsentCategory.SUPPORT_NEEDS,
            needs=len(needs),
            measures=len(measures),
            consents=len(consents),
            **where,
        )


# --- a new enrolment ----------------------------------------------------------------------------


@dataclass
class EnrolmentChange:
    programme: Programme
    school: Organisation
    start_date: date
    class_team: ClassTeam | None = None
    create_plan: bool = True


def check_enrolment(student: Student, change: EnrolmentChange, today: date) -> Enrolment:
    """The rules of a new enrolment; returns the enrolment it follows."""
    previous = current_enrolment(student)
    if previous.status in RUNNING:
        raise RuleError(
            _(
                "The student is still enrolled in %(programme)s. Register a completion, dropout "
                "or transfer first.",
                programme=previous.programme.short_name,
            )
        )
    dates.check_in_window(change.start_date, "start_date")
    if previous.end_date is not None and change.start_date <= previous.end_date:
        raise RuleError(
            _(
                "The new enrolment must start after the previous one ended (%(end)s).",
                end=format_date(previous.end_date),
            ),
            "start_date",
        )
    check_start(change.start_date, today)
    if change.class_team is not None and change.class_team.school_id != change.school.id:
        raise RuleError(_("The class team belongs to another school."), "class_team")
    return previous


def enrol(
    student: Student, change: EnrolmentChange, seen_version: int, today: date | None = None
) -> Enrolment:
    """A new enrolment after completion, dropout or transfer (GF1 → GF2, GF2 → SSA, a change
    of programme, a re-enrolment after dropout). Support carries over as `carry_over` says;
    with `create_plan`, the new programme's plan is copied from its template."""
    check_version(student, seen_version)
    today = today or _today()
    previous = check_enrolment(student, change, today)
    plan = carry_over(student, change.school.id, change.start_date)
    # What ends is recorded before the new enrolment exists: at a change of school these lines
    # belong to the earlier school, and the new one does not read them (app.access.support).
    _apply_carry_over(student, plan, change)
    db.session.flush()
    enrolment = Enrolment(
        student_id=student.id,
        programme=change.programme,
        school=change.school,
        class_team=change.class_team,
        start_date=change.start_date,
        status=StudentStatus.ACTIVE,
        created_by_id=current_user.id,
    )
    student.enrolments.append(enrolment)
    db.session.flush()
    # What was left of the previous plan will not happen (after a dropout, too, once the
    # student's dropout date no longer marks it).
    _close_plan(student, previous, previous.end_date or change.start_date - timedelta(days=1))
    _mirror(student, enrolment)
    log(
        student,
        CaseEventKind.ENROLLED,
        current_user,
        old=previous.programme.short_name,
        new=change.programme.short_name,
        school=change.school.name,
        start=change.start_date.isoformat(),
    )
    if change.create_plan:
        periods = plan_from_template(
            enrolment, template_for(change.programme.id), change.start_date, today
        )
        db.session.add_all(periods)
        if periods:
            log(
                student,
                CaseEventKind.PLAN_CREATED,
                current_user,
                start=change.start_date.isoformat(),
                periods=len(periods),
            )
    return enrolment


# --- leave (orlov) ------------------------------------------------------------------------------


def _moved(value: date, shift: timedelta, field_name: str) -> date:
    moved = dates.add(value, shift)
    if moved is None or not dates.in_window(moved):
        first, last = dates.window()
        raise RuleError(
            _(
                "The leave would move the plan outside the allowed dates (%(first)s – %(last)s).",
                first=dates.date_text(first),
                last=dates.date_text(last),
            ),
            field_name,
        )
    return moved


def _shift_plan(
    student: Student, enrolment: Enrolment, start: date, shift: timedelta, field_name: str
) -> tuple[Period | None, int]:
    """Move the plan for a leave from `start`: the period under way on `start` ends `shift`
    later, every period starting after `start` moves by `shift` (negative: back, for a return
    before the leave's planned end). Every new date is worked out first, so a refusal (a date
    outside the window, at `field_name`) leaves the plan as it was. Returns the period under
    way and how many periods moved."""
    periods = plan_of(student, enrolment)
    under_way = next((p for p in periods if p.start_date <= start <= p.end_date), None)
    changes: list[tuple[Period, date, date]] = []
    for period in periods:
        if period is under_way:
            end = _moved(period.end_date, shift, field_name)
            changes.append((period, period.start_date, max(end, period.start_date)))
        elif period.start_date > start:
            changes.append(
                (
                    period,
                    _moved(period.start_date, shift, field_name),
                    _moved(period.end_date, shift, field_name),
                )
            )
    for period, new_start, new_end in changes:
        if period is under_way and period.original_end_date is None:
            period.original_end_date = period.end_date
        period.start_date, period.end_date = new_start, new_end
    return under_way, len(changes)


def start_leave(student: Student, start: date, end: date, reason: str, seen_version: int) -> Leave:
    """Orlov from `start` to `end` (both included): the period under way on `start` is
    lengthened by the leave's length, every later period moves by as much."""
    check_version(student, seen_version)
    enrolment = current_enrolment(student)
    if enrolment.status != StudentStatus.ACTIVE:
        raise RuleError(_("Only an active student can go on leave."))
    if end < start:
        raise RuleError(_("The end date must be on or after the start date."), "end_date")
    not_before_start(enrolment, start, "start_date")
    shift = end - start + timedelta(days=1)
    under_way, moved = _shift_plan(student, enrolment, start, shift, "end_date")
    leave = Leave(
        student_id=student.id,
        enrolment_id=enrolment.id,
        start_date=start,
        end_date=end,
        reason=reason,
        created_by_id=current_user.id,
    )
    db.session.add(leave)
    enrolment.status = StudentStatus.ON_LEAVE
    _mirror(student, enrolment)
    log(
        student,
        CaseEventKind.LEAVE_STARTED,
        current_user,
        start=start.isoformat(),
        end=end.isoformat(),
        days=shift.days,
        period=under_way.title if under_way is not None else "",
        shifted=moved,
    )
    return leave


def open_leave(student: Student) -> Leave | None:
    """The leave the student is on (the latest not yet ended)."""
    return db.session.execute(
        select(Leave)
        .where(Leave.student_id == student.id, Leave.ended_on.is_(None))
        .order_by(Leave.start_date.desc(), Leave.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def end_leave(student: Student, on: date, seen_version: int) -> Leave:
    """Back from leave on `on` (the first day back): active again. A return earlier or later
    than the leave's planned end moves the plan back or on by the difference."""
    check_version(student, seen_version)
    enrolment = current_enrolment(student)
    leave = open_leave(student)
    if enrolment.status != StudentStatus.ON_LEAVE or leave is None:
        raise RuleError(_("The student is not on leave."))
    if on < leave.start_date:
        raise RuleError(
            _(
                "The student cannot come back before the leave began (%(start)s).",
                start=format_date(leave.start_date),
            ),
            "date",
        )
    # Back earlier or later than planned: the plan follows the leave as it was taken.
    shift = on - (leave.end_date + timedelta(days=1))
    if shift:
        _shift_plan(student, enrolment, leave.start_date, shift, "date")
    leave.ended_on = on
    enrolment.status = StudentStatus.ACTIVE
    _mirror(student, enrolment)
    if shift:
        log(
            student,
            CaseEventKind.LEAVE_ENDED_PLAN_MOVED,
            current_user,
            date=on.isoformat(),
            planned=(leave.end_date + timedelta(days=1)).isoformat(),
        )
    else:
        log(student, CaseEventKind.LEAVE_ENDED, current_user, date=on.isoformat())
    return leave


# --- transfer to a school outside Elevsag -------------------------------------------------------


def transfer(student: Student, on: date, destination: str, seen_version: int) -> Enrolment:
    """The student continues at a school outside Elevsag: the enrolment ends on `on` with
    status TRANSFERRED, which is not counted as a dropout."""
    check_version(student, seen_version)
    enrolment = current_enrolment(student)
    if enrolment.status not in RUNNING:
        raise RuleError(_("Only a student who is active or on leave can be transferred."))
    not_before_start(enrolment, on, "date")
    enrolment.status = StudentStatus.TRANSFERRED
    enrolment.end_date = on
    for period in plan_of(student, enrolment):
        if period.start_date <= on <= period.end_date and period.status != PeriodStatus.COMPLETED:
            period.status = PeriodStatus.INTERRUPTED
    _close_plan(student, enrolment, on)
    leave = open_leave(student)
    if leave is not None:
        leave.ended_on = on
    _mirror(student, enrolment)
    log(
        student,
        CaseEventKind.TRANSFERRED,
        current_user,
        date=on.isoformat(),
        destination=destination,
    )
    return enrolment
