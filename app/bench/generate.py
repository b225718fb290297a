"""A region's worth of fictional data for the benchmark: `flask regional-data`.

4 schools, 22 municipalities and the region, and (by default) 50,000 students over five yearly
cohorts, each with a plan, an agreement, handover notes at every transition, training records,
notes and, for some, support: about 40 case-file lines per student, 2,000,000 in all.

More students than a region holds (`--students 150000`, the whole country's worth) fill further
regions of the same shape, each with its own schools, municipalities, workplaces and staff: a
country grows by regions and schools, not by one school's counsellor seeing three times the
students. The first region is the same in every size, so a page's time can be compared
across sizes for the same users.

Rows are built as plain dicts with their ids assigned here and written with bulk INSERTs in
batches, so the whole region loads in a few minutes. Everything is fictional and repeatable
(a fixed seed).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

from sqlalchemy import func, insert, select, text

from app import demo_data
from app.extensions import db
from app.journey.services import plan_from_template
from app.models import (
    SPS_TYPES,
    AgreementKind,
    CaseEvent,
    CaseEventKind,
    CaseNote,
    Consent,
    ConsentCategory,
    ConsentChannel,
    Enrolment,
    GoalAssessment,
    GoalLevel,
    HandoverNote,
    MeasureProvider,
    MeasureStatus,
    MeasureType,
    Membership,
    NoteCategory,
    NoteVisibility,
    Organisation,
    OrganisationKind,
    Period,
    PeriodKind,
    Programme,
    Student,
    StudentSearchTerm,
    StudentStatus,
    SupportCategory,
    SupportMeasure,
    SupportNeed,
    TemplatePeriod,
    TrainingAgreement,
    TrainingExperience,
    TrainingGoal,
    User,
    Workplace,
)
from app.models.base import today as base_today
from app.models.student import search_terms
from app.support.consent_text import CONSENT_TEXT_VERSION

BATCH = 5000
COHORTS = 5
REGION_STUDENTS = 50_000  # students per region; more fill copies of the region (_Region)
Progress = Callable[[int], None]

_NOTES = (
    "Samtale med eleven om trivsel og fremmøde.",
    "Eleven har fået hjælp til at planlægge læsning til eksamen.",
    "Aftalt opfølgning med kontaktlæreren om to uger.",
    "Eleven fortæller, at skiftet til oplæring går godt.",
    "Kort status efter telefonsamtale med oplæringsvejlederen.",
    "Eleven ønsker at tale om økonomi og bolig; henvist til studievejledningen.",
)
_EXPERIENCES = (
    ("Hjalp en borger med morgenpleje og forflytning.", "Brug af lift."),
    ("Deltog i et møde med pårørende.", "At lytte og spørge ind."),
    ("Dokumenterede observationer i journalen.", "Præcis dokumentation."),
    ("Gav medicin under supervision.", "Dobbeltkontrol."),
)
_SUPPORT = (
    ("dyslexia", MeasureType.IT_PACKAGE, "Bærbar med AppWriter."),
    ("dyscalculia", MeasureType.SPS_STUDY_SUPPORT, "Studiestøttetimer i medicinregning."),
    ("adhd", MeasureType.MENTOR, "Mentor hver anden uge."),
    ("danish_second_language", MeasureType.LANGUAGE_SUPPORT, "Sprogstøtte to timer om ugen."),
)
MODELS = (
    Student,
    Enrolment,
    StudentSearchTerm,
    TrainingAgreement,
    Period,
    HandoverNote,
    CaseNote,
    TrainingExperience,
    GoalAssessment,
    SupportNeed,
    SupportMeasure,
    Consent,
    CaseEvent,
)


def _set_values(obj) -> dict:
    """The column values set on a new (not yet added) model object."""
    return {key: value for key, value in vars(obj).items() if not key.startswith("_")}


class _Rows:
    """Rows waiting to be written, per model, with the next id of each table."""

    def __init__(self) -> None:
        self.rows: dict[type, list[dict]] = {model: [] for model in MODELS}
        self.next_id = {
            model: (db.session.execute(select(func.max(model.id))).scalar() or 0) + 1
            for model in MODELS
            if hasattr(model, "id")
        }

    def add(self, model: type, **values) -> int:
        row_id = self.next_id[model]
        self.next_id[model] += 1
        values["id"] = row_id
        self.rows[model].append(values)
        return row_id

    def add_plain(self, model: type, **values) -> None:
        """A row of a table without an id of its own."""
        self.rows[model].append(values)

    def count(self) -> int:
        return sum(len(rows) for rows in self.rows.values())

    def flush(self) -> int:
        written = 0
        for model in MODELS:  # parents before children
            rows = self.rows[model]
            for start in range(0, len(rows), BATCH):
                db.session.execute(insert(model), rows[start : start + BATCH])
            written += len(rows)
            rows.clear()
        db.session.commit()
        return written


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def generate(students: int = 50_000, seed: int = 2027, progress: Progress | None = None) -> dict:
    """Load the region into an empty database. Returns what was created."""
    rng = random.Random(seed)  # noqa: S311 - repeatable fictional data, not security
    today = base_today()
    demo_data.load(students=0, seed=seed, today=today)
    staff = _staff()
    programmes = {
        p.code: p for p in db.session.execute(select(Programme)).scalars() if p.code != "TEST"
    }
    templates = {
        code: list(
            db.session.execute(
                select(TemplatePeriod)
                .where(TemplatePeriod.programme_id == p.id)
                .order_by(TemplatePeriod.position)
            ).scalars()
        )
        for code, p in programmes.items()
    }
    goals = {
        code: list(
            db.session.execute(
                select(TrainingGoal.id).where(TrainingGoal.programme_id == p.id)
            ).scalars()
        )
        for code, p in programmes.items()
    }
    categories = {c.code: c for c in db.session.execute(select(SupportCategory)).scalars()}
    schools = {
        o.code: o
        for o in db.session.execute(
            select(Organisation).where(Organisation.kind == OrganisationKind.SCHOOL)
        ).scalars()
    }
    employers = {
        o.code: o
        for o in db.session.execute(
            select(Organisation).where(Organisation.kind != OrganisationKind.SCHOOL)
        ).scalars()
    }
    workplaces: dict[int, list[Workplace]] = {}
    for w in db.session.execute(select(Workplace)).scalars():
        workplaces.setdefault(w.organisation_id, []).append(w)
    served = {code: codes for code, _name, codes in demo_data.SCHOOLS}
    regions = [_Region(schools, employers, staff)]
    for k in range(1, -(-students // REGION_STUDENTS)):
        regions.append(regions[0].copy(k + 1, workplaces))

    rows = _Rows()
    written = 0
    for n in range(1, students + 1):
        region = regions[(n - 1) // REGION_STUDENTS]
        school_code = rng.choices(list(served), weights=[40, 20, 20, 20])[0]
        if n == 1:
            school_code = "SOSU-FYN"  # the demo counsellor's school
        school = region.schools[school_code]
        employer = region.employers[rng.choice(served[school_code])]
        code = demo_data._weighted(rng, demo_data.PROGRAMME_MIX)
        _student(
            rows,
            rng,
            n,
            today,
            school,
            employer,
            programmes[code],
            templates[code],
            goals[code],
            workplaces,
            categories,
            region.staff,
        )
        if rows.count() >= 50_000 or n == students:
            written += rows.flush()
            if progress:
                progress(n)
    lines = db.session.execute(select(func.count(CaseEvent.id))).scalar_one()
    _advance_sequences()
    _analyze()
    return {"students": students, "rows": written, "case_file_lines": lines}


class _Region:
    """A region's schools and municipalities (the region's own organisation among the latter),
    by code, and the staff who act in its cases."""

    def __init__(
        self,
        schools: dict[str, Organisation],
        employers: dict[str, Organisation],
        staff: dict[str, User],
    ) -> None:
        self.schools, self.employers, self.staff = schools, employers, staff

    def copy(self, number: int, workplaces: dict[int, list[Workplace]]) -> _Region:
        """Region `number` (2, 3, ...): fictional organisations of the same shape, named and
        coded after this one's with the region's number, each with a copy of its workplaces
        (added to `workplaces`), and a copy of each staff member with the same roles there."""
        orgs: dict[int, Organisation] = {}
        places: dict[int, Workplace] = {}
        for org in [*self.schools.values(), *self.employers.values()]:
            twin = Organisation(
                kind=org.kind, name=f"{org.name} (region {number})", code=f"{org.code}-R{number}"
            )
            orgs[org.id] = twin
            for place in workplaces.get(org.id, []):
                places[place.id] = Workplace(
                    organisation=twin, kind=place.kind, name=place.name, address=place.address
                )
        db.session.add_all([*orgs.values(), *places.values()])
        staff = {}
        for duty, user in self.staff.items():
            local, _at, domain = user.email.partition("@")
            twin = User(
                email=f"{local}.region{number}@{domain}",
                name=f"{user.name} (region {number})",
                password_hash=user.password_hash,
            )
            twin.memberships = [
                Membership(
                    role=m.role,
                    organisation=orgs.get(m.organisation_id),
                    workplace=places.get(m.workplace_id),
                )
                for m in user.memberships
            ]
            db.session.add(twin)
            staff[duty] = twin
        db.session.flush()
        for place in places.values():
            workplaces.setdefault(place.organisation_id, []).append(place)
        return _Region(
            {code: orgs[org.id] for code, org in self.schools.items()},
            {code: orgs[org.id] for code, org in self.employers.items()},
            staff,
        )


def _advance_sequences() -> None:
    """The rows were written with their ids (`_Rows`), which PostgreSQL's id sequences do not
    see: move each past the table's highest id, so that the app's own inserts afterwards (the
    benchmark's import, a user's first new record) do not collide with them. SQLite takes the
    next id from the table itself."""
    if db.engine.dialect.name != "postgresql":
        return
    for model in MODELS:
        if hasattr(model, "id"):
            highest = select(func.coalesce(func.max(model.id), 0) + 1).scalar_subquery()
            sequence = func.pg_get_serial_sequence(model.__table__.name, "id")
            db.session.execute(select(func.setval(sequence, highest, False)))
    db.session.commit()


def _analyze() -> None:
    """Fresh statistics for the query planner, as a running database keeps them (PostgreSQL's
    autovacuum; `PRAGMA optimize` on SQLite): without them the planners guess after a bulk load."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def _staff() -> dict[str, User]:
    """The demo users who act in the generated cases (their logins are the demo logins)."""
    by_email = {u.email: u for u in db.session.execute(select(User)).scalars()}
    return {
        "counsellor": by_email["vejleder@demo.elevsag.dk"],
        "teacher": by_email["laerer@demo.elevsag.dk"],
        "coordinator": by_email["koordinator@demo.elevsag.dk"],
        "supervisor": by_email["oplaeringsvejleder@demo.elevsag.dk"],
    }


def _student(
    rows,
    rng,
    n,
    today,
    school,
    employer,
    programme,
    templates,
    goal_ids,
    workplaces,
    categories,
    staff,
) -> None:
    cohort = rng.randrange(COHORTS)
    start = date(today.year - COHORTS + 1 + cohort, 8, 1) + timedelta(days=rng.randint(0, 200))
    start -= timedelta(days=start.weekday())
    first, last = rng.choice(demo_data.FIRST_NAMES), rng.choice(demo_data.LAST_NAMES)
    counsellor, teacher = staff["counsellor"], staff["teacher"]
    supervisor, coordinator = staff["supervisor"], staff["coordinator"]
    plan_end = start + timedelta(weeks=sum(t.weeks for t in templates)) - timedelta(days=1)
    number = f"R{start.year}-{n:06d}"
    status = StudentStatus.COMPLETED if plan_end < today else StudentStatus.ACTIVE
    student_id = rows.add(
        Student,
        student_number=number,
        first_name=first,
        last_name=last,
        email=f"elev{n}@regional.example",
        school_id=school.id,
        programme_id=programme.id,
        status=status,
        start_date=start,
    )
    enrolment = Enrolment(
        student_id=student_id,
        programme_id=programme.id,
        school_id=school.id,
        start_date=start,
        end_date=plan_end if status == StudentStatus.COMPLETED else None,
        status=status,
    )
    enrolment.id = rows.add(Enrolment, **_set_values(enrolment))
    for term in search_terms(first, last, number):
        rows.add_plain(StudentSearchTerm, term=term, student_id=student_id)
    events = []

    def event(day, kind, user, org, data_category=None, period_id=None, note_id=None, **details):
        events.append(
            {
                "student_id": student_id,
                "at": _at(min(day, today), 8 + len(events) % 9),
                "user_id": user.id,
                "kind": kind,
                "details": details,
                "data_category": data_category,
                "organisation_id": org.id,
                "period_id": period_id,
                "note_id": note_id,
            }
        )

    event(start - timedelta(days=30), CaseEventKind.STUDENT_CREATED, counsellor, school)
    periods = []
    # The plan is laid out as the app lays it out (journey.services), then written as rows.
    for t in plan_from_template(enrolment, templates, start, today):
        workplace = rng.choice(workplaces[employer.id]) if t.kind == PeriodKind.TRAINING else None
        period_id = rows.add(
            Period,
            **_set_values(t),
            workplace_id=workplace.id if workplace else None,
        )
        periods.append((period_id, t, t.start_date, t.end_date, workplace))
    event(
        start - timedelta(days=20),
        CaseEventKind.PLAN_CREATED,
        counsellor,
        school,
        start=start.isoformat(),
        periods=len(periods),
    )
    if programme.level.value == "main":
        rows.add(
            TrainingAgreement,
            student_id=student_id,
            employer_id=employer.id,
            kind=AgreementKind.TRAINING,
            start_date=start,
            end_date=plan_end,
        )
        event(
            start - timedelta(days=25),
            CaseEventKind.AGREEMENT_CREATED,
            coordinator,
            employer,
            employer=employer.name,
            start=start.isoformat(),
        )
    for (prev_id, prev_t, *_), (to_id, to_t, to_start, *_) in pairwise(periods):
        if to_start - timedelta(days=14) > today or prev_t.kind == to_t.kind:
            continue
        sender = teacher if prev_t.kind == PeriodKind.SCHOOL else supervisor
        sender_org = school if prev_t.kind == PeriodKind.SCHOOL else employer
        receiver = supervisor if to_t.kind == PeriodKind.TRAINING else teacher
        acknowledged = to_start <= today
        rows.add(
            HandoverNote,
            student_id=student_id,
            from_period_id=prev_id,
            to_period_id=to_id,
            strengths="Mødestabil og nysgerrig.",
            challenges="Skriftlig dokumentation.",
            first_weeks="Fast kollega de første to uger.",
            contact_person="Kontaktperson, tlf. 70 10 20 30",
            author_id=sender.id,
            author_organisation_id=sender_org.id,
            written_at=_at(to_start - timedelta(days=12)),
            acknowledged_by_id=receiver.id if acknowledged else None,
            acknowledged_at=_at(to_start - timedelta(days=5)) if acknowledged else None,
        )
        event(
            to_start - timedelta(days=12),
            CaseEventKind.HANDOVER_WRITTEN,
            sender,
            sender_org,
            period_id=to_id,
            period=to_t.title,
        )
        if acknowledged:
            event(
                to_start - timedelta(days=5),
                CaseEventKind.HANDOVER_ACKNOWLEDGED,
                receiver,
                employer if receiver is supervisor else school,
                period_id=to_id,
                period=to_t.title,
            )
    for period_id, t, p_start, p_end, _wp in periods:
        if t.kind != PeriodKind.TRAINING or p_start > today:
            continue
        last_day = min(p_end, today)
        for k in range(6):
            day = p_start + (last_day - p_start) * (k + 1) / 7
            text, learned = _EXPERIENCES[k % len(_EXPERIENCES)]
            rows.add(
                TrainingExperience,
                period_id=period_id,
                student_id=student_id,
                on_date=day,
                category="professional",
                what_happened=text,
                learned=learned,
                concern=rng.random() < 0.03,
                author_id=supervisor.id,
                created_at=_at(day),
            )
            event(
                day,
                CaseEventKind.EXPERIENCE_RECORDED,
                supervisor,
                employer,
                period_id=period_id,
                period=t.title,
            )
        for goal_id in goal_ids[:8]:
            rows.add(
                GoalAssessment,
                period_id=period_id,
                goal_id=goal_id,
                level=rng.choice([GoalLevel.BEGINNER, GoalLevel.ROUTINED]),
                assessed_on=last_day,
                assessed_by_id=supervisor.id,
            )
        event(
            last_day,
            CaseEventKind.GOALS_ASSESSED,
            supervisor,
            employer,
            period_id=period_id,
            period=t.title,
            count=8,
        )
        event(
            p_start + timedelta(days=3),
            CaseEventKind.LEARNING_AGREEMENT_SAVED,
            supervisor,
            employer,
            period_id=period_id,
            period=t.title,
        )
    for k in range(max(0, min(16 + (n % 5), 52 - len(events)))):
        day = start + timedelta(days=12 * k + rng.randint(0, 10))
        if day > today:
            break
        note_id = rows.add(
            CaseNote,
            student_id=student_id,
            author_id=counsellor.id,
            organisation_id=school.id,
            visibility=NoteVisibility.SHARED if k % 3 else NoteVisibility.OWN,
            category=NoteCategory.GENERAL,
            body=f"<p>{_NOTES[(n + k) % len(_NOTES)]}</p>",
            created_at=_at(day),
            updated_at=_at(day),
        )
        events.append(
            {
                "student_id": student_id,
                "at": _at(day, 13),
                "user_id": counsellor.id,
                "kind": CaseEventKind.NOTE_WRITTEN,
                "details": {"category": "general"},
                "organisation_id": school.id,
                "note_id": note_id,
                "restricted_to_id": None if k % 3 else school.id,
            }
        )
    if n == 1:  # one long case: its case file has 2,000 more lines (the PDF benchmark)
        for k in range(2000):
            moment = min(_at(start) + timedelta(hours=12 * k), _at(today, 7))
            note_id = rows.add(
                CaseNote,
                student_id=student_id,
                author_id=counsellor.id,
                organisation_id=school.id,
                visibility=NoteVisibility.SHARED,
                category=NoteCategory.GENERAL,
                body=f"<p>{_NOTES[k % len(_NOTES)]} ({k + 1})</p>",
                created_at=moment,
                updated_at=moment,
            )
            events.append(
                {
                    "student_id": student_id,
                    "at": moment,
                    "user_id": counsellor.id,
                    "kind": CaseEventKind.NOTE_WRITTEN,
                    "details": {"category": "general"},
                    "organisation_id": school.id,
                    "note_id": note_id,
                }
            )
    if rng.random() < 0.2 and start < today:
        code, kind, text = rng.choice(_SUPPORT)
        category = categories[code]
        flagged = start + timedelta(days=30)
        need_id = rows.add(
            SupportNeed,
            student_id=student_id,
            category_id=category.id,
            description=text,
            flagged_by_id=counsellor.id,
            flagged_at=_at(flagged),
        )
        rows.add(
            SupportMeasure,
            student_id=student_id,
            need_id=need_id,
            type=kind,
            provider=MeasureProvider.SCHOOL,
            description=text,
            start_date=flagged + timedelta(days=14),
            owner_id=counsellor.id,
            created_by_id=counsellor.id,
            next_follow_up=today + timedelta(days=rng.randint(-10, 60)),
            status=MeasureStatus.ACTIVE,
        )
        consent_category = (
            ConsentCategory.SPS if kind in SPS_TYPES else (ConsentCategory.SUPPORT_NEEDS)
        )
        if rng.random() < 0.5:
            rows.add(
                Consent,
                student_id=student_id,
                category=consent_category,
                recipient_id=employer.id,
                valid_from=flagged,
                channel=ConsentChannel.PAPER,
                text_version=CONSENT_TEXT_VERSION,
                recorded_by_id=counsellor.id,
            )
        need_category = (
            ConsentCategory.HEALTH if category.health_data else ConsentCategory.SUPPORT_NEEDS
        )
        event(
            flagged,
            CaseEventKind.SUPPORT_NEED_FLAGGED,
            counsellor,
            school,
            data_category=need_category.value,
            category=category.name,
        )
        event(
            flagged + timedelta(days=14),
            CaseEventKind.MEASURE_ADDED,
            counsellor,
            school,
            data_category=consent_category.value,
            measure=kind.value,
        )
    for values in events:
        rows.add(CaseEvent, **{**_EVENT_DEFAULTS, **values})


# Every line has the same keys, so each batch is one multi-row INSERT.
_EVENT_DEFAULTS = {
    "data_category": None,
    "period_id": None,
    "note_id": None,
    "restricted_to_id": None,
    "review_id": None,
}
