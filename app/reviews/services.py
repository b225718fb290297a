"""Rules for case reviews, action items and group review meetings.

Views call these after the access checks; each call adds its case-history line (and audit row)
to the same transaction as the change. The caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from app import access, labels
from app.editing import RuleError, check_version
from app.extensions import db
from app.history import log
from app.models import (
    ActionItem,
    ActionItemStatus,
    CaseEventKind,
    CaseReview,
    Membership,
    NotificationKind,
    Organisation,
    Period,
    ReviewMeeting,
    ReviewOutcome,
    ReviewStatus,
    Role,
    Student,
    SupportMeasure,
    TrainingAgreement,
    TrainingExperience,
    TrainingWarning,
    User,
    Workplace,
    review_participant,
)
from app.models.base import today, utcnow
from app.notifications import notify
from app.support.queries import OPEN_MEASURE

TRANSITION_WEEKS = 8


# --- who may take part --------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    id: int
    name: str
    role: Role
    place: str  # organisation (and workplace) name

    @property
    def from_workplace(self) -> bool:
        """A practice supervisor: sees support and SPS details only under consent."""
        return self.role == Role.SUPERVISOR

    @property
    def label(self) -> str:
        return f"{self.name} ({labels.ROLE[self.role]}, {self.place})"


def _candidates(condition) -> list[Candidate]:
    rows = db.session.execute(
        select(User.id, User.name, Membership.role, Organisation.name, Workplace.name)
        .join(Membership, Membership.user_id == User.id)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .outerjoin(Workplace, Workplace.id == Membership.workplace_id)
        .where(condition, User.active.is_(True))
        .order_by(User.name, User.id, Membership.id)
    ).all()
    seen: dict[int, Candidate] = {}
    for user_id, name, role, organisation, workplace in rows:
        if user_id not in seen:
            place = f"{workplace}, {organisation}" if workplace else organisation
            seen[user_id] = Candidate(user_id, name, role, place)
    return list(seen.values())


def review_candidates(student: Student, on: date) -> list[Candidate]:
    """Active people who can see the student: counsellors and teachers at the school,
    coordinators of the student's employers, the practice supervisors of the workplaces
    whose supervisors see the student (app.access.reviews.supervising_workplaces), and the
    student's own account."""
    conditions = [
        (Membership.role.in_(access.REVIEW_SCHOOL_ROLES))
        & (Membership.organisation_id == student.school_id)
    ]
    employers = access.employer_ids_of(student, on)
    if employers:
        conditions.append(
            (Membership.role == Role.TRAINING_COORDINATOR)
            & (Membership.organisation_id.in_(employers))
        )
    conditions.append(
        (Membership.role == Role.SUPERVISOR)
        & (Membership.workplace_id.in_(access.reviews.supervising_workplaces(student, on)))
    )
    # The student takes part in their own review, if they have their own access (app.me).
    conditions.append((Membership.role == Role.STUDENT) & (Membership.student_id == student.id))
    return _candidates(or_(*conditions))


def _partners(partner, own, organisation_ids: set[int]) -> set[int]:
    """The organisations on the other side of the training agreements of `organisation_ids`'
    students: `partner` and `own` are the agreement's employer and the student's school (one
    query, none without organisations)."""
    if not organisation_ids:
        return set()
    return set(
        db.session.execute(
            select(partner)
            .select_from(TrainingAgreement)
            .join(Student, Student.id == TrainingAgreement.student_id)
            .where(own.in_(organisation_ids))
            .distinct()
        ).scalars()
    )


def meeting_candidates(user: User) -> list[Candidate]:
    """Staff of the user's school or municipality and of its partners (the employers of the
    school's students, or the schools of the employer's students)."""
    schools = user.organisation_ids(*access.REVIEW_SCHOOL_ROLES)
    employers = user.organisation_ids(*access.EMPLOYER_STAFF_ROLES)
    organisations = (
        schools
        | employers
        | _partners(TrainingAgreement.employer_id, Student.school_id, schools)
        | _partners(Student.school_id, TrainingAgreement.employer_id, employers)
    )
    roles = access.REVIEW_SCHOOL_ROLES | access.EMPLOYER_STAFF_ROLES
    return _candidates(
        Membership.role.in_(roles) & Membership.organisation_id.in_(organisations or {-1})
    )


# --- the agenda, pre-filled from the case ---------------------------------------------------


def previous_review(student: Student, before: CaseReview | None = None) -> CaseReview | None:
    query = select(CaseReview).where(CaseReview.student_id == student.id)
    if before is not None and before.id is not None:
        query = query.where(CaseReview.id != before.id)
    query = query.order_by(
        CaseReview.on_date.desc(), CaseReview.at_time.desc().nulls_last(), CaseReview.id.desc()
    ).limit(1)
    return db.session.execute(query).scalar_one_or_none()


def open_action_items(review: CaseReview) -> list[ActionItem]:
    return list(
        db.session.execute(
            select(ActionItem)
            .where(ActionItem.review_id == review.id, ActionItem.status == ActionItemStatus.OPEN)
            .order_by(ActionItem.due_date, ActionItem.id)
        ).scalars()
    )


@dataclass(frozen=True)
class SharedSupport:
    """A student's open support measures as school and employer may discuss them together:
    only the types the student has consented to share with the employer."""

    shared: list[SupportMeasure]
    withheld: bool  # open measures not shared: only "support is agreed" and whom to ask
    owners: list[str]  # the owners of the withheld measures (staff), to ask
    overdue: int  # open measures whose follow-up date has passed
    # Support arranged at the workplace (the employer's records) that the school sees too: a
    # health-related one only under the student's health consent to that employer.
    workplace: list[SupportMeasure] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.shared) or self.withheld


def shared_support(student: Student, on: date) -> SharedSupport:
    measures = list(
        db.session.execute(
            select(SupportMeasure).where(
                SupportMeasure.student_id == student.id, SupportMeasure.status.in_(OPEN_MEASURE)
            )
        ).scalars()
    )
    if not measures:
        return SharedSupport([], False, [], 0)
    school = access.school_view(student)
    workplace = [m for m in measures if m.employer_record and school.sees_measure(m)]
    overdue_of = measures
    measures = [m for m in measures if not m.employer_record]
    categories = access.consented_to(student, access.employer_ids_of(student, on))
    shared = [m for m in measures if m.consent_category in categories]
    owners = sorted({m.owner.name for m in measures if m not in shared and m.owner is not None})
    overdue = sum(
        1
        for m in overdue_of
        if m.next_follow_up is not None and m.next_follow_up < on and m.status in OPEN_MEASURE
    )
    return SharedSupport(shared, len(shared) < len(measures), owners, overdue, workplace)


def build_agenda(student: Student, on: date) -> str:
    """The agenda as plain text lines, shared by school and municipality: support appears
    only as the types the student has consented to share with the employer."""
    lines: list[str] = []

    support = shared_support(student, on)
    if support.any:
        lines.append(_("Open support measures:"))
        lines += [f"- {labels.MEASURE_TYPE[m.type]}" for m in support.shared]
        if support.withheld:
            lines.append(
                "- "
                + (
                    _("Support is agreed; contact %(names)s.", names=", ".join(support.owners))
                    if support.owners
                    else _("Support is agreed; contact the student's school.")
                )
            )
    if support.workplace:
        lines.append(_("Support arranged at the workplace:"))
        lines += [
            f"- {labels.MEASURE_TYPE[m.type]} ({m.organisation.name})" for m in support.workplace
        ]
    if support.overdue:
        lines.append(_("Overdue follow-ups: %(num)d", num=support.overdue))

    count, last = db.session.execute(
        select(func.count(TrainingExperience.id), func.max(TrainingExperience.on_date)).where(
            TrainingExperience.student_id == student.id, TrainingExperience.concern.is_(True)
        )
    ).one()
    if count:
        lines.append(
            _(
                "Concerns from the workplace: %(num)d, the last on %(date)s",
                num=count,
                date=format_date(last),
            )
        )

    warnings = open_warnings(student)
    for warning in warnings:
        lines.append(_("Open warning, deadline %(date)s", date=format_date(warning.deadline)))

    upcoming = db.session.execute(
        select(Period)
        .where(
            Period.student_id == student.id,
            Period.start_date > on,
            Period.start_date <= on + timedelta(weeks=TRANSITION_WEEKS),
        )
        .order_by(Period.start_date)
        .limit(1)
    ).scalar_one_or_none()
    if upcoming is not None:
        lines.append(
            _(
                "Upcoming transition: %(period)s starts on %(date)s",
                period=upcoming.title or labels.PERIOD_KIND[upcoming.kind],
                date=format_date(upcoming.start_date),
            )
        )

    previous = previous_review(student)
    if previous is not None:
        items = open_action_items(previous)
        if items:
            lines.append(
                _(
                    "Open action items from the review on %(date)s:",
                    date=format_date(previous.on_date),
                )
            )
            for item in items:
                owner = item.owner.name if item.owner else "–"
                lines.append(f"- {item.text} ({owner}, {format_date(item.due_date)})")
    return "\n".join(lines)


# --- scheduling and recording ----------------------------------------------------------------


def notification_period(student: Student, on: date) -> Period | None:
    """The student's current period, else the next one."""
    return db.session.execute(
        select(Period)
        .where(Period.student_id == student.id, Period.end_date >= on)
        .order_by(Period.start_date)
        .limit(1)
    ).scalar_one_or_none()


def _participants(ids: list[int], allowed: list[Candidate], user: User) -> list[User]:
    allowed_ids = {c.id for c in allowed}
    chosen = {i for i in ids if i in allowed_ids and i != user.id}
    if not chosen:
        raise RuleError(_("Choose at least one participant besides yourself."), "participants")
    people = list(db.session.execute(select(User).where(User.id.in_(chosen))).scalars())
    return [user, *sorted(people, key=lambda u: u.name)]


@dataclass
class ReviewPlan:
    on_date: date
    location: str
    participant_ids: list[int]
    agenda: str
    at_time: time | None = None


def schedule_review(
    student: Student, plan: ReviewPlan, user: User, on: date, meeting: ReviewMeeting | None = None
) -> CaseReview:
    if plan.on_date < on:
        raise RuleError(_("A new review cannot be in the past."), "on_date")
    participants = _participants(plan.participant_ids, review_candidates(student, on), user)
    review = _add_review(
        student,
        CaseReview(
            meeting_id=meeting.id if meeting else None,
            on_date=plan.on_date,
            at_time=plan.at_time,
            location=plan.location or "",
            agenda=plan.agenda or "",
            participants=participants,
            organisation_id=access.acting_organisation_id(user, student),
        ),
        user,
    )
    period = notification_period(student, on)
    others = [p.id for p in participants if p.id != user.id]
    if period is not None and others:
        notify(others, NotificationKind.REVIEW_SCHEDULED, student, period, again=True, about=review)
    return review


def add_meeting_case(meeting: ReviewMeeting, student: Student, user: User) -> CaseReview:
    if any(r.student_id == student.id for r in meeting.reviews):
        raise RuleError(_("The student's case is already on this meeting's agenda."), "student")
    participants = {p.id: p for p in meeting.participants}
    participants.setdefault(user.id, user)
    review = CaseReview(
        meeting_id=meeting.id,
        on_date=meeting.on_date,
        at_time=meeting.at_time,
        location=meeting.location,
        agenda=build_agenda(student, today()),
        participants=list(participants.values()),
        organisation_id=access.acting_organisation_id(user, student) or meeting.organisation_id,
    )
    return _add_review(student, review, user)


def _add_review(student: Student, review: CaseReview, user: User) -> CaseReview:
    """Add the new `review` to the student's case, created by `user`, in the case history."""
    review.student_id = student.id
    review.created_by_id = user.id
    db.session.add(review)
    db.session.flush()
    _log(student, CaseEventKind.REVIEW_SCHEDULED, user, review, date=review.on_date.isoformat())
    return review


def _log(student: Student, kind: CaseEventKind, user: User, review: CaseReview, **details):
    """A line in the student's case history about `review`."""
    log(student, kind, user=user, review_id=review.id, **details)


@dataclass
class Minutes:
    agenda: str
    minutes: str
    decisions: str
    outcome: ReviewOutcome | None
    cancelled: bool


def _check_held_on_its_date(review: CaseReview, content: Minutes) -> None:
    """Minutes, decisions and an outcome (which make the review "held") only from the review's
    date; before it, only the agenda can change, or the review be cancelled."""
    if review.on_date <= today() or content.cancelled:
        return
    for name, value in (
        ("minutes", content.minutes),
        ("decisions", content.decisions),
        ("outcome", content.outcome),
    ):
        if value:
            raise RuleError(
                _(
                    "Cannot be recorded before the review's date (%(date)s). Until then you "
                    "can change the agenda or cancel the review.",
                    date=format_date(review.on_date),
                ),
                name,
            )


def record_minutes(
    student: Student, review: CaseReview, content: Minutes, user: User, seen_version: int
) -> None:
    check_version(review, seen_version)
    _check_held_on_its_date(review, content)
    was_held = review.status == ReviewStatus.HELD
    review.agenda = content.agenda or ""
    review.minutes = content.minutes or ""
    review.decisions = content.decisions or ""
    review.outcome = content.outcome
    if content.cancelled:
        review.status = ReviewStatus.CANCELLED
    elif review.minutes:
        review.status = ReviewStatus.HELD
    else:
        review.status = ReviewStatus.PLANNED
    kind = (
        CaseEventKind.REVIEW_HELD
        if review.status == ReviewStatus.HELD and not was_held
        else CaseEventKind.REVIEW_CHANGED
    )
    _log(student, kind, user, review, date=review.on_date.isoformat(), status=review.status.value)


def add_action_item(
    student: Student,
    review: CaseReview,
    text: str,
    owner_id: int,
    due: date,
    user: User,
    on: date,
) -> ActionItem:
    if due < on:
        raise RuleError(_("The due date cannot be in the past."), "due_date")
    if owner_id not in {p.id for p in review.participants}:
        raise RuleError(_("The owner must be one of the review's participants."), "owner")
    item = ActionItem(
        review_id=review.id,
        student_id=student.id,
        text=text,
        owner_id=owner_id,
        due_date=due,
        created_by_id=user.id,
    )
    db.session.add(item)
    db.session.flush()
    _log(student, CaseEventKind.ACTION_ITEM_ADDED, user, review, due=due.isoformat())
    return item


def change_action_item(
    student: Student,
    review: CaseReview,
    item: ActionItem,
    status: ActionItemStatus,
    user: User,
    seen_version: int,
) -> None:
    check_version(item, seen_version)
    if item.status == status:
        return
    item.status = status
    item.done_at = utcnow() if status == ActionItemStatus.DONE else None
    _log(student, CaseEventKind.ACTION_ITEM_CHANGED, user, review, status=status.value)


def create_meeting(
    title: str,
    on_date: date,
    location: str,
    participant_ids: list[int],
    pseudonymised: bool,
    user: User,
    on: date,
    at_time: time | None = None,
) -> ReviewMeeting:
    if on_date < on:
        raise RuleError(_("A new meeting cannot be in the past."), "on_date")
    participants = _participants(participant_ids, meeting_candidates(user), user)
    organisations = user.organisation_ids(*access.MEETING_ORGANISER_ROLES)
    meeting = ReviewMeeting(
        title=title,
        on_date=on_date,
        at_time=at_time,
        location=location or "",
        pseudonymised=pseudonymised,
        organiser_id=user.id,
        organisation_id=min(organisations),
        participants=participants,
    )
    db.session.add(meeting)
    db.session.flush()
    return meeting


@dataclass(frozen=True)
class PseudonymisedCase:
    """What a group meeting needs to discuss a case without the student's name: the current
    (or next) period, support as shared with the employer, concerns and open warnings by
    count and dates, the review's outcome. No free text from the case file (notes, agenda,
    minutes, warning reasons, action item texts, measure descriptions): it is written about a
    named student and may name them or their family. No workplace name either: with the
    programme and the period it can point to one student; its type is shown instead."""

    period: Period | None
    support: SharedSupport
    concerns: int
    last_concern: date | None
    warnings: list[TrainingWarning]
    open_action_items: int


def pseudonymised_case(student: Student, review: CaseReview, on: date) -> PseudonymisedCase:
    period = db.session.execute(
        select(Period)
        .where(Period.student_id == student.id, Period.end_date >= on)
        .options(joinedload(Period.workplace))
        .order_by(Period.start_date)
        .limit(1)
    ).scalar_one_or_none()
    concerns, last = db.session.execute(
        select(func.count(TrainingExperience.id), func.max(TrainingExperience.on_date)).where(
            TrainingExperience.student_id == student.id, TrainingExperience.concern.is_(True)
        )
    ).one()
    warnings = open_warnings(student)
    open_items = sum(1 for i in review.action_items if i.status == ActionItemStatus.OPEN)
    return PseudonymisedCase(
        period, shared_support(student, on), concerns, last, warnings, open_items
    )


def initials(student: Student) -> str:
    return " ".join(f"{part[:1].upper()}." for part in (student.first_name, student.last_name))


def participant_ids_of(review_ids: list[int]) -> dict[int, set[int]]:
    result: dict[int, set[int]] = {i: set() for i in review_ids}
    if review_ids:
        for review_id, user_id in db.session.execute(
            select(review_participant.c.review_id, review_participant.c.user_id).where(
                review_participant.c.review_id.in_(review_ids)
            )
        ):
            result[review_id].add(user_id)
    return result


def open_warnings(student: Student) -> list[TrainingWarning]:
    """The student's warnings not yet followed up, the nearest deadline first."""
    return list(
        db.session.execute(
            select(TrainingWarning)
            .where(
                TrainingWarning.student_id == student.id, TrainingWarning.followed_up_at.is_(None)
            )
            .order_by(TrainingWarning.deadline)
        ).scalars()
    )
