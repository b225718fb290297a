"""The page "E-mail-notifikationer": which notices a person gets by e-mail, and when.

A person's own settings: any signed-in user may see and change their own, nobody else's."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth import bp
from app.auth.forms import MailPreferencesForm
from app.extensions import db
from app.mail import notices
from app.models import MailChoice


@bp.route("/account/e-mail", methods=["GET", "POST"])
@login_required
def mail_preferences():
    form = MailPreferencesForm()
    if request.method == "GET":
        for kind, choice in notices.choices(current_user).items():
            form[kind.value].data = choice.value
    if form.validate_on_submit():
        notices.save_choices(
            current_user, {kind: MailChoice(form[kind.value].data) for kind in notices.KINDS}
        )
        db.session.commit()
        flash(_("Your e-mail notification settings were saved."), "success")
        return redirect(url_for("auth.mail_preferences"))
    defaults = {kind.value: notices.default_choice(current_user, kind) for kind in notices.KINDS}
    return render_template(
        "auth/mail_preferences.html",
        form=form,
        defaults=defaults,
        choice_names=notices.CHOICE_NAME,
        email=current_user.email,
    )
