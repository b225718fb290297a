"""Changes to a training period's records. Each is attributed, goes into the case history and
the access log; dates must lie within the period. The caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from flask_babel import gettext as _
from sqlalchemy import select, union

from app.editing import RuleError, check_version
from app.extensions import db
from app.history import log
from app.mail import notices
from app.models import (
    Absence,
    AbsenceKind,
    CaseEventKind,
    ExperienceCategory,
    GoalAssessment,
    GoalLevel,
    LearningAgreement,
    Membership,
    MidEvaluation,
    NotificationKind,
    Period,
    PeriodKind,
    Role,
    Student,
    SupportMeasure,
    SupportNeed,
    SupportNeedStatus,
    TrainingExperience,
    TrainingGoal,
    TrainingWarning,
    User,
)
from app.models.base import today, utcnow
from app.notifications import notify, people_at
from app.support.queries import OPEN_MEASURE
from app.training.common import check_in_period, history_title


def _in_period(period: Period, on: date | None, field: str) -> None:
    message = check_in_period(period, on)
    if message:
        raise RuleError(message, field)


def _log(student: Student, kind: CaseEventKind, user: User, period: Period, target=None, **details):
    """A history line about a record of the training `period`: `target` (a warning), else the
    period's records as a whole (assessments, evaluations, ...)."""
    log(student, kind, user, period=history_title(period), target=target or period, **details)


def school_contacts(student: Student, period: Period) -> list[int]:
    """The school's people for this student: the responsible teacher of the nearest school
    period (the one before, else the one after), else the school's teachers and counsellors."""
    school_periods = list(
        db.session.execute(
            select(Period)
            .where(Period.student_id == student.id, Period.kind == PeriodKind.SCHOOL)
            .order_by(Period.start_date)
        ).scalars()
    )
    before = [p for p in school_periods if p.start_date < period.start_date]
    after = [p for p in school_periods if p.start_date > period.start_date]
    nearest = before[-1] if before else (after[0] if after else None)
    if nearest is None:
        nearest = Period(kind=PeriodKind.SCHOOL, student_id=student.id)
    return people_at(nearest, student)


def support_counsellors(student: Student) -> list[int]:
    """The counsellors responsible for the student's active support needs: who flagged a need
    and who owns an open measure for one, while they are active counsellors at the student's
    school. They already know of the support, so telling them about the student reveals
    nothing new to anyone, and the workplace is not shown whom the school told."""
    active_needs = (
        SupportNeed.student_id == student.id,
        SupportNeed.status == SupportNeedStatus.ACTIVE,
    )
    flagged = select(SupportNeed.flagged_by_id).where(*active_needs)
    owners = (
        select(SupportMeasure.owner_id)
        .join(SupportNeed, SupportNeed.id == SupportMeasure.need_id)
        .where(*active_needs, SupportMeasure.status.in_(OPEN_MEASURE))
    )
    query = (
        select(Membership.user_id)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.role == Role.COUNSELLOR,
            Membership.organisation_id == student.school_id,
            Membership.user_id.in_(union(flagged, owners).scalar_subquery()),
            User.active.is_(True),
        )
        .distinct()
    )
    return list(db.session.execute(query).scalars())


# --- goal assessments -------------------------------------------------------------------------


@dataclass
class GoalMark:
    goal: TrainingGoal
    level: GoalLevel | None  # None: not assessed (an earlier assessment is removed)
    comment: str


def assess_goals(
    student: Student, period: Period, on: date, marks: list[GoalMark], user: User
) -> int:
    _in_period(period, on, "assessed_on")
    if on > today():
        raise RuleError(_("An assessment cannot be dated in the future."), "assessed_on")
    existing = {
        a.goal_id: a
        for a in db.session.execute(
            select(GoalAssessment).where(GoalAssessment.period_id == period.id)
        ).scalars()
    }
    assessed = 0
    for mark in marks:
        current = existing.get(mark.goal.id)
        if mark.level is None:
            if current is not None:
                db.session.delete(current)
            continue
        if current is None:
            current = GoalAssessment(period_id=period.id, goal_id=mark.goal.id)
            db.session.add(current)
        elif current.level == mark.level and current.comment == mark.comment:
            continue  # unchanged: keep its date and assessor
        current.level = mark.level
        current.comment = mark.comment
        current.assessed_on = on
        current.assessed_by_id = user.id
        assessed += 1
    _log(student, CaseEventKind.GOALS_ASSESSED, user, period, count=assessed)
    return assessed


# --- experiences ------------------------------------------------------------------------------


@dataclass
class ExperienceChange:
    on_date: date
    category: ExperienceCategory
    what_happened: str
    learned: str
    work_on: str
    concern: bool


def record_experience(
    student: Student,
    period: Period,
    change: ExperienceChange,
    user: User,
    experience: TrainingExperience | None = None,
    seen_version: int | None = None,
) -> TrainingExperience:
    check_version(experience, seen_version)
    _in_period(period, change.on_date, "on_date")
    if change.on_date > today():
        raise RuleError(_("An experience cannot be dated in the future."), "on_date")
    new = experience is None
    was_concern = bool(experience and experience.concern)
    if new:
        experience = TrainingExperience(
            period_id=period.id, student_id=student.id, author_id=user.id
        )
        db.session.add(experience)
    for name in ("on_date", "category", "what_happened", "learned", "work_on", "concern"):
        setattr(experience, name, getattr(change, name))
    db.session.flush()
    kind = CaseEventKind.EXPERIENCE_RECORDED if new else CaseEventKind.EXPERIENCE_CHANGED
    _log(student, kind, user, period)
    if change.concern and not was_concern:
        # The contact teacher, and the counsellors who follow the student's support.
        receivers = school_contacts(student, period)
        receivers += [i for i in support_counsellors(student) if i not in receivers]
        notify(
            receivers,
            NotificationKind.CONCERN_RECORDED,
            student,
            period,
            again=True,
        )
    return experience


# --- learning agreement and mid-period evaluation ---------------------------------------------
# One of each per training period: the first save adds it, a later one changes it.


_Record = TypeVar("_Record", LearningAgreement, MidEvaluation)


def _period_record(
    model: type[_Record], record: _Record | None, period: Period, values: dict
) -> _Record:
    """`record`, or the period's new one of `model` (added to the session), with `values` set."""
    if record is None:
        record = model(period_id=period.id)
        db.session.add(record)
    for name, value in values.items():
        setattr(record, name, value)
    return record


def save_learning_agreement(
    student: Student,
    period: Period,
    agreement: LearningAgreement | None,
    values: dict,
    user: User,
    seen_version: int | None,
) -> LearningAgreement:
    check_version(agreement, seen_version)
    for name in ("meeting_1", "meeting_2", "meeting_3", "meeting_4"):
        _in_period(period, values[name], name)
    agreement = _period_record(LearningAgreement, agreement, period, values)
    agreement.author_id = user.id
    _log(student, CaseEventKind.LEARNING_AGREEMENT_SAVED, user, period)
    return agreement


def sign_mid_evaluation(
    student: Student,
    period: Period,
    evaluation: MidEvaluation | None,
    values: dict,
    user: User,
    seen_version: int | None,
) -> MidEvaluation:
    check_version(evaluation, seen_version)
    _in_period(period, values["evaluated_on"], "evaluated_on")
    if values["evaluated_on"] > today():
        raise RuleError(_("An evaluation cannot be dated in the future."), "evaluated_on")
    evaluation = _period_record(MidEvaluation, evaluation, period, values)
    # A changed evaluation is signed again and must be acknowledged again.
    evaluation.signed_by_id = user.id
    evaluation.signed_at = utcnow()
    evaluation.acknowledged_at = None
    evaluation.acknowledged_by_id = None
    _log(student, CaseEventKind.MID_EVALUATION_SIGNED, user, period)
    return evaluation


def acknowledge_mid_evaluation(
    student: Student, period: Period, evaluation: MidEvaluation, user: User, seen_version: int
) -> None:
    check_version(evaluation, seen_version)
    if evaluation.acknowledged_at is not None:
        raise RuleError(_("The evaluation has already been acknowledged."))
    evaluation.acknowledged_at = utcnow()
    evaluation.acknowledged_by_id = user.id
    _log(student, CaseEventKind.MID_EVALUATION_ACKNOWLEDGED, user, period)


# --- warnings ---------------------------------------------------------------------------------


def give_warning(
    student: Student,
    period: Period,
    reason: str,
    goals: list[TrainingGoal],
    actions: str,
    deadline: date,
    user: User,
) -> TrainingWarning:
    _in_period(period, deadline, "deadline")
    if deadline < today():
        raise RuleError(_("The deadline cannot be in the past."), "deadline")
    warning = TrainingWarning(
        period_id=period.id,
        student_id=student.id,
        reason=reason,
        agreed_actions=actions,
        deadline=deadline,
        issued_by_id=user.id,
        goals=goals,
    )
    db.session.add(warning)
    db.session.flush()
    _log(student, CaseEventKind.WARNING_GIVEN, user, period, warning, deadline=deadline.isoformat())
    notify(
        school_contacts(student, period),
        NotificationKind.WARNING_GIVEN,
        student,
        period,
        again=True,
    )
    notices.warning_to_student(student, period, warning.id)
    return warning


def follow_up_warning(
    student: Student,
    period: Period,
    warning: TrainingWarning,
    note: str,
    user: User,
    seen_version: int,
) -> None:
    check_version(warning, seen_version)
    if warning.followed_up_at is not None:
        raise RuleError(_("The warning has already been followed up."))
    warning.followed_up_at = utcnow()
    warning.followed_up_by_id = user.id
    warning.follow_up_note = note
    _log(student, CaseEventKind.WARNING_FOLLOWED_UP, user, period, warning)


# --- absence ----------------------------------------------------------------------------------


def record_absence(
    student: Student,
    period: Period,
    start: date,
    end: date | None,
    kind: AbsenceKind,
    note: str,
    user: User,
) -> Absence:
    end = end or start
    _in_period(period, start, "start_date")
    _in_period(period, end, "end_date")
    if end < start:
        raise RuleError(_("The end date must be on or after the start date."), "end_date")
    if start > today():
        raise RuleError(_("Absence cannot be recorded ahead of time."), "start_date")
    absence = Absence(
        period_id=period.id,
        start_date=start,
        end_date=end,
        kind=kind,
        note=note,
        recorded_by_id=user.id,
    )
    db.session.add(absence)
    _log(student, CaseEventKind.ABSENCE_RECORDED, user, period, days=absence.days)
    return absence
