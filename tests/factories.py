"""Test data builders. All names are fictional."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from app.auth.passwords import hash_password
from app.extensions import db
from app.models import (
    ActionItem,
    ActionPlan,
    AgendaItemKind,
    AgreementKind,
    CaseNote,
    CaseReview,
    Consent,
    ConsentCategory,
    ConsentChannel,
    DocumentationKind,
    ExperienceCategory,
    HandoverNote,
    HelpRequest,
    Initiative,
    InitiativeStatus,
    MeasureProvider,
    MeasureStatus,
    MeasureType,
    MeetingAgendaItem,
    MeetingFollowUp,
    Membership,
    MidEvaluation,
    NoteCategory,
    NoteVisibility,
    Notification,
    NotificationKind,
    Organisation,
    OrganisationKind,
    Partnership,
    PartnershipMeeting,
    Period,
    PeriodKind,
    PeriodStatus,
    Programme,
    ProgrammeLevel,
    ReviewMeeting,
    Role,
    Student,
    StudentStatus,
    SupportCategory,
    SupportMeasure,
    SupportNeed,
    TemplatePeriod,
    TrainingAgreement,
    TrainingExperience,
    TrainingGoal,
    TrainingWarning,
    User,
    Workplace,
    WorkplaceKind,
)
from app.models.student import new_student
from app.support.categories import ensure_support_categories
from app.support.consent_text import CONSENT_TEXT_VERSION
from app.training.goals import ensure_training_goals

PASSWORD = "korrekt-hest-batteri-42"
_seq = itertools.count(1)


@lru_cache(maxsize=1)
def _password_hash() -> str:
    # Argon2 is slow on purpose; hash the shared test password once.
    return hash_password(PASSWORD)


def organisation(
    kind: OrganisationKind = OrganisationKind.SCHOOL, name: str | None = None
) -> Organisation:
    n = next(_seq)
    org = Organisation(kind=kind, name=name or f"{kind.value.title()} {n}", code=f"T{n:05d}")
    db.session.add(org)
    db.session.flush()
    return org


def workplace(
    org: Organisation, name: str | None = None, kind=WorkplaceKind.CARE_HOME
) -> Workplace:
    wp = Workplace(organisation=org, name=name or f"Plejecenter {next(_seq)}", kind=kind)
    db.session.add(wp)
    db.session.flush()
    return wp


def user(
    role: Role | None = None,
    org: Organisation | None = None,
    wp: Workplace | None = None,
    name: str | None = None,
    email: str | None = None,
    active: bool = True,
) -> User:
    n = next(_seq)
    u = User(
        email=email or f"user{n}@example.org",
        name=name or f"Testbruger {n}",
        password_hash=_password_hash(),
        active=active,
    )
    if role is not None:
        u.memberships.append(Membership(role=role, organisation=org, workplace=wp))
    db.session.add(u)
    db.session.flush()
    return u


def student_account(s: Student, email: str | None = None) -> User:
    """The student's own account (Role.STUDENT), at the student's school."""
    n = next(_seq)
    u = User(
        email=email or f"elev{n}@example.org",
        name=s.full_name,
        password_hash=_password_hash(),
    )
    u.memberships.append(
        Membership(role=Role.STUDENT, organisation_id=s.school_id, student_id=s.id)
    )
    db.session.add(u)
    db.session.flush()
    return u


def programme(code: str = "SSA") -> Programme:
    existing = db.session.query(Programme).filter_by(code=code).one_or_none()
    if existing:
        return existing
    level = ProgrammeLevel.BASIC if code.startswith("GF") else ProgrammeLevel.MAIN
    p = Programme(code=code, name=f"Programme {code}", level=level, duration_weeks=100)
    db.session.add(p)
    db.session.flush()
    return p


def student(
    school: Organisation,
    programme_code: str = "SSA",
    first_name: str = "Test",
    last_name: str | None = None,
    status: StudentStatus = StudentStatus.ACTIVE,
    employer: Organisation | None = None,
    training_at: Workplace | None = None,
    training_start: date | None = None,
    training_days: int = 120,
) -> Student:
    n = next(_seq)
    s = new_student(
        student_number=f"S{n:06d}",
        first_name=first_name,
        last_name=last_name or f"Elev{n}",
        school=school,
        programme=programme(programme_code),
        status=status,
        start_date=date.today() - timedelta(days=200),
    )
    db.session.add(s)
    db.session.flush()
    if employer is not None:
        agreement(s, employer)
    if training_at is not None:
        start = training_start or date.today() - timedelta(days=10)
        period(s, PeriodKind.TRAINING, start, start + timedelta(days=training_days), training_at)
    return s


def agreement(
    s: Student,
    employer: Organisation,
    start: date | None = None,
    end: date | None = None,
    kind: AgreementKind = AgreementKind.TRAINING,
) -> TrainingAgreement:
    a = TrainingAgreement(
        student=s,
        employer=employer,
        kind=kind,
        start_date=start or date.today() - timedelta(days=100),
        end_date=end,
    )
    db.session.add(a)
    db.session.flush()
    return a


def period(
    s: Student, kind: PeriodKind, start: date, end: date, wp: Workplace | None = None
) -> Period:
    p = Period(
        student_id=s.id,
        enrolment_id=s.enrolments[-1].id,
        kind=kind,
        start_date=start,
        end_date=end,
        workplace=wp,
        status=PeriodStatus.PLANNED,
    )
    db.session.add(p)
    db.session.flush()
    return p


def starting_training(
    school_: Organisation, wp: Workplace, days: int, last_name: str | None = None
) -> tuple[Student, Period, Period]:
    """A student at school now who starts a training period at `wp` in `days` days: a
    transition the school writes a note for and the workplace acknowledges."""
    today = date.today()
    s = student(school_, last_name=last_name, employer=wp.organisation)
    school_period = period(
        s, PeriodKind.SCHOOL, today - timedelta(days=40), today + timedelta(days=days - 1)
    )
    training = period(
        s, PeriodKind.TRAINING, today + timedelta(days=days), today + timedelta(days=days + 90), wp
    )
    return s, school_period, training


@dataclass
class Side:
    """One school and one municipality that work together, with a user in every role.

    The student went from a school period to a training period at the workplace ten days ago;
    the school wrote a handover note for that transition.
    """

    school: Organisation
    municipality: Organisation
    workplace: Workplace
    student: Student
    school_period: Period
    training_period: Period
    note: HandoverNote
    users: dict[Role, User] = field(default_factory=dict)
    # Dyslexia with an SPS IT package; the consent to the municipality was withdrawn, so by
    # default the workplace side sees no support details.
    need: SupportNeed | None = None
    measure: SupportMeasure | None = None
    consent: Consent | None = None
    # The supervisor's experience (a concern) and a warning in the training period.
    experience: TrainingExperience | None = None
    warning: TrainingWarning | None = None
    evaluation: MidEvaluation | None = None
    case_note: CaseNote | None = None  # the counsellor's shared note, written just now
    # A coming case review (counsellor and coordinator), its action item, and a group meeting.
    review: CaseReview | None = None
    action_item: ActionItem | None = None
    meeting: ReviewMeeting | None = None
    # The side's partnership (school and municipality, the municipality its anchor), this
    # year's action plan and one initiative owned by the school (partnership_objects).
    partnership: Partnership | None = None
    plan: ActionPlan | None = None
    initiative: Initiative | None = None
    # A partnership meeting today, with one written agenda item and one follow-up.
    partnership_meeting: PartnershipMeeting | None = None
    agenda_item: MeetingAgendaItem | None = None
    follow_up: MeetingFollowUp | None = None


@dataclass
class World:
    a: Side
    b: Side
    analyst: User
    system_admin: User
    template_periods: list[TemplatePeriod]

    def user(self, role: Role, side: str = "a") -> User:
        if role is Role.ANALYST:
            return self.analyst
        if role is Role.SYSTEM_ADMIN:
            return self.system_admin
        return getattr(self, side).users[role]


def handover_note(
    s: Student,
    from_period: Period,
    to_period: Period,
    author: User | None = None,
    organisation_id: int | None = None,
) -> HandoverNote:
    note = HandoverNote(
        student_id=s.id,
        from_period_id=from_period.id,
        to_period_id=to_period.id,
        strengths="Mødestabil og nysgerrig.",
        first_weeks="Følg en fast kollega.",
        contact_person="Kontaktlærer, tlf. 12 34 56 78",
        author_id=author.id if author else None,
        author_organisation_id=organisation_id or s.school_id,
    )
    db.session.add(note)
    db.session.flush()
    return note


def starts_training_soon(
    side: Side, first_name: str, last_name: str, days: int = 5
) -> tuple[Student, Period, Period]:
    """A student of `side`'s school who leaves a school period for a training period at
    `side`'s workplace in `days` days: (student, school period, training period)."""
    s = student(side.school, first_name=first_name, last_name=last_name, employer=side.municipality)
    today = date.today()
    school = period(
        s, PeriodKind.SCHOOL, today - timedelta(days=60), today + timedelta(days=days - 1)
    )
    training = period(
        s,
        PeriodKind.TRAINING,
        today + timedelta(days=days),
        today + timedelta(days=days + 115),
        side.workplace,
    )
    return s, school, training


def _side(label: str) -> Side:
    school = organisation(OrganisationKind.SCHOOL, f"SOSU-skole {label}")
    municipality = organisation(OrganisationKind.MUNICIPALITY, f"Kommune {label}")
    wp = workplace(municipality, f"Plejecenter {label}")
    s = student(
        school, first_name=f"Elev{label}", last_name=f"Efternavn{label}", employer=municipality
    )
    today = date.today()
    school_period = period(
        s, PeriodKind.SCHOOL, today - timedelta(days=100), today - timedelta(days=11)
    )
    training = period(
        s, PeriodKind.TRAINING, today - timedelta(days=10), today + timedelta(days=110), wp
    )
    note = handover_note(s, school_period, training)
    side = Side(
        school=school,
        municipality=municipality,
        workplace=wp,
        student=s,
        school_period=school_period,
        training_period=training,
        note=note,
    )
    for role in (Role.COUNSELLOR, Role.TEACHER, Role.SCHOOL_ADMIN):
        side.users[role] = user(role, school, email=f"{role.value}.{label.lower()}@example.org")
    for role in (Role.TRAINING_COORDINATOR, Role.MUNICIPALITY_ADMIN):
        side.users[role] = user(
            role, municipality, email=f"{role.value}.{label.lower()}@example.org"
        )
    side.users[Role.SUPERVISOR] = user(
        Role.SUPERVISOR, municipality, wp, email=f"supervisor.{label.lower()}@example.org"
    )
    # The school's data-protection adviser (app.auditlog): reviews the school's access log.
    side.users[Role.DATA_PROTECTION] = user(
        Role.DATA_PROTECTION, school, email=f"data_protection.{label.lower()}@example.org"
    )
    counsellor = side.users[Role.COUNSELLOR]
    side.need = support_need(s, "dyslexia", counsellor, f"Ordblind, side {label}")
    side.measure = support_measure(
        s, MeasureType.IT_PACKAGE, counsellor, f"Bærbar med AppWriter, side {label}", side.need
    )
    side.consent = consent(s, ConsentCategory.SPS, municipality, counsellor)
    side.consent.withdrawn_at = side.consent.recorded_at
    supervisor = side.users[Role.SUPERVISOR]
    side.experience = experience(training, supervisor, f"Glemte vagten, side {label}", True)
    side.warning = warning(training, supervisor, f"Når ikke mål 4, side {label}")
    side.evaluation = MidEvaluation(
        period_id=training.id,
        evaluated_on=date.today(),
        on_track=True,
        comment="På rette spor.",
        signed_by_id=supervisor.id,
    )
    db.session.add(side.evaluation)
    side.case_note = CaseNote(
        student_id=s.id,
        author_id=counsellor.id,
        organisation_id=school.id,
        visibility=NoteVisibility.SHARED,
        category=NoteCategory.GENERAL,
        body=f"<p>Samtale med eleven, side {label}</p>",
    )
    db.session.add(side.case_note)
    return side


def goals(student_: Student) -> list[TrainingGoal]:
    return list(
        db.session.query(TrainingGoal)
        .filter_by(programme_id=student_.programme_id)
        .order_by(TrainingGoal.number)
    )


def experience(
    p: Period, author: User, text: str = "Deltog i morgenplejen", concern: bool = False
) -> TrainingExperience:
    e = TrainingExperience(
        period_id=p.id,
        student_id=p.student_id,
        on_date=max(p.start_date, min(date.today(), p.end_date)),
        category=ExperienceCategory.PROFESSIONAL,
        what_happened=text,
        concern=concern,
        author_id=author.id,
    )
    db.session.add(e)
    db.session.flush()
    return e


def warning(
    p: Period, author: User, reason: str = "Risiko for ikke at nå målene"
) -> TrainingWarning:
    w = TrainingWarning(
        period_id=p.id,
        student_id=p.student_id,
        reason=reason,
        agreed_actions="Ugentlig samtale med vejlederen.",
        deadline=p.end_date,
        issued_by_id=author.id,
    )
    db.session.add(w)
    db.session.flush()
    return w


def review_objects(side: Side) -> None:
    """A review with an action item and a meeting on `side`; for tests that need one of each
    (the access matrix), not in every world: review tests count what they create."""
    counsellor = side.users[Role.COUNSELLOR]
    coordinator = side.users[Role.TRAINING_COORDINATOR]
    side.review = CaseReview(
        student_id=side.student.id,
        on_date=date.today() + timedelta(days=7),
        participants=[counsellor, coordinator],
        created_by_id=counsellor.id,
        organisation_id=side.school.id,
    )
    db.session.add(side.review)
    db.session.flush()
    side.action_item = ActionItem(
        review_id=side.review.id,
        student_id=side.student.id,
        text="Ring til eleven",
        owner_id=coordinator.id,
        due_date=date.today() + timedelta(days=14),
    )
    side.meeting = ReviewMeeting(
        title="Kvartalsmøde",
        on_date=date.today() + timedelta(days=14),
        organiser_id=counsellor.id,
        organisation_id=side.school.id,
        participants=[counsellor, coordinator],
    )
    db.session.add_all([side.action_item, side.meeting])
    db.session.flush()


def category(code: str) -> SupportCategory:
    return db.session.query(SupportCategory).filter_by(code=code).one()


def support_need(
    s: Student, category_code: str, by: User, description: str = "Beskrivelse"
) -> SupportNeed:
    need = SupportNeed(
        student_id=s.id,
        category=category(category_code),
        description=description,
        documentation_kind=DocumentationKind.NONE,
        flagged_by_id=by.id,
    )
    db.session.add(need)
    db.session.flush()
    return need


def workplace_arrangement(
    side: Side,
    kind: MeasureType = MeasureType.EXTRA_SUPERVISION,
    health_related: bool = False,
    description: str = "",
) -> SupportMeasure:
    """Support arranged at the side's workplace: the employer's record, by its supervisor,
    for the training period."""
    supervisor = side.users[Role.SUPERVISOR]
    measure = SupportMeasure(
        student_id=side.student.id,
        type=kind,
        provider=MeasureProvider.WORKPLACE,
        organisation_id=side.municipality.id,
        health_related=health_related,
        description=description
        or f"30 minutter ekstra vejledning om ugen, side {side.school.name[-1]}",
        start_date=side.training_period.start_date,
        owner_id=supervisor.id,
        created_by_id=supervisor.id,
        status=MeasureStatus.ACTIVE,
        periods=[side.training_period],
    )
    db.session.add(measure)
    db.session.flush()
    return measure


def help_request(side: Side, kind=None, reason: str = "") -> HelpRequest:
    """An open request for help from the side's supervisor to the school."""
    from app.models import HelpKind

    supervisor = side.users[Role.SUPERVISOR]
    row = HelpRequest(
        student_id=side.student.id,
        kind=kind or HelpKind.CASE_REVIEW,
        reason=reason or f"Eleven har mistet motivationen, side {side.school.name[-1]}",
        organisation_id=side.municipality.id,
        period_id=side.training_period.id,
        requested_by_id=supervisor.id,
    )
    db.session.add(row)
    db.session.flush()
    return row


def support_measure(
    s: Student,
    kind: MeasureType,
    owner: User,
    description: str = "",
    need: SupportNeed | None = None,
    follow_up: date | None = None,
    status: MeasureStatus = MeasureStatus.ACTIVE,
) -> SupportMeasure:
    measure = SupportMeasure(
        student_id=s.id,
        type=kind,
        provider=MeasureProvider.SCHOOL,
        description=description,
        need=need,
        start_date=date.today() - timedelta(days=30),
        owner_id=owner.id,
        created_by_id=owner.id,
        next_follow_up=follow_up,
        status=status,
    )
    db.session.add(measure)
    db.session.flush()
    return measure


def consent(
    s: Student,
    kind: ConsentCategory,
    recipient: Organisation,
    by: User,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> Consent:
    c = Consent(
        student_id=s.id,
        category=kind,
        recipient_id=recipient.id,
        valid_from=valid_from or date.today() - timedelta(days=1),
        valid_to=valid_to,
        channel=ConsentChannel.PAPER,
        text_version=CONSENT_TEXT_VERSION,
        recorded_by_id=by.id,
    )
    db.session.add(c)
    db.session.flush()
    return c


def build_world() -> World:
    ensure_support_categories()
    programme("SSA")
    ensure_training_goals()
    a, b = _side("A"), _side("B")
    for side, label in ((a, "A"), (b, "B")):
        partnership_objects(side, label)
    analyst = user(Role.ANALYST, a.municipality, email="analyst@example.org")
    system_admin = user(Role.SYSTEM_ADMIN, email="sysadmin@example.org")
    # Everyone has one notification about their side's transition (the access matrix opens it).
    for side in (a, b):
        for u in side.users.values():
            notification(u, side)
    for u in (analyst, system_admin):
        notification(u, a)
    # Each side's student has their own account (app.me).
    for side, label in ((a, "a"), (b, "b")):
        side.users[Role.STUDENT] = student_account(side.student, f"student.{label}@example.org")
    # A template of its own, so tests that seed the real programmes are not disturbed.
    templated = programme("TEST")
    templates = [
        TemplatePeriod(
            programme_id=templated.id,
            position=n,
            kind=PeriodKind.SCHOOL,
            title=f"Skoleperiode {n}",
            weeks=10,
        )
        for n in (1, 2)
    ]
    db.session.add_all(templates)
    db.session.commit()
    return World(a=a, b=b, analyst=analyst, system_admin=system_admin, template_periods=templates)


def notification(u: User, side: Side) -> Notification:
    n = Notification(
        user_id=u.id,
        kind=NotificationKind.HANDOVER_WRITTEN,
        student_id=side.student.id,
        period_id=side.training_period.id,
    )
    db.session.add(n)
    db.session.flush()
    return n


# --- The partnership (app.partnership) ---------------------------------------------------------


def partnership(
    name: str, anchor: Organisation, *others: Organisation, start_year: int | None = None
) -> Partnership:
    p = Partnership(
        name=name,
        anchor=anchor,
        start_year=start_year or date.today().year - 1,
        members=[anchor, *others],
    )
    db.session.add(p)
    db.session.flush()
    return p


def action_plan(p: Partnership, year: int | None = None) -> ActionPlan:
    plan = ActionPlan(partnership=p, year=year or date.today().year)
    db.session.add(plan)
    db.session.flush()
    return plan


def initiative(
    plan: ActionPlan,
    owner: Organisation,
    title: str = "Flere elever gennemfører",
    theme: str = "Fastholdelse",
    status: InitiativeStatus = InitiativeStatus.PLANNED,
    **fields,
) -> Initiative:
    i = Initiative(plan=plan, owner_id=owner.id, title=title, theme=theme, status=status, **fields)
    db.session.add(i)
    db.session.flush()
    return i


def partnership_objects(side: Side, label: str) -> None:
    """The side's partnership with its coordinator (at the municipality, the anchor) and a
    leader (at the school), this year's plan and an initiative the school owns."""
    side.partnership = partnership(f"Partnerskab {label}", side.municipality, side.school)
    side.plan = action_plan(side.partnership)
    side.initiative = initiative(
        side.plan, side.school, title=f"Mentorordning {label}", theme="Fastholdelse"
    )
    side.users[Role.PARTNERSHIP_COORDINATOR] = user(
        Role.PARTNERSHIP_COORDINATOR,
        side.municipality,
        email=f"partnership_coordinator.{label.lower()}@example.org",
    )
    side.users[Role.LEADER] = user(
        Role.LEADER, side.school, email=f"leader.{label.lower()}@example.org"
    )
    side.partnership_meeting = partnership_meeting(side.partnership, title=f"Møde {label}")
    side.agenda_item = MeetingAgendaItem(
        meeting_id=side.partnership_meeting.id,
        kind=AgendaItemKind.FREE,
        title="Eventuelt",
        position=1,
    )
    side.follow_up = MeetingFollowUp(
        meeting_id=side.partnership_meeting.id,
        text="Send tal til næste møde",
        owner_id=side.municipality.id,
        deadline=date.today() + timedelta(days=30),
    )
    db.session.add_all([side.agenda_item, side.follow_up])
    db.session.flush()


def partnership_meeting(
    p: Partnership, on: date | None = None, title: str = "Partnerskabsmøde", **fields
) -> PartnershipMeeting:
    meeting = PartnershipMeeting(partnership=p, on_date=on or date.today(), title=title, **fields)
    db.session.add(meeting)
    db.session.flush()
    return meeting


# --- attachments (app.attachments) ------------------------------------------------------------

# A small but well-formed PDF: what the type check reads (the "%PDF-" header) and what a
# reader opens.
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def attachment(
    student: Student,
    kind,
    parent_id: int,
    user: User,
    data: bytes = MINIMAL_PDF,
    filename: str = "Ordblindetest.pdf",
    content_type: str = "application/pdf",
):
    """An attachment with its file in the store, as an upload leaves it."""
    import hashlib
    import secrets

    from app.access import acting_organisation_id
    from app.models import Attachment, AttachmentParent, ScanResult
    from app.storage import storage

    key = secrets.token_hex(32)
    storage().put(key, data)
    row = Attachment(
        student_id=student.id,
        parent_kind=AttachmentParent(kind),
        parent_id=parent_id,
        filename=filename,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_key=key,
        scan_result=ScanResult.NOT_SCANNED,
        uploaded_by_id=user.id,
        organisation_id=acting_organisation_id(user, student),
    )
    db.session.add(row)
    db.session.flush()
    return row
