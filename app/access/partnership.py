"""The partnership and its annual action plan (app.partnership, docs/domain.md).

Who sees what:
- the partnership coordinator, the leaders and the analyst see the partnerships their
  organisation is a member of: members, action plans, initiatives and progress notes. None of
  them is a case role: they never see a named student (CASE_ROLES does not hold them);
- the partnership coordinator at the anchor municipality manages the partnership: creates
  action plans, creates and edits every initiative, carries a plan over to the next year;
  a coordinator at another member organisation only reads;
- a leader creates and edits the initiatives their own organisation owns (the owner choice
  offers only their organisations) and writes progress notes on them; a leader never changes
  another member's initiative or the plan itself;
- the analyst only reads;
- the system administrator creates partnerships and picks their members and anchor, but does
  not open their plans.

A partnership, plan or initiative the user may not see answers 404; one they see but may not
change answers 403.
"""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from app.access.roles import PARTNERSHIP_ROLES
from app.extensions import db
from app.models import (
    ActionPlan,
    Initiative,
    MeetingAgendaItem,
    MeetingFollowUp,
    Organisation,
    Partnership,
    PartnershipMeeting,
    Role,
    User,
    partnership_member,
)

# Those who change initiatives (the coordinator any, a leader their organisation's).
INITIATIVE_EDITOR_ROLES = frozenset({Role.PARTNERSHIP_COORDINATOR, Role.LEADER})
COORDINATOR_ROLES = frozenset({Role.PARTNERSHIP_COORDINATOR})


def member_organisation_ids(user: User) -> set[int]:
    """The organisations through which `user` sees partnerships."""
    return set(user.organisation_ids(*PARTNERSHIP_ROLES))


def visible_partnerships(user: User):
    """`select(Partnership)` of the partnerships `user` sees, by name."""
    ids = member_organisation_ids(user) or {-1}
    members = select(partnership_member.c.partnership_id).where(
        partnership_member.c.organisation_id.in_(ids)
    )
    return select(Partnership).where(Partnership.id.in_(members)).order_by(Partnership.name)


def sees_partnership(user: User, partnership: Partnership) -> bool:
    ids = member_organisation_ids(user)
    return any(m.id in ids for m in partnership.members)


def can_manage(user: User, partnership: Partnership) -> bool:
    """The coordinator at the anchor municipality: plans, every initiative, carry-over."""
    return partnership.anchor_id in user.organisation_ids(*COORDINATOR_ROLES)


def initiative_owner_ids(user: User, partnership: Partnership) -> set[int]:
    """The member organisations whose initiatives `user` may create and edit."""
    members = {m.id for m in partnership.members}
    if can_manage(user, partnership):
        return members
    return members & set(user.organisation_ids(Role.LEADER))


def can_add_initiative(user: User, partnership: Partnership) -> bool:
    return bool(initiative_owner_ids(user, partnership))


def can_edit_initiative(user: User, initiative: Initiative) -> bool:
    """Edit it and write progress notes on it."""
    return initiative.owner_id in initiative_owner_ids(user, initiative.plan.partnership)


def can_administer_partnerships(user: User) -> bool:
    return user.has_role(Role.SYSTEM_ADMIN)


def _id(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        abort(404)


def _get_or_404(user: User, model, thing_id, partnership_of, may=None):
    """A partnership's thing by its id: 404 unless the user's organisation is a member of its
    partnership (`partnership_of(thing)`); 403 when `may(thing)` says no."""
    thing = db.session.get(model, _id(thing_id))
    if thing is None or not sees_partnership(user, partnership_of(thing)):
        abort(404)
    if may is not None and not may(thing):
        abort(403)
    return thing


def get_partnership_or_404(user: User, partnership_id, *, manage: bool = False) -> Partnership:
    may = (lambda p: can_manage(user, p)) if manage else None
    return _get_or_404(user, Partnership, partnership_id, lambda p: p, may)


def get_plan_or_404(user: User, plan_id, *, manage: bool = False) -> ActionPlan:
    may = (lambda p: can_manage(user, p.partnership)) if manage else None
    return _get_or_404(user, ActionPlan, plan_id, lambda p: p.partnership, may)


def get_initiative_or_404(user: User, initiative_id, *, edit: bool = False) -> Initiative:
    may = (lambda i: can_edit_initiative(user, i)) if edit else None
    return _get_or_404(user, Initiative, initiative_id, lambda i: i.plan.partnership, may)


def check_can_add_initiative(user: User, plan: ActionPlan) -> None:
    if not can_add_initiative(user, plan.partnership):
        abort(403)


def get_administered_partnership_or_404(user: User, partnership_id) -> Partnership:
    if not can_administer_partnerships(user):
        abort(403)
    return db.get_or_404(Partnership, _id(partnership_id))


def owner_choices(user: User, partnership: Partnership) -> list[Organisation]:
    """The member organisations `user` may pick as an initiative's owner, by name."""
    ids = initiative_owner_ids(user, partnership)
    return [m for m in partnership.members if m.id in ids]


# --- the partnership's meetings ----------------------------------------------------------------
# Every partnership user of a member organisation reads a meeting (its agenda, minutes,
# decisions, follow-ups, the PDF and the calendar file); the coordinator at the anchor
# municipality creates and edits it, builds its agenda, records decisions and follow-ups and
# invites. A meeting of a partnership the user does not see answers 404; a change by a reader
# answers 403.


def can_manage_meetings(user: User, partnership: Partnership) -> bool:
    return can_manage(user, partnership)


def get_meeting_or_404(user: User, meeting_id, *, manage: bool = False) -> PartnershipMeeting:
    may = (lambda m: can_manage_meetings(user, m.partnership)) if manage else None
    return _get_or_404(user, PartnershipMeeting, meeting_id, lambda m: m.partnership, may)


def _part_of(meeting: PartnershipMeeting, row) -> None:
    if row is None or row.meeting_id != meeting.id:
        abort(404)


def get_agenda_item_or_404(user: User, meeting_id, item_id) -> MeetingAgendaItem:
    """An agenda item of a meeting the user manages."""
    meeting = get_meeting_or_404(user, meeting_id, manage=True)
    item = db.session.get(MeetingAgendaItem, _id(item_id))
    _part_of(meeting, item)
    return item


def get_follow_up_or_404(user: User, meeting_id, follow_up_id) -> MeetingFollowUp:
    """A follow-up of a meeting the user manages."""
    meeting = get_meeting_or_404(user, meeting_id, manage=True)
    follow_up = db.session.get(MeetingFollowUp, _id(follow_up_id))
    _part_of(meeting, follow_up)
    return follow_up


def visible_meetings(user: User):
    """`select(PartnershipMeeting)` of the meetings of the partnerships `user` sees."""
    partnerships = visible_partnerships(user).with_only_columns(Partnership.id).order_by(None)
    return select(PartnershipMeeting).where(PartnershipMeeting.partnership_id.in_(partnerships))


# --- the dimensioning (app.partnership.dimensioning) ---------------------------------------------
#
# Every partnership user of a member organisation reads the dimensioning table (agreed places,
# agreements made, the gap, and the suppressed count of qualified students waiting); the
# coordinator at the anchor municipality enters the agreed numbers.


def can_edit_dimensioning(user: User, partnership: Partnership) -> bool:
    return can_manage(user, partnership)


def get_dimensioning_or_404(user: User, partnership_id, *, edit: bool = False) -> Partnership:
    """The partnership whose dimensioning `user` reads (404 otherwise), and with `edit` may
    change (403 for a member who only reads)."""
    partnership = get_partnership_or_404(user, partnership_id)
    if edit and not can_edit_dimensioning(user, partnership):
        abort(403)
    return partnership
