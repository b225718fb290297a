"""Support needs, SPS and consent.

Support-need details and SPS are school data. At the student's school the counsellor and the
teachers see them and the counsellor records them. Staff of another organisation (the
municipality, its supervisors) see a category only under the student's consent in force for
that category to their organisation; otherwise only that support is agreed and whom to ask.
A withdrawn consent stops access on the next request: nothing here is cached.

Support arranged at the workplace (docs/domain.md, "Support arranged at the workplace") is
the employer's record: its practice supervisors (while they see the student) and training
coordinators record and change it, and everyone of that employer who sees the student reads
it. The student's school reads it; one that concerns the student's health only while the
student's consent to health information between the school and that employer is in force
(the same consent that lets the employer read the school's health-related support needs).
Another employer does not see it.

Every support view loads the student (404 if hidden), then the support object scoped to that
student (404 if another student's or not visible to this user), then checks the right to edit
(403).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property

from flask import abort
from flask_login import current_user
from sqlalchemy import ColumnElement, String, case, exists, false, or_, select, type_coerce
from sqlalchemy.orm import joinedload, selectinload

from app.access.roles import SUPPORT_EDIT_ROLES, SUPPORT_READ_ROLES, permitted
from app.access.students import employer_ids_of, get_case_student_or_404, supervised_period
from app.extensions import db
from app.models import (
    EMPLOYER_ROLES,
    SPS_TYPES,
    Consent,
    ConsentCategory,
    Enrolment,
    Period,
    PeriodKind,
    Role,
    Student,
    SupportCategory,
    SupportMeasure,
    SupportNeed,
    SupportNeedStatus,
    User,
    Workplace,
)
from app.models.base import today


def can_edit_support(user: User, student: Student) -> bool:
    return student.school_id in user.organisation_ids(*SUPPORT_EDIT_ROLES)


@dataclass(frozen=True)
class SupportView:
    """What one user may see of one student's support data."""

    categories: frozenset[ConsentCategory]
    school: bool  # school staff who see all of it
    can_edit: bool
    # Records made before this moment belong to an earlier school of the student's and are not
    # shown (None: every record). See `school_run_since`.
    since: datetime | None = None
    # The employers the user acts for: their records of support arranged at the workplace.
    employer_ids: frozenset[int] = frozenset()
    # For the school: the student whose employers' health-related records it may see.
    student_id: int | None = None

    def sees_category(self, category: ConsentCategory | str | None) -> bool:
        return category is None or ConsentCategory(category) in self.categories

    def _recent(self, made: datetime | None) -> bool:
        return self.since is None or made is None or _aware(made) >= self.since

    def sees_need(self, need: SupportNeed) -> bool:
        category = ConsentCategory.HEALTH if need.category.health_data else None
        return (
            ConsentCategory.SUPPORT_NEEDS in self.categories
            and self.sees_category(category)
            and self._recent(need.flagged_at)
        )

    def sees_measure(self, measure: SupportMeasure) -> bool:
        if measure.organisation_id is not None:
            return self.sees_employer_record(measure)
        return measure.consent_category in self.categories and self._recent(measure.created_at)

    def sees_employer_record(self, measure: SupportMeasure) -> bool:
        """Support arranged at the workplace: the employer's own people see it; the school
        too, a health-related one under the student's health consent to that employer."""
        if measure.organisation_id in self.employer_ids:
            return True
        if not self.school:
            return False
        return not measure.health_related or measure.organisation_id in self.health_shared_by

    @cached_property
    def health_shared_by(self) -> frozenset[int]:
        """The employers with whom the student shares health information (a consent to
        support needs and health in force): read once, and only when a health-related
        workplace record is to be shown to the school."""
        if not self.school or self.student_id is None:
            return frozenset()
        consents = list(
            db.session.execute(
                select(Consent).where(
                    Consent.student_id == self.student_id,
                    Consent.category.in_([ConsentCategory.SUPPORT_NEEDS, ConsentCategory.HEALTH]),
                    Consent.withdrawn_at.is_(None),
                )
            ).scalars()
        )
        on = today()
        return frozenset(
            recipient
            for recipient in {c.recipient_id for c in consents}
            if ConsentCategory.HEALTH in consent_categories(consents, {recipient}, on)
        )

    @property
    def sees_anything(self) -> bool:
        return bool(self.categories)

    @property
    def sees_employer_records(self) -> bool:
        """The user acts for an employer, whose records of support at the workplace they
        read whatever the consents (the support page is theirs to open)."""
        return bool(self.employer_ids)


def _aware(moment: datetime) -> datetime:
    """Stored moments are UTC; SQLite gives them back without a time zone."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def school_run_since(student: Student) -> datetime | None:
    """When the student's unbroken run of enrolments at their current school was registered,
    if an enrolment at another school came before it; None if every enrolment so far was at
    this school.

    A new school does not read the support records of the student's earlier school: at a
    change of school nothing carries over (app/journey/enrolments.py resolves and ends it),
    and what the earlier school recorded stays with it. A run at the same school (GF2, then
    SSA there) keeps every record."""
    run: Enrolment | None = None
    for enrolment in reversed(student.enrolments):
        if enrolment.school_id != student.school_id:
            return _aware(run.created_at) if run is not None and run.created_at else None
        run = enrolment
    return None


def consent_categories(consents: Iterable[Consent], organisation_ids: set[int], on: date):
    """The categories consented, in force on `on`, to any of `organisation_ids`. Health data
    is shared only together with the support needs it belongs to."""
    categories = {
        c.category for c in consents if c.recipient_id in organisation_ids and c.in_force(on)
    }
    if ConsentCategory.SUPPORT_NEEDS not in categories:
        categories.discard(ConsentCategory.HEALTH)
    return frozenset(categories)


def support_view(user: User, student: Student) -> SupportView:
    """Call after get_student_or_404: it assumes the user may see the student."""
    employers = frozenset(user.organisation_ids(*EMPLOYER_ROLES))
    if student.school_id in user.organisation_ids(*SUPPORT_READ_ROLES):
        return SupportView(
            frozenset(ConsentCategory),
            True,
            can_edit_support(user, student),
            school_run_since(student),
            employers,
            student.id,
        )
    if not employers:
        return SupportView(frozenset(), False, False)
    return SupportView(consented_to(student, set(employers)), False, False, None, employers)


def school_view(student: Student) -> SupportView:
    """What the student's school sees of the student's support (for what is written to it or
    shared with it: a handover note it receives, a review agenda)."""
    return SupportView(frozenset(ConsentCategory), True, False, None, frozenset(), student.id)


def consented_to(student: Student, organisation_ids: set[int]) -> frozenset[ConsentCategory]:
    """The categories the student's consents in force today share with these organisations."""
    consents = db.session.execute(
        select(Consent).where(
            Consent.student_id == student.id,
            Consent.recipient_id.in_(organisation_ids),
            Consent.withdrawn_at.is_(None),
        )
    ).scalars()
    return consent_categories(consents, organisation_ids, today())


def students_with_visible_support(user: User, student_ids: Iterable[int]) -> set[int]:
    """Of `student_ids` (already visible to the user), those with an active support need the
    user may know about. Two queries, whatever the number of students (for lists)."""
    ids = set(student_ids)
    if not ids:
        return set()
    rows = db.session.execute(
        select(SupportNeed.student_id, Student.school_id, SupportCategory.health_data)
        .join(Student, Student.id == SupportNeed.student_id)
        .join(SupportCategory, SupportCategory.id == SupportNeed.category_id)
        .where(SupportNeed.student_id.in_(ids), SupportNeed.status == SupportNeedStatus.ACTIVE)
    ).all()
    if not rows:
        return set()
    school_ids = user.organisation_ids(*SUPPORT_READ_ROLES)
    organisation_ids = user.organisation_ids(*EMPLOYER_ROLES)
    consents: dict[int, list[Consent]] = {}
    if organisation_ids:
        for consent in db.session.execute(
            select(Consent).where(
                Consent.student_id.in_({r.student_id for r in rows}),
                Consent.recipient_id.in_(organisation_ids),
                Consent.withdrawn_at.is_(None),
            )
        ).scalars():
            consents.setdefault(consent.student_id, []).append(consent)
    on = today()
    flagged = set()
    for student_id, school_id, health_data in rows:
        if school_id in school_ids:
            flagged.add(student_id)
            continue
        categories = consent_categories(consents.get(student_id, []), organisation_ids, on)
        needed = ConsentCategory.HEALTH if health_data else ConsentCategory.SUPPORT_NEEDS
        if ConsentCategory.SUPPORT_NEEDS in categories and needed in categories:
            flagged.add(student_id)
    return flagged


# --- support arranged at the workplace --------------------------------------------------------


def workplace_support_periods(user: User, student: Student) -> list[Period]:
    """The student's training periods whose support `user` records for the employer: at the
    workplaces where the user is a practice supervisor and sees the student now, and at any
    workplace of an employer whose training coordinator the user is and that has an agreement
    in force with the student. One query (none for a user in neither role)."""
    workplaces = user.workplace_ids(Role.SUPERVISOR)
    employers = user.organisation_ids(Role.TRAINING_COORDINATOR) & employer_ids_of(student)
    if not workplaces and not employers:
        return []
    conditions = []
    if workplaces:
        conditions.append(Period.workplace_id.in_(workplaces) & supervised_period(today()))
    if employers:
        conditions.append(Workplace.organisation_id.in_(employers))
    return list(
        db.session.execute(
            select(Period)
            .join(Workplace, Workplace.id == Period.workplace_id)
            .where(
                Period.student_id == student.id,
                Period.kind == PeriodKind.TRAINING,
                or_(*conditions),
            )
            .options(joinedload(Period.workplace).joinedload(Workplace.organisation))
            .order_by(Period.start_date)
        ).scalars()
    )


def workplace_support_employers(user: User, student: Student) -> set[int]:
    """The employers for which `user` records support arranged at the workplace (and asks the
    school for help) in `student`'s case."""
    return {p.workplace.organisation_id for p in workplace_support_periods(user, student)}


def can_record_workplace_support(user: User, student: Student) -> bool:
    return bool(workplace_support_periods(user, student))


def can_edit_measure(user: User, student: Student, measure: SupportMeasure) -> bool:
    """The school changes its own records; the employer's records only the employer."""
    if measure.organisation_id is not None:
        return measure.organisation_id in workplace_support_employers(user, student)
    return can_edit_support(user, student)


# --- loaders --------------------------------------------------------------------------------


def get_support_student_or_404(student_id: int, edit: bool = False) -> Student:
    """The student (404 if hidden); with `edit`, 403 unless the user records support."""
    return get_case_student_or_404(student_id, may=can_edit_support if edit else None)


def get_need_or_404(student: Student, need_id: int) -> SupportNeed:
    """One of the student's support needs, 404 unless the user may see it."""
    need = db.one_or_404(
        select(SupportNeed)
        .where(SupportNeed.id == need_id, SupportNeed.student_id == student.id)
        .options(joinedload(SupportNeed.category))
    )
    if not support_view(current_user, student).sees_need(need):
        abort(404)
    return need


def get_workplace_support_student_or_404(student_id: int) -> Student:
    """The student (404 if hidden); 403 unless the user records support arranged at the
    workplace in the student's case."""
    return get_case_student_or_404(student_id, may=can_record_workplace_support)


def get_arrangement_or_404(student: Student, measure_id: int) -> SupportMeasure:
    """One of the employer's records of support arranged at the workplace, to change: 404
    unless the user sees it (a school record is not one), 403 unless the user may change it."""
    measure = get_measure_or_404(student, measure_id)
    return permitted(
        measure,
        sees=measure.organisation_id is not None,
        may=can_edit_measure(current_user, student, measure),
    )


def get_measure_or_404(
    student: Student, measure_id: int, sps: bool = False, edit: bool = False
) -> SupportMeasure:
    """One of the student's measures, 404 unless the user may see it (and, with `sps`,
    unless it is an SPS measure); with `edit`, 403 unless the user may change it here (the
    school does not change the employer's records)."""
    measure = db.one_or_404(
        select(SupportMeasure)
        .where(SupportMeasure.id == measure_id, SupportMeasure.student_id == student.id)
        .options(
            joinedload(SupportMeasure.owner),
            joinedload(SupportMeasure.organisation),
            selectinload(SupportMeasure.periods),
            selectinload(SupportMeasure.steps),
        )
    )
    if not support_view(current_user, student).sees_measure(measure):
        abort(404)
    if sps and not measure.is_sps:
        abort(404)
    if edit and not can_edit_measure(current_user, student, measure):
        abort(403)
    return measure


def measure_visibility(user: User, on: date) -> ColumnElement[bool]:
    """`SupportView.sees_measure` in SQL, for a statement over `SupportMeasure` joined to
    `Student`: true for the measures `user` may see. The school's counsellors and teachers see
    every measure of their school's students; employer staff and supervisors see a measure
    only under a consent in force on `on`, to one of their organisations, for the measure's
    category (SPS for an SPS measure, else support needs). Nobody else sees any. (At a change
    of school open measures are ended, so an open measure is always the current school's.)"""
    conditions: list[ColumnElement[bool]] = []
    school_ids = user.organisation_ids(*SUPPORT_READ_ROLES)
    if school_ids:
        conditions.append(Student.school_id.in_(school_ids))
    organisation_ids = user.organisation_ids(*EMPLOYER_ROLES)
    if organisation_ids:
        category = case(
            (SupportMeasure.type.in_(SPS_TYPES), ConsentCategory.SPS.value),
            else_=ConsentCategory.SUPPORT_NEEDS.value,
        )
        conditions.append(
            exists().where(
                Consent.student_id == SupportMeasure.student_id,
                Consent.recipient_id.in_(organisation_ids),
                Consent.withdrawn_at.is_(None),
                Consent.valid_from <= on,
                or_(Consent.valid_to.is_(None), Consent.valid_to >= on),
                type_coerce(Consent.category, String(32)) == category,
            )
        )
    return or_(*conditions) if conditions else false()
