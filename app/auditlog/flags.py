"""Flags for unusual reading in the access log (docs/access-log.md, "Flags"): rules, each flag
explained in words, over a period the reviewer chooses (by default the last 30 days).

1. Many students' files in one day (`many_students`): a user who on one day opened (VIEW) the
   cases of at least BURST_MIN_STUDENTS different students, and more than BURST_FACTOR times
   their own usual number (the median of different students per day on the days they read any
   in the BASELINE_DAYS before). A coordinator who reads 40 cases every day is not flagged for
   40; a teacher who reads 4 a day is, for 40.
2. Views outside the user's relations to the student (`outside_relations`): a user who opened a
   student's case in the period without any working relation to the student then. Access rules
   let the school's staff open every student of the school; this asks whether the student is in
   their work. The relations, all read from the records (see `_relations`): contact teacher or
   counsellor named on the student; responsible for one of the student's periods; supervisor
   at the workplace of one of the student's training periods; staff of the employer of one of
   the student's training agreements; a participant in or the author of a case review of the
   student; owner of a support measure or action item of the student; asked by the student for
   a conversation; a line in the student's case history written by the user
   (RELATION_MEMORY_DAYS back); the student's own account. Relations are judged over the
   period reviewed, not view by view.

Each rule is one grouped SQL statement (by user and day, by user and student), whatever the
size of the log, and the names are then loaded in two more. Rows of the review itself
(object type "access_log") are never counted: reviewing the log is not reading a case.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import format_date, format_decimal, ngettext
from flask_babel import gettext as _
from sqlalchemy import and_, distinct, exists, func, or_, select
from sqlalchemy.orm import selectinload

from app.access.auditlog import access_log_scope
from app.access.roles import EMPLOYER_STAFF_ROLES
from app.auditlog.queries import ACCESS_LOG, in_period
from app.extensions import db
from app.models import (
    SCHOOL_ROLES,
    ActionItem,
    AuditAction,
    AuditEvent,
    CaseEvent,
    CaseReview,
    ConversationRequest,
    Membership,
    Period,
    PeriodKind,
    Role,
    Student,
    SupportMeasure,
    TrainingAgreement,
    User,
    review_participant,
)
from app.models.base import day_start, local_date

# Rule 1: a day's reading is flagged from this many different students ...
BURST_MIN_STUDENTS = 15
# ... when it is more than this many times the user's usual day ...
BURST_FACTOR = 3
# ... the median of different students per active day over this many days before it.
BASELINE_DAYS = 56
# Rule 2: a line the user wrote in the student's case history this long before the period
# still counts as a relation (a counsellor who followed the student last year).
RELATION_MEMORY_DAYS = 365
# At most this many flags of each rule are listed (the largest first).
MAX_FLAGS = 100
# The period judged when the reviewer has not chosen one.
DEFAULT_PERIOD_DAYS = 30

MANY_STUDENTS = "many_students"
OUTSIDE_RELATIONS = "outside_relations"


@dataclass(frozen=True)
class Flag:
    kind: str
    user_id: int
    explanation: str
    # The log rows the flag is about, as the review page's filters.
    date_from: date
    date_to: date
    student_number: str | None = None


def default_period(today: date) -> tuple[date, date]:
    return today - timedelta(days=DEFAULT_PERIOD_DAYS - 1), today


def _views(reviewer: User):
    """The rows counted: reads of a named student's data by a user, in the reviewer's scope."""
    return and_(
        access_log_scope(reviewer),
        AuditEvent.action == AuditAction.VIEW,
        AuditEvent.student_id.is_not(None),
        AuditEvent.user_id.is_not(None),
        AuditEvent.object_type != ACCESS_LOG,
    )


def _as_date(value) -> date:
    # SQLite's date() answers text, PostgreSQL's a date.
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _number(value: float) -> str:
    return format_decimal(round(value, 1))


# --- rule 1: many students' files in one day ---------------------------------------------


def many_students(reviewer: User, date_from: date, date_to: date) -> list[Flag]:
    """Days in the period on which a user opened unusually many students' cases."""
    day = func.date(AuditEvent.at).label("day")
    per_day = db.session.execute(
        select(AuditEvent.user_id, day, func.count(distinct(AuditEvent.student_id)))
        .where(
            _views(reviewer),
            *in_period(date_from - timedelta(days=BASELINE_DAYS), date_to),
        )
        .group_by(AuditEvent.user_id, day)
    ).all()
    days: dict[int, dict[date, int]] = defaultdict(dict)
    for user_id, on, count in per_day:
        days[user_id][_as_date(on)] = count
    found: list[tuple[int, date, int, float, int]] = []
    for user_id, counts in days.items():
        for on, count in counts.items():
            if not (date_from <= on <= date_to) or count < BURST_MIN_STUDENTS:
                continue
            before = [n for d, n in counts.items() if on - timedelta(days=BASELINE_DAYS) <= d < on]
            usual = statistics.median(before) if before else 0
            if count > BURST_FACTOR * usual:
                found.append((user_id, on, count, usual, len(before)))
    found.sort(key=lambda f: (-f[2], f[1], f[0]))
    found = found[:MAX_FLAGS]
    names = _user_names({f[0] for f in found})
    weeks = BASELINE_DAYS // 7
    flags = []
    for user_id, on, count, usual, active in found:
        name = names.get(user_id, "?")
        if active:
            text = _(
                "%(user)s opened the cases of %(count)d students on %(day)s; usually "
                "%(usual)s a day (the median of the %(active)d days with reading in the "
                "%(weeks)d weeks before).",
                user=name,
                count=count,
                day=format_date(on, "long"),
                usual=_number(usual),
                active=active,
                weeks=weeks,
            )
        else:
            text = _(
                "%(user)s opened the cases of %(count)d students on %(day)s, and read none in "
                "the %(weeks)d weeks before.",
                user=name,
                count=count,
                day=format_date(on, "long"),
                weeks=weeks,
            )
        flags.append(Flag(MANY_STUDENTS, user_id, text, on, on))
    return flags


def _user_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


# --- rule 2: views outside the user's relations to the student ---------------------------


def _relations(user_id, student_id, date_from: date, date_to: date):
    """SQL conditions, each true when the user had that working relation to the student in the
    period (see the module's docstring)."""
    config = current_app.config
    before = timedelta(days=config["SUPERVISOR_DAYS_BEFORE"])
    after = timedelta(days=config["SUPERVISOR_DAYS_AFTER"])
    period_overlaps = and_(
        Period.student_id == student_id,
        Period.start_date <= date_to + before,
        Period.end_date >= date_from - after,
    )
    memory = date_from - timedelta(days=RELATION_MEMORY_DAYS)
    return {
        "named": exists().where(
            Student.id == student_id,
            or_(Student.contact_teacher_id == user_id, Student.counsellor_id == user_id),
        ),
        "responsible": exists().where(period_overlaps, Period.responsible_id == user_id),
        "workplace": exists().where(
            period_overlaps,
            Period.kind == PeriodKind.TRAINING,
            Membership.user_id == user_id,
            Membership.role == Role.SUPERVISOR,
            Membership.workplace_id == Period.workplace_id,
        ),
        "employer": exists().where(
            TrainingAgreement.student_id == student_id,
            or_(TrainingAgreement.end_date.is_(None), TrainingAgreement.end_date >= date_from),
            Membership.user_id == user_id,
            Membership.role.in_(EMPLOYER_STAFF_ROLES),
            Membership.organisation_id == TrainingAgreement.employer_id,
        ),
        "review": or_(
            exists().where(
                CaseReview.student_id == student_id,
                CaseReview.on_date >= memory,
                CaseReview.created_by_id == user_id,
            ),
            # A join inside one EXISTS, not an IN (subquery) within it: a subquery two levels
            # down would not be correlated to the pair.
            exists().where(
                CaseReview.student_id == student_id,
                CaseReview.on_date >= memory,
                review_participant.c.review_id == CaseReview.id,
                review_participant.c.user_id == user_id,
            ),
        ),
        "action_item": exists().where(
            ActionItem.student_id == student_id, ActionItem.owner_id == user_id
        ),
        "measure": exists().where(
            SupportMeasure.student_id == student_id, SupportMeasure.owner_id == user_id
        ),
        "conversation": exists().where(
            ConversationRequest.student_id == student_id,
            ConversationRequest.addressed_to_id == user_id,
        ),
        "history": exists().where(
            CaseEvent.student_id == student_id,
            CaseEvent.user_id == user_id,
            CaseEvent.at >= day_start(memory),
            CaseEvent.at < day_start(date_to + timedelta(days=1)),
        ),
        "own_account": exists().where(
            Membership.student_id == student_id, Membership.user_id == user_id
        ),
    }


def outside_relations(reviewer: User, date_from: date, date_to: date) -> list[Flag]:
    """Users who opened a student's case in the period with no working relation to them."""
    pairs = (
        select(
            AuditEvent.user_id,
            AuditEvent.student_id,
            func.count().label("views"),
            func.min(AuditEvent.at).label("first"),
            func.max(AuditEvent.at).label("last"),
        )
        .where(_views(reviewer), *in_period(date_from, date_to))
        .group_by(AuditEvent.user_id, AuditEvent.student_id)
        .subquery()
    )
    relations = _relations(pairs.c.user_id, pairs.c.student_id, date_from, date_to)
    found = db.session.execute(
        select(pairs)
        .where(~or_(*relations.values()))
        .order_by(pairs.c.views.desc(), pairs.c.user_id, pairs.c.student_id)
        .limit(MAX_FLAGS)
    ).all()
    if not found:
        return []
    users = {
        u.id: u
        for u in db.session.scalars(
            select(User)
            .where(User.id.in_({f.user_id for f in found}))
            .options(selectinload(User.memberships))
        )
    }
    students = {
        s.id: s
        for s in db.session.scalars(
            select(Student).where(Student.id.in_({f.student_id for f in found}))
        )
    }
    flags = []
    for row in found:
        user, student = users.get(row.user_id), students.get(row.student_id)
        if user is None or student is None:
            continue  # the student record was deleted since: nothing to name
        first, last = local_date(row.first), local_date(row.last)
        names = {
            "user": user.name,
            "student": student.full_name,
            "number": student.student_number,
            "missing": missing_relations(user),
        }
        if first == last:
            text = ngettext(
                "%(user)s opened the case of %(student)s (%(number)s) once on %(day)s without "
                "a working relation to the student: %(missing)s.",
                "%(user)s opened the case of %(student)s (%(number)s) %(num)d times on %(day)s "
                "without a working relation to the student: %(missing)s.",
                row.views,
                day=format_date(first, "long"),
                **names,
            )
        else:
            text = ngettext(
                "%(user)s opened the case of %(student)s (%(number)s) once from %(first)s to "
                "%(last)s without a working relation to the student: %(missing)s.",
                "%(user)s opened the case of %(student)s (%(number)s) %(num)d times from "
                "%(first)s to %(last)s without a working relation to the student: %(missing)s.",
                row.views,
                first=format_date(first, "long"),
                last=format_date(last, "long"),
                **names,
            )
        flags.append(Flag(OUTSIDE_RELATIONS, user.id, text, first, last, student.student_number))
    return flags


def missing_relations(user: User) -> str:
    """The relations that were checked and missing, in words, for the user's roles."""
    parts = []
    if user.has_role(*SCHOOL_ROLES):
        parts.append(_("not the student's contact teacher or counsellor"))
        parts.append(_("not responsible for any of the student's periods"))
    if user.has_role(Role.SUPERVISOR):
        parts.append(_("the student had no training period at their workplace"))
    if user.has_role(*EMPLOYER_STAFF_ROLES):
        parts.append(_("the student had no training agreement with their organisation"))
    parts.append(_("not in a case review of the student"))
    parts.append(_("no support measure, action item or request for a conversation"))
    parts.append(_("wrote nothing in the student's case history in the period or the year before"))
    return "; ".join(parts)


def flags_for(reviewer: User, date_from: date, date_to: date) -> list[Flag]:
    return many_students(reviewer, date_from, date_to) + outside_relations(
        reviewer, date_from, date_to
    )
