from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user
from sqlalchemy import func, select

from app import access, audit
from app.auth import bp, sso, tokens
from app.auth.account_mail import prepare_reset
from app.auth.forms import ForgotPasswordForm, LanguageForm, LoginForm, NewPasswordForm
from app.auth.passwords import hash_password, needs_rehash, verify_password
from app.auth.sessions import (
    active_sessions,
    browser_summary,
    end_all_sessions,
    end_session,
    is_current,
    keep_alive,
    revoke,
    start_session,
)
from app.extensions import db, limiter
from app.forms import ButtonForm
from app.models import AuditAction, TokenPurpose, User
from app.urls import external_url, safe_next


def _account_key() -> str:
    return "login-account:" + request.form.get("email", "").strip().lower()[:254]


def _failed(response) -> bool:
    """Only failed attempts count against the limits: a successful login redirects, and a
    503 (the database did not answer, app/errors.py) checked no password."""
    return response.status_code not in (302, 503)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_failed
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_failed,
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        email = form.email.data.lower()
        user = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
        password_ok = verify_password(user.password_hash if user else None, form.password.data)
        required_sso = sso.required_for(user) if user and password_ok and user.active else []
        if required_sso:
            # Told only after the right password, so the page reveals no more than a wrong
            # password's would to someone who does not know it (docs/accounts.md).
            audit.record(
                AuditAction.LOGIN_FAILED,
                user=user,
                criterion="password login refused: the organisation requires single sign-on",
                commit=True,
            )
            form.password.errors.append(
                _(
                    "Your organisation logs in through %(provider)s: use the button under "
                    '"Log in with your organisation".',
                    provider=required_sso[0].provider_name,
                )
            )
            return _login_page(form)
        if user is not None and password_ok and user.active:
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(form.password.data)
            two_factor = user.two_factor_enabled
            criterion = "password; the two-factor code follows" if two_factor else ""
            audit.record(AuditAction.LOGIN, user=user, criterion=criterion)
            locale = session.get("locale")
            start_session(user)  # commits the audit row too
            if locale:
                session["locale"] = locale
            if two_factor:  # the session reaches nothing else until the code is given
                return redirect(url_for("auth.login_code", next=safe_next(form.next.data)))
            return redirect(safe_next(form.next.data) or url_for("main.index"))
        audit.record(AuditAction.LOGIN_FAILED, user=user, commit=True)
        form.password.errors.append(_("Wrong e-mail or password."))
    return _login_page(form)


def _login_page(form: LoginForm):
    return render_template(
        "auth/login.html",
        form=form,
        sso_choices=sso.login_choices(),
        provider_logout=session.pop("sso_logout", None) if request.method == "GET" else None,
    )


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    audit.record(AuditAction.LOGOUT)
    provider_logout = sso.provider_logout(external_url("auth.login"))
    end_session()  # commits
    flash(_("You are logged out."), "success")
    if provider_logout:  # the login page offers to end the provider's session too
        session["sso_logout"] = provider_logout
    return redirect(url_for("auth.login"))


@bp.route("/session/keep-alive", methods=["POST"])
@login_required
def keep_session_alive():
    """The idle-logout warning's "Stay logged in" (static/js/session-timeout.js)."""
    return jsonify(seconds_left=keep_alive(current_user))


@bp.route("/language", methods=["POST"])
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.language.data
        if current_user.is_authenticated:
            current_user.locale = form.language.data
            db.session.commit()
    return redirect(safe_next(form.next.data) or url_for("main.index"))


# --- "Forgot password?" and the links that choose a password ----------------------------------


def _reset_account_key() -> str:
    return "reset-account:" + request.form.get("email", "").strip().lower()[:254]


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RESET_LIMIT_PER_ADDRESS"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["RESET_LIMIT_PER_ACCOUNT"],
    key_func=_reset_account_key,
    methods=["POST"],
)
def forgot_password():
    """Asks for the e-mail address. The answer is the same page whether or not the address
    belongs to an account, and the same work is done (app.auth.account_mail.prepare_reset):
    the page never tells who has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.execute(
            select(User).where(func.lower(User.email) == email)
        ).scalar_one_or_none()
        prepare_reset(user)
        db.session.commit()
        return render_template("auth/forgot_password_sent.html")
    return render_template("auth/forgot_password.html", form=form)


_LINK_PROBLEMS = {
    tokens.LinkProblem.UNKNOWN: (
        404,
        _l(
            "The link is not valid. Check that you copied the whole link from the e-mail, "
            "or ask for a new one."
        ),
    ),
    tokens.LinkProblem.USED: (
        410,
        _l("The link has already been used. A link works only once."),
    ),
    tokens.LinkProblem.EXPIRED: (410, _l("The link has expired.")),
    tokens.LinkProblem.REPLACED: (
        410,
        _l(
            "The link no longer works: a newer link has been sent, or the password has "
            "been chosen meanwhile. Use the newest e-mail."
        ),
    ),
    tokens.LinkProblem.INACTIVE: (410, _l("The account is not active.")),
}


def _choose_password(token: str, purpose: TokenPurpose):
    found = tokens.check(token, purpose)
    invitation = purpose is TokenPurpose.INVITATION
    if isinstance(found, tokens.LinkProblem):
        status, message = _LINK_PROBLEMS[found]
        return render_template(
            "auth/link_problem.html", message=message, invitation=invitation
        ), status
    user = found.user
    form = NewPasswordForm(email=user.email)
    if form.validate_on_submit():
        if not tokens.use(found):  # another request used the link a moment ago
            db.session.rollback()
            status, message = _LINK_PROBLEMS[tokens.LinkProblem.USED]
            return render_template(
                "auth/link_problem.html", message=message, invitation=invitation
            ), status
        user.password_hash = hash_password(form.password.data)
        tokens.revoke(user)  # every other unused link of the user stops working
        ended = end_all_sessions(user)
        what = "invitation accepted" if invitation else "password reset by e-mail link"
        audit.record(
            AuditAction.UPDATE,
            obj=user,
            user=user,
            criterion=f"{what}: new password; login sessions ended: {ended}",
        )
        db.session.commit()
        if current_user.is_authenticated:
            logout_user()
        session.clear()
        if invitation:
            flash(_("Your password is saved. Log in with it now."), "success")
        else:
            flash(
                _("Your new password is saved, and you are logged out everywhere. Log in again."),
                "success",
            )
        return redirect(url_for("auth.login"))
    # The page's address holds the token; the app's Referrer-Policy (same-origin) keeps it
    # from other sites.
    return render_template(
        "auth/choose_password.html", form=form, invitation=invitation, email=user.email
    )


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    return _choose_password(token, TokenPurpose.PASSWORD_RESET)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    return _choose_password(token, TokenPurpose.INVITATION)


# --- "My sessions" --------------------------------------------------------------------------


@bp.route("/account/sessions")
@login_required
def my_sessions():
    rows = [
        {
            "row": row,
            "current": is_current(row, current_user),
            "browser": browser_summary(row.user_agent),
        }
        for row in active_sessions(current_user)
    ]
    return render_template("auth/sessions.html", sessions=rows)


@bp.route("/account/sessions/<int:session_id>/end", methods=["POST"])
@login_required
def end_login_session(session_id: int):
    row = access.get_own_login_session_or_404(session_id, current_user)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if is_current(row, current_user):
        audit.record(AuditAction.LOGOUT)
        end_session()  # commits
        flash(_("You are logged out."), "success")
        return redirect(url_for("auth.login"))
    revoke(row)
    audit.record(AuditAction.LOGOUT, criterion="another login session ended from My sessions")
    db.session.commit()
    flash(_("The session was ended."), "success")
    return redirect(url_for("auth.my_sessions"))


@bp.route("/account/sessions/end-others", methods=["POST"])
@login_required
def end_other_sessions():
    if not ButtonForm().validate_on_submit():
        abort(400)
    ended = end_all_sessions(current_user, keep_current=True)
    audit.record(AuditAction.LOGOUT, criterion=f"other login sessions ended: {ended}")
    db.session.commit()
    flash(_("Your other sessions were ended."), "success")
    return redirect(url_for("auth.my_sessions"))
