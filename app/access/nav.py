"""The main menu: which sections a user may open. Decided from the memberships loaded with
the user (no query); templates/base.html shows the entries named here."""

from __future__ import annotations

from app.access.roles import (
    ADMIN_ROLES,
    CASE_ROLES,
    PLAN_EDITOR_ROLES,
    SCHOOL_CONTACT_ROLES,
    SUPPORT_EDIT_ROLES,
)
from app.models import Role, User

# Each section with the roles its pages are open to (their role gates).
SECTIONS: dict[str, frozenset[Role]] = {
    "students": CASE_ROLES,
    "transitions": PLAN_EDITOR_ROLES,
    "follow_ups": SUPPORT_EDIT_ROLES | {Role.TEACHER},
    "from_training": SCHOOL_CONTACT_ROLES,
    "reviews": CASE_ROLES,
    "starting_soon": frozenset({Role.SUPERVISOR}),
    "overview": frozenset({Role.ANALYST}),
    "admin": ADMIN_ROLES,
}


def nav_sections(user: User) -> frozenset[str]:
    """The names of the menu sections `user` may open (none when not logged in)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    return frozenset(name for name, roles in SECTIONS.items() if user.has_role(*roles))
