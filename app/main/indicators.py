"""The figures that steer the partnership (docs/indicators.md), each defined once, in SQL.

Every indicator is one GROUP BY statement over the enrolments in scope
(app.access.figures.figure_scope), grouped by a breakdown (school, employer municipality,
programme, cohort, age band) and by the indicator's own categories, and returns counts only:
no student row is loaded into Python. The counts then go through app.statistics.suppress,
table by table, before anyone sees them; a rate is shown only when both its numerator and its
denominator are visible.

Portable SQL only (the suite runs on SQLite and PostgreSQL): the cohort is computed with
EXTRACT(year/month), ages from the cohort's year, and "old enough to have finished" from a
cut-off date per programme worked out in Python from `Programme.duration_weeks`.
"""

from __future__ import annotations

import enum
import functools
import itertools
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from flask_babel import lazy_gettext as _l
from scipy.optimize import linprog
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
    DropoutReason,
    Enrolment,
    HandoverNote,
    Organisation,
    Period,
    PeriodKind,
    Programme,
    Student,
    StudentStatus,
    TrainingAgreement,
)
from app.statistics import SMALL_COUNT, Figure, SuppressedTable, exposed, lines

# How long after its nominal length a cohort counts as "old enough" for its completion rate.
COMPLETION_GRACE = timedelta(days=365)
# Handover timeliness looks at the transitions of the last twelve months up to today.
HANDOVER_WINDOW = timedelta(days=365)


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


class AgeBand(enum.StrEnum):
    UNDER_20 = "under_20"
    FROM_20 = "20_24"
    FROM_25 = "25_29"
    FROM_30 = "30_plus"
    UNKNOWN = "unknown"


AGE_BAND_LABEL = {
    AgeBand.UNDER_20: _l("Under 20"),
    AgeBand.FROM_20: _l("20-24"),
    AgeBand.FROM_25: _l("25-29"),
    AgeBand.FROM_30: _l("30 and over"),
    AgeBand.UNKNOWN: _l("Age not recorded"),
}


def age_band_column(start, birth_year) -> ColumnElement[str]:
    """The age band at the start of the enrolment: its start year minus the birth year."""
    age = cast(extract("year", start), Integer) - birth_year
    return case(
        (birth_year.is_(None), AgeBand.UNKNOWN.value),
        (age < 20, AgeBand.UNDER_20.value),
        (age < 25, AgeBand.FROM_20.value),
        (age < 30, AgeBand.FROM_25.value),
        else_=AgeBand.FROM_30.value,
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

OUTCOME_LABEL = {
    "completed": _l("Completed"),
    "dropped_out": _l("Dropped out"),
    "transferred": _l("Transferred"),
    "enrolled": _l("Still enrolled"),
}


# --- suppression across tables -------------------------------------------------------------
#
# app.statistics.suppress protects one table. The dashboard's tables share figures: every
# breakdown of an indicator has the same column totals (the whole scope's count per category)
# and grand total, the intake tables of every breakdown the same cohort totals, and the two
# dropout tables the same row totals. A figure hidden in one table and shown in another would
# be known, and could then be used to work out the first table's hidden cells. So a shared
# figure is hidden or shown the same way everywhere: it is decided once, on a table of the shared
# figures alone (its "margin"), and every table that has it is suppressed with that decision
# fixed (`suppress_linked`): a shared figure shown elsewhere is never hidden (that would protect
# nothing), one hidden elsewhere is always hidden and protected here too.

Pattern = dict[tuple[int, int], bool]  # position -> hidden, decided beforehand


def _gives_away(line, values, hidden) -> bool:
    """app.statistics' rule 3: one hidden figure in a line, or hidden figures that must all be 1."""
    hidden_here = [p for p in line if p in hidden]
    if not hidden_here:
        return False
    if len(hidden_here) == 1:
        return True
    return line[-1] not in hidden and sum(values[p] for p in hidden_here) == len(hidden_here)


def _linked_positions(
    values: dict, n_rows: int, n_columns: int, pattern: Pattern, small: int
) -> frozenset:
    """app.statistics.suppression, with the figures in `pattern` decided beforehand."""
    fixed = {p for p, hide in pattern.items() if not hide}
    hidden = {p for p, v in values.items() if 0 < v < small and p not in fixed}
    hidden |= {p for p, hide in pattern.items() if hide}
    all_lines = lines(n_rows, n_columns)

    def smallest(line):
        free = [p for p in line if p not in hidden and p not in fixed and values[p] > 0]
        return min(free, key=lambda p: (values[p], p == line[-1], p)) if free else None

    while True:
        changed = False
        for line in all_lines:
            if _gives_away(line, values, hidden) and (extra := smallest(line)) is not None:
                hidden.add(extra)
                changed = True
        if changed:
            continue
        for p in itertools.islice(exposed(values, hidden, all_lines), 1):
            options = [c for ln in all_lines if p in ln if (c := smallest(ln)) is not None]
            if not options:
                options = [c for c in values if c not in hidden and c not in fixed and values[c]]
            if options:
                hidden.add(min(options, key=lambda c: (values[c], c)))
                changed = True
        if not changed:
            # A figure hidden to protect another that the visible figures pin down all the
            # same protects nothing (the fixed totals can leave such a figure): show it.
            forced = {p for p, hide in pattern.items() if hide}
            shown = {p for p in _pinned(values, hidden, all_lines) if values[p] >= small}
            return frozenset(hidden - (shown - forced))


def _pinned(values, hidden: set, all_lines) -> set:
    """The hidden figures that have one possible value given the visible ones (every hidden
    figure an unknown of at least 1, every line an equation), as app.statistics.exposed."""
    order = sorted(hidden)
    if not order:
        return set()
    index = {p: k for k, p in enumerate(order)}
    equations, constants = [], []
    for line in all_lines:
        if not any(p in hidden for p in line):
            continue
        row = np.zeros(len(order))
        constant = 0
        for p, sign in [*((c, 1) for c in line[:-1]), (line[-1], -1)]:
            if p in hidden:
                row[index[p]] += sign
            else:
                constant -= sign * values[p]
        equations.append(row)
        constants.append(constant)
    a_eq, b_eq = np.array(equations), np.array(constants)
    found = set()
    for k, p in enumerate(order):
        objective = np.zeros(len(order))
        objective[k] = 1
        kw = {"A_eq": a_eq, "b_eq": b_eq, "bounds": [(1, None)] * len(order), "method": "highs"}
        low, high = linprog(objective, **kw), linprog(-objective, **kw)
        if low.status == 0 and high.status == 0 and round(low.fun) == round(-high.fun):
            found.add(p)
    return found


@functools.lru_cache(maxsize=256)
def _cached_linked(values, n_rows, n_columns, pattern, small) -> frozenset:
    return _linked_positions(dict(values), n_rows, n_columns, dict(pattern), small)


def suppress_linked(
    counts: Mapping, rows: Sequence, columns: Sequence, pattern: Pattern, small: int = SMALL_COUNT
) -> SuppressedTable:
    """`suppress`, with the totals in `pattern` (by position, as in app.statistics) hidden or
    shown as decided for the other tables that have the same figure."""
    n, m = len(rows), len(columns)
    values: dict[tuple[int, int], int] = {}
    for i, row in enumerate(rows):
        for j, column in enumerate(columns):
            values[(i, j)] = int(counts.get((row, column), 0))
        values[(i, m)] = sum(values[(i, j)] for j in range(m))
    for j in range(m + 1):
        values[(n, j)] = sum(values[(i, j)] for i in range(n))
    hidden = _cached_linked(
        tuple(sorted(values.items())), n, m, tuple(sorted(pattern.items())), small
    )

    def figure(p) -> Figure:
        return Figure(values[p], p in hidden)

    return SuppressedTable(
        rows=list(rows),
        columns=list(columns),
        cells={(r, c): figure((i, j)) for i, r in enumerate(rows) for j, c in enumerate(columns)},
        row_totals={r: figure((i, m)) for i, r in enumerate(rows)},
        column_totals={c: figure((n, j)) for j, c in enumerate(columns)},
        grand_total=figure((n, m)),
    )


def margin_pattern(margin: Mapping, keys: Sequence, grand: bool | None = None) -> tuple[dict, bool]:
    """Which of the shared figures `margin` (key -> count, e.g. the whole scope's count per
    category) are hidden, and whether their total is: decided on a table of those figures
    alone, as every table that shows them must show them. `grand` fixes the total's decision
    when it was taken elsewhere. Returns (key -> hidden, total hidden)."""
    n = len(keys)
    table = suppress_linked(
        {(k, "all"): margin.get(k, 0) for k in keys},
        list(keys),
        ["all"],
        {} if grand is None else {(n, 1): grand},
    )
    hidden = {k: table.row_totals[k].hidden for k in keys}
    if any(hidden.values()):
        # All or nothing: once one shared figure is hidden, every non-zero one is, and their
        # total too. A shared figure that stays visible is fixed in every table that has it,
        # and a table that breaks the figures down further can then pin a hidden one (one
        # group's two small counts next to a visible row total and a visible column total);
        # hidden, the figures bound nothing.
        hidden = {k: margin.get(k, 0) > 0 for k in keys}
        return hidden, True if grand is None else grand
    return hidden, table.grand_total.hidden if grand is None else grand


def pattern_for(
    rows: Sequence,
    columns: Sequence,
    row_hidden: Mapping | None,
    column_hidden: Mapping | None,
    grand: bool,
) -> Pattern:
    """The positions decided beforehand in a table of `rows` x `columns` (a row decided as
    None is left to the table)."""
    n, m = len(rows), len(columns)
    pattern: Pattern = {(n, m): grand}
    if row_hidden is not None:
        pattern.update(
            {(i, m): row_hidden[r] for i, r in enumerate(rows) if row_hidden[r] is not None}
        )
    if column_hidden is not None:
        pattern.update({(n, j): column_hidden[c] for j, c in enumerate(columns)})
    return pattern


def _dropouts_per_group(rows: Sequence, counts: Mapping, grand: bool) -> dict:
    """The dropouts per group: the row totals of both dropout tables, decided once."""
    return margin_pattern(_sums(counts, 0), rows, grand)[0]


def _sums(counts: Mapping, axis: int) -> dict:
    out: dict = {}
    for key, n in counts.items():
        out[key[axis]] = out.get(key[axis], 0) + n
    return out


# --- the tables ---------------------------------------------------------------------------


@dataclass
class Rate:
    label: object
    numerator: Hashable  # a column of the table; the denominator is the row total


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

    @property
    def peak(self) -> int:
        """The largest visible row total: the chart's scale (a hidden one would give it away)."""
        return max((f.value for f in self.figures.row_totals.values() if not f.hidden), default=0)

    def rate(self, row, rate: Rate) -> float | None:
        """The rate in percent for a row (None for the totals row's key), or None when its
        numerator or its denominator is hidden (or the denominator is 0)."""
        if row is None:
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


def _count(scope: FigureScope, by: Breakdown, category, *conditions, joins=()) -> dict:
    """{(group, category): count} for the enrolments in scope meeting `conditions`."""
    inner = (
        select(group_column(by).label("grp"), category.label("cat"))
        .select_from(Enrolment)
        .join(Student, Student.id == Enrolment.student_id)
    )
    for target, on in joins:
        inner = inner.outerjoin(target, on)
    inner = inner.where(scope.enrolments(), *conditions).subquery()
    rows = db.session.execute(
        select(inner.c.grp, inner.c.cat, func.count()).group_by(inner.c.grp, inner.c.cat)
    )
    return {(grp, cat): n for grp, cat, n in rows}


class Figures:
    """The dashboard's tables for one scope and breakdown: one statement per table, plus one
    for the programmes and one for the organisations' names."""

    def __init__(self, scope: FigureScope, by: Breakdown, today: date) -> None:
        self.scope, self.by, self.today = scope, by, today
        self.programmes = _programmes()
        self._names: dict[int, str] | None = None
        self._intake: dict[Breakdown, dict] = {}
        self._dropouts: dict[str, dict] = {}

    # Groups and their labels.

    def _organisation_names(self) -> dict[int, str]:
        if self._names is None:
            self._names = dict(db.session.execute(select(Organisation.id, Organisation.name)).all())
        return self._names

    def groups(self, by: Breakdown, keys) -> tuple[list, dict]:
        keys = set(keys)
        if by is Breakdown.AGE:
            order = [b for b in AgeBand if b.value in keys]
            return [b.value for b in order], {b.value: AGE_BAND_LABEL[b] for b in order}
        if by is Breakdown.COHORT:
            ordered = sorted(int(k) for k in keys)
            return ordered, {k: cohort_label(k) for k in ordered}
        if by is Breakdown.PROGRAMME:
            found = {k: self.programmes[k] for k in keys}
            ordered = sorted(found, key=lambda k: found[k].code)
            return ordered, {k: Programme.display_code(found[k].code) for k in ordered}
        names = self._organisation_names()
        named = {k: names.get(k, "") for k in keys if k != NO_EMPLOYER}
        ordered = sorted(named, key=lambda k: named[k])
        row_labels = dict(named)
        if NO_EMPLOYER in keys:
            ordered.append(NO_EMPLOYER)
            row_labels[NO_EMPLOYER] = _l("No training agreement")
        return ordered, row_labels

    def _table(
        self,
        name,
        title,
        description,
        counts,
        columns,
        column_labels,
        rates=(),
        row_hidden=None,
        grand=None,
    ):
        rows, row_labels = self.groups(self.by, {g for g, _ in counts})
        counts = {(_norm(self.by, g), c): n for (g, c), n in counts.items()}
        # The column totals are the whole scope's: the same in every breakdown.
        column_hidden, grand = margin_pattern(_sums(counts, 1), columns, grand)
        if row_hidden is not None:
            row_hidden = row_hidden(rows, counts, grand)
        pattern = pattern_for(rows, columns, row_hidden, column_hidden, grand)
        return Table(
            name=name,
            title=title,
            description=description,
            row_heading=BREAKDOWN_LABEL[self.by],
            rows=rows,
            row_labels=row_labels,
            columns=columns,
            column_labels=column_labels,
            figures=suppress_linked(counts, rows, columns, pattern),
            rates=list(rates),
        )

    # The indicators.

    def _intake_counts(self, across: Breakdown) -> dict:
        """{(cohort, group): enrolments started}; kept for the completion table by cohort."""
        if across not in self._intake:
            inner = (
                select(
                    cohort_column(Enrolment.start_date).label("cohort"),
                    group_column(across).label("grp"),
                )
                .select_from(Enrolment)
                .join(Student, Student.id == Enrolment.student_id)
                .where(self.scope.enrolments(), Enrolment.start_date <= self.today)
                .subquery()
            )
            self._intake[across] = {
                (int(cohort), _norm(across, grp)): n
                for cohort, grp, n in db.session.execute(
                    select(inner.c.cohort, inner.c.grp, func.count()).group_by(
                        inner.c.cohort, inner.c.grp
                    )
                )
            }
        return self._intake[across]

    def _intake_margin(self) -> tuple[dict, bool]:
        """Each cohort's intake and the total intake, hidden or not in every breakdown."""
        intake = _sums(self._intake_counts(Breakdown.PROGRAMME), 0)
        return margin_pattern(intake, sorted(intake))

    def _as_intake(self, rows: Sequence, counts: Mapping, grand: bool) -> dict:
        """By cohort, a cohort whose enrolments are all old enough has the same total in the
        completion table as in the intake table: it is hidden or shown as it is there."""
        intake = _sums(self._intake_counts(Breakdown.PROGRAMME), 0)
        shared, _ = self._intake_margin()
        totals = _sums(counts, 0)
        return {r: shared[r] if totals.get(r, 0) == intake.get(r) else None for r in rows}

    def _completion_total_known(self) -> bool | None:
        """The completion table's total (the same in every breakdown), when the intake tables
        decide it: the same figure as the intake's total when every enrolment is old enough;
        shown when it is the sum of cohort intakes that are shown. None: decided with its
        categories."""
        intake = _sums(self._intake_counts(Breakdown.PROGRAMME), 0)
        intake_hidden, intake_total_hidden = self._intake_margin()
        mature = {
            int(cohort): n
            for (cohort, _), n in _count(
                self.scope, Breakdown.COHORT, literal("all"), _mature(self.programmes, self.today)
            ).items()
        }
        if sum(mature.values()) == sum(intake.values()):
            return intake_total_hidden
        if mature and all(
            intake.get(c) == n and not intake_hidden.get(c, True) for c, n in mature.items()
        ):
            return False
        return None

    def intake(self) -> Table:
        """Enrolments started, per cohort (rows) and the breakdown's groups (columns); by
        cohort, the columns are the programmes."""
        across = Breakdown.PROGRAMME if self.by is Breakdown.COHORT else self.by
        raw = self._intake_counts(across)
        cohorts = sorted({c for c, _ in raw})
        cohort_hidden, grand = self._intake_margin()
        columns, column_labels = self.groups(across, {g for _, g in raw})
        return Table(
            name="intake",
            title=_l("Intake"),
            description=_l(
                "Enrolments started in each cohort (start term), by %(by)s.",
                by=str(BREAKDOWN_LABEL[across]).lower(),
            ),
            row_heading=BREAKDOWN_LABEL[Breakdown.COHORT],
            rows=cohorts,
            row_labels={c: cohort_label(c) for c in cohorts},
            columns=columns,
            column_labels=column_labels,
            # The cohort totals are the same in every breakdown.
            figures=suppress_linked(
                raw,
                cohorts,
                columns,
                pattern_for(cohorts, columns, cohort_hidden, None, grand),
            ),
        )

    def completion(self) -> Table:
        outcome = case(
            (Enrolment.status == StudentStatus.COMPLETED, "completed"),
            (Enrolment.status == StudentStatus.DROPPED_OUT, "dropped_out"),
            (Enrolment.status == StudentStatus.TRANSFERRED, "transferred"),
            else_="enrolled",
        )
        counts = _count(self.scope, self.by, outcome, _mature(self.programmes, self.today))
        grand = self._completion_total_known()
        return self._table(
            "completion",
            _l("Completion and dropout"),
            _l(
                "Enrolments old enough to have finished (started at least the programme's "
                "length plus one year ago), by where they stand now. The rates are of the "
                "enrolments started."
            ),
            counts,
            list(OUTCOME_LABEL),
            OUTCOME_LABEL,
            rates=[
                Rate(_l("Completion rate"), "completed"),
                Rate(_l("Dropout rate"), "dropped_out"),
            ],
            row_hidden=self._as_intake if self.by is Breakdown.COHORT else None,
            grand=grand,
        )

    def _dropout_counts(self) -> dict:
        if "places" not in self._dropouts:
            period = aliased(Period)
            self._dropouts["places"] = _count(
                self.scope,
                self.by,
                dropout_place_column(period),
                Enrolment.status == StudentStatus.DROPPED_OUT,
                joins=[(period, period.id == Enrolment.dropout_period_id)],
            )
        return self._dropouts["places"]

    def _reason_counts(self) -> dict:
        if "reasons" not in self._dropouts:
            self._dropouts["reasons"] = _count(
                self.scope,
                self.by,
                # As a plain string: "none" is no DropoutReason; the enum type would refuse it.
                func.coalesce(type_coerce(Enrolment.dropout_reason, String(32)), "none"),
                Enrolment.status == StudentStatus.DROPPED_OUT,
            )
        return self._dropouts["reasons"]

    def _dropouts_hidden(self) -> bool:
        """The number of dropouts is in both dropout tables: hidden in both if either's
        categories need it hidden."""
        places, reasons = _sums(self._dropout_counts(), 1), _sums(self._reason_counts(), 1)
        return (
            margin_pattern(places, list(DROPOUT_PLACE_LABEL))[1]
            or margin_pattern(reasons, REASON_COLUMNS)[1]
        )

    def dropout(self) -> Table:
        counts = self._dropout_counts()
        return self._table(
            "dropout",
            _l("Where in the journey students drop out"),
            _l(
                "Enrolments ended by a dropout, by the period it happened in, or at a "
                "transition between periods. Transferred students are not dropouts."
            ),
            counts,
            list(DROPOUT_PLACE_LABEL),
            DROPOUT_PLACE_LABEL,
            row_hidden=_dropouts_per_group,
            grand=self._dropouts_hidden(),
        )

    def reasons(self) -> Table:
        counts = self._reason_counts()
        columns = REASON_COLUMNS
        column_labels = {r.value: labels.DROPOUT_REASON[r] for r in DropoutReason}
        column_labels["none"] = _l("Reason not recorded")
        return self._table(
            "reasons",
            _l("Dropout reasons"),
            _l("Enrolments ended by a dropout, by the reason recorded."),
            counts,
            columns,
            column_labels,
            row_hidden=_dropouts_per_group,
            grand=self._dropouts_hidden(),
        )

    def handover(self) -> Table:
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
            select(group_column(self.by).label("grp"), timeliness.label("cat"))
            .select_from(Period)
            .join(Enrolment, Enrolment.id == Period.enrolment_id)
            .join(Student, Student.id == Enrolment.student_id)
            .join(previous, previous.id == previous_id)
            .outerjoin(HandoverNote, HandoverNote.to_period_id == Period.id)
            .where(
                self.scope.enrolments(),
                Period.start_date > self.today - HANDOVER_WINDOW,
                Period.start_date <= self.today,
                # Not a period that starts after its enrolment ended (never_held).
                or_(Enrolment.end_date.is_(None), Enrolment.end_date >= Period.start_date),
                changed_place(previous, Period),
            )
            .subquery()
        )
        counts = {
            (grp, cat): n
            for grp, cat, n in db.session.execute(
                select(inner.c.grp, inner.c.cat, func.count()).group_by(inner.c.grp, inner.c.cat)
            )
        }
        return self._table(
            "handover",
            _l("Handover notes at transitions"),
            _l(
                "Transitions to a new place in the last twelve months (the new period started), "
                "by whether the handover note was sent and acknowledged before the start day."
            ),
            counts,
            list(HANDOVER_LABEL),
            HANDOVER_LABEL,
            rates=[Rate(_l("Acknowledged in time"), "acknowledged")],
        )

    def tables(self) -> dict[str, Table]:
        return {name: getattr(self, name)() for name in TABLES}


REASON_COLUMNS = [r.value for r in DropoutReason] + ["none"]
TABLES = ("intake", "completion", "dropout", "reasons", "handover")


def _norm(by: Breakdown, group):
    """A group key as the tables use it (the cohort as an int: PostgreSQL returns numbers from
    arithmetic on EXTRACT as Decimal)."""
    if by is Breakdown.COHORT:
        return int(group)
    return group
