"""Rules of the partnership and its action plan. Views call these after the access checks;
each change is attributed (who and when on the row) and written to the audit log in the same
transaction. The caller commits.

These are not student cases: no case-history line is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

from app import audit
from app.editing import RuleError, check_version
from app.extensions import db
from app.models import (
    ActionPlan,
    AuditAction,
    Indicator,
    Initiative,
    InitiativeNote,
    InitiativeStatus,
    Organisation,
    OrganisationKind,
    Partnership,
    User,
)
from app.models.base import utcnow


def add_created(row, user: User, criterion: str = "") -> None:
    """A new row of the partnership's (a plan, an initiative, a meeting's item, ...): added,
    flushed for its id, and its creation written to the access log."""
    db.session.add(row)
    db.session.flush()
    audit.record(AuditAction.CREATE, obj=row, user=user, criterion=criterion)


@dataclass(frozen=True)
class InitiativeData:
    theme: str
    title: str
    description: str
    owner_id: int
    responsible_user_id: int | None
    responsible_name: str
    deadline: date | None
    status: InitiativeStatus
    indicator: Indicator | None
    baseline: Decimal | None
    target: Decimal | None


# --- action plans ------------------------------------------------------------------------------


def plan_exists(partnership_id: int, year: int) -> bool:
    return (
        db.session.execute(
            select(ActionPlan.id).where(
                ActionPlan.partnership_id == partnership_id, ActionPlan.year == year
            )
        ).first()
        is not None
    )


def new_plan(partnership: Partnership, year: int, user: User) -> ActionPlan:
    if plan_exists(partnership.id, year):
        raise RuleError(
            _("The partnership already has an action plan for %(year)s.", year=year), "year"
        )
    plan = ActionPlan(partnership=partnership, year=year, created_by_id=user.id)
    add_created(plan, user)
    return plan


# What an unfinished initiative keeps when it is carried over to next year's plan.
_CARRIED_OVER = (
    "theme",
    "title",
    "description",
    "owner_id",
    "responsible_user_id",
    "responsible_name",
    "status",
    "indicator",
    "baseline",
    "target",
)


def carry_over(plan: ActionPlan, user: User) -> ActionPlan:
    """Next year's plan, with a copy of every initiative of `plan` that is neither done nor
    dropped (planned or in progress), linked to it by `carried_from_id`. Its progress notes stay
    with the original. Refused when next year's plan exists already (a second carry-over)."""
    year = plan.year + 1
    if plan_exists(plan.partnership_id, year):
        raise RuleError(
            _(
                "The action plan for %(year)s exists already: the plan was carried over before.",
                year=year,
            )
        )
    following = new_plan(plan.partnership, year, user)
    for old in plan.initiatives:
        if old.status.finished:
            continue
        copy = Initiative(
            plan=following,
            **{name: getattr(old, name) for name in _CARRIED_OVER},
            deadline=old.deadline if old.deadline and old.deadline.year >= year else None,
            carried_from_id=old.id,
            created_by_id=user.id,
            updated_by_id=user.id,
        )
        add_created(copy, user, criterion=f"carried_from={old.id}")
    return following


# --- initiatives -------------------------------------------------------------------------------


def _check(plan: ActionPlan, data: InitiativeData, owner_ids: set[int]) -> None:
    if data.owner_id not in owner_ids:
        raise RuleError(_("Choose one of the organisations offered."), "owner")
    if data.deadline is not None and data.deadline.year < plan.year:
        raise RuleError(_("The deadline must be in %(year)s or later.", year=plan.year), "deadline")


def _apply(initiative: Initiative, data: InitiativeData) -> None:
    initiative.theme = data.theme
    initiative.title = data.title
    initiative.description = data.description or ""
    initiative.owner_id = data.owner_id
    initiative.responsible_user_id = data.responsible_user_id
    initiative.responsible_name = "" if data.responsible_user_id else data.responsible_name or ""
    initiative.deadline = data.deadline
    initiative.status = data.status
    initiative.indicator = data.indicator
    initiative.baseline = data.baseline
    initiative.target = data.target


def create_initiative(
    plan: ActionPlan, data: InitiativeData, user: User, owner_ids: set[int]
) -> Initiative:
    _check(plan, data, owner_ids)
    initiative = Initiative(plan=plan, created_by_id=user.id, updated_by_id=user.id)
    _apply(initiative, data)
    add_created(initiative, user)
    return initiative


def change_initiative(
    initiative: Initiative,
    data: InitiativeData,
    user: User,
    owner_ids: set[int],
    seen_version: int | None,
) -> Initiative:
    check_version(initiative, seen_version)
    _check(initiative.plan, data, owner_ids)
    before = initiative.status
    _apply(initiative, data)
    initiative.updated_by_id = user.id
    initiative.updated_at = utcnow()
    db.session.flush()
    change = f"status={before.value}->{initiative.status.value}" if before != data.status else ""
    audit.record(AuditAction.UPDATE, obj=initiative, user=user, criterion=change)
    return initiative


def add_note(initiative: Initiative, text: str, on: date, user: User) -> InitiativeNote:
    note = InitiativeNote(initiative=initiative, text=text, noted_on=on, author_id=user.id)
    add_created(note, user)
    return note


# --- partnerships (the system administrator) ---------------------------------------------------


def set_partnership(
    partnership: Partnership | None,
    *,
    name: str,
    start_year: int,
    end_year: int | None,
    member_ids: list[int],
    anchor_id: int,
    user: User,
) -> Partnership:
    taken = db.session.execute(
        select(Partnership.id).where(
            func.lower(Partnership.name) == name.lower(),
            Partnership.id != (partnership.id if partnership else -1),
        )
    ).first()
    if taken:
        raise RuleError(_("Another partnership has this name."), "name")
    members = list(
        db.session.execute(select(Organisation).where(Organisation.id.in_(member_ids))).scalars()
    )
    anchor = next((m for m in members if m.id == anchor_id), None)
    if anchor is None or anchor.kind != OrganisationKind.MUNICIPALITY:
        raise RuleError(_("The anchor must be a member municipality."), "anchor")
    created = partnership is None
    if partnership is None:
        partnership = Partnership(name=name, start_year=start_year, anchor=anchor)
        db.session.add(partnership)
    partnership.name = name
    partnership.start_year = start_year
    partnership.end_year = end_year
    partnership.anchor = anchor
    partnership.members = members
    db.session.flush()
    audit.record(AuditAction.CREATE if created else AuditAction.UPDATE, obj=partnership, user=user)
    return partnership
