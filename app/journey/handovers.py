"""Transitions between periods at different places, their handover notes and reminders."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased, joinedload

from app.access.journey import (
    held_before,
    held_periods,
    is_transition,
    never_held,
    on_side_clause,
)
from app.access.students import visible_students
from app.editing import StaleEdit
from app.extensions import db
from app.history import log
from app.models import (
    CaseEventKind,
    Enrolment,
    HandoverNote,
    NotificationKind,
    Period,
    PeriodKind,
    Role,
    Student,
    StudentStatus,
    User,
    Workplace,
)
from app.models.base import utcnow
from app.notifications import notify, people_at


class HandoverStatus(enum.StrEnum):
    MISSING = "missing"
    DRAFT = "draft"  # only ever shown to the writing organisation (app.access.journey)
    WRITTEN = "written"
    ACKNOWLEDGED = "acknowledged"


def status_of(note: HandoverNote | None) -> HandoverStatus:
    if note is None:
        return HandoverStatus.MISSING
    if note.is_draft:
        return HandoverStatus.DRAFT
    return HandoverStatus.ACKNOWLEDGED if note.acknowledged_at else HandoverStatus.WRITTEN


@dataclass
class Transition:
    from_period: Period
    to_period: Period
    note: HandoverNote | None

    @property
    def status(self) -> HandoverStatus:
        return status_of(self.note)

    @property
    def changes_enrolment(self) -> bool:
        """From one enrolment to the next: GF2 → SSA, a change of school, a re-enrolment."""
        return self.from_period.enrolment_id != self.to_period.enrolment_id


def transitions_of(
    periods: list[Period], notes: list[HandoverNote], enrolments: Sequence[Enrolment] = ()
) -> list[Transition]:
    """The transitions in one student's plan (periods in date order). With the student's
    `enrolments`, a period that starts after its enrolment ended (the student left before it)
    is left out: neither arrived at nor left from."""
    by_target = {n.to_period_id: n for n in notes}
    return [
        Transition(prev, nxt, by_target.get(nxt.id))
        for prev, nxt in pairwise(held_periods(periods, enrolments))
        if is_transition(prev, nxt)
    ]


# --- lists of upcoming transitions --------------------------------------------------------


def changed_place(previous, following) -> ColumnElement[bool]:
    """`app.access.journey.is_transition` in SQL, on two Period entities or aliases: another
    kind of place, another workplace, or another enrolment (GF2 → SSA, a change of school, a
    re-enrolment)."""
    return or_(
        previous.kind != following.kind,
        previous.enrolment_id != following.enrolment_id,
        and_(
            following.kind == PeriodKind.TRAINING,
            func.coalesce(previous.workplace_id, -1) != func.coalesce(following.workplace_id, -1),
        ),
    )


Prev = aliased(Period, name="prev_period")
# Made once: building a statement around a new alias each time costs more than running it.
_Earlier = aliased(Period, name="earlier_period")
_Windowed = aliased(Period, name="windowed_period")
_Dropped = aliased(Student, name="dropped_student")


def upcoming_transitions(visible: Select, start: date, end: date) -> Select:
    """Rows (to_period, prev_period, note) for transitions whose new period starts in [start, end].

    `visible` is a `select(Student)` already limited by the access module. One statement, however
    many students. The window's periods, each with the id of the period before it (a correlated
    subquery), are read first, as a materialised CTE (`transition_window`); the periods and the
    previous ones are then joined to them by key. Written as a join condition instead, the
    previous period's look-up made PostgreSQL hash every period of the region (291,899 at
    regional scale) for the few thousand in the window.
    """
    windowed = _Windowed
    prev_id = (
        held_before(_Earlier, windowed)
        .with_only_columns(_Earlier.id)
        .correlate(windowed)
        .scalar_subquery()
    )
    visible_ids = visible.with_only_columns(Student.id).scalar_subquery()
    # A student who has dropped out has no transitions ahead. A separate NOT EXISTS, not a
    # condition inside `visible`: joined there, PostgreSQL scans every student of the region
    # to check it (upcoming transitions, regional data: 14 ms -> 9 ms per statement).
    dropped = _Dropped
    dropped_out = exists().where(
        dropped.id == windowed.student_id, dropped.status == StudentStatus.DROPPED_OUT
    )
    window = (
        select(windowed.id, prev_id.label("prev_id"))
        .where(
            # `+ 0`: the window is read by date first and each period's student checked
            # against the visible ones, not the other way round. Given the bare column,
            # SQLite probed the periods of each of a school's 20,000 students (11 ms for the
            # window's ids on regional data; 4 ms by date).
            (windowed.student_id + 0).in_(visible_ids),
            ~dropped_out,
            # Nor is a period arrived at (or left from) that starts after its enrolment
            # ended: the student left before it, e.g. a re-enrolled student's old plan.
            ~never_held(windowed),
            windowed.start_date >= start,
            windowed.start_date <= end,
        )
        .cte("transition_window")
        .prefix_with("MATERIALIZED")
    )
    return _transition_rows(window)


def _transition_rows(keys) -> Select:
    """Rows (to_period, prev_period, note), in date order, for the transitions whose period ids
    and previous period ids `keys` holds (columns `id` and `prev_id`)."""
    return (
        select(Period, Prev, HandoverNote)
        .select_from(keys)
        .join(Period, Period.id == keys.c.id)
        .join(Prev, Prev.id == keys.c.prev_id)
        # A draft is not a note yet: these lists (and the reminders) count it as missing.
        .outerjoin(
            HandoverNote,
            and_(HandoverNote.to_period_id == Period.id, HandoverNote.is_draft.is_(False)),
        )
        .where(changed_place(Prev, Period))
        .options(
            joinedload(Period.workplace).joinedload(Workplace.organisation),
            joinedload(Prev.workplace),
        )
        .order_by(Period.start_date, Period.id)
    )


def load_transitions(pairs: Sequence[tuple[int, int]]) -> list:
    """The rows `upcoming_transitions` gives for transitions already found in it, by their
    (period id, previous period id), in its order, without reading the window again: My
    overview's few head rows."""
    if not pairs:
        return []
    keys = union_all(
        *(select(literal(pid).label("id"), literal(prev).label("prev_id")) for pid, prev in pairs)
    ).cte("transition_key")
    return db.session.execute(_transition_rows(keys)).unique().all()


def filter_status(query: Select, status: HandoverStatus | None) -> Select:
    if status == HandoverStatus.MISSING:
        return query.where(HandoverNote.id.is_(None))
    if status == HandoverStatus.WRITTEN:
        return query.where(HandoverNote.id.is_not(None), HandoverNote.acknowledged_at.is_(None))
    if status == HandoverStatus.ACKNOWLEDGED:
        return query.where(HandoverNote.acknowledged_at.is_not(None))
    return query


def starting_at_my_workplaces(user: User, start: date, end: date) -> Select:
    """ "Starting soon": transitions into a training period at one of `user`'s workplaces."""
    return upcoming_transitions(visible_students(user), start, end).where(
        Period.workplace_id.in_(user.workplace_ids(Role.SUPERVISOR)),
        Period.kind == PeriodKind.TRAINING,
    )


@dataclass(frozen=True)
class NoteTasks:
    """A user's upcoming transitions in a window and, of them, the notes the user's side has
    to write (no note yet, the user on the sending side) and to acknowledge (written, not yet
    acknowledged, the user on the receiving side). Each list holds bare rows (`id`, ...) in
    date order, each with its `prev_id`: `load_transitions` loads the few rows a summary
    shows."""

    transitions: list
    to_write: list
    to_acknowledge: list


def note_tasks(user: User, start: date, end: date) -> NoteTasks:
    """The window's transitions read once, as bare columns with the user's side of each as two
    flags, and sorted into the lists in Python: the transitions statement (its correlated
    look-up of each period's previous one) is the costly part, and My overview needs all
    three lists."""
    # The previous period is the same student's: one student row serves both sides.
    window = upcoming_transitions(visible_students(user), start, end).join(
        Student, Student.id == Period.student_id
    )
    rows = db.session.execute(
        window.with_only_columns(
            Period.id,
            Prev.id.label("prev_id"),
            HandoverNote.id.label("note_id"),
            HandoverNote.acknowledged_at,
            on_side_clause(user, Prev, Student).label("sending"),
            on_side_clause(user, Period, Student).label("receiving"),
        )
    ).all()
    return NoteTasks(
        transitions=rows,
        to_write=[r for r in rows if r.note_id is None and r.sending],
        to_acknowledge=[
            r for r in rows if r.note_id is not None and r.acknowledged_at is None and r.receiving
        ],
    )


# --- writing and acknowledging ------------------------------------------------------------


@dataclass
class NoteContent:
    strengths: str
    challenges: str
    agreed_support: str
    first_weeks: str
    contact_person: str


def sending_organisation_id(student: Student, from_period: Period) -> int:
    if from_period.kind == PeriodKind.SCHOOL or from_period.workplace is None:
        return student.school_id
    return from_period.workplace.organisation_id


def save_note(
    student: Student,
    from_period: Period,
    to_period: Period,
    note: HandoverNote | None,
    content: NoteContent,
    author: User,
    seen_version: int | None,
    draft: bool = False,
) -> HandoverNote:
    """Write a new note or change one. A change after acknowledgement asks for a new one.

    With `draft`, the note is kept as a draft: seen by the writing organisation only, with no
    notification and no line in the case history. A note once sent stays sent. Sending a draft
    counts as writing the note (its `written_at` is the moment it was sent)."""
    if note is None:
        note = HandoverNote(
            student_id=student.id,
            from_period_id=from_period.id,
            to_period_id=to_period.id,
            author_organisation_id=sending_organisation_id(student, from_period),
        )
        db.session.add(note)
        kind = CaseEventKind.HANDOVER_WRITTEN
        note.is_draft = draft
    else:
        if seen_version != note.version_id:
            raise StaleEdit()
        kind = CaseEventKind.HANDOVER_WRITTEN if note.is_draft else CaseEventKind.HANDOVER_CHANGED
        note.is_draft = draft and note.is_draft
        note.acknowledged_at = None
        note.acknowledged_by_id = None
    for field, value in vars(content).items():
        setattr(note, field, value)
    note.author_id = author.id
    note.updated_at = utcnow()
    if note.is_draft:
        db.session.flush()
        return note
    if kind == CaseEventKind.HANDOVER_WRITTEN:
        note.written_at = note.updated_at
    log(student, kind, user=author, period=to_period.title, target=note)
    db.session.flush()
    notify(
        receivers(student, to_period),
        NotificationKind.HANDOVER_WRITTEN,
        student,
        to_period,
        again=True,
    )
    return note


def acknowledge(
    student: Student, note: HandoverNote, to_period: Period, user: User, seen_version: int
) -> None:
    if seen_version != note.version_id:
        raise StaleEdit()
    note.acknowledged_at = utcnow()
    note.acknowledged_by_id = user.id
    log(
        student,
        CaseEventKind.HANDOVER_ACKNOWLEDGED,
        user=user,
        period=to_period.title,
        target=note,
    )
    if note.author_id is not None and note.author_id != user.id:
        notify([note.author_id], NotificationKind.NOTE_ACKNOWLEDGED, student, to_period, again=True)


# --- notifications -----------------------------------------------------------------------


def receivers(student: Student, to_period: Period) -> list[int]:
    return people_at(to_period, student)


def senders(student: Student, from_period: Period) -> list[int]:
    return people_at(from_period, student)


def remind_missing_notes(today: date, days: int, progress=None) -> int:
    """Tell the sending side about transitions within `days` days that have no note yet.

    Meant to run daily (`flask notify-transitions`). Never repeats a reminder to the same person
    for the same period.
    """
    query = upcoming_transitions(select(Student), today, today + timedelta(days=days)).where(
        HandoverNote.id.is_(None)
    )
    rows = db.session.execute(query).all()
    created = 0
    students = {
        s.id: s
        for s in db.session.execute(
            select(Student).where(Student.id.in_({row[0].student_id for row in rows}))
        ).scalars()
    }
    for n, (to_period, prev, _note) in enumerate(rows, start=1):
        student = students[to_period.student_id]
        created += notify(
            senders(student, prev), NotificationKind.HANDOVER_MISSING, student, to_period
        )
        if progress:
            progress(n, len(rows))
    return created
