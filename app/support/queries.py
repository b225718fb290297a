"""What one user may see of one student's support, loaded in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from app import audit, labels
from app.access import (
    SUPPORT_READ_ROLES,
    SupportView,
    consented_to,
    school_view,
    student_visibility,
    support_view,
)
from app.extensions import db
from app.models import (
    AuditAction,
    MeasureStatus,
    Period,
    PeriodKind,
    Student,
    SupportMeasure,
    SupportNeed,
    SupportNeedStatus,
    User,
)
from app.support.services import follow_up_horizon

OPEN_MEASURE = (MeasureStatus.PLANNED, MeasureStatus.ACTIVE)


@dataclass
class SupportSummary:
    view: SupportView
    needs: list[SupportNeed] = field(default_factory=list)  # only those the user may see
    measures: list[SupportMeasure] = field(default_factory=list)
    # Active support exists that the user may not see: show only "support is agreed, ask ...".
    hidden: bool = False
    contacts: list[User] = field(default_factory=list)
    # The school's view: employers whose health-related records of support arranged at the
    # workplace it may not see (no health consent): it is told that they exist.
    withheld_employers: list[str] = field(default_factory=list)

    @property
    def active_needs(self) -> list[SupportNeed]:
        return [n for n in self.needs if n.status == SupportNeedStatus.ACTIVE]

    @property
    def open_measures(self) -> list[SupportMeasure]:
        return [m for m in self.measures if m.status in OPEN_MEASURE]

    @property
    def shows_details(self) -> bool:
        return bool(self.needs or self.measures)


def support_summary(user: User, student: Student) -> SupportSummary:
    """Needs and measures (not their SPS steps or periods: the measure page loads those)."""
    view = support_view(user, student)
    needs = (
        db.session.execute(
            select(SupportNeed)
            .where(SupportNeed.student_id == student.id)
            .options(joinedload(SupportNeed.category), joinedload(SupportNeed.flagged_by))
            .order_by(SupportNeed.status, SupportNeed.flagged_at.desc())
        )
        .scalars()
        .all()
    )
    measures = (
        db.session.execute(
            select(SupportMeasure)
            .where(SupportMeasure.student_id == student.id)
            .options(joinedload(SupportMeasure.owner), joinedload(SupportMeasure.organisation))
            .order_by(SupportMeasure.start_date.desc(), SupportMeasure.id.desc())
        )
        .scalars()
        .all()
    )
    summary = SupportSummary(
        view,
        [n for n in needs if view.sees_need(n)],
        [m for m in measures if view.sees_measure(m)],
    )
    hidden_needs = [
        n for n in needs if n.status == SupportNeedStatus.ACTIVE and not view.sees_need(n)
    ]
    # Another employer's records are not this user's business; the school is told of an
    # employer's health-related records it may not read.
    hidden_measures = [
        m
        for m in measures
        if m.status in OPEN_MEASURE and not m.employer_record and not view.sees_measure(m)
    ]
    if view.school:
        summary.withheld_employers = sorted(
            {
                m.organisation.name
                for m in measures
                if m.employer_record and m.status in OPEN_MEASURE and not view.sees_measure(m)
            }
        )
    if hidden_needs or hidden_measures:
        summary.hidden = True
        people = [m.owner for m in hidden_measures] + [n.flagged_by for n in hidden_needs]
        seen: set[int] = set()
        for person in people:
            if person is not None and person.active and person.id not in seen:
                seen.add(person.id)
                summary.contacts.append(person)
    return summary


def record_support_view(student: Student, summary: SupportSummary, action=AuditAction.VIEW):
    """The access log gets a line each time someone is shown support details."""
    if summary.shows_details:
        audit.record(action, student=student, criterion="support", commit=True)


def agreed_support_text(writer: User, student: Student, to_period: Period) -> str:
    """The "agreed support" of a new handover note: the open measures the receiving side may
    see (all of them for the school; by consent for a workplace), and otherwise only that
    support is agreed and whom to contact."""
    summary = support_summary(writer, student)
    measures = summary.open_measures
    if to_period.kind == PeriodKind.TRAINING:
        organisation_ids = {to_period.workplace.organisation_id} if to_period.workplace else set()
        categories = consented_to(student, organisation_ids)

        def receives(m: SupportMeasure) -> bool:
            # The employer's own record of support at the workplace goes to its workplaces.
            if m.employer_record:
                return m.organisation_id in organisation_ids
            return m.consent_category in categories
    else:
        receives = school_view(student).sees_measure
    shared = [m for m in measures if receives(m)]
    lines = []
    for m in shared:
        provider = labels.MEASURE_PROVIDER[m.provider]
        if m.organisation is not None:
            provider = f"{provider}: {m.organisation.name}"
        line = f"- {labels.MEASURE_TYPE[m.type]} ({provider})"
        if m.description:
            line += f": {m.description}"
        lines.append(line)
    # Only the school's records are "further support agreed, ask the school"; what one
    # employer arranges is not told to another.
    withheld = [m for m in measures if not m.employer_record and not receives(m)]
    if withheld or summary.hidden:
        contacts = {
            m.owner.name for m in measures if m.owner is not None and not m.employer_record
        } | {u.name for u in summary.contacts}
        lines.append(
            _("Further support is agreed that the student has not consented to share.")
            + " "
            + (
                _("Contact %(names)s at the school.", names=", ".join(sorted(contacts)))
                if contacts
                else _("Contact the student's school.")
            )
        )
    return "\n".join(lines)


def my_follow_ups(user: User) -> Select:
    """ "My follow-ups": the open measures `user` owns whose follow-up is due within two weeks
    or overdue, the earliest first (the list page and the overview share it)."""
    return (
        select(SupportMeasure)
        .join(Student, Student.id == SupportMeasure.student_id)
        .where(
            SupportMeasure.owner_id == user.id,
            SupportMeasure.status.in_(OPEN_MEASURE),
            SupportMeasure.next_follow_up.is_not(None),
            SupportMeasure.next_follow_up <= follow_up_horizon(),
            student_visibility(user),
            Student.school_id.in_(user.organisation_ids(*SUPPORT_READ_ROLES)),
        )
        .options(joinedload(SupportMeasure.student).joinedload(Student.programme))
        .order_by(SupportMeasure.next_follow_up, SupportMeasure.id)
    )
