"""Single sign-on with OpenID Connect, configured per organisation (`OrganisationSso`).

The client is Authlib's Flask client (`FlaskOAuth2App`): it reads the provider's discovery
document, sends the browser to the provider with state, nonce and a PKCE challenge (S256),
fetches the tokens and checks the ID token (signature against the provider's JWKS, issuer,
audience, expiry, nonce). A fresh client is made per request from the organisation's row, so a
change an administrator saves applies to the next login.

A person gets in only as an ACTIVE user already invited into the organisation (a membership in
it) whose e-mail matches the ID token's, and only when the provider says the address is
verified. No user and no role is ever created here.
"""

from __future__ import annotations

from dataclasses import dataclass

from authlib.common.urls import add_params_to_uri
from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
from flask import current_app, session
from sqlalchemy import exists, func, select
from sqlalchemy.orm import contains_eager

from app.extensions import db
from app.models import Membership, Organisation, OrganisationSso, Role, User

# Where the login's provider is remembered in the (signed) session cookie, for the logout.
SESSION_KEY = "sso"


def client_for(config: OrganisationSso) -> FlaskOAuth2App:
    name = f"org-{config.organisation_id}"
    return FlaskOAuth2App(
        FlaskIntegration(name),
        name,
        client_id=config.client_id,
        client_secret=config.client_secret,
        server_metadata_url=config.metadata_url,
        client_kwargs={
            "scope": config.scopes,
            "code_challenge_method": "S256",
            "default_timeout": current_app.config["SSO_HTTP_TIMEOUT"],
        },
    )


def _enabled():
    return (
        select(OrganisationSso)
        .join(OrganisationSso.organisation)
        .options(contains_eager(OrganisationSso.organisation))
        .where(OrganisationSso.enabled.is_(True), Organisation.active.is_(True))
    )


def enabled_config(organisation_id: int) -> OrganisationSso | None:
    """The organisation's single sign-on, if it is switched on (and the organisation active)."""
    query = _enabled().where(OrganisationSso.organisation_id == organisation_id)
    return db.session.execute(query).scalar_one_or_none()


def login_choices() -> list[OrganisationSso]:
    """The organisations whose staff may log in through their provider, by name."""
    return list(db.session.execute(_enabled().order_by(Organisation.name)).scalars())


def email_verified(userinfo) -> bool:
    """The provider vouches for the address (`email_verified` true; some send the string)."""
    value = userinfo.get("email_verified")
    return value is True or (isinstance(value, str) and value.lower() == "true")


def invited_user(email: str, organisation_id: int) -> User | None:
    """The active user with this e-mail (any case) who has a role in the organisation."""
    query = select(User).where(
        func.lower(User.email) == email.strip().lower(),
        User.active.is_(True),
        exists().where(
            Membership.user_id == User.id, Membership.organisation_id == organisation_id
        ),
    )
    return db.session.execute(query).scalar_one_or_none()


# --- organisations that require single sign-on -------------------------------------------------


@dataclass(frozen=True)
class RequiredSso:
    organisation_id: int
    organisation_name: str
    provider_name: str


def required_for(user: User) -> list[RequiredSso]:
    """The providers `user` must log in through, or [] if a password still works for them.

    A password works as long as one of the user's roles is in an organisation that does not
    require single sign-on (or in none, like the system administrator's); otherwise an
    organisation would lock its staff out of another organisation's work.
    """
    # A student's own account is not staff: the school's staff login does not bind it.
    org_ids = {m.organisation_id for m in user.memberships if m.role is not Role.STUDENT}
    if not org_ids or None in org_ids:
        return []
    query = _enabled().where(
        OrganisationSso.required.is_(True), OrganisationSso.organisation_id.in_(org_ids)
    )
    rows = list(db.session.execute(query.order_by(Organisation.name)).scalars())
    if {row.organisation_id for row in rows} != org_ids:
        return []
    return [RequiredSso(r.organisation_id, r.organisation.name, r.provider_name) for r in rows]


# --- logout at the provider --------------------------------------------------------------------


def remember_login(config: OrganisationSso, token: dict, metadata: dict) -> None:
    """After start_session: keep what the logout needs to end the provider's session too (the
    ID token as id_token_hint, the provider's end_session_endpoint if it has one)."""
    session[SESSION_KEY] = {
        "organisation_id": config.organisation_id,
        "provider_name": config.provider_name,
        "id_token": token.get("id_token", ""),
        "end_session_endpoint": metadata.get("end_session_endpoint") or "",
        "client_id": config.client_id,
    }


def provider_of_this_login() -> int | None:
    """The organisation whose provider this login came through, or None (a password login)."""
    data = session.get(SESSION_KEY)
    return data.get("organisation_id") if data else None


def provider_logout(post_logout_redirect_uri: str) -> dict | None:
    """For the logout: the link that ends the provider's session as well, or None when this
    login did not come through a provider that offers one (RP-initiated logout)."""
    data = session.get(SESSION_KEY)
    if not data or not data.get("end_session_endpoint"):
        return None
    url = add_params_to_uri(
        data["end_session_endpoint"],
        {
            "id_token_hint": data["id_token"],
            "post_logout_redirect_uri": post_logout_redirect_uri,
            "client_id": data["client_id"],
        },
    )
    return {"url": url, "provider_name": data["provider_name"]}
