"""Pages of two-factor login: the code after the password, enrolment, the account page, and
confirming again before an export (step-up). The app-wide gate keeps a login that has not
shown its second factor to these pages (the decision: app.access.twofactor.gate)."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from app import access, audit
from app.access.twofactor import RECOVERY, TOTP, current_path
from app.auth import bp, sso
from app.auth import twofactor as totp
from app.auth.passwords import verify_password
from app.auth.sessions import mark_verified
from app.auth.twofactor import CodeResult
from app.auth.twofactor_forms import CodeForm, EnrolForm, StepUpPasswordForm
from app.extensions import db, limiter
from app.forms import ButtonForm
from app.models import AuditAction
from app.urls import safe_next


@bp.before_app_request
def two_factor_gate():
    """A login that has not shown its second factor reaches only the code page (enrolled) or
    enrolment (a role that requires it), and logging out."""
    if request.endpoint in (None, "static") or not current_user.is_authenticated:
        return None
    target = access.twofactor.gate(current_user, request.endpoint)
    if target is None:
        return None
    back = current_path() if request.method == "GET" else None
    return redirect(url_for(target, next=back))


def _account_key() -> str:
    return f"two-factor-account:{getattr(current_user, 'id', '-')}"


def _failed(response) -> bool:
    """Only wrong codes count against the limits: a right one redirects."""
    return response.status_code not in (302, 503)


def _limited(view):
    """At most TWO_FACTOR_LIMIT_PER_ACCOUNT wrong codes per person, and
    TWO_FACTOR_LIMIT_PER_ADDRESS per client, on the page."""
    view = limiter.limit(
        lambda: current_app.config["TWO_FACTOR_LIMIT_PER_ACCOUNT"],
        key_func=_account_key,
        methods=["POST"],
        deduct_when=_failed,
    )(view)
    return limiter.limit(
        lambda: current_app.config["TWO_FACTOR_LIMIT_PER_ADDRESS"],
        methods=["POST"],
        deduct_when=_failed,
    )(view)


def _wrong_code_message(result: CodeResult, kind: str) -> str:
    if result is CodeResult.REUSED and kind == RECOVERY:
        return _("This recovery code has already been used. Each recovery code works only once.")
    if result is CodeResult.REUSED:
        return _("This code has already been used. Wait for the next code in the app.")
    return _(
        "The code is not right. Type the newest code from the app (check that the phone's "
        "clock is right), or one of your recovery codes."
    )


_FAILED_CRITERION = {
    (CodeResult.WRONG, TOTP): "wrong two-factor code",
    (CodeResult.WRONG, RECOVERY): "wrong recovery code",
    (CodeResult.REUSED, TOTP): "two-factor code used again",
    (CodeResult.REUSED, RECOVERY): "recovery code used again",
}
_FACTOR_NAME = {TOTP: "two-factor code", RECOVERY: "recovery code"}


def _check(form: CodeForm, what: str) -> str | None:
    """Check the code typed; on success the kind of factor, else None (the error is on the
    field and the failure in the access log)."""
    result, kind = totp.check_any(current_user, form.code.data)
    if result is CodeResult.OK:
        return kind
    db.session.rollback()
    criterion = f"{what}: {_FAILED_CRITERION[result, kind]}"
    audit.record(AuditAction.LOGIN_FAILED, criterion=criterion, commit=True)
    form.code.errors.append(_wrong_code_message(result, kind))
    return None


def _recovery_notice(kind: str) -> None:
    if kind == RECOVERY:
        left = totp.recovery_codes_left(current_user)
        flash(
            _(
                "You used a recovery code; %(count)d are left. Make new ones on the page "
                "Two-factor login if you are running out.",
                count=left,
            ),
            "warning",
        )


# --- the code after the password ------------------------------------------------------------


@bp.route("/login/code", methods=["GET", "POST"])
@_limited
@login_required
def login_code():
    if not current_user.two_factor_enabled or access.twofactor.session_verified(current_user):
        return redirect(safe_next(request.args.get("next")) or url_for("main.index"))
    form = CodeForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        kind = _check(form, "login")
        if kind is not None:
            mark_verified(current_user, kind)
            audit.record(AuditAction.LOGIN, criterion=_FACTOR_NAME[kind])
            db.session.commit()
            _recovery_notice(kind)
            return redirect(safe_next(form.next.data) or url_for("main.index"))
    return render_template("auth/two_factor_code.html", form=form)


# --- enrolment and the account page ---------------------------------------------------------


@bp.route("/account/two-factor")
@login_required
def two_factor():
    user = current_user
    return render_template(
        "auth/two_factor.html",
        enabled=user.two_factor_enabled,
        required=access.twofactor.requires_two_factor(user),
        may_turn_off=access.twofactor.may_turn_off(user),
        codes_left=totp.recovery_codes_left(user) if user.two_factor_enabled else 0,
        form=CodeForm(formdata=None),
    )


@bp.route("/account/two-factor/enrol", methods=["GET", "POST"])
@login_required
def two_factor_enrol():
    user = current_user
    if user.two_factor_enabled:
        return redirect(url_for("auth.two_factor"))
    if user.totp_secret is None:
        totp.start_enrolment(user)
        db.session.commit()
    form = EnrolForm()
    if form.validate_on_submit():
        if totp.confirm_enrolment(user, form.code.data) is CodeResult.OK:
            codes = totp.new_recovery_codes(user)
            mark_verified(user, TOTP)
            audit.record(AuditAction.UPDATE, obj=user, criterion="two-factor login turned on")
            db.session.commit()
            flash(_("Two-factor login is on."), "success")
            return render_template(
                "auth/two_factor_recovery_codes.html",
                codes=codes,
                next=safe_next(request.args.get("next")),
            )
        form.code.errors.append(
            _(
                "The code is not right. Scan the QR code again, or check that the phone's "
                "clock is right, and type the newest code."
            )
        )
    return render_template(
        "auth/two_factor_enrol.html",
        form=form,
        qr=Markup(totp.qr_svg(user, _("QR code for the authenticator app"))),  # noqa: S704 (segno's own SVG)
        secret=totp.grouped_secret(user.totp_secret),
        required=access.twofactor.requires_two_factor(user),
    )


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@login_required
def two_factor_recovery_codes():
    if not ButtonForm().validate_on_submit():
        abort(400)
    if not current_user.two_factor_enabled:
        return redirect(url_for("auth.two_factor"))
    codes = totp.new_recovery_codes(current_user)
    audit.record(AuditAction.UPDATE, obj=current_user, criterion="new recovery codes made")
    db.session.commit()
    return render_template("auth/two_factor_recovery_codes.html", codes=codes, next=None)


@bp.route("/account/two-factor/disable", methods=["POST"])
@_limited
@login_required
def two_factor_disable():
    """Turn two-factor login off (only where no role requires it), with a current code."""
    user = current_user
    if not user.two_factor_enabled:
        return redirect(url_for("auth.two_factor"))
    if not access.twofactor.may_turn_off(user):
        flash(_("Two-factor login cannot be turned off for your role."), "error")
        return redirect(url_for("auth.two_factor"))
    form = CodeForm()
    if form.validate_on_submit() and _check(form, "turning two-factor login off"):
        totp.turn_off(user)
        audit.record(AuditAction.UPDATE, obj=user, criterion="two-factor login turned off")
        db.session.commit()
        flash(_("Two-factor login is off."), "success")
        return redirect(url_for("auth.two_factor"))
    return render_template(
        "auth/two_factor.html",
        enabled=True,
        required=False,
        may_turn_off=True,
        codes_left=totp.recovery_codes_left(user),
        form=form,
    )


# --- step-up: confirming again before an export ---------------------------------------------


@bp.route("/account/confirm", methods=["GET", "POST"])
@_limited
@login_required
def step_up():
    """Before an export of a whole case (app.access.twofactor.step_up_required): the code
    again, or the password for a person without two-factor login."""
    enrolled = current_user.two_factor_enabled
    form = CodeForm() if enrolled else StepUpPasswordForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    # A login through the organisation's provider confirms there again, never by a password
    # (app.auth.sso_routes.sso_step_up).
    provider = None if enrolled else sso.provider_of_this_login()
    if provider is not None:
        return render_template(
            "auth/two_factor_step_up.html",
            form=form,
            enrolled=False,
            provider_url=url_for("auth.sso_step_up", next=form.next.data),
        )
    if form.validate_on_submit():
        if enrolled:
            kind = _check(form, "confirming before an export")
            if kind is not None:
                mark_verified(current_user, kind)
                how = _FACTOR_NAME[kind]
        elif verify_password(current_user.password_hash, form.password.data):
            kind = "password"
            mark_verified(current_user, None)
            how = "password"
        else:
            kind = None
            audit.record(
                AuditAction.LOGIN_FAILED,
                criterion="confirming before an export: wrong password",
                commit=True,
            )
            form.password.errors.append(_("The password is not right."))
        if kind is not None:
            audit.record(AuditAction.LOGIN, criterion=f"confirmed before an export: {how}")
            db.session.commit()
            if kind == RECOVERY:
                _recovery_notice(kind)
            return redirect(safe_next(form.next.data) or url_for("main.index"))
    return render_template("auth/two_factor_step_up.html", form=form, enrolled=enrolled)
