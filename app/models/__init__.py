"""All models, imported here so Alembic and the app see the whole schema."""

from app.models.audit import AuditAction, AuditEvent
from app.models.handover import HandoverNote, Notification, NotificationKind
from app.models.journey import (
    CaseEvent,
    CaseEventKind,
    Period,
    PeriodKind,
    PeriodStatus,
    TemplatePeriod,
    TrainingArea,
)
from app.models.organisation import Organisation, OrganisationKind, Workplace, WorkplaceKind
from app.models.student import (
    AgreementKind,
    DropoutReason,
    Programme,
    ProgrammeLevel,
    Student,
    StudentStatus,
    TrainingAgreement,
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
    "SCHOOL_ROLES",
    "AgreementKind",
    "AuditAction",
    "AuditEvent",
    "CaseEvent",
    "CaseEventKind",
    "DropoutReason",
    "HandoverNote",
    "LoginSession",
    "Membership",
    "Notification",
    "NotificationKind",
    "Organisation",
    "OrganisationKind",
    "Period",
    "PeriodKind",
    "PeriodStatus",
    "Programme",
    "ProgrammeLevel",
    "Role",
    "Student",
    "StudentStatus",
    "TemplatePeriod",
    "TrainingAgreement",
    "TrainingArea",
    "User",
    "Workplace",
    "WorkplaceKind",
]
