"""The figures that steer the partnership (docs/indicators.md), each defined once, in SQL.

Every indicator is one GROUP BY statement over the enrolments in scope
(app.access.figures.figure_scope), grouped by a breakdown (school, employer municipality,
programme, cohort, age band) and by the indicator's own categories, and returns counts only:
no student row is loaded into Python. The counts then go through app.statistics.suppress,
table by table, before anyone sees them; a rate is shown only when both its numerator and its
denominator are visible. The dashboard does not run them per request: app.main.snapshots
computes them ahead (nightly) and stores only the suppressed result.

Portable SQL only (the suite runs on SQLite and PostgreSQL): the cohort is computed with
EXTRACT(year/month), ages from the cohort's year, and "old enough to have finished" from a
cut-off date per programme worked out in Python from `Programme.duration_weeks`.
"""

from __future__ import annotations

import enum
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    and_,
    case,
    cast,
    exists,
    extract,
    func,
    literal,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import aliased

from app import labels
from app.access.figures import FigureScope
from app.extensions import db
from app.journey.handovers import changed_place
from app.models import (
    SPS_TYPES,
    Declaration,
    DropoutReason,
    Enrolment,
    HandoverNote,
    MeasureStatus,
    MeasureType,
    Organisation,
    Period,
    PeriodKind,
    Programme,
    RiskFlag,
    Student,
    StudentStatus,
    SupportMeasure,
    TrainingAgreement,
    TrainingWarning,
)
from app.statistics import SMALL_COUNT, Figure, Linked, SuppressedTable, sums, suppress_together

# How long after its nominal length a cohort counts as "old enough" for its completion rate.
COMPLETION_GRACE = timedelta(days=365)
# Handover timeliness, support measures and warnings look at the last twelve months up to today.
WINDOW = timedelta(days=365)


class Breakdown(enum.StrEnum):
    SCHOOL = "school"
    MUNICIPALITY = "municipality"
    PROGRAMME = "programme"
    COHORT = "cohort"
    AGE = "age"


BREAKDOWN_LABEL = {
    Breakdown.SCHOOL: _l("School"),
    Breakdown.MUNICIPALITY: _l("Employer municipality"),
    Breakdown.PROGRAMME: _l("Programme"),
    Breakdown.COHORT: _l("Cohort (start term)"),
    Breakdown.AGE: _l("Age band"),
}

SPS_HOURS_LABEL = _l("SPS hours used")
NO_EMPLOYER = -1  # the municipality group of enrolments without a training agreement

# --- the definitions ----------------------------------------------------------------------


def cohort_of(day: date) -> int:
    """The start term as a number: 20262 for 2026-H2 (August-December), 20271 for 2027-H1
    (January-July). Its twin in SQL is `cohort_column`."""
    return day.year * 10 + (2 if day.month >= 8 else 1)


def cohort_label(key: int) -> str:
    return f"{key // 10}-H{key % 10}"


def cohort_column(day) -> ColumnElement[int]:
    year = cast(extract("year", day), Integer)
    return year * 10 + case((extract("month", day) >= 8, 2), else_=1)


# The age bands, in order, by their key in the statements (age at the start of the enrolment).
AGE_BAND_LABEL = {
    "under_20": _l("Under 20"),
    "20_24": _l("20-24"),
    "25_29": _l("25-29"),
    "30_plus": _l("30 and over"),
    "unknown": _l("Age not recorded"),
}


def age_band_column(start, birth_year) -> ColumnElement[str]:
    """The age band at the start of the enrolment: its start year minus the birth year."""
    age = cast(extract("year", start), Integer) - birth_year
    return case(
        (birth_year.is_(None), "unknown"),
        (age < 20, "under_20"),
        (age < 25, "20_24"),
        (age < 30, "25_29"),
        else_="30_plus",
    )


def employer_column() -> ColumnElement[int]:
    """The employer of the enrolment: of the student's training agreements in force at some
    time during the enrolment, the one that started first (NO_EMPLOYER when there is none)."""
    agreement = aliased(TrainingAgreement)
    first = (
        select(agreement.employer_id)
        .where(
            agreement.student_id == Enrolment.student_id,
            or_(agreement.end_date.is_(None), agreement.end_date >= Enrolment.start_date),
            or_(Enrolment.end_date.is_(None), agreement.start_date <= Enrolment.end_date),
        )
        .order_by(agreement.start_date, agreement.id)
        .limit(1)
        .correlate(Enrolment)
        .scalar_subquery()
    )
    return func.coalesce(first, NO_EMPLOYER)


def group_column(by: Breakdown) -> ColumnElement:
    """The breakdown's group of an enrolment (in a statement over Enrolment joined to Student)."""
    if by is Breakdown.SCHOOL:
        return Enrolment.school_id
    if by is Breakdown.PROGRAMME:
        return Enrolment.programme_id
    if by is Breakdown.COHORT:
        return cohort_column(Enrolment.start_date)
    if by is Breakdown.AGE:
        return age_band_column(Enrolment.start_date, Student.birth_year)
    return employer_column()


def _mature(programmes: dict[int, _Programme], today: date) -> ColumnElement[bool]:
    """Enrolments old enough for their outcome to count: started at least the programme's
    nominal length plus COMPLETION_GRACE before today."""
    conditions = [
        and_(
            Enrolment.programme_id == pid,
            Enrolment.start_date <= today - timedelta(weeks=p.weeks) - COMPLETION_GRACE,
        )
        for pid, p in programmes.items()
    ]
    return or_(*conditions) if conditions else literal(False)


DROPOUT_PLACE_LABEL = {
    "school": _l("School period"),
    "training_1": _l("Training period 1"),
    "training_2": _l("Training period 2"),
    "training_3": _l("Training period 3 or later"),
    "transition": _l("At a transition"),
    "unknown": _l("Period not recorded"),
}


def dropout_place_column(period) -> ColumnElement[str]:
    """Where a dropout happened: at a transition (recorded on the enrolment) before anything
    else, then the kind and training number of the period it happened in."""
    return case(
        (Enrolment.dropout_at_transition.is_(True), "transition"),
        (period.id.is_(None), "unknown"),
        (period.kind == PeriodKind.SCHOOL, "school"),
        (func.coalesce(period.training_number, 1) <= 1, "training_1"),
        (period.training_number == 2, "training_2"),
        else_="training_3",
    )


HANDOVER_LABEL = {
    "acknowledged": _l("Sent and acknowledged before the start"),
    "sent": _l("Sent before the start, not acknowledged before it"),
    "late": _l("Sent on or after the start day"),
    "missing": _l("No note sent"),
}

# What came of a warning, the first that applies (`Figures.warnings`).
WARNING_LABEL = {
    "dropped_out": _l("The student dropped out"),
    "approved": _l("Period approved in the declaration"),
    "not_approved": _l("Period not approved in the declaration"),
    "followed_up": _l("Followed up, no declaration yet"),
    "overdue": _l("Deadline passed without a follow-up"),
    "open": _l("Open, deadline not passed"),
}

RISK_LABEL = {
    "flagged": _l("Flagged for risk"),
    "not_flagged": _l("Not flagged"),
}

OUTCOME_LABEL = {
    "completed": _l("Completed"),
    "dropped_out": _l("Dropped out"),
    "transferred": _l("Transferred"),
    "enrolled": _l("Still enrolled"),
}


# --- the tables ---------------------------------------------------------------------------

ORGANISATION_BREAKDOWNS = (Breakdown.SCHOOL, Breakdown.MUNICIPALITY)


def groups(by: Breakdown, keys, codes: Mapping[int, str], names: Mapping[int, str]):
    """The groups `keys` of a breakdown in the order shown, and their labels: `codes` are the
    programmes' codes by id, `names` the organisations' names by id."""
    keys = set(keys)
    if by is Breakdown.AGE:
        order = [b for b in AGE_BAND_LABEL if b in keys]
        return order, {b: AGE_BAND_LABEL[b] for b in order}
    if by is Breakdown.COHORT:
        ordered = sorted(int(k) for k in keys)
        return ordered, {k: cohort_label(k) for k in ordered}
    if by is Breakdown.PROGRAMME:
        ordered = sorted(keys, key=lambda k: codes[k])
        return ordered, {k: Programme.display_code(codes[k]) for k in ordered}
    named = {k: names.get(k, "") for k in keys if k != NO_EMPLOYER}
    ordered = sorted(named, key=lambda k: named[k])
    row_labels = dict(named)
    if NO_EMPLOYER in keys:
        ordered.append(NO_EMPLOYER)
        row_labels[NO_EMPLOYER] = _l("No training agreement")
    return ordered, row_labels


@dataclass
class Rate:
    label: object
    numerator: Hashable  # a column of the table; the denominator is the row total
    # ... or, given, this column of the table's `denominators` table, in the same row (the
    # dropout rate of flagged students: dropouts of this table over students of another).
    over: Hashable | None = None


@dataclass
class Sums:
    """Sums per row (not counts: app.statistics does not apply), each shown or hidden by
    `hour_sums`' rule."""

    label: object
    rows: dict[Hashable, Figure]
    total: Figure


@dataclass
class Table:
    name: str
    title: object
    description: object
    row_heading: object
    rows: list
    row_labels: dict
    columns: list
    column_labels: dict
    figures: SuppressedTable
    rates: list[Rate] = field(default_factory=list)
    sums: Sums | None = None  # a column of sums next to the counts (the SPS hours)
    denominators: Table | None = None  # for rates `over` another table's column

    @property
    def peak(self) -> int:
        """The largest visible row total: the chart's scale (a hidden one would give it away)."""
        return max((f.value for f in self.figures.row_totals.values() if not f.hidden), default=0)

    def rate(self, row, rate: Rate) -> float | None:
        """The rate in percent for a row (None for the totals row's key), or None when its
        numerator or its denominator is hidden (or the denominator is 0)."""
        if rate.over is not None:
            other = self.denominators.figures if self.denominators else None
            if other is None or (row is not None and row not in other.row_totals):
                return None
            if row is None:
                num, den = (
                    self.figures.column_totals[rate.numerator],
                    other.column_totals[rate.over],
                )
            else:
                num, den = self.figures.cells[(row, rate.numerator)], other.cells[(row, rate.over)]
        elif row is None:
            num, den = self.figures.column_totals[rate.numerator], self.figures.grand_total
        else:
            num, den = self.figures.cells[(row, rate.numerator)], self.figures.row_totals[row]
        if num.hidden or den.hidden or den.value == 0:
            return None
        return 100 * num.value / den.value


@dataclass
class _Programme:
    code: str
    name: str
    weeks: int


def _programmes() -> dict[int, _Programme]:
    return {
        pid: _Programme(code, name, weeks)
        for pid, code, name, weeks in db.session.execute(
            select(Programme.id, Programme.code, Programme.name, Programme.duration_weeks)
        )
    }


def _group_columns() -> list:
    """An enrolment's group in every breakdown (in a statement over Enrolment joined to
    Student), labelled by the breakdown."""
    return [group_column(by).label(by.value) for by in Breakdown]


def _cube(inner) -> dict[tuple, int]:
    """{(school, municipality, programme, cohort, age band, category): count} of the rows of
    `inner`, a select of `_group_columns()` and `cat` (and, to count distinct things, the
    thing's id: the select is then DISTINCT). Every breakdown of a table is a sum over it."""
    sub = inner.subquery()
    keys = [sub.c[by.value] for by in Breakdown] + [sub.c.cat]
    rows = db.session.execute(select(*keys, func.count()).group_by(*keys))
    return {
        (*(_norm(by, g) for by, g in zip(Breakdown, k[:-1], strict=True)), k[-1]): n
        for *k, n in rows
    }


def by_breakdown(cube: Mapping[tuple, int], by: Breakdown) -> dict:
    """{(group, category): count} from a cube."""
    k = list(Breakdown).index(by)
    out: dict = {}
    for key, n in cube.items():
        out[(key[k], key[-1])] = out.get((key[k], key[-1]), 0) + n
    return out


def _of_enrolments(category, *columns):
    """select(the groups, category, *columns) over the enrolments joined to their students."""
    return (
        select(*_group_columns(), category.label("cat"), *columns)
        .select_from(Enrolment)
        .join(Student, Student.id == Enrolment.student_id)
    )


def _of_periods(category, source=Period):
    """select(the groups, category) over the periods (or rows of `source`, which has a
    period_id), joined to their enrolments and students."""
    inner = select(*_group_columns(), category.label("cat")).select_from(source)
    if source is not Period:
        inner = inner.join(Period, Period.id == source.period_id)
    return inner.join(Enrolment, Enrolment.id == Period.enrolment_id).join(
        Student, Student.id == Enrolment.student_id
    )


def _since(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


@dataclass
class _Indicator:
    """A table of the dashboard, in every breakdown."""

    name: str
    title: object
    description: object
    columns: list
    column_labels: dict
    cube: dict
    rates: list[Rate] = field(default_factory=list)


def definitions() -> dict[str, _Indicator]:
    """The indicators' titles, descriptions, columns and rates (their counts not yet
    computed: `cube` empty)."""
    reasons = {r.value: labels.DROPOUT_REASON[r] for r in DropoutReason}
    reasons["none"] = _l("Reason not recorded")
    return {
        "completion": _Indicator(
            "completion",
            _l("Completion and dropout"),
            _l(
                "Enrolments old enough to have finished (started at least the programme's "
                "length plus one year ago), by where they stand now. The rates are of the "
                "enrolments started."
            ),
            list(OUTCOME_LABEL),
            OUTCOME_LABEL,
            {},
            [
                Rate(_l("Completion rate"), "completed"),
                Rate(_l("Dropout rate"), "dropped_out"),
            ],
        ),
        "dropout": _Indicator(
            "dropout",
            _l("Where in the journey students drop out"),
            _l(
                "Enrolments ended by a dropout, by the period it happened in, or at a "
                "transition between periods. Transferred students are not dropouts."
            ),
            list(DROPOUT_PLACE_LABEL),
            DROPOUT_PLACE_LABEL,
            {},
        ),
        "reasons": _Indicator(
            "reasons",
            _l("Dropout reasons"),
            _l("Enrolments ended by a dropout, by the reason recorded."),
            REASON_COLUMNS,
            reasons,
            {},
        ),
        "handover": _Indicator(
            "handover",
            _l("Handover notes at transitions"),
            _l(
                "Transitions to a new place in the last twelve months (the new period "
                "started), by whether the handover note was sent and acknowledged before "
                "the start day."
            ),
            list(HANDOVER_LABEL),
            HANDOVER_LABEL,
            {},
            [Rate(_l("Acknowledged in time"), "acknowledged")],
        ),
        "support": _Indicator(
            "support",
            _l("Support measures in use"),
            _l(
                "Enrolments with a support measure in use (active or ended, not planned "
                "or cancelled) at some time in the last twelve months, by kind of measure; "
                "an enrolment with measures of two kinds counts in both columns. SPS "
                "hours: the hours used recorded on those SPS measures."
            ),
            SUPPORT_COLUMNS,
            {c: labels.MEASURE_TYPE[MeasureType(c)] for c in SUPPORT_COLUMNS},
            {},
        ),
        "risk_population": _Indicator(
            "risk_population",
            _l("Students flagged with signs of risk"),
            _l(
                "Enrolments started, by whether the student was flagged with signs of risk "
                "while enrolled: at least one rule fired at a nightly check."
            ),
            list(RISK_LABEL),
            RISK_LABEL,
            {},
            [Rate(_l("Share flagged"), "flagged")],
        ),
        "risk_dropouts": _Indicator(
            "risk_dropouts",
            _l("Dropout among flagged and not flagged students"),
            _l(
                "Enrolments ended by a dropout, by whether the student was flagged with signs "
                "of risk before leaving. The rates are of the enrolments in the table above, "
                "so the partnership can judge whether the signs find the students who leave."
            ),
            list(RISK_LABEL),
            RISK_LABEL,
            {},
            [
                Rate(_l("Dropout rate, flagged"), "flagged", over="flagged"),
                Rate(_l("Dropout rate, not flagged"), "not_flagged", over="not_flagged"),
            ],
        ),
        "warnings": _Indicator(
            "warnings",
            _l("Warnings and what came of them"),
            _l(
                "Warnings (varsling) given in the last twelve months, by what came of them "
                "so far: the student dropped out; the training period's declaration was "
                "issued, approved or not; the warning was followed up; its deadline passed "
                "without a follow-up; or it is still open."
            ),
            list(WARNING_LABEL),
            WARNING_LABEL,
            {},
        ),
    }


class Figures:
    """The dashboard's tables for one scope, shown by one breakdown. One statement per table
    gives its counts in every breakdown at once (a GROUP BY over all five; each breakdown is a
    sum of those), plus one for the programmes, one for the organisations' names and one for
    the SPS hours. The tables of every breakdown are suppressed together (`suppressed`): the
    CSV downloads of the other breakdowns are one click away."""

    def __init__(self, scope: FigureScope, by: Breakdown, today: date) -> None:
        self.scope, self.by, self.today = scope, by, today
        self.programmes = _programmes()
        self._names: dict[int, str] | None = None
        self._cached: dict[object, object] = {}

    def _once(self, key, compute):
        """`compute()` the first time, then the same answer (each statement runs once)."""
        if key not in self._cached:
            self._cached[key] = compute()
        return self._cached[key]

    # Groups and their labels.

    def organisation_names(self) -> dict[int, str]:
        if self._names is None:
            self._names = dict(db.session.execute(select(Organisation.id, Organisation.name)).all())
        return self._names

    def groups(self, by: Breakdown, keys) -> tuple[list, dict]:
        codes = {k: p.code for k, p in self.programmes.items()} if by is Breakdown.PROGRAMME else {}
        names = self.organisation_names() if by in ORGANISATION_BREAKDOWNS else {}
        return groups(by, keys, codes, names)

    # The counts: one statement per table.

    def _intake_cube(self) -> dict:
        return self._once(
            "intake",
            lambda: _cube(
                _of_enrolments(literal("all")).where(
                    self.scope.enrolments(), Enrolment.start_date <= self.today
                )
            ),
        )

    def _completion_cube(self) -> dict:
        outcome = case(
            (Enrolment.status == StudentStatus.COMPLETED, "completed"),
            (Enrolment.status == StudentStatus.DROPPED_OUT, "dropped_out"),
            (Enrolment.status == StudentStatus.TRANSFERRED, "transferred"),
            else_="enrolled",
        )
        return self._once(
            "completion",
            lambda: _cube(
                _of_enrolments(outcome).where(
                    self.scope.enrolments(), _mature(self.programmes, self.today)
                )
            ),
        )

    def _dropout_cube(self) -> dict:
        period = aliased(Period)
        return self._once(
            "dropout",
            lambda: _cube(
                _of_enrolments(dropout_place_column(period))
                .outerjoin(period, period.id == Enrolment.dropout_period_id)
                .where(self.scope.enrolments(), Enrolment.status == StudentStatus.DROPPED_OUT)
            ),
        )

    def _reasons_cube(self) -> dict:
        # As a plain string: "none" is no DropoutReason; the enum type would refuse it.
        reason = func.coalesce(type_coerce(Enrolment.dropout_reason, String(32)), "none")
        return self._once(
            "reasons",
            lambda: _cube(
                _of_enrolments(reason).where(
                    self.scope.enrolments(), Enrolment.status == StudentStatus.DROPPED_OUT
                )
            ),
        )

    def _handover_cube(self) -> dict:
        earlier = aliased(Period, name="indicator_earlier")
        previous = aliased(Period, name="indicator_previous")
        # app.access.journey.never_held, on an alias of Enrolment: the statement joins
        # Enrolment already, and its EXISTS would otherwise correlate to that one.
        earlier_enrolment = aliased(Enrolment, name="indicator_earlier_enrolment")
        earlier_never_held = exists().where(
            earlier_enrolment.id == earlier.enrolment_id,
            earlier_enrolment.end_date < earlier.start_date,
        )
        previous_id = (
            select(earlier.id)
            .where(
                earlier.student_id == Period.student_id,
                earlier.start_date < Period.start_date,
                ~earlier_never_held,
            )
            .order_by(earlier.start_date.desc(), earlier.id.desc())
            .limit(1)
            .correlate(Period)
            .scalar_subquery()
        )
        sent = and_(HandoverNote.id.is_not(None), HandoverNote.is_draft.is_(False))
        before = HandoverNote.written_at < Period.start_date
        timeliness = case(
            (~sent, "missing"),
            (~before, "late"),
            (
                and_(
                    HandoverNote.acknowledged_at.is_not(None),
                    HandoverNote.acknowledged_at < Period.start_date,
                ),
                "acknowledged",
            ),
            else_="sent",
        )
        inner = (
            _of_periods(timeliness)
            .join(previous, previous.id == previous_id)
            .outerjoin(HandoverNote, HandoverNote.to_period_id == Period.id)
            .where(
                self.scope.enrolments(),
                Period.start_date > self.today - WINDOW,
                Period.start_date <= self.today,
                # Not a period that starts after its enrolment ended (never_held).
                or_(Enrolment.end_date.is_(None), Enrolment.end_date >= Period.start_date),
                changed_place(previous, Period),
            )
        )
        return _cube(inner)

    def _in_use(self) -> tuple:
        """A support measure in use at some time in the last twelve months, during the
        enrolment (in a statement over Enrolment)."""
        return (
            SupportMeasure.student_id == Enrolment.student_id,
            SupportMeasure.status.in_((MeasureStatus.ACTIVE, MeasureStatus.ENDED)),
            SupportMeasure.start_date <= self.today,
            or_(SupportMeasure.end_date.is_(None), SupportMeasure.end_date > self.today - WINDOW),
            Enrolment.start_date <= self.today,
            or_(Enrolment.end_date.is_(None), SupportMeasure.start_date <= Enrolment.end_date),
            or_(SupportMeasure.end_date.is_(None), SupportMeasure.end_date >= Enrolment.start_date),
        )

    def _support_cube(self) -> dict:
        kind = type_coerce(SupportMeasure.type, String(32))
        return self._once(
            "support",
            lambda: _cube(
                _of_enrolments(kind, Enrolment.id.label("enrolment"))
                .join(SupportMeasure, and_(*self._in_use()))
                .where(self.scope.enrolments())
                .distinct()
            ),
        )

    def sps_hours(self, by: Breakdown) -> dict:
        """{group of the breakdown: (SPS hours used, enrolments behind them)}."""
        inner = (
            select(
                group_column(by).label("grp"),
                SupportMeasure.hours_used.label("hours"),
                Enrolment.id.label("enrolment"),
            )
            .select_from(Enrolment)
            .join(Student, Student.id == Enrolment.student_id)
            .join(SupportMeasure, and_(*self._in_use(), SupportMeasure.type.in_(SPS_TYPES)))
            .where(self.scope.enrolments())
            .subquery()
        )
        rows = db.session.execute(
            select(
                inner.c.grp, func.sum(inner.c.hours), func.count(inner.c.enrolment.distinct())
            ).group_by(inner.c.grp)
        )
        return {_norm(by, g): (hours or Decimal(0), n) for g, hours, n in rows}

    def _flagged(self) -> ColumnElement[str]:
        """Whether the enrolment's student was flagged with signs of risk while enrolled (a
        RiskFlag opened between the enrolment's start and its end, or today)."""
        flagged = exists().where(
            RiskFlag.student_id == Enrolment.student_id,
            RiskFlag.first_flagged_on >= Enrolment.start_date,
            RiskFlag.first_flagged_on <= func.coalesce(Enrolment.end_date, self.today),
        )
        return case((flagged, "flagged"), else_="not_flagged")

    def _risk_population_cube(self) -> dict:
        """The intake's enrolments, flagged or not."""
        return self._once(
            "risk_population",
            lambda: _cube(
                _of_enrolments(self._flagged()).where(
                    self.scope.enrolments(), Enrolment.start_date <= self.today
                )
            ),
        )

    def _risk_dropouts_cube(self) -> dict:
        """The dropout table's enrolments, flagged or not."""
        return self._once(
            "risk_dropouts",
            lambda: _cube(
                _of_enrolments(self._flagged()).where(
                    self.scope.enrolments(), Enrolment.status == StudentStatus.DROPPED_OUT
                )
            ),
        )

    def _warnings_cube(self) -> dict:
        """Warnings (varsling) given in the last twelve months, by what came of them."""
        outcome = case(
            (Enrolment.status == StudentStatus.DROPPED_OUT, "dropped_out"),
            (and_(Declaration.issued_at.is_not(None), Declaration.approved.is_(True)), "approved"),
            (Declaration.issued_at.is_not(None), "not_approved"),
            (TrainingWarning.followed_up_at.is_not(None), "followed_up"),
            (TrainingWarning.deadline < self.today, "overdue"),
            else_="open",
        )
        inner = (
            _of_periods(outcome, TrainingWarning)
            .outerjoin(Declaration, Declaration.period_id == TrainingWarning.period_id)
            .where(
                self.scope.enrolments(),
                TrainingWarning.issued_at >= _since(self.today - WINDOW + timedelta(days=1)),
                TrainingWarning.issued_at < _since(self.today + timedelta(days=1)),
            )
        )
        return self._once("warnings", lambda: _cube(inner))

    # The indicators.

    def _indicators(self) -> dict[str, _Indicator]:
        indicators = definitions()
        cubes = {
            "completion": self._completion_cube,
            "dropout": self._dropout_cube,
            "reasons": self._reasons_cube,
            "handover": self._handover_cube,
            "support": self._support_cube,
            "warnings": self._warnings_cube,
            "risk_population": self._risk_population_cube,
            "risk_dropouts": self._risk_dropouts_cube,
        }
        for name, indicator in indicators.items():
            indicator.cube = cubes[name]()
        return indicators

    def suppressed(self) -> dict[tuple[str, Breakdown], Table]:
        """Every table of every breakdown, suppressed together where they share figures
        (app.statistics.suppress_together; docs/indicators.md, "Small numbers"):

        - each table's column totals and grand total are the same in every breakdown;
        - the intake tables have the same cohort totals (and total) in every breakdown, and
          the completion table by cohort has them too for a cohort all old enough;
        - both dropout tables have the same dropouts per group in a breakdown, and the
          completion table's dropouts are the same figures where all are old enough.

        Where two figures may be the same count, they are treated as one when their values
        are equal (as a reader who knows the definitions would)."""
        return self._once("suppressed", self._suppress_all)

    def _suppress_all(self) -> dict[tuple[str, Breakdown], Table]:
        indicators = self._indicators()
        intake = self._intake_cube()
        cohort_intake = sums(by_breakdown(intake, Breakdown.COHORT), 0)
        intake_all = sum(cohort_intake.values())
        dropouts = {by: sums(by_breakdown(indicators["dropout"].cube, by), 0) for by in Breakdown}
        dropouts_all = sum(indicators["dropout"].cube.values())
        linked: dict[tuple[str, Breakdown], tuple[dict, list, list, dict]] = {}

        for across in INTAKE_ACROSS:
            k = list(Breakdown).index(across)
            counts: dict = {}
            for key, n in intake.items():
                cell = (key[list(Breakdown).index(Breakdown.COHORT)], key[k])
                counts[cell] = counts.get(cell, 0) + n
            rows = sorted({c for c, _ in counts})
            columns, _ = self.groups(across, {g for _, g in counts})
            n, m = len(rows), len(columns)
            shared = {(i, m): ("intake", c) for i, c in enumerate(rows)}
            shared[(n, m)] = ("intake", "all")
            # Its column totals are the intake per group, as the flagged table's row totals.
            shared |= {(n, j): ("intake", across, c) for j, c in enumerate(columns)}
            linked[("intake", across)] = (counts, rows, columns, shared)

        for name, indicator in indicators.items():
            for by in Breakdown:
                counts = by_breakdown(indicator.cube, by)
                rows, _ = self.groups(by, {g for g, _ in counts})
                columns = indicator.columns
                n, m = len(rows), len(columns)
                totals = sums(counts, 0)
                shared = {(n, j): (name, c) for j, c in enumerate(columns)}
                shared[(n, m)] = (name, "all")
                if name == "risk_population":  # the intake's enrolments
                    shared[(n, m)] = ("intake", "all")
                    if by is Breakdown.COHORT:
                        shared |= {(i, m): ("intake", r) for i, r in enumerate(rows)}
                    else:
                        shared |= {(i, m): ("intake", by, r) for i, r in enumerate(rows)}
                if name in ("dropout", "reasons", "risk_dropouts"):
                    shared |= {(i, m): ("dropouts", by, r) for i, r in enumerate(rows)}
                    shared[(n, m)] = ("dropouts", "all")
                if name == "completion":
                    if sum(totals.values()) == intake_all:
                        shared[(n, m)] = ("intake", "all")
                    if by is Breakdown.COHORT:
                        shared |= {
                            (i, m): ("intake", r)
                            for i, r in enumerate(rows)
                            if totals[r] == cohort_intake.get(r)
                        }
                    j = columns.index("dropped_out")
                    if sums(counts, 1).get("dropped_out", 0) == dropouts_all:
                        shared[(n, j)] = ("dropouts", "all")
                    shared |= {
                        (i, j): ("dropouts", by, r)
                        for i, r in enumerate(rows)
                        if counts.get((r, "dropped_out"), 0) == dropouts[by].get(r, 0)
                    }
                linked[(name, by)] = (counts, rows, columns, shared)

        tables: dict[tuple[str, Breakdown], Table] = {}
        for system in SYSTEMS:
            keys = [key for key in linked if key[0] in system]
            suppressed = suppress_together([Linked(*linked[key]) for key in keys])
            for key, figures in zip(keys, suppressed, strict=True):
                tables[key] = self._as_table(key, figures, indicators)
        return tables

    def _as_table(self, key, figures: SuppressedTable, indicators) -> Table:
        return table_of(key, figures, indicators, self.groups)

    def table(self, name: str) -> Table:
        """One table in this breakdown (the intake by cohort is shown by programme)."""
        if name == "intake" and self.by is Breakdown.COHORT:
            return self.suppressed()[("intake", Breakdown.PROGRAMME)]
        table = self.suppressed()[(name, self.by)]
        if name == "support":
            table.sums = hour_sums(SPS_HOURS_LABEL, table.rows, self.sps_hours(self.by))
        if name == "risk_dropouts":
            table.denominators = self.suppressed()[("risk_population", self.by)]
        return table

    def tables(self) -> dict[str, Table]:
        return {name: self.table(name) for name in TABLES}


class _Lower:
    """A translated label in lower case, translated when shown (not when the table is built:
    the nightly computation has no request, hence no language)."""

    def __init__(self, text) -> None:
        self.text = text

    def __str__(self) -> str:
        return str(self.text).lower()


def table_of(key, figures: SuppressedTable, indicators: Mapping, groups_of) -> Table:
    """The table (name, breakdown) of suppressed `figures`, labelled: `groups_of(by, keys)`
    gives a breakdown's groups in order and their labels."""
    name, by = key
    if name == "intake":
        columns, column_labels = groups_of(by, figures.columns)
        return Table(
            name="intake",
            title=_l("Intake"),
            description=_l(
                "Enrolments started in each cohort (start term), by %(by)s.",
                by=_Lower(BREAKDOWN_LABEL[by]),
            ),
            row_heading=BREAKDOWN_LABEL[Breakdown.COHORT],
            rows=figures.rows,
            row_labels={c: cohort_label(c) for c in figures.rows},
            columns=columns,
            column_labels=column_labels,
            figures=figures,
        )
    indicator = indicators[name]
    _, row_labels = groups_of(by, figures.rows)
    return Table(
        name=name,
        title=indicator.title,
        description=indicator.description,
        row_heading=BREAKDOWN_LABEL[by],
        rows=figures.rows,
        row_labels=row_labels,
        columns=indicator.columns,
        column_labels=indicator.column_labels,
        figures=figures,
        rates=indicator.rates,
    )


REASON_COLUMNS = [r.value for r in DropoutReason] + ["none"]
# SPS first, then the school's or workplace's own measures.
SUPPORT_COLUMNS = [t.value for t in MeasureType if t in SPS_TYPES] + [
    t.value for t in MeasureType if t not in SPS_TYPES
]
TABLES = (
    "intake",
    "completion",
    "dropout",
    "reasons",
    "handover",
    "support",
    "warnings",
    "risk_population",
    "risk_dropouts",
)
# The intake tables' columns: by cohort the intake is shown by programme.
INTAKE_ACROSS = (Breakdown.PROGRAMME, Breakdown.SCHOOL, Breakdown.MUNICIPALITY, Breakdown.AGE)
# The tables that may share figures, suppressed together; no figure links two of these.
SYSTEMS = (
    frozenset({"intake", "completion", "dropout", "reasons", "risk_population", "risk_dropouts"}),
    frozenset({"handover"}),
    frozenset({"support"}),
    frozenset({"warnings"}),
)


def hour_sums(label, rows: Sequence, used: Mapping) -> Sums:
    """The hours per group (`used`: group -> (hours, enrolments behind them)) with the
    small-number rule for sums: a group's hours are shown only when at least SMALL_COUNT
    enrolments are behind them; the total (the same in every breakdown) likewise. Where
    some groups' hours are hidden, the total minus the shown ones gives their sum, so the
    hidden groups are widened (the next fewest enrolments first) until they are at least two
    with at least SMALL_COUNT enrolments between them."""
    behind = {r: used.get(r, (Decimal(0), 0))[1] for r in rows}
    hidden = {r for r in rows if 0 < behind[r] < SMALL_COUNT}
    others = sorted((r for r in rows if behind[r] >= SMALL_COUNT), key=lambda r: behind[r])
    while hidden and others and (len(hidden) < 2 or sum(behind[h] for h in hidden) < SMALL_COUNT):
        hidden.add(others.pop(0))
    total = sum((used.get(r, (Decimal(0), 0))[0] for r in rows), Decimal(0))
    # Hidden when fewer than SMALL_COUNT enrolments are behind it; then no group has as many.
    total_hidden = 0 < sum(behind.values()) < SMALL_COUNT
    return Sums(
        label=label,
        rows={r: Figure(used.get(r, (Decimal(0), 0))[0], r in hidden) for r in rows},
        total=Figure(total, total_hidden),
    )


def _norm(by: Breakdown, group):
    """A group key as the tables use it (the cohort as an int: PostgreSQL returns numbers from
    arithmetic on EXTRACT as Decimal)."""
    if by is Breakdown.COHORT:
        return int(group)
    return group
