"""The seven rules, evaluated as SQL over the students a viewer sees (docs/risk.md).

`evaluate(scope, on)` runs every active rule in one statement (a UNION ALL of one SELECT per
rule), however many students there are, and returns for each student with at least one signal
the list of `Signal`s (the rule and the facts that explain it). A student "has risk signs"
when any rule fires. The scope (app.access.risk.risk_scope) limits every SELECT to the
students the viewer sees and each rule to the records the viewer may read: a support-based
signal never reaches a viewer who may not see the measure, so nothing counted or shown
differs from a student without support.

A rule fires when its value reaches the threshold (value ≥ threshold):
- absence: the absent days (approved leave not counted) in the last `window_days` days of a
  training period, in percent of that period's days in the window;
- concern: concerns recorded in training in the last `window_days` days;
- open warning: warnings not followed up;
- mid-period evaluation: goals assessed below the level required after the period, in an
  ongoing training period whose mid-period evaluation is signed;
- transition: a new place within `threshold` days without a handover note, or one started in
  the last `threshold` days whose note is missing or not yet acknowledged;
- follow-up (support): days an open support measure's follow-up date is overdue;
- extensions: period extensions in the last `window_days` days.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlalchemy import (
    Date,
    Integer,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    true,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import aliased

from app.access.risk import RiskScope
from app.extensions import db
from app.journey.handovers import upcoming_transitions
from app.models import (
    Absence,
    AbsenceKind,
    CaseEvent,
    CaseEventKind,
    GoalAssessment,
    GoalLevel,
    GoalRequirement,
    HandoverNote,
    MeasureStatus,
    MidEvaluation,
    Period,
    PeriodKind,
    RiskRefresh,
    RiskRule,
    RiskRuleCode,
    Student,
    StudentStatus,
    SupportMeasure,
    SupportNeed,
    SupportNeedStatus,
    TrainingExperience,
    TrainingWarning,
)
from app.models.base import UTCDateTime, day_start, local_date

C = RiskRuleCode


@dataclass(frozen=True)
class Default:
    threshold: int
    window_days: int | None
    description: str


# The defaults, also seeded by migration e1a3c5d7f9b4 (docs/risk.md says why each).
DEFAULTS: dict[RiskRuleCode, Default] = {
    C.ABSENCE: Default(
        15, 28, "Fravær i oplæringen er ofte det første tegn på, at en elev er ved at falde fra."
    ),
    C.CONCERN: Default(1, 28, "Praktikvejlederen har registreret en bekymring for nylig."),
    C.OPEN_WARNING: Default(1, None, "Eleven har fået en varsling, som ingen har fulgt op endnu."),
    C.MID_EVALUATION: Default(
        3, None, "Flere mål er under det krævede niveau ved midtvejsevalueringen."
    ),
    C.TRANSITION: Default(
        14,
        None,
        "Flest falder fra ved overgangene: et manglende notat, eller et notat der ikke er "
        "kvitteret ved start.",
    ),
    C.FOLLOW_UP: Default(1, None, "En aftalt støtte bliver ikke fulgt op til tiden."),
    C.EXTENSIONS: Default(
        2, 365, "Gentagne forlængelser tyder på, at forløbet ikke går som planlagt."
    ),
}
# The rules that look back over a window of days; the others have none.
WINDOW_RULES = frozenset({C.ABSENCE, C.CONCERN, C.EXTENSIONS})


@dataclass(frozen=True)
class Rule:
    code: RiskRuleCode
    active: bool
    threshold: int
    window_days: int | None
    description: str
    row: RiskRule | None = None  # None: not stored, the default applies


def load_rules() -> list[Rule]:
    """Every rule in the order of RiskRuleCode: the stored row, or the default where none is
    stored (one query)."""
    return _rules(db.session.execute(select(RiskRule)).scalars())


def rules_and_refresh(on: date) -> tuple[list[Rule], datetime | None]:
    """The rules (as `load_rules`) and the moment the latest refresh for `on` began (None if
    none ran), in one query: the rules are outer-joined to that one-row aggregate."""
    latest = (
        select(func.max(RiskRefresh.started_at).label("started"))
        .where(RiskRefresh.on == on)
        .subquery("latest_refresh")
    )
    found = db.session.execute(
        select(latest.c.started, RiskRule).select_from(latest).outerjoin(RiskRule, true())
    ).all()
    started = found[0][0]  # the aggregate has one row, so the outer join has at least one
    return _rules(row for _, row in found if row is not None), started


def _rules(rows: Iterable[RiskRule]) -> list[Rule]:
    stored = {r.code: r for r in rows}
    rules = []
    for code in RiskRuleCode:
        row = stored.get(code)
        if row is None:
            d = DEFAULTS[code]
            rules.append(Rule(code, True, d.threshold, d.window_days, d.description))
        else:
            rules.append(
                Rule(code, row.active, row.threshold, row.window_days, row.description, row)
            )
    return rules


@dataclass(frozen=True)
class Signal:
    """One rule firing for one student, with what explains it (app.risk.texts words it)."""

    code: RiskRuleCode
    value: int  # the percentage, count or number of days the threshold is compared with
    on: date | None = None  # the date the explanation names
    period: str = ""  # the period's title, where the rule is about one
    period_kind: PeriodKind | None = None  # names a period without a title
    missing: bool = False  # transition: no note (else: not acknowledged)
    window_days: int | None = None


def stored(signals: list[Signal]) -> list[dict]:
    """`signals` as JSON, for the flag that keeps them (RiskFlag.signals)."""
    return [
        {
            "code": s.code.value,
            "value": s.value,
            "on": s.on.isoformat() if s.on else None,
            "period": s.period,
            "period_kind": s.period_kind.value if s.period_kind else None,
            "missing": s.missing,
            "window_days": s.window_days,
        }
        for s in signals
    ]


def from_stored(rows: list[dict]) -> list[Signal]:
    """The signals a flag keeps (the inverse of `stored`)."""
    return [
        Signal(
            RiskRuleCode(r["code"]),
            r["value"],
            on=date.fromisoformat(r["on"]) if r["on"] else None,
            period=r["period"],
            period_kind=PeriodKind(r["period_kind"]) if r["period_kind"] else None,
            missing=r["missing"],
            window_days=r["window_days"],
        )
        for r in rows
    ]


LEVEL_RANK = {GoalLevel.BEGINNER: 1, GoalLevel.ROUTINED: 2, GoalLevel.ADVANCED: 3}
ACTIVE_STUDENT = Student.status.in_([StudentStatus.ACTIVE, StudentStatus.ON_LEAVE])


def _rank(column):
    return case(*((column == level, rank) for level, rank in LEVEL_RANK.items()), else_=0)


def active_students(scope: RiskScope):
    """The students of `scope` the rules are about: those in their programme (active or on
    leave)."""
    return and_(scope.students, ACTIVE_STUDENT)


# --- one SELECT per rule, all in one UNION ALL --------------------------------------------------
#
# Every rule's SELECT gives the same columns, so the rules run as one statement: the student
# (id and name, for lists that show the head without another query), the rule's code, a number,
# up to four dates, a moment, a title and a kind. `_read` turns a rule's rows into signals.

_TYPES = {
    "n": Integer(),
    "d1": Date(),
    "d2": Date(),
    "d3": Date(),
    "d4": Date(),
    "at": UTCDateTime(),
    "title": String(120),
    "kind": String(32),
}


def _columns(code: RiskRuleCode, student=Student, **values) -> list:
    columns = [
        student.id.label("student_id"),
        type_coerce(student.last_name, String(100)).label("last_name"),
        type_coerce(student.first_name, String(100)).label("first_name"),
        literal(code.value, String(32)).label("code"),
    ]
    for name, kind in _TYPES.items():
        value = values.get(name)
        columns.append(
            (cast(null(), kind) if value is None else type_coerce(value, kind)).label(name)
        )
    return columns


_NAME = (Student.id, Student.last_name, Student.first_name)


def _absence(rule: Rule, scope: RiskScope, on: date):
    first = on - timedelta(days=(rule.window_days or 28) - 1)
    # The absences of the window first (by ix_absence_end_date: few, region-wide), then their
    # periods and students. DISTINCT keeps it a subquery of its own (SQLite would otherwise
    # start from every student in scope); the same days twice count once anyway.
    recent = (
        select(
            Absence.period_id.label("period_id"),
            Absence.start_date.label("start_date"),
            Absence.end_date.label("end_date"),
        )
        .where(
            Absence.kind != AbsenceKind.APPROVED_LEAVE,
            Absence.start_date <= on,
            Absence.end_date >= first,
        )
        .distinct()
        .subquery("risk_absence")
    )
    return (
        select(
            *_columns(
                rule.code,
                n=Period.id,
                d1=Period.start_date,
                d2=Period.end_date,
                d3=recent.c.start_date,
                d4=recent.c.end_date,
                title=Period.title,
            )
        )
        .select_from(recent)
        .join(Period, Period.id == recent.c.period_id)
        .join(Student, Student.id == Period.student_id)
        .where(
            active_students(scope),
            scope.training,
            Period.kind == PeriodKind.TRAINING,
            Period.start_date <= on,
            Period.end_date >= first,
        )
    )


def _read_absence(rule: Rule, rows, on: date) -> Iterable[tuple[int, Signal]]:
    window = rule.window_days or 28
    first = on - timedelta(days=window - 1)
    periods: dict[int, tuple[int, int, str, set[date]]] = {}
    for row in rows:
        low, high = max(first, row.d1), min(on, row.d2)
        entry = periods.setdefault(row.n, (row.student_id, (high - low).days + 1, row.title, set()))
        day = max(row.d3, low)
        while day <= min(row.d4, high):
            entry[3].add(day)
            day += timedelta(days=1)
    for student_id, days, title, absent in periods.values():
        percent = 100 * len(absent) // days if days > 0 else 0
        if absent and percent >= rule.threshold:
            yield student_id, Signal(rule.code, percent, period=title or "", window_days=window)


def _concerns(rule: Rule, scope: RiskScope, on: date):
    window = rule.window_days or 28
    count = func.count(TrainingExperience.id)
    return (
        select(*_columns(rule.code, n=count, d1=func.max(TrainingExperience.on_date)))
        .select_from(TrainingExperience)
        .join(Period, Period.id == TrainingExperience.period_id)
        .join(Student, Student.id == TrainingExperience.student_id)
        .where(
            active_students(scope),
            scope.training,
            TrainingExperience.concern.is_(True),
            TrainingExperience.on_date > on - timedelta(days=window),
            TrainingExperience.on_date <= on,
        )
        .group_by(*_NAME)
        .having(count >= max(rule.threshold, 1))
    )


def _read_concerns(rule: Rule, rows, on: date) -> Iterable[tuple[int, Signal]]:
    for row in rows:
        yield row.student_id, Signal(rule.code, row.n, on=row.d1, window_days=rule.window_days)


def _open_warnings(rule: Rule, scope: RiskScope, on: date):
    count = func.count(TrainingWarning.id)
    return (
        select(*_columns(rule.code, n=count, at=func.min(TrainingWarning.issued_at)))
        .select_from(TrainingWarning)
        .join(Period, Period.id == TrainingWarning.period_id)
        .join(Student, Student.id == TrainingWarning.student_id)
        .where(active_students(scope), scope.training, TrainingWarning.followed_up_at.is_(None))
        .group_by(*_NAME)
        .having(count >= max(rule.threshold, 1))
    )


def _read_counted_at(rule: Rule, rows, on: date) -> Iterable[tuple[int, Signal]]:
    for row in rows:
        day = local_date(row.at) if row.at is not None else None
        yield row.student_id, Signal(rule.code, row.n, on=day, window_days=rule.window_days)


def _mid_evaluation(rule: Rule, scope: RiskScope, on: date):
    count = func.count(GoalAssessment.id)
    return (
        select(*_columns(rule.code, n=count, d1=MidEvaluation.evaluated_on, title=Period.title))
        .select_from(MidEvaluation)
        .join(Period, Period.id == MidEvaluation.period_id)
        .join(Student, Student.id == Period.student_id)
        .join(GoalAssessment, GoalAssessment.period_id == Period.id)
        .join(
            GoalRequirement,
            and_(
                GoalRequirement.goal_id == GoalAssessment.goal_id,
                GoalRequirement.training_number == Period.training_number,
            ),
        )
        .where(
            active_students(scope),
            scope.training,
            Period.start_date <= on,
            Period.end_date >= on,
            _rank(GoalAssessment.level) < _rank(GoalRequirement.level),
        )
        .group_by(*_NAME, Period.id, Period.title, MidEvaluation.evaluated_on)
        .having(count >= max(rule.threshold, 1))
    )


def _read_mid_evaluation(rule: Rule, rows, on: date) -> Iterable[tuple[int, Signal]]:
    for row in rows:
        yield row.student_id, Signal(rule.code, row.n, on=row.d1, period=row.title or "")


# The student of a transition, for the name: an alias, so that the subquery of visible students
# inside upcoming_transitions does not correlate with it.
_Named = aliased(Student, name="risk_student")


def _transitions(rule: Rule, scope: RiskScope, on: date):
    days = timedelta(days=rule.threshold)
    query = upcoming_transitions(
        select(Student).where(active_students(scope)), on - days, on + days
    )
    return (
        query.with_only_columns(
            *_columns(
                rule.code,
                _Named,
                n=HandoverNote.id,
                d1=Period.start_date,
                title=Period.title,
                kind=Period.kind,
            )
        )
        .join(_Named, _Named.id == Period.student_id)
        .where(
            or_(
                HandoverNote.id.is_(None),
                and_(Period.start_date <= on, HandoverNote.acknowledged_at.is_(None)),
            )
        )
        .order_by(None)
    )


def _read_transitions(rule: Rule, rows, on: date) -> Iterable[tuple[int, Signal]]:
    for row in rows:
        yield (
            row.student_id,
            Signal(
                rule.code,
                (row.d1 - on).days,
                on=row.d1,
                period=row.title or "",
                period_kind=PeriodKind(row.kind),
                missing=row.n is None,
            ),
        )


def _follow_ups(rule: Rule, scope: RiskScope, on: date):
    return (
        select(*_columns(rule.code, d1=func.min(SupportMeasure.next_follow_up)))
        .select_from(SupportMeasure)
        .join(Student, Student.id == SupportMeasure.student_id)
        .outerjoin(SupportNeed, SupportNeed.id == SupportMeasure.need_id)
        .where(
            active_students(scope),
            scope.support,
            SupportMeasure.status.in_([MeasureStatus.PLANNED, MeasureStatus.ACTIVE]),
            SupportMeasure.next_follow_up <= on - timedelta(days=max(rule.threshold, 1)),
            or_(SupportMeasure.need_id.is_(None), SupportNeed.status == SupportNeedStatus.ACTIVE),
        )
        .group_by(*_NAME)
    )


def _read_follow_ups(rule: Rule, rows, on: date) -> Iterable[tuple[int, Signal]]:
    for row in rows:
        yield row.student_id, Signal(rule.code, (on - row.d1).days, on=row.d1)


def _extensions(rule: Rule, scope: RiskScope, on: date):
    window = rule.window_days or 365
    count = func.count(CaseEvent.id)
    # The extensions of the window first (by ix_case_event_kind_at: few, region-wide), then
    # their students: not every event of every student in scope.
    counted = (
        select(
            CaseEvent.student_id.label("student_id"),
            count.label("n"),
            func.max(CaseEvent.at).label("at"),
        )
        .where(
            CaseEvent.kind == CaseEventKind.PERIOD_EXTENDED,
            CaseEvent.at >= day_start(on - timedelta(days=window - 1)),
        )
        .group_by(CaseEvent.student_id)
        .having(count >= max(rule.threshold, 1))
        .subquery("risk_extensions")
    )
    return (
        select(*_columns(rule.code, n=counted.c.n, at=counted.c.at))
        .select_from(counted)
        .join(Student, Student.id == counted.c.student_id)
        .where(active_students(scope))
    )


# Each rule: its SELECT, and how its rows become signals.
EVALUATORS = {
    C.ABSENCE: (_absence, _read_absence),
    C.CONCERN: (_concerns, _read_concerns),
    C.OPEN_WARNING: (_open_warnings, _read_counted_at),
    C.MID_EVALUATION: (_mid_evaluation, _read_mid_evaluation),
    C.TRANSITION: (_transitions, _read_transitions),
    C.FOLLOW_UP: (_follow_ups, _read_follow_ups),
    C.EXTENSIONS: (_extensions, _read_counted_at),
}


@dataclass
class Found:
    """The students with at least one signal: {student id: signals in rule order}, and each
    one's name (last, first) for lists that show a few without loading them."""

    signals: dict[int, list[Signal]]
    names: dict[int, tuple[str, str]]
    rules: list[Rule] = field(default_factory=list)  # the rules it was found with

    def by_name(self) -> list[int]:
        return sorted(self.signals, key=lambda sid: (*self.names[sid], sid))


def evaluate(
    scope: RiskScope,
    on: date,
    rules: list[Rule] | None = None,
    student_ids: Collection[int] | None = None,
) -> Found:
    """The students in `scope` with at least one signal as of `on` (with `student_ids`, those
    students only): every active rule in one statement, however many students there are."""
    if student_ids is not None:
        scope = replace(scope, students=and_(scope.students, Student.id.in_(student_ids)))
    active = [r for r in (rules if rules is not None else load_rules()) if r.active]
    if not active:
        return Found({}, {})
    statement = union_all(*(EVALUATORS[r.code][0](r, scope, on) for r in active))
    rows: dict[str, list] = defaultdict(list)
    names: dict[int, tuple[str, str]] = {}
    for row in db.session.execute(statement):
        rows[row.code].append(row)
        names[row.student_id] = (row.last_name, row.first_name)
    signals: dict[int, list[Signal]] = defaultdict(list)
    for rule in active:
        for sid, signal in EVALUATORS[rule.code][1](rule, rows.get(rule.code.value, []), on):
            signals[sid].append(signal)
    return Found(dict(signals), {sid: names[sid] for sid in signals})
