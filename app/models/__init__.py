"""All models, imported here so Alembic and the app see the whole schema."""

from app.models.audit import AuditAction, AuditEvent
from app.models.journey import Period, PeriodKind, PeriodStatus
from app.models.organisation import Organisation, OrganisationKind, Workplace, WorkplaceKind
from app.models.student import (
    AgreementKind,
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
    "LoginSession",
    "Membership",
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
    "TrainingAgreement",
    "User",
    "Workplace",
    "WorkplaceKind",
]
