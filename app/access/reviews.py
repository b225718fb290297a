"""Case reviews and group review meetings.

A review is read by its participants, by the counsellors and teachers of the student's school,
and by the coordinators and administrators of an employer that has a participant in it;
everyone else gets 404 (the student must first be visible). A practice supervisor takes part
in a student's review only while they see the student (a training period at their workplace,
`supervising_workplaces`); taking part lets them read that review (its agenda, minutes,
decisions and action items) and nothing more: not the student's other reviews, not a group
meeting, and support and SPS details only under the student's consent to the employer, as
everywhere (docs/domain.md, "Access and privacy rules"). The agenda is pre-filled under that
consent, and the forms remind the writers when someone from the workplace takes part.

Participants record the minutes and action items (403 for other readers). A group meeting is
read by its participants and by the staff of the organiser's organisation. A case on a
meeting's agenda (even pseudonymised: pseudonymised data are still personal data) is opened
only by those who may read both the meeting and the case's review.
"""

from __future__ import annotations

from datetime import date

from flask import abort
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.access.roles import (
    EMPLOYER_STAFF_ROLES,
    MEETING_STAFF_ROLES,
    REVIEW_SCHOOL_ROLES,
    permitted,
)
from app.access.students import (
    employer_ids_of,
    get_case_student_or_404,
    supervised_period,
    visible_students,
)
from app.extensions import db
from app.models import (
    EMPLOYER_ROLES,
    ActionItem,
    CaseReview,
    Membership,
    Period,
    ReviewMeeting,
    Role,
    Student,
    User,
)
from app.models.student import search_condition


def can_schedule_review(user: User, student: Student) -> bool:
    """Counsellors and teachers at the school, coordinators of the student's employer."""
    return student.school_id in user.organisation_ids(*REVIEW_SCHOOL_ROLES) or bool(
        user.organisation_ids(Role.TRAINING_COORDINATOR) & employer_ids_of(student)
    )


def supervising_workplaces(student: Student, on: date):
    """A subquery of the workplaces whose supervisors see `student` on `on` (so may be chosen
    as participants of the student's review)."""
    return select(Period.workplace_id).where(
        Period.student_id == student.id,
        Period.workplace_id.is_not(None),
        supervised_period(on),
    )


def workplace_takes_part(users) -> bool:
    """Does someone from the workplace side (a supervisor) take part? Then support and SPS
    details the student has not consented to share with the employer must stay out of what
    is written. `users` with their memberships loaded."""
    return any(m.role == Role.SUPERVISOR for u in users for m in u.memberships)


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


def visible_agenda_students(user: User, meeting) -> set[int]:
    """Of the students on the meeting's agenda, those `user` may see (one query, none if the
    agenda is empty)."""
    student_ids = {r.student_id for r in meeting.reviews}
    if not student_ids:
        return set()
    return set(
        db.session.execute(
            visible_students(user).with_only_columns(Student.id).where(Student.id.in_(student_ids))
        ).scalars()
    )


def can_open_meeting_case(user: User, meeting, review, visible_ids: set[int]) -> bool:
    """May the meeting page link to this case? Only for a visible student whose review the
    user may read (`visible_ids` from visible_agenda_students; `review.student` loaded)."""
    return review.student_id in visible_ids and can_read_meeting_case(
        user, meeting, review, review.student
    )


def agenda_choices(user: User, text: str, limit: int) -> list[Student]:
    """The students `user` may put on a group meeting's agenda: those the user may see, whose
    name or number starts with the words of `text` (all if empty), by name; at most `limit`
    and one more, so the page can say there are more (one query)."""
    query = visible_students(user)
    if text:
        query = query.where(search_condition(text))
    return list(
        db.session.execute(
            query.options(joinedload(Student.programme))
            .order_by(Student.last_name, Student.first_name, Student.id)
            .limit(limit + 1)
        ).scalars()
    )


def agenda_choice(user: User, student_id: int) -> Student | None:
    """The chosen student, if `user` may see them (else None: the choice is refused as any
    other wrong choice, without saying whether the student exists)."""
    return db.session.execute(
        visible_students(user)
        .where(Student.id == student_id)
        .options(selectinload(Student.agreements))
    ).scalar_one_or_none()


def agenda_of(meeting) -> list:
    """The meeting's cases in agenda order; a case's position in it is its key in URLs."""
    return sorted(meeting.reviews, key=lambda r: r.id)


# --- loaders and checks -------------------------------------------------------------------------


def get_review_student_or_404(student_id: int, schedule: bool = False) -> Student:
    """The student (404 if hidden); with `schedule`, 403 unless the user may schedule a review."""
    return get_case_student_or_404(student_id, may=can_schedule_review if schedule else None)


def get_review_or_404(student: Student, review_id: int, edit: bool = False) -> CaseReview:
    """One of the student's reviews: 404 unless the user may read it; with `edit`, 403 unless
    the user takes part in it."""
    review = db.one_or_404(
        select(CaseReview)
        .where(CaseReview.id == review_id, CaseReview.student_id == student.id)
        .options(
            selectinload(CaseReview.participants)
            .selectinload(User.memberships)
            .options(joinedload(Membership.organisation), joinedload(Membership.workplace)),
            selectinload(CaseReview.action_items).joinedload(ActionItem.owner),
            joinedload(CaseReview.meeting),
        )
    )
    return permitted(
        review,
        sees=can_read_review(current_user, review, student),
        may=not edit or can_edit_review(current_user, review),
    )


def get_action_item_or_404(review: CaseReview, item_id: int) -> ActionItem:
    """One of the review's (loaded) action items."""
    item = next((i for i in review.action_items if i.id == item_id), None)
    if item is None:
        abort(404)
    return item


def get_meeting_or_404(meeting_id: int) -> ReviewMeeting:
    """A group meeting, 404 unless the user may read it."""
    meeting = db.one_or_404(
        select(ReviewMeeting)
        .where(ReviewMeeting.id == meeting_id)
        .options(
            selectinload(ReviewMeeting.participants)
            .selectinload(User.memberships)
            .options(joinedload(Membership.organisation), joinedload(Membership.workplace)),
            selectinload(ReviewMeeting.reviews)
            .joinedload(CaseReview.student)
            .joinedload(Student.programme),
            selectinload(ReviewMeeting.reviews)
            .selectinload(CaseReview.participants)
            .selectinload(User.memberships),
            joinedload(ReviewMeeting.organisation),
        )
    )
    if not can_read_meeting(current_user, meeting):
        abort(404)
    return meeting


def get_meeting_case_or_404(
    meeting_id: int, position: int
) -> tuple[ReviewMeeting, CaseReview, Student]:
    """The meeting, the case at `position` on its agenda and its student, for a user who may
    read the meeting and the case's review; 404 otherwise."""
    meeting = get_meeting_or_404(meeting_id)
    agenda = agenda_of(meeting)
    if not 1 <= position <= len(agenda):
        abort(404)
    review = agenda[position - 1]
    student = get_case_student_or_404(review.student_id)
    if not can_read_meeting_case(current_user, meeting, review, student):
        abort(404)
    return meeting, review, student
