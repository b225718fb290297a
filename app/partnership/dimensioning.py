"""The partnership's dimensioning (dimensionering): per member employer and year, the agreed
number of SSA and SSH training agreements, the agreements actually made, the gap between the
two, and the qualified GF2 completers still waiting for an agreement (docs/indicators.md,
"Dimensionering").

Every figure is computed by GROUP BY in the database, in a fixed number of statements (the
agreed numbers, the agreements made, the waiting students), however many students there are;
no student row is loaded into Python. The statements are the same on SQLite and PostgreSQL.

Agreed places and agreements made are figures about places, not persons, and are shown as they
are. The waiting count is about persons: it goes through `app.statistics.suppress` (1-4 hidden,
and whatever would give them away, the total included).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from app import audit
from app.editing import StaleEdit
from app.extensions import db
from app.models import (
    AgreedPlaces,
    AgreementKind,
    AuditAction,
    Enrolment,
    Organisation,
    Partnership,
    PlaceKind,
    Programme,
    ProgrammeLevel,
    StudentStatus,
    TrainingAgreement,
    User,
)
from app.statistics import Figure, suppress

# The row of waiting students whose last agreement (if any) is not with a member employer.
UNATTRIBUTED = -1
WAITING = "waiting"
BASIC_COURSE = "GF2"  # the basic course whose qualified completers the employers must hire


def employers(partnership: Partnership) -> list[Organisation]:
    """The member municipalities and regions, by name: the rows of the dimensioning."""
    return [m for m in partnership.members if m.kind.is_employer]


def _year_range(column, year: int):
    return and_(column >= date(year, 1, 1), column < date(year + 1, 1, 1))


# --- the three statements -----------------------------------------------------------------------


def agreed_places(partnership_id: int, year: int) -> dict[tuple[int, PlaceKind], int]:
    """The agreed numbers entered for `year`, by (organisation id, kind)."""
    rows = db.session.execute(
        select(AgreedPlaces.organisation_id, AgreedPlaces.kind, AgreedPlaces.agreed).where(
            AgreedPlaces.partnership_id == partnership_id, AgreedPlaces.year == year
        )
    ).all()
    return {(org_id, kind): agreed for org_id, kind, agreed in rows}


def agreement_programme():
    """The programme code of a training agreement: that of the student's first-starting
    main-course enrolment whose dates overlap the agreement's (None when there is none)."""
    return (
        select(Programme.code)
        .join(Enrolment, Enrolment.programme_id == Programme.id)
        .where(
            Enrolment.student_id == TrainingAgreement.student_id,
            Programme.level == ProgrammeLevel.MAIN,
            or_(
                TrainingAgreement.end_date.is_(None),
                Enrolment.start_date <= TrainingAgreement.end_date,
            ),
            or_(Enrolment.end_date.is_(None), Enrolment.end_date >= TrainingAgreement.start_date),
        )
        .order_by(Enrolment.start_date, Enrolment.id)
        .limit(1)
        .correlate(TrainingAgreement)
        .scalar_subquery()
    )


def agreements_made(employer_ids: Iterable[int], year: int) -> dict[tuple[int, PlaceKind], int]:
    """Training agreements (kind "uddannelsesaftale") with each employer that start in `year`,
    by (employer id, SSA/SSH), the programme being the overlapping main-course enrolment's."""
    ids = list(employer_ids) or [-1]
    made = (
        select(
            TrainingAgreement.employer_id.label("employer_id"),
            agreement_programme().label("code"),
        )
        .where(
            TrainingAgreement.kind == AgreementKind.TRAINING,
            TrainingAgreement.employer_id.in_(ids),
            _year_range(TrainingAgreement.start_date, year),
        )
        .subquery()
    )
    rows = db.session.execute(
        select(made.c.employer_id, made.c.code, func.count())
        .where(made.c.code.in_([k.value for k in PlaceKind]))
        .group_by(made.c.employer_id, made.c.code)
    ).all()
    return {(employer_id, PlaceKind(code)): n for employer_id, code, n in rows}


def waiting_students(
    school_ids: Iterable[int], employer_ids: Iterable[int], year: int
) -> dict[int, int]:
    """Qualified GF2 completers of `year` at the member schools who have not gone on, by the
    member employer they are attributed to (UNATTRIBUTED for the rest):

    - a GF2 enrolment at a member school, status completed, qualified, ended in `year`;
    - no later main-course enrolment of the student (any main programme, started on or after
      the GF2 started), and no training agreement in force after the GF2's last day;
    - attributed to the employer of the student's latest-starting agreement of any kind
      (typically an ansættelsesforløb or an adult's agreement from GF2), if that employer is a
      member; otherwise, and when the student has no agreement at all, UNATTRIBUTED.

    Counted once per student (count distinct)."""
    gf2 = aliased(Enrolment)
    later = aliased(Enrolment)
    later_programme = aliased(Programme)
    agreement = aliased(TrainingAgreement)
    last = aliased(TrainingAgreement)
    members = list(employer_ids) or [-1]
    went_on = exists(
        select(later.id)
        .join(later_programme, later_programme.id == later.programme_id)
        .where(
            later.student_id == gf2.student_id,
            later.id != gf2.id,
            later.start_date >= gf2.start_date,
            later_programme.level == ProgrammeLevel.MAIN,
        )
    )
    has_agreement = exists(
        select(agreement.id).where(
            agreement.student_id == gf2.student_id,
            agreement.kind == AgreementKind.TRAINING,
            or_(agreement.end_date.is_(None), agreement.end_date > gf2.end_date),
        )
    )
    last_employer = (
        select(last.employer_id)
        .where(last.student_id == gf2.student_id)
        .order_by(last.start_date.desc(), last.id.desc())
        .limit(1)
        .correlate(gf2)
        .scalar_subquery()
    )
    waiting = (
        select(gf2.student_id.label("student_id"), last_employer.label("employer_id"))
        .join(Programme, Programme.id == gf2.programme_id)
        .where(
            Programme.code == BASIC_COURSE,
            gf2.school_id.in_(list(school_ids) or [-1]),
            gf2.status == StudentStatus.COMPLETED,
            gf2.qualified.is_(True),
            _year_range(gf2.end_date, year),
            ~went_on,
            ~has_agreement,
        )
        .subquery()
    )
    # The group is a column of a subquery, so that GROUP BY names it rather than repeating an
    # expression with its own parameters (PostgreSQL would not see the two as the same).
    grouped = select(
        waiting.c.student_id,
        case((waiting.c.employer_id.in_(members), waiting.c.employer_id), else_=UNATTRIBUTED).label(
            "employer_id"
        ),
    ).subquery()
    rows = db.session.execute(
        select(grouped.c.employer_id, func.count(grouped.c.student_id.distinct())).group_by(
            grouped.c.employer_id
        )
    ).all()
    return {int(employer_id): n for employer_id, n in rows}


# --- the table ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One row of the table: a member employer (None: the waiting students not attributed to
    one, a row without places) with its agreed places (None: not entered), agreements made
    and waiting students."""

    organisation: Organisation | None
    agreed: Mapping[PlaceKind, int | None]
    made: Mapping[PlaceKind, int | None]
    waiting: Figure

    def gap(self, kind: PlaceKind) -> int | None:
        """Agreed minus made; negative when more were made than agreed."""
        agreed, made = self.agreed[kind], self.made[kind]
        return None if agreed is None or made is None else agreed - made


@dataclass(frozen=True)
class Dimensioning:
    year: int
    lines: list[Line]  # the member employers by name, then the unattributed row
    total: Line  # agreed: the sum of the numbers entered (None if none is)


def dimensioning(partnership: Partnership, year: int) -> Dimensioning:
    """The partnership's dimensioning table for `year` (three statements)."""
    rows = employers(partnership)
    ids = [o.id for o in rows]
    schools = [m.id for m in partnership.members if not m.kind.is_employer]
    agreed = agreed_places(partnership.id, year)
    made = agreements_made(ids, year)
    waiting = waiting_students(schools, ids, year)
    keys = [*ids, UNATTRIBUTED]
    table = suppress({(k, WAITING): waiting.get(k, 0) for k in keys}, keys, [WAITING])

    lines = [
        Line(
            organisation=o,
            agreed={k: agreed.get((o.id, k)) for k in PlaceKind},
            made={k: made.get((o.id, k), 0) for k in PlaceKind},
            waiting=table.cell(o.id, WAITING),
        )
        for o in rows
    ]
    lines.append(
        Line(
            organisation=None,
            agreed=dict.fromkeys(PlaceKind),
            made=dict.fromkeys(PlaceKind),
            waiting=table.cell(UNATTRIBUTED, WAITING),
        )
    )

    def total_agreed(kind: PlaceKind) -> int | None:
        entered = [line.agreed[kind] for line in lines if line.agreed[kind] is not None]
        return sum(entered) if entered else None

    total = Line(
        organisation=None,
        agreed={k: total_agreed(k) for k in PlaceKind},
        made={k: sum(line.made[k] or 0 for line in lines) for k in PlaceKind},
        waiting=table.column_totals[WAITING],
    )
    return Dimensioning(year=year, lines=lines, total=total)


# --- entering the agreed numbers ----------------------------------------------------------------


def fingerprint(agreed: Mapping[tuple[int, PlaceKind], int]) -> str:
    """A short digest of a year's stored numbers, carried by the form to notice a change made
    by someone else between opening the form and saving it."""
    text = ";".join(f"{o}:{k.value}:{n}" for (o, k), n in sorted(agreed.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def save_agreed(
    partnership: Partnership,
    year: int,
    values: Mapping[tuple[int, PlaceKind], int | None],
    user: User,
    seen: str | None = None,
) -> int:
    """Store the agreed numbers of `year` for the member employers (None: none agreed, the row
    goes). Each change is attributed on the row and written to the audit log (object
    `agreed_places`, criterion `<year> <kind> <organisation code>: <old>-><new>`). Returns the
    number of changes; the caller commits.

    Given `seen` (the `fingerprint` of the numbers the form was opened with), a save after
    someone else changed them raises StaleEdit, as does a row created meanwhile."""
    existing = {
        (row.organisation_id, row.kind): row
        for row in db.session.execute(
            select(AgreedPlaces).where(
                AgreedPlaces.partnership_id == partnership.id, AgreedPlaces.year == year
            )
        ).scalars()
    }
    if seen is not None and seen != fingerprint({k: r.agreed for k, r in existing.items()}):
        raise StaleEdit()
    changes = 0
    for organisation in employers(partnership):
        for kind in PlaceKind:
            key = (organisation.id, kind)
            if key not in values:
                continue
            new, row = values[key], existing.get(key)
            old = row.agreed if row is not None else None
            if new == old:
                continue
            criterion = f"{year} {kind.value} {organisation.code}: {_text(old)}->{_text(new)}"
            if row is None:
                row = AgreedPlaces(
                    partnership_id=partnership.id,
                    organisation_id=organisation.id,
                    year=year,
                    kind=kind,
                    agreed=new,
                    updated_by_id=user.id,
                )
                db.session.add(row)
                try:
                    db.session.flush()
                except IntegrityError as error:  # the same row, saved by someone meanwhile
                    raise StaleEdit() from error
                audit.record(AuditAction.CREATE, obj=row, criterion=criterion, user=user)
            elif new is None:
                audit.record(AuditAction.DELETE, obj=row, criterion=criterion, user=user)
                db.session.delete(row)
            else:
                row.agreed = new
                row.updated_by_id = user.id
                audit.record(AuditAction.UPDATE, obj=row, criterion=criterion, user=user)
            changes += 1
    db.session.flush()
    return changes


def _text(value: int | None) -> str:
    return "-" if value is None else str(value)


# --- demo data ---------------------------------------------------------------------------------


def seed_demo(partnership: Partnership, user: User, today: date) -> None:
    """Agreed numbers for the demo partnership, last year and this year: near the agreements
    actually made, some above and some below, so the gap shows both ways."""
    for year in (today.year - 1, today.year):
        made = agreements_made((o.id for o in employers(partnership)), year)
        values = {}
        for n, organisation in enumerate(employers(partnership)):
            for k, kind in enumerate(PlaceKind):
                values[(organisation.id, kind)] = max(
                    0, made.get((organisation.id, kind), 0) + (n + k + year) % 5 - 2
                )
        save_agreed(partnership, year, values, user)
