"""Two-factor login: who must use it, what a login that has not shown it may reach, and when
an export asks the person to prove who they are again (step-up).

Every role that can see support or health data, and the data-protection adviser (who reads
the access log), must use two-factor login; for the others it is optional. The set of roles is
the setting TWO_FACTOR_REQUIRED_ROLES (None: the default below). The codes themselves are
checked in app.auth.twofactor.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import current_app, redirect, request, url_for
from flask_login import current_user

from app.access.roles import SUPPORT_READ_ROLES
from app.models import EMPLOYER_ROLES, Role, User
from app.models.base import utcnow

P = ParamSpec("P")
R = TypeVar("R")

# The roles that can see support or health data (app.access.support): the school's counsellors
# and teachers; the employer side (training coordinator, supervisor, municipality admin) under
# the student's consent; and the school admin, whose access-request export holds all of it
# (app.access.export).
SUPPORT_DATA_ROLES: frozenset[Role] = SUPPORT_READ_ROLES | EMPLOYER_ROLES | {Role.SCHOOL_ADMIN}
# The roles that must use two-factor login by default: those above, and the data-protection
# adviser, whose access log (app.auditlog) says who read which named student's case and when.
DEFAULT_REQUIRED_ROLES: frozenset[Role] = SUPPORT_DATA_ROLES | {Role.DATA_PROTECTION}

# How the second factor was shown (LoginSession.second_factor).
TOTP = "totp"
RECOVERY = "recovery"
PROVIDER = "provider"  # the organisation's identity provider did multi-factor (single sign-on)

# What a login may reach before its second factor: leaving, the language, the page's files.
_ALWAYS = frozenset({"static", "auth.logout", "auth.set_language", "auth.keep_session_alive"})
_BEFORE_ENROLMENT = _ALWAYS | {"auth.two_factor_enrol"}
_BEFORE_CODE = _ALWAYS | {"auth.login_code"}


def required_roles() -> frozenset[Role]:
    configured = current_app.config.get("TWO_FACTOR_REQUIRED_ROLES")
    if configured is None:
        extra = current_app.config.get("TWO_FACTOR_EXTRA_ROLES", frozenset())
        return DEFAULT_REQUIRED_ROLES | {Role(role) for role in extra}
    return frozenset(Role(role) for role in configured)


def requires_two_factor(user: User) -> bool:
    """Must `user` log in with a second factor (because of a role they hold)?"""
    return user.has_role(*required_roles())


def may_turn_off(user: User) -> bool:
    return user.two_factor_enabled and not requires_two_factor(user)


def session_verified(user: User) -> bool:
    """Has this request's login session shown a second factor?"""
    row = user.login_session
    return row is not None and row.second_factor is not None


def gate(user: User, endpoint: str | None) -> str | None:
    """The endpoint a logged-in request to `endpoint` must go to first, or None to go on:
    an enrolled user's login shows its code first; a user whose role requires two-factor login
    enrols first (unless the identity provider did multi-factor).

    Only browser logins (a LoginSession, app.auth.sessions) pass this gate; a request
    authenticated another way (no login session) decides its second factor itself."""
    if endpoint is None or endpoint in _ALWAYS or user.login_session is None:
        return None
    if session_verified(user):
        return None
    if user.two_factor_enabled:
        return None if endpoint in _BEFORE_CODE else "auth.login_code"
    if requires_two_factor(user):
        return None if endpoint in _BEFORE_ENROLMENT else "auth.two_factor_enrol"
    return None


# --- step-up before exporting a whole case ----------------------------------------------------


def needs_step_up(user: User) -> bool:
    """Did the person last prove who they are (the login, a code, the password again) longer
    ago than STEP_UP_MINUTES?"""
    row = user.login_session
    if row is None or row.verified_at is None:
        return True
    window = timedelta(minutes=current_app.config["STEP_UP_MINUTES"])
    return utcnow() - row.verified_at > window


def current_path() -> str:
    """This request's path and query, for returning to it."""
    path = request.full_path
    return path[:-1] if path.endswith("?") else path


def step_up_required(view: Callable[P, R]) -> Callable[P, R]:
    """Before an export of a whole case: a person who has not proved who they are in the last
    STEP_UP_MINUTES is sent to confirm (their code, or their password without two-factor
    login) and comes back here. Put it below the role gate."""

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        if current_user.is_authenticated and needs_step_up(current_user):
            return redirect(url_for("auth.step_up", next=current_path()))  # type: ignore[return-value]
        return view(*args, **kwargs)

    return wrapped
