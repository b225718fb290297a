"""Changes to support needs, measures, SPS steps and consents. Each one is attributed, goes into
the case history under its data category, and into the access log. The caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from app import audit, dates, labels
from app.editing import RuleError, check_version
from app.extensions import db
from app.history import log
from app.models import (
    AuditAction,
    CaseEventKind,
    Consent,
    ConsentCategory,
    ConsentChannel,
    DocumentationKind,
    HelpKind,
    HelpRequest,
    HelpStatus,
    MeasureProvider,
    MeasureStatus,
    MeasureType,
    NotificationKind,
    Organisation,
    Period,
    SpsStage,
    SpsStep,
    Student,
    SupportCategory,
    SupportMeasure,
    SupportNeed,
    SupportNeedStatus,
    User,
)
from app.models.base import today, utcnow
from app.notifications import notify
from app.support.consent_text import CONSENT_TEXT_VERSION

# --- support needs ----------------------------------------------------------------------------


@dataclass
class NeedChange:
    category: SupportCategory
    description: str
    documentation_kind: DocumentationKind
    documentation_date: date | None
    status: SupportNeedStatus


def _check_need(change: NeedChange) -> None:
    if change.documentation_date and change.documentation_date > today():
        raise RuleError(_("The documentation date cannot be in the future."), "documentation_date")
    if change.documentation_kind != DocumentationKind.NONE and not change.documentation_date:
        raise RuleError(_("Please enter the date of the documentation."), "documentation_date")


def flag_need(student: Student, change: NeedChange, user: User | None = None) -> SupportNeed:
    _check_need(change)
    user = user or current_user
    need = SupportNeed(student_id=student.id, flagged_by_id=user.id)
    _apply_need(need, change)
    db.session.add(need)
    db.session.flush()
    log_need(student, CaseEventKind.SUPPORT_NEED_FLAGGED, user, need)
    return need


def change_need(student: Student, need: SupportNeed, change: NeedChange, seen_version: int) -> None:
    check_version(need, seen_version)
    _check_need(change)
    was_active = need.status == SupportNeedStatus.ACTIVE
    _apply_need(need, change)
    resolved = was_active and need.status == SupportNeedStatus.RESOLVED
    kind = CaseEventKind.SUPPORT_NEED_RESOLVED if resolved else CaseEventKind.SUPPORT_NEED_CHANGED
    log_need(student, kind, current_user, need)


def log_need(student: Student, kind: CaseEventKind, user: User, need: SupportNeed) -> None:
    """The case-history line of a change to a need, seen under the need's consent category."""
    log(
        student,
        kind,
        user,
        data_category=need.consent_category,
        target=need,
        category=need.category.name,
    )


def _apply_need(need: SupportNeed, change: NeedChange) -> None:
    need.category = change.category
    need.description = change.description
    need.documentation_kind = change.documentation_kind
    need.documentation_date = change.documentation_date
    if change.status == SupportNeedStatus.RESOLVED and need.status != change.status:
        need.resolved_on = today()
    elif change.status == SupportNeedStatus.ACTIVE:
        need.resolved_on = None
    need.status = change.status


# --- support measures -------------------------------------------------------------------------


@dataclass
class MeasureChange:
    type: MeasureType
    provider: MeasureProvider
    need: SupportNeed | None
    description: str
    start_date: date
    end_date: date | None
    periods: list[Period]
    hours_granted: Decimal | None
    hours_used: Decimal | None
    owner: User | None
    next_follow_up: date | None
    evaluation: str
    status: MeasureStatus


def _check_measure(change: MeasureChange, measure: SupportMeasure | None) -> None:
    if change.end_date and change.end_date < change.start_date:
        raise RuleError(_("The end date must be on or after the start date."), "end_date")
    if change.hours_used is not None and change.hours_granted is None:
        raise RuleError(_("Enter the hours granted before the hours used."), "hours_granted")
    if (
        change.hours_used is not None
        and change.hours_granted is not None
        and change.hours_used > change.hours_granted
    ):
        raise RuleError(
            _(
                "Hours used cannot be more than the hours granted (%(hours)s).",
                hours=f"{change.hours_granted:g}",
            ),
            "hours_used",
        )
    changed_follow_up = measure is None or measure.next_follow_up != change.next_follow_up
    if change.next_follow_up and changed_follow_up and change.next_follow_up < today():
        raise RuleError(_("The follow-up date cannot be in the past."), "next_follow_up")


def add_measure(student: Student, change: MeasureChange, user: User | None = None):
    _check_measure(change, None)
    user = user or current_user
    measure = SupportMeasure(student_id=student.id, created_by_id=user.id)
    _apply_measure(measure, change)
    db.session.add(measure)
    db.session.flush()
    log_measure(student, CaseEventKind.MEASURE_ADDED, user, measure)
    return measure


def change_measure(
    student: Student, measure: SupportMeasure, change: MeasureChange, seen_version: int
) -> None:
    check_version(measure, seen_version)
    _check_measure(change, measure)
    _apply_measure(measure, change)
    log_measure(student, CaseEventKind.MEASURE_CHANGED, current_user, measure)


def log_measure(student: Student, kind: CaseEventKind, user: User, measure: SupportMeasure) -> None:
    """The case-history line of a change to a measure, seen under its consent category."""
    log(
        student,
        kind,
        user,
        data_category=measure.consent_category,
        target=measure,
        measure=measure.type.value,
    )


def _apply_measure(measure: SupportMeasure, change: MeasureChange) -> None:
    for name in (
        "type",
        "provider",
        "need",
        "description",
        "start_date",
        "end_date",
        "hours_granted",
        "hours_used",
        "owner",
        "next_follow_up",
        "evaluation",
        "status",
    ):
        setattr(measure, name, getattr(change, name))
    measure.periods = change.periods


# --- support arranged at the workplace (the employer's record) --------------------------------


def add_arrangement(
    student: Student,
    change: MeasureChange,
    employer: Organisation,
    health_related: bool,
    user: User | None = None,
) -> SupportMeasure:
    """Record support arranged at the workplace, for `employer` (the organisation of the
    chosen training period's workplace), in the same list as the school's measures."""
    _check_measure(change, None)
    user = user or current_user
    measure = SupportMeasure(
        student_id=student.id,
        created_by_id=user.id,
        organisation_id=employer.id,
        health_related=health_related,
    )
    _apply_measure(measure, change)
    measure.provider = MeasureProvider.WORKPLACE
    db.session.add(measure)
    db.session.flush()
    _log_arrangement(student, CaseEventKind.WORKPLACE_SUPPORT_ADDED, user, measure, employer)
    return measure


def change_arrangement(
    student: Student,
    measure: SupportMeasure,
    change: MeasureChange,
    health_related: bool,
    seen_version: int,
) -> None:
    check_version(measure, seen_version)
    _check_measure(change, measure)
    _apply_measure(measure, change)
    measure.provider = MeasureProvider.WORKPLACE
    measure.health_related = health_related
    _log_arrangement(
        student,
        CaseEventKind.WORKPLACE_SUPPORT_CHANGED,
        current_user,
        measure,
        measure.organisation,
    )


def _log_arrangement(
    student: Student,
    kind: CaseEventKind,
    user: User,
    measure: SupportMeasure,
    employer: Organisation,
) -> None:
    """The line is about the employer's record, not the school's support data: everyone who
    sees the case reads it, except that a health-related record's line stays with the
    employer (the school may not know of it without the student's consent)."""
    log(
        student,
        kind,
        user,
        restricted_to_id=employer.id if measure.health_related else None,
        target=measure,
        measure=measure.type.value,
        employer=employer.name,
    )


# --- asking the school for help ---------------------------------------------------------------


def ask_for_help(
    student: Student, kind: HelpKind, reason: str, period: Period, user: User | None = None
) -> HelpRequest:
    """A request from the workplace side, for the employer of `period`'s workplace. One open
    request of a kind per employer and student: a second waits on the first."""
    user = user or current_user
    employer_id = period.workplace.organisation_id
    waiting = db.session.execute(
        select(HelpRequest.id).where(
            HelpRequest.student_id == student.id,
            HelpRequest.organisation_id == employer_id,
            HelpRequest.kind == kind,
            HelpRequest.status == HelpStatus.OPEN,
        )
    ).first()
    if waiting is not None:
        raise RuleError(
            _("A request of this kind is already waiting for the school's answer."), "kind"
        )
    request = HelpRequest(
        student_id=student.id,
        kind=kind,
        reason=reason,
        organisation_id=employer_id,
        period_id=period.id,
        requested_by_id=user.id,
    )
    db.session.add(request)
    db.session.flush()
    log(student, CaseEventKind.HELP_REQUESTED, user, help=kind.value)
    return request


def _answer(request: HelpRequest, status: HelpStatus, user: User) -> None:
    if request.status != HelpStatus.OPEN:
        raise RuleError(_("The request has already been answered."))
    request.status = status
    request.answered_by_id = user.id
    request.answered_at = utcnow()


def _tell_asker(request: HelpRequest) -> None:
    """The person who asked is told in the app (and by mail, as they chose)."""
    if request.requested_by_id is not None and request.period is not None:
        notify(
            [request.requested_by_id],
            NotificationKind.HELP_ANSWERED,
            request.student,
            request.period,
            again=True,
            about=request,
        )


def help_agenda(request: HelpRequest) -> str:
    """The first lines of the agenda of a review that answers `request`."""
    asker = request.requested_by.name if request.requested_by else "–"
    return (
        _(
            "%(asker)s (%(employer)s) asked for %(help)s:",
            asker=asker,
            employer=request.organisation.name,
            help=str(labels.HELP_KIND[request.kind]).lower(),
        )
        + "\n"
        + request.reason
        + "\n\n"
    )


def schedule_help(request: HelpRequest, review, user: User) -> None:
    """Answer the request with the case review just scheduled for it."""
    _answer(request, HelpStatus.SCHEDULED, user)
    request.review_id = review.id
    log(
        request.student,
        CaseEventKind.HELP_SCHEDULED,
        user,
        review_id=review.id,
        help=request.kind.value,
        date=review.on_date.isoformat(),
    )
    _tell_asker(request)


def decline_help(request: HelpRequest, reason: str, user: User, seen_version: int) -> None:
    check_version(request, seen_version)
    _answer(request, HelpStatus.DECLINED, user)
    request.decline_reason = reason
    log(request.student, CaseEventKind.HELP_DECLINED, user, help=request.kind.value)
    _tell_asker(request)


# --- the SPS application ----------------------------------------------------------------------

# Which steps may follow the step reached (None: no step yet).
NEXT_STAGES: dict[SpsStage | None, tuple[SpsStage, ...]] = {
    None: (SpsStage.AUTHORISATION_SIGNED,),
    SpsStage.AUTHORISATION_SIGNED: (SpsStage.DOCUMENTATION_COMPLETE,),
    SpsStage.DOCUMENTATION_COMPLETE: (SpsStage.APPLIED,),
    SpsStage.APPLIED: (SpsStage.GRANTED, SpsStage.REFUSED),
    SpsStage.GRANTED: (SpsStage.IN_USE, SpsStage.ENDED),
    SpsStage.REFUSED: (),
    SpsStage.IN_USE: (SpsStage.ENDED,),
    SpsStage.ENDED: (),
}
DECISIONS = (SpsStage.GRANTED, SpsStage.REFUSED)
# Equipment is lent (IT package); it is returned when the support ends.
EQUIPMENT_TYPES = frozenset({MeasureType.IT_PACKAGE})


def next_stages(measure: SupportMeasure) -> tuple[SpsStage, ...]:
    return NEXT_STAGES[measure.sps_stage] if measure.is_sps else ()


def add_sps_step(
    student: Student,
    measure: SupportMeasure,
    stage: SpsStage,
    on: date,
    note: str,
    equipment_returned: bool | None,
    seen_version: int,
) -> SpsStep:
    check_version(measure, seen_version)
    if stage not in next_stages(measure):
        raise RuleError(_("This step cannot follow the step the application has reached."), "stage")
    if on > today():
        raise RuleError(_("A step cannot be recorded with a date in the future."), "date")
    if stage in DECISIONS:
        applied = measure.step(SpsStage.APPLIED)
        if applied is not None and on < applied.on_date:
            raise RuleError(_("The decision date cannot be before the application date."), "date")
    previous = measure.steps[-1] if measure.steps else None
    if previous is not None and on < previous.on_date:
        raise RuleError(
            _(
                "The date cannot be before the previous step (%(date)s).",
                date=dates.date_text(previous.on_date),
            ),
            "date",
        )
    if stage == SpsStage.ENDED and measure.type in EQUIPMENT_TYPES and equipment_returned is None:
        raise RuleError(_("Say whether the equipment was returned."), "equipment_returned")
    step = SpsStep(
        stage=stage,
        on_date=on,
        note=note,
        equipment_returned=equipment_returned if stage == SpsStage.ENDED else None,
        recorded_by_id=current_user.id,
    )
    measure.steps.append(step)
    measure.sps_stage = stage
    if stage == SpsStage.IN_USE:
        measure.status = MeasureStatus.ACTIVE
    elif stage in (SpsStage.ENDED, SpsStage.REFUSED):
        measure.status = MeasureStatus.ENDED if stage == SpsStage.ENDED else MeasureStatus.CANCELLED
    # The version changes with each step, so two people cannot record the same step at once.
    measure.updated_at = utcnow()
    log(
        student,
        CaseEventKind.SPS_STEP,
        current_user,
        data_category=ConsentCategory.SPS,
        target=measure,
        measure=measure.type.value,
        stage=stage.value,
        date=on.isoformat(),
    )
    return step


# --- consent ----------------------------------------------------------------------------------


def give_consents(
    student: Student,
    categories: list[ConsentCategory],
    recipient: Organisation,
    valid_from: date,
    valid_to: date | None,
    note: str,
    channel: ConsentChannel,
) -> list[Consent]:
    """One consent per category, to one organisation, for one period (all or none: the caller
    commits once), under the current consent text. A category already consented to the same
    organisation for an overlapping period is refused, not recorded twice.

    In the app (`ConsentChannel.APP`) the student gives health consent only together with
    support needs, to the same organisation: in the same submission or already in force.
    Staff record what the student signed on paper as it is."""
    if not categories:
        raise RuleError(_("Choose at least one category to share."), "category")
    if valid_to is not None and valid_to < valid_from:
        raise RuleError(_("The end date must be on or after the start date."), "valid_to")
    if valid_to is not None and valid_to < today():
        raise RuleError(_("The consent would already have ended."), "valid_to")
    wanted = list(dict.fromkeys(categories))
    existing = _overlapping_consents(student, wanted, recipient, valid_from, valid_to)
    if existing:
        names = ", ".join(str(labels.CONSENT_CATEGORY[c]) for c in wanted if c in existing)
        if channel == ConsentChannel.APP:
            message = _(
                "You have already given consent to share %(categories)s with %(recipient)s.",
                categories=names,
                recipient=recipient.name,
            )
        else:
            message = _(
                "The student has already given consent to share %(categories)s with "
                "%(recipient)s for this period. Untick it, or withdraw that consent first.",
                categories=names,
                recipient=recipient.name,
            )
        raise RuleError(message, "category")
    if (
        channel == ConsentChannel.APP
        and ConsentCategory.HEALTH in wanted
        and ConsentCategory.SUPPORT_NEEDS not in wanted
        and not _overlapping_consents(
            student, [ConsentCategory.SUPPORT_NEEDS], recipient, valid_from, valid_to
        )
    ):
        raise RuleError(
            _(
                "Health information is shared only together with your support needs: give "
                "consent to support needs to %(recipient)s as well.",
                recipient=recipient.name,
            ),
            "category",
        )
    return [
        _give_consent(student, category, recipient, valid_from, valid_to, note, channel)
        for category in wanted
    ]


def _overlapping_consents(
    student: Student,
    categories: list[ConsentCategory],
    recipient: Organisation,
    valid_from: date,
    valid_to: date | None,
) -> set[ConsentCategory]:
    """The categories among `categories` with a consent not withdrawn to `recipient` whose
    period overlaps valid_from..valid_to (open-ended if None)."""
    query = select(Consent.category).where(
        Consent.student_id == student.id,
        Consent.recipient_id == recipient.id,
        Consent.category.in_(categories),
        Consent.withdrawn_at.is_(None),
        or_(Consent.valid_to.is_(None), Consent.valid_to >= valid_from),
    )
    if valid_to is not None:
        query = query.where(Consent.valid_from <= valid_to)
    return set(db.session.execute(query).scalars())


def _give_consent(
    student: Student,
    category: ConsentCategory,
    recipient: Organisation,
    valid_from: date,
    valid_to: date | None,
    note: str,
    channel: ConsentChannel,
) -> Consent:
    consent = Consent(
        student_id=student.id,
        category=category,
        recipient_id=recipient.id,
        valid_from=valid_from,
        valid_to=valid_to,
        note=note,
        channel=channel,
        text_version=CONSENT_TEXT_VERSION,
        recorded_by_id=current_user.id,
    )
    db.session.add(consent)
    db.session.flush()
    _log_consent(student, CaseEventKind.CONSENT_GIVEN, consent, AuditAction.CREATE)
    return consent


def withdraw_consent(student: Student, consent: Consent, channel: ConsentChannel) -> None:
    """Withdraw at once (in the app by the student, or recorded by staff)."""
    if consent.withdrawn_at is not None:
        raise RuleError(_("The consent has already been withdrawn."))
    consent.withdrawn_at = utcnow()
    consent.withdrawn_by_id = current_user.id
    consent.withdrawn_channel = channel
    _log_consent(student, CaseEventKind.CONSENT_WITHDRAWN, consent, AuditAction.UPDATE)


def _log_consent(
    student: Student, kind: CaseEventKind, consent: Consent, action: AuditAction
) -> None:
    """The history line (under the consent's own category) and the access-log row."""
    log(
        student,
        kind,
        current_user,
        data_category=consent.category,
        category=consent.category.value,
        recipient=consent.recipient.name,
        channel=(consent.withdrawn_channel or consent.channel).value,
    )
    audit.record(action, student=student, obj=consent)


def follow_up_horizon() -> date:
    """ "My follow-ups" lists what is due within two weeks, and everything overdue."""
    return today() + timedelta(days=14)
