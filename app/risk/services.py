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

from flask import has_app_context
from flask_babel import gettext as _
from sqlalchemy import event, or_, select
from sqlalchemy.orm import Session, selectinload

from app import audit
from app.access.risk import everything
from app.editing import RuleError, check_version
from app.extensions import db
from app.models import (
    SUPPORT_RULES,
    AuditAction,
    CaseEvent,
    Membership,
    NotificationKind,
    Period,
    RiskFlag,
    RiskRefresh,
    RiskRule,
    RiskRuleCode,
    Role,
    Student,
    User,
)
from app.models.base import today, utcnow
from app.notifications import notify
from app.risk.rules import DEFAULTS, WINDOW_RULES, Signal, evaluate, stored


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
    """Bring the flags up to date as of `on`, with each open flag's signals, record the run
    (`RiskRefresh`: from now on the pages read these flags, app.risk.queries) and tell of
    first crossings. The caller commits."""
    started_at = utcnow()
    signals = evaluate(everything(), on).signals
    open_flags = {
        f.student_id: f
        for f in db.session.execute(select(RiskFlag).where(RiskFlag.cleared_on.is_(None))).scalars()
    }
    opened, cleared = _apply(signals, open_flags, on)
    db.session.add(RiskRefresh(on=on, started_at=started_at))
    db.session.flush()
    told = _tell(on)
    return Refreshed(len(signals), opened, cleared, told)


RESTORE_BATCH = 500


def restore(student_ids: set[int], on: date) -> None:
    """Bring the flags of `student_ids` up to date after a change to their cases, if today's
    refresh ran (else the pages evaluate live and the next refresh does it): the pages then
    read signals that are never older than the last change. A flag opened here is told at
    the next refresh. The open flags are locked first, so that two changes to one student
    committed at once are evaluated one after the other (PostgreSQL; SQLite has one writer)."""
    refreshed = db.session.execute(
        select(RiskRefresh.id).where(RiskRefresh.on == on).limit(1)
    ).scalar()
    if refreshed is None:
        return
    ids = sorted(student_ids)
    # In batches: an import adds thousands of students in one transaction, and each rule's
    # SELECT names the students (SQLite takes at most 32,766 parameters a statement).
    for start in range(0, len(ids), RESTORE_BATCH):
        batch = ids[start : start + RESTORE_BATCH]
        open_flags = {
            f.student_id: f
            for f in db.session.execute(
                select(RiskFlag)
                .where(RiskFlag.cleared_on.is_(None), RiskFlag.student_id.in_(batch))
                .with_for_update()
            ).scalars()
        }
        signals = evaluate(everything(), on, student_ids=batch).signals
        _apply(signals, open_flags, on)
    db.session.flush()


def _apply(signals: dict[int, list[Signal]], open_flags: dict[int, RiskFlag], on: date):
    """Open, update and clear flags: `signals` are the students' signals as of `on`,
    `open_flags` their open flags (emptied). Returns (opened, cleared)."""
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
                    signals=stored(found),
                    school_told=False,
                    employer_told=False,
                )
            )
            opened += 1
        else:
            flag.last_seen_on = on
            flag.rules = codes
            flag.signals = stored(found)
    for flag in open_flags.values():
        flag.cleared_on = on
        flag.signals = None
    return opened, len(open_flags)


# Every change to a case writes a line in its history (app.history): the students whose case
# got a line in a transaction have their flags brought up to date just before it commits, so
# that it is part of the same transaction and sees every change made in it.
_CHANGED = "risk.changed_students"


@event.listens_for(Session, "before_flush")
def _note_changed_cases(session: Session, _context, _instances) -> None:
    ids = {o.student_id for o in session.new if isinstance(o, CaseEvent) and o.student_id}
    if ids:
        session.info.setdefault(_CHANGED, set()).update(ids)


@event.listens_for(Session, "before_commit")
def _restore_changed_cases(session: Session) -> None:
    # restore() reads and writes through the app's session: act only when it is the one
    # committing (a session of its own, e.g. in a script, is left to the next refresh).
    if not has_app_context() or not db.session.registry.has() or db.session() is not session:
        return
    session.flush()  # the lines still pending are noted too
    ids = session.info.pop(_CHANGED, None)
    if ids:
        restore(ids, today())


@event.listens_for(Session, "after_rollback")
def _forget_changed_cases(session: Session) -> None:
    session.info.pop(_CHANGED, None)


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
