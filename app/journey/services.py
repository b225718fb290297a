"""Rules for a student's plan. Views call these; each call is one transaction's worth of change.

Every change adds a `CaseEvent` (the case history people read) and an audit row (the access log),
in the same transaction as the change. The caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app import dates
from app.access.journey import is_transition
from app.attachments.services import remove_for
from app.editing import RuleError, check_version
from app.extensions import db
from app.history import log
from app.models import (
    AgreementKind,
    AttachmentParent,
    CaseEventKind,
    Declaration,
    DropoutReason,
    Enrolment,
    HandoverNote,
    Leave,
    Membership,
    Organisation,
    Period,
    PeriodKind,
    PeriodStatus,
    Role,
    Student,
    StudentStatus,
    TemplatePeriod,
    TrainingAgreement,
    User,
    Workplace,
)
from app.models.base import today as _today


def status_on(start: date, end: date, on: date) -> PeriodStatus:
    return Period(start_date=start, end_date=end, status=PeriodStatus.PLANNED).status_on(on)


# --- generating a plan ------------------------------------------------------------------


def template_for(programme_id: int) -> list[TemplatePeriod]:
    query = (
        select(TemplatePeriod)
        .where(TemplatePeriod.programme_id == programme_id)
        .order_by(TemplatePeriod.position)
    )
    return list(db.session.execute(query).scalars())


def plan_from_template(
    enrolment: Enrolment, templates: list[TemplatePeriod], start: date, today: date
) -> list[Period]:
    """New periods of `enrolment` copied from `templates`, back to back from `start` (not yet
    added). `enrolment` needs its `id` and `student_id` only."""
    periods = []
    cursor = start
    for template in templates:
        # The whole plan lies in the window (a start near its end would overflow otherwise).
        end = dates.shifted_into_window(
            cursor, timedelta(weeks=template.weeks) - timedelta(days=1), "start_date"
        )
        periods.append(
            Period(
                student_id=enrolment.student_id,
                enrolment_id=enrolment.id,
                kind=template.kind,
                title=template.title,
                training_area=template.training_area,
                training_number=template.training_number,
                start_date=cursor,
                end_date=end,
                status=status_on(cursor, end, today),
            )
        )
        cursor = dates.add_clamped(end, timedelta(days=1))
    return periods


def generate_plan(student: Student, start: date, today: date) -> list[Period]:
    """Copy the programme's template into the student's own periods, back to back from `start`.

    The copy is independent: changing the template later leaves existing plans alone.
    """
    enrolment = current_enrolment(student)
    if plan_of(student, enrolment):
        raise RuleError(_("The student already has a plan."))
    check_start(start, today)
    previous = [p for p in plan_of(student) if p.end_date >= start]
    if previous:
        raise RuleError(
            _(
                "The plan must start after the earlier enrolment's last period (%(end)s).",
                end=format_date(previous[-1].end_date),
            ),
            "start_date",
        )
    periods = plan_from_template(enrolment, template_for(enrolment.programme_id), start, today)
    db.session.add_all(periods)
    log(
        student,
        CaseEventKind.PLAN_CREATED,
        current_user,
        start=start.isoformat(),
        periods=len(periods),
    )
    return periods


def current_enrolment(student: Student) -> Enrolment:
    """The student's latest enrolment: the programme they are in, or last were in."""
    return student.enrolments[-1]


def plan_of(student: Student, enrolment: Enrolment | None = None) -> list[Period]:
    """The student's periods in date order, across every enrolment, or of one `enrolment`."""
    query = select(Period).where(Period.student_id == student.id).order_by(Period.start_date)
    if enrolment is not None:
        query = query.where(Period.enrolment_id == enrolment.id)
    return list(db.session.execute(query).scalars())


# --- changing periods -------------------------------------------------------------------


def check_length(kind: PeriodKind, start: date, end: date) -> None:
    """A period lasts at most PERIOD_MAX_DAYS, a training period at least
    TRAINING_PERIOD_MIN_DAYS (both days count)."""
    config = current_app.config
    days = (end - start).days + 1
    if kind == PeriodKind.TRAINING and days < config["TRAINING_PERIOD_MIN_DAYS"]:
        raise RuleError(
            _(
                "A training period must last at least %(days)d days.",
                days=config["TRAINING_PERIOD_MIN_DAYS"],
            ),
            "end_date",
        )
    if days > config["PERIOD_MAX_DAYS"]:
        raise RuleError(
            _("A period can last at most %(days)d days.", days=config["PERIOD_MAX_DAYS"]),
            "end_date",
        )


def check_start(start: date, today: date) -> None:
    """A new start date lies at most PERIOD_START_MAX_YEARS before or after today: further away
    it is a typo (and the student would drop out of every current list)."""
    years = current_app.config["PERIOD_START_MAX_YEARS"]
    if abs((start - today).days) > years * 365:
        raise RuleError(
            _("The start date can be at most %(years)d years from today.", years=years),
            "start_date",
        )


def check_period(change: PeriodChange, today: date, period: Period | None = None) -> None:
    """The domain's rules for a period's dates, checked when they are set or changed: a period
    saved long ago keeps its dates and stays editable."""
    dates.check_in_window(change.start_date, "start_date")
    dates.check_in_window(change.end_date, "end_date")
    if change.end_date < change.start_date:
        return  # check_dates says so, at the end date
    if period is None or period.start_date != change.start_date:
        check_start(change.start_date, today)
    if period is None or (period.start_date, period.end_date, period.kind) != (
        change.start_date,
        change.end_date,
        change.kind,
    ):
        check_length(change.kind, change.start_date, change.end_date)


def check_dates(student: Student, start: date, end: date, period: Period | None = None) -> None:
    if end < start:
        raise RuleError(_("The end date must be on or after the start date."), "end_date")
    for other in plan_of(student):
        if period is not None and other.id == period.id:
            continue
        if start <= other.end_date and end >= other.start_date:
            raise RuleError(
                _(
                    "The dates overlap %(title)s (%(start)s – %(end)s).",
                    title=other.title or _("another period"),
                    start=format_date(other.start_date),
                    end=format_date(other.end_date),
                ),
                "start_date",
            )


@dataclass
class PeriodChange:
    title: str
    kind: PeriodKind
    start_date: date
    end_date: date
    workplace: Workplace | None
    responsible: User | None
    status: PeriodStatus


def _place(period_kind: PeriodKind, workplace: Workplace | None) -> str:
    return (
        workplace.name if workplace is not None else ("school" if period_kind == "school" else "")
    )


def supervises_at(user: User, workplace: Workplace | None) -> bool:
    """`user` is a practice supervisor at `workplace`."""
    if workplace is None:
        return False
    return (
        db.session.execute(
            select(Membership.id).where(
                Membership.user_id == user.id,
                Membership.role == Role.SUPERVISOR,
                Membership.workplace_id == workplace.id,
            )
        ).first()
        is not None
    )


def check_responsible(change: PeriodChange) -> None:
    """The responsible person of a training period gets the supervisor's notifications, so
    it must be a practice supervisor at the period's workplace (not, e.g., a teacher)."""
    if change.kind != PeriodKind.TRAINING or change.responsible is None:
        return
    if not supervises_at(change.responsible, change.workplace):
        raise RuleError(
            _(
                "The responsible person of a training period must be a practice supervisor "
                "(oplæringsvejleder) at its workplace."
            ),
            "responsible",
        )


def _log_period(student: Student, kind: CaseEventKind, period: Period, **details) -> None:
    """A change to one of the student's periods, into the case history under the period's title."""
    log(student, kind, current_user, period=period.title, **details)


def _span(period: Period) -> dict[str, str]:
    return {"start": period.start_date.isoformat(), "end": period.end_date.isoformat()}


def add_period(student: Student, change: PeriodChange) -> Period:
    check_dates(student, change.start_date, change.end_date)
    check_period(change, _today())
    check_responsible(change)
    period = Period(student_id=student.id, enrolment_id=current_enrolment(student).id)
    _apply(period, change)
    db.session.add(period)
    _log_period(student, CaseEventKind.PERIOD_ADDED, period, **_span(period))
    return period


def _apply(period: Period, change: PeriodChange) -> None:
    period.title = change.title
    period.kind = change.kind
    period.start_date = change.start_date
    period.end_date = change.end_date
    period.workplace = change.workplace if change.kind == PeriodKind.TRAINING else None
    period.responsible = change.responsible
    period.status = change.status


def _snapshot(period: Period) -> dict[str, str]:
    """What the history shows of a period, to compare before and after a change."""
    return {
        "title": period.title,
        "start": period.start_date.isoformat(),
        "end": period.end_date.isoformat(),
        "place": _place(period.kind, period.workplace),
        "status": period.status.value,
        "responsible": period.responsible.name if period.responsible else "",
    }


def update_period(
    student: Student, period: Period, change: PeriodChange, seen_version: int
) -> None:
    """Save an edit made on a form that was opened at `seen_version` of the period."""
    check_version(period, seen_version)
    check_dates(student, change.start_date, change.end_date, period)
    check_period(change, _today(), period)
    check_responsible(change)
    before = _snapshot(period)
    _apply(period, change)
    after = _snapshot(period)
    for key, kind in (
        ("place", CaseEventKind.WORKPLACE_CHANGED),
        ("status", CaseEventKind.PERIOD_STATUS_CHANGED),
    ):
        # (A school period has no workplace to change.)
        if before[key] != after[key] and (key != "place" or period.kind == PeriodKind.TRAINING):
            _log_period(student, kind, period, old=before[key], new=after[key])
    changed = {
        k: [before[k], after[k]]
        for k in ("title", "start", "end", "responsible")
        if before[k] != after[k]
    }
    if changed:
        _log_period(
            student,
            CaseEventKind.PERIOD_CHANGED,
            period,
            changes=changed,
        )


def extend_period(
    student: Student, period: Period, new_end: date, shift_following: bool, seen_version: int
) -> None:
    """Forlængelse: move the end date later; optionally move every later period by as much."""
    check_version(period, seen_version)
    dates.check_in_window(new_end, "new_end_date")
    if new_end <= period.end_date:
        raise RuleError(_("An extension must end after the current end date."), "new_end_date")
    try:
        check_length(period.kind, period.start_date, new_end)
    except RuleError as error:
        raise RuleError(error.message, "new_end_date") from None
    shift = new_end - period.end_date
    later = [p for p in plan_of(student) if p.start_date > period.end_date]
    if shift_following:
        # Every moved period must stay in the window: work out all new dates before changing
        # any, so a refusal leaves the plan as it was (and nothing overflows).
        moved = [
            (other, _moved(other.start_date, shift), _moved(other.end_date, shift))
            for other in later
        ]
        for other, start, end in moved:
            other.start_date, other.end_date = start, end
    else:
        check_dates(student, period.start_date, new_end, period)
    old_end = period.end_date
    if period.original_end_date is None:
        period.original_end_date = old_end
    period.end_date = new_end
    _log_period(
        student,
        CaseEventKind.PERIOD_EXTENDED,
        period,
        old=old_end.isoformat(),
        new=new_end.isoformat(),
        shifted=len(later) if shift_following else 0,
    )


def _moved(value: date, shift: timedelta) -> date:
    """A later period's date moved by an extension; outside the window it is refused at the
    new end date, the field that caused it."""
    moved = dates.add(value, shift)
    if moved is None or not dates.in_window(moved):
        first, last = dates.window()
        raise RuleError(
            _(
                "Moving the later periods would put them outside the allowed dates "
                "(%(first)s – %(last)s).",
                first=dates.date_text(first),
                last=dates.date_text(last),
            ),
            "new_end_date",
        )
    return moved


def delete_period(student: Student, period: Period) -> None:
    if db.session.execute(
        select(HandoverNote.id).where(
            (HandoverNote.to_period_id == period.id) | (HandoverNote.from_period_id == period.id)
        )
    ).first():
        raise RuleError(_("The period has a handover note and cannot be deleted."))
    _log_period(student, CaseEventKind.PERIOD_DELETED, period, **_span(period))
    # The period's declaration goes with it (foreign key); its files must not stay behind.
    remove_for(
        AttachmentParent.DECLARATION,
        db.session.scalars(select(Declaration.id).where(Declaration.period_id == period.id)),
    )
    db.session.delete(period)


# --- dropout and re-admission -----------------------------------------------------------


def dropout_period(periods: list[Period], on: date) -> tuple[Period | None, bool]:
    """The period a dropout on `on` happened in, and whether it happened at a transition.

    A date inside a period is that period's, unless it is the first day of a period that
    follows a change of place (the student did not start it). A date between two periods (or
    before the first) belongs to the period the student did not start, at the transition.
    After the last period: the last one. `periods` in date order.
    """
    for index, period in enumerate(periods):
        if period.start_date <= on <= period.end_date:
            before = periods[index - 1] if index else None
            if on == period.start_date and before is not None and is_transition(before, period):
                return period, True
            return period, False
        if on < period.start_date:
            return period, True
    return (periods[-1], False) if periods else (None, False)


def not_before_start(enrolment: Enrolment, on: date, field_name: str) -> None:
    """Refuse a date (of a status change) before `enrolment` started."""
    if on < enrolment.start_date:
        raise RuleError(
            _(
                "The date cannot be before the enrolment started (%(start)s).",
                start=format_date(enrolment.start_date),
            ),
            field_name,
        )


def drop_out(
    student: Student, on: date, reason: DropoutReason, seen_version: int, note: str = ""
) -> None:
    """Afbrud: the current enrolment ends on `on`, with the reason and the period it happened
    in; the period under way is interrupted and later ones will not happen."""
    check_version(student, seen_version)
    if student.status == StudentStatus.DROPPED_OUT:
        raise RuleError(_("The student has already dropped out."))
    enrolment = current_enrolment(student)
    if student.status not in (StudentStatus.ACTIVE, StudentStatus.ON_LEAVE):
        raise RuleError(_("Only a student who is active or on leave can drop out."))
    not_before_start(enrolment, on, "date")
    periods = plan_of(student, enrolment)
    period, at_transition = dropout_period(periods, on)
    student.status = enrolment.status = StudentStatus.DROPPED_OUT
    student.dropout_date = enrolment.end_date = on
    student.dropout_reason = enrolment.dropout_reason = reason
    enrolment.dropout_note = note or ""
    enrolment.dropout_period_id = period.id if period is not None else None
    enrolment.dropout_at_transition = at_transition
    for each in periods:
        if each.start_date <= on <= each.end_date and each.status != PeriodStatus.COMPLETED:
            each.status = PeriodStatus.INTERRUPTED
    for leave in db.session.execute(
        select(Leave).where(Leave.enrolment_id == enrolment.id, Leave.ended_on.is_(None))
    ).scalars():
        leave.ended_on = on  # a dropout during leave ends the leave
    details: dict = {"date": on.isoformat(), "reason": reason.value}
    if period is not None:
        details["period"] = period.title or period.start_date.isoformat()
        details["at_transition"] = at_transition
    log(student, CaseEventKind.DROPPED_OUT, current_user, period_id=period and period.id, **details)


def readmit(student: Student, on: date, seen_version: int) -> None:
    """Undo a dropout within the same enrolment (a new programme is a new enrolment)."""
    check_version(student, seen_version)
    if student.status != StudentStatus.DROPPED_OUT:
        raise RuleError(_("Only a student who has dropped out can be re-admitted."))
    if student.dropout_date and on < student.dropout_date:
        raise RuleError(_("Re-admission cannot be before the dropout date."), "date")
    enrolment = current_enrolment(student)
    student.status = enrolment.status = StudentStatus.ACTIVE
    student.dropout_date = enrolment.end_date = None
    student.dropout_reason = enrolment.dropout_reason = None
    enrolment.dropout_note = ""
    enrolment.dropout_period_id = None
    enrolment.dropout_at_transition = False
    log(student, CaseEventKind.READMITTED, current_user, date=on.isoformat())


# --- agreements -------------------------------------------------------------------------


def check_agreement_dates(
    student: Student, start: date, end: date | None, agreement: TrainingAgreement | None = None
) -> None:
    if end is not None and end < start:
        raise RuleError(_("The end date must be on or after the start date."), "end_date")
    far = date.max
    for other in student.agreements:
        if agreement is not None and other.id == agreement.id:
            continue
        if start <= (other.end_date or far) and (end or far) >= other.start_date:
            raise RuleError(
                _(
                    "The dates overlap another agreement for this student (%(employer)s, from "
                    "%(start)s).",
                    employer=other.employer.name,
                    start=format_date(other.start_date),
                ),
                "start_date",
            )


def save_agreement(
    student: Student,
    agreement: TrainingAgreement | None,
    employer: Organisation,
    kind: AgreementKind,
    start: date,
    end: date | None,
    seen_version: int,
) -> TrainingAgreement:
    """Create or change the agreement that decides which employer sees the student."""
    check_version(agreement, seen_version)
    check_agreement_dates(student, start, end, agreement)
    if agreement is None:
        earlier = [a for a in student.agreements if a.start_date < start]
        if earlier and earlier[-1].employer_id != employer.id:
            log(
                student,
                CaseEventKind.EMPLOYER_CHANGED,
                current_user,
                old=earlier[-1].employer.name,
                new=employer.name,
                start=start.isoformat(),
            )
        agreement = TrainingAgreement(student=student)
        db.session.add(agreement)
        event = CaseEventKind.AGREEMENT_CREATED
    else:
        event = CaseEventKind.AGREEMENT_CHANGED
    agreement.employer = employer
    agreement.kind = kind
    agreement.start_date = start
    agreement.end_date = end
    log(student, event, current_user, employer=employer.name, start=start.isoformat())
    return agreement
