"""Human names for the domain's enums, translated. Templates reach these as `labels`."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.models import (
    AgreementKind,
    AuditAction,
    OrganisationKind,
    PeriodKind,
    PeriodStatus,
    ProgrammeLevel,
    Role,
    StudentStatus,
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
}

PROGRAMME_LEVEL = {
    ProgrammeLevel.BASIC: _l("Basic course"),
    ProgrammeLevel.MAIN: _l("Main course"),
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

AUDIT_ACTION = {
    AuditAction.VIEW: _l("Viewed"),
    AuditAction.SEARCH: _l("Searched"),
    AuditAction.CREATE: _l("Created"),
    AuditAction.UPDATE: _l("Changed"),
    AuditAction.DELETE: _l("Deleted"),
    AuditAction.EXPORT: _l("Exported"),
    AuditAction.LOGIN: _l("Logged in"),
    AuditAction.LOGIN_FAILED: _l("Failed login"),
    AuditAction.LOGOUT: _l("Logged out"),
}


def choices(mapping: dict) -> list[tuple[str, object]]:
    """(value, label) pairs for a WTForms SelectField."""
    return [(member.value, label) for member, label in mapping.items()]
