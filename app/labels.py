"""Human names for the domain's enums, translated. Templates reach these as `labels`."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp

from app.models import (
    AbsenceKind,
    ActionItemStatus,
    AgreementKind,
    AttachmentParent,
    CaseEventKind,
    ConsentCategory,
    ConsentChannel,
    DocumentationKind,
    DropoutReason,
    ExperienceCategory,
    GoalLevel,
    MeasureProvider,
    MeasureStatus,
    MeasureType,
    NoteCategory,
    NoteVisibility,
    NotificationKind,
    OrganisationKind,
    PeriodKind,
    PeriodStatus,
    RetentionKind,
    ReviewOutcome,
    ReviewStatus,
    Role,
    SpsStage,
    StudentStatus,
    SupportNeedStatus,
    TrainingArea,
    WorkplaceKind,
)

ROLE = {
    Role.COUNSELLOR: _l("Counsellor"),
    Role.TEACHER: _l("Contact teacher"),
    Role.SCHOOL_ADMIN: _l("School administrator"),
    Role.TRAINING_COORDINATOR: _l("Training coordinator"),
    Role.SUPERVISOR: _l("Practice supervisor"),
    Role.MUNICIPALITY_ADMIN: _l("Municipality administrator"),
    Role.ANALYST: _l("Partnership analyst"),
    Role.SYSTEM_ADMIN: _l("System administrator"),
}

ORGANISATION_KIND = {
    OrganisationKind.SCHOOL: _l("School"),
    OrganisationKind.MUNICIPALITY: _l("Municipality"),
    OrganisationKind.REGION: _l("Region"),
}

WORKPLACE_KIND = {
    WorkplaceKind.CARE_HOME: _l("Care home"),
    WorkplaceKind.HOME_CARE: _l("Home care"),
    WorkplaceKind.PSYCHIATRY: _l("Psychiatry"),
    WorkplaceKind.HOSPITAL: _l("Hospital"),
    WorkplaceKind.DAY_CARE: _l("Day care"),
    WorkplaceKind.DISABILITY: _l("Residential care for adults with disabilities"),
    WorkplaceKind.HEALTH_CENTRE: _l("Health and rehabilitation centre"),
}

STUDENT_STATUS = {
    StudentStatus.ACTIVE: _l("Active"),
    StudentStatus.ON_LEAVE: _l("On leave"),
    StudentStatus.DROPPED_OUT: _l("Dropped out"),
    StudentStatus.COMPLETED: _l("Completed"),
    StudentStatus.TRANSFERRED: _l("Transferred to another school"),
}

AGREEMENT_KIND = {
    AgreementKind.TRAINING: _l("Training agreement"),
    AgreementKind.ADULT_BASIC: _l("Employment from basic course 2 (adult 25+)"),
    AgreementKind.TRIAL_EMPLOYMENT: _l("Trial employment course"),
}

PERIOD_KIND = {
    PeriodKind.SCHOOL: _l("School period"),
    PeriodKind.TRAINING: _l("Training period"),
}

PERIOD_STATUS = {
    PeriodStatus.PLANNED: _l("Planned"),
    PeriodStatus.ONGOING: _l("Ongoing"),
    PeriodStatus.COMPLETED: _l("Completed"),
    PeriodStatus.INTERRUPTED: _l("Interrupted"),
}

TRAINING_AREA = {
    TrainingArea.HOME_CARE: _l("Home care"),
    TrainingArea.CARE_HOME: _l("Care home"),
    TrainingArea.LOCAL_HEALTH_CARE: _l("Municipal health and care"),
    TrainingArea.PSYCHIATRY: _l("Psychiatry"),
    TrainingArea.HOSPITAL_SOMATICS: _l("Hospital (somatic)"),
    TrainingArea.DAY_CARE: _l("Children's day care"),
    TrainingArea.SPECIAL_NEEDS: _l("Adults with special needs"),
}

DROPOUT_REASON = {
    DropoutReason.PERSONAL: _l("Personal or social circumstances"),
    DropoutReason.HEALTH: _l("Health"),
    DropoutReason.ACADEMIC: _l("Academic difficulties"),
    DropoutReason.WORKPLACE: _l("Problems at the training place"),
    DropoutReason.LANGUAGE: _l("Language difficulties"),
    DropoutReason.OTHER_EDUCATION: _l("Changed to another education"),
    DropoutReason.WORK: _l("Left for a job"),
    DropoutReason.MOVED: _l("Moved"),
    DropoutReason.OTHER: _l("Other"),
}

HANDOVER_STATUS = {
    "missing": _l("Missing"),
    "draft": _l("Draft"),
    "written": _l("Written"),
    "acknowledged": _l("Acknowledged"),
}

# How each line of the case history reads. Placeholders come from CaseEvent.details.
CASE_EVENT = {
    CaseEventKind.STUDENT_CREATED: _l("Student created"),
    CaseEventKind.STUDENT_RECORD_CHANGED: _l("Student record changed: %(fields)s"),
    CaseEventKind.PLAN_CREATED: _l(
        "Plan created from the programme template (%(periods)s periods from %(start)s)"
    ),
    CaseEventKind.PERIOD_ADDED: _l("Period added: %(period)s (%(start)s – %(end)s)"),
    CaseEventKind.PERIOD_CHANGED: _l("Period changed: %(period)s"),
    CaseEventKind.PERIOD_EXTENDED: _l("Period extended: %(period)s, end date %(old)s → %(new)s"),
    CaseEventKind.WORKPLACE_CHANGED: _l("Change of workplace: %(period)s, %(old)s → %(new)s"),
    CaseEventKind.PERIOD_STATUS_CHANGED: _l("Status changed: %(period)s, %(old)s → %(new)s"),
    CaseEventKind.PERIOD_DELETED: _l("Period deleted: %(period)s (%(start)s – %(end)s)"),
    CaseEventKind.DROPPED_OUT: _l("Dropped out on %(date)s (%(reason)s)"),
    CaseEventKind.READMITTED: _l("Re-admitted on %(date)s"),
    CaseEventKind.AGREEMENT_CREATED: _l("Training agreement created: %(employer)s from %(start)s"),
    CaseEventKind.AGREEMENT_CHANGED: _l("Training agreement changed: %(employer)s"),
    CaseEventKind.HANDOVER_WRITTEN: _l("Handover note written for %(period)s"),
    CaseEventKind.HANDOVER_CHANGED: _l("Handover note changed for %(period)s"),
    CaseEventKind.HANDOVER_ACKNOWLEDGED: _l("Handover note acknowledged for %(period)s"),
    CaseEventKind.SUPPORT_NEED_FLAGGED: _l("Support need flagged: %(category)s"),
    CaseEventKind.SUPPORT_NEED_CHANGED: _l("Support need changed: %(category)s"),
    CaseEventKind.SUPPORT_NEED_RESOLVED: _l("Support need resolved: %(category)s"),
    CaseEventKind.MEASURE_ADDED: _l("Support measure added: %(measure)s"),
    CaseEventKind.MEASURE_CHANGED: _l("Support measure changed: %(measure)s"),
    CaseEventKind.SPS_STEP: _l("SPS, %(measure)s: %(stage)s on %(date)s"),
    CaseEventKind.CONSENT_GIVEN: _l("Consent given: %(category)s to %(recipient)s"),
    CaseEventKind.CONSENT_WITHDRAWN: _l("Consent withdrawn: %(category)s to %(recipient)s"),
    CaseEventKind.GOALS_ASSESSED: _l("Training goals assessed in %(period)s (%(count)s goals)"),
    CaseEventKind.EXPERIENCE_RECORDED: _l("Training experience recorded in %(period)s"),
    CaseEventKind.EXPERIENCE_CHANGED: _l("Training experience changed in %(period)s"),
    CaseEventKind.LEARNING_AGREEMENT_SAVED: _l("Learning agreement saved for %(period)s"),
    CaseEventKind.MID_EVALUATION_SIGNED: _l("Mid-period evaluation signed for %(period)s"),
    CaseEventKind.MID_EVALUATION_ACKNOWLEDGED: _l(
        "Mid-period evaluation acknowledged for %(period)s"
    ),
    CaseEventKind.WARNING_GIVEN: _l("Warning given in %(period)s, deadline %(deadline)s"),
    CaseEventKind.WARNING_FOLLOWED_UP: _l("Warning followed up in %(period)s"),
    CaseEventKind.DECLARATION_SAVED: _l("Declaration on training saved for %(period)s"),
    CaseEventKind.DECLARATION_ISSUED: _l("Declaration on training issued for %(period)s"),
    CaseEventKind.ABSENCE_RECORDED: _l("Absence recorded in %(period)s: %(days)s days"),
    CaseEventKind.NOTE_WRITTEN: _l("Note written: %(category)s"),
    CaseEventKind.NOTE_CHANGED: _l("Note changed: %(category)s"),
    CaseEventKind.REVIEW_SCHEDULED: _l("Case review scheduled for %(date)s"),
    CaseEventKind.REVIEW_CHANGED: _l("Case review changed (%(date)s)"),
    CaseEventKind.REVIEW_HELD: _l("Case review held on %(date)s"),
    CaseEventKind.ACTION_ITEM_ADDED: _l("Action item added, due %(due)s"),
    CaseEventKind.ACTION_ITEM_CHANGED: _l("Action item changed: %(status)s"),
}

NOTE_CATEGORY = {
    NoteCategory.GENERAL: _l("General"),
    NoteCategory.ATTENDANCE: _l("Attendance"),
    NoteCategory.WELLBEING: _l("Well-being"),
    NoteCategory.ACADEMIC: _l("Academic"),
    NoteCategory.PRACTICAL: _l("Practical"),
    NoteCategory.HEALTH: _l("Health-related"),
}

NOTE_VISIBILITY = {
    NoteVisibility.SHARED: _l("Shared with the partner (school and municipality)"),
    NoteVisibility.OWN: _l("My organisation only"),
}

REVIEW_STATUS = {
    ReviewStatus.PLANNED: _l("Planned"),
    ReviewStatus.HELD: _l("Held"),
    ReviewStatus.CANCELLED: _l("Cancelled"),
}

REVIEW_OUTCOME = {
    ReviewOutcome.CONTINUE: _l("Continue as planned"),
    ReviewOutcome.EXTRA_SUPPORT: _l("Extra support"),
    ReviewOutcome.EXTENSION: _l("Extension"),
    ReviewOutcome.CHANGE_OF_WORKPLACE: _l("Change of workplace"),
    ReviewOutcome.DROPOUT_RISK: _l("Risk of dropout"),
}

ACTION_ITEM_STATUS = {
    ActionItemStatus.OPEN: _lp("status", "Open"),
    ActionItemStatus.DONE: _l("Done"),
    ActionItemStatus.CANCELLED: _l("Cancelled"),
}

GOAL_LEVEL = {
    GoalLevel.BEGINNER: _l("Beginner"),
    GoalLevel.ROUTINED: _l("Routined"),
    GoalLevel.ADVANCED: _l("Advanced"),
}

EXPERIENCE_CATEGORY = {
    ExperienceCategory.PROFESSIONAL: _l("Professional"),
    ExperienceCategory.PERSONAL: _l("Personal"),
    ExperienceCategory.SOCIAL: _l("Social"),
    ExperienceCategory.ATTENDANCE: _l("Attendance"),
}

ABSENCE_KIND = {
    AbsenceKind.ILLNESS: _l("Illness"),
    AbsenceKind.CHILD_ILLNESS: _l("Child's illness"),
    AbsenceKind.APPROVED_LEAVE: _l("Approved leave"),
    AbsenceKind.UNAUTHORISED: _l("Unauthorised absence"),
    AbsenceKind.OTHER: _l("Other absence"),
}

SUPPORT_NEED_STATUS = {
    SupportNeedStatus.ACTIVE: _l("Active"),
    SupportNeedStatus.RESOLVED: _l("Resolved"),
}

DOCUMENTATION_KIND = {
    DocumentationKind.NONE: _l("None yet"),
    DocumentationKind.DYSLEXIA_TEST: _l("Dyslexia test"),
    DocumentationKind.DYSCALCULIA_TEST: _l("Dyscalculia test"),
    DocumentationKind.MEDICAL_CERTIFICATE: _l("Medical certificate"),
    DocumentationKind.AUDIOGRAM: _l("Audiogram"),
    DocumentationKind.PSYCHOLOGICAL_ASSESSMENT: _l("Psychological assessment"),
    DocumentationKind.OTHER: _l("Other documentation"),
}

MEASURE_TYPE = {
    MeasureType.SPS_STUDY_SUPPORT: _l("SPS study-support hours"),
    MeasureType.IT_PACKAGE: _l("IT package"),
    MeasureType.INSTRUCTION_HOURS: _l("Instruction hours"),
    MeasureType.INTERPRETER: _l("Interpreter"),
    MeasureType.NOTE_TAKING: _l("Note-taking help"),
    MeasureType.NOTA: _l("NOTA"),
    MeasureType.MENTOR: _l("Mentor"),
    MeasureType.EXTRA_GUIDANCE: _l("Extra guidance"),
    MeasureType.LANGUAGE_SUPPORT: _l("Language support"),
    MeasureType.ADJUSTED_TRAINING: _l("Adjusted training"),
    MeasureType.OTHER: _l("Other support"),
}

MEASURE_PROVIDER = {
    MeasureProvider.SCHOOL: _l("School"),
    MeasureProvider.WORKPLACE: _l("Workplace"),
}

MEASURE_STATUS = {
    MeasureStatus.PLANNED: _l("Planned"),
    MeasureStatus.ACTIVE: _l("Active"),
    MeasureStatus.ENDED: _l("Ended"),
    MeasureStatus.CANCELLED: _l("Cancelled"),
}

SPS_STAGE = {
    SpsStage.AUTHORISATION_SIGNED: _l("Authorisation signed"),
    SpsStage.DOCUMENTATION_COMPLETE: _l("Documentation complete"),
    SpsStage.APPLIED: _l("Applied"),
    SpsStage.GRANTED: _l("Granted"),
    SpsStage.REFUSED: _l("Refused"),
    SpsStage.IN_USE: _l("In use"),
    SpsStage.ENDED: _l("Ended"),
}

CONSENT_CATEGORY = {
    ConsentCategory.SUPPORT_NEEDS: _l("Support needs"),
    ConsentCategory.SPS: _l("SPS"),
    ConsentCategory.HEALTH: _l("Health-related information"),
}

# How a consent was given (the staff consent list, the student's consent page).
CONSENT_CHANNEL = {
    ConsentChannel.APP: _l("Given by the student in Elevsag"),
    ConsentChannel.PAPER: _l("Recorded by staff from a signed paper form"),
}
# How it was withdrawn.
CONSENT_WITHDRAWN_CHANNEL = {
    ConsentChannel.APP: _l("by the student in Elevsag"),
    ConsentChannel.PAPER: _l("recorded by staff"),
}
# A consent line that says how (older lines have no channel: the plain CASE_EVENT text).
_CONSENT_LINE = {
    (CaseEventKind.CONSENT_GIVEN, ConsentChannel.APP): _l(
        "Consent given: %(category)s to %(recipient)s (by the student in Elevsag)"
    ),
    (CaseEventKind.CONSENT_GIVEN, ConsentChannel.PAPER): _l(
        "Consent given: %(category)s to %(recipient)s (from a signed paper form)"
    ),
    (CaseEventKind.CONSENT_WITHDRAWN, ConsentChannel.APP): _l(
        "Consent withdrawn: %(category)s to %(recipient)s (by the student in Elevsag)"
    ),
    (CaseEventKind.CONSENT_WITHDRAWN, ConsentChannel.PAPER): _l(
        "Consent withdrawn: %(category)s to %(recipient)s (recorded by staff)"
    ),
}

NOTIFICATION = {
    NotificationKind.REVIEW_SCHEDULED: _l("You take part in a case review of %(student)s."),
    NotificationKind.WARNING_GIVEN: _l(
        "%(student)s has been given a warning in %(period)s: a required level may not be reached."
    ),
    NotificationKind.CONCERN_RECORDED: _l(
        "The workplace has recorded a concern about %(student)s in %(period)s."
    ),
    NotificationKind.HANDOVER_WRITTEN: _l(
        "A handover note has been written for %(student)s before %(period)s."
    ),
    NotificationKind.HANDOVER_MISSING: _l(
        "%(student)s starts %(period)s on %(date)s and no handover note has been written."
    ),
    NotificationKind.NOTE_ACKNOWLEDGED: _l(
        "Your handover note for %(student)s before %(period)s has been acknowledged."
    ),
    NotificationKind.ACTION_ITEM_DUE: _l("An action item of yours about %(student)s is due."),
    # app.risk: never the reason (the person told may not see every rule's data).
    NotificationKind.RISK_SIGNS: _l("%(student)s now shows signs of risk of dropping out."),
    # Mailed only (app.mail.notices): a follow-up point has no student to show here.
    NotificationKind.FOLLOW_UP_OVERDUE: _l("A partnership follow-up point of yours is overdue."),
}


# The parts of the student record a "Student record changed" line names (never their values:
# contact details and year of birth stay on the record, not in the history).
STUDENT_RECORD_FIELD = {
    "first_name": _l("first name"),
    "last_name": _l("last name"),
    "student_number": _l("student number"),
    "email": _l("e-mail"),
    "phone": _l("phone"),
    "birth_year": _l("year of birth"),
    "contact_teacher": _l("contact teacher"),
    "counsellor": _l("counsellor"),
}


def choices(mapping: dict) -> list[tuple[str, object]]:
    """(value, label) pairs for a WTForms SelectField."""
    return [(member.value, label) for member, label in mapping.items()]


def _translate(details: dict, key: str, enum_cls, names: dict) -> None:
    """Show a stored enum value by its translated name."""
    if details.get(key) in enum_cls.__members__.values():
        details[key] = names[enum_cls(details[key])]


def describe(event) -> str:
    """One line of the case history, in the current language."""
    from contextlib import suppress
    from datetime import date

    from app.dates import date_text

    details = dict(event.details or {})
    for key, value in list(details.items()):
        if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
            with suppress(ValueError):
                details[key] = date_text(date.fromisoformat(value))
    if event.kind == CaseEventKind.PERIOD_STATUS_CHANGED:
        for key in ("old", "new"):
            if details.get(key) in PeriodStatus.__members__.values():
                details[key] = PERIOD_STATUS[PeriodStatus(details[key])]
    if event.kind == CaseEventKind.DROPPED_OUT and details.get("reason"):
        details["reason"] = DROPOUT_REASON.get(DropoutReason(details["reason"]), details["reason"])
    _translate(details, "measure", MeasureType, MEASURE_TYPE)
    _translate(details, "stage", SpsStage, SPS_STAGE)
    _translate(details, "record", AttachmentParent, ATTACHMENT_PARENT)
    if details.get("help") in ("case_review", "conversation"):
        details["help"] = str(HELP_KIND[HelpKind(details["help"])]).lower()
    if event.kind in (CaseEventKind.NOTE_WRITTEN, CaseEventKind.NOTE_CHANGED):
        _translate(details, "category", NoteCategory, NOTE_CATEGORY)
    if event.kind == CaseEventKind.ACTION_ITEM_CHANGED:
        _translate(details, "status", ActionItemStatus, ACTION_ITEM_STATUS)
    if event.kind in (CaseEventKind.CONSENT_GIVEN, CaseEventKind.CONSENT_WITHDRAWN):
        _translate(details, "category", ConsentCategory, CONSENT_CATEGORY)
    if event.kind in (CaseEventKind.STUDENT_RECORD_CHANGED, CaseEventKind.STUDENT_UPDATED):
        details["fields"] = ", ".join(
            str(IMPORT_FIELD.get(name, name)) for name in details.get("fields", [])
        )
    if event.kind == CaseEventKind.WORKPLACE_CHANGED:
        for key in ("old", "new"):
            if not details.get(key):
                details[key] = "–"
    consent_line = _CONSENT_LINE.get((event.kind, details.get("channel")))
    template = (
        str(consent_line or "")
        or _enrolment_template(event, details)
        or str(CASE_EVENT[event.kind])
    )
    try:
        return template % details
    except (KeyError, TypeError, ValueError):
        return template.split(":")[0]


def notification_text(notification) -> str:
    from app.dates import date_text

    return str(NOTIFICATION[notification.kind]) % {
        "student": notification.student.full_name,
        "period": notification.period.title or PERIOD_KIND[notification.period.kind],
        "date": date_text(notification.period.start_date),
    }


# --- Imports (app.imports) ---------------------------------------------------------------------
CASE_EVENT[CaseEventKind.STUDENT_IMPORTED] = _l("Student created by import (class team %(team)s)")
CASE_EVENT[CaseEventKind.STUDENT_UPDATED] = _l("Student record updated by import: %(fields)s")

# The fields an import may change, as the preview and the case history name them: the
# student record's, and an agreement's.
IMPORT_FIELD = {
    **STUDENT_RECORD_FIELD,
    "class_team": _l("class team"),
    "kind": _l("agreement type"),
    "end_date": _l("end date"),
}

# --- enrolments and statuses (app/journey/enrolments.py) -------------------------------------

CASE_EVENT.update(
    {
        CaseEventKind.ENROLMENT_COMPLETED: _l("Completed %(programme)s on %(date)s: %(result)s"),
        CaseEventKind.BASIC_COURSE_QUALIFIED: _l(
            "Completed %(programme)s on %(date)s: %(result)s, qualified for the main programme"
        ),
        CaseEventKind.BASIC_COURSE_NOT_QUALIFIED: _l(
            "Completed %(programme)s on %(date)s: %(result)s, not qualified for the main programme"
        ),
        CaseEventKind.ENROLLED: _l(
            "Enrolled in %(new)s at %(school)s from %(start)s (was %(old)s)"
        ),
        CaseEventKind.SUPPORT_CARRIED_OVER: _l(
            "Carried over to %(programme)s: %(needs)s support needs, %(measures)s measures, "
            "%(consents)s consents"
        ),
        CaseEventKind.SUPPORT_NOT_CARRIED_OVER: _l(
            "Not carried over to %(school)s: %(needs)s support needs resolved, %(measures)s "
            "measures ended, %(consents)s consents ended"
        ),
        CaseEventKind.MEASURE_ENDED: _l("Support measure ended: %(measure)s"),
        CaseEventKind.CONSENT_ENDED: _l(
            "Consent ended on %(date)s: %(category)s to %(recipient)s (does not continue)"
        ),
        CaseEventKind.LEAVE_STARTED: _l(
            "On leave %(start)s – %(end)s; the plan moves %(days)s days"
        ),
        CaseEventKind.LEAVE_ENDED: _l("Back from leave on %(date)s"),
        CaseEventKind.LEAVE_ENDED_PLAN_MOVED: _l(
            "Back from leave on %(date)s instead of %(planned)s; the plan follows"
        ),
        CaseEventKind.TRANSFERRED: _l("Transferred on %(date)s to %(destination)s"),
        CaseEventKind.EMPLOYER_CHANGED: _l("Changed employer: %(old)s → %(new)s from %(start)s"),
        CaseEventKind.STUDENT_ACCOUNT_INVITED: _l(
            "The student was invited to their own access to Elevsag"
        ),
        CaseEventKind.REFLECTION_WRITTEN: _l("The student wrote in the learning log"),
        CaseEventKind.CONVERSATION_REQUESTED: _l("The student asked for a conversation"),
        CaseEventKind.CONVERSATION_HANDLED: _l("A request for a conversation was handled"),
        CaseEventKind.PLACE_EVALUATED: _l("The student evaluated the training place"),
        # The student's own part: warnings and declarations (app/me/training.py).
        CaseEventKind.WARNING_READ: _l("The student read the warning given in %(period)s"),
        CaseEventKind.WARNING_COMMENTED: _l(
            "The student commented on the warning given in %(period)s"
        ),
        CaseEventKind.DECLARATION_CONFIRMED: _l(
            "The student confirmed having seen the declaration on training for %(period)s"
        ),
    }
)

# A dropout line names the period it happened in (older lines have none).
_DROPOUT_IN_PERIOD = _l("Dropped out on %(date)s in %(period)s (%(reason)s)")
_DROPOUT_AT_TRANSITION = _l("Dropped out on %(date)s, before starting %(period)s (%(reason)s)")


# "1 periods" reads wrong: a plan of one period (a basic course) has its own line.
_PLAN_OF_ONE_PERIOD = _l("Plan created from the programme template (one period from %(start)s)")


def _enrolment_template(event, details: dict):
    """The line's text where it depends on its details, for the kinds above; None: the usual."""
    if event.kind == CaseEventKind.CONSENT_ENDED:
        _translate(details, "category", ConsentCategory, CONSENT_CATEGORY)
    if event.kind == CaseEventKind.DROPPED_OUT and details.get("period"):
        return str(_DROPOUT_AT_TRANSITION if details.get("at_transition") else _DROPOUT_IN_PERIOD)
    if event.kind == CaseEventKind.PLAN_CREATED and details.get("periods") == 1:
        return str(_PLAN_OF_ONE_PERIOD)
    return None


# --- The partnership (app.partnership) ---------------------------------------------------------
from app.models import Indicator, InitiativeStatus  # noqa: E402

ROLE[Role.PARTNERSHIP_COORDINATOR] = _l("Partnership coordinator")
ROLE[Role.LEADER] = _l("Leader")
ROLE[Role.STUDENT] = _l("Student")
ROLE[Role.DATA_PROTECTION] = _l("Data protection adviser")

INITIATIVE_STATUS = {
    InitiativeStatus.PLANNED: _l("Planned"),
    InitiativeStatus.IN_PROGRESS: _l("In progress"),
    InitiativeStatus.DONE: _l("Done"),
    InitiativeStatus.DROPPED: _l("Dropped"),
}

# The DKFDS badge of each status on the action plan (the text says it, not the colour alone).
INITIATIVE_STATUS_BADGE = {
    InitiativeStatus.PLANNED: "badge-info",
    InitiativeStatus.IN_PROGRESS: "badge-warning",
    InitiativeStatus.DONE: "badge-success",
    InitiativeStatus.DROPPED: "",  # a plain badge
}

INDICATOR = {
    Indicator.INTAKE: _l("Intake"),
    Indicator.COMPLETION_RATE: _l("Completion rate"),
    Indicator.DROPOUT_RATE: _l("Dropout rate"),
    Indicator.HANDOVER_TIMELINESS: _l("Handover notes on time"),
    Indicator.DIMENSIONING_GAP: _l("Dimensioning gap"),
}

# --- the partnership's meetings ----------------------------------------------------------------

from app.models import AgendaItemKind, MeetingStatus  # noqa: E402

MEETING_STATUS = {
    MeetingStatus.PLANNED: _l("Planned"),
    MeetingStatus.HELD: _l("Held"),
}

MEETING_STATUS_BADGE = {
    MeetingStatus.PLANNED: "badge-info",
    MeetingStatus.HELD: "badge-success",
}

AGENDA_ITEM_KIND = {
    AgendaItemKind.INITIATIVE: _l("Initiative to follow up"),
    AgendaItemKind.FIGURES: _l("Key figures"),
    AgendaItemKind.CASE: _l("Case for joint evaluation"),
    AgendaItemKind.FREE: _l("Other item"),
}

# The kinds the coordinator writes by hand (the others are built from the plan).
AGENDA_ITEM_KIND_WRITTEN = {
    AgendaItemKind.FREE: AGENDA_ITEM_KIND[AgendaItemKind.FREE],
    AgendaItemKind.CASE: AGENDA_ITEM_KIND[AgendaItemKind.CASE],
}


# --- The student's evaluation of the training place (app.me.evaluation) -------------------------
from app.models import ConversationWith, PlaceQuestion  # noqa: E402

PLACE_QUESTION = {
    PlaceQuestion.WELCOMED: _l("I was welcomed and given a good start at the workplace."),
    PlaceQuestion.SUPERVISION: _l("I got the supervision I needed."),
    PlaceQuestion.LEARNING: _l("I learned what the period was meant to teach me."),
    PlaceQuestion.HEARD: _l("I was listened to when something was difficult."),
}
# Whom the student asks for a conversation (app.me.voice), in the student's words.
CONVERSATION_WITH = {
    ConversationWith.COUNSELLOR: _l("My counsellor"),
    ConversationWith.CONTACT_TEACHER: _l("My contact teacher"),
}
PLACE_SCALE = [
    ("5", _l("Strongly agree")),
    ("4", _l("Agree")),
    ("3", _l("Neither agree nor disagree")),
    ("2", _l("Disagree")),
    ("1", _l("Strongly disagree")),
]


# Attachments (app.attachments).
ATTACHMENT_PARENT = {
    AttachmentParent.NEED: _l("the support need"),
    AttachmentParent.MEASURE: _l("the support measure"),
    AttachmentParent.SPS_STEP: _l("the SPS step"),
    AttachmentParent.NOTE: _l("the note"),
    AttachmentParent.REVIEW: _l("the case review"),
    AttachmentParent.DECLARATION: _l("the declaration on training"),
}
# The allowed types (app.attachments.files.ALLOWED) as a person knows them.
ATTACHMENT_TYPE = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word (DOCX)",
    "application/vnd.oasis.opendocument.text": "OpenDocument (ODT)",
}
CASE_EVENT[CaseEventKind.ATTACHMENT_ADDED] = _l("File attached to %(record)s: %(filename)s")
CASE_EVENT[CaseEventKind.ATTACHMENT_REMOVED] = _l("File removed from %(record)s: %(filename)s")


def file_size(size: int) -> str:
    """A file's size as people read it: kB below 1 MB, else MB with one decimal ("2,5 MB")."""
    from flask_babel import format_decimal

    if size < 1024 * 1024:
        return f"{format_decimal(max(1, round(size / 1024)), format='#,##0')} kB"
    return f"{format_decimal(round(size / (1024 * 1024), 1), format='#,##0.#')} MB"


# --- retention (app.retention) ----------------------------------------------------------------
RETENTION_KIND = {
    RetentionKind.SPS_MATERIAL: _l("SPS material"),
    RetentionKind.OTHER_SUPPORT: _l("Other support"),
    RetentionKind.CASE_CONTENT: _l("Case content of a student who has left"),
    RetentionKind.ACCESS_LOG: _l("Access log"),
}
CASE_EVENT[CaseEventKind.LEGAL_HOLD_SET] = _l("Legal hold set: nothing is deleted under retention")
CASE_EVENT[CaseEventKind.LEGAL_HOLD_LIFTED] = _l("Legal hold lifted")
# --- support arranged at the workplace, and asking for help (app.support) --------------------
from app.models import WORKPLACE_TYPES, HelpKind, HelpStatus  # noqa: E402

MEASURE_TYPE.update(
    {
        MeasureType.ADJUSTED_TASKS: _l("Adjusted tasks"),
        MeasureType.EXTRA_SUPERVISION: _l("Extra supervision time"),
        MeasureType.WORK_AIDS: _l("Aids at work"),
    }
)
# The school's form offers the school's kinds; the workplace's form the workplace's.
SCHOOL_MEASURE_TYPE = {
    t: label
    for t, label in MEASURE_TYPE.items()
    if t not in (MeasureType.ADJUSTED_TASKS, MeasureType.EXTRA_SUPERVISION, MeasureType.WORK_AIDS)
}
WORKPLACE_MEASURE_TYPE = {t: MEASURE_TYPE[t] for t in WORKPLACE_TYPES}

HELP_KIND = {
    HelpKind.CASE_REVIEW: _l("A case review"),
    HelpKind.CONVERSATION: _l("A conversation with the counsellor"),
}
HELP_STATUS = {
    HelpStatus.OPEN: _l("Waiting for an answer"),
    HelpStatus.SCHEDULED: _l("Scheduled"),
    HelpStatus.DECLINED: _l("Declined"),
}
CASE_EVENT.update(
    {
        CaseEventKind.WORKPLACE_SUPPORT_ADDED: _l(
            "Support arranged at the workplace recorded: %(measure)s (%(employer)s)"
        ),
        CaseEventKind.WORKPLACE_SUPPORT_CHANGED: _l(
            "Support arranged at the workplace changed: %(measure)s (%(employer)s)"
        ),
        CaseEventKind.HELP_REQUESTED: _l("The workplace asked the school for %(help)s"),
        CaseEventKind.HELP_SCHEDULED: _l(
            "The school answered a request for %(help)s: a meeting on %(date)s"
        ),
        CaseEventKind.HELP_DECLINED: _l("The school declined a request for %(help)s"),
    }
)
NOTIFICATION[NotificationKind.HELP_ANSWERED] = _l(
    "The school has answered your request for help about %(student)s."
)
