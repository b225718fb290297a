from __future__ import annotations

from flask import (
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
from flask_login import current_user, login_required
from sqlalchemy import select

from app import audit
from app.auth import bp
from app.auth.forms import LanguageForm, LoginForm
from app.auth.passwords import hash_password, needs_rehash, verify_password
from app.auth.sessions import end_session, keep_alive, start_session
from app.extensions import db, limiter
from app.models import AuditAction, User
from app.urls import safe_next


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
        if user is not None and password_ok and user.active:
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(form.password.data)
            audit.record(AuditAction.LOGIN, user=user)
            locale = session.get("locale")
            start_session(user)  # commits the audit row too
            if locale:
                session["locale"] = locale
            return redirect(safe_next(form.next.data) or url_for("main.index"))
        audit.record(AuditAction.LOGIN_FAILED, user=user, commit=True)
        form.password.errors.append(_("Wrong e-mail or password."))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    audit.record(AuditAction.LOGOUT)
    end_session()  # commits
    flash(_("You are logged out."), "success")
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
