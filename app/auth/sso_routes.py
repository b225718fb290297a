"""Logging in through the organisation's OpenID Connect provider (app.auth.sso).

`/login/sso/<organisation_id>` sends the browser to the provider; the provider sends it back
to `/login/sso/<organisation_id>/callback`. Like the password login, failed callbacks count
against the per-address login limit.
"""

from __future__ import annotations

import time

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from joserfc.errors import JoseError

from app import audit
from app.auth import bp, sso
from app.auth.sessions import mark_verified, start_session
from app.extensions import db, limiter
from app.models import AuditAction, OrganisationSso
from app.urls import external_url, safe_next

_NEXT_KEY = "sso_next"
# A logged-in person confirming who they are through the provider before an export (step-up).
_STEP_UP_KEY = "sso_step_up"
# How old the provider's authentication may be when it confirms a step-up (its auth_time).
_STEP_UP_LEEWAY_SECONDS = 120


def _failed(response) -> bool:
    """Only refused callbacks count against the limit (a login redirects)."""
    return response.status_code not in (302, 503)


def _not_available():
    flash(_("Single sign-on is not available for this organisation."), "error")
    return redirect(url_for("auth.login"))


def _refused(config: OrganisationSso, criterion: str, message: str, status: int):
    """A refused login or confirmation: in the access log (LOGIN_FAILED, why) and a page."""
    audit.record(AuditAction.LOGIN_FAILED, criterion=criterion, commit=True)
    return _problem(config, message, status)


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
    if current_user.is_authenticated and _STEP_UP_KEY not in session:
        return redirect(url_for("main.index"))
    config = sso.enabled_config(organisation_id)
    if config is None:
        return _not_available()
    client = sso.client_for(config)
    token = _tokens(config, client)
    if not isinstance(token, dict):
        session.pop(_STEP_UP_KEY, None)
        return token  # the problem page
    if current_user.is_authenticated:
        return _confirmed(config, token)
    return _logged_in(config, client, token)


def _tokens(config: OrganisationSso, client):
    """The provider's tokens for the code in this callback (Authlib checks state, nonce and
    the ID token), or the page that says why there are none."""
    provider = config.provider_name
    try:
        return client.authorize_access_token()
    except MismatchingStateError:
        message = _(
            "The login could not be completed: it was started in another window, or it took "
            "too long. Start again from the login page."
        )
        return _refused(
            config, f"single sign-on ({provider}): unknown or expired state", message, 400
        )
    except requests.RequestException as error:
        return _provider_down(config, error)
    except (AuthlibBaseError, JoseError, ValueError, RuntimeError) as error:
        current_app.logger.warning("single sign-on: %s refused: %r", provider, error)
        message = _(
            "%(provider)s did not complete the login, or its answer could not be trusted. "
            "Start again from the login page.",
            provider=provider,
        )
        return _refused(
            config, f"single sign-on ({provider}): {type(error).__name__}", message, 400
        )


def _logged_in(config: OrganisationSso, client, token: dict):
    provider = config.provider_name
    userinfo = token.get("userinfo") or {}
    email = (userinfo.get("email") or "").strip()
    organisation = config.organisation.name
    if not email or not sso.email_verified(userinfo):
        message = _(
            "%(provider)s did not confirm your e-mail address, so it cannot be matched to an "
            "account. Ask your administrator to check your address at %(provider)s.",
            provider=provider,
        )
        return _refused(
            config, f"single sign-on ({provider}): e-mail missing or not verified", message, 403
        )

    user = sso.invited_user(email, config.organisation_id)
    if user is None:
        message = _(
            "No invited account in %(organisation)s matches the e-mail %(email)s. Ask your "
            "administrator to invite you.",
            organisation=organisation,
            email=email,
        )
        return _refused(
            config,
            (
                f"single sign-on ({provider}): no invited account in {organisation} "
                f"for {email.lower()}"
            ),
            message,
            403,
        )

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


# --- step-up through the provider -------------------------------------------------------------


@bp.route("/account/confirm/sso")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], deduct_when=_failed)
@login_required
def sso_step_up():
    """Before an export (app.access.twofactor.step_up_required), a person who logged in through
    their organisation's provider proves who they are there again: the provider is asked to
    authenticate afresh (prompt=login, max_age=0), and the callback checks it is the same
    person. A password is never asked of someone whose login is the provider's."""
    organisation_id = sso.provider_of_this_login()
    config = sso.enabled_config(organisation_id) if organisation_id else None
    if config is None:
        return _not_available_for_step_up()
    client = sso.client_for(config)
    redirect_uri = external_url("auth.sso_callback", organisation_id=config.organisation_id)
    try:
        response = client.authorize_redirect(redirect_uri, prompt="login", max_age=0)
    except (requests.RequestException, ValueError, RuntimeError) as error:
        return _provider_down(config, error)
    session[_STEP_UP_KEY] = {
        "user_id": current_user.id,
        "next": safe_next(request.args.get("next")) or "",
        "started": int(time.time()),
    }
    return response


def _not_available_for_step_up():
    flash(_("Single sign-on is not available for this organisation."), "error")
    return redirect(url_for("auth.step_up", next=request.args.get("next", "")))


def _confirmed(config: OrganisationSso, token: dict):
    """The callback of a step-up: the provider vouched for the person again, just now."""
    asked = session.pop(_STEP_UP_KEY)
    provider = config.provider_name
    userinfo = token.get("userinfo") or {}
    email = (userinfo.get("email") or "").strip().lower()
    auth_time = userinfo.get("auth_time")
    fresh = isinstance(auth_time, int) and auth_time >= asked["started"] - _STEP_UP_LEEWAY_SECONDS
    same = (
        asked["user_id"] == current_user.id
        and sso.email_verified(userinfo)
        and email == current_user.email.lower()
    )
    if not (same and fresh):
        message = _(
            "%(provider)s did not confirm that it is you just now. Try again, logged in at "
            "%(provider)s as yourself.",
            provider=provider,
        )
        return _refused(
            config,
            (
                f"confirming before an export through {provider}: "
                + ("another person" if not same else "no fresh authentication")
            ),
            message,
            403,
        )
    mark_verified(current_user, None)
    audit.record(
        AuditAction.LOGIN, criterion=f"confirmed before an export: single sign-on ({provider})"
    )
    db.session.commit()
    return redirect(safe_next(asked["next"]) or url_for("main.index"))
