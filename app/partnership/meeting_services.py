"""Rules of the partnership's meetings. Views call these after the access checks
(app.access.partnership); each change is attributed and audited in the same transaction. The
caller commits.

The agenda is built when the meeting is created, and again on request while it is planned: a
line for each initiative of the current action plan(s) that is not finished and whose deadline
is past or falls within three months after the meeting; one line for the key figures (the
dashboard is linked from it, nothing is copied); and the items the coordinator writes, among
them cases for joint evaluation, described without a name (the CPR check of every free-text
field applies).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import audit, dates
from app.access.roles import PARTNERSHIP_ROLES
from app.editing import RuleError, check_version
from app.extensions import db
from app.ics import event_calendar
from app.models import (
    ActionPlan,
    AgendaItemKind,
    AuditAction,
    Initiative,
    InitiativeNote,
    InitiativeStatus,
    MeetingAgendaItem,
    MeetingDecision,
    MeetingFollowUp,
    MeetingStatus,
    Membership,
    Partnership,
    PartnershipMeeting,
    User,
    partnership_meeting_invitee,
)
from app.models.base import today, utcnow
from app.partnership.services import add_created

# How far past the meeting the agenda looks for initiatives due.
HORIZON_MONTHS = 3


@dataclass(frozen=True)
class MeetingData:
    on_date: date
    at_time: time | None
    place: str
    title: str


def default_title(on: date) -> str:
    return _(
        "Partnership meeting, quarter %(quarter)s %(year)s",
        quarter=(on.month - 1) // 3 + 1,
        year=on.year,
    )


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def horizon(meeting: PartnershipMeeting) -> date:
    return _add_months(meeting.on_date, HORIZON_MONTHS)


def current_plans(meeting: PartnershipMeeting) -> list[ActionPlan]:
    """The plans of the meeting's year and, when the horizon reaches into the next year, of
    that year too (last year's plan was carried over into this one)."""
    years = {meeting.on_date.year, horizon(meeting).year}
    return list(
        db.session.execute(
            select(ActionPlan)
            .where(ActionPlan.partnership_id == meeting.partnership_id, ActionPlan.year.in_(years))
            .order_by(ActionPlan.year)
        ).scalars()
    )


def plan_initiatives(meeting: PartnershipMeeting) -> list[Initiative]:
    """Every initiative of the current plan(s): what a decision may be tied to."""
    plan_ids = [p.id for p in current_plans(meeting)] or [-1]
    return list(
        db.session.execute(
            select(Initiative)
            .where(Initiative.plan_id.in_(plan_ids))
            .order_by(Initiative.theme, Initiative.title, Initiative.id)
        ).scalars()
    )


def due_initiatives(meeting: PartnershipMeeting) -> list[Initiative]:
    """The initiatives to follow up: not finished, deadline past or within the horizon; the
    earliest deadline first."""
    plan_ids = [p.id for p in current_plans(meeting)] or [-1]
    return list(
        db.session.execute(
            select(Initiative)
            .where(
                Initiative.plan_id.in_(plan_ids),
                Initiative.status.in_([InitiativeStatus.PLANNED, InitiativeStatus.IN_PROGRESS]),
                Initiative.deadline.is_not(None),
                Initiative.deadline <= horizon(meeting),
            )
            .options(joinedload(Initiative.owner))
            .order_by(Initiative.deadline, Initiative.id)
        ).scalars()
    )


def behind(initiative: Initiative, meeting: PartnershipMeeting) -> bool:
    return (
        initiative.deadline is not None
        and initiative.deadline < meeting.on_date
        and not initiative.status.finished
    )


# --- the meeting -------------------------------------------------------------------------------


def _apply(meeting: PartnershipMeeting, data: MeetingData) -> None:
    meeting.on_date = data.on_date
    meeting.at_time = data.at_time
    meeting.place = data.place or ""
    meeting.title = data.title or default_title(data.on_date)


def create_meeting(partnership: Partnership, data: MeetingData, user: User) -> PartnershipMeeting:
    meeting = PartnershipMeeting(
        partnership=partnership, created_by_id=user.id, updated_by_id=user.id
    )
    _apply(meeting, data)
    add_created(meeting, user)
    build_agenda(meeting)
    return meeting


def change_meeting(
    meeting: PartnershipMeeting, data: MeetingData, user: User, seen_version: int | None
) -> PartnershipMeeting:
    check_version(meeting, seen_version)
    _apply(meeting, data)
    meeting.updated_by_id = user.id
    meeting.updated_at = utcnow()
    db.session.flush()
    audit.record(AuditAction.UPDATE, obj=meeting, user=user)
    return meeting


def _refuse_if_held(meeting: PartnershipMeeting) -> None:
    if meeting.held:
        raise RuleError(_("The meeting has been held: its agenda can no longer be changed."))


def mark_held(meeting: PartnershipMeeting, user: User) -> None:
    if meeting.held:
        raise RuleError(_("The meeting is marked as held already."))
    if meeting.on_date > today():
        raise RuleError(_("A meeting cannot be marked as held before its date."))
    meeting.status = MeetingStatus.HELD
    meeting.updated_by_id = user.id
    meeting.updated_at = utcnow()
    db.session.flush()
    audit.record(AuditAction.UPDATE, obj=meeting, user=user, criterion="status=held")


def save_minutes(
    meeting: PartnershipMeeting, minutes: str, user: User, seen_version: int | None
) -> None:
    check_version(meeting, seen_version)
    meeting.minutes = minutes or ""
    meeting.updated_by_id = user.id
    meeting.updated_at = utcnow()
    db.session.flush()
    audit.record(AuditAction.UPDATE, obj=meeting, user=user, criterion="minutes")


# --- the agenda --------------------------------------------------------------------------------


def _due_line(initiative: Initiative, meeting: PartnershipMeeting) -> str:
    deadline = dates.date_text(initiative.deadline)
    if behind(initiative, meeting):
        return _(
            "%(owner)s · deadline %(date)s · behind", owner=initiative.owner.name, date=deadline
        )
    return _("%(owner)s · deadline %(date)s", owner=initiative.owner.name, date=deadline)


def build_agenda(meeting: PartnershipMeeting) -> None:
    """The initiatives due or behind first (again from the plan as it is now), then the key
    figures and the written items in the order they had."""
    kept = [i for i in meeting.agenda if i.kind != AgendaItemKind.INITIATIVE]
    for item in meeting.agenda:
        if item.kind == AgendaItemKind.INITIATIVE:
            db.session.delete(item)
    db.session.flush()
    built = [
        MeetingAgendaItem(
            meeting_id=meeting.id,
            kind=AgendaItemKind.INITIATIVE,
            title=i.title[:300],
            text=_due_line(i, meeting),
            initiative_id=i.id,
        )
        for i in due_initiatives(meeting)
    ]
    if not any(i.kind == AgendaItemKind.FIGURES for i in kept):
        kept.insert(
            0,
            MeetingAgendaItem(
                meeting_id=meeting.id,
                kind=AgendaItemKind.FIGURES,
                title=_("Key figures: intake, completion and dropout"),
            ),
        )
    for position, item in enumerate([*built, *kept], start=1):
        item.position = position
        db.session.add(item)
    db.session.flush()
    db.session.expire(meeting, ["agenda"])


def refresh_agenda(meeting: PartnershipMeeting, user: User) -> None:
    _refuse_if_held(meeting)
    build_agenda(meeting)
    audit.record(AuditAction.UPDATE, obj=meeting, user=user, criterion="agenda refreshed")


def add_agenda_item(
    meeting: PartnershipMeeting, kind: AgendaItemKind, title: str, text: str, user: User
) -> MeetingAgendaItem:
    _refuse_if_held(meeting)
    last = max((i.position for i in meeting.agenda), default=0)
    item = MeetingAgendaItem(
        meeting_id=meeting.id, kind=kind, title=title, text=text or "", position=last + 1
    )
    add_created(item, user)
    return item


def move_agenda_item(item: MeetingAgendaItem, up: bool, user: User) -> None:
    meeting = item.meeting
    _refuse_if_held(meeting)
    items = list(meeting.agenda)
    at = items.index(item)
    other = at - 1 if up else at + 1
    if not 0 <= other < len(items):
        return
    items[at], items[other] = items[other], items[at]
    for position, row in enumerate(items, start=1):
        row.position = position
    db.session.flush()
    audit.record(
        AuditAction.UPDATE, obj=item, user=user, criterion="moved up" if up else "moved down"
    )


def delete_agenda_item(item: MeetingAgendaItem, user: User) -> None:
    _refuse_if_held(item.meeting)
    audit.record(AuditAction.DELETE, obj=item, user=user)
    db.session.delete(item)
    db.session.flush()


# --- decisions and follow-ups ------------------------------------------------------------------


def add_decision(
    meeting: PartnershipMeeting,
    text: str,
    initiative: Initiative | None,
    new_status: InitiativeStatus | None,
    user: User,
) -> MeetingDecision:
    """The decision; tied to an initiative, it sets the initiative's status (when given) and
    writes the progress note "Decided at the partnership meeting <date>: <text>" on it."""
    if initiative is not None and initiative not in plan_initiatives(meeting):
        raise RuleError(_("Choose one of the initiatives offered."), "initiative")
    if new_status is not None and initiative is None:
        raise RuleError(_("Choose the initiative whose status the decision sets."), "initiative")
    decision = MeetingDecision(
        meeting_id=meeting.id,
        text=text,
        initiative_id=initiative.id if initiative else None,
        new_status=new_status,
        created_by_id=user.id,
    )
    add_created(decision, user)
    if initiative is None:
        return decision
    if new_status is not None and new_status != initiative.status:
        before = initiative.status
        initiative.status = new_status
        initiative.updated_by_id = user.id
        initiative.updated_at = utcnow()
        db.session.flush()
        audit.record(
            AuditAction.UPDATE,
            obj=initiative,
            user=user,
            criterion=f"status={before.value}->{new_status.value}; meeting={meeting.id}",
        )
    note = InitiativeNote(
        initiative_id=initiative.id,
        text=_(
            "Decided at the partnership meeting %(date)s: %(text)s",
            date=dates.date_text(meeting.on_date),
            text=text,
        ),
        noted_on=meeting.on_date,
        author_id=user.id,
    )
    add_created(note, user)
    return decision


@dataclass(frozen=True)
class FollowUpData:
    text: str
    owner_id: int
    responsible_user_id: int | None
    responsible_name: str
    deadline: date


def add_follow_up(
    meeting: PartnershipMeeting, data: FollowUpData, user: User, people: set[int]
) -> MeetingFollowUp:
    if data.owner_id not in {m.id for m in meeting.partnership.members}:
        raise RuleError(_("Choose one of the organisations offered."), "owner")
    if data.responsible_user_id is not None and data.responsible_user_id not in people:
        raise RuleError(_("Choose one of the people offered."), "responsible_user")
    follow_up = MeetingFollowUp(
        meeting_id=meeting.id,
        text=data.text,
        owner_id=data.owner_id,
        responsible_user_id=data.responsible_user_id,
        responsible_name="" if data.responsible_user_id else data.responsible_name or "",
        deadline=data.deadline,
        created_by_id=user.id,
    )
    add_created(follow_up, user)
    return follow_up


def toggle_follow_up(follow_up: MeetingFollowUp, user: User) -> None:
    """Done, or open again."""
    if follow_up.done_at is None:
        follow_up.done_at, follow_up.done_by_id = utcnow(), user.id
    else:
        follow_up.done_at, follow_up.done_by_id = None, None
    db.session.flush()
    state = "open" if follow_up.done_at is None else "done"
    audit.record(AuditAction.UPDATE, obj=follow_up, user=user, criterion=f"status={state}")


# --- invitations -------------------------------------------------------------------------------


def partnership_people(partnership: Partnership) -> list[User]:
    """The active users with a partnership role in a member organisation, by name: whom the
    coordinator invites, and who may be named responsible for a follow-up."""
    member_ids = [m.id for m in partnership.members] or [-1]
    return list(
        db.session.execute(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.organisation_id.in_(member_ids),
                Membership.role.in_(PARTNERSHIP_ROLES),
                User.active.is_(True),
            )
            .distinct()
            .order_by(User.name, User.id)
        ).scalars()
    )


def set_invitees(
    meeting: PartnershipMeeting, user_ids: list[int], user: User
) -> PartnershipMeeting:
    people = {p.id: p for p in partnership_people(meeting.partnership)}
    chosen = [people[i] for i in user_ids if i in people]
    if not chosen:
        raise RuleError(_("Choose at least one person to invite."), "invitees")
    meeting.invitees = chosen
    db.session.flush()
    audit.record(
        AuditAction.UPDATE,
        obj=meeting,
        user=user,
        criterion="invitees=" + ",".join(str(p.id) for p in chosen),
    )
    return meeting


def my_upcoming(user: User, meetings_query) -> list[PartnershipMeeting]:
    """The planned meetings from today on that `user` is invited to, of the partnerships
    `meetings_query` (app.access.partnership.visible_meetings) lets them see."""
    invitee = partnership_meeting_invitee
    return list(
        db.session.execute(
            meetings_query.join(invitee, invitee.c.meeting_id == PartnershipMeeting.id)
            .where(
                invitee.c.user_id == user.id,
                PartnershipMeeting.status == MeetingStatus.PLANNED,
                PartnershipMeeting.on_date >= today(),
            )
            .options(joinedload(PartnershipMeeting.partnership))
            .order_by(PartnershipMeeting.on_date, PartnershipMeeting.at_time)
            .limit(20)
        ).scalars()
    )


# --- the calendar file -------------------------------------------------------------------------


def ics(meeting: PartnershipMeeting, host: str) -> bytes:
    """The meeting as an iCalendar file: one event, the agenda as its description and the
    invited as attendees (the file is only downloaded; no e-mail is sent)."""
    agenda = "\n".join(f"{n}. {item.title}" for n, item in enumerate(meeting.agenda, start=1))
    return event_calendar(
        uid=f"partnership-meeting-{meeting.id}@{host}",
        summary=f"{meeting.title} – {meeting.partnership.name}",
        on_date=meeting.on_date,
        at_time=meeting.at_time,
        stamp=meeting.updated_at or utcnow(),
        location=meeting.place,
        description=_("Agenda") + ":\n" + agenda if agenda else "",
        attendees=[(person.name, person.email) for person in meeting.invitees],
        prodid="-//Elevsag//Partnerskabsmøder//DA",
    )
