"""Who may see and do what. The one place where access is decided.

Rules (DOMAIN.md, "Access and privacy rules"), deny by default:
- school staff (counsellor, teacher, school admin) see the students enrolled at their school;
- municipality or region staff (training coordinator, municipality admin) see the students
  with a current or future training agreement with their organisation;
- a practice supervisor sees the students with a training period at their workplace, from
  SUPERVISOR_DAYS_BEFORE days before it starts until SUPERVISOR_DAYS_AFTER days after it ends;
- the partnership analyst never sees a named student; the system admin sees no case content.

Every list, search, choice list, detail view and export of students goes through
`visible_students()` or `get_student_or_404()`. A student the user may not see answers 404,
so its existence does not leak.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import abort, current_app
from flask_login import current_user, login_required
from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app import dates
from app.extensions import db
from app.models import (
    EMPLOYER_ROLES,
    SCHOOL_ROLES,
    CaseEvent,
    Consent,
    ConsentCategory,
    Membership,
    Organisation,
    Period,
    PeriodKind,
    Role,
    Student,
    SupportCategory,
    SupportMeasure,
    SupportNeed,
    SupportNeedStatus,
    TrainingAgreement,
    User,
    Workplace,
)

P = ParamSpec("P")
R = TypeVar("R")

# Roles that work with named students' cases. The analyst and system admin are not among them.
CASE_ROLES = SCHOOL_ROLES | EMPLOYER_ROLES
EMPLOYER_STAFF_ROLES = frozenset({Role.TRAINING_COORDINATOR, Role.MUNICIPALITY_ADMIN})
ORG_ADMIN_ROLES = frozenset({Role.SCHOOL_ADMIN, Role.MUNICIPALITY_ADMIN})


def today() -> date:
    return date.today()


def roles_required(*roles: Role) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Coarse gate: the user must be logged in and hold one of `roles` somewhere, else 403."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        @login_required
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


case_roles_required = roles_required(*CASE_ROLES)


# --- students ---------------------------------------------------------------------------


def student_visibility(user: User, on: date | None = None) -> ColumnElement[bool]:
    """A SQL condition on `Student` that is true exactly for the students `user` may see."""
    on = on or today()
    conditions: list[ColumnElement[bool]] = []

    school_ids = user.organisation_ids(*SCHOOL_ROLES)
    if school_ids:
        conditions.append(Student.school_id.in_(school_ids))

    employer_ids = user.organisation_ids(*EMPLOYER_STAFF_ROLES)
    if employer_ids:
        # IN (subquery), not a correlated EXISTS: the agreements of a few employers are found
        # once by index instead of looked up for every student of the region.
        conditions.append(
            Student.id.in_(
                select(TrainingAgreement.student_id).where(
                    TrainingAgreement.employer_id.in_(employer_ids),
                    or_(TrainingAgreement.end_date.is_(None), TrainingAgreement.end_date >= on),
                )
            )
        )

    workplace_ids = user.workplace_ids(Role.SUPERVISOR)
    if workplace_ids:
        config = current_app.config
        conditions.append(
            Student.id.in_(
                select(Period.student_id).where(
                    Period.kind == PeriodKind.TRAINING,
                    Period.workplace_id.in_(workplace_ids),
                    Period.start_date <= on + timedelta(days=config["SUPERVISOR_DAYS_BEFORE"]),
                    Period.end_date >= on - timedelta(days=config["SUPERVISOR_DAYS_AFTER"]),
                )
            )
        )

    return or_(*conditions) if conditions else false()


def visible_students(user: User | None = None) -> Select[tuple[Student]]:
    """`select(Student)` limited to the students `user` (default: current user) may see."""
    user = user or current_user
    return select(Student).where(student_visibility(user))


def get_student_or_404(student_id: int, *options, user: User | None = None) -> Student:
    """Load a student the user may see, or answer 404 whether it exists or not.

    `options` are loader options (``selectinload(Student.agreements)``) for what the page shows.
    """
    query = visible_students(user).where(Student.id == student_id).options(*options)
    return db.one_or_404(query)


def get_case_student_or_404(student_id: int, user: User | None = None) -> Student:
    """A student for a page about their case, with what every such page shows (school,
    programme, agreements with their employers) loaded in the same round trips."""
    return get_student_or_404(
        student_id,
        joinedload(Student.school),
        joinedload(Student.programme),
        selectinload(Student.agreements).joinedload(TrainingAgreement.employer),
        user=user,
    )


# --- administration ---------------------------------------------------------------------


def is_system_admin(user: User) -> bool:
    return user.has_role(Role.SYSTEM_ADMIN)


def administered_organisation_ids(user: User) -> set[int] | None:
    """Organisations whose users/workplaces `user` manages; None means all (system admin)."""
    if is_system_admin(user):
        return None
    return user.organisation_ids(*ORG_ADMIN_ROLES)


def scope_to_administered(query: Select, column: ColumnElement, user: User) -> Select:
    """Limit an admin list to the organisations `user` administers."""
    ids = administered_organisation_ids(user)
    if ids is None:
        return query
    return query.where(column.in_(ids))


def administered_organisations(user: User) -> Select[tuple[Organisation]]:
    return scope_to_administered(select(Organisation), Organisation.id, user).order_by(
        Organisation.name
    )


def get_administered_organisation_or_404(organisation_id: int, user: User) -> Organisation:
    query = administered_organisations(user).where(Organisation.id == organisation_id)
    return db.one_or_404(query)


def administered_workplaces(user: User) -> Select[tuple[Workplace]]:
    return scope_to_administered(select(Workplace), Workplace.organisation_id, user)


def get_administered_workplace_or_404(workplace_id: int, user: User) -> Workplace:
    return db.one_or_404(administered_workplaces(user).where(Workplace.id == workplace_id))


def administered_users(user: User) -> Select[tuple[User]]:
    """Users with a membership in an organisation `user` administers (all for a system admin)."""
    ids = administered_organisation_ids(user)
    query = select(User)
    if ids is None:
        return query
    return query.where(
        exists().where(and_(Membership.user_id == User.id, Membership.organisation_id.in_(ids)))
    )


def get_administered_user_or_404(user_id: int, user: User) -> User:
    return db.one_or_404(administered_users(user).where(User.id == user_id))


# --- the journey: plans, handovers ------------------------------------------------------

PLAN_EDITOR_ROLES = SCHOOL_ROLES | EMPLOYER_STAFF_ROLES  # supervisors read plans, not edit them


def is_school_staff_for(user: User, student: Student) -> bool:
    return student.school_id in user.organisation_ids(*SCHOOL_ROLES)


def employer_ids_of(student: Student, on: date | None = None) -> set[int]:
    """Organisations with a current or future agreement with the student (loaded agreements)."""
    on = on or today()
    return {a.employer_id for a in student.agreements if a.end_date is None or a.end_date >= on}


def is_employer_staff_for(user: User, student: Student) -> bool:
    return bool(user.organisation_ids(*EMPLOYER_STAFF_ROLES) & employer_ids_of(student))


def acting_organisation_id(user: User, student: Student) -> int | None:
    """The organisation `user` acts for in `student`'s case: the school, else the employer."""
    if student.school_id in user.organisation_ids(*SCHOOL_ROLES):
        return student.school_id
    mine = user.organisation_ids(*EMPLOYER_ROLES)
    if not mine:
        return None
    shared = mine & {a.employer_id for a in student.agreements}
    return min(shared or mine)


def can_edit_plan(user: User, student: Student) -> bool:
    """School staff at the student's school and staff of the student's employer edit the plan."""
    return is_school_staff_for(user, student) or is_employer_staff_for(user, student)


def _on_side_of(user: User, student: Student, period: Period) -> bool:
    """Does `user` act for the place where `period` happens (the school, or the workplace)?"""
    if period.kind == PeriodKind.SCHOOL:
        return is_school_staff_for(user, student)
    if period.workplace is None:
        return is_employer_staff_for(user, student)
    return period.workplace_id in user.workplace_ids(Role.SUPERVISOR) or (
        period.workplace.organisation_id in user.organisation_ids(*EMPLOYER_STAFF_ROLES)
    )


def can_write_handover(user: User, student: Student, from_period: Period) -> bool:
    """The sending side writes the note."""
    return _on_side_of(user, student, from_period)


def can_acknowledge_handover(user: User, student: Student, to_period: Period) -> bool:
    """The receiving side acknowledges it."""
    return _on_side_of(user, student, to_period)


def can_read_handover(user: User, student: Student, from_period: Period, to_period: Period) -> bool:
    """Staff of the school or the employer read it; a supervisor only at the two workplaces,
    and at the receiving one only from HANDOVER_DAYS_BEFORE days before the period starts."""
    if is_school_staff_for(user, student) or is_employer_staff_for(user, student):
        return True
    supervised = user.workplace_ids(Role.SUPERVISOR)
    if from_period.kind == PeriodKind.TRAINING and from_period.workplace_id in supervised:
        return True
    if to_period.kind == PeriodKind.TRAINING and to_period.workplace_id in supervised:
        # Clamped: a period stored with a date near year 1 must not crash the check.
        opens = dates.add_clamped(
            to_period.start_date, -timedelta(days=current_app.config["HANDOVER_DAYS_BEFORE"])
        )
        return today() >= opens
    return False


def can_edit_account(actor: User, user: User) -> bool:
    """May `actor` change `user`'s name, e-mail, password or active flag?

    An organisation admin may only when every role the user holds is in an organisation the
    admin administers; otherwise an admin of one municipality could take over an account that
    also works elsewhere (or a system administrator's).
    """
    ids = administered_organisation_ids(actor)
    if ids is None:
        return True
    return all(m.organisation_id in ids for m in user.memberships)


# --- support needs, SPS and consent -------------------------------------------------------
#
# Support-need details and SPS are school data. At the student's school the counsellor and the
# teachers see them and the counsellor records them. Staff of another organisation (the
# municipality, its supervisors) see a category only under the student's consent in force for
# that category to their organisation; otherwise only that support is agreed and whom to ask.
# A withdrawn consent stops access on the next request: nothing here is cached.

SUPPORT_READ_ROLES = frozenset({Role.COUNSELLOR, Role.TEACHER})
SUPPORT_EDIT_ROLES = frozenset({Role.COUNSELLOR})


def can_edit_support(user: User, student: Student) -> bool:
    return student.school_id in user.organisation_ids(*SUPPORT_EDIT_ROLES)


@dataclass(frozen=True)
class SupportView:
    """What one user may see of one student's support data."""

    categories: frozenset[ConsentCategory]
    school: bool  # school staff who see all of it
    can_edit: bool

    def sees_category(self, category: ConsentCategory | str | None) -> bool:
        return category is None or ConsentCategory(category) in self.categories

    def sees_need(self, need: SupportNeed) -> bool:
        category = ConsentCategory.HEALTH if need.category.health_data else None
        return ConsentCategory.SUPPORT_NEEDS in self.categories and self.sees_category(category)

    def sees_measure(self, measure: SupportMeasure) -> bool:
        return measure.consent_category in self.categories

    @property
    def sees_anything(self) -> bool:
        return bool(self.categories)


def case_event_visibility(view: SupportView, user: User | None = None) -> ColumnElement[bool]:
    """A SQL condition on CaseEvent: lines about support only in the categories `view` sees,
    and lines kept to one organisation (notes) only for its staff."""
    user = user or current_user
    categories = [c.value for c in view.categories]
    return and_(
        or_(CaseEvent.data_category.is_(None), CaseEvent.data_category.in_(categories)),
        or_(
            CaseEvent.restricted_to_id.is_(None),
            CaseEvent.restricted_to_id.in_(user.organisation_ids(*Role)),
        ),
    )


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
    if student.school_id in user.organisation_ids(*SUPPORT_READ_ROLES):
        return SupportView(frozenset(ConsentCategory), True, can_edit_support(user, student))
    organisation_ids = user.organisation_ids(*EMPLOYER_ROLES)
    if not organisation_ids:
        return SupportView(frozenset(), False, False)
    return SupportView(consented_to(student, organisation_ids), False, False)


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


# --- training records (goals, experiences, evaluations, warnings, declarations) -------------
#
# A training period's records are read by the student's school and employer, and by the
# supervisors of the period's workplace; supervisors elsewhere get 404. Only a supervisor at
# the period's workplace writes them. The school contact (counsellor or teacher) acknowledges.

SCHOOL_CONTACT_ROLES = frozenset({Role.COUNSELLOR, Role.TEACHER})


def can_read_training(user: User, student: Student, period: Period) -> bool:
    if period.kind != PeriodKind.TRAINING:
        return False
    if is_school_staff_for(user, student) or is_employer_staff_for(user, student):
        return True
    return period.workplace_id is not None and period.workplace_id in user.workplace_ids(
        Role.SUPERVISOR
    )


def can_write_training(user: User, period: Period) -> bool:
    return (
        period.kind == PeriodKind.TRAINING
        and period.workplace_id is not None
        and period.workplace_id in user.workplace_ids(Role.SUPERVISOR)
    )


def is_school_contact_for(user: User, student: Student) -> bool:
    return student.school_id in user.organisation_ids(*SCHOOL_CONTACT_ROLES)


# --- case reviews and group review meetings -----------------------------------------------
#
# A review is read by its participants, by the counsellors and teachers of the student's school,
# and by the coordinators and administrators of an employer that has a participant in it;
# everyone else gets 404 (the student must first be visible). Participants record the minutes
# and action items. A group meeting is read by its participants and by the staff of the
# organiser's organisation. A case on a meeting's agenda (even pseudonymised: pseudonymised
# data are still personal data) is opened only by those who may read both the meeting and the
# case's review.

REVIEW_SCHOOL_ROLES = frozenset({Role.COUNSELLOR, Role.TEACHER})
REVIEW_SCHEDULER_ROLES = frozenset({Role.COUNSELLOR, Role.TEACHER, Role.TRAINING_COORDINATOR})
MEETING_ORGANISER_ROLES = frozenset({Role.COUNSELLOR, Role.TRAINING_COORDINATOR})
MEETING_STAFF_ROLES = frozenset(
    {
        Role.COUNSELLOR,
        Role.TEACHER,
        Role.SCHOOL_ADMIN,
        Role.TRAINING_COORDINATOR,
        Role.MUNICIPALITY_ADMIN,
    }
)


def can_schedule_review(user: User, student: Student) -> bool:
    """Counsellors and teachers at the school, coordinators of the student's employer."""
    return student.school_id in user.organisation_ids(*REVIEW_SCHOOL_ROLES) or bool(
        user.organisation_ids(Role.TRAINING_COORDINATOR) & employer_ids_of(student)
    )


def is_review_participant(user: User, review) -> bool:
    return any(p.id == user.id for p in review.participants)


def can_read_review(user: User, review, student: Student) -> bool:
    """Call after get_student_or_404. `review.participants` with their memberships loaded."""
    if review.student_id != student.id:
        return False
    if is_review_participant(user, review):
        return True
    if student.school_id in user.organisation_ids(*REVIEW_SCHOOL_ROLES):
        return True
    mine = user.organisation_ids(*EMPLOYER_STAFF_ROLES)
    if not mine:
        return False
    return any(
        m.organisation_id in mine
        for p in review.participants
        for m in p.memberships
        if m.role in EMPLOYER_ROLES
    )


def can_edit_review(user: User, review) -> bool:
    """Participants from either side record minutes, decisions and action items."""
    return is_review_participant(user, review)


def can_read_meeting(user: User, meeting) -> bool:
    """`meeting.participants` loaded."""
    if any(p.id == user.id for p in meeting.participants):
        return True
    return meeting.organisation_id in user.organisation_ids(*MEETING_STAFF_ROLES)


def can_read_meeting_case(user: User, meeting, review, student: Student) -> bool:
    """A case on a group meeting's agenda, pseudonymised or named. Call after
    get_student_or_404; the meeting's and the review's participants (with their memberships)
    loaded."""
    return (
        review.meeting_id == meeting.id
        and can_read_meeting(user, meeting)
        and can_read_review(user, review, student)
    )
