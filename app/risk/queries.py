"""Reads other areas share: the signals of the students a viewer sees (the list "Elever med
risikotegn", `signals_of`; the head of it on "My overview", `head_of`) and of one student (the
student page).

Evaluating all seven rules over every student a counsellor sees takes the database a while
(20,000 students for a school), so the lists read the signals the flags keep
(`RiskFlag.signals`) wherever they are exactly what the viewer's own evaluation would find:
- today's refresh ran (`RiskRefresh`) and no rule was changed after it began; since then every
  change to a case has brought that student's flag up to date as it was committed
  (app.risk.services.restore);
- the viewer reads every training period of the students they see (`RiskScope.whole_training`:
  the school's and the employer's staff, not a supervisor);
- the support-based rules are read from the flags only for a viewer who sees every measure of
  the students they see (`whole_support`: the school's counsellors and teachers); for anyone
  else they are evaluated live under the viewer's own scope, so a viewer without the student's
  consent never sees or counts one (docs/risk.md).
Otherwise every rule is evaluated live (`app.risk.rules.evaluate`). The student page reads its
one student the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import Select, and_, select

from app.access.risk import RiskScope, risk_scope
from app.extensions import db
from app.models import SUPPORT_RULES, RiskFlag, RiskRuleCode, Student, User
from app.pagination import first_page
from app.risk.rules import (
    Found,
    Rule,
    Signal,
    active_students,
    evaluate,
    from_stored,
    rules_and_refresh,
)
from app.risk.texts import explain

_ORDER = {code: i for i, code in enumerate(RiskRuleCode)}


def _current(rules: list[Rule], started: datetime | None) -> bool:
    """Whether the flags were refreshed today, after the last change to a rule."""
    changed = [r.row.updated_at for r in rules if r.row is not None]
    return started is not None and (not changed or max(changed) < started)


def _open_flags(scope: RiskScope, on: date, *columns) -> Select:
    """The flags of the students in `scope` that today's refresh left open."""
    return (
        select(*columns)
        .join(Student, Student.id == RiskFlag.student_id)
        .where(RiskFlag.cleared_on.is_(None), RiskFlag.last_seen_on == on, active_students(scope))
    )


def head_of(scope: RiskScope, on: date, size: int) -> tuple[int, Found]:
    """How many students in `scope` show at least one signal, and the first `size` of them by
    name with their signals: My overview's part. Where the flags hold exactly the viewer's
    signals of every rule (current, every rule active, a viewer who sees every training period
    and support measure of their students), the count and the head are one statement over the
    flags and only the head's signals are decoded; otherwise the head of `signals_of`."""
    rules, started = rules_and_refresh(on)
    if not (
        scope.whole_training
        and scope.whole_support
        and _current(rules, started)
        and all(r.active for r in rules)
    ):
        found = signals_of(scope, on, (rules, started))
        head = found.by_name()[:size]
        return len(found.signals), Found(
            {sid: found.signals[sid] for sid in head},
            {sid: found.names[sid] for sid in head},
            rules,
        )
    # An open flag has at least one signal: a refresh that finds none clears it.
    page = first_page(
        _open_flags(
            scope, on, RiskFlag.student_id, Student.last_name, Student.first_name, RiskFlag.signals
        ).order_by(Student.last_name, Student.first_name, Student.id),
        size,
    )
    found = Found({}, {}, rules)
    for sid, last, first, kept in page.items:
        found.signals[sid] = sorted(from_stored(kept or []), key=lambda s: _ORDER[s.code])
        found.names[sid] = (last, first)
    return page.total or 0, found


def signals_of(
    scope: RiskScope, on: date, loaded: tuple[list[Rule], datetime | None] | None = None
) -> Found:
    """The students in `scope` with at least one signal as of `on`, their names, and the rules
    (`Found.rules`): from the flags where they are current (see the module's docstring), else
    evaluated. The rules and the refresh are one query (or `loaded`, as `rules_and_refresh`
    gave them)."""
    rules, started = loaded or rules_and_refresh(on)
    current = _current(rules, started)
    if not scope.whole_training or not current:
        found = evaluate(scope, on, rules)
        found.rules = rules
        return found
    active = {r.code for r in rules if r.active}
    live_rules = [] if scope.whole_support else [r for r in rules if r.code in SUPPORT_RULES]
    from_flags = active - {r.code for r in live_rules}
    found = evaluate(scope, on, live_rules) if live_rules else Found({}, {})
    found.rules = rules
    for sid, last, first, kept in db.session.execute(
        _open_flags(
            scope, on, RiskFlag.student_id, Student.last_name, Student.first_name, RiskFlag.signals
        )
    ):
        kept_signals = [s for s in from_stored(kept or []) if s.code in from_flags]
        if not kept_signals:
            continue
        merged = kept_signals + found.signals.get(sid, [])
        found.signals[sid] = sorted(merged, key=lambda s: _ORDER[s.code])
        found.names[sid] = (last, first)
    return found


@dataclass(frozen=True)
class Shown:
    code: RiskRuleCode
    text: str


def student_signals(user: User, student_id: int, on: date) -> list[Shown]:
    """The signals of one student that `user` may see, worded (the student page): read as the
    lists read them, from the student's flag where it is current."""
    scope = risk_scope(user, on)
    one = replace(scope, students=and_(scope.students, Student.id == student_id))
    found: list[Signal] = signals_of(one, on).signals.get(student_id, [])
    return [Shown(s.code, explain(s)) for s in found]
