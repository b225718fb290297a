"""Changing a rule, and the nightly refresh of the flags (`flask risk refresh`).

The refresh evaluates every rule over every student (no viewer: app.access.risk.everything),
opens a `RiskFlag` for a student who has a signal and had no open flag (the first crossing),
keeps open flags up to date and clears those whose student has no signal any more. Each new
flag is told once: to the student's contact teacher and counsellor (else the school's
counsellors), who see every rule's data; and to the training coordinators of the student's
employer only once a rule they may see without consent fires (never for a support-based
signal alone, so the notification cannot give away that the student has support). The
notification names the student, never a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app import audit
from app.access.risk import everything
from app.editing import RuleError, check_version
from app.extensions import db
from app.models import (
    SUPPORT_RULES,
    AuditAction,
    Membership,
    NotificationKind,
    Period,
    RiskFlag,
    RiskRule,
    RiskRuleCode,
    Role,
    Student,
    User,
)
from app.models.base import utcnow
from app.notifications import notify
from app.risk.rules import DEFAULTS, WINDOW_RULES, evaluate


@dataclass
class RuleChange:
    active: bool
    threshold: int
    window_days: int | None
    description: str


def save_rule(
    code: RiskRuleCode, change: RuleChange, user: User, seen_version: int | None
) -> RiskRule:
    """Store the rule's new settings (creating its row from the default if none is stored),
    attributed to `user`, with a line in the access log. The caller commits."""
    row = db.session.execute(select(RiskRule).where(RiskRule.code == code)).scalar_one_or_none()
    if row is None:
        default = DEFAULTS[code]
        row = RiskRule(
            code=code,
            threshold=default.threshold,
            window_days=default.window_days,
            description=default.description,
        )
        db.session.add(row)
    else:
        check_version(row, seen_version)
    if code in WINDOW_RULES and change.window_days is None:
        raise RuleError(_("Please enter the window in days."), "window_days")
    row.active = change.active
    row.threshold = change.threshold
    row.window_days = change.window_days if code in WINDOW_RULES else None
    row.description = change.description
    row.updated_by_id = user.id
    row.updated_at = utcnow()
    db.session.flush()
    audit.record(AuditAction.UPDATE, obj=row, criterion=f"risk rule {code.value}")
    return row


# --- the nightly refresh -------------------------------------------------------------------


@dataclass
class Refreshed:
    flagged: int  # students with a signal today
    opened: int  # of those, first crossings (new flags)
    cleared: int
    told: int  # notifications made


def refresh(on: date) -> Refreshed:
    """Bring the flags up to date as of `on` and tell of first crossings. The caller commits."""
    signals = evaluate(everything(), on).signals
    open_flags = {
        f.student_id: f
        for f in db.session.execute(select(RiskFlag).where(RiskFlag.cleared_on.is_(None))).scalars()
    }
    opened = 0
    for student_id, found in signals.items():
        codes = sorted({s.code.value for s in found})
        flag = open_flags.pop(student_id, None)
        if flag is None:
            db.session.add(
                RiskFlag(
                    student_id=student_id,
                    first_flagged_on=on,
                    last_seen_on=on,
                    rules=codes,
                    school_told=False,
                    employer_told=False,
                )
            )
            opened += 1
        else:
            flag.last_seen_on = on
            flag.rules = codes
    for flag in open_flags.values():
        flag.cleared_on = on
    db.session.flush()
    told = _tell(on)
    return Refreshed(len(signals), opened, len(open_flags), told)


def _shared(codes: list[str]) -> bool:
    """Does a rule fire that the employer's staff may see without the student's consent?"""
    return any(RiskRuleCode(c) not in SUPPORT_RULES for c in codes)


def _tell(on: date) -> int:
    flags = list(
        db.session.execute(
            select(RiskFlag).where(
                RiskFlag.cleared_on.is_(None),
                or_(RiskFlag.school_told.is_(False), RiskFlag.employer_told.is_(False)),
            )
        ).scalars()
    )
    if not flags:
        return 0
    ids = {f.student_id for f in flags}
    students = {
        s.id: s
        for s in db.session.execute(
            select(Student).where(Student.id.in_(ids)).options(selectinload(Student.agreements))
        ).scalars()
    }
    periods = _current_periods(ids, on)
    counsellors = _people(Membership.organisation_id, Role.COUNSELLOR)
    coordinators = _people(Membership.organisation_id, Role.TRAINING_COORDINATOR)
    told = 0
    for flag in flags:
        student, period = students[flag.student_id], periods.get(flag.student_id)
        if period is None:  # no period to file the notification under: tell nobody yet
            continue
        if not flag.school_told:
            named = [u for u in (student.contact_teacher_id, student.counsellor_id) if u]
            to = named or counsellors.get(student.school_id, [])
            told += notify(sorted(set(to)), NotificationKind.RISK_SIGNS, student, period, True)
            flag.school_told = True
        if not flag.employer_told and _shared(flag.rules):
            employers = {
                a.employer_id for a in student.agreements if a.end_date is None or a.end_date >= on
            }
            to = sorted({u for e in employers for u in coordinators.get(e, [])})
            told += notify(to, NotificationKind.RISK_SIGNS, student, period, True)
            flag.employer_told = True
    return told


def _people(column, role: Role) -> dict[int, list[int]]:
    """{organisation id: the active users in `role` there} (one query)."""
    found: dict[int, list[int]] = {}
    for org_id, user_id in db.session.execute(
        select(column, Membership.user_id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.role == role, User.active.is_(True))
    ):
        found.setdefault(org_id, []).append(user_id)
    return found


def _current_periods(student_ids: set[int], on: date) -> dict[int, Period]:
    """Each student's period under way on `on`, else the latest started, else the next one:
    what a notification is filed under (one query)."""
    chosen: dict[int, Period] = {}
    for period in db.session.execute(
        select(Period).where(Period.student_id.in_(student_ids)).order_by(Period.start_date)
    ).scalars():
        current = chosen.get(period.student_id)
        if current is None or period.start_date <= on:
            chosen[period.student_id] = period
    return chosen
