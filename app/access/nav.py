"""The main menu: which sections a user may open. Decided from the memberships loaded with
the user (no query); templates/base.html shows the entries named here."""

from __future__ import annotations

from app.access.imports import IMPORT_ROLES
from app.access.risk import RISK_LIST_ROLES
from app.access.roles import (
    ACCESS_LOG_ROLES,
    ADMIN_ROLES,
    CASE_ROLES,
    PARTNERSHIP_ROLES,
    PLAN_EDITOR_ROLES,
    SCHOOL_CONTACT_ROLES,
    SUPPORT_EDIT_ROLES,
)
from app.models import Role, User

# Each section with the roles its pages are open to (their role gates).
SECTIONS: dict[str, frozenset[Role]] = {
    "my_overview": CASE_ROLES,
    "students": CASE_ROLES,
    "transitions": PLAN_EDITOR_ROLES,
    "follow_ups": SUPPORT_EDIT_ROLES | {Role.TEACHER},
    "from_training": SCHOOL_CONTACT_ROLES,
    # app.risk: "Elever med risikotegn" (app.access.risk).
    "at_risk": RISK_LIST_ROLES,
    "reviews": CASE_ROLES,
    "starting_soon": frozenset({Role.SUPERVISOR}),
    # The partnership's figures (app.main.indicators): its analyst, coordinator and leaders.
    "overview": PARTNERSHIP_ROLES,
    "admin": ADMIN_ROLES,
    # app.auditlog: the organisation's access log, for its admins and data-protection adviser.
    "access_log": ACCESS_LOG_ROLES,
    "imports": IMPORT_ROLES,  # app.imports: students, class teams, agreements, team plans
    # app.partnership: the members' partnership and action plan; the system admin sets
    # partnerships up from the same page.
    "partnership": PARTNERSHIP_ROLES | {Role.SYSTEM_ADMIN},
    # app.me: the student's own case ("Mit forløb").
    "my_plan": frozenset({Role.STUDENT}),
}


def nav_sections(user: User) -> frozenset[str]:
    """The names of the menu sections `user` may open (none when not logged in)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    return frozenset(name for name, roles in SECTIONS.items() if user.has_role(*roles))


# The parts of "My overview" (app.main.tasks), each with the roles whose work it is. A
# part links to its full list, so it is shown to the roles that list is open to.
OVERVIEW_PARTS: dict[str, frozenset[Role]] = {
    "notes_to_write": CASE_ROLES,
    "notes_to_acknowledge": CASE_ROLES,
    "follow_ups": SECTIONS["follow_ups"],
    "warnings": SCHOOL_CONTACT_ROLES,
    "concerns": SCHOOL_CONTACT_ROLES,
    # Students who asked this counsellor or contact teacher for a conversation (app.me).
    "conversations": SCHOOL_CONTACT_ROLES,
    # Requests for help from the workplace side, to schedule or decline (app.support.help).
    "help_requests": SCHOOL_CONTACT_ROLES,
    # Students showing signs of risk (app.risk), the head of "Elever med risikotegn".
    "at_risk": SECTIONS["at_risk"],
    "action_items": CASE_ROLES,
    "reviews": CASE_ROLES,
    "starting_soon": SECTIONS["starting_soon"],
    "transitions": PLAN_EDITOR_ROLES,
}


def overview_parts(user: User) -> list[str]:
    """The parts of "My overview" for `user`, in the order the page shows them."""
    return [name for name, roles in OVERVIEW_PARTS.items() if user.has_role(*roles)]


def sees_list(user: User, section: str) -> bool:
    """May `user` open the full list of menu section `section`?"""
    return user.has_role(*SECTIONS[section])
