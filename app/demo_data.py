"""Fictional demo data: schools and municipalities of Southern Denmark, workplaces, users, students.

Organisation names are public; every person, workplace name, number and address is invented.
Generated with a seeded random generator, so the same seed gives the same data.

`ensure_programmes` (the programmes and their period templates) lives in
app/journey/programmes.py and is importable from here too; it is safe to run again.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import pairwise

from flask import current_app, g
from sqlalchemy import delete, select

from app import audit
from app.access.journey import is_transition
from app.attachments import services as attachment_services
from app.auth.passwords import hash_password
from app.extensions import db
from app.journey.handovers import sending_organisation_id
from app.journey.programmes import ensure_programmes
from app.journey.services import extend_period, plan_from_template, status_on, template_for
from app.models import (
    SPS_TYPES,
    AbsenceKind,
    AgreementKind,
    AttachmentParent,
    AuditAction,
    CaseEvent,
    CaseEventKind,
    CaseEventTarget,
    CaseNote,
    ClassTeam,
    Consent,
    ConsentCategory,
    ConsentChannel,
    DocumentationKind,
    DropoutReason,
    Enrolment,
    ExperienceCategory,
    GoalAssessment,
    GoalLevel,
    HandoverNote,
    HelpKind,
    LearningAgreement,
    Leave,
    MeasureProvider,
    MeasureStatus,
    MeasureType,
    Membership,
    MidEvaluation,
    NoteCategory,
    NoteVisibility,
    Organisation,
    OrganisationKind,
    Period,
    PeriodKind,
    PeriodStatus,
    PlaceEvaluation,
    PlaceQuestion,
    ProgrammeLevel,
    Role,
    SpsStage,
    SpsStep,
    Student,
    StudentStatus,
    SupportCategory,
    SupportMeasure,
    SupportNeed,
    TrainingAgreement,
    TrainingArea,
    TrainingExperience,
    TrainingGoal,
    TrainingWarning,
    User,
    Workplace,
    WorkplaceKind,
)
from app.models.base import Base, utcnow
from app.models.base import today as base_today
from app.models.partnership import (
    ActionPlan,
    Indicator,
    Initiative,
    InitiativeNote,
    InitiativeStatus,
    Partnership,
)
from app.models.student import new_student
from app.partnership import dimensioning
from app.partnership.demo import seed_meetings
from app.retention import services as retention
from app.retention.rules import ensure_rules
from app.support import services as support_services
from app.support.categories import ensure_support_categories
from app.support.consent_text import CONSENT_TEXT_VERSION
from app.training.goals import ensure_training_goals
from app.training.services import record_absence

__all__ = [
    "DEMO_LOGINS",
    "DEMO_PASSWORD",
    "DemoLogin",
    "delete_all",
    "demo_users_exist",
    "ensure_programmes",
    "has_data",
    "load",
]

DEMO_PASSWORD = "demo-elevsag-2026"  # noqa: S105 - published on purpose: demo accounts only


@dataclass(frozen=True)
class DemoLogin:
    email: str
    name: str
    role: Role
    organisation: str | None  # organisation code
    workplace: str | None = None  # workplace name, for the supervisor


# Everyone the demo needs, in one place: school staff at SOSU Fyn, municipality staff at Odense
# Kommune (461), whose Plejecenter Solbakken receives students, and a system admin.
DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("vejleder@demo.elevsag.dk", "Hanne Vestergaard", Role.COUNSELLOR, "SOSU-FYN"),
    DemoLogin("laerer@demo.elevsag.dk", "Jens Kragh", Role.TEACHER, "SOSU-FYN"),
    DemoLogin("skoleadmin@demo.elevsag.dk", "Birgit Mølgaard", Role.SCHOOL_ADMIN, "SOSU-FYN"),
    DemoLogin("koordinator@demo.elevsag.dk", "Lone Bach", Role.TRAINING_COORDINATOR, "461"),
    DemoLogin(
        "oplaeringsvejleder@demo.elevsag.dk",
        "Karin Dalsgaard",
        Role.SUPERVISOR,
        "461",
        "Plejecenter Solbakken",
    ),
    DemoLogin("kommuneadmin@demo.elevsag.dk", "Per Lindholm", Role.MUNICIPALITY_ADMIN, "461"),
    DemoLogin("analytiker@demo.elevsag.dk", "Mette Frost", Role.ANALYST, "461"),
    DemoLogin("sysadmin@demo.elevsag.dk", "Ole Systemadministrator", Role.SYSTEM_ADMIN, None),
    # The partnership (app.partnership): its coordinator at Odense, the anchor municipality,
    # and the leader of SOSU Fyn.
    DemoLogin(
        "partnerskab@demo.elevsag.dk", "Anja Kirkegaard", Role.PARTNERSHIP_COORDINATOR, "461"
    ),
    DemoLogin("leder@demo.elevsag.dk", "Torben Skov", Role.LEADER, "SOSU-FYN"),
    # SOSU Fyn's data-protection adviser (app.auditlog): reviews the school's access log.
    DemoLogin("dpo@demo.elevsag.dk", "Sanne Holm", Role.DATA_PROTECTION, "SOSU-FYN"),
    # A student with their own access (app.me): Noah Lauridsen, in training at the demo
    # supervisor's workplace, with a warning to read.
    DemoLogin("elev@elev.example.dk", "Noah Lauridsen", Role.STUDENT, "SOSU-FYN"),
)
DEMO_STUDENT_NUMBER_SUFFIX = "-90004"  # Noah's student number ends so (the fourth arrival)

SCHOOLS = (  # code, name, municipality codes it serves
    (
        "SOSU-FYN",
        "SOSU Fyn",
        ("461", "410", "420", "430", "440", "450", "479", "480", "482", "492"),
    ),
    ("SOSU-SYD", "SOSU Syd", ("510", "540", "550", "580")),
    ("SOSU-ESB", "SOSU Esbjerg", ("561", "563", "573", "575", "530")),
    ("SOSU-FVH", "SOSU Fredericia-Vejle-Horsens", ("607", "621", "630")),
)

MUNICIPALITIES = (  # the 22 municipalities of Southern Denmark, by municipality number
    ("580", "Aabenraa"),
    ("420", "Assens"),
    ("530", "Billund"),
    ("561", "Esbjerg"),
    ("563", "Fanø"),
    ("607", "Fredericia"),
    ("430", "Faaborg-Midtfyn"),
    ("510", "Haderslev"),
    ("440", "Kerteminde"),
    ("621", "Kolding"),
    ("482", "Langeland"),
    ("410", "Middelfart"),
    ("480", "Nordfyns"),
    ("450", "Nyborg"),
    ("461", "Odense"),
    ("479", "Svendborg"),
    ("540", "Sønderborg"),
    ("550", "Tønder"),
    ("573", "Varde"),
    ("575", "Vejen"),
    ("630", "Vejle"),
    ("492", "Ærø"),
)
REGION = ("1083", "Region Syddanmark")

# Each municipality's workplaces: kind, name and address; {place} is a fictional place name.
MUNICIPAL_WORKPLACES = (
    (WorkplaceKind.CARE_HOME, "Plejecenter {place}", "{place}vej 1, {town}"),
    (WorkplaceKind.PSYCHIATRY, "Socialpsykiatrien {place}", "{place}stien 3, {town}"),
    (WorkplaceKind.DAY_CARE, "Børnehuset {place}", "{place}allé 4, {town}"),
    (WorkplaceKind.DISABILITY, "Bostedet {place}", "{place}gade 5, {town}"),
    (WorkplaceKind.HOME_CARE, "Hjemmeplejen {town}", "Rådhuspladsen 2, {town}"),
)
PLACE_NAMES = (
    "Solbakken",
    "Egely",
    "Lindegården",
    "Birkelunden",
    "Skovbrynet",
    "Møllehøj",
    "Rosenhaven",
    "Fjordblik",
    "Kastaniegården",
    "Engparken",
    "Bøgely",
    "Strandvang",
)
FIRST_NAMES = (
    "Sofie",
    "Emma",
    "Ida",
    "Freja",
    "Laura",
    "Mathilde",
    "Anna",
    "Clara",
    "Ella",
    "Maja",
    "Josefine",
    "Aya",
    "Fatima",
    "Noor",
    "Mikkel",
    "Lucas",
    "Oliver",
    "Emil",
    "Noah",
    "Frederik",
    "Ali",
    "Ahmad",
    "Jonas",
    "Magnus",
    "Sara",
    "Line",
    "Camilla",
    "Louise",
    "Mette",
    "Hanne",
    "Yasmin",
    "Amina",
    "Katrine",
    "Nanna",
    "Julie",
    "Tobias",
)
LAST_NAMES = (
    "Jensen",
    "Nielsen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Poulsen",
    "Johansen",
    "Knudsen",
    "Mortensen",
    "Møller",
    "Holm",
    "Bach",
    "Hussein",
    "Ahmadi",
    "Yilmaz",
    "Kowalski",
    "Nguyen",
    "Lund",
    "Dam",
    "Kjær",
)
PROGRAMME_MIX = (("SSA", 40), ("SSH", 25), ("PA", 12), ("EUX_PA", 5), ("GF2", 14), ("GF1", 4))

# Which kind of workplace hosts each training area.
AREA_WORKPLACE = {
    TrainingArea.HOME_CARE: WorkplaceKind.HOME_CARE,
    TrainingArea.CARE_HOME: WorkplaceKind.CARE_HOME,
    TrainingArea.LOCAL_HEALTH_CARE: WorkplaceKind.CARE_HOME,
    TrainingArea.PSYCHIATRY: WorkplaceKind.PSYCHIATRY,
    TrainingArea.HOSPITAL_SOMATICS: WorkplaceKind.HOSPITAL,
    TrainingArea.DAY_CARE: WorkplaceKind.DAY_CARE,
    TrainingArea.SPECIAL_NEEDS: WorkplaceKind.DISABILITY,
}

Progress = Callable[[str, int, int], None]


def has_data() -> bool:
    """Whether the database holds anything demo data could collide with or should not join:
    an organisation, a user (e.g. a system admin made with `flask create-user`) or a student.
    Programmes and their templates do not count: migrations and `seed-programmes` add them."""
    return any(
        db.session.execute(select(model.id).limit(1)).first() is not None
        for model in (Organisation, User, Student)
    )


def delete_all() -> None:
    attachment_services.remove_all()  # the stored files, once the rows are gone
    for table in reversed(Base.metadata.sorted_tables):
        db.session.execute(delete(table))
    db.session.commit()
    db.session.expunge_all()  # forget the deleted rows' objects; their ids will be reused


def load(
    students: int = 300,
    seed: int = 2026,
    today: date | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Fill an empty database. Returns counts of what was created."""
    today = today or base_today()
    rng = random.Random(seed)  # noqa: S311 - repeatable demo data, not security
    report = progress or (lambda label, done, total: None)

    programmes = ensure_programmes()
    ensure_support_categories()
    ensure_training_goals()
    templates = {code: template_for(p.id) for code, p in programmes.items()}
    schools, municipalities, workplaces = _organisations(rng)
    organisations = len(schools) + len(municipalities)
    report("Organisations", organisations, organisations)
    users = _users(schools, municipalities, workplaces)
    db.session.flush()
    report("Users", len(users), len(users))

    counsellor = users["vejleder@demo.elevsag.dk"]
    supervisor = users["oplaeringsvejleder@demo.elevsag.dk"]
    teacher = users["laerer@demo.elevsag.dk"]
    region = municipalities[REGION[0]]
    created = 0
    for n in range(1, students + 1):
        school_code, school, served = _pick_school(rng, schools)
        code = _weighted(rng, PROGRAMME_MIX)
        employer = municipalities[rng.choice(served)]
        student = _student(
            rng,
            n,
            today,
            school,
            programmes[code],
            templates[code],
            employer,
            region,
            workplaces,
            counsellor,
            teacher if school_code == "SOSU-FYN" else None,
        )
        # The demo counsellor works at SOSU Fyn: support is recorded for some of its students.
        if (
            school_code == "SOSU-FYN"
            and student.status == StudentStatus.ACTIVE
            and rng.random() < 0.25
        ):
            _support(rng, student, today, counsellor, employer)
        created += 1
        if n % 25 == 0 or n == students:
            db.session.flush()
            report("Students", n, students)
    _arrivals_for_demo_supervisor(
        rng,
        today,
        schools["SOSU-FYN"][0],
        programmes["SSH"],
        templates["SSH"],
        municipalities["461"],
        supervisor,
        counsellor,
        teacher,
    )
    db.session.flush()
    _student_account(users, schools["SOSU-FYN"][0], counsellor, teacher)
    _journeys(
        rng,
        today,
        schools["SOSU-FYN"][0],
        programmes,
        templates,
        municipalities["461"],
        region,
        workplaces,
        {"supervisor": supervisor, "counsellor": counsellor, "teacher": teacher},
    )
    _risk_signs(schools["SOSU-FYN"][0], supervisor, counsellor, today)
    _partnership(schools, municipalities, users, today)
    _place_evaluations(rng, today)
    _attachments(counsellor)
    _legal_hold(users["skoleadmin@demo.elevsag.dk"], schools["SOSU-FYN"][0])
    _access_log(users, schools["SOSU-FYN"][0], today)
    db.session.commit()
    return {
        "schools": len(schools),
        "municipalities": len(MUNICIPALITIES),
        "workplaces": sum(len(v) for v in workplaces.values()),
        "students": created,
        "users": len(users),
    }


_ASCII = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "é": "e", "ü": "u"})


def _email(first: str, last: str, suffix: str = "") -> str:
    """A fictional student address on a reserved-style domain, in plain ASCII."""
    return f"{first}.{last}{suffix}".lower().translate(_ASCII) + "@elev.example.dk"


def _phone(n: int) -> str:
    """A phone number that cannot be dialled (Danish numbers never start with 0)."""
    return f"+45 00 00 {n // 100 % 100:02d} {n % 100:02d}"


def _weighted(rng: random.Random, options) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def _pick_school(rng, schools):
    code = rng.choices(list(schools), weights=[40, 20, 20, 20])[0]
    school, served = schools[code]
    return code, school, served


def _organisations(rng):
    schools = {}
    for code, name, served in SCHOOLS:
        org = Organisation(kind=OrganisationKind.SCHOOL, name=name, code=code)
        db.session.add(org)
        schools[code] = (org, served)
    municipalities: dict[str, Organisation] = {}
    workplaces: dict[str, list[Workplace]] = {}
    for code, town in MUNICIPALITIES:
        org = Organisation(kind=OrganisationKind.MUNICIPALITY, name=f"{town} Kommune", code=code)
        municipalities[code] = org
        names = rng.sample(PLACE_NAMES, 4)
        if code == "461":
            names[0] = "Solbakken"  # the demo supervisor's workplace
        workplaces[code] = [
            Workplace(
                organisation=org,
                kind=kind,
                name=name.format(place=place, town=town),
                address=address.format(place=place, town=town),
            )
            for (kind, name, address), place in zip(
                MUNICIPAL_WORKPLACES, [*names, names[0]], strict=True
            )
        ]
    code, name = REGION
    region = Organisation(kind=OrganisationKind.REGION, name=name, code=code)
    municipalities[code] = region
    workplaces[code] = [
        Workplace(
            organisation=region,
            kind=WorkplaceKind.HOSPITAL,
            name=f"Sygehus {town}",
            address=f"Sygehusvej 1, {town}",
        )
        for town in ("Odense (demo)", "Esbjerg (demo)", "Sønderborg (demo)", "Vejle (demo)")
    ] + [
        Workplace(
            organisation=region,
            kind=WorkplaceKind.PSYCHIATRY,
            name="Psykiatrien Syd (demo)",
            address="Psykiatrivej 1, Vejle",
        )
    ]
    db.session.add_all(municipalities.values())
    for rows in workplaces.values():
        db.session.add_all(rows)
    db.session.flush()
    return schools, municipalities, workplaces


def _users(schools, municipalities, workplaces) -> dict[str, User]:
    password_hash = hash_password(DEMO_PASSWORD)  # Argon2 is slow on purpose: hash once
    orgs = {code: org for code, (org, _served) in schools.items()} | municipalities
    users = {}
    for login in DEMO_LOGINS:
        user = User(email=login.email, name=login.name, password_hash=password_hash)
        db.session.add(user)
        users[login.email] = user
        if login.role is Role.STUDENT:
            continue  # the membership names the student: _student_account, once they exist
        workplace = None
        if login.workplace:
            workplace = next(
                w for w in workplaces[login.organisation] if w.name.startswith("Plejecenter")
            )
        user.memberships.append(
            Membership(
                role=login.role,
                organisation=orgs.get(login.organisation) if login.organisation else None,
                workplace=workplace,
            )
        )
    return users


def _legal_hold(school_admin: User, school) -> None:
    """The retention rules, and a legal hold on one of SOSU Fyn's students who dropped out
    (a fictional complaint case), set by the demo school admin (docs/retention.md)."""
    ensure_rules()
    student = db.session.execute(
        select(Student)
        .where(Student.school_id == school.id, Student.status == StudentStatus.DROPPED_OUT)
        .order_by(Student.id)
        .limit(1)
    ).scalar_one_or_none()
    if student is not None:
        retention.set_hold(
            student, "Klagesag om afbruddet, j.nr. DEMO-2026-01 (fiktiv)", school_admin
        )


def _student_account(users: dict[str, User], school, counsellor, teacher) -> None:
    """The demo student's own account: Noah Lauridsen, with the school's counsellor and
    contact teacher named on his record."""
    login = next(login for login in DEMO_LOGINS if login.role is Role.STUDENT)
    student = db.session.execute(
        select(Student).where(
            Student.school_id == school.id,
            Student.student_number.endswith(DEMO_STUDENT_NUMBER_SUFFIX),
        )
    ).scalar_one()
    student.email = login.email
    student.counsellor = counsellor
    student.contact_teacher = teacher
    users[login.email].memberships.append(
        Membership(role=Role.STUDENT, organisation=school, student_id=student.id)
    )


def _workplace_for(rng, area, employer, region, workplaces) -> Workplace:
    kind = AREA_WORKPLACE[area]
    candidates = [w for w in workplaces[employer.code] if w.kind == kind]
    if not candidates:  # hospital periods take place at the region's hospitals
        candidates = [w for w in workplaces[region.code] if w.kind == kind]
    return rng.choice(candidates)


def _enrol(templates, today, **fields) -> tuple[Student, list[Period]]:
    """A new student (flushed, so it has an id) and the plan of `templates` from their start
    date; the periods are not added to the session yet."""
    student = new_student(**fields)
    db.session.add(student)
    db.session.flush()
    return student, plan_from_template(student.enrolments[0], templates, student.start_date, today)


def _plan_created(student, counsellor, periods: int, start: date | None = None) -> None:
    start = start or student.start_date
    _line(
        student,
        counsellor,
        CaseEventKind.PLAN_CREATED,
        None,
        start=start.isoformat(),
        periods=periods,
    )


def _line(student, user, kind: CaseEventKind, on: date | None, **details) -> None:
    """A case-history line by `user`, dated `on` (early afternoon; None: now)."""
    event = CaseEvent(student_id=student.id, user_id=user.id, kind=kind, details=details)
    if on is not None:
        event.at = datetime.combine(on, time(13), tzinfo=UTC)
    db.session.add(event)


def _student(
    rng, n, today, school, programme, templates, employer, region, workplaces, counsellor, teacher
) -> Student:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    total_weeks = sum(t.weeks for t in templates)
    # Starts spread from before today (some finished) to a little after.
    start = today - timedelta(days=rng.randint(-30, total_weeks * 7 + 60))
    start -= timedelta(days=start.weekday())  # periods start on a Monday
    student, periods = _enrol(
        templates,
        today,
        student_number=f"E{start.year}-{n:05d}",
        first_name=first,
        last_name=last,
        email=_email(first, last, str(n)),
        phone=_phone(n),
        school=school,
        programme=programme,
        start_date=start,
    )
    for period in periods:
        if period.kind == PeriodKind.TRAINING:
            period.workplace = _workplace_for(
                rng, period.training_area, employer, region, workplaces
            )
        elif teacher is not None:
            period.responsible = teacher
    planned_end, planned = periods[-1].end_date, len(periods)
    dropout = None
    if planned_end < today:
        student.status = StudentStatus.COMPLETED
    elif start < today and rng.random() < 0.07:
        dropout = _drop_out(rng, student, today)
        periods = _cut_plan(periods, dropout)
    elif rng.random() < 0.03:
        student.status = StudentStatus.ON_LEAVE
    # The case history in the order things happen: agreement, plan, dropout.
    if programme.level == ProgrammeLevel.MAIN:
        _agreements(student, AgreementKind.TRAINING, employer, periods, planned_end, counsellor)
    elif programme.code == "GF2" and rng.random() < 0.2:  # adults 25+ are employed from GF2
        _agreements(student, AgreementKind.ADULT_BASIC, employer, periods, planned_end, counsellor)
    _plan_created(student, counsellor, planned)
    if dropout is not None:
        db.session.add(
            CaseEvent(
                student_id=student.id,
                user_id=counsellor.id,
                kind=CaseEventKind.DROPPED_OUT,
                details={"date": dropout.isoformat(), "reason": student.dropout_reason.value},
            )
        )
    db.session.add_all(periods)
    _past_handovers(student, periods, today, counsellor)
    _mirror_on_enrolment(student, planned_end, periods)
    return student


def _mirror_on_enrolment(student, planned_end: date, periods: list[Period]) -> None:
    """The student's one enrolment ends as the student did: completed (a basic course with
    whether the student is qualified for the main programme) or dropped out, in the period
    that was interrupted. Periods are flushed (`_past_handovers`), so they have ids."""
    enrolment = student.enrolments[0]
    enrolment.status = student.status
    if student.status == StudentStatus.COMPLETED:
        enrolment.end_date = planned_end
        enrolment.result = "Bestået"
        if student.programme.level == ProgrammeLevel.BASIC:
            # Most are; not drawn from the generator, so the rest of the demo stays as it was.
            enrolment.qualified = student.id % 7 != 0
    elif student.status == StudentStatus.DROPPED_OUT:
        enrolment.end_date = student.dropout_date
        enrolment.dropout_reason = student.dropout_reason
        enrolment.dropout_period_id = periods[-1].id


def _agreements(student, kind, employer, periods, end, counsellor, start=None) -> None:
    """The employment from `start` (else the student's start) until `end`: with the
    municipality, and with the region from a training period at one of its hospitals (SSA
    somatics) on. Agreements never overlap, so a training
    period's workplace always belongs to the employer of its days."""
    hospital = next(
        (
            p
            for p in periods
            if p.kind == PeriodKind.TRAINING and p.workplace.organisation is not employer
        ),
        None,
    )
    start = start or student.start_date
    spans = [(employer, start, end)]
    if hospital is not None:
        region = hospital.workplace.organisation
        spans = [
            (employer, start, hospital.start_date - timedelta(days=1)),
            (region, hospital.start_date, end),
        ]
    for organisation, since, until in spans:
        db.session.add(
            TrainingAgreement(
                student=student, employer=organisation, kind=kind, start_date=since, end_date=until
            )
        )
        db.session.add(
            CaseEvent(
                student_id=student.id,
                user_id=counsellor.id,
                kind=CaseEventKind.AGREEMENT_CREATED,
                details={"employer": organisation.name, "start": since.isoformat()},
            )
        )


def _drop_out(rng, student, today) -> date:
    """The student left on a day after the start and up to today."""
    on = student.start_date + timedelta(
        days=rng.randint(1, max((today - student.start_date).days, 1))
    )
    student.status = StudentStatus.DROPPED_OUT
    student.dropout_date = on
    student.dropout_reason = rng.choice(list(DropoutReason))
    return on


def _cut_plan(periods: list, on: date) -> list:
    """The plan of a student who left on `on`: that period interrupted, and the later periods
    never held (kept, they would show as completed once their dates pass)."""
    held = [p for p in periods if p.start_date <= on]
    held[-1].status = PeriodStatus.INTERRUPTED
    return held


def _past_handovers(student, periods, today, author) -> None:
    """Transitions that already happened had a note, written and acknowledged."""
    db.session.flush()
    for before, after in pairwise(periods):
        if after.start_date <= today and is_transition(before, after):
            db.session.add(
                HandoverNote(
                    student_id=student.id,
                    from_period_id=before.id,
                    to_period_id=after.id,
                    strengths="Mødestabil, god kontakt til borgerne.",
                    challenges="Skal øve dokumentation.",
                    agreed_support="Faste ugentlige samtaler med vejleder.",
                    first_weeks="Introduktion og følgeskab med fast kollega.",
                    contact_person=f"{author.name}, tlf. 70 10 20 30",
                    author_id=author.id,
                    author_organisation_id=sending_organisation_id(student, before),
                    acknowledged_at=utcnow() - timedelta(days=(today - after.start_date).days + 3),
                    acknowledged_by_id=None,
                )
            )


def _arrivals_for_demo_supervisor(
    rng, today, school, programme, templates, odense, supervisor, counsellor, teacher
) -> None:
    """Students on the way to the demo supervisor's workplace: one note written, one missing,
    and two already there."""
    workplace = db.session.get(Workplace, supervisor.memberships[0].workplace_id)
    plan_weeks = [t.weeks for t in templates]
    for n, (first, last, days_until) in enumerate(
        (
            ("Aya", "Jakobsen", 9),
            ("Mikkel", "Brandt", 20),
            ("Ida", "Skov", -12),
            ("Noah", "Lauridsen", -40),
        ),
        start=1,
    ):
        start = today + timedelta(days=days_until) - timedelta(weeks=plan_weeks[0])
        student, periods = _enrol(
            templates,
            today,
            student_number=f"E{start.year}-9{n:04d}",
            first_name=first,
            last_name=last,
            email=_email(first, last),
            school=school,
            programme=programme,
            start_date=start,
        )
        for period in periods:
            if period.kind == PeriodKind.TRAINING:
                period.workplace = workplace
                period.responsible = supervisor
            else:
                period.responsible = teacher
        db.session.add_all(periods)
        db.session.add(
            TrainingAgreement(
                student=student, employer=odense, start_date=start, end_date=periods[-1].end_date
            )
        )
        _plan_created(student, counsellor, len(periods))
        if n == 1:  # the school has written the note for the coming transition
            db.session.flush()
            db.session.add(
                HandoverNote(
                    student_id=student.id,
                    from_period_id=periods[0].id,
                    to_period_id=periods[1].id,
                    strengths="Aya er omsorgsfuld og god til at skabe relationer.",
                    challenges="Er usikker i skriftlig dokumentation.",
                    agreed_support="Kontaktlæreren følger op efter to uger.",
                    first_weeks="Giv Aya en fast kollega de første to uger.",
                    contact_person=f"{teacher.name}, tlf. 70 10 20 31",
                    author_id=teacher.id,
                    author_organisation_id=school.id,
                )
            )
        if days_until < 0:  # already in training: what the supervisor has recorded so far
            db.session.flush()
            current = next(p for p in periods if p.kind == PeriodKind.TRAINING)
            _training_records(rng, student, current, supervisor, today, worried=n == 4)
            _notes(student, counsellor, school, today)
        if n == 1:  # dyslexia with an IT package, shared with Odense by consent
            _support(rng, student, today, counsellor, odense, category="dyslexia", consent=True)
        elif n == 2:  # ADHD with a mentor, not shared: the supervisor sees whom to ask
            _support(rng, student, today, counsellor, odense, category="adhd", consent=False)
        elif n == 3:  # the workplace arranges support and asks the school for a review
            _workplace_support(student, periods, supervisor, today)
        _past_handovers(student, periods, today, counsellor)


def _journeys(rng, today, school, programmes, templates, odense, region, workplaces, staff):
    """Students of SOSU Fyn employed by Odense whose journey runs across enrolments, so the
    timeline, the student page and the transition lists show it (docs/domain.md, "The
    student's journey"): GF2 completed as qualified, then SSA at the same school, with the
    GF2 → SSA handover note written for one (waiting for the school's acknowledgement) and
    still missing for the other; one on leave, the plan moved; one who dropped out between
    two periods; one re-enrolled after a dropout."""
    counsellor, teacher, supervisor = staff["counsellor"], staff["teacher"], staff["supervisor"]
    solbakken = db.session.get(Workplace, supervisor.memberships[0].workplace_id)

    def enrol(n, first, last, code, start, birth_year):
        student, periods = _enrol(
            templates[code],
            today,
            student_number=f"E{start.year}-8{n:04d}",
            first_name=first,
            last_name=last,
            email=_email(first, last, f"8{n}"),
            phone=_phone(8000 + n),
            birth_year=birth_year,
            contact_teacher=teacher,
            counsellor=counsellor,
            school=school,
            programme=programmes[code],
            start_date=start,
        )
        staff_plan(periods)
        return student, periods

    def staff_plan(periods):
        for period in periods:
            if period.kind == PeriodKind.SCHOOL:
                period.responsible = teacher
            elif period.training_area == TrainingArea.LOCAL_HEALTH_CARE:
                period.workplace, period.responsible = solbakken, supervisor
            else:
                period.workplace = _workplace_for(
                    rng, period.training_area, odense, region, workplaces
                )

    def next_enrolment(student, code, start):
        enrolment = Enrolment(
            student_id=student.id,
            programme=programmes[code],
            school=school,
            start_date=start,
            created_by_id=counsellor.id,
        )
        student.enrolments.append(enrolment)
        student.programme = programmes[code]
        db.session.flush()
        periods = plan_from_template(enrolment, templates[code], start, today)
        staff_plan(periods)
        return enrolment, periods

    # GF2 ended yesterday, passed and qualified; SSA starts on the next Monday but one day.
    gf2_end = today - timedelta(days=1)
    ssa_start = today + timedelta(days=2)
    ssa_start += timedelta(days=-ssa_start.weekday() % 7)
    gf2_start = gf2_end - timedelta(weeks=20) + timedelta(days=1)
    teams = {
        code: ClassTeam(
            school=school,
            code=f"{code}-{start.year % 100}{letter}",
            programme=programmes[code],
            start_date=start,
        )
        for code, start, letter in (("GF2", gf2_start, "B"), ("SSA", ssa_start, "D"))
    }
    for n, (first, last, written) in enumerate(
        (("Freja", "Kjærgaard", True), ("Emil", "Strøm", False)), start=1
    ):
        student, gf2_periods = enrol(n, first, last, "GF2", gf2_start, today.year - 19)
        gf2 = student.enrolments[0]
        gf2.class_team = teams["GF2"]
        gf2.status, gf2.end_date, gf2.result, gf2.qualified = (
            StudentStatus.COMPLETED,
            gf2_end,
            "Bestået",
            True,
        )
        db.session.add_all(gf2_periods)
        _plan_created(student, counsellor, len(gf2_periods))
        _line(
            student,
            counsellor,
            CaseEventKind.BASIC_COURSE_QUALIFIED,
            gf2_end,
            programme="GF2",
            date=gf2_end.isoformat(),
            result="Bestået",
        )
        _line(
            student,
            counsellor,
            CaseEventKind.ENROLLED,
            gf2_end,
            new="SSA",
            school=school.name,
            start=ssa_start.isoformat(),
            old="GF2",
        )
        ssa, ssa_periods = next_enrolment(student, "SSA", ssa_start)
        ssa.class_team = teams["SSA"]
        db.session.add_all(ssa_periods)
        _agreements(
            student,
            AgreementKind.TRAINING,
            odense,
            ssa_periods,
            ssa_periods[-1].end_date,
            counsellor,
            start=ssa_start,
        )
        _plan_created(student, counsellor, len(ssa_periods), ssa_start)
        db.session.flush()
        if written:
            db.session.add(
                HandoverNote(
                    student_id=student.id,
                    from_period_id=gf2_periods[-1].id,
                    to_period_id=ssa_periods[0].id,
                    strengths="Freja bestod GF2 og er kvalificeret til SSA; stabilt fremmøde.",
                    challenges="Har brug for tid til de skriftlige opgaver.",
                    agreed_support="IT-rygsæk fortsætter på SSA; samtykke til Odense gælder.",
                    first_weeks="Kort samtale med kontaktlæreren i første uge om studieteknik.",
                    contact_person=f"{teacher.name}, tlf. 70 10 20 31",
                    author_id=teacher.id,
                    author_organisation_id=school.id,
                    written_at=utcnow() - timedelta(days=1),
                )
            )
            _support(rng, student, today, counsellor, odense, category="dyslexia", consent=True)

    # On leave (orlov) in the first SSA training period at Solbakken: the period under way is
    # lengthened by the leave, later periods start that much later.
    ssa_weeks = [t.weeks for t in templates["SSA"]]
    start = today - timedelta(weeks=ssa_weeks[0] + 12)
    start -= timedelta(days=start.weekday())
    student, periods = enrol(3, "Jonas", "Bech", "SSA", start, today.year - 34)
    leave_start, leave_end = today - timedelta(days=20), today + timedelta(days=40)
    moved = timedelta(days=(leave_end - leave_start).days + 1)
    for period in periods:
        if period.start_date <= leave_start <= period.end_date:
            period.original_end_date = period.end_date
            period.end_date += moved
        elif period.start_date > leave_start:
            period.start_date += moved
            period.end_date += moved
        period.status = status_on(period.start_date, period.end_date, today)
    student.status = student.enrolments[0].status = StudentStatus.ON_LEAVE
    _agreements(student, AgreementKind.TRAINING, odense, periods, periods[-1].end_date, counsellor)
    _plan_created(student, counsellor, len(periods))
    _line(
        student,
        counsellor,
        CaseEventKind.LEAVE_STARTED,
        leave_start,
        start=leave_start.isoformat(),
        end=leave_end.isoformat(),
        days=moved.days,
    )
    db.session.add_all(periods)
    _past_handovers(student, periods, today, counsellor)
    db.session.add(
        Leave(
            student_id=student.id,
            enrolment_id=student.enrolments[0].id,
            start_date=leave_start,
            end_date=leave_end,
            reason="Sygdom i familien.",
            created_by_id=counsellor.id,
        )
    )

    # Dropped out between two periods: finished SSH's first school period, never started the
    # first training period.
    ssh_weeks = [t.weeks for t in templates["SSH"]]
    start = today - timedelta(weeks=ssh_weeks[0], days=30)
    start -= timedelta(days=start.weekday())
    student, periods = enrol(4, "Maja", "Lund", "SSH", start, today.year - 22)
    school_period, not_started = periods[0], periods[1]
    periods = [school_period, not_started]
    not_started.status = PeriodStatus.INTERRUPTED
    on = school_period.end_date
    _agreements(student, AgreementKind.TRAINING, odense, periods, on, counsellor)
    _plan_created(student, counsellor, len(ssh_weeks))
    db.session.add_all(periods)
    _past_handovers(student, periods, today, counsellor)
    enrolment = student.enrolments[0]
    student.status = enrolment.status = StudentStatus.DROPPED_OUT
    student.dropout_date = enrolment.end_date = on
    student.dropout_reason = enrolment.dropout_reason = DropoutReason.PERSONAL
    enrolment.dropout_note = "Meldte fra inden oplæringsperioden; vil gerne vende tilbage."
    enrolment.dropout_period_id = not_started.id
    enrolment.dropout_at_transition = True
    _dropout_event(student, counsellor, on, DropoutReason.PERSONAL, not_started, at_transition=True)

    # Re-enrolled: left GF2 after two months, came back eight weeks ago to a new GF2.
    first_start = today - timedelta(weeks=40)
    first_start -= timedelta(days=first_start.weekday())
    student, periods = enrol(5, "Ahmad", "Frandsen", "GF2", first_start, today.year - 27)
    left = first_start + timedelta(weeks=9)
    periods[0].status = PeriodStatus.INTERRUPTED
    _plan_created(student, counsellor, len(periods))
    db.session.add_all(periods)
    db.session.flush()
    first = student.enrolments[0]
    first.status, first.end_date = StudentStatus.DROPPED_OUT, left
    first.dropout_reason = DropoutReason.HEALTH
    first.dropout_period_id = periods[0].id
    _dropout_event(student, counsellor, left, DropoutReason.HEALTH, periods[0])
    again = today - timedelta(weeks=8)
    again -= timedelta(days=again.weekday())
    _enrolment, new_periods = next_enrolment(student, "GF2", again)
    db.session.add_all(new_periods)
    # 25 or older: employed by the municipality already from GF2.
    _agreements(
        student,
        AgreementKind.ADULT_BASIC,
        odense,
        new_periods,
        new_periods[-1].end_date,
        counsellor,
        start=again,
    )
    _line(
        student,
        counsellor,
        CaseEventKind.ENROLLED,
        again,
        new="GF2",
        school=school.name,
        start=again.isoformat(),
        old="GF2",
    )
    _plan_created(student, counsellor, len(new_periods), again)
    _past_handovers(student, periods + new_periods, today, counsellor)


def _dropout_event(
    student, counsellor, on: date, reason: DropoutReason, period=None, at_transition=False
) -> None:
    details = {"date": on.isoformat(), "reason": reason.value}
    if period is not None:  # the period it happened in, or the one not started
        details.update(period=period.title, at_transition=at_transition)
    _line(student, counsellor, CaseEventKind.DROPPED_OUT, on, **details)


# Support needs, and the measures that answer them (the first is an SPS measure).
_SUPPORT_FOR = {
    "dyslexia": (MeasureType.IT_PACKAGE, "Bærbar med AppWriter og oplæsning af tekster."),
    "dyscalculia": (MeasureType.SPS_STUDY_SUPPORT, "Studiestøttetimer til medicinregning."),
    "hearing": (MeasureType.INTERPRETER, "Skrivetolk ved undervisning i store hold."),
    "adhd": (MeasureType.MENTOR, "Mentor hver anden uge; faste rammer for dagen."),
    "danish_second_language": (MeasureType.LANGUAGE_SUPPORT, "Sprogstøtte to timer om ugen."),
    "social": (MeasureType.EXTRA_GUIDANCE, "Ekstra vejledningssamtaler om økonomi og bolig."),
}


def _support(rng, student, today, counsellor, employer, category=None, consent=None) -> None:
    """A support need, its measure (SPS with its application steps), and maybe a consent."""
    code = category or rng.choice(list(_SUPPORT_FOR))
    kind, text = _SUPPORT_FOR[code]
    support_category = _category(code)
    flagged = max(student.start_date, today - timedelta(days=rng.randint(20, 200)))
    documentation = {
        "dyslexia": DocumentationKind.DYSLEXIA_TEST,
        "hearing": DocumentationKind.AUDIOGRAM,
    }.get(code, DocumentationKind.NONE)
    need = SupportNeed(
        student_id=student.id,
        category=support_category,
        description=text.split(";")[0].split(".")[0] + " – aftalt med eleven.",
        documentation_kind=documentation,
        documentation_date=None
        if documentation == DocumentationKind.NONE
        else flagged - timedelta(days=rng.randint(30, 2000)),
        flagged_by_id=counsellor.id,
    )
    sps = kind in SPS_TYPES
    measure = SupportMeasure(
        student_id=student.id,
        need=need,
        type=kind,
        description=text,
        start_date=flagged + timedelta(days=21),
        hours_granted=Decimal(20) if sps else None,
        hours_used=Decimal(rng.randint(0, 12)) if sps else None,
        owner_id=counsellor.id,
        created_by_id=counsellor.id,
        next_follow_up=today + timedelta(days=rng.randint(-5, 40)),
        status=MeasureStatus.ACTIVE,
    )
    db.session.add_all([need, measure])
    need_data = (
        ConsentCategory.HEALTH if support_category.health_data else ConsentCategory.SUPPORT_NEEDS
    )
    measure_data = ConsentCategory.SPS if sps else ConsentCategory.SUPPORT_NEEDS
    events = [
        (flagged, CaseEventKind.SUPPORT_NEED_FLAGGED, need_data, {"category": need.category.name}),
        (measure.start_date, CaseEventKind.MEASURE_ADDED, measure_data, {"measure": kind.value}),
    ]
    if sps:
        for n, stage in enumerate(
            (
                SpsStage.AUTHORISATION_SIGNED,
                SpsStage.DOCUMENTATION_COMPLETE,
                SpsStage.APPLIED,
                SpsStage.GRANTED,
                SpsStage.IN_USE,
            )
        ):
            on = min(flagged + timedelta(days=4 * n + 1), today)
            measure.steps.append(SpsStep(stage=stage, on_date=on, recorded_by_id=counsellor.id))
        measure.sps_stage = SpsStage.IN_USE
    if rng.random() < 0.5 if consent is None else consent:
        db.session.add(
            Consent(
                student_id=student.id,
                category=measure_data,
                recipient_id=employer.id,
                valid_from=flagged,
                note="Givet ved vejledningssamtale.",
                channel=ConsentChannel.PAPER,
                text_version=CONSENT_TEXT_VERSION,
                recorded_by_id=counsellor.id,
            )
        )
        details = {"category": measure_data.value, "recipient": employer.name}
        events.append((flagged, CaseEventKind.CONSENT_GIVEN, measure_data, details))
    for on, event_kind, data_category, details in events:
        db.session.add(
            CaseEvent(
                student_id=student.id,
                user_id=counsellor.id,
                kind=event_kind,
                details=details,
                data_category=data_category.value,
                at=datetime.combine(min(on, today), time(10), tzinfo=UTC),
            )
        )


# A few fictional documents, made as PDFs here (never a real person's document).
_DOCUMENTS = (
    ("need", "Ordblindetest (fiktiv).pdf", "Ordblindetest", "Testresultat: ordblind. Fiktivt."),
    ("granted", "Afgørelse fra SPS (fiktiv).pdf", "Afgørelse om SPS", "Bevilget. Fiktivt."),
)


def _demo_pdf(title: str, text: str) -> bytes:
    from weasyprint import HTML

    return HTML(
        string=f"<html lang='da'><body><h1>{title}</h1><p>{text}</p>"
        "<p>Demodata – ikke et rigtigt dokument.</p></body></html>"
    ).write_pdf()


def _attachments(counsellor: User, how_many: int = 2) -> None:
    """The first SPS measures' need gets its test, and its grant step the decision letter,
    uploaded by the demo counsellor through app.attachments."""
    from werkzeug.datastructures import FileStorage

    from app.access.attachments import Parent

    measures = db.session.scalars(
        select(SupportMeasure)
        .where(SupportMeasure.need_id.is_not(None), SupportMeasure.sps_stage.is_not(None))
        .order_by(SupportMeasure.id)
        .limit(how_many)
    )
    pdfs = {kind: (name, _demo_pdf(title, text)) for kind, name, title, text in _DOCUMENTS}
    for measure in measures:
        granted = measure.step(SpsStage.GRANTED)
        for kind, parent in (
            ("need", Parent(AttachmentParent.NEED, measure.need, True)),
            ("granted", Parent(AttachmentParent.SPS_STEP, granted, True)),
        ):
            if parent.row is None:
                continue
            name, data = pdfs[kind]
            upload = FileStorage(io.BytesIO(data), filename=name)
            attachment_services.add_attachment(measure.student, parent, upload, counsellor)


def _workplace_support(student, periods, supervisor, today) -> None:
    """Support arranged at the supervisor's workplace (extra supervision time), and an open
    request to the school for a case review, both through their services."""
    current = next(p for p in periods if p.kind == PeriodKind.TRAINING)
    db.session.flush()
    change = support_services.MeasureChange(
        type=MeasureType.EXTRA_SUPERVISION,
        provider=MeasureProvider.WORKPLACE,
        need=None,
        description="30 minutter ekstra vejledning hver fredag, og en fast kollega om morgenen.",
        start_date=current.start_date,
        end_date=None,
        periods=[current],
        hours_granted=None,
        hours_used=None,
        owner=supervisor,
        next_follow_up=today + timedelta(days=10),
        evaluation="",
        status=MeasureStatus.ACTIVE,
    )
    support_services.add_arrangement(
        student, change, current.workplace.organisation, False, user=supervisor
    )
    support_services.ask_for_help(
        student,
        HelpKind.CASE_REVIEW,
        "Ida har svært ved at nå dokumentationen og virker presset. Vi ønsker en "
        "sagsgennemgang med skolen om, hvordan vi hjælper hende videre.",
        current,
        user=supervisor,
    )


def _training_records(rng, student, period, supervisor, today, worried: bool) -> None:
    """A learning agreement, a few experiences, goal assessments and, if `worried`, a
    concern, a warning and a mid-period evaluation that is not on track."""
    on = min(today, period.end_date)
    db.session.add(
        LearningAgreement(
            period_id=period.id,
            goals_for_period="Fokus på mål 1–6: personlig pleje, observation og dokumentation.",
            agreed_support="Fast kollega de første to uger; samtale hver fredag.",
            meeting_1=period.start_date,
            meeting_2=period.start_date + (period.end_date - period.start_date) / 2,
            meeting_3=period.end_date,
            author_id=supervisor.id,
        )
    )
    texts = [
        ("Hjalp en borger med morgenpleje og forflytning med lift.", "Brug af lift.", False),
        ("Deltog i et møde med pårørende.", "At lytte og spørge ind.", False),
        ("Kom for sent tre dage i træk uden at give besked.", "", worried),
    ]
    for k, (text, learned, concern) in enumerate(texts):
        db.session.add(
            TrainingExperience(
                period_id=period.id,
                student_id=student.id,
                on_date=max(period.start_date, on - timedelta(days=3 * (len(texts) - k))),
                category=ExperienceCategory.ATTENDANCE
                if concern
                else ExperienceCategory.PROFESSIONAL,
                what_happened=text,
                learned=learned,
                concern=concern,
                author_id=supervisor.id,
            )
        )
    goals = (
        db.session.execute(
            select(TrainingGoal)
            .where(TrainingGoal.programme_id == student.programme_id)
            .order_by(TrainingGoal.number)
        )
        .scalars()
        .all()
    )
    for goal in goals[:6]:
        db.session.add(
            GoalAssessment(
                period_id=period.id,
                goal_id=goal.id,
                level=rng.choice([GoalLevel.BEGINNER, GoalLevel.ROUTINED]),
                assessed_on=on,
                assessed_by_id=supervisor.id,
            )
        )
    if worried:
        db.session.add(
            MidEvaluation(
                period_id=period.id,
                evaluated_on=on,
                on_track=False,
                comment="Fagligt på vej, men fremmødet skal være stabilt.",
                next_steps="Aftale om at melde fra før vagten; opfølgning om to uger.",
                signed_by_id=supervisor.id,
            )
        )
        warning = TrainingWarning(
            period_id=period.id,
            student_id=student.id,
            reason="Fremmødet gør, at mål 5 og 6 måske ikke nås på rutineret niveau.",
            agreed_actions="Ugentlig samtale med vejlederen; skolen kontakter eleven.",
            deadline=min(period.end_date, today + timedelta(days=21)),
            issued_by_id=supervisor.id,
            goals=goals[4:6],
        )
        db.session.add(warning)
    # The case file tells what was recorded, by whom, for which organisation.
    lines = [
        (period.start_date, CaseEventKind.LEARNING_AGREEMENT_SAVED, {}),
        *(
            (
                max(period.start_date, on - timedelta(days=3 * (len(texts) - k))),
                CaseEventKind.EXPERIENCE_RECORDED,
                {},
            )
            for k in range(len(texts))
        ),
        (on, CaseEventKind.GOALS_ASSESSED, {"count": min(6, len(goals))}),
    ]
    if worried:
        lines += [
            (on, CaseEventKind.MID_EVALUATION_SIGNED, {}),
            (on, CaseEventKind.WARNING_GIVEN, {"deadline": warning.deadline.isoformat()}),
        ]
    for day, kind, details in lines:
        db.session.add(
            CaseEvent(
                student_id=student.id,
                user_id=supervisor.id,
                kind=kind,
                details={"period": period.title, **details},
                organisation_id=supervisor.memberships[0].organisation_id,
                period_id=period.id,
                target_kind=CaseEventTarget.TRAINING,
                target_id=period.id,
                at=datetime.combine(day, time(11), tzinfo=UTC),
            )
        )


def _notes(student, counsellor, school, today) -> None:
    """Two notes by the counsellor: one shared with the municipality, one kept to the school."""
    for days_ago, visibility, text in (
        (
            20,
            NoteVisibility.SHARED,
            "<p>Samtale med eleven før oplæringen: glæder sig, men er "
            "nervøs for nattevagterne.</p>",
        ),
        (
            5,
            NoteVisibility.OWN,
            "<p>Eleven har bedt om hjælp til at søge SU-lån; henvist til studievejledningen.</p>",
        ),
    ):
        moment = datetime.combine(today - timedelta(days=days_ago), time(14), tzinfo=UTC)
        note = CaseNote(
            student_id=student.id,
            author_id=counsellor.id,
            organisation_id=school.id,
            visibility=visibility,
            category=NoteCategory.GENERAL,
            body=text,
            created_at=moment,
            updated_at=moment,
        )
        db.session.add(note)
        db.session.flush()
        db.session.add(
            CaseEvent(
                student_id=student.id,
                user_id=counsellor.id,
                kind=CaseEventKind.NOTE_WRITTEN,
                details={"category": "general"},
                organisation_id=school.id,
                note_id=note.id,
                target_kind=CaseEventTarget.NOTE,
                target_id=note.id,
                restricted_to_id=school.id if visibility == NoteVisibility.OWN else None,
                at=moment,
            )
        )


def _category(code: str) -> SupportCategory:
    return db.session.execute(
        select(SupportCategory).where(SupportCategory.code == code)
    ).scalar_one()


# --- The access log (app.auditlog) -----------------------------------------------------------

# The day of the constructed unusual reading, and how many students' cases it opens.
_UNUSUAL_DAYS_AGO = 2
_UNUSUAL_STUDENTS = 18


def _access_log(users: dict[str, User], school, today: date) -> None:
    """Eight weeks of ordinary reading at SOSU Fyn, and one constructed unusual day, so the
    access-log review and its flags have something to show (docs/access-log.md).

    Every working day the demo contact teacher opens a few of the students they are contact
    teacher for, and the demo counsellor a few of the school's students (whose plans they
    made). Two days ago the teacher opened the cases of 18 students who are none of theirs:
    both flags find it (many students in one day, and views outside their relations)."""
    teacher = users["laerer@demo.elevsag.dk"]
    counsellor = users["vejleder@demo.elevsag.dk"]
    own = list(
        db.session.scalars(
            select(Student).where(Student.contact_teacher_id == teacher.id).order_by(Student.id)
        )
    )
    school_students = list(
        db.session.scalars(
            select(Student).where(Student.school_id == school.id).order_by(Student.id)
        )
    )
    written = set(
        db.session.scalars(select(CaseEvent.student_id).where(CaseEvent.user_id == teacher.id))
    )
    strangers = [
        s for s in school_students if s.contact_teacher_id != teacher.id and s.id not in written
    ][:_UNUSUAL_STUDENTS]
    unusual_day = today - timedelta(days=_UNUSUAL_DAYS_AGO)

    def view(user: User, student: Student, day: date, n: int) -> None:
        event = audit.record(AuditAction.VIEW, student=student, user=user)
        event.at = datetime.combine(day, time(7 + n % 8, (7 * n) % 60), tzinfo=UTC)

    for back in range(1, 57):
        day = today - timedelta(days=back)
        if day.weekday() >= 5:
            continue
        for n in range(min(4, len(own))):
            view(teacher, own[(back + n) % len(own)], day, n)
        for n in range(min(5, len(school_students))):
            view(counsellor, school_students[(back * 5 + n) % len(school_students)], day, n)
    for n, student in enumerate(strangers):
        view(teacher, student, unusual_day, n)


def demo_users_exist() -> bool:
    emails = [login.email for login in DEMO_LOGINS]
    return (
        db.session.execute(select(User.id).where(User.email.in_(emails)).limit(1)).first()
        is not None
    )


# --- The partnership (app.partnership) ---------------------------------------------------------

# This year's action plan: (theme, title, owner code, responsible (a demo login's e-mail or a
# name), deadline (month, day), status, indicator, baseline, target). All fictional.
_INITIATIVES = (
    (
        "Rekruttering",
        "Fælles informationsaftener for voksne ansøgere",
        "SOSU-FYN",
        "leder@demo.elevsag.dk",
        (3, 31),
        "done",
        "intake",
        "410",
        "460",
    ),
    (
        "Rekruttering",
        "Flere SSA-uddannelsesaftaler i de mindre kommuner",
        "461",
        "partnerskab@demo.elevsag.dk",
        (9, 30),
        "in_progress",
        "dimensioning_gap",
        "38",
        "10",
    ),
    (
        "Fastholdelse i uddannelsen",
        "Mentorordning for elever i første oplæringsperiode",
        "SOSU-FYN",
        "Karen Lund",
        (6, 30),
        "in_progress",
        "dropout_rate",
        "18",
        "12",
    ),
    (
        "Fastholdelse i uddannelsen",
        "Fælles fraværsopfølgning mellem skole og kommune",
        "461",
        "Lone Bach",
        (11, 30),
        "planned",
        "completion_rate",
        "71",
        "78",
    ),
    (
        "Overgange",
        "Overleveringsnoter skrevet mindst 14 dage før oplæringsstart",
        "SOSU-FYN",
        "leder@demo.elevsag.dk",
        (5, 31),
        "planned",
        "handover_timeliness",
        "62",
        "90",
    ),
    (
        "Overgange",
        "Garanti for SSA-aftale til alle kvalificerede GF2-elever",
        "461",
        "partnerskab@demo.elevsag.dk",
        (12, 15),
        "dropped",
        None,
        None,
        None,
    ),
)


def _place_evaluations(rng, today: date) -> None:
    """Most students whose training period ended in the last 90 days evaluated the place
    (app.me.evaluation), mostly content; the partnership sees the counts."""
    db.session.flush()
    rows = db.session.execute(
        select(Period, Workplace.organisation_id)
        .join(Workplace, Workplace.id == Period.workplace_id)
        .where(
            Period.kind == PeriodKind.TRAINING,
            Period.end_date < today,
            Period.end_date >= today - timedelta(days=90),
        )
    ).all()
    for period, employer_id in rows:
        if rng.random() < 0.3:
            continue
        mood = rng.choice((5, 5, 4, 4, 4, 3, 2))
        answers = {
            q.value: max(1, min(5, mood + rng.choice((-1, 0, 0, 0, 1)))) for q in PlaceQuestion
        }
        db.session.add(
            PlaceEvaluation(
                period_id=period.id,
                student_id=period.student_id,
                employer_id=employer_id,
                answered_on=min(today, period.end_date + timedelta(days=rng.randint(0, 10))),
                **answers,
            )
        )


def _partnership(schools, municipalities, users, today: date) -> None:
    """Partnerskab Syddanmark (demo): the demo's schools, municipalities and region, with Odense
    as the anchor municipality, and this year's action plan with a few progress notes."""
    members = [org for org, _served in schools.values()] + list(municipalities.values())
    partnership = Partnership(
        name="Partnerskab Syddanmark (demo)",
        anchor=municipalities["461"],
        start_year=today.year - 1,
        end_year=today.year + 2,
        members=members,
    )
    coordinator = users["partnerskab@demo.elevsag.dk"]
    plan = ActionPlan(partnership=partnership, year=today.year, created_by_id=None)
    db.session.add_all([partnership, plan])
    db.session.flush()
    plan.created_by_id = coordinator.id
    orgs = {code: org for code, (org, _served) in schools.items()} | municipalities
    for theme, title, owner, responsible, (
        month,
        day,
    ), status, indicator, base, goal in _INITIATIVES:
        person = users.get(responsible)
        initiative = Initiative(
            plan=plan,
            theme=theme,
            title=title,
            owner_id=orgs[owner].id,
            responsible_user_id=person.id if person else None,
            responsible_name="" if person else responsible,
            deadline=date(today.year, month, day),
            status=InitiativeStatus(status),
            indicator=Indicator(indicator) if indicator else None,
            baseline=Decimal(base) if base else None,
            target=Decimal(goal) if goal else None,
            created_by_id=coordinator.id,
            updated_by_id=coordinator.id,
        )
        db.session.add(initiative)
        if status in ("done", "in_progress"):
            db.session.add(
                InitiativeNote(
                    initiative=initiative,
                    text="Drøftet på partnerskabsmødet; arbejdet følger planen.",
                    noted_on=today - timedelta(days=20),
                    author_id=coordinator.id,
                )
            )
    db.session.flush()
    seed_meetings(partnership, coordinator, today)

    dimensioning.seed_demo(partnership, coordinator, today)


def _risk_signs(school, supervisor, counsellor, today: date) -> None:
    """Signs of risk (docs/risk.md) the rest of the demo data does not show: absence above the
    threshold for two students in training at the demo counsellor's school, and a period
    extended twice for a third; recorded through the areas' services, as staff would."""
    periods = (
        db.session.execute(
            select(Period)
            .join(Student, Student.id == Period.student_id)
            .where(
                Student.school_id == school.id,
                Student.status == StudentStatus.ACTIVE,
                Period.kind == PeriodKind.TRAINING,
                Period.start_date <= today - timedelta(days=20),
                Period.end_date >= today + timedelta(days=30),
            )
            .order_by(Period.id)
            .limit(3)
        )
        .scalars()
        .all()
    )
    for period, days in zip(periods[:2], (6, 8), strict=False):
        end = today - timedelta(days=1)
        record_absence(
            period.student,
            period,
            end - timedelta(days=days - 1),
            end,
            AbsenceKind.ILLNESS,
            "Syg (demo)",
            supervisor,
        )
    if len(periods) == 3:
        period = periods[2]
        # The journey's service records the change as the signed-in user's: the counsellor's.
        with current_app.test_request_context():
            g._login_user = counsellor  # Flask-Login's current user, for this context only
            for weeks in (2, 4):
                extend_period(
                    period.student,
                    period,
                    period.end_date + timedelta(weeks=weeks),
                    True,
                    period.version_id,
                )
                db.session.flush()
