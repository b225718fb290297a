""" "My overview": what needs the signed-in user today, a part per kind of task.

Each part is the head of an existing list (the same query, from the owning area's `queries`
or `handovers` module), read with `first_page`: its first rows and its total in one statement.
So the page runs a fixed number of statements however many students and tasks there are:
one per part, one for the overdue count of the parts that have one, and one for the names of
the students the transition and training parts show."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from app import labels
from app.access.help import help_requests_to_answer
from app.access.me import my_conversation_requests
from app.access.nav import overview_parts, sees_list
from app.access.risk import risk_scope
from app.dates import date_text
from app.extensions import db
from app.journey import handovers
from app.models import (
    ActionItem,
    ConversationRequest,
    HelpRequest,
    Period,
    Student,
    SupportMeasure,
    User,
)
from app.models.base import local_date
from app.pagination import count_rows, first_page
from app.reviews import queries as reviews
from app.risk.queries import head_of
from app.risk.texts import explain
from app.support.queries import my_follow_ups
from app.training import queries as training

HEAD = 3  # entries shown per part
WEEKS_AHEAD = 4  # as the transition lists show by default
CONCERN_DAYS = 14


@dataclass(frozen=True)
class Entry:
    student: str
    href: str
    on: date | None
    what: str = ""
    overdue: bool = False


@dataclass
class Part:
    name: str
    title: str
    total: int
    link: str | None
    link_text: str
    entries: list[Entry] = field(default_factory=list)
    overdue: int = 0


@dataclass(frozen=True)
class _Head:
    """The head of a list computed without paging in SQL (the students with signs of risk, the
    transition parts)."""

    items: list
    total: int


def _name(student: Student) -> str:
    return f"{student.last_name}, {student.first_name}"


def _period_title(period: Period) -> str:
    return period.title or labels.PERIOD_KIND[period.kind]


def _warning_read(warning) -> str:
    """Whether the student has read the warning addressed to them (app/me/training.py)."""
    if warning.read_at is None:
        return _("Not yet read by the student")
    return _("Read by the student %(date)s", date=date_text(warning.read_at))


class _Builder:
    def __init__(self, user: User, on: date) -> None:
        self.user = user
        self.on = on
        self.until = on + timedelta(weeks=WEEKS_AHEAD)
        # Student ids whose names the parts need; loaded together at the end.
        self.wanted: set[int] = set()
        self._heads: dict[str, _Head] | None = None  # the transition parts (`_window`)

    # Each method returns (head of the list, title, link, link text, entry maker).

    def _transitions(self, query: Select, title: str, link, link_text: str, endpoint: str):
        return self._transition_part(first_page(query, HEAD), title, link, link_text, endpoint)

    def _transition_part(self, page, title: str, link, link_text: str, endpoint: str):
        self.wanted |= {row[0].student_id for row in page.items}

        def entry(row, students):
            to_period = row[0]
            student = students[to_period.student_id]
            href = url_for(endpoint, student_id=student.id, period_id=to_period.id)
            return Entry(_name(student), href, to_period.start_date, _period_title(to_period))

        return page, title, link, link_text, entry

    def _window(self) -> dict[str, _Head]:
        """The heads of "Students starting soon", "Handover notes to write" and "... to
        acknowledge", from one read of the window (`handovers.note_tasks`), and one more
        statement for the few head rows, by key."""
        if self._heads is None:
            tasks = handovers.note_tasks(self.user, self.on, self.until)
            chosen = {
                "transitions": tasks.transitions,
                "notes_to_write": tasks.to_write,
                "notes_to_acknowledge": tasks.to_acknowledge,
            }
            head = {(r.id, r.prev_id) for part in chosen.values() for r in part[:HEAD]}
            loaded = {row[0].id: row for row in handovers.load_transitions(sorted(head))}
            self._heads = {
                name: _Head([loaded[r.id] for r in part[:HEAD]], len(part))
                for name, part in chosen.items()
            }
        return self._heads

    def notes_to_write(self):
        link = None
        if sees_list(self.user, "transitions"):
            link = url_for("journey.upcoming_transitions", status="missing")
        return self._transition_part(
            self._window()["notes_to_write"],
            _("Handover notes to write"),
            link,
            _("All upcoming transitions without a note"),
            "journey.write_handover",
        )

    def notes_to_acknowledge(self):
        if sees_list(self.user, "transitions"):
            link = url_for("journey.upcoming_transitions", status="written")
        else:
            link = url_for("journey.starting_soon", status="written")
        return self._transition_part(
            self._window()["notes_to_acknowledge"],
            _("Handover notes to acknowledge"),
            link,
            _("All notes waiting to be acknowledged"),
            "journey.handover",
        )

    def starting_soon(self):
        return self._transitions(
            handovers.starting_at_my_workplaces(self.user, self.on, self.until),
            _("Starting soon at my workplace"),
            url_for("journey.starting_soon"),
            _("All students starting soon"),
            "journey.handover",
        )

    def transitions(self):
        return self._transition_part(
            self._window()["transitions"],
            _("Students starting soon"),
            url_for("journey.upcoming_transitions"),
            _("All upcoming transitions"),
            "journey.handover",
        )

    def follow_ups(self):
        query = my_follow_ups(self.user)
        page = first_page(query, HEAD, entities=True)
        self.overdue = count_rows(query.where(SupportMeasure.next_follow_up < self.on))

        def entry(measure: SupportMeasure, _students):
            href = url_for("support.measure", student_id=measure.student_id, measure_id=measure.id)
            return Entry(
                _name(measure.student),
                href,
                measure.next_follow_up,
                labels.MEASURE_TYPE[measure.type],
                measure.next_follow_up < self.on,
            )

        title = _("My follow-ups")
        return page, title, url_for("support.follow_ups"), _("All my follow-ups"), entry

    def _from_training(
        self, query: Select, title: str, link_text: str, day: Callable, what: Callable | None = None
    ):
        page = first_page(query, HEAD, entities=True)
        self.wanted |= {row.student_id for row in page.items}

        def entry(row, students):
            href = url_for("training.period", student_id=row.student_id, period_id=row.period_id)
            shown = what(row) if what else _period_title(row.period)
            return Entry(_name(students[row.student_id]), href, day(row), shown)

        return page, title, url_for("training.from_training"), link_text, entry

    def warnings(self):
        return self._from_training(
            training.open_warnings(self.user),
            _("Warnings to follow up"),
            _("All open warnings"),
            lambda w: w.deadline,
            lambda w: f"{_period_title(w.period)} · {_warning_read(w)}",
        )

    def concerns(self):
        return self._from_training(
            training.concerns(self.user, since=self.on - timedelta(days=CONCERN_DAYS)),
            _("Concerns from training, last %(days)d days", days=CONCERN_DAYS),
            _("All concerns"),
            lambda c: c.on_date,
        )

    def conversations(self):
        query = my_conversation_requests(self.user).order_by(
            ConversationRequest.created_at, ConversationRequest.id
        )
        page = first_page(query, HEAD, entities=True)
        self.wanted |= {row.student_id for row in page.items}

        def entry(row: ConversationRequest, students):
            href = url_for("students.conversations", _anchor=f"conversation-{row.id}")
            return Entry(_name(students[row.student_id]), href, row.asked_on, row.topic[:80])

        link = url_for("students.conversations")
        title = _("Students asking for a conversation")
        return page, title, link, _("All requests for a conversation"), entry

    def help_requests(self):
        query = help_requests_to_answer(self.user)
        page = first_page(query, HEAD, entities=True)
        self.wanted |= {row.student_id for row in page.items}

        def entry(row: HelpRequest, students):
            href = url_for("support.help_requests", _anchor=f"help-request-{row.id}")
            what = f"{labels.HELP_KIND[row.kind]}: {row.reason[:80]}"
            return Entry(_name(students[row.student_id]), href, local_date(row.requested_at), what)

        link = url_for("support.help_requests")
        title = _("Requests for help from workplaces")
        return page, title, link, _("All requests for help"), entry

    def at_risk(self):
        """Students the user sees with signs of risk (app.risk), by name: the head of
        "Elever med risikotegn" (app.risk.queries.head_of)."""
        total, found = head_of(risk_scope(self.user, self.on), self.on, HEAD)
        page = _Head(found.by_name(), total)

        def entry(student_id: int, _students):
            last, first = found.names[student_id]
            href = url_for("students.show", student_id=student_id)
            texts = "; ".join(explain(s) for s in found.signals[student_id])
            return Entry(f"{last}, {first}", href, None, texts)

        link = url_for("risk.at_risk")
        title = _("Students showing signs of risk")
        return page, title, link, _("All students showing signs of risk"), entry

    def action_items(self):
        query = reviews.my_action_items(self.user, self.on)
        page = first_page(query, HEAD)
        self.overdue = count_rows(query.where(ActionItem.due_date < self.on))

        def entry(row, _students):
            item, student, _code = row
            href = url_for("reviews.review", student_id=student.id, review_id=item.review_id)
            return Entry(
                _name(student),
                href + "#action-items",
                item.due_date,
                item.text,
                item.due_date < self.on,
            )

        link = url_for("reviews.my_action_items")
        return page, _("My action items"), link, _("All my action items"), entry

    def reviews(self):
        query = reviews.my_reviews(self.user, self.on, until=self.on + timedelta(days=7))
        page = first_page(query, HEAD)

        def entry(row, _students):
            review, student, _code = row
            href = url_for("reviews.review", student_id=student.id, review_id=review.id)
            return Entry(_name(student), href, review.on_date, _("Case review"))

        link = url_for("reviews.my_reviews")
        return page, _("Case reviews in the next 7 days"), link, _("All my reviews"), entry


def overview_of(user: User, on: date) -> list[Part]:
    """The parts of "My overview" for `user`, in a fixed number of statements."""
    builder = _Builder(user, on)
    built = []
    for name in overview_parts(user):
        builder.overdue = 0
        head = getattr(builder, name)()
        built.append((name, builder.overdue, *head))
    students = {}
    if builder.wanted:
        students = {
            s.id: s
            for s in db.session.execute(
                select(Student)
                .where(Student.id.in_(builder.wanted))
                .options(joinedload(Student.programme))
            ).scalars()
        }
    parts = []
    for name, overdue, page, title, link, link_text, entry in built:
        part = Part(name, title, page.total, link, link_text, overdue=overdue)
        part.entries = [entry(row, students) for row in page.items]
        parts.append(part)
    return parts
