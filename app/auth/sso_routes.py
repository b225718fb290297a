"""Logging in through the organisation's OpenID Connect provider (app.auth.sso).

`/login/sso/<organisation_id>` sends the browser to the provider; the provider sends it back
to `/login/sso/<organisation_id>/callback`. Like the password login, failed callbacks count
against the per-address login limit.
"""

from __future__ import annotations

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from joserfc.errors import JoseError

from app import audit
from app.auth import bp, sso
from app.auth.sessions import start_session
from app.extensions import limiter
from app.models import AuditAction, OrganisationSso
from app.urls import external_url, safe_next

_NEXT_KEY = "sso_next"


def _failed(response) -> bool:
    """Only refused callbacks count against the limit (a login redirects)."""
    return response.status_code not in (302, 503)


def _not_available():
    flash(_("Single sign-on is not available for this organisation."), "error")
    return redirect(url_for("auth.login"))


def _problem(config: OrganisationSso, message: str, status: int):
    return render_template("auth/sso_problem.html", sso=config, message=message), status


def _provider_down(config: OrganisationSso, error: Exception):
    current_app.logger.warning(
        "single sign-on: %s (%s) did not answer: %s",
        config.provider_name,
        config.issuer,
        error,
    )
    message = _(
        "%(provider)s does not answer just now, so you cannot log in through it. "
        "Try again in a few minutes.",
        provider=config.provider_name,
    )
    return _problem(config, message, 502)


@bp.route("/login/sso/<int:organisation_id>")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], deduct_when=_failed)
def sso_login(organisation_id: int):
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    config = sso.enabled_config(organisation_id)
    if config is None:
        return _not_available()
    client = sso.client_for(config)
    redirect_uri = external_url("auth.sso_callback", organisation_id=organisation_id)
    try:
        response = client.authorize_redirect(redirect_uri)
    except (requests.RequestException, ValueError, RuntimeError) as error:
        return _provider_down(config, error)
    session[_NEXT_KEY] = safe_next(request.args.get("next")) or ""
    return response


@bp.route("/login/sso/<int:organisation_id>/callback")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], deduct_when=_failed)
def sso_callback(organisation_id: int):
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    config = sso.enabled_config(organisation_id)
    if config is None:
        return _not_available()
    provider = config.provider_name
    client = sso.client_for(config)
    try:
        token = client.authorize_access_token()
    except MismatchingStateError:
        audit.record(
            AuditAction.LOGIN_FAILED,
            criterion=f"single sign-on ({provider}): unknown or expired state",
            commit=True,
        )
        message = _(
            "The login could not be completed: it was started in another window, or it took "
            "too long. Start again from the login page."
        )
        return _problem(config, message, 400)
    except requests.RequestException as error:
        return _provider_down(config, error)
    except (AuthlibBaseError, JoseError, ValueError, RuntimeError) as error:
        current_app.logger.warning("single sign-on: %s refused: %r", provider, error)
        audit.record(
            AuditAction.LOGIN_FAILED,
            criterion=f"single sign-on ({provider}): {type(error).__name__}",
            commit=True,
        )
        message = _(
            "%(provider)s did not complete the login, or its answer could not be trusted. "
            "Start again from the login page.",
            provider=provider,
        )
        return _problem(config, message, 400)

    userinfo = token.get("userinfo") or {}
    email = (userinfo.get("email") or "").strip()
    organisation = config.organisation.name
    if not email or not sso.email_verified(userinfo):
        audit.record(
            AuditAction.LOGIN_FAILED,
            criterion=f"single sign-on ({provider}): e-mail missing or not verified",
            commit=True,
        )
        message = _(
            "%(provider)s did not confirm your e-mail address, so it cannot be matched to an "
            "account. Ask your administrator to check your address at %(provider)s.",
            provider=provider,
        )
        return _problem(config, message, 403)

    user = sso.invited_user(email, organisation_id)
    if user is None:
        audit.record(
            AuditAction.LOGIN_FAILED,
            criterion=(
                f"single sign-on ({provider}): no invited account in {organisation} "
                f"for {email.lower()}"
            ),
            commit=True,
        )
        message = _(
            "No invited account in %(organisation)s matches the e-mail %(email)s. Ask your "
            "administrator to invite you.",
            organisation=organisation,
            email=email,
        )
        return _problem(config, message, 403)

    audit.record(AuditAction.LOGIN, user=user, criterion=f"single sign-on ({provider})")
    locale = session.get("locale")
    next_url = session.get(_NEXT_KEY) or ""
    # A provider that asks for a second factor itself (MitID Erhverv always does) stands in
    # for Elevsag's own code; otherwise the two-factor gate asks for it as after a password.
    start_session(user, second_factor="provider" if config.provider_mfa else None)
    if locale:
        session["locale"] = locale
    sso.remember_login(config, token, client.load_server_metadata())
    return redirect(safe_next(next_url) or url_for("main.index"))
