"""All models, imported here so Alembic and the app see the whole schema."""

from app.models.attachment import Attachment, AttachmentParent, ScanResult
from app.models.audit import AuditAction, AuditEvent
from app.models.casefile import (
    ActionItem,
    ActionItemStatus,
    CaseNote,
    CaseReview,
    NoteCategory,
    NoteVisibility,
    ReviewMeeting,
    ReviewOutcome,
    ReviewStatus,
    meeting_participant,
    review_participant,
)
from app.models.figures import FigureSnapshot
from app.models.handover import HandoverNote, Notification, NotificationKind
from app.models.journey import (
    CaseEvent,
    CaseEventKind,
    CaseEventTarget,
    Period,
    PeriodKind,
    PeriodStatus,
    TemplatePeriod,
    TrainingArea,
)
from app.models.organisation import Organisation, OrganisationKind, Workplace, WorkplaceKind
from app.models.student import (
    AgreementKind,
    ClassTeam,
    DropoutReason,
    Enrolment,
    Leave,
    Programme,
    ProgrammeLevel,
    Student,
    StudentSearchTerm,
    StudentStatus,
    TrainingAgreement,
)
from app.models.support import (
    SPS_TYPES,
    WORKPLACE_TYPES,
    Consent,
    ConsentCategory,
    ConsentChannel,
    DocumentationKind,
    MeasureProvider,
    MeasureStatus,
    MeasureType,
    SpsStage,
    SpsStep,
    SupportCategory,
    SupportMeasure,
    SupportNeed,
    SupportNeedStatus,
)
from app.models.training import (
    LEVEL_ORDER,
    Absence,
    AbsenceKind,
    Declaration,
    DeclarationLine,
    ExperienceCategory,
    GoalAssessment,
    GoalLevel,
    GoalRequirement,
    LearningAgreement,
    MidEvaluation,
    TrainingExperience,
    TrainingGoal,
    TrainingWarning,
)
from app.models.user import (
    EMPLOYER_ROLES,
    SCHOOL_ROLES,
    LoginSession,
    Membership,
    Role,
    User,
)

__all__ = [
    "EMPLOYER_ROLES",
    "LEVEL_ORDER",
    "SCHOOL_ROLES",
    "SPS_TYPES",
    "WORKPLACE_TYPES",
    "Absence",
    "AbsenceKind",
    "ActionItem",
    "ActionItemStatus",
    "AgreementKind",
    "Attachment",
    "AttachmentParent",
    "AuditAction",
    "AuditEvent",
    "CaseEvent",
    "CaseEventKind",
    "CaseEventTarget",
    "CaseNote",
    "CaseReview",
    "ClassTeam",
    "Consent",
    "ConsentCategory",
    "ConsentChannel",
    "Declaration",
    "DeclarationLine",
    "DocumentationKind",
    "DropoutReason",
    "Enrolment",
    "ExperienceCategory",
    "FigureSnapshot",
    "GoalAssessment",
    "GoalLevel",
    "GoalRequirement",
    "HandoverNote",
    "LearningAgreement",
    "Leave",
    "LoginSession",
    "MeasureProvider",
    "MeasureStatus",
    "MeasureType",
    "Membership",
    "MidEvaluation",
    "NoteCategory",
    "NoteVisibility",
    "Notification",
    "NotificationKind",
    "Organisation",
    "OrganisationKind",
    "Period",
    "PeriodKind",
    "PeriodStatus",
    "Programme",
    "ProgrammeLevel",
    "ReviewMeeting",
    "ReviewOutcome",
    "ReviewStatus",
    "Role",
    "ScanResult",
    "SpsStage",
    "SpsStep",
    "Student",
    "StudentSearchTerm",
    "StudentStatus",
    "SupportCategory",
    "SupportMeasure",
    "SupportNeed",
    "SupportNeedStatus",
    "TemplatePeriod",
    "TrainingAgreement",
    "TrainingArea",
    "TrainingExperience",
    "TrainingGoal",
    "TrainingWarning",
    "User",
    "Workplace",
    "WorkplaceKind",
    "meeting_participant",
    "review_participant",
]

# Imports (app.imports): a parsed file waiting for the uploader's confirmation.
from app.models.imports import ImportBatch, ImportKind

__all__ += ["ImportBatch", "ImportKind"]

# The partnership (app.partnership): members, anchor, the annual action plan.
from app.models.partnership import (  # noqa: E402
    ActionPlan,
    Indicator,
    Initiative,
    InitiativeNote,
    InitiativeStatus,
    Partnership,
    partnership_member,
)

__all__ += [
    "ActionPlan",
    "Indicator",
    "Initiative",
    "InitiativeNote",
    "InitiativeStatus",
    "Partnership",
    "partnership_member",
]

# The partnership's meetings (app.partnership.meetings): agenda, minutes, decisions, follow-ups.
from app.models.partnership_meeting import (  # noqa: E402
    AgendaItemKind,
    MeetingAgendaItem,
    MeetingDecision,
    MeetingFollowUp,
    MeetingStatus,
    PartnershipMeeting,
    partnership_meeting_invitee,
)

__all__ += [
    "AgendaItemKind",
    "MeetingAgendaItem",
    "MeetingDecision",
    "MeetingFollowUp",
    "MeetingStatus",
    "PartnershipMeeting",
    "partnership_meeting_invitee",
]

# The partnership's dimensioning: agreed SSA/SSH places per member employer and year.
from app.models.dimensioning import MAX_AGREED, AgreedPlaces, PlaceKind  # noqa: E402

__all__ += ["MAX_AGREED", "AgreedPlaces", "PlaceKind"]

# The outbox of e-mail (app.mail).
from app.models.mail import MailStatus, OutboxMessage  # noqa: E402

__all__ += ["MailStatus", "OutboxMessage"]

# E-mail notices: preferences per person and kind, the notices and the daily digests.
from app.models.mail_notice import MailChoice, MailDigest, MailNotice, MailPreference  # noqa: E402

__all__ += ["MailChoice", "MailDigest", "MailNotice", "MailPreference"]

# Invitation and password-reset links (app.auth.tokens).
from app.models.account import AccountToken, RecoveryCode, TokenPurpose  # noqa: E402

__all__ += ["AccountToken", "RecoveryCode", "TokenPurpose"]

# Single sign-on (app.auth.sso): an organisation's OpenID Connect provider.
from app.models.sso import OrganisationSso  # noqa: E402

__all__ += ["OrganisationSso"]

# Clients of the JSON API (app.api), each acting through its own service user.
from app.models.api_client import API_SCOPES, ApiClient  # noqa: E402

__all__ += ["API_SCOPES", "ApiClient"]

# The student's own voice (app.me): reflections in training, requests for a conversation.
from app.models.student_voice import (  # noqa: E402
    REFLECTION_MAX,
    TOPIC_MAX,
    ConversationRequest,
    ConversationWith,
    PlaceEvaluation,
    PlaceQuestion,
    Reflection,
)

__all__ += [
    "REFLECTION_MAX",
    "TOPIC_MAX",
    "ConversationRequest",
    "ConversationWith",
    "PlaceEvaluation",
    "PlaceQuestion",
    "Reflection",
]

# Retention (app.retention): rules per kind of record, legal holds, the log of runs.
from app.models.retention import (  # noqa: E402
    LegalHold,
    RetentionKind,
    RetentionRule,
    RetentionRun,
    RetentionRunCount,
)

__all__ += ["LegalHold", "RetentionKind", "RetentionRule", "RetentionRun", "RetentionRunCount"]

# Asking the school for help from the workplace (app.support.help).
from app.models.help_request import (  # noqa: E402
    DECLINE_REASON_MAX,
    HELP_REASON_MAX,
    HelpKind,
    HelpRequest,
    HelpStatus,
)

__all__ += ["DECLINE_REASON_MAX", "HELP_REASON_MAX", "HelpKind", "HelpRequest", "HelpStatus"]

# Early signs of risk (app.risk, docs/risk.md): the rules and the flags of the nightly refresh.
from app.models.risk import (  # noqa: E402
    SUPPORT_RULES,
    RiskFlag,
    RiskRefresh,
    RiskRule,
    RiskRuleCode,
)

__all__ += ["SUPPORT_RULES", "RiskFlag", "RiskRefresh", "RiskRule", "RiskRuleCode"]
