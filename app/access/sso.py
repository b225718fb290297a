"""Single sign-on settings: who may configure an organisation's OpenID Connect provider.

A school or municipality admin configures their own organisation's; the system administrator
any organisation's. Another organisation answers 404, like every administered object.
"""

from __future__ import annotations

from sqlalchemy import Select

from app.access.admin import (
    administered_organisations,
    get_administered_organisation_or_404,
    is_any_admin,
    is_system_admin,
)
from app.models import Organisation, User


def can_configure_sso(user: User) -> bool:
    return is_any_admin(user)


def get_sso_organisation_or_404(organisation_id: int, user: User) -> Organisation:
    """The organisation whose single sign-on `user` may configure; 404 otherwise."""
    return get_administered_organisation_or_404(organisation_id, user)


def sso_organisations_listed(user: User) -> Select[tuple[Organisation]] | None:
    """The organisations the admin start page links to, or None for the system admin (who
    reaches every organisation's page from the organisation list instead)."""
    if is_system_admin(user) or not is_any_admin(user):
        return None
    return administered_organisations(user)
